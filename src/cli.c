/*
 * cli.c - messages and argument checks shared by the commands (cli.h).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "lock.h"
#include "rng.h"
#include "rows.h"
#include "score.h"
#include "train.h"
#include "visible.h"


#define FLAG(id, name, help) [id] = { name, NULL, OK_FLAG, 0, 0, 0, 0, NULL, help }
#define COUNT(id, name, arg, lo, hi, help) \
	[id] = { name, arg, OK_COUNT, lo, hi, 0, 0, NULL, help }
#define REAL(id, name, lo, hi, lo_open, hi_open, help) \
	[id] = { name, "X", OK_REAL, lo, hi, lo_open, hi_open, NULL, help }

static const char *const contrast_names[] = { "tile", "global", NULL };

const struct cli_optdef cli_options[NOPTS] = {
	[O_OUTPUT] = { "output", "FILE", OK_STRING, 0, 0, 0, 0, NULL,
		       "write the PNG to FILE (- for stdout); also -o FILE" },
	[O_SHAPE] = { "shape", "WxH", OK_STRING, 0, 0, 0, 0, NULL,
		      "tile of W x H = NUM_VISIBLE pixels (default: square)" },
	[O_GRID] = { "grid", "CxR", OK_STRING, 0, 0, 0, 0, NULL,
		     "C columns and R rows of tiles (default: about square)" },
	COUNT(O_UNITS, "units", "N", 1, RBM_MAX_UNITS,
	      "draw the first N hidden units (default: all)"),
	COUNT(O_ZOOM, "zoom", "N", 1, 64,
	      "draw each value as N x N pixels (default 1)"),
	[O_CONTRAST] = { "contrast", "S", OK_CHOICE, 0, 0, 0, 0,
			 contrast_names,
			 "gray scale per tile or for all (default tile)" },
	COUNT(O_SEED, "seed", "N", 0, 4294967295.0,
	      "seed the random number generator (default: from the OS)"),
	REAL(O_RATE, "learning-rate", 0, INFINITY, 1, 1,
	     "learning rate (default 0.1)"),
	COUNT(O_BATCH, "batch-size", "N", 1, RBM_MAX_BATCH_SIZE,
	      "rows per mini-batch, and PCD chains (default 100)"),
	COUNT(O_CD_K, "cd-k", "K", 1, RBM_MAX_CD_K,
	      "Gibbs steps in the negative phase (default 1)"),
	FLAG(O_PCD, "pcd", "persistent contrastive divergence"),
	FLAG(O_NO_PCD, "no-pcd", "contrastive divergence from the data"),
	REAL(O_MOMENTUM, "momentum", 0, 1, 0, 1,
	     "momentum in [0, 1) (default 0)"),
	FLAG(O_RAMP, "momentum-ramp",
	     "momentum 0.5 for a model's first 5 epochs"),
	FLAG(O_NO_RAMP, "no-momentum-ramp", "no momentum ramp"),
	REAL(O_DECAY, "weight-decay", 0, INFINITY, 0, 1,
	     "L2 penalty on the weights (default 0)"),
	REAL(O_L1, "l1", 0, INFINITY, 0, 1,
	     "L1 penalty on the weights (default 0)"),
	REAL(O_SPARSITY, "sparsity-target", 0, 1, 1, 1,
	     "wanted mean hidden activity in (0, 1)"),
	FLAG(O_NO_SPARSITY, "no-sparsity", "no sparsity penalty"),
	REAL(O_SPARSITY_COST, "sparsity-cost", 0, INFINITY, 0, 1,
	     "strength of the sparsity penalty (default 0.1)"),
	REAL(O_SPARSITY_DECAY, "sparsity-decay", 0, 1, 0, 1,
	     "smoothing of the activity estimate (default 0.95)"),
	[O_SCHEDULE] = { "lr-schedule", "S", OK_CHOICE, 0, 0, 0, 0,
			 rbm_schedule_names, "constant, or linear to 0 over the run" },
	FLAG(O_CENTERING, "centering", "centered gradient (offsets)"),
	FLAG(O_NO_CENTERING, "no-centering", "plain gradient"),
	REAL(O_OFFSET_RATE, "offset-rate", 0, 1, 1, 0,
	     "moving-average rate of the centering offsets (default 0.01)"),
	COUNT(O_AVERAGE, "average", "N", 0, 4294967295.0,
	      "keep the parameters averaged over the run's last N epochs"),
	FLAG(O_DATA_BIAS, "data-bias",
	     "first set visible biases to log(p/(1-p)) of the data"),
	[O_VALIDATION] = { "validation", "FILE", OK_STRING, 0, 0, 0, 0, NULL,
			   "rows to measure the free energy of each epoch" },
	[O_LOG] = { "log", "FILE", OK_STRING, 0, 0, 0, 0, NULL,
		    "write the figures of each epoch to FILE as CSV" },
	FLAG(O_VERBOSE, "verbose", "print a line of figures per epoch"),
	FLAG(O_QUIET, "quiet", "no progress bar"),
	[O_NAMES] = { "names", "FILE", OK_STRING, 0, 0, 0, 0, NULL,
		      "names of the visible units (items), one a line" },
	FLAG(O_HELP, "help", "show this help and exit"),
	FLAG(O_PROBS, "probs",
	     "print probabilities instead of sampled 0/1 states"),
	COUNT(O_EXACT_MAX, "exact-max-units", "N", 0, RBM_SCORE_EXACT_LIMIT,
	      "exact log Z when a layer has at most N units (default 20)"),
	FLAG(O_AIS, "ais", "estimate log Z by AIS even when it could be exact"),
	COUNT(O_AIS_RUNS, "ais-runs", "M", 2, RBM_AIS_MAX_RUNS,
	      "independent AIS runs (default 100)"),
	COUNT(O_AIS_STEPS, "ais-steps", "N", RBM_AIS_MIN_STEPS,
	      RBM_AIS_MAX_STEPS,
	      "AIS intermediate distributions (default 14500)"),
	[O_VISIBLE] = { "visible", "TYPE", OK_STRING, 0, 0, 0, 0, NULL,
			"visible units: binary, gaussian or softmax:K "
			"(default binary)" },
	[O_MISSING] = { "missing", "TOKEN", OK_STRING, 0, 0, 0, 0, NULL,
			"the token of a missing value (default ?)" },
	COUNT(O_TOP, "top", "N", 1, RBM_MAX_UNITS,
	      "print the N best missing items of each row"),
};

static void __attribute__((format(printf, 2, 0)))
vsay(const struct ctx *c, const char *fmt, va_list ap)
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
		fprintf(stderr, "Try '%s %s%s --help'.\n", PROG,
			cli_state_word(c->cmd), c->cmd->name);
	else
		fprintf(stderr, "Try '%s --help'.\n", PROG);
	return EXIT_USAGE;
}

const char *cli_state_word(const struct command *cmd)
{
	return cmd->options & CMD_NO_STATE ? "" : "STATE ";
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
		if (id == O_MISSING && (*s == '\0' || strpbrk(s, " \t\r\n")))
			return cli_usage(c, "--missing must be one token without "
					 "blanks, not '%s'", s);
		return 0;
	case OK_COUNT:
		if (parse_count(s, (unsigned long)o->lo, count_max(o->hi),
				&v->u) == 0)
			return 0;
		return cli_usage(c, "--%s must be a whole number from %lu "
				 "to %lu, not '%s'", o->name,
				 (unsigned long)o->lo, count_max(o->hi), s);
	case OK_CHOICE:
		for (v->u = 0; o->choices[v->u]; v->u++)
			if (strcmp(s, o->choices[v->u]) == 0)
				return 0;
		return cli_usage(c, "--%s: unknown value '%s'", o->name, s);
	default:
		errno = 0;
		v->d = strtod(s, &end);
		if (end != s && !*end && !errno && isfinite(v->d) &&
		    (o->lo_open ? v->d > o->lo : v->d >= o->lo) &&
		    (o->hi_open ? v->d < o->hi : v->d <= o->hi))
			return 0;
		return cli_usage(c, "--%s must be a number in %c%g, %g%c, not "
				 "'%s'", o->name, o->lo_open ? '(' : '[',
				 o->lo, o->hi, o->hi_open ? ')' : ']', s);
	}
}

/* A --x / --no-x pair into *field; EXIT_OK or a usage error. */
static int flag_pair(const struct ctx *c, int on, int off, int *field)
{
	if (c->opt[on].given && c->opt[off].given)
		return cli_usage(c, "--%s and --%s contradict each other",
				 cli_options[on].name, cli_options[off].name);
	if (c->opt[on].given)
		*field = 1;
	if (c->opt[off].given)
		*field = 0;
	return EXIT_OK;
}

/* The options that take a number, into their parameters. */
static void number_options(const struct ctx *c, struct rbm_train_params *p)
{
	const struct optval *o = c->opt;

	if (o[O_RATE].given)
		p->learning_rate = o[O_RATE].d;
	if (o[O_BATCH].given)
		p->batch_size = o[O_BATCH].u;
	if (o[O_CD_K].given)
		p->cd_k = o[O_CD_K].u;
	if (o[O_MOMENTUM].given)
		p->momentum = o[O_MOMENTUM].d;
	if (o[O_DECAY].given)
		p->weight_decay = o[O_DECAY].d;
	if (o[O_L1].given)
		p->l1 = o[O_L1].d;
	if (o[O_SPARSITY].given)
		p->sparsity_target = o[O_SPARSITY].d;
	if (o[O_NO_SPARSITY].given)
		p->sparsity_target = 0;
	if (o[O_SPARSITY_COST].given)
		p->sparsity_cost = o[O_SPARSITY_COST].d;
	if (o[O_SPARSITY_DECAY].given)
		p->sparsity_decay = o[O_SPARSITY_DECAY].d;
	if (o[O_SCHEDULE].given)
		p->schedule = (int)o[O_SCHEDULE].u;
	if (o[O_OFFSET_RATE].given)
		p->offset_rate = o[O_OFFSET_RATE].d;
	if (o[O_AVERAGE].given)
		p->average = o[O_AVERAGE].u;
}

int cli_train_params(struct ctx *c, int i, struct rbm_train_params *p)
{
	struct rbm_err err;
	int rc;

	if (c->argc > i && c->opt[O_RATE].given)
		return cli_usage(c, "learning rate given twice");
	if (c->argc > i && cli_parse_rate(c, c->argv[i], &p->learning_rate))
		return EXIT_USAGE;
	if (c->opt[O_SPARSITY].given && c->opt[O_NO_SPARSITY].given)
		return cli_usage(c, "--sparsity-target and --no-sparsity "
				 "contradict each other");
	number_options(c, p);
	if ((rc = flag_pair(c, O_PCD, O_NO_PCD, &p->pcd)) ||
	    (rc = flag_pair(c, O_RAMP, O_NO_RAMP, &p->momentum_ramp)) ||
	    (rc = flag_pair(c, O_CENTERING, O_NO_CENTERING, &p->centering)))
		return rc;
	if (rbm_train_check_params(p, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	return EXIT_OK;
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

struct rbm_lock *cli_lock_state(const struct ctx *c)
{
	struct rbm_err err;
	struct rbm_lock *l = rbm_lock_acquire(c->state, &err);

	if (!l)
		cli_fail(c, &err);
	else
		rbm_atomic_clean(c->state);
	return l;
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

struct rbm_rows *cli_open_items(const struct ctx *c, const struct rbm *m,
				const char *path, int allow_missing,
				struct rbm_err *err)
{
	size_t n = rbm_visible_items(m);
	struct rbm_rows *r = path ? rbm_rows_open_path(path, n, err)
				  : rbm_rows_open_fd(STDIN_FILENO, "stdin", n,
						     err);

	if (!r)
		return NULL;
	if (m->vtype == RBM_VIS_GAUSSIAN)
		rbm_rows_set_range(r, -HUGE_VAL, HUGE_VAL);
	else if (m->vtype == RBM_VIS_SOFTMAX)
		rbm_rows_set_ratings(r, m->k);
	rbm_rows_set_missing(r, c->opt[O_MISSING].given ?
			     c->opt[O_MISSING].s : NULL, allow_missing);
	return r;
}

void cli_write_item_row(const struct rbm *m, const float *row, size_t n)
{
	if (m->vtype == RBM_VIS_BINARY)
		rbm_rows_write(stdout, row, n);
	else
		rbm_rows_write_plain(stdout, row, n);
}

int cli_write_units(const struct ctx *c, const struct rbm *m,
		    const gsl_matrix_float *units, size_t k)
{
	size_t i, n = rbm_visible_items(m);
	gsl_matrix_float *row;

	if (m->vtype == RBM_VIS_BINARY) {
		cli_write_rows(units, k);
		return 0;
	}
	if (!(row = gsl_matrix_float_alloc(1, n))) {
		cli_say(c, "out of memory");
		return -1;
	}
	for (i = 0; i < k; i++) {
		gsl_matrix_float_const_view u =
			gsl_matrix_float_const_submatrix(units, i, 0, 1,
							 units->size2);
		rbm_visible_decode(m, &u.matrix, row);
		cli_write_item_row(m, row->data, n);
	}
	gsl_matrix_float_free(row);
	return 0;
}
