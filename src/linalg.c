/*
 * linalg.c - the product backend on the CBLAS that configure linked
 * (OpenBLAS, or GSL's reference CBLAS), through gsl_blas_* (see linalg.h).
 *
 * Threads: OpenBLAS splits each product statically between threads that
 * spin while they wait, so one core taken by another process made every
 * product wait for a time slice (2-14x slower than one thread, issue 15).
 * Here the BLAS runs single-threaded, and each large product is cut into
 * blocks of output columns (of rows for the gradient) that the pool
 * (pool.h) hands out one at a time.  The cut depends only on the shapes,
 * never on the number of threads or their timing, and no block's sum is
 * split, so every result is the same whatever runs it.  The elementwise
 * step of a product (the logistic) runs in its blocks too.
 *
 * The affine products preload the bias rows into the output and ask for
 * beta = 1, so that the bias costs no second pass.
 */
#include <pthread.h>

#include <gsl/gsl_blas.h>

#include <config.h>
#include "linalg.h"
#include "pool.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);	/* not in GSL's cblas header */
#endif

/*
 * A product is cut into blocks when it has more than SMALL_WORK
 * multiply-adds; a block is then about an eighth of the output's
 * columns, a multiple of 16 wide and at least MIN_WIDTH, so that each
 * block is still a product the BLAS does at full speed.
 */
#define SMALL_WORK	(1UL << 20)
#define MIN_WIDTH	32
#define BLOCKS		8

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

static pthread_once_t backend_once = PTHREAD_ONCE_INIT;

/* The BLAS's own threads would compete with the pool's. */
static void backend_start(void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	openblas_set_num_threads(1);
#endif
}

/*
 * The width of the blocks that cut cols columns of a product of work
 * multiply-adds: cols itself (one block) for small products.
 */
static size_t block_width(size_t cols, double work)
{
	size_t w;

	pthread_once(&backend_once, backend_start);
	if (work <= (double)SMALL_WORK)
		return cols;
	w = (cols + BLOCKS - 1) / BLOCKS;
	w = (w + 15) / 16 * 16;
	return w < MIN_WIDTH ? MIN_WIDTH : w;
}

/* The number of blocks of width w in cols columns. */
static size_t blocks_of(size_t cols, size_t w)
{
	return (cols + w - 1) / w;
}

/* One product cut into blocks of width columns. */
struct job {
	const gsl_matrix_float *x, *a;	/* the operands */
	const gsl_vector_float *bias;	/* affine: the bias, or NULL */
	gsl_matrix_float *out;
	rbm_linalg_post post;
	CBLAS_TRANSPOSE_t trans;	/* affine: whether a is transposed */
	float alpha, beta;		/* gram and axpy: the factors */
	size_t width;
};

/* The columns [*c0, *c0 + *n) of block i of a job over cols columns. */
static void block_range(const struct job *j, size_t i, size_t cols,
			size_t *c0, size_t *n)
{
	*c0 = i * j->width;
	*n = cols - *c0 < j->width ? cols - *c0 : j->width;
}

/* Block i of an affine product: some columns of out. */
static void affine_block(void *arg, size_t i)
{
	const struct job *j = arg;
	size_t c0, n, k = j->x->size2;
	gsl_matrix_float_view o, a;

	block_range(j, i, j->out->size2, &c0, &n);
	o = gsl_matrix_float_submatrix(j->out, 0, c0, j->out->size1, n);
	if (j->trans == CblasNoTrans)
		a = gsl_matrix_float_submatrix((gsl_matrix_float *)j->a, 0, c0,
					       k, n);
	else
		a = gsl_matrix_float_submatrix((gsl_matrix_float *)j->a, c0, 0,
					       n, k);
	if (j->bias) {
		gsl_vector_float_const_view b =
			gsl_vector_float_const_subvector(j->bias, c0, n);
		affine(j->x, j->trans, &a.matrix, &b.vector, &o.matrix,
		       j->post);
	} else {
		affine(j->x, j->trans, &a.matrix, NULL, &o.matrix, j->post);
	}
}

static void affine_run(const gsl_matrix_float *x, CBLAS_TRANSPOSE_t trans,
		       const gsl_matrix_float *a, const gsl_vector_float *bias,
		       gsl_matrix_float *out, rbm_linalg_post post)
{
	size_t cols = out->size2;
	struct job j = { x, a, bias, out, post, trans, 1.0f, 1.0f, 0 };

	j.width = block_width(cols, (double)out->size1 * (double)x->size2 *
				    (double)cols);
	if (j.width >= cols) {
		affine(x, trans, a, bias, out, post);
		return;
	}
	rbm_pool_run(blocks_of(cols, j.width), affine_block, &j);
}

void rbm_linalg_affine(const gsl_matrix_float *x, const gsl_matrix_float *w,
		       const gsl_vector_float *bias, gsl_matrix_float *out,
		       rbm_linalg_post post)
{
	affine_run(x, CblasNoTrans, w, bias, out, post);
}

void rbm_linalg_affine_t(const gsl_matrix_float *x, const gsl_matrix_float *w,
			 const gsl_vector_float *bias, gsl_matrix_float *out,
			 rbm_linalg_post post)
{
	affine_run(x, CblasTrans, w, bias, out, post);
}

/* Block i of a gram product: some rows of g (columns of a). */
static void gram_block(void *arg, size_t i)
{
	const struct job *j = arg;
	size_t r0, n, k = j->x->size1;

	block_range(j, i, j->out->size1, &r0, &n);
	gsl_matrix_float_const_view a =
		gsl_matrix_float_const_submatrix(j->x, 0, r0, k, n);
	gsl_matrix_float_view g =
		gsl_matrix_float_submatrix(j->out, r0, 0, n, j->out->size2);
	gsl_blas_sgemm(CblasTrans, CblasNoTrans, j->alpha, &a.matrix, j->a,
		       j->beta, &g.matrix);
}

void rbm_linalg_gram(float alpha, const gsl_matrix_float *a,
		     const gsl_matrix_float *b, float beta, gsl_matrix_float *g)
{
	size_t rows = g->size1;
	struct job j = { a, b, NULL, g, NULL, CblasNoTrans, alpha, beta, 0 };

	j.width = block_width(rows, (double)a->size1 * (double)rows *
				    (double)g->size2);
	if (j.width >= rows) {
		gsl_blas_sgemm(CblasTrans, CblasNoTrans, alpha, a, b, beta, g);
		return;
	}
	rbm_pool_run(blocks_of(rows, j.width), gram_block, &j);
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

/* Block i of a matrix axpy (x given) or scal (x NULL): some rows. */
static void rows_block(void *arg, size_t i)
{
	const struct job *j = arg;
	size_t r, r0, n;

	block_range(j, i, j->out->size1, &r0, &n);
	for (r = r0; r < r0 + n; r++) {
		gsl_vector_float_view yr = gsl_matrix_float_row(j->out, r);
		if (j->x) {
			gsl_vector_float_const_view xr =
				gsl_matrix_float_const_row(j->x, r);
			gsl_blas_saxpy(j->alpha, &xr.vector, &yr.vector);
		} else {
			gsl_blas_sscal(j->alpha, &yr.vector);
		}
	}
}

/* y += a x (x given) or y *= a (x NULL), rows of y in blocks. */
static void rows_run(float a, const gsl_matrix_float *x, gsl_matrix_float *y)
{
	size_t rows = y->size1;
	struct job j = { x, NULL, NULL, y, NULL, CblasNoTrans, a, 1.0f, 0 };

	/* Elementwise: worth threads at a larger size than a product. */
	j.width = block_width(rows, (double)rows * (double)y->size2 / 16);
	rbm_pool_run(blocks_of(rows, j.width), rows_block, &j);
}

void rbm_linalg_matrix_axpy(float a, const gsl_matrix_float *x,
			    gsl_matrix_float *y)
{
	rows_run(a, x, y);
}

void rbm_linalg_scal(float a, gsl_vector_float *x)
{
	gsl_blas_sscal(a, x);
}

void rbm_linalg_matrix_scal(float a, gsl_matrix_float *x)
{
	rows_run(a, NULL, x);
}

void rbm_linalg_dmul(const gsl_matrix *x, const gsl_matrix *w, gsl_matrix *out)
{
	gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, w, 0.0, out);
}

void rbm_linalg_dmv(const gsl_matrix *a, const gsl_vector *x, gsl_vector *y)
{
	gsl_blas_dgemv(CblasNoTrans, 1.0, a, x, 0.0, y);
}
