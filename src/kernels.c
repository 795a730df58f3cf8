/*
 * kernels.c - sums of rows for products with a binary operand (see
 * kernels.h).
 *
 * The SIMD versions share one body, written with GCC's generic vectors
 * of each instruction set's register width (4, 8 or 16 floats) and
 * stamped out by a macro under three target attributes.  Four vectors of
 * output columns stay in registers while every listed row is added to
 * them, so each row element is loaded once and the output written once;
 * then single vectors, then four floats, and the last columns by the
 * reference's loop.  Every element gets the same additions in the same
 * order in each version.  Dispatch is a function pointer set on first use from
 * __builtin_cpu_supports (what an ifunc resolver would do), which lets
 * the tests force each lower level.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

const char *const rbm_kernel_names[RBM_NKERNEL_LEVELS] = {
	"scalar", "sse2", "avx2", "avx512"
};

typedef void sum_rows_fn(const float *rows, size_t ld, const uint32_t *idx,
			 size_t m, size_t n, float scale, const float *base,
			 float base_scale, float *out);

#define TAIL 64	/* columns the plain loop keeps at once */

/*
 * Columns j0 .. n-1 the plain way, TAIL at a time with the rows in the
 * outer loop (each row's elements are next to each other).
 */
static void sum_cols(const float *rows, size_t ld, const uint32_t *idx,
		     size_t m, size_t j0, size_t n, float scale,
		     const float *base, float base_scale, float *out)
{
	float acc[TAIL];
	size_t j, k, t, w;

	for (j = j0; j < n; j += w) {
		w = n - j < TAIL ? n - j : TAIL;
		for (k = 0; k < w; k++)
			acc[k] = 0;
		for (t = 0; t < m; t++) {
			const float *r = rows + (size_t)idx[t] * ld + j;
			for (k = 0; k < w; k++)
				acc[k] += r[k];
		}
		for (k = 0; k < w; k++)
			out[j + k] = base ? base_scale * base[j + k] +
					    scale * acc[k]
					  : scale * acc[k];
	}
}

void rbm_kernel_sum_rows_ref(const float *rows, size_t ld,
			     const uint32_t *idx, size_t m, size_t n,
			     float scale, const float *base, float base_scale,
			     float *out)
{
	sum_cols(rows, ld, idx, m, 0, n, scale, base, base_scale, out);
}

void rbm_kernel_sum_rows_many_ref(const float *rows, size_t ld,
				  const uint32_t *idx, const size_t *start,
				  const size_t *end, size_t nout, size_t n,
				  float scale, const float *base, size_t ldb,
				  float base_scale, float *out, size_t ldo)
{
	size_t r;

	for (r = 0; r < nout; r++)
		sum_cols(rows, ld, idx + start[r], end[r] - start[r], 0, n,
			 scale, base ? base + r * ldb : NULL, base_scale,
			 out + r * ldo);
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_SIMD 1

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

/* Unaligned vector loads and stores, as memcpy (GCC makes them single
 * instructions). */
#define LOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define STORE(p, v) memcpy((p), &(v), sizeof(v))

/*
 * out[j .. j + k * W) with k (1 or 4) accumulators of W floats; the
 * caller declares a0..a3 and x0..x3 of one vector type, and S and BS,
 * scale and base_scale in every lane.
 */
#define STEP(k, W, S, BS)						\
	for (t = 0; t < m; t++) {					\
		const float *r = rows + (size_t)idx[t] * ld + j;	\
		LOAD(x0, r); a0 += x0;					\
		if (k > 1) {						\
			LOAD(x1, r + W); a1 += x1;			\
			LOAD(x2, r + 2 * W); a2 += x2;			\
			LOAD(x3, r + 3 * W); a3 += x3;			\
		}							\
	}								\
	a0 *= S; a1 *= S; a2 *= S; a3 *= S;				\
	if (base) {							\
		LOAD(x0, base + j); a0 = BS * x0 + a0;			\
		if (k > 1) {						\
			LOAD(x1, base + j + W); a1 = BS * x1 + a1;	\
			LOAD(x2, base + j + 2 * W); a2 = BS * x2 + a2;	\
			LOAD(x3, base + j + 3 * W); a3 = BS * x3 + a3;	\
		}							\
	}								\
	STORE(out + j, a0);						\
	if (k > 1) {							\
		STORE(out + j + W, a1);					\
		STORE(out + j + 2 * W, a2);				\
		STORE(out + j + 3 * W, a3);				\
	}

/*
 * A version for one instruction set whose vectors are vt, W floats:
 * columns four vectors at a time, then one vector, then four floats
 * (SSE, which every x86-64 has), then the rest by the reference's loop.
 * leave runs on the way out.
 */
#define SUM_ROWS(name, isa, vt, W, leave)				\
static __attribute__((target(isa))) void name(const float *rows,	\
	size_t ld, const uint32_t *idx, size_t m, size_t n, float scale,\
	const float *base, float base_scale, float *out)		\
{									\
	size_t j = 0, t;						\
	vt s = { 0 }, bs = { 0 };					\
									\
	s += scale;							\
	bs += base_scale;						\
	for (; j + 4 * W <= n; j += 4 * W) {				\
		vt a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };	\
		vt x0, x1, x2, x3;					\
		STEP(4, W, s, bs)					\
	}								\
	for (; j + W <= n; j += W) {					\
		vt a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };	\
		vt x0, x1, x2, x3;					\
		STEP(1, W, s, bs)					\
		(void)x1; (void)x2; (void)x3;				\
	}								\
	for (; j + 4 <= n; j += 4) {					\
		v4 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };	\
		v4 x0, x1, x2, x3, s4 = { 0 }, b4 = { 0 };		\
		s4 += scale;						\
		b4 += base_scale;					\
		STEP(1, 4, s4, b4)					\
		(void)x1; (void)x2; (void)x3;				\
	}								\
	sum_cols(rows, ld, idx, m, j, n, scale, base, base_scale, out);	\
	leave;								\
}

/*
 * Many sums: GROUP output rows and one panel of up to 4 W columns at a
 * time, their partial sums in acc (in L1).  The listed rows are taken in
 * bands: each output row adds those of its rows below the band's end
 * (its cursor stops at the first beyond), so that a band's BAND_BYTES of
 * panel stay in L1 while all GROUP rows use them; the last band is the
 * one where no cursor is left behind.  Each sum still adds its rows in
 * list order, from zero, in float: the bits of the single sums.  Panels
 * of 4 vectors, then one of the 1-3 whole vectors left; the last columns
 * (fewer than W) row by row through the single sums.
 */
#define GROUP 32
#define BAND_BYTES 16384

/*
 * The panel of k vectors (k a constant once inlined) at column c0 of g
 * output rows, acc's room for 4 vectors a row.
 */
#define PANEL(name, isa, vt, W)						\
static inline __attribute__((target(isa), always_inline)) void name(	\
	const float *rows, size_t ld, const uint32_t *idx,		\
	const size_t *start, const size_t *end, size_t g, size_t c0,	\
	int k, vt s, vt bs, const float *base, size_t ldb, float *out,	\
	size_t ldo, vt *acc)						\
{									\
	size_t cur[GROUP], band = BAND_BYTES / (4 * W * sizeof(float));	\
	size_t i, t, k1;						\
	int q, left;							\
	vt z = { 0 };							\
									\
	for (i = 0; i < g; i++) {					\
		cur[i] = start[i];					\
		for (q = 0; q < 4; q++)					\
			acc[4 * i + q] = z;				\
	}								\
	for (k1 = band, left = 1; left; k1 += band) {			\
		left = 0;						\
		for (i = 0; i < g; i++) {				\
			vt a0 = acc[4 * i], a1 = acc[4 * i + 1];	\
			vt a2 = acc[4 * i + 2], a3 = acc[4 * i + 3];	\
			vt x0, x1, x2, x3;				\
			size_t e = end[i];				\
			for (t = cur[i]; t < e && idx[t] < k1; t++) {	\
				const float *r = rows +			\
					(size_t)idx[t] * ld + c0;	\
				LOAD(x0, r); a0 += x0;			\
				if (k > 1) {				\
					LOAD(x1, r + W); a1 += x1;	\
				}					\
				if (k > 2) {				\
					LOAD(x2, r + 2 * W); a2 += x2;	\
				}					\
				if (k > 3) {				\
					LOAD(x3, r + 3 * W); a3 += x3;	\
				}					\
			}						\
			cur[i] = t;					\
			left |= t < e;					\
			acc[4 * i] = a0;				\
			acc[4 * i + 1] = a1;				\
			acc[4 * i + 2] = a2;				\
			acc[4 * i + 3] = a3;				\
		}							\
	}								\
	for (i = 0; i < g; i++) {					\
		float *o = out + i * ldo + c0;				\
		const float *b = base ? base + i * ldb + c0 : NULL;	\
		for (q = 0; q < k; q++) {				\
			vt a = acc[4 * i + q] * s, x;			\
			if (b) {					\
				LOAD(x, b + q * W);			\
				a = bs * x + a;				\
			}						\
			STORE(o + q * W, a);				\
		}							\
	}								\
}

#define SUM_MANY(name, panel, isa, vt, W, one, leave)			\
static __attribute__((target(isa))) void name(const float *rows,	\
	size_t ld, const uint32_t *idx, const size_t *start,		\
	const size_t *end, size_t nout, size_t n, float scale,		\
	const float *base, size_t ldb, float base_scale, float *out,	\
	size_t ldo)							\
{									\
	vt acc[4 * GROUP], s = { 0 }, bs = { 0 };			\
	size_t r0, c0, g, i, p = n / W * W;				\
									\
	s += scale;							\
	bs += base_scale;						\
	for (r0 = 0; r0 < nout; r0 += GROUP) {				\
		const float *b = base ? base + r0 * ldb : NULL;		\
		float *o = out + r0 * ldo;				\
		g = nout - r0 < GROUP ? nout - r0 : GROUP;		\
		for (c0 = 0; c0 + 4 * W <= p; c0 += 4 * W)		\
			panel(rows, ld, idx, start + r0, end + r0, g,	\
			      c0, 4, s, bs, b, ldb, o, ldo, acc);	\
		if (p - c0 == 3 * W)					\
			panel(rows, ld, idx, start + r0, end + r0, g,	\
			      c0, 3, s, bs, b, ldb, o, ldo, acc);	\
		else if (p - c0 == 2 * W)				\
			panel(rows, ld, idx, start + r0, end + r0, g,	\
			      c0, 2, s, bs, b, ldb, o, ldo, acc);	\
		else if (p - c0 == W)					\
			panel(rows, ld, idx, start + r0, end + r0, g,	\
			      c0, 1, s, bs, b, ldb, o, ldo, acc);	\
		for (i = 0; p < n && i < g; i++)			\
			one(rows + p, ld, idx + start[r0 + i],		\
			    end[r0 + i] - start[r0 + i], n - p, scale,	\
			    b ? b + i * ldb + p : NULL, base_scale,	\
			    o + i * ldo + p);				\
	}								\
	leave;								\
}

/*
 * The AVX versions clear the upper halves of the registers on the way
 * out, or the SSE code that follows (the logistic) would pay for the
 * dirty state.
 */
SUM_ROWS(sum_rows_sse2, "sse2", v4, 4, (void)0)
SUM_ROWS(sum_rows_avx2, "avx2", v8, 8, __builtin_ia32_vzeroupper())
SUM_ROWS(sum_rows_avx512, "avx512f", v16, 16, __builtin_ia32_vzeroupper())
PANEL(panel_sse2, "sse2", v4, 4)
PANEL(panel_avx2, "avx2", v8, 8)
PANEL(panel_avx512, "avx512f", v16, 16)
SUM_MANY(sum_many_sse2, panel_sse2, "sse2", v4, 4, sum_rows_sse2, (void)0)
SUM_MANY(sum_many_avx2, panel_avx2, "avx2", v8, 8, sum_rows_avx2,
	 __builtin_ia32_vzeroupper())
SUM_MANY(sum_many_avx512, panel_avx512, "avx512f", v16, 16,
	 sum_rows_avx512, __builtin_ia32_vzeroupper())
#endif

static sum_rows_fn *const versions[RBM_NKERNEL_LEVELS] = {
	rbm_kernel_sum_rows_ref,
#ifdef HAVE_SIMD
	sum_rows_sse2, sum_rows_avx2, sum_rows_avx512
#endif
};

typedef void sum_many_fn(const float *rows, size_t ld, const uint32_t *idx,
			 const size_t *start, const size_t *end, size_t nout,
			 size_t n, float scale, const float *base, size_t ldb,
			 float base_scale, float *out, size_t ldo);

static sum_many_fn *const many_versions[RBM_NKERNEL_LEVELS] = {
	rbm_kernel_sum_rows_many_ref,
#ifdef HAVE_SIMD
	sum_many_sse2, sum_many_avx2, sum_many_avx512
#endif
};

static enum rbm_kernel_level best = RBM_KERNEL_SCALAR;
static enum rbm_kernel_level level = RBM_KERNEL_SCALAR;
static sum_rows_fn *sum_rows = rbm_kernel_sum_rows_ref;
static sum_many_fn *sum_many = rbm_kernel_sum_rows_many_ref;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The CPU's best level, then RBMCMD_KERNEL's if lower. */
static void choose(void)
{
	const char *want = getenv("RBMCMD_KERNEL");
	int i;

#ifdef HAVE_SIMD
	__builtin_cpu_init();
	best = RBM_KERNEL_SSE2;
	if (__builtin_cpu_supports("avx2"))
		best = RBM_KERNEL_AVX2;
	if (__builtin_cpu_supports("avx512f"))
		best = RBM_KERNEL_AVX512;
#endif
	level = best;
	for (i = 0; want && i < RBM_NKERNEL_LEVELS; i++)
		if (strcmp(want, rbm_kernel_names[i]) == 0 &&
		    (enum rbm_kernel_level)i < best)
			level = (enum rbm_kernel_level)i;
	sum_rows = versions[level];
	sum_many = many_versions[level];
}

enum rbm_kernel_level rbm_kernel_best(void)
{
	pthread_once(&once, choose);
	return best;
}

enum rbm_kernel_level rbm_kernel_level(void)
{
	pthread_once(&once, choose);
	return level;
}

enum rbm_kernel_level rbm_kernel_set_level(enum rbm_kernel_level l)
{
	pthread_once(&once, choose);
	level = l < best ? l : best;
	sum_rows = versions[level];
	sum_many = many_versions[level];
	return level;
}

void rbm_kernel_sum_rows(const float *rows, size_t ld, const uint32_t *idx,
			 size_t m, size_t n, float scale, const float *base,
			 float base_scale, float *out)
{
	pthread_once(&once, choose);
	sum_rows(rows, ld, idx, m, n, scale, base, base_scale, out);
}

void rbm_kernel_sum_rows_many(const float *rows, size_t ld,
			      const uint32_t *idx, const size_t *start,
			      const size_t *end, size_t nout, size_t n,
			      float scale, const float *base, size_t ldb,
			      float base_scale, float *out, size_t ldo)
{
	pthread_once(&once, choose);
	sum_many(rows, ld, idx, start, end, nout, n, scale, base, ldb,
		 base_scale, out, ldo);
}
