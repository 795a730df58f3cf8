/*
 * unit.c - the unit-test programs: each runs Check suites, one per module,
 * and exits non-zero if any test failed.  tests/unit_linalg (built with
 * UNIT_LINALG) runs the products' suite, tests/unit all the others: the
 * products' suite alone takes as long as the rest, so make -j2 runs the
 * two side by side.  Also holds the fixtures and helpers the suites share
 * (unit.h).
 *
 * Tests run in forked children by default (CK_FORK=no runs them in one
 * process, for valgrind and debuggers).  The scratch directory is made and
 * removed by an unchecked fixture, which runs in this process, so it is
 * removed even when a test fails or crashes.
 *
 * No test may fail for being slow: a busy machine (or a sanitizer build)
 * can take many times as long as a quiet one.  Check's per-test timeout
 * (4 s by default) is therefore set to an hour for every test case, far
 * above any plausible time yet still an end to a test that hangs.
 * CK_DEFAULT_TIMEOUT in the environment overrides it; no TCase sets its
 * own.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rbm.h"
#include "unit.h"

/* The current TCase's scratch directory; "" outside one. */
static char scratch[4096];

void unit_tmpdir_setup(void)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	snprintf(scratch, sizeof(scratch), "%s/rbm-unit.XXXXXX", base);
	ck_assert_msg(mkdtemp(scratch) != NULL, "mkdtemp %s: %s", scratch,
		      strerror(errno));
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void unit_tmpdir_teardown(void)
{
	if (scratch[0])
		nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	scratch[0] = '\0';
}

char *unit_path(const char *name)
{
	size_t n = strlen(scratch) + strlen(name) + 2;
	char *p = malloc(n);

	ck_assert_msg(scratch[0] != '\0', "no scratch directory (fixture?)");
	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", scratch, name);
	return p;
}

void unit_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

char *unit_read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	ck_assert_uint_eq(*len, (size_t)st.st_size);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

struct rbm *unit_random_model(size_t nv, size_t nh, double scale,
			       unsigned long seed)
{
	struct rbm *m = rbm_alloc(nv, nh, NULL);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t i, j;

	ck_assert_ptr_nonnull(m);
	gsl_rng_set(rng, seed);
	for (i = 0; i < nv; i++)
		for (j = 0; j < nh; j++)
			gsl_matrix_float_set(m->w, i, j, (float)(scale *
				(2 * gsl_rng_uniform(rng) - 1)));
	for (i = 0; i < nv; i++)
		gsl_vector_float_set(m->b, i, (float)(scale *
			(2 * gsl_rng_uniform(rng) - 1)));
	for (j = 0; j < nh; j++)
		gsl_vector_float_set(m->c, j, (float)(scale *
			(2 * gsl_rng_uniform(rng) - 1)));
	gsl_rng_free(rng);
	return m;
}

struct rbm *unit_model(size_t nv, size_t nh, const float *w, const float *b,
		       const float *c)
{
	struct rbm_err err = { "" };
	struct rbm *m = rbm_alloc(nv, nh, &err);
	size_t i, j;

	ck_assert_msg(m != NULL, "%s", err.msg);
	for (i = 0; i < nv; i++) {
		for (j = 0; j < nh; j++)
			gsl_matrix_float_set(m->w, i, j, w[i * nh + j]);
		gsl_vector_float_set(m->b, i, b[i]);
	}
	for (j = 0; j < nh; j++)
		gsl_vector_float_set(m->c, j, c[j]);
	return m;
}

struct rbm *unit_small_model(void)
{
	static const float w[UNIT_NV * UNIT_NH] = { 0.5f, -1.25f, 0.75f,
						    -0.5f, 1.0f, 0.25f,
						    1.5f, -0.75f, -1.0f,
						    0.125f, 0.5f, -0.25f };
	static const float b[UNIT_NV] = { 0.1f, -0.2f, 0.3f, -0.4f };
	static const float c[UNIT_NH] = { -0.3f, 0.2f, 0.05f };

	return unit_model(UNIT_NV, UNIT_NH, w, b, c);
}

double unit_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

double unit_bit(unsigned long n, size_t k)
{
	return (double)((n >> k) & 1UL);
}

/* The byte stream of one block of unit_sample: SplitMix64 from state. */
struct unit_bytes {
	uint64_t state;		/* the generator's counter */
	uint64_t word;		/* bytes left, lowest first */
	int left;		/* how many */
};

/* SplitMix64's output for counter z (its published constants). */
uint64_t unit_splitmix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double unit_byte(struct unit_bytes *b)
{
	double x;

	if (b->left == 0) {
		b->state += UNIT_GOLDEN;
		b->word = unit_splitmix(b->state);
		b->left = 8;
	}
	x = (double)(b->word % 256);
	b->word /= 256;
	b->left--;
	return x;
}

/*
 * A draw with x = p * 2^32 whose u lies in [lo, lo + width): 1 or 0 when
 * settled (with its margin in *margin), -1 while open.
 */
static int unit_settle(double x, double lo, double width, double *margin)
{
	const double two32 = 4294967296.0;

	if (lo + width - 1 < x) {
		*margin = (x - (lo + width - 1)) / two32;
		return 1;
	}
	if (lo >= x) {
		*margin = (lo - x) / two32;
		return 0;
	}
	return -1;
}

/* One segment of n <= UNIT_SEGMENT draws; updates *closest. */
static void unit_segment(struct unit_bytes *b, const double *p, double *s,
			 size_t n, double *closest)
{
	static double lo[UNIT_SEGMENT], width[UNIT_SEGMENT];
	static int got[UNIT_SEGMENT];
	double margin = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		width[i] = 16777216.0;
		lo[i] = unit_byte(b) * width[i];
		got[i] = unit_settle(p[i] * 4294967296.0, lo[i], width[i],
				     &margin);
		if (got[i] >= 0 && p[i] > 0 && p[i] < 1 && margin < *closest)
			*closest = margin;
	}
	for (i = 0; i < n; i++) {
		while (got[i] < 0) {
			width[i] /= 256;
			lo[i] += unit_byte(b) * width[i];
			got[i] = unit_settle(p[i] * 4294967296.0, lo[i],
					     width[i], &margin);
			if (got[i] >= 0 && margin < *closest)
				*closest = margin;
		}
		s[i] = got[i];
	}
}

uint64_t unit_sample_key(gsl_rng *rng)
{
	uint64_t hi = gsl_rng_get(rng);

	return hi << 32 | gsl_rng_get(rng);
}

size_t unit_sample_rows(size_t cols)
{
	return cols < UNIT_BLOCK_DRAWS ? UNIT_BLOCK_DRAWS / cols : 1;
}

double unit_sample(gsl_rng *rng, const double *p, double *s, size_t rows,
		   size_t cols)
{
	uint64_t key = unit_sample_key(rng);
	size_t per = unit_sample_rows(cols);
	struct unit_bytes b = { 0, 0, 0 };
	double closest = 1;
	size_t i, j, n;

	for (i = 0; i < rows; i++) {
		if (i % per == 0) {	/* a new block, a new stream */
			b.state = unit_splitmix(key + (i / per + 1) *
						UNIT_GOLDEN);
			b.left = 0;
		}
		for (j = 0; j < cols; j += n) {
			n = cols - j < UNIT_SEGMENT ? cols - j : UNIT_SEGMENT;
			unit_segment(&b, p + i * cols + j, s + i * cols + j,
				     n, &closest);
		}
	}
	return closest;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* Read by tcase_create(), so before any suite is built. */
	setenv("CK_DEFAULT_TIMEOUT", "3600", 0);
#ifdef UNIT_LINALG
	sr = srunner_create(linalg_suite());	/* tests/unit_linalg */
#else
	sr = srunner_create(rbm_suite());
	srunner_add_suite(sr, image_suite());
	srunner_add_suite(sr, rows_suite());
	srunner_add_suite(sr, state_suite());
	srunner_add_suite(sr, train_suite());
	srunner_add_suite(sr, params_suite());
	srunner_add_suite(sr, score_suite());
	srunner_add_suite(sr, monitor_suite());
	srunner_add_suite(sr, visible_suite());
	srunner_add_suite(sr, settings_suite());
	srunner_add_suite(sr, pickle_suite());
#endif
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
