/*
 * font.h - a tiny bitmap font for the labels of plots: glyphs of 5 x 7
 * pixels above the baseline, and two rows below it for the descenders
 * of g, j, p, q, y and the comma, for digits, lowercase letters
 * (uppercase is drawn as lowercase) and the punctuation that numbers
 * and axis titles need, drawn at a whole-number scale without
 * smoothing.  Characters it lacks are drawn as a box.
 */
#ifndef RBM_FONT_H
#define RBM_FONT_H

#include <stddef.h>

#include "image.h"

#define RBM_GLYPH_W 5		/* glyph width, pixels at scale 1 */
#define RBM_GLYPH_H 9		/* glyph height, descenders included */
#define RBM_GLYPH_BASE 6	/* the last row above the baseline */
#define RBM_GLYPH_ADVANCE 6	/* from one glyph to the next */

/* Whether the font has a glyph for c (a space counts as one). */
int rbm_font_has(char c);

/* Width in pixels of s drawn at scale (no gap after the last glyph). */
size_t rbm_font_width(const char *s, size_t scale);

/*
 * Draw s with its top-left corner at (x, y), each font pixel a
 * scale x scale square of color; clipped at the image's edges.
 */
void rbm_font_draw(struct rbm_image *im, long x, long y, const char *s,
		   size_t scale, const unsigned char *color);

#endif
