/*
 * batch.h - the one path from rows of items to a batch of units and its
 * mask: rows read from a text reader (rows.h) or gathered from a training
 * set in memory (data.h), up to max at a time into buffers allocated
 * once, and encoded as visible.h says.  Training, the monitor and every
 * command that reads rows take their batches from here.
 *
 * When the model's items are its units (binary and Gaussian models) the
 * rows go straight into the units and are encoded in place only once
 * values may be missing; otherwise they are read as items and encoded.
 * A batch's mask is NULL unless the batch holds a missing value.
 */
#ifndef RBM_BATCH_H
#define RBM_BATCH_H

#include <stddef.h>
#include <sys/types.h>

#include <gsl/gsl_matrix.h>

#include "data.h"
#include "err.h"
#include "rbm.h"
#include "rows.h"

enum {
	RBM_BATCH_MASK = 1,	/* values may be missing: keep their mask */
	RBM_BATCH_ITEMS = 2,	/* keep the rows as read (NaN where missing)
				 * apart from the units */
};

struct rbm_batch {
	gsl_matrix_float *v;	/* the batch's rows as units (n x NV) */
	gsl_matrix_float *mask;	/* their mask (n x NV), or NULL when the
				 * batch has no missing value */
	gsl_matrix_float *items; /* the rows as read (n x items); the units
				  * themselves unless RBM_BATCH_ITEMS or
				  * the model's items are not its units */
	size_t n;		/* rows in the batch */
	size_t missing;		/* missing values in it */
	/* The rest is the batch's own. */
	const struct rbm *m;	/* the model whose units these are */
	size_t max;		/* rows the buffers hold */
	int direct;		/* rows are read into the units */
	gsl_matrix_float *ubuf, *ibuf, *mbuf;	/* max rows each */
	gsl_matrix_float_view vv, iv, mv;	/* the views above */
};

/*
 * Buffers for batches of up to max rows (max > 0) of m's items, with the
 * RBM_BATCH_* flags.  m must outlive the batch and keep its type.  NULL
 * with a message when out of memory.
 */
struct rbm_batch *rbm_batch_alloc(const struct rbm *m, size_t max,
				  int flags, struct rbm_err *err);

/* Release a batch; NULL is a no-op. */
void rbm_batch_free(struct rbm_batch *b);

/*
 * The next rows of r (up to max) as the batch; the number of rows, 0 at
 * the end of the input, or -1 with the reader's message.
 */
ssize_t rbm_batch_read(struct rbm_batch *b, struct rbm_rows *r,
		       struct rbm_err *err);

/* Rows idx[0..k) of d (k <= max) as the batch. */
void rbm_batch_gather(struct rbm_batch *b, const struct rbm_data *d,
		      const size_t *idx, size_t k);

/* The first k rows of a as a view (k <= a's rows). */
gsl_matrix_float_view rbm_batch_top(gsl_matrix_float *a, size_t k);

#endif
