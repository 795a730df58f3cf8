/*
 * cmd_score.c - the commands that score visible rows with a model:
 * free_energy, reconstruct and loglik.
 *
 * All three stream stdin a batch at a time, so input of any length runs
 * in constant memory: free_energy and reconstruct answer each batch as
 * soon as it is read (a line-at-a-time pipe gets each answer back), and
 * loglik keeps only running totals (the sum of the free energies and the
 * column sums that AIS needs for its base model).  Numbers are printed
 * with %.10g: the products are single precision, so further digits would
 * carry no information.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "rbm.h"
#include "rows.h"
#include "score.h"
#include "state.h"

#define SCORE_BATCH 256	/* rows per product */

/* What a scoring command holds; freed in one place. */
struct scoring {
	struct rbm_state *s;
	struct rbm_rows *rows;
	gsl_matrix_float *v;		/* SCORE_BATCH x NV rows read */
	gsl_matrix_float *h;		/* SCORE_BATCH x NH scratch */
	double f[SCORE_BATCH];		/* free energies of a batch */
	struct rbm_score_sums *sums;	/* loglik's running totals */
};

/* Called on every batch of rows read; v is a view of the first k rows. */
typedef void (*batch_fn)(struct scoring *sc, gsl_matrix_float *v);

static void scoring_free(struct scoring *sc)
{
	rbm_state_free(sc->s);
	rbm_rows_close(sc->rows);
	if (sc->v)
		gsl_matrix_float_free(sc->v);
	if (sc->h)
		gsl_matrix_float_free(sc->h);
	rbm_score_sums_free(sc->sums);
}

/*
 * Load the state, open stdin as rows of NV values and allocate a batch;
 * EXIT_OK, or EXIT_FAIL after the message.
 */
static int scoring_open(struct ctx *c, struct scoring *sc)
{
	struct rbm_err err;
	size_t nv, nh;

	if (!(sc->s = cli_load(c)))
		return EXIT_FAIL;
	nv = sc->s->model->nv;
	nh = sc->s->model->nh;
	sc->rows = rbm_rows_open_fd(STDIN_FILENO, "stdin", nv, &err);
	sc->sums = sc->rows ? rbm_score_sums_alloc(nv, &err) : NULL;
	if (!sc->sums)
		return cli_fail(c, &err);
	sc->v = gsl_matrix_float_alloc(SCORE_BATCH, nv);
	sc->h = gsl_matrix_float_alloc(SCORE_BATCH, nh);
	if (!sc->v || !sc->h) {
		cli_say(c, "out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Open, then hand every batch of stdin to fn; EXIT_OK at the end of the
 * input, EXIT_FAIL after printing the reader's error (the batches before
 * the bad line have been handled).
 */
static int stream(struct ctx *c, struct scoring *sc, batch_fn fn)
{
	struct rbm_err err;
	ssize_t k;
	int rc = scoring_open(c, sc);

	while (rc == EXIT_OK &&
	       (k = rbm_rows_read(sc->rows, sc->v->data, SCORE_BATCH, &err))) {
		gsl_matrix_float_view v;

		if (k < 0)
			return cli_fail(c, &err);
		v = gsl_matrix_float_submatrix(sc->v, 0, 0, (size_t)k,
					       sc->v->size2);
		fn(sc, &v.matrix);
	}
	return rc;
}

/* free_energy: one number a row. */
static void print_free_energies(struct scoring *sc, gsl_matrix_float *v)
{
	size_t i;

	rbm_score_free_energy(sc->s->model, v, sc->h, sc->f);
	for (i = 0; i < v->size1; i++)
		printf("%.10g\n", sc->f[i]);
	fflush(stdout);
}

int cmd_free_energy(struct ctx *c)
{
	struct scoring sc = { 0 };
	int rc = stream(c, &sc, print_free_energies);

	scoring_free(&sc);
	return rc;
}

/* reconstruct: p(v|h) at h = p(h|v), in the usual row tokens. */
static void print_reconstructions(struct scoring *sc, gsl_matrix_float *v)
{
	rbm_score_reconstruct(sc->s->model, v, sc->h, v);
	cli_write_rows(v, v->size1);
	fflush(stdout);
}

int cmd_reconstruct(struct ctx *c)
{
	struct scoring sc = { 0 };
	int rc = stream(c, &sc, print_reconstructions);

	scoring_free(&sc);
	return rc;
}

/* loglik's pass over the data: free energies and column sums. */
static void add_rows(struct scoring *sc, gsl_matrix_float *v)
{
	rbm_score_free_energy(sc->s->model, v, sc->h, sc->f);
	rbm_score_sums_add(sc->sums, v, sc->f);
}

/* log Z as loglik reports it. */
struct log_z {
	double value, stderr_;	/* log Z and its standard error */
	int ais;		/* estimated by AIS (else exact) */
	struct rbm_ais_params params;
	double ess;		/* AIS: effective number of runs */
};

/*
 * AIS from the base rates of the rows read, with --ais-runs, --ais-steps
 * and --seed; EXIT_OK, or EXIT_FAIL after a message.
 */
static int ais_log_z(struct ctx *c, const struct scoring *sc,
		     struct log_z *z)
{
	const struct optval *o = c->opt;
	struct rbm_ais_result res;
	struct rbm_err err;
	gsl_vector *ba = gsl_vector_alloc(sc->s->model->nv);
	gsl_rng *rng = ba ? cli_rng(c) : NULL;
	int rc = EXIT_FAIL;

	z->ais = 1;
	z->params.runs = o[O_AIS_RUNS].given ? o[O_AIS_RUNS].u
					     : RBM_AIS_DEFAULT_RUNS;
	z->params.steps = o[O_AIS_STEPS].given ? o[O_AIS_STEPS].u
					       : RBM_AIS_DEFAULT_STEPS;
	if (!ba)
		cli_say(c, "out of memory");
	if (rng) {
		rbm_score_ais_base(sc->sums, ba);
		if (rbm_score_ais(sc->s->model, ba, &z->params, rng, &res,
				  &err) == 0) {
			z->value = res.log_z;
			z->stderr_ = res.log_z_stderr;
			z->ess = res.ess;
			rc = EXIT_OK;
		} else {
			cli_fail(c, &err);
		}
		gsl_rng_free(rng);
	}
	if (ba)
		gsl_vector_free(ba);
	return rc;
}

/* Exact log Z when allowed and not overridden by --ais, else AIS. */
static int find_log_z(struct ctx *c, const struct scoring *sc,
		      struct log_z *z)
{
	const struct rbm *m = sc->s->model;
	size_t u = m->nv < m->nh ? m->nv : m->nh;
	size_t limit = c->opt[O_EXACT_MAX].given ? c->opt[O_EXACT_MAX].u
						 : RBM_SCORE_EXACT_DEFAULT;
	struct rbm_err err;

	if (c->opt[O_AIS].given || u > limit)
		return ais_log_z(c, sc, z);
	z->ais = 0;
	z->stderr_ = 0;
	if (rbm_score_log_z_exact(m, limit, &z->value, &err) < 0)
		return cli_fail(c, &err);
	return EXIT_OK;
}

/* loglik's report: "key value" lines, the AIS details last. */
static void print_loglik(const struct scoring *sc, const struct log_z *z)
{
	printf("loglik %.10g\n", rbm_score_sums_loglik(sc->sums, z->value));
	printf("stderr %.10g\n", z->stderr_);
	printf("logz %.10g\n", z->value);
	printf("logz_stderr %.10g\n", z->stderr_);
	printf("method %s\n", z->ais ? "ais" : "exact");
	printf("rows %zu\n", sc->sums->rows);
	if (z->ais)
		printf("ais_runs %zu\nais_steps %lu\nais_ess %.4g\n",
		       z->params.runs, z->params.steps, z->ess);
}

int cmd_loglik(struct ctx *c)
{
	struct scoring sc = { 0 };
	struct log_z z = { 0 };
	int rc = stream(c, &sc, add_rows);

	if (rc == EXIT_OK && sc.sums->rows == 0) {
		cli_say(c, "stdin: no rows to score");
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK)
		rc = find_log_z(c, &sc, &z);
	if (rc == EXIT_OK)
		print_loglik(&sc, &z);
	scoring_free(&sc);
	return rc;
}
