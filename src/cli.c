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
#include "mistakes.h"
#include "report.h"
#include "rng.h"
#include "rows.h"
#include "score.h"
#include "settings.h"
#include "train.h"
#include "visible.h"


#define FLAG(id, name, help) [id] = { name, NULL, OK_FLAG, 0, 0, 0, 0, NULL, help }
#define COUNT(id, name, arg, lo, hi, help) \
	[id] = { name, arg, OK_COUNT, lo, hi, 0, 0, NULL, help }

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
	FLAG(O_DATA_BIAS, "data-bias",
	     "first set visible biases from the data (default: on a "
	     "model's first train)"),
	FLAG(O_NO_DATA_BIAS, "no-data-bias",
	     "leave a new model's visible biases at 0"),
	COUNT(O_LOGLIK_EVERY, "loglik-every", "N", 1, 4294967295.0,
	      "fill the log's loglik column every N epochs"),
	COUNT(O_AVERAGE_EVERY, "average-every", "N", 1, 4294967295.0,
	      "under mpirun: step alone, average the models every N "
	      "batches (default 1: sum every batch's gradients)"),
	[O_DATA] = { "data", "FILE", OK_STRING, 0, 0, 0, 0, NULL,
		     "read the training rows from FILE, not stdin (under "
		     "mpirun: each process its part; %d: a file per rank)" },
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
	COUNT(O_PRECISION, "precision", "N", 1, RBM_ROWS_MAX_DIGITS,
	      "print values with N significant digits (1 to 17)"),
	COUNT(O_EXACT_MAX, "exact-max-units", "N", 0, RBM_SCORE_EXACT_LIMIT,
	      "exact log Z when a layer has at most N units (default 20)"),
	FLAG(O_AIS, "ais", "estimate log Z by AIS even when it could be exact"),
	COUNT(O_AIS_RUNS, "ais-runs", "M", 2, RBM_AIS_MAX_RUNS,
	      "independent AIS runs (default 100)"),
	COUNT(O_AIS_STEPS, "ais-steps", "N", RBM_AIS_MIN_STEPS,
	      RBM_AIS_MAX_STEPS,
	      "AIS intermediate distributions (default 1000)"),
	[O_AIS_BASE] = { "ais-base", "FROM", OK_CHOICE, 0, 0, 0, 0,
			 rbm_ais_start_names,
			 "start AIS from the uniform distribution or from the "
			 "rows' rates (default uniform)" },
	[O_AIS_METHOD] = { "ais-method", "HOW", OK_CHOICE, 0, 0, 0, 0,
			   rbm_ais_method_names,
			   "AIS's moves: single units with the other layer "
			   "summed out, or block Gibbs sweeps (default "
			   "collapsed)" },
	FLAG(O_RAISE, "raise",
	     "also run AIS backwards from the data (RAISE): a log-likelihood "
	     "that errs low"),
	[O_VISIBLE] = { "visible", "TYPE", OK_STRING, 0, 0, 0, 0, NULL,
			"visible units: binary, gaussian or softmax:K "
			"(default binary)" },
	[O_MISSING] = { "missing", "TOKEN", OK_STRING, 0, 0, 0, 0, NULL,
			"the token of a missing value (default ?)" },
	COUNT(O_TOP, "top", "N", 1, RBM_MAX_UNITS,
	      "print the N best missing items of each row"),
};

/* Whether option id is a training setting's. */
static int is_setting(int id)
{
	return id >= O_SETTING && id < O_SETTING + RBM_NSETTINGS;
}

/* The kind of option that sets a setting of the given type. */
static enum opt_kind setting_kind(enum rbm_setting_type type)
{
	switch (type) {
	case RBM_SETTING_REAL:
		return OK_REAL;
	case RBM_SETTING_BOOL:
		return OK_FLAG;
	case RBM_SETTING_CHOICE:
		return OK_CHOICE;
	default:
		return OK_COUNT;
	}
}

int cli_option_def(int id, int off, struct cli_optdef *d)
{
	const struct rbm_setting *s;

	if (!is_setting(id)) {
		*d = cli_options[id];
		return !off;
	}
	s = &rbm_settings[id - O_SETTING];
	memset(d, 0, sizeof(*d));
	if (off) {	/* the switch that turns it off */
		d->name = s->off_option;
		d->help = s->off_help;
		return s->off_option != NULL;
	}
	*d = (struct cli_optdef){ s->option, s->arg, setting_kind(s->type),
		s->lo, s->hi, (s->flags & (RBM_SETTING_LO_OPEN |
					   RBM_SETTING_OFF)) != 0,
		(s->flags & RBM_SETTING_HI_OPEN) || isinf(s->hi), s->choices,
		s->help };
	return 1;
}

/* "[lo, hi)" and the like, for the range of a real option. */
static void range_text(const struct cli_optdef *o, char *buf, size_t size)
{
	snprintf(buf, size, "%c%g, %g%c", o->lo_open ? '(' : '[', o->lo,
		 o->hi, o->hi_open ? ')' : ']');
}

/* Append text to buf, which holds *n bytes, as far as it fits. */
static void append(char *buf, size_t size, size_t *n, const char *text,
		   size_t len)
{
	if (*n + 1 >= size)
		return;
	if (len > size - *n - 1)
		len = size - *n - 1;
	memcpy(buf + *n, text, len);
	*n += len;
	buf[*n] = '\0';
}

void cli_option_help(int id, int off, char *buf, size_t size)
{
	struct cli_optdef o;
	const char *h, *mark;
	char v[64];
	size_t n = 0;

	buf[0] = '\0';
	if (!cli_option_def(id, off, &o))
		return;
	for (h = o.help; (mark = strchr(h, '{')); h = mark) {
		append(buf, size, &n, h, (size_t)(mark - h));
		if (strncmp(mark, "{range}", 7) == 0) {
			range_text(&o, v, sizeof(v));
			mark += 7;
		} else if (strncmp(mark, "{default}", 9) == 0 &&
			   is_setting(id)) {
			snprintf(v, sizeof(v), "%g",
				 rbm_settings[id - O_SETTING].def);
			mark += 9;
		} else {
			snprintf(v, sizeof(v), "{");
			mark++;
		}
		append(buf, size, &n, v, strlen(v));
	}
	append(buf, size, &n, h, strlen(h));
}

int cli_accepts(const struct command *cmd, int id)
{
	unsigned when;

	if (!is_setting(id))
		return id == O_HELP || (cmd->options & OPT(id)) != 0;
	when = rbm_settings[id - O_SETTING].flags;
	return ((cmd->flags & CMD_NEW_MODEL) && (when & RBM_SETTING_AT_NEW)) ||
	       ((cmd->flags & CMD_TRAINS) && (when & RBM_SETTING_AT_TRAIN));
}

void cli_put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
}

/*
 * The message, with control characters escaped (cli_put_clean): file
 * names and words quoted from a file or the command line reach a
 * terminal here, and an escape sequence must not act on it.
 */
static void __attribute__((format(printf, 2, 0)))
vsay(const struct ctx *c, const char *fmt, va_list ap)
{
	char buf[RBM_ERR_MAX + 512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: ", PROG);
	if (c && c->cmd)
		fprintf(stderr, "%s: ", c->cmd->name);
	cli_put_clean(stderr, buf);
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
	return cmd->flags & CMD_NO_STATE ? "" : "STATE ";
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
	if (cli_rows_hint(c, c->argv[i]))
		return -1;
	cli_usage(c, "%s must be a whole number from %lu to %lu, not '%s'",
		  what, lo, hi, c->argv[i]);
	return -1;
}

/* The upper limit of a count option, without an out-of-range cast. */
static unsigned long count_max(double hi)
{
	return hi >= (double)ULONG_MAX ? ULONG_MAX : (unsigned long)hi;
}

int cli_set_option(struct ctx *c, int id, int off, const char *s)
{
	struct cli_optdef od, *o = &od;
	struct optval *v = &c->opt[id];
	char *end, range[64];

	cli_option_def(id, off, o);
	if (off) {
		v->off = 1;
		return 0;
	}
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
		range_text(o, range, sizeof(range));
		return cli_usage(c, "--%s must be a number in %s, not '%s'",
				 o->name, range, s);
	}
}

/*
 * The positional learning rate s into p; EXIT_OK, or a usage error with
 * the table's message for the setting.
 */
static int positional_rate(const struct ctx *c, const char *s,
			   struct rbm_train_settings *p)
{
	const size_t i = RBM_SETTING_LEARNING_RATE;
	struct rbm_train_settings q = *p;
	struct rbm_err err;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	rbm_setting_set(&q, i, end == s || *end || errno ? NAN : v);
	if (rbm_setting_check(&q, i, &err) < 0)
		return cli_rows_hint(c, s) ? EXIT_USAGE :
		       cli_usage(c, "%s, not '%s'", err.msg, s);
	*p = q;
	return EXIT_OK;
}

/* Setting i from its option, if given, into p; EXIT_OK or a usage error. */
static int setting_option(const struct ctx *c, size_t i,
			  struct rbm_train_settings *p)
{
	const struct optval *v = &c->opt[O_SETTING + i];
	const struct rbm_setting *s = &rbm_settings[i];

	if (v->given && v->off)
		return cli_usage(c, "--%s and --%s contradict each other",
				 s->option, s->off_option);
	if (v->off)
		rbm_setting_set(p, i, s->type == RBM_SETTING_BOOL ? 0 : s->lo);
	else if (v->given)
		rbm_setting_set(p, i, s->type == RBM_SETTING_BOOL ? 1 :
				s->type == RBM_SETTING_REAL ? v->d :
				(double)v->u);
	return EXIT_OK;
}

int cli_train_settings(struct ctx *c, int i, struct rbm_train_settings *p)
{
	struct rbm_err err;
	size_t k;
	int rc;

	if (c->argc > i && c->opt[O_SETTING + RBM_SETTING_LEARNING_RATE].given)
		return cli_usage(c, "learning rate given twice");
	if (c->argc > i && (rc = positional_rate(c, c->argv[i], p)))
		return rc;
	for (k = 0; k < RBM_NSETTINGS; k++)
		if ((rc = setting_option(c, k, p)))
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

	if (!l) {
		cli_fail(c, &err);
		return NULL;
	}
	if (rbm_atomic_check(c->state, &err) < 0) {
		rbm_lock_release(l);
		cli_fail(c, &err);
		return NULL;
	}
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

int cli_digits(const struct ctx *c)
{
	return c->opt[O_PRECISION].given ? (int)c->opt[O_PRECISION].u : 0;
}

int cli_real_digits(const struct ctx *c, int usual_digits)
{
	return cli_digits(c) ? cli_digits(c) : usual_digits;
}

void cli_write_rows(const struct ctx *c, const gsl_matrix_float *m, size_t k)
{
	int digits = cli_digits(c);
	size_t i;

	if (!digits) {
		if (k > 0)
			rbm_rows_write_many(stdout, m->data, m->tda, k,
					    m->size2);
		return;
	}
	for (i = 0; i < k; i++)
		rbm_rows_write_plain(stdout, gsl_matrix_float_const_ptr(m, i, 0),
				     m->size2, digits);
}

int cli_flush(const struct ctx *c)
{
	int e = errno;	/* the failed write's, when it failed already */

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno)
		e = errno;
	cli_say(c, "write error: %s", e ? strerror(e) : "stdout failed");
	return -1;
}

struct rbm_rows *cli_open_items(const struct ctx *c, const struct rbm *m,
				const char *path, int allow_missing,
				struct rbm_err *err)
{
	size_t n = rbm_visible_items(m);
	struct rbm_rows *r;

	if (!path)
		report_stdin_notice(c->cmd->name);
	r = path ? rbm_rows_open_path(path, n, err)
		 : rbm_rows_open_fd(STDIN_FILENO, "stdin", n, err);
	if (r)
		cli_set_items(c, m, r, allow_missing);
	return r;
}

void cli_set_items(const struct ctx *c, const struct rbm *m,
		   struct rbm_rows *r, int allow_missing)
{
	rbm_visible_reader(m, r);
	rbm_rows_set_missing(r, c->opt[O_MISSING].given ?
			     c->opt[O_MISSING].s : NULL, allow_missing);
}

int cli_write_units(const struct ctx *c, const struct rbm *m,
		    const gsl_matrix_float *units, size_t k)
{
	size_t i, n = rbm_visible_items(m);
	gsl_matrix_float *row = NULL;

	if (!rbm_visible_items_are_units(m) &&
	    !(row = gsl_matrix_float_alloc(1, n))) {
		cli_say(c, "out of memory");
		return -1;
	}
	for (i = 0; i < k; i++) {
		gsl_matrix_float_const_view u =
			gsl_matrix_float_const_submatrix(units, i, 0, 1,
							 units->size2);
		if (row)
			rbm_visible_decode(m, &u.matrix, row);
		rbm_visible_write_items(m, stdout, row ? row->data :
					u.matrix.data, n, cli_digits(c));
	}
	if (row)
		gsl_matrix_float_free(row);
	return ferror(stdout) ? cli_flush(c) : 0;
}
