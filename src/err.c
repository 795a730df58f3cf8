/*
 * err.c - formatting of error messages (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void rbm_err_set(struct rbm_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
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
	if (n + 2 < sizeof(err->msg)) {
		size_t k = strnlen(old, sizeof(old) - 1);
		if (k > sizeof(err->msg) - n - 3)
			k = sizeof(err->msg) - n - 3;
		memcpy(err->msg + n, ": ", 2);
		memcpy(err->msg + n + 2, old, k);
		err->msg[n + 2 + k] = '\0';
	}
}
