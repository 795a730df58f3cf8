/*
 * test_train.c - CD-1 training: one gradient against a slow computation
 * in double straight from the definition (replaying the same random
 * draws), the update, whole epochs against the documented sequence of
 * gradients, reproducibility, the parameter check, and divergence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "data.h"
#include "rng.h"
#include "state.h"
#include "train.h"
#include "unit.h"

#define NV 4
#define NH 3
#define MAXK 8
#define TOL 1e-5

/* A 4 x 3 model with hand-set weights and biases of both signs. */
static struct rbm *small_model(void)
{
	static const float w[NV][NH] = { { 0.5f, -1.25f, 0.75f },
					 { -0.5f, 1.0f, 0.25f },
					 { 1.5f, -0.75f, -1.0f },
					 { 0.125f, 0.5f, -0.25f } };
	static const float b[NV] = { 0.1f, -0.2f, 0.3f, -0.4f };
	static const float c[NH] = { -0.3f, 0.2f, 0.05f };
	struct rbm_err err = { "" };
	struct rbm *m = rbm_alloc(NV, NH, &err);
	size_t a, j;

	ck_assert_msg(m != NULL, "%s", err.msg);
	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			gsl_matrix_float_set(m->w, a, j, w[a][j]);
		gsl_vector_float_set(m->b, a, b[a]);
	}
	for (j = 0; j < NH; j++)
		gsl_vector_float_set(m->c, j, c[j]);
	return m;
}

static double sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* The CD-1 gradient of one batch, in double. */
struct ref_grad {
	double w[NV][NH], b[NV], c[NH];
	double sq;		/* summed squared reconstruction error */
	int ones;		/* hidden units sampled on */
	double closest;		/* smallest |u - p(h|v)| of the draws */
};

/*
 * The gradient of the k rows v (k x NV, row stride ld) from the
 * definition: ph = s(vW + c); h_ij = [u < ph_ij] with one uniform per
 * hidden unit, row after row, from ref; pv = s(hW' + b); ph2 = s(pv W + c);
 * gW = (v'ph - pv'ph2) / k, gb = mean(v - pv), gc = mean(ph - ph2).
 */
static void ref_gradient(const struct rbm *m, const float *v, size_t ld,
			 size_t k, gsl_rng *ref, struct ref_grad *g)
{
	double ph[MAXK][NH], h[MAXK][NH], pv[MAXK][NV], ph2[MAXK][NH];
	double W[NV][NH], b[NV], c[NH];
	size_t i, a, j;

	ck_assert_uint_le(k, MAXK);
	memset(g, 0, sizeof(*g));
	g->closest = 1;
	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			W[a][j] = gsl_matrix_float_get(m->w, a, j);
		b[a] = gsl_vector_float_get(m->b, a);
	}
	for (j = 0; j < NH; j++)
		c[j] = gsl_vector_float_get(m->c, j);
	for (i = 0; i < k; i++) {
		for (j = 0; j < NH; j++) {
			double x = c[j];
			for (a = 0; a < NV; a++)
				x += v[i * ld + a] * W[a][j];
			ph[i][j] = sigmoid(x);
		}
	}
	for (i = 0; i < k; i++) {
		for (j = 0; j < NH; j++) {
			double u = gsl_rng_uniform(ref);
			h[i][j] = u < ph[i][j] ? 1 : 0;
			g->ones += (int)h[i][j];
			if (fabs(u - ph[i][j]) < g->closest)
				g->closest = fabs(u - ph[i][j]);
		}
	}
	for (i = 0; i < k; i++) {
		for (a = 0; a < NV; a++) {
			double x = b[a];
			for (j = 0; j < NH; j++)
				x += h[i][j] * W[a][j];
			pv[i][a] = sigmoid(x);
		}
		for (j = 0; j < NH; j++) {
			double x = c[j];
			for (a = 0; a < NV; a++)
				x += pv[i][a] * W[a][j];
			ph2[i][j] = sigmoid(x);
		}
	}
	for (i = 0; i < k; i++) {
		for (a = 0; a < NV; a++) {
			double d = v[i * ld + a] - pv[i][a];
			for (j = 0; j < NH; j++)
				g->w[a][j] += (v[i * ld + a] * ph[i][j] -
					       pv[i][a] * ph2[i][j]) /
					      (double)k;
			g->b[a] += d / (double)k;
			g->sq += d * d;
		}
		for (j = 0; j < NH; j++)
			g->c[j] += (ph[i][j] - ph2[i][j]) / (double)k;
	}
}

/* The library's gradient g equals the reference within TOL. */
static void assert_gradient(const struct rbm *g, const struct ref_grad *r)
{
	size_t a, j;

	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			ck_assert_double_eq_tol(
				gsl_matrix_float_get(g->w, a, j), r->w[a][j],
				TOL);
		ck_assert_double_eq_tol(gsl_vector_float_get(g->b, a),
					r->b[a], TOL);
	}
	for (j = 0; j < NH; j++)
		ck_assert_double_eq_tol(gsl_vector_float_get(g->c, j),
					r->c[j], TOL);
}

static const float batch3[3][NV] = { { 1, 0, 1, 1 }, { 0, 1, 0.5f, 0 },
				     { 1, 1, 0, 0.25f } };

/* A trainer for NV x NH on n rows in batches of batch. */
static struct rbm_trainer *trainer(size_t n, size_t batch)
{
	struct rbm_train_params p = { 0.1, batch };
	struct rbm_err err = { "" };
	struct rbm_trainer *t = rbm_trainer_alloc(NV, NH, n, &p, &err);

	ck_assert_msg(t != NULL, "%s", err.msg);
	return t;
}

/*
 * One CD-1 gradient of a batch of three rows equals the definition
 * computed in double within 1e-5, adds the batch's squared error to the
 * running sum, and draws exactly one uniform per hidden unit.  (The draws
 * are checked to be neither all on nor all off, and not so close to a
 * probability that float rounding could flip them.)
 */
START_TEST(test_gradient_by_definition)
{
	struct rbm_err err = { "" };
	struct rbm *m = small_model();
	struct rbm_trainer *t = trainer(3, 3);
	gsl_rng *rng = rbm_rng_alloc(2024, &err);
	gsl_rng *ref = rbm_rng_alloc(2024, &err);
	gsl_matrix_float *v = gsl_matrix_float_alloc(3, NV);
	struct ref_grad r;
	const struct rbm *g;
	double sq = 1.5;
	size_t i, a;

	for (i = 0; i < 3; i++)
		for (a = 0; a < NV; a++)
			gsl_matrix_float_set(v, i, a, batch3[i][a]);
	g = rbm_train_gradient(t, m, v, rng, &sq);
	ref_gradient(m, &batch3[0][0], NV, 3, ref, &r);
	ck_assert_int_gt(r.ones, 0);
	ck_assert_int_lt(r.ones, 3 * NH);
	ck_assert_msg(r.closest > 1e-4, "seed draws too close to a "
		      "probability: %g", r.closest);
	ck_assert_uint_eq(g->nv, NV);
	ck_assert_uint_eq(g->nh, NH);
	assert_gradient(g, &r);
	ck_assert_double_eq_tol(sq, 1.5 + r.sq, TOL);
	ck_assert(r.sq > 0.1);
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(v);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
	rbm_trainer_free(t);
	rbm_free(m);
}
END_TEST

/*
 * A gradient of fewer rows than the trainer's batch, given as a view
 * inside a wider matrix, right after a full batch: still the definition
 * for both (nothing of the first batch leaks into the second).
 */
START_TEST(test_gradient_partial_batch_view)
{
	struct rbm_err err = { "" };
	struct rbm *m = small_model();
	struct rbm_trainer *t = trainer(20, MAXK);
	gsl_rng *rng = rbm_rng_alloc(77, &err);
	gsl_rng *ref = rbm_rng_alloc(77, &err);
	gsl_matrix_float *full = gsl_matrix_float_alloc(MAXK, NV);
	gsl_matrix_float *wide = gsl_matrix_float_alloc(6, NV + 3);
	gsl_matrix_float_view part = gsl_matrix_float_submatrix(wide, 2, 1, 3,
								 NV);
	struct ref_grad r;
	const struct rbm *g;
	double sq = 0;
	size_t i, a;

	for (i = 0; i < MAXK; i++)
		for (a = 0; a < NV; a++)
			gsl_matrix_float_set(full, i, a,
					     (float)((i * 5 + a * 3) % 4) / 3);
	gsl_matrix_float_set_all(wide, 0.5f);
	for (i = 0; i < 3; i++)
		for (a = 0; a < NV; a++)
			gsl_matrix_float_set(&part.matrix, i, a, batch3[i][a]);

	g = rbm_train_gradient(t, m, full, rng, &sq);
	ref_gradient(m, full->data, NV, MAXK, ref, &r);
	assert_gradient(g, &r);
	ck_assert_double_eq_tol(sq, r.sq, TOL);

	sq = 0;
	g = rbm_train_gradient(t, m, &part.matrix, rng, &sq);
	ref_gradient(m, gsl_matrix_float_const_ptr(&part.matrix, 0, 0),
		     wide->tda, 3, ref, &r);
	ck_assert_msg(r.closest > 1e-4, "draws too close: %g", r.closest);
	assert_gradient(g, &r);
	ck_assert_double_eq_tol(sq, r.sq, TOL);
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(full);
	gsl_matrix_float_free(wide);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
	rbm_trainer_free(t);
	rbm_free(m);
}
END_TEST

/*
 * m += rate * g for every weight and both biases, exactly (all values
 * are short binary fractions, so there is no rounding to hide behind).
 */
START_TEST(test_apply)
{
	struct rbm_err err = { "" };
	struct rbm *m = rbm_alloc(NV, NH, &err);
	struct rbm *g = rbm_alloc(NV, NH, &err);
	size_t a, j;

	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++) {
			gsl_matrix_float_set(m->w, a, j, 1.0f + (float)a);
			gsl_matrix_float_set(g->w, a, j,
					     0.25f * ((float)a - (float)j));
		}
		gsl_vector_float_set(m->b, a, -1);
		gsl_vector_float_set(g->b, a, 0.5f * (float)a);
	}
	for (j = 0; j < NH; j++) {
		gsl_vector_float_set(m->c, j, 2);
		gsl_vector_float_set(g->c, j, -0.75f * (float)j);
	}
	rbm_train_apply(m, g, 0.5);
	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			ck_assert(gsl_matrix_float_get(m->w, a, j) ==
				  1.0f + (float)a +
				  0.125f * ((float)a - (float)j));
		ck_assert(gsl_vector_float_get(m->b, a) ==
			  -1 + 0.25f * (float)a);
	}
	for (j = 0; j < NH; j++)
		ck_assert(gsl_vector_float_get(m->c, j) ==
			  2 - 0.375f * (float)j);
	rbm_train_apply(m, g, -2);	/* the rate scales, sign and all */
	for (j = 0; j < NH; j++)
		ck_assert(gsl_vector_float_get(m->c, j) ==
			  2 + 1.125f * (float)j);
	rbm_free(m);
	rbm_free(g);
}
END_TEST

/* A data set of n rows of NV values, binary with a few fractions. */
static struct rbm_data *sample_data(size_t n)
{
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	float row[NV];
	size_t i, a;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		for (a = 0; a < NV; a++)
			row[a] = (float)((i * 3 + a * (i % 3 + 1)) % 2);
		if (i % 4 == 1)
			row[i % NV] = 0.75f;
		ck_assert_int_eq(rbm_data_append(d, row, &err), 0);
	}
	return d;
}

/* Two models are equal bit for bit. */
static int same_model(const struct rbm *x, const struct rbm *y)
{
	size_t a;

	for (a = 0; a < x->nv; a++)
		if (memcmp(gsl_matrix_float_const_ptr(x->w, a, 0),
			   gsl_matrix_float_const_ptr(y->w, a, 0),
			   x->nh * sizeof(float)) != 0)
			return 0;
	return memcmp(x->b->data, y->b->data, x->nv * sizeof(float)) == 0 &&
	       memcmp(x->c->data, y->c->data, x->nh * sizeof(float)) == 0;
}

/*
 * Train a fresh small model for epochs epochs on d with the generator
 * seeded with seed; the model, the last epoch's figures in *st.
 */
static struct rbm *train_fresh(const struct rbm_data *d, size_t batch,
			       unsigned long seed, int epochs,
			       struct rbm_epoch_stats *st)
{
	struct rbm_train_params p = { 0.1, batch };
	struct rbm_err err = { "" };
	struct rbm *m = small_model();
	struct rbm_trainer *t = trainer(d->n, batch);
	gsl_rng *rng = rbm_rng_alloc(seed, &err);
	int e;

	for (e = 0; e < epochs; e++)
		ck_assert_msg(rbm_train_epoch(t, m, d, &p, rng, st, &err) == 0,
			      "%s", err.msg);
	gsl_rng_free(rng);
	rbm_trainer_free(t);
	return m;
}

/*
 * The same seed gives the same model bit for bit after several epochs of
 * shuffled mini-batches (and the same error); another seed does not.
 */
START_TEST(test_epoch_reproducible)
{
	struct rbm_data *d = sample_data(10);
	struct rbm_epoch_stats s1, s2, s3;
	struct rbm *a = train_fresh(d, 3, 5, 4, &s1);
	struct rbm *b = train_fresh(d, 3, 5, 4, &s2);
	struct rbm *c = train_fresh(d, 3, 6, 4, &s3);
	struct rbm *start = small_model();

	ck_assert(same_model(a, b));
	ck_assert(s1.recon_error == s2.recon_error);
	ck_assert_uint_eq(s1.rows, 10);
	ck_assert(!same_model(a, c));
	ck_assert(!same_model(a, start));	/* training did something */
	rbm_free(a);
	rbm_free(b);
	rbm_free(c);
	rbm_free(start);
	rbm_data_free(d);
}
END_TEST

/*
 * When the data fits in one batch (n < batch and n == batch) an epoch is
 * exactly one gradient of the rows in file order and one update, with no
 * shuffle draws; the epoch's error is the batch's mean squared error.
 */
START_TEST(test_epoch_full_batch)
{
	static const size_t batches[2] = { 5, 3 };
	struct rbm_train_params p = { 0.5, 0 };
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	size_t i, a, idx[3] = { 0, 1, 2 };
	int n;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(rbm_data_append(d, batch3[i], &err), 0);
	for (n = 0; n < 2; n++) {
		struct rbm *m1 = small_model(), *m2 = small_model();
		struct rbm_trainer *t1 = trainer(3, batches[n]);
		struct rbm_trainer *t2 = trainer(3, batches[n]);
		gsl_rng *r1 = rbm_rng_alloc(31, &err);
		gsl_rng *r2 = rbm_rng_alloc(31, &err);
		gsl_matrix_float *v = gsl_matrix_float_alloc(3, NV);
		struct rbm_epoch_stats st;
		double sq = 0;

		p.batch_size = batches[n];
		ck_assert_int_eq(rbm_train_epoch(t1, m1, d, &p, r1, &st, &err),
				 0);
		rbm_data_gather(d, idx, 3, v);
		for (i = 0; i < 3; i++)
			for (a = 0; a < NV; a++)
				ck_assert(gsl_matrix_float_get(v, i, a) ==
					  batch3[i][a]);
		rbm_train_apply(m2, rbm_train_gradient(t2, m2, v, r2, &sq),
				p.learning_rate);
		ck_assert(same_model(m1, m2));
		ck_assert(st.recon_error == sq / 3);
		ck_assert_uint_eq(st.rows, 3);
		ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
		gsl_matrix_float_free(v);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		rbm_trainer_free(t1);
		rbm_trainer_free(t2);
		rbm_free(m1);
		rbm_free(m2);
	}
	rbm_data_free(d);
}
END_TEST

/*
 * With more rows than a batch, an epoch shuffles the row order, starting
 * from file order each time, with the generator, then takes gradient +
 * update on consecutive batches of that order, the last one partial (10
 * rows in 4 + 4 + 2); the error is the sum over batches divided by the
 * rows.  Replayed by hand for two epochs, bit for bit.
 */
START_TEST(test_epoch_minibatches)
{
	const size_t n = 10, batch = 4;
	struct rbm_train_params p = { 0.25, batch };
	struct rbm_err err = { "" };
	struct rbm_data *d = sample_data(n);
	struct rbm *m1 = small_model(), *m2 = small_model();
	struct rbm_trainer *t1 = trainer(n, batch), *t2 = trainer(n, batch);
	gsl_rng *r1 = rbm_rng_alloc(8, &err), *r2 = rbm_rng_alloc(8, &err);
	gsl_matrix_float *v = gsl_matrix_float_alloc(batch, NV);
	struct rbm_epoch_stats st;
	size_t order[10], start, k, i;
	double sq = 0;
	int e;

	for (e = 0; e < 2; e++) {
		ck_assert_int_eq(rbm_train_epoch(t1, m1, d, &p, r1, &st, &err),
				 0);
		sq = 0;
		for (i = 0; i < n; i++)
			order[i] = i;
		gsl_ran_shuffle(r2, order, n, sizeof(order[0]));
		for (start = 0; start < n; start += k) {
			gsl_matrix_float_view vv;

			k = n - start < batch ? n - start : batch;
			vv = gsl_matrix_float_submatrix(v, 0, 0, k, NV);
			rbm_data_gather(d, order + start, k, &vv.matrix);
			rbm_train_apply(m2, rbm_train_gradient(t2, m2,
					&vv.matrix, r2, &sq), p.learning_rate);
		}
		ck_assert(same_model(m1, m2));
		ck_assert(st.recon_error == sq / (double)n);
		ck_assert_uint_eq(st.rows, n);
	}
	ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
	gsl_matrix_float_free(v);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_trainer_free(t1);
	rbm_trainer_free(t2);
	rbm_free(m1);
	rbm_free(m2);
	rbm_data_free(d);
}
END_TEST

/*
 * Training split across trainers (each `train` run allocates a new one)
 * equals one trainer's run of the same epochs: nothing but the
 * model and the generator carries from one epoch to the next.
 */
START_TEST(test_epoch_split_run)
{
	const size_t n = 11, batch = 3;
	struct rbm_train_params p = { 0.25, batch };
	struct rbm_err err = { "" };
	struct rbm_data *d = sample_data(n);
	struct rbm *m1 = small_model(), *m2 = small_model();
	struct rbm_trainer *t1 = trainer(n, batch), *t2;
	gsl_rng *r1 = rbm_rng_alloc(4, &err), *r2 = rbm_rng_alloc(4, &err);
	struct rbm_epoch_stats st1, st2;
	int e;

	for (e = 0; e < 4; e++)
		ck_assert_int_eq(rbm_train_epoch(t1, m1, d, &p, r1, &st1,
						 &err), 0);
	for (e = 0; e < 4; e++) {
		t2 = trainer(n, batch);		/* a new run every epoch */
		ck_assert_int_eq(rbm_train_epoch(t2, m2, d, &p, r2, &st2,
						 &err), 0);
		rbm_trainer_free(t2);
	}
	ck_assert(same_model(m1, m2));
	ck_assert(st1.recon_error == st2.recon_error);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_trainer_free(t1);
	rbm_free(m1);
	rbm_free(m2);
	rbm_data_free(d);
}
END_TEST

/* rbm_train_check_params: p must fail with exactly msg. */
static void assert_params_refused(double rate, size_t batch, const char *msg)
{
	struct rbm_train_params p = { rate, batch };
	struct rbm_err err = { "" };

	ck_assert_int_eq(rbm_train_check_params(&p, &err), -1);
	ck_assert_str_eq(err.msg, msg);
}

/*
 * A learning rate that is not a positive finite number, and a batch size
 * outside [1, 2^20], are refused with a message naming the value; the
 * boundaries are accepted.
 */
START_TEST(test_check_params)
{
	struct rbm_train_params ok[] = { { 1e-9, 1 }, { 0.1, 100 },
					 { 1e30, 1048576 } };
	size_t i;

	assert_params_refused(0, 10, "learning rate must be a positive number "
			      "(got 0)");
	assert_params_refused(-0.5, 10, "learning rate must be a positive "
			      "number (got -0.5)");
	assert_params_refused(NAN, 10, "learning rate must be a positive "
			      "number (got nan)");
	assert_params_refused(INFINITY, 10, "learning rate must be a positive "
			      "number (got inf)");
	assert_params_refused(0.1, 0, "batch size must be between 1 and "
			      "1048576 (got 0)");
	assert_params_refused(0.1, 1048577, "batch size must be between 1 and "
			      "1048576 (got 1048577)");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_int_eq(rbm_train_check_params(&ok[i], NULL), 0);
}
END_TEST

/* A trainer for no rows is refused. */
START_TEST(test_trainer_no_rows)
{
	struct rbm_train_params p = { 0.1, 10 };
	struct rbm_err err = { "" };

	ck_assert_ptr_null(rbm_trainer_alloc(NV, NH, 0, &p, &err));
	ck_assert_str_eq(err.msg, "no rows to train on");
	rbm_trainer_free(NULL);
}
END_TEST

/* The seed README's six users and six movies (data/movies.txt). */
static struct rbm_data *movies(void)
{
	static const float rows[6][6] = {
		{ 1, 1, 1, 0, 0, 0 }, { 1, 0, 1, 0, 0, 0 },
		{ 1, 1, 1, 0, 0, 0 }, { 0, 0, 1, 1, 1, 0 },
		{ 0, 0, 1, 1, 0, 0 }, { 0, 0, 1, 1, 1, 0 },
	};
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(6, &err);
	size_t i;

	for (i = 0; i < 6; i++)
		ck_assert_int_eq(rbm_data_append(d, rows[i], &err), 0);
	return d;
}

/*
 * Train a 6 x 2 model (seed 1, as `rbmcmd init 6 2 --seed 1`) on the
 * movies at rate, batch 100, for up to epochs epochs: the epoch (1-based)
 * that failed with its message in err, or 0 if none did.
 */
static int diverges_at(double rate, int epochs, struct rbm_err *err)
{
	struct rbm_train_params p = { rate, RBM_DEFAULT_BATCH_SIZE };
	struct rbm_data *d = movies();
	struct rbm_state *s = rbm_state_create(6, 2, &p, 1, err);
	struct rbm_trainer *t = rbm_trainer_alloc(6, 2, d->n, &p, err);
	struct rbm_epoch_stats st;
	int e, failed = 0;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(t);
	for (e = 1; e <= epochs && !failed; e++)
		if (rbm_train_epoch(t, s->model, d, &p, s->rng, &st, err) < 0)
			failed = e;
	rbm_trainer_free(t);
	rbm_state_free(s);
	rbm_data_free(d);
	return failed;
}

/*
 * A rate so large that the parameters overflow float (1e39 > FLT_MAX)
 * makes the first epoch fail, advising a smaller learning rate.
 */
START_TEST(test_divergence_overflow)
{
	struct rbm_err err = { "" };

	ck_assert_int_eq(diverges_at(1e39, 1, &err), 1);
	ck_assert_str_eq(err.msg, "training diverged: the parameters are no "
			 "longer finite or exceed 1e+06; try a smaller "
			 "learning rate than 1e+39");
}
END_TEST

/*
 * A huge learning rate (1e30) on the movies must be reported as
 * divergence advising a smaller learning rate (tests/errors.sh expects
 * it in epoch 1 of `train 20 1e30`).  Nothing overflows at that rate
 * (every sigmoid saturates and the weights stay near 5e29), so this is
 * what the RBM_MAX_PARAM bound in rbm_check_params is for.
 */
START_TEST(test_divergence_huge_rate)
{
	struct rbm_err err = { "" };
	int e = diverges_at(1e30, 20, &err);

	ck_assert_msg(e > 0, "rate 1e30 trained 20 epochs without error");
	ck_assert_int_eq(e, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "smaller learning rate"));
}
END_TEST

Suite *train_suite(void)
{
	Suite *s = suite_create("train");
	TCase *grad = tcase_create("gradient");
	TCase *epoch = tcase_create("epoch");
	TCase *check = tcase_create("checks");

	tcase_add_test(grad, test_gradient_by_definition);
	tcase_add_test(grad, test_gradient_partial_batch_view);
	tcase_add_test(grad, test_apply);
	suite_add_tcase(s, grad);

	tcase_add_test(epoch, test_epoch_reproducible);
	tcase_add_test(epoch, test_epoch_full_batch);
	tcase_add_test(epoch, test_epoch_minibatches);
	tcase_add_test(epoch, test_epoch_split_run);
	suite_add_tcase(s, epoch);

	tcase_add_test(check, test_check_params);
	tcase_add_test(check, test_trainer_no_rows);
	tcase_add_test(check, test_divergence_overflow);
	tcase_add_test(check, test_divergence_huge_rate);
	suite_add_tcase(s, check);
	return s;
}
