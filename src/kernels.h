/*
 * kernels.h - the one inner loop of the products with a binary operand,
 * with a scalar reference and SIMD versions chosen at run time.
 *
 * In an RBM one operand of every product is binary (data rows, sampled
 * hidden states, sampled visible states of PCD chains), and a binary row
 * times a matrix is the sum of the matrix's rows where the row is 1: no
 * multiplications, and work proportional to the ones.  linalg.c turns
 * each such product into sums of rows; this module adds them up.
 *
 * Every version adds the rows in the order given, one float addition per
 * element, so all of them give the scalar reference's bits exactly.  The
 * level is the best the CPU has (AVX-512, AVX2, else SSE2, the x86-64
 * base), lowered by RBMCMD_KERNEL=scalar|sse2|avx2|avx512 or by
 * rbm_kernel_set_level (the unit tests run every level).
 */
#ifndef RBM_KERNELS_H
#define RBM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

enum rbm_kernel_level {
	RBM_KERNEL_SCALAR,	/* the reference */
	RBM_KERNEL_SSE2,	/* generic vectors at the x86-64 base */
	RBM_KERNEL_AVX2,
	RBM_KERNEL_AVX512,
	RBM_NKERNEL_LEVELS
};

/* Names of the levels ("scalar", "sse2", "avx2", "avx512"). */
extern const char *const rbm_kernel_names[RBM_NKERNEL_LEVELS];

/*
 * out[j] = base_scale * base[j] + scale * sum_t rows[idx[t] * ld + j] for
 * j < n, the sum taken in the order of idx from 0; base NULL counts as
 * zeros (and is not read), out may be base.
 */
void rbm_kernel_sum_rows(const float *rows, size_t ld, const uint32_t *idx,
			 size_t m, size_t n, float scale, const float *base,
			 float base_scale, float *out);

/*
 * nout sums at once: row r of out (at out + r * ldo) is rbm_kernel_sum_rows
 * of the rows listed in idx[start[r] .. end[r]), with the base row at
 * base + r * ldb (ldb 0: one base row for all; a base row may be its
 * output row), the other arguments as there, and the same bits.  The
 * vector versions go through the listed rows in bands that stay in the
 * L1 cache while every output row takes its rows from the band, which
 * pays when the lists are ascending (any order gives the same sums).
 */
void rbm_kernel_sum_rows_many(const float *rows, size_t ld,
			      const uint32_t *idx, const size_t *start,
			      const size_t *end, size_t nout, size_t n,
			      float scale, const float *base, size_t ldb,
			      float base_scale, float *out, size_t ldo);

/* The scalar reference of rbm_kernel_sum_rows_many: nout single sums. */
void rbm_kernel_sum_rows_many_ref(const float *rows, size_t ld,
				  const uint32_t *idx, const size_t *start,
				  const size_t *end, size_t nout, size_t n,
				  float scale, const float *base, size_t ldb,
				  float base_scale, float *out, size_t ldo);

/* The scalar reference of rbm_kernel_sum_rows. */
void rbm_kernel_sum_rows_ref(const float *rows, size_t ld,
			     const uint32_t *idx, size_t m, size_t n,
			     float scale, const float *base, float base_scale,
			     float *out);

/*
 * The level in use: the best this CPU runs, unless RBMCMD_KERNEL asked for
 * a lower one.
 */
enum rbm_kernel_level rbm_kernel_level(void);

/* The best level this CPU runs. */
enum rbm_kernel_level rbm_kernel_best(void);

/*
 * Use level (at most rbm_kernel_best(); a higher one is lowered to it)
 * from now on; returns the level set.  For tests and benchmarks; not
 * thread-safe against products running at the same time.
 */
enum rbm_kernel_level rbm_kernel_set_level(enum rbm_kernel_level level);

#endif
