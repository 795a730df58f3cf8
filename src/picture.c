/*
 * picture.c - filters and samples of a model as tiled images
 * (picture.h).
 */
#include <stdlib.h>

#include "chain.h"
#include "picture.h"

#define FILTER_BORDER 0		/* black: mid-gray is a zero weight */
#define SAMPLE_BORDER 96	/* gray: apart from both 0 and 1 */

/* A tiled gray image filled with gray level bg; NULL with a message. */
static struct rbm_image *canvas(const struct rbm_tiling *t,
				unsigned char bg, struct rbm_err *err)
{
	struct rbm_image *im;
	size_t w, h;

	if (rbm_tiling_size(t, &w, &h, err) < 0)
		return NULL;
	im = rbm_image_alloc(w, h, 1, err);
	if (im)
		rbm_image_fill(im, &bg);
	return im;
}

/* Column j of the weights (unit j's incoming weights) into out[0..NV). */
static void unit_weights(const struct rbm *m, size_t j, float *out)
{
	size_t i;

	for (i = 0; i < m->nv; i++)
		out[i] = gsl_matrix_float_get(m->w, i, j);
}

/* The contrast scale s of the weights of units 0..n-1 together. */
static int global_scale(const struct rbm *m, size_t n, double *s,
			struct rbm_err *err)
{
	float *all = malloc((n ? n : 1) * m->nv * sizeof(*all));
	size_t j;
	int rc;

	if (!all) {
		rbm_err_set(err, "out of memory");
		return -1;
	}
	for (j = 0; j < n; j++)
		unit_weights(m, j, all + j * m->nv);
	rc = rbm_abs_quantile(all, n * m->nv, RBM_FILTER_CLIP, s, err);
	free(all);
	return rc;
}

struct rbm_image *rbm_picture_filters(const struct rbm *m,
				      const struct rbm_tiling *t, size_t n,
				      enum rbm_contrast contrast,
				      struct rbm_err *err)
{
	struct rbm_image *im = canvas(t, FILTER_BORDER, err);
	float *v = malloc(m->nv * sizeof(*v));
	double s = 0;
	size_t j;
	int ok = im && v;

	if (im && !v)
		rbm_err_set(err, "out of memory");
	if (ok && contrast == RBM_CONTRAST_GLOBAL)
		ok = global_scale(m, n, &s, err) == 0;
	for (j = 0; ok && j < n; j++) {
		unit_weights(m, j, v);
		if (contrast == RBM_CONTRAST_TILE)
			ok = rbm_abs_quantile(v, m->nv, RBM_FILTER_CLIP, &s,
					      err) == 0;
		rbm_image_tile(im, t, j, v, -s, s);
	}
	free(v);
	if (!ok) {
		rbm_image_free(im);
		return NULL;
	}
	return im;
}

struct rbm_image *rbm_picture_samples(const struct rbm *m,
				      const struct rbm_tiling *t, size_t k,
				      unsigned long steps, gsl_rng *rng,
				      struct rbm_err *err)
{
	struct rbm_image *im = canvas(t, SAMPLE_BORDER, err);
	gsl_matrix_float *v = im && k ? gsl_matrix_float_alloc(k, m->nv) : NULL;
	gsl_matrix_float *h = v ? gsl_matrix_float_alloc(k, m->nh) : NULL;
	size_t j;

	if (im && k && !h) {
		rbm_err_set(err, "out of memory for %zu chains", k);
		rbm_image_free(im);
		im = NULL;
	}
	if (im && k) {
		rbm_chain_dream(m, v, h, steps, 1, rng, NULL, NULL);
		for (j = 0; j < k; j++)
			rbm_image_tile(im, t, j,
				       gsl_matrix_float_const_ptr(v, j, 0), 0,
				       1);
	}
	if (v)
		gsl_matrix_float_free(v);
	if (h)
		gsl_matrix_float_free(h);
	return im;
}
