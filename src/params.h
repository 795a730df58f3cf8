/*
 * params.h - a model's parameters as other programs and people see them:
 * the plain parameter file (export and import), the weight table and a
 * few summary figures.
 *
 * The plain parameter file is what numpy or any other language can write
 * and read with a few lines of code:
 *
 *     NV NH                   (line 1: the sizes, two whole numbers)
 *     NV numbers              (line 2: visible biases b)
 *     NH numbers              (line 3: hidden biases c)
 *     NV lines of NH numbers  (row i: weights from visible unit i)
 *
 * for the energy E(v, h) = -b.v - c.h - v'Wh.  Numbers are written with
 * %.9g, which reads back to the same single-precision value, separated by
 * single spaces.  Reading accepts any spaces or tabs between numbers, a
 * CR before each line end and blank lines after the last row, nothing
 * else; every value must be finite and fit a float.  Errors name the
 * source and line ("stdin:3: expected 2 numbers, got 1").
 */
#ifndef RBM_PARAMS_H
#define RBM_PARAMS_H

#include <stdio.h>

#include "err.h"
#include "rbm.h"

/* Write m as a plain parameter file; errors show up in ferror(out). */
void rbm_params_write(FILE *out, const struct rbm *m);

/*
 * Read a plain parameter file from in, called name in messages.  The
 * sizes are checked with rbm_check_size before anything is allocated.
 * A new model, or NULL with a message naming name and the line.
 */
struct rbm *rbm_params_read(FILE *in, const char *name, struct rbm_err *err);

/*
 * The weight table, laid out as in the original tool's README: a header
 * row of column labels ("bias unit", "hidden 1", ...), a "bias unit" row
 * holding 0 in the corner and then the hidden biases, and one row per
 * visible unit: its name, its visible bias and its weights.  names holds
 * NV names, or is NULL for "visible 1" ... "visible NV".  Numbers have 8
 * decimals; columns are aligned (names counted in UTF-8 characters).
 * 0, or -1 with a message when out of memory; write errors show up in
 * ferror(out).
 */
int rbm_params_write_table(FILE *out, const struct rbm *m,
			   const char *const *names, struct rbm_err *err);

/* A list of names read from a file, one a line. */
struct rbm_names {
	size_t n;		/* names */
	char **name;		/* n NUL-terminated strings */
};

/*
 * Read exactly n names from the file at path, one per line (a CR before
 * the line end is dropped); an empty line, a control character (a tab
 * included: recommend --top's separator) or a count other than n is an
 * error ("FILE: 5 names for 6 visible units").  NULL with a message.
 */
struct rbm_names *rbm_params_read_names(const char *path, size_t n,
					struct rbm_err *err);

/* Release names; NULL is a no-op. */
void rbm_params_free_names(struct rbm_names *names);

/* Summary figures of a model's parameters. */
struct rbm_params_summary {
	float w_min, w_max;	/* smallest and largest weight */
	double w_mean_abs;	/* mean absolute weight */
	float b_min, b_max;	/* range of the visible biases */
	float c_min, c_max;	/* range of the hidden biases */
};

/* Fill sum with the figures of m (sums taken in double). */
void rbm_params_summarize(const struct rbm *m,
			  struct rbm_params_summary *sum);

#endif
