/*
 * visible.c - the types of visible units (see visible.h).
 *
 * Each type is a row of struct vis_ops; the exported functions look up
 * the model's row and call it, so a new type is a new row and its
 * functions.  Everything here works a row at a time on contiguous floats;
 * the products stay in rbm.c.  Softmax groups are normalized relative to
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

/* ---- binary ---- */

static void binary_activate(const struct rbm *m, gsl_matrix_float *a)
{
	size_t r;

	(void)m;
	for (r = 0; r < a->size1; r++)
		rbm_logistic(gsl_matrix_float_ptr(a, r, 0), a->size2);
}

static void binary_sample(const struct rbm *m, const gsl_matrix_float *p,
			  gsl_matrix_float *s, gsl_rng *rng)
{
	(void)m;
	rbm_sample(p, s, rng);
}

/* Uniform numbers into all of v (contiguous). */
static void uniform_fill(gsl_matrix_float *v, gsl_rng *rng)
{
	size_t x;

	for (x = 0; x < v->size1 * v->size2; x++)
		v->data[x] = (float)gsl_rng_uniform(rng);
}

static void binary_random(const struct rbm *m, gsl_matrix_float *v,
			  gsl_rng *rng)
{
	(void)m;
	uniform_fill(v, rng);
}

/* -b.v over the units whose mask is nonzero (binary and softmax). */
static double linear_energy(const struct rbm *m, const float *v,
			    const float *mask)
{
	const gsl_vector_float *b = m->b;
	double s = 0;
	size_t i;

	for (i = 0; i < m->nv; i++)
		if (!mask || mask[i] != 0)
			s += (double)v[i] * b->data[i * b->stride];
	return -s;
}

/* A mean as a probability for a bias: clipped to [0.001, 0.999]. */
static double clip_p(double mean)
{
	return mean < 0.001 ? 0.001 : mean > 0.999 ? 0.999 : mean;
}

static double binary_bias(double mean)
{
	return log(clip_p(mean) / (1 - clip_p(mean)));
}

/* ---- Gaussian ---- */

static void gaussian_activate(const struct rbm *m, gsl_matrix_float *a)
{
	(void)m;
	(void)a;	/* the mean is b + W h itself */
}

static void gaussian_sample(const struct rbm *m, const gsl_matrix_float *p,
			    gsl_matrix_float *s, gsl_rng *rng)
{
	size_t r, j;

	(void)m;
	for (r = 0; r < p->size1; r++) {
		const float *pr = gsl_matrix_float_const_ptr(p, r, 0);
		float *sr = gsl_matrix_float_ptr(s, r, 0);
		for (j = 0; j < p->size2; j++)
			sr[j] = pr[j] + (float)gsl_ran_gaussian_ziggurat(
				rng, 1.0);
	}
}

static void gaussian_random(const struct rbm *m, gsl_matrix_float *v,
			    gsl_rng *rng)
{
	gsl_matrix_float_set_zero(v);
	gaussian_sample(m, v, v, rng);
}

/* |v - b|^2 / 2 over the units whose mask is nonzero. */
static double gaussian_energy(const struct rbm *m, const float *v,
			      const float *mask)
{
	const gsl_vector_float *b = m->b;
	double s = 0;
	size_t i;

	for (i = 0; i < m->nv; i++) {
		double d = (double)v[i] - b->data[i * b->stride];
		if (!mask || mask[i] != 0)
			s += 0.5 * d * d;
	}
	return s;
}

static double gaussian_bias(double mean)
{
	return mean;
}

/*
 * The integral of exp(-|v-b|^2/2 + v'Wh) is (2 pi)^(NV/2) exp(b'Wh +
 * |Wh|^2/2), and b'Wh + |Wh|^2/2 = sum_i (x_i^2 - b_i^2) / 2.
 */
static double gaussian_log_sum(const struct rbm *m, const double *x)
{
	double s = 0;
	size_t i;

	for (i = 0; i < m->nv; i++) {
		double b = gsl_vector_float_get(m->b, i);
		s += 0.5 * (x[i] * x[i] - b * b);
	}
	return s + 0.5 * (double)m->nv * log(2 * M_PI);
}

/* ---- softmax ---- */

static void softmax_activate(const struct rbm *m, gsl_matrix_float *a)
{
	size_t r, g;

	for (r = 0; r < a->size1; r++) {
		float *x = gsl_matrix_float_ptr(a, r, 0);
		for (g = 0; g + m->k <= a->size2; g += m->k)
			softmax_group(x + g, m->k);
	}
}

static void softmax_sample(const struct rbm *m, const gsl_matrix_float *p,
			   gsl_matrix_float *s, gsl_rng *rng)
{
	size_t r, j;

	for (r = 0; r < p->size1; r++) {
		const float *pr = gsl_matrix_float_const_ptr(p, r, 0);
		float *sr = gsl_matrix_float_ptr(s, r, 0);
		for (j = 0; j + m->k <= p->size2; j += m->k)
			sample_group(pr + j, sr + j, m->k, rng);
	}
}

static void softmax_random(const struct rbm *m, gsl_matrix_float *v,
			   gsl_rng *rng)
{
	uniform_fill(v, rng);
	softmax_activate(m, v);
}

static double softmax_bias(double mean)
{
	return log(clip_p(mean));
}

static double softmax_log_sum(const struct rbm *m, const double *x)
{
	size_t i, q, k = m->k;
	double s = 0;

	for (i = 0; i < m->nv; i += k) {
		double max = x[i], t = 0;
		for (q = 1; q < k; q++)
			if (x[i + q] > max)
				max = x[i + q];
		for (q = 0; q < k; q++)
			t += exp(x[i + q] - max);
		s += max + log(t);
	}
	return s;
}

/* ---- the table ---- */

struct vis_ops {
	void (*activate)(const struct rbm *m, gsl_matrix_float *a);
	rbm_linalg_post post;		/* activate on each element, or NULL */
	void (*sample)(const struct rbm *m, const gsl_matrix_float *p,
		       gsl_matrix_float *s, gsl_rng *rng);
	void (*random)(const struct rbm *m, gsl_matrix_float *v,
		       gsl_rng *rng);
	double (*energy)(const struct rbm *m, const float *v,
			 const float *mask);
	double (*bias)(double mean);	/* a unit's bias from its mean */
	double (*log_sum)(const struct rbm *m, const double *x); /* NULL:
					 * Bernoulli, either layer sums */
	double lo, hi;			/* item values read */
	int ratings;			/* items are ratings 1..K */
	int plain;			/* items print as plain numbers */
	double rate;			/* default learning rate, or 0 */
	int pcd;			/* PCD suits it by default */
};

static const struct vis_ops ops[RBM_NVIS_TYPES] = {
	[RBM_VIS_BINARY] = {
		.activate = binary_activate, .post = rbm_logistic,
		.sample = binary_sample,
		.random = binary_random, .energy = linear_energy,
		.bias = binary_bias, .lo = 0, .hi = 1, .pcd = 1,
	},
	[RBM_VIS_GAUSSIAN] = {
		.activate = gaussian_activate, .sample = gaussian_sample,
		.random = gaussian_random, .energy = gaussian_energy,
		.bias = gaussian_bias, .log_sum = gaussian_log_sum,
		.lo = -HUGE_VAL, .hi = HUGE_VAL, .plain = 1,
		.rate = RBM_DEFAULT_GAUSSIAN_RATE, .pcd = 1,
	},
	[RBM_VIS_SOFTMAX] = {
		.activate = softmax_activate, .sample = softmax_sample,
		.random = softmax_random, .energy = linear_energy,
		.bias = softmax_bias, .log_sum = softmax_log_sum,
		.ratings = 1, .plain = 1, .pcd = 0,
	},
};

void rbm_visible_activate(const struct rbm *m, gsl_matrix_float *a)
{
	ops[m->vtype].activate(m, a);
}

rbm_linalg_post rbm_visible_post(const struct rbm *m)
{
	return ops[m->vtype].post;
}

void rbm_visible_sample(const struct rbm *m, const gsl_matrix_float *p,
			gsl_matrix_float *s, gsl_rng *rng)
{
	ops[m->vtype].sample(m, p, s, rng);
}

void rbm_visible_random(const struct rbm *m, gsl_matrix_float *v,
			gsl_rng *rng)
{
	ops[m->vtype].random(m, v, rng);
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
	return ops[m->vtype].energy(m, v, mask);
}

double rbm_visible_smoothed_mean(const struct rbm *m, double sum,
				 double count)
{
	double values = m->vtype == RBM_VIS_SOFTMAX ? (double)m->k : 2;

	if (m->vtype == RBM_VIS_GAUSSIAN)
		return count > 0 ? sum / count : 0;
	return (sum + 1) / (count + values);	/* Laplace's rule */
}

void rbm_visible_bias_from_means(struct rbm *m, const double *mean)
{
	size_t i;

	for (i = 0; i < m->nv; i++)
		gsl_vector_float_set(m->b, i,
				     (float)ops[m->vtype].bias(mean[i]));
}

int rbm_visible_bernoulli(const struct rbm *m)
{
	return !ops[m->vtype].log_sum;
}

double rbm_visible_log_sum(const struct rbm *m, const double *x)
{
	return ops[m->vtype].log_sum(m, x);
}

int rbm_visible_items_are_units(const struct rbm *m)
{
	return m->k == 1;
}

int rbm_visible_is_default(const struct rbm *m)
{
	return m->vtype == RBM_VIS_BINARY;
}

const char *rbm_visible_type_name(const struct rbm *m)
{
	return rbm_vis_type_names[m->vtype];
}

void rbm_visible_state_value(const struct rbm *m, char *buf, size_t size)
{
	rbm_visible_name(m, buf, size);
	if (m->vtype == RBM_VIS_SOFTMAX)
		buf[strlen("softmax")] = ' ';	/* "softmax K" */
}

void rbm_visible_reader(const struct rbm *m, struct rbm_rows *r)
{
	const struct vis_ops *o = &ops[m->vtype];

	if (o->ratings)
		rbm_rows_set_ratings(r, m->k);
	else if (o->lo != 0 || o->hi != 1)
		rbm_rows_set_range(r, o->lo, o->hi);
}

void rbm_visible_write_items(const struct rbm *m, FILE *out, const float *row,
			     size_t n, int digits)
{
	if (digits > 0)
		rbm_rows_write_plain(out, row, n, digits);
	else if (ops[m->vtype].plain)
		rbm_rows_write_plain(out, row, n, RBM_ROWS_PLAIN_DIGITS);
	else
		rbm_rows_write(out, row, n);
}

void rbm_visible_defaults(enum rbm_vis_type type, double *learning_rate,
			  int *pcd)
{
	if (ops[type].rate > 0)
		*learning_rate = ops[type].rate;
	if (!ops[type].pcd)
		*pcd = 0;
}
