/*
 * err.h - an error message carried upward to the one place that prints it.
 *
 * Library functions never print and never exit.  When one fails it fills a
 * struct rbm_err with a message that already names the context it knows
 * (for example "stdin:12: expected 784 values, got 783") and returns -1 or
 * NULL.  The CLI adds the program and command names and prints it once.
 */
#ifndef RBM_ERR_H
#define RBM_ERR_H

#include <stddef.h>

#define RBM_ERR_MAX 512

struct rbm_err {
	char msg[RBM_ERR_MAX];	/* NUL-terminated message, "" if none */
};

/*
 * Format a message into err (which may be NULL, then nothing happens).
 * Returns -1, so that a failure is one line: return rbm_err_set(err, ...).
 */
int rbm_err_set(struct rbm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Put "prefix: " in front of the message already in err. */
void rbm_err_prefix(struct rbm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
