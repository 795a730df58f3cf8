/*
 * image.h - small 8-bit rasters for the picture commands: gray or RGB
 * pixels in memory, a grid of equal tiles with a border between them,
 * numbers mapped to gray levels, a few drawing primitives, and PNG
 * output (libpng) written atomically, so a picture is never half there.
 *
 * Coordinates are pixels, x to the right and y down from the top-left
 * corner.  Drawing clips at the edges; nothing here prints.  Without
 * libpng (configure --without-png) everything but the PNG functions
 * works, and those fail with "built without PNG support".
 */
#ifndef RBM_IMAGE_H
#define RBM_IMAGE_H

#include <stddef.h>

#include "err.h"

#define RBM_IMAGE_MAX_SIDE 16384	/* pixels, either side */
#define RBM_IMAGE_MAX_PIXELS (1UL << 26)	/* width x height */

struct rbm_image {
	size_t width, height;	/* pixels */
	size_t channels;	/* 1 gray, 3 RGB */
	unsigned char *pix;	/* rows top to bottom, width*channels each */
};

/*
 * A width x height image of channels (1 or 3) bytes a pixel, all zero.
 * Sizes beyond the limits above are refused: NULL with a message.
 */
struct rbm_image *rbm_image_alloc(size_t width, size_t height,
				  size_t channels, struct rbm_err *err);

/* Release an image; NULL is a no-op. */
void rbm_image_free(struct rbm_image *im);

/* Set every pixel to color (channels bytes). */
void rbm_image_fill(struct rbm_image *im, const unsigned char *color);

/* Set the pixel (x, y) to color; outside the image nothing happens. */
void rbm_image_set(struct rbm_image *im, long x, long y,
		   const unsigned char *color);

/* Mix color into (x, y) with weight alpha in [0, 1] (anti-aliasing). */
void rbm_image_blend(struct rbm_image *im, long x, long y,
		     const unsigned char *color, double alpha);

/* Fill the w x h rectangle whose top-left corner is (x, y). */
void rbm_image_rect(struct rbm_image *im, long x, long y, long w, long h,
		    const unsigned char *color);

/*
 * An anti-aliased line of the given width (pixels) through the n points
 * (x[i], y[i]), with round joins and ends; one point is a dot of that
 * diameter.  Pixel centres lie at whole coordinates plus 0.5.  Each pixel
 * is mixed once, with its largest coverage, so joins are not darker.
 * 0, or -1 with a message if out of memory.
 */
int rbm_image_polyline(struct rbm_image *im, const double *x,
		       const double *y, size_t n, double width,
		       const unsigned char *color, struct rbm_err *err);

/* ---- tiles ---- */

/*
 * A grid of cols x rows tiles, each tile_w x tile_h values drawn as
 * zoom x zoom pixels apiece, with border pixels around and between the
 * tiles: the image is cols * (tile_w * zoom + border) + border wide.
 */
struct rbm_tiling {
	size_t tile_w, tile_h;	/* values across and down a tile */
	size_t cols, rows;	/* tiles across and down */
	size_t zoom;		/* pixels a value, along each side (>= 1) */
	size_t border;		/* pixels between and around tiles */
};

/*
 * The pixel size of the tiled image in *width, *height; 0, or -1 with a
 * message ("a 20000 x 290 image is too large ...") beyond the limits.
 */
int rbm_tiling_size(const struct rbm_tiling *t, size_t *width,
		    size_t *height, struct rbm_err *err);

/*
 * A grid for n tiles as square as possible, wider than tall when not:
 * cols = ceil(sqrt(n)), rows = ceil(n / cols); 1 x 1 for n = 0.
 */
void rbm_tiling_grid(size_t n, size_t *cols, size_t *rows);

/* Top-left pixel of tile k (row after row, left to right). */
void rbm_tiling_origin(const struct rbm_tiling *t, size_t k, size_t *x,
		       size_t *y);

/*
 * Draw tile k of a gray image from the tile_w * tile_h values v (row
 * after row), each mapped to a gray level by rbm_gray_level(v, lo, hi).
 * Tiles beyond the grid are not drawn.
 */
void rbm_image_tile(struct rbm_image *im, const struct rbm_tiling *t,
		    size_t k, const float *v, double lo, double hi);

/* ---- contrast ---- */

/*
 * The gray level of x on a scale from lo (0, black) to hi (255, white):
 * linear, rounded to nearest, clipped at both ends; NaN is mid-gray.
 */
unsigned char rbm_gray_level(double x, double lo, double hi);

/*
 * The q-quantile (q in [0, 1]) of the absolute values of v[0..n) into
 * *out, for a contrast scale that a few extreme values do not dictate:
 * the smallest |v[i]| that at least a fraction q of them do not exceed
 * (nearest rank), so with q = 0.99 at most 1% of the values fall outside
 * [-*out, *out].  0 for n = 0.  0, or -1 with a message if out of
 * memory.
 */
int rbm_abs_quantile(const float *v, size_t n, double q, double *out,
		     struct rbm_err *err);

/* ---- PNG ---- */

/*
 * The image as a PNG file in memory: *buf (malloc'ed, the caller frees)
 * of *len bytes.  0, or -1 with a message (also without libpng).
 */
int rbm_image_encode_png(const struct rbm_image *im, unsigned char **buf,
			 size_t *len, struct rbm_err *err);

/*
 * Save the image as a PNG file at path, atomically (atomic.h): the file
 * is complete or untouched.  0, or -1 with a message naming the path.
 */
int rbm_image_save_png(const struct rbm_image *im, const char *path,
		       struct rbm_err *err);

/* "libpng 1.6.39" (the library linked), or NULL when built without it. */
const char *rbm_image_png_version(void);

#endif
