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
 *
 * Binary operands: when the left operand of a large product holds only
 * 0 and 1, and few enough ones (MAX_DENSITY_*), the product is a sum of
 * rows (kernels.h): x W sums rows of W, x W' rows of W' (each block first
 * transposes its rows of W into a buffer), and the gradient's a'b sums
 * rows of b, each block for all its output rows at once
 * (rbm_kernel_sum_rows_many).  The choice is made per call from the
 * data, so it does not depend on threads either; RBMCMD_KERNEL=sgemm
 * turns it off.  The sums differ from sgemm's only in rounding (sgemm's
 * order of additions is its own).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_blas.h>

#include <config.h>
#include "kernels.h"
#include "linalg.h"
#include "pool.h"

/* Not in GSL's cblas header. */
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
#endif
#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif
#ifdef HAVE_OPENBLAS_GET_CONFIG
char *openblas_get_config(void);
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

/*
 * The most ones (a fraction of the operand) for which each product goes
 * by the binary kernels.  Against OpenBLAS's AVX-512 (Cooperlake) sgemm
 * on one thread, 100 x 784 x 500 products of random 0/1 operands, the
 * kernels win below about 34% ones for x W, 25% for the gradient's a'b
 * and 18% for x W' (whose blocks first transpose W); against its Haswell
 * kernels, 1.7x slower, below about 40% for every product.  Fashion's
 * rows hold 31% ones and a 500-unit layer's samples about 35%, so the
 * faster BLAS takes the gradient and x W' back (issue 15: the binary a'b
 * made a PCD-1 epoch slower than sgemm's).  Fixed limits, one a product
 * and the same at every kernel level, keep the choice, and so the
 * results, the same on every CPU with the same BLAS.
 */
#define MAX_DENSITY_XW	0.33	/* x W */
#define MAX_DENSITY_XWT	0.18	/* x W' */
#define MAX_DENSITY_GRAM 0.25	/* a'b */

/* The ones of a binary matrix, as lists of positions (one per row or
 * one per column). */
struct ones {
	uint32_t *idx;		/* the positions, ascending in each list */
	size_t *start;		/* list i is idx[start[i] .. end[i]) */
	size_t *end;		/* in start's allocation */
};

static int binary_off;		/* RBMCMD_KERNEL=sgemm */

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
	const char *k = getenv("RBMCMD_KERNEL");

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
	openblas_set_num_threads(1);
#endif
	binary_off = k && strcmp(k, "sgemm") == 0;
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
	const struct ones *ones;	/* binary x: its ones, else NULL */
	float *buf;			/* x W' on ones: W transposed */
	const gsl_vector_float *vec;	/* ger: x (y is in bias) */
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

/* ---- products with a binary left operand ---- */

static void free_ones(struct ones *o)
{
	free(o->idx);
	free(o->start);
}

/*
 * Row p (n values) as a list of the positions of its ones at q; their
 * number, or -1 if p holds anything but 0 and 1.  Branch-free: random
 * pixels would make a branch a coin toss.
 */
static long row_ones(const float *p, size_t n, uint32_t *q)
{
	size_t c, k = 0;
	int bad = 0;

#pragma omp simd reduction(|:bad)
	for (c = 0; c < n; c++)
		bad |= (p[c] != 0.0f) & (p[c] != 1.0f);
	if (bad)
		return -1;
	for (c = 0; c < n; c++) {
		q[k] = (uint32_t)c;	/* k <= c: q has room for n */
		k += p[c] != 0.0f;
	}
	return (long)k;
}

/*
 * Whether x holds only 0 and 1 with at most limit ones: one vectorized
 * pass that stops at the first row past either, so that a product that
 * will go to sgemm costs no lists (their scan, on the pool, is several
 * times slower than this).
 */
static int few_ones(const gsl_matrix_float *x, size_t limit)
{
	size_t r, c, n = x->size2, total = 0;

	for (r = 0; r < x->size1; r++) {
		const float *p = gsl_matrix_float_const_ptr(x, r, 0);
		unsigned k = 0;
		int bad = 0;
#pragma omp simd reduction(|:bad) reduction(+:k)
		for (c = 0; c < n; c++) {
			bad |= (p[c] != 0.0f) & (p[c] != 1.0f);
			k += p[c] != 0.0f;
		}
		total += k;
		if (bad || total > limit)
			return 0;
	}
	return 1;
}

/* The lists by row in r turned into lists by column (cols of them), one
 * after another. */
static int by_columns(const struct ones *r, size_t rows, size_t cols,
		      struct ones *o)
{
	size_t i, t, total = 0;

	for (i = 0; i < rows; i++)
		total += r->end[i] - r->start[i];
	o->start = calloc(cols + 1, sizeof(*o->start));
	o->idx = malloc((total ? total : 1) * sizeof(*o->idx));
	if (!o->start || !o->idx) {
		free_ones(o);
		return -1;
	}
	o->end = o->start + 1;
	for (i = 0; i < rows; i++)
		for (t = r->start[i]; t < r->end[i]; t++)
			o->start[r->idx[t] + 1]++;
	for (i = 0; i < cols; i++)
		o->start[i + 1] += o->start[i];
	for (i = 0; i < rows; i++)
		for (t = r->start[i]; t < r->end[i]; t++)
			o->idx[o->start[r->idx[t]]++] = (uint32_t)i;
	for (i = cols; i > 0; i--)	/* back to the starts */
		o->start[i] = o->start[i - 1];
	o->start[0] = 0;
	return 0;
}

/*
 * Finding the ones is a pass over the operand as long as a fifth of its
 * product's blocks, so it runs in blocks of SCAN_ROWS rows on the pool
 * too: row r's list goes to idx[r * cols ..], and a count shared by the
 * blocks stops them all once a row is not binary or the ones are too
 * many.  Whether they are depends only on the data, never on the order
 * in which the blocks ran.
 */
#define SCAN_ROWS	16

struct scan {
	const gsl_matrix_float *x;
	struct ones *o;
	size_t limit;			/* at most this many ones */
	atomic_size_t total;		/* ones found so far */
	atomic_int stop;		/* not binary, or too many ones */
};

static void scan_block(void *arg, size_t i)
{
	struct scan *s = arg;
	size_t r, cols = s->x->size2;
	size_t r1 = (i + 1) * SCAN_ROWS < s->x->size1 ? (i + 1) * SCAN_ROWS
						     : s->x->size1;

	for (r = i * SCAN_ROWS; r < r1 && !atomic_load(&s->stop); r++) {
		long k = row_ones(gsl_matrix_float_const_ptr(s->x, r, 0),
				  cols, s->o->idx + r * cols);
		if (k < 0 || atomic_fetch_add(&s->total, (size_t)k) +
			     (size_t)k > s->limit) {
			atomic_store(&s->stop, 1);
			return;
		}
		s->o->start[r] = r * cols;
		s->o->end[r] = r * cols + (size_t)k;
	}
}

/*
 * Whether x holds only 0 and 1, at most a fraction density of them ones;
 * if so its ones as lists by row (by_col 0) or by column into o, and 0;
 * else (or out of memory, or turned off) -1, and the caller uses sgemm.
 */
static int find_ones(const gsl_matrix_float *x, int by_col, double density,
		     struct ones *o)
{
	size_t rows = x->size1, cols = x->size2;
	struct ones byrow;
	struct scan s;
	int rc;

	if (binary_off ||
	    !few_ones(x, (size_t)(density * (double)rows * (double)cols)))
		return -1;
	byrow.start = malloc(2 * (rows + 1) * sizeof(*byrow.start));
	byrow.idx = malloc((rows * cols + 1) * sizeof(*byrow.idx));
	if (!byrow.start || !byrow.idx) {
		free_ones(&byrow);
		return -1;
	}
	byrow.end = byrow.start + rows + 1;
	s.x = x;
	s.o = &byrow;
	s.limit = (size_t)(density * (double)rows * (double)cols);
	atomic_init(&s.total, 0);
	atomic_init(&s.stop, 0);
	rbm_pool_run((rows + SCAN_ROWS - 1) / SCAN_ROWS, scan_block, &s);
	rc = atomic_load(&s.stop) ? -1 : 0;
	if (rc == 0 && by_col)
		rc = by_columns(&byrow, rows, cols, o);
	if (rc == 0 && !by_col) {
		*o = byrow;
		return 0;
	}
	free_ones(&byrow);
	return rc;
}

/*
 * Columns c0 .. c0+n-1 of every row of out: the bias + the sums of rows
 * of m (ld apart, its columns those of the block), then post.
 */
static void ones_rows(const struct job *j, const float *m, size_t ld,
		      size_t c0, size_t n)
{
	const struct ones *o = j->ones;
	size_t r;

	rbm_kernel_sum_rows_many(m, ld, o->idx, o->start, o->end,
				 j->out->size1, n, 1.0f,
				 j->bias ? j->bias->data + c0 : NULL, 0, 1.0f,
				 gsl_matrix_float_ptr(j->out, 0, c0),
				 j->out->tda);
	for (r = 0; j->post && r < j->out->size1; r++)
		j->post(gsl_matrix_float_ptr(j->out, r, c0), n);
}

/* Block i of x W with x binary: rows of W's block of columns. */
static void ones_block(void *arg, size_t i)
{
	const struct job *j = arg;
	size_t c0, n;

	block_range(j, i, j->out->size2, &c0, &n);
	ones_rows(j, j->a->data + c0, j->a->tda, c0, n);
}

/* Block i of x W' with x binary: W's rows c0.. transposed, then sums. */
static void ones_t_block(void *arg, size_t i)
{
	const struct job *j = arg;
	size_t c0, n, r, k, nh = j->a->size2;
	float *t;

	block_range(j, i, j->out->size2, &c0, &n);
	t = j->buf + c0 * nh;
	for (r = 0; r < n; r++) {
		const float *w = gsl_matrix_float_const_ptr(j->a, c0 + r, 0);
		for (k = 0; k < nh; k++)
			t[k * n + r] = w[k];
	}
	ones_rows(j, t, n, c0, n);
}

/* Block i of a'b with a binary: row k of g sums the rows of b where
 * column k of a is 1. */
static void gram_ones_block(void *arg, size_t i)
{
	const struct job *j = arg;
	const struct ones *o = j->ones;
	size_t r0, n;
	float *g;

	block_range(j, i, j->out->size1, &r0, &n);
	g = gsl_matrix_float_ptr(j->out, r0, 0);
	rbm_kernel_sum_rows_many(j->a->data, j->a->tda, o->idx,
				 o->start + r0, o->end + r0, n,
				 j->out->size2, j->alpha,
				 j->beta != 0.0f ? g : NULL, j->out->tda,
				 j->beta, g, j->out->tda);
}

static void affine_run(const gsl_matrix_float *x, CBLAS_TRANSPOSE_t trans,
		       const gsl_matrix_float *a, const gsl_vector_float *bias,
		       gsl_matrix_float *out, rbm_linalg_post post)
{
	size_t cols = out->size2;
	struct job j = { x, a, bias, out, post, trans, 1.0f, 1.0f, 0, NULL,
			 NULL, NULL };
	struct ones ones;

	j.width = block_width(cols, (double)out->size1 * (double)x->size2 *
				    (double)cols);
	if (j.width >= cols) {
		affine(x, trans, a, bias, out, post);
		return;
	}
	if ((!bias || bias->stride == 1) &&
	    find_ones(x, 0, trans == CblasNoTrans ? MAX_DENSITY_XW
						   : MAX_DENSITY_XWT,
		      &ones) == 0) {
		j.ones = &ones;
		if (trans == CblasNoTrans ||
		    (j.buf = malloc(a->size1 * a->size2 * sizeof(float)))) {
			rbm_pool_run(blocks_of(cols, j.width),
				     trans == CblasNoTrans ? ones_block
							   : ones_t_block, &j);
			free(j.buf);
			free_ones(&ones);
			return;
		}
		free_ones(&ones);
		j.ones = NULL;
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
	struct job j = { a, b, NULL, g, NULL, CblasNoTrans, alpha, beta, 0,
			 NULL, NULL, NULL };
	struct ones ones;

	j.width = block_width(rows, (double)a->size1 * (double)rows *
				    (double)g->size2);
	if (j.width >= rows) {
		gsl_blas_sgemm(CblasTrans, CblasNoTrans, alpha, a, b, beta, g);
		return;
	}
	if (find_ones(a, 1, MAX_DENSITY_GRAM, &ones) == 0) {
		j.ones = &ones;
		rbm_pool_run(blocks_of(rows, j.width), gram_ones_block, &j);
		free_ones(&ones);
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

/* Block i of a rank-one update (ger): some rows of out. */
static void ger_block(void *arg, size_t i)
{
	const struct job *j = arg;
	const float *y = j->bias->data;
	size_t r, r0, n, c, cols = j->out->size2;

	block_range(j, i, j->out->size1, &r0, &n);
	for (r = r0; r < r0 + n; r++) {
		float xr = j->alpha * j->vec->data[r * j->vec->stride];
		float *row = gsl_matrix_float_ptr(j->out, r, 0);
		if (xr == 0.0f)
			continue;
#pragma omp simd
		for (c = 0; c < cols; c++)
			row[c] += xr * y[c];
	}
}

void rbm_linalg_ger(float alpha, const gsl_vector_float *x,
		    const gsl_vector_float *y, gsl_matrix_float *a)
{
	size_t rows = a->size1;
	struct job j = { NULL, NULL, y, a, NULL, CblasNoTrans, alpha, 1.0f, 0,
			 NULL, NULL, NULL };

	if (y->stride != 1) {	/* not in the library's use */
		gsl_blas_sger(alpha, x, y, a);
		return;
	}
	j.vec = x;
	j.width = block_width(rows, (double)rows * (double)a->size2 / 16);
	rbm_pool_run(blocks_of(rows, j.width), ger_block, &j);
}

/* y += a x (x given) or y *= a (x NULL), rows of y in blocks. */
static void rows_run(float a, const gsl_matrix_float *x, gsl_matrix_float *y)
{
	size_t rows = y->size1;
	struct job j = { x, NULL, NULL, y, NULL, CblasNoTrans, a, 1.0f, 0, NULL,
			 NULL, NULL };

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

/* ---- what runs ---- */

int rbm_linalg_generic_core(const char *core, const char *cpu_simd)
{
	static const char *const avx2_cores[] = {
		"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids",
		NULL
	};
	size_t i;

	if (!core || !*core || !cpu_simd || !*cpu_simd)
		return 0;
	for (i = 0; avx2_cores[i]; i++)
		if (strcasecmp(core, avx2_cores[i]) == 0)
			return 0;
	return 1;
}

void rbm_linalg_info(struct rbm_linalg_info *info)
{
	enum rbm_kernel_level best = rbm_kernel_best();

	pthread_once(&backend_once, backend_start);
	info->blas = RBM_CBLAS_NAME;
	info->config = "";
	info->core = "";
#ifdef HAVE_OPENBLAS_GET_CONFIG
	info->config = openblas_get_config();
#endif
#ifdef HAVE_OPENBLAS_GET_CORENAME
	info->core = openblas_get_corename();
#endif
	info->kernel = binary_off ? "off" : rbm_kernel_names[rbm_kernel_level()];
	info->cpu_simd = best == RBM_KERNEL_AVX512 ? "AVX-512" :
			 best == RBM_KERNEL_AVX2 ? "AVX2" : "";
	info->threads = rbm_pool_threads();
	info->generic = rbm_linalg_generic_core(info->core, info->cpu_simd);
}
