/*
 * visible.c - the types of visible units (see visible.h).
 *
 * Everything here works a row at a time on contiguous floats; the
 * products stay in rbm.c.  Softmax groups are normalized relative to
 * their largest input, so no exponential overflows.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "visible.h"

const char *const rbm_vis_type_names[RBM_NVIS_TYPES + 1] = {
	"binary", "gaussian", "softmax", NULL
};

int rbm_visible_parse(const char *s, enum rbm_vis_type *type, size_t *k,
		      struct rbm_err *err)
{
	const char *p = "softmax:";
	unsigned long v;
	char *end;

	*k = 1;
	if (strcmp(s, "binary") == 0 || strcmp(s, "gaussian") == 0) {
		*type = s[0] == 'b' ? RBM_VIS_BINARY : RBM_VIS_GAUSSIAN;
		return 0;
	}
	if (strncmp(s, p, strlen(p)) == 0) {
		s += strlen(p);
		errno = 0;
		v = strtoul(s, &end, 10);
		if (*s >= '0' && *s <= '9' && !*end && !errno &&
		    v >= RBM_SOFTMAX_MIN_K && v <= RBM_SOFTMAX_MAX_K) {
			*type = RBM_VIS_SOFTMAX;
			*k = v;
			return 0;
		}
		rbm_err_set(err, "softmax needs K from %d to %d ratings, "
			    "not '%.40s'", RBM_SOFTMAX_MIN_K,
			    RBM_SOFTMAX_MAX_K, s);
		return -1;
	}
	rbm_err_set(err, "unknown visible unit type '%.40s' (binary, "
		    "gaussian or softmax:K)", s);
	return -1;
}

void rbm_visible_name(const struct rbm *m, char *buf, size_t size)
{
	if (m->vtype == RBM_VIS_SOFTMAX)
		snprintf(buf, size, "softmax:%zu", m->k);
	else
		snprintf(buf, size, "%s", rbm_vis_type_names[m->vtype]);
}

int rbm_visible_set(struct rbm *m, enum rbm_vis_type type, size_t k,
		    struct rbm_err *err)
{
	if (type == RBM_VIS_SOFTMAX ? k < RBM_SOFTMAX_MIN_K ||
	    k > RBM_SOFTMAX_MAX_K : k != 1) {
		rbm_err_set(err, "bad number of units an item (%zu)", k);
		return -1;
	}
	if (m->nv % k) {
		rbm_err_set(err, "%zu visible units are not groups of %zu",
			    m->nv, k);
		return -1;
	}
	m->vtype = type;
	m->k = k;
	return 0;
}

size_t rbm_visible_items(const struct rbm *m)
{
	return m->nv / m->k;
}

/* One row of items into units and mask (NULL: none); missing count. */
static size_t encode_row(const struct rbm *m, const float *in, float *u,
			 float *mask)
{
	size_t i, q, k = m->k, n = rbm_visible_items(m), missing = 0;

	for (i = 0; i < n; i++) {
		int miss = isnan(in[i]);
		missing += (size_t)miss;
		if (k == 1) {
			u[i] = miss ? 0.0f : in[i];
		} else {
			for (q = 0; q < k; q++)
				u[i * k + q] = !miss &&
					(size_t)in[i] == q + 1 ? 1.0f : 0.0f;
		}
		if (mask)
			for (q = 0; q < k; q++)
				mask[i * k + q] = miss ? 0.0f : 1.0f;
	}
	return missing;
}

size_t rbm_visible_encode(const struct rbm *m, const gsl_matrix_float *items,
			  gsl_matrix_float *units, gsl_matrix_float *mask)
{
	size_t r, missing = 0;

	for (r = 0; r < items->size1; r++)
		missing += encode_row(m, gsl_matrix_float_const_ptr(items, r, 0),
				      gsl_matrix_float_ptr(units, r, 0),
				      mask ? gsl_matrix_float_ptr(mask, r, 0)
					   : NULL);
	return missing;
}

void rbm_visible_decode(const struct rbm *m, const gsl_matrix_float *units,
			gsl_matrix_float *items)
{
	size_t r, i, q, k = m->k, n = rbm_visible_items(m);

	for (r = 0; r < units->size1; r++) {
		const float *u = gsl_matrix_float_const_ptr(units, r, 0);
		float *out = gsl_matrix_float_ptr(items, r, 0);
		for (i = 0; i < n; i++) {
			double s = 0;
			if (k == 1) {
				out[i] = u[i];
				continue;
			}
			for (q = 0; q < k; q++)
				s += (double)(q + 1) * u[i * k + q];
			out[i] = (float)s;
		}
	}
}

/* x[0..k) = softmax(x[0..k)), relative to the largest. */
static void softmax_group(float *x, size_t k)
{
	double max = x[0], sum = 0;
	size_t q;

	for (q = 1; q < k; q++)
		if (x[q] > max)
			max = x[q];
	for (q = 0; q < k; q++)
		sum += exp((double)x[q] - max);
	for (q = 0; q < k; q++)
		x[q] = (float)(exp((double)x[q] - max) / sum);
}

void rbm_units_activate(const struct rbm *m, gsl_matrix_float *a)
{
	size_t r, g;

	if (m->vtype != RBM_VIS_SOFTMAX)
		return;		/* Gaussian: the mean is b + W h itself */
	for (r = 0; r < a->size1; r++) {
		float *x = gsl_matrix_float_ptr(a, r, 0);
		for (g = 0; g + m->k <= a->size2; g += m->k)
			softmax_group(x + g, m->k);
	}
}

/* One unit of p[0..k) on in s[0..k), drawn with probabilities p. */
static void sample_group(const float *p, float *s, size_t k, gsl_rng *rng)
{
	double u = gsl_rng_uniform(rng), acc = 0;
	size_t q, pick = k - 1;

	for (q = 0; q + 1 < k; q++) {
		acc += p[q];
		if (u < acc) {
			pick = q;
			break;
		}
	}
	for (q = 0; q < k; q++)
		s[q] = q == pick ? 1.0f : 0.0f;
}

void rbm_units_sample(const struct rbm *m, const gsl_matrix_float *p,
		      gsl_matrix_float *s, gsl_rng *rng)
{
	size_t r, j;

	for (r = 0; r < p->size1; r++) {
		const float *pr = gsl_matrix_float_const_ptr(p, r, 0);
		float *sr = gsl_matrix_float_ptr(s, r, 0);
		if (m->vtype == RBM_VIS_SOFTMAX) {
			for (j = 0; j + m->k <= p->size2; j += m->k)
				sample_group(pr + j, sr + j, m->k, rng);
		} else {
			for (j = 0; j < p->size2; j++)
				sr[j] = pr[j] + (float)gsl_ran_gaussian_ziggurat(
					rng, 1.0);
		}
	}
}

void rbm_visible_apply_mask(gsl_matrix_float *a, const gsl_matrix_float *mask)
{
	size_t r, j;

	for (r = 0; r < a->size1; r++) {
		float *x = gsl_matrix_float_ptr(a, r, 0);
		const float *w = gsl_matrix_float_const_ptr(mask, r, 0);
		for (j = 0; j < a->size2; j++)
			x[j] *= w[j];
	}
}

double rbm_visible_energy(const struct rbm *m, const float *v,
			  const float *mask)
{
	const gsl_vector_float *b = m->b;
	double s = 0;
	size_t i;

	for (i = 0; i < m->nv; i++) {
		double bi = b->data[i * b->stride], d = (double)v[i] - bi;
		if (mask && mask[i] == 0)
			continue;
		s += m->vtype == RBM_VIS_GAUSSIAN ? 0.5 * d * d
						  : -(double)v[i] * bi;
	}
	return s;
}
