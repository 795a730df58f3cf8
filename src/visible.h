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
 */
#ifndef RBM_VISIBLE_H
#define RBM_VISIBLE_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "err.h"
#include "rbm.h"

#define RBM_SOFTMAX_MIN_K 2
#define RBM_SOFTMAX_MAX_K 100

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
 * Turn a = b + W h (n x NV) into p(v|h) in place for a model that is not
 * binary: Gaussian means stay, each softmax group is normalized.
 */
void rbm_units_activate(const struct rbm *m, gsl_matrix_float *a);

/*
 * Samples from p = p(v|h) of a model that is not binary: p + N(0, 1), or
 * one unit on in each softmax group.  s may be p.
 */
void rbm_units_sample(const struct rbm *m, const gsl_matrix_float *p,
		      gsl_matrix_float *s, gsl_rng *rng);

/* a *= mask, element by element (equal shapes; views are fine). */
void rbm_visible_apply_mask(gsl_matrix_float *a, const gsl_matrix_float *mask);

/*
 * The visible part of the free energy of one row of units v: -b.v, or
 * |v - b|^2 / 2 for Gaussian units, over the units whose mask is nonzero
 * (all of them when mask is NULL).
 */
double rbm_visible_energy(const struct rbm *m, const float *v,
			  const float *mask);

#endif
