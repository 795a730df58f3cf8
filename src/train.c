/*
 * train.c - CD-k / PCD training on mini-batches (see train.h).
 *
 * One CD-1 or PCD-1 batch costs five matrix products (linalg.h): the data's p(h|v), the
 * negative phase's p(v|h) and p(h|v), and the two products of the weight
 * gradient; each further Gibbs step adds two.  Everything else is linear
 * in the batch and layer sizes: column means, offsets, the update.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "batch.h"
#include "chain.h"
#include "linalg.h"
#include "train.h"
#include "visible.h"

const char *const rbm_schedule_names[RBM_NSCHEDULES + 1] = {
	"constant", "linear", NULL
};

const char *const rbm_offset_target_names[RBM_NOFFSET_TARGETS + 1] = {
	"data", "average", NULL
};

struct rbm_trainer {
	struct rbm *m;			/* the model being trained */
	struct rbm_train_state *ts;	/* its persistent training state */
	const struct rbm_train_settings *p;
	const struct rbm_data *d;
	size_t nv, nh, max_batch;	/* max_batch: the global batch */
	size_t all_chains;		/* PCD chains of all parts */
	size_t rows;			/* rows of all parts */
	size_t first;			/* global index of d's first row */
	size_t local;			/* rows of a batch this part can hold */
	size_t chains;			/* PCD chains of this part */
	unsigned long run_epochs;	/* epochs in this run */
	unsigned long run_epoch;	/* epochs done in this run */
	struct rbm_batch *in;		/* the batch's data rows as units */
	gsl_matrix_float *ph;		/* p(h|v) of the data */
	gsl_matrix_float *h;		/* hidden states of CD chains */
	gsl_matrix_float *pv;		/* p(v|h) in the negative phase */
	gsl_matrix_float *vn;		/* sampled visible states */
	gsl_matrix_float *ph2;		/* p(h|v) in the negative phase */
	double *sums;			/* everything reduced across parts:
					 * the six arrays below, then COUNTS */
	size_t nsums;
	double *vd, *hd, *vm, *hm;	/* column sums (means once combined),
					 * data and model */
	double *vo, *vc;		/* sums and counts of the data where
					 * observed, for the offsets (means,
					 * NaN where none, once combined) */
	double *counts;			/* enum count */
	double *mix;			/* average_parts' buffer */
	float *outer;			/* offset_outer's row (nh) */
	size_t batch;			/* global rows of the current share */
	struct rbm *grad;		/* the last gradient */
	struct rbm *avg;		/* running average of the parameters */
	unsigned long avg_count;	/* updates in the average */
	unsigned long applied;		/* updates of this run */
	struct rbm *iterate;		/* the iterate's buffer until finish */
	struct rbm *saved;		/* the model as loaded, when an
					 * iterate replaced it */
	size_t *order;			/* global row order of the epoch */
	size_t *idx;			/* this part's rows of a batch */
	rbm_train_hook hook;		/* called after each batch, or NULL */
	void *hook_arg;
	rbm_train_reduce reduce;	/* sums across parts, or NULL */
	void *reduce_arg;
	gsl_rng *sampler;		/* for the Gibbs draws, or NULL: the
					 * generator of rbm_train_epoch */
	size_t rank, ranks;		/* this part's number, and how many
					 * parts train together */
	unsigned long every;		/* average the parts' models every
					 * this many batches; <= 1: sum the
					 * gradients of every batch */
	unsigned long since;		/* local batches since the last */
	int wish;			/* the hook asked to stop since */
	int alone;			/* this step is the part's alone */
	int averaging;			/* the epoch updates t->avg */
};

/* The counts at the end of t->sums, reduced with the rest. */
enum count { C_ROWS, C_PARTICLES, C_STOP, NCOUNTS };

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
	rbm_free(ts->iterate);
	ts->iterate = NULL;
}

#define MEANS_BATCH 256	/* rows a batch in data_means */

/*
 * Column sums of the data set's units, in double, and the rows where each
 * is observed (count), in all parts when part is not NULL (reduced); 0,
 * or -1 with a message.  Rows are encoded one at a time, so for binary
 * rows with none missing the sums are plain column sums in row order.
 */
static int data_sums(const struct rbm *m, const struct rbm_data *d,
		     const struct rbm_train_part *part, double *mean,
		     double *count, struct rbm_err *err)
{
	struct rbm_batch *b = rbm_batch_alloc(m, MEANS_BATCH,
					      d->missing ? RBM_BATCH_MASK : 0,
					      NULL);
	size_t i, j, r, k, idx[MEANS_BATCH];
	int rc = b && count ? 0 : -1;

	if (rc < 0)
		rbm_err_set(err, "out of memory for the data means");
	for (j = 0; count && j < m->nv; j++)
		mean[j] = count[j] = 0;
	for (i = 0; rc == 0 && i < d->n; i += k) {
		k = d->n - i < MEANS_BATCH ? d->n - i : MEANS_BATCH;
		for (r = 0; r < k; r++)
			idx[r] = i + r;
		rbm_batch_gather(b, d, idx, k);
		for (r = 0; r < k; r++)
			for (j = 0; j < m->nv; j++) {
				mean[j] += gsl_matrix_float_get(b->v, r, j);
				count[j] += !b->mask || gsl_matrix_float_get(
					b->mask, r, j) != 0;
			}
	}
	if (rc == 0 && part && part->reduce &&
	    (part->reduce(part->arg, NULL, 0, mean, m->nv, err) < 0 ||
	     part->reduce(part->arg, NULL, 0, count, m->nv, err) < 0))
		rc = -1;
	rbm_batch_free(b);
	return rc;
}

/*
 * Column means of the data set's units over the rows where each is
 * observed (0 for a unit never observed), as data_sums; 0, or -1 with a
 * message.
 */
static int data_means(const struct rbm *m, const struct rbm_data *d,
		      const struct rbm_train_part *part, double *mean,
		      struct rbm_err *err)
{
	double *count = calloc(m->nv, sizeof(*count));
	int rc = data_sums(m, d, part, mean, count, err);
	size_t j;

	for (j = 0; rc == 0 && j < m->nv; j++)
		mean[j] = count[j] > 0 ? mean[j] / count[j] : 0;
	free(count);
	return rc;
}

int rbm_train_data_bias_part(struct rbm *m, const struct rbm_data *d,
			     const struct rbm_train_part *part,
			     struct rbm_err *err)
{
	double *sum = malloc(m->nv * sizeof(*sum));
	double *count = calloc(m->nv, sizeof(*count));
	size_t i;

	if (!sum || !count) {
		free(sum);
		free(count);
		rbm_err_set(err, "out of memory for the data means");
		return -1;
	}
	if ((!part && d->n == 0) ||
	    data_sums(m, d, part, sum, count, err) < 0) {
		free(sum);
		free(count);
		return part ? -1 : 0;
	}
	for (i = 0; i < m->nv; i++)
		sum[i] = rbm_visible_smoothed_mean(m, sum[i], count[i]);
	rbm_visible_bias_from_means(m, sum);
	free(sum);
	free(count);
	return 0;
}

void rbm_train_data_bias(struct rbm *m, const struct rbm_data *d)
{
	struct rbm_err err;

	rbm_train_data_bias_part(m, d, NULL, &err);
}

/*
 * PCD chains start as hidden samples of the first rows of the data (in
 * turn), which puts them near the data rather than at an arbitrary state;
 * a part without rows starts its chains at random.
 */
static int start_chains(struct rbm_trainer *t, gsl_rng *rng)
{
	size_t i, nc = t->chains;
	gsl_matrix_float *c = gsl_matrix_float_alloc(nc, t->nh);

	if (!c)
		return -1;
	if (t->d->n == 0) {
		gsl_matrix_float_set_all(c, 0.5f);
		rbm_sample(c, c, rng);
	} else {
		for (i = 0; i < nc; i++)
			t->order[i] = i % t->d->n;
		rbm_batch_gather(t->in, t->d, t->order, nc);
		rbm_chain_start_hidden(t->m, t->in->v, c, rng);
	}
	free_matrix(&t->ts->chains);
	t->ts->chains = c;
	return 0;
}

/* This part's first chain among the chains of all parts. */
static size_t first_chain(const struct rbm_trainer *t)
{
	return t->all_chains * t->rank / t->ranks;
}

/*
 * Of the chains of all parts that the state holds (as saved after a run
 * over any number of parts), keep this part's share; 0, or -1 when out
 * of memory.
 */
static int own_chains(struct rbm_trainer *t)
{
	gsl_matrix_float *c = gsl_matrix_float_alloc(t->chains, t->nh);
	gsl_matrix_float_const_view v = gsl_matrix_float_const_submatrix(
		t->ts->chains, first_chain(t), 0, t->chains, t->nh);

	if (!c)
		return -1;
	gsl_matrix_float_memcpy(c, &v.matrix);
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
 * Centering offsets start at the data means (of all parts) and 0.5
 * (hid, with full centering); both again when only one is there (a
 * state file may hold either section alone).
 */
static int start_offsets(struct rbm_trainer *t,
			 const struct rbm_train_part *part, int hid,
			 struct rbm_err *err)
{
	struct rbm_train_state *ts = t->ts;
	size_t i;

	free_vector(&ts->vis_offset);
	free_vector(&ts->hid_offset);
	ts->vis_offset = filled(t->nv, 0);
	ts->hid_offset = hid ? filled(t->nh, 0.5) : NULL;
	if (!ts->vis_offset || (hid && !ts->hid_offset)) {
		rbm_err_set(err, "out of memory for training buffers");
		return -1;
	}
	if (data_means(t->m, t->d, part, t->vd, err) < 0)
		return -1;
	for (i = 0; i < t->nv; i++)
		gsl_vector_float_set(ts->vis_offset, i, (float)t->vd[i]);
	return 0;
}

/*
 * Continue from the last parameters of the previous run, which averaging
 * kept in the iterate (the model holding their average), taking the
 * iterate over from the train state (so that a run stopped before
 * rbm_trainer_finish leaves a model that is its own last parameters);
 * and have room for them when this run averages.  0, or -1 when out of
 * memory.
 */
static int restore_iterate(struct rbm_trainer *t)
{
	struct rbm_train_state *ts = t->ts;

	if (ts->iterate) {
		if (!(t->saved = rbm_alloc(t->nv, t->nh, NULL)))
			return -1;
		rbm_copy(t->saved, t->m);
		rbm_copy(t->m, ts->iterate);
		t->iterate = ts->iterate;	/* the model is it now */
		ts->iterate = NULL;
	}
	if ((t->p->average || t->p->average_fraction > 0) && !t->iterate &&
	    !(t->iterate = rbm_alloc(t->nv, t->nh, NULL)))
		return -1;
	return 0;
}

/*
 * Create the parts of ts that p uses and drop those it does not, after
 * putting the previous run's iterate back in the model (which stays
 * there on failure); 0, or -1 with a message.
 */
static int prepare_state(struct rbm_trainer *t, gsl_rng *rng,
			 const struct rbm_train_part *part,
			 struct rbm_err *err)
{
	const struct rbm_train_settings *p = t->p;
	struct rbm_train_state *ts = t->ts;
	gsl_matrix_float *c = ts->chains;

	rbm_err_set(err, "out of memory for training buffers");
	if (restore_iterate(t) < 0)
		return -1;
	if (!(p->momentum > 0 || p->momentum_ramp)) {
		rbm_free(ts->velocity);
		ts->velocity = NULL;
	} else if (!ts->velocity &&
		   !(ts->velocity = rbm_alloc(t->nv, t->nh, NULL))) {
		return -1;
	}
	if (!p->pcd)
		free_matrix(&ts->chains);
	else if (!c || c->size1 != t->all_chains || c->size2 != t->nh) {
		if (start_chains(t, rng) < 0)
			return -1;
	} else if (t->ranks > 1 && own_chains(t) < 0) {
		return -1;
	}
	if (!p->centering && !p->visible_centering) {
		free_vector(&ts->vis_offset);
		free_vector(&ts->hid_offset);
	} else if (!p->centering) {	/* visible only: lambda = 0 */
		free_vector(&ts->hid_offset);
		if (!ts->vis_offset && start_offsets(t, part, 0, err) < 0)
			return -1;
	} else if ((!ts->vis_offset || !ts->hid_offset) &&
		   start_offsets(t, part, 1, err) < 0) {
		return -1;
	}
	if (!(p->sparsity_target > 0))
		free_vector(&ts->hid_mean);
	else if (!ts->hid_mean &&
		 !(ts->hid_mean = filled(t->nh, p->sparsity_target)))
		return -1;
	return 0;
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static int alloc_buffers(struct rbm_trainer *t)
{
	size_t k = t->local, nv = t->nv, nh = t->nh;
	size_t kc = max_size(k, t->chains);	/* negative particles */

	t->in = rbm_batch_alloc(t->m, kc, t->d->missing ? RBM_BATCH_MASK
							      : 0, NULL);
	t->ph = gsl_matrix_float_alloc(k, nh);
	t->h = gsl_matrix_float_alloc(kc, nh);
	t->pv = gsl_matrix_float_alloc(kc, nv);
	t->vn = gsl_matrix_float_alloc(kc, nv);
	t->ph2 = gsl_matrix_float_alloc(kc, nh);
	t->nsums = 4 * nv + 2 * nh + NCOUNTS;
	t->sums = calloc(t->nsums, sizeof(double));
	t->order = malloc(max_size(t->rows, t->chains) *
			  sizeof(*t->order));
	t->idx = malloc(kc * sizeof(*t->idx));
	t->mix = malloc((2 * nv + 3 * nh + 1) * sizeof(*t->mix));
	t->outer = malloc(nh * sizeof(*t->outer));
	t->grad = rbm_alloc(nv, nh, NULL);
	if (t->p->average || t->p->average_fraction > 0)
		t->avg = rbm_alloc(nv, nh, NULL);
	if (t->sums) {
		t->vd = t->sums;
		t->hd = t->vd + nv;
		t->vm = t->hd + nh;
		t->hm = t->vm + nv;
		t->vo = t->hm + nh;
		t->vc = t->vo + nv;
		t->counts = t->vc + nv;
	}
	return t->in && t->ph && t->h && t->pv && t->vn && t->ph2 && t->sums &&
	       t->order && t->idx && t->mix && t->outer && t->grad &&
	       (t->avg || !(t->p->average || t->p->average_fraction > 0)) ?
	       0 : -1;
}

/*
 * The sizes of the trainer's part: all rows, a global batch, and what
 * of them this part holds; 0, or -1 with a message.
 */
static int set_sizes(struct rbm_trainer *t, const struct rbm_train_part *part,
		     struct rbm_err *err)
{
	size_t ranks = part ? part->ranks : 1, rank = part ? part->rank : 0;

	t->rows = part ? part->rows : t->d->n;
	t->first = part ? part->first : 0;
	t->rank = rank;
	t->ranks = ranks;
	if (t->rows == 0) {
		rbm_err_set(err, "no rows to train on");
		return -1;
	}
	if (ranks < 1 || rank >= ranks || t->first > t->rows ||
	    t->d->n > t->rows - t->first) {
		rbm_err_set(err, "part %zu of %zu: rows %zu from %zu of %zu "
			    "do not fit", rank, ranks, t->d->n, t->first,
			    t->rows);
		return -1;
	}
	t->max_batch = t->p->batch_size < t->rows ? t->p->batch_size :
						    t->rows;
	t->all_chains = t->p->pcd && t->p->chains ? t->p->chains :
							 t->max_batch;
	if (t->p->pcd && t->all_chains < ranks) {
		rbm_err_set(err, "PCD needs a chain in each of %zu processes: "
			    "use %s of at least %zu", ranks, t->p->chains ?
			    "a number of chains" : "a batch size", ranks);
		return -1;
	}
	t->local = t->max_batch < t->d->n ? t->max_batch : t->d->n;
	if (t->local == 0)
		t->local = 1;	/* buffers of one row, never filled */
	t->chains = t->all_chains * (rank + 1) / ranks -
		    t->all_chains * rank / ranks;
	return 0;
}

struct rbm_trainer *rbm_trainer_alloc(struct rbm *m,
				      struct rbm_train_state *ts,
				      const struct rbm_train_settings *p,
				      const struct rbm_data *d,
				      unsigned long epochs, gsl_rng *rng,
				      struct rbm_err *err)
{
	return rbm_trainer_alloc_part(m, ts, p, d, epochs, rng, NULL, err);
}

struct rbm_trainer *rbm_trainer_alloc_part(struct rbm *m,
					   struct rbm_train_state *ts,
					   const struct rbm_train_settings *p,
					   const struct rbm_data *d,
					   unsigned long epochs, gsl_rng *rng,
					   const struct rbm_train_part *part,
					   struct rbm_err *err)
{
	struct rbm_trainer *t;
	size_t i;

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
	t->run_epochs = epochs;
	if (part) {
		t->reduce = part->reduce;
		t->reduce_arg = part->arg;
	}
	if (set_sizes(t, part, err) < 0) {
		free(t);
		return NULL;
	}
	if (alloc_buffers(t) < 0) {
		rbm_trainer_free(t);
		rbm_err_set(err, "out of memory for training buffers");
		return NULL;
	}
	if (prepare_state(t, rng, part, err) < 0) {
		rbm_trainer_free(t);
		return NULL;
	}
	for (i = 0; i < t->rows; i++)
		t->order[i] = i;
	return t;
}

void rbm_trainer_free(struct rbm_trainer *t)
{
	if (!t)
		return;
	rbm_batch_free(t->in);
	free_matrix(&t->ph);
	free_matrix(&t->h);
	free_matrix(&t->pv);
	free_matrix(&t->vn);
	free_matrix(&t->ph2);
	free(t->sums);
	free(t->order);
	free(t->idx);
	free(t->mix);
	free(t->outer);
	rbm_free(t->grad);
	rbm_free(t->avg);
	rbm_free(t->iterate);
	rbm_free(t->saved);
	free(t);
}

/*
 * sum[j] = column j's sum over the rows of a (none when a is NULL), in
 * double; divided by the rows of all parts once they are reduced.
 */
static void column_sums(const gsl_matrix_float *a, double *sum, size_t w)
{
	size_t i, j, k = a ? a->size1 : 0;

	for (j = 0; j < w; j++)
		sum[j] = 0;
	for (i = 0; i < k; i++) {
		const float *r = gsl_matrix_float_const_ptr(a, i, 0);
#pragma omp simd	/* each column's sum keeps its order */
		for (j = 0; j < w; j++)
			sum[j] += r[j];
	}
}

/*
 * sum[j], count[j] = column j's sum and count over the rows of a where
 * mask is nonzero.
 */
static void observed_sums(const gsl_matrix_float *a,
			  const gsl_matrix_float *mask, double *sum,
			  double *count)
{
	size_t i, j, w = a->size2;

	for (j = 0; j < w; j++) {
		double s = 0, n = 0;
		for (i = 0; i < a->size1; i++) {
			float o = gsl_matrix_float_get(mask, i, j);
			s += o != 0 ? gsl_matrix_float_get(a, i, j) : 0;
			n += o != 0;
		}
		sum[j] = s;
		count[j] = n;
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
			rbm_visible_sample(t->m, pv, vn, rng);
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
	const struct rbm_train_settings *p = t->p;
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
 * Where visible offset i moves: its unit's data mean where observed
 * (t->vo), or with the average target the mean of that and the model's
 * (the negative particles' mean, over the rows where the unit is
 * observed with CD's masks: a masked reconstruction is 0 elsewhere);
 * NaN when the batch does not observe it.
 */
static double visible_target(const struct rbm_trainer *t, size_t i)
{
	double model = t->vm[i];

	if (t->p->offset_target != RBM_OFFSETS_AVERAGE || isnan(t->vo[i]))
		return t->vo[i];
	if (!t->p->pcd && t->vc[i] != (double)t->batch)
		model *= (double)t->batch / t->vc[i];
	return 0.5 * (t->vo[i] + model);
}

/* Where hidden offset j moves: as visible_target, of p(h|v). */
static double hidden_target(const struct rbm_trainer *t, size_t j)
{
	if (t->p->offset_target != RBM_OFFSETS_AVERAGE)
		return t->hd[j];
	return 0.5 * (t->hd[j] + t->hm[j]);
}

/*
 * Centering: map the gradient back to plain biases, move the offsets;
 * a visible offset moves toward its target (visible_target), as it
 * started at the data's means (start_offsets), and stays when the batch
 * does not observe it.  Without hidden offsets (visible centering)
 * lambda is 0: the visible biases' gradient is the plain one.
 */
static void centering_terms(struct rbm_trainer *t)
{
	struct rbm_train_state *ts = t->ts;
	float r = (float)t->p->offset_rate;
	size_t i;

	if (ts->hid_offset)
		rbm_linalg_mv(-1.0f, t->grad->w, ts->hid_offset, t->grad->b);
	rbm_linalg_mv_t(-1.0f, t->grad->w, ts->vis_offset, t->grad->c);
	for (i = 0; i < t->nv; i++) {
		double target = visible_target(t, i);
		if (!isnan(target))
			gsl_vector_float_set(ts->vis_offset, i, (float)(
				(1 - r) * gsl_vector_float_get(ts->vis_offset,
							       i) +
				r * target));
	}
	for (i = 0; ts->hid_offset && i < t->nh; i++)
		gsl_vector_float_set(ts->hid_offset, i, (float)(
			(1 - r) * gsl_vector_float_get(ts->hid_offset, i) +
			r * hidden_target(t, i)));
}

/*
 * Visible centering without a mask (the default): the products take the
 * binary states as they are, sums of rows (linalg.h), and the offsets
 * come in here, as (v - 1 o')' ph = v' ph - o (1' ph)': subtract o times
 * the column sums of the hidden probabilities (hd and hm, still sums of
 * the share), each scaled as its product, a rank-one update on the
 * pool.  Centering the states first made them non-binary and every
 * gradient product a full sgemm.
 */
static void offset_outer(struct rbm_trainer *t, int data, int model,
			 size_t parts)
{
	const gsl_vector_float *o = t->ts->vis_offset;
	double a = data ? 1.0 / (double)t->batch : 0;
	double b = model ? 1.0 / (double)parts : 0;
	gsl_vector_float_view d = gsl_vector_float_view_array(t->outer, t->nh);
	size_t j;

	for (j = 0; j < t->nh; j++)
		t->outer[j] = (float)(a * t->hd[j] - b * t->hm[j]);
	rbm_linalg_ger(-1.0f, o, &d.vector, t->grad->w);
}

/*
 * The share's part of the statistics that need no reduction first:
 * centered states (with a mask, centered visible states are masked again
 * after the offsets), then the weight gradient's two products, scaled by
 * the global rows and particles.  v, ph (k data rows, or NULL) and vneg,
 * ph2 (the share's negative particles, or NULL) are used as scratch.
 * Visible centering without a mask goes by offset_outer instead.
 */
static void share_products(struct rbm_trainer *t, gsl_matrix_float *v,
			   gsl_matrix_float *ph, gsl_matrix_float *vneg,
			   gsl_matrix_float *ph2, const gsl_matrix_float *mask)
{
	struct rbm *g = t->grad;
	size_t parts = !t->p->pcd ? t->batch : t->alone ? t->chains :
						t->all_chains;
	int outer = t->ts->vis_offset && !t->ts->hid_offset && !mask;

	if (t->ts->vis_offset) {	/* centering, full or visible */
		if (v && mask) {
			observed_sums(v, mask, t->vo, t->vc);
		} else {
			memcpy(t->vo, t->vd, t->nv * sizeof(*t->vo));
			for (size_t i = 0; i < t->nv; i++)
				t->vc[i] = (double)t->counts[C_ROWS];
		}
		if (v && !outer)
			subtract_rows(v, t->ts->vis_offset);
		if (v && t->ts->hid_offset)
			subtract_rows(ph, t->ts->hid_offset);
		if (vneg && !outer)
			subtract_rows(vneg, t->ts->vis_offset);
		if (vneg && t->ts->hid_offset)
			subtract_rows(ph2, t->ts->hid_offset);
		if (v && mask)
			rbm_visible_apply_mask(v, mask);
		if (vneg && mask)
			rbm_visible_apply_mask(vneg, mask);
	}
	if (v)
		rbm_linalg_gram(1.0f / (float)t->batch, v, ph, 0.0f, g->w);
	else
		gsl_matrix_float_set_zero(g->w);
	if (vneg)
		rbm_linalg_gram(-1.0f / (float)parts, vneg, ph2, 1.0f,
				g->w);
	if (outer)
		offset_outer(t, v != NULL, vneg != NULL, parts);
}

void rbm_train_share(struct rbm_trainer *t, gsl_matrix_float *v,
		     const gsl_matrix_float *mask, size_t batch, gsl_rng *rng)
{
	size_t k = v ? v->size1 : 0, nc = t->p->pcd ? t->chains : k;
	gsl_matrix_float_view ph = { { 0 } }, h, pv, vn, ph2 = { { 0 } };
	gsl_matrix_float *vneg = NULL;

	memset(t->sums, 0, t->nsums * sizeof(*t->sums));
	t->batch = batch;
	t->counts[C_ROWS] = (double)k;
	t->counts[C_PARTICLES] = (double)nc;
	if (k > 0) {
		ph = rbm_batch_top(t->ph, k);
		rbm_hidden_probs(t->m, v, &ph.matrix);
		column_sums(v, t->vd, t->nv);
		column_sums(&ph.matrix, t->hd, t->nh);
	}
	if (t->p->pcd)
		mask = NULL;	/* refused with missing values; see alloc */
	if (nc > 0) {
		gsl_matrix_float *hs = t->ts->chains;
		h = rbm_batch_top(t->h, nc);
		pv = rbm_batch_top(t->pv, nc);
		vn = rbm_batch_top(t->vn, nc);
		ph2 = rbm_batch_top(t->ph2, nc);
		if (!t->p->pcd) {
			hs = &h.matrix;
			rbm_sample(&ph.matrix, hs, rng);
		}
		negative_phase(t, hs, &pv.matrix, &vn.matrix, &ph2.matrix,
			       &vneg, mask, rng);
		column_sums(vneg, t->vm, t->nv);
		column_sums(&ph2.matrix, t->hm, t->nh);
	}
	share_products(t, k ? v : NULL, k ? &ph.matrix : NULL, vneg,
		       nc ? &ph2.matrix : NULL, mask);
}

void rbm_train_sums(struct rbm_trainer *t, float **f, size_t *nf,
		    double **d, size_t *nd)
{
	*f = t->grad->w->data;	/* rbm_alloc: rows are contiguous */
	*nf = t->nv * t->nh;
	*d = t->sums;
	*nd = t->nsums;
}

/* Sums of all parts into means; 0, or -1 if the counts disagree. */
static int sums_to_means(struct rbm_trainer *t, struct rbm_err *err)
{
	double k = (double)t->batch;
	double nc = !t->p->pcd ? k : t->alone ? (double)t->chains :
						(double)t->all_chains;
	size_t i;

	if (t->counts[C_ROWS] != k || t->counts[C_PARTICLES] != nc) {
		rbm_err_set(err, "the processes' shares add up to %g rows and "
			    "%g chains, not %g and %g", t->counts[C_ROWS],
			    t->counts[C_PARTICLES], k, nc);
		return -1;
	}
	for (i = 0; i < t->nv; i++) {
		t->vd[i] /= k;
		t->vm[i] /= nc;
		t->vo[i] = t->vc[i] > 0 ? t->vo[i] / t->vc[i] : NAN;
	}
	for (i = 0; i < t->nh; i++) {
		t->hd[i] /= k;
		t->hm[i] /= nc;
	}
	return 0;
}

struct rbm *rbm_train_combine(struct rbm_trainer *t, int *stop,
			      struct rbm_err *err)
{
	struct rbm *g = t->grad;
	float *f;
	double *d;
	size_t nf, nd, i;

	t->counts[C_STOP] = stop && *stop;
	rbm_train_sums(t, &f, &nf, &d, &nd);
	if (t->reduce && !t->alone &&
	    t->reduce(t->reduce_arg, f, nf, d, nd, err) < 0)
		return NULL;
	if (stop)
		*stop = t->counts[C_STOP] > 0;
	if (sums_to_means(t, err) < 0)
		return NULL;
	for (i = 0; i < t->nv; i++)
		gsl_vector_float_set(g->b, i, (float)(t->vd[i] - t->vm[i]));
	for (i = 0; i < t->nh; i++)
		gsl_vector_float_set(g->c, i, (float)(t->hd[i] - t->hm[i]));
	if (t->ts->vis_offset)
		centering_terms(t);
	if (t->p->sparsity_target > 0)
		sparsity_terms(t);
	return g;
}

int rbm_train_step(struct rbm_trainer *t, gsl_matrix_float *v,
		   const gsl_matrix_float *mask, size_t batch, double rate,
		   double momentum, gsl_rng *rng, int *stop,
		   struct rbm_err *err)
{
	struct rbm *g;

	rbm_train_share(t, v, mask, batch, rng);
	if (!(g = rbm_train_combine(t, stop, err)))
		return -1;
	rbm_train_apply(t, g, rate, momentum);
	return 0;
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
	struct rbm_err err;

	rbm_train_share(t, v, mask, v->size1, rng);
	return rbm_train_combine(t, NULL, &err);
}

/* g -= wd * W + l1 * sign(W), weights only. */
static void decay_terms(const struct rbm_train_settings *p,
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
	if (a != 1.0f) {
		rbm_linalg_matrix_scal(a, dst->w);
		rbm_linalg_scal(a, dst->b);
		rbm_linalg_scal(a, dst->c);
	}
	rbm_linalg_matrix_axpy(b, src->w, dst->w);
	rbm_linalg_axpy(b, src->b, dst->b);
	rbm_linalg_axpy(b, src->c, dst->c);
}

void rbm_train_apply(struct rbm_trainer *t, struct rbm *g, double rate,
		     double momentum)
{
	struct rbm *vel = t->ts->velocity;

	t->applied++;
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
static double scheduled_rate(const struct rbm_train_settings *p,
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

/*
 * This part's rows among the global rows g[0..k) of a batch, as indices
 * into its data; their count.
 */
static size_t local_rows(struct rbm_trainer *t, const size_t *g, size_t k,
			 const size_t **idx)
{
	size_t i, n = 0;

	if (t->first == 0 && t->d->n == t->rows) {
		*idx = g;	/* one part: all of them */
		return k;
	}
	for (i = 0; i < k; i++)
		if (g[i] >= t->first && g[i] - t->first < t->d->n)
			t->idx[n++] = g[i] - t->first;
	*idx = t->idx;
	return n;
}

/* Whether the parts step alone between averages of their models. */
static int steps_alone(const struct rbm_trainer *t)
{
	return t->every > 1 && t->ranks > 1 && t->reduce;
}

/*
 * Copy v (none when NULL) into buf from *at on, or with back, buf times
 * scale into v; *at moves past it.
 */
static void pack(gsl_vector_float *v, double *buf, size_t *at, int back,
		 double scale)
{
	size_t i;

	for (i = 0; v && i < v->size; i++, (*at)++)
		if (back)
			gsl_vector_float_set(v, i, (float)(buf[*at] * scale));
		else
			buf[*at] = gsl_vector_float_get(v, i);
}

/*
 * Replace the parameters of m (none when NULL) and the vectors x, y, z
 * (each may be NULL) by their mean over the parts, with *flag summed
 * along (flag NULL: none); 0, or -1 with the reduce's message.  The
 * weights are summed as floats (rbm_alloc's rows are contiguous), the
 * rest as doubles.
 */
static int mean_of_parts(struct rbm_trainer *t, struct rbm *m,
			 gsl_vector_float *x, gsl_vector_float *y,
			 gsl_vector_float *z, double *flag,
			 struct rbm_err *err)
{
	gsl_vector_float *v[] = { m ? m->b : NULL, m ? m->c : NULL, x, y, z };
	double *buf = t->mix, scale = 1.0 / (double)t->ranks;
	size_t i, n = 0, back = 0;

	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		pack(v[i], buf, &n, 0, 1);
	if (flag)
		buf[n++] = *flag;
	if (t->reduce(t->reduce_arg, m ? m->w->data : NULL,
		      m ? t->nv * t->nh : 0, buf, n, err) < 0)
		return -1;
	if (m)
		rbm_linalg_matrix_scal((float)scale, m->w);
	for (i = 0; i < sizeof(v) / sizeof(*v); i++)
		pack(v[i], buf, &back, 1, scale);
	if (flag)
		*flag = buf[back];
	return 0;
}

/*
 * The parts' models become their mean, with everything else the update
 * reads (the momentum's last step, the centering offsets, the sparsity
 * activity; each part's PCD chains stay its own); and at the end of an
 * epoch (last) or of a run (a stop), the running average of the
 * parameters too.  The wish to stop goes in *stop and comes back as any
 * part's.  0, or -1 with a message.
 */
static int average_parts(struct rbm_trainer *t, int last, int *stop,
			 struct rbm_err *err)
{
	struct rbm_train_state *ts = t->ts;
	double any = t->wish;

	if (mean_of_parts(t, t->m, ts->vis_offset, ts->hid_offset,
			  ts->hid_mean, &any, err) < 0 ||
	    (ts->velocity && mean_of_parts(t, ts->velocity, NULL, NULL,
					   NULL, NULL, err) < 0))
		return -1;
	*stop = any > 0;
	t->since = 0;
	t->wish = 0;
	if ((last || *stop) && t->avg_count &&
	    mean_of_parts(t, t->avg, NULL, NULL, NULL, NULL, err) < 0)
		return -1;
	return 0;
}

/*
 * A batch step of this part alone: the mean gradient of its kl rows of
 * the batch (none: no step) at the global rate, then the parameters'
 * running average (of this part's model: the mean of the parts' averages
 * is that of their mean), then every t->every batches and at the
 * epoch's end (last) the mean of the parts.  The hook's wish to stop is
 * kept until then; *stop says whether any part stops.  0, or -1 with a
 * message.
 */
static int step_alone(struct rbm_trainer *t, size_t kl, int last,
		      double rate, double mom, gsl_rng *rng, int wish,
		      int *stop, struct rbm_err *err)
{
	int rc = 0;

	t->wish |= wish;
	*stop = 0;
	if (kl > 0) {
		t->alone = 1;
		rc = rbm_train_step(t, t->in->v, t->in->mask, kl, rate, mom,
				    rng, NULL, err);
		t->alone = 0;
	}
	if (rc < 0)
		return -1;
	if (t->averaging)
		average_update(t);
	if (++t->since < t->every && !last)
		return 0;
	return average_parts(t, last, stop, err);
}

/*
 * One batch of the epoch: the rows order[start..start+k) of all parts,
 * this part's share of them (last: the epoch's last batch); the hook's
 * wish to stop goes in *stop, and comes back as the wish of any part.
 * 0, or -1 with a message.
 */
static int epoch_batch(struct rbm_trainer *t, size_t start, size_t k,
		       int last, double rate, double mom, gsl_rng *rng,
		       int *stop, struct rbm_err *err)
{
	const size_t *idx;
	size_t kl = local_rows(t, t->order + start, k, &idx);
	gsl_rng *r = t->sampler ? t->sampler : rng;
	int wish;

	if (kl > 0)
		rbm_batch_gather(t->in, t->d, idx, kl);
	wish = t->hook && t->hook(t->hook_arg, start + k, t->rows);
	if (steps_alone(t))
		return step_alone(t, kl, last, rate, mom, r, wish, stop, err);
	*stop = wish;
	if (rbm_train_step(t, kl ? t->in->v : NULL, kl ? t->in->mask : NULL,
			   k, rate, mom, r, stop, err) < 0)
		return -1;
	if (t->averaging)
		average_update(t);
	return 0;
}

/*
 * The epochs that average_fraction averages at the end of this run: the
 * last fraction of the model's epochs counted from init to the run's end,
 * not of the run's own, so that "train 10" twice averages the same epochs
 * 17-20 as "train 20" does (at most the whole run; 0 when off).
 */
static unsigned long average_tail(const struct rbm_trainer *t)
{
	unsigned long end = t->ts->epochs - t->run_epoch + t->run_epochs;

	return (unsigned long)ceil(t->p->average_fraction * (double)end);
}

int rbm_train_epoch(struct rbm_trainer *t, gsl_rng *rng,
		    struct rbm_epoch_stats *stats, struct rbm_err *err)
{
	const struct rbm_train_settings *p = t->p;
	size_t n = t->rows, start, k, b = 0;
	size_t nb = (n + t->max_batch - 1) / t->max_batch;
	double mom = p->momentum, rate = p->learning_rate;
	unsigned long tail = average_tail(t);
	int stop = 0;

	t->averaging = (p->average || tail) &&
		       t->run_epoch + (tail > p->average ? tail : p->average) >=
			       t->run_epochs;
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
		k = n - start < t->max_batch ? n - start : t->max_batch;
		rate = scheduled_rate(p, ((double)t->run_epoch +
					  (double)b / (double)nb) /
					 (double)t->run_epochs);
		if (epoch_batch(t, start, k, start + k >= n, rate, mom, rng,
				&stop, err) < 0)
			return -1;
		if (stop && start + k < n)
			break;
	}
	if (start < n) {
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

void rbm_trainer_set_sampler(struct rbm_trainer *t, gsl_rng *rng)
{
	t->sampler = rng;
}

void rbm_trainer_set_average_every(struct rbm_trainer *t, unsigned long n)
{
	t->every = n;
}

int rbm_trainer_gather_chains(struct rbm_trainer *t, struct rbm_err *err)
{
	struct rbm_train_state *ts = t->ts;
	gsl_matrix_float *all;
	gsl_matrix_float_view v;

	if (!ts->chains || t->ranks < 2 || !t->reduce)
		return 0;
	if (!(all = gsl_matrix_float_calloc(t->all_chains, t->nh)))
		return rbm_err_set(err, "out of memory for the PCD chains");
	v = gsl_matrix_float_submatrix(all, first_chain(t), 0, t->chains,
				       t->nh);
	gsl_matrix_float_memcpy(&v.matrix, ts->chains);
	/* x + 0 is x: the sum puts each part's chains in place exactly */
	if (t->reduce(t->reduce_arg, all->data, t->all_chains * t->nh, NULL,
		      0, err) < 0) {
		gsl_matrix_float_free(all);
		return -1;
	}
	free_matrix(&ts->chains);
	ts->chains = all;
	return 0;
}

void rbm_trainer_finish(struct rbm_trainer *t)
{
	struct rbm_train_state *ts = t->ts;

	if (t->avg_count) {	/* t->iterate exists: restore_iterate */
		rbm_copy(t->iterate, t->m);
		rbm_copy(t->m, t->avg);
		rbm_free(ts->iterate);
		ts->iterate = t->iterate;
		t->iterate = NULL;
	} else if (t->saved && !t->applied) {
		/* nothing trained (train 0, or a stop before the first
		 * update): the file's average stays the model and its last
		 * parameters the iterate */
		rbm_copy(t->m, t->saved);
		ts->iterate = t->iterate;
		t->iterate = NULL;
	}
}
