/*
 * monitor.c - per-epoch figures on fixed rows (see monitor.h), computed
 * in batches so that a large validation set costs no extra memory.
 */
#include <math.h>
#include <stdlib.h>

#include "monitor.h"
#include "batch.h"
#include "score.h"
#include "visible.h"

#define BATCH 256

struct rbm_monitor {
	const struct rbm_data *train, *valid;
	size_t ntrain, nvalid;		/* rows measured */
	size_t *idx;			/* 0 .. BATCH-1 offsets, reused */
	struct rbm_batch *batch;	/* rows as units, for the model: */
	const struct rbm *m;		/* the one last measured */
	gsl_matrix_float *h, *pv;	/* BATCH rows each */
	double *fe;			/* BATCH free energies */
	size_t nh;
	float *hmin, *hmax;		/* per hidden unit, over the rows */
};

struct rbm_monitor *rbm_monitor_alloc(const struct rbm_data *train,
				      const struct rbm_data *valid,
				      size_t nh, struct rbm_err *err)
{
	struct rbm_monitor *mon = calloc(1, sizeof(*mon));

	if (!mon)
		goto oom;
	mon->train = train;
	mon->valid = valid;
	mon->ntrain = train->n < RBM_MONITOR_ROWS ? train->n
						  : RBM_MONITOR_ROWS;
	mon->nvalid = !valid ? 0 : valid->n < RBM_MONITOR_ROWS ? valid->n
							      : RBM_MONITOR_ROWS;
	mon->idx = malloc(BATCH * sizeof(*mon->idx));
	mon->h = gsl_matrix_float_alloc(BATCH, nh);
	mon->fe = malloc(BATCH * sizeof(*mon->fe));
	mon->nh = nh;
	mon->hmin = malloc((nh ? nh : 1) * sizeof(*mon->hmin));
	mon->hmax = malloc((nh ? nh : 1) * sizeof(*mon->hmax));
	if (mon->idx && mon->h && mon->fe && mon->hmin && mon->hmax)
		return mon;
oom:
	rbm_monitor_free(mon);
	rbm_err_set(err, "out of memory for monitoring");
	return NULL;
}

/* The batch and reconstruction buffers for m; 0, or -1 (no memory). */
static int buffers_ready(struct rbm_monitor *mon, const struct rbm *m)
{
	int flags = mon->train->missing || (mon->valid &&
					    mon->valid->missing) ?
		    RBM_BATCH_MASK : 0;

	if (mon->batch && mon->m == m)
		return 0;
	rbm_batch_free(mon->batch);
	if (mon->pv)
		gsl_matrix_float_free(mon->pv);
	mon->m = m;
	mon->batch = rbm_batch_alloc(m, BATCH, flags, NULL);
	mon->pv = gsl_matrix_float_alloc(BATCH, m->nv);
	return mon->batch && mon->pv ? 0 : -1;
}

void rbm_monitor_free(struct rbm_monitor *mon)
{
	if (!mon)
		return;
	free(mon->idx);
	rbm_batch_free(mon->batch);
	if (mon->pv)
		gsl_matrix_float_free(mon->pv);
	if (mon->h)
		gsl_matrix_float_free(mon->h);
	free(mon->fe);
	free(mon->hmin);
	free(mon->hmax);
	free(mon);
}

/* The summed squared difference of the rows of a and b. */
static double squared_error(const gsl_matrix_float *a,
			    const gsl_matrix_float *b)
{
	double s = 0;
	size_t i, j;

	for (i = 0; i < a->size1; i++) {
		const float *ar = gsl_matrix_float_const_ptr(a, i, 0);
		const float *br = gsl_matrix_float_const_ptr(b, i, 0);
		for (j = 0; j < a->size2; j++)
			s += ((double)ar[j] - br[j]) * ((double)ar[j] - br[j]);
	}
	return s;
}

/* Widen each hidden unit's range of p(h=1|v) by the rows of h. */
static void hidden_range(struct rbm_monitor *mon, const gsl_matrix_float *h)
{
	size_t i, j;

	for (i = 0; i < h->size1; i++) {
		const float *r = gsl_matrix_float_const_ptr(h, i, 0);
		for (j = 0; j < h->size2; j++) {
			if (r[j] < mon->hmin[j])
				mon->hmin[j] = r[j];
			if (r[j] > mon->hmax[j])
				mon->hmax[j] = r[j];
		}
	}
}

/* Hidden units whose range stayed on one side (see monitor.h). */
static size_t stuck_units(const struct rbm_monitor *mon, size_t nh)
{
	size_t j, n = 0;

	for (j = 0; j < nh; j++)
		n += mon->hmax[j] < RBM_STUCK_LOW || mon->hmin[j] > RBM_STUCK_HIGH;
	return n;
}

/*
 * Mean free energy of the first n rows of d; with recon, also add the
 * summed reconstruction error to *recon (over the observed units).  NAN
 * when out of memory for the buffers.
 */
static double mean_fe(struct rbm_monitor *mon, const struct rbm *m,
		      const struct rbm_data *d, size_t n, double *recon)
{
	struct rbm_batch *b;
	size_t start, i, k;
	double sum = 0;

	if (buffers_ready(mon, m) < 0)
		return NAN;
	b = mon->batch;
	for (start = 0; start < n; start += k) {
		gsl_matrix_float_view h, rec;
		k = n - start < BATCH ? n - start : BATCH;
		for (i = 0; i < k; i++)
			mon->idx[i] = start + i;
		rbm_batch_gather(b, d, mon->idx, k);
		h = rbm_batch_top(mon->h, k);
		rbm_score_free_energy_masked(m, b->v, b->mask, &h.matrix,
					     mon->fe);
		for (i = 0; i < k; i++)
			sum += mon->fe[i];
		if (!recon)
			continue;
		rec = rbm_batch_top(mon->pv, k);
		rbm_score_reconstruct(m, b->v, &h.matrix, &rec.matrix);
		hidden_range(mon, &h.matrix);
		if (b->mask)
			rbm_visible_apply_mask(&rec.matrix, b->mask);
		*recon += squared_error(b->v, &rec.matrix);
	}
	return sum / (double)n;
}

void rbm_monitor_measure(struct rbm_monitor *mon, const struct rbm *m,
			 struct rbm_metrics *out)
{
	double recon = 0;
	size_t j;

	for (j = 0; j < m->nh && j < mon->nh; j++) {
		mon->hmin[j] = INFINITY;
		mon->hmax[j] = -INFINITY;
	}
	out->loglik = NAN;
	out->fe_train = mean_fe(mon, m, mon->train, mon->ntrain, &recon);
	out->recon_error = recon / (double)mon->ntrain;
	out->stuck = m->nh == mon->nh ? stuck_units(mon, m->nh) : 0;
	out->fe_valid = mon->nvalid ?
			mean_fe(mon, m, mon->valid, mon->nvalid, NULL) : NAN;
}
