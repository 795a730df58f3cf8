/*
 * rbm.c - the model and its conditional distributions (see rbm.h).
 *
 * Each conditional is one affine product on the whole batch (linalg.h:
 * the bias rows preloaded, then one sgemm), followed by an elementwise
 * logistic; no per-row dot products.
 *
 * Beyond the products, a CD-1 epoch over 60000 x 784 rows with 500 hidden
 * units takes about 10^8 logistics and (PCD) 8 x 10^7 Bernoulli draws.
 * With libm's exp in double and one gsl_rng_uniform call per draw these
 * cost about 14 ns and 18 ns each here, as much as a third of the epoch
 * (bench/run).  So the logistic is a branch-free single-precision
 * function the compiler vectorizes (within 2 ulp of the exact value), and
 * each 64-bit word of a fast generator serves about eight draws, compared
 * in a vectorized loop (below).  The draws of a batch run in blocks of
 * rows on the pool's threads, each block on its own stream keyed by one
 * draw of the caller's generator, so the samples depend on the seed and
 * never on the threads.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linalg.h"
#include "pool.h"
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
	m->k = 1;	/* and vtype 0: binary (rbm.h) */
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

/*
 * 1 / (1 + exp(-x)) in single precision without branches: exp(z) for
 * z = -x clamped to [-87, 87] (the logistic is 0 or 1 in float beyond)
 * is 2^n e^r with n = round(z / ln 2), |r| <= ln(2)/2, e^r a degree-7
 * Taylor polynomial (error below 6e-9) and 2^n built from its exponent
 * bits.  The rounding adds 1.5 x 2^23 so that n lands in the low
 * mantissa bits.  NaN stays NaN.
 */
static inline float logistic(float x)
{
	float z = -x, n, r, p, scale;
	uint32_t bits;	/* unsigned: NaN's bits must not overflow */

	z = z < -87.0f ? -87.0f : z;
	z = z > 87.0f ? 87.0f : z;
	n = z * 1.44269504088896341f + 12582912.0f;
	memcpy(&bits, &n, sizeof(bits));
	n -= 12582912.0f;
	r = z - n * 0.693145751953125f;		/* ln 2, high part: exact */
	r -= n * 1.428606765330187045e-6f;	/* and the rest */
	p = 1.0f / 5040;
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	bits = (bits - 0x4B400000u + 127u) << 23;
	memcpy(&scale, &bits, sizeof(scale));
	return 1.0f / (1.0f + p * scale);
}

void rbm_logistic(float *x, size_t n)
{
	size_t i;

#pragma omp simd
	for (i = 0; i < n; i++)
		x[i] = logistic(x[i]);
}

void rbm_hidden_probs(const struct rbm *m, const gsl_matrix_float *v,
		      gsl_matrix_float *ph)
{
	rbm_linalg_affine(v, m->w, m->c, ph, rbm_logistic);
}

void rbm_visible_probs(const struct rbm *m, const gsl_matrix_float *h,
		       gsl_matrix_float *pv)
{
	rbm_linalg_post post = rbm_visible_post(m);

	rbm_linalg_affine_t(h, m->w, m->b, pv, post);
	if (!post)
		rbm_visible_activate(m, pv);
}

/*
 * Random bytes for one block of draws, eight from each 64-bit word
 * (lowest first) of the block's own stream: SplitMix64 (Steele, Lea and
 * Flood 2014; it passes BigCrush), started at a point hashed from the
 * call's key and the block's number.  A call of the generator then costs
 * a few multiplications, and blocks can run on any thread in any order.
 */
struct bytes {
	gsl_rng *rng;		/* or this generator's words, four bytes each */
	uint64_t state;		/* the stream's counter */
	uint64_t word;		/* bytes not used yet, lowest first */
	int left;		/* how many */
};

#define GOLDEN 0x9e3779b97f4a7c15u	/* SplitMix64's increment */

/* SplitMix64's output function: a bijection that mixes every bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t next_word(struct bytes *b)
{
	b->state += GOLDEN;
	return mix64(b->state);
}

static unsigned next_byte(struct bytes *b)
{
	unsigned x;

	if (b->left == 0 && b->rng) {
		b->word = gsl_rng_get(b->rng) & 0xffffffffu;
		b->left = 4;
	} else if (b->left == 0) {
		b->word = next_word(b);
		b->left = 8;
	}
	x = (unsigned)(b->word & 0xff);
	b->word >>= 8;
	b->left--;
	return x;
}

/* The next n bytes of the stream into out. */
static void next_bytes(struct bytes *b, unsigned char *out, size_t n)
{
	size_t i = 0;
	int k;

	while (i < n && (b->left > 0 || b->rng))
		out[i++] = (unsigned char)next_byte(b);
	for (; i + 8 <= n; i += 8) {
		uint64_t w = next_word(b);
		for (k = 0; k < 8; k++)
			out[i + k] = (unsigned char)(w >> (8 * k));
	}
	while (i < n)
		out[i++] = (unsigned char)next_byte(b);
}

#define SEGMENT 2048	/* draws whose first bytes are taken together */

/*
 * Draws with probabilities p[0..n) (n <= SEGMENT) into s, which may be p.
 * Each asks whether a uniform 32-bit integer u is below p * 2^32, as
 * gsl_rng_uniform(rng) < p does, with u's bytes taken highest first and
 * only while the answer is open.  The first bytes of all n draws come
 * first, in order, and settle 255 draws in 256 in a loop the compiler
 * vectorizes (1 if below the threshold's top byte, 0 if above or if equal
 * with nothing below it); then each open draw, in order, takes more
 * bytes until a byte differs from the threshold's or nothing is left
 * below it.
 */
static void sample_segment(struct bytes *b, const float *p, float *s,
			   size_t n)
{
	unsigned char first[SEGMENT], open[SEGMENT];
	float out[SEGMENT];
	size_t i;

	next_bytes(b, first, n);
#pragma omp simd
	for (i = 0; i < n; i++) {
		float q = p[i] > 0 ? p[i] : 0;	/* NaN too */
		int hi;
		q = (q < 1 ? q : 1) * 256.0f;	/* exact */
		hi = (int)q;
		out[i] = (float)(first[i] < hi);
		open[i] = first[i] == hi && q > (float)hi;
	}
	for (i = 0; i < n; i++) {
		double x;
		uint64_t t;
		int shift;
		if (!open[i])	/* so 0 < p < 1 below */
			continue;
		x = (double)p[i] * 4294967296.0;	/* exact */
		t = (uint64_t)x;
		t += (double)t < x;		/* u < x  <=>  u < ceil(x) */
		t &= 0xffffff;			/* the bits below the top byte */
		for (shift = 16; t != 0; shift -= 8) {
			uint64_t hi = t >> shift;
			unsigned byte = next_byte(b);
			if (byte != hi) {
				out[i] = (float)(byte < hi);
				break;
			}
			t -= hi << shift;
		}
	}
	memcpy(s, out, n * sizeof(*s));
}

/*
 * A call's draws are cut into blocks of whole rows, at least
 * SAMPLE_DRAWS draws each unless a row is longer, a cut that depends on
 * the shape only; block i's bytes come from the stream that starts at
 * mix64(key + (i + 1) * GOLDEN).  A generator of another type (the
 * tests' scripted ones) gives every byte itself instead, four a word, in
 * order, on the caller's thread.
 */
#define SAMPLE_DRAWS 4096

struct sample_job {
	const gsl_matrix_float *p;
	gsl_matrix_float *s;
	gsl_rng *rng;		/* the caller's generator, if not MT19937 */
	uint64_t key;		/* else a key from it */
	size_t rows;		/* rows a block */
};

static void sample_block(void *arg, size_t i)
{
	const struct sample_job *job = arg;
	struct bytes b = { job->rng, mix64(job->key + (i + 1) * GOLDEN), 0,
			   0 };
	size_t r, j, n, cols = job->p->size2;
	size_t r1 = (i + 1) * job->rows < job->p->size1 ? (i + 1) * job->rows
							: job->p->size1;

	for (r = i * job->rows; r < r1; r++) {
		const float *pr = gsl_matrix_float_const_ptr(job->p, r, 0);
		float *sr = gsl_matrix_float_ptr(job->s, r, 0);
		for (j = 0; j < cols; j += n) {
			n = cols - j < SEGMENT ? cols - j : SEGMENT;
			sample_segment(&b, pr + j, sr + j, n);
		}
	}
}

void rbm_sample(const gsl_matrix_float *p, gsl_matrix_float *s, gsl_rng *rng)
{
	struct sample_job job = { p, s, NULL, 0, 1 };
	uint64_t hi;

	if (rng->type != gsl_rng_mt19937) {	/* the tests' generators */
		job.rng = rng;
		job.rows = p->size1;
		sample_block(&job, 0);
		return;
	}
	hi = gsl_rng_get(rng) & 0xffffffffu;
	job.key = hi << 32 | (gsl_rng_get(rng) & 0xffffffffu);
	if (p->size2 > 0 && p->size2 < SAMPLE_DRAWS)
		job.rows = SAMPLE_DRAWS / p->size2;
	rbm_pool_run((p->size1 + job.rows - 1) / job.rows, sample_block, &job);
}

void rbm_gibbs_step(const struct rbm *m, gsl_matrix_float *v,
		    gsl_matrix_float *h, gsl_rng *rng)
{
	rbm_hidden_probs(m, v, h);
	rbm_sample(h, h, rng);
	rbm_visible_probs(m, h, v);
	rbm_visible_sample(m, v, v, rng);
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
