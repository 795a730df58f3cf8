/*
 * fuzz_state.c - fuzz target for the state file loader (state.c, rng.c).
 *
 * The first input byte is a mode, the rest a state file.  With bit 0 of
 * the mode set the target first re-seals the file: it appends the end
 * line with the right checksum, so that mutations get past the checksum
 * and reach the parser (almost every random change fails the checksum,
 * which is what the other mode tests).  The file is loaded from a memfd
 * through its /proc/self/fd path, as from disk.
 *
 * Beyond not crashing, leaking or allocating without bound, a file that
 * loads must round-trip: saved again and reloaded, it gives the same
 * numbers, bit for bit, and the same bytes, so rbmcmd never writes a file
 * it cannot read back or that reads back as another model.  Then, as
 * train would, the target trains it for an epoch on three rows (with at
 * most three Gibbs steps, so that no input is slow; bit 1 of the mode
 * raises the stop flag first) and the result must round-trip too: a
 * file that loads must also train, whatever optional sections it holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "state.h"
#include "train.h"
#include "visible.h"
#include "fuzz.h"

/* The body with a newline if it lacks one and a valid end line. */
static uint8_t *reseal(const uint8_t *body, size_t n, size_t *len)
{
	uint8_t *buf = malloc(n + 40);
	size_t k = n;

	FUZZ_ASSERT(buf != NULL);
	memcpy(buf, body, n);
	if (k == 0 || buf[k - 1] != '\n')
		buf[k++] = '\n';
	k += (size_t)snprintf((char *)buf + k, 40, "end fnv1a64 %016" PRIx64
			      "\n", rbm_state_checksum(buf, k));
	*len = k;
	return buf;
}

/* Load the len bytes at data as a file; NULL with a message. */
static struct rbm_state *load_bytes(const void *data, size_t len,
				    struct rbm_err *err)
{
	char path[64];
	struct rbm_state *s;
	int fd = fuzz_memfd("fuzz-state", data, len);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	s = rbm_state_load(path, err);
	close(fd);
	return s;
}

/* Whether two matrices (or NULLs) hold the same bits. */
static int same_matrix(const gsl_matrix_float *a, const gsl_matrix_float *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->size1 != b->size1 || a->size2 != b->size2)
		return 0;
	for (i = 0; i < a->size1; i++)
		if (memcmp(gsl_matrix_float_const_ptr(a, i, 0),
			   gsl_matrix_float_const_ptr(b, i, 0),
			   a->size2 * sizeof(float)) != 0)
			return 0;
	return 1;
}

/* Whether two vectors (or NULLs) hold the same bits. */
static int same_vector(const gsl_vector_float *a, const gsl_vector_float *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->size != b->size)
		return 0;
	for (i = 0; i < a->size; i++)
		if (memcmp(gsl_vector_float_const_ptr(a, i),
			   gsl_vector_float_const_ptr(b, i), sizeof(float)))
			return 0;
	return 1;
}

/* Whether two models (or NULLs) hold the same bits. */
static int same_model(const struct rbm *a, const struct rbm *b)
{
	if (!a || !b)
		return a == b;
	return same_matrix(a->w, b->w) && same_vector(a->b, b->b) &&
	       same_vector(a->c, b->c);
}

/* Every number of two states is the same, bit for bit. */
static int same_numbers(const struct rbm_state *s, const struct rbm_state *t)
{
	const struct rbm_train_state *a = &s->train, *b = &t->train;

	return same_model(s->model, t->model) &&
	       same_model(a->velocity, b->velocity) &&
	       same_matrix(a->chains, b->chains) &&
	       same_vector(a->vis_offset, b->vis_offset) &&
	       same_vector(a->hid_offset, b->hid_offset) &&
	       same_vector(a->hid_mean, b->hid_mean) &&
	       gsl_rng_size(s->rng) == gsl_rng_size(t->rng) &&
	       memcmp(gsl_rng_state(s->rng), gsl_rng_state(t->rng),
		      gsl_rng_size(s->rng)) == 0;
}

/* Saving s and loading the result gives back s, and the same bytes. */
static void check_round_trip(const struct rbm_state *s)
{
	char *a, *b;
	size_t alen, blen;
	struct rbm_err err;
	struct rbm_state *t;

	FUZZ_ASSERT(rbm_state_format(s, &a, &alen) == 0);
	t = load_bytes(a, alen, &err);
	if (!t)
		fprintf(stderr, "reload failed: %s\n", err.msg);
	FUZZ_ASSERT(t != NULL);
	FUZZ_ASSERT(same_numbers(s, t));
	FUZZ_ASSERT(rbm_state_format(t, &b, &blen) == 0);
	FUZZ_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
	rbm_state_free(t);
	free(a);
	free(b);
}

/*
 * Three rows of the model's items (0/1 patterns and halves, or ratings
 * for softmax units) as a data set.
 */
static struct rbm_data *three_rows(const struct rbm *m)
{
	size_t n = rbm_visible_items(m);
	struct rbm_data *d = rbm_data_alloc(n, NULL);
	float *row = malloc(n * sizeof(*row));
	size_t i, j;

	FUZZ_ASSERT(d != NULL && row != NULL);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < n; j++)
			row[j] = m->k > 1 ? (float)((i + j) % m->k + 1) :
				 i == 2 ? 0.5f : (float)((i + j) % 2);
		FUZZ_ASSERT(rbm_data_append(d, row, NULL) == 0);
	}
	free(row);
	return d;
}

/* A training hook that asks to stop after every mini-batch. */
static int stop_hook(void *arg, size_t done, size_t rows)
{
	(void)arg;
	(void)done;
	(void)rows;
	return 1;
}

/*
 * One epoch of training (stopped after its first mini-batch when
 * stop_first); the trained state must still round-trip.
 */
static void check_training(struct rbm_state *s, int stop_first)
{
	struct rbm_train_settings p = s->params;
	struct rbm_data *d = three_rows(s->model);
	struct rbm_epoch_stats st;
	struct rbm_trainer *t;
	struct rbm_err err;
	int rc;

	if (p.cd_k > 3)
		p.cd_k = 3;
	t = rbm_trainer_alloc(s->model, &s->train, &p, d, 2, s->rng, &err);
	FUZZ_ASSERT(t != NULL);
	if (stop_first)
		rbm_trainer_set_hook(t, stop_hook, NULL);
	rc = rbm_train_epoch(t, s->rng, &st, &err);
	FUZZ_ASSERT(rc == 0 || rc == -1 || (rc == 1 && stop_first));
	FUZZ_ASSERT(rc != 0 || st.rows == 3);
	FUZZ_ASSERT(rc != 1 || (st.rows > 0 && st.rows < 3));
	rbm_trainer_finish(t);
	rbm_trainer_free(t);
	rbm_data_free(d);
	if (rc >= 0)
		check_round_trip(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbm_err err;
	struct rbm_state *s;
	uint8_t *sealed = NULL;
	size_t len;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		sealed = reseal(data + 1, size - 1, &len);
		s = load_bytes(sealed, len, &err);
	} else {
		s = load_bytes(data + 1, size - 1, &err);
	}
	if (s) {
		FUZZ_ASSERT(rbm_check_size(s->model->nv, s->model->nh,
					   NULL) == 0);
		check_round_trip(s);
		check_training(s, data[0] & 2);
	} else {
		FUZZ_ASSERT(err.msg[0] == '/');
	}
	rbm_state_free(s);
	free(sealed);
	return 0;
}
