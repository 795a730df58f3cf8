/*
 * rbmcmd.c - the command line: argument parsing and a table of
 * subcommands over the library.  No math here.
 *
 *     rbmcmd STATE COMMAND [ARGS...] [OPTIONS]
 *
 * Every command has one signature and one row in the table below; the
 * help texts are generated from that table and from the option table, so
 * they cannot drift apart from what is accepted.  Errors are printed once,
 * here, as "rbmcmd: COMMAND: message"; exit status 0 success, 1 runtime
 * failure, 2 usage error.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

#include "data.h"
#include "rbm.h"
#include "rng.h"
#include "rows.h"
#include "state.h"
#include "train.h"

#define PROG "rbmcmd"
#define STREAM_BATCH 256	/* rows per product in the streaming commands */

enum exit_code { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options, each allowed only for the commands whose mask names it. */
enum opt_id { O_SEED, O_RATE, O_BATCH, O_VERBOSE, O_HELP, NOPTS };

struct optdef {
	const char *name;	/* long name */
	const char *arg;	/* argument name, NULL for a flag */
	const char *help;	/* one line for --help */
};

static const struct optdef optdefs[NOPTS] = {
	[O_SEED] = { "seed", "N",
		     "seed the random number generator (default: from the OS)" },
	[O_RATE] = { "learning-rate", "R",
		     "learning rate (default 0.1; kept in the state file)" },
	[O_BATCH] = { "batch-size", "N",
		      "rows per mini-batch (default 100; kept in the state)" },
	[O_VERBOSE] = { "verbose", NULL,
			"print the reconstruction error of every epoch" },
	[O_HELP] = { "help", NULL, "show this help and exit" },
};

#define OPT(x) (1u << (x))

/* What the options said; has_* tells whether one was given. */
struct opts {
	int has_seed, has_rate, has_batch, verbose, help;
	unsigned long seed;
	double rate;
	size_t batch;
};

struct command;

/* Everything a command needs from the command line. */
struct ctx {
	const char *state;		/* state file path */
	const struct command *cmd;
	int argc;			/* positional arguments after COMMAND */
	char **argv;
	struct opts opt;
};

struct command {
	const char *name;
	int (*run)(struct ctx *c);
	int min_args, max_args;
	const char *args;		/* synopsis of the positional args */
	unsigned options;		/* OPT() mask */
	const char *summary;
};

/* ---- messages ---- */

static void say(const struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	if (c && c->cmd)
		fprintf(stderr, "%s: ", c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Report a usage error with a pointer to the help; returns EXIT_USAGE. */
static int usage_error(const struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const struct ctx *c, const char *fmt, ...)
{
	char msg[RBM_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(c, "%s", msg);
	if (c && c->cmd)
		fprintf(stderr, "Try '%s STATE %s --help'.\n", PROG,
			c->cmd->name);
	else
		fprintf(stderr, "Try '%s --help'.\n", PROG);
	return EXIT_USAGE;
}

/* Report a runtime failure; returns EXIT_FAIL. */
static int fail(const struct ctx *c, const struct rbm_err *err)
{
	say(c, "%s", err->msg);
	return EXIT_FAIL;
}

/* ---- parsing numbers from arguments ---- */

/* A whole decimal count in [lo, hi]; 0, or -1 (nothing printed). */
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

/* A positive finite rate; 0, or -1. */
static int parse_rate(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || !(v > 0))
		return -1;
	*out = v;
	return 0;
}

static int arg_count(const struct ctx *c, int i, const char *what,
		     unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (parse_count(c->argv[i], lo, hi, out) == 0)
		return 0;
	usage_error(c, "%s must be a whole number from %lu to %lu, not '%s'",
		    what, lo, hi, c->argv[i]);
	return -1;
}

static int arg_rate(const struct ctx *c, const char *s, double *out)
{
	if (parse_rate(s, out) == 0)
		return 0;
	usage_error(c, "learning rate must be a positive number, not '%s'",
		    s);
	return -1;
}

/* ---- shared pieces of the commands ---- */

static gsl_rng *command_rng(const struct ctx *c, struct rbm_err *err)
{
	return rbm_rng_alloc(c->opt.has_seed ? c->opt.seed
					     : rbm_rng_os_seed(), err);
}

static struct rbm_state *load(const struct ctx *c)
{
	struct rbm_err err;
	struct rbm_state *s = rbm_state_load(c->state, &err);

	if (!s)
		fail(c, &err);
	return s;
}

/* Write the first k rows of m to stdout in the original's format. */
static void write_rows(const gsl_matrix_float *m, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		rbm_rows_write(stdout, gsl_matrix_float_const_ptr(m, i, 0),
			       m->size2);
}

/* ---- commands ---- */

static int cmd_init(struct ctx *c)
{
	struct rbm_train_params p = { RBM_DEFAULT_LEARNING_RATE,
				      RBM_DEFAULT_BATCH_SIZE };
	unsigned long nv, nh;
	struct rbm_state *s;
	struct rbm_err err;
	int rc;

	if (arg_count(c, 0, "NUM_VISIBLE", 1, RBM_MAX_UNITS, &nv) < 0 ||
	    arg_count(c, 1, "NUM_HIDDEN", 1, RBM_MAX_UNITS, &nh) < 0)
		return EXIT_USAGE;
	if (rbm_check_size(nv, nh, &err) < 0)
		return usage_error(c, "%s", err.msg);
	if (c->argc > 2 && c->opt.has_rate)
		return usage_error(c, "learning rate given twice");
	if (c->argc > 2 && arg_rate(c, c->argv[2], &p.learning_rate) < 0)
		return EXIT_USAGE;
	if (c->opt.has_rate)
		p.learning_rate = c->opt.rate;
	if (c->opt.has_batch)
		p.batch_size = c->opt.batch;
	if (rbm_train_check_params(&p, &err) < 0)
		return usage_error(c, "%s", err.msg);
	if (rbm_state_may_overwrite(c->state, &err) < 0)
		return fail(c, &err);
	s = rbm_state_create(nv, nh, &p, c->opt.has_seed ? c->opt.seed
							 : rbm_rng_os_seed(),
			     &err);
	rc = s && rbm_state_save(s, c->state, &err) == 0 ? EXIT_OK
							 : fail(c, &err);
	rbm_state_free(s);
	return rc;
}

/* Apply train's rate, batch and seed arguments to the loaded state. */
static int train_settings(struct ctx *c, struct rbm_state *s)
{
	struct rbm_err err;

	if (c->argc > 1 && c->opt.has_rate)
		return usage_error(c, "learning rate given twice");
	if (c->argc > 1 &&
	    arg_rate(c, c->argv[1], &s->params.learning_rate) < 0)
		return EXIT_USAGE;
	if (c->opt.has_rate)
		s->params.learning_rate = c->opt.rate;
	if (c->opt.has_batch)
		s->params.batch_size = c->opt.batch;
	if (rbm_train_check_params(&s->params, &err) < 0)
		return usage_error(c, "%s", err.msg);
	if (c->opt.has_seed)
		gsl_rng_set(s->rng, c->opt.seed);
	return EXIT_OK;
}

/* Read the whole training set from stdin; NULL after printing why. */
static struct rbm_data *read_training_set(const struct ctx *c, size_t nv)
{
	struct rbm_err err;
	struct rbm_rows *r = rbm_rows_open_fd(STDIN_FILENO, "stdin", nv,
					      &err);
	struct rbm_data *d = r ? rbm_data_alloc(nv, &err) : NULL;

	int ok = d && rbm_data_read(d, r, &err) == 0;

	if (ok && d->n == 0) {
		rbm_err_set(&err, "stdin: no rows to train on");
		ok = 0;
	}
	if (!ok) {
		fail(c, &err);
		rbm_data_free(d);
		d = NULL;
	}
	rbm_rows_close(r);
	return d;
}

static int run_epochs(const struct ctx *c, struct rbm_state *s,
		      const struct rbm_data *d, unsigned long epochs)
{
	struct rbm_epoch_stats st;
	struct rbm_err err;
	struct rbm_trainer *t = rbm_trainer_alloc(s->model->nv, s->model->nh,
						  d->n, &s->params, &err);
	unsigned long e;
	int rc = EXIT_OK;

	if (!t)
		return fail(c, &err);
	for (e = 0; e < epochs && rc == EXIT_OK; e++) {
		if (rbm_train_epoch(t, s->model, d, &s->params, s->rng, &st,
				    &err) < 0) {
			rbm_err_prefix(&err, "epoch %lu", s->epochs + 1);
			rc = fail(c, &err);
			break;
		}
		s->epochs++;
		if (c->opt.verbose)
			fprintf(stderr, "epoch %lu: reconstruction error "
				"%.6g\n", s->epochs, st.recon_error);
	}
	rbm_trainer_free(t);
	return rc;
}

static int cmd_train(struct ctx *c)
{
	unsigned long epochs;
	struct rbm_state *s;
	struct rbm_data *d = NULL;
	struct rbm_err err;
	int rc;

	if (arg_count(c, 0, "MAX_EPOCHS", 0, (unsigned long)-1, &epochs) < 0)
		return EXIT_USAGE;
	s = load(c);
	if (!s)
		return EXIT_FAIL;
	rc = train_settings(c, s);
	if (rc == EXIT_OK && !(d = read_training_set(c, s->model->nv)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = run_epochs(c, s, d, epochs);
	if (rc == EXIT_OK && rbm_state_save(s, c->state, &err) < 0)
		rc = fail(c, &err);
	rbm_data_free(d);
	rbm_state_free(s);
	return rc;
}

/*
 * run_visible and run_hidden: stream rows from stdin through one layer
 * and write sampled states, a batch at a time, flushing after each batch
 * so that a line-at-a-time pipe sees its answers.
 */
static int run_layer(struct ctx *c, int visible_in)
{
	struct rbm_state *s = load(c);
	struct rbm_err err;
	struct rbm_rows *r = NULL;
	gsl_matrix_float *in = NULL, *out = NULL;
	gsl_rng *rng = NULL;
	size_t win, wout;
	ssize_t k;
	int rc = EXIT_FAIL;

	if (!s)
		return EXIT_FAIL;
	win = visible_in ? s->model->nv : s->model->nh;
	wout = visible_in ? s->model->nh : s->model->nv;
	if (!(rng = command_rng(c, &err)) ||
	    !(r = rbm_rows_open_fd(STDIN_FILENO, "stdin", win, &err)))
		goto out;
	in = gsl_matrix_float_alloc(STREAM_BATCH, win);
	out = gsl_matrix_float_alloc(STREAM_BATCH, wout);
	if (!in || !out) {
		rbm_err_set(&err, "out of memory");
		goto out;
	}
	while ((k = rbm_rows_read(r, in->data, STREAM_BATCH, &err)) > 0) {
		gsl_matrix_float_view iv = gsl_matrix_float_submatrix(
			in, 0, 0, (size_t)k, win);
		gsl_matrix_float_view ov = gsl_matrix_float_submatrix(
			out, 0, 0, (size_t)k, wout);
		if (visible_in)
			rbm_hidden_probs(s->model, &iv.matrix, &ov.matrix);
		else
			rbm_visible_probs(s->model, &iv.matrix, &ov.matrix);
		rbm_sample(&ov.matrix, &ov.matrix, rng);
		write_rows(&ov.matrix, (size_t)k);
		fflush(stdout);
	}
	if (k == 0)
		rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		fail(c, &err);
	if (in)
		gsl_matrix_float_free(in);
	if (out)
		gsl_matrix_float_free(out);
	if (rng)
		gsl_rng_free(rng);
	rbm_rows_close(r);
	rbm_state_free(s);
	return rc;
}

static int cmd_run_visible(struct ctx *c)
{
	return run_layer(c, 1);
}

static int cmd_run_hidden(struct ctx *c)
{
	return run_layer(c, 0);
}

/*
 * Daydreams: k chains start from uniform random visible probabilities and
 * take steps Gibbs steps; with trace, every state of the (single) chain is
 * printed, otherwise only the last state of each.
 */
static int dream(const struct ctx *c, size_t k, unsigned long steps,
		 int trace)
{
	struct rbm_state *s = load(c);
	struct rbm_err err;
	gsl_matrix_float *v = NULL, *h = NULL;
	gsl_rng *rng = NULL;
	unsigned long i, j;
	int rc = EXIT_FAIL;

	if (!s)
		return EXIT_FAIL;
	if (!(rng = command_rng(c, &err)))
		goto out;
	v = gsl_matrix_float_alloc(k, s->model->nv);
	h = gsl_matrix_float_alloc(k, s->model->nh);
	if (!v || !h) {
		rbm_err_set(&err, "out of memory");
		goto out;
	}
	for (i = 0; i < k; i++)
		for (j = 0; j < s->model->nv; j++)
			gsl_matrix_float_set(v, i, j,
					     (float)gsl_rng_uniform(rng));
	if (trace)
		write_rows(v, k);
	for (i = 1; i < steps; i++) {
		rbm_gibbs_step(s->model, v, h, rng);
		if (trace)
			write_rows(v, k);
	}
	if (!trace)
		write_rows(v, k);
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		fail(c, &err);
	if (v)
		gsl_matrix_float_free(v);
	if (h)
		gsl_matrix_float_free(h);
	if (rng)
		gsl_rng_free(rng);
	rbm_state_free(s);
	return rc;
}

static int cmd_daydream_trace(struct ctx *c)
{
	unsigned long n;

	if (arg_count(c, 0, "NUM_SAMPLES", 1, (unsigned long)-1, &n) < 0)
		return EXIT_USAGE;
	return dream(c, 1, n, 1);
}

#define MAX_DREAMS (1UL << 24)

static int cmd_daydream(struct ctx *c)
{
	unsigned long n, m;

	if (arg_count(c, 0, "NUM_SAMPLES", 1, (unsigned long)-1, &n) < 0 ||
	    arg_count(c, 1, "NUM_DREAMS", 0, MAX_DREAMS, &m) < 0)
		return EXIT_USAGE;
	return m ? dream(c, m, n, 0) : EXIT_OK;
}

static const struct command commands[] = {
	{ "init", cmd_init, 2, 3, "NUM_VISIBLE NUM_HIDDEN [LEARNING_RATE]",
	  OPT(O_SEED) | OPT(O_RATE) | OPT(O_BATCH),
	  "create a model with random weights (never overwrites a file "
	  "that is not a state file)" },
	{ "train", cmd_train, 1, 2, "MAX_EPOCHS [LEARNING_RATE] < ROWS",
	  OPT(O_SEED) | OPT(O_RATE) | OPT(O_BATCH) | OPT(O_VERBOSE),
	  "train on visible rows from stdin with CD-1, continuing from the "
	  "saved state" },
	{ "run_visible", cmd_run_visible, 0, 0, "< VISIBLE_ROWS", OPT(O_SEED),
	  "print a sampled hidden row for each visible row" },
	{ "run_hidden", cmd_run_hidden, 0, 0, "< HIDDEN_ROWS", OPT(O_SEED),
	  "print a sampled visible row for each hidden row" },
	{ "daydream_trace", cmd_daydream_trace, 1, 1, "NUM_SAMPLES",
	  OPT(O_SEED),
	  "print every state of one Gibbs chain started from random "
	  "probabilities" },
	{ "daydream", cmd_daydream, 2, 2, "NUM_SAMPLES NUM_DREAMS",
	  OPT(O_SEED),
	  "print the last state of each of NUM_DREAMS chains of NUM_SAMPLES "
	  "states" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* ---- help ---- */

static void print_options(FILE *f, unsigned mask)
{
	char left[64];
	int i;

	for (i = 0; i < NOPTS; i++) {
		if (!(mask & OPT(i)))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", optdefs[i].name,
			 optdefs[i].arg ? "=" : "",
			 optdefs[i].arg ? optdefs[i].arg : "");
		fprintf(f, "  %-22s %s\n", left, optdefs[i].help);
	}
}

static void print_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s STATE COMMAND [ARGS...] [OPTIONS]\n"
		   "       %s --help | --version | help COMMAND\n\n"
		   "Train and run a restricted Boltzmann machine kept in the "
		   "file STATE.\nRows are whitespace-separated numbers, one "
		   "example per line.\n\nCommands:\n", PROG, PROG);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-15s %s\n                  %s\n",
			commands[i].name, commands[i].args,
			commands[i].summary);
	fprintf(f, "\nExit status: 0 success, 1 failure (bad input, I/O, "
		   "numerical), 2 usage error.\nSee rbmcmd(1) for the "
		   "formats and examples.\n");
}

static void print_command_help(const struct command *cmd)
{
	printf("Usage: %s STATE %s %s [OPTIONS]\n\n%s.\n\nOptions:\n", PROG,
	       cmd->name, cmd->args, cmd->summary);
	print_options(stdout, cmd->options | OPT(O_HELP));
}

static void print_version(void)
{
	printf("%s %s\nCBLAS: %s; GSL %s\n", PROG, PACKAGE_VERSION,
	       RBM_CBLAS_NAME, gsl_version);
}

/* ---- option parsing ---- */

static int set_option(struct ctx *c, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case O_SEED:
		if (parse_count(arg, 0, (unsigned long)-1, &v) < 0)
			return usage_error(c, "--seed needs a whole number, "
					   "not '%s'", arg);
		c->opt.has_seed = 1;
		c->opt.seed = v;
		return 0;
	case O_RATE:
		c->opt.has_rate = 1;
		return arg_rate(c, arg, &c->opt.rate) < 0 ? EXIT_USAGE : 0;
	case O_BATCH:
		if (parse_count(arg, 1, RBM_MAX_BATCH_SIZE, &v) < 0)
			return usage_error(c, "--batch-size must be a whole "
					   "number from 1 to %lu, not '%s'",
					   RBM_MAX_BATCH_SIZE, arg);
		c->opt.has_batch = 1;
		c->opt.batch = v;
		return 0;
	case O_VERBOSE:
		c->opt.verbose = 1;
		return 0;
	default:
		c->opt.help = 1;
		return 0;
	}
}

/*
 * Parse the command's options (anywhere after COMMAND) and leave the
 * positional arguments in c->argc/argv; 0 or EXIT_USAGE.
 */
static int parse_options(struct ctx *c, int argc, char **argv)
{
	struct option lo[NOPTS + 1];
	int i, n = 0, id;

	memset(lo, 0, sizeof(lo));
	for (i = 0; i < NOPTS; i++)
		if ((c->cmd->options | OPT(O_HELP)) & OPT(i))
			lo[n++] = (struct option){ optdefs[i].name,
				optdefs[i].arg ? required_argument
					       : no_argument, NULL, i };
	opterr = 0;
	optind = 1;
	while ((id = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int rc;
		if (id == 'h')
			id = O_HELP;
		if (id == '?')
			return usage_error(c, "unknown option or missing "
					   "value in '%s'", argv[optind - 1]);
		rc = set_option(c, id, optarg);
		if (rc)
			return rc;
	}
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

/* The GSL errors left are programming errors; report, do not abort. */
static void gsl_handler(const char *reason, const char *file, int line,
			int gsl_errno)
{
	fprintf(stderr, "%s: GSL error %d: %s (%s:%d)\n", PROG, gsl_errno,
		reason, file, line);
}

/* Handle "--help", "--version" and "help [COMMAND]"; -1 if not one. */
static int global_request(int argc, char **argv)
{
	const struct command *cmd;

	if (strcmp(argv[1], "--version") == 0) {
		print_version();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") && strcmp(argv[1], "-h") &&
	    strcmp(argv[1], "help"))
		return -1;
	if (argc < 3) {
		print_help(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[2]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[2]);
	print_command_help(cmd);
	return EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
	struct ctx c = { 0 };
	int rc;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	rc = global_request(argc, argv);
	if (rc >= 0)
		return rc;
	if (argc < 3)
		return usage_error(NULL, "missing command after '%s'",
				   argv[1]);
	if (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		print_help(stdout);
		return EXIT_OK;
	}
	c.state = argv[1];
	c.cmd = find_command(argv[2]);
	if (!c.cmd)
		return usage_error(NULL, "unknown command '%s'", argv[2]);
	rc = parse_options(&c, argc - 2, argv + 2);
	if (rc)
		return rc;
	if (c.opt.help) {
		print_command_help(c.cmd);
		return EXIT_OK;
	}
	if (c.argc < c.cmd->min_args || c.argc > c.cmd->max_args)
		return usage_error(&c, "wrong number of arguments (usage: "
				   "%s STATE %s %s)", PROG, c.cmd->name,
				   c.cmd->args);
	return c.cmd->run(&c);
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	int rc;

	gsl_set_error_handler(gsl_handler);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	rc = dispatch(argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error: %s\n", PROG,
			strerror(errno));
		rc = EXIT_FAIL;
	}
	return rc;
}
