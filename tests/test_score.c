/*
 * test_score.c - the score module against formulas written out here in
 * the plainest way: brute-force sums over every (v, h) pair, closed forms
 * of models without weights, and probabilities that must add up to one.
 * Each test would fail by far more than its tolerance if a formula were
 * wrong (a missing bias, a factor 2^NH, a sign, a transposed weight).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "rbm.h"
#include "score.h"
#include "unit.h"

/* ---- helpers ---- */

/* -E(v, h) = b.v + c.h + v'Wh for real v and the hidden state number h. */
static double neg_energy(const struct rbm *m, const double *v,
			 unsigned long h)
{
	double e = 0;
	size_t i, j;

	for (j = 0; j < m->nh; j++)
		e += gsl_vector_float_get(m->c, j) * unit_bit(h, j);
	for (i = 0; i < m->nv; i++) {
		e += gsl_vector_float_get(m->b, i) * v[i];
		for (j = 0; j < m->nh; j++)
			e += v[i] * gsl_matrix_float_get(m->w, i, j) *
			     unit_bit(h, j);
	}
	return e;
}

/* -log sum_h exp(-E(v, h)): the free energy by brute force. */
static double brute_free_energy(const struct rbm *m, const double *v)
{
	double s = 0;
	unsigned long h;

	for (h = 0; h < 1UL << m->nh; h++)
		s += exp(neg_energy(m, v, h));
	return -log(s);
}

/* log sum_{v,h} exp(-E(v, h)) by brute force (small models only). */
static double brute_log_z(const struct rbm *m)
{
	double v[16], s = 0;
	unsigned long n, h;
	size_t i;

	ck_assert_uint_le(m->nv, 16);
	for (n = 0; n < 1UL << m->nv; n++) {
		for (i = 0; i < m->nv; i++)
			v[i] = unit_bit(n, i);
		for (h = 0; h < 1UL << m->nh; h++)
			s += exp(neg_energy(m, v, h));
	}
	return log(s);
}

/* Every visible state, one a row: a 2^NV x NV matrix. */
static gsl_matrix_float *all_visible(size_t nv)
{
	gsl_matrix_float *v = gsl_matrix_float_alloc(1UL << nv, nv);
	unsigned long n;
	size_t i;

	for (n = 0; n < 1UL << nv; n++)
		for (i = 0; i < nv; i++)
			gsl_matrix_float_set(v, n, i, (float)unit_bit(n, i));
	return v;
}

/* log Z of m by enumerating layer, which must succeed. */
static double log_z_by(const struct rbm *m, enum rbm_layer layer)
{
	struct rbm_err err = { "" };
	double z = NAN;

	ck_assert_msg(rbm_score_log_z_layer(m, layer, 20, &z, &err) == 0,
		      "%s", err.msg);
	return z;
}

/* Hand-set models whose weights, biases and sums are exact in float. */
static const float w32[] = { 1.5f, -2.0f, 0.25f, 1.0f, -0.75f, 0.5f };
static const float b3[] = { -0.5f, 1.25f, 0.125f };
static const float c2[] = { 0.75f, -1.5f };
static const float w24[] = { 2.0f, -1.0f, 0.5f, -0.25f,
			     -1.5f, 0.75f, 1.0f, 3.0f };
static const float b2[] = { 0.5f, -1.0f };
static const float c4[] = { -0.5f, 0.25f, 1.0f, -2.0f };

/*
 * log of the unnormalised marginal of state number st of the visible
 * layer (hidden 0) or of the hidden layer (hidden 1), the other layer
 * summed out term by term: log sum_o exp(-E).
 */
static double marginal(const struct rbm *m, int hidden, unsigned long st)
{
	size_t o = hidden ? m->nv : m->nh, k;
	double lin = 0, sp = 0;
	size_t i;

	for (i = 0; i < (hidden ? m->nh : m->nv); i++)
		lin += unit_bit(st, i) *
		       gsl_vector_float_get(hidden ? m->c : m->b, i);
	for (k = 0; k < o; k++) {
		double in = gsl_vector_float_get(hidden ? m->b : m->c, k);
		for (i = 0; i < (hidden ? m->nh : m->nv); i++)
			in += unit_bit(st, i) * (hidden ?
				gsl_matrix_float_get(m->w, k, i) :
				gsl_matrix_float_get(m->w, i, k));
		sp += log1p(exp(in));
	}
	return lin + sp;
}

/* log Z by summing marginal over the smaller layer (<= 16 units). */
static double brute_log_z_small(const struct rbm *m)
{
	int hidden = m->nh <= m->nv;
	unsigned long st, n = 1UL << (hidden ? m->nh : m->nv);
	double max = -INFINITY, s = 0;

	for (st = 0; st < n; st++)
		if (marginal(m, hidden, st) > max)
			max = marginal(m, hidden, st);
	for (st = 0; st < n; st++)
		s += exp(marginal(m, hidden, st) - max);
	return max + log(s);
}

/* ---- free energy and reconstruction ---- */

/* F(v) of binary and fractional rows equals -log sum_h exp(-E(v, h)). */
START_TEST(test_free_energy_brute_force)
{
	struct rbm *m = unit_random_model(5, 4, 1.5, 11);
	gsl_matrix_float *v = all_visible(5);
	gsl_matrix_float *work = gsl_matrix_float_alloc(40, 4);
	double f[32], row[5];
	size_t n, i;

	rbm_score_free_energy(m, v, work, f);
	for (n = 0; n < 32; n++) {
		for (i = 0; i < 5; i++)
			row[i] = gsl_matrix_float_get(v, n, i);
		ck_assert_double_eq_tol(f[n], brute_free_energy(m, row),
					1e-5);
	}
	for (i = 0; i < 5; i++)
		gsl_matrix_float_set(v, 0, i, (float)(row[i] = 0.25 * i));
	rbm_score_free_energy(m, v, work, f);
	ck_assert_double_eq_tol(f[0], brute_free_energy(m, row), 1e-5);
	gsl_matrix_float_free(work);
	gsl_matrix_float_free(v);
	rbm_free(m);
}
END_TEST

/* With no weights and no biases, F(v) = -NH log 2 for every v. */
START_TEST(test_free_energy_zero_model)
{
	struct rbm *m = rbm_alloc(3, 7, NULL);
	gsl_matrix_float *v = all_visible(3);
	gsl_matrix_float *work = gsl_matrix_float_alloc(8, 7);
	double f[8];
	size_t n;

	rbm_score_free_energy(m, v, work, f);
	for (n = 0; n < 8; n++)
		ck_assert_double_eq_tol(f[n], -7 * log(2.0), 1e-12);
	gsl_matrix_float_free(work);
	gsl_matrix_float_free(v);
	rbm_free(m);
}
END_TEST

/* A reconstruction is sigmoid(b + W sigmoid(c + vW)), written out. */
START_TEST(test_reconstruct)
{
	struct rbm *m = unit_model(3, 2, w32, b3, c2);
	gsl_matrix_float *v = all_visible(3);
	gsl_matrix_float *h = gsl_matrix_float_alloc(8, 2);
	gsl_matrix_float *out = gsl_matrix_float_alloc(8, 3);
	double ph[2], want;
	size_t n, i, j;

	rbm_score_reconstruct(m, v, h, out);
	for (n = 0; n < 8; n++) {
		for (j = 0; j < 2; j++) {
			double x = c2[j];
			for (i = 0; i < 3; i++)
				x += unit_bit(n, i) * w32[i * 2 + j];
			ph[j] = 1 / (1 + exp(-x));
		}
		for (i = 0; i < 3; i++) {
			want = 1 / (1 + exp(-(b3[i] + w32[i * 2] * ph[0] +
					      w32[i * 2 + 1] * ph[1])));
			ck_assert_double_eq_tol(gsl_matrix_float_get(out, n, i),
						want, 1e-6);
		}
	}
	rbm_score_reconstruct(m, v, h, v);	/* in place */
	ck_assert_int_eq(gsl_matrix_float_equal(v, out), 1);
	gsl_matrix_float_free(out);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(v);
	rbm_free(m);
}
END_TEST

/* ---- exact log Z ---- */

/* 3 x 2 (sums over the hidden layer): log Z equals the brute force. */
START_TEST(test_log_z_3x2)
{
	struct rbm *m = unit_model(3, 2, w32, b3, c2);
	struct rbm_err err;
	double z = NAN;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, &err), 0);
	ck_assert_double_eq_tol(z, brute_log_z(m), 1e-12);
	ck_assert_double_eq_tol(log_z_by(m, RBM_VISIBLE), z, 1e-12);
	rbm_free(m);
}
END_TEST

/* 2 x 4 (sums over the visible layer): log Z equals the brute force. */
START_TEST(test_log_z_2x4)
{
	struct rbm *m = unit_model(2, 4, w24, b2, c4);
	struct rbm_err err;
	double z = NAN;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, &err), 0);
	ck_assert_double_eq_tol(z, brute_log_z(m), 1e-12);
	ck_assert_double_eq_tol(log_z_by(m, RBM_HIDDEN), z, 1e-12);
	rbm_free(m);
}
END_TEST

/*
 * A random 5 x 6 model: summing over either layer gives one log Z, and
 * the brute force agrees.
 */
START_TEST(test_log_z_layers_agree)
{
	struct rbm *m = unit_random_model(5, 6, 2.0, 3);
	double zv = log_z_by(m, RBM_VISIBLE), zh = log_z_by(m, RBM_HIDDEN);

	ck_assert_double_eq_tol(zv, zh, 1e-10);
	ck_assert_double_eq_tol(zv, brute_log_z(m), 1e-10);
	rbm_free(m);
}
END_TEST

/*
 * Layers of 12 and 14 units: the enumeration splits states into a low
 * part of 10 units and a high part, which both orders must get right.
 */
START_TEST(test_log_z_split_states)
{
	struct rbm *m = unit_random_model(12, 14, 0.5, 8);
	double zv = log_z_by(m, RBM_VISIBLE), zh = log_z_by(m, RBM_HIDDEN);

	ck_assert_double_eq_tol(zv, zh, 1e-9);
	rbm_free(m);
}
END_TEST

/* Without weights, Z = prod_i (1 + e^b_i) prod_j (1 + e^c_j). */
START_TEST(test_log_z_no_weights)
{
	struct rbm *m = rbm_alloc(13, 11, NULL);
	double want = 0, z;
	size_t i;

	for (i = 0; i < 13; i++) {
		gsl_vector_float_set(m->b, i, (float)i - 6.5f);
		want += log1p(exp((double)i - 6.5));
	}
	for (i = 0; i < 11; i++) {
		gsl_vector_float_set(m->c, i, 0.5f * (float)i);
		want += log1p(exp(0.5 * (double)i));
	}
	z = log_z_by(m, RBM_VISIBLE);
	ck_assert_double_eq_tol(z, want, 1e-10);
	ck_assert_double_eq_tol(log_z_by(m, RBM_HIDDEN), want, 1e-10);
	rbm_free(m);
}
END_TEST

/*
 * exp(log p(v)) over all 2^NV visible vectors adds up to 1 (weights exact
 * in float, so the sgemm in F adds no rounding), and the mean of the
 * rows' log-likelihoods is what rbm_score_sums_loglik reports.
 */
START_TEST(test_loglik_sums_to_one)
{
	struct rbm *m = unit_model(3, 2, w32, b3, c2);
	struct rbm_score_sums *s = rbm_score_sums_alloc(3, NULL);
	gsl_matrix_float *v = all_visible(3);
	gsl_matrix_float *work = gsl_matrix_float_alloc(8, 2);
	double f[8], z, total = 0, mean = 0;
	size_t n;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
	rbm_score_free_energy(m, v, work, f);
	for (n = 0; n < 8; n++) {
		total += exp(-f[n] - z);
		mean += (-f[n] - z) / 8;
	}
	ck_assert_double_eq_tol(total, 1.0, 1e-9);
	rbm_score_sums_add(s, v, f);
	ck_assert_uint_eq(s->rows, 8);
	ck_assert_double_eq_tol(rbm_score_sums_loglik(s, z), mean, 1e-12);
	ck_assert_double_eq(gsl_vector_get(s->col, 2), 4.0);
	rbm_score_sums_free(s);
	gsl_matrix_float_free(work);
	gsl_matrix_float_free(v);
	rbm_free(m);
}
END_TEST

/* The same with random weights: only float rounding (1e-7) is left. */
START_TEST(test_loglik_sums_to_one_random)
{
	struct rbm *m = unit_random_model(6, 9, 1.0, 21);
	gsl_matrix_float *v = all_visible(6);
	gsl_matrix_float *work = gsl_matrix_float_alloc(64, 9);
	double f[64], z, total = 0;
	size_t n;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
	rbm_score_free_energy(m, v, work, f);
	for (n = 0; n < 64; n++)
		total += exp(-f[n] - z);
	ck_assert_double_eq_tol(total, 1.0, 1e-5);
	gsl_matrix_float_free(work);
	gsl_matrix_float_free(v);
	rbm_free(m);
}
END_TEST

/* Too many units for the limit: a refusal with a message, no result. */
START_TEST(test_log_z_refuses)
{
	struct rbm *m = rbm_alloc(33, 22, NULL);
	struct rbm_err err = { "" };
	double z = 42;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, &err), -1);
	ck_assert_str_eq(err.msg, "exact log Z over the 22 hidden units "
			 "needs 2^22 terms; the limit is 20 units");
	ck_assert_double_eq(z, 42);
	ck_assert_int_eq(rbm_score_log_z_layer(m, RBM_VISIBLE, 40, &z, &err),
			 -1);
	ck_assert_str_eq(err.msg, "exact log Z over the 33 visible units "
			 "needs 2^33 terms; the limit is 30 units");
	rbm_free(m);
}
END_TEST

/* ---- AIS ---- */

/* The schedule: 0 to 1, the paper's breakpoints and steps, monotone. */
START_TEST(test_ais_beta)
{
	const unsigned long ns[] = { 3, 4, 7, 29, 100, 14500, 1000000 };
	unsigned long k, i;

	ck_assert_double_eq(rbm_score_ais_beta(0, 14500), 0);
	ck_assert_double_eq_tol(rbm_score_ais_beta(1, 14500), 1e-3, 1e-15);
	ck_assert_double_eq_tol(rbm_score_ais_beta(500, 14500), 0.5, 1e-15);
	ck_assert_double_eq_tol(rbm_score_ais_beta(501, 14500) - 0.5, 1e-4,
				1e-15);
	ck_assert_double_eq_tol(rbm_score_ais_beta(4500, 14500), 0.9, 1e-15);
	ck_assert_double_eq_tol(rbm_score_ais_beta(4501, 14500) - 0.9, 1e-5,
				1e-15);
	ck_assert_double_eq(rbm_score_ais_beta(14500, 14500), 1);
	ck_assert_double_eq_tol(rbm_score_ais_beta(50, 1450), 0.5, 1e-15);
	ck_assert_double_eq_tol(rbm_score_ais_beta(450, 1450), 0.9, 1e-15);
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		ck_assert_double_eq(rbm_score_ais_beta(ns[i], ns[i]), 1);
		for (k = 1; k <= ns[i]; k++)
			ck_assert(rbm_score_ais_beta(k, ns[i]) >
				  rbm_score_ais_beta(k - 1, ns[i]));
	}
}
END_TEST

/* Base rates: clamped logits of the column means; zeros without rows. */
START_TEST(test_ais_base)
{
	struct rbm_score_sums *s = rbm_score_sums_alloc(3, NULL);
	gsl_vector *ba = gsl_vector_alloc(3);
	const double lim = log(1e-3 / (1 - 1e-3));

	rbm_score_ais_base(s, ba);
	ck_assert_int_eq(gsl_vector_isnull(ba), 1);
	s->rows = 4;
	gsl_vector_set(s->col, 0, 0);
	gsl_vector_set(s->col, 1, 4);
	gsl_vector_set(s->col, 2, 1);
	rbm_score_ais_base(s, ba);
	ck_assert_double_eq_tol(gsl_vector_get(ba, 0), lim, 1e-12);
	ck_assert_double_eq_tol(gsl_vector_get(ba, 1), -lim, 1e-12);
	ck_assert_double_eq_tol(gsl_vector_get(ba, 2), log(1.0 / 3), 1e-12);
	gsl_vector_free(ba);
	rbm_score_sums_free(s);
}
END_TEST

/*
 * Run AIS on m by the paper's block Gibbs method from base ba (or by the
 * collapsed method when ba is NULL) with a seed; fails the test on an
 * error.
 */
static struct rbm_ais_result ais(const struct rbm *m, const gsl_vector *ba,
				 size_t runs, unsigned long steps,
				 unsigned long seed)
{
	gsl_vector *zero = ba ? NULL : gsl_vector_calloc(m->nv);
	struct rbm_ais_settings p = { runs, steps, RBM_AIS_VISIBLE,
				      ba ? RBM_AIS_GIBBS : RBM_AIS_COLLAPSED, NULL };
	struct rbm_ais_result r;
	struct rbm_err err = { "" };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, seed);
	if (!ba)
		p.layer = RBM_AIS_SMALLER;
	ck_assert_msg(rbm_score_ais(m, ba ? ba : zero, NULL, &p, rng, &r,
				    &err) == 0, "%s", err.msg);
	gsl_rng_free(rng);
	if (zero)
		gsl_vector_free(zero);
	return r;
}

/*
 * Without weights and with the base rates equal to the visible biases,
 * every intermediate distribution has the same shape, so all weights are
 * equal: AIS is exact (Z_A, with its 2^NH, and the hidden biases' part of
 * the weights) and reports no error.
 */
START_TEST(test_ais_no_weights)
{
	struct rbm *m = rbm_alloc(9, 6, NULL);
	gsl_vector *ba = gsl_vector_alloc(9);
	struct rbm_ais_result r;
	size_t i;

	for (i = 0; i < 9; i++) {
		gsl_vector_float_set(m->b, i, (float)i / 4 - 1);
		gsl_vector_set(ba, i, (double)i / 4 - 1);
	}
	for (i = 0; i < 6; i++)
		gsl_vector_float_set(m->c, i, 1.5f - (float)i);
	r = ais(m, ba, 10, 100, 1);
	ck_assert_double_eq_tol(r.log_z, log_z_by(m, RBM_HIDDEN), 1e-5);
	ck_assert_double_eq_tol(r.log_z_stderr, 0, 1e-6);
	ck_assert_double_eq_tol(r.ess, 10, 1e-6);
	gsl_vector_set_zero(ba);
	gsl_vector_float_set_zero(m->b);
	gsl_vector_float_set_zero(m->c);
	r = ais(m, ba, 2, 3, 1);
	ck_assert_double_eq_tol(r.log_z_base, 15 * log(2.0), 1e-12);
	ck_assert_double_eq_tol(r.log_z, 15 * log(2.0), 1e-12);
	gsl_vector_free(ba);
	rbm_free(m);
}
END_TEST

/*
 * Add 200 rows that m generates (chains of 50 Gibbs steps from random
 * rows) to s, as data for the AIS base rates.
 */
static void ais_sample_rows(const struct rbm *m, struct rbm_score_sums *s)
{
	gsl_matrix_float *v = gsl_matrix_float_alloc(200, m->nv);
	gsl_matrix_float *h = gsl_matrix_float_alloc(200, m->nh);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double f[200];
	size_t i, j;

	gsl_rng_set(rng, 99);
	for (i = 0; i < 200; i++)
		for (j = 0; j < m->nv; j++)
			gsl_matrix_float_set(v, i, j, (float)(gsl_rng_uniform(
				rng) < 0.5));
	for (i = 0; i < 50; i++)
		rbm_gibbs_step(m, v, h, rng);
	rbm_score_free_energy(m, v, h, f);
	rbm_score_sums_add(s, v, f);
	gsl_rng_free(rng);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(v);
}

/*
 * A 30 x 20 model with strong random weights, base rates from rows it
 * generates: the paper's schedule lands within 0.5 nats and within three
 * of its own standard errors of the exact log Z.
 */
START_TEST(test_ais_matches_exact)
{
	struct rbm *m = unit_random_model(30, 20, 2.0, 5);
	struct rbm_score_sums *s = rbm_score_sums_alloc(30, NULL);
	gsl_vector *ba = gsl_vector_alloc(30);
	struct rbm_ais_result r;
	double z = NAN;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
	ais_sample_rows(m, s);
	rbm_score_ais_base(s, ba);
	r = ais(m, ba, 100, 14500, 7);
	ck_assert_msg(fabs(r.log_z - z) < 0.5 &&
		      fabs(r.log_z - z) < 3 * r.log_z_stderr,
		      "AIS %.6f +- %.6f, exact %.6f", r.log_z,
		      r.log_z_stderr, z);
	ck_assert(r.ess > 1 && r.ess <= 100);
	gsl_vector_free(ba);
	rbm_score_sums_free(s);
	rbm_free(m);
}
END_TEST

/*
 * A model with a needle: 20 visible units that are mostly off (biases -1)
 * and 8 hidden ones, of which unit 0 has weight 16 from every visible unit
 * and bias -288, so that it turns on only when 18 of the 20 are on; then
 * all 20 stay on.  That state holds nearly all of Z (about e^12 against
 * e^6.3 for the rest), yet block Gibbs from mostly-off rows must turn on
 * 18 units against their biases to reach it, as on bench/ais-check's
 * Fashion-MNIST model of 22 hidden units, where the paper's AIS missed
 * log Z by 10.3 nats.
 */
static struct rbm *needle_model(void)
{
	struct rbm *m = unit_random_model(20, 8, 1.0, 11);
	size_t i;

	for (i = 0; i < 20; i++) {
		gsl_matrix_float_set(m->w, i, 0, 16.0f);
		gsl_vector_float_set(m->b, i, -1.0f);
	}
	gsl_vector_float_set(m->c, 0, -288.0f);
	return m;
}

/* loglik's AIS, from the rows' totals s, with its default runs and steps,
 * starting where start says. */
static struct rbm_log_z loglik_ais_from(const struct rbm *m,
					const struct rbm_score_sums *s,
					unsigned long seed,
					enum rbm_ais_start start)
{
	struct rbm_log_z_settings zs = { 20, 1, { RBM_AIS_DEFAULT_RUNS,
		RBM_AIS_DEFAULT_STEPS, RBM_AIS_SMALLER, RBM_AIS_COLLAPSED, NULL },
		start };
	struct rbm_log_z z = { 0 };
	struct rbm_err err = { "" };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, seed);
	ck_assert_msg(rbm_score_log_z(m, s, &zs, rng, &z, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(z.ais, 1);
	gsl_rng_free(rng);
	return z;
}

/* loglik's AIS from the uniform distribution (its default). */
static struct rbm_log_z loglik_ais(const struct rbm *m,
				   const struct rbm_score_sums *s,
				   unsigned long seed)
{
	return loglik_ais_from(m, s, seed, RBM_AIS_FROM_UNIFORM);
}

/*
 * loglik's AIS finds the needle: within 3 of its standard errors and 0.5
 * nats of the exact log Z, with enough effective runs not to warn, for
 * three seeds; the paper's method from the base rates of mostly-off rows
 * (what the old loglik did) falls more than 4 nats short with a standard
 * error that does not show it.
 */
START_TEST(test_ais_needle)
{
	struct rbm *m = needle_model();
	struct rbm_score_sums *s = rbm_score_sums_alloc(20, NULL);
	gsl_vector *ba = gsl_vector_alloc(20);
	struct rbm_ais_result r;
	double z = NAN;
	unsigned long seed;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
	ck_assert(z > 11);
	ais_sample_rows(m, s);
	for (seed = 1; seed <= 3; seed++) {
		struct rbm_log_z a = loglik_ais(m, s, seed);
		ck_assert_msg(fabs(a.value - z) < 3 * a.stderr_ &&
			      fabs(a.value - z) < 0.5 && a.ess >= RBM_AIS_LOW_ESS,
			      "seed %lu: AIS %.4f +- %.4f (ess %.1f), exact "
			      "%.4f", seed, a.value, a.stderr_, a.ess, z);
	}
	gsl_vector_set_all(ba, -1);
	r = ais(m, ba, 100, 14500, 1);
	ck_assert_msg(r.log_z < z - 4 && z - r.log_z > 10 * r.log_z_stderr,
		      "paper's AIS %.4f +- %.4f, exact %.4f", r.log_z,
		      r.log_z_stderr, z);
	gsl_vector_free(ba);
	rbm_score_sums_free(s);
	rbm_free(m);
}
END_TEST

/*
 * loglik's AIS on random models, annealing over the hidden layer (30 x 20
 * with strong weights, 40 x 12) and over the visible one (12 x 40): within
 * 3 of its standard errors of the exact log Z, with no warning.
 */
START_TEST(test_ais_collapsed_matches_exact)
{
	const size_t nv[] = { 30, 40, 12 }, nh[] = { 20, 12, 40 };
	const double scale[] = { 2.0, 1.0, 1.0 };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct rbm *m = unit_random_model(nv[i], nh[i], scale[i], 5);
		struct rbm_score_sums *s = rbm_score_sums_alloc(nv[i], NULL);
		struct rbm_log_z a;
		double z = NAN;

		ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
		ais_sample_rows(m, s);
		a = loglik_ais(m, s, 3);
		ck_assert_msg(fabs(a.value - z) < 3 * a.stderr_ &&
			      a.ess >= RBM_AIS_LOW_ESS,
			      "%zu x %zu: AIS %.4f +- %.4f (ess %.1f), exact "
			      "%.4f", nv[i], nh[i], a.value, a.stderr_, a.ess,
			      z);
		rbm_score_sums_free(s);
		rbm_free(m);
	}
}
END_TEST

/*
 * --ais-base data: the plan anneals the visible layer from the rows' base
 * rates (uniform leaves the settings alone), and on the models above its
 * estimate is within 3 of its standard errors of the exact log Z, with no
 * warning.  On the needle it falls more than 3 nats short with a tiny
 * standard error, as the paper's method does: the mode far from the rows
 * is out of the data's reach, which is why uniform is the default.
 */
START_TEST(test_ais_from_data)
{
	const size_t nv[] = { 30, 40, 12, 20 }, nh[] = { 20, 12, 40, 8 };
	const double scale[] = { 2.0, 1.0, 1.0, 0 };
	size_t i;

	for (i = 0; i < 4; i++) {
		struct rbm *m = scale[i] ? unit_random_model(nv[i], nh[i],
							     scale[i], 5)
					 : needle_model();
		struct rbm_score_sums *s = rbm_score_sums_alloc(nv[i], NULL);
		struct rbm_log_z_settings zs = { 20, 1, { 100, 1000,
			RBM_AIS_SMALLER, RBM_AIS_COLLAPSED, NULL },
			RBM_AIS_FROM_UNIFORM };
		struct rbm_ais_settings p;
		gsl_vector *ba = gsl_vector_alloc(nv[i]);
		gsl_vector *want = gsl_vector_alloc(nv[i]);
		struct rbm_log_z a;
		double z = NAN;

		ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
		ais_sample_rows(m, s);
		rbm_score_ais_base(s, want);
		rbm_score_ais_plan(&zs, s, ba, &p);
		ck_assert(p.layer == RBM_AIS_SMALLER && p.base == NULL);
		zs.runs.method = RBM_AIS_GIBBS;
		rbm_score_ais_plan(&zs, s, ba, &p);
		ck_assert(p.layer == RBM_AIS_SMALLER && p.base == ba &&
			  gsl_vector_isnull(ba));
		zs.start = RBM_AIS_FROM_DATA;
		rbm_score_ais_plan(&zs, s, ba, &p);
		ck_assert(p.layer == RBM_AIS_VISIBLE && p.base == ba &&
			  p.method == RBM_AIS_GIBBS);
		ck_assert(gsl_vector_equal(ba, want));
		zs.runs.method = RBM_AIS_COLLAPSED;
		gsl_vector_set_zero(ba);
		rbm_score_ais_plan(&zs, s, ba, &p);
		ck_assert(p.layer == RBM_AIS_VISIBLE && p.base == ba);
		ck_assert(gsl_vector_equal(ba, want));
		ck_assert(p.runs == 100 && p.steps == 1000);
		a = loglik_ais_from(m, s, 3, RBM_AIS_FROM_DATA);
		if (!scale[i])
			ck_assert_msg(a.value < z - 3 &&
				      z - a.value > 10 * a.stderr_,
				      "needle: AIS from data %.4f +- %.4f, "
				      "exact %.4f", a.value, a.stderr_, z);
		else
			ck_assert_msg(fabs(a.value - z) < 3 * a.stderr_ &&
			      a.ess >= RBM_AIS_LOW_ESS,
			      "%zu x %zu: AIS from data %.4f +- %.4f (ess "
			      "%.1f), exact %.4f", nv[i], nh[i], a.value,
			      a.stderr_, a.ess, z);
		gsl_vector_free(want);
		gsl_vector_free(ba);
		rbm_score_sums_free(s);
		rbm_free(m);
	}
}
END_TEST

/*
 * loglik's ais_loglik_max rests on AIS's estimate of Z being unbiased:
 * then it exceeds 20 Z in at most 1 run of 20 (Markov), however poorly
 * the runs mix.  Short runs (2 runs of 5 steps) on a sharp 12 x 10 model,
 * 300 seeds, both methods: most estimates fall well short of log Z (the
 * usual way AIS errs), and no more than 1 in 10 lands above log Z + log 20
 * (1 in 20 is the bound; the margin is binomial noise; collapsed:
 * 1 above, 183 short).  The bound is what makes ais_loglik_max hold on
 * runs that are far from converged.
 */
START_TEST(test_ais_markov_bound)
{
	struct rbm *m = unit_random_model(12, 10, 3.0, 17);
	gsl_vector *ba = gsl_vector_calloc(12);
	double z = NAN;
	int how;

	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
	for (how = 0; how < 2; how++) {
		unsigned long seed;
		int above = 0, short_ = 0;
		for (seed = 1; seed <= 300; seed++) {
			struct rbm_ais_result r = ais(m, how ? ba : NULL, 2,
						      5, seed);
			above += r.log_z > z + log(20);
			short_ += r.log_z < z - 0.5;
		}
		ck_assert_msg(above <= 30 && short_ >= 60,
			      "%s: %d of 300 above log Z + log 20, %d more "
			      "than 0.5 short", how ? "gibbs" : "collapsed",
			      above, short_);
	}
	gsl_vector_free(ba);
	rbm_free(m);
}
END_TEST

/* The totals count the values other than 0 and 1 (loglik's "above 0"
 * warning holds only when there are none). */
START_TEST(test_sums_fractional)
{
	struct rbm_score_sums *s = rbm_score_sums_alloc(3, NULL);
	gsl_matrix_float *v = gsl_matrix_float_calloc(2, 3);
	const double f[2] = { 1, 2 };

	gsl_matrix_float_set(v, 0, 1, 1);
	rbm_score_sums_add(s, v, f);
	ck_assert_uint_eq(s->fractional, 0);
	gsl_matrix_float_set(v, 1, 2, 0.5f);
	gsl_matrix_float_set(v, 0, 0, -0.0f);
	rbm_score_sums_add(s, v, f);
	ck_assert_uint_eq(s->fractional, 1);
	ck_assert_uint_eq(s->rows, 4);
	gsl_matrix_float_free(v);
	rbm_score_sums_free(s);
}
END_TEST

/* The same seed gives the same estimate; another seed another one. */
START_TEST(test_ais_deterministic)
{
	struct rbm *m = unit_random_model(8, 5, 1.0, 2);
	gsl_vector *ba = gsl_vector_calloc(8);
	struct rbm_ais_result a = ais(m, ba, 20, 200, 1);
	struct rbm_ais_result b = ais(m, ba, 20, 200, 1);
	struct rbm_ais_result c = ais(m, ba, 20, 200, 2);

	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	ck_assert(a.log_z != c.log_z);
	a = ais(m, NULL, 20, 200, 1);
	b = ais(m, NULL, 20, 200, 1);
	c = ais(m, NULL, 20, 200, 2);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	ck_assert(a.log_z != c.log_z);
	gsl_vector_free(ba);
	rbm_free(m);
}
END_TEST

/*
 * n rows drawn exactly from m (at most 16 units in its smaller layer): a
 * state of the smaller layer from its marginal, by enumerating them all
 * with the brute-force energies, then the visible layer given it.
 */
static gsl_matrix_float *exact_rows(const struct rbm *m, size_t n,
				    unsigned long seed)
{
	int hidden = m->nh <= m->nv;
	size_t u = hidden ? m->nh : m->nv, i, k;
	unsigned long states = 1UL << u, st;
	double *cdf = malloc(states * sizeof(*cdf)), v[64], tot = 0, z;
	gsl_matrix_float *rows = gsl_matrix_float_alloc(n, m->nv);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	ck_assert_uint_le(u, 16);
	ck_assert_uint_le(m->nv, 64);
	z = brute_log_z_small(m);
	for (st = 0; st < states; st++) {
		tot += exp(marginal(m, hidden, st) - z);
		cdf[st] = tot;
	}
	gsl_rng_set(rng, seed);
	for (k = 0; k < n; k++) {
		double x = gsl_rng_uniform(rng) * tot;
		for (st = 0; st < states - 1 && cdf[st] < x; st++)
			;
		for (i = 0; i < m->nv; i++) {
			double in = gsl_vector_float_get(m->b, i);
			size_t j;
			if (!hidden) {
				v[i] = unit_bit(st, i);
				continue;
			}
			for (j = 0; j < m->nh; j++)
				in += gsl_matrix_float_get(m->w, i, j) *
				      unit_bit(st, j);
			v[i] = gsl_rng_uniform(rng) < 1 / (1 + exp(-in));
		}
		for (i = 0; i < m->nv; i++)
			gsl_matrix_float_set(rows, k, i, (float)v[i]);
	}
	gsl_rng_free(rng);
	free(cdf);
	return rows;
}

/* RAISE on m from rows by a method with a seed; fails the test on an
 * error. */
static struct rbm_raise_result raise(const struct rbm *m,
				     const gsl_matrix_float *rows,
				     unsigned long steps, unsigned long seed,
				     enum rbm_ais_method how)
{
	struct rbm_ais_settings p = { 2, steps, RBM_AIS_SMALLER, how, NULL };
	struct rbm_raise_result r;
	struct rbm_err err = { "" };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, seed);
	ck_assert_msg(rbm_score_raise(m, rows, &p, rng, &r, &err) == 0, "%s",
		      err.msg);
	gsl_rng_free(rng);
	return r;
}

/*
 * RAISE from rows drawn exactly from the model, over the hidden layer
 * (30 x 10) and the visible one (10 x 30), by both methods: with 3 steps
 * its log Z is well above the exact one (the bound is loose, and on the
 * right side) while reverse AIS's log-mean-exp, unbiased for 1/Z, lands
 * within 0.15 of it; with 500 steps the bound closes to within 3
 * standard errors.  Sweeping at the next temperature instead of the
 * current one puts the collapsed 3-step reverse estimate 1.8 nats low
 * (checked by making that change); for block Gibbs, sweeping at B_k
 * instead of B_k-1 puts it 0.94 nats high (30 x 10).
 */
START_TEST(test_raise_brackets_exact)
{
	const size_t nv[] = { 30, 10 }, nh[] = { 10, 30 };
	size_t i;
	int how;

	for (how = 0; how < RBM_AIS_NMETHODS; how++)
	for (i = 0; i < 2; i++) {
		struct rbm *m = unit_random_model(nv[i], nh[i], 1.0, 8);
		gsl_matrix_float *rows = exact_rows(m, 4000, 3);
		gsl_matrix_float_view few =
			gsl_matrix_float_submatrix(rows, 0, 0, 200, nv[i]);
		struct rbm_raise_result r = raise(m, rows, 3, 1, how);
		double z = NAN;

		ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &z, NULL), 0);
		ck_assert_msg(r.log_z > z + 0.2 &&
			      r.log_z > z + 10 * r.log_z_stderr && r.rows == 4000 &&
			      fabs(r.log_z_reverse - z) < 0.15,
			      "%s, %zu x %zu, 3 steps: RAISE %.4f +- %.4f, "
			      "reverse %.4f, exact %.4f",
			      rbm_ais_method_names[how], nv[i], nh[i],
			      r.log_z, r.log_z_stderr, r.log_z_reverse, z);
		r = raise(m, &few.matrix, 500, 2, how);
		ck_assert_msg(fabs(r.log_z - z) < 3 * r.log_z_stderr &&
			      r.log_z_stderr < 0.05,
			      "%s, %zu x %zu, 500 steps: RAISE %.4f +- %.4f, "
			      "exact %.4f", rbm_ais_method_names[how], nv[i],
			      nh[i], r.log_z, r.log_z_stderr, z);
		gsl_matrix_float_free(rows);
		rbm_free(m);
	}
}
END_TEST

/* Too few runs or steps, or base biases of the wrong size: refused. */
START_TEST(test_ais_bad_params)
{
	struct rbm *m = rbm_alloc(4, 3, NULL);
	gsl_vector *ba = gsl_vector_calloc(4), *short_ba = gsl_vector_calloc(3);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm_ais_settings p = { 1, 100, RBM_AIS_SMALLER,
				      RBM_AIS_COLLAPSED, NULL };
	struct rbm_ais_result r;
	struct rbm_err err;

	ck_assert_int_eq(rbm_score_ais(m, ba, NULL, &p, rng, &r, &err), -1);
	ck_assert_str_eq(err.msg, "AIS needs at least 2 runs, not 1");
	p.runs = 2;
	p.steps = 2;
	ck_assert_int_eq(rbm_score_ais(m, ba, NULL, &p, rng, &r, &err), -1);
	ck_assert_str_eq(err.msg, "AIS needs at least 3 steps, not 2");
	p.steps = 3;
	ck_assert_int_eq(rbm_score_ais(m, short_ba, NULL, &p, rng, &r, &err), -1);
	ck_assert_str_eq(err.msg, "AIS base biases: 3 values for 4 visible "
			 "units");
	ck_assert_int_eq(rbm_score_ais(m, ba, NULL, &p, rng, &r, &err), 0);
	gsl_rng_free(rng);
	gsl_vector_free(short_ba);
	gsl_vector_free(ba);
	rbm_free(m);
}
END_TEST

Suite *score_suite(void)
{
	Suite *s = suite_create("score");
	TCase *t = tcase_create("free energy");

	tcase_add_test(t, test_free_energy_brute_force);
	tcase_add_test(t, test_free_energy_zero_model);
	tcase_add_test(t, test_reconstruct);
	suite_add_tcase(s, t);
	t = tcase_create("exact log Z");
	tcase_add_test(t, test_log_z_3x2);
	tcase_add_test(t, test_log_z_2x4);
	tcase_add_test(t, test_log_z_layers_agree);
	tcase_add_test(t, test_log_z_split_states);
	tcase_add_test(t, test_log_z_no_weights);
	tcase_add_test(t, test_loglik_sums_to_one);
	tcase_add_test(t, test_loglik_sums_to_one_random);
	tcase_add_test(t, test_log_z_refuses);
	suite_add_tcase(s, t);
	t = tcase_create("AIS");
	tcase_add_test(t, test_ais_beta);
	tcase_add_test(t, test_ais_base);
	tcase_add_test(t, test_ais_no_weights);
	tcase_add_test(t, test_ais_matches_exact);
	tcase_add_test(t, test_ais_needle);
	tcase_add_test(t, test_ais_collapsed_matches_exact);
	tcase_add_test(t, test_ais_from_data);
	tcase_add_test(t, test_ais_markov_bound);
	tcase_add_test(t, test_sums_fractional);
	tcase_add_test(t, test_ais_deterministic);
	tcase_add_test(t, test_ais_bad_params);
	tcase_add_test(t, test_raise_brackets_exact);
	suite_add_tcase(s, t);
	return s;
}
