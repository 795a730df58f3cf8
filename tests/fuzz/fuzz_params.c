/*
 * fuzz_params.c - fuzz target for the plain parameter file reader
 * (params.c, what import reads).
 *
 * The input is the file, read from a memfd as from disk (so the check of
 * declared sizes against the file's size is reached).  Beyond not
 * crashing, leaking or allocating without bound, a file that reads must
 * round-trip: written again (rbm_params_write) and read back, it gives
 * the same sizes and the same numbers, bit for bit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "params.h"
#include "fuzz.h"

/* The model in the file open on fd; NULL when it does not read. */
static struct rbm *read_fd(int fd)
{
	FILE *f = fdopen(fd, "r");
	struct rbm_err err;
	struct rbm *m;

	FUZZ_ASSERT(f != NULL);
	m = rbm_params_read(f, "fuzz", &err);
	FUZZ_ASSERT(m || err.msg[0] != '\0');
	fclose(f);
	return m;
}

/* Whether two models hold the same sizes and bits. */
static int same_model(const struct rbm *a, const struct rbm *b)
{
	size_t i;

	if (a->nv != b->nv || a->nh != b->nh)
		return 0;
	for (i = 0; i < a->nv; i++)
		if (memcmp(gsl_matrix_float_const_ptr(a->w, i, 0),
			   gsl_matrix_float_const_ptr(b->w, i, 0),
			   a->nh * sizeof(float)) != 0 ||
		    memcmp(&a->b->data[i * a->b->stride],
			   &b->b->data[i * b->b->stride], sizeof(float)))
			return 0;
	for (i = 0; i < a->nh; i++)
		if (memcmp(&a->c->data[i * a->c->stride],
			   &b->c->data[i * b->c->stride], sizeof(float)))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbm *m = read_fd(fuzz_memfd("fuzz-params", data, size)), *m2;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!m)
		return 0;
	out = open_memstream(&buf, &len);
	FUZZ_ASSERT(out != NULL);
	rbm_params_write(out, m);
	FUZZ_ASSERT(!ferror(out) && fclose(out) == 0);
	m2 = read_fd(fuzz_memfd("fuzz-params", buf, len));
	FUZZ_ASSERT(m2 != NULL);
	FUZZ_ASSERT(same_model(m, m2));
	rbm_free(m2);
	rbm_free(m);
	free(buf);
	return 0;
}
