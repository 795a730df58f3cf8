/*
 * cmd_score.c - the commands that score visible rows with a model:
 * free_energy, reconstruct, loglik and recommend.
 *
 * All three stream stdin a batch at a time, so input of any length runs
 * in constant memory: free_energy and reconstruct answer each batch as
 * soon as it is read (a line-at-a-time pipe gets each answer back), and
 * loglik keeps only running totals (the sum of the free energies and the
 * column sums that AIS needs for its base model).  Numbers are printed
 * with %.10g: the products are single precision, so further digits would
 * carry little information; --precision chooses other digits.
 *
 * Rows hold one value per item of the model (visible.h), read into
 * units a batch at a time (batch.h).  All but loglik accept missing values: a row's
 * missing units are deleted from the model for it (they are 0 and masked),
 * and recommend fills them in with its prediction (rbm_score_predict).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "rbm.h"
#include "rows.h"
#include "score.h"
#include "state.h"
#include "params.h"
#include "visible.h"

#define SCORE_BATCH 256	/* rows per product */
#define SCORE_DIGITS 10	/* significant digits of reals without --precision */
#define ESS_DIGITS 4	/* of loglik's ais_ess, a rough figure */
#define RAISE_ROUNDING 1e-9	/* relative gap of two exact sides */

/* What a scoring command holds; freed in one place. */
struct scoring {
	struct rbm_state *s;
	struct rbm_rows *rows;
	struct rbm_batch *batch;	/* SCORE_BATCH rows as units */
	gsl_matrix_float *h;		/* SCORE_BATCH x NH scratch */
	gsl_matrix_float *pred;		/* recommend's predictions */
	double f[SCORE_BATCH];		/* free energies of a batch */
	struct rbm_score_sums *sums;	/* loglik's running totals */
	gsl_matrix_float *keep;		/* loglik --raise: a uniform sample
					   of the rows (reservoir) */
	size_t kept;			/* rows in keep */
	gsl_rng *pick;			/* chooses the rows to keep */
	struct rbm_names *names;	/* recommend --names, or NULL */
	struct pick *picks;		/* recommend --top: items of a row */
};

/* Called on every batch of rows read; 0, or -1 after a message. */
typedef int (*batch_fn)(struct ctx *c, struct scoring *sc,
			struct rbm_batch *b);

static void scoring_free(struct scoring *sc)
{
	rbm_state_free(sc->s);
	rbm_rows_close(sc->rows);
	rbm_batch_free(sc->batch);
	if (sc->h)
		gsl_matrix_float_free(sc->h);
	if (sc->pred)
		gsl_matrix_float_free(sc->pred);
	rbm_score_sums_free(sc->sums);
	if (sc->keep)
		gsl_matrix_float_free(sc->keep);
	if (sc->pick)
		gsl_rng_free(sc->pick);
	rbm_params_free_names(sc->names);
	free(sc->picks);
}

/*
 * Load the state, open stdin as rows of the model's items (missing values
 * allowed when allow_missing) and allocate a batch with the RBM_BATCH_*
 * flags; EXIT_OK, or EXIT_FAIL after the message.
 */
static int scoring_open(struct ctx *c, struct scoring *sc, int allow_missing,
			int flags)
{
	struct rbm_err err;
	const struct rbm *m;

	if (!(sc->s = cli_load(c)))
		return EXIT_FAIL;
	m = sc->s->model;
	sc->rows = cli_open_items(c, m, NULL, allow_missing, &err);
	sc->sums = sc->rows ? rbm_score_sums_alloc(m->nv, &err) : NULL;
	sc->batch = sc->sums ? rbm_batch_alloc(m, SCORE_BATCH,
					       flags | RBM_BATCH_MASK, &err)
			     : NULL;
	if (!sc->batch)
		return cli_fail(c, &err);
	sc->h = gsl_matrix_float_alloc(SCORE_BATCH, m->nh);
	if (!sc->h) {
		cli_say(c, "out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Hand every batch of stdin to fn; EXIT_OK at the end of the
 * input, EXIT_FAIL after printing the reader's error (the batches before
 * the bad line have been handled).
 */
static int feed(struct ctx *c, struct scoring *sc, batch_fn fn)
{
	struct rbm_err err;
	ssize_t k;

	while ((k = rbm_batch_read(sc->batch, sc->rows, &err))) {
		if (k < 0)
			return cli_fail(c, &err);
		if (fn(c, sc, sc->batch) < 0)
			return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Open (see scoring_open), then feed every batch to fn. */
static int stream(struct ctx *c, struct scoring *sc, batch_fn fn,
		  int allow_missing)
{
	int rc = scoring_open(c, sc, allow_missing, 0);

	return rc == EXIT_OK ? feed(c, sc, fn) : rc;
}

/* free_energy: one number a row, of the model without its missing units. */
static int print_free_energies(struct ctx *c, struct scoring *sc,
			       struct rbm_batch *b)
{
	size_t i;

	rbm_score_free_energy_masked(sc->s->model, b->v, b->mask, sc->h,
				     sc->f);
	for (i = 0; i < b->n; i++)
		printf("%.*g\n", cli_real_digits(c, SCORE_DIGITS), sc->f[i]);
	return cli_flush(c);
}

int cmd_free_energy(struct ctx *c)
{
	struct scoring sc = { 0 };
	int rc = stream(c, &sc, print_free_energies, 1);

	scoring_free(&sc);
	return rc;
}

/*
 * reconstruct: p(v|h) at h = p(h|v), as items (the usual row tokens for
 * binary units, means and expected ratings otherwise).
 */
static int print_reconstructions(struct ctx *c, struct scoring *sc,
				 struct rbm_batch *b)
{
	gsl_matrix_float *v = b->v;
	int rc;

	rbm_score_reconstruct(sc->s->model, v, sc->h, v);
	rc = cli_write_units(c, sc->s->model, v, v->size1);
	return rc < 0 ? rc : cli_flush(c);
}

int cmd_reconstruct(struct ctx *c)
{
	struct scoring sc = { 0 };
	int rc = stream(c, &sc, print_reconstructions, 1);

	scoring_free(&sc);
	return rc;
}

/*
 * Keep the rows of v in sc->keep so that after any number of rows it
 * holds a uniform sample of them without replacement (reservoir
 * sampling): row t (counting from 0) replaces a random kept row with
 * probability size / (t + 1) once keep is full.
 */
static void keep_rows(struct scoring *sc, const gsl_matrix_float *v,
		      size_t seen)
{
	size_t i, cap = sc->keep->size1;

	for (i = 0; i < v->size1; i++, seen++) {
		size_t k = seen < cap ? seen
				      : gsl_rng_uniform_int(sc->pick, seen + 1);
		gsl_vector_float_const_view row =
			gsl_matrix_float_const_row(v, i);
		if (k < cap)
			gsl_matrix_float_set_row(sc->keep, k, &row.vector);
	}
	sc->kept = seen < cap ? seen : cap;
}

/*
 * loglik's pass over the data: free energies and column sums, and with
 * --raise a sample of the rows.
 */
static int add_rows(struct ctx *c, struct scoring *sc, struct rbm_batch *b)
{
	(void)c;
	if (sc->keep)
		keep_rows(sc, b->v, sc->sums->rows);
	rbm_score_free_energy(sc->s->model, b->v, sc->h, sc->f);
	rbm_score_sums_add(sc->sums, b->v, sc->f);
	return 0;
}

/*
 * With --raise, room for as many rows as AIS has runs and a generator
 * of its own to choose them, seeded from --seed so that the forward
 * AIS's draws do not depend on --raise; 0, or -1 after a message.
 */
static int keep_alloc(struct ctx *c, struct scoring *sc,
		      const struct rbm_log_z_settings *zs)
{
	if (!c->opt[O_RAISE].given)
		return 0;
	if (!(sc->pick = cli_rng(c)))
		return -1;
	gsl_rng_set(sc->pick, gsl_rng_get(sc->pick) ^ 0x52414953UL);
	sc->keep = gsl_matrix_float_alloc(zs->runs.runs, sc->s->model->nv);
	if (!sc->keep) {
		cli_say(c, "out of memory for %zu rows", zs->runs.runs);
		return -1;
	}
	return 0;
}

/* The log Z settings of the options (--exact-max-units, --ais, ...). */
static void log_z_settings(const struct ctx *c, struct rbm_log_z_settings *z)
{
	const struct optval *o = c->opt;

	z->exact_max = o[O_EXACT_MAX].given ? o[O_EXACT_MAX].u
					    : RBM_SCORE_EXACT_DEFAULT;
	z->ais = o[O_AIS].given;
	z->runs.runs = o[O_AIS_RUNS].given ? o[O_AIS_RUNS].u
					   : RBM_AIS_DEFAULT_RUNS;
	z->runs.steps = o[O_AIS_STEPS].given ? o[O_AIS_STEPS].u
					     : RBM_AIS_DEFAULT_STEPS;
	z->runs.layer = RBM_AIS_SMALLER;
	z->runs.method = o[O_AIS_METHOD].given
				 ? (enum rbm_ais_method)o[O_AIS_METHOD].u
				 : RBM_AIS_COLLAPSED;
	z->runs.base = NULL;
	z->start = o[O_AIS_BASE].given ? (enum rbm_ais_start)o[O_AIS_BASE].u
				       : RBM_AIS_FROM_UNIFORM;
}

/*
 * loglik --raise: RAISE from the kept rows with AIS's steps, after the
 * forward estimate, with the same generator; 0, or -1 after a message.
 */
static int loglik_raise(struct ctx *c, const struct scoring *sc,
			const struct rbm_log_z_settings *zs, gsl_rng *rng,
			struct rbm_raise_result *r)
{
	gsl_matrix_float_const_view v = gsl_matrix_float_const_submatrix(
		sc->keep, 0, 0, sc->kept, sc->keep->size2);
	gsl_vector *ba = gsl_vector_alloc(sc->s->model->nv);
	struct rbm_ais_settings p;
	struct rbm_err err;
	int rc = 0;

	if (!ba) {
		cli_say(c, "out of memory for RAISE");
		return -1;
	}
	rbm_score_ais_plan(zs, sc->sums, ba, &p);
	if (rbm_score_raise(sc->s->model, &v.matrix, &p, rng, r, &err) < 0) {
		cli_fail(c, &err);
		rc = -1;
	}
	gsl_vector_free(ba);
	return rc;
}

/* --raise's lines of the report. */
static void print_raise(const struct ctx *c, const struct scoring *sc,
			const struct rbm_log_z_settings *zs,
			const struct rbm_raise_result *r)
{
	int d = cli_real_digits(c, SCORE_DIGITS);

	printf("raise_loglik %.*g\n", d,
	       rbm_score_sums_loglik(sc->sums, r->log_z));
	printf("raise_stderr %.*g\n", d, r->log_z_stderr);
	printf("raise_logz %.*g\n", d, r->log_z);
	printf("raise_rows %zu\nraise_steps %lu\n", r->rows, zs->runs.steps);
}

/*
 * With --raise, a warning when forward AIS's log-likelihood and RAISE's
 * differ by more than two standard errors of the difference: the
 * annealing has not converged.  AIS above RAISE is the usual case (its
 * runs missed mass; the truth is most likely between them); RAISE above
 * AIS means the annealing's own model fits the rows better than the RBM,
 * as when a mode far from the data holds much of the mass, and the
 * forward figure is then the better one if its effective runs are many.
 */
static void warn_gap(const struct ctx *c, const struct scoring *sc,
		     const struct rbm_log_z *z,
		     const struct rbm_raise_result *r)
{
	double hi = rbm_score_sums_loglik(sc->sums, z->value);
	double lo = rbm_score_sums_loglik(sc->sums, r->log_z);
	double se = sqrt(z->stderr_ * z->stderr_ +
			 r->log_z_stderr * r->log_z_stderr);

	/* Both sides exact (zero weights: every run has the same weight)
	 * still differ by rounding, which two standard errors of 0 do not
	 * cover. */
	if (fabs(hi - lo) > 2 * se + RAISE_ROUNDING * (1 + fabs(hi)))
		cli_say(c, "warning: the log-likelihood by %s (%.6g) and by "
			"RAISE (%.6g) differ by %.3g nats: the annealing has "
			"not converged; give more --ais-steps",
			z->ais ? "AIS" : "exact log Z", hi, lo, fabs(hi - lo));
}

/* The warning for an estimate (by AIS or RAISE) of the rows' mean
 * log-likelihood ll above 0. */
static void warn_above_0(const struct ctx *c, const char *by, double ll)
{
	if (ll > 0)
		cli_say(c, "warning: the log-likelihood by %s (%.6g) is above "
			"0, impossible for rows of 0s and 1s: the annealing "
			"has not converged; give more --ais-steps", by, ll);
}

/*
 * With binary visible units and rows of 0s and 1s every p(v) is at most
 * 1, so an estimate of the log-likelihood above 0 is impossible, whatever
 * its standard error says (AIS with far too few steps gets there): a
 * warning for each.  r: RAISE's result, or NULL.
 */
static void warn_impossible(const struct ctx *c, const struct scoring *sc,
			    const struct rbm_log_z *z,
			    const struct rbm_raise_result *r)
{
	if (!rbm_visible_bernoulli(sc->s->model) || sc->sums->fractional)
		return;
	if (z->ais)
		warn_above_0(c, "AIS",
			     rbm_score_sums_loglik(sc->sums, z->value));
	if (r)
		warn_above_0(c, "RAISE",
			     rbm_score_sums_loglik(sc->sums, r->log_z));
}

/*
 * AIS's mean estimate of Z is unbiased, so by Markov's inequality it
 * exceeds 20 Z with probability at most 1/20, however badly the runs
 * mixed: the log-likelihood from it plus log 20 is a bound that the true
 * one stays below with probability 0.95 or more (ais_loglik_max).
 */
#define LOG_20 2.9957322735539909

/* loglik's report: "key value" lines, the AIS details last. */
static void print_loglik(const struct ctx *c, const struct scoring *sc,
			 const struct rbm_log_z_settings *zs,
			 const struct rbm_log_z *z)
{
	int d = cli_real_digits(c, SCORE_DIGITS);

	printf("loglik %.*g\n", d, rbm_score_sums_loglik(sc->sums, z->value));
	printf("stderr %.*g\n", d, z->stderr_);
	printf("logz %.*g\n", d, z->value);
	printf("logz_stderr %.*g\n", d, z->stderr_);
	printf("method %s\n", z->ais ? "ais" : "exact");
	printf("rows %zu\n", sc->sums->rows);
	if (!z->ais)
		return;
	printf("ais_runs %zu\nais_steps %lu\nais_ess %.*g\n",
	       zs->runs.runs, zs->runs.steps, cli_real_digits(c, ESS_DIGITS),
	       z->ess);
	printf("ais_loglik_max %.*g\n", d,
	       rbm_score_sums_loglik(sc->sums, z->value) + LOG_20);
}

/*
 * Whether every number of the report is finite: parameters near the top
 * of single precision (which import accepts) overflow the free energies
 * or log Z, and a log-likelihood of inf or nan is no answer.
 */
static int loglik_finite(const struct scoring *sc, const struct rbm_log_z *z)
{
	return isfinite(rbm_score_sums_loglik(sc->sums, z->value)) &&
	       isfinite(z->value) && isfinite(z->stderr_) &&
	       (!z->ais || isfinite(z->ess));
}

int cmd_loglik(struct ctx *c)
{
	struct scoring sc = { 0 };
	struct rbm_log_z_settings zs;
	struct rbm_log_z z = { 0 };
	struct rbm_raise_result rr = { 0 };
	struct rbm_err err;
	gsl_rng *rng = NULL;
	int rc = scoring_open(c, &sc, 0, 0);

	log_z_settings(c, &zs);
	if (rc == EXIT_OK && keep_alloc(c, &sc, &zs) < 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = feed(c, &sc, add_rows);
	if (rc == EXIT_OK && sc.sums->rows == 0) {
		cli_say(c, "stdin: no rows to score");
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && !(rng = cli_rng(c)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK &&
	    rbm_score_log_z(sc.s->model, sc.sums, &zs, rng, &z, &err) < 0)
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK && sc.keep &&
	    loglik_raise(c, &sc, &zs, rng, &rr) < 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && !loglik_finite(&sc, &z)) {
		cli_say(c, "%s: the parameters are too large for a finite "
			"log-likelihood (log Z %g, mean free energy %g)",
			c->state, z.value,
			-rbm_score_sums_loglik(sc.sums, 0));
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && sc.keep && !isfinite(rr.log_z)) {
		cli_say(c, "%s: the parameters are too large for a finite "
			"RAISE estimate", c->state);
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK)
		print_loglik(c, &sc, &zs, &z);
	if (rc == EXIT_OK && sc.keep)
		print_raise(c, &sc, &zs, &rr);
	if (rc == EXIT_OK && sc.keep)
		warn_gap(c, &sc, &z, &rr);
	if (rc == EXIT_OK)
		warn_impossible(c, &sc, &z, sc.keep ? &rr : NULL);
	if (rc == EXIT_OK && z.ais && z.ess < RBM_AIS_LOW_ESS)
		cli_say(c, "warning: AIS rests on %.2g effective runs of %zu, "
			"too few for its standard error to be trusted; give "
			"more --ais-steps", z.ess, zs.runs.runs);
	if (rng)
		gsl_rng_free(rng);
	scoring_free(&sc);
	return rc;
}

/* ---- recommend ---- */

/* A missing item of a row and its prediction, for --top. */
struct pick {
	float score;
	size_t item;
};

/* Best first; ties in column order, so the output is stable. */
static int pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

/*
 * --top N: one line of the row's best missing items by their prediction
 * (pred), as names separated by tabs (a name may hold spaces) or as
 * 1-based column numbers separated by spaces; empty if none is missing.
 */
static void print_top(const struct ctx *c, struct scoring *sc,
		      const float *row, const float *pred, size_t n)
{
	size_t i, np = 0, top = c->opt[O_TOP].u;

	for (i = 0; i < n; i++)
		if (isnan(row[i]))
			sc->picks[np++] = (struct pick){ pred[i], i };
	qsort(sc->picks, np, sizeof(*sc->picks), pick_cmp);
	for (i = 0; i < np && i < top; i++) {
		if (i)
			putchar(sc->names ? '\t' : ' ');
		if (sc->names)
			fputs(sc->names->name[sc->picks[i].item], stdout);
		else
			printf("%zu", sc->picks[i].item + 1);
	}
	putchar('\n');
}

/*
 * recommend: mean-field predictions of the missing values
 * (rbm_score_predict: a probability, a mean or an expected rating).
 * Each row is printed with its missing values filled in, or with --top
 * as its best missing items.
 */
static int print_recommendations(struct ctx *c, struct scoring *sc,
				 struct rbm_batch *b)
{
	const struct rbm *m = sc->s->model;
	gsl_matrix_float *in = b->items;
	gsl_matrix_float_view pred = rbm_batch_top(sc->pred, b->n);
	size_t i, j;

	rbm_score_predict(m, b->v, sc->h, &pred.matrix);
	for (i = 0; i < in->size1; i++) {
		float *row = gsl_matrix_float_ptr(in, i, 0);
		float *p = gsl_matrix_float_ptr(&pred.matrix, i, 0);
		if (c->opt[O_TOP].given) {
			print_top(c, sc, row, p, in->size2);
			continue;
		}
		for (j = 0; j < in->size2; j++)
			if (isnan(row[j]))
				row[j] = p[j];
		rbm_visible_write_items(m, stdout, row, in->size2,
					cli_digits(c));
	}
	return cli_flush(c);
}

/* --names and the room --top needs, once the model is known; 0 or -1. */
static int recommend_prepare(struct ctx *c, struct scoring *sc)
{
	size_t n = rbm_visible_items(sc->s->model);
	struct rbm_err err;

	if (c->opt[O_NAMES].given &&
	    !(sc->names = rbm_params_read_names(c->opt[O_NAMES].s, n, &err))) {
		cli_fail(c, &err);
		return -1;
	}
	sc->pred = gsl_matrix_float_alloc(SCORE_BATCH, n);
	if (!sc->pred || !(sc->picks = malloc(n * sizeof(*sc->picks)))) {
		cli_say(c, "out of memory");
		return -1;
	}
	return 0;
}

int cmd_recommend(struct ctx *c)
{
	struct scoring sc = { 0 };
	int rc;

	if (c->opt[O_NAMES].given && !c->opt[O_TOP].given)
		return cli_usage(c, "--names needs --top");
	rc = scoring_open(c, &sc, 1, RBM_BATCH_ITEMS);	/* NaN must stay */
	if (rc == EXIT_OK && recommend_prepare(c, &sc) < 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = feed(c, &sc, print_recommendations);
	scoring_free(&sc);
	return rc;
}
