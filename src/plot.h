/*
 * plot.h - training curves: the figures of a training log (log.h)
 * against the epoch, as line charts in one picture.
 */
#ifndef RBM_PLOT_H
#define RBM_PLOT_H

#include <stddef.h>

#include "err.h"
#include "image.h"
#include "log.h"

/*
 * The figures of log as an RGB picture: one chart per kind of figure
 * that has at least one value (reconstruction error; free energy of the
 * training and validation rows together; log-likelihood; learning rate
 * and momentum only when they change), stacked, each with its epoch
 * axis.  NULL with a message ("nothing to plot") when no column has a
 * value.  The caller frees the image.
 */
struct rbm_image *rbm_plot_log(const struct rbm_log *log, const char *name,
			       struct rbm_err *err);

/*
 * A round step for about n ticks over a range of width w > 0: 1, 2 or 5
 * times a power of ten.
 */
double rbm_plot_tick_step(double w, double n);

/* A tick label of v on a scale of step (as many decimals as it needs). */
void rbm_plot_tick_label(char *buf, size_t len, double v, double step);

#endif
