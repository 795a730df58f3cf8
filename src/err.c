/*
 * err.c - formatting of error messages (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int rbm_err_set(struct rbm_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void rbm_err_prefix(struct rbm_err *err, const char *fmt, ...)
{
	char old[RBM_ERR_MAX];
	size_t n;
	va_list ap;

	if (!err)
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* ": " and as much of the old message as fits, cut on purpose. */
	n = strlen(err->msg);
	if (n + 3 < sizeof(err->msg)) {
		size_t room = sizeof(err->msg) - n - 3, k = strlen(old);
		memcpy(err->msg + n, ": ", 2);
		memcpy(err->msg + n + 2, old, k < room ? k : room);
		err->msg[n + 2 + (k < room ? k : room)] = '\0';
	}
}
