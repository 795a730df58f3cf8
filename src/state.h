/*
 * state.h - the state file: everything needed to use a model and to
 * continue training it exactly where it stopped.
 *
 * Format (version 1): text, one item per line, numbers that read back to
 * the same bits:
 *
 *     rbmcmd-state 1
 *     # comment lines are allowed in the header
 *     visible NV
 *     hidden NH
 *     learning_rate R          (%.17g)
 *     batch_size B
 *     epochs E                 (epochs trained so far)
 *     rng mt19937 HEX          (the generator's state, continued by train)
 *     visible_bias
 *     NV numbers               (%.9g, single precision)
 *     hidden_bias
 *     NH numbers
 *     weights
 *     NV lines of NH numbers   (row i: unit i's weights to every hidden unit)
 *     end fnv1a64 HEX16        (checksum of every byte before this line)
 *
 * Header keys may come in any order, each once; an unknown key, a missing
 * one, a short or long row, a missing end line (truncation), a checksum
 * that does not match (corruption) and a newer version are all refused
 * with the file name and line.  Saving writes a temporary file in the same
 * directory, fsyncs it and renames it over the old one, so a reader sees
 * the old file or the new one and never a torn one.
 */
#ifndef RBM_STATE_H
#define RBM_STATE_H

#include <gsl/gsl_rng.h>

#include "err.h"
#include "rbm.h"
#include "train.h"

#define RBM_STATE_MAGIC "rbmcmd-state"
#define RBM_STATE_VERSION 1

struct rbm_state {
	struct rbm *model;		/* the parameters */
	struct rbm_train_params params;	/* how train continues */
	unsigned long epochs;		/* epochs trained so far */
	gsl_rng *rng;			/* training stream, kept across runs */
};

/*
 * A fresh state: an NV x NH model with the original's random start drawn
 * from a generator seeded with seed, which train then continues.  NULL
 * with a message.
 */
struct rbm_state *rbm_state_create(size_t nv, size_t nh,
				   const struct rbm_train_params *p,
				   unsigned long seed, struct rbm_err *err);

/* Release a state; NULL is a no-op. */
void rbm_state_free(struct rbm_state *s);

/*
 * Save atomically to path (see above).  0, or -1 with a message naming
 * the path and the reason; the old file is then untouched.
 */
int rbm_state_save(const struct rbm_state *s, const char *path,
		   struct rbm_err *err);

/* Load from path; NULL with a message naming the path and line. */
struct rbm_state *rbm_state_load(const char *path, struct rbm_err *err);

/*
 * Whether init may write path: 0 if it does not exist, is empty, or looks
 * like a state file (of any version, whole or not); -1 with a message if
 * it is something else, which init must not clobber.
 */
int rbm_state_may_overwrite(const char *path, struct rbm_err *err);

#endif
