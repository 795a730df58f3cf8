/*
 * test_image.c - the picture modules: image.c (gray levels, quantiles,
 * tiling geometry, tiles, lines, PNG output), picture.c (filters and
 * samples of a model), font.c and plot.c (the log reader and charts).
 * PNG files are decoded back with libpng's own reader.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PNG
#include <png.h>
#endif

#include "chain.h"
#include "font.h"
#include "image.h"
#include "picture.h"
#include "plot.h"
#include "rbm.h"
#include "rng.h"
#include "unit.h"
#include "visible.h"

/* Gray level of pixel (x, y) of a gray image. */
static unsigned gray_at(const struct rbm_image *im, size_t x, size_t y)
{
	ck_assert_uint_lt(x, im->width);
	ck_assert_uint_lt(y, im->height);
	return im->pix[y * im->width + x];
}

/* ---- gray levels and contrast ---- */

/* The mapping is linear from lo (0) to hi (255), rounded and clipped. */
START_TEST(gray_level_scale)
{
	ck_assert_uint_eq(rbm_gray_level(0, -1, 1), 128);	/* 127.5 */
	ck_assert_uint_eq(rbm_gray_level(-1, -1, 1), 0);
	ck_assert_uint_eq(rbm_gray_level(1, -1, 1), 255);
	ck_assert_uint_eq(rbm_gray_level(-0.5, -1, 1), 64);	/* 63.75 */
	ck_assert_uint_eq(rbm_gray_level(0.5, -1, 1), 191);	/* 191.25 */
	ck_assert_uint_eq(rbm_gray_level(0.2, 0, 1), 51);
	ck_assert_uint_eq(rbm_gray_level(7, -1, 1), 255);
	ck_assert_uint_eq(rbm_gray_level(-1e30, -1, 1), 0);
	ck_assert_uint_eq(rbm_gray_level(INFINITY, 0, 1), 255);
}
END_TEST

/* NaN values and an empty scale give mid-gray instead of garbage. */
START_TEST(gray_level_degenerate)
{
	ck_assert_uint_eq(rbm_gray_level(NAN, 0, 1), 128);
	ck_assert_uint_eq(rbm_gray_level(0.3, 0, 0), 128);
	ck_assert_uint_eq(rbm_gray_level(0.3, 1, 0), 128);
}
END_TEST

/* Quantiles of |v| by nearest rank, without interpolation. */
START_TEST(abs_quantile_values)
{
	const float v[] = { -5, 1, 2, -3, 4 };
	float many[200];
	struct rbm_err err;
	double q;
	size_t i;

	ck_assert_int_eq(rbm_abs_quantile(v, 5, 1, &q, &err), 0);
	ck_assert(q == 5);
	ck_assert_int_eq(rbm_abs_quantile(v, 5, 0, &q, &err), 0);
	ck_assert(q == 1);
	ck_assert_int_eq(rbm_abs_quantile(v, 5, 0.5, &q, &err), 0);
	ck_assert(q == 3);
	ck_assert_int_eq(rbm_abs_quantile(v, 5, 0.8, &q, &err), 0);
	ck_assert(q == 4);	/* 4 of 5 values are at most 4 */
	ck_assert_int_eq(rbm_abs_quantile(v, 5, 0.99, &q, &err), 0);
	ck_assert(q == 5);
	ck_assert_int_eq(rbm_abs_quantile(v, 0, 0.99, &q, &err), 0);
	ck_assert(q == 0);
	/* two extremes in 200 values: the 0.99 quantile ignores them */
	for (i = 0; i < 200; i++)
		many[i] = i == 17 ? -10.0f : i == 50 ? 10.0f : 0.1f;
	ck_assert_int_eq(rbm_abs_quantile(many, 200, 0.99, &q, &err), 0);
	ck_assert_double_eq_tol(q, 0.1, 1e-7);
}
END_TEST

/* ---- tiling ---- */

/* Sizes: tiles of tile*zoom pixels with a border around each. */
START_TEST(tiling_geometry)
{
	struct rbm_tiling t = { 28, 28, 10, 10, 1, 1 };
	struct rbm_err err;
	size_t w, h, x, y;

	ck_assert_int_eq(rbm_tiling_size(&t, &w, &h, &err), 0);
	ck_assert_uint_eq(w, 291);
	ck_assert_uint_eq(h, 291);
	rbm_tiling_origin(&t, 0, &x, &y);
	ck_assert_uint_eq(x, 1);
	ck_assert_uint_eq(y, 1);
	rbm_tiling_origin(&t, 11, &x, &y);	/* second row, second column */
	ck_assert_uint_eq(x, 30);
	ck_assert_uint_eq(y, 30);
	t = (struct rbm_tiling){ 3, 2, 4, 1, 2, 1 };
	ck_assert_int_eq(rbm_tiling_size(&t, &w, &h, &err), 0);
	ck_assert_uint_eq(w, 4 * (3 * 2 + 1) + 1);
	ck_assert_uint_eq(h, 1 * (2 * 2 + 1) + 1);
	rbm_tiling_origin(&t, 3, &x, &y);
	ck_assert_uint_eq(x, 1 + 3 * 7);
	ck_assert_uint_eq(y, 1);
}
END_TEST

/* A grid too large for the limits is refused with its size. */
START_TEST(tiling_too_large)
{
	struct rbm_tiling t = { 28, 28, 1000, 1, 1, 1 };
	struct rbm_err err;
	size_t w = 0, h = 0;

	ck_assert_int_eq(rbm_tiling_size(&t, &w, &h, &err), -1);
	ck_assert_str_eq(err.msg, "a 29001 x 30 picture is too large (at most "
			 "16384 pixels a side, 67108864 in all)");
	ck_assert_ptr_null(rbm_image_alloc(0, 5, 1, &err));
	ck_assert_ptr_null(rbm_image_alloc(16385, 1, 3, &err));
}
END_TEST

/* The default grid is as square as possible, wider than tall. */
START_TEST(tiling_default_grid)
{
	static const size_t cases[][3] = {
		{ 0, 1, 1 }, { 1, 1, 1 }, { 2, 2, 1 }, { 3, 2, 2 },
		{ 5, 3, 2 }, { 100, 10, 10 }, { 101, 11, 10 },
		{ 500, 23, 22 }, { 10000, 100, 100 },
	};
	size_t i, c, r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rbm_tiling_grid(cases[i][0], &c, &r);
		ck_assert_msg(c == cases[i][1] && r == cases[i][2],
			      "%zu tiles: %zu x %zu", cases[i][0], c, r);
	}
}
END_TEST

/* Tiles land in their cell, zoomed, and leave the border alone. */
START_TEST(tile_pixels)
{
	struct rbm_tiling t = { 2, 2, 2, 1, 2, 1 };
	const float a[] = { 0, 1, 0.2f, 0.6f }, b[] = { 1, 1, 1, 1 };
	struct rbm_err err;
	struct rbm_image *im = rbm_image_alloc(11, 6, 1, &err);
	unsigned char bg = 7;

	ck_assert_ptr_nonnull(im);
	rbm_image_fill(im, &bg);
	rbm_image_tile(im, &t, 0, a, 0, 1);
	rbm_image_tile(im, &t, 1, b, 0, 1);
	rbm_image_tile(im, &t, 2, b, 0, 1);	/* beyond the grid: ignored */
	ck_assert_uint_eq(gray_at(im, 0, 0), 7);	/* border */
	ck_assert_uint_eq(gray_at(im, 1, 1), 0);	/* a[0], zoomed */
	ck_assert_uint_eq(gray_at(im, 2, 2), 0);
	ck_assert_uint_eq(gray_at(im, 3, 1), 255);	/* a[1] */
	ck_assert_uint_eq(gray_at(im, 1, 3), 51);	/* a[2] */
	ck_assert_uint_eq(gray_at(im, 4, 4), 153);	/* a[3] */
	ck_assert_uint_eq(gray_at(im, 5, 2), 7);	/* between tiles */
	ck_assert_uint_eq(gray_at(im, 6, 1), 255);	/* tile 1 */
	ck_assert_uint_eq(gray_at(im, 10, 5), 7);
	rbm_image_free(im);
}
END_TEST

/* ---- lines and text ---- */

/* A line covers the pixels it passes through and no others. */
START_TEST(polyline_cover)
{
	const double x[] = { 2.5, 8.5 }, y[] = { 4.5, 4.5 };
	const unsigned char black = 0, white = 255;
	struct rbm_err err;
	struct rbm_image *im = rbm_image_alloc(12, 9, 1, &err);

	rbm_image_fill(im, &white);
	ck_assert_int_eq(rbm_image_polyline(im, x, y, 2, 1, &black, &err), 0);
	ck_assert_uint_eq(gray_at(im, 5, 4), 0);
	ck_assert_uint_eq(gray_at(im, 2, 4), 0);	/* round end */
	ck_assert_uint_eq(gray_at(im, 5, 2), 255);
	ck_assert_uint_eq(gray_at(im, 0, 4), 255);
	ck_assert_uint_eq(gray_at(im, 11, 4), 255);
	ck_assert_int_eq(rbm_image_polyline(im, x, y, 1, 3, &black, &err), 0);
	ck_assert_uint_eq(gray_at(im, 2, 3), 0);	/* a dot of width 3 */
	ck_assert_uint_eq(gray_at(im, 2, 6), 255);
	rbm_image_free(im);
}
END_TEST

/* Glyph widths and one known pixel of a glyph at scale 2. */
START_TEST(font_glyphs)
{
	const unsigned char ink = 0, paper = 255;
	struct rbm_err err;
	struct rbm_image *im = rbm_image_alloc(40, 20, 1, &err);
	const char *c;

	for (c = "0123456789.-+eepoch"; *c; c++)
		ck_assert_msg(rbm_font_has(*c), "no glyph for '%c'", *c);
	ck_assert(rbm_font_has('E'));
	ck_assert(!rbm_font_has('~'));
	ck_assert_uint_eq(rbm_font_width("", 1), 0);
	ck_assert_uint_eq(rbm_font_width("ab", 1), 11);
	ck_assert_uint_eq(rbm_font_width("ab", 2), 22);
	rbm_image_fill(im, &paper);
	rbm_font_draw(im, 0, 0, "1-", 2, &ink);
	/* "1" is ..#.. on its first row: font column 2, pixels 4 and 5 */
	ck_assert_uint_eq(gray_at(im, 4, 0), 0);
	ck_assert_uint_eq(gray_at(im, 5, 1), 0);
	ck_assert_uint_eq(gray_at(im, 0, 0), 255);
	/* "-" is .###. on row 3, starting 12 pixels on */
	ck_assert_uint_eq(gray_at(im, 12 + 2, 6), 0);
	ck_assert_uint_eq(gray_at(im, 12, 6), 255);
	rbm_image_free(im);
}
END_TEST

/* ---- filters and samples ---- */

/* A 4 x 3 model with weights chosen so the gray levels are known. */
static struct rbm *known_model(void)
{
	static const float w[12] = {
		-1.0f, 0.5f, 0.0f,
		1.0f, 0.0f, 0.0f,
		0.5f, -0.25f, 0.0f,
		0.0f, 0.25f, 0.0f,
	};
	static const float zero[4];

	return unit_model(4, 3, w, zero, zero);
}

/*
 * Per-tile contrast: unit 0 has |w| up to 1, so -1 is black, 1 white,
 * 0.5 gray 191; unit 1 peaks at 0.5, so 0.5 is white and -0.25 gray 64;
 * unit 2 is all zero, so mid-gray.
 */
START_TEST(filters_tile_contrast)
{
	struct rbm_tiling t = { 2, 2, 3, 1, 1, 1 };
	struct rbm_err err;
	struct rbm *m = known_model();
	struct rbm_image *im = rbm_picture_filters(m, &t, 3,
						   RBM_CONTRAST_TILE, &err);

	ck_assert_ptr_nonnull(im);
	ck_assert_uint_eq(im->width, 10);
	ck_assert_uint_eq(im->height, 4);
	ck_assert_uint_eq(gray_at(im, 0, 0), 0);	/* border is black */
	ck_assert_uint_eq(gray_at(im, 1, 1), 0);	/* w00 = -1 */
	ck_assert_uint_eq(gray_at(im, 2, 1), 255);	/* w10 = 1 */
	ck_assert_uint_eq(gray_at(im, 1, 2), 191);	/* w20 = 0.5 */
	ck_assert_uint_eq(gray_at(im, 2, 2), 128);	/* w30 = 0 */
	ck_assert_uint_eq(gray_at(im, 4, 1), 255);	/* w01 = 0.5 */
	ck_assert_uint_eq(gray_at(im, 4, 2), 64);	/* w21 = -0.25 */
	ck_assert_uint_eq(gray_at(im, 5, 2), 191);	/* w31 = 0.25 */
	ck_assert_uint_eq(gray_at(im, 7, 1), 128);	/* unit 2 */
	ck_assert_uint_eq(gray_at(im, 8, 2), 128);
	rbm_image_free(im);
	rbm_free(m);
}
END_TEST

/*
 * Global contrast: one scale for the units drawn, the 0.99 quantile of
 * their |w| (here the largest, 1), so unit 1's 0.5 is no longer white
 * but gray 191.  Drawing 2 units leaves the third cell as border.
 */
START_TEST(filters_global_contrast)
{
	struct rbm_tiling t = { 2, 2, 3, 1, 1, 1 };
	struct rbm_err err;
	struct rbm *m = known_model();
	struct rbm_image *im = rbm_picture_filters(m, &t, 2,
						   RBM_CONTRAST_GLOBAL, &err);

	ck_assert_ptr_nonnull(im);
	ck_assert_uint_eq(gray_at(im, 1, 1), 0);
	ck_assert_uint_eq(gray_at(im, 2, 1), 255);
	ck_assert_uint_eq(gray_at(im, 1, 2), 191);	/* w20 = 0.5 */
	ck_assert_uint_eq(gray_at(im, 4, 1), 191);	/* w01 = 0.5 */
	ck_assert_uint_eq(gray_at(im, 5, 2), 159);	/* w31 = 0.25 */
	ck_assert_uint_eq(gray_at(im, 4, 2), 96);	/* w21 = -0.25 */
	ck_assert_uint_eq(gray_at(im, 7, 1), 0);	/* no third tile */
	rbm_image_free(im);
	rbm_free(m);
}
END_TEST

/*
 * Samples of a model whose visible biases are +-30 (and weights 0) are
 * certain: every chain ends with probabilities of 1 and 0, white and
 * black, whatever the seed; one step shows the random start instead.
 */
START_TEST(samples_of_certain_model)
{
	struct rbm_tiling t = { 2, 1, 3, 1, 1, 1 };
	struct rbm_err err;
	struct rbm *m = rbm_alloc(2, 4, &err);
	gsl_rng *rng = rbm_rng_alloc(5, &err);
	struct rbm_image *im;
	size_t k;

	gsl_vector_float_set(m->b, 0, 30);
	gsl_vector_float_set(m->b, 1, -30);
	im = rbm_picture_samples(m, &t, 3, 2, rng, &err);
	ck_assert_ptr_nonnull(im);
	ck_assert_uint_eq(im->width, 10);
	ck_assert_uint_eq(im->height, 3);
	for (k = 0; k < 3; k++) {
		ck_assert_uint_eq(gray_at(im, 1 + 3 * k, 1), 255);
		ck_assert_uint_eq(gray_at(im, 2 + 3 * k, 1), 0);
	}
	ck_assert_uint_eq(gray_at(im, 0, 0), 96);	/* gray border */
	rbm_image_free(im);
	im = rbm_picture_samples(m, &t, 3, 1, rng, &err);
	ck_assert_uint_ne(gray_at(im, 1, 1), 255);	/* uniform noise */
	rbm_image_free(im);
	gsl_rng_free(rng);
	rbm_free(m);
}
END_TEST

/*
 * daydream's chains, written out: the type's random start, steps - 2
 * Gibbs steps, and a last step that leaves p(v|h) (rbm_chain_dream's
 * contract, which daydream prints).
 */
static void dream_by_hand(const struct rbm *m, gsl_matrix_float *v,
			  gsl_matrix_float *h, unsigned long steps,
			  gsl_rng *rng)
{
	unsigned long i;

	rbm_visible_random(m, v, rng);
	for (i = 2; i < steps; i++)
		rbm_gibbs_step(m, v, h, rng);
	rbm_hidden_probs(m, v, h);
	rbm_sample(h, h, rng);
	rbm_visible_probs(m, h, v);
}

/* Handed each state by rbm_chain_dream: count them. */
static int count_state(void *arg, const gsl_matrix_float *v)
{
	(void)v;
	++*(unsigned long *)arg;
	return 0;
}

/*
 * For every unit type, the tiles of samples are the gray levels of
 * daydream's chains with --probs (same seed, same steps): the chains of
 * rbm_chain_dream, started the type's way.  samples once started every
 * type at uniform numbers, a start that suits binary units only, so its
 * softmax and Gaussian tiles showed other chains than daydream's.
 */
START_TEST(samples_are_daydreams)
{
	static const char *const types[] = { "binary", "softmax:3",
					     "gaussian" };
	struct rbm_tiling t = { 6, 2, 4, 1, 1, 1 };
	struct rbm_err err;
	size_t i, j, k, ty;
	enum rbm_vis_type type;

	for (ty = 0; ty < 3; ty++) {
		struct rbm *m = unit_random_model(12, 5, 1.0, 3 + ty);
		gsl_matrix_float *v = gsl_matrix_float_alloc(4, 12);
		gsl_matrix_float *w = gsl_matrix_float_alloc(4, 12);
		gsl_matrix_float *h = gsl_matrix_float_alloc(4, 5);
		gsl_rng *r1 = rbm_rng_alloc(7, &err), *r2 = rbm_rng_alloc(7,
								      &err);
		gsl_rng *r3 = rbm_rng_alloc(7, &err);
		struct rbm_image *im;
		unsigned long states = 0;

		ck_assert_int_eq(rbm_visible_parse(types[ty], &type, &k,
						   &err), 0);
		ck_assert_int_eq(rbm_visible_set(m, type, k, &err), 0);
		im = rbm_picture_samples(m, &t, 4, 6, r1, &err);
		ck_assert_ptr_nonnull(im);
		ck_assert_int_eq(rbm_chain_dream(m, v, h, 6, 1, r2,
						 count_state, &states), 0);
		ck_assert_uint_eq(states, 5);
		dream_by_hand(m, w, h, 6, r3);
		for (i = 0; i < 4; i++)
			for (j = 0; j < 12; j++) {
				float x = gsl_matrix_float_get(v, i, j);
				ck_assert_float_eq(x, gsl_matrix_float_get(
					w, i, j));
				ck_assert_uint_eq(gray_at(im, 1 + 7 * i + j % 6,
							  1 + j / 6),
						  rbm_gray_level(x, 0, 1));
			}
		rbm_image_free(im);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		gsl_rng_free(r3);
		gsl_matrix_float_free(v);
		gsl_matrix_float_free(w);
		gsl_matrix_float_free(h);
		rbm_free(m);
	}
}
END_TEST

/* ---- PNG ---- */

#ifdef HAVE_PNG
/* Decode a PNG in memory; the pixels (malloc'ed) and the header. */
static unsigned char *decode(const void *buf, size_t len, png_image *img)
{
	unsigned char *pix;

	memset(img, 0, sizeof(*img));
	img->version = PNG_IMAGE_VERSION;
	ck_assert_msg(png_image_begin_read_from_memory(img, buf, len),
		      "not a PNG: %s", img->message);
	pix = malloc(PNG_IMAGE_SIZE(*img));
	ck_assert_ptr_nonnull(pix);
	ck_assert_msg(png_image_finish_read(img, NULL, pix, 0, NULL),
		      "decoding failed: %s", img->message);
	return pix;
}

/* Filters of known weights decode back to the same size and levels. */
START_TEST(png_filters_round_trip)
{
	struct rbm_tiling t = { 2, 2, 3, 1, 2, 1 };
	struct rbm_err err;
	struct rbm *m = known_model();
	struct rbm_image *im = rbm_picture_filters(m, &t, 3,
						   RBM_CONTRAST_TILE, &err);
	unsigned char *buf, *pix;
	png_image img;
	size_t len;

	ck_assert_int_eq(rbm_image_encode_png(im, &buf, &len, &err), 0);
	ck_assert_uint_gt(len, 8);
	ck_assert_mem_eq(buf, "\x89PNG\r\n\x1a\n", 8);
	pix = decode(buf, len, &img);
	ck_assert_uint_eq(img.width, 3 * 5 + 1);
	ck_assert_uint_eq(img.height, 6);
	ck_assert_uint_eq(img.format, PNG_FORMAT_GRAY);
	ck_assert_uint_eq(pix[1 * 16 + 1], 0);		/* w00 = -1, zoom 2 */
	ck_assert_uint_eq(pix[2 * 16 + 2], 0);
	ck_assert_uint_eq(pix[1 * 16 + 3], 255);	/* w10 = 1 */
	ck_assert_uint_eq(pix[3 * 16 + 1], 191);	/* w20 = 0.5 */
	ck_assert_uint_eq(pix[3 * 16 + 6 + 0], 64);	/* w21 = -0.25 */
	ck_assert_mem_eq(pix, im->pix, im->width * im->height);
	png_image_free(&img);
	free(pix);
	free(buf);
	rbm_image_free(im);
	rbm_free(m);
}
END_TEST

/* RGB pictures keep their channels. */
START_TEST(png_rgb_round_trip)
{
	const unsigned char red[3] = { 200, 10, 20 }, blue[3] = { 0, 0, 255 };
	struct rbm_err err;
	struct rbm_image *im = rbm_image_alloc(7, 5, 3, &err);
	unsigned char *buf, *pix;
	png_image img;
	size_t len;

	rbm_image_fill(im, red);
	rbm_image_set(im, 6, 4, blue);
	ck_assert_int_eq(rbm_image_encode_png(im, &buf, &len, &err), 0);
	pix = decode(buf, len, &img);
	ck_assert_uint_eq(img.format, PNG_FORMAT_RGB);
	ck_assert_uint_eq(img.width, 7);
	ck_assert_uint_eq(img.height, 5);
	ck_assert_mem_eq(pix, red, 3);
	ck_assert_mem_eq(pix + (4 * 7 + 6) * 3, blue, 3);
	png_image_free(&img);
	free(pix);
	free(buf);
	rbm_image_free(im);
}
END_TEST

/* Saving writes the whole file, or reports the path and leaves none. */
START_TEST(png_save)
{
	const unsigned char g = 77;
	struct rbm_err err;
	struct rbm_image *im = rbm_image_alloc(3, 2, 1, &err);
	char *path = unit_path("a.png"), *bad = unit_path("no/b.png");
	char want[600];
	unsigned char *pix;
	png_image img;
	size_t len;
	char *data;

	rbm_image_fill(im, &g);
	ck_assert_int_eq(rbm_image_save_png(im, path, &err), 0);
	data = unit_read_file(path, &len);
	pix = decode(data, len, &img);
	ck_assert_uint_eq(img.width, 3);
	ck_assert_uint_eq(pix[5], 77);
	ck_assert_int_eq(rbm_image_save_png(im, bad, &err), -1);
	snprintf(want, sizeof(want), "cannot save %s: No such file or "
		 "directory", bad);
	ck_assert_str_eq(err.msg, want);
	png_image_free(&img);
	free(pix);
	free(data);
	free(path);
	free(bad);
	rbm_image_free(im);
}
END_TEST
#endif

/* ---- the training log and its charts ---- */

static const char good_log[] =
	"epoch,learning_rate,momentum,recon_error,free_energy_train,"
	"free_energy_valid,loglik,seconds\n"
	"1,0.1,0.5,40.5,-60,-59,,1.5\n"
	"2,0.1,0.5,30.25,-65,,,1.4\r\n"
	"\n"
	"epoch,learning_rate,momentum,recon_error,free_energy_train,"
	"free_energy_valid,loglik,seconds\n"
	"3,0.05,0.9,20,-70,-66,,1.6\n";

static struct rbm_log *parse(const char *text, struct rbm_err *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct rbm_log *log;

	ck_assert_ptr_nonnull(f);
	log = rbm_log_parse(f, "t.csv", err);
	fclose(f);
	return log;
}

/*
 * What train --log writes, plot reads back: every figure, the empty
 * field of one not measured as NAN, %.9g's digits.
 */
START_TEST(log_round_trip)
{
	double fig[RBM_LOG_NCOLS];
	struct rbm_err err;
	struct rbm_log *log;
	FILE *f = tmpfile();
	int c;

	ck_assert_ptr_nonnull(f);
	rbm_log_write_header(f);
	for (c = 0; c < RBM_LOG_NCOLS; c++)
		fig[c] = c + 0.125;
	fig[RBM_LOG_LOGLIK] = NAN;
	rbm_log_write_epoch(f, 7, fig);
	rbm_log_write_epoch(f, 8, fig);
	rewind(f);
	log = rbm_log_parse(f, "t.csv", &err);
	ck_assert_ptr_nonnull(log);
	ck_assert_uint_eq(log->n, 2);
	ck_assert_double_eq(log->col[RBM_LOG_EPOCH][0], 7);
	ck_assert_double_eq(log->col[RBM_LOG_EPOCH][1], 8);
	for (c = RBM_LOG_EPOCH + 1; c < RBM_LOG_NCOLS; c++)
		if (c == RBM_LOG_LOGLIK)
			ck_assert(isnan(log->col[c][1]));
		else
			ck_assert_double_eq(log->col[c][1], c + 0.125);
	rbm_log_free(log);
	fclose(f);
}
END_TEST

/* Columns by name, empty fields NaN, CRLF, blanks and repeated headers. */
START_TEST(log_parse_good)
{
	struct rbm_err err;
	struct rbm_log *log = parse(good_log, &err);

	ck_assert_msg(log != NULL, "%s", err.msg);
	ck_assert_uint_eq(log->n, 3);
	ck_assert(log->col[RBM_LOG_EPOCH][2] == 3);
	ck_assert(log->col[RBM_LOG_RECON][1] == 30.25);
	ck_assert(log->col[RBM_LOG_RATE][2] == 0.05);
	ck_assert(isnan(log->col[RBM_LOG_FE_VALID][1]));
	ck_assert(isnan(log->col[RBM_LOG_LOGLIK][0]));
	rbm_log_free(log);
	log = parse("recon_error,other,epoch\n0.5,x,7\n", &err);
	ck_assert_msg(log != NULL, "%s", err.msg);
	ck_assert(log->col[RBM_LOG_EPOCH][0] == 7);
	ck_assert(log->col[RBM_LOG_RECON][0] == 0.5);
	ck_assert(isnan(log->col[RBM_LOG_FE_TRAIN][0]));
	rbm_log_free(log);
}
END_TEST

/* Every malformed log is refused with the file, line and reason. */
START_TEST(log_parse_errors)
{
	static const char *const cases[][2] = {
		{ "", "t.csv: empty file, not a training log" },
		{ "epoch,recon_error\n", "t.csv: no epochs in the log" },
		{ "a,b\n1,2\n", "t.csv:1: not a training log: the first line "
		  "must name the columns, one of them 'epoch'" },
		{ "epoch,epoch\n", "t.csv:1: column 'epoch' appears twice" },
		{ "epoch,recon_error\n1,2\n2\n",
		  "t.csv:3: expected 2 fields, got 1" },
		{ "epoch,recon_error\n1,2,3\n",
		  "t.csv:2: expected 2 fields, got 3" },
		{ "epoch,recon_error\n1,abc\n",
		  "t.csv:2: recon_error ('abc') is not a number" },
		{ "epoch,recon_error\n1,nan\n",
		  "t.csv:2: recon_error ('nan') is not a finite number" },
		{ "epoch,recon_error\n,0.5\n",
		  "t.csv:2: epoch ('') is not a number" },
	};
	struct rbm_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_ptr_null(parse(cases[i][0], &err));
		ck_assert_str_eq(err.msg, cases[i][1]);
	}
	ck_assert_ptr_null(rbm_log_read("/nonexistent/x.csv", &err));
	ck_assert_str_eq(err.msg, "/nonexistent/x.csv: No such file or "
			 "directory");
}
END_TEST

/* Round tick steps and labels without rounding noise. */
START_TEST(plot_ticks)
{
	char buf[32];

	ck_assert_double_eq_tol(rbm_plot_tick_step(10, 4), 2, 1e-12);
	ck_assert_double_eq_tol(rbm_plot_tick_step(1, 4), 0.2, 1e-12);
	ck_assert_double_eq_tol(rbm_plot_tick_step(17, 4), 5, 1e-12);
	ck_assert_double_eq_tol(rbm_plot_tick_step(0.003, 4), 0.001, 1e-15);
	ck_assert_double_eq_tol(rbm_plot_tick_step(900, 6), 200, 1e-9);
	rbm_plot_tick_label(buf, sizeof(buf), 0.1 + 0.2, 0.1);
	ck_assert_str_eq(buf, "0.3");
	rbm_plot_tick_label(buf, sizeof(buf), -650, 50);
	ck_assert_str_eq(buf, "-650");
	rbm_plot_tick_label(buf, sizeof(buf), -1e-17, 0.05);
	ck_assert_str_eq(buf, "0.00");
	rbm_plot_tick_label(buf, sizeof(buf), 2e-8, 1e-8);
	ck_assert_str_eq(buf, "2e-08");
}
END_TEST

/*
 * Charts: reconstruction error, free energy, and learning rate and
 * momentum (they change in good_log); the curves are drawn in colour.
 */
START_TEST(plot_charts)
{
	struct rbm_err err;
	struct rbm_log *log = parse(good_log, &err);
	struct rbm_image *im = rbm_plot_log(log, "t.csv", &err);
	size_t i, blue = 0, orange = 0;

	ck_assert_msg(im != NULL, "%s", err.msg);
	ck_assert_uint_eq(im->width, 720);
	ck_assert_uint_eq(im->channels, 3);
	/* 4 charts of 250 pixels, less the gap after the last, "epoch" */
	ck_assert_uint_eq(im->height, 16 + 4 * 250 - 26 + 10 + 18 + 16);
	for (i = 0; i < im->width * im->height; i++) {
		const unsigned char *p = im->pix + 3 * i;
		blue += p[0] == 31 && p[1] == 119 && p[2] == 180;
		orange += p[0] == 230 && p[1] == 110 && p[2] == 0;
	}
	ck_assert_uint_gt(blue, 500);
	ck_assert_uint_gt(orange, 60);
	rbm_image_free(im);
	rbm_log_free(log);
}
END_TEST

/* A log whose figures are all empty (or constant rates) has no chart. */
START_TEST(plot_nothing)
{
	struct rbm_err err;
	struct rbm_log *log = parse("epoch,learning_rate,recon_error\n"
				    "1,0.1,\n2,0.1,\n", &err);

	ck_assert_ptr_nonnull(log);
	ck_assert_ptr_null(rbm_plot_log(log, "t.csv", &err));
	ck_assert_str_eq(err.msg, "t.csv: nothing to plot: no figure has a "
			 "value");
	rbm_log_free(log);
}
END_TEST

Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");

	tcase_add_unchecked_fixture(tc, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(tc, gray_level_scale);
	tcase_add_test(tc, gray_level_degenerate);
	tcase_add_test(tc, abs_quantile_values);
	tcase_add_test(tc, tiling_geometry);
	tcase_add_test(tc, tiling_too_large);
	tcase_add_test(tc, tiling_default_grid);
	tcase_add_test(tc, tile_pixels);
	tcase_add_test(tc, polyline_cover);
	tcase_add_test(tc, font_glyphs);
	tcase_add_test(tc, filters_tile_contrast);
	tcase_add_test(tc, filters_global_contrast);
	tcase_add_test(tc, samples_of_certain_model);
	tcase_add_test(tc, samples_are_daydreams);
#ifdef HAVE_PNG
	tcase_add_test(tc, png_filters_round_trip);
	tcase_add_test(tc, png_rgb_round_trip);
	tcase_add_test(tc, png_save);
#endif
	tcase_add_test(tc, log_round_trip);
	tcase_add_test(tc, log_parse_good);
	tcase_add_test(tc, log_parse_errors);
	tcase_add_test(tc, plot_ticks);
	tcase_add_test(tc, plot_charts);
	tcase_add_test(tc, plot_nothing);
	suite_add_tcase(s, tc);
	return s;
}
