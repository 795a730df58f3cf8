/*
 * train.h - the learning loop's pieces: gradients of mini-batches (CD-k or
 * PCD, plain or centered, with a sparsity penalty), updates (learning-rate
 * schedule, momentum, L2 and L1 decay), parameter averaging, and epochs
 * over an in-memory training set.
 *
 * Computing a gradient and applying it are separate steps, so that a
 * data-parallel trainer can sum gradients across processes in between:
 * one batch step (rbm_train_step) is the share's statistics
 * (rbm_train_share), one reduce of everything the update takes from the
 * batch (rbm_train_combine, through the caller's rbm_train_reduce), then
 * the update (rbm_train_apply), identical in every process.  The epoch
 * loop and the tests use that step; with one process and no reduce it is
 * exactly the single-process trainer.  The caller owns the epoch loop
 * (GSL's alloc / iterate / test style): it decides when to stop, what to
 * print and when to save.
 *
 * The model always holds the plain parameters (energy -b.v - c.h - v'Wh).
 * Centering (Melchior, Fischer & Wiskott, JMLR 2016) only changes the
 * gradient: with offsets mu, lambda it is
 *     gW = <(v-mu)(h-lambda)'>_data - <(v-mu)(h-lambda)'>_model
 *     gb = <v>_data - <v>_model - gW lambda
 *     gc = <h>_data - <h>_model - gW' mu
 * which is the centered model's gradient mapped back to plain parameters,
 * so moving the offsets never changes the model.
 */
#ifndef RBM_TRAIN_H
#define RBM_TRAIN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "data.h"
#include "err.h"
#include "rbm.h"

enum rbm_schedule {
	RBM_SCHEDULE_CONSTANT,	/* the same rate throughout */
	RBM_SCHEDULE_LINEAR,	/* from the rate down to 0 over each run
				 * (a run split in two restarts it) */
	RBM_NSCHEDULES
};

/* Names of the schedules, indexed by enum rbm_schedule; NULL after. */
extern const char *const rbm_schedule_names[RBM_NSCHEDULES + 1];

/*
 * What the centering offsets move toward, batch after batch.  With the
 * average of the data's and the model's means, full centering and an
 * offset rate of 1 give the enhanced gradient of Cho, Raiko & Ilin
 * (ICANN 2011), as Melchior, Fischer & Wiskott show (JMLR 2016), but
 * with the previous batch's offsets: the offsets move after the
 * gradient, as they always do here.
 */
enum rbm_offset_target {
	RBM_OFFSETS_DATA,	/* the data's means (Melchior et al.) */
	RBM_OFFSETS_AVERAGE,	/* half the data's, half the model's */
	RBM_NOFFSET_TARGETS
};

/* Their names, indexed by enum rbm_offset_target; NULL after. */
extern const char *const rbm_offset_target_names[RBM_NOFFSET_TARGETS + 1];

/*
 * Hyperparameters; kept in the state file so a later train continues.
 * Each field is a row of the table in settings.c (its default, range,
 * state file key and option), which rbm_train_defaults and
 * rbm_train_check_params follow.
 */
struct rbm_train_settings {
	double learning_rate;	/* step size (at the start of a run) */
	size_t batch_size;	/* rows per mini-batch; chains with pcd */
	unsigned long cd_k;	/* Gibbs steps in the negative phase */
	int pcd;		/* persistent chains instead of the data */
	double momentum;	/* fraction of the last step added to each */
	int momentum_ramp;	/* momentum 0.5 for the model's first epochs */
	double weight_decay;	/* L2 penalty on the weights */
	double l1;		/* L1 penalty on the weights */
	double sparsity_target;	/* wanted mean hidden probability; 0 off */
	double sparsity_cost;	/* strength of the sparsity penalty */
	double sparsity_decay;	/* smoothing of the activity estimate */
	int schedule;		/* enum rbm_schedule */
	int centering;		/* centered gradient */
	int visible_centering;	/* ... of the visible units only (hidden
				 * offsets 0); centering takes precedence */
	double offset_rate;	/* moving-average rate of the offsets */
	unsigned long average;	/* average the parameters over the last N
				 * epochs of a run and keep that; 0 off */
	double average_fraction; /* ... or over the epochs of the run in
				 * the last fraction of the model's epochs
				 * (from init), if more; 0 off */
	size_t chains;		/* PCD chains of all parts; 0: one per
				 * row of a batch */
	int offset_target;	/* enum rbm_offset_target */
};

#define RBM_DEFAULT_LEARNING_RATE 0.2
#define RBM_DEFAULT_BATCH_SIZE 100
#define RBM_DEFAULT_CHAINS 500	/* PCD chains of a new model */
#define RBM_MAX_BATCH_SIZE (1UL << 20)
#define RBM_MAX_CD_K 100000
#define RBM_RAMP_EPOCHS 5	/* epochs at momentum 0.5 with the ramp */

/*
 * The defaults of a new model: PCD-1 with 500 chains at a constant rate
 * 0.2 with the visible units centered (visible_centering), the
 * parameters averaged
 * over the last half of the model's epochs (within each run), and
 * (cmd_train) the visible biases first set from the data
 * (rbm_train_data_bias).  Why, measured by bench/quality (exact test
 * log-likelihood, 20 hidden units; the figures are in the README): a
 * model whose visible biases start at 0 with the plain gradient
 * collapses on data with many pixels that are almost never on (digits
 * on a wide blank margin): the weights take up the error of the biases
 * in every hidden unit alike, all hidden biases climb until every unit
 * is on for every row, and the model is no better than its biases.
 * Starting from the data's biases avoids it; centering the visible
 * units (offsets at the data means) also conditions the gradient, which
 * on Fashion-MNIST gains about 14 nats over the plain gradient.  Full
 * centering (hidden offsets too) learns as well on large data but treats
 * a hidden unit and its flip alike, so on tiny data its units tend to
 * copy each other (six-movie story: the two units end up identical in
 * most seeds), and it had a 16-nat outlier on Fashion; so it is an
 * option.  A constant rate with averaging learns faster than a rate
 * decayed to 0, and a run split in pieces trains as one run does (the
 * iterate).  500 PCD chains rather than one a batch row: at rate 0.2
 * the parameters after each update swing by tens of nats of
 * log-likelihood from epoch to epoch, the average is only as good as
 * where the swings fall, and with 100 chains one Fashion-MNIST run
 * ended 8 nats below the median of its seeds; more chains make the
 * negative phase less noisy for about 2.5 times the time of an epoch.
 */
/* in settings.c */
void rbm_train_defaults(struct rbm_train_settings *p);

/*
 * 0 if the parameters make sense, else -1 and a message naming the bad
 * one (in settings.c, from the table of settings).
 */
int rbm_train_check_params(const struct rbm_train_settings *p,
			   struct rbm_err *err);

/* What training carries from one run to the next besides the model. */
struct rbm_train_state {
	unsigned long epochs;		/* epochs trained so far */
	struct rbm *velocity;		/* the last step (momentum), or NULL */
	gsl_matrix_float *chains;	/* PCD: hidden state of each chain */
	gsl_vector_float *vis_offset;	/* centering: mu, or NULL */
	gsl_vector_float *hid_offset;	/* centering: lambda, or NULL (0
					 * with visible_centering) */
	gsl_vector_float *hid_mean;	/* sparsity: mean activity, or NULL */
	struct rbm *iterate;		/* averaging: the last parameters of
					 * the run (the model holds their
					 * average), from which the next run
					 * continues; or NULL */
};

/* Free the parts of ts and set them to NULL (epochs stay). */
void rbm_train_state_clear(struct rbm_train_state *ts);

/*
 * Set the visible biases to log(p/(1-p)) of each unit's frequency p in
 * the data, as Hinton's practical guide advises for a model's first
 * training; for softmax units log p of each rating's frequency, for
 * Gaussian units the column means.  Frequencies follow Laplace's rule,
 * (ones + 1) / (rows + 2) ((+ 1) / (rows + K) for softmax), then clipped
 * to [0.001, 0.999]: a unit always on in six rows gets 7/8, not 0.999,
 * whose bias of 6.9 would leave the hidden units nothing to explain.
 * Missing values are left out of the counts.
 */
void rbm_train_data_bias(struct rbm *m, const struct rbm_data *d);

/*
 * Sum the buffers f[0..nf) and d[0..nd) in place across the processes
 * that train together, as MPI_Allreduce(MPI_IN_PLACE, ..., MPI_SUM)
 * does, every process calling it with buffers of the same sizes at the
 * same point; 0, or -1 with a message (then no process may go on).
 */
typedef int (*rbm_train_reduce)(void *arg, float *f, size_t nf, double *d,
				size_t nd, struct rbm_err *err);

/*
 * One process's part of a data set split over ranks processes: its rows
 * are rows first..first+n-1 of all rows (n those of its rbm_data), in the
 * concatenation of the parts by rank.  Every process draws the same row
 * order over all rows from the same generator (its state the same in all
 * of them), so an epoch takes every row of every part once, in the same
 * global batches as one process trained on the concatenation would; each
 * process computes the gradient of the rows of each batch it holds.  PCD
 * keeps the same chains in all as one process would (the settings'
 * chains, or the batch size's), split as evenly as they go in rank
 * order: a part takes its share of the chains the train state holds for
 * all parts (when it holds that many; else each part starts its own), and
 * rbm_trainer_gather_chains puts them together again for the save, so a
 * state file holds the same chains whatever the number of parts.
 */
struct rbm_train_part {
	size_t rows;		/* rows of all parts */
	size_t first;		/* this part's first row among them */
	size_t rank, ranks;	/* this part's number, and how many */
	rbm_train_reduce reduce; /* sums across the parts */
	void *arg;		/* its first argument */
};

/*
 * rbm_train_data_bias over all parts (part NULL: this data alone); 0, or
 * -1 with a message (out of memory, or the reduce's).
 */
int rbm_train_data_bias_part(struct rbm *m, const struct rbm_data *d,
			     const struct rbm_train_part *part,
			     struct rbm_err *err);

/* Per-epoch figures. */
struct rbm_epoch_stats {
	double rate;		/* learning rate of the epoch's last batch */
	double momentum;	/* momentum used */
	size_t rows;		/* rows seen (fewer if stopped early) */
};

struct rbm_trainer;

/*
 * Workspace for a run of epochs epochs on the data d: buffers for one
 * batch and the gradient, and the parts of ts that p asks for (created
 * when missing or of the wrong shape, freed when p does not use them).
 * The trainer keeps pointers to m, ts, p and d, which must outlive it.
 * The rows of d hold one value per item of m (visible.h).  NULL with a
 * message, also when d has missing values and p asks for PCD.
 */
struct rbm_trainer *rbm_trainer_alloc(struct rbm *m,
				      struct rbm_train_state *ts,
				      const struct rbm_train_settings *p,
				      const struct rbm_data *d,
				      unsigned long epochs, gsl_rng *rng,
				      struct rbm_err *err);

/*
 * The same for one part of a data set split over processes (part NULL:
 * rbm_trainer_alloc).  Every process calls it at once with the same m,
 * ts and p: centering's first offsets are reduced.  d may have no rows.
 * New PCD chains draw from rng, which should then be this process's
 * sampler (rbm_trainer_set_sampler), not the generator shared by all.
 */
struct rbm_trainer *rbm_trainer_alloc_part(struct rbm *m,
					   struct rbm_train_state *ts,
					   const struct rbm_train_settings *p,
					   const struct rbm_data *d,
					   unsigned long epochs, gsl_rng *rng,
					   const struct rbm_train_part *part,
					   struct rbm_err *err);

/*
 * Draw the Gibbs samples from rng, not the generator of rbm_train_epoch
 * (which then only shuffles, in step in every process); NULL: from it.
 */
void rbm_trainer_set_sampler(struct rbm_trainer *t, gsl_rng *rng);

/*
 * Over several parts, with n > 1: each part steps alone on its rows of
 * each global batch (their mean gradient, at the same rate), and the
 * parts' models, with everything the update reads (momentum, centering
 * offsets, sparsity activity, and the parameters' running average at the
 * end), are replaced by their mean every n batches and at the end of
 * every epoch, so they agree there.  Communication falls n-fold, but the
 * result then depends on the number of parts (local SGD / model
 * averaging).  n <= 1, or one part: the synchronous step of every batch
 * (the default).  A wish to stop is acted on at the next average.
 */
void rbm_trainer_set_average_every(struct rbm_trainer *t, unsigned long n);

/* Release a workspace; NULL is a no-op. */
void rbm_trainer_free(struct rbm_trainer *t);


/*
 * The batch step, part 1: this process's share v (k rows, or NULL for
 * none; used as scratch) of a global batch of batch rows, mask as for
 * rbm_train_gradient_masked.  Computes the share's sums: the weight
 * gradient's products already divided by the global batch (and the
 * global chains, with PCD), the column sums of the data and the negative
 * phase, centering's observed sums and counts, and the share's rows and
 * particles, all in the buffers of rbm_train_sums.
 */
void rbm_train_share(struct rbm_trainer *t, gsl_matrix_float *v,
		     const gsl_matrix_float *mask, size_t batch,
		     gsl_rng *rng);

/*
 * The buffers that rbm_train_combine hands to the reduce (floats: the
 * weight gradient; doubles: the rest), for a caller that sums them by
 * other means (a test).
 */
void rbm_train_sums(struct rbm_trainer *t, float **f, size_t *nf,
		    double **d, size_t *nd);

/*
 * The batch step, part 2: sum the shares' buffers across the processes
 * with the part's reduce (none for one process), then finish the
 * gradient from the global sums (means, biases, centering's offsets and
 * sparsity's activity, which it moves).  *stop (NULL: none) says whether
 * this process asks to stop after this batch, and returns whether any
 * does.  Returns the gradient (as rbm_train_gradient), or NULL with a
 * message when the reduce fails or the shares' rows do not add up to the
 * batch.
 */
struct rbm *rbm_train_combine(struct rbm_trainer *t, int *stop,
			      struct rbm_err *err);

/*
 * The whole batch step: rbm_train_share, rbm_train_combine, then
 * rbm_train_apply with rate and momentum.  0, or -1 with a message (the
 * model is then unchanged).
 */
int rbm_train_step(struct rbm_trainer *t, gsl_matrix_float *v,
		   const gsl_matrix_float *mask, size_t batch, double rate,
		   double momentum, gsl_rng *rng, int *stop,
		   struct rbm_err *err);

/*
 * The gradient of the batch v (k rows, k up to the batch size; used as
 * scratch).  The negative phase takes cd_k Gibbs steps from sampled hidden
 * states of the data (CD) or from the persistent chains (PCD, which it
 * advances); with CD the last reconstruction stays as probabilities, as
 * in the original.  Returns a model-shaped gradient owned by t, valid
 * until the next call; the caller may change it before rbm_train_apply.
 * The step of a whole batch in one process (rbm_train_share with batch
 * k, then rbm_train_combine).
 */
struct rbm *rbm_train_gradient(struct rbm_trainer *t, gsl_matrix_float *v,
			       gsl_rng *rng);

/*
 * The same for a batch with missing values: v holds the batch as units
 * with the missing ones 0 and mask (k x NV, or NULL for none) is 0 on
 * the missing units and 1 elsewhere.  Each reconstruction is multiplied
 * by the mask before it drives the hidden units and enters the
 * statistics, so a missing unit neither drives the hidden units nor
 * enters the gradient: each row's gradient is that of the same RBM with
 * its missing units deleted (Salakhutdinov, Mnih & Hinton, ICML 2007).
 * With PCD the mask is ignored (rbm_trainer_alloc refuses data with
 * missing values for PCD: the persistent chains belong to no row).
 */
struct rbm *rbm_train_gradient_masked(struct rbm_trainer *t,
				      gsl_matrix_float *v,
				      const gsl_matrix_float *mask,
				      gsl_rng *rng);

/*
 * One update of the model with the gradient g (which it may change):
 * decay terms, then momentum, then the step of size rate.
 */
void rbm_train_apply(struct rbm_trainer *t, struct rbm *g, double rate,
		     double momentum);

/*
 * A function called for every mini-batch, as its step starts, with the
 * rows done in the epoch once it is done and the epoch's rows (of all
 * parts); nonzero stops the epoch after that batch (in every process:
 * the wish goes through the reduce).
 */
typedef int (*rbm_train_hook)(void *arg, size_t done, size_t rows);

/* Call hook(arg, ...) after every mini-batch (NULL: none). */
void rbm_trainer_set_hook(struct rbm_trainer *t, rbm_train_hook hook,
			  void *arg);

/*
 * One epoch: every row once, in a fresh random order when the data is
 * larger than one batch (in file order, as one full batch, when not); of
 * all parts, each process stepping through the same global batches.
 * Returns 0; or 1 when the hook stopped it early, the model then keeping
 * the updates of the stats->rows rows trained but the epoch not counted;
 * or -1 with a message when a parameter became NaN or infinite (the
 * model is then unusable and must not be saved).
 */
int rbm_train_epoch(struct rbm_trainer *t, gsl_rng *rng,
		    struct rbm_epoch_stats *stats, struct rbm_err *err);

/*
 * Over several parts with PCD, replace the train state's chains (this
 * part's) by the chains of all parts in rank order, in every process: a
 * collective call (through the part's reduce), before the state is
 * saved.  One part, or no chains: nothing to do.  0, or -1 with a
 * message (out of memory, or the reduce's); the trainer must not step
 * after it.
 */
int rbm_trainer_gather_chains(struct rbm_trainer *t, struct rbm_err *err);

/*
 * End the run: with parameter averaging, keep the model's parameters in
 * the train state's iterate and replace them by their average over the
 * last epochs; without an average (averaging off, or a run stopped
 * before its average began) drop the iterate, the model then being the
 * last parameters; after no update at all (0 epochs, or a stop before
 * the first batch) leave the model and the iterate as they were loaded.  The averaged model is what the other commands use; the
 * next run (rbm_trainer_alloc) puts the iterate back in the model and
 * continues from it, as its PCD chains, velocity and offsets belong to
 * it, so that "train 10" twice trains as "train 20" does.
 */
void rbm_trainer_finish(struct rbm_trainer *t);

#endif
