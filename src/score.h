/*
 * score.h - numbers about a model: free energies, reconstructions, the
 * log partition function (exactly for small models, by annealed importance
 * sampling for large ones) and the average log-likelihood of data.
 *
 * With E(v, h) = -b.v - c.h - v'Wh, summing out h gives the free energy
 *
 *     F(v) = -b.v - sum_j softplus(c_j + (vW)_j),   p(v) = exp(-F(v)) / Z,
 *
 * so the average log-likelihood of rows is -mean F(v) - log Z.  Products
 * of data batches go through sgemm like the rest of the library; every
 * sum, log Z and log weight is accumulated in double.  Nothing here prints
 * or keeps hidden state: the caller owns the workspaces and the generator.
 */
#ifndef RBM_SCORE_H
#define RBM_SCORE_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "err.h"
#include "rbm.h"

#define RBM_SCORE_EXACT_DEFAULT 20	/* default limit of exact log Z */
#define RBM_SCORE_EXACT_LIMIT 30	/* never enumerate more units */
#define RBM_AIS_DEFAULT_RUNS 100	/* Salakhutdinov & Murray (2008) */
#define RBM_AIS_DEFAULT_STEPS 1000	/* of the collapsed method */
#define RBM_AIS_LOW_ESS 10.0		/* fewer effective runs: a warning */
#define RBM_AIS_MIN_STEPS 3		/* one per segment of the schedule */
#define RBM_AIS_MAX_RUNS 1000000UL	/* limits the CLI accepts */
#define RBM_AIS_MAX_STEPS 100000000UL

/* Which layer an exact log Z sums over. */
enum rbm_layer { RBM_VISIBLE, RBM_HIDDEN };

/*
 * The free energy F(v) of every row of v (n x NV) into f[0..n): one sgemm
 * for vW into work (at least n x NH; its contents are overwritten), then
 * the sums in double.  Rows may hold any values, not only 0 and 1.
 */
void rbm_score_free_energy(const struct rbm *m, const gsl_matrix_float *v,
			   gsl_matrix_float *work, double *f);

/*
 * The same for rows of units with missing values: mask (n x NV, or NULL)
 * is 0 on missing units, which must be 0 in v.  Each row's F is that of
 * the model with its missing units deleted.  For Gaussian units
 * F(v) = |v - b|^2 / 2 - sum_j softplus(c_j + (vW)_j).
 */
void rbm_score_free_energy_masked(const struct rbm *m,
				  const gsl_matrix_float *v,
				  const gsl_matrix_float *mask,
				  gsl_matrix_float *work, double *f);

/*
 * Reconstructions of the rows of v (n x NV): out = p(v|h) at h = p(h|v),
 * with h (n x NH) as scratch.  out may be v itself.
 */
void rbm_score_reconstruct(const struct rbm *m, const gsl_matrix_float *v,
			   gsl_matrix_float *h, gsl_matrix_float *out);

/*
 * Predictions of missing values (recommend): the observed units of v
 * (n x NV, missing units 0), clamped, give h = p(h|v) (missing units
 * drive nothing); p(v|h), decoded, is every item's prediction: a
 * probability, a mean or an expected rating, into pred (n x items).  v
 * is overwritten with p(v|h); h (at least n x NH) is scratch.
 */
void rbm_score_predict(const struct rbm *m, gsl_matrix_float *v,
		       gsl_matrix_float *h, gsl_matrix_float *pred);

/* Running totals of rows streamed in batches (for loglik and AIS). */
struct rbm_score_sums {
	size_t rows;		/* rows added so far */
	double free_energy;	/* sum of their free energies */
	gsl_vector *col;	/* NV sums of each visible value */
	size_t fractional;	/* values other than 0 and 1 among them */
};

/* Zero totals for rows of nv values; NULL with a message. */
struct rbm_score_sums *rbm_score_sums_alloc(size_t nv, struct rbm_err *err);

/* Release totals; NULL is a no-op. */
void rbm_score_sums_free(struct rbm_score_sums *s);

/* Add the rows of v (n x NV) whose free energies are f[0..n). */
void rbm_score_sums_add(struct rbm_score_sums *s, const gsl_matrix_float *v,
			const double *f);

/* The average log-likelihood -mean F(v) - log_z of the rows added. */
double rbm_score_sums_loglik(const struct rbm_score_sums *s, double log_z);

/*
 * log Z summed over every state of one layer (2^NV or 2^NH terms),
 * log-sum-exp in double: with u units enumerated and their biases a, the
 * other layer's biases o and the weights between them as A (u x r),
 *
 *     log Z = log sum_s exp(a.s + sum_k softplus(o_k + (sA)_k)),
 *
 * the states taken in chunks of rows so that sA is one dgemm a chunk.
 * Refuses (-1 and a message) when that layer has more than max_units or
 * RBM_SCORE_EXACT_LIMIT units, or when memory runs out.
 */
int rbm_score_log_z_layer(const struct rbm *m, enum rbm_layer layer,
			  size_t max_units, double *log_z,
			  struct rbm_err *err);

/*
 * Exact log Z over the smaller layer; as rbm_score_log_z_layer.  A model
 * whose visible units are Gaussian or softmax always sums over its 2^NH
 * hidden states (Gray-code order, one column of W per state):
 *     Gaussian  log Z = NV/2 log 2pi + logsumexp_h [c.h + b.Wh + |Wh|^2/2]
 *     softmax   log Z = logsumexp_h [c.h + sum_groups log sum_k e^(b+Wh)_k]
 * and rbm_score_log_z_layer refuses RBM_VISIBLE for them.
 */
int rbm_score_log_z_exact(const struct rbm *m, size_t max_units,
			  double *log_z, struct rbm_err *err);

/*
 * Annealed importance sampling of log Z (Neal 2001; for RBMs Salakhutdinov
 * and Murray, ICML 2008).  Two methods:
 *
 * RBM_AIS_COLLAPSED (the default): the runs carry the states s of one
 * layer (the smaller one, unless p->layer says), the other summed out:
 * p*(s) = exp(a.s + sum_k softplus(o_k + (sA)_k)), a and o the biases of
 * the two layers, A the weights from s to the other.  The path is
 * f_B(s) = p*(s)^B from the uniform distribution (B = 0, Z = 2^u) to the
 * model's marginal, B = k/steps, and each step is one sweep of
 * single-unit Gibbs updates of f_B (u units, each costing a sum of r
 * softplus terms).  Raising p* to a power keeps its modes in place, so
 * the runs end in them in proportion to their mass.  ba and ca are not
 * used.
 *
 * RBM_AIS_GIBBS (the paper's): a base model with W = 0 and biases ba
 * (visible) and ca (hidden; NULL for 0), so that log Z_A = sum of the
 * softplus of every base bias, and the path of RBMs with weights B W and
 * biases (1 - B) base + B model, one block Gibbs sweep per step, B from
 * rbm_score_ais_beta.  On models trained by CD its runs can all miss a
 * mode that holds nearly all the mass and appears only near B = 1.
 */
enum rbm_ais_layer { RBM_AIS_SMALLER, RBM_AIS_VISIBLE, RBM_AIS_HIDDEN };
enum rbm_ais_method { RBM_AIS_COLLAPSED, RBM_AIS_GIBBS, RBM_AIS_NMETHODS };

/* Names of the methods (loglik --ais-method), indexed by enum
 * rbm_ais_method; NULL after. */
extern const char *const rbm_ais_method_names[RBM_AIS_NMETHODS + 1];

struct rbm_ais_settings {
	size_t runs;		/* independent runs, at least 2 */
	unsigned long steps;	/* intermediate distributions, >= 3 */
	enum rbm_ais_layer layer; /* the layer the runs carry (0: the
				   smaller; the other is summed out) */
	enum rbm_ais_method method; /* collapsed (0) or block Gibbs */
	const gsl_vector *base;	/* collapsed: the base's logits of the
				   annealed layer's units (NULL: 0, the
				   uniform distribution); RAISE by block
				   Gibbs: the base's visible biases (NULL:
				   0; its hidden ones are 0) */
};

struct rbm_ais_result {
	double log_z;		/* log of the mean estimate of Z */
	double log_z_stderr;	/* its standard error (delta method) */
	double log_z_base;	/* log Z_A of the base model */
	double log_w_sd;	/* log of the standard deviation of the
				   runs' estimates of Z */
	double ess;		/* effective sample size of the weights,
				   between 1 and runs */
};

/*
 * The base model's visible biases b_A from the totals of the data:
 * log(p / (1 - p)) of each column mean p, clamped to [1e-3, 1 - 1e-3];
 * all zero when no rows were added.  ba has NV elements.
 */
void rbm_score_ais_base(const struct rbm_score_sums *s, gsl_vector *ba);

/*
 * B_k of RBM_AIS_GIBBS's schedule of n steps (0 <= k <= n): the paper's
 * three segments
 * 0 to 0.5, 0.5 to 0.9 and 0.9 to 1 with 500, 4000 and 10000 of 14500
 * steps, scaled to n (at least one step each).  B_0 = 0, B_n = 1.
 */
double rbm_score_ais_beta(unsigned long k, unsigned long n);

/*
 * Estimate log Z with p->runs runs of p->steps steps by p->method (the
 * base biases ba, NV elements, and ca, NH or NULL, only for RBM_AIS_GIBBS;
 * the collapsed method accepts NULL for both),
 * drawing from rng (so a seeded generator gives the same result).  The
 * standard error is honest only when the effective number of runs is not
 * small (RBM_AIS_LOW_ESS): callers say so.  0, or -1 with a message for
 * bad parameters, a model whose visible units are not binary, or no
 * memory.
 */
int rbm_score_ais(const struct rbm *m, const gsl_vector *ba,
		  const gsl_vector *ca, const struct rbm_ais_settings *p,
		  gsl_rng *rng, struct rbm_ais_result *out,
		  struct rbm_err *err);

/*
 * RAISE (Burda, Grosse and Salakhutdinov, AISTATS 2015): the collapsed
 * path run backwards from data.  Each row v of the data gives one reverse
 * run: the annealed layer starts from p(s|v) (v itself when that layer
 * is the visible one), takes a reverse sweep at B = 1, (steps-1)/steps,
 * ..., 1/steps, and sums G = sum_k (B_k - B_k-1) (log p*(s) - log q(s))
 * over the states it passes.  -F(v) - log Z_A - G is then an unbiased
 * estimate of a lower bound on log p_ann(v), the log-likelihood of the
 * model that the forward annealing samples from, which approaches the
 * RBM as the steps grow: log Z_A + mean G is a log Z that errs high (a
 * log-likelihood that errs low), where forward AIS errs low.  Between
 * the two lies the truth, when the annealing model is as good as the RBM.
 */
struct rbm_raise_result {
	double log_z;		/* log Z_A + mean G (high on average) */
	double log_z_stderr;	/* sd(G) / sqrt(rows) */
	double log_z_reverse;	/* log Z_A - log mean exp(-G): reverse
				   AIS's estimate, unbiased for 1/Z when
				   the rows are exact samples of m */
	size_t rows;		/* reverse runs: one per row */
};

/*
 * RAISE's log Z from the rows of v (n >= 2 rows of NV values, 0 or 1)
 * with p->steps steps over p->layer from p->base by p->method: the
 * collapsed path's reverse sweeps one row after another, or the block
 * Gibbs path of rbm_score_ais (its schedule, its base model with visible
 * biases p->base) run backwards with the rows side by side.  p->runs is
 * not used.  0, or -1 with a message.
 */
int rbm_score_raise(const struct rbm *m, const gsl_matrix_float *v,
		    const struct rbm_ais_settings *p, gsl_rng *rng,
		    struct rbm_raise_result *out, struct rbm_err *err);

/* Where rbm_score_log_z's AIS runs start (loglik --ais-base). */
enum rbm_ais_start {
	RBM_AIS_FROM_UNIFORM,	/* runs.layer from the uniform
				   distribution (or runs.base) */
	RBM_AIS_FROM_DATA,	/* runs over the visible layer from the
				   rows' base rates: a start near the
				   data, which a model with sharp modes
				   needs */
	RBM_AIS_NSTARTS
};

/* Names of the starts, indexed by enum rbm_ais_start; NULL after. */
extern const char *const rbm_ais_start_names[RBM_AIS_NSTARTS + 1];

/* How rbm_score_log_z finds log Z. */
struct rbm_log_z_settings {
	size_t exact_max;	/* most units exact log Z enumerates */
	int ais;		/* AIS even where log Z could be exact */
	struct rbm_ais_settings runs; /* AIS's runs and steps */
	enum rbm_ais_start start; /* where AIS starts */
};

/*
 * The AIS settings that s asks for, for the rows totalled in sums:
 * s->runs, but with RBM_AIS_FROM_DATA the visible layer annealed from the
 * rows' base rates (rbm_score_ais_base), by either method.  It writes to
 * ba (NV elements, to outlive out) the base's visible biases that
 * rbm_score_ais takes for block Gibbs: the rates' logits from the data,
 * else 0; out->base points at ba except for the collapsed method from the
 * uniform distribution.  RAISE takes the same settings, so that both
 * directions anneal along the same path.
 */
void rbm_score_ais_plan(const struct rbm_log_z_settings *s,
			const struct rbm_score_sums *sums, gsl_vector *ba,
			struct rbm_ais_settings *out);

/* log Z as rbm_score_log_z found it. */
struct rbm_log_z {
	double value;		/* log Z */
	double stderr_;		/* its standard error (0 when exact) */
	int ais;		/* estimated by AIS (else exact) */
	double ess;		/* AIS: effective number of runs */
};

/*
 * log Z of m for the rows totalled in sums: exact (rbm_score_log_z_exact)
 * when the layer it sums over has at most s->exact_max units and s->ais
 * is 0, else by AIS from the rows' base rates with rng.  A model whose
 * visible units are not binary has no AIS: beyond the limit it is an
 * error saying which limit to raise.  0, or -1 with a message.
 */
int rbm_score_log_z(const struct rbm *m, const struct rbm_score_sums *sums,
		    const struct rbm_log_z_settings *s, gsl_rng *rng,
		    struct rbm_log_z *out, struct rbm_err *err);

#endif
