/*
 * linalg.h - the product backend: every matrix and vector product the
 * library makes, and the only module that calls a BLAS.
 *
 * An RBM needs few products: a batch of rows times W (p(h|v), free
 * energies, AIS), a batch times W' (p(v|h)), the gradient's a'b, two
 * matrix-vector products for centering, axpy and scal for the update, and
 * two double products for exact log Z.  They are named by what they
 * compute, on gsl matrices whose rows are examples, so that another
 * backend (a sparse product for binary rows, an accelerator) is this one
 * file and a configure switch.  Views of larger matrices are fine
 * everywhere; no function allocates, fails or prints.
 */
#ifndef RBM_LINALG_H
#define RBM_LINALG_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* An elementwise step applied to the output of a product, n floats. */
typedef void (*rbm_linalg_post)(float *x, size_t n);

/*
 * out = x w + 1 bias' (n x NH from n x NV rows and NV x NH weights), then
 * post (when not NULL) on every element of out.  bias NULL means zero.
 */
void rbm_linalg_affine(const gsl_matrix_float *x, const gsl_matrix_float *w,
		       const gsl_vector_float *bias, gsl_matrix_float *out,
		       rbm_linalg_post post);

/*
 * out = x w' + 1 bias' (n x NV from n x NH rows and NV x NH weights),
 * then post as above.
 */
void rbm_linalg_affine_t(const gsl_matrix_float *x, const gsl_matrix_float *w,
			 const gsl_vector_float *bias, gsl_matrix_float *out,
			 rbm_linalg_post post);

/*
 * g = alpha a' b + beta g: the gradient's sum over the rows of a (k x NV)
 * and b (k x NH) into g (NV x NH).
 */
void rbm_linalg_gram(float alpha, const gsl_matrix_float *a,
		     const gsl_matrix_float *b, float beta, gsl_matrix_float *g);

/* y = alpha w x + y (y of w's rows, x of its columns). */
void rbm_linalg_mv(float alpha, const gsl_matrix_float *w,
		   const gsl_vector_float *x, gsl_vector_float *y);

/* y = alpha w' x + y (y of w's columns, x of its rows). */
void rbm_linalg_mv_t(float alpha, const gsl_matrix_float *w,
		     const gsl_vector_float *x, gsl_vector_float *y);

/*
 * a += alpha x y' (x of a's rows, y of its columns), skipping the rows
 * where x is 0: each element gets a[i][j] + (alpha x[i]) y[j].
 */
void rbm_linalg_ger(float alpha, const gsl_vector_float *x,
		    const gsl_vector_float *y, gsl_matrix_float *a);

/* y += a x, vectors or equally shaped matrices. */
void rbm_linalg_axpy(float a, const gsl_vector_float *x, gsl_vector_float *y);
void rbm_linalg_matrix_axpy(float a, const gsl_matrix_float *x,
			    gsl_matrix_float *y);

/* x *= a, a vector or a matrix. */
void rbm_linalg_scal(float a, gsl_vector_float *x);
void rbm_linalg_matrix_scal(float a, gsl_matrix_float *x);

/* In double, for exact log Z: out = x w, and y = a x. */
void rbm_linalg_dmul(const gsl_matrix *x, const gsl_matrix *w, gsl_matrix *out);
void rbm_linalg_dmv(const gsl_matrix *a, const gsl_vector *x, gsl_vector *y);

/* What does the products, for --version and for the warning below. */
struct rbm_linalg_info {
	const char *blas;	/* "OpenBLAS" or "GSL reference CBLAS" */
	const char *config;	/* OpenBLAS's build line, or "" */
	const char *core;	/* OpenBLAS's kernel family ("Haswell"), or "" */
	const char *kernel;	/* the binary kernels' level ("avx512") */
	const char *cpu_simd;	/* "AVX-512", "AVX2" or "" (neither) */
	size_t threads;		/* threads that share the products */
	int generic;		/* OpenBLAS runs kernels that ignore the
				 * CPU's AVX2/AVX-512 (see below) */
};

void rbm_linalg_info(struct rbm_linalg_info *info);

/*
 * Whether OpenBLAS's kernel family core ignores AVX2 and AVX-512 on a CPU
 * that has them (cpu_simd not ""): OpenBLAS 0.3.21 does not recognise
 * some newer CPUs and falls back to its Prescott (SSE3) kernels, some
 * 1.5-2x slower.  The families that use AVX2 or more are known.
 */
int rbm_linalg_generic_core(const char *core, const char *cpu_simd);

#endif
