/*
 * cmd_picture.c - the commands that draw PNG pictures: filters (each
 * hidden unit's incoming weights as a tile), samples (where daydream
 * chains end up, as tiles) and plot (training curves from the CSV file
 * of train --log).
 *
 * The options are checked before the state file is read, and against
 * the model's sizes right after; the picture is built in memory and
 * saved with one atomic write (image.h), so a failed command leaves no
 * picture or the old one.  "-o -" writes the PNG to standard output.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_picture.h"
#include "atomic.h"
#include "image.h"
#include "picture.h"
#include "plot.h"
#include "state.h"

#define MAX_PAIR 65535		/* largest number in --shape and --grid */
#define MAX_TILES 1000000UL	/* NUM_DREAMS at most */

/* What the tile commands were asked for; 0 where not given. */
struct tiles_opts {
	unsigned long w, h;		/* --shape */
	unsigned long cols, rows;	/* --grid */
};

/*
 * Option id as two whole numbers joined by 'x' ("28x28") into *a, *b,
 * or 0, 0 when not given; EXIT_OK or a usage error.
 */
static int opt_pair(const struct ctx *c, int id, unsigned long *a,
		    unsigned long *b)
{
	const char *s = c->opt[id].s;
	char *end;

	*a = *b = 0;
	if (!c->opt[id].given)
		return EXIT_OK;
	errno = 0;
	if (isdigit((unsigned char)s[0])) {
		*a = strtoul(s, &end, 10);
		if (*end == 'x' && isdigit((unsigned char)end[1]))
			*b = strtoul(end + 1, &end, 10);
		if (!errno && !*end && *a >= 1 && *a <= MAX_PAIR &&
		    *b >= 1 && *b <= MAX_PAIR)
			return EXIT_OK;
	}
	return cli_usage(c, "--%s must be two whole numbers from 1 to %d "
			 "joined by 'x', like 28x28, not '%s'",
			 cli_options[id].name, MAX_PAIR, s);
}

/*
 * Whether -o names the file the command reads (input: the state file or
 * plot's log), under any name (atomic.h); a usage error then, since the
 * picture would replace what it was drawn from.
 */
static int output_is_input(const struct ctx *c, const char *input)
{
	const char *path = c->opt[O_OUTPUT].s;

	if (!input || strcmp(path, "-") == 0 ||
	    !rbm_atomic_same_file(path, input))
		return EXIT_OK;
	return cli_usage(c, "-o %s is %s, the file the picture is drawn "
			 "from", path, input);
}

/*
 * The checks every picture command starts with: PNG support, then -o
 * (given, and not the file the picture is drawn from).
 * EXIT_OK, or the exit status after a message.
 */
static int picture_start(const struct ctx *c)
{
	struct rbm_err err;

	if (!rbm_image_png_version()) {
		rbm_err_set(&err, "built without PNG support");
		return cli_fail(c, &err);
	}
	if (!c->opt[O_OUTPUT].given)
		return cli_usage(c, "missing -o FILE (the PNG file to write)");
	return output_is_input(c, c->state ? c->state : c->argv[0]);
}

/* --shape and --grid; EXIT_OK or a usage error. */
static int tiles_options(const struct ctx *c, struct tiles_opts *o)
{
	int rc = picture_start(c);

	if (rc == EXIT_OK)
		rc = opt_pair(c, O_SHAPE, &o->w, &o->h);
	if (rc == EXIT_OK)
		rc = opt_pair(c, O_GRID, &o->cols, &o->rows);
	return rc;
}

/*
 * Check --shape against the model's nv visible units, or choose a square
 * when it was not given; EXIT_OK or a usage error.
 */
static int fit_shape(const struct ctx *c, struct tiles_opts *o, size_t nv)
{
	unsigned long r = (unsigned long)sqrt((double)nv);

	while (r * r > nv)
		r--;
	while ((r + 1) * (r + 1) <= nv)
		r++;
	if (!o->w && r * r == nv) {
		o->w = o->h = r;
		return EXIT_OK;
	}
	if (!o->w)
		return cli_usage(c, "the model's %zu visible units do not "
				 "make a square; give --shape WxH", nv);
	if (o->w * o->h != nv)
		return cli_usage(c, "--shape %lux%lu is %lu values, but the "
				 "model has %zu visible units", o->w, o->h,
				 o->w * o->h, nv);
	return EXIT_OK;
}

/*
 * The tiling of n tiles in --grid (or about square) at --zoom; EXIT_OK,
 * or a usage error when the grid is too small or the picture too large.
 */
static int make_tiling(const struct ctx *c, const struct tiles_opts *o,
		       size_t n, struct rbm_tiling *t)
{
	struct rbm_err err;
	size_t w, h;

	t->tile_w = o->w;
	t->tile_h = o->h;
	t->zoom = c->opt[O_ZOOM].given ? c->opt[O_ZOOM].u : 1;
	t->border = 1;
	t->cols = o->cols;
	t->rows = o->rows;
	if (!o->cols)
		rbm_tiling_grid(n, &t->cols, &t->rows);
	else if (n > o->cols * o->rows)
		return cli_usage(c, "--grid %lux%lu holds %lu tiles, not %zu",
				 o->cols, o->rows, o->cols * o->rows, n);
	if (rbm_tiling_size(t, &w, &h, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	return EXIT_OK;
}

/*
 * Write the picture to -o's file, or to stdout for "-"; EXIT_OK or 1.
 * The file is replaced atomically, or written in place when it is a
 * device or FIFO, or through a symbolic link (atomic.h).
 */
static int save_picture(const struct ctx *c, const struct rbm_image *im)
{
	const char *path = c->opt[O_OUTPUT].s;
	struct rbm_err err;
	unsigned char *buf;
	size_t len;

	if (strcmp(path, "-") != 0)
		return rbm_image_save_png(im, path, &err) == 0
			       ? EXIT_OK : cli_fail(c, &err);
	if (rbm_image_encode_png(im, &buf, &len, &err) < 0)
		return cli_fail(c, &err);
	fwrite(buf, 1, len, stdout);
	free(buf);
	return cli_flush(c) < 0 ? EXIT_FAIL : EXIT_OK;
}

/*
 * Load the state and fit --shape to its visible layer; EXIT_OK, or after
 * a message.
 */
static int load_model(struct ctx *c, struct tiles_opts *o,
		      struct rbm_state **s)
{
	if (!(*s = cli_load(c)))
		return EXIT_FAIL;
	return fit_shape(c, o, (*s)->model->nv);
}

/*
 * Save the picture im drawn (or, when NULL, report err) and free it;
 * EXIT_OK or EXIT_FAIL.
 */
static int end_picture(const struct ctx *c, struct rbm_image *im,
		       const struct rbm_err *err)
{
	int rc = im ? save_picture(c, im) : cli_fail(c, err);

	rbm_image_free(im);
	return rc;
}

/* ---- filters ---- */

/*
 * How many units filters draws: --units, or as many as --grid holds,
 * or all; EXIT_OK or a usage error.
 */
static int filter_count(const struct ctx *c, const struct tiles_opts *o,
			size_t nh, size_t *n)
{
	*n = nh;
	if (c->opt[O_UNITS].given) {
		if (c->opt[O_UNITS].u > nh)
			return cli_usage(c, "--units %lu is more than the "
					 "model's %zu hidden units",
					 c->opt[O_UNITS].u, nh);
		*n = c->opt[O_UNITS].u;
	} else if (o->cols && o->cols * o->rows < nh) {
		*n = o->cols * o->rows;
	}
	return EXIT_OK;
}

int cmd_filters(struct ctx *c)
{
	struct tiles_opts o;
	struct rbm_state *s = NULL;
	struct rbm_tiling t;
	struct rbm_err err;
	size_t n = 0;
	int rc = tiles_options(c, &o);

	if (rc == EXIT_OK)
		rc = load_model(c, &o, &s);
	if (rc == EXIT_OK)
		rc = filter_count(c, &o, s->model->nh, &n);
	if (rc == EXIT_OK)
		rc = make_tiling(c, &o, n, &t);
	if (rc == EXIT_OK)
		rc = end_picture(c, rbm_picture_filters(
			s->model, &t, n, c->opt[O_CONTRAST].u ?
			RBM_CONTRAST_GLOBAL : RBM_CONTRAST_TILE, &err), &err);
	rbm_state_free(s);
	return rc;
}

/* ---- samples ---- */

int cmd_samples(struct ctx *c)
{
	unsigned long steps, k;		/* the arguments */
	gsl_rng *rng = NULL;
	struct tiles_opts o;
	struct rbm_state *s = NULL;
	struct rbm_tiling t;
	struct rbm_err err;
	int rc = tiles_options(c, &o);

	if (rc == EXIT_OK &&
	    (cli_arg_count(c, 0, "NUM_SAMPLES", 1, (unsigned long)-1,
			   &steps) < 0 ||
	     cli_arg_count(c, 1, "NUM_DREAMS", 1, MAX_TILES, &k) < 0))
		rc = EXIT_USAGE;
	if (rc == EXIT_OK)
		rc = load_model(c, &o, &s);
	if (rc == EXIT_OK && !(rng = cli_rng(c)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = make_tiling(c, &o, k, &t);
	if (rc == EXIT_OK)
		rc = end_picture(c, rbm_picture_samples(s->model, &t, k, steps,
							rng, &err), &err);
	if (rng)
		gsl_rng_free(rng);
	rbm_state_free(s);
	return rc;
}

/* ---- plot ---- */

int cmd_plot(struct ctx *c)
{
	struct rbm_log *log = NULL;
	struct rbm_image *im = NULL;
	struct rbm_err err;
	int rc = picture_start(c);

	if (rc == EXIT_OK && !(log = rbm_log_read(c->argv[0], &err)))
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK && !(im = rbm_plot_log(log, c->argv[0], &err)))
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK)
		rc = save_picture(c, im);
	rbm_image_free(im);
	rbm_log_free(log);
	return rc;
}
