/*
 * cmd_run.c - the commands that only read the model: run_visible,
 * run_hidden, daydream_trace and daydream.  Rows come in through
 * batch.h, daydreams run in chain.h.
 */
#include <stdio.h>
#include <unistd.h>

#include "batch.h"
#include "chain.h"
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
	struct ctx *c;			/* the command, for messages */
	struct rbm_state *s;
	gsl_rng *rng;
	struct rbm_rows *rows;
	struct rbm_batch *batch;	/* run_visible: rows read as units */
	gsl_matrix_float *a, *b;
};

static void run_free(struct run *r)
{
	rbm_state_free(r->s);
	if (r->rng)
		gsl_rng_free(r->rng);
	rbm_rows_close(r->rows);
	rbm_batch_free(r->batch);
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
 * The next batch of input rows as *in: a visible row is read as items and
 * encoded (missing values allowed, as zeros that drive nothing).  The
 * number of rows, 0 at the end, or -1.
 */
static ssize_t read_batch(struct run *r, gsl_matrix_float_view *in,
			  struct rbm_err *err)
{
	ssize_t k;

	if (r->batch) {
		k = rbm_batch_read(r->batch, r->rows, err);
		if (k > 0)
			*in = rbm_batch_top(r->batch->v, (size_t)k);
		return k;
	}
	k = rbm_rows_read(r->rows, r->a->data, STREAM_BATCH, err);
	if (k > 0)
		*in = rbm_batch_top(r->a, (size_t)k);
	return k;
}

/* Open run_visible's or run_hidden's input; EXIT_OK or after a message. */
static int open_input(struct ctx *c, struct run *r, int visible_in)
{
	const struct rbm *m = r->s->model;
	struct rbm_err err;

	if (visible_in &&
	    !(r->batch = rbm_batch_alloc(m, STREAM_BATCH, 0, &err)))
		return cli_fail(c, &err);
	if (!visible_in)
		report_stdin_notice(c->cmd->name);
	r->rows = visible_in ? cli_open_items(c, m, NULL, 1, &err)
			     : rbm_rows_open_fd(STDIN_FILENO, "stdin", m->nh,
						&err);
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
	gsl_matrix_float_view in, out;
	int rc = run_open(c, &r, STREAM_BATCH, visible_in);

	if (rc == EXIT_OK)
		rc = open_input(c, &r, visible_in);
	while (rc == EXIT_OK && (k = read_batch(&r, &in, &err))) {
		if (k < 0) {
			rc = cli_fail(c, &err);
			break;
		}
		out = rbm_batch_top(r.b, (size_t)k);
		if (visible_in)
			rbm_hidden_probs(r.s->model, &in.matrix, &out.matrix);
		else
			rbm_visible_probs(r.s->model, &in.matrix, &out.matrix);
		if (!c->opt[O_PROBS].given && visible_in)
			rbm_sample(&out.matrix, &out.matrix, r.rng);
		else if (!c->opt[O_PROBS].given)
			rbm_visible_sample(r.s->model, &out.matrix,
					   &out.matrix, r.rng);
		if (visible_in)
			cli_write_rows(c, &out.matrix, (size_t)k);
		else if (cli_write_units(c, r.s->model, &out.matrix,
					 (size_t)k) < 0)
			rc = EXIT_FAIL;
		if (rc == EXIT_OK && cli_flush(c) < 0)
			rc = EXIT_FAIL;
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

/* daydream_trace's rbm_chain_fn: print the chains' state. */
static int print_state(void *arg, const gsl_matrix_float *v)
{
	struct run *r = arg;

	return cli_write_units(r->c, r->s->model, v, v->size1);
}

/*
 * Daydreams: k chains (rbm_chain_dream) run until they have steps
 * states; with trace, every state of the chains is printed, otherwise
 * only the last (as probabilities, means or expected ratings with probs).
 */
static int dream(struct ctx *c, size_t k, unsigned long steps, int trace,
		 int probs)
{
	struct run r = { 0 };
	int rc = run_open(c, &r, k, 1);

	r.c = c;
	if (rc == EXIT_OK &&
	    (rbm_chain_dream(r.s->model, r.a, r.b, steps, probs, r.rng,
			     trace ? print_state : NULL, &r) < 0 ||
	     cli_write_units(c, r.s->model, r.a, k) < 0))
		rc = EXIT_FAIL;
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
