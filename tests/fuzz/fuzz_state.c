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
 * bytes, so rbmcmd never writes a file it cannot read back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
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

/* Saving s and loading the result gives back the same bytes. */
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
	FUZZ_ASSERT(rbm_state_format(t, &b, &blen) == 0);
	FUZZ_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
	rbm_state_free(t);
	free(a);
	free(b);
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
	} else {
		FUZZ_ASSERT(err.msg[0] == '/');
	}
	rbm_state_free(s);
	free(sealed);
	return 0;
}
