/*
 * cmd_run.c - the commands that only read the model: run_visible,
 * run_hidden, daydream_trace and daydream.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "rbm.h"
#include "rows.h"
#include "state.h"

#define STREAM_BATCH 256	/* rows per product in the streaming commands */
#define MAX_DREAMS (1UL << 24)

/* Everything a streaming or dreaming command holds; freed in one place. */
struct run {
	struct rbm_state *s;
	gsl_rng *rng;
	struct rbm_rows *rows;
	gsl_matrix_float *a, *b;
};

static void run_free(struct run *r)
{
	rbm_state_free(r->s);
	if (r->rng)
		gsl_rng_free(r->rng);
	rbm_rows_close(r->rows);
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
 * run_visible and run_hidden: stream rows from stdin through one layer
 * and write sampled states (or with --probs their probabilities) a batch
 * at a time, flushing after each batch so that a line-at-a-time pipe gets
 * its answers.
 */
static int run_layer(struct ctx *c, int visible_in)
{
	struct run r = { 0 };
	struct rbm_err err;
	ssize_t k;
	int rc = run_open(c, &r, STREAM_BATCH, visible_in);

	if (rc == EXIT_OK &&
	    !(r.rows = rbm_rows_open_fd(STDIN_FILENO, "stdin", r.a->size2,
					&err)))
		rc = cli_fail(c, &err);
	while (rc == EXIT_OK &&
	       (k = rbm_rows_read(r.rows, r.a->data, STREAM_BATCH, &err))) {
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
		if (!c->opt[O_PROBS].given)
			rbm_sample(&out.matrix, &out.matrix, r.rng);
		cli_write_rows(&out.matrix, (size_t)k);
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
 * Daydreams: k chains start from uniform random visible probabilities and
 * run until they have steps states; with trace, every state of the chains
 * is printed, otherwise only the last (as probabilities with probs).
 */
static int dream(struct ctx *c, size_t k, unsigned long steps, int trace,
		 int probs)
{
	struct run r = { 0 };
	unsigned long i;
	size_t j;
	int rc = run_open(c, &r, k, 1);

	if (rc == EXIT_OK) {
		float *v = r.a->data;
		for (j = 0; j < r.a->size1 * r.a->size2; j++)
			v[j] = (float)gsl_rng_uniform(r.rng);
		for (i = 1; i < steps; i++) {
			if (trace)
				cli_write_rows(r.a, k);
			if (probs && i + 1 == steps)
				last_step_probs(&r);
			else
				rbm_gibbs_step(r.s->model, r.a, r.b, r.rng);
		}
		cli_write_rows(r.a, k);
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
