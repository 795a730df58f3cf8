/*
 * cmd_run.c - the commands that only read the model: run_visible,
 * run_hidden, daydream_trace and daydream.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "rbm.h"
#include "report.h"
#include "rows.h"
#include "state.h"
#include "visible.h"

#define STREAM_BATCH 256	/* rows per product in the streaming commands */
#define MAX_DREAMS (1UL << 24)

/* Everything a streaming or dreaming command holds; freed in one place. */
struct run {
	struct rbm_state *s;
	gsl_rng *rng;
	struct rbm_rows *rows;
	gsl_matrix_float *a, *b;
	gsl_matrix_float *items;	/* run_visible: the rows as read (a
					 * itself for a binary model, encoded
					 * in place when values are missing) */
};

static void run_free(struct run *r)
{
	rbm_state_free(r->s);
	if (r->rng)
		gsl_rng_free(r->rng);
	rbm_rows_close(r->rows);
	if (r->items && r->items != r->a)
		gsl_matrix_float_free(r->items);
	if (r->a)
		gsl_matrix_float_free(r->a);
	if (r->b)
		gsl_matrix_float_free(r->b);
}

/*
 * Load the state, make the generator and two k-row matrices: a as wide as
 * the visible layer and b as the hidden one, or the other way round when
 * a_visible is 0.  EXIT_OK, or EXIT_FAIL after the message.
 */
static int run_open(struct ctx *c, struct run *r, size_t k, int a_visible)
{
	size_t nv, nh;

	if (!(r->s = cli_load(c)) || !(r->rng = cli_rng(c)))
		return EXIT_FAIL;
	nv = r->s->model->nv;
	nh = r->s->model->nh;
	r->a = gsl_matrix_float_alloc(k, a_visible ? nv : nh);
	r->b = gsl_matrix_float_alloc(k, a_visible ? nh : nv);
	if (!r->a || !r->b) {
		cli_say(c, "out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * The next batch of input rows into the first rows of r->a, as units: a
 * visible row is read as items and encoded (missing values allowed, as
 * zeros that drive nothing).  The number of rows, 0 at the end, or -1.
 */
static ssize_t read_batch(struct run *r, int visible_in, struct rbm_err *err)
{
	gsl_matrix_float_view in, u;
	ssize_t k;

	if (!visible_in)
		return rbm_rows_read(r->rows, r->a->data, STREAM_BATCH, err);
	k = rbm_rows_read(r->rows, r->items->data, STREAM_BATCH, err);
	if (k <= 0 || (r->items == r->a && !rbm_rows_first_missing(r->rows)))
		return k;	/* binary rows are their units */
	in = gsl_matrix_float_submatrix(r->items, 0, 0, (size_t)k,
					r->items->size2);
	u = gsl_matrix_float_submatrix(r->a, 0, 0, (size_t)k, r->a->size2);
	rbm_visible_encode(r->s->model, &in.matrix, &u.matrix, NULL);
	return k;
}

/* Open run_visible's or run_hidden's input; EXIT_OK or after a message. */
static int open_input(struct ctx *c, struct run *r, int visible_in)
{
	const struct rbm *m = r->s->model;
	struct rbm_err err;

	if (visible_in) {
		r->items = m->vtype == RBM_VIS_BINARY ? r->a :
			   gsl_matrix_float_alloc(STREAM_BATCH,
						  rbm_visible_items(m));
		if (!r->items) {
			cli_say(c, "out of memory");
			return EXIT_FAIL;
		}
		r->rows = cli_open_items(c, m, NULL, 1, &err);
	} else {
		report_stdin_notice(c->cmd->name);
		r->rows = rbm_rows_open_fd(STDIN_FILENO, "stdin", m->nh, &err);
	}
	return r->rows ? EXIT_OK : cli_fail(c, &err);
}

/*
 * run_visible and run_hidden: stream rows from stdin through one layer
 * and write sampled states (or with --probs their probabilities) a batch
 * at a time, flushing after each batch so that a line-at-a-time pipe gets
 * its answers.  Visible rows are the model's items (visible.h).
 */
static int run_layer(struct ctx *c, int visible_in)
{
	struct run r = { 0 };
	struct rbm_err err;
	ssize_t k;
	int rc = run_open(c, &r, STREAM_BATCH, visible_in);

	if (rc == EXIT_OK)
		rc = open_input(c, &r, visible_in);
	while (rc == EXIT_OK && (k = read_batch(&r, visible_in, &err))) {
		gsl_matrix_float_view in, out;

		if (k < 0) {
			rc = cli_fail(c, &err);
			break;
		}
		in = gsl_matrix_float_submatrix(r.a, 0, 0, (size_t)k,
						r.a->size2);
		out = gsl_matrix_float_submatrix(r.b, 0, 0, (size_t)k,
						 r.b->size2);
		if (visible_in)
			rbm_hidden_probs(r.s->model, &in.matrix, &out.matrix);
		else
			rbm_visible_probs(r.s->model, &in.matrix, &out.matrix);
		if (!c->opt[O_PROBS].given && visible_in)
			rbm_sample(&out.matrix, &out.matrix, r.rng);
		else if (!c->opt[O_PROBS].given)
			rbm_sample_visible(r.s->model, &out.matrix,
					   &out.matrix, r.rng);
		if (visible_in)
			cli_write_rows(&out.matrix, (size_t)k);
		else if (cli_write_units(c, r.s->model, &out.matrix,
					 (size_t)k) < 0)
			rc = EXIT_FAIL;
		fflush(stdout);
	}
	run_free(&r);
	return rc;
}

int cmd_run_visible(struct ctx *c)
{
	return run_layer(c, 1);
}

int cmd_run_hidden(struct ctx *c)
{
	return run_layer(c, 0);
}

/*
 * The last step of a chain with --probs: sample h from p(h|v) and leave
 * p(v|h) in v instead of a sample from it.
 */
static void last_step_probs(struct run *r)
{
	rbm_hidden_probs(r->s->model, r->a, r->b);
	rbm_sample(r->b, r->b, r->rng);
	rbm_visible_probs(r->s->model, r->b, r->a);
}

/*
 * The chains' random start in r->a: uniform probabilities for binary
 * units, a softmax of uniform numbers for each softmax group, N(0, 1)
 * for Gaussian units (data standardized to mean 0, variance 1).
 */
static void random_start(struct run *r)
{
	const struct rbm *m = r->s->model;
	float *v = r->a->data;
	size_t j;

	for (j = 0; j < r->a->size1 * r->a->size2; j++)
		v[j] = m->vtype == RBM_VIS_GAUSSIAN ? 0.0f
			: (float)gsl_rng_uniform(r->rng);
	if (m->vtype == RBM_VIS_GAUSSIAN)
		rbm_units_sample(m, r->a, r->a, r->rng);
	else if (m->vtype == RBM_VIS_SOFTMAX)
		rbm_units_activate(m, r->a);
}

/*
 * Daydreams: k chains start from random visible states (random_start)
 * and run until they have steps states; with trace, every state of the
 * chains is printed, otherwise only the last (as probabilities, means or
 * expected ratings with probs).
 */
static int dream(struct ctx *c, size_t k, unsigned long steps, int trace,
		 int probs)
{
	struct run r = { 0 };
	unsigned long i;
	int rc = run_open(c, &r, k, 1);

	if (rc == EXIT_OK) {
		random_start(&r);
		for (i = 1; i < steps && rc == EXIT_OK; i++) {
			if (trace && cli_write_units(c, r.s->model, r.a, k) < 0)
				rc = EXIT_FAIL;
			if (probs && i + 1 == steps)
				last_step_probs(&r);
			else
				rbm_gibbs_step(r.s->model, r.a, r.b, r.rng);
		}
		if (rc == EXIT_OK &&
		    cli_write_units(c, r.s->model, r.a, k) < 0)
			rc = EXIT_FAIL;
	}
	run_free(&r);
	return rc;
}

int cmd_daydream_trace(struct ctx *c)
{
	unsigned long n;

	if (cli_arg_count(c, 0, "NUM_SAMPLES", 1, (unsigned long)-1, &n) < 0)
		return EXIT_USAGE;
	return dream(c, 1, n, 1, 0);
}

int cmd_daydream(struct ctx *c)
{
	unsigned long n, m;

	if (cli_arg_count(c, 0, "NUM_SAMPLES", 1, (unsigned long)-1, &n) < 0 ||
	    cli_arg_count(c, 1, "NUM_DREAMS", 0, MAX_DREAMS, &m) < 0)
		return EXIT_USAGE;
	return m ? dream(c, m, n, 0, c->opt[O_PROBS].given) : EXIT_OK;
}
