/*
 * score.c - numbers about a model (see score.h for the formulas).
 *
 * Three parts that share only small helpers: free energies and
 * reconstructions of data batches (sgemm, then double sums); exact log Z,
 * which turns the weights into double once and enumerates the states of
 * the smaller layer as matrices of rows, so that their products are
 * dgemm; and AIS: by default collapsed over the smaller layer, one run
 * after another with each unit's update a sum over the other layer, or
 * the paper's block Gibbs, whose runs are the rows of one matrix so that
 * each annealing step is two sgemm products.  Log-sum-exp and the statistics
 * of the importance weights are taken relative to their largest term, so
 * nothing overflows however large log Z is.  Most of the time of exact
 * log Z and AIS goes into sums of softplus terms, hence struct sp_sum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "linalg.h"
#include "score.h"
#include "visible.h"

#define ENUM_CHUNK 1024UL	/* high states per dgemm in exact log Z */
#define BASE_P_MIN 1e-3		/* clamp of the AIS base rates */

/* ---- small helpers ---- */

/*
 * A sum of softplus terms that takes one log per SP_BLOCK terms instead of
 * one log1p per term, which halves the cost of exact log Z and of AIS
 * (their time goes into these sums): softplus(y) = max(y, 0) +
 * log(1 + exp(-|y|)), and a product of SP_BLOCK factors in (1, 2] cannot
 * overflow.  Rounding the factors and the product costs about DBL_EPSILON
 * a term (absolute, in the sum): 1e-13 for a thousand terms.
 */
#define SP_BLOCK 512

struct sp_sum {
	double lin;		/* sum of max(y, 0) */
	double logs;		/* sum of the logs of finished blocks */
	double prod;		/* product of the current block's factors */
	unsigned n;		/* factors in the current block */
};

static void sp_init(struct sp_sum *s)
{
	s->lin = s->logs = 0;
	s->prod = 1;
	s->n = 0;
}

static inline void sp_add(struct sp_sum *s, double y)
{
	s->lin += y > 0 ? y : 0;
	s->prod *= 1 + exp(-fabs(y));
	if (++s->n == SP_BLOCK) {
		s->logs += log(s->prod);
		s->prod = 1;
		s->n = 0;
	}
}

static double sp_total(const struct sp_sum *s)
{
	return s->lin + s->logs + log(s->prod);
}

/* sum_j softplus(c_j + x[j]) in double. */
static double softplus_sum(const float *x, const gsl_vector_float *c)
{
	struct sp_sum s;
	size_t j;

	sp_init(&s);
	for (j = 0; j < c->size; j++)
		sp_add(&s, (double)c->data[j * c->stride] + x[j]);
	return sp_total(&s);
}

/* ---- free energy and reconstruction ---- */

void rbm_score_free_energy(const struct rbm *m, const gsl_matrix_float *v,
			   gsl_matrix_float *work, double *f)
{
	rbm_score_free_energy_masked(m, v, NULL, work, f);
}

/* The visible term of F of row i of v, with row i of the mask if any. */
static double visible_term(const struct rbm *m, const gsl_matrix_float *v,
			   const gsl_matrix_float *mask, size_t i)
{
	return rbm_visible_energy(m, gsl_matrix_float_const_ptr(v, i, 0),
				  mask ? gsl_matrix_float_const_ptr(mask, i, 0)
				       : NULL);
}

void rbm_score_free_energy_masked(const struct rbm *m,
				  const gsl_matrix_float *v,
				  const gsl_matrix_float *mask,
				  gsl_matrix_float *work, double *f)
{
	size_t i, n = v->size1;
	gsl_matrix_float_view x;

	if (n == 0)
		return;
	x = rbm_batch_top(work, n);
	rbm_linalg_affine(v, m->w, NULL, &x.matrix, NULL);
	for (i = 0; i < n; i++)
		f[i] = visible_term(m, v, mask, i) -
		       softplus_sum(gsl_matrix_float_ptr(&x.matrix, i, 0),
				    m->c);
}

void rbm_score_reconstruct(const struct rbm *m, const gsl_matrix_float *v,
			   gsl_matrix_float *h, gsl_matrix_float *out)
{
	gsl_matrix_float_view hv, ov;

	if (v->size1 == 0)
		return;
	hv = rbm_batch_top(h, v->size1);
	ov = rbm_batch_top(out, v->size1);
	rbm_hidden_probs(m, v, &hv.matrix);
	rbm_visible_probs(m, &hv.matrix, &ov.matrix);
}

void rbm_score_predict(const struct rbm *m, gsl_matrix_float *v,
		       gsl_matrix_float *h, gsl_matrix_float *pred)
{
	rbm_score_reconstruct(m, v, h, v);
	rbm_visible_decode(m, v, pred);
}

/* ---- running totals ---- */

struct rbm_score_sums *rbm_score_sums_alloc(size_t nv, struct rbm_err *err)
{
	struct rbm_score_sums *s = calloc(1, sizeof(*s));

	if (s && nv > 0)
		s->col = gsl_vector_calloc(nv);
	if (!s || !s->col) {
		rbm_score_sums_free(s);
		rbm_err_set(err, "out of memory for the totals of %zu "
			    "columns", nv);
		return NULL;
	}
	return s;
}

void rbm_score_sums_free(struct rbm_score_sums *s)
{
	if (!s)
		return;
	if (s->col)
		gsl_vector_free(s->col);
	free(s);
}

void rbm_score_sums_add(struct rbm_score_sums *s, const gsl_matrix_float *v,
			const double *f)
{
	size_t i, j;

	for (i = 0; i < v->size1; i++) {
		const float *row = gsl_matrix_float_const_ptr(v, i, 0);
		for (j = 0; j < v->size2; j++) {
			s->col->data[j * s->col->stride] += row[j];
			s->fractional += row[j] != 0 && row[j] != 1;
		}
		s->free_energy += f[i];
	}
	s->rows += v->size1;
}

double rbm_score_sums_loglik(const struct rbm_score_sums *s, double log_z)
{
	return -s->free_energy / (double)s->rows - log_z;
}

/* ---- exact log Z ---- */

/* log(exp(x) + exp(y)) without overflow; -INFINITY stands for log 0. */
static double log_add(double x, double y)
{
	double hi = x > y ? x : y, lo = x > y ? y : x;

	if (lo == -INFINITY)
		return hi;
	return hi + log1p(exp(lo - hi));
}

/* log sum_i exp(t[i]) of n > 0 terms, relative to the largest. */
static double log_sum_exp(const double *t, size_t n)
{
	double max = -INFINITY, sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i] > max)
			max = t[i];
	if (!isfinite(max))
		return max;
	for (i = 0; i < n; i++)
		sum += exp(t[i] - max);
	return max + log(sum);
}

static int hidden_log_z(const struct rbm *m, size_t max_units,
			double *log_z, struct rbm_err *err);

/*
 * Exact log Z sums exp(a.s + sum_k softplus(o_k + (sA)_k)) over the 2^u
 * states s of the enumerated layer (a its biases, o the other layer's, A
 * the u x r weights between them).  Each state splits into its low LO_BITS
 * units and the rest, so that sA = s_lo A_lo + s_hi A_hi: the products of
 * all low states are one dgemm made once, those of the high states one
 * dgemm per chunk of ENUM_CHUNK, and each state then costs r additions
 * and softplus terms rather than a product of length u as well.
 */
#define LO_BITS 10

/* The states of one part of the layer, a chunk of rows at a time. */
struct part {
	size_t off, units;	/* the part's units: off .. off + units - 1 */
	gsl_matrix *s;		/* rows x units (x 1 if none): the states */
	gsl_matrix *x;		/* rows x r: s times the part's rows of A */
	gsl_vector *t;		/* rows: s times the part's biases */
};

struct enumeration {
	gsl_vector *a, *o;	/* biases: enumerated layer (u), other (r) */
	gsl_matrix *w;		/* A, u x r, in double */
	struct part low, high;
	gsl_vector *y;		/* r: o plus the products of a high state */
	gsl_vector *t;		/* the log terms of the low states */
};

static void part_free(struct part *p)
{
	if (p->s)
		gsl_matrix_free(p->s);
	if (p->x)
		gsl_matrix_free(p->x);
	if (p->t)
		gsl_vector_free(p->t);
}

/* Room for rows states of units off.. off+units-1; 0, or -1 (memory). */
static int part_alloc(struct part *p, size_t off, size_t units, size_t rows,
		      size_t r)
{
	p->off = off;
	p->units = units;
	p->s = gsl_matrix_alloc(rows, units ? units : 1);
	p->x = gsl_matrix_alloc(rows, r);
	p->t = gsl_vector_alloc(rows);
	return p->s && p->x && p->t ? 0 : -1;
}

/*
 * States first .. first + rows - 1 of part p (bit k of a state's number is
 * its unit k) into p->s, and their products with A and a into p->x and
 * p->t; a part without units has one state, whose products are zero.
 */
static void part_fill(const struct enumeration *e, struct part *p,
		      unsigned long first)
{
	size_t i, k;

	if (p->units == 0) {
		gsl_matrix_set_zero(p->x);
		gsl_vector_set_zero(p->t);
		return;
	}
	for (i = 0; i < p->s->size1; i++)
		for (k = 0; k < p->units; k++)
			gsl_matrix_set(p->s, i, k,
				       (double)(((first + i) >> k) & 1UL));
	gsl_matrix_const_view w = gsl_matrix_const_submatrix(e->w, p->off, 0,
							     p->units,
							     e->w->size2);
	gsl_vector_const_view a = gsl_vector_const_subvector(e->a, p->off,
							     p->units);
	rbm_linalg_dmul(p->s, &w.matrix, p->x);
	rbm_linalg_dmv(p->s, &a.vector, p->t);
}

static void enum_free(struct enumeration *e)
{
	if (e->a)
		gsl_vector_free(e->a);
	if (e->o)
		gsl_vector_free(e->o);
	if (e->w)
		gsl_matrix_free(e->w);
	part_free(&e->low);
	part_free(&e->high);
	if (e->y)
		gsl_vector_free(e->y);
	if (e->t)
		gsl_vector_free(e->t);
}

/* Workspace to enumerate u units against r; 0, or -1 (memory). */
static int enum_alloc(struct enumeration *e, size_t u, size_t r)
{
	size_t lo = u < LO_BITS ? u : LO_BITS, hi = u - lo;
	size_t rows = hi < 63 && (1UL << hi) < ENUM_CHUNK ? 1UL << hi
							   : ENUM_CHUNK;

	e->a = gsl_vector_alloc(u);
	e->o = gsl_vector_alloc(r);
	e->w = gsl_matrix_alloc(u, r);
	e->y = gsl_vector_alloc(r);
	e->t = gsl_vector_alloc(1UL << lo);
	if (!e->a || !e->o || !e->w || !e->y || !e->t ||
	    part_alloc(&e->low, 0, lo, 1UL << lo, r) < 0 ||
	    part_alloc(&e->high, lo, hi, rows, r) < 0)
		return -1;
	return 0;
}

/*
 * Copy the model into e in double, oriented so that the enumerated layer
 * comes first (W transposed when it is the hidden one).
 */
static void enum_copy_model(struct enumeration *e, const struct rbm *m,
			    int hidden)
{
	const gsl_vector_float *a = hidden ? m->c : m->b;
	const gsl_vector_float *o = hidden ? m->b : m->c;
	size_t i, k;

	for (i = 0; i < a->size; i++)
		gsl_vector_set(e->a, i, gsl_vector_float_get(a, i));
	for (k = 0; k < o->size; k++)
		gsl_vector_set(e->o, k, gsl_vector_float_get(o, k));
	for (i = 0; i < a->size; i++)
		for (k = 0; k < o->size; k++)
			gsl_matrix_set(e->w, i, k, hidden ?
				gsl_matrix_float_get(m->w, k, i) :
				gsl_matrix_float_get(m->w, i, k));
}

/*
 * The log of the sum of the terms of every state whose high part is row i
 * of the current high chunk (the low parts all precomputed).
 */
static double enum_high_state(struct enumeration *e, size_t i)
{
	const double *xh = gsl_matrix_const_ptr(e->high.x, i, 0);
	double th = gsl_vector_get(e->high.t, i);
	size_t q, k, r = e->y->size, n = e->low.x->size1;

	for (k = 0; k < r; k++)
		e->y->data[k] = e->o->data[k] + xh[k];
	for (q = 0; q < n; q++) {
		const double *xl = gsl_matrix_const_ptr(e->low.x, q, 0);
		struct sp_sum s;

		sp_init(&s);
		for (k = 0; k < r; k++)
			sp_add(&s, e->y->data[k] + xl[k]);
		e->t->data[q] = th + e->low.t->data[q] + sp_total(&s);
	}
	return log_sum_exp(e->t->data, n);
}

int rbm_score_log_z_layer(const struct rbm *m, enum rbm_layer layer,
			  size_t max_units, double *log_z,
			  struct rbm_err *err)
{
	int hidden = layer == RBM_HIDDEN;
	size_t i, u = hidden ? m->nh : m->nv, r = hidden ? m->nv : m->nh;
	unsigned long first;
	struct enumeration e = { 0 };
	double acc = -INFINITY;

	if (!rbm_visible_bernoulli(m) && !hidden) {
		rbm_err_set(err, "exact log Z sums over the hidden units of "
			    "a model whose visible units are not binary");
		return -1;
	}
	if (!rbm_visible_bernoulli(m))
		return hidden_log_z(m, max_units, log_z, err);
	if (u > max_units || u > RBM_SCORE_EXACT_LIMIT) {
		rbm_err_set(err, "exact log Z over the %zu %s units needs "
			    "2^%zu terms; the limit is %zu units", u,
			    hidden ? "hidden" : "visible", u,
			    max_units < RBM_SCORE_EXACT_LIMIT ? max_units
				: (size_t)RBM_SCORE_EXACT_LIMIT);
		return -1;
	}
	if (enum_alloc(&e, u, r) < 0) {
		enum_free(&e);
		rbm_err_set(err, "out of memory for exact log Z");
		return -1;
	}
	enum_copy_model(&e, m, hidden);
	part_fill(&e, &e.low, 0);
	for (first = 0; first < 1UL << e.high.units;
	     first += e.high.s->size1) {
		part_fill(&e, &e.high, first);
		for (i = 0; i < e.high.s->size1; i++)
			acc = log_add(acc, enum_high_state(&e, i));
	}
	enum_free(&e);
	*log_z = acc;
	return 0;
}

/* x += sign * column j of W; the Gray-code step of hidden_log_z. */
static void add_column(const struct rbm *m, size_t j, double sign, double *x)
{
	size_t i;

	for (i = 0; i < m->nv; i++)
		x[i] += sign * gsl_matrix_float_get(m->w, i, j);
}

/*
 * log Z of a model with Gaussian or softmax visible units: the sum over
 * every hidden state h of exp(c.h) times the visible layer's sum given h,
 * the states visited in Gray-code order so that each costs one column of
 * W.  0, or -1 with a message (too many hidden units, memory).
 */
static int hidden_log_z(const struct rbm *m, size_t max_units,
			double *log_z, struct rbm_err *err)
{
	double *x = malloc(m->nv * sizeof(*x)), ch = 0, acc = -INFINITY;
	unsigned long n, g = 0;
	size_t i;

	if (m->nh > max_units || m->nh > RBM_SCORE_EXACT_LIMIT || !x) {
		free(x);
		rbm_err_set(err, x ? "exact log Z of a model with %zu hidden "
			    "units needs 2^%zu terms; the limit is %zu units"
			    : "out of memory for exact log Z", m->nh, m->nh,
			    max_units < RBM_SCORE_EXACT_LIMIT ? max_units
				: (size_t)RBM_SCORE_EXACT_LIMIT);
		return -1;
	}
	for (i = 0; i < m->nv; i++)
		x[i] = gsl_vector_float_get(m->b, i);
	for (n = 0;;) {
		acc = log_add(acc, ch + rbm_visible_log_sum(m, x));
		if (++n == 1UL << m->nh)
			break;
		i = (size_t)__builtin_ctzl(n);	/* the unit that flips */
		g ^= 1UL << i;
		add_column(m, i, (g >> i) & 1UL ? 1.0 : -1.0, x);
		ch += ((g >> i) & 1UL ? 1.0 : -1.0) *
		      gsl_vector_float_get(m->c, i);
	}
	free(x);
	*log_z = acc;
	return 0;
}

int rbm_score_log_z_exact(const struct rbm *m, size_t max_units,
			  double *log_z, struct rbm_err *err)
{
	if (!rbm_visible_bernoulli(m))
		return hidden_log_z(m, max_units, log_z, err);
	return rbm_score_log_z_layer(m, m->nh <= m->nv ? RBM_HIDDEN
						       : RBM_VISIBLE,
				     max_units, log_z, err);
}

/* ---- annealed importance sampling ---- */

void rbm_score_ais_base(const struct rbm_score_sums *s, gsl_vector *ba)
{
	size_t i;

	for (i = 0; i < ba->size; i++) {
		double p = s->rows ? gsl_vector_get(s->col, i) /
				     (double)s->rows : 0.5;
		if (p < BASE_P_MIN)
			p = BASE_P_MIN;
		if (p > 1 - BASE_P_MIN)
			p = 1 - BASE_P_MIN;
		gsl_vector_set(ba, i, log(p / (1 - p)));
	}
}

double rbm_score_ais_beta(unsigned long k, unsigned long n)
{
	/* The paper's 500 : 4000 : 10000 is 1 : 8 : 20 of 29. */
	unsigned long n1 = (unsigned long)floor((double)n / 29.0 + 0.5);
	unsigned long n2 = (unsigned long)floor((double)n * 8.0 / 29.0 + 0.5);
	unsigned long n3;

	n1 = n1 ? n1 : 1;
	n2 = n2 ? n2 : 1;
	n3 = n > n1 + n2 ? n - n1 - n2 : 1;
	if (k <= n1)
		return 0.5 * (double)k / (double)n1;
	k -= n1;
	if (k <= n2)
		return 0.5 + 0.4 * (double)k / (double)n2;
	k -= n2;
	return k >= n3 ? 1.0 : 0.9 + 0.1 * (double)k / (double)n3;
}

/*
 * The runs' state.  The runs carry the states s of one layer (u units,
 * model biases a, base biases aA); the other layer (r units, biases o,
 * base biases oA) is summed out of every weight and only sampled in the
 * sweeps.  A is W when s is the visible layer and W' when it is the
 * hidden one, so that x = sA is one sgemm either way.
 */
struct ais {
	const struct rbm *m;
	int hidden;		/* s is the hidden layer */
	const gsl_vector_float *a, *o;	/* the model's biases of s, other */
	gsl_vector *aa, *oa;	/* the base's biases of s, other */
	gsl_vector *d;		/* a - aA, the linear part of the weights */
	gsl_matrix_float *s;	/* runs x u states of the annealed layer */
	gsl_matrix_float *x;	/* runs x r: sA, then the other layer */
	gsl_vector *logw;	/* runs: log importance weights */
};

static void ais_free(struct ais *a)
{
	if (a->aa)
		gsl_vector_free(a->aa);
	if (a->oa)
		gsl_vector_free(a->oa);
	if (a->d)
		gsl_vector_free(a->d);
	if (a->s)
		gsl_matrix_float_free(a->s);
	if (a->x)
		gsl_matrix_float_free(a->x);
	if (a->logw)
		gsl_vector_free(a->logw);
}

/* x = sA (the other layer's input from the annealed one). */
static void ais_up(const struct ais *a, const gsl_matrix_float *s,
		   gsl_matrix_float *x)
{
	if (a->hidden)
		rbm_linalg_affine_t(s, a->m->w, NULL, x, NULL);
	else
		rbm_linalg_affine(s, a->m->w, NULL, x, NULL);
}

/* s = xA' (the annealed layer's input from the other one). */
static void ais_down(const struct ais *a, const gsl_matrix_float *x,
		     gsl_matrix_float *s)
{
	if (a->hidden)
		rbm_linalg_affine(x, a->m->w, NULL, s, NULL);
	else
		rbm_linalg_affine_t(x, a->m->w, NULL, s, NULL);
}

/* Replace each input z of m (runs x n) by a sample of sigmoid(
 * (1 - beta) base + beta (bias + z)). */
static void ais_sample(gsl_matrix_float *m, const gsl_vector *base,
		       const gsl_vector_float *bias, double beta, gsl_rng *rng)
{
	size_t r, i;

	for (r = 0; r < m->size1; r++) {
		float *z = gsl_matrix_float_ptr(m, r, 0);
		for (i = 0; i < m->size2; i++)
			z[i] = gsl_rng_uniform(rng) < rbm_sigmoid(
				(1 - beta) * base->data[i * base->stride] +
				beta * ((double)bias->data[i * bias->stride] +
					z[i])) ? 1.0f : 0.0f;
	}
}

/*
 * Allocate the runs for annealing over the hidden layer or not, copy the
 * base biases (visible ones 0 when vb is NULL, hidden ones when cb is)
 * and draw the first states
 * from the base model, whose units are independent; 0, or -1 (memory).
 */
static int ais_start(struct ais *a, int hidden, const gsl_vector *vb,
		     const gsl_vector *cb, size_t runs, gsl_rng *rng)
{
	const struct rbm *m = a->m;
	size_t u = hidden ? m->nh : m->nv, r = hidden ? m->nv : m->nh, i;

	a->hidden = hidden;
	a->a = hidden ? m->c : m->b;
	a->o = hidden ? m->b : m->c;
	a->aa = gsl_vector_calloc(u);
	a->oa = gsl_vector_calloc(r);
	a->d = gsl_vector_alloc(u);
	a->s = gsl_matrix_float_alloc(runs, u);
	a->x = gsl_matrix_float_alloc(runs, r);
	a->logw = gsl_vector_calloc(runs);
	if (!a->aa || !a->oa || !a->d || !a->s || !a->x || !a->logw)
		return -1;
	if (vb)
		gsl_vector_memcpy(hidden ? a->oa : a->aa, vb);
	if (cb)
		gsl_vector_memcpy(hidden ? a->aa : a->oa, cb);
	for (i = 0; i < u; i++)
		gsl_vector_set(a->d, i, gsl_vector_float_get(a->a, i) -
			       gsl_vector_get(a->aa, i));
	gsl_matrix_float_set_zero(a->s);
	ais_sample(a->s, a->aa, a->a, 0, rng);
	return 0;
}

/*
 * x = sA, and add log p*_b1(s) - log p*_b0(s) to each run's weight:
 * (b1 - b0) (a - aA).s + sum_k softplus((1 - b1) oA_k + b1 (o_k + x_k))
 * - softplus((1 - b0) oA_k + b0 (o_k + x_k)).
 */
static void ais_weights(struct ais *a, double b0, double b1)
{
	const gsl_vector_float *o = a->o;
	const gsl_vector *oa = a->oa;
	size_t r, i, k;

	ais_up(a, a->s, a->x);
	for (r = 0; r < a->s->size1; r++) {
		const float *s = gsl_matrix_float_const_ptr(a->s, r, 0);
		const float *x = gsl_matrix_float_const_ptr(a->x, r, 0);
		struct sp_sum s1, s0;
		double ds = 0;
		for (i = 0; i < a->s->size2; i++)
			ds += s[i] * a->d->data[i];
		sp_init(&s1);
		sp_init(&s0);
		for (k = 0; k < o->size; k++) {
			double t = (double)o->data[k * o->stride] + x[k];
			double ob = oa->data[k * oa->stride];
			sp_add(&s1, (1 - b1) * ob + b1 * t);
			sp_add(&s0, (1 - b0) * ob + b0 * t);
		}
		a->logw->data[r] += (b1 - b0) * ds + sp_total(&s1) -
				    sp_total(&s0);
	}
}

/*
 * One Gibbs sweep at inverse temperature beta, with x = sA of the current
 * states: the other layer from its conditional, then the annealed layer
 * from its own.
 */
static void ais_sweep(struct ais *a, double beta, gsl_rng *rng)
{
	ais_sample(a->x, a->oa, a->o, beta, rng);
	ais_down(a, a->x, a->s);
	ais_sample(a->s, a->aa, a->a, beta, rng);
}

/*
 * The estimate from the final weights: the runs estimate Z_A exp(w_r),
 * so log Z is log Z_A + log mean exp(w), and by the delta method its
 * standard error is sd(exp(w)) / (sqrt(runs) mean(exp(w))); all taken
 * relative to the largest weight.
 */
static void ais_finish(const struct ais *a, struct rbm_ais_result *out)
{
	const gsl_vector *w = a->logw;
	size_t r, n = w->size;
	double max = gsl_vector_max(w), sum = 0, sq = 0, ss = 0, mean, var;

	for (r = 0; r < n; r++) {
		double e = exp(w->data[r] - max);
		sum += e;
		sq += e * e;
	}
	mean = sum / (double)n;
	for (r = 0; r < n; r++) {
		double e = exp(w->data[r] - max) - mean;
		ss += e * e;
	}
	var = ss / (double)(n - 1);
	out->log_z = out->log_z_base + max + log(mean);
	out->log_z_stderr = sqrt(var / (double)n) / mean;
	out->log_w_sd = out->log_z_base + max + 0.5 * log(var);
	out->ess = sum * sum / sq;
}

/* log Z_A = sum of softplus of every base bias. */
static double ais_log_z_base(const struct ais *a)
{
	double s = 0;
	size_t i;

	for (i = 0; i < a->aa->size; i++)
		s += rbm_softplus(gsl_vector_get(a->aa, i));
	for (i = 0; i < a->oa->size; i++)
		s += rbm_softplus(gsl_vector_get(a->oa, i));
	return s;
}

/*
 * Collapsed AIS over one layer (u units, states s, biases a) with the
 * other (r units, biases o) summed out: the target is the layer's
 * marginal p*(s) = exp(a.s + sum_k softplus(o_k + (sA)_k)), the path
 * f_B(s) = q(s)^(1-B) p*(s)^B from the base q(s) = prod_j sigmoid(+-qa_j)
 * (uniform when qa is NULL), and the moves single-unit Gibbs updates of
 * f_B.  The path only raises the marginal to a power, so its modes stay
 * where they are from B = 0 to 1 and the runs settle into them in
 * proportion to their mass, where block Gibbs on the joint model, whose
 * modes appear and move as the weights grow, leaves every run in a mode
 * that loses at the end.
 */
struct collapsed {
	size_t u, r;
	double *at;		/* u x r: row j is unit j's weights to the other */
	double *a, *o, *qa;	/* biases: annealed layer, other, base (or 0) */
	double *y, *y1;		/* r: o + sA of a run, and a trial flip's */
	double la, lq, sp;	/* a run's a.s, qa.s and sum softplus(y) */
};

static void collapsed_free(struct collapsed *c)
{
	free(c->at);
	free(c->a);
	free(c->o);
	free(c->qa);
	free(c->y);
	free(c->y1);
}

/* Copy the model oriented for layer hidden or not; 0, or -1 (memory). */
static int collapsed_init(struct collapsed *c, const struct rbm *m,
			  int hidden, const gsl_vector *qa)
{
	size_t j, k;

	c->u = hidden ? m->nh : m->nv;
	c->r = hidden ? m->nv : m->nh;
	c->at = malloc(c->u * c->r * sizeof(double));
	c->a = malloc(c->u * sizeof(double));
	c->o = malloc(c->r * sizeof(double));
	c->qa = calloc(c->u, sizeof(double));
	c->y = malloc(c->r * sizeof(double));
	c->y1 = malloc(c->r * sizeof(double));
	if (!c->at || !c->a || !c->o || !c->qa || !c->y || !c->y1)
		return -1;
	for (j = 0; j < c->u; j++) {
		c->a[j] = gsl_vector_float_get(hidden ? m->c : m->b, j);
		if (qa)
			c->qa[j] = gsl_vector_get(qa, j);
		for (k = 0; k < c->r; k++)
			c->at[j * c->r + k] = hidden ?
				gsl_matrix_float_get(m->w, k, j) :
				gsl_matrix_float_get(m->w, j, k);
	}
	for (k = 0; k < c->r; k++)
		c->o[k] = gsl_vector_float_get(hidden ? m->b : m->c, k);
	return 0;
}

/* sum_k softplus(y_k + sign at_jk) into y1 (the trial) and its total. */
static double collapsed_trial(struct collapsed *c, size_t j, double sign)
{
	const double *w = c->at + j * c->r;
	struct sp_sum t;
	size_t k;

	sp_init(&t);
	for (k = 0; k < c->r; k++) {
		c->y1[k] = c->y[k] + sign * w[k];
		sp_add(&t, c->y1[k]);
	}
	return sp_total(&t);
}

/* Make s (u units, 0 or 1) the run's state: y, la, lq and sp from it. */
static void collapsed_set(struct collapsed *c, const unsigned char *s)
{
	struct sp_sum t;
	size_t j, i;

	memcpy(c->y, c->o, c->r * sizeof(double));
	c->la = c->lq = 0;
	for (j = 0; j < c->u; j++) {
		if (!s[j])
			continue;
		for (i = 0; i < c->r; i++)
			c->y[i] += c->at[j * c->r + i];
		c->la += c->a[j];
		c->lq += c->qa[j];
	}
	sp_init(&t);
	for (i = 0; i < c->r; i++)
		sp_add(&t, c->y[i]);
	c->sp = sp_total(&t);
}

/* Unit j of s from its conditional under f_beta (a Gibbs update). */
static void collapsed_update(struct collapsed *c, unsigned char *s, size_t j,
			     double beta, gsl_rng *rng)
{
	double sign = s[j] ? -1.0 : 1.0;
	double sp1 = collapsed_trial(c, j, sign);
	/* the change of log p* and log q by turning j on */
	double dp = sign * (sign * c->a[j] + sp1 - c->sp);
	double d = (1 - beta) * c->qa[j] + beta * dp;
	unsigned char on = gsl_rng_uniform(rng) < rbm_sigmoid(d);

	if (on == s[j])
		return;
	s[j] = on;
	c->sp = sp1;
	memcpy(c->y, c->y1, c->r * sizeof(double));
	c->la += sign * c->a[j];
	c->lq += sign * c->qa[j];
}

/*
 * A sweep of single-unit updates at beta, units 0 .. u-1, or u-1 .. 0 when
 * reverse: the reverse sweep is the forward one's reversal with respect
 * to f_beta, which reverse AIS needs.
 */
static void collapsed_sweep(struct collapsed *c, unsigned char *s,
			    double beta, int reverse, gsl_rng *rng)
{
	size_t j;

	for (j = 0; j < c->u; j++)
		collapsed_update(c, s, reverse ? c->u - 1 - j : j, beta, rng);
}

/*
 * One run: s from the base, then for each step the weight's increment
 * (B_k - B_k-1)(log p*(s) - log q(s)) and a sweep of single-unit updates
 * at B_k.  Returns the log weight.
 */
static double collapsed_run(struct collapsed *c, unsigned long steps,
			    unsigned char *s, gsl_rng *rng)
{
	double logw = 0, prev = 0, beta;
	unsigned long k;
	size_t j;

	for (j = 0; j < c->u; j++)
		s[j] = gsl_rng_uniform(rng) < rbm_sigmoid(c->qa[j]);
	collapsed_set(c, s);
	for (k = 1; k <= steps; k++) {
		beta = (double)k / (double)steps;
		logw += (beta - prev) * (c->la + c->sp - c->lq);
		prev = beta;
		if (k == steps)
			break;
		collapsed_sweep(c, s, beta, 0, rng);
	}
	return logw;
}

/*
 * One reverse run from the state s of the annealed layer (taken as a
 * sample of the model): for k = steps .. 1 a reverse sweep at B_k, then
 * (B_k - B_k-1)(log p*(s) - log q(s)) added to the sum G it returns.
 * exp(-G) is the reverse chain's importance weight, whose mean is
 * Z_A / Z when s is an exact sample of the model.
 */
static double collapsed_reverse_run(struct collapsed *c,
				    unsigned long steps, unsigned char *s,
				    gsl_rng *rng)
{
	double g = 0, beta;
	unsigned long k;

	collapsed_set(c, s);
	for (k = steps; k >= 1; k--) {
		beta = (double)k / (double)steps;
		collapsed_sweep(c, s, beta, 1, rng);
		g += (beta - (double)(k - 1) / (double)steps) *
		     (c->la + c->sp - c->lq);
	}
	return g;
}

/*
 * Collapsed AIS of m over the hidden layer or the visible one, p->runs
 * runs one after the other from the base qa (NULL: uniform); 0, or -1
 * when memory runs out.
 */
static int rbm_score_ais_collapsed(const struct rbm *m, int hidden,
				   const gsl_vector *qa,
				   const struct rbm_ais_settings *p,
				   gsl_rng *rng, struct rbm_ais_result *out)
{
	struct collapsed c = { 0 };
	struct ais a = { 0 };
	unsigned char *s = NULL;
	size_t r;
	int rc = -1;

	if (collapsed_init(&c, m, hidden, qa) == 0 &&
	    (s = malloc(c.u)) && (a.logw = gsl_vector_alloc(p->runs))) {
		for (r = 0; r < p->runs; r++)
			gsl_vector_set(a.logw, r,
				       collapsed_run(&c, p->steps, s, rng));
		/* f_0 = q unnormalised: prod_j exp(qa_j s_j) sums to this */
		out->log_z_base = 0;
		for (r = 0; r < c.u; r++)
			out->log_z_base += rbm_softplus(c.qa[r]);
		ais_finish(&a, out);
		rc = 0;
	}
	if (a.logw)
		gsl_vector_free(a.logw);
	free(s);
	collapsed_free(&c);
	return rc;
}

/* 0 if p and ba suit m, else -1 with a message. */
static int ais_check(const struct rbm *m, const gsl_vector *ba,
		     const gsl_vector *ca, const struct rbm_ais_settings *p,
		     struct rbm_err *err)
{
	if (!rbm_visible_bernoulli(m)) {
		rbm_err_set(err, "AIS is implemented for binary visible units "
			    "only; log Z of a %s model is exact up to %d "
			    "hidden units", rbm_visible_type_name(m),
			    RBM_SCORE_EXACT_LIMIT);
		return -1;
	}
	if (p->runs < 2) {
		rbm_err_set(err, "AIS needs at least 2 runs, not %zu",
			    p->runs);
		return -1;
	}
	if (p->steps < RBM_AIS_MIN_STEPS) {
		rbm_err_set(err, "AIS needs at least %d steps, not %lu",
			    RBM_AIS_MIN_STEPS, p->steps);
		return -1;
	}
	if (!ba && p->method != RBM_AIS_COLLAPSED) {
		rbm_err_set(err, "AIS by block Gibbs needs base biases");
		return -1;
	}
	if (ba && ba->size != m->nv) {
		rbm_err_set(err, "AIS base biases: %zu values for %zu "
			    "visible units", ba->size, m->nv);
		return -1;
	}
	if (ca && ca->size != m->nh) {
		rbm_err_set(err, "AIS base biases: %zu values for %zu "
			    "hidden units", ca->size, m->nh);
		return -1;
	}
	return 0;
}

/*
 * The start of a reverse run from data row v: the annealed layer's state
 * drawn from p(s|v) when it is the hidden layer (units independent given
 * v), v itself when it is the visible one.
 */
static void raise_start(const struct collapsed *c, int hidden,
			const float *v, unsigned char *s, gsl_rng *rng)
{
	size_t j, i;

	for (j = 0; j < c->u; j++) {
		double x = c->a[j];
		if (!hidden) {
			s[j] = v[j] > 0.5f;
			continue;
		}
		for (i = 0; i < c->r; i++)
			x += v[i] > 0.5f ? c->at[j * c->r + i] : 0;
		s[j] = gsl_rng_uniform(rng) < rbm_sigmoid(x);
	}
}

/* The statistics of the reverse runs' sums g[0..n) into out. */
static void raise_finish(const double *g, size_t n, double log_z_base,
			 struct rbm_raise_result *out)
{
	double mean = 0, ss = 0, min = INFINITY, se = 0;
	size_t r;

	for (r = 0; r < n; r++) {
		mean += g[r] / (double)n;
		min = g[r] < min ? g[r] : min;
	}
	for (r = 0; r < n; r++) {
		ss += (g[r] - mean) * (g[r] - mean);
		se += exp(min - g[r]);
	}
	out->rows = n;
	out->log_z = log_z_base + mean;
	out->log_z_stderr = sqrt(ss / (double)(n - 1) / (double)n);
	out->log_z_reverse = log_z_base + min - log(se / (double)n);
}

/*
 * RAISE by block Gibbs, the rows of v its reverse runs side by side.  The
 * annealed layer starts as v, or, when it is the hidden one, from p(h|v).
 * Step k, from n down to 1, adds log f_Bk(s) - log f_Bk-1(s) to each run's
 * sum and then, above 1, takes a block Gibbs sweep at B_k-1: the sweep's
 * kernel on the annealed layer is reversible, so it is its own reversal.
 * ba: the base's visible biases (NULL: 0).  0, or -1 (memory).
 */
static int raise_gibbs(const struct rbm *m, int hidden,
		       const gsl_matrix_float *v, const gsl_vector *ba,
		       unsigned long steps, gsl_rng *rng,
		       struct rbm_raise_result *out)
{
	struct ais a = { m, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			 NULL };
	unsigned long k;
	size_t r, i;
	int rc = -1;

	if (ais_start(&a, hidden, ba, NULL, v->size1, rng) == 0) {
		gsl_matrix_float *in = hidden ? a.x : a.s;
		for (r = 0; r < v->size1; r++)
			for (i = 0; i < m->nv; i++)
				gsl_matrix_float_set(
					in, r, i,
					gsl_matrix_float_get(v, r, i) > 0.5f);
		if (hidden) {
			ais_down(&a, a.x, a.s);
			ais_sample(a.s, a.aa, a.a, 1.0, rng);
		}
		for (k = steps; k >= 1; k--) {
			ais_weights(&a, rbm_score_ais_beta(k - 1, steps),
				    rbm_score_ais_beta(k, steps));
			if (k > 1)
				ais_sweep(&a, rbm_score_ais_beta(k - 1, steps),
					  rng);
		}
		raise_finish(a.logw->data, v->size1, ais_log_z_base(&a), out);
		rc = 0;
	}
	ais_free(&a);
	return rc;
}

int rbm_score_raise(const struct rbm *m, const gsl_matrix_float *v,
		    const struct rbm_ais_settings *p, gsl_rng *rng,
		    struct rbm_raise_result *out, struct rbm_err *err)
{
	int hidden = p->layer == RBM_AIS_HIDDEN ||
		     (p->layer == RBM_AIS_SMALLER && m->nh <= m->nv);
	struct rbm_ais_settings q = *p;
	struct collapsed c = { 0 };
	unsigned char *s = NULL;
	double *g = NULL, base = 0;
	size_t r;
	int rc = -1;

	q.runs = 2;	/* not used: one run per row */
	q.method = RBM_AIS_COLLAPSED;	/* block Gibbs's base may be NULL */
	if (ais_check(m, p->method == RBM_AIS_GIBBS ? p->base : NULL, NULL,
		      &q, err) < 0)
		return -1;
	if (v->size1 < 2 || v->size2 != m->nv) {
		rbm_err_set(err, "RAISE needs at least 2 rows of %zu values, "
			    "not %zu of %zu", m->nv, v->size1, v->size2);
		return -1;
	}
	if (p->method == RBM_AIS_GIBBS) {
		if (raise_gibbs(m, hidden, v, p->base, p->steps, rng,
				out) == 0)
			return 0;
		rbm_err_set(err, "out of memory for RAISE");
		return -1;
	}
	if (collapsed_init(&c, m, hidden, p->base) == 0 &&
	    (s = malloc(c.u)) && (g = malloc(v->size1 * sizeof(*g)))) {
		for (r = 0; r < v->size1; r++) {
			raise_start(&c, hidden,
				    gsl_matrix_float_const_ptr(v, r, 0), s,
				    rng);
			g[r] = collapsed_reverse_run(&c, p->steps, s, rng);
		}
		for (r = 0; r < c.u; r++)
			base += rbm_softplus(c.qa[r]);
		raise_finish(g, v->size1, base, out);
		rc = 0;
	} else {
		rbm_err_set(err, "out of memory for RAISE");
	}
	free(g);
	free(s);
	collapsed_free(&c);
	return rc;
}

int rbm_score_ais(const struct rbm *m, const gsl_vector *ba,
		  const gsl_vector *ca, const struct rbm_ais_settings *p,
		  gsl_rng *rng, struct rbm_ais_result *out,
		  struct rbm_err *err)
{
	struct ais a = { m, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			 NULL };
	int hidden = p->layer == RBM_AIS_HIDDEN ||
		     (p->layer == RBM_AIS_SMALLER && m->nh <= m->nv);
	double prev = 0, beta;
	unsigned long k;

	if (ais_check(m, ba, ca, p, err) < 0)
		return -1;
	if (p->method == RBM_AIS_COLLAPSED) {
		if (rbm_score_ais_collapsed(m, hidden, p->base, p, rng,
					    out) == 0)
			return 0;
		rbm_err_set(err, "out of memory for AIS");
		return -1;
	}
	if (ais_start(&a, hidden, ba, ca, p->runs, rng) < 0) {
		ais_free(&a);
		rbm_err_set(err, "out of memory for %zu AIS runs", p->runs);
		return -1;
	}
	for (k = 1; k <= p->steps; k++) {
		beta = rbm_score_ais_beta(k, p->steps);
		ais_weights(&a, prev, beta);
		if (k < p->steps)
			ais_sweep(&a, beta, rng);
		prev = beta;
	}
	out->log_z_base = ais_log_z_base(&a);
	ais_finish(&a, out);
	ais_free(&a);
	return 0;
}

/* ---- the choice of method ---- */

/*
 * Why a Gaussian or softmax model's log Z is out of reach: it has more
 * hidden units than the limit of exact log Z, and AIS, which a binary
 * model falls back on, is for binary units only.  -1.
 */
static int no_log_z(const struct rbm *m, struct rbm_err *err)
{
	const char *type = rbm_visible_type_name(m);

	if (m->nh <= RBM_SCORE_EXACT_LIMIT)
		rbm_err_set(err, "exact log Z of a %s model sums over its "
			    "2^%zu hidden states: give --exact-max-units=%zu "
			    "(AIS handles binary visible units only)", type,
			    m->nh, m->nh);
	else
		rbm_err_set(err, "exact log Z of a %s model sums over its "
			    "2^%zu hidden states; the limit is %d hidden "
			    "units, and AIS handles binary visible units only",
			    type, m->nh, RBM_SCORE_EXACT_LIMIT);
	return -1;
}

const char *const rbm_ais_start_names[RBM_AIS_NSTARTS + 1] = {
	"uniform", "data", NULL
};

const char *const rbm_ais_method_names[RBM_AIS_NMETHODS + 1] = {
	"collapsed", "gibbs", NULL
};

void rbm_score_ais_plan(const struct rbm_log_z_settings *s,
			const struct rbm_score_sums *sums, gsl_vector *ba,
			struct rbm_ais_settings *out)
{
	*out = s->runs;
	if (s->start == RBM_AIS_FROM_DATA) {
		rbm_score_ais_base(sums, ba);
		out->layer = RBM_AIS_VISIBLE;
		out->base = ba;
		return;
	}
	gsl_vector_set_zero(ba);
	if (s->runs.method == RBM_AIS_GIBBS)
		out->base = ba;
}

/* AIS as s asks for it, with the base rates of the rows in sums; 0, or
 * -1 with a message. */
static int ais_log_z(const struct rbm *m, const struct rbm_score_sums *sums,
		     const struct rbm_log_z_settings *s, gsl_rng *rng,
		     struct rbm_log_z *out, struct rbm_err *err)
{
	gsl_vector *ba = gsl_vector_alloc(m->nv);
	struct rbm_ais_settings p;
	struct rbm_ais_result res;
	int rc = -1;

	out->ais = 1;
	if (!ba) {
		rbm_err_set(err, "out of memory");
		return -1;
	}
	rbm_score_ais_plan(s, sums, ba, &p);
	if (rbm_score_ais(m, ba, NULL, &p, rng, &res, err) == 0) {
		out->value = res.log_z;
		out->stderr_ = res.log_z_stderr;
		out->ess = res.ess;
		rc = 0;
	}
	gsl_vector_free(ba);
	return rc;
}

int rbm_score_log_z(const struct rbm *m, const struct rbm_score_sums *sums,
		    const struct rbm_log_z_settings *s, gsl_rng *rng,
		    struct rbm_log_z *out, struct rbm_err *err)
{
	int bern = rbm_visible_bernoulli(m);
	size_t u = !bern ? m->nh : m->nv < m->nh ? m->nv : m->nh;

	if (!s->ais && u > s->exact_max && !bern)
		return no_log_z(m, err);
	if (s->ais || u > s->exact_max)
		return ais_log_z(m, sums, s, rng, out, err);
	out->ais = 0;
	out->stderr_ = 0;
	return rbm_score_log_z_exact(m, s->exact_max, &out->value, err);
}
