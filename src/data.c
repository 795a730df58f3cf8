/*
 * data.c - the in-memory training set (see data.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "pool.h"

#define READ_CHUNK 256	/* rows parsed per call into the reader */

struct rbm_data *rbm_data_alloc(size_t width, struct rbm_err *err)
{
	struct rbm_data *d = calloc(1, sizeof(*d));

	if (!d) {
		rbm_err_set(err, "out of memory");
		return NULL;
	}
	d->width = width;
	return d;
}

void rbm_data_free(struct rbm_data *d)
{
	if (!d)
		return;
	free(d->bits);
	free(d->vals);
	free(d);
}

#define BYTE_MISSING 255	/* a missing value in the byte form */

/* Whether every value of the row fits the byte form. */
static int all_bytes(const float *row, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (!isnan(row[j]) && (row[j] != 0.0f && row[j] != 1.0f) &&
		    !(row[j] >= 0.0f && row[j] < (float)BYTE_MISSING &&
		      row[j] == floorf(row[j])))
			return 0;
	return 1;
}

/* A byte of the compact form as a float. */
static float byte_value(unsigned char b)
{
	return b == BYTE_MISSING ? NAN : (float)b;
}

/* Switch the storage from bytes to floats, keeping cap rows of room. */
static int to_floats(struct rbm_data *d)
{
	size_t i, total = d->n * d->width;
	float *v = malloc((d->cap ? d->cap : 1) * d->width * sizeof(*v));

	if (!v)
		return -1;
	for (i = 0; i < total; i++)
		v[i] = byte_value(d->bits[i]);
	free(d->bits);
	d->bits = NULL;
	d->vals = v;
	return 0;
}

/* Make room for one more row, doubling the allocation. */
static int grow(struct rbm_data *d)
{
	size_t cap = d->cap ? 2 * d->cap : 64;
	size_t esize = d->vals ? sizeof(float) : 1;
	void *p;

	if (cap > ((size_t)-1 / esize) / d->width)
		return -1;
	p = realloc(d->vals ? (void *)d->vals : (void *)d->bits,
		    cap * d->width * esize);
	if (!p)
		return -1;
	if (d->vals)
		d->vals = p;
	else
		d->bits = p;
	d->cap = cap;
	return 0;
}

int rbm_data_append(struct rbm_data *d, const float *row,
		    struct rbm_err *err)
{
	size_t j, w = d->width;

	if ((d->n == d->cap && grow(d) < 0) ||
	    (!d->vals && !all_bytes(row, w) && to_floats(d) < 0)) {
		rbm_err_set(err, "out of memory after %zu rows", d->n);
		return -1;
	}
	if (d->vals) {
		memcpy(d->vals + d->n * w, row, w * sizeof(*row));
	} else {
		unsigned char *b = d->bits + d->n * w;
		for (j = 0; j < w; j++)
			b[j] = isnan(row[j]) ? BYTE_MISSING
					     : (unsigned char)row[j];
	}
	for (j = 0; j < w; j++)
		d->missing += (size_t)isnan(row[j]);
	d->n++;
	return 0;
}

int rbm_data_read(struct rbm_data *d, struct rbm_rows *r,
		  struct rbm_err *err)
{
	float *buf = malloc(READ_CHUNK * d->width * sizeof(*buf));
	ssize_t k, i;
	int rc = -1;

	if (!buf) {
		rbm_err_set(err, "out of memory");
		return -1;
	}
	while ((k = rbm_rows_read(r, buf, READ_CHUNK, err)) > 0)
		for (i = 0; i < k; i++)
			if (rbm_data_append(d, buf + (size_t)i * d->width,
					    err) < 0)
				goto out;
	if (k == 0)
		rc = 0;
out:
	free(buf);
	return rc;
}

/* The rows of a gather in blocks of GATHER_ROWS, for the pool. */
#define GATHER_ROWS 16

struct gather {
	const struct rbm_data *d;
	const size_t *idx;
	size_t k;
	gsl_matrix_float *out;
};

/*
 * Block i of a gather.  The byte form's loop is branch-free so that the
 * compiler vectorizes it: shuffled rows come from all over the set, and
 * the copy is a pass as long as a product's block.
 */
static void gather_block(void *arg, size_t i)
{
	const struct gather *g = arg;
	size_t r, j, w = g->d->width;
	size_t r1 = (i + 1) * GATHER_ROWS < g->k ? (i + 1) * GATHER_ROWS : g->k;

	for (r = i * GATHER_ROWS; r < r1; r++) {
		float *dst = gsl_matrix_float_ptr(g->out, r, 0);
		const unsigned char *src;
		if (g->d->vals) {
			memcpy(dst, g->d->vals + g->idx[r] * w,
			       w * sizeof(*dst));
			continue;
		}
		src = g->d->bits + g->idx[r] * w;
#pragma omp simd
		for (j = 0; j < w; j++) {
			float v = (float)src[j];
			dst[j] = src[j] == BYTE_MISSING ? NAN : v;
		}
	}
}

void rbm_data_gather(const struct rbm_data *d, const size_t *idx, size_t k,
		     gsl_matrix_float *out)
{
	struct gather g = { d, idx, k, out };

	rbm_pool_run((k + GATHER_ROWS - 1) / GATHER_ROWS, gather_block, &g);
}
