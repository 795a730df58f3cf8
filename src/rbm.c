/*
 * rbm.c - the model and its conditional distributions (see rbm.h).
 *
 * Each conditional is one sgemm on the whole batch with the bias row
 * preloaded into the output (beta = 1), followed by an elementwise
 * logistic; no per-row dot products.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "rbm.h"
#include "visible.h"

int rbm_check_size(size_t nv, size_t nh, struct rbm_err *err)
{
	if (nv == 0 || nh == 0) {
		rbm_err_set(err, "a model needs at least one visible and one "
			    "hidden unit (got %zu x %zu)", nv, nh);
		return -1;
	}
	if (nv > RBM_MAX_UNITS || nh > RBM_MAX_UNITS ||
	    nv > RBM_MAX_WEIGHTS / nh) {
		rbm_err_set(err, "a %zu x %zu model is too large "
			    "(at most %lu units a layer, %lu weights)",
			    nv, nh, RBM_MAX_UNITS, RBM_MAX_WEIGHTS);
		return -1;
	}
	return 0;
}

struct rbm *rbm_alloc(size_t nv, size_t nh, struct rbm_err *err)
{
	struct rbm *m;

	if (rbm_check_size(nv, nh, err) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto oom;
	m->vtype = RBM_VIS_BINARY;
	m->k = 1;
	m->nv = nv;
	m->nh = nh;
	m->w = gsl_matrix_float_calloc(nv, nh);
	m->b = gsl_vector_float_calloc(nv);
	m->c = gsl_vector_float_calloc(nh);
	if (!m->w || !m->b || !m->c)
		goto oom;
	return m;
oom:
	rbm_free(m);
	rbm_err_set(err, "out of memory for a %zu x %zu model", nv, nh);
	return NULL;
}

void rbm_free(struct rbm *m)
{
	if (!m)
		return;
	if (m->w)
		gsl_matrix_float_free(m->w);
	if (m->b)
		gsl_vector_float_free(m->b);
	if (m->c)
		gsl_vector_float_free(m->c);
	free(m);
}

void rbm_init_random(struct rbm *m, gsl_rng *rng)
{
	double r = 0.1 * sqrt(6.0 / (double)(m->nv + m->nh));
	size_t i, j;

	for (i = 0; i < m->nv; i++)
		for (j = 0; j < m->nh; j++)
			gsl_matrix_float_set(m->w, i, j, (float)(
				(2.0 * gsl_rng_uniform(rng) - 1.0) * r));
	gsl_vector_float_set_zero(m->b);
	gsl_vector_float_set_zero(m->c);
}

void rbm_copy(struct rbm *dst, const struct rbm *src)
{
	gsl_matrix_float_memcpy(dst->w, src->w);
	gsl_vector_float_memcpy(dst->b, src->b);
	gsl_vector_float_memcpy(dst->c, src->c);
}

/* out = x A + 1 bias', A transposed when trans is CblasTrans. */
static void affine(const gsl_matrix_float *x, CBLAS_TRANSPOSE_t trans,
		   const gsl_matrix_float *a, const gsl_vector_float *bias,
		   gsl_matrix_float *out)
{
	size_t i, j, n = out->size1, k = out->size2;

	for (i = 0; i < n; i++) {
		float *row = gsl_matrix_float_ptr(out, i, 0);
		for (j = 0; j < k; j++)
			row[j] = bias->data[j * bias->stride];
	}
	gsl_blas_sgemm(CblasNoTrans, trans, 1.0f, x, a, 1.0f, out);
}

/* out = sigmoid(x A + 1 bias'). */
static void affine_sigmoid(const gsl_matrix_float *x, CBLAS_TRANSPOSE_t trans,
			   const gsl_matrix_float *a,
			   const gsl_vector_float *bias, gsl_matrix_float *out)
{
	size_t i, j;

	affine(x, trans, a, bias, out);
	for (i = 0; i < out->size1; i++) {
		float *row = gsl_matrix_float_ptr(out, i, 0);
		for (j = 0; j < out->size2; j++)
			row[j] = (float)rbm_sigmoid(row[j]);
	}
}

void rbm_hidden_probs(const struct rbm *m, const gsl_matrix_float *v,
		      gsl_matrix_float *ph)
{
	affine_sigmoid(v, CblasNoTrans, m->w, m->c, ph);
}

void rbm_visible_probs(const struct rbm *m, const gsl_matrix_float *h,
		       gsl_matrix_float *pv)
{
	if (m->vtype == RBM_VIS_BINARY) {
		affine_sigmoid(h, CblasTrans, m->w, m->b, pv);
		return;
	}
	affine(h, CblasTrans, m->w, m->b, pv);
	rbm_units_activate(m, pv);
}

void rbm_sample(const gsl_matrix_float *p, gsl_matrix_float *s, gsl_rng *rng)
{
	size_t i, j;

	for (i = 0; i < p->size1; i++) {
		const float *pr = gsl_matrix_float_const_ptr(p, i, 0);
		float *sr = gsl_matrix_float_ptr(s, i, 0);
		for (j = 0; j < p->size2; j++)
			sr[j] = gsl_rng_uniform(rng) < pr[j] ? 1.0f : 0.0f;
	}
}

void rbm_sample_visible(const struct rbm *m, const gsl_matrix_float *p,
			gsl_matrix_float *s, gsl_rng *rng)
{
	if (m->vtype == RBM_VIS_BINARY)
		rbm_sample(p, s, rng);
	else
		rbm_units_sample(m, p, s, rng);
}

void rbm_gibbs_step(const struct rbm *m, gsl_matrix_float *v,
		    gsl_matrix_float *h, gsl_rng *rng)
{
	rbm_hidden_probs(m, v, h);
	rbm_sample(h, h, rng);
	rbm_visible_probs(m, h, v);
	rbm_sample_visible(m, v, v, rng);
}

static int all_finite(const float *x, size_t n, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(fabsf(x[i * stride]) <= (float)RBM_MAX_PARAM))
			return 0;
	return 1;
}

int rbm_check_params(const struct rbm *m)
{
	size_t i;

	for (i = 0; i < m->nv; i++)
		if (!all_finite(gsl_matrix_float_const_ptr(m->w, i, 0),
				m->nh, 1))
			return -1;
	if (!all_finite(m->b->data, m->nv, m->b->stride) ||
	    !all_finite(m->c->data, m->nh, m->c->stride))
		return -1;
	return 0;
}
