/*
 * fuzz_pickle.c - fuzz target for the pickle reader (pickle.c), which
 * reads the original rbmcmd's state files: Python pickles, the format
 * most able to hurt a careless reader (it is a program for a stack
 * machine).
 *
 * The input is a pickle.  Beyond not crashing, leaking, recursing or
 * allocating without bound, a stream is either refused with a message
 * that names it, or gives a model whose sizes rbm_check_size accepts,
 * every parameter finite, a protocol from 0 to 5; and reading it again
 * gives the same numbers, bit for bit (the reader keeps no state).
 */
#include <math.h>
#include <string.h>

#include "pickle.h"
#include "fuzz.h"

/* Every parameter of m is finite. */
static int all_finite(const struct rbm *m)
{
	size_t i, j;

	for (i = 0; i < m->nv; i++) {
		if (!isfinite(gsl_vector_float_get(m->b, i)))
			return 0;
		for (j = 0; j < m->nh; j++)
			if (!isfinite(gsl_matrix_float_get(m->w, i, j)))
				return 0;
	}
	for (j = 0; j < m->nh; j++)
		if (!isfinite(gsl_vector_float_get(m->c, j)))
			return 0;
	return 1;
}

/* Two models hold the same bits. */
static int same(const struct rbm *a, const struct rbm *b)
{
	size_t i;

	if (a->nv != b->nv || a->nh != b->nh ||
	    memcmp(a->b->data, b->b->data, a->nv * sizeof(float)) ||
	    memcmp(a->c->data, b->c->data, a->nh * sizeof(float)))
		return 0;
	for (i = 0; i < a->nv; i++)
		if (memcmp(gsl_matrix_float_const_ptr(a->w, i, 0),
			   gsl_matrix_float_const_ptr(b->w, i, 0),
			   a->nh * sizeof(float)))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbm_pickle_info info, again;
	struct rbm_err err;
	struct rbm *m, *n;

	err.msg[0] = '\0';
	m = rbm_pickle_read(data, size, "fuzz", &info, &err);
	if (!m) {
		FUZZ_ASSERT(strncmp(err.msg, "fuzz: ", 6) == 0);
		return 0;
	}
	FUZZ_ASSERT(rbm_check_size(m->nv, m->nh, NULL) == 0);
	FUZZ_ASSERT(info.protocol >= 0 && info.protocol <= 5);
	FUZZ_ASSERT(all_finite(m));
	n = rbm_pickle_read(data, size, "fuzz", &again, &err);
	FUZZ_ASSERT(n != NULL && same(m, n));
	FUZZ_ASSERT(again.protocol == info.protocol &&
		    again.old_style == info.old_style);
	rbm_free(m);
	rbm_free(n);
	return 0;
}
