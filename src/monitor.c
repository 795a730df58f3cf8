/*
 * monitor.c - per-epoch figures on fixed rows (see monitor.h), computed
 * in batches so that a large validation set costs no extra memory.
 */
#include <math.h>
#include <stdlib.h>

#include "monitor.h"
#include "score.h"
#include "visible.h"

#define BATCH 256

struct rbm_monitor {
	const struct rbm_data *train, *valid;
	size_t ntrain, nvalid;		/* rows measured */
	size_t *idx;			/* 0 .. BATCH-1 offsets, reused */
	gsl_matrix_float *v, *h, *pv;	/* BATCH rows each */
	double *fe;			/* BATCH free energies */
	gsl_matrix_float *u, *pu, *mask; /* BATCH x nv units, when rows
					  * must be encoded (visible.h) */
	size_t nv;			/* their width */
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

static void free_units(struct rbm_monitor *mon)
{
	if (mon->u)
		gsl_matrix_float_free(mon->u);
	if (mon->pu)
		gsl_matrix_float_free(mon->pu);
	if (mon->mask)
		gsl_matrix_float_free(mon->mask);
	mon->u = mon->pu = mon->mask = NULL;
}

/* Buffers of units for the model m; 0, or -1 when out of memory. */
static int units_ready(struct rbm_monitor *mon, const struct rbm *m)
{
	if (mon->u && mon->nv == m->nv)
		return 0;
	free_units(mon);
	mon->nv = m->nv;
	mon->u = gsl_matrix_float_alloc(BATCH, m->nv);
	mon->pu = gsl_matrix_float_alloc(BATCH, m->nv);
	mon->mask = gsl_matrix_float_alloc(BATCH, m->nv);
	return mon->u && mon->pu && mon->mask ? 0 : -1;
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
	free_units(mon);
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

/* The rows in, their reconstructions and mask of one batch. */
struct batch {
	gsl_matrix_float *in, *rec, *mask;
	gsl_matrix_float_view v, pv, u, pu, mv;
};

/*
 * Rows start .. start + k - 1 of d into b: as read, or encoded into units
 * with enc (then with their mask if d has missing values).
 */
static void load(struct rbm_monitor *mon, const struct rbm *m,
		 const struct rbm_data *d, size_t start, size_t k, int enc,
		 struct batch *b)
{
	size_t i;

	for (i = 0; i < k; i++)
		mon->idx[i] = start + i;
	b->v = gsl_matrix_float_submatrix(mon->v, 0, 0, k, d->width);
	b->pv = gsl_matrix_float_submatrix(mon->pv, 0, 0, k, d->width);
	rbm_data_gather(d, mon->idx, k, &b->v.matrix);
	b->in = &b->v.matrix;
	b->rec = &b->pv.matrix;
	b->mask = NULL;
	if (!enc)
		return;
	b->u = gsl_matrix_float_submatrix(mon->u, 0, 0, k, m->nv);
	b->pu = gsl_matrix_float_submatrix(mon->pu, 0, 0, k, m->nv);
	b->mv = gsl_matrix_float_submatrix(mon->mask, 0, 0, k, m->nv);
	rbm_visible_encode(m, &b->v.matrix, &b->u.matrix, &b->mv.matrix);
	b->in = &b->u.matrix;
	b->rec = &b->pu.matrix;
	b->mask = d->missing ? &b->mv.matrix : NULL;
}

/*
 * Mean free energy of the first n rows of d; with recon, also add the
 * summed reconstruction error to *recon (over the observed units).  NAN
 * when out of memory for the units of a model that needs them.
 */
static double mean_fe(struct rbm_monitor *mon, const struct rbm *m,
		      const struct rbm_data *d, size_t n, double *recon)
{
	int enc = m->vtype != RBM_VIS_BINARY || d->missing;
	size_t start, i, k;
	double sum = 0;

	if (enc && units_ready(mon, m) < 0)
		return NAN;
	for (start = 0; start < n; start += k) {
		gsl_matrix_float_view h;
		struct batch b;
		k = n - start < BATCH ? n - start : BATCH;
		load(mon, m, d, start, k, enc, &b);
		h = gsl_matrix_float_submatrix(mon->h, 0, 0, k, m->nh);
		rbm_score_free_energy_masked(m, b.in, b.mask, &h.matrix,
					     mon->fe);
		for (i = 0; i < k; i++)
			sum += mon->fe[i];
		if (!recon)
			continue;
		rbm_score_reconstruct(m, b.in, &h.matrix, b.rec);
		if (b.mask)
			rbm_visible_apply_mask(b.rec, b.mask);
		*recon += squared_error(b.in, b.rec);
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
