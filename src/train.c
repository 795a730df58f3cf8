/*
 * train.c - CD-1 training on mini-batches (see train.h).
 *
 * One batch costs five sgemm calls: v W, h W', p(v) W for the three
 * conditionals, and v' p(h), p(v)' p(h') for the weight gradient.
 * Everything else is linear in the batch and the layer sizes.
 */
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "train.h"

struct rbm_trainer {
	size_t nv, nh, max_batch;
	gsl_matrix_float *v;	/* the batch's data rows */
	gsl_matrix_float *ph;	/* p(h|v) of the data */
	gsl_matrix_float *h;	/* sampled hidden states */
	gsl_matrix_float *pv;	/* p(v|h): the reconstruction */
	gsl_matrix_float *ph2;	/* p(h|reconstruction) */
	double *sum;		/* max(NV, NH) accumulators for bias means */
	struct rbm *grad;	/* the last gradient */
	size_t *order;		/* row order of the current epoch */
	size_t n;		/* rows in the training set */
};

int rbm_train_check_params(const struct rbm_train_params *p,
			   struct rbm_err *err)
{
	if (!(p->learning_rate > 0) || !isfinite(p->learning_rate)) {
		rbm_err_set(err, "learning rate must be a positive number "
			    "(got %g)", p->learning_rate);
		return -1;
	}
	if (p->batch_size < 1 || p->batch_size > RBM_MAX_BATCH_SIZE) {
		rbm_err_set(err, "batch size must be between 1 and %lu "
			    "(got %zu)", RBM_MAX_BATCH_SIZE, p->batch_size);
		return -1;
	}
	return 0;
}

struct rbm_trainer *rbm_trainer_alloc(size_t nv, size_t nh, size_t n,
				      const struct rbm_train_params *p,
				      struct rbm_err *err)
{
	struct rbm_trainer *t = calloc(1, sizeof(*t));
	size_t k = p->batch_size < n ? p->batch_size : n, i;

	if (!t || n == 0)
		goto fail;
	t->nv = nv;
	t->nh = nh;
	t->n = n;
	t->max_batch = k;
	t->v = gsl_matrix_float_alloc(k, nv);
	t->ph = gsl_matrix_float_alloc(k, nh);
	t->h = gsl_matrix_float_alloc(k, nh);
	t->pv = gsl_matrix_float_alloc(k, nv);
	t->ph2 = gsl_matrix_float_alloc(k, nh);
	t->sum = malloc((nv > nh ? nv : nh) * sizeof(*t->sum));
	t->order = malloc(n * sizeof(*t->order));
	t->grad = rbm_alloc(nv, nh, err);
	if (!t->v || !t->ph || !t->h || !t->pv || !t->ph2 || !t->sum ||
	    !t->order || !t->grad)
		goto fail;
	for (i = 0; i < n; i++)
		t->order[i] = i;
	return t;
fail:
	rbm_trainer_free(t);
	rbm_err_set(err, n ? "out of memory for training buffers"
			   : "no rows to train on");
	return NULL;
}

void rbm_trainer_free(struct rbm_trainer *t)
{
	if (!t)
		return;
	if (t->v)
		gsl_matrix_float_free(t->v);
	if (t->ph)
		gsl_matrix_float_free(t->ph);
	if (t->h)
		gsl_matrix_float_free(t->h);
	if (t->pv)
		gsl_matrix_float_free(t->pv);
	if (t->ph2)
		gsl_matrix_float_free(t->ph2);
	free(t->sum);
	free(t->order);
	rbm_free(t->grad);
	free(t);
}

/* g[j] = (sum over rows of a[., j] - b[., j]) / k, summed in double. */
static void column_mean_diff(const gsl_matrix_float *a,
			     const gsl_matrix_float *b, double *sum,
			     gsl_vector_float *g)
{
	size_t i, j, k = a->size1, w = a->size2;

	for (j = 0; j < w; j++)
		sum[j] = 0;
	for (i = 0; i < k; i++) {
		const float *ar = gsl_matrix_float_const_ptr(a, i, 0);
		const float *br = gsl_matrix_float_const_ptr(b, i, 0);
		for (j = 0; j < w; j++)
			sum[j] += (double)ar[j] - br[j];
	}
	for (j = 0; j < w; j++)
		gsl_vector_float_set(g, j, (float)(sum[j] / (double)k));
}

/* Summed squared difference of two equally sized matrices, in double. */
static double squared_error(const gsl_matrix_float *a,
			    const gsl_matrix_float *b)
{
	double s = 0;
	size_t i, j;

	for (i = 0; i < a->size1; i++) {
		const float *ar = gsl_matrix_float_const_ptr(a, i, 0);
		const float *br = gsl_matrix_float_const_ptr(b, i, 0);
		for (j = 0; j < a->size2; j++) {
			double d = (double)ar[j] - br[j];
			s += d * d;
		}
	}
	return s;
}

/* The first k rows of m, as a view. */
static gsl_matrix_float_view top(gsl_matrix_float *m, size_t k)
{
	return gsl_matrix_float_submatrix(m, 0, 0, k, m->size2);
}

const struct rbm *rbm_train_gradient(struct rbm_trainer *t,
				     const struct rbm *m,
				     const gsl_matrix_float *v, gsl_rng *rng,
				     double *sq_err)
{
	size_t k = v->size1;
	gsl_matrix_float_view ph = top(t->ph, k), h = top(t->h, k);
	gsl_matrix_float_view pv = top(t->pv, k), ph2 = top(t->ph2, k);
	float scale = 1.0f / (float)k;

	rbm_hidden_probs(m, v, &ph.matrix);
	rbm_sample(&ph.matrix, &h.matrix, rng);
	rbm_visible_probs(m, &h.matrix, &pv.matrix);
	rbm_hidden_probs(m, &pv.matrix, &ph2.matrix);

	gsl_blas_sgemm(CblasTrans, CblasNoTrans, scale, v, &ph.matrix,
		       0.0f, t->grad->w);
	gsl_blas_sgemm(CblasTrans, CblasNoTrans, -scale, &pv.matrix,
		       &ph2.matrix, 1.0f, t->grad->w);
	column_mean_diff(v, &pv.matrix, t->sum, t->grad->b);
	column_mean_diff(&ph.matrix, &ph2.matrix, t->sum, t->grad->c);
	*sq_err += squared_error(v, &pv.matrix);
	return t->grad;
}

/* y += a * x over every element of two equally shaped matrices. */
static void matrix_axpy(float a, const gsl_matrix_float *x,
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

void rbm_train_apply(struct rbm *m, const struct rbm *g, double rate)
{
	float a = (float)rate;

	matrix_axpy(a, g->w, m->w);
	gsl_blas_saxpy(a, g->b, m->b);
	gsl_blas_saxpy(a, g->c, m->c);
}

int rbm_train_epoch(struct rbm_trainer *t, struct rbm *m,
		    const struct rbm_data *d,
		    const struct rbm_train_params *p, gsl_rng *rng,
		    struct rbm_epoch_stats *stats, struct rbm_err *err)
{
	size_t start, k;
	double sq = 0;

	if (d->n > t->max_batch) {
		/* From file order each time, so a run split in two shuffles
		 * exactly as one run does. */
		for (start = 0; start < d->n; start++)
			t->order[start] = start;
		gsl_ran_shuffle(rng, t->order, d->n, sizeof(*t->order));
	}
	for (start = 0; start < d->n; start += k) {
		gsl_matrix_float_view v;
		const struct rbm *g;

		k = d->n - start < t->max_batch ? d->n - start : t->max_batch;
		v = top(t->v, k);
		rbm_data_gather(d, t->order + start, k, &v.matrix);
		g = rbm_train_gradient(t, m, &v.matrix, rng, &sq);
		rbm_train_apply(m, g, p->learning_rate);
	}
	stats->rows = d->n;
	stats->recon_error = sq / (double)d->n;
	if (rbm_check_params(m) < 0) {
		rbm_err_set(err, "training diverged: the parameters are no "
			    "longer finite or exceed %g; try a smaller "
			    "learning rate than %g", RBM_MAX_PARAM,
			    p->learning_rate);
		return -1;
	}
	return 0;
}
