/*
 * fuzz_rows.c - fuzz target for the row reader (rows.c).
 *
 * The first input byte picks the row width (1 to 16) and whether values
 * must lie in [0, 1] or in [-8, 8]; the second how many rows each call to
 * rbm_rows_read may return (1 to 8).  The rest is the text read, through a
 * memfd, exactly as stdin would be.  The fuzzing build gives the reader a
 * 16-byte first buffer and a 4096-byte line limit, so that short inputs
 * reach the code that slides, grows and refuses a long line.
 *
 * Beyond not crashing, leaking or reading out of bounds, the reader must
 * keep its promises: every row holds finite values inside the range, the
 * count returned never exceeds what was asked nor the lines in the input,
 * line numbers only grow, and an error carries a message naming the
 * source, then repeats on every later call.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "rows.h"
#include "fuzz.h"

#define MAX_WIDTH 16
#define MAX_ASK 8

/* The rows of one call are finite and inside [lo, hi]. */
static void check_rows(const float *rows, size_t n, double lo, double hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		FUZZ_ASSERT(isfinite(rows[i]) && rows[i] >= lo &&
			    rows[i] <= hi);
}

/* Lines in the input: newlines, plus one for a last line without one. */
static size_t count_lines(const uint8_t *p, size_t n)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines + (n > 0 && p[n - 1] != '\n');
}

/* Read everything; return the rows read before the end or an error. */
static size_t drain(struct rbm_rows *r, size_t width, size_t ask,
		    double lo, double hi)
{
	float rows[MAX_WIDTH * MAX_ASK];
	struct rbm_err err, again;
	unsigned long line = 0;
	size_t total = 0;
	ssize_t k;

	for (;;) {
		err.msg[0] = '\0';
		k = rbm_rows_read(r, rows, ask, &err);
		FUZZ_ASSERT(k >= -1 && k <= (ssize_t)ask);
		FUZZ_ASSERT(rbm_rows_lineno(r) >= line);
		line = rbm_rows_lineno(r);
		if (k <= 0)
			break;
		check_rows(rows, (size_t)k * width, lo, hi);
		total += (size_t)k;
	}
	if (k < 0) {
		FUZZ_ASSERT(strncmp(err.msg, "fuzz", 4) == 0);
		FUZZ_ASSERT(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		FUZZ_ASSERT(rbm_rows_read(r, rows, ask, &again) == -1);
		FUZZ_ASSERT(strcmp(err.msg, again.msg) == 0);
	} else {
		FUZZ_ASSERT(rbm_rows_read(r, rows, ask, &again) == 0);
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t width, ask, rows;
	double lo = 0, hi = 1;
	struct rbm_err err;
	struct rbm_rows *r;
	int fd;

	if (size < 2)
		return 0;
	width = 1 + (data[0] & 15);
	if (data[0] & 16) {
		lo = -8;
		hi = 8;
	}
	ask = 1 + (data[1] & 7);
	fd = fuzz_memfd("fuzz-rows", data + 2, size - 2);
	r = rbm_rows_open_fd(fd, "fuzz", width, &err);
	FUZZ_ASSERT(r != NULL);
	if (data[0] & 16)
		rbm_rows_set_range(r, lo, hi);
	rows = drain(r, width, ask, lo, hi);
	FUZZ_ASSERT(rows <= count_lines(data + 2, size - 2));
	rbm_rows_close(r);
	close(fd);
	return 0;
}
