/*
 * mistakes.h - messages that know the usual mistakes: a misspelt command
 * or option (the nearest one is suggested), getopt's own reasons (an
 * ambiguous abbreviation, a missing or unwanted value, an option of
 * another command), a file named where rows come on standard input, the
 * state file after the command, and options before the state file.
 * Part of the CLI: these print, through cli_usage.
 */
#ifndef RBM_MISTAKES_H
#define RBM_MISTAKES_H

#include <stddef.h>

#include "cli.h"

/*
 * Edit distance between a and b: insertions, deletions, substitutions
 * and swaps of two neighbours ("visibel") each cost 1.  Words longer
 * than 63 bytes are at distance SIZE_MAX from everything.
 */
size_t cli_edit_distance(const char *a, const char *b);

/* The nearest candidate seen so far; see cli_near_add. */
struct cli_near {
	const char *word;	/* what was typed */
	const char *best;	/* the nearest candidate, or NULL */
	size_t dist;		/* its distance */
	int tie;		/* another candidate is as near */
};

void cli_near_init(struct cli_near *n, const char *word);
void cli_near_add(struct cli_near *n, const char *candidate);

/*
 * The one nearest candidate if it is near enough to be what was meant
 * (1 edit for words up to 4 letters, 2 beyond) and no other is as near;
 * NULL otherwise.
 */
const char *cli_near_result(const struct cli_near *n);

/*
 * The usage error for the command-line word that getopt_long has just
 * refused in argv (found from optind and optopt; missing is whether it
 * said a value is missing), among the options c->cmd takes (cli_accepts).
 * Returns EXIT_USAGE.
 */
int cli_option_error(const struct ctx *c, int argc, char **argv,
		     int missing);

/*
 * When argument s of a command that reads rows from standard input names
 * an existing file, say that rows come on standard input, with the
 * command line that does it, and return EXIT_USAGE; 0 otherwise.
 */
int cli_rows_hint(const struct ctx *c, const char *s);

/*
 * "unknown command WORD", with the nearest of the n command names if one
 * is near enough; returns EXIT_USAGE.
 */
int cli_unknown_command(const char *word, const char *const *names, size_t n);

/*
 * The usage error for "rbmcmd ARG1 ARG2 ..." when ARG2 is not a command:
 * a misspelt command, the state file written after the command ("init
 * state 6 2"), or an unknown option before the state file.  EXIT_USAGE.
 */
int cli_command_error(int argc, char **argv, const char *const *names,
		      size_t n);

/*
 * Move options written before STATE ("rbmcmd --seed=1 s.rbm daydream 3 2")
 * to just after COMMAND, where they are parsed as usual.  Only words that
 * name an option (and the value after one that takes a separate value)
 * move, and only when the word after them is followed by a command name
 * (is_command).  argv is permuted in place.
 */
void cli_hoist_options(int argc, char **argv,
		       int (*is_command)(const char *name));

#endif
