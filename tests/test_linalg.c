/*
 * test_linalg.c - the product backend, its thread pool and its kernels:
 * every block of a job runs once; every product, cut into blocks or not,
 * through sgemm or the binary kernels at every level this CPU has, on
 * views of larger matrices, equals a plain sum in double within float
 * rounding; every kernel level gives the scalar reference's bits.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "kernels.h"
#include "linalg.h"
#include "pool.h"
#include "unit.h"

#define MAX_BLOCKS 200

static atomic_int runs[MAX_BLOCKS];

static void count_block(void *arg, size_t i)
{
	(void)arg;
	atomic_fetch_add(&runs[i], 1);
}

/* rbm_pool_run runs each block exactly once, for any number of blocks. */
START_TEST(test_pool_each_block_once)
{
	size_t n, i;
	int rep;

	ck_assert_uint_ge(rbm_pool_threads(), 1);
	for (rep = 0; rep < 10; rep++) {
		for (n = 0; n < MAX_BLOCKS; n += 7) {
			for (i = 0; i < MAX_BLOCKS; i++)
				atomic_store(&runs[i], 0);
			rbm_pool_run(n, count_block, NULL);
			for (i = 0; i < MAX_BLOCKS; i++)
				ck_assert_int_eq(atomic_load(&runs[i]),
						 i < n ? 1 : 0);
		}
	}
}
END_TEST

/* A rows x cols matrix inside a larger one (a view with a wider tda). */
struct mat {
	gsl_matrix_float *whole;
	gsl_matrix_float_view v;
};

static gsl_matrix_float *mat_random(struct mat *m, size_t rows, size_t cols,
				    double ones, gsl_rng *rng)
{
	size_t i, j;

	m->whole = gsl_matrix_float_alloc(rows + 1, cols + 3);
	ck_assert_ptr_nonnull(m->whole);
	for (i = 0; i < rows + 1; i++)
		for (j = 0; j < cols + 3; j++)
			gsl_matrix_float_set(m->whole, i, j, ones > 0 ?
				(float)(gsl_rng_uniform(rng) < ones) :
				(float)(gsl_rng_uniform(rng) - 0.5));
	m->v = gsl_matrix_float_submatrix(m->whole, 1, 2, rows, cols);
	return &m->v.matrix;
}

/* sum_k a[i][k] b[k][j] (b transposed: b[j][k]) in double. */
static double ref_dot(const gsl_matrix_float *a, size_t i,
		      const gsl_matrix_float *b, size_t j, int trans)
{
	double s = 0;
	size_t k;

	for (k = 0; k < a->size2; k++)
		s += (double)gsl_matrix_float_get(a, i, k) *
		     (trans ? gsl_matrix_float_get(b, j, k)
			    : gsl_matrix_float_get(b, k, j));
	return s;
}

/* |got - want| within float rounding of a sum of k terms of size 1. */
static void near(double got, double want, size_t k)
{
	ck_assert_msg(fabs(got - want) <= 1e-6 * (double)k + 1e-6,
		      "got %.9g, want %.9g", got, want);
}

/*
 * The affine products and the gram product at shapes below and above the
 * size at which they are cut into blocks (with a short last block), on
 * views, dense and binary left operands.
 */
static void products_match(double ones, size_t nshapes)
{
	static const size_t shapes[][3] = {	/* rows, NV, NH */
		{ 3, 5, 2 }, { 37, 300, 211 }, { 100, 784, 500 }
	};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t s, i, j;

	for (s = 0; s < nshapes; s++) {
		size_t n = shapes[s][0], nv = shapes[s][1], nh = shapes[s][2];
		struct mat mx, mw, mh, mo, mp, mg;
		gsl_matrix_float *x = mat_random(&mx, n, nv, s >= 1 ? ones : 0,
						 rng);
		gsl_matrix_float *w = mat_random(&mw, nv, nh, 0, rng);
		gsl_matrix_float *h = mat_random(&mh, n, nh, ones, rng);
		gsl_matrix_float *o = mat_random(&mo, n, nh, 0, rng);
		gsl_matrix_float *p = mat_random(&mp, n, nv, 0, rng);
		gsl_matrix_float *g = mat_random(&mg, nv, nh, 0, rng);
		gsl_matrix_float *g0 = gsl_matrix_float_alloc(nv, nh);
		gsl_vector_float *c = gsl_vector_float_alloc(nh);
		gsl_vector_float *b = gsl_vector_float_alloc(nv);
		for (j = 0; j < nh; j++)
			gsl_vector_float_set(c, j, (float)j / (float)nh);
		for (j = 0; j < nv; j++)
			gsl_vector_float_set(b, j, -(float)j / (float)nv);
		gsl_matrix_float_memcpy(g0, g);
		rbm_linalg_affine(x, w, c, o, NULL);
		rbm_linalg_affine_t(h, w, b, p, NULL);
		rbm_linalg_gram(0.5f, x, h, 2.0f, g);
		for (i = 0; i < n; i++) {
			for (j = 0; j < nh; j++)
				near(gsl_matrix_float_get(o, i, j),
				     ref_dot(x, i, w, j, 0) +
				     gsl_vector_float_get(c, j), nv);
			for (j = 0; j < nv; j++)
				near(gsl_matrix_float_get(p, i, j),
				     ref_dot(h, i, w, j, 1) +
				     gsl_vector_float_get(b, j), nh);
		}
		for (i = 0; i < nv; i++)
			for (j = 0; j < nh; j++) {
				double sum = 0;
				size_t k;
				for (k = 0; k < n; k++)
					sum += (double)gsl_matrix_float_get(x, k, i) *
					       gsl_matrix_float_get(h, k, j);
				near(gsl_matrix_float_get(g, i, j), 0.5 * sum +
				     2.0 * gsl_matrix_float_get(g0, i, j), n);
			}
		gsl_matrix_float_free(mx.whole);
		gsl_matrix_float_free(mw.whole);
		gsl_matrix_float_free(mh.whole);
		gsl_matrix_float_free(mo.whole);
		gsl_matrix_float_free(mp.whole);
		gsl_matrix_float_free(mg.whole);
		gsl_matrix_float_free(g0);
		gsl_vector_float_free(b);
		gsl_vector_float_free(c);
	}
	gsl_rng_free(rng);
}

/*
 * At every kernel level, with binary operands sparse enough for the
 * kernels (5%) and too dense for them (80%, sgemm); the largest shape
 * (a training batch of Fashion-MNIST) at the best level only, as the
 * reference sums are slow under the sanitizers.
 */
START_TEST(test_products_match_reference)
{
	int level, best = (int)rbm_kernel_best();

	for (level = best; level >= 0; level--) {
		ck_assert_int_eq(rbm_kernel_set_level(
			(enum rbm_kernel_level)level), level);
		products_match(0.05, level == best ? 3 : 2);
		products_match(0.8, level == best ? 3 : 2);
	}
}
END_TEST

/*
 * Every kernel level gives the reference's bits, for widths that use
 * every part of the vector code (4 vectors, 1 vector, 4 floats, the
 * rest), strides wider than the rows, with and without a base, and for
 * repeated and empty lists of rows.
 */
START_TEST(test_kernels_bit_identical)
{
	static const size_t widths[] = { 1, 3, 4, 7, 15, 16, 17, 33, 63, 64,
					 65, 100, 131, 257 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t ld = 300, nrows = 50, i, wi, m;
	float *rows = malloc(nrows * ld * sizeof(float));
	float *base = malloc(ld * sizeof(float));
	float *want = malloc(ld * sizeof(float));
	float *got = malloc(ld * sizeof(float));
	uint32_t idx[80];
	int level, best = (int)rbm_kernel_best();

	ck_assert(rows && base && want && got);
	for (i = 0; i < nrows * ld; i++)
		rows[i] = (float)(gsl_rng_uniform(rng) - 0.5) *
			  (float)(1 + gsl_rng_uniform_int(rng, 1000));
	for (i = 0; i < ld; i++)
		base[i] = (float)gsl_rng_uniform(rng);
	for (i = 0; i < 80; i++)
		idx[i] = (uint32_t)gsl_rng_uniform_int(rng, nrows);
	for (level = best; level >= 0; level--) {
		rbm_kernel_set_level((enum rbm_kernel_level)level);
		for (wi = 0; wi < sizeof(widths) / sizeof(*widths); wi++)
			for (m = 0; m <= 80; m += 20) {
				size_t n = widths[wi];
				const float *b = m % 40 ? base : NULL;
				rbm_kernel_sum_rows_ref(rows + 1, ld, idx, m, n,
							0.75f, b, -2.0f, want);
				memcpy(got, base, ld * sizeof(float));
				rbm_kernel_sum_rows(rows + 1, ld, idx, m, n,
						    0.75f, b ? got : NULL,
						    -2.0f, got);
				ck_assert_msg(memcmp(got, want, n *
						     sizeof(float)) == 0,
					      "%s differs at width %zu, %zu rows",
					      rbm_kernel_names[level], n, m);
			}
	}
	free(rows);
	free(base);
	free(want);
	free(got);
	gsl_rng_free(rng);
}
END_TEST

/*
 * The many-row sums give the single sums' bits at every level: 70 output
 * rows (more than one group), widths with and without whole panels and
 * tails, ascending lists reaching past several bands and lists in any
 * order with repeats, empty lists, one shared base row (ldb 0), a base
 * row per output row that is the output itself (the gradient's beta g),
 * and no base.
 */
START_TEST(test_kernel_many_bit_identical)
{
	enum { NOUT = 70, NROWS = 700, LD = 300, MAXM = 400 };
	static const size_t widths[] = { 1, 15, 17, 40, 52, 64, 65, 100, 128,
					 200, 257 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	float *rows = malloc(NROWS * LD * sizeof(float));
	float *base = malloc(NOUT * LD * sizeof(float));
	float *want = malloc(NOUT * LD * sizeof(float));
	float *got = malloc(NOUT * LD * sizeof(float));
	uint32_t *idx = malloc(NOUT * MAXM * sizeof(uint32_t));
	size_t start[NOUT], end[NOUT], i, r, wi, mode;
	int level, best = (int)rbm_kernel_best();

	ck_assert(rows && base && want && got && idx);
	for (i = 0; i < NROWS * LD; i++)
		rows[i] = (float)(gsl_rng_uniform(rng) - 0.5) *
			  (float)(1 + gsl_rng_uniform_int(rng, 1000));
	for (i = 0; i < NOUT * LD; i++)
		base[i] = (float)gsl_rng_uniform(rng);
	for (mode = 0; mode < 2; mode++) {
		for (r = 0; r < NOUT; r++) {	/* ascending, or any order */
			size_t m = r % 9 == 4 ? 0 :
				   gsl_rng_uniform_int(rng, MAXM + 1), k = 0;
			start[r] = r * MAXM;
			for (i = 0; i < NROWS && k < m; i++)
				if (mode == 1 || gsl_rng_uniform(rng) < 0.3)
					idx[start[r] + k++] = mode == 1 ?
						(uint32_t)gsl_rng_uniform_int(
							rng, NROWS) :
						(uint32_t)i;
			end[r] = start[r] + k;
		}
		for (level = best; level >= 0; level--) {
			rbm_kernel_set_level((enum rbm_kernel_level)level);
			for (wi = 0; wi < sizeof(widths) / sizeof(*widths);
			     wi++) {
				size_t n = widths[wi], kind;
				for (kind = 0; kind < 3; kind++) {
					size_t ldb = kind == 1 ? 0 : LD;
					const float *b = kind == 2 ? NULL : base;
					rbm_kernel_sum_rows_many_ref(rows + 1,
						LD, idx, start, end, NOUT, n,
						0.75f, b, ldb, -2.0f, want, LD);
					memcpy(got, base,
					       NOUT * LD * sizeof(float));
					rbm_kernel_sum_rows_many(rows + 1, LD,
						idx, start, end, NOUT, n, 0.75f,
						kind == 0 ? got : b, ldb,
						-2.0f, got, LD);
					for (r = 0; r < NOUT; r++)
						ck_assert_msg(memcmp(got + r * LD,
							want + r * LD,
							n * sizeof(float)) == 0,
							"%s differs: width %zu, "
							"row %zu, kind %zu, "
							"mode %zu",
							rbm_kernel_names[level],
							n, r, kind, mode);
				}
			}
		}
	}
	free(rows);
	free(base);
	free(want);
	free(got);
	free(idx);
	gsl_rng_free(rng);
}
END_TEST

/* The reference is a plain sum: base_scale base + scale sum of rows. */
START_TEST(test_kernel_reference)
{
	const float rows[3][4] = { { 1, 2, 3, 4 }, { 10, 20, 30, 40 },
				   { 100, 200, 300, 400 } };
	const float base[4] = { 1, 1, 1, 1 };
	const uint32_t idx[3] = { 2, 0, 2 };
	float out[4];

	rbm_kernel_sum_rows_ref(&rows[0][0], 4, idx, 3, 4, 2.0f, base, 3.0f,
				out);
	ck_assert_float_eq(out[0], 3 + 2 * 201.0f);
	ck_assert_float_eq(out[3], 3 + 2 * 804.0f);
	rbm_kernel_sum_rows_ref(&rows[0][0], 4, idx, 0, 4, 2.0f, NULL, 3.0f,
				out);
	ck_assert_float_eq(out[1], 0);
}
END_TEST

/* The post step sees every element of the output exactly once. */
static void add_one(float *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		x[i] += 1.0f;
}

START_TEST(test_post_once)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct mat mx, mw, ma, mb;
	gsl_matrix_float *x = mat_random(&mx, 64, 400, 0, rng);
	gsl_matrix_float *w = mat_random(&mw, 400, 300, 0, rng);
	gsl_matrix_float *a = mat_random(&ma, 64, 300, 0, rng);
	gsl_matrix_float *b = mat_random(&mb, 64, 300, 0, rng);
	size_t i, j;

	rbm_linalg_affine(x, w, NULL, a, NULL);
	rbm_linalg_affine(x, w, NULL, b, add_one);
	for (i = 0; i < 64; i++)
		for (j = 0; j < 300; j++)
			ck_assert_float_eq(gsl_matrix_float_get(b, i, j),
					   gsl_matrix_float_get(a, i, j) + 1.0f);
	gsl_matrix_float_free(mx.whole);
	gsl_matrix_float_free(mw.whole);
	gsl_matrix_float_free(ma.whole);
	gsl_matrix_float_free(mb.whole);
	gsl_rng_free(rng);
}
END_TEST

/* The matrix axpy and scal, cut into blocks of rows, touch only the view. */
START_TEST(test_axpy_scal)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct mat mx, my, mz;
	gsl_matrix_float *x = mat_random(&mx, 900, 1500, 0, rng);
	gsl_matrix_float *y = mat_random(&my, 900, 1500, 0, rng);
	gsl_matrix_float *z = mat_random(&mz, 900, 1500, 0, rng);
	float edge = gsl_matrix_float_get(my.whole, 0, 0);
	size_t i, j;

	gsl_matrix_float_memcpy(z, y);
	rbm_linalg_matrix_axpy(0.25f, x, y);
	rbm_linalg_matrix_scal(-2.0f, y);
	for (i = 0; i < 900; i++)
		for (j = 0; j < 1500; j++)
			ck_assert_float_eq(gsl_matrix_float_get(y, i, j),
				-2.0f * (gsl_matrix_float_get(z, i, j) + 0.25f *
					 gsl_matrix_float_get(x, i, j)));
	ck_assert_float_eq(gsl_matrix_float_get(my.whole, 0, 0), edge);
	gsl_matrix_float_free(mx.whole);
	gsl_matrix_float_free(my.whole);
	gsl_matrix_float_free(mz.whole);
	gsl_rng_free(rng);
}
END_TEST

/*
 * The rank-one update, small (one block) and cut into blocks of rows, on
 * a view: each element a + (alpha x_i) y_j in float, rows where x is 0
 * untouched (even -0.0 stays), nothing outside the view, and x with a
 * stride (a column of a matrix).
 */
START_TEST(test_ger)
{
	static const size_t shapes[][2] = { { 3, 5 }, { 784, 500 } };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t s, i, j;

	for (s = 0; s < 2; s++) {
		size_t n = shapes[s][0], m = shapes[s][1];
		struct mat ma, mx;
		gsl_matrix_float *a = mat_random(&ma, n, m, 0, rng);
		gsl_matrix_float *xs = mat_random(&mx, n, 2, 0, rng);
		gsl_matrix_float *a0 = gsl_matrix_float_alloc(n, m);
		gsl_vector_float *y = gsl_vector_float_alloc(m);
		gsl_vector_float_view x = gsl_matrix_float_column(xs, 1);
		float edge = gsl_matrix_float_get(ma.whole, 1, m + 2);

		for (j = 0; j < m; j++)
			gsl_vector_float_set(y, j, (float)(gsl_rng_uniform(rng)
							   - 0.5));
		gsl_vector_float_set(&x.vector, 1, 0.0f);
		gsl_matrix_float_set(a, 1, 0, -0.0f);
		gsl_matrix_float_memcpy(a0, a);
		rbm_linalg_ger(-1.0f, &x.vector, y, a);
		for (i = 0; i < n; i++) {
			float xi = -1.0f * gsl_vector_float_get(&x.vector, i);
			for (j = 0; j < m; j++) {
				float want = gsl_matrix_float_get(a0, i, j);
				if (xi != 0.0f)
					want += xi * gsl_vector_float_get(y, j);
				ck_assert(memcmp(&want, gsl_matrix_float_const_ptr(
					a, i, j), sizeof(want)) == 0);
			}
		}
		ck_assert(signbit(gsl_matrix_float_get(a, 1, 0)));
		ck_assert_float_eq(gsl_matrix_float_get(ma.whole, 1, m + 2),
				   edge);
		gsl_matrix_float_free(ma.whole);
		gsl_matrix_float_free(mx.whole);
		gsl_matrix_float_free(a0);
		gsl_vector_float_free(y);
	}
	gsl_rng_free(rng);
}
END_TEST

/* The warning about OpenBLAS's generic kernels: only when they ignore
 * the CPU's AVX2 or AVX-512. */
START_TEST(test_generic_core)
{
	ck_assert(rbm_linalg_generic_core("Prescott", "AVX-512"));
	ck_assert(rbm_linalg_generic_core("Prescott", "AVX2"));
	ck_assert(rbm_linalg_generic_core("Sandybridge", "AVX2"));
	ck_assert(!rbm_linalg_generic_core("Prescott", ""));
	ck_assert(!rbm_linalg_generic_core("Haswell", "AVX-512"));
	ck_assert(!rbm_linalg_generic_core("SKYLAKEX", "AVX-512"));
	ck_assert(!rbm_linalg_generic_core("Zen", "AVX2"));
	ck_assert(!rbm_linalg_generic_core("", "AVX2"));	/* not OpenBLAS */
}
END_TEST

Suite *linalg_suite(void)
{
	Suite *s = suite_create("linalg");
	TCase *tc = tcase_create("products");

	tcase_set_timeout(tc, 600);	/* CPU-heavy; a busy machine */
	tcase_add_test(tc, test_pool_each_block_once);
	tcase_add_test(tc, test_kernel_reference);
	tcase_add_test(tc, test_kernels_bit_identical);
	tcase_add_test(tc, test_kernel_many_bit_identical);
	tcase_add_test(tc, test_products_match_reference);
	tcase_add_test(tc, test_post_once);
	tcase_add_test(tc, test_axpy_scal);
	tcase_add_test(tc, test_ger);
	tcase_add_test(tc, test_generic_core);
	suite_add_tcase(s, tc);
	return s;
}
