/*
 * cli.c - messages and argument checks shared by the commands (cli.h).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "rng.h"
#include "rows.h"
#include "score.h"
#include "train.h"

#define ULONG_AS_DOUBLE 18446744073709551615.0	/* rounds to 2^64 */

const struct cli_optdef cli_options[NOPTS] = {
	[O_SEED] = { "seed", "N", OK_COUNT, 0, ULONG_AS_DOUBLE, 0,
		     "seed the random number generator (default: from the OS)" },
	[O_RATE] = { "learning-rate", "R", OK_REAL, 0, INFINITY, 1,
		     "learning rate (default 0.1; kept in the state file)" },
	[O_BATCH] = { "batch-size", "N", OK_COUNT, 1, RBM_MAX_BATCH_SIZE, 0,
		      "rows per mini-batch (default 100; kept in the state)" },
	[O_VERBOSE] = { "verbose", NULL, OK_FLAG, 0, 0, 0,
			"print the reconstruction error of every epoch" },
	[O_HELP] = { "help", NULL, OK_FLAG, 0, 0, 0,
		     "show this help and exit" },
	[O_PROBS] = { "probs", NULL, OK_FLAG, 0, 0, 0,
		      "print probabilities instead of sampled 0/1 states" },
	[O_EXACT_MAX] = { "exact-max-units", "N", OK_COUNT, 0,
			  RBM_SCORE_EXACT_LIMIT, 0,
			  "exact log Z when a layer has at most N units "
			  "(default 20)" },
	[O_AIS] = { "ais", NULL, OK_FLAG, 0, 0, 0,
		    "estimate log Z by AIS even when it could be exact" },
	[O_AIS_RUNS] = { "ais-runs", "M", OK_COUNT, 2, RBM_AIS_MAX_RUNS, 0,
			 "independent AIS runs (default 100)" },
	[O_AIS_STEPS] = { "ais-steps", "N", OK_COUNT, RBM_AIS_MIN_STEPS,
			  RBM_AIS_MAX_STEPS, 0,
			  "AIS intermediate distributions (default 14500)" },
};

static void vsay(const struct ctx *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", PROG);
	if (c && c->cmd)
		fprintf(stderr, "%s: ", c->cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_say(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(c, fmt, ap);
	va_end(ap);
}

int cli_usage(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(c, fmt, ap);
	va_end(ap);
	if (c && c->cmd)
		fprintf(stderr, "Try '%s STATE %s --help'.\n", PROG,
			c->cmd->name);
	else
		fprintf(stderr, "Try '%s --help'.\n", PROG);
	return EXIT_USAGE;
}

int cli_fail(const struct ctx *c, const struct rbm_err *err)
{
	cli_say(c, "%s", err->msg);
	return EXIT_FAIL;
}

/* A whole decimal number in [lo, hi]; 0, or -1 (nothing printed). */
static int parse_count(const char *s, unsigned long lo, unsigned long hi,
		       unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_arg_count(const struct ctx *c, int i, const char *what,
		  unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (parse_count(c->argv[i], lo, hi, out) == 0)
		return 0;
	cli_usage(c, "%s must be a whole number from %lu to %lu, not '%s'",
		  what, lo, hi, c->argv[i]);
	return -1;
}

int cli_parse_rate(const struct ctx *c, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && !*end && !errno && isfinite(v) && v > 0) {
		*out = v;
		return 0;
	}
	cli_usage(c, "learning rate must be a positive number, not '%s'", s);
	return -1;
}

/* The upper limit of a count option, without an out-of-range cast. */
static unsigned long count_max(double hi)
{
	return hi >= (double)ULONG_MAX ? ULONG_MAX : (unsigned long)hi;
}

int cli_set_option(struct ctx *c, int id, const char *s)
{
	const struct cli_optdef *o = &cli_options[id];
	struct optval *v = &c->opt[id];
	char *end;

	v->given = 1;
	switch (o->kind) {
	case OK_FLAG:
		return 0;
	case OK_STRING:
		v->s = s;
		return 0;
	case OK_COUNT:
		if (parse_count(s, (unsigned long)o->lo, count_max(o->hi),
				&v->u) == 0)
			return 0;
		return cli_usage(c, "--%s must be a whole number from %lu "
				 "to %lu, not '%s'", o->name,
				 (unsigned long)o->lo, count_max(o->hi), s);
	default:
		errno = 0;
		v->d = strtod(s, &end);
		if (end != s && !*end && !errno && isfinite(v->d) &&
		    (o->lo_open ? v->d > o->lo : v->d >= o->lo) &&
		    v->d <= o->hi)
			return 0;
		return cli_usage(c, "--%s must be a number in %c%g, %g], not "
				 "'%s'", o->name, o->lo_open ? '(' : '[',
				 o->lo, o->hi, s);
	}
}

gsl_rng *cli_rng(const struct ctx *c)
{
	struct rbm_err err;
	gsl_rng *r = rbm_rng_alloc(c->opt[O_SEED].given ? c->opt[O_SEED].u
							: rbm_rng_os_seed(),
				   &err);

	if (!r)
		cli_fail(c, &err);
	return r;
}

struct rbm_state *cli_load(const struct ctx *c)
{
	struct rbm_err err;
	struct rbm_state *s = rbm_state_load(c->state, &err);

	if (!s)
		cli_fail(c, &err);
	return s;
}

void cli_write_rows(const gsl_matrix_float *m, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		rbm_rows_write(stdout, gsl_matrix_float_const_ptr(m, i, 0),
			       m->size2);
}
