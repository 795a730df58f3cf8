/*
 * cli.h - what the command handlers share: the parsed command line, the
 * exit codes, and the few helpers that print (only the CLI prints).
 *
 * Options live in one table (rbmcmd.c); a command's row says which of
 * them it accepts.  Values are kept as the strings given and checked by
 * the command that uses them, through the cli_opt_* helpers, so a usage
 * error always names the option and the command.
 */
#ifndef RBM_CLI_H
#define RBM_CLI_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "err.h"
#include "lock.h"
#include "settings.h"
#include "state.h"
#include "train.h"

#define PROG "rbmcmd"

enum exit_code { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/*
 * Every option of every command, in the order of the help.  The options
 * of the training settings are generated from their table (settings.h):
 * O_SETTING + i is the option of setting i, with its --no-NAME switch if
 * it has one.  cli_options[] in cli.c describes the others.
 */
enum opt_id {
	O_OUTPUT, O_SHAPE, O_GRID, O_UNITS, O_ZOOM, O_CONTRAST,
	O_SEED,
	O_SETTING,
	O_DATA_BIAS = O_SETTING + RBM_NSETTINGS, O_NO_DATA_BIAS, O_LOGLIK_EVERY,
	O_AVERAGE_EVERY,
	O_DATA,
	O_VALIDATION,
	O_LOG, O_VERBOSE, O_QUIET, O_NAMES, O_HELP,
	O_PROBS, O_PRECISION, O_EXACT_MAX, O_AIS, O_AIS_RUNS, O_AIS_STEPS,
	O_AIS_BASE, O_AIS_METHOD, O_RAISE,
	O_VISIBLE, O_MISSING, O_TOP,
	NOPTS
};

#define OPT(x) (1ull << (x))
_Static_assert(NOPTS <= 64, "an option mask has 64 bits");

enum opt_kind { OK_FLAG, OK_COUNT, OK_REAL, OK_STRING, OK_CHOICE };

/* One option: how it is spelt, what it takes and which values are valid. */
struct cli_optdef {
	const char *name;	/* long name, without "--" */
	const char *arg;	/* argument name in the help, NULL for a flag */
	enum opt_kind kind;
	double lo, hi;		/* valid range of a count or real */
	int lo_open, hi_open;	/* the range of a real excludes lo, hi */
	const char *const *choices;	/* OK_CHOICE: NULL-terminated */
	const char *help;	/* one line for --help */
};

/* The options that are not settings (the settings' rows are empty). */
extern const struct cli_optdef cli_options[NOPTS];

/*
 * The definition of option id into d, also for a setting's; with off, of
 * the switch that turns the setting off (0 if it has none).  1, or 0 when
 * there is no such option.  The help may hold "{range}" and "{default}"
 * (see cli_option_help).
 */
int cli_option_def(int id, int off, struct cli_optdef *d);

/* The help line of option id (off: its --no-NAME switch) into buf. */
void cli_option_help(int id, int off, char *buf, size_t size);

/* An option's value once checked against its definition. */
struct optval {
	int given;		/* it was on the command line */
	int off;		/* its --no-NAME switch was (a setting's) */
	unsigned long u;	/* OK_COUNT, or the index of an OK_CHOICE */
	double d;		/* OK_REAL */
	const char *s;		/* OK_STRING */
};

struct command;

/* The parsed command line, handed to every command. */
struct ctx {
	const char *state;		/* state file path */
	const struct command *cmd;	/* the command being run */
	int argc;			/* positional arguments after COMMAND */
	char **argv;
	struct optval opt[NOPTS];	/* checked option values */
	struct rbm_state *s;		/* CMD_LOADS: the state, loaded
					 * before the command runs and freed
					 * after */
	const char *unusable;		/* why no command can run (the BLAS
					 * guard's message), or NULL; help,
					 * --version and usage errors still
					 * work */
};

/*
 * Per-command setup, in a command's flags (the last column of its row
 * in rbmcmd.c's table), so that it is not code repeated in commands.
 */
#define CMD_NO_STATE 0x1u	/* written "rbmcmd NAME ..." without STATE
				 * (plot) */
#define CMD_NEW_MODEL 0x2u	/* makes a model: takes the settings
				 * marked RBM_SETTING_AT_NEW */
#define CMD_TRAINS 0x4u		/* trains: takes the settings marked
				 * RBM_SETTING_AT_TRAIN */
#define CMD_LOADS 0x8u		/* only reads the state: c->s holds it,
				 * loaded once the arguments are checked */

struct command {
	const char *name;
	int (*run)(struct ctx *c);
	int min_args, max_args;
	const char *args;		/* synopsis of the positional args */
	unsigned long long options;	/* OPT() mask of accepted options,
					 * besides the training settings */
	const char *summary;
	unsigned flags;			/* CMD_* */
};

/* Whether the command takes option id (--help included). */
int cli_accepts(const struct command *cmd, int id);

/* Write s to f with each control character as \xHH. */
void cli_put_clean(FILE *f, const char *s);

/* "rbmcmd: COMMAND: message" on stderr (control characters escaped). */
void cli_say(const struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print a usage error and where to find help; returns EXIT_USAGE. */
int cli_usage(const struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "STATE " in usage lines, or "" for a command written without it. */
const char *cli_state_word(const struct command *cmd);

/* Print a runtime failure; returns EXIT_FAIL. */
int cli_fail(const struct ctx *c, const struct rbm_err *err);

/*
 * Positional argument i as a whole number in [lo, hi], named what in the
 * message; 0, or -1 after printing a usage error.
 */
int cli_arg_count(const struct ctx *c, int i, const char *what,
		  unsigned long lo, unsigned long hi, unsigned long *out);

/*
 * Check the value s of option id against its definition and store it in
 * c->opt[id] (off: the setting's --no-NAME switch was given); 0, or
 * EXIT_USAGE after a message.
 */
int cli_set_option(struct ctx *c, int id, int off, const char *s);

/*
 * The training parameters in p, changed by the training options and the
 * positional learning rate (argument i, if present); EXIT_OK or
 * EXIT_USAGE after a message.
 */
int cli_train_settings(struct ctx *c, int i, struct rbm_train_settings *p);

/* A generator seeded from --seed, or from the OS; NULL after a message. */
gsl_rng *cli_rng(const struct ctx *c);

/*
 * Take the state file's writer lock (lock.h), refuse a STATE the save
 * could not replace (made read-only: rbm_atomic_check) before any work,
 * then remove the temporary files of saves that were killed: under the
 * lock no save of this file can be under way, so any left are stale.
 * NULL after a message.
 */
struct rbm_lock *cli_lock_state(const struct ctx *c);

/* The state file named on the command line; NULL after a message. */
struct rbm_state *cli_load(const struct ctx *c);

/*
 * The significant digits of --precision, or 0 when it was not given (the
 * commands' usual formats).
 */
int cli_digits(const struct ctx *c);

/*
 * The number format of a command that prints reals with printf: "%.*g"
 * with the digits of --precision, or else usual_digits.
 */
int cli_real_digits(const struct ctx *c, int usual_digits);

/*
 * Write the first k rows of m to stdout in the original's tokens, or
 * with --precision as plain numbers (rows.h).
 */
void cli_write_rows(const struct ctx *c, const gsl_matrix_float *m, size_t k);

/*
 * Flush stdout and check it: 0, or -1 after "write error: REASON" once a
 * write has failed (a full disk, a closed pipe, /dev/full), so that a
 * command streaming rows stops at the first failure instead of computing
 * on for output nobody receives.
 */
int cli_flush(const struct ctx *c);

/*
 * A reader of rows of the model's items (visible.h) from path, or stdin
 * when path is NULL, taking the values the type takes
 * (rbm_visible_reader); the missing token of
 * --missing (default "?") allowed when allow_missing.  NULL with a
 * message in err.
 */
struct rbm_rows *cli_open_items(const struct ctx *c, const struct rbm *m,
				const char *path, int allow_missing,
				struct rbm_err *err);

/* Configure the reader r as cli_open_items does. */
void cli_set_items(const struct ctx *c, const struct rbm *m,
		   struct rbm_rows *r, int allow_missing);

/*
 * Decode the first k rows of units (k x NV) into items and write them
 * with rbm_visible_write_items; the decoding goes through a scratch row
 * unless the items are the units.  0, or -1 after printing "out of
 * memory" or, when stdout has failed, a write error (cli_flush).
 */
int cli_write_units(const struct ctx *c, const struct rbm *m,
		    const gsl_matrix_float *units, size_t k);

/* Commands (cmd_model.c, cmd_train.c, cmd_run.c, cmd_show.c, cmd_score.c). */
int cmd_init(struct ctx *c);
int cmd_train(struct ctx *c);
int cmd_import(struct ctx *c);
int cmd_run_visible(struct ctx *c);
int cmd_run_hidden(struct ctx *c);
int cmd_daydream_trace(struct ctx *c);
int cmd_daydream(struct ctx *c);
int cmd_export(struct ctx *c);
int cmd_info(struct ctx *c);
int cmd_weights(struct ctx *c);
int cmd_free_energy(struct ctx *c);
int cmd_reconstruct(struct ctx *c);
int cmd_loglik(struct ctx *c);
int cmd_recommend(struct ctx *c);

#endif
