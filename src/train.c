/*
 * train.c - CD-k / PCD training on mini-batches (see train.h).
 *
 * One CD-1 or PCD-1 batch costs five sgemm calls: the data's p(h|v), the
 * negative phase's p(v|h) and p(h|v), and the two products of the weight
 * gradient; each further Gibbs step adds two.  Everything else is linear
 * in the batch and layer sizes: column means, offsets, the update.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "train.h"
#include "visible.h"

const char *const rbm_schedule_names[RBM_NSCHEDULES + 1] = {
	"constant", "linear", NULL
};

struct rbm_trainer {
	struct rbm *m;			/* the model being trained */
	struct rbm_train_state *ts;	/* its persistent training state */
	const struct rbm_train_params *p;
	const struct rbm_data *d;
	size_t nv, nh, max_batch;	/* max_batch: also the PCD chains */
	unsigned long run_epochs;	/* epochs in this run */
	unsigned long run_epoch;	/* epochs done in this run */
	gsl_matrix_float *v;		/* the batch's data rows */
	gsl_matrix_float *ph;		/* p(h|v) of the data */
	gsl_matrix_float *h;		/* hidden states of CD chains */
	gsl_matrix_float *pv;		/* p(v|h) in the negative phase */
	gsl_matrix_float *vn;		/* sampled visible states */
	gsl_matrix_float *ph2;		/* p(h|v) in the negative phase */
	gsl_matrix_float *items;	/* a batch as items, when it must be
					 * encoded into units; else NULL */
	gsl_matrix_float *mask;		/* its mask, when values are missing */
	double *vd, *hd, *vm, *hm;	/* column means, data and model */
	double *vo;			/* data means where observed (NaN
					 * where not), for the offsets */
	struct rbm *grad;		/* the last gradient */
	struct rbm *avg;		/* running average of the parameters */
	unsigned long avg_count;	/* updates in the average */
	size_t *order;			/* row order of the current epoch */
	rbm_train_hook hook;		/* called after each batch, or NULL */
	void *hook_arg;
};

static void free_matrix(gsl_matrix_float **m)
{
	if (*m)
		gsl_matrix_float_free(*m);
	*m = NULL;
}

static void free_vector(gsl_vector_float **v)
{
	if (*v)
		gsl_vector_float_free(*v);
	*v = NULL;
}

void rbm_train_state_clear(struct rbm_train_state *ts)
{
	rbm_free(ts->velocity);
	ts->velocity = NULL;
	free_matrix(&ts->chains);
	free_vector(&ts->vis_offset);
	free_vector(&ts->hid_offset);
	free_vector(&ts->hid_mean);
}

/*
 * Column means of the data set's units, in double, over the rows where
 * each is observed (0 for a unit never observed); 0, or -1 when out of
 * memory.  Rows are encoded one at a time, so for binary rows with none
 * missing this is the plain column mean, summed in row order.
 */
static int data_means(const struct rbm *m, const struct rbm_data *d,
		      double *mean)
{
	gsl_matrix_float *in = gsl_matrix_float_alloc(1, d->width);
	gsl_matrix_float *u = gsl_matrix_float_alloc(2, m->nv);
	size_t *count = calloc(m->nv, sizeof(*count)), i, j;
	int rc = in && u && count ? 0 : -1;

	for (j = 0; j < m->nv; j++)
		mean[j] = 0;
	for (i = 0; rc == 0 && i < d->n; i++) {
		gsl_matrix_float_view uv = gsl_matrix_float_submatrix(u, 0, 0, 1,
								      m->nv);
		gsl_matrix_float_view mv = gsl_matrix_float_submatrix(u, 1, 0, 1,
								      m->nv);
		rbm_data_gather(d, &i, 1, in);
		rbm_visible_encode(m, in, &uv.matrix, &mv.matrix);
		for (j = 0; j < m->nv; j++) {
			mean[j] += gsl_matrix_float_get(u, 0, j);
			count[j] += gsl_matrix_float_get(u, 1, j) != 0;
		}
	}
	for (j = 0; rc == 0 && j < m->nv; j++)	/* count may be NULL */
		mean[j] = count[j] ? mean[j] / (double)count[j] : 0;
	free(count);
	if (in)
		gsl_matrix_float_free(in);
	if (u)
		gsl_matrix_float_free(u);
	return rc;
}

static double clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

void rbm_train_data_bias(struct rbm *m, const struct rbm_data *d)
{
	double *mean = malloc(m->nv * sizeof(*mean));
	size_t i;

	if (!mean || d->n == 0 || data_means(m, d, mean) < 0) {
		free(mean);
		return;
	}
	for (i = 0; i < m->nv; i++) {
		double p = clip(mean[i], 0.001, 0.999);
		gsl_vector_float_set(m->b, i, (float)(
			m->vtype == RBM_VIS_GAUSSIAN ? mean[i] :
			m->vtype == RBM_VIS_SOFTMAX ? log(p) :
			log(p / (1 - p))));
	}
	free(mean);
}

/* The first k rows of m, as a view. */
static gsl_matrix_float_view top(gsl_matrix_float *m, size_t k)
{
	return gsl_matrix_float_submatrix(m, 0, 0, k, m->size2);
}

/*
 * Rows idx[0..k) of the data as units into v (k x NV); the mask of the
 * batch (a view of t->mask) when values are missing, else NULL.
 */
static gsl_matrix_float *load_batch(struct rbm_trainer *t, const size_t *idx,
				    size_t k, gsl_matrix_float *v,
				    gsl_matrix_float_view *mask)
{
	gsl_matrix_float_view in;

	if (!t->items) {
		rbm_data_gather(t->d, idx, k, v);
		return NULL;
	}
	in = top(t->items, k);
	rbm_data_gather(t->d, idx, k, &in.matrix);
	if (!t->mask) {
		rbm_visible_encode(t->m, &in.matrix, v, NULL);
		return NULL;
	}
	*mask = top(t->mask, k);
	rbm_visible_encode(t->m, &in.matrix, v, &mask->matrix);
	return &mask->matrix;
}

/*
 * PCD chains start as hidden samples of the first rows of the data (in
 * turn), which puts them near the data rather than at an arbitrary state.
 */
static int start_chains(struct rbm_trainer *t, gsl_rng *rng)
{
	size_t i, nc = t->max_batch;
	gsl_matrix_float *c = gsl_matrix_float_alloc(nc, t->nh);
	gsl_matrix_float_view mask;

	if (!c)
		return -1;
	for (i = 0; i < nc; i++)
		t->order[i] = i % t->d->n;
	load_batch(t, t->order, nc, t->v, &mask);
	rbm_hidden_probs(t->m, t->v, c);
	rbm_sample(c, c, rng);
	free_matrix(&t->ts->chains);
	t->ts->chains = c;
	return 0;
}

/* A vector of n copies of x, or NULL. */
static gsl_vector_float *filled(size_t n, double x)
{
	gsl_vector_float *v = gsl_vector_float_alloc(n);

	if (v)
		gsl_vector_float_set_all(v, (float)x);
	return v;
}

/*
 * Centering offsets start at the data means and 0.5; both again when
 * only one is there (a state file may hold either section alone).
 */
static int start_offsets(struct rbm_trainer *t)
{
	struct rbm_train_state *ts = t->ts;
	size_t i;

	free_vector(&ts->vis_offset);
	free_vector(&ts->hid_offset);
	ts->vis_offset = filled(t->nv, 0);
	ts->hid_offset = filled(t->nh, 0.5);
	if (!ts->vis_offset || !ts->hid_offset ||
	    data_means(t->m, t->d, t->vd) < 0)
		return -1;
	for (i = 0; i < t->nv; i++)
		gsl_vector_float_set(ts->vis_offset, i, (float)t->vd[i]);
	return 0;
}

/* Create the parts of ts that p uses and drop those it does not. */
static int prepare_state(struct rbm_trainer *t, gsl_rng *rng)
{
	const struct rbm_train_params *p = t->p;
	struct rbm_train_state *ts = t->ts;
	gsl_matrix_float *c = ts->chains;

	if (!(p->momentum > 0 || p->momentum_ramp)) {
		rbm_free(ts->velocity);
		ts->velocity = NULL;
	} else if (!ts->velocity &&
		   !(ts->velocity = rbm_alloc(t->nv, t->nh, NULL))) {
		return -1;
	}
	if (!p->pcd)
		free_matrix(&ts->chains);
	else if ((!c || c->size1 != t->max_batch || c->size2 != t->nh) &&
		 start_chains(t, rng) < 0)
		return -1;
	if (!p->centering) {
		free_vector(&ts->vis_offset);
		free_vector(&ts->hid_offset);
	} else if ((!ts->vis_offset || !ts->hid_offset) &&
		   start_offsets(t) < 0) {
		return -1;
	}
	if (!(p->sparsity_target > 0))
		free_vector(&ts->hid_mean);
	else if (!ts->hid_mean &&
		 !(ts->hid_mean = filled(t->nh, p->sparsity_target)))
		return -1;
	return 0;
}

static int alloc_buffers(struct rbm_trainer *t)
{
	size_t k = t->max_batch, nv = t->nv, nh = t->nh;

	t->v = gsl_matrix_float_alloc(k, nv);
	t->ph = gsl_matrix_float_alloc(k, nh);
	t->h = gsl_matrix_float_alloc(k, nh);
	t->pv = gsl_matrix_float_alloc(k, nv);
	t->vn = gsl_matrix_float_alloc(k, nv);
	t->ph2 = gsl_matrix_float_alloc(k, nh);
	t->vd = malloc(nv * sizeof(double));
	t->vm = malloc(nv * sizeof(double));
	t->vo = malloc(nv * sizeof(double));
	t->hd = malloc(nh * sizeof(double));
	t->hm = malloc(nh * sizeof(double));
	t->order = malloc(t->d->n * sizeof(*t->order));
	t->grad = rbm_alloc(nv, nh, NULL);
	if (t->p->average)
		t->avg = rbm_alloc(nv, nh, NULL);
	if (t->m->vtype != RBM_VIS_BINARY || t->d->missing) {
		if (!(t->items = gsl_matrix_float_alloc(k, t->d->width)))
			return -1;
	}
	if (t->d->missing && !(t->mask = gsl_matrix_float_alloc(k, nv)))
		return -1;
	return t->v && t->ph && t->h && t->pv && t->vn && t->ph2 && t->vd &&
	       t->vm && t->vo && t->hd && t->hm && t->order && t->grad &&
	       (t->avg || !t->p->average) ? 0 : -1;
}

struct rbm_trainer *rbm_trainer_alloc(struct rbm *m,
				      struct rbm_train_state *ts,
				      const struct rbm_train_params *p,
				      const struct rbm_data *d,
				      unsigned long epochs, gsl_rng *rng,
				      struct rbm_err *err)
{
	struct rbm_trainer *t;
	size_t i;

	if (d->n == 0) {
		rbm_err_set(err, "no rows to train on");
		return NULL;
	}
	if (d->width != rbm_visible_items(m)) {
		rbm_err_set(err, "rows of %zu values for a model of %zu items",
			    d->width, rbm_visible_items(m));
		return NULL;
	}
	if (d->missing && p->pcd) {
		rbm_err_set(err, "missing values need CD training: use "
			    "--no-pcd");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		rbm_err_set(err, "out of memory for training buffers");
		return NULL;
	}
	t->m = m;
	t->ts = ts;
	t->p = p;
	t->d = d;
	t->nv = m->nv;
	t->nh = m->nh;
	t->max_batch = p->batch_size < d->n ? p->batch_size : d->n;
	t->run_epochs = epochs;
	if (alloc_buffers(t) < 0 || prepare_state(t, rng) < 0) {
		rbm_trainer_free(t);
		rbm_err_set(err, "out of memory for training buffers");
		return NULL;
	}
	for (i = 0; i < d->n; i++)
		t->order[i] = i;
	return t;
}

void rbm_trainer_free(struct rbm_trainer *t)
{
	if (!t)
		return;
	free_matrix(&t->v);
	free_matrix(&t->ph);
	free_matrix(&t->h);
	free_matrix(&t->pv);
	free_matrix(&t->vn);
	free_matrix(&t->ph2);
	free_matrix(&t->items);
	free_matrix(&t->mask);
	free(t->vd);
	free(t->vm);
	free(t->vo);
	free(t->hd);
	free(t->hm);
	free(t->order);
	rbm_free(t->grad);
	rbm_free(t->avg);
	free(t);
}

/* mean[j] = column j's mean over the rows of a, in double. */
static void column_means(const gsl_matrix_float *a, double *mean)
{
	size_t i, j, k = a->size1, w = a->size2;

	for (j = 0; j < w; j++)
		mean[j] = 0;
	for (i = 0; i < k; i++) {
		const float *r = gsl_matrix_float_const_ptr(a, i, 0);
#pragma omp simd	/* each column's sum keeps its order */
		for (j = 0; j < w; j++)
			mean[j] += r[j];
	}
	for (j = 0; j < w; j++)
		mean[j] /= (double)k;
}

/*
 * mean[j] = column j's mean over the rows of a where mask is nonzero, or
 * NaN where there are none (mask NULL: every row).
 */
static void observed_means(const gsl_matrix_float *a,
			   const gsl_matrix_float *mask, double *mean)
{
	size_t i, j, w = a->size2;

	for (j = 0; j < w; j++) {
		double s = 0, n = 0;
		for (i = 0; i < a->size1; i++) {
			float o = mask ? gsl_matrix_float_get(mask, i, j) : 1;
			s += o != 0 ? gsl_matrix_float_get(a, i, j) : 0;
			n += o != 0;
		}
		mean[j] = n > 0 ? s / n : NAN;
	}
}

/* Subtract the offset vector from every row of a. */
static void subtract_rows(gsl_matrix_float *a, const gsl_vector_float *off)
{
	size_t i;

	for (i = 0; i < a->size1; i++) {
		gsl_vector_float_view r = gsl_matrix_float_row(a, i);
		gsl_vector_float_sub(&r.vector, off);
	}
}

/*
 * The negative phase: cd_k Gibbs steps from the hidden states hs (which
 * it advances), leaving the visible states used for the statistics in
 * *vneg (probabilities at CD's last step, samples otherwise) and their
 * hidden probabilities in ph2.
 */
static void negative_phase(struct rbm_trainer *t, gsl_matrix_float *hs,
			   gsl_matrix_float *pv, gsl_matrix_float *vn,
			   gsl_matrix_float *ph2, gsl_matrix_float **vneg,
			   const gsl_matrix_float *mask, gsl_rng *rng)
{
	unsigned long s;
	int pcd = t->p->pcd;

	for (s = 1; s <= t->p->cd_k; s++) {
		int last = s == t->p->cd_k;
		rbm_visible_probs(t->m, hs, pv);
		*vneg = last && !pcd ? pv : vn;
		if (*vneg == vn)
			rbm_sample_visible(t->m, pv, vn, rng);
		if (mask)	/* missing units stay absent */
			rbm_visible_apply_mask(*vneg, mask);
		rbm_hidden_probs(t->m, *vneg, ph2);
		if (!last || pcd)
			rbm_sample(ph2, hs, rng);
	}
}

/* Sparsity: track the mean activity, pull it toward the target. */
static void sparsity_terms(struct rbm_trainer *t)
{
	const struct rbm_train_params *p = t->p;
	gsl_vector_float *q = t->ts->hid_mean;
	size_t i, j;

	for (j = 0; j < t->nh; j++) {
		double qj = p->sparsity_decay * gsl_vector_float_get(q, j) +
			    (1 - p->sparsity_decay) * t->hd[j];
		double pull = p->sparsity_cost * (qj - p->sparsity_target);
		gsl_vector_float_set(q, j, (float)qj);
		t->grad->c->data[j * t->grad->c->stride] -= (float)pull;
		for (i = 0; i < t->nv; i++)
			*gsl_matrix_float_ptr(t->grad->w, i, j) -=
				(float)(pull * t->vd[i]);
	}
}

/*
 * Centering: map the gradient back to plain biases, move the offsets;
 * a visible offset moves toward its unit's mean where observed (t->vo),
 * as it started (start_offsets), and stays when the batch has none.
 */
static void centering_terms(struct rbm_trainer *t)
{
	struct rbm_train_state *ts = t->ts;
	float r = (float)t->p->offset_rate;
	size_t i;

	gsl_blas_sgemv(CblasNoTrans, -1.0f, t->grad->w, ts->hid_offset, 1.0f,
		       t->grad->b);
	gsl_blas_sgemv(CblasTrans, -1.0f, t->grad->w, ts->vis_offset, 1.0f,
		       t->grad->c);
	for (i = 0; i < t->nv; i++)
		if (!isnan(t->vo[i]))
			gsl_vector_float_set(ts->vis_offset, i, (float)(
				(1 - r) * gsl_vector_float_get(ts->vis_offset,
							       i) +
				r * t->vo[i]));
	for (i = 0; i < t->nh; i++)
		gsl_vector_float_set(ts->hid_offset, i, (float)(
			(1 - r) * gsl_vector_float_get(ts->hid_offset, i) +
			r * t->hd[i]));
}

/*
 * The gradient from the statistics: v, ph (k data rows) and vneg, ph2
 * (the negative particles); all four are used as scratch.  With a mask,
 * centered visible states are masked again after the offsets.
 */
static void statistics(struct rbm_trainer *t, gsl_matrix_float *v,
		       gsl_matrix_float *ph, gsl_matrix_float *vneg,
		       gsl_matrix_float *ph2, const gsl_matrix_float *mask)
{
	struct rbm *g = t->grad;
	size_t i;

	column_means(vneg, t->vm);
	column_means(ph2, t->hm);
	if (t->p->centering) {
		if (mask)
			observed_means(v, mask, t->vo);
		else
			memcpy(t->vo, t->vd, t->nv * sizeof(*t->vo));
		subtract_rows(v, t->ts->vis_offset);
		subtract_rows(vneg, t->ts->vis_offset);
		subtract_rows(ph, t->ts->hid_offset);
		subtract_rows(ph2, t->ts->hid_offset);
		if (mask) {
			rbm_visible_apply_mask(v, mask);
			rbm_visible_apply_mask(vneg, mask);
		}
	}
	gsl_blas_sgemm(CblasTrans, CblasNoTrans, 1.0f / (float)v->size1, v,
		       ph, 0.0f, g->w);
	gsl_blas_sgemm(CblasTrans, CblasNoTrans, -1.0f / (float)vneg->size1,
		       vneg, ph2, 1.0f, g->w);
	for (i = 0; i < t->nv; i++)
		gsl_vector_float_set(g->b, i, (float)(t->vd[i] - t->vm[i]));
	for (i = 0; i < t->nh; i++)
		gsl_vector_float_set(g->c, i, (float)(t->hd[i] - t->hm[i]));
	if (t->p->centering)
		centering_terms(t);
	if (t->p->sparsity_target > 0)
		sparsity_terms(t);
}

struct rbm *rbm_train_gradient(struct rbm_trainer *t, gsl_matrix_float *v,
			       gsl_rng *rng)
{
	return rbm_train_gradient_masked(t, v, NULL, rng);
}

struct rbm *rbm_train_gradient_masked(struct rbm_trainer *t,
				      gsl_matrix_float *v,
				      const gsl_matrix_float *mask,
				      gsl_rng *rng)
{
	size_t k = v->size1, nc = t->p->pcd ? t->max_batch : k;
	gsl_matrix_float_view ph = top(t->ph, k), h = top(t->h, nc);
	gsl_matrix_float_view pv = top(t->pv, nc), vn = top(t->vn, nc);
	gsl_matrix_float_view ph2 = top(t->ph2, nc);
	gsl_matrix_float *hs = t->p->pcd ? t->ts->chains : &h.matrix;
	gsl_matrix_float *vneg = NULL;

	rbm_hidden_probs(t->m, v, &ph.matrix);
	column_means(v, t->vd);
	column_means(&ph.matrix, t->hd);
	if (!t->p->pcd)
		rbm_sample(&ph.matrix, hs, rng);
	if (t->p->pcd)
		mask = NULL;	/* refused with missing values; see alloc */
	negative_phase(t, hs, &pv.matrix, &vn.matrix, &ph2.matrix, &vneg,
		       mask, rng);
	statistics(t, v, &ph.matrix, vneg, &ph2.matrix, mask);
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

/* g -= wd * W + l1 * sign(W), weights only. */
static void decay_terms(const struct rbm_train_params *p,
			const struct rbm *m, struct rbm *g)
{
	float wd = (float)p->weight_decay, l1 = (float)p->l1;
	size_t i, j;

	for (i = 0; i < m->nv; i++) {
		const float *w = gsl_matrix_float_const_ptr(m->w, i, 0);
		float *gr = gsl_matrix_float_ptr(g->w, i, 0);
		for (j = 0; j < m->nh; j++)
			gr[j] -= wd * w[j] + (w[j] > 0 ? l1 :
					      w[j] < 0 ? -l1 : 0.0f);
	}
}

/* dst = a * dst + b * src, for all parameters. */
static void scale_add(struct rbm *dst, float a, float b,
		      const struct rbm *src)
{
	size_t i;

	if (a != 1.0f) {
		for (i = 0; i < dst->nv; i++) {
			gsl_vector_float_view r =
				gsl_matrix_float_row(dst->w, i);
			gsl_blas_sscal(a, &r.vector);
		}
		gsl_blas_sscal(a, dst->b);
		gsl_blas_sscal(a, dst->c);
	}
	matrix_axpy(b, src->w, dst->w);
	gsl_blas_saxpy(b, src->b, dst->b);
	gsl_blas_saxpy(b, src->c, dst->c);
}

void rbm_train_apply(struct rbm_trainer *t, struct rbm *g, double rate,
		     double momentum)
{
	struct rbm *vel = t->ts->velocity;

	if (t->p->weight_decay > 0 || t->p->l1 > 0)
		decay_terms(t->p, t->m, g);
	if (vel) {
		scale_add(vel, (float)momentum, (float)rate, g);
		scale_add(t->m, 1.0f, 1.0f, vel);
	} else {
		scale_add(t->m, 1.0f, (float)rate, g);
	}
}

/* The learning rate at a fraction progress (0 to 1) of the run. */
static double scheduled_rate(const struct rbm_train_params *p,
			     double progress)
{
	if (p->schedule == RBM_SCHEDULE_LINEAR)
		return p->learning_rate * (1 - progress);
	return p->learning_rate;
}

/* Fold the current parameters into the running average. */
static void average_update(struct rbm_trainer *t)
{
	float a;

	t->avg_count++;
	a = 1.0f / (float)t->avg_count;
	scale_add(t->avg, 1.0f - a, a, t->m);
}

/* 0 if the parameters are finite, else -1 with a message. */
static int check_model(const struct rbm_trainer *t, struct rbm_err *err)
{
	if (rbm_check_params(t->m) == 0)
		return 0;
	rbm_err_set(err, "training diverged: the parameters are no longer "
		    "finite or exceed %g; try a smaller learning rate than %g",
		    RBM_MAX_PARAM, t->p->learning_rate);
	return -1;
}

int rbm_train_epoch(struct rbm_trainer *t, gsl_rng *rng,
		    struct rbm_epoch_stats *stats, struct rbm_err *err)
{
	const struct rbm_train_params *p = t->p;
	size_t n = t->d->n, start, k, b = 0;
	size_t nb = (n + t->max_batch - 1) / t->max_batch;
	double mom = p->momentum, rate = p->learning_rate;
	int averaging = p->average &&
			t->run_epoch + p->average >= t->run_epochs;
	int stopped = 0;

	if (p->momentum_ramp && t->ts->epochs < RBM_RAMP_EPOCHS)
		mom = 0.5;
	if (n > t->max_batch) {
		/* From file order each time, so a run split in two shuffles
		 * exactly as one run does. */
		for (start = 0; start < n; start++)
			t->order[start] = start;
		gsl_ran_shuffle(rng, t->order, n, sizeof(*t->order));
	}
	for (start = 0, k = 0; start < n; start += k, b++) {
		gsl_matrix_float_view v, mv;
		gsl_matrix_float *mask;
		k = n - start < t->max_batch ? n - start : t->max_batch;
		v = top(t->v, k);
		mask = load_batch(t, t->order + start, k, &v.matrix, &mv);
		rate = scheduled_rate(p, ((double)t->run_epoch +
					  (double)b / (double)nb) /
					 (double)t->run_epochs);
		rbm_train_apply(t, rbm_train_gradient_masked(t, &v.matrix, mask,
							     rng), rate, mom);
		if (averaging)
			average_update(t);
		if (t->hook && t->hook(t->hook_arg, start + k, n) &&
		    start + k < n) {
			stopped = 1;
			break;
		}
	}
	if (stopped) {
		stats->rows = start + k;	/* trained in, epoch not counted */
		return check_model(t, err) < 0 ? -1 : 1;
	}
	stats->rows = n;
	stats->rate = rate;
	stats->momentum = t->ts->velocity ? mom : 0;
	if (check_model(t, err) < 0)
		return -1;
	t->run_epoch++;
	t->ts->epochs++;
	return 0;
}

void rbm_trainer_set_hook(struct rbm_trainer *t, rbm_train_hook hook,
			  void *arg)
{
	t->hook = hook;
	t->hook_arg = arg;
}

void rbm_trainer_finish(struct rbm_trainer *t)
{
	if (t->avg_count)
		rbm_copy(t->m, t->avg);
}
