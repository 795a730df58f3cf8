/*
 * monitor.c - per-epoch figures on fixed rows (see monitor.h), computed
 * in batches so that a large validation set costs no extra memory.
 */
#include <math.h>
#include <stdlib.h>

#include "monitor.h"
#include "score.h"

#define BATCH 256

struct rbm_monitor {
	const struct rbm_data *train, *valid;
	size_t ntrain, nvalid;		/* rows measured */
	size_t *idx;			/* 0 .. BATCH-1 offsets, reused */
	gsl_matrix_float *v, *h, *pv;	/* BATCH rows each */
	double *fe;			/* BATCH free energies */
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
	mon->v = gsl_matrix_float_alloc(BATCH, train->width);
	mon->pv = gsl_matrix_float_alloc(BATCH, train->width);
	mon->h = gsl_matrix_float_alloc(BATCH, nh);
	mon->fe = malloc(BATCH * sizeof(*mon->fe));
	if (mon->idx && mon->v && mon->pv && mon->h && mon->fe)
		return mon;
oom:
	rbm_monitor_free(mon);
	rbm_err_set(err, "out of memory for monitoring");
	return NULL;
}

void rbm_monitor_free(struct rbm_monitor *mon)
{
	if (!mon)
		return;
	free(mon->idx);
	if (mon->v)
		gsl_matrix_float_free(mon->v);
	if (mon->pv)
		gsl_matrix_float_free(mon->pv);
	if (mon->h)
		gsl_matrix_float_free(mon->h);
	free(mon->fe);
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

/*
 * Mean free energy of the first n rows of d; with recon, also add the
 * summed reconstruction error to *recon.
 */
static double mean_fe(struct rbm_monitor *mon, const struct rbm *m,
		      const struct rbm_data *d, size_t n, double *recon)
{
	size_t start, i, k;
	double sum = 0;

	for (start = 0; start < n; start += k) {
		gsl_matrix_float_view v, h, pv;
		k = n - start < BATCH ? n - start : BATCH;
		for (i = 0; i < k; i++)
			mon->idx[i] = start + i;
		v = gsl_matrix_float_submatrix(mon->v, 0, 0, k, d->width);
		h = gsl_matrix_float_submatrix(mon->h, 0, 0, k, m->nh);
		pv = gsl_matrix_float_submatrix(mon->pv, 0, 0, k, d->width);
		rbm_data_gather(d, mon->idx, k, &v.matrix);
		rbm_score_free_energy(m, &v.matrix, &h.matrix, mon->fe);
		for (i = 0; i < k; i++)
			sum += mon->fe[i];
		if (!recon)
			continue;
		rbm_score_reconstruct(m, &v.matrix, &h.matrix, &pv.matrix);
		*recon += squared_error(&v.matrix, &pv.matrix);
	}
	return sum / (double)n;
}

void rbm_monitor_measure(struct rbm_monitor *mon, const struct rbm *m,
			 struct rbm_metrics *out)
{
	double recon = 0;

	out->fe_train = mean_fe(mon, m, mon->train, mon->ntrain, &recon);
	out->recon_error = recon / (double)mon->ntrain;
	out->fe_valid = mon->nvalid ?
			mean_fe(mon, m, mon->valid, mon->nvalid, NULL) : NAN;
}
