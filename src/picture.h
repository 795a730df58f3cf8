/*
 * picture.h - pictures of a model, as tiled gray images (image.h): the
 * filters (each hidden unit's incoming weights) and samples (where
 * daydream chains end up).  The caller chooses the tiling and saves the
 * image.
 */
#ifndef RBM_PICTURE_H
#define RBM_PICTURE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "err.h"
#include "image.h"
#include "rbm.h"

/*
 * The weights that map to black and white are -s and +s, where s is
 * this quantile of their absolute values: a few extreme weights are
 * clipped instead of washing out the rest.
 */
#define RBM_FILTER_CLIP 0.99

enum rbm_contrast {
	RBM_CONTRAST_TILE,	/* s from each tile's own weights */
	RBM_CONTRAST_GLOBAL,	/* one s from all tiles' weights */
};

/*
 * The incoming weights of hidden units 0..n-1 (n <= NH), unit j as tile
 * j of t (t->tile_w * t->tile_h must be NV; visible unit i is pixel
 * i % tile_w, i / tile_w), on a gray scale symmetric around 0: mid-gray
 * is a zero weight, black -s and white +s.  The border is black.  NULL
 * with a message.
 */
struct rbm_image *rbm_picture_filters(const struct rbm *m,
				      const struct rbm_tiling *t, size_t n,
				      enum rbm_contrast contrast,
				      struct rbm_err *err);

/*
 * k daydream chains (rbm_chain_dream, as the daydream command runs them:
 * steps states in all), drawn as the visible probabilities of their last
 * state (black 0, white 1), chain j as tile j of t.  With the same
 * generator state, daydream --probs prints exactly these probabilities
 * (decoded into items), and daydream's last rows are samples of them.
 * The border is gray.  NULL with a message.
 */
struct rbm_image *rbm_picture_samples(const struct rbm *m,
				      const struct rbm_tiling *t, size_t k,
				      unsigned long steps, gsl_rng *rng,
				      struct rbm_err *err);

#endif
