/*
 * test_rbm.c - the model: sizes, random start, the two conditionals on a
 * model small enough to work out by hand, Bernoulli sampling, and the
 * logistic and softplus functions at their extremes.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rbm.h"
#include "score.h"
#include "rng.h"
#include "unit.h"

#define TOL 1e-6

/*
 * The 3 x 2 model the hand computations below use:
 *   W = [ 0.5  -1   ]   b = [ 0.125 -0.25 0.375 ]   c = [ -0.5 0.25 ]
 *       [ 2     0.25]
 *       [-0.75  1.5 ]
 * Every value is a short binary fraction, so each logit is exact in float.
 */
static struct rbm *tiny_model(void)
{
	static const float w[6] = { 0.5f, -1, 2, 0.25f, -0.75f, 1.5f };
	static const float b[3] = { 0.125f, -0.25f, 0.375f };
	static const float c[2] = { -0.5f, 0.25f };

	return unit_model(3, 2, w, b, c);
}

/* rbm_alloc gives the sizes asked for and every parameter exactly zero. */
START_TEST(test_alloc_zero)
{
	struct rbm_err err = { "" };
	struct rbm *m = rbm_alloc(5, 4, &err);
	size_t i, j;

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nv, 5);
	ck_assert_uint_eq(m->nh, 4);
	ck_assert_uint_eq(m->w->size1, 5);
	ck_assert_uint_eq(m->w->size2, 4);
	ck_assert_uint_eq(m->b->size, 5);
	ck_assert_uint_eq(m->c->size, 4);
	for (i = 0; i < 5; i++) {
		for (j = 0; j < 4; j++)
			ck_assert(gsl_matrix_float_get(m->w, i, j) == 0.0f);
		ck_assert(gsl_vector_float_get(m->b, i) == 0.0f);
	}
	for (j = 0; j < 4; j++)
		ck_assert(gsl_vector_float_get(m->c, j) == 0.0f);
	ck_assert_str_eq(err.msg, "");
	rbm_free(m);
	rbm_free(NULL);
}
END_TEST

/*
 * p(h|v) = sigmoid(v W + c) for three rows, against the logits worked out
 * by hand (in the comments) and their logistic in double.
 */
START_TEST(test_hidden_probs_by_hand)
{
	static const float v[3][3] = { { 1, 0, 1 }, { 0, 1, 1 },
				       { 0.5f, 0.25f, 0 } };
	static const double want[3][2] = {
		/* s(0.5 - 0.75 - 0.5) = s(-0.75),
		 * s(-1 + 1.5 + 0.25) = s(0.75) */
		{ 0.32082130082460703, 0.67917869917539297 },
		/* s(2 - 0.75 - 0.5) = s(0.75), s(0.25 + 1.5 + 0.25) = s(2) */
		{ 0.67917869917539297, 0.88079707797788231 },
		/* s(0.25 + 0.5 - 0.5) = s(0.25),
		 * s(-0.5 + 1/16 + 1/4) = s(-0.1875) */
		{ 0.56217650088579807, 0.45326184801538616 },
	};
	struct rbm *m = tiny_model();
	gsl_matrix_float *vm = gsl_matrix_float_alloc(3, 3);
	gsl_matrix_float *ph = gsl_matrix_float_alloc(3, 2);
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			gsl_matrix_float_set(vm, i, j, v[i][j]);
	rbm_hidden_probs(m, vm, ph);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			ck_assert_double_eq_tol(gsl_matrix_float_get(ph, i, j),
						want[i][j], TOL);
	gsl_matrix_float_free(vm);
	gsl_matrix_float_free(ph);
	rbm_free(m);
}
END_TEST

/* p(v|h) = sigmoid(h W' + b) for four hidden rows, against hand values. */
START_TEST(test_visible_probs_by_hand)
{
	static const float h[4][2] = { { 1, 0 }, { 0, 1 }, { 1, 1 },
				       { 0, 0 } };
	static const double want[4][3] = {
		/* s(0.625), s(1.75), s(-0.375) */
		{ 0.65135486466605419, 0.85195280196831058,
		  0.40733340004593027 },
		/* s(-0.875), s(0), s(1.875) */
		{ 0.29421497216298875, 0.5, 0.86703575980217062 },
		/* s(-0.375), s(2), s(1.125) */
		{ 0.40733340004593027, 0.88079707797788231,
		  0.75491498686762826 },
		/* the biases alone: s(0.125), s(-0.25), s(0.375) */
		{ 0.53120937337375629, 0.43782349911420193,
		  0.59266659995406967 },
	};
	struct rbm *m = tiny_model();
	gsl_matrix_float *hm = gsl_matrix_float_alloc(4, 2);
	gsl_matrix_float *pv = gsl_matrix_float_alloc(4, 3);
	size_t i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			gsl_matrix_float_set(hm, i, j, h[i][j]);
	rbm_visible_probs(m, hm, pv);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++)
			ck_assert_double_eq_tol(gsl_matrix_float_get(pv, i, j),
						want[i][j], TOL);
	gsl_matrix_float_free(hm);
	gsl_matrix_float_free(pv);
	rbm_free(m);
}
END_TEST

/*
 * The conditionals work on views of larger matrices (row stride larger
 * than the width) and write nothing outside the output view.
 */
START_TEST(test_probs_on_views)
{
	struct rbm *m = tiny_model();
	gsl_matrix_float *big_v = gsl_matrix_float_alloc(4, 6);
	gsl_matrix_float *big_h = gsl_matrix_float_alloc(5, 7);
	gsl_matrix_float_view v = gsl_matrix_float_submatrix(big_v, 1, 2, 2, 3);
	gsl_matrix_float_view h = gsl_matrix_float_submatrix(big_h, 2, 3, 2, 2);
	size_t i, j;

	gsl_matrix_float_set_all(big_v, 0.75f);	/* not part of the input */
	gsl_matrix_float_set_all(big_h, -7);
	/* rows (1, 0, 1) and (0.5, 0.25, 0) of the hand computation */
	gsl_matrix_float_set(&v.matrix, 0, 0, 1);
	gsl_matrix_float_set(&v.matrix, 0, 1, 0);
	gsl_matrix_float_set(&v.matrix, 0, 2, 1);
	gsl_matrix_float_set(&v.matrix, 1, 0, 0.5f);
	gsl_matrix_float_set(&v.matrix, 1, 1, 0.25f);
	gsl_matrix_float_set(&v.matrix, 1, 2, 0);
	rbm_hidden_probs(m, &v.matrix, &h.matrix);
	ck_assert_double_eq_tol(gsl_matrix_float_get(&h.matrix, 0, 0),
				0.32082130082460703, TOL);
	ck_assert_double_eq_tol(gsl_matrix_float_get(&h.matrix, 0, 1),
				0.67917869917539297, TOL);
	ck_assert_double_eq_tol(gsl_matrix_float_get(&h.matrix, 1, 0),
				0.56217650088579807, TOL);
	ck_assert_double_eq_tol(gsl_matrix_float_get(&h.matrix, 1, 1),
				0.45326184801538616, TOL);
	for (i = 0; i < 5; i++)
		for (j = 0; j < 7; j++)
			if (i < 2 || i > 3 || j < 3 || j > 4)
				ck_assert(gsl_matrix_float_get(big_h, i, j)
					  == -7.0f);
	gsl_matrix_float_free(big_v);
	gsl_matrix_float_free(big_h);
	rbm_free(m);
}
END_TEST

/*
 * The logistic function is exact at 0, saturates to exactly 0 and 1 at
 * +-1000 and +-infinity (no NaN from inf/inf, no overflow), and keeps
 * relative precision far out on the negative side.
 */
/*
 * The float logistic against the double one at a million points of
 * [-100, 100] (steps of 2e-4, each nudged by an ulp so the points fall
 * on every part of the polynomial's range): within 2 ulp (relative error
 * 2.4e-7) wherever the result is a normal float; 0.5 at 0, 1 and tiny at
 * the extremes, NaN for NaN.
 */
START_TEST(test_logistic_accuracy)
{
	static float special[5] = { 0.0f, INFINITY, -INFINITY, 1e30f, NAN };
	double worst = 0;
	long i;

	for (i = -500000; i <= 500000; i++) {
		float x = (float)((double)i * 2e-4), y;
		double want, rel;
		x = nextafterf(x, (float)(i % 7) * 100.0f);
		want = rbm_sigmoid(x);
		y = x;
		rbm_logistic(&y, 1);
		rel = fabs(y - want) / want;
		if (want > 1e-37 && rel > worst)
			worst = rel;
		ck_assert_msg(y >= 0 && y <= 1, "logistic(%g) = %g", x, y);
	}
	ck_assert_msg(worst <= 2 * FLT_EPSILON, "relative error %g", worst);
	rbm_logistic(special, 5);
	ck_assert(special[0] == 0.5f);
	ck_assert(special[1] == 1.0f);
	ck_assert(special[2] < 1e-37f);
	ck_assert(special[3] == 1.0f);
	ck_assert(isnan(special[4]));
}
END_TEST

START_TEST(test_sigmoid_extremes)
{
	ck_assert(rbm_sigmoid(0) == 0.5);
	ck_assert(rbm_sigmoid(1000) == 1.0);
	ck_assert(rbm_sigmoid(-1000) == 0.0);
	ck_assert(rbm_sigmoid(INFINITY) == 1.0);
	ck_assert(rbm_sigmoid(-INFINITY) == 0.0);
	ck_assert(rbm_sigmoid(DBL_MAX) == 1.0);
	ck_assert(rbm_sigmoid(-DBL_MAX) == 0.0);
	/* e^-40 / (1 + e^-40): 1 - s(40) would have lost every digit */
	ck_assert_double_eq_tol(rbm_sigmoid(-40) / 4.2483542552915889e-18,
				1.0, 1e-12);
	ck_assert_double_eq_tol(rbm_sigmoid(2), 0.88079707797788231, 1e-15);
	ck_assert_double_eq_tol(rbm_sigmoid(-2), 1 - 0.88079707797788231,
				1e-15);
}
END_TEST

/*
 * softplus(x) = log(1 + e^x) is x for large x (no overflow to inf at
 * 1000), 0 at -1000 and -infinity, +infinity only at +infinity, and
 * accurate where e^x is tiny (log1p) and at 0 (log 2).
 */
START_TEST(test_softplus_extremes)
{
	ck_assert(rbm_softplus(1000) == 1000.0);
	ck_assert(rbm_softplus(-1000) == 0.0);
	ck_assert(rbm_softplus(-INFINITY) == 0.0);
	ck_assert(isinf(rbm_softplus(INFINITY)) && rbm_softplus(INFINITY) > 0);
	ck_assert(isfinite(rbm_softplus(DBL_MAX)));
	ck_assert_double_eq_tol(rbm_softplus(0), 0.69314718055994529, 1e-15);
	ck_assert_double_eq_tol(rbm_softplus(-40) / 4.2483542552915889e-18,
				1.0, 1e-12);
	ck_assert(rbm_softplus(40) == 40.0);
	/* softplus(x) - softplus(-x) = x */
	ck_assert_double_eq_tol(rbm_softplus(3) - rbm_softplus(-3), 3.0,
				1e-14);
}
END_TEST

/*
 * rbm_check_size refuses empty layers and sizes past the limits with the
 * documented messages, and accepts the largest allowed sizes; rbm_alloc
 * fails with the same message (the size check, not an out-of-memory
 * failure, so nothing was allocated first).
 */
START_TEST(test_check_size)
{
	struct rbm_err err = { "" };

	ck_assert_int_eq(rbm_check_size(0, 5, &err), -1);
	ck_assert_str_eq(err.msg, "a model needs at least one visible and "
			 "one hidden unit (got 0 x 5)");
	ck_assert_int_eq(rbm_check_size(5, 0, &err), -1);
	ck_assert_str_eq(err.msg, "a model needs at least one visible and "
			 "one hidden unit (got 5 x 0)");
	ck_assert_int_eq(rbm_check_size(100000000, 100000000, &err), -1);
	ck_assert_str_eq(err.msg, "a 100000000 x 100000000 model is too large "
			 "(at most 16777216 units a layer, 1073741824 "
			 "weights)");
	ck_assert_ptr_null(rbm_alloc(100000000, 100000000, &err));
	ck_assert_str_eq(err.msg, "a 100000000 x 100000000 model is too large "
			 "(at most 16777216 units a layer, 1073741824 "
			 "weights)");
	ck_assert_ptr_null(rbm_alloc(0, 1, &err));
	ck_assert_str_eq(err.msg, "a model needs at least one visible and "
			 "one hidden unit (got 0 x 1)");
	/* each layer within its limit, but too many weights together */
	ck_assert_int_eq(rbm_check_size(1UL << 20, 1UL << 11, &err), -1);
	ck_assert_int_eq(rbm_check_size(1UL << 24, 1UL << 24, &err), -1);
	/* a product that would overflow size_t must not wrap to "small" */
	ck_assert_int_eq(rbm_check_size(SIZE_MAX, 2, &err), -1);
	ck_assert_int_eq(rbm_check_size(2, SIZE_MAX, &err), -1);
	ck_assert_int_eq(rbm_check_size(RBM_MAX_UNITS + 1, 1, &err), -1);
	/* the limits themselves are allowed */
	ck_assert_int_eq(rbm_check_size(RBM_MAX_UNITS, 1, NULL), 0);
	ck_assert_int_eq(rbm_check_size(1, RBM_MAX_UNITS, NULL), 0);
	ck_assert_int_eq(rbm_check_size(1UL << 15, 1UL << 15, NULL), 0);
	ck_assert_int_eq(rbm_check_size(1, 1, NULL), 0);
}
END_TEST

/*
 * rbm_init_random draws W[i][j] = (2u - 1) r, r = 0.1 sqrt(6 / (NV + NH)),
 * row-major from the generator (replayed here), so every weight lies in
 * [-r, r] and the extremes come close to +-r; it zeroes both biases.
 */
START_TEST(test_init_random_range)
{
	const size_t nv = 30, nh = 20;
	const double r = 0.1 * sqrt(6.0 / (double)(nv + nh));
	struct rbm_err err = { "" };
	struct rbm *m = rbm_alloc(nv, nh, &err);
	gsl_rng *rng = rbm_rng_alloc(11, &err);
	gsl_rng *ref = rbm_rng_alloc(11, &err);
	double lo = 0, hi = 0;
	size_t i, j;

	gsl_vector_float_set_all(m->b, 3);	/* must be reset */
	gsl_vector_float_set_all(m->c, -3);
	rbm_init_random(m, rng);
	for (i = 0; i < nv; i++) {
		for (j = 0; j < nh; j++) {
			double w = gsl_matrix_float_get(m->w, i, j);
			float want = (float)((2.0 * gsl_rng_uniform(ref) - 1.0)
					     * r);
			ck_assert(w == want);
			ck_assert(fabs(w) <= (float)r);
			lo = w < lo ? w : lo;
			hi = w > hi ? w : hi;
		}
		ck_assert(gsl_vector_float_get(m->b, i) == 0.0f);
	}
	for (j = 0; j < nh; j++)
		ck_assert(gsl_vector_float_get(m->c, j) == 0.0f);
	/* 600 uniform draws: both ends reached to within 2 % of r */
	ck_assert(lo < -0.98 * r);
	ck_assert(hi > 0.98 * r);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
	rbm_free(m);
}
END_TEST

/*
 * The bytes of block 0's stream for the next rbm_sample call on rng
 * (unit.h says how it is made), without moving rng.
 */
static void stream_bytes(const gsl_rng *rng, unsigned char *out, size_t n)
{
	gsl_rng *copy = gsl_rng_clone(rng);
	uint64_t x = unit_splitmix(unit_sample_key(copy) + UNIT_GOLDEN), w = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0) {
			x += UNIT_GOLDEN;
			w = unit_splitmix(x);
		}
		out[i] = (unsigned char)(w >> (8 * (i % 8)));
	}
	gsl_rng_free(copy);
}

/*
 * Draws on the edges, with probabilities made from the bytes the draws
 * will see (first bytes f0..f6 of the seven draws, then the bytes of the
 * three left open, in order): p = f0/256 needs u < f0 * 2^24, so a first
 * byte f0 gives 0 (nothing left below); (f1+1)/256 gives 1 on the first
 * byte; p = 1 and p = 0 give 1 and 0 whatever their byte; then three
 * open draws: one settled to 1 by its second byte, one whose second byte
 * equals its threshold's with nothing below (0), and one settled to 1 by
 * its third byte.  Every p is a multiple of 2^-24, exact in a float.
 */
START_TEST(test_sample_boundaries)
{
	struct rbm_err err = { "" };
	gsl_rng *rng = rbm_rng_alloc(4, &err);
	gsl_rng *ref = rbm_rng_alloc(4, &err);
	gsl_matrix_float *pm = gsl_matrix_float_alloc(1, 7);
	gsl_matrix_float *s = gsl_matrix_float_alloc(1, 7);
	static const float want[7] = { 0, 1, 1, 0, 1, 0, 1 };
	unsigned char f[11];
	double p[7];
	size_t i;

	stream_bytes(rng, f, sizeof(f));
	ck_assert(f[0] > 0 && f[1] < 255 && f[7] < 255 && f[10] < 255);
	p[0] = f[0] / 256.0;
	p[1] = (f[1] + 1) / 256.0;
	p[2] = 1;
	p[3] = 0;
	p[4] = (f[4] * 256.0 + f[7] + 1) / 65536.0;
	p[5] = (f[5] * 256.0 + f[8]) / 65536.0;
	p[6] = (f[6] * 65536.0 + f[9] * 256.0 + f[10] + 1) / 16777216.0;
	for (i = 0; i < 7; i++)
		gsl_matrix_float_set(pm, 0, i, (float)p[i]);
	rbm_sample(pm, s, rng);
	for (i = 0; i < 7; i++)
		ck_assert_msg(gsl_matrix_float_get(s, 0, i) == want[i],
			      "draw %zu, p = %.9g", i, p[i]);
	unit_sample_key(ref);	/* a call takes two words, whatever it draws */
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(pm);
	gsl_matrix_float_free(s);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
}
END_TEST

/*
 * Rows longer than a segment, with every kind of probability (0, 1,
 * multiples of 2^-8 that settle on their first byte, and values that
 * often need more), on a view narrower than its matrix: the draws are
 * the reference's, and both end at the same place in the stream.
 */
START_TEST(test_sample_long_rows)
{
	const size_t rows = 3, cols = 2 * UNIT_SEGMENT + 77;
	struct rbm_err err = { "" };
	gsl_rng *rng = rbm_rng_alloc(11, &err);
	gsl_rng *ref = rbm_rng_alloc(11, &err);
	gsl_matrix_float *big = gsl_matrix_float_alloc(rows, cols + 5);
	gsl_matrix_float_view p = gsl_matrix_float_submatrix(big, 0, 2, rows,
							     cols);
	double *pd = malloc(rows * cols * sizeof(double));
	double *sd = malloc(rows * cols * sizeof(double));
	size_t i, j;

	for (i = 0; i < rows * cols; i++) {
		float x = i % 5 == 0 ? 0.0f : i % 5 == 1 ? 1.0f :
			  i % 5 == 2 ? (float)(i % 256) / 256 :
			  (float)((i * 2654435761u) % 1000003) / 1000003.0f;
		pd[i] = x;
		gsl_matrix_float_set(&p.matrix, i / cols, i % cols, x);
	}
	unit_sample(ref, pd, sd, rows, cols);
	rbm_sample(&p.matrix, &p.matrix, rng);
	for (i = 0; i < rows; i++)
		for (j = 0; j < cols; j++)
			ck_assert_msg(gsl_matrix_float_get(&p.matrix, i, j) ==
				      (float)sd[i * cols + j],
				      "row %zu col %zu", i, j);
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(big);
	free(pd);
	free(sd);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
}
END_TEST

/* Probabilities 0 and 1 give exactly 0 and 1 whatever the draws. */
START_TEST(test_sample_certain)
{
	struct rbm_err err = { "" };
	gsl_rng *rng = rbm_rng_alloc(3, &err);
	gsl_matrix_float *p = gsl_matrix_float_alloc(50, 40);
	gsl_matrix_float *s = gsl_matrix_float_alloc(50, 40);
	size_t i, j;

	for (i = 0; i < 50; i++)
		for (j = 0; j < 40; j++)
			gsl_matrix_float_set(p, i, j, (float)((i + j) % 2));
	gsl_matrix_float_set_all(s, 0.5f);
	rbm_sample(p, s, rng);
	for (i = 0; i < 50; i++)
		for (j = 0; j < 40; j++)
			ck_assert(gsl_matrix_float_get(s, i, j) ==
				  (float)((i + j) % 2));
	gsl_matrix_float_free(p);
	gsl_matrix_float_free(s);
	gsl_rng_free(rng);
}
END_TEST

/*
 * With p = 0.3 the frequency of ones over 100000 draws is within 4.5
 * standard deviations (sqrt(0.3 * 0.7 / 100000) = 0.00145) of 0.3; and
 * the draws, row-major, are those of the reference (unit_bernoulli) on a
 * second generator with the same seed (in place, s = p), which ends
 * where the library's ends.
 */
START_TEST(test_sample_frequency)
{
	const size_t rows = 200, cols = 500;
	struct rbm_err err = { "" };
	gsl_rng *rng = rbm_rng_alloc(5, &err);
	gsl_rng *ref = rbm_rng_alloc(5, &err);
	gsl_matrix_float *p = gsl_matrix_float_alloc(rows, cols);
	double ones = 0, freq;
	double *pd = malloc(rows * cols * sizeof(double));
	double *sd = malloc(rows * cols * sizeof(double));
	size_t i, j, bad = 0;

	for (i = 0; i < rows * cols; i++)
		pd[i] = 0.3f;
	unit_sample(ref, pd, sd, rows, cols);
	gsl_matrix_float_set_all(p, 0.3f);
	rbm_sample(p, p, rng);
	for (i = 0; i < rows; i++) {
		for (j = 0; j < cols; j++) {
			float x = gsl_matrix_float_get(p, i, j);
			float want = (float)sd[i * cols + j];
			bad += x != want;
			ones += x;
		}
	}
	ck_assert_uint_eq(bad, 0);
	freq = ones / (double)(rows * cols);
	ck_assert_double_eq_tol(freq, 0.3, 4.5 * 0.00145);
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(p);
	free(pd);
	free(sd);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
}
END_TEST

/*
 * One Gibbs step is exactly: p(h|v), sample h, p(v|h), sample v, in that
 * order on one generator (replayed with the public pieces).
 */
START_TEST(test_gibbs_step_replay)
{
	struct rbm_err err = { "" };
	struct rbm *m = tiny_model();
	gsl_rng *rng = rbm_rng_alloc(9, &err);
	gsl_rng *ref = rbm_rng_alloc(9, &err);
	gsl_matrix_float *v = gsl_matrix_float_alloc(4, 3);
	gsl_matrix_float *h = gsl_matrix_float_alloc(4, 2);
	gsl_matrix_float *v2 = gsl_matrix_float_alloc(4, 3);
	gsl_matrix_float *h2 = gsl_matrix_float_alloc(4, 2);
	size_t i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++)
			gsl_matrix_float_set(v, i, j, (float)((i + j) % 2));
	gsl_matrix_float_memcpy(v2, v);
	rbm_gibbs_step(m, v, h, rng);
	rbm_hidden_probs(m, v2, h2);
	rbm_sample(h2, h2, ref);
	rbm_visible_probs(m, h2, v2);
	rbm_sample(v2, v2, ref);
	ck_assert(gsl_matrix_float_equal(v, v2));
	ck_assert(gsl_matrix_float_equal(h, h2));
	ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(ref));
	gsl_matrix_float_free(v);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(v2);
	gsl_matrix_float_free(h2);
	gsl_rng_free(rng);
	gsl_rng_free(ref);
	rbm_free(m);
}
END_TEST

/* rbm_copy makes dst equal to src in every parameter. */
START_TEST(test_copy)
{
	struct rbm_err err = { "" };
	struct rbm *src = tiny_model();
	struct rbm *dst = rbm_alloc(3, 2, &err);

	rbm_copy(dst, src);
	ck_assert(gsl_matrix_float_equal(dst->w, src->w));
	ck_assert(gsl_vector_float_equal(dst->b, src->b));
	ck_assert(gsl_vector_float_equal(dst->c, src->c));
	rbm_free(src);
	rbm_free(dst);
}
END_TEST

/*
 * rbm_check_params accepts a finite model and finds one NaN, infinity or
 * parameter beyond RBM_MAX_PARAM anywhere: first and last weight, either
 * bias vector; RBM_MAX_PARAM itself is fine.
 */
START_TEST(test_check_finite)
{
	struct rbm *m = tiny_model();

	ck_assert_int_eq(rbm_check_params(m), 0);
	gsl_matrix_float_set(m->w, 0, 0, NAN);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_matrix_float_set(m->w, 0, 0, 0.5f);
	gsl_matrix_float_set(m->w, 2, 1, NAN);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_matrix_float_set(m->w, 2, 1, -INFINITY);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_matrix_float_set(m->w, 2, 1, 1.5f);
	ck_assert_int_eq(rbm_check_params(m), 0);
	gsl_vector_float_set(m->b, 2, NAN);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_vector_float_set(m->b, 2, 0);
	gsl_vector_float_set(m->c, 1, INFINITY);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_vector_float_set(m->c, 1, FLT_MAX);
	ck_assert_int_eq(rbm_check_params(m), -1);
	gsl_vector_float_set(m->c, 1, -1e6f);
	ck_assert_int_eq(rbm_check_params(m), 0);
	gsl_vector_float_set(m->c, 1, 1.01e6f);
	ck_assert_int_eq(rbm_check_params(m), -1);
	rbm_free(m);
}
END_TEST

/*
 * -log sum over the 2^nh hidden states h of exp(-E(v, h)), with
 * E = -b.v - c.h - v'Wh, summed from the largest term down (log-sum-exp)
 * so that huge energies do not overflow; v has m->nv values.
 */
static double brute_free_energy(const struct rbm *m, const float *v)
{
	double neg_e[4], top = -INFINITY, sum = 0;
	size_t h, i, j;

	ck_assert_uint_eq(m->nh, 2);
	for (h = 0; h < 4; h++) {
		double x = 0;
		for (i = 0; i < m->nv; i++)
			x += (double)gsl_vector_float_get(m->b, i) * v[i];
		for (j = 0; j < 2; j++) {
			if (!(h >> j & 1))
				continue;
			x += gsl_vector_float_get(m->c, j);
			for (i = 0; i < m->nv; i++)
				x += (double)gsl_matrix_float_get(m->w, i, j) *
				     v[i];
		}
		neg_e[h] = x;
		if (x > top)
			top = x;
	}
	for (h = 0; h < 4; h++)
		sum += exp(neg_e[h] - top);
	return -(top + log(sum));
}

/*
 * rbm_score_free_energy equals the brute-force -log sum_h exp(-E(v, h)) over
 * the four hidden states of the 3 x 2 model, for binary and fractional
 * rows given as a view inside a wider matrix, with a scratch view, and
 * writes no more than n results; with the parameters scaled by 400 (the
 * hidden logits near 1000, where exp overflows) it stays finite and
 * right.
 */
START_TEST(test_free_energy_brute_force)
{
	static const float rows[5][3] = { { 1, 0, 1 }, { 0, 1, 1 },
					  { 0.5f, 0.25f, 0 }, { 0, 0, 0 },
					  { 1, 1, 1 } };
	struct rbm *m = tiny_model();
	gsl_matrix_float *wide = gsl_matrix_float_alloc(7, 6);
	gsl_matrix_float *big = gsl_matrix_float_alloc(8, 5);
	gsl_matrix_float_view v = gsl_matrix_float_submatrix(wide, 1, 2, 5, 3);
	gsl_matrix_float_view h = gsl_matrix_float_submatrix(big, 2, 1, 5, 2);
	double out[6];
	size_t i, j;
	int scaled;

	/* the sum itself, by hand: v = 0 leaves the hidden biases alone */
	ck_assert_double_eq_tol(brute_free_energy(m, rows[3]),
				-log1p(exp(-0.5)) - log1p(exp(0.25)), 1e-12);
	gsl_matrix_float_set_all(wide, 0.75f);	/* not part of the input */
	for (i = 0; i < 5; i++)
		for (j = 0; j < 3; j++)
			gsl_matrix_float_set(&v.matrix, i, j, rows[i][j]);
	for (scaled = 0; scaled < 2; scaled++) {
		if (scaled) {
			gsl_matrix_float_scale(m->w, 400);
			gsl_vector_float_scale(m->b, 400);
			gsl_vector_float_scale(m->c, 400);
		}
		out[5] = 12345;
		rbm_score_free_energy(m, &v.matrix, &h.matrix, out);
		for (i = 0; i < 5; i++) {
			double want = brute_free_energy(m, rows[i]);
			ck_assert_msg(isfinite(out[i]), "row %zu: %g", i,
				      out[i]);
			ck_assert_msg(fabs(out[i] - want) <=
				      TOL * (1 + fabs(want)),
				      "row %zu: %.12g, want %.12g", i, out[i],
				      want);
		}
		ck_assert(out[5] == 12345);
	}
	gsl_matrix_float_free(wide);
	gsl_matrix_float_free(big);
	rbm_free(m);
}
END_TEST

Suite *rbm_suite(void)
{
	Suite *s = suite_create("rbm");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_alloc_zero);
	tcase_add_test(tc, test_hidden_probs_by_hand);
	tcase_add_test(tc, test_visible_probs_by_hand);
	tcase_add_test(tc, test_probs_on_views);
	tcase_add_test(tc, test_sigmoid_extremes);
	tcase_add_test(tc, test_logistic_accuracy);
	tcase_add_test(tc, test_softplus_extremes);
	tcase_add_test(tc, test_check_size);
	tcase_add_test(tc, test_init_random_range);
	tcase_add_test(tc, test_sample_boundaries);
	tcase_add_test(tc, test_sample_certain);
	tcase_add_test(tc, test_sample_frequency);
	tcase_add_test(tc, test_sample_long_rows);
	tcase_add_test(tc, test_gibbs_step_replay);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_check_finite);
	tcase_add_test(tc, test_free_energy_brute_force);
	suite_add_tcase(s, tc);
	return s;
}
