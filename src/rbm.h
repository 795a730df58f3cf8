/*
 * rbm.h - the model: sizes, weights and biases of an RBM with binary
 * hidden units, and the conditional distributions p(h|v) and p(v|h) on
 * whole mini-batches.  The visible units are binary (the default), K-way
 * softmax groups or unit-variance Gaussians (visible.h says how each
 * type is encoded and decoded); nv always counts units, so W and every
 * product have the same shape whatever the type.
 *
 * Energy: E(v, h) = -b.v - c.h - v'Wh with W of size NV x NH, b the visible
 * and c the hidden biases.  Every product is one call of the product
 * backend (linalg.h: sgemm, or sums of rows for binary batches, on a pool
 * of threads) on a whole batch (rows are examples).
 *
 * Precision, decided by measurement (issue 4): parameters and products
 * are single precision.  Speed: the five products of a 784 x 500 epoch
 * take 3.98 s with sgemm and 7.69 s with dgemm (bench/run, GEMM bound,
 * 1.93x).  Quality: the same scikit-learn model (PCD-1, 20 hidden, 20
 * epochs, same seed) trained in float32 and float64 scores -279.3 and
 * -277.6 nats of exact test log-likelihood with seed 1, -233.4 and -251.0
 * with seed 2 (bench/quality): the precision moves the result less than
 * the chaos of training does, in neither direction.  So single precision
 * halves the time for nothing measurable.  Sums, free energies, log Z and
 * AIS weights are accumulated in double by their callers.
 */
#ifndef RBM_RBM_H
#define RBM_RBM_H

#include <math.h>
#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "err.h"

/* Upper limits checked before allocating, so absurd sizes fail cleanly. */
#define RBM_MAX_UNITS	(1UL << 24)	/* units in one layer */
#define RBM_MAX_WEIGHTS	(1UL << 30)	/* NV * NH (4 GiB of floats) */

/*
 * What the visible units are: only visible.c tests it (its table of
 * operations per type); everything else asks visible.h.
 */
enum rbm_vis_type {
	RBM_VIS_BINARY,		/* Bernoulli units: p(v=1|h) = sigmoid;
				 * first, so a zeroed model is binary */
	RBM_VIS_GAUSSIAN,	/* p(v|h) = N(b + W h, 1) */
	RBM_VIS_SOFTMAX,	/* groups of k units, one of which is on */
	RBM_NVIS_TYPES
};

struct rbm {
	enum rbm_vis_type vtype; /* the visible units' type */
	size_t k;		/* units per item: K for softmax, else 1 */
	size_t nv;		/* number of visible units */
	size_t nh;		/* number of hidden units */
	gsl_matrix_float *w;	/* NV x NH weights */
	gsl_vector_float *b;	/* NV visible biases */
	gsl_vector_float *c;	/* NH hidden biases */
};

/*
 * Check that an NV x NH model is possible; 0 if so, -1 with a message.
 * Called before any allocation so that hostile sizes cost nothing.
 */
int rbm_check_size(size_t nv, size_t nh, struct rbm_err *err);

/* A binary model with all parameters zero, or NULL with a message. */
struct rbm *rbm_alloc(size_t nv, size_t nh, struct rbm_err *err);

/* Release a model; NULL is a no-op. */
void rbm_free(struct rbm *m);

/*
 * The original tool's start: weights uniform in +-0.1*sqrt(6/(NV+NH)),
 * biases zero.
 */
void rbm_init_random(struct rbm *m, gsl_rng *rng);

/* Copy all parameters of src into dst (same sizes). */
void rbm_copy(struct rbm *dst, const struct rbm *src);

/*
 * p(h=1|v) for every row of v (n x NV) into ph (n x NH):
 * sigmoid(v W + c).  Views of larger matrices are fine.
 */
void rbm_hidden_probs(const struct rbm *m, const gsl_matrix_float *v,
		      gsl_matrix_float *ph);

/*
 * p(v|h) for every row of h (n x NH) into pv (n x NV): sigmoid(h W' + b)
 * for binary units, the mean b + W h for Gaussian ones, and a softmax
 * over each group of k units for softmax ones (rbm_visible_activate).
 * Samples of it: rbm_visible_sample.
 */
void rbm_visible_probs(const struct rbm *m, const gsl_matrix_float *h,
		       gsl_matrix_float *pv);

/*
 * The logistic function 1 / (1 + exp(-x)) in place on n floats, within
 * 2 ulp of the exact value (about 1.5e-7 relative): the elementwise step
 * of every conditional.  Inputs beyond +-87 give 0 or 1 to float
 * precision; NaN stays NaN.
 */
void rbm_logistic(float *x, size_t n);

/*
 * Bernoulli samples: s[i][j] = 1 with probability p[i][j], else 0 (p
 * outside [0, 1] is clipped, NaN counts as 0).  s may be p itself.  Each
 * call takes two words of rng, which must give whole 32-bit words
 * (MT19937, the only generator rng.c makes), as a 64-bit key (the first
 * word high); the draws come from streams derived from the key, one per
 * block of rows (rbm.c says how), and run on the pool's threads, so the
 * samples depend on rng and the shape of p only.  (A generator of any
 * other type gives the bytes itself, in order, on one thread: for tests.)  A draw compares the
 * bytes of a uniform 32-bit u with p * 2^32, highest first, and one byte
 * settles 255 draws in 256: its probability is exactly p rounded to a
 * multiple of 2^-32, as for gsl_rng_uniform(rng) < p.
 */
void rbm_sample(const gsl_matrix_float *p, gsl_matrix_float *s, gsl_rng *rng);

/*
 * One step of block Gibbs sampling on every row of v (n x NV): sample h
 * (n x NH) from p(h|v), then replace v with a sample from p(v|h).
 */
void rbm_gibbs_step(const struct rbm *m, gsl_matrix_float *v,
		    gsl_matrix_float *h, gsl_rng *rng);

#define RBM_MAX_PARAM 1e6	/* larger parameters mean training diverged */

/*
 * 0 if every parameter is finite and at most RBM_MAX_PARAM in magnitude,
 * -1 otherwise.  Sigmoids saturate long before that size, so a larger
 * weight only comes from a learning rate far too large, and such a model
 * can drift for thousands of epochs before anything overflows.
 */
int rbm_check_params(const struct rbm *m);

/* Logistic function, without overflow for any finite or infinite x. */
static inline double rbm_sigmoid(double x)
{
	if (x >= 0)
		return 1.0 / (1.0 + exp(-x));
	double e = exp(x);
	return e / (1.0 + e);
}

/* log(1 + exp(x)), without overflow or loss of precision at either end. */
static inline double rbm_softplus(double x)
{
	return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

#endif
