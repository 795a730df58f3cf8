/*
 * visible.h - the types of visible units: binary (the default), Gaussian
 * with unit variance, and K-way softmax groups for ratings, as in
 * Salakhutdinov, Mnih & Hinton, "Restricted Boltzmann machines for
 * collaborative filtering" (ICML 2007).
 *
 * Users speak in items, the model in units.  An input row holds one value
 * per item: 0/1 (or a probability) for binary units, any finite real for
 * Gaussian ones, a rating 1..K for softmax ones, and NaN for a missing
 * value.  Encoding turns a row of items into units (an item of a softmax
 * model is K units, one-hot) and a mask that is 0 on the units of missing
 * items and 1 elsewhere; missing units are set to 0, so that they drive
 * no hidden unit.  Decoding turns units back into items: the probability,
 * the mean, or the expected rating sum_k k p_k.
 *
 * The energy of each type, with x = b + W h:
 *     binary, softmax   E = -b.v - c.h - v'Wh  (softmax: v one-hot per group)
 *     Gaussian          E = |v - b|^2 / 2 - c.h - v'Wh
 * so p(v|h) is sigmoid(x), a softmax of x over each group, or N(x, 1).
 *
 * Everything that depends on the type lives here, as one table of
 * operations per type in visible.c (activate, sample, random start,
 * free-energy term, data bias, log-partition term, reader range, output
 * format, training defaults); encoding and decoding are the same code
 * for every type, with K units an item.  No other module tests the type:
 * it asks these functions (tests/layering.sh checks).
 */
#ifndef RBM_VISIBLE_H
#define RBM_VISIBLE_H

#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "err.h"
#include "linalg.h"
#include "rbm.h"
#include "rows.h"

#define RBM_VISIBLE_DEFAULT "binary"	/* the type of a model not told */
#define RBM_SOFTMAX_MIN_K 2
#define RBM_SOFTMAX_MAX_K 100
#define RBM_DEFAULT_GAUSSIAN_RATE 0.01	/* see rbm_visible_defaults */

/* Names of the types, indexed by enum rbm_vis_type; NULL after. */
extern const char *const rbm_vis_type_names[RBM_NVIS_TYPES + 1];

/*
 * Parse "binary", "gaussian" or "softmax:K" (K from 2 to 100) into *type
 * and *k (1 unless softmax); 0, or -1 with a message.
 */
int rbm_visible_parse(const char *s, enum rbm_vis_type *type, size_t *k,
		      struct rbm_err *err);

/* The model's type as rbm_visible_parse reads it ("softmax:5") into buf. */
void rbm_visible_name(const struct rbm *m, char *buf, size_t size);

/*
 * Make m's visible units of the given type with k units an item; 0, or
 * -1 with a message when k is out of range or does not divide NV.
 */
int rbm_visible_set(struct rbm *m, enum rbm_vis_type type, size_t k,
		    struct rbm_err *err);

/* Items a row holds: NV / k. */
size_t rbm_visible_items(const struct rbm *m);

/*
 * Encode the rows of items (n x items, NaN for missing) into units
 * (n x NV) and, unless mask is NULL, the mask (n x NV).  Values are
 * trusted (the row reader checked them).  Returns the number of missing
 * values seen.
 */
size_t rbm_visible_encode(const struct rbm *m, const gsl_matrix_float *items,
			  gsl_matrix_float *units, gsl_matrix_float *mask);

/* Decode the rows of units (n x NV) into items (n x items). */
void rbm_visible_decode(const struct rbm *m, const gsl_matrix_float *units,
			gsl_matrix_float *items);

/*
 * p(v|h) in place: a holds b + W h (n x NV) and becomes the logistic of
 * it for binary units, stays the mean for Gaussian ones, and is
 * normalized over each softmax group.  Views are fine.
 */
void rbm_visible_activate(const struct rbm *m, gsl_matrix_float *a);

/*
 * rbm_visible_activate as a step on each element, when it is one (binary
 * units: the logistic), for the product to run in its blocks on the
 * pool's threads (linalg.h); NULL when it is not (softmax groups) or
 * there is nothing to do (Gaussian units): then call activate.
 */
rbm_linalg_post rbm_visible_post(const struct rbm *m);

/*
 * Samples from p = p(v|h): Bernoulli for binary units (rbm_sample),
 * p + N(0, 1) for Gaussian ones, one unit on in each softmax group.  s
 * may be p.
 */
void rbm_visible_sample(const struct rbm *m, const gsl_matrix_float *p,
			gsl_matrix_float *s, gsl_rng *rng);

/*
 * Random visible states where a daydream chain starts (v is k x NV,
 * contiguous): uniform probabilities for binary units, a softmax of
 * uniform numbers over each group, N(0, 1) for Gaussian units (data
 * standardized to mean 0, variance 1).
 */
void rbm_visible_random(const struct rbm *m, gsl_matrix_float *v,
			gsl_rng *rng);

/* a *= mask, element by element (equal shapes; views are fine). */
void rbm_visible_apply_mask(gsl_matrix_float *a, const gsl_matrix_float *mask);

/*
 * The visible part of the free energy of one row of units v: -b.v, or
 * |v - b|^2 / 2 for Gaussian units, over the units whose mask is nonzero
 * (all of them when mask is NULL).
 */
double rbm_visible_energy(const struct rbm *m, const float *v,
			  const float *mask);

/*
 * A unit's mean from its sum over count observed rows: for binary and
 * softmax units by Laplace's rule, (sum + 1) / (count + values), values 2
 * or K, so a few rows give no frequency of 0 or 1; for Gaussian units the
 * plain mean (0 when never observed).
 */
double rbm_visible_smoothed_mean(const struct rbm *m, double sum,
				 double count);

/*
 * Set the visible biases from the data's mean of each unit (NV values):
 * log(p / (1 - p)) for binary units and log p for softmax ones (p clipped
 * to [0.001, 0.999]), the mean itself for Gaussian ones.
 */
void rbm_visible_bias_from_means(struct rbm *m, const double *mean);

/*
 * Whether the visible units are Bernoulli like the hidden ones.  Then,
 * and only then, exact log Z may sum over either layer and AIS (whose
 * base model is Bernoulli) applies; otherwise log Z sums over the hidden
 * states with rbm_visible_log_sum.
 */
int rbm_visible_bernoulli(const struct rbm *m);

/*
 * The log of the visible layer's sum (or integral) over its states given
 * x = b + W h (NV, double), for a model that is not rbm_visible_bernoulli:
 *     Gaussian  NV/2 log 2pi + sum_i (x_i^2 - b_i^2) / 2
 *     softmax   sum over groups of log sum_k exp(x_k)
 * (the Gaussian sum leaves out b.b / 2, the constant of the energy).
 */
double rbm_visible_log_sum(const struct rbm *m, const double *x);

/* Whether rows of items are the units themselves (encoding copies). */
int rbm_visible_items_are_units(const struct rbm *m);

/*
 * Whether the model is of the default type (binary), which state files
 * and info leave unsaid.
 */
int rbm_visible_is_default(const struct rbm *m);

/* The name of the model's type without its K ("softmax"). */
const char *rbm_visible_type_name(const struct rbm *m);

/*
 * The value of the state file's visible_type line ("softmax 5",
 * "gaussian") into buf.
 */
void rbm_visible_state_value(const struct rbm *m, char *buf, size_t size);

/*
 * Let the reader r accept the model's item values: [0, 1] for binary
 * units, any finite number for Gaussian ones, ratings 1..K for softmax.
 */
void rbm_visible_reader(const struct rbm *m, struct rbm_rows *r);

/*
 * Write a row of n items: with digits 0, the original tool's tokens for
 * binary units and plain numbers (%.6g) otherwise; with digits from 1 to
 * RBM_ROWS_MAX_DIGITS, plain numbers with that many significant digits
 * for every type (rows.h).  Errors show in ferror(out).
 */
void rbm_visible_write_items(const struct rbm *m, FILE *out, const float *row,
			     size_t n, int digits);

/*
 * The training defaults of a type that differ from train.h's: a learning
 * rate (0 when the usual one suits) and whether PCD suits it.  Gaussian
 * units learn at RBM_DEFAULT_GAUSSIAN_RATE (Hinton's practical guide:
 * their inputs are not bounded by 1); softmax models, whose ratings are
 * mostly missing, train with CD (PCD cannot mask its chains per row).
 */
void rbm_visible_defaults(enum rbm_vis_type type, double *learning_rate,
			  int *pcd);

#endif
