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
 * carry no information.
 *
 * Rows hold one value per item of the model (visible.h), encoded into
 * units a batch at a time.  All but loglik accept missing values: a row's
 * missing units are deleted from the model for it (they are 0 and masked),
 * and recommend fills them in with p(v|h) at h = p(h|v_observed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "rbm.h"
#include "rows.h"
#include "score.h"
#include "state.h"
#include "params.h"
#include "visible.h"

#define SCORE_BATCH 256	/* rows per product */

/* What a scoring command holds; freed in one place. */
struct scoring {
	struct rbm_state *s;
	struct rbm_rows *rows;
	gsl_matrix_float *items;	/* SCORE_BATCH x items, rows read */
	gsl_matrix_float *v;		/* SCORE_BATCH x NV: them as units */
	gsl_matrix_float *mask;		/* SCORE_BATCH x NV: their mask */
	gsl_matrix_float *h;		/* SCORE_BATCH x NH scratch */
	double f[SCORE_BATCH];		/* free energies of a batch */
	struct rbm_score_sums *sums;	/* loglik's running totals */
	struct rbm_names *names;	/* recommend --names, or NULL */
	struct pick *picks;		/* recommend --top: items of a row */
	int direct;			/* rows are read straight into v: a
					 * binary model's items are its units,
					 * and encoding (in place) is needed
					 * only once a value was missing */
};

/* One batch: views of the first k rows of the scoring's matrices. */
struct batch {
	gsl_matrix_float_view items, v, mask;
	size_t missing;			/* missing values in the batch */
};

/* Called on every batch of rows read; 0, or -1 after a message. */
typedef int (*batch_fn)(struct ctx *c, struct scoring *sc, struct batch *b);

static void scoring_free(struct scoring *sc)
{
	rbm_state_free(sc->s);
	rbm_rows_close(sc->rows);
	if (sc->v)
		gsl_matrix_float_free(sc->v);
	if (sc->h)
		gsl_matrix_float_free(sc->h);
	if (sc->items)
		gsl_matrix_float_free(sc->items);
	if (sc->mask)
		gsl_matrix_float_free(sc->mask);
	rbm_score_sums_free(sc->sums);
	rbm_params_free_names(sc->names);
	free(sc->picks);
}

/*
 * Load the state, open stdin as rows of the model's items (missing values
 * allowed when allow_missing) and allocate a batch; EXIT_OK, or EXIT_FAIL
 * after the message.
 */
static int scoring_open(struct ctx *c, struct scoring *sc, int allow_missing)
{
	struct rbm_err err;
	size_t nv, nh;

	if (!(sc->s = cli_load(c)))
		return EXIT_FAIL;
	nv = sc->s->model->nv;
	nh = sc->s->model->nh;
	sc->rows = cli_open_items(c, sc->s->model, NULL, allow_missing, &err);
	sc->sums = sc->rows ? rbm_score_sums_alloc(nv, &err) : NULL;
	if (!sc->sums)
		return cli_fail(c, &err);
	sc->v = gsl_matrix_float_alloc(SCORE_BATCH, nv);
	sc->h = gsl_matrix_float_alloc(SCORE_BATCH, nh);
	sc->mask = gsl_matrix_float_alloc(SCORE_BATCH, nv);
	sc->items = gsl_matrix_float_alloc(SCORE_BATCH,
					   rbm_visible_items(sc->s->model));
	sc->direct = sc->s->model->vtype == RBM_VIS_BINARY;
	if (!sc->v || !sc->h || !sc->mask || !sc->items) {
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
	int rc = EXIT_OK;

	while (rc == EXIT_OK && (k = rbm_rows_read(sc->rows, sc->direct ?
						   sc->v->data : sc->items->data,
						   SCORE_BATCH, &err))) {
		struct batch b;

		if (k < 0)
			return cli_fail(c, &err);
		b.items = gsl_matrix_float_submatrix(sc->direct ? sc->v :
						     sc->items, 0, 0, (size_t)k,
						     sc->items->size2);
		b.v = gsl_matrix_float_submatrix(sc->v, 0, 0, (size_t)k,
						 sc->v->size2);
		b.mask = gsl_matrix_float_submatrix(sc->mask, 0, 0, (size_t)k,
						    sc->mask->size2);
		b.missing = 0;
		if (!sc->direct || rbm_rows_first_missing(sc->rows))
			b.missing = rbm_visible_encode(sc->s->model,
						       &b.items.matrix,
						       &b.v.matrix,
						       &b.mask.matrix);
		if (fn(c, sc, &b) < 0)
			return EXIT_FAIL;
	}
	return rc;
}

/* Open (see scoring_open), then feed every batch to fn. */
static int stream(struct ctx *c, struct scoring *sc, batch_fn fn,
		  int allow_missing)
{
	int rc = scoring_open(c, sc, allow_missing);

	return rc == EXIT_OK ? feed(c, sc, fn) : rc;
}

/* free_energy: one number a row, of the model without its missing units. */
static int print_free_energies(struct ctx *c, struct scoring *sc,
			       struct batch *b)
{
	size_t i;

	rbm_score_free_energy_masked(sc->s->model, &b->v.matrix,
				     b->missing ? &b->mask.matrix : NULL,
				     sc->h, sc->f);
	for (i = 0; i < b->v.matrix.size1; i++)
		printf("%.10g\n", sc->f[i]);
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
				 struct batch *b)
{
	gsl_matrix_float *v = &b->v.matrix;
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

/* loglik's pass over the data: free energies and column sums. */
static int add_rows(struct ctx *c, struct scoring *sc, struct batch *b)
{
	(void)c;
	rbm_score_free_energy(sc->s->model, &b->v.matrix, sc->h, sc->f);
	rbm_score_sums_add(sc->sums, &b->v.matrix, sc->f);
	return 0;
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

/*
 * Why a Gaussian or softmax model's log Z is out of reach: it has more
 * hidden units than the limit of exact log Z, and AIS, which a binary
 * model falls back on, is for binary units only.  EXIT_FAIL.
 */
static int no_log_z(const struct ctx *c, const struct rbm *m)
{
	const char *type = rbm_vis_type_names[m->vtype];

	if (m->nh <= RBM_SCORE_EXACT_LIMIT)
		cli_say(c, "exact log Z of a %s model sums over its 2^%zu "
			"hidden states: give --exact-max-units=%zu (AIS "
			"handles binary visible units only)", type, m->nh,
			m->nh);
	else
		cli_say(c, "exact log Z of a %s model sums over its 2^%zu "
			"hidden states; the limit is %d hidden units, and AIS "
			"handles binary visible units only", type, m->nh,
			RBM_SCORE_EXACT_LIMIT);
	return EXIT_FAIL;
}

/* Exact log Z when allowed and not overridden by --ais, else AIS. */
static int find_log_z(struct ctx *c, const struct scoring *sc,
		      struct log_z *z)
{
	const struct rbm *m = sc->s->model;
	size_t u = m->vtype != RBM_VIS_BINARY ? m->nh :
		   m->nv < m->nh ? m->nv : m->nh;
	size_t limit = c->opt[O_EXACT_MAX].given ? c->opt[O_EXACT_MAX].u
						 : RBM_SCORE_EXACT_DEFAULT;
	struct rbm_err err;

	if (!c->opt[O_AIS].given && u > limit && m->vtype != RBM_VIS_BINARY)
		return no_log_z(c, m);
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
	int rc = stream(c, &sc, add_rows, 0);

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
 * recommend: mean-field predictions of the missing values.  The observed
 * units, clamped, give h = p(h|v_observed) (missing units are 0 and
 * drive nothing); p(v|h) of the missing units, decoded, is the prediction:
 * a probability, a mean or an expected rating.  Each row is printed with
 * its missing values filled in, or with --top as its best missing items.
 */
static int print_recommendations(struct ctx *c, struct scoring *sc,
				 struct batch *b)
{
	const struct rbm *m = sc->s->model;
	gsl_matrix_float *v = &b->v.matrix, *in = &b->items.matrix;
	gsl_matrix_float_view pred = gsl_matrix_float_submatrix(
		sc->mask, 0, 0, in->size1, in->size2);
	size_t i, j;

	rbm_score_reconstruct(m, v, sc->h, v);
	rbm_visible_decode(m, v, &pred.matrix);	/* the mask is spent */
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
		cli_write_item_row(m, row, in->size2);
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
	if (!(sc->picks = malloc(n * sizeof(*sc->picks)))) {
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
	rc = scoring_open(c, &sc, 1);
	sc.direct = 0;	/* the rows' missing values must stay NaN */
	if (rc == EXIT_OK && recommend_prepare(c, &sc) < 0)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = feed(c, &sc, print_recommendations);
	scoring_free(&sc);
	return rc;
}
