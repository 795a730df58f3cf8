/*
 * plot.c - the chart drawer (plot.h); log.c reads the log.
 *
 * The picture is a column of charts that share one layout: the same
 * epoch range and the same left margin (wide enough for the longest
 * tick label of any chart), so the epochs line up from chart to chart.
 * Axes get round ticks (1, 2 or 5 times a power of ten); the value axis
 * is widened to whole ticks, the epoch axis spans the epochs exactly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "plot.h"

/* ---- ticks ---- */

double rbm_plot_tick_step(double w, double n)
{
	double raw = w / n, p = pow(10, floor(log10(raw))), f = raw / p;

	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

void rbm_plot_tick_label(char *buf, size_t len, double v, double step)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	if (fabs(v) < step * 1e-6)
		v = 0;	/* no "-0.00" from rounding */
	if (dec > 6 || fabs(v) >= 1e7)
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "%.*f", dec, v);
}

/* ---- drawing ---- */

#define S 2			/* font scale */
#define TEXT_H (RBM_GLYPH_H * S)	/* a line of text, descenders too */
#define CAP_H ((RBM_GLYPH_BASE + 1) * S)	/* above the baseline */
#define PAD 16			/* around the picture */
#define WIDTH 720		/* of the picture */
#define PLOT_H 170		/* of a chart's area */
#define TITLE_GAP 10		/* between a title and its chart */
#define TICK_GAP 8		/* between a chart and its tick labels */
#define CHART_GAP 26		/* between one chart's labels and the next */
#define LABEL_GAP 10		/* above the axis title "epoch" */
#define CHART_H (TEXT_H + TITLE_GAP + PLOT_H + TICK_GAP + TEXT_H + CHART_GAP)
#define MAX_MARKED 60		/* epochs up to which points get dots */

static const unsigned char white[3] = { 255, 255, 255 };
static const unsigned char ink[3] = { 40, 40, 40 };
static const unsigned char grey[3] = { 100, 100, 100 };
static const unsigned char frame[3] = { 170, 170, 170 };
static const unsigned char grid[3] = { 232, 232, 232 };
static const unsigned char blue[3] = { 31, 119, 180 };
static const unsigned char orange[3] = { 230, 110, 0 };

/* The charts that can be drawn, in order, and the columns of each. */
static const struct chart_def {
	const char *title;
	int col[2];		/* columns drawn, -1 for none */
	const char *label[2];	/* their legend, NULL for none */
	int if_changing;	/* only when the values are not all equal */
} charts[] = {
	{ "reconstruction error", { RBM_LOG_RECON, -1 }, { NULL, NULL }, 0 },
	{ "free energy", { RBM_LOG_FE_TRAIN, RBM_LOG_FE_VALID },
	  { "train", "validation" }, 0 },
	{ "log-likelihood", { RBM_LOG_LOGLIK, -1 }, { NULL, NULL }, 0 },
	{ "learning rate", { RBM_LOG_RATE, -1 }, { NULL, NULL }, 1 },
	{ "momentum", { RBM_LOG_MOMENTUM, -1 }, { NULL, NULL }, 1 },
};

#define NCHARTS (sizeof(charts) / sizeof(charts[0]))

/* A chart to draw: its definition and value axis. */
struct chart {
	const struct chart_def *def;
	double y0, y1, step;	/* axis range and tick step */
};

/* What all charts share. */
struct layout {
	const struct rbm_log *log;
	long left, top;		/* chart area's top-left (top of chart 0) */
	long w;			/* chart area's width */
	double x0, x1, xstep;	/* epoch axis */
};

/* The range of the finite values in the chart's columns; 0 if none. */
static int value_range(const struct rbm_log *log, const struct chart_def *d,
		       double *lo, double *hi)
{
	size_t i, s;
	int any = 0;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (s = 0; s < 2; s++)
		for (i = 0; d->col[s] >= 0 && i < log->n; i++) {
			double v = log->col[d->col[s]][i];
			if (!isfinite(v))
				continue;
			*lo = fmin(*lo, v);
			*hi = fmax(*hi, v);
			any = 1;
		}
	return any;
}

/* Fill ch for definition d; 0 if the chart is not to be drawn. */
static int chart_setup(const struct rbm_log *log, const struct chart_def *d,
		       struct chart *ch)
{
	double lo, hi, pad;

	if (!value_range(log, d, &lo, &hi) || (d->if_changing && lo == hi))
		return 0;
	if (hi - lo <= 1e-12 * fmax(1, fabs(hi))) {
		pad = fabs(hi) > 0 ? fabs(hi) * 0.05 : 1;
		lo -= pad;
		hi += pad;
	}
	ch->def = d;
	ch->step = rbm_plot_tick_step(hi - lo, 4);
	ch->y0 = floor(lo / ch->step) * ch->step;
	ch->y1 = ceil(hi / ch->step) * ch->step;
	return 1;
}

#define MAX_TICKS 100	/* per axis; more means step and range disagree */

/*
 * The ticks i * step from lo to hi (both multiples of step, rounded, when
 * snap; else the multiples inside [lo, hi]): the first index in *first
 * and their number, or 0 when there would be more than MAX_TICKS or the
 * indices are not finite or too large for a double to count by one (an
 * epoch of 1e20 made the loop over them endless, and a long overflow).
 */
static long tick_range(double lo, double hi, double step, int snap,
		       double *first)
{
	double a = snap ? round(lo / step) : ceil(lo / step);
	double b = snap ? round(hi / step) : floor(hi / step);

	*first = a;
	if (!isfinite(a) || !isfinite(b) || fabs(a) > 1e15 ||
	    fabs(b) > 1e15 || b < a || b - a >= MAX_TICKS)
		return 0;
	return (long)(b - a) + 1;
}

/* Widest tick label of the chart, in pixels. */
static size_t label_width(const struct chart *ch)
{
	size_t w = 0;
	double i0;
	long k, n = tick_range(ch->y0, ch->y1, ch->step, 1, &i0);
	char buf[64];

	for (k = 0; k < n; k++) {
		rbm_plot_tick_label(buf, sizeof(buf),
				    (i0 + (double)k) * ch->step, ch->step);
		if (rbm_font_width(buf, S) > w)
			w = rbm_font_width(buf, S);
	}
	return w;
}

static void epoch_axis(struct layout *L)
{
	const double *e = L->log->col[RBM_LOG_EPOCH];
	size_t i;

	L->x0 = L->x1 = e[0];
	for (i = 1; i < L->log->n; i++) {
		L->x0 = fmin(L->x0, e[i]);
		L->x1 = fmax(L->x1, e[i]);
	}
	if (L->x0 == L->x1) {
		L->x0 -= 1;
		L->x1 += 1;
	}
	L->xstep = fmax(1, rbm_plot_tick_step(L->x1 - L->x0, 6));
}

static double px(const struct layout *L, double x)
{
	return (double)L->left + (x - L->x0) / (L->x1 - L->x0) * (double)L->w;
}

static double py(const struct chart *ch, long top, double y)
{
	return (double)top + (1 - (y - ch->y0) / (ch->y1 - ch->y0)) * PLOT_H;
}

/* Title, and legend at the right when the chart has labelled lines. */
static void draw_title(struct rbm_image *im, const struct layout *L,
		       const struct chart *ch, long y)
{
	const unsigned char *color[2] = { blue, orange };
	long x = L->left + L->w;
	int s;

	rbm_font_draw(im, L->left, y, ch->def->title, S, ink);
	for (s = 1; s >= 0; s--) {
		double lo, hi;
		struct chart_def one = { NULL, { ch->def->col[s], -1 },
					 { NULL, NULL }, 0 };
		if (!ch->def->label[s] || ch->def->col[s] < 0 ||
		    !value_range(L->log, &one, &lo, &hi))
			continue;
		x -= (long)rbm_font_width(ch->def->label[s], S);
		rbm_font_draw(im, x, y, ch->def->label[s], S, ink);
		x -= 30;
		rbm_image_rect(im, x, y + CAP_H / 2 - 1, 22, 3, color[s]);
		x -= 20;
	}
}

/* Grid lines, frame and tick labels of a chart whose area starts at top. */
static void draw_axes(struct rbm_image *im, const struct layout *L,
		      const struct chart *ch, long top)
{
	double i0, x0;
	long i, ny = tick_range(ch->y0, ch->y1, ch->step, 1, &i0);
	long nx = tick_range(L->x0, L->x1, L->xstep, 0, &x0);
	char buf[64];

	for (i = 0; i < ny; i++) {
		double v = (i0 + (double)i) * ch->step;
		long y = lround(py(ch, top, v));
		rbm_image_rect(im, L->left, y, L->w, 1, grid);
		rbm_plot_tick_label(buf, sizeof(buf), v, ch->step);
		rbm_font_draw(im, L->left - 10 - (long)rbm_font_width(buf, S),
			      y - CAP_H / 2, buf, S, grey);
	}
	for (i = 0; i < nx; i++) {
		double v = (x0 + (double)i) * L->xstep;
		long x = lround(px(L, v));
		rbm_image_rect(im, x, top, 1, PLOT_H, grid);
		rbm_image_rect(im, x, top + PLOT_H, 1, 5, frame);
		rbm_plot_tick_label(buf, sizeof(buf), v, L->xstep);
		rbm_font_draw(im, x - (long)rbm_font_width(buf, S) / 2,
			      top + PLOT_H + TICK_GAP, buf, S, grey);
	}
	rbm_image_rect(im, L->left, top, L->w, 1, frame);
	rbm_image_rect(im, L->left, top + PLOT_H, L->w + 1, 1, frame);
	rbm_image_rect(im, L->left, top, 1, PLOT_H, frame);
	rbm_image_rect(im, L->left + L->w, top, 1, PLOT_H, frame);
}

/* The line of one column: each run of measured epochs as a polyline. */
static int draw_series(struct rbm_image *im, const struct layout *L,
		       const struct chart *ch, long top, int col,
		       const unsigned char *color, double *xs, double *ys,
		       struct rbm_err *err)
{
	const double *e = L->log->col[RBM_LOG_EPOCH], *v = L->log->col[col];
	size_t i, k = 0, n = L->log->n;

	for (i = 0; i <= n; i++) {
		if (i < n && isfinite(v[i])) {
			xs[k] = px(L, e[i]);
			ys[k++] = py(ch, top, v[i]);
			continue;
		}
		if (k && rbm_image_polyline(im, xs, ys, k, 2.2, color,
					    err) < 0)
			return -1;
		while (n <= MAX_MARKED && k > 0) {
			k--;
			if (rbm_image_polyline(im, &xs[k], &ys[k], 1, 6,
					       color, err) < 0)
				return -1;
		}
		k = 0;
	}
	return 0;
}

static int draw_chart(struct rbm_image *im, const struct layout *L,
		      const struct chart *ch, long y, double *xs, double *ys,
		      struct rbm_err *err)
{
	const unsigned char *color[2] = { blue, orange };
	long top = y + TEXT_H + TITLE_GAP;
	int s;

	draw_title(im, L, ch, y);
	draw_axes(im, L, ch, top);
	for (s = 0; s < 2; s++)
		if (ch->def->col[s] >= 0 &&
		    draw_series(im, L, ch, top, ch->def->col[s], color[s], xs,
				ys, err) < 0)
			return -1;
	return 0;
}

/* Draw the charts into a new image; NULL with a message. */
static struct rbm_image *draw(struct layout *L, const struct chart *ch,
			      size_t n, struct rbm_err *err)
{
	long h = PAD + (long)n * CHART_H - CHART_GAP + LABEL_GAP + TEXT_H +
		 PAD;
	struct rbm_image *im = rbm_image_alloc(WIDTH, (size_t)h, 3, err);
	double *xs = malloc(2 * (L->log->n + 1) * sizeof(*xs));
	size_t i;
	int ok = im && xs;

	if (im && !xs)
		rbm_err_set(err, "out of memory");
	if (ok)
		rbm_image_fill(im, white);
	for (i = 0; ok && i < n; i++)
		ok = draw_chart(im, L, &ch[i], PAD + (long)(i * CHART_H), xs,
				xs + L->log->n + 1, err) == 0;
	if (ok)
		rbm_font_draw(im, L->left + L->w / 2 -
			      (long)rbm_font_width("epoch", S) / 2,
			      h - PAD - TEXT_H, "epoch", S, ink);
	free(xs);
	if (!ok) {
		rbm_image_free(im);
		return NULL;
	}
	return im;
}

struct rbm_image *rbm_plot_log(const struct rbm_log *log, const char *name,
			       struct rbm_err *err)
{
	struct chart ch[NCHARTS];
	struct layout L = { .log = log };
	size_t i, n = 0, lw = 0;

	for (i = 0; i < NCHARTS; i++)
		if (chart_setup(log, &charts[i], &ch[n])) {
			if (label_width(&ch[n]) > lw)
				lw = label_width(&ch[n]);
			n++;
		}
	if (n == 0) {
		rbm_err_set(err, "%s: nothing to plot: no figure has a value",
			    name);
		return NULL;
	}
	epoch_axis(&L);
	L.left = PAD + (long)lw + 10;
	L.w = WIDTH - L.left - PAD - 12;
	return draw(&L, ch, n, err);
}
