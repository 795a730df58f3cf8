/*
 * batch.c - rows of items to batches of units (see batch.h).
 */
#include <stdlib.h>

#include "batch.h"
#include "visible.h"

gsl_matrix_float_view rbm_batch_top(gsl_matrix_float *a, size_t k)
{
	return gsl_matrix_float_submatrix(a, 0, 0, k, a->size2);
}

struct rbm_batch *rbm_batch_alloc(const struct rbm *m, size_t max,
				  int flags, struct rbm_err *err)
{
	struct rbm_batch *b = calloc(1, sizeof(*b));
	int ok;

	if (b) {
		b->m = m;
		b->max = max;
		b->direct = rbm_visible_items_are_units(m) &&
			    !(flags & RBM_BATCH_ITEMS);
		b->ubuf = gsl_matrix_float_alloc(max, m->nv);
		b->ibuf = b->direct ? b->ubuf : gsl_matrix_float_alloc(
			max, rbm_visible_items(m));
		if (flags & RBM_BATCH_MASK)
			b->mbuf = gsl_matrix_float_alloc(max, m->nv);
	}
	ok = b && b->ubuf && b->ibuf && (b->mbuf || !(flags & RBM_BATCH_MASK));
	if (ok)
		return b;
	rbm_batch_free(b);
	rbm_err_set(err, "out of memory for a batch of %zu rows", max);
	return NULL;
}

void rbm_batch_free(struct rbm_batch *b)
{
	if (!b)
		return;
	if (b->ibuf && b->ibuf != b->ubuf)
		gsl_matrix_float_free(b->ibuf);
	if (b->ubuf)
		gsl_matrix_float_free(b->ubuf);
	if (b->mbuf)
		gsl_matrix_float_free(b->mbuf);
	free(b);
}

/*
 * The first k rows of the item buffer as the batch: encoded into units
 * (with the mask when kept) unless they are the units already and
 * may_miss says no value can be missing.
 */
static void encode(struct rbm_batch *b, size_t k, int may_miss)
{
	b->n = k;
	b->vv = rbm_batch_top(b->ubuf, k);
	b->iv = rbm_batch_top(b->ibuf, k);
	b->v = &b->vv.matrix;
	b->items = &b->iv.matrix;
	b->mask = NULL;
	b->missing = 0;
	if (b->direct && !may_miss)
		return;
	if (b->mbuf)
		b->mv = rbm_batch_top(b->mbuf, k);
	b->missing = rbm_visible_encode(b->m, b->items, b->v,
					b->mbuf ? &b->mv.matrix : NULL);
	if (b->missing && b->mbuf)
		b->mask = &b->mv.matrix;
}

ssize_t rbm_batch_read(struct rbm_batch *b, struct rbm_rows *r,
		       struct rbm_err *err)
{
	ssize_t k = rbm_rows_read(r, b->ibuf->data, b->max, err);

	if (k > 0)
		encode(b, (size_t)k, rbm_rows_first_missing(r) != 0);
	return k;
}

void rbm_batch_gather(struct rbm_batch *b, const struct rbm_data *d,
		      const size_t *idx, size_t k)
{
	gsl_matrix_float_view in = rbm_batch_top(b->ibuf, k);

	rbm_data_gather(d, idx, k, &in.matrix);
	encode(b, k, d->missing != 0);
}
