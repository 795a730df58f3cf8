/*
 * mistakes.c - messages that know the usual mistakes (mistakes.h).
 *
 * Nothing here decides what is valid: the option table (cli.c) and the
 * command table (rbmcmd.c) do.  These functions only explain a refusal
 * better, or, for options written before STATE, move them to where the
 * parser looks.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mistakes.h"

#define MAXWORD 64

size_t cli_edit_distance(const char *a, const char *b)
{
	size_t d[MAXWORD][MAXWORD];
	size_t i, j, n = strlen(a), m = strlen(b);

	if (n >= MAXWORD || m >= MAXWORD)
		return SIZE_MAX;
	for (i = 0; i <= n; i++)
		d[i][0] = i;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m];
}

void cli_near_init(struct cli_near *n, const char *word)
{
	n->word = word;
	n->best = NULL;
	n->dist = SIZE_MAX;
	n->tie = 0;
}

void cli_near_add(struct cli_near *n, const char *candidate)
{
	size_t d = cli_edit_distance(n->word, candidate);

	if (d < n->dist) {
		n->best = candidate;
		n->dist = d;
		n->tie = 0;
	} else if (d == n->dist && n->best && strcmp(n->best, candidate)) {
		n->tie = 1;
	}
}

const char *cli_near_result(const struct cli_near *n)
{
	size_t limit = strlen(n->word) <= 4 ? 1 : 2;

	if (!n->best || n->tie || n->dist == 0 || n->dist > limit)
		return NULL;
	return n->best;
}

/* ---- options ---- */

/*
 * Call f(d, arg) for every option spelling (each setting's --no-NAME
 * switch too) that cmd takes, or of every command when cmd is NULL;
 * stop when f returns non-zero, and return that.
 */
static int each_option(const struct command *cmd,
		       int (*f)(const struct cli_optdef *d, int id, void *arg),
		       void *arg)
{
	struct cli_optdef d;
	int i, off, r;

	for (i = 0; i < NOPTS; i++)
		for (off = 0; off < 2; off++)
			if ((!cmd || cli_accepts(cmd, i)) &&
			    cli_option_def(i, off, &d) && d.name &&
			    (r = f(&d, i, arg)))
				return r;
	return 0;
}

/* What is looked for: a name (len bytes), and what was found. */
struct lookup {
	const char *name;
	size_t len;
	struct cli_optdef found;	/* the last match */
	int id;				/* its option id */
	int n;				/* matches */
	char list[512];			/* "--a, --b" */
	size_t used;
	struct cli_near near;
};

static int match_exact(const struct cli_optdef *d, int id, void *arg)
{
	struct lookup *l = arg;

	if (strlen(d->name) != l->len || strncmp(d->name, l->name, l->len))
		return 0;
	l->found = *d;
	l->id = id;
	l->n = 1;
	return 1;
}

static int match_prefix(const struct cli_optdef *d, int id, void *arg)
{
	struct lookup *l = arg;

	if (strncmp(d->name, l->name, l->len) != 0)
		return 0;
	if (l->used < sizeof(l->list))
		l->used += (size_t)snprintf(l->list + l->used,
					    sizeof(l->list) - l->used,
					    "%s--%s", l->n ? ", " : "",
					    d->name);
	l->found = *d;
	l->id = id;
	l->n++;
	return 0;
}

static int match_near(const struct cli_optdef *d, int id, void *arg)
{
	(void)id;
	cli_near_add(&((struct lookup *)arg)->near, d->name);
	return 0;
}

/* Set up l for name's first len bytes (the typed name, for "near"). */
static void lookup_init(struct lookup *l, const char *name, size_t len,
			char *typed)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->len = len;
	snprintf(typed, MAXWORD, "%.*s", (int)(len < MAXWORD ? len :
					       MAXWORD - 1), name);
	cli_near_init(&l->near, typed);
}

/* A message about option d as written: a value missing or unwanted. */
static int value_error(const struct ctx *c, const struct cli_optdef *d,
		       int missing)
{
	if (missing && d->arg)
		return cli_usage(c, "option '--%s' requires a value "
				 "(--%s=%s)", d->name, d->name, d->arg);
	return cli_usage(c, "option '--%s' takes no value", d->name);
}

/* A long option: "--name" or "--name=value". */
static int long_option_error(const struct ctx *c, const char *word,
			     int missing)
{
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	char typed[MAXWORD];
	struct lookup l;
	const char *near;

	lookup_init(&l, name, len, typed);
	if (each_option(c->cmd, match_exact, &l))
		return value_error(c, &l.found, missing);
	each_option(c->cmd, match_prefix, &l);
	if (l.n > 1)
		return cli_usage(c, "option '--%s' is ambiguous: %s", typed,
				 l.list);
	if (l.n == 1)
		return value_error(c, &l.found, missing);
	lookup_init(&l, name, len, typed);
	if (each_option(NULL, match_exact, &l))
		return cli_usage(c, "option '--%s' is not taken by this "
				 "command", typed);
	each_option(c->cmd, match_near, &l);
	if ((near = cli_near_result(&l.near)))
		return cli_usage(c, "unknown option '--%s' (did you mean "
				 "'--%s'?)", typed, near);
	return cli_usage(c, "unknown option '--%s'", typed);
}

/*
 * The word getopt refused: the one before optind, except for a short
 * option inside a cluster ("-5.5"), where optind has not moved on yet.
 */
static const char *refused_word(int argc, char **argv)
{
	const char *w = optind < argc ? argv[optind] : NULL;

	if (w && w[0] == '-' && w[1] && w[1] != '-' && optopt > 0 &&
	    optopt < 128 && strchr(w + 1, optopt))
		return w;
	return argv[optind - 1];
}

int cli_option_error(const struct ctx *c, int argc, char **argv,
		     int missing)
{
	const char *word = refused_word(argc, argv);
	char *end;

	if (strncmp(word, "--", 2) == 0 && word[2])
		return long_option_error(c, word, missing);
	if (strcmp(word, "-o") == 0 && !cli_accepts(c->cmd, O_OUTPUT))
		return cli_usage(c, "option '-o' is not taken by this command");
	if (missing && strcmp(word, "-o") == 0)
		return cli_usage(c, "option '-o' requires a value (-o FILE)");
	if (word[0] == '-' && strtod(word, &end) < 0 && !*end)
		return cli_usage(c, "'%s' is read as an option; no argument "
				 "here may be negative", word);
	return cli_usage(c, "unknown option '%s'", word);
}

/* ---- rows on standard input ---- */

int cli_rows_hint(const struct ctx *c, const char *s)
{
	struct stat st;
	const char *w;
	int i;

	if (!strstr(c->cmd->args, "< ") || stat(s, &st) != 0 ||
	    S_ISDIR(st.st_mode))
		return 0;
	cli_say(c, "rows are read from standard input, not from a file "
		"named as an argument");
	fprintf(stderr, "Try '%s %s %s", PROG, c->state, c->cmd->name);
	for (i = 0; i < c->argc; i++)
		if (c->argv[i] != s)
			fprintf(stderr, " %s", c->argv[i]);
	/* The required arguments still missing, by their names. */
	for (w = c->cmd->args, i = 0; *w && *w != '<' && *w != '['; i++) {
		size_t len = strcspn(w, " ");

		if (i >= c->argc - 1)
			fprintf(stderr, " %.*s", (int)len, w);
		w += len + strspn(w + len, " ");
	}
	fprintf(stderr, " < %s'.\n", s);
	return EXIT_USAGE;
}

/* ---- commands ---- */

int cli_unknown_command(const char *word, const char *const *names, size_t n)
{
	struct cli_near near;
	const char *best;
	size_t i;

	cli_near_init(&near, word);
	for (i = 0; i < n; i++)
		cli_near_add(&near, names[i]);
	if ((best = cli_near_result(&near)))
		return cli_usage(NULL, "unknown command '%s' (did you mean "
				 "'%s'?)", word, best);
	return cli_usage(NULL, "unknown command '%s'", word);
}

/* Whether word is one of the n names. */
static int is_name(const char *word, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, names[i]) == 0)
			return 1;
	return 0;
}

int cli_command_error(int argc, char **argv, const char *const *names,
		      size_t n)
{
	struct cli_near near;
	const char *best;
	size_t i, len;
	int k;

	cli_near_init(&near, argv[2]);
	for (i = 0; i < n; i++)
		cli_near_add(&near, names[i]);
	if (cli_near_result(&near))
		return cli_unknown_command(argv[2], names, n);
	if (is_name(argv[1], names, n)) {
		cli_say(NULL, "unknown command '%s': the state file comes "
			"before the command", argv[2]);
		fprintf(stderr, "Try '%s %s %s", PROG, argv[2], argv[1]);
		for (k = 3; k < argc; k++)
			fprintf(stderr, " %s", argv[k]);
		fprintf(stderr, "'.\n");
		return EXIT_USAGE;
	}
	if (strncmp(argv[1], "--", 2) != 0 || !argv[1][2])
		return cli_unknown_command(argv[2], names, n);
	/* An option (misspelt, since known ones were moved) before STATE. */
	len = strcspn(argv[1] + 2, "=");
	if (len < MAXWORD) {
		char typed[MAXWORD];
		struct lookup l;

		lookup_init(&l, argv[1] + 2, len, typed);
		each_option(NULL, match_near, &l);
		if ((best = cli_near_result(&l.near)))
			return cli_usage(NULL, "unknown option '--%s' (did "
					 "you mean '--%s'?); options go after "
					 "the command", typed, best);
	}
	return cli_usage(NULL, "unknown option '--%.*s'; options go after "
			 "the command", (int)len, argv[1] + 2);
}

/* ---- options before STATE ---- */

/* How many words the option word (and its value) take, 0 if none. */
static int option_words(const char *word, const char *next)
{
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	char typed[MAXWORD];
	struct lookup l;

	if (strncmp(word, "--", 2) != 0 || !word[2])
		return 0;
	lookup_init(&l, name, len, typed);
	if (!each_option(NULL, match_exact, &l) || l.id == O_HELP)
		return 0;
	if (l.found.arg && !name[len])
		return next ? 2 : 0;
	return 1;
}

void cli_hoist_options(int argc, char **argv,
		       int (*is_command)(const char *name))
{
	char **moved;
	int i = 1, n, k;

	while (i < argc && (n = option_words(argv[i],
					     i + 1 < argc ? argv[i + 1] : NULL)))
		i += n;
	/* argv[i] is STATE, argv[i + 1] must be COMMAND. */
	if (i == 1 || i + 1 >= argc || !is_command(argv[i + 1]))
		return;
	n = i - 1;
	moved = malloc((size_t)n * sizeof(*moved));
	if (!moved)
		return;
	memcpy(moved, argv + 1, (size_t)n * sizeof(*moved));
	/* STATE COMMAND first, then the options, then the rest. */
	argv[1] = argv[i];
	argv[2] = argv[i + 1];
	for (k = 0; k < n; k++)
		argv[3 + k] = moved[k];
	free(moved);
}
