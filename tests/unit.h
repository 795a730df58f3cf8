/*
 * unit.h - the Check unit tests: one suite per module of the library, and
 * the fixtures and helpers the suites share (a scratch directory,
 * whole-file reads and writes, hand-set and random models, reference
 * functions), so that no suite keeps its own copy of one.
 */
#ifndef RBM_TESTS_UNIT_H
#define RBM_TESTS_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "rbm.h"

Suite *image_suite(void);	/* image, picture, font, plot: pictures */
Suite *rbm_suite(void);		/* rbm.c: model and conditionals */
Suite *linalg_suite(void);	/* linalg.c, pool.c: the products */
Suite *rows_suite(void);	/* rows.c and data.c: text rows, data set */
Suite *state_suite(void);	/* state.c, atomic.c, rng.c: the state file */
Suite *train_suite(void);	/* train.c: gradients, updates, epochs */
Suite *monitor_suite(void);	/* monitor.c: per-epoch figures */
Suite *params_suite(void);	/* params.c: parameter file, table */
Suite *score_suite(void);	/* score.c: free energy, log Z, AIS */
Suite *visible_suite(void);	/* visible.c: unit types, missing values */
Suite *settings_suite(void);	/* settings.c: the training settings */
Suite *pickle_suite(void);	/* pickle.c: the original's state files */

/*
 * A scratch directory for the test cases of one TCase: add these two as
 * its unchecked fixture.  Setup makes a fresh directory under $TMPDIR (or
 * /tmp); teardown removes it with everything in it, even after a failure.
 */
void unit_tmpdir_setup(void);
void unit_tmpdir_teardown(void);

/* "SCRATCH/name" in a malloc'ed string, for the caller to free. */
char *unit_path(const char *name);

/* Make path hold exactly len bytes of data (fails the test otherwise). */
void unit_write_file(const char *path, const void *data, size_t len);

/*
 * The whole file at path, NUL-terminated, malloc'ed; its length in *len.
 * Fails the test if it cannot be read.
 */
char *unit_read_file(const char *path, size_t *len);

/*
 * An NV x NH binary model with every parameter uniform in [-scale, scale],
 * drawn from MT19937 seeded with seed (weights, then visible, then hidden
 * biases); fails the test when out of memory.
 */
struct rbm *unit_random_model(size_t nv, size_t nh, double scale,
			      unsigned long seed);

/*
 * A model with the given parameters: w row-major (NV x NH), b (NV), c
 * (NH); fails the test when out of memory.  The suites' hand-set models
 * are built with it.
 */
struct rbm *unit_model(size_t nv, size_t nh, const float *w, const float *b,
		       const float *c);

/*
 * The small model of the train and monitor suites: UNIT_NV x UNIT_NH,
 * hand-set weights and biases of both signs.
 */
#define UNIT_NV 4
#define UNIT_NH 3
struct rbm *unit_small_model(void);

/* The logistic function in double, for reference computations. */
double unit_sigmoid(double x);

/* Bit k of n as 0.0 or 1.0: unit k of state number n. */
double unit_bit(unsigned long n, size_t k);

/*
 * The reference for rbm_sample, written from its definition rather than
 * from its code.  A call takes a 64-bit key from two words of rng (the
 * first high: unit_sample_key) and cuts the rows into blocks of
 * unit_sample_rows(cols) rows (the last may be shorter).  Block b (from 0)
 * draws from its own stream of bytes: the words unit_splitmix(x + k *
 * UNIT_GOLDEN) for k = 1, 2, ..., x = unit_splitmix(key + (b + 1) *
 * UNIT_GOLDEN), each giving eight bytes, lowest first.  A draw is 1 when
 * u < p * 2^32 for a uniform 32-bit u whose bytes come highest first.
 * Row by row, in segments of UNIT_SEGMENT draws, every draw of the
 * segment takes its first byte, in order; then each draw still open (some
 * u starting with its bytes are below p * 2^32 and some are not) takes
 * more bytes, in order, until it is settled.  Samples rows x cols
 * probabilities p (row-major) into s and returns the smallest margin of a
 * draw with 0 < p < 1: how far (in units of p) p could move without
 * changing it.
 */
#define UNIT_SEGMENT 2048
#define UNIT_BLOCK_DRAWS 4096
#define UNIT_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

double unit_sample(gsl_rng *rng, const double *p, double *s, size_t rows,
		   size_t cols);
uint64_t unit_sample_key(gsl_rng *rng);
size_t unit_sample_rows(size_t cols);
uint64_t unit_splitmix(uint64_t z);

#endif
