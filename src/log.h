/*
 * log.h - the CSV training log that train --log writes and plot reads.
 *
 * The log's first line names the columns:
 *
 *     epoch,learning_rate,momentum,recon_error,free_energy_train,
 *     free_energy_valid,loglik,seconds            (one line in the file)
 *
 * and each further line is one epoch, numbers with %.9g and an empty
 * field for a figure that was not measured.  When reading, only "epoch"
 * is required; the other known columns are found by name, so their order
 * does not matter, and unknown columns are ignored.  Each line has as
 * many fields as the header.  Blank lines and repeats of the header line
 * (logs of several runs put one after the other) are skipped.  Errors
 * name the file and line.
 */
#ifndef RBM_LOG_H
#define RBM_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

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

/* Write the header line to f; errors show up in ferror(f). */
void rbm_log_write_header(FILE *f);

/*
 * Write one epoch's line: its number, then fig[c] for every column c
 * after RBM_LOG_EPOCH (fig has RBM_LOG_NCOLS values; NAN or infinite:
 * not measured, an empty field).  Errors show up in ferror(f).
 */
void rbm_log_write_epoch(FILE *f, unsigned long epoch, const double *fig);

#endif
