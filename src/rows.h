/*
 * rows.h - text rows in and out.
 *
 * Input: one example per line, values separated by spaces or tabs; CRLF
 * line ends, blank lines and lines whose first non-blank character is '#'
 * are accepted and skipped.  Every row must have exactly the expected
 * number of finite values inside the allowed range; anything else is an
 * error naming the source and line ("stdin:12: expected 784 values, got
 * 783").  Reading is buffered with read(2) and never holds more than one
 * (bounded) line beyond the buffer, so a pipe of any length streams.
 *
 * A missing value is a token of its own ("?" unless set otherwise) that
 * reads as NaN where the caller allows it, and is an error ("stdin:3:
 * missing value '?' not allowed here") where it does not.  A reader of
 * ratings accepts only whole numbers 1..K ("stdin:12: rating 7 outside
 * 1..5").
 *
 * Output: the original tool's tokens: a value below 0.001 prints as "0",
 * above 0.999 as "1", anything else as the number (%.6g); or plain
 * numbers with a chosen number of significant digits (%.*g), which keep
 * small probabilities visible (rbmcmd's --precision).
 */
#ifndef RBM_ROWS_H
#define RBM_ROWS_H

#include <stdio.h>
#include <sys/types.h>

#include "err.h"

#ifndef RBM_ROWS_MAX_LINE	/* (the fuzzing build lowers it) */
#define RBM_ROWS_MAX_LINE (64UL << 20)	/* longest line, newline included */
#endif

struct rbm_rows;

/*
 * A reader of rows of width values from the open descriptor fd, called
 * name in messages ("stdin").  The reader does not close fd.  Values must
 * lie in [0, 1] until rbm_rows_set_range says otherwise.  NULL with a
 * message when out of memory.
 */
struct rbm_rows *rbm_rows_open_fd(int fd, const char *name, size_t width,
				  struct rbm_err *err);

/* A reader of the file at path, which it closes; NULL with a message. */
struct rbm_rows *rbm_rows_open_path(const char *path, size_t width,
				    struct rbm_err *err);

/* Release a reader (and close its file if it opened it); NULL is a no-op. */
void rbm_rows_close(struct rbm_rows *r);

/* Accept values in [lo, hi] instead of [0, 1]. */
void rbm_rows_set_range(struct rbm_rows *r, double lo, double hi);

#define RBM_ROWS_MISSING_DEFAULT "?"

/*
 * The token of a missing value (token must outlive the reader; NULL
 * keeps "?") and whether it is allowed, in which case it reads as NaN.
 * Missing values are not allowed until this says so.
 */
void rbm_rows_set_missing(struct rbm_rows *r, const char *token, int allow);

/*
 * Read a span of a file: the reader starts after line lines (the next
 * line read is lines + 1 in messages) and reads no line that starts
 * span bytes or more after where reading began (the next part's).
 */
void rbm_rows_set_span(struct rbm_rows *r, unsigned long lines, size_t span);

/*
 * Accept only ratings: whole numbers from 1 to k (k > 0), instead of the
 * range of rbm_rows_set_range.
 */
void rbm_rows_set_ratings(struct rbm_rows *r, unsigned long k);

/* The line of the first missing value read so far, or 0 if none. */
unsigned long rbm_rows_first_missing(const struct rbm_rows *r);

/*
 * Read up to max rows into dst (max * width floats, row after row).
 * Returns the number read, 0 only at end of input, or -1 with a message
 * naming the source and line.  It returns early, with fewer rows, rather
 * than wait for more input once it has a row, so a program feeding one
 * line at a time through a pipe gets each answer before sending the next.
 * Rows before a bad line are returned first; the error comes on the call
 * after them.
 */
ssize_t rbm_rows_read(struct rbm_rows *r, float *dst, size_t max,
		      struct rbm_err *err);

/* Number of the last line read (1-based), for messages of callers. */
unsigned long rbm_rows_lineno(const struct rbm_rows *r);

/* The name given at open, for messages of callers. */
const char *rbm_rows_name(const struct rbm_rows *r);

/*
 * Write one row of n values in the original tool's token format, space
 * separated and newline terminated.  Errors show up in ferror(out).
 */
void rbm_rows_write(FILE *out, const float *row, size_t n);

#define RBM_ROWS_PLAIN_DIGITS 6	/* the plain numbers' usual digits */
#define RBM_ROWS_MAX_DIGITS 17	/* enough for any double to read back */

/*
 * Write k rows of n values (row r at rows + r * ld) as rbm_rows_write
 * does, the same bytes, formatted on the products' pool of threads
 * (pool.h) when there are many.
 */
void rbm_rows_write_many(FILE *out, const float *rows, size_t ld, size_t k,
			 size_t n);

/*
 * Write one row of n values as plain numbers, as printf's "%.*g" writes
 * them with digits significant digits (1 to RBM_ROWS_MAX_DIGITS; 9 give
 * every float back exactly): for values that are not probabilities
 * (Gaussian units, ratings), and for probabilities that must not be
 * rounded to 0 or 1 (2.5e-05 stays 2.5e-05).  Like rbm_rows_write.
 */
void rbm_rows_write_plain(FILE *out, const float *row, size_t n, int digits);

#endif
