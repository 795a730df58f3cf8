/*
 * rng.c - seeding and saving the random number generator (see rng.h).
 *
 * The state is saved byte for byte, so a continued `train` draws exactly
 * the numbers an uninterrupted one would have; the bytes are those of
 * GSL's state struct, which is the same on every machine of one ABI.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"

gsl_rng *rbm_rng_alloc(unsigned long seed, struct rbm_err *err)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (!r) {
		rbm_err_set(err, "out of memory for the random generator");
		return NULL;
	}
	gsl_rng_set(r, seed);
	return r;
}

unsigned long rbm_rng_os_seed(void)
{
	unsigned long s;

	if (getrandom(&s, sizeof(s), 0) == (ssize_t)sizeof(s))
		return s;
	return (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
}

char *rbm_rng_state_hex(const gsl_rng *rng)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = gsl_rng_state(rng);
	size_t i, n = gsl_rng_size(rng);
	char *hex = malloc(2 * n + 1);

	if (!hex)
		return NULL;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * n] = '\0';
	return hex;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * MT19937 keeps 624 words of 32 bits (in unsigned longs) and an index that
 * must lie in [0, 624]; GSL trusts them, so a hostile state file must not
 * reach it unchecked.  Bits above 32 would make the generator return
 * numbers beyond its maximum, on which gsl_rng_uniform_int (and so the
 * shuffle of every epoch) loops for ever; all words zero is a fixed point
 * that only ever returns 0.  Neither can come from seeding.
 */
#define MT_N 624
struct mt_state {
	unsigned long mt[MT_N];
	int mti;
};

static int mt_state_valid(const gsl_rng *r)
{
	const struct mt_state *s = gsl_rng_state(r);
	unsigned long any = 0;
	size_t i;

	if (gsl_rng_size(r) != sizeof(*s) || s->mti < 0 || s->mti > MT_N)
		return 0;
	for (i = 0; i < MT_N; i++) {
		if (s->mt[i] > 0xffffffffUL)
			return 0;
		any |= s->mt[i];
	}
	return any != 0;
}

gsl_rng *rbm_rng_from_hex(const char *name, const char *hex,
			  struct rbm_err *err)
{
	unsigned char *p;
	gsl_rng *r;
	size_t i, n;

	if (strcmp(name, gsl_rng_mt19937->name) != 0) {
		rbm_err_set(err, "unknown random generator '%s'", name);
		return NULL;
	}
	r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r) {
		rbm_err_set(err, "out of memory for the random generator");
		return NULL;
	}
	n = gsl_rng_size(r);
	if (strlen(hex) != 2 * n) {
		rbm_err_set(err, "random generator state has %zu hex digits, "
			    "%s needs %zu", strlen(hex), name, 2 * n);
		goto fail;
	}
	p = gsl_rng_state(r);
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			rbm_err_set(err, "random generator state is not hex");
			goto fail;
		}
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	if (!mt_state_valid(r)) {
		rbm_err_set(err, "random generator state is out of range");
		goto fail;
	}
	return r;
fail:
	gsl_rng_free(r);
	return NULL;
}
