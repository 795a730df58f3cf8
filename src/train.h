/*
 * train.h - the learning loop's pieces: CD-1 gradients of mini-batches,
 * updates, and one epoch over an in-memory training set.
 *
 * Computing a gradient and applying it are separate steps, so that a
 * data-parallel trainer can sum gradients across processes in between.
 * The caller owns the epoch loop (GSL's alloc / iterate / test style):
 * it decides when to stop, what to print and when to save.
 */
#ifndef RBM_TRAIN_H
#define RBM_TRAIN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "data.h"
#include "err.h"
#include "rbm.h"

/* Hyperparameters; kept in the state file so a later train continues. */
struct rbm_train_params {
	double learning_rate;	/* step size; the update is rate * gradient */
	size_t batch_size;	/* rows per mini-batch */
};

#define RBM_DEFAULT_LEARNING_RATE 0.1
#define RBM_DEFAULT_BATCH_SIZE 100
#define RBM_MAX_BATCH_SIZE (1UL << 20)

/* 0 if the parameters make sense, else -1 and a message naming the bad one. */
int rbm_train_check_params(const struct rbm_train_params *p,
			   struct rbm_err *err);

/* Per-epoch figures. */
struct rbm_epoch_stats {
	double recon_error;	/* mean over rows of sum_i (v_i - p(v_i|h))^2 */
	size_t rows;		/* rows seen */
};

struct rbm_trainer;

/*
 * Workspace to train an NV x NH model on n rows in batches of
 * p->batch_size (buffers for one batch, the gradient, the row order).
 * NULL with a message.
 */
struct rbm_trainer *rbm_trainer_alloc(size_t nv, size_t nh, size_t n,
				      const struct rbm_train_params *p,
				      struct rbm_err *err);

/* Release a workspace; NULL is a no-op. */
void rbm_trainer_free(struct rbm_trainer *t);

/*
 * The CD-1 gradient of the batch v (k x NV, k up to the batch size) as
 * the original defines it: hidden probabilities of the data, a sampled
 * hidden state, the reconstruction's probabilities and their hidden
 * probabilities; associations of probabilities, averaged over the batch.
 * Returns a model-shaped gradient owned by t (valid until the next call)
 * and adds the batch's summed squared reconstruction error to *sq_err.
 */
const struct rbm *rbm_train_gradient(struct rbm_trainer *t,
				     const struct rbm *m,
				     const gsl_matrix_float *v, gsl_rng *rng,
				     double *sq_err);

/* m += rate * g, for weights and both biases. */
void rbm_train_apply(struct rbm *m, const struct rbm *g, double rate);

/*
 * One epoch: every row once, in a fresh random order when the data is
 * larger than one batch (in file order, as one full batch, when not).
 * Returns 0, or -1 with a message when a parameter became NaN or
 * infinite (the model is then unusable and must not be saved).
 */
int rbm_train_epoch(struct rbm_trainer *t, struct rbm *m,
		    const struct rbm_data *d,
		    const struct rbm_train_params *p, gsl_rng *rng,
		    struct rbm_epoch_stats *stats, struct rbm_err *err);

#endif
