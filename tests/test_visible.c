/*
 * test_visible.c - visible unit types and missing values: parsing and
 * encoding, p(v|h) per type against hand-computed values, exact log Z of
 * softmax and Gaussian models against brute force and numeric
 * integration, the masked gradient against the gradient of the reduced
 * model (the same RBM with the missing units deleted), and the row
 * reader's and the state file's handling of types, ratings and missing
 * values, with every error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "chain.h"
#include "data.h"
#include "rbm.h"
#include "rng.h"
#include "rows.h"
#include "score.h"
#include "state.h"
#include "train.h"
#include "unit.h"
#include "visible.h"

/* ---- helpers ---- */

/* A model of the type with every parameter uniform in [-scale, scale]. */
static struct rbm *random_model(size_t nv, size_t nh, enum rbm_vis_type t,
				size_t k, double scale, unsigned long seed)
{
	struct rbm *m = unit_random_model(nv, nh, scale, seed);

	ck_assert_int_eq(rbm_visible_set(m, t, k, NULL), 0);
	return m;
}

/* A matrix of n x w holding x (row-major). */
static gsl_matrix_float *matrix(size_t n, size_t w, const float *x)
{
	gsl_matrix_float *a = gsl_matrix_float_alloc(n, w);

	ck_assert_ptr_nonnull(a);
	memcpy(a->data, x, n * w * sizeof(float));
	return a;
}

/* ---- types, encoding ---- */

/* The type names parse, and everything else is refused with a reason. */
START_TEST(test_parse)
{
	enum rbm_vis_type t;
	struct rbm_err err;
	size_t k;

	ck_assert_int_eq(rbm_visible_parse("binary", &t, &k, &err), 0);
	ck_assert_int_eq(t, RBM_VIS_BINARY);
	ck_assert_uint_eq(k, 1);
	ck_assert_int_eq(rbm_visible_parse("gaussian", &t, &k, &err), 0);
	ck_assert_int_eq(t, RBM_VIS_GAUSSIAN);
	ck_assert_int_eq(rbm_visible_parse("softmax:5", &t, &k, &err), 0);
	ck_assert_int_eq(t, RBM_VIS_SOFTMAX);
	ck_assert_uint_eq(k, 5);
	ck_assert_int_eq(rbm_visible_parse("softmax:100", &t, &k, &err), 0);
	ck_assert_int_eq(rbm_visible_parse("softmax:1", &t, &k, &err), -1);
	ck_assert_str_eq(err.msg, "softmax needs K from 2 to 100 ratings, "
			 "not '1'");
	ck_assert_int_eq(rbm_visible_parse("softmax:101", &t, &k, &err), -1);
	ck_assert_int_eq(rbm_visible_parse("softmax:5x", &t, &k, &err), -1);
	ck_assert_int_eq(rbm_visible_parse("softmax:", &t, &k, &err), -1);
	ck_assert_int_eq(rbm_visible_parse("softmax", &t, &k, &err), -1);
	ck_assert_int_eq(rbm_visible_parse("Gaussian", &t, &k, &err), -1);
	ck_assert_str_eq(err.msg, "unknown visible unit type 'Gaussian' "
			 "(binary, gaussian or softmax:K)");
}
END_TEST

/* Ratings become one-hot groups, missing items zero with a zero mask. */
START_TEST(test_encode_decode_softmax)
{
	struct rbm *m = random_model(9, 2, RBM_VIS_SOFTMAX, 3, 0.1, 1);
	const float in[3] = { 3, NAN, 1 };
	const float want_u[9] = { 0, 0, 1, 0, 0, 0, 1, 0, 0 };
	const float want_m[9] = { 1, 1, 1, 0, 0, 0, 1, 1, 1 };
	gsl_matrix_float *items = matrix(1, 3, in);
	gsl_matrix_float *u = gsl_matrix_float_alloc(1, 9);
	gsl_matrix_float *mask = gsl_matrix_float_alloc(1, 9);
	const float probs[9] = { 0.2f, 0.3f, 0.5f, 1, 0, 0, 0, 0.5f, 0.5f };
	gsl_matrix_float *p = matrix(1, 9, probs);
	size_t i;

	ck_assert_uint_eq(rbm_visible_items(m), 3);
	ck_assert_uint_eq(rbm_visible_encode(m, items, u, mask), 1);
	for (i = 0; i < 9; i++) {
		ck_assert_float_eq(u->data[i], want_u[i]);
		ck_assert_float_eq(mask->data[i], want_m[i]);
	}
	rbm_visible_decode(m, p, items);	/* expected ratings */
	ck_assert_float_eq_tol(items->data[0], 0.2 + 0.6 + 1.5, 1e-6);
	ck_assert_float_eq_tol(items->data[1], 1, 1e-6);
	ck_assert_float_eq_tol(items->data[2], 2.5, 1e-6);
	gsl_matrix_float_free(items);
	gsl_matrix_float_free(u);
	gsl_matrix_float_free(mask);
	gsl_matrix_float_free(p);
	rbm_free(m);
}
END_TEST

/* Binary and Gaussian units: values pass, missing ones become 0. */
START_TEST(test_encode_real)
{
	struct rbm *m = random_model(3, 2, RBM_VIS_GAUSSIAN, 1, 0.1, 1);
	const float in[3] = { -2.5f, NAN, 7 };
	gsl_matrix_float *items = matrix(1, 3, in);
	gsl_matrix_float *u = gsl_matrix_float_alloc(1, 3);
	gsl_matrix_float *mask = gsl_matrix_float_alloc(1, 3);

	ck_assert_uint_eq(rbm_visible_encode(m, items, u, mask), 1);
	ck_assert_float_eq(u->data[0], -2.5f);
	ck_assert_float_eq(u->data[1], 0);
	ck_assert_float_eq(u->data[2], 7);
	ck_assert_float_eq(mask->data[1], 0);
	ck_assert_float_eq(mask->data[2], 1);
	gsl_matrix_float_free(items);
	gsl_matrix_float_free(u);
	gsl_matrix_float_free(mask);
	rbm_free(m);
}
END_TEST

/* rbm_visible_write_items of the row must write the line want. */
static void assert_items(const struct rbm *m, const float *row, size_t n,
			 int digits, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	rbm_visible_write_items(m, f, row, n, digits);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, want);
	free(buf);
}

/*
 * Items are written in the type's usual form with digits 0 (the 0/1
 * tokens for binary units, %.6g for the others) and as %.*g with the
 * digits asked for otherwise, whatever the type: --precision's promise
 * that no probability is rounded to 0 or 1.
 */
START_TEST(test_write_items_digits)
{
	static const float p[4] = { 0.0004f, 0.9996f, 0.123456789f, 1 };
	static const float g[2] = { -2.5e-4f, 123.456789f };
	struct rbm *b = random_model(4, 2, RBM_VIS_BINARY, 1, 0.1, 1);
	struct rbm *gs = random_model(2, 2, RBM_VIS_GAUSSIAN, 1, 0.1, 1);

	assert_items(b, p, 4, 0, "0 1 0.123457 1\n");
	assert_items(b, p, 4, 4, "0.0004 0.9996 0.1235 1\n");
	assert_items(gs, g, 2, 0, "-0.00025 123.457\n");
	assert_items(gs, g, 2, 9, "-0.000250000012 123.456787\n");
	rbm_free(b);
	rbm_free(gs);
}
END_TEST

/* ---- conditionals ---- */

/* p(v|h) of a softmax model sums to one over every group. */
START_TEST(test_softmax_sums_to_one)
{
	struct rbm *m = random_model(20, 4, RBM_VIS_SOFTMAX, 5, 3.0, 2);
	const float hs[8] = { 1, 0, 1, 1, 0, 0, 0, 1 };
	gsl_matrix_float *h = matrix(2, 4, hs);
	gsl_matrix_float *pv = gsl_matrix_float_alloc(2, 20);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t r, g, q;

	rbm_visible_probs(m, h, pv);
	for (r = 0; r < 2; r++)
		for (g = 0; g < 4; g++) {
			double s = 0;
			for (q = 0; q < 5; q++) {
				double p = gsl_matrix_float_get(pv, r, 5 * g + q);
				ck_assert(p > 0 && p < 1);
				s += p;
			}
			ck_assert_double_eq_tol(s, 1, 1e-6);
		}
	rbm_visible_sample(m, pv, pv, rng);	/* one unit on a group */
	for (r = 0; r < 2; r++)
		for (g = 0; g < 4; g++) {
			double s = 0;
			for (q = 0; q < 5; q++)
				s += gsl_matrix_float_get(pv, r, 5 * g + q);
			ck_assert_double_eq(s, 1);
		}
	gsl_rng_free(rng);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(pv);
	rbm_free(m);
}
END_TEST

/*
 * A softmax group's probabilities are exp(b_k + (Wh)_k) / sum, computed
 * here by hand for a group of three with one hidden unit on.
 */
START_TEST(test_softmax_hand)
{
	struct rbm *m = random_model(3, 1, RBM_VIS_SOFTMAX, 3, 0, 1);
	const float one = 1;
	gsl_matrix_float *h = matrix(1, 1, &one);
	gsl_matrix_float *pv = gsl_matrix_float_alloc(1, 3);
	double x[3] = { 0.5 + 1.0, -0.25 + 0.0, 0.0 - 2.0 }, s;

	gsl_vector_float_set(m->b, 0, 0.5f);
	gsl_vector_float_set(m->b, 1, -0.25f);
	gsl_matrix_float_set(m->w, 0, 0, 1.0f);
	gsl_matrix_float_set(m->w, 2, 0, -2.0f);
	rbm_visible_probs(m, h, pv);
	s = exp(x[0]) + exp(x[1]) + exp(x[2]);
	ck_assert_double_eq_tol(gsl_matrix_float_get(pv, 0, 0),
				exp(x[0]) / s, 1e-6);
	ck_assert_double_eq_tol(gsl_matrix_float_get(pv, 0, 1),
				exp(x[1]) / s, 1e-6);
	ck_assert_double_eq_tol(gsl_matrix_float_get(pv, 0, 2),
				exp(x[2]) / s, 1e-6);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(pv);
	rbm_free(m);
}
END_TEST

/*
 * Gaussian reconstruction: h = sigmoid(c + vW), then b + W h, by hand:
 * W = (0.5, -1)', b = (0.1, 0.2), c = 0.3, v = (1, 2) give
 * h = sigmoid(0.3 + 0.5 - 2) = sigmoid(-1.2) and (0.1 + 0.5 h, 0.2 - h).
 */
START_TEST(test_gaussian_reconstruct_hand)
{
	struct rbm *m = random_model(2, 1, RBM_VIS_GAUSSIAN, 1, 0, 1);
	const float vs[2] = { 1, 2 };
	gsl_matrix_float *v = matrix(1, 2, vs);
	gsl_matrix_float *h = gsl_matrix_float_alloc(1, 1);
	gsl_matrix_float *out = gsl_matrix_float_alloc(1, 2);
	double hp = 1 / (1 + exp(1.2));

	gsl_matrix_float_set(m->w, 0, 0, 0.5f);
	gsl_matrix_float_set(m->w, 1, 0, -1.0f);
	gsl_vector_float_set(m->b, 0, 0.1f);
	gsl_vector_float_set(m->b, 1, 0.2f);
	gsl_vector_float_set(m->c, 0, 0.3f);
	rbm_score_reconstruct(m, v, h, out);
	ck_assert_double_eq_tol(gsl_matrix_float_get(h, 0, 0), hp, 1e-6);
	ck_assert_double_eq_tol(gsl_matrix_float_get(out, 0, 0),
				0.1 + 0.5 * hp, 1e-6);
	ck_assert_double_eq_tol(gsl_matrix_float_get(out, 0, 1),
				0.2 - hp, 1e-6);
	gsl_matrix_float_free(v);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(out);
	rbm_free(m);
}
END_TEST

/* Gaussian samples are the mean plus noise of variance 1. */
START_TEST(test_gaussian_sample_variance)
{
	struct rbm *m = random_model(1, 1, RBM_VIS_GAUSSIAN, 1, 0, 1);
	gsl_matrix_float *p = gsl_matrix_float_alloc(20000, 1);
	gsl_matrix_float *s = gsl_matrix_float_alloc(20000, 1);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double sum = 0, sq = 0;
	size_t i;

	gsl_matrix_float_set_all(p, 3.0f);
	rbm_visible_sample(m, p, s, rng);
	for (i = 0; i < 20000; i++) {
		double x = gsl_matrix_float_get(s, i, 0) - 3.0;
		sum += x;
		sq += x * x;
	}
	ck_assert_double_eq_tol(sum / 20000, 0, 0.03);
	ck_assert_double_eq_tol(sq / 20000, 1, 0.04);
	gsl_rng_free(rng);
	gsl_matrix_float_free(p);
	gsl_matrix_float_free(s);
	rbm_free(m);
}
END_TEST

/* ---- scores ---- */

/*
 * Exact log Z of a softmax model (3 items of 3 ratings, 3 hidden units)
 * against the sum of exp(-E(v, h)) over all 27 x 8 states.
 */
START_TEST(test_softmax_log_z_brute)
{
	struct rbm *m = random_model(9, 3, RBM_VIS_SOFTMAX, 3, 1.0, 3);
	double z = 0, lz;
	unsigned long n, h;
	size_t i, j;

	for (n = 0; n < 27; n++) {
		double v[9] = { 0 };
		v[n % 3] = v[3 + n / 3 % 3] = v[6 + n / 9] = 1;
		for (h = 0; h < 8; h++) {
			double e = 0;
			for (j = 0; j < 3; j++)
				e += gsl_vector_float_get(m->c, j) * unit_bit(h, j);
			for (i = 0; i < 9; i++) {
				e += v[i] * gsl_vector_float_get(m->b, i);
				for (j = 0; j < 3; j++)
					e += v[i] * unit_bit(h, j) *
					     gsl_matrix_float_get(m->w, i, j);
			}
			z += exp(e);
		}
	}
	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &lz, NULL), 0);
	ck_assert_double_eq_tol(lz, log(z), 1e-9);
	rbm_free(m);
}
END_TEST

/*
 * Gaussian log Z three ways for a model of 2 visible and 2 hidden units:
 * the library's sum over hidden states, the closed form written out here
 * (NV/2 log 2pi + logsumexp_h [c.h + b.Wh + |Wh|^2/2]), and a numeric
 * integral of exp(-F(v)) over a grid, which checks the free energy too.
 */
START_TEST(test_gaussian_log_z)
{
	struct rbm *m = random_model(2, 2, RBM_VIS_GAUSSIAN, 1, 0.8, 4);
	gsl_matrix_float *v = gsl_matrix_float_alloc(1, 2);
	gsl_matrix_float *work = gsl_matrix_float_alloc(1, 2);
	double lz, closed = 0, integral = 0, f, step = 0.02;
	unsigned long h;
	int a, b;

	for (h = 0; h < 4; h++) {
		double t = 0, wh[2];
		size_t i, j;
		for (i = 0; i < 2; i++) {
			wh[i] = 0;
			for (j = 0; j < 2; j++)
				wh[i] += gsl_matrix_float_get(m->w, i, j) *
					 unit_bit(h, j);
			t += gsl_vector_float_get(m->b, i) * wh[i] +
			     0.5 * wh[i] * wh[i];
		}
		for (j = 0; j < 2; j++)
			t += gsl_vector_float_get(m->c, j) * unit_bit(h, j);
		closed += exp(t);
	}
	closed = log(2 * M_PI) + log(closed);
	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &lz, NULL), 0);
	ck_assert_double_eq_tol(lz, closed, 1e-9);
	for (a = -600; a <= 600; a++)
		for (b = -600; b <= 600; b++) {
			gsl_matrix_float_set(v, 0, 0, (float)(a * step));
			gsl_matrix_float_set(v, 0, 1, (float)(b * step));
			rbm_score_free_energy(m, v, work, &f);
			integral += exp(-f) * step * step;
		}
	ck_assert_double_eq_tol(log(integral), lz, 1e-5);
	gsl_matrix_float_free(v);
	gsl_matrix_float_free(work);
	rbm_free(m);
}
END_TEST

/*
 * One visible unit: Z = sqrt(2 pi) sum_h exp(c.h + b w.h + (w.h)^2 / 2)
 * written out for one hidden unit.
 */
START_TEST(test_gaussian_log_z_one_unit)
{
	struct rbm *m = random_model(1, 1, RBM_VIS_GAUSSIAN, 1, 0, 1);
	double lz, b = 0.3, w = -0.7, c = 0.2;

	gsl_vector_float_set(m->b, 0, (float)b);
	gsl_matrix_float_set(m->w, 0, 0, (float)w);
	gsl_vector_float_set(m->c, 0, (float)c);
	ck_assert_int_eq(rbm_score_log_z_exact(m, 20, &lz, NULL), 0);
	ck_assert_double_eq_tol(lz, 0.5 * log(2 * M_PI) +
				log(1 + exp(c + b * w + w * w / 2)), 1e-6);
	rbm_free(m);
}
END_TEST

/*
 * A Gaussian row's free energy with missing units is the reduced model's;
 * the visible term of a missing unit is gone, not (0 - b)^2 / 2.
 */
START_TEST(test_gaussian_free_energy_masked)
{
	struct rbm *m = random_model(3, 2, RBM_VIS_GAUSSIAN, 1, 0.5, 5);
	struct rbm *r = rbm_alloc(2, 2, NULL);
	const float in[3] = { 0.7f, NAN, -1.2f }, red[2] = { 0.7f, -1.2f };
	gsl_matrix_float *items = matrix(1, 3, in), *rv = matrix(1, 2, red);
	gsl_matrix_float *u = gsl_matrix_float_alloc(1, 3);
	gsl_matrix_float *mask = gsl_matrix_float_alloc(1, 3);
	gsl_matrix_float *work = gsl_matrix_float_alloc(1, 2);
	double f, fr, f0;
	size_t i, j, keep[2] = { 0, 2 };

	ck_assert_int_eq(rbm_visible_set(r, RBM_VIS_GAUSSIAN, 1, NULL), 0);
	gsl_vector_float_memcpy(r->c, m->c);
	for (i = 0; i < 2; i++) {
		gsl_vector_float_set(r->b, i, gsl_vector_float_get(m->b,
								   keep[i]));
		for (j = 0; j < 2; j++)
			gsl_matrix_float_set(r->w, i, j, gsl_matrix_float_get(
				m->w, keep[i], j));
	}
	rbm_visible_encode(m, items, u, mask);
	rbm_score_free_energy_masked(m, u, mask, work, &f);
	rbm_score_free_energy(r, rv, work, &fr);
	rbm_score_free_energy(m, u, work, &f0);	/* missing read as 0 */
	ck_assert_double_eq_tol(f, fr, 1e-6);
	ck_assert_double_eq_tol(f0 - f, 0.5 * pow(gsl_vector_float_get(m->b,
						  1), 2), 1e-6);
	gsl_matrix_float_free(items);
	gsl_matrix_float_free(rv);
	gsl_matrix_float_free(u);
	gsl_matrix_float_free(mask);
	gsl_matrix_float_free(work);
	rbm_free(m);
	rbm_free(r);
}
END_TEST

/* AIS refuses models whose visible units are not binary. */
START_TEST(test_ais_refuses)
{
	struct rbm *m = random_model(6, 2, RBM_VIS_SOFTMAX, 3, 0.5, 6);
	struct rbm_ais_settings p = { 10, 100, RBM_AIS_SMALLER,
				       RBM_AIS_COLLAPSED, NULL };
	struct rbm_ais_result res;
	gsl_vector *ba = gsl_vector_calloc(6);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm_err err;

	ck_assert_int_eq(rbm_score_ais(m, ba, NULL, &p, rng, &res, &err), -1);
	ck_assert_str_eq(err.msg, "AIS is implemented for binary visible "
			 "units only; log Z of a softmax model is exact up to "
			 "30 hidden units");
	ck_assert_int_eq(rbm_score_log_z_layer(m, RBM_VISIBLE, 20, &res.log_z,
					       &err), -1);
	gsl_vector_free(ba);
	gsl_rng_free(rng);
	rbm_free(m);
}
END_TEST

/* ---- masked training ---- */

/* A data set of n rows of w values. */
static struct rbm_data *data(size_t n, size_t w, const float *rows)
{
	struct rbm_data *d = rbm_data_alloc(w, NULL);
	size_t i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(rbm_data_append(d, rows + i * w, NULL), 0);
	return d;
}

/* CD-1 on batches of 2 rows, no extras. */
static struct rbm_train_settings cd1(void)
{
	struct rbm_train_settings p;

	rbm_train_defaults(&p);
	p.pcd = 0;
	p.batch_size = 2;
	return p;
}

/* The gradient of the 2 rows of items (missing as NaN), masked or not. */
static struct rbm *gradient(struct rbm *m, const float *items, int masked,
			    struct rbm_train_state *ts, struct rbm_trainer **t)
{
	struct rbm_train_settings p = cd1();
	static struct rbm_train_settings keep;
	size_t n = rbm_visible_items(m);
	struct rbm_data *d = data(2, n, items);
	gsl_matrix_float *in = matrix(2, n, items);
	gsl_matrix_float *v = gsl_matrix_float_alloc(2, m->nv);
	gsl_matrix_float *mask = gsl_matrix_float_alloc(2, m->nv);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm *g, *copy = rbm_alloc(m->nv, m->nh, NULL);
	struct rbm_err err;

	keep = p;
	gsl_rng_set(rng, 42);
	*t = rbm_trainer_alloc(m, ts, &keep, d, 1, rng, &err);
	ck_assert_msg(*t != NULL, "%s", err.msg);
	rbm_visible_encode(m, in, v, mask);
	g = rbm_train_gradient_masked(*t, v, masked ? mask : NULL, rng);
	rbm_copy(copy, g);
	rbm_trainer_free(*t);
	rbm_data_free(d);
	gsl_matrix_float_free(in);
	gsl_matrix_float_free(v);
	gsl_matrix_float_free(mask);
	gsl_rng_free(rng);
	return copy;
}

/* The model m without its units other than keep[0..nk). */
static struct rbm *reduced(const struct rbm *m, const size_t *keep, size_t nk)
{
	struct rbm *r = rbm_alloc(nk, m->nh, NULL);
	size_t i;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rbm_visible_set(r, m->vtype, m->k, NULL), 0);
	gsl_vector_float_memcpy(r->c, m->c);
	for (i = 0; i < nk; i++) {
		gsl_vector_float_const_view row =
			gsl_matrix_float_const_row(m->w, keep[i]);
		gsl_vector_float_set(r->b, i, gsl_vector_float_get(m->b,
								   keep[i]));
		gsl_matrix_float_set_row(r->w, i, &row.vector);
	}
	return r;
}

/*
 * The masked gradient of m on the rows items equals the gradient of the
 * reduced model (units keep[]) on the rows red, and is zero on the
 * deleted units.
 */
static void check_reduced(struct rbm *m, const float *items, const size_t *keep,
			  size_t nk, const float *red)
{
	struct rbm *r = reduced(m, keep, nk);
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_trainer *t;
	struct rbm *g = gradient(m, items, 1, &ts1, &t);
	struct rbm *gr = gradient(r, red, 0, &ts2, &t);
	size_t i, j, q = 0;

	for (j = 0; j < m->nh; j++)
		ck_assert_double_eq_tol(gsl_vector_float_get(g->c, j),
					gsl_vector_float_get(gr->c, j), 1e-6);
	for (i = 0; i < m->nv; i++) {
		int kept = q < nk && keep[q] == i;
		ck_assert_double_eq_tol(gsl_vector_float_get(g->b, i),
			kept ? gsl_vector_float_get(gr->b, q) : 0, 1e-6);
		for (j = 0; j < m->nh; j++)
			ck_assert_double_eq_tol(gsl_matrix_float_get(g->w, i, j),
				kept ? gsl_matrix_float_get(gr->w, q, j) : 0,
				1e-6);
		q += (size_t)kept;
	}
	rbm_train_state_clear(&ts1);
	rbm_train_state_clear(&ts2);
	rbm_free(g);
	rbm_free(gr);
	rbm_free(r);
}

/* Binary units 1 and 3 missing from both rows of a batch. */
START_TEST(test_masked_gradient_binary)
{
	struct rbm *m = random_model(5, 3, RBM_VIS_BINARY, 1, 1.0, 7);
	const float items[10] = { 1, NAN, 0, NAN, 1, 0, NAN, 1, NAN, 1 };
	const float red[6] = { 1, 0, 1, 0, 1, 1 };
	const size_t keep[3] = { 0, 2, 4 };

	check_reduced(m, items, keep, 3, red);
	rbm_free(m);
}
END_TEST

/* The middle one of three softmax items missing: units 3..5 deleted. */
START_TEST(test_masked_gradient_softmax)
{
	struct rbm *m = random_model(9, 3, RBM_VIS_SOFTMAX, 3, 1.0, 8);
	const float items[6] = { 3, NAN, 1, 2, NAN, 2 };
	const float red[4] = { 3, 1, 2, 2 };
	const size_t keep[6] = { 0, 1, 2, 6, 7, 8 };

	check_reduced(m, items, keep, 6, red);
	rbm_free(m);
}
END_TEST

/* A Gaussian unit missing. */
START_TEST(test_masked_gradient_gaussian)
{
	struct rbm *m = random_model(3, 2, RBM_VIS_GAUSSIAN, 1, 0.5, 9);
	const float items[6] = { 0.5f, NAN, -1, -0.3f, NAN, 2 };
	const float red[4] = { 0.5f, -1, -0.3f, 2 };
	const size_t keep[2] = { 0, 2 };

	check_reduced(m, items, keep, 2, red);
	rbm_free(m);
}
END_TEST

/*
 * Missing is not 0: the rows with the missing units read as 0 and no
 * mask give another gradient (the missing units' biases get a push
 * toward 0 that the masked gradient does not have).
 */
START_TEST(test_missing_is_not_zero)
{
	struct rbm *m = random_model(5, 3, RBM_VIS_BINARY, 1, 1.0, 7);
	const float items[10] = { 1, NAN, 0, NAN, 1, 0, NAN, 1, NAN, 1 };
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_trainer *t;
	struct rbm *g = gradient(m, items, 1, &ts1, &t);
	struct rbm *g0 = gradient(m, items, 0, &ts2, &t);

	ck_assert_double_eq(gsl_vector_float_get(g->b, 1), 0);
	ck_assert(gsl_vector_float_get(g0->b, 1) < -0.01);
	ck_assert(fabs(gsl_vector_float_get(g->c, 0) -
		       gsl_vector_float_get(g0->c, 0)) > 1e-4);
	rbm_train_state_clear(&ts1);
	rbm_train_state_clear(&ts2);
	rbm_free(g);
	rbm_free(g0);
	rbm_free(m);
}
END_TEST

/*
 * Centering's visible offsets follow the mean of each unit where it is
 * observed, as they start (rbm_train_data_bias, start_offsets): unit 0
 * is 1 wherever observed, so its offset stays 1 rather than drifting to
 * the batch mean with a missing row counted as 0.  A unit missing from
 * a whole batch keeps its offset rather than moving toward 0.
 */
START_TEST(test_centering_offsets_observed)
{
	struct rbm *m = random_model(3, 2, RBM_VIS_BINARY, 1, 0.5, 11);
	const float items[9] = { 1, 0, NAN, NAN, 1, NAN, 1, 1, 0.5f };
	struct rbm_data *d = data(3, 3, items);
	struct rbm_train_settings p = cd1();
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm_epoch_stats st;
	struct rbm_trainer *t;
	struct rbm_err err;

	p.centering = 1;
	p.offset_rate = 0.5;
	p.batch_size = 2;	/* two batches, in either order */
	t = rbm_trainer_alloc(m, &ts, &p, d, 1, rng, &err);
	ck_assert_msg(t != NULL, "%s", err.msg);
	ck_assert_double_eq_tol(gsl_vector_float_get(ts.vis_offset, 0), 1,
				1e-6);
	ck_assert_double_eq_tol(gsl_vector_float_get(ts.vis_offset, 2), 0.5,
				1e-6);
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	ck_assert_double_eq_tol(gsl_vector_float_get(ts.vis_offset, 0), 1,
				1e-6);
	/* unit 2: 0.5 in the batch with row 3, missing from the other */
	ck_assert_double_eq_tol(gsl_vector_float_get(ts.vis_offset, 2), 0.5,
				1e-6);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	rbm_data_free(d);
	rbm_free(m);
}
END_TEST

/*
 * Two epochs of one batch with CD-3, centering, sparsity and momentum
 * (so that momentum carries): rows of 4 items, unit 1 missing from every
 * row, unit 3 from the first only.
 */
static struct rbm *extras_update(struct rbm *m)
{
	const float items[8] = { 1, NAN, 0, NAN, 0, NAN, 1, 1 };
	struct rbm_data *d = data(2, 4, items);
	static struct rbm_train_settings p;
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm *copy = rbm_alloc(m->nv, m->nh, NULL);
	struct rbm_epoch_stats st;
	struct rbm_trainer *t;
	struct rbm_err err;

	p = cd1();
	p.cd_k = 3;
	p.centering = 1;
	p.sparsity_target = 0.2;
	p.momentum = 0.5;
	gsl_rng_set(rng, 5);
	/* offsets as a state file may hold them, none 0 (the data's mean
	 * of the unit never observed would be 0, hiding its offset) */
	ts.vis_offset = gsl_vector_float_alloc(4);
	ts.hid_offset = gsl_vector_float_alloc(3);
	gsl_vector_float_set_all(ts.vis_offset, 0.7f);
	gsl_vector_float_set_all(ts.hid_offset, 0.4f);
	t = rbm_trainer_alloc(m, &ts, &p, d, 2, rng, &err);
	ck_assert_msg(t != NULL, "%s", err.msg);
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	rbm_copy(copy, m);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	rbm_data_free(d);
	gsl_rng_free(rng);
	return copy;
}

/*
 * A unit missing from every row has no say, with CD-k, centering,
 * sparsity and momentum too: changing its weights and bias changes
 * nothing else in the trained model, and its own weights and bias do not
 * move (no decay is set).
 */
START_TEST(test_missing_unit_has_no_say)
{
	struct rbm *a = random_model(4, 3, RBM_VIS_BINARY, 1, 1.0, 12);
	struct rbm *b = random_model(4, 3, RBM_VIS_BINARY, 1, 1.0, 12);
	struct rbm *ta, *tb;
	size_t i, j;

	gsl_vector_float_set(b->b, 1, 3.0f);
	for (j = 0; j < 3; j++)
		gsl_matrix_float_set(b->w, 1, j, (float)j - 2.5f);
	ta = extras_update(a);
	tb = extras_update(b);
	for (j = 0; j < 3; j++) {
		ck_assert_float_eq_tol(gsl_vector_float_get(ta->c, j),
				       gsl_vector_float_get(tb->c, j), 1e-6);
		ck_assert_float_eq(gsl_matrix_float_get(tb->w, 1, j),
				   (float)j - 2.5f);
	}
	ck_assert_float_eq(gsl_vector_float_get(tb->b, 1), 3.0f);
	for (i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		ck_assert_float_eq_tol(gsl_vector_float_get(ta->b, i),
				       gsl_vector_float_get(tb->b, i), 1e-6);
		for (j = 0; j < 3; j++)
			ck_assert_float_eq_tol(gsl_matrix_float_get(ta->w, i, j),
				gsl_matrix_float_get(tb->w, i, j), 1e-6);
	}
	rbm_free(a);
	rbm_free(b);
	rbm_free(ta);
	rbm_free(tb);
}
END_TEST

/* PCD refuses data with missing values: its chains belong to no row. */
START_TEST(test_pcd_refuses_missing)
{
	struct rbm *m = random_model(5, 3, RBM_VIS_BINARY, 1, 1.0, 7);
	const float items[10] = { 1, NAN, 0, 1, 1, 0, 0, 1, 1, 1 };
	struct rbm_data *d = data(2, 5, items);
	struct rbm_train_settings p;
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm_err err;

	rbm_train_defaults(&p);
	ck_assert_ptr_null(rbm_trainer_alloc(m, &ts, &p, d, 1, rng, &err));
	ck_assert_str_eq(err.msg, "missing values need CD training: use "
			 "--no-pcd");
	gsl_rng_free(rng);
	rbm_data_free(d);
	rbm_free(m);
}
END_TEST

/* Training a softmax model with missing ratings runs and stays finite. */
START_TEST(test_train_softmax_epochs)
{
	struct rbm *m = random_model(16, 3, RBM_VIS_SOFTMAX, 4, 0.1, 10);
	const float items[12] = { 4, 3, NAN, 1, NAN, 4, 1, 2, 1, 1, 4, NAN };
	struct rbm_data *d = data(3, 4, items);
	struct rbm_train_settings p = cd1();
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct rbm_epoch_stats st;
	struct rbm_trainer *t;
	struct rbm_err err;
	int e;

	p.centering = 1;
	p.momentum = 0.5;
	t = rbm_trainer_alloc(m, &ts, &p, d, 50, rng, &err);
	ck_assert_msg(t != NULL, "%s", err.msg);
	for (e = 0; e < 50; e++)
		ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	rbm_trainer_free(t);
	ck_assert_int_eq(rbm_check_params(m), 0);
	rbm_train_data_bias(m, d);	/* log of each rating's frequency, */
	/* by Laplace's rule: (count + 1) / (observed + K) */
	ck_assert_double_eq_tol(gsl_vector_float_get(m->b, 3),
				log(2.0 / 6.0), 1e-6);
	ck_assert_double_eq_tol(gsl_vector_float_get(m->b, 4 + 1),
				log(1.0 / 7.0), 1e-6);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	rbm_data_free(d);
	rbm_free(m);
}
END_TEST

/* ---- rows and data ---- */

/* Read text through a reader set up by the caller's flags. */
static ssize_t read_with(const char *text, size_t width, unsigned long k,
			 const char *token, int allow, float *out,
			 struct rbm_err *err, unsigned long *first)
{
	int fd[2];
	struct rbm_rows *r;
	ssize_t n, got = 0;

	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(write(fd[1], text, strlen(text)),
			 (ssize_t)strlen(text));
	close(fd[1]);
	r = rbm_rows_open_fd(fd[0], "stdin", width, err);
	ck_assert_ptr_nonnull(r);
	if (k)
		rbm_rows_set_ratings(r, k);
	rbm_rows_set_missing(r, token, allow);
	while ((n = rbm_rows_read(r, out + (size_t)got * width, 8, err)) > 0)
		got += n;
	if (first)
		*first = rbm_rows_first_missing(r);
	rbm_rows_close(r);
	close(fd[0]);
	return n < 0 ? -1 : got;
}

/* Missing values: NaN where allowed, an error naming the line if not. */
START_TEST(test_rows_missing)
{
	float out[64];
	struct rbm_err err;
	unsigned long first;

	ck_assert_int_eq(read_with("1 0\n1 ?\n? ?\n", 2, 0, NULL, 1, out,
				   &err, &first), 3);
	ck_assert(isnan(out[3]) && isnan(out[4]) && out[2] == 1);
	ck_assert_uint_eq(first, 2);
	ck_assert_int_eq(read_with("1 0\n1 ?\n", 2, 0, NULL, 0, out, &err,
				   NULL), -1);
	ck_assert_str_eq(err.msg, "stdin:2: missing value '?' not allowed "
			 "here");
	ck_assert_int_eq(read_with("1 NA\n", 2, 0, "NA", 1, out, &err,
				   NULL), 1);
	ck_assert(isnan(out[1]));
	ck_assert_int_eq(read_with("1 ?\n", 2, 0, "NA", 1, out, &err,
				   NULL), -1);
	ck_assert_str_eq(err.msg, "stdin:1: value 2 ('?') is not a number");
}
END_TEST

/*
 * A missing token that is also a value ("0" or "1") is the missing
 * token: the fast path for 0/1 tokens must not read it as a number.
 */
START_TEST(test_rows_missing_zero)
{
	float out[64];
	struct rbm_err err;
	unsigned long first;

	ck_assert_int_eq(read_with("1 0\n0 1\n", 2, 0, "0", 1, out, &err,
				   &first), 2);
	ck_assert(out[0] == 1 && isnan(out[1]) && isnan(out[2]) &&
		  out[3] == 1);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(read_with("1 0\n", 2, 0, "1", 1, out, &err, NULL),
			 1);
	ck_assert(isnan(out[0]) && out[1] == 0);
	ck_assert_int_eq(read_with("1 0\n", 2, 0, "0", 0, out, &err, NULL),
			 -1);
	ck_assert_str_eq(err.msg, "stdin:1: missing value '0' not allowed "
			 "here");
}
END_TEST

/* Ratings: whole numbers 1..K, every other value refused. */
START_TEST(test_rows_ratings)
{
	float out[64];
	struct rbm_err err;

	ck_assert_int_eq(read_with("1 5\n3 ?\n", 2, 5, NULL, 1, out, &err,
				   NULL), 2);
	ck_assert(out[1] == 5 && out[2] == 3);
	ck_assert_int_eq(read_with("1 5\n7 1\n", 2, 5, NULL, 1, out, &err,
				   NULL), -1);
	ck_assert_str_eq(err.msg, "stdin:2: rating 7 outside 1..5");
	ck_assert_int_eq(read_with("0 1\n", 2, 5, NULL, 1, out, &err, NULL),
			 -1);
	ck_assert_str_eq(err.msg, "stdin:1: rating 0 outside 1..5");
	ck_assert_int_eq(read_with("2.5 1\n", 2, 5, NULL, 1, out, &err,
				   NULL), -1);
	ck_assert_str_eq(err.msg, "stdin:1: rating 2.5 is not a whole number");
	ck_assert_int_eq(read_with("2 x\n", 2, 5, NULL, 1, out, &err, NULL),
			 -1);
	ck_assert_str_eq(err.msg, "stdin:1: value 2 ('x') is not a number");
}
END_TEST

/* Ratings and missing values stay one byte each; gather gives NaN back. */
START_TEST(test_data_bytes_missing)
{
	const float rows[6] = { 5, NAN, 1, 2, 3, NAN };
	struct rbm_data *d = data(2, 3, rows);
	gsl_matrix_float *out = gsl_matrix_float_alloc(2, 3);
	size_t idx[2] = { 1, 0 };
	const float half[3] = { 0.5f, NAN, 1 };

	ck_assert_ptr_nonnull(d->bits);
	ck_assert_uint_eq(d->missing, 2);
	rbm_data_gather(d, idx, 2, out);
	ck_assert(gsl_matrix_float_get(out, 0, 0) == 2);
	ck_assert(isnan(gsl_matrix_float_get(out, 0, 2)));
	ck_assert(isnan(gsl_matrix_float_get(out, 1, 1)));
	ck_assert_int_eq(rbm_data_append(d, half, NULL), 0);	/* floats */
	ck_assert_ptr_null(d->bits);
	ck_assert_uint_eq(d->missing, 3);
	rbm_data_gather(d, idx, 2, out);
	ck_assert(isnan(gsl_matrix_float_get(out, 0, 2)));
	ck_assert(gsl_matrix_float_get(out, 1, 0) == 5);
	gsl_matrix_float_free(out);
	rbm_data_free(d);
}
END_TEST

/* ---- state file ---- */

/* Save and load a model of the type; the loaded one's type and K. */
static void round_trip(enum rbm_vis_type t, size_t k, const char *line)
{
	struct rbm_train_settings p;
	struct rbm_state *s, *back;
	char *path = unit_path("v.rbm"), *text;
	struct rbm_err err;
	size_t len;

	rbm_train_defaults(&p);
	s = rbm_state_create(6, 2, &p, 1, &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(rbm_visible_set(s->model, t, k, &err), 0);
	ck_assert_int_eq(rbm_state_save(s, path, &err), 0);
	text = unit_read_file(path, &len);
	if (line)
		ck_assert_ptr_nonnull(strstr(text, line));
	else
		ck_assert_ptr_null(strstr(text, "visible_type"));
	back = rbm_state_load(path, &err);
	ck_assert_msg(back != NULL, "%s", err.msg);
	ck_assert_int_eq(back->model->vtype, t);
	ck_assert_uint_eq(back->model->k, k);
	free(text);
	free(path);
	rbm_state_free(s);
	rbm_state_free(back);
}

/* Every type survives a save; binary files have no visible_type line. */
START_TEST(test_state_types)
{
	round_trip(RBM_VIS_BINARY, 1, NULL);
	round_trip(RBM_VIS_GAUSSIAN, 1, "\nvisible_type gaussian\n");
	round_trip(RBM_VIS_SOFTMAX, 3, "\nvisible_type softmax 3\n");
}
END_TEST

/* A state file with the visible_type line replaced by line. */
static void expect_load_error(const char *line, const char *msg)
{
	struct rbm_train_settings p;
	struct rbm_state *s;
	char *path = unit_path("bad.rbm"), *text, *at, *eol, *fixed;
	struct rbm_err err;
	size_t len, n;
	char end[64];

	rbm_train_defaults(&p);
	s = rbm_state_create(6, 2, &p, 1, &err);
	ck_assert_int_eq(rbm_visible_set(s->model, RBM_VIS_SOFTMAX, 3, &err),
			 0);
	ck_assert_int_eq(rbm_state_save(s, path, &err), 0);
	text = unit_read_file(path, &len);
	at = strstr(text, "visible_type");
	eol = strchr(at, '\n');
	fixed = malloc(len + strlen(line) + 64);
	n = (size_t)(at - text);
	memcpy(fixed, text, n);
	strcpy(fixed + n, line);
	strcat(fixed, eol);
	*strstr(fixed, "end fnv1a64 ") = '\0';
	n = strlen(fixed);
	snprintf(end, sizeof(end), "end fnv1a64 %016llx\n",
		 (unsigned long long)rbm_state_checksum(fixed, n));
	strcat(fixed, end);
	unit_write_file(path, fixed, strlen(fixed));
	ck_assert_ptr_null(rbm_state_load(path, &err));
	ck_assert_str_eq(err.msg, msg);
	free(fixed);
	free(text);
	free(path);
	rbm_state_free(s);
}

/* Unknown types, a K that does not divide the units, a repeated line. */
START_TEST(test_state_bad_types)
{
	char *p = unit_path("bad.rbm");
	char want[4096];

	snprintf(want, sizeof(want), "%s:26: unknown visible unit type "
		 "'poisson' (binary, gaussian or softmax K)", p);
	expect_load_error("visible_type poisson", want);
	snprintf(want, sizeof(want), "%s:26: softmax needs K from 2 to 100 "
		 "ratings, not '1'", p);
	expect_load_error("visible_type softmax 1", want);
	snprintf(want, sizeof(want), "%s:26: unknown visible unit type "
		 "'softmax' (binary, gaussian or softmax K)", p);
	expect_load_error("visible_type softmax", want);
	snprintf(want, sizeof(want), "%s:26: 6 visible units are not groups "
		 "of 4", p);
	expect_load_error("visible_type softmax 4", want);
	snprintf(want, sizeof(want), "%s:27: bad or repeated 'visible_type' "
		 "line", p);
	expect_load_error("visible_type gaussian\nvisible_type gaussian",
			  want);
	free(p);
}
END_TEST

/*
 * Training's persistent chains start on the chain path for every type:
 * rbm_chain_start_hidden of the first rows of the data, encoded into
 * units, with the trainer's generator.
 */
START_TEST(test_pcd_chains_start)
{
	static const char *const types[] = { "binary", "softmax:3",
					     "gaussian" };
	static const float rows[5][6] = {
		{ 1, 0, 1, 1, 0, 1 }, { 0, 0, 1, 0, 1, 1 },
		{ 1, 2, 3, 0, 1, 0 }, { 3, 3, 1, 1, 0, 0 },
		{ 2, 1, 0.5f, 1, 1, 0 },
	};
	struct rbm_err err;
	size_t ty, i, j, k;
	enum rbm_vis_type type;

	for (ty = 0; ty < 3; ty++) {
		struct rbm *m = NULL;
		struct rbm_data *d;
		struct rbm_train_state ts = { 0 };
		struct rbm_train_settings p;
		struct rbm_trainer *t;
		gsl_matrix_float *items, *units, *h;
		gsl_rng *r1 = rbm_rng_alloc(9, &err), *r2 = rbm_rng_alloc(9,
								      &err);
		size_t n;

		ck_assert_int_eq(rbm_visible_parse(types[ty], &type, &k,
						   &err), 0);
		m = random_model(6, 3, type, k, 1.0, 20 + ty);
		n = rbm_visible_items(m);
		d = rbm_data_alloc(n, &err);
		items = gsl_matrix_float_alloc(4, n);
		units = gsl_matrix_float_alloc(4, 6);
		h = gsl_matrix_float_alloc(4, 3);
		for (i = 0; i < 5; i++) {
			const float *row = rows[ty == 1 ? 2 + i % 2 :
						ty == 2 ? 4 : i % 2];
			ck_assert_int_eq(rbm_data_append(d, row, &err), 0);
			for (j = 0; i < 4 && j < n; j++)
				gsl_matrix_float_set(items, i, j, row[j]);
		}
		rbm_train_defaults(&p);
		p.pcd = 1;
		p.batch_size = 4;
		t = rbm_trainer_alloc(m, &ts, &p, d, 1, r1, &err);
		ck_assert_ptr_nonnull(t);
		rbm_visible_encode(m, items, units, NULL);
		rbm_chain_start_hidden(m, units, h, r2);
		ck_assert_ptr_nonnull(ts.chains);
		for (i = 0; i < 4; i++)
			for (j = 0; j < 3; j++)
				ck_assert_float_eq(gsl_matrix_float_get(
					ts.chains, i, j),
					gsl_matrix_float_get(h, i, j));
		rbm_trainer_free(t);
		rbm_train_state_clear(&ts);
		gsl_matrix_float_free(items);
		gsl_matrix_float_free(units);
		gsl_matrix_float_free(h);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		rbm_data_free(d);
		rbm_free(m);
	}
}
END_TEST

Suite *visible_suite(void)
{
	Suite *s = suite_create("visible");
	TCase *types = tcase_create("types");
	TCase *scores = tcase_create("scores");
	TCase *train = tcase_create("masked training");
	TCase *io = tcase_create("rows and state");

	tcase_add_test(types, test_parse);
	tcase_add_test(types, test_encode_decode_softmax);
	tcase_add_test(types, test_encode_real);
	tcase_add_test(types, test_write_items_digits);
	tcase_add_test(types, test_softmax_sums_to_one);
	tcase_add_test(types, test_softmax_hand);
	tcase_add_test(types, test_gaussian_reconstruct_hand);
	tcase_add_test(types, test_gaussian_sample_variance);
	suite_add_tcase(s, types);

	tcase_add_test(scores, test_softmax_log_z_brute);
	tcase_add_test(scores, test_gaussian_log_z);
	tcase_add_test(scores, test_gaussian_log_z_one_unit);
	tcase_add_test(scores, test_gaussian_free_energy_masked);
	tcase_add_test(scores, test_ais_refuses);
	suite_add_tcase(s, scores);

	tcase_add_test(train, test_masked_gradient_binary);
	tcase_add_test(train, test_masked_gradient_softmax);
	tcase_add_test(train, test_masked_gradient_gaussian);
	tcase_add_test(train, test_missing_is_not_zero);
	tcase_add_test(train, test_centering_offsets_observed);
	tcase_add_test(train, test_missing_unit_has_no_say);
	tcase_add_test(train, test_pcd_refuses_missing);
	tcase_add_test(train, test_train_softmax_epochs);
	tcase_add_test(train, test_pcd_chains_start);
	suite_add_tcase(s, train);

	tcase_add_unchecked_fixture(io, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(io, test_rows_missing);
	tcase_add_test(io, test_rows_missing_zero);
	tcase_add_test(io, test_rows_ratings);
	tcase_add_test(io, test_data_bytes_missing);
	tcase_add_test(io, test_state_types);
	tcase_add_test(io, test_state_bad_types);
	suite_add_tcase(s, io);
	return s;
}
