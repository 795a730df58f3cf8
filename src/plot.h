/*
 * plot.h - training curves: read the CSV log that train --log writes and
 * draw its figures against the epoch as line charts in one picture.
 *
 * The log's first line names the columns, such as
 *
 *     epoch,learning_rate,momentum,recon_error,free_energy_train,
 *     free_energy_valid,loglik,seconds            (one line in the file)
 *
 * Only "epoch" is required; the other known columns are found by name,
 * so their order does not matter, and unknown columns are ignored.  Each
 * further line is one epoch, with as many fields as the header; an empty
 * field is a figure that was not measured.  Blank lines and repeats of
 * the header line (logs of several runs put one after the other) are
 * skipped.  Errors name the file and line.
 */
#ifndef RBM_PLOT_H
#define RBM_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "image.h"

enum rbm_log_col {
	RBM_LOG_EPOCH, RBM_LOG_RATE, RBM_LOG_MOMENTUM, RBM_LOG_RECON,
	RBM_LOG_FE_TRAIN, RBM_LOG_FE_VALID, RBM_LOG_LOGLIK, RBM_LOG_SECONDS,
	RBM_LOG_NCOLS
};

/* The column names of the header, indexed by enum rbm_log_col. */
extern const char *const rbm_log_names[RBM_LOG_NCOLS];

struct rbm_log {
	size_t n;			/* epochs: lines of figures */
	double *col[RBM_LOG_NCOLS];	/* n values each, NAN where the
					 * field is empty or the column
					 * absent */
};

/*
 * Read a log from f, called name in messages; NULL with a message
 * ("train.csv:7: expected 8 fields, got 7").
 */
struct rbm_log *rbm_log_parse(FILE *f, const char *name,
			      struct rbm_err *err);

/* Read the log at path; NULL with a message naming the path. */
struct rbm_log *rbm_log_read(const char *path, struct rbm_err *err);

/* Release a log; NULL is a no-op. */
void rbm_log_free(struct rbm_log *log);

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
