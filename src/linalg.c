/*
 * linalg.c - the product backend on the CBLAS that configure linked
 * (OpenBLAS, or GSL's reference CBLAS), through gsl_blas_* (see linalg.h).
 *
 * The affine products preload the bias rows into the output and ask for
 * beta = 1, so that the bias costs no second pass.
 */
#include <gsl/gsl_blas.h>

#include "linalg.h"

/* out = x a + 1 bias' (a transposed by trans), then post. */
static void affine(const gsl_matrix_float *x, CBLAS_TRANSPOSE_t trans,
		   const gsl_matrix_float *a, const gsl_vector_float *bias,
		   gsl_matrix_float *out, rbm_linalg_post post)
{
	size_t i, j, n = out->size1, k = out->size2;

	if (bias) {
		for (i = 0; i < n; i++) {
			float *row = gsl_matrix_float_ptr(out, i, 0);
			for (j = 0; j < k; j++)
				row[j] = bias->data[j * bias->stride];
		}
	}
	gsl_blas_sgemm(CblasNoTrans, trans, 1.0f, x, a, bias ? 1.0f : 0.0f,
		       out);
	if (!post)
		return;
	if (out->tda == k) {
		post(out->data, n * k);
		return;
	}
	for (i = 0; i < n; i++)
		post(gsl_matrix_float_ptr(out, i, 0), k);
}

void rbm_linalg_affine(const gsl_matrix_float *x, const gsl_matrix_float *w,
		       const gsl_vector_float *bias, gsl_matrix_float *out,
		       rbm_linalg_post post)
{
	affine(x, CblasNoTrans, w, bias, out, post);
}

void rbm_linalg_affine_t(const gsl_matrix_float *x, const gsl_matrix_float *w,
			 const gsl_vector_float *bias, gsl_matrix_float *out,
			 rbm_linalg_post post)
{
	affine(x, CblasTrans, w, bias, out, post);
}

void rbm_linalg_gram(float alpha, const gsl_matrix_float *a,
		     const gsl_matrix_float *b, float beta, gsl_matrix_float *g)
{
	gsl_blas_sgemm(CblasTrans, CblasNoTrans, alpha, a, b, beta, g);
}

void rbm_linalg_mv(float alpha, const gsl_matrix_float *w,
		   const gsl_vector_float *x, gsl_vector_float *y)
{
	gsl_blas_sgemv(CblasNoTrans, alpha, w, x, 1.0f, y);
}

void rbm_linalg_mv_t(float alpha, const gsl_matrix_float *w,
		     const gsl_vector_float *x, gsl_vector_float *y)
{
	gsl_blas_sgemv(CblasTrans, alpha, w, x, 1.0f, y);
}

void rbm_linalg_axpy(float a, const gsl_vector_float *x, gsl_vector_float *y)
{
	gsl_blas_saxpy(a, x, y);
}

void rbm_linalg_matrix_axpy(float a, const gsl_matrix_float *x,
			    gsl_matrix_float *y)
{
	size_t i;

	for (i = 0; i < x->size1; i++) {
		gsl_vector_float_const_view xr =
			gsl_matrix_float_const_row(x, i);
		gsl_vector_float_view yr = gsl_matrix_float_row(y, i);
		gsl_blas_saxpy(a, &xr.vector, &yr.vector);
	}
}

void rbm_linalg_scal(float a, gsl_vector_float *x)
{
	gsl_blas_sscal(a, x);
}

void rbm_linalg_matrix_scal(float a, gsl_matrix_float *x)
{
	size_t i;

	for (i = 0; i < x->size1; i++) {
		gsl_vector_float_view r = gsl_matrix_float_row(x, i);
		gsl_blas_sscal(a, &r.vector);
	}
}

void rbm_linalg_dmul(const gsl_matrix *x, const gsl_matrix *w, gsl_matrix *out)
{
	gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, w, 0.0, out);
}

void rbm_linalg_dmv(const gsl_matrix *a, const gsl_vector *x, gsl_vector *y)
{
	gsl_blas_dgemv(CblasNoTrans, 1.0, a, x, 0.0, y);
}
