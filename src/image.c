/*
 * image.c - rasters, tiles, gray levels, lines and PNG output (image.h).
 *
 * PNG files are encoded in memory through png_set_write_fn and then
 * handed to rbm_atomic_write, so the file on disk is replaced in one
 * rename and a failure part way leaves the old file (or none) behind.
 * libpng reports errors by longjmp; the one function that calls setjmp
 * does nothing else, so no local variable is changed between the two.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PNG
#include <png.h>
#endif

#include "atomic.h"
#include "image.h"

struct rbm_image *rbm_image_alloc(size_t width, size_t height,
				  size_t channels, struct rbm_err *err)
{
	struct rbm_image *im;

	if (width == 0 || height == 0 || width > RBM_IMAGE_MAX_SIDE ||
	    height > RBM_IMAGE_MAX_SIDE ||
	    width * height > RBM_IMAGE_MAX_PIXELS) {
		rbm_err_set(err, "a %zu x %zu picture is too large or empty "
			    "(at most %d pixels a side, %lu in all)", width,
			    height, RBM_IMAGE_MAX_SIDE, RBM_IMAGE_MAX_PIXELS);
		return NULL;
	}
	im = malloc(sizeof(*im));
	if (im)
		im->pix = calloc(width * height, channels);
	if (!im || !im->pix) {
		free(im);
		rbm_err_set(err, "out of memory for a %zu x %zu picture",
			    width, height);
		return NULL;
	}
	im->width = width;
	im->height = height;
	im->channels = channels;
	return im;
}

void rbm_image_free(struct rbm_image *im)
{
	if (!im)
		return;
	free(im->pix);
	free(im);
}

void rbm_image_fill(struct rbm_image *im, const unsigned char *color)
{
	size_t i, n = im->width * im->height;

	for (i = 0; i < n; i++)
		memcpy(im->pix + i * im->channels, color, im->channels);
}

void rbm_image_set(struct rbm_image *im, long x, long y,
		   const unsigned char *color)
{
	if (x < 0 || y < 0 || (size_t)x >= im->width ||
	    (size_t)y >= im->height)
		return;
	memcpy(im->pix + ((size_t)y * im->width + (size_t)x) * im->channels,
	       color, im->channels);
}

void rbm_image_blend(struct rbm_image *im, long x, long y,
		     const unsigned char *color, double alpha)
{
	unsigned char *p;
	size_t c;

	if (x < 0 || y < 0 || (size_t)x >= im->width ||
	    (size_t)y >= im->height || !(alpha > 0))
		return;
	if (alpha > 1)
		alpha = 1;
	p = im->pix + ((size_t)y * im->width + (size_t)x) * im->channels;
	for (c = 0; c < im->channels; c++)
		p[c] = (unsigned char)lround(p[c] + alpha * (color[c] - p[c]));
}

void rbm_image_rect(struct rbm_image *im, long x, long y, long w, long h,
		    const unsigned char *color)
{
	long i, j;

	for (j = y; j < y + h; j++)
		for (i = x; i < x + w; i++)
			rbm_image_set(im, i, j, color);
}

/* ---- lines ---- */

/* Distance from (px, py) to the segment from (ax, ay) to (bx, by). */
static double seg_dist(double px, double py, double ax, double ay,
		       double bx, double by)
{
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;

	if (l2 > 0) {
		t = ((px - ax) * dx + (py - ay) * dy) / l2;
		t = t < 0 ? 0 : t > 1 ? 1 : t;
	}
	return hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/* The pixel box [x0, x1) x [y0, y1) that a polyline can touch, clipped. */
struct box {
	long x0, y0, x1, y1;
};

static struct box line_box(const struct rbm_image *im, const double *x,
			   const double *y, size_t n, double r)
{
	struct box b = { (long)im->width, (long)im->height, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		double lo_x = floor(x[i] - r), hi_x = ceil(x[i] + r) + 1;
		double lo_y = floor(y[i] - r), hi_y = ceil(y[i] + r) + 1;
		if (lo_x < b.x0)
			b.x0 = lo_x < 0 ? 0 : (long)lo_x;
		if (lo_y < b.y0)
			b.y0 = lo_y < 0 ? 0 : (long)lo_y;
		if (hi_x > b.x1)
			b.x1 = hi_x > (double)im->width ? (long)im->width
							: (long)hi_x;
		if (hi_y > b.y1)
			b.y1 = hi_y > (double)im->height ? (long)im->height
							 : (long)hi_y;
	}
	return b;
}

/* Raise the coverage in mask (box b) by the segment a-b of width w. */
static void cover_segment(float *mask, struct box b, double ax, double ay,
			  double bx, double by, double w)
{
	double r = w / 2 + 1;
	long x0 = (long)floor(fmin(ax, bx) - r);
	long x1 = (long)ceil(fmax(ax, bx) + r);
	long y0 = (long)floor(fmin(ay, by) - r);
	long y1 = (long)ceil(fmax(ay, by) + r);
	long x, y;

	for (y = y0 > b.y0 ? y0 : b.y0; y < y1 && y < b.y1; y++)
		for (x = x0 > b.x0 ? x0 : b.x0; x < x1 && x < b.x1; x++) {
			double d = seg_dist(x + 0.5, y + 0.5, ax, ay, bx, by);
			double c = w / 2 + 0.5 - d;
			float *m = mask + (y - b.y0) * (b.x1 - b.x0) +
				   (x - b.x0);
			if (c > *m)
				*m = c > 1 ? 1.0f : (float)c;
		}
}

int rbm_image_polyline(struct rbm_image *im, const double *x,
		       const double *y, size_t n, double width,
		       const unsigned char *color, struct rbm_err *err)
{
	struct box b = line_box(im, x, y, n, width / 2 + 1);
	float *mask;
	long i, j, bw = b.x1 - b.x0, bh = b.y1 - b.y0;
	size_t k;

	if (n == 0 || bw <= 0 || bh <= 0)
		return 0;
	mask = calloc((size_t)bw * (size_t)bh, sizeof(*mask));
	if (!mask) {
		rbm_err_set(err, "out of memory drawing a line");
		return -1;
	}
	for (k = 0; k + 1 < n || k == 0; k++)
		cover_segment(mask, b, x[k], y[k], x[k + (n > 1)],
			      y[k + (n > 1)], width);
	for (j = 0; j < bh; j++)
		for (i = 0; i < bw; i++)
			rbm_image_blend(im, b.x0 + i, b.y0 + j, color,
					mask[j * bw + i]);
	free(mask);
	return 0;
}

/* ---- tiles ---- */

int rbm_tiling_size(const struct rbm_tiling *t, size_t *width,
		    size_t *height, struct rbm_err *err)
{
	double w = (double)t->cols * ((double)t->tile_w * (double)t->zoom +
				      (double)t->border) + (double)t->border;
	double h = (double)t->rows * ((double)t->tile_h * (double)t->zoom +
				      (double)t->border) + (double)t->border;

	if (w > RBM_IMAGE_MAX_SIDE || h > RBM_IMAGE_MAX_SIDE ||
	    w * h > (double)RBM_IMAGE_MAX_PIXELS) {
		rbm_err_set(err, "a %.0f x %.0f picture is too large (at most "
			    "%d pixels a side, %lu in all)", w, h,
			    RBM_IMAGE_MAX_SIDE, RBM_IMAGE_MAX_PIXELS);
		return -1;
	}
	*width = (size_t)w;
	*height = (size_t)h;
	return 0;
}

void rbm_tiling_grid(size_t n, size_t *cols, size_t *rows)
{
	size_t c = (size_t)sqrt((double)n);

	while (c * c < n)	/* exact ceil(sqrt(n)), whatever the rounding */
		c++;
	while (c > 1 && (c - 1) * (c - 1) >= n)
		c--;
	if (c == 0)
		c = 1;
	*cols = c;
	*rows = n ? (n + c - 1) / c : 1;
}

void rbm_tiling_origin(const struct rbm_tiling *t, size_t k, size_t *x,
		       size_t *y)
{
	*x = t->border + (k % t->cols) * (t->tile_w * t->zoom + t->border);
	*y = t->border + (k / t->cols) * (t->tile_h * t->zoom + t->border);
}

void rbm_image_tile(struct rbm_image *im, const struct rbm_tiling *t,
		    size_t k, const float *v, double lo, double hi)
{
	size_t x0, y0, i, j;

	if (k >= t->cols * t->rows)
		return;
	rbm_tiling_origin(t, k, &x0, &y0);
	for (i = 0; i < t->tile_h; i++)
		for (j = 0; j < t->tile_w; j++) {
			unsigned char g[3];
			g[0] = rbm_gray_level(v[i * t->tile_w + j], lo, hi);
			g[1] = g[2] = g[0];
			rbm_image_rect(im, (long)(x0 + j * t->zoom),
				       (long)(y0 + i * t->zoom), (long)t->zoom,
				       (long)t->zoom, g);
		}
}

/* ---- contrast ---- */

unsigned char rbm_gray_level(double x, double lo, double hi)
{
	double t;

	if (isnan(x) || !(hi > lo))
		return 128;
	t = (x - lo) / (hi - lo) * 255.0;
	if (t <= 0)
		return 0;
	if (t >= 255)
		return 255;
	return (unsigned char)floor(t + 0.5);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

int rbm_abs_quantile(const float *v, size_t n, double q, double *out,
		     struct rbm_err *err)
{
	float *a;
	size_t i, k;

	*out = 0;
	if (n == 0)
		return 0;
	a = malloc(n * sizeof(*a));
	if (!a) {
		rbm_err_set(err, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		a[i] = fabsf(v[i]);
	qsort(a, n, sizeof(*a), cmp_float);
	k = (size_t)ceil((q < 0 ? 0 : q > 1 ? 1 : q) * (double)n);
	*out = a[k ? k - 1 : 0];
	free(a);
	return 0;
}

/* ---- PNG ---- */

#ifdef HAVE_PNG

/* A growing buffer that libpng writes the file into. */
struct membuf {
	unsigned char *p;
	size_t len, cap;
};

static void mem_write(png_structp png, png_bytep data, size_t n)
{
	struct membuf *m = png_get_io_ptr(png);

	if (n > m->cap - m->len) {
		size_t cap = m->cap ? m->cap : 4096;
		unsigned char *p;
		while (cap - m->len < n)
			cap *= 2;
		p = realloc(m->p, cap);
		if (!p)
			png_error(png, "out of memory");
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, n);
	m->len += n;
}

static void mem_flush(png_structp png)
{
	(void)png;
}

static void png_fail(png_structp png, png_const_charp msg)
{
	rbm_err_set(png_get_error_ptr(png), "PNG: %s", msg);
	png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The libpng calls proper; 0, or -1 after png_fail set the message. */
static int write_png(png_structp png, png_infop info,
		     const struct rbm_image *im, png_bytep *rows,
		     struct membuf *m)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_write_fn(png, m, mem_write, mem_flush);
	png_set_compression_level(png, 9);
	png_set_IHDR(png, info, (png_uint_32)im->width,
		     (png_uint_32)im->height, 8,
		     im->channels == 1 ? PNG_COLOR_TYPE_GRAY
				       : PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	return 0;
}

int rbm_image_encode_png(const struct rbm_image *im, unsigned char **buf,
			 size_t *len, struct rbm_err *err)
{
	struct membuf m = { NULL, 0, 0 };
	png_structp png = NULL;
	png_infop info = NULL;
	png_bytep *rows = malloc(im->height * sizeof(*rows));
	size_t y;
	int rc = -1;

	if (rows)
		png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err,
					      png_fail, png_warn);
	if (png)
		info = png_create_info_struct(png);
	if (!info) {
		rbm_err_set(err, "out of memory");
		goto out;
	}
	for (y = 0; y < im->height; y++)
		rows[y] = im->pix + y * im->width * im->channels;
	rc = write_png(png, info, im, rows, &m);
out:
	png_destroy_write_struct(&png, &info);
	free(rows);
	if (rc < 0) {
		free(m.p);
		return -1;
	}
	*buf = m.p;
	*len = m.len;
	return 0;
}

const char *rbm_image_png_version(void)
{
	return "libpng " PNG_LIBPNG_VER_STRING;
}

#else /* !HAVE_PNG */

int rbm_image_encode_png(const struct rbm_image *im, unsigned char **buf,
			 size_t *len, struct rbm_err *err)
{
	(void)im;
	*buf = NULL;
	*len = 0;
	rbm_err_set(err, "built without PNG support");
	return -1;
}

const char *rbm_image_png_version(void)
{
	return NULL;
}

#endif

int rbm_image_save_png(const struct rbm_image *im, const char *path,
		       struct rbm_err *err)
{
	unsigned char *buf;
	size_t len;
	int rc;

	if (rbm_image_encode_png(im, &buf, &len, err) < 0)
		return -1;
	rc = rbm_atomic_write(path, buf, len, err);
	free(buf);
	return rc;
}
