/*
 * test_train.c - training, against a slow reference trainer in double
 * written here from the definitions (train.h and the man page) that
 * replays the library's random draws from a second generator seeded
 * alike: gradients (CD-k, PCD, centered, with a sparsity penalty), the
 * update (momentum, L2 and L1 decay), whole epochs (shuffle, schedule,
 * momentum ramp, parameter averaging); then what needs no reference:
 * bit-for-bit replays and reproducibility, runs split in two, the
 * persistent training state, the parameter check and divergence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <gsl/gsl_randist.h>

#include "data.h"
#include "rng.h"
#include "state.h"
#include "train.h"
#include "unit.h"
#include "visible.h"

#define NV 4
#define NH 3
#define MAXK 8		/* rows of a batch (and PCD chains), at most */
#define MAXN 16		/* rows of a data set, at most */
#define TOL 1e-5	/* float against double, after a few updates */
#define MARGIN 1e-5	/* closest a replayed draw may come to its p */

/* The shared 4 x 3 model with hand-set parameters (unit.h). */
static struct rbm *small_model(void)
{
	return unit_small_model();
}

/* A data set of n rows of NV values, binary with a few fractions. */
static struct rbm_data *sample_data(size_t n)
{
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	float row[NV];
	size_t i, a;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		for (a = 0; a < NV; a++)
			row[a] = (float)((i * 3 + a * (i % 3 + 1)) % 2);
		if (i % 4 == 1)
			row[i % NV] = 0.75f;
		ck_assert_int_eq(rbm_data_append(d, row, &err), 0);
	}
	return d;
}

/*
 * The original's CD-1 at a constant rate (the base every test varies),
 * with the given learning rate and batch size.
 */
static struct rbm_train_settings params(double rate, size_t batch)
{
	struct rbm_train_settings p;

	rbm_train_defaults(&p);
	p.pcd = 0;
	p.visible_centering = 0;
	p.schedule = RBM_SCHEDULE_CONSTANT;
	p.learning_rate = rate;
	p.batch_size = batch;
	p.chains = 0;	/* PCD: one chain a batch row */
	return p;
}

/* A trainer for a run of epochs epochs; fails the test if refused. */
static struct rbm_trainer *trainer(struct rbm *m, struct rbm_train_state *ts,
				   const struct rbm_train_settings *p,
				   const struct rbm_data *d,
				   unsigned long epochs, gsl_rng *rng)
{
	struct rbm_err err = { "" };
	struct rbm_trainer *t = rbm_trainer_alloc(m, ts, p, d, epochs, rng,
						  &err);

	ck_assert_msg(t != NULL, "%s", err.msg);
	return t;
}

static gsl_rng *rng_seeded(unsigned long seed)
{
	struct rbm_err err = { "" };
	gsl_rng *r = rbm_rng_alloc(seed, &err);

	ck_assert_msg(r != NULL, "%s", err.msg);
	return r;
}

/* ---- the reference trainer, in double ---- */

static double sign(double x)
{
	return (x > 0) - (x < 0);
}

/* The parameters of an NV x NH model (or a gradient, or a step). */
struct par {
	double w[NV][NH], b[NV], c[NH];
};

static void par_from_model(struct par *p, const struct rbm *m)
{
	size_t a, j;

	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			p->w[a][j] = gsl_matrix_float_get(m->w, a, j);
		p->b[a] = gsl_vector_float_get(m->b, a);
	}
	for (j = 0; j < NH; j++)
		p->c[j] = gsl_vector_float_get(m->c, j);
}

/* y = s * y + x * t, parameter by parameter. */
static void par_combine(struct par *y, double s, const struct par *x,
			double t)
{
	size_t a, j;

	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++)
			y->w[a][j] = s * y->w[a][j] + t * x->w[a][j];
		y->b[a] = s * y->b[a] + t * x->b[a];
	}
	for (j = 0; j < NH; j++)
		y->c[j] = s * y->c[j] + t * x->c[j];
}

/* The model (or gradient) m equals p within tol, naming the first miss. */
static void assert_par(const struct rbm *m, const struct par *p, double tol)
{
	size_t a, j;

	ck_assert_uint_eq(m->nv, NV);
	ck_assert_uint_eq(m->nh, NH);
	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++) {
			double x = gsl_matrix_float_get(m->w, a, j);
			ck_assert_msg(fabs(x - p->w[a][j]) <= tol,
				      "w[%zu][%zu] = %.9g, want %.9g", a, j,
				      x, p->w[a][j]);
		}
		ck_assert_msg(fabs(gsl_vector_float_get(m->b, a) - p->b[a]) <=
			      tol, "b[%zu] = %.9g, want %.9g", a,
			      (double)gsl_vector_float_get(m->b, a), p->b[a]);
	}
	for (j = 0; j < NH; j++)
		ck_assert_msg(fabs(gsl_vector_float_get(m->c, j) - p->c[j]) <=
			      tol, "c[%zu] = %.9g, want %.9g", j,
			      (double)gsl_vector_float_get(m->c, j), p->c[j]);
}

/* The vector v (n long) equals want within tol. */
static void assert_vector(const gsl_vector_float *v, const double *want,
			  size_t n, double tol, const char *what)
{
	size_t i;

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->size, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(fabs(gsl_vector_float_get(v, i) - want[i]) <= tol,
			      "%s[%zu] = %.9g, want %.9g", what, i,
			      (double)gsl_vector_float_get(v, i), want[i]);
}

/*
 * A second generator, seeded like the library's, from which the
 * reference draws the same numbers in the same order.  A Bernoulli draw
 * replays exactly only if p is not so close to the edge of the range of
 * u that decided it that float rounding of p could flip it, so the
 * smallest such distance is kept (and checked).
 */
struct replay {
	gsl_rng *rng;
	double closest;		/* smallest margin of a draw so far */
	size_t ones, draws;	/* Bernoulli draws that came out 1; all */
};

/*
 * s = 1 with probability p for a rows x cols batch, drawn as one
 * rbm_sample call draws them (see unit_sample).
 */
static void ref_sample(struct replay *rp, const double *p, double *s,
		       size_t rows, size_t cols)
{
	double margin = unit_sample(rp->rng, p, s, rows, cols);
	size_t i;

	if (margin < rp->closest)
		rp->closest = margin;
	for (i = 0; i < rows * cols; i++)
		rp->ones += (size_t)s[i];
	rp->draws += rows * cols;
}

/* ph = unit_sigmoid(v W + c) for n rows. */
static void ref_hidden(const struct par *m, const double (*v)[NV], size_t n,
		       double (*ph)[NH])
{
	size_t i, a, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < NH; j++) {
			double x = m->c[j];
			for (a = 0; a < NV; a++)
				x += v[i][a] * m->w[a][j];
			ph[i][j] = unit_sigmoid(x);
		}
	}
}

/* pv = unit_sigmoid(h W' + b) for n rows. */
static void ref_visible(const struct par *m, const double (*h)[NH], size_t n,
			double (*pv)[NV])
{
	size_t i, a, j;

	for (i = 0; i < n; i++) {
		for (a = 0; a < NV; a++) {
			double x = m->b[a];
			for (j = 0; j < NH; j++)
				x += h[i][j] * m->w[a][j];
			pv[i][a] = unit_sigmoid(x);
		}
	}
}

/* mean[col] over n rows of width w (row-major, contiguous). */
static void ref_means(const double *x, size_t n, size_t w, double *mean)
{
	size_t i, col;

	for (col = 0; col < w; col++) {
		mean[col] = 0;
		for (i = 0; i < n; i++)
			mean[col] += x[i * w + col] / (double)n;
	}
}

/* Everything training keeps, as the definitions say it evolves. */
struct ref {
	const struct rbm_train_settings *p;
	struct replay rp;
	double data[MAXN][NV];
	size_t n, batch;		/* rows; rows a batch (at most n) */
	size_t nchains;			/* PCD chains (the batch's, unless
					 * p->chains) */
	struct par m;			/* the model */
	struct par g;			/* the last gradient */
	struct par vel;			/* the last step (momentum) */
	struct par sum;			/* sum of the averaged parameters */
	unsigned long nsum;		/* updates summed */
	double chain[MAXK][NH];		/* PCD: hidden states of the chains */
	double mu[NV], lam[NH];		/* centering offsets */
	double q[NH];			/* sparsity: mean hidden activity */
	unsigned long epochs;		/* the model's epochs so far */
	unsigned long run_epoch, run_epochs;
};

/*
 * The reference for the model m after epochs epochs, about to train on d
 * for a run of run_epochs with p, replaying a generator seeded with seed.
 * What the trainer starts: PCD chains as samples of p(h|v) of the first
 * rows of the data (the only draws), offsets at the data's column means
 * and 0.5, the activity estimate at the target, no velocity.
 */
static void ref_init(struct ref *r, const struct rbm *m,
		     const struct rbm_train_settings *p,
		     const struct rbm_data *d, unsigned long epochs,
		     unsigned long run_epochs, unsigned long seed)
{
	gsl_matrix_float *all = gsl_matrix_float_alloc(d->n, NV);
	size_t idx[MAXN], i, a, j;
	double ph[MAXK][NH];

	ck_assert_uint_le(d->n, MAXN);
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->rp.rng = rng_seeded(seed);
	r->rp.closest = 1;
	r->n = d->n;
	r->batch = p->batch_size < d->n ? p->batch_size : d->n;
	ck_assert_uint_le(r->batch, MAXK);
	for (i = 0; i < d->n; i++)
		idx[i] = i;
	rbm_data_gather(d, idx, d->n, all);
	for (i = 0; i < d->n; i++)
		for (a = 0; a < NV; a++)
			r->data[i][a] = gsl_matrix_float_get(all, i, a);
	gsl_matrix_float_free(all);
	par_from_model(&r->m, m);
	r->epochs = epochs;
	r->run_epochs = run_epochs;
	r->nchains = p->pcd && p->chains ? p->chains : r->batch;
	ck_assert_uint_le(r->nchains, MAXK);
	if (p->pcd) {
		double start[MAXK][NV];
		for (i = 0; i < r->nchains; i++)	/* rows in turn */
			memcpy(start[i], r->data[i % r->n], sizeof(start[i]));
		ref_hidden(&r->m, (const double (*)[NV])start, r->nchains,
			   ph);
		ref_sample(&r->rp, &ph[0][0], &r->chain[0][0],
			   r->nchains, NH);
	}
	if (p->centering || p->visible_centering)
		ref_means(&r->data[0][0], r->n, NV, r->mu);
	for (j = 0; j < NH && p->centering; j++)
		r->lam[j] = 0.5;	/* visible centering: 0 throughout */
	for (j = 0; j < NH && p->sparsity_target > 0; j++)
		r->q[j] = p->sparsity_target;
}

static void ref_free(struct ref *r)
{
	gsl_rng_free(r->rp.rng);
}

/*
 * The gradient from the statistics of the data (v, its p(h|v) ph; k
 * rows) and of the negative particles (vn, ph2; nc rows), centered on the
 * offsets (zero without centering):
 *   gW = <(v-mu)(h-lam)'>_data - <(v-mu)(h-lam)'>_model
 *   gb = <v>_data - <v>_model - gW lam
 *   gc = <h>_data - <h>_model - gW' mu
 * then the offsets move toward the batch means (or with the average
 * target, the mean of those and the negative phase's), and the sparsity
 * penalty:
 *   q = decay q + (1-decay) <h>_data
 *   gc -= cost (q - target), gW_ij -= cost (q_j - target) <v_i>_data.
 */
static void ref_statistics(struct ref *r, const double (*v)[NV],
			   const double (*ph)[NH], size_t k,
			   const double (*vn)[NV], const double (*ph2)[NH],
			   size_t nc)
{
	const struct rbm_train_settings *p = r->p;
	double vd[NV], hd[NH], vm[NV], hm[NH], mu[NV] = { 0 }, lam[NH] = { 0 };
	int avg = p->offset_target == RBM_OFFSETS_AVERAGE;
	struct par *g = &r->g;
	size_t i, a, j;

	if (p->centering || p->visible_centering) {
		memcpy(mu, r->mu, sizeof(mu));
		memcpy(lam, r->lam, sizeof(lam));
	}
	ref_means(&v[0][0], k, NV, vd);
	ref_means(&ph[0][0], k, NH, hd);
	ref_means(&vn[0][0], nc, NV, vm);
	ref_means(&ph2[0][0], nc, NH, hm);
	memset(g, 0, sizeof(*g));
	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++) {
			for (i = 0; i < k; i++)
				g->w[a][j] += (v[i][a] - mu[a]) *
					      (ph[i][j] - lam[j]) / (double)k;
			for (i = 0; i < nc; i++)
				g->w[a][j] -= (vn[i][a] - mu[a]) *
					      (ph2[i][j] - lam[j]) / (double)nc;
		}
	}
	for (a = 0; a < NV; a++) {
		g->b[a] = vd[a] - vm[a];
		for (j = 0; j < NH; j++)
			g->b[a] -= g->w[a][j] * lam[j];
	}
	for (j = 0; j < NH; j++) {
		g->c[j] = hd[j] - hm[j];
		for (a = 0; a < NV; a++)
			g->c[j] -= g->w[a][j] * mu[a];
	}
	if (p->centering || p->visible_centering)
		for (a = 0; a < NV; a++)
			r->mu[a] += p->offset_rate * ((avg ? (vd[a] + vm[a]) / 2
						       : vd[a]) - r->mu[a]);
	for (j = 0; j < NH && p->centering; j++)
		r->lam[j] += p->offset_rate * ((avg ? (hd[j] + hm[j]) / 2
						: hd[j]) - r->lam[j]);
	if (!(p->sparsity_target > 0))
		return;
	for (j = 0; j < NH; j++) {
		double pull;
		r->q[j] = p->sparsity_decay * r->q[j] +
			  (1 - p->sparsity_decay) * hd[j];
		pull = p->sparsity_cost * (r->q[j] - p->sparsity_target);
		g->c[j] -= pull;
		for (a = 0; a < NV; a++)
			g->w[a][j] -= pull * vd[a];
	}
}

/*
 * The gradient of the k rows v into r->g.  The negative phase is cd_k
 * Gibbs steps (h -> v -> h) that start from hidden states sampled from
 * p(h|v) of the data (CD) or from the persistent chains (PCD).  Every
 * visible state is sampled except CD's last, kept as probabilities; the
 * hidden states after it are p(h|v), sampled only to go on (CD) or to
 * advance the chains (PCD).  The statistics use the last visible states
 * and their p(h|v).
 */
static void ref_gradient(struct ref *r, const double (*v)[NV], size_t k)
{
	const struct rbm_train_settings *p = r->p;
	double ph[MAXK][NH], h[MAXK][NH], pv[MAXK][NV], vs[MAXK][NV];
	double ph2[MAXK][NH];
	const double (*vneg)[NV] = vs;
	size_t nc = p->pcd ? r->nchains : k;
	unsigned long s;

	ck_assert_uint_le(k, MAXK);
	ref_hidden(&r->m, v, k, ph);
	if (p->pcd)
		memcpy(h, r->chain, sizeof(h));
	else
		ref_sample(&r->rp, &ph[0][0], &h[0][0], k, NH);
	for (s = 1; s <= p->cd_k; s++) {
		ref_visible(&r->m, (const double (*)[NH])h, nc, pv);
		if (s == p->cd_k && !p->pcd)
			vneg = (const double (*)[NV])pv;
		else
			ref_sample(&r->rp, &pv[0][0], &vs[0][0], nc, NV);
		ref_hidden(&r->m, vneg, nc, ph2);
		if (s < p->cd_k || p->pcd)
			ref_sample(&r->rp, &ph2[0][0], &h[0][0], nc, NH);
	}
	if (p->pcd)
		memcpy(r->chain, h, sizeof(h));
	ref_statistics(r, v, (const double (*)[NH])ph, k, vneg,
		       (const double (*)[NH])ph2, nc);
}

/*
 * One update with the gradient g: g_W -= wd W + l1 sign(W) (weights
 * only), then velocity = momentum * velocity + rate * g and the model
 * += velocity.  (Without momentum the velocity is just rate * g.)
 */
static void ref_apply(struct ref *r, struct par *g, double rate,
		      double momentum)
{
	size_t a, j;

	for (a = 0; a < NV; a++)
		for (j = 0; j < NH; j++)
			g->w[a][j] -= r->p->weight_decay * r->m.w[a][j] +
				      r->p->l1 * sign(r->m.w[a][j]);
	par_combine(&r->vel, momentum, g, rate);
	par_combine(&r->m, 1, &r->vel, 1);
}

/* The data rows order[0..k) into v. */
static void ref_rows(const struct ref *r, const size_t *order, size_t k,
		     double (*v)[NV])
{
	size_t i;

	for (i = 0; i < k; i++)
		memcpy(v[i], r->data[order[i]], sizeof(v[i]));
}

/*
 * One epoch: the rows in file order, shuffled with the generator (from
 * file order again each epoch) when they exceed one batch; consecutive
 * batches of that order, the last maybe short, each a gradient and an
 * update at rate lr, or lr (1 - progress) with the linear schedule where
 * progress = (epoch of the run + batch / batches) / epochs of the run;
 * momentum 0.5 for the model's first 5 epochs with the ramp.  In the last
 * `average` epochs of the run, or in its epochs that are among the last
 * fraction `average_fraction` of the model's epochs at the run's end
 * (rounded up), whichever are more, the parameters after every batch are
 * summed for the average.  Returns the last batch's rate, the momentum
 * used in *mom.
 */
static double ref_epoch(struct ref *r, double *mom)
{
	const struct rbm_train_settings *p = r->p;
	size_t order[MAXN], i, start, k, b;
	size_t nb = (r->n + r->batch - 1) / r->batch;
	unsigned long end = r->epochs - r->run_epoch + r->run_epochs;
	unsigned long left = r->run_epochs - r->run_epoch;
	int averaging = (p->average && left <= p->average) ||
			(double)left <= ceil(p->average_fraction * (double)end);
	double v[MAXK][NV], rate = p->learning_rate;

	*mom = p->momentum_ramp && r->epochs < 5 ? 0.5 : p->momentum;
	for (i = 0; i < r->n; i++)
		order[i] = i;
	if (r->n > r->batch)
		gsl_ran_shuffle(r->rp.rng, order, r->n, sizeof(order[0]));
	for (start = 0, b = 0; start < r->n; start += k, b++) {
		k = r->n - start < r->batch ? r->n - start : r->batch;
		ref_rows(r, order + start, k, v);
		if (p->schedule == RBM_SCHEDULE_LINEAR)
			rate = p->learning_rate *
			       (1 - ((double)r->run_epoch +
				     (double)b / (double)nb) /
				    (double)r->run_epochs);
		ref_gradient(r, (const double (*)[NV])v, k);
		ref_apply(r, &r->g, rate, *mom);
		if (averaging) {
			par_combine(&r->sum, 1, &r->m, 1);
			r->nsum++;
		}
	}
	r->run_epoch++;
	r->epochs++;
	return rate;
}

/* The end of a run: the model becomes the average, if one was taken. */
static void ref_finish(struct ref *r)
{
	if (r->nsum)
		par_combine(&r->m, 0, &r->sum, 1.0 / (double)r->nsum);
}

/* ---- the library and the reference side by side ---- */

struct pair {
	struct rbm_train_settings p;
	struct rbm_data *d;
	struct rbm *m;
	struct rbm_train_state ts;
	gsl_rng *rng;
	struct rbm_trainer *t;
	struct ref r;
};

/*
 * Start both on n sample rows with p for a run of run_epochs, the model
 * having trained epochs epochs before; both generators seeded with seed.
 * x must stay where it is until pair_end (the trainer points into it).
 */
static void pair_start(struct pair *x, const struct rbm_train_settings *p,
		       size_t n, unsigned long epochs,
		       unsigned long run_epochs, unsigned long seed)
{
	memset(x, 0, sizeof(*x));
	x->p = *p;
	x->d = sample_data(n);
	x->m = small_model();
	x->ts.epochs = epochs;
	x->rng = rng_seeded(seed);
	x->t = trainer(x->m, &x->ts, &x->p, x->d, run_epochs, x->rng);
	ref_init(&x->r, x->m, &x->p, x->d, epochs, run_epochs, seed);
}

/*
 * One gradient of the data rows idx[0..k) on both sides: the gradients
 * agree within TOL; the library's is returned.
 */
static struct rbm *pair_gradient(struct pair *x, const size_t *idx, size_t k)
{
	gsl_matrix_float *v = gsl_matrix_float_alloc(k, NV);
	double rv[MAXK][NV];
	struct rbm *g;

	rbm_data_gather(x->d, idx, k, v);
	ref_rows(&x->r, idx, k, rv);
	g = rbm_train_gradient(x->t, v, x->rng);
	ref_gradient(&x->r, (const double (*)[NV])rv, k);
	assert_par(g, &x->r.g, TOL);
	gsl_matrix_float_free(v);
	return g;
}

/*
 * One epoch on both sides: the models agree within TOL, and the library
 * reports the reference's last rate and momentum, and the rows.  Returns
 * the library's figures.
 */
static struct rbm_epoch_stats pair_epoch(struct pair *x)
{
	struct rbm_epoch_stats st;
	struct rbm_err err = { "" };
	double rate, mom;

	ck_assert_msg(rbm_train_epoch(x->t, x->rng, &st, &err) == 0, "%s",
		      err.msg);
	rate = ref_epoch(&x->r, &mom);
	assert_par(x->m, &x->r.m, TOL);
	ck_assert_double_eq_tol(st.rate, rate, 1e-12);
	ck_assert_double_eq_tol(st.momentum, mom, 1e-12);
	ck_assert_uint_eq(st.rows, x->d->n);
	ck_assert_uint_eq(x->ts.epochs, x->r.epochs);
	return st;
}

/*
 * The PCD chains agree exactly (they are 0/1 samples; the draws were
 * kept clear of rounding).
 */
static void assert_chains(const struct pair *x)
{
	size_t i, j;

	ck_assert_ptr_nonnull(x->ts.chains);
	ck_assert_uint_eq(x->ts.chains->size1, x->r.nchains);
	ck_assert_uint_eq(x->ts.chains->size2, NH);
	for (i = 0; i < x->r.nchains; i++)
		for (j = 0; j < NH; j++)
			ck_assert_msg(gsl_matrix_float_get(x->ts.chains, i, j)
				      == x->r.chain[i][j],
				      "chain %zu unit %zu", i, j);
}

/*
 * The end: every replayed draw was far from its probability, both sides
 * drew the same count of numbers, and everything is freed.
 */
static void pair_end(struct pair *x)
{
	ck_assert_msg(x->r.rp.closest > MARGIN, "a draw came within %g of "
		      "its probability: pick another seed", x->r.rp.closest);
	ck_assert_uint_eq(gsl_rng_get(x->rng), gsl_rng_get(x->r.rp.rng));
	rbm_trainer_free(x->t);
	rbm_train_state_clear(&x->ts);
	gsl_rng_free(x->rng);
	rbm_free(x->m);
	rbm_data_free(x->d);
	ref_free(&x->r);
}

/* ---- gradients ---- */

/*
 * One CD-1 gradient of a batch of three rows equals the definition
 * computed in double within 1e-5, drawing exactly one uniform per hidden
 * unit (the next numbers of both generators agree).  The draws are
 * neither all on nor all off, and no closer than 1e-4 to a probability.
 */
START_TEST(test_gradient_by_definition)
{
	static const size_t idx[3] = { 1, 4, 2 };
	struct rbm_train_settings p = params(0.1, 3);
	struct pair x;

	pair_start(&x, &p, 6, 0, 1, 2024);
	pair_gradient(&x, idx, 3);
	ck_assert_uint_eq(x.r.rp.draws, 3 * NH);
	ck_assert_uint_gt(x.r.rp.ones, 0);
	ck_assert_uint_lt(x.r.rp.ones, 3 * NH);
	ck_assert_msg(x.r.rp.closest > 1e-4, "seed draws too close to a "
		      "probability: %g", x.r.rp.closest);
	pair_end(&x);
}
END_TEST

/*
 * A gradient of fewer rows than the trainer's batch, given as a view
 * inside a wider matrix, right after a full batch: still the definition
 * for both (nothing of the first batch leaks into the second).
 */
START_TEST(test_gradient_partial_batch_view)
{
	static const size_t all[MAXK] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const size_t three[3] = { 9, 3, 12 };
	struct rbm_train_settings p = params(0.1, MAXK);
	gsl_matrix_float *wide = gsl_matrix_float_alloc(6, NV + 3);
	gsl_matrix_float_view part = gsl_matrix_float_submatrix(wide, 2, 1, 3,
								 NV);
	double rv[3][NV];
	struct pair x;

	pair_start(&x, &p, 13, 0, 1, 77);
	pair_gradient(&x, all, MAXK);
	gsl_matrix_float_set_all(wide, 0.5f);
	rbm_data_gather(x.d, three, 3, &part.matrix);
	ref_rows(&x.r, three, 3, rv);
	ref_gradient(&x.r, (const double (*)[NV])rv, 3);
	assert_par(rbm_train_gradient(x.t, &part.matrix, x.rng), &x.r.g,
		   TOL);
	ck_assert_msg(x.r.rp.closest > 1e-4, "draws too close: %g",
		      x.r.rp.closest);
	gsl_matrix_float_free(wide);
	pair_end(&x);
}
END_TEST

/*
 * CD-k for k = 2 and 3: the negative phase is k Gibbs steps from hidden
 * states sampled from the data's p(h|v), with the intermediate visible
 * and hidden states sampled and the last visible states kept as
 * probabilities; exactly NH + (k-1)(NV + NH) uniforms a row are drawn.
 */
START_TEST(test_gradient_cd_k)
{
	static const size_t idx[3] = { 5, 0, 3 };
	unsigned long k;

	for (k = 2; k <= 3; k++) {
		struct rbm_train_settings p = params(0.1, 3);
		struct pair x;

		p.cd_k = k;
		pair_start(&x, &p, 6, 0, 1, 300 + k);
		pair_gradient(&x, idx, 3);
		ck_assert_uint_eq(x.r.rp.draws,
				  3 * (NH + (k - 1) * (NV + NH)));
		pair_gradient(&x, idx + 1, 2);
		pair_end(&x);
	}
}
END_TEST

/*
 * PCD-1 and PCD-2: the chains start as samples of p(h|v) of the data's
 * first rows (one chain a row of the batch); each gradient takes cd_k
 * Gibbs steps from them with sampled visible states, uses those and their
 * p(h|v) against the data's statistics, and leaves the chains at the
 * last hidden samples, also for a batch shorter than the chains.
 */
START_TEST(test_gradient_pcd)
{
	static const size_t idx[4] = { 5, 1, 3, 2 };
	static const size_t two[2] = { 0, 4 };
	unsigned long k;

	for (k = 1; k <= 2; k++) {
		struct rbm_train_settings p = params(0.1, 4);
		double start[MAXK][NH];
		struct pair x;

		p.pcd = 1;
		p.cd_k = k;
		pair_start(&x, &p, 6, 0, 1, 40 + k);
		assert_chains(&x);
		memcpy(start, x.r.chain, sizeof(start));
		pair_gradient(&x, idx, 4);
		assert_chains(&x);
		pair_gradient(&x, two, 2);
		assert_chains(&x);
		ck_assert_msg(memcmp(start, x.r.chain, sizeof(start)) != 0,
			      "the chains never moved: a weak seed");
		pair_end(&x);
	}
}
END_TEST

/*
 * Visible centering: the visible offsets start at the data's column
 * means and move as with centering, there are no hidden offsets, and the
 * gradient is the centered formula with lambda = 0 (so the visible
 * biases' gradient is the plain one).  With centering as well, both
 * offsets are there (centering takes precedence).
 */
START_TEST(test_gradient_visible_centering)
{
	static const size_t idx[3] = { 4, 1, 3 };
	struct rbm_train_settings p = params(0.1, 3);
	struct pair x;
	double before[NV];
	size_t a;

	p.visible_centering = 1;
	p.offset_rate = 0.125;
	pair_start(&x, &p, 6, 0, 1, 9);
	ck_assert_ptr_null(x.ts.hid_offset);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	memcpy(before, x.r.mu, sizeof(before));
	pair_gradient(&x, idx, 3);
	pair_gradient(&x, idx + 1, 2);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	for (a = 0; a < NV && before[a] == x.r.mu[a]; a++)
		continue;
	ck_assert_msg(a < NV, "the offsets never moved");
	ck_assert_ptr_null(x.ts.hid_offset);
	pair_end(&x);
	p.centering = 1;
	pair_start(&x, &p, 6, 0, 1, 9);
	ck_assert_ptr_nonnull(x.ts.hid_offset);
	pair_gradient(&x, idx, 3);
	assert_vector(x.ts.hid_offset, x.r.lam, NH, 1e-6, "lambda");
	pair_end(&x);
}
END_TEST

/*
 * --offset-target=average: the offsets move toward the mean of the
 * data's and the negative phase's means (the enhanced gradient's
 * offsets), with CD and with PCD of more chains than rows, full and
 * visible centering; the next gradient uses the moved offsets.  The
 * data's target would leave the offsets elsewhere.
 */
START_TEST(test_gradient_offset_target)
{
	static const size_t idx[3] = { 4, 1, 3 };
	static const int pcd[3] = { 0, 1, 1 }, full[3] = { 1, 1, 0 };
	size_t i, a;

	for (i = 0; i < 3; i++) {
		struct rbm_train_settings p = params(0.1, 3);
		struct pair x;
		double data_mu[NV];

		p.pcd = pcd[i];
		p.chains = pcd[i] ? 5 : 0;
		p.centering = full[i];
		p.visible_centering = !full[i];
		p.offset_rate = 0.5;
		p.offset_target = RBM_OFFSETS_AVERAGE;
		pair_start(&x, &p, 6, 0, 1, 9);
		pair_gradient(&x, idx, 3);
		assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
		if (full[i])
			assert_vector(x.ts.hid_offset, x.r.lam, NH, 1e-6,
				      "lambda");
		else
			ck_assert_ptr_null(x.ts.hid_offset);
		pair_gradient(&x, idx + 1, 2);
		assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
		/* what the data's target gives from the same start */
		ref_means(&x.r.data[0][0], 6, NV, data_mu);
		for (a = 0; a < NV; a++)
			data_mu[a] = 0.25 * data_mu[a] +
				     0.25 * (x.r.data[4][a] + x.r.data[1][a] +
					     x.r.data[3][a]) / 3 +
				     0.5 * (x.r.data[1][a] + x.r.data[3][a]) /
				     2;
		for (a = 0; a < NV && fabs(data_mu[a] - x.r.mu[a]) < 1e-3;
		     a++)
			continue;
		ck_assert_msg(a < NV, "the average target moved the offsets "
			      "as the data's does");
		pair_end(&x);
	}
}
END_TEST

/*
 * PCD with --chains: that many chains, more or fewer than the batch's
 * rows, start on the data's rows in turn; each gradient's negative phase
 * averages over all of them, and a short batch still moves them all.
 */
START_TEST(test_gradient_pcd_chains)
{
	static const size_t idx[4] = { 5, 1, 3, 2 };
	static const size_t two[2] = { 0, 4 };
	static const size_t nchains[3] = { 7, 3, 1 };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct rbm_train_settings p = params(0.1, 4);
		double start[MAXK][NH];
		struct pair x;

		p.pcd = 1;
		p.chains = nchains[i];
		pair_start(&x, &p, 6, 0, 1, 40 + i);
		assert_chains(&x);
		ck_assert_uint_eq(x.ts.chains->size1, nchains[i]);
		memcpy(start, x.r.chain, sizeof(start));
		pair_gradient(&x, idx, 4);
		assert_chains(&x);
		pair_gradient(&x, two, 2);
		assert_chains(&x);
		if (nchains[i] > 1)
			ck_assert_msg(memcmp(start, x.r.chain,
					     sizeof(start)) != 0,
				      "the chains never moved: a weak seed");
		pair_end(&x);
	}
}
END_TEST

/*
 * With the offsets set to zero the centered gradient is the plain one
 * (the library's own plain gradient of the same rows and draws, and the
 * definition), and the offsets then move by offset_rate toward the
 * batch's means of v and p(h|v): from zero to exactly rate * mean.
 */
START_TEST(test_gradient_centering_zero)
{
	static const size_t idx[3] = { 2, 5, 0 };
	struct rbm_train_settings p = params(0.1, 3), plain = p;
	struct rbm *m = small_model();
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = rng_seeded(55);
	struct rbm_trainer *t;
	gsl_matrix_float *v = gsl_matrix_float_alloc(3, NV);
	struct par pg;
	struct rbm *g;
	struct pair x;

	p.centering = 1;
	p.offset_rate = 0.25;
	pair_start(&x, &p, 6, 0, 1, 55);
	t = trainer(m, &ts, &plain, x.d, 1, rng);
	gsl_vector_float_set_zero(x.ts.vis_offset);
	gsl_vector_float_set_zero(x.ts.hid_offset);
	memset(x.r.mu, 0, sizeof(x.r.mu));
	memset(x.r.lam, 0, sizeof(x.r.lam));
	g = pair_gradient(&x, idx, 3);
	rbm_data_gather(x.d, idx, 3, v);
	par_from_model(&pg, rbm_train_gradient(t, v, rng));
	assert_par(g, &pg, TOL);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	assert_vector(x.ts.hid_offset, x.r.lam, NH, 1e-6, "lambda");
	ck_assert(x.r.mu[0] != 0 && x.r.lam[0] != 0);
	gsl_matrix_float_free(v);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	rbm_free(m);
	pair_end(&x);
}
END_TEST

/*
 * The centered gradient with nonzero offsets is the documented formula,
 * both with the offsets the trainer starts (the data's column means and
 * 0.5) and with offsets set by hand; each gradient then moves the offsets
 * by offset_rate toward the batch's means.
 */
START_TEST(test_gradient_centering_formula)
{
	static const size_t idx[3] = { 4, 1, 3 };
	static const double mu[NV] = { 0.25, -0.5, 0.75, 1 };
	static const double lam[NH] = { 0.125, 0.875, -0.375 };
	struct rbm_train_settings p = params(0.1, 3);
	struct pair x;
	size_t a, j;

	p.centering = 1;
	p.offset_rate = 0.125;
	pair_start(&x, &p, 6, 0, 1, 9);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	assert_vector(x.ts.hid_offset, x.r.lam, NH, 0, "lambda");
	pair_gradient(&x, idx, 3);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	assert_vector(x.ts.hid_offset, x.r.lam, NH, 1e-6, "lambda");
	for (a = 0; a < NV; a++) {
		gsl_vector_float_set(x.ts.vis_offset, a, (float)mu[a]);
		x.r.mu[a] = mu[a];
	}
	for (j = 0; j < NH; j++) {
		gsl_vector_float_set(x.ts.hid_offset, j, (float)lam[j]);
		x.r.lam[j] = lam[j];
	}
	pair_gradient(&x, idx + 1, 2);
	assert_vector(x.ts.vis_offset, x.r.mu, NV, 1e-6, "mu");
	assert_vector(x.ts.hid_offset, x.r.lam, NH, 1e-6, "lambda");
	pair_end(&x);
}
END_TEST

/*
 * The sparsity penalty: the activity estimate starts at the target and
 * after each gradient is decay * q + (1 - decay) * the batch's mean
 * p(h|v); the gradient of c_j loses cost * (q_j - target), that of W_ij
 * cost * (q_j - target) * the batch's mean v_i.  Two gradients, so the
 * second starts from the first's estimate.
 */
START_TEST(test_gradient_sparsity)
{
	static const size_t idx[3] = { 0, 2, 5 };
	struct rbm_train_settings p = params(0.1, 3);
	struct pair x;

	p.sparsity_target = 0.2;
	p.sparsity_cost = 0.5;
	p.sparsity_decay = 0.75;
	pair_start(&x, &p, 6, 0, 1, 13);
	assert_vector(x.ts.hid_mean, x.r.q, NH, 1e-7, "q");
	ck_assert(x.r.q[0] == 0.2);
	pair_gradient(&x, idx, 3);
	assert_vector(x.ts.hid_mean, x.r.q, NH, 1e-6, "q");
	pair_gradient(&x, idx, 2);
	assert_vector(x.ts.hid_mean, x.r.q, NH, 1e-6, "q");
	pair_end(&x);
}
END_TEST

/* Fill m and g with short binary fractions of both signs (and zeros). */
static void fractions(struct rbm *m, struct rbm *g)
{
	size_t a, j;

	for (a = 0; a < NV; a++) {
		for (j = 0; j < NH; j++) {
			gsl_matrix_float_set(m->w, a, j,
					     0.5f * ((float)a - (float)j));
			gsl_matrix_float_set(g->w, a, j,
					     0.25f * ((float)j - 1) + 0.125f *
					     (float)a);
		}
		gsl_vector_float_set(m->b, a, -1);
		gsl_vector_float_set(g->b, a, 0.5f * (float)a);
	}
	for (j = 0; j < NH; j++) {
		gsl_vector_float_set(m->c, j, 2);
		gsl_vector_float_set(g->c, j, -0.75f * (float)j);
	}
}

/*
 * A trainer for m with p on sample rows (for rbm_train_apply, which needs
 * one); the rows and generator are returned for the caller to free.
 */
static struct rbm_trainer *apply_trainer(struct rbm *m,
					 struct rbm_train_state *ts,
					 const struct rbm_train_settings *p,
					 struct rbm_data **d, gsl_rng **rng)
{
	*d = sample_data(3);
	*rng = rng_seeded(1);
	return trainer(m, ts, p, *d, 1, *rng);
}

/*
 * Without momentum or decay, m += rate * g for every weight and both
 * biases, exactly (all values are short binary fractions, so there is no
 * rounding to hide behind); the rate scales, sign and all, and a
 * momentum given to apply is ignored when the parameters keep no
 * velocity.
 */
START_TEST(test_apply)
{
	struct rbm_train_settings p = params(0.1, 3);
	struct rbm_train_state ts = { 0 };
	struct rbm *m = small_model(), *g = small_model();
	struct rbm_trainer *t;
	struct rbm_data *d;
	gsl_rng *rng;
	struct par want, pg;

	t = apply_trainer(m, &ts, &p, &d, &rng);
	ck_assert_ptr_null(ts.velocity);
	fractions(m, g);
	par_from_model(&want, m);
	par_from_model(&pg, g);
	par_combine(&want, 1, &pg, 0.5);
	rbm_train_apply(t, g, 0.5, 0);
	assert_par(m, &want, 0);
	par_combine(&want, 1, &pg, -2);
	rbm_train_apply(t, g, -2, 0.5);
	assert_par(m, &want, 0);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	rbm_data_free(d);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_free(g);
}
END_TEST

/*
 * With momentum the trainer keeps a velocity, zero at first; each update
 * is velocity = momentum * velocity + rate * g, then m += velocity, with
 * the momentum given to apply (not the parameter's).  Exact again.
 */
START_TEST(test_apply_momentum)
{
	struct rbm_train_settings p = params(0.1, 3);
	struct rbm_train_state ts = { 0 };
	struct rbm *m = small_model(), *g = small_model();
	struct rbm *zero = rbm_alloc(NV, NH, NULL);
	struct rbm_trainer *t;
	struct rbm_data *d;
	gsl_rng *rng;
	struct par want, vel, pg;

	p.momentum = 0.5;
	t = apply_trainer(m, &ts, &p, &d, &rng);
	ck_assert_ptr_nonnull(ts.velocity);
	par_from_model(&vel, zero);
	assert_par(ts.velocity, &vel, 0);
	fractions(m, g);
	par_from_model(&want, m);
	par_from_model(&pg, g);
	rbm_train_apply(t, g, 0.5, 0.75);	/* velocity 0: 0.5 g */
	par_combine(&vel, 0.75, &pg, 0.5);
	par_combine(&want, 1, &vel, 1);
	assert_par(ts.velocity, &vel, 0);
	assert_par(m, &want, 0);
	rbm_train_apply(t, g, 0.25, 0.75);	/* 0.75 * 0.5 g + 0.25 g */
	par_combine(&vel, 0.75, &pg, 0.25);
	par_combine(&want, 1, &vel, 1);
	assert_par(ts.velocity, &vel, 0);
	assert_par(m, &want, 0);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	rbm_data_free(d);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_free(g);
	rbm_free(zero);
}
END_TEST

/*
 * Weight decay and L1: the weights' gradient loses wd * W + l1 * sign(W)
 * (nothing for a zero weight) before the step; the biases' gradients are
 * untouched.  Exact with binary fractions.
 */
START_TEST(test_apply_decay)
{
	struct rbm_train_settings p = params(0.1, 3);
	struct rbm_train_state ts = { 0 };
	struct rbm *m = small_model(), *g = small_model();
	struct rbm_trainer *t;
	struct rbm_data *d;
	gsl_rng *rng;
	struct par want, pg;
	size_t a, j;

	p.weight_decay = 0.25;
	p.l1 = 0.125;
	t = apply_trainer(m, &ts, &p, &d, &rng);
	fractions(m, g);
	par_from_model(&want, m);
	par_from_model(&pg, g);
	for (a = 0; a < NV; a++)
		for (j = 0; j < NH; j++)
			pg.w[a][j] -= 0.25 * want.w[a][j] +
				      0.125 * sign(want.w[a][j]);
	ck_assert(want.w[0][0] == 0 && want.w[0][1] < 0 && want.w[1][0] > 0);
	par_combine(&want, 1, &pg, 0.5);
	rbm_train_apply(t, g, 0.5, 0);
	assert_par(m, &want, 0);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	rbm_data_free(d);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_free(g);
}
END_TEST

/* ---- epochs against the reference ---- */

/*
 * Epochs of plain CD-1 in shuffled mini-batches (10 rows in 4 + 4 + 2)
 * follow the reference for three epochs: the shuffle from file order
 * each epoch, the batches in that order, a constant rate.
 */
START_TEST(test_epochs_cd)
{
	struct rbm_train_settings p = params(0.5, 4);
	struct pair x;
	int e;

	pair_start(&x, &p, 10, 0, 3, 21);
	for (e = 0; e < 3; e++)
		pair_epoch(&x);
	pair_end(&x);
}
END_TEST

/*
 * The linear schedule: batch b of nb in epoch e of a run of E epochs
 * steps at lr * (1 - (e + b/nb) / E); with 3 batches an epoch, the last
 * steps at lr * (1 - (e + 2/3) / E).  A second run starts again at lr.
 */
START_TEST(test_epochs_linear_schedule)
{
	struct rbm_train_settings p = params(0.5, 4);
	struct pair x;
	int e;

	p.schedule = RBM_SCHEDULE_LINEAR;
	pair_start(&x, &p, 10, 0, 3, 22);
	for (e = 0; e < 3; e++)
		ck_assert_double_eq_tol(pair_epoch(&x).rate,
					0.5 * (1 - (e + 2.0 / 3) / 3), 1e-12);
	rbm_trainer_free(x.t);
	x.t = trainer(x.m, &x.ts, &x.p, x.d, 2, x.rng);
	x.r.run_epoch = 0;
	x.r.run_epochs = 2;
	ck_assert_double_eq_tol(pair_epoch(&x).rate, 0.5 * (1 - 1.0 / 3),
				1e-12);
	pair_end(&x);
}
END_TEST

/*
 * Momentum in epochs, with the ramp: 0.5 while the model has trained
 * fewer than 5 epochs, then the parameter's 0.9 (from a model at 3
 * epochs: 0.5, 0.5, 0.9); without the ramp the parameter throughout.
 */
START_TEST(test_epochs_momentum)
{
	struct rbm_train_settings p = params(0.25, 4);
	struct pair x;
	int e;

	p.momentum = 0.9;
	p.momentum_ramp = 1;
	pair_start(&x, &p, 10, 3, 3, 23);
	for (e = 0; e < 3; e++)
		ck_assert(pair_epoch(&x).momentum == (e < 2 ? 0.5 : 0.9));
	pair_end(&x);
	p.momentum_ramp = 0;
	pair_start(&x, &p, 10, 0, 2, 24);
	ck_assert(pair_epoch(&x).momentum == 0.9);
	ck_assert(pair_epoch(&x).momentum == 0.9);
	pair_end(&x);
}
END_TEST

/*
 * Parameter averaging over the last 2 epochs of a run of 4: the epochs
 * train as without it, and rbm_trainer_finish then sets the model to the
 * mean of the parameters after each batch of epochs 3 and 4 (6 updates),
 * which differs from the last.  Without averaging finish changes nothing.
 */
START_TEST(test_epochs_average)
{
	struct rbm_train_settings p = params(0.5, 4);
	struct rbm *last = small_model();
	struct par before;
	struct pair x;
	int e;

	p.average = 2;
	pair_start(&x, &p, 10, 0, 4, 25);
	for (e = 0; e < 4; e++)
		pair_epoch(&x);
	ck_assert_uint_eq(x.r.nsum, 6);
	rbm_copy(last, x.m);
	rbm_trainer_finish(x.t);
	ref_finish(&x.r);
	assert_par(x.m, &x.r.m, TOL);
	par_from_model(&before, last);
	ck_assert(fabs(before.w[0][0] - x.r.m.w[0][0]) > 100 * TOL);
	pair_end(&x);
	p.average = 0;
	pair_start(&x, &p, 10, 0, 2, 25);
	pair_epoch(&x);
	rbm_copy(last, x.m);
	rbm_trainer_finish(x.t);
	par_from_model(&before, last);
	assert_par(x.m, &before, 0);
	pair_end(&x);
	rbm_free(last);
}
END_TEST

/*
 * average_fraction counts the model's epochs, not the run's: after 8
 * epochs, a run of 2 at fraction 0.2 ends at epoch 10, whose last fifth
 * is both of the run's epochs (6 updates), as in the last 2 epochs of one
 * run of 10; counted by the run alone it would be its last epoch only.
 */
START_TEST(test_epochs_average_fraction)
{
	struct rbm_train_settings p = params(0.5, 4);
	struct pair x;

	p.average = 0;
	p.average_fraction = 0.2;
	pair_start(&x, &p, 10, 8, 2, 27);
	pair_epoch(&x);
	pair_epoch(&x);
	ck_assert_uint_eq(x.r.nsum, 6);
	rbm_trainer_finish(x.t);
	ref_finish(&x.r);
	assert_par(x.m, &x.r.m, TOL);
	pair_end(&x);
}
END_TEST

/*
 * Everything at once, so that no two features interfere: CD-2 and then
 * PCD-2, centering, sparsity, L2 and L1 decay, momentum with the ramp,
 * the linear schedule and averaging, three epochs against the reference.
 */
START_TEST(test_epochs_everything)
{
	int pcd;

	for (pcd = 0; pcd <= 1; pcd++) {
		struct rbm_train_settings p = params(0.5, 4);
		struct pair x;
		int e;

		p.cd_k = 2;
		p.pcd = pcd;
		p.centering = 1;
		p.offset_rate = 0.1;
		p.sparsity_target = 0.1;
		p.sparsity_cost = 0.3;
		p.sparsity_decay = 0.9;
		p.weight_decay = 0.01;
		p.l1 = 0.005;
		p.momentum = 0.8;
		p.momentum_ramp = 1;
		p.schedule = RBM_SCHEDULE_LINEAR;
		p.average = 2;
		pair_start(&x, &p, 10, 4, 3, 26 + (unsigned long)pcd);
		for (e = 0; e < 3; e++)
			pair_epoch(&x);
		assert_vector(x.ts.vis_offset, x.r.mu, NV, TOL, "mu");
		assert_vector(x.ts.hid_offset, x.r.lam, NH, TOL, "lambda");
		assert_vector(x.ts.hid_mean, x.r.q, NH, TOL, "q");
		if (pcd)
			assert_chains(&x);
		rbm_trainer_finish(x.t);
		ref_finish(&x.r);
		assert_par(x.m, &x.r.m, TOL);
		pair_end(&x);
	}
}
END_TEST

/*
 * rbm_train_data_bias sets b_i = log(p_i / (1 - p_i)) of the column means
 * p_i clipped to [0.001, 0.999] (columns all 1 and all 0 clip, fractions
 * count as themselves) and touches nothing else; no rows changes nothing.
 */
START_TEST(test_data_bias)
{
	static const float rows[4][NV] = { { 1, 0, 1, 0.75f },
					   { 1, 0, 0, 1 },
					   { 1, 0, 0.5f, 1 },
					   { 1, 0, 0, 0.25f } };
	/* Laplace's rule, (sum + 1) / (rows + 2): a unit always on in four
	 * rows gets 5/6, not 0.999 (whose bias 6.9 would dwarf the weights
	 * on tiny data) */
	static const double mean[NV] = { 5.0 / 6, 1.0 / 6, 2.5 / 6, 4.0 / 6 };
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	struct rbm *m = small_model();
	struct par want;
	size_t i;

	par_from_model(&want, m);
	rbm_train_data_bias(m, d);
	assert_par(m, &want, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(rbm_data_append(d, rows[i], &err), 0);
	for (i = 0; i < NV; i++)
		want.b[i] = log(mean[i] / (1 - mean[i]));
	rbm_train_data_bias(m, d);
	assert_par(m, &want, 1e-6);
	rbm_free(m);
	rbm_data_free(d);
}
END_TEST

/* ---- replays, reproducibility, runs ---- */

/* Two models are equal bit for bit. */
static int same_model(const struct rbm *x, const struct rbm *y)
{
	size_t a;

	for (a = 0; a < x->nv; a++)
		if (memcmp(gsl_matrix_float_const_ptr(x->w, a, 0),
			   gsl_matrix_float_const_ptr(y->w, a, 0),
			   x->nh * sizeof(float)) != 0)
			return 0;
	return memcmp(x->b->data, y->b->data, x->nv * sizeof(float)) == 0 &&
	       memcmp(x->c->data, y->c->data, x->nh * sizeof(float)) == 0;
}

/*
 * Train a fresh small model with p for a run of epochs epochs on d with
 * the generator seeded with seed; the model, the last epoch's figures in
 * *st.
 */
static struct rbm *train_fresh(const struct rbm_data *d,
			       const struct rbm_train_settings *p,
			       unsigned long seed, unsigned long epochs,
			       struct rbm_epoch_stats *st)
{
	struct rbm_err err = { "" };
	struct rbm_train_state ts = { 0 };
	struct rbm *m = small_model();
	gsl_rng *rng = rng_seeded(seed);
	struct rbm_trainer *t = trainer(m, &ts, p, d, epochs, rng);
	unsigned long e;

	for (e = 0; e < epochs; e++)
		ck_assert_msg(rbm_train_epoch(t, rng, st, &err) == 0, "%s",
			      err.msg);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	return m;
}

/*
 * The same seed gives the same model bit for bit after several epochs of
 * shuffled mini-batches (and the same figures); another seed does not.
 */
START_TEST(test_epoch_reproducible)
{
	struct rbm_train_settings p = params(0.1, 3);
	struct rbm_data *d = sample_data(10);
	struct rbm_epoch_stats s1, s2, s3;
	struct rbm *a = train_fresh(d, &p, 5, 4, &s1);
	struct rbm *b = train_fresh(d, &p, 5, 4, &s2);
	struct rbm *c = train_fresh(d, &p, 6, 4, &s3);
	struct rbm *start = small_model();

	ck_assert(same_model(a, b));
	ck_assert(s1.rate == s2.rate && s1.momentum == s2.momentum);
	ck_assert_uint_eq(s1.rows, 10);
	ck_assert(!same_model(a, c));
	ck_assert(!same_model(a, start));	/* training did something */
	rbm_free(a);
	rbm_free(b);
	rbm_free(c);
	rbm_free(start);
	rbm_data_free(d);
}
END_TEST

/*
 * When the data fits in one batch (n < batch and n == batch) an epoch is
 * exactly one gradient of the rows in file order and one update at the
 * learning rate, with no shuffle draws.
 */
START_TEST(test_epoch_full_batch)
{
	static const size_t batches[2] = { 5, 3 };
	static const size_t idx[3] = { 0, 1, 2 };
	struct rbm_data *d = sample_data(3);
	int n;

	for (n = 0; n < 2; n++) {
		struct rbm_train_settings p = params(0.5, batches[n]);
		struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
		struct rbm *m1 = small_model(), *m2 = small_model();
		gsl_rng *r1 = rng_seeded(31), *r2 = rng_seeded(31);
		struct rbm_trainer *t1 = trainer(m1, &ts1, &p, d, 1, r1);
		struct rbm_trainer *t2 = trainer(m2, &ts2, &p, d, 1, r2);
		gsl_matrix_float *v = gsl_matrix_float_alloc(3, NV);
		struct rbm_epoch_stats st;
		struct rbm_err err = { "" };

		ck_assert_int_eq(rbm_train_epoch(t1, r1, &st, &err), 0);
		rbm_data_gather(d, idx, 3, v);
		ck_assert_int_eq(rbm_train_step(t2, v, NULL, 3,
						p.learning_rate, 0, r2, NULL,
						&err), 0);
		ck_assert(same_model(m1, m2));
		ck_assert(st.rate == 0.5);
		ck_assert_uint_eq(st.rows, 3);
		ck_assert_uint_eq(ts1.epochs, 1);
		ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
		gsl_matrix_float_free(v);
		rbm_trainer_free(t1);
		rbm_trainer_free(t2);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		rbm_free(m1);
		rbm_free(m2);
	}
	rbm_data_free(d);
}
END_TEST

/*
 * With more rows than a batch, an epoch shuffles the row order, starting
 * from file order each time, with the generator, then takes gradient +
 * update on consecutive batches of that order, the last one partial (10
 * rows in 4 + 4 + 2).  Replayed with the library's public batch step
 * for two epochs, bit for bit.
 */
START_TEST(test_epoch_minibatches)
{
	const size_t n = 10, batch = 4;
	struct rbm_train_settings p = params(0.25, batch);
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_data *d = sample_data(n);
	struct rbm *m1 = small_model(), *m2 = small_model();
	gsl_rng *r1 = rng_seeded(8), *r2 = rng_seeded(8);
	struct rbm_trainer *t1 = trainer(m1, &ts1, &p, d, 2, r1);
	struct rbm_trainer *t2 = trainer(m2, &ts2, &p, d, 2, r2);
	gsl_matrix_float *v = gsl_matrix_float_alloc(batch, NV);
	struct rbm_epoch_stats st;
	struct rbm_err err = { "" };
	size_t order[10], start, k, i;
	int e;

	for (e = 0; e < 2; e++) {
		ck_assert_int_eq(rbm_train_epoch(t1, r1, &st, &err), 0);
		for (i = 0; i < n; i++)
			order[i] = i;
		gsl_ran_shuffle(r2, order, n, sizeof(order[0]));
		for (start = 0; start < n; start += k) {
			gsl_matrix_float_view vv;

			k = n - start < batch ? n - start : batch;
			vv = gsl_matrix_float_submatrix(v, 0, 0, k, NV);
			rbm_data_gather(d, order + start, k, &vv.matrix);
			ck_assert_int_eq(rbm_train_step(t2, &vv.matrix, NULL,
							k, p.learning_rate, 0,
							r2, NULL, &err), 0);
		}
		ck_assert(same_model(m1, m2));
		ck_assert_uint_eq(st.rows, n);
	}
	ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
	gsl_matrix_float_free(v);
	rbm_trainer_free(t1);
	rbm_trainer_free(t2);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_free(m1);
	rbm_free(m2);
	rbm_data_free(d);
}
END_TEST

/*
 * Plain CD-1 training split across trainers (each `train` run allocates
 * a new one) equals one trainer's run of the same epochs: nothing but
 * the model, the generator and the epoch count carries over.
 */
START_TEST(test_epoch_split_run)
{
	const size_t n = 11;
	struct rbm_train_settings p = params(0.25, 3);
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_data *d = sample_data(n);
	struct rbm *m1 = small_model(), *m2 = small_model();
	gsl_rng *r1 = rng_seeded(4), *r2 = rng_seeded(4);
	struct rbm_trainer *t1 = trainer(m1, &ts1, &p, d, 4, r1), *t2;
	struct rbm_epoch_stats st1, st2;
	struct rbm_err err = { "" };
	int e;

	for (e = 0; e < 4; e++)
		ck_assert_int_eq(rbm_train_epoch(t1, r1, &st1, &err), 0);
	for (e = 0; e < 4; e++) {
		t2 = trainer(m2, &ts2, &p, d, 1, r2);	/* a run an epoch */
		ck_assert_int_eq(rbm_train_epoch(t2, r2, &st2, &err), 0);
		rbm_trainer_free(t2);
	}
	ck_assert(same_model(m1, m2));
	ck_assert_uint_eq(ts1.epochs, 4);
	ck_assert_uint_eq(ts2.epochs, 4);
	ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
	rbm_trainer_free(t1);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_free(m1);
	rbm_free(m2);
	rbm_data_free(d);
}
END_TEST

/* Two matrices (or both NULL) are equal bit for bit. */
static int same_matrix(const gsl_matrix_float *x, const gsl_matrix_float *y)
{
	size_t i;

	if (!x || !y)
		return x == y;
	if (x->size1 != y->size1 || x->size2 != y->size2)
		return 0;
	for (i = 0; i < x->size1; i++)
		if (memcmp(gsl_matrix_float_const_ptr(x, i, 0),
			   gsl_matrix_float_const_ptr(y, i, 0),
			   x->size2 * sizeof(float)) != 0)
			return 0;
	return 1;
}

/* Two vectors (or both NULL) are equal bit for bit. */
static int same_vector(const gsl_vector_float *x, const gsl_vector_float *y)
{
	size_t i;

	if (!x || !y)
		return x == y;
	if (x->size != y->size)
		return 0;
	for (i = 0; i < x->size; i++)
		if (memcmp(gsl_vector_float_const_ptr(x, i),
			   gsl_vector_float_const_ptr(y, i), sizeof(float)))
			return 0;
	return 1;
}

/*
 * Everything a run keeps: PCD-2, momentum with the ramp, centering and
 * sparsity for 2 epochs in one run, or 1 + 1 in two runs carrying the
 * train state and continuing the generator, give the same model and the
 * same train state (epochs, velocity, chains, offsets, activity) bit for
 * bit, and leave the generators at the same point.
 */
START_TEST(test_split_run_keeps_state)
{
	struct rbm_train_settings p = params(0.25, 4);
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_data *d = sample_data(10);
	struct rbm *m1 = small_model(), *m2 = small_model();
	struct rbm *start = small_model();
	gsl_rng *r1 = rng_seeded(17), *r2 = rng_seeded(17);
	struct rbm_trainer *t;
	struct rbm_epoch_stats st;
	struct rbm_err err = { "" };
	int e;

	p.pcd = 1;
	p.cd_k = 2;
	p.momentum = 0.9;
	p.momentum_ramp = 1;
	p.centering = 1;
	p.sparsity_target = 0.2;
	t = trainer(m1, &ts1, &p, d, 2, r1);
	for (e = 0; e < 2; e++)
		ck_assert_int_eq(rbm_train_epoch(t, r1, &st, &err), 0);
	rbm_trainer_free(t);
	for (e = 0; e < 2; e++) {
		t = trainer(m2, &ts2, &p, d, 1, r2);
		ck_assert_int_eq(rbm_train_epoch(t, r2, &st, &err), 0);
		rbm_trainer_free(t);
	}
	ck_assert(same_model(m1, m2));
	ck_assert(!same_model(ts1.velocity, start) && !same_model(m1, start));
	ck_assert_uint_eq(ts1.epochs, 2);
	ck_assert_uint_eq(ts2.epochs, 2);
	ck_assert_ptr_nonnull(ts1.velocity);
	ck_assert(same_model(ts1.velocity, ts2.velocity));
	ck_assert_ptr_nonnull(ts1.chains);
	ck_assert(same_matrix(ts1.chains, ts2.chains));
	ck_assert_ptr_nonnull(ts1.vis_offset);
	ck_assert(same_vector(ts1.vis_offset, ts2.vis_offset));
	ck_assert(same_vector(ts1.hid_offset, ts2.hid_offset));
	ck_assert_ptr_nonnull(ts1.hid_mean);
	ck_assert(same_vector(ts1.hid_mean, ts2.hid_mean));
	ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
	rbm_train_state_clear(&ts1);
	rbm_train_state_clear(&ts2);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_free(m1);
	rbm_free(m2);
	rbm_free(start);
	rbm_data_free(d);
}
END_TEST

/*
 * A run with the defaults' averaging over the last half of the model's
 * epochs (PCD, visible centering), in one run of 4 epochs or 2 + 2 with
 * rbm_trainer_finish after each: the same averaged model and the same
 * iterate bit for bit.  The first run's finish leaves the model at the
 * average of its epoch 2 and the raw parameters in the iterate; the
 * second continues from the iterate, to which its chains belong (from the
 * average instead, a split run was several nats worse on Fashion-MNIST).
 */
START_TEST(test_split_run_averaged)
{
	struct rbm_train_settings p = params(0.25, 4);
	struct rbm_train_state ts1 = { 0 }, ts2 = { 0 };
	struct rbm_data *d = sample_data(10);
	struct rbm *m1 = small_model(), *m2 = small_model();
	gsl_rng *r1 = rng_seeded(23), *r2 = rng_seeded(23);
	struct rbm_trainer *t;
	struct rbm_epoch_stats st;
	struct rbm_err err = { "" };
	int e, run;

	p.pcd = 1;
	p.visible_centering = 1;
	p.average = 0;
	p.average_fraction = 0.5;
	t = trainer(m1, &ts1, &p, d, 4, r1);
	for (e = 0; e < 4; e++)
		ck_assert_int_eq(rbm_train_epoch(t, r1, &st, &err), 0);
	rbm_trainer_finish(t);
	rbm_trainer_free(t);
	for (run = 0; run < 2; run++) {
		t = trainer(m2, &ts2, &p, d, 2, r2);
		for (e = 0; e < 2; e++)
			ck_assert_int_eq(rbm_train_epoch(t, r2, &st, &err),
					 0);
		rbm_trainer_finish(t);
		rbm_trainer_free(t);
		ck_assert_ptr_nonnull(ts2.iterate);
		ck_assert(!same_model(m2, ts2.iterate));
	}
	ck_assert(same_model(m1, m2));
	ck_assert_ptr_nonnull(ts1.iterate);
	ck_assert(same_model(ts1.iterate, ts2.iterate));
	ck_assert(same_matrix(ts1.chains, ts2.chains));
	ck_assert_uint_eq(gsl_rng_get(r1), gsl_rng_get(r2));
	p.average_fraction = 0;	/* a run without averaging drops it */
	t = trainer(m2, &ts2, &p, d, 1, r2);
	ck_assert(same_model(m2, ts1.iterate));
	ck_assert_int_eq(rbm_train_epoch(t, r2, &st, &err), 0);
	rbm_trainer_finish(t);
	rbm_trainer_free(t);
	ck_assert_ptr_null(ts2.iterate);
	rbm_train_state_clear(&ts1);
	rbm_train_state_clear(&ts2);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	rbm_free(m1);
	rbm_free(m2);
	rbm_data_free(d);
}
END_TEST

/*
 * The trainer makes the parts of the train state that the parameters
 * use and drops the others: PCD chains (one a row of the batch, remade
 * when the batch changes), velocity (momentum or its ramp), offsets
 * (centering), activity (sparsity).  rbm_train_state_clear frees them
 * all and keeps the epochs.
 */
START_TEST(test_state_parts_follow_params)
{
	struct rbm_train_settings all = params(0.1, 4), none = params(0.1, 4);
	struct rbm_train_state ts = { 0 };
	struct rbm_data *d = sample_data(6);
	struct rbm *m = small_model();
	gsl_rng *rng = rng_seeded(3);
	struct rbm_trainer *t;

	all.pcd = 1;
	all.momentum_ramp = 1;
	all.centering = 1;
	all.sparsity_target = 0.1;
	t = trainer(m, &ts, &all, d, 1, rng);
	ck_assert_ptr_nonnull(ts.velocity);
	ck_assert_uint_eq(ts.chains->size1, 4);
	ck_assert_uint_eq(ts.chains->size2, NH);
	ck_assert_uint_eq(ts.vis_offset->size, NV);
	ck_assert_uint_eq(ts.hid_offset->size, NH);
	ck_assert_uint_eq(ts.hid_mean->size, NH);
	rbm_trainer_free(t);
	all.batch_size = 10;		/* more than the rows: 6 chains */
	t = trainer(m, &ts, &all, d, 1, rng);
	ck_assert_uint_eq(ts.chains->size1, 6);
	rbm_trainer_free(t);
	all.chains = 9;			/* more chains than rows */
	all.centering = 0;
	all.visible_centering = 1;	/* no hidden offsets */
	t = trainer(m, &ts, &all, d, 1, rng);
	ck_assert_uint_eq(ts.chains->size1, 9);
	ck_assert_uint_eq(ts.vis_offset->size, NV);
	ck_assert_ptr_null(ts.hid_offset);
	rbm_trainer_free(t);
	all.chains = 0;
	all.centering = 1;
	ts.epochs = 7;
	t = trainer(m, &ts, &none, d, 1, rng);
	ck_assert_ptr_null(ts.velocity);
	ck_assert_ptr_null(ts.chains);
	ck_assert_ptr_null(ts.vis_offset);
	ck_assert_ptr_null(ts.hid_offset);
	ck_assert_ptr_null(ts.hid_mean);
	rbm_trainer_free(t);
	t = trainer(m, &ts, &all, d, 1, rng);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	ck_assert_ptr_null(ts.velocity);
	ck_assert_ptr_null(ts.chains);
	ck_assert_ptr_null(ts.vis_offset);
	ck_assert_ptr_null(ts.hid_offset);
	ck_assert_ptr_null(ts.hid_mean);
	ck_assert_uint_eq(ts.epochs, 7);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_data_free(d);
}
END_TEST

/*
 * A train state holding one centering offset but not the other (a state
 * file may carry either section alone) gets both started afresh, at the
 * data's column means and 0.5, and trains.
 */
START_TEST(test_state_half_offsets)
{
	int which;

	for (which = 0; which < 2; which++) {
		struct rbm_train_settings p = params(0.1, 4);
		struct rbm_train_state ts = { 0 };
		struct rbm_data *d = sample_data(6);
		struct rbm *m = small_model();
		gsl_rng *rng = rng_seeded(5);
		struct rbm_trainer *t;
		struct rbm_epoch_stats st;
		struct rbm_err err = { "" };
		struct ref r;

		p.centering = 1;
		if (which)
			ts.hid_offset = gsl_vector_float_calloc(NH);
		else
			ts.vis_offset = gsl_vector_float_calloc(NV);
		t = trainer(m, &ts, &p, d, 1, rng);
		ref_init(&r, m, &p, d, 0, 1, 5);
		assert_vector(ts.vis_offset, r.mu, NV, 1e-6, "mu");
		assert_vector(ts.hid_offset, r.lam, NH, 0, "lambda");
		ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
		rbm_trainer_free(t);
		rbm_train_state_clear(&ts);
		ref_free(&r);
		gsl_rng_free(rng);
		rbm_free(m);
		rbm_data_free(d);
	}
}
END_TEST

/* What a hook saw, and after how many batches it stops (0: never). */
struct hook_log {
	size_t calls, done[8], rows, stop_after;
};

static int hook(void *arg, size_t done, size_t rows)
{
	struct hook_log *h = arg;

	h->done[h->calls++ % 8] = done;
	h->rows = rows;
	return h->stop_after && h->calls >= h->stop_after;
}

/*
 * The hook is called after every batch with the rows done and the
 * epoch's rows; a nonzero return stops the epoch there (1, and the epoch
 * is not counted), except after the last batch, where the epoch is done.
 */
START_TEST(test_epoch_hook)
{
	struct rbm_train_settings p = params(0.1, 4);
	struct rbm_train_state ts = { 0 };
	struct rbm_data *d = sample_data(10);
	struct rbm *m = small_model();
	gsl_rng *rng = rng_seeded(12);
	struct rbm_trainer *t = trainer(m, &ts, &p, d, 3, rng);
	struct hook_log h = { 0 };
	struct rbm_epoch_stats st;
	struct rbm_err err = { "" };

	rbm_trainer_set_hook(t, hook, &h);
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	ck_assert_uint_eq(h.calls, 3);
	ck_assert_uint_eq(h.done[0], 4);
	ck_assert_uint_eq(h.done[1], 8);
	ck_assert_uint_eq(h.done[2], 10);
	ck_assert_uint_eq(h.rows, 10);
	ck_assert_uint_eq(ts.epochs, 1);
	h.calls = 0;
	h.stop_after = 2;
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 1);
	ck_assert_uint_eq(h.calls, 2);
	ck_assert_uint_eq(ts.epochs, 1);
	h.calls = 0;
	h.stop_after = 3;
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	ck_assert_uint_eq(ts.epochs, 2);
	rbm_trainer_set_hook(t, NULL, NULL);
	ck_assert_int_eq(rbm_train_epoch(t, rng, &st, &err), 0);
	ck_assert_uint_eq(h.calls, 3);
	rbm_trainer_free(t);
	rbm_train_state_clear(&ts);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_data_free(d);
}
END_TEST

/* ---- parts: data-parallel steps ---- */

/*
 * A generator whose every 32-bit word is 0x80808080, so every draw
 * compares its probability with the same number (about 0.502): the
 * sampled states of a row do not depend on which draws came before, and
 * a batch split over processes samples what the whole batch samples.
 */
static unsigned long const_get(void *state)
{
	(void)state;
	return 0x80808080UL;
}

static double const_get_double(void *state)
{
	return (double)const_get(state) / 4294967296.0;
}

static void const_set(void *state, unsigned long seed)
{
	(void)state;
	(void)seed;
}

static const gsl_rng_type const_type = {
	"constant", 0xffffffffUL, 0, sizeof(int), const_set, const_get,
	const_get_double
};

/* The rows [first, first + n) of sample_data(rows), with hole, if set,
 * making every fifth value of them missing. */
static struct rbm_data *part_data(size_t rows, size_t first, size_t n,
				  int holes)
{
	struct rbm_data *all = sample_data(rows);
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	float row[NV];
	size_t i, a;

	for (i = first; i < first + n; i++) {
		gsl_matrix_float_view v = gsl_matrix_float_view_array(row, 1,
								      NV);
		rbm_data_gather(all, &i, 1, &v.matrix);
		for (a = 0; holes && a < NV; a++)
			if ((i * NV + a) % 5 == 2)
				row[a] = NAN;
		ck_assert_int_eq(rbm_data_append(d, row, &err), 0);
	}
	rbm_data_free(all);
	return d;
}

#define MAXP 4	/* processes, at most */

/*
 * MPI_Allreduce(MPI_SUM) between threads: each publishes its buffers,
 * waits for all, sums every process's in rank order into its own copy,
 * waits again, then writes the sum over its buffers.
 */
struct fake_mpi {
	size_t ranks;
	pthread_barrier_t bar;
	float *f[MAXP];
	double *d[MAXP];
	unsigned long calls[MAXP];
};

struct fake_rank {
	struct fake_mpi *w;
	size_t rank;
};

static int fake_reduce(void *arg, float *f, size_t nf, double *d,
		       size_t nd, struct rbm_err *err)
{
	struct fake_rank *r = arg;
	struct fake_mpi *w = r->w;
	float *fs = calloc(nf + 1, sizeof(*fs));
	double *ds = calloc(nd + 1, sizeof(*ds));
	size_t i, p;

	(void)err;
	w->f[r->rank] = f;
	w->d[r->rank] = d;
	w->calls[r->rank]++;
	pthread_barrier_wait(&w->bar);
	for (p = 0; p < w->ranks; p++) {
		for (i = 0; i < nf; i++)
			fs[i] += w->f[p][i];
		for (i = 0; i < nd; i++)
			ds[i] += w->d[p][i];
	}
	pthread_barrier_wait(&w->bar);
	memcpy(f, fs, nf * sizeof(*f));
	memcpy(d, ds, nd * sizeof(*d));
	free(fs);
	free(ds);
	return 0;
}

/* One process of a data-parallel run, and what it is to do. */
struct proc {
	struct fake_rank fr;
	struct rbm_train_part part;
	struct rbm_data *d;
	struct rbm *m;
	struct rbm_train_state ts;
	gsl_rng *shuffle, *sampler;
	struct rbm_trainer *t;
	const struct rbm_train_settings *p;
	const size_t *batch;	/* step: the global batch's rows */
	size_t k;		/* its size; 0: run epochs instead */
	unsigned long epochs;
	int stop;		/* the stop wish, then what came back */
	int rc;			/* the step's or last epoch's return */
	size_t rows;		/* rows of the last epoch */
};

/* A process's step on its share of the batch, or its epochs. */
static void *proc_run(void *arg)
{
	struct proc *x = arg;
	struct rbm_err err = { "" };
	struct rbm_epoch_stats st;
	size_t i, kl = 0, idx[MAXK];
	unsigned long e;

	if (x->k == 0) {
		for (e = 0; e < x->epochs; e++)
			x->rc = rbm_train_epoch(x->t, x->shuffle, &st, &err);
		x->rows = st.rows;
		return NULL;
	}
	for (i = 0; i < x->k; i++)
		if (x->batch[i] >= x->part.first &&
		    x->batch[i] < x->part.first + x->d->n)
			idx[kl++] = x->batch[i] - x->part.first;
	{
		gsl_matrix_float *v = gsl_matrix_float_alloc(MAXK, NV);
		gsl_matrix_float *mk = gsl_matrix_float_alloc(MAXK, NV);
		gsl_matrix_float_view vv = gsl_matrix_float_submatrix(
			v, 0, 0, kl ? kl : 1, NV);
		gsl_matrix_float_view mv = gsl_matrix_float_submatrix(
			mk, 0, 0, kl ? kl : 1, NV);
		gsl_matrix_float *items = gsl_matrix_float_alloc(MAXK, NV);
		gsl_matrix_float_view iv = gsl_matrix_float_submatrix(
			items, 0, 0, kl ? kl : 1, NV);

		if (kl) {
			rbm_data_gather(x->d, idx, kl, &iv.matrix);
			rbm_visible_encode(x->m, &iv.matrix, &vv.matrix,
					   &mv.matrix);
		}
		x->rc = rbm_train_step(x->t, kl ? &vv.matrix : NULL,
				       kl && x->d->missing ? &mv.matrix : NULL,
				       x->k, x->p->learning_rate,
				       x->p->momentum, x->sampler, &x->stop,
				       &err);
		gsl_matrix_float_free(v);
		gsl_matrix_float_free(mk);
		gsl_matrix_float_free(items);
	}
	return NULL;
}

/* Two models agree within tol, relative to 1. */
static void assert_close_model(const struct rbm *x, const struct rbm *y,
			       double tol)
{
	size_t a, j;

	for (a = 0; a < x->nv; a++) {
		for (j = 0; j < x->nh; j++)
			ck_assert_double_eq_tol(gsl_matrix_float_get(x->w, a, j),
						gsl_matrix_float_get(y->w, a, j),
						tol);
		ck_assert_double_eq_tol(gsl_vector_float_get(x->b, a),
					gsl_vector_float_get(y->b, a), tol);
	}
	for (j = 0; j < x->nh; j++)
		ck_assert_double_eq_tol(gsl_vector_float_get(x->c, j),
					gsl_vector_float_get(y->c, j), tol);
}

static void assert_close_vector(const gsl_vector_float *x,
				const gsl_vector_float *y, double tol)
{
	size_t i;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	for (i = 0; i < x->size; i++)
		ck_assert_double_eq_tol(gsl_vector_float_get(x, i),
					gsl_vector_float_get(y, i), tol);
}

/*
 * K processes on rows n split unevenly (the sizes sizes[0..K)), each
 * with the state of the reference one-process trainer ref (its chains
 * split by rank, its offsets), then all run at once.
 */
static void run_parts(struct proc *x, size_t K, const size_t *sizes,
		      size_t n, int holes, const struct rbm_train_settings *p,
		      const struct rbm_train_state *ref, struct fake_mpi *w)
{
	pthread_t th[MAXP];
	struct rbm_err err = { "" };
	size_t r, first = 0, c0 = 0;

	w->ranks = K;
	ck_assert_int_eq(pthread_barrier_init(&w->bar, NULL, (unsigned)K), 0);
	for (r = 0; r < K; r++) {
		x[r].fr.w = w;
		x[r].fr.rank = r;
		x[r].part = (struct rbm_train_part){ n, first, r, K,
						     fake_reduce, &x[r].fr };
		x[r].d = part_data(n, first, sizes[r], holes);
		first += sizes[r];
		x[r].m = small_model();
		x[r].p = p;
		x[r].ts.epochs = ref->epochs;
		if (ref->vis_offset) {
			x[r].ts.vis_offset = gsl_vector_float_alloc(NV);
			gsl_vector_float_memcpy(x[r].ts.vis_offset,
						ref->vis_offset);
		}
		if (ref->hid_offset) {
			x[r].ts.hid_offset = gsl_vector_float_alloc(NH);
			gsl_vector_float_memcpy(x[r].ts.hid_offset,
						ref->hid_offset);
		}
		x[r].shuffle = rng_seeded(77);
		x[r].sampler = gsl_rng_alloc(&const_type);
		x[r].t = rbm_trainer_alloc_part(x[r].m, &x[r].ts, p, x[r].d,
						x[r].epochs ? x[r].epochs : 1,
						x[r].sampler, &x[r].part,
						&err);
		ck_assert_msg(x[r].t != NULL, "%s", err.msg);
		rbm_trainer_set_sampler(x[r].t, x[r].sampler);
		if (ref->chains) {	/* rank r's share of the chains */
			size_t nc = x[r].ts.chains->size1, i, j;
			for (i = 0; i < nc; i++)
				for (j = 0; j < NH; j++)
					gsl_matrix_float_set(x[r].ts.chains, i,
						j, gsl_matrix_float_get(
							ref->chains, c0 + i,
							j));
			c0 += nc;
		}
	}
	if (ref->chains)
		ck_assert_uint_eq(c0, ref->chains->size1);
	for (r = 0; r < K; r++)
		ck_assert_int_eq(pthread_create(&th[r], NULL, proc_run, &x[r]),
				 0);
	for (r = 0; r < K; r++)
		pthread_join(th[r], NULL);
	pthread_barrier_destroy(&w->bar);
}

static void free_parts(struct proc *x, size_t K)
{
	size_t r;

	for (r = 0; r < K; r++) {
		rbm_trainer_free(x[r].t);
		rbm_train_state_clear(&x[r].ts);
		gsl_rng_free(x[r].shuffle);
		gsl_rng_free(x[r].sampler);
		rbm_free(x[r].m);
		rbm_data_free(x[r].d);
	}
}

/*
 * One process on all n rows: what the parts tests compare the processes
 * with.  Its generator draws the same number every time, like theirs.
 */
struct whole {
	struct rbm_data *d;
	struct rbm *m;
	struct rbm_train_state ts;
	gsl_rng *c;
	struct rbm_trainer *t;
};

/* Set w up for epochs epochs with p (which must outlive it). */
static void whole_open(struct whole *w, size_t n, int holes,
		       const struct rbm_train_settings *p, unsigned long epochs)
{
	memset(w, 0, sizeof(*w));
	w->d = part_data(n, 0, n, holes);
	w->m = small_model();
	w->c = gsl_rng_alloc(&const_type);
	w->t = trainer(w->m, &w->ts, p, w->d, epochs, w->c);
}

static void whole_close(struct whole *w)
{
	rbm_trainer_free(w->t);
	rbm_train_state_clear(&w->ts);
	gsl_rng_free(w->c);
	rbm_free(w->m);
	rbm_data_free(w->d);
}

/* The settings the parts tests go through. */
static struct rbm_train_settings part_params(int which)
{
	struct rbm_train_settings p = params(0.5, MAXK);

	switch (which) {
	case 1:		/* PCD-2 with momentum */
		p.pcd = 1;
		p.cd_k = 2;
		p.momentum = 0.5;
		break;
	case 2:		/* centering, sparsity, decay */
		p.centering = 1;
		p.sparsity_target = 0.2;
		p.weight_decay = 0.01;
		p.l1 = 0.001;
		break;
	case 3:		/* centering with PCD and averaging */
		p.pcd = 1;
		p.centering = 1;
		p.average = 2;
		break;
	case 4:		/* today's defaults: PCD with chains of their own
			 * number (5, not the batch's 8), visible centering
			 * (products of binary states, offsets after),
			 * averaging the last half */
		rbm_train_defaults(&p);
		p.learning_rate = 0.5;
		p.batch_size = MAXK;
		p.chains = 5;
		break;
	}
	return p;
}

/*
 * For K = 2, 3, 4 processes holding unequal parts of 13 rows (two with
 * no rows of the batch at all, one with no rows when K = 4), one step of
 * each on its share of a global batch of 8 rows, its shares summed by a
 * fake allreduce, gives every process the model that one process's step
 * on the whole batch gives (same sampled states, injected through a
 * generator that draws the same number every time), to float rounding,
 * and the same centering offsets, sparsity activity and PCD chains; the
 * processes agree bit for bit; one process's wish to stop reaches all.
 * CD, PCD-2 with momentum, centering + sparsity + decay with missing
 * values (masks), centering with PCD, the defaults (5 chains, visible
 * centering).
 */
START_TEST(test_step_parts)
{
	static const size_t batch[MAXK] = { 1, 4, 2, 9, 11, 6, 0, 7 };
	static const size_t sizes[5][MAXP] = {
		{ 0 }, { 0 }, { 3, 10 }, { 2, 8, 3 }, { 5, 0, 1, 7 }
	};
	const size_t n = 13;
	int which;
	size_t K, r;

	for (which = 0; which < 5; which++) {
		struct rbm_train_settings p = part_params(which);
		int holes = which == 2;
		for (K = 2; K <= MAXP; K++) {
			struct whole o;
			gsl_matrix_float *v = gsl_matrix_float_alloc(MAXK, NV);
			gsl_matrix_float *mk = gsl_matrix_float_alloc(MAXK, NV);
			gsl_matrix_float *it = gsl_matrix_float_alloc(MAXK, NV);
			struct rbm_err err = { "" };
			struct fake_mpi w = { 0 };
			struct proc x[MAXP];

			whole_open(&o, n, holes, &p, 1);
			memset(x, 0, sizeof(x));
			for (r = 0; r < K; r++) {
				x[r].batch = batch;
				x[r].k = MAXK;
				x[r].stop = r == 1;
			}
			run_parts(x, K, sizes[K], n, holes, &p, &o.ts, &w);
			rbm_data_gather(o.d, batch, MAXK, it);
			rbm_visible_encode(o.m, it, v, mk);
			ck_assert_int_eq(rbm_train_step(o.t, v, holes ? mk : NULL,
							MAXK, p.learning_rate,
							p.momentum, o.c, NULL,
							&err), 0);
			for (r = 0; r < K; r++) {
				ck_assert_int_eq(x[r].rc, 0);
				ck_assert_int_eq(x[r].stop, 1);
				ck_assert_uint_eq(w.calls[r], 1);
				assert_close_model(x[r].m, o.m, 1e-6);
				ck_assert(same_model(x[r].m, x[0].m));
				if (p.centering || p.visible_centering)
					assert_close_vector(x[r].ts.vis_offset,
							    o.ts.vis_offset, 1e-6);
				if (p.centering)
					assert_close_vector(x[r].ts.hid_offset,
							    o.ts.hid_offset, 1e-6);
				if (p.sparsity_target > 0)
					assert_close_vector(x[r].ts.hid_mean,
							    o.ts.hid_mean, 1e-6);
			}
			if (p.pcd) {	/* the chains moved alike */
				size_t c0 = 0, i, j;
				for (r = 0; r < K; r++)
					for (i = 0; i < x[r].ts.chains->size1;
					     i++, c0++)
						for (j = 0; j < NH; j++)
							ck_assert(gsl_matrix_float_get(x[r].ts.chains, i, j) == gsl_matrix_float_get(o.ts.chains, c0, j));
			}
			free_parts(x, K);
			gsl_matrix_float_free(v);
			gsl_matrix_float_free(mk);
			gsl_matrix_float_free(it);
			whole_close(&o);
		}
	}
}
END_TEST

/*
 * Whole epochs: K = 2, 3, 4 processes on unequal parts of 13 rows (batch
 * 8: a full batch and a partial one each epoch, shuffled from one
 * generator per process seeded alike) end three epochs with the model of
 * one process on all rows, to float rounding, and bit for bit alike; each
 * counts all 13 rows in its epoch.
 */
START_TEST(test_epoch_parts)
{
	static const size_t sizes[5][MAXP] = {
		{ 0 }, { 0 }, { 9, 4 }, { 1, 7, 5 }, { 4, 0, 6, 3 }
	};
	const size_t n = 13;
	int which;
	size_t K, r;

	for (which = 0; which < 5; which++) {
		struct rbm_train_settings p = part_params(which);
		int holes = which == 2;
		for (K = 2; K <= MAXP; K++) {
			gsl_rng *sh = rng_seeded(77);
			struct rbm_epoch_stats st;
			struct rbm_err err = { "" };
			struct fake_mpi w = { 0 };
			struct proc x[MAXP];
			struct whole o;
			int e;

			whole_open(&o, n, holes, &p, 3);
			rbm_trainer_set_sampler(o.t, o.c);
			memset(x, 0, sizeof(x));
			for (r = 0; r < K; r++)
				x[r].epochs = 3;
			run_parts(x, K, sizes[K], n, holes, &p, &o.ts, &w);
			for (e = 0; e < 3; e++)
				ck_assert_int_eq(rbm_train_epoch(o.t, sh, &st,
								 &err), 0);
			rbm_trainer_finish(o.t);
			for (r = 0; r < K; r++) {
				rbm_trainer_finish(x[r].t);
				ck_assert_int_eq(x[r].rc, 0);
				ck_assert_uint_eq(x[r].rows, n);
				ck_assert_uint_eq(x[r].ts.epochs, 3);
				assert_close_model(x[r].m, o.m, 1e-5);
				ck_assert(same_model(x[r].m, x[0].m));
			}
			free_parts(x, K);
			whole_close(&o);
			gsl_rng_free(sh);
		}
	}
}
END_TEST

/*
 * The shares must add up to the batch: a process that claims a global
 * batch its shares do not fill gets an error, not a wrong gradient.
 */
START_TEST(test_step_rows_must_add_up)
{
	struct rbm_train_settings p = params(0.1, 4);
	struct rbm_data *d = sample_data(6);
	struct rbm *m = small_model(), *start = small_model();
	struct rbm_train_state ts = { 0 };
	gsl_rng *rng = rng_seeded(3);
	struct rbm_trainer *t = trainer(m, &ts, &p, d, 1, rng);
	gsl_matrix_float *v = gsl_matrix_float_alloc(3, NV);
	static const size_t idx[3] = { 0, 1, 2 };
	struct rbm_err err = { "" };

	rbm_data_gather(d, idx, 3, v);
	ck_assert_int_eq(rbm_train_step(t, v, NULL, 4, 0.1, 0, rng, NULL,
					&err), -1);
	ck_assert_str_eq(err.msg, "the processes' shares add up to 3 rows "
			 "and 3 chains, not 4 and 4");
	ck_assert(same_model(m, start));	/* no update */
	rbm_free(start);
	gsl_matrix_float_free(v);
	rbm_trainer_free(t);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_data_free(d);
}
END_TEST

/* ---- checks ---- */

/*
 * The defaults: rate 0.2, batch 100, PCD-1, no momentum, decay, sparsity
 * (but cost 0.1 and decay 0.95 ready for it) or centering, a constant
 * rate, averaging over the last 5 epochs, offset rate 0.01, data biases;
 * and they pass the check.
 */
START_TEST(test_defaults)
{
	struct rbm_train_settings p;

	memset(&p, 0xff, sizeof(p));
	rbm_train_defaults(&p);
	ck_assert(p.learning_rate == 0.2);
	ck_assert_uint_eq(p.batch_size, 100);
	ck_assert_uint_eq(p.cd_k, 1);
	ck_assert_int_eq(p.pcd, 1);
	ck_assert(p.momentum == 0);
	ck_assert_int_eq(p.momentum_ramp, 0);
	ck_assert(p.weight_decay == 0 && p.l1 == 0);
	ck_assert(p.sparsity_target == 0);
	ck_assert(p.sparsity_cost == 0.1 && p.sparsity_decay == 0.95);
	ck_assert_int_eq(p.schedule, RBM_SCHEDULE_CONSTANT);
	ck_assert_int_eq(p.centering, 0);
	ck_assert(p.offset_rate == 0.01);
	ck_assert_uint_eq(p.average, 0);
	ck_assert(p.average_fraction == 0.5);
	ck_assert_uint_eq(p.chains, 500);
	ck_assert_int_eq(p.visible_centering, 1);
	ck_assert_int_eq(rbm_train_check_params(&p, NULL), 0);
	ck_assert_str_eq(rbm_schedule_names[RBM_SCHEDULE_CONSTANT],
			 "constant");
	ck_assert_str_eq(rbm_schedule_names[RBM_SCHEDULE_LINEAR], "linear");
	ck_assert_ptr_null(rbm_schedule_names[RBM_NSCHEDULES]);
}
END_TEST

/* Which field a check case sets, and to what. */
enum field {
	F_RATE, F_BATCH, F_CD_K, F_MOMENTUM, F_DECAY, F_L1, F_TARGET,
	F_COST, F_SDECAY, F_SCHEDULE, F_OFFSET
};

struct check_case {
	enum field f;
	double x;
	const char *msg;	/* NULL: accepted */
};

/* The defaults with field f set to x. */
static struct rbm_train_settings with(enum field f, double x)
{
	struct rbm_train_settings p;

	rbm_train_defaults(&p);
	p.pcd = 0;
	p.schedule = RBM_SCHEDULE_CONSTANT;
	switch (f) {
	case F_RATE:
		p.learning_rate = x;
		break;
	case F_BATCH:
		p.batch_size = (size_t)x;
		break;
	case F_CD_K:
		p.cd_k = (unsigned long)x;
		break;
	case F_MOMENTUM:
		p.momentum = x;
		break;
	case F_DECAY:
		p.weight_decay = x;
		break;
	case F_L1:
		p.l1 = x;
		break;
	case F_TARGET:
		p.sparsity_target = x;
		break;
	case F_COST:
		p.sparsity_cost = x;
		break;
	case F_SDECAY:
		p.sparsity_decay = x;
		break;
	case F_SCHEDULE:
		p.schedule = (int)x;
		break;
	case F_OFFSET:
		p.offset_rate = x;
		break;
	}
	return p;
}

#define M_RATE "learning rate must be a positive number"
#define M_BATCH "batch size must be between 1 and 1048576"
#define M_CD_K "the number of Gibbs steps must be between 1 and 100000"
#define M_MOM "momentum must be in [0, 1)"
#define M_DECAY "weight decay must not be negative"
#define M_L1 "L1 must not be negative"
#define M_TARGET "sparsity target must be in [0, 1)"
#define M_COST "sparsity cost must not be negative"
#define M_SDECAY "sparsity decay must be in [0, 1)"
#define M_SCHED "unknown learning-rate schedule"
#define M_OFFSET "offset rate must be in (0, 1]"

/*
 * Every parameter outside its range (NaN and infinities included) is
 * refused with a message naming it; the boundaries are accepted.
 */
START_TEST(test_check_params)
{
	static const struct check_case cases[] = {
		{ F_RATE, 0, M_RATE }, { F_RATE, -0.5, M_RATE },
		{ F_RATE, NAN, M_RATE }, { F_RATE, INFINITY, M_RATE },
		{ F_RATE, 1e-9, NULL }, { F_RATE, 1e30, NULL },
		{ F_BATCH, 0, M_BATCH }, { F_BATCH, 1048577, M_BATCH },
		{ F_BATCH, 1, NULL }, { F_BATCH, 1048576, NULL },
		{ F_CD_K, 0, M_CD_K }, { F_CD_K, 100001, M_CD_K },
		{ F_CD_K, 1, NULL }, { F_CD_K, 100000, NULL },
		{ F_MOMENTUM, -0.1, M_MOM }, { F_MOMENTUM, 1, M_MOM },
		{ F_MOMENTUM, NAN, M_MOM }, { F_MOMENTUM, 0, NULL },
		{ F_MOMENTUM, 0.999, NULL },
		{ F_DECAY, -1e-9, M_DECAY }, { F_DECAY, INFINITY, M_DECAY },
		{ F_DECAY, NAN, M_DECAY }, { F_L1, -1, M_L1 },
		{ F_L1, NAN, M_L1 }, { F_DECAY, 5, NULL },
		{ F_L1, 0.5, NULL },
		{ F_TARGET, -0.1, M_TARGET }, { F_TARGET, 1, M_TARGET },
		{ F_TARGET, NAN, M_TARGET }, { F_COST, -1, M_COST },
		{ F_COST, INFINITY, M_COST }, { F_SDECAY, 1, M_SDECAY },
		{ F_SDECAY, -0.5, M_SDECAY }, { F_TARGET, 0.999, NULL },
		{ F_COST, 0, NULL }, { F_SDECAY, 0, NULL },
		{ F_SCHEDULE, -1, M_SCHED }, { F_SCHEDULE, 2, M_SCHED },
		{ F_SCHEDULE, 1, NULL },
		{ F_OFFSET, 0, M_OFFSET }, { F_OFFSET, 1.5, M_OFFSET },
		{ F_OFFSET, NAN, M_OFFSET }, { F_OFFSET, -0.1, M_OFFSET },
		{ F_OFFSET, 1, NULL }, { F_OFFSET, 1e-9, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rbm_train_settings p = with(cases[i].f, cases[i].x);
		struct rbm_err err = { "" };
		int rc = rbm_train_check_params(&p, &err);

		if (!cases[i].msg) {
			ck_assert_msg(rc == 0, "case %zu refused: %s", i,
				      err.msg);
			continue;
		}
		ck_assert_msg(rc == -1, "case %zu accepted", i);
		ck_assert_str_eq(err.msg, cases[i].msg);
	}
}
END_TEST

/*
 * A trainer for no rows is refused, and makes none of the train state's
 * parts even when the parameters ask for them all.
 */
START_TEST(test_trainer_no_rows)
{
	struct rbm_train_settings p = params(0.1, 10);
	struct rbm_train_state ts = { 0 };
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	struct rbm *m = small_model();
	gsl_rng *rng = rng_seeded(1);

	p.pcd = 1;
	p.momentum = 0.5;
	p.centering = 1;
	p.sparsity_target = 0.1;
	ck_assert_ptr_null(rbm_trainer_alloc(m, &ts, &p, d, 1, rng, &err));
	ck_assert_str_eq(err.msg, "no rows to train on");
	ck_assert_ptr_null(ts.velocity);
	ck_assert_ptr_null(ts.chains);
	ck_assert_ptr_null(ts.vis_offset);
	ck_assert_ptr_null(ts.hid_mean);
	rbm_trainer_free(NULL);
	gsl_rng_free(rng);
	rbm_free(m);
	rbm_data_free(d);
}
END_TEST

/* The seed README's six users and six movies (data/movies.txt). */
static struct rbm_data *movies(void)
{
	static const float rows[6][6] = {
		{ 1, 1, 1, 0, 0, 0 }, { 1, 0, 1, 0, 0, 0 },
		{ 1, 1, 1, 0, 0, 0 }, { 0, 0, 1, 1, 1, 0 },
		{ 0, 0, 1, 1, 0, 0 }, { 0, 0, 1, 1, 1, 0 },
	};
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(6, &err);
	size_t i;

	for (i = 0; i < 6; i++)
		ck_assert_int_eq(rbm_data_append(d, rows[i], &err), 0);
	return d;
}

/*
 * Train a 6 x 2 model (seed 1, as `rbmcmd init 6 2 --seed 1`) on the
 * movies at rate, batch 100, for up to epochs epochs: the epoch (1-based)
 * that failed with its message in err, or 0 if none did.
 */
static int diverges_at(double rate, unsigned long epochs,
		       struct rbm_err *err)
{
	struct rbm_train_settings p = params(rate, RBM_DEFAULT_BATCH_SIZE);
	struct rbm_data *d = movies();
	struct rbm_state *s = rbm_state_create(6, 2, &p, 1, err);
	struct rbm_trainer *t;
	struct rbm_epoch_stats st;
	unsigned long e;
	int failed = 0;

	ck_assert_ptr_nonnull(s);
	t = rbm_trainer_alloc(s->model, &s->train, &p, d, epochs, s->rng,
			      err);
	ck_assert_ptr_nonnull(t);
	for (e = 1; e <= epochs && !failed; e++)
		if (rbm_train_epoch(t, s->rng, &st, err) < 0)
			failed = (int)e;
	rbm_trainer_free(t);
	rbm_state_free(s);
	rbm_data_free(d);
	return failed;
}

/*
 * A rate so large that the parameters overflow float (1e39 > FLT_MAX)
 * makes the first epoch fail, advising a smaller learning rate.
 */
START_TEST(test_divergence_overflow)
{
	struct rbm_err err = { "" };

	ck_assert_int_eq(diverges_at(1e39, 1, &err), 1);
	ck_assert_str_eq(err.msg, "training diverged: the parameters are no "
			 "longer finite or exceed 1e+06; try a smaller "
			 "learning rate than 1e+39");
}
END_TEST

/*
 * A huge learning rate (1e30) on the movies must be reported as
 * divergence advising a smaller learning rate (tests/errors.sh expects
 * it in epoch 1 of `train 20 1e30`).  Nothing overflows at that rate
 * (every sigmoid saturates and the weights stay near 5e29), so this is
 * what the RBM_MAX_PARAM bound in rbm_check_params is for.
 */
START_TEST(test_divergence_huge_rate)
{
	struct rbm_err err = { "" };
	int e = diverges_at(1e30, 20, &err);

	ck_assert_msg(e > 0, "rate 1e30 trained 20 epochs without error");
	ck_assert_int_eq(e, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "smaller learning rate"));
}
END_TEST

Suite *train_suite(void)
{
	Suite *s = suite_create("train");
	TCase *grad = tcase_create("gradient");
	TCase *apply = tcase_create("apply");
	TCase *epoch = tcase_create("epoch");
	TCase *run = tcase_create("run");
	TCase *check = tcase_create("checks");
	TCase *parts = tcase_create("parts");

	tcase_add_test(grad, test_gradient_by_definition);
	tcase_add_test(grad, test_gradient_partial_batch_view);
	tcase_add_test(grad, test_gradient_cd_k);
	tcase_add_test(grad, test_gradient_pcd);
	tcase_add_test(grad, test_gradient_centering_zero);
	tcase_add_test(grad, test_gradient_centering_formula);
	tcase_add_test(grad, test_gradient_visible_centering);
	tcase_add_test(grad, test_gradient_offset_target);
	tcase_add_test(grad, test_gradient_pcd_chains);
	tcase_add_test(grad, test_gradient_sparsity);
	suite_add_tcase(s, grad);

	tcase_add_test(apply, test_apply);
	tcase_add_test(apply, test_apply_momentum);
	tcase_add_test(apply, test_apply_decay);
	suite_add_tcase(s, apply);

	tcase_add_test(epoch, test_epochs_cd);
	tcase_add_test(epoch, test_epochs_linear_schedule);
	tcase_add_test(epoch, test_epochs_momentum);
	tcase_add_test(epoch, test_epochs_average);
	tcase_add_test(epoch, test_epochs_average_fraction);
	tcase_add_test(epoch, test_epochs_everything);
	tcase_add_test(epoch, test_data_bias);
	suite_add_tcase(s, epoch);

	tcase_add_test(run, test_epoch_reproducible);
	tcase_add_test(run, test_epoch_full_batch);
	tcase_add_test(run, test_epoch_minibatches);
	tcase_add_test(run, test_epoch_split_run);
	tcase_add_test(run, test_split_run_keeps_state);
	tcase_add_test(run, test_split_run_averaged);
	tcase_add_test(run, test_state_parts_follow_params);
	tcase_add_test(run, test_state_half_offsets);
	tcase_add_test(run, test_epoch_hook);
	suite_add_tcase(s, run);

	tcase_add_test(parts, test_step_parts);
	tcase_add_test(parts, test_epoch_parts);
	tcase_add_test(parts, test_step_rows_must_add_up);
	suite_add_tcase(s, parts);

	tcase_add_test(check, test_defaults);
	tcase_add_test(check, test_check_params);
	tcase_add_test(check, test_trainer_no_rows);
	tcase_add_test(check, test_divergence_overflow);
	tcase_add_test(check, test_divergence_huge_rate);
	suite_add_tcase(s, check);
	return s;
}
