/*
 * data.h - a training set held in memory, as compactly as its values allow.
 *
 * Rows whose values are all whole numbers from 0 to 254 or missing (0/1
 * data, the usual case, and ratings) cost one byte per value, 255 standing
 * for a missing value; the first other value converts the set to floats,
 * where a missing value is NaN.  Training
 * copies mini-batches out with rbm_data_gather, so no other module needs to
 * know which form the set is in.
 */
#ifndef RBM_DATA_H
#define RBM_DATA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "err.h"
#include "rows.h"

struct rbm_data {
	size_t n;		/* rows held */
	size_t width;		/* values per row */
	size_t cap;		/* rows allocated */
	size_t missing;		/* missing values held */
	unsigned char *bits;	/* n x width bytes while every value fits */
	float *vals;		/* n x width floats once one is not */
};

/* An empty set of rows of width values; NULL with a message. */
struct rbm_data *rbm_data_alloc(size_t width, struct rbm_err *err);

/* Release a set; NULL is a no-op. */
void rbm_data_free(struct rbm_data *d);

/* Append one row of width values; 0, or -1 with a message (memory). */
int rbm_data_append(struct rbm_data *d, const float *row,
		    struct rbm_err *err);

/*
 * Read every row from r into d; 0, or -1 with the reader's message.
 * Memory stays at one batch of floats beyond the compact set.
 */
int rbm_data_read(struct rbm_data *d, struct rbm_rows *r,
		  struct rbm_err *err);

/*
 * Copy rows idx[0..k) into the first k rows of out (k x width or more),
 * missing values as NaN.
 */
void rbm_data_gather(const struct rbm_data *d, const size_t *idx, size_t k,
		     gsl_matrix_float *out);

#endif
