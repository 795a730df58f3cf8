/*
 * state.h - the state file: everything needed to use a model and to
 * continue training it exactly where it stopped.
 *
 * Format (version 2; version 1 files load too): text, one item per line,
 * numbers that read back to the same bits.
 *
 *     rbmcmd-state 2
 *     # comment lines are allowed in the header
 *     KEY VALUE               (one line per key, any order, each once)
 *     history TEXT            (any number, oldest first)
 *     visible_bias
 *     NV numbers              (%.9g: single precision, exact)
 *     hidden_bias
 *     NH numbers
 *     weights
 *     NV lines of NH numbers  (row i: visible unit i to each hidden unit)
 *     [optional sections, each at most once, in any order:]
 *     velocity                (momentum: NV, NH, then NV x NH numbers)
 *     iterate                 (averaging: the parameters training
 *                              continues from, the model above being
 *                              their average; NV, NH, NV x NH numbers)
 *     chains R                (PCD: R lines of NH hidden states)
 *     visible_offset          (centering: one line of NV)
 *     hidden_offset           (centering: one line of NH)
 *     hidden_mean             (sparsity: one line of NH)
 *     end fnv1a64 HEX16       (checksum of every byte before this line)
 *
 * Keys: visible, hidden, epochs, rng (NAME HEX: the generator's state,
 * continued by train) and learning_rate, batch_size are required; the
 * training options (cd_k, pcd, momentum, momentum_ramp, weight_decay, l1,
 * sparsity_target, sparsity_cost, sparsity_decay, lr_schedule, centering,
 * offset_rate, average) take their defaults when absent.  visible_type
 * (binary, gaussian, or softmax K) says what the visible units are; it is
 * written only for types other than binary, and its absence means binary,
 * so older files load as binary models.  visible counts units (items x K
 * for softmax).  An unknown or
 * repeated key, a short or long row, a missing end line (truncation), a
 * checksum that does not match (corruption) and a newer version are all
 * refused with the file name and line.  Saving writes a temporary file in
 * the same directory, fsyncs it and renames it over the old one, so a
 * reader sees the old file or the new one and never a torn one.
 *
 * The original Python rbmcmd's state files (pickles, pickle.h) load too,
 * as version RBM_STATE_PICKLE: the model, its learning rate, the other
 * training options at their defaults and epochs 0.  Nothing saves over
 * such a file: rbm_state_may_overwrite refuses it and train refuses to
 * continue it (import converts it into a new state file).
 */
#ifndef RBM_STATE_H
#define RBM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "err.h"
#include "rbm.h"
#include "train.h"

#define RBM_STATE_MAGIC "rbmcmd-state"
#define RBM_STATE_VERSION 2
#define RBM_STATE_PICKLE 0	/* version of a state read from a pickle */
#define RBM_HISTORY_MAX 20	/* history lines kept, newest last */
#define RBM_HISTORY_LEN 400	/* longest history line kept */

struct rbm_state {
	struct rbm *model;		/* the parameters */
	struct rbm_train_settings params;	/* how train continues */
	struct rbm_train_state train;	/* epochs, momentum, chains... */
	gsl_rng *rng;			/* training stream, kept across runs */
	char *history[RBM_HISTORY_MAX];	/* one line per train run, or NULL */
	size_t nhistory;		/* lines used */
	int version;			/* format version of the file loaded;
					 * RBM_STATE_VERSION when created,
					 * RBM_STATE_PICKLE for a pickle */
};

/*
 * A fresh state: an NV x NH model with the original's random start drawn
 * from a generator seeded with seed, which train then continues.  NULL
 * with a message.
 */
struct rbm_state *rbm_state_create(size_t nv, size_t nh,
				   const struct rbm_train_settings *p,
				   unsigned long seed, struct rbm_err *err);

/*
 * A fresh state around the model m, which it takes over (freeing it on
 * failure too), with a generator seeded with seed; for import, which has
 * parameters of its own.  NULL with a message.
 */
struct rbm_state *rbm_state_adopt(struct rbm *m,
				  const struct rbm_train_settings *p,
				  unsigned long seed, struct rbm_err *err);

/* Release a state; NULL is a no-op. */
void rbm_state_free(struct rbm_state *s);

/*
 * Append a line to the history (newlines become spaces, long lines are
 * cut), dropping the oldest beyond RBM_HISTORY_MAX; 0, or -1 if out of
 * memory.
 */
int rbm_state_add_history(struct rbm_state *s, const char *line);

/* The checksum of the end line (FNV-1a, 64 bits) of the n bytes at data. */
uint64_t rbm_state_checksum(const void *data, size_t n);

/*
 * The whole file as rbm_state_save writes it (checksum line included), in
 * a malloc'ed buffer of *len bytes for the caller to free; 0, or -1 when
 * out of memory.
 */
int rbm_state_format(const struct rbm_state *s, char **buf, size_t *len);

/*
 * Save atomically to path (see above).  0, or -1 with a message naming
 * the path and the reason; the old file is then untouched.
 */
int rbm_state_save(const struct rbm_state *s, const char *path,
		   struct rbm_err *err);

/* Load from path; NULL with a message naming the path and line. */
struct rbm_state *rbm_state_load(const char *path, struct rbm_err *err);

/*
 * The same from the len bytes at data (a file's bytes, as
 * rbm_state_format makes them), called name in messages.
 */
struct rbm_state *rbm_state_parse(const char *name, const char *data,
				  size_t len, struct rbm_err *err);

/*
 * Whether init may write path: 0 if it does not exist, is empty, or looks
 * like a state file (of any version, whole or not); -1 with a message if
 * it is something else, which init must not clobber (a pickle of the
 * original rbmcmd gets a message that says so and how to convert it).
 */
int rbm_state_may_overwrite(const char *path, struct rbm_err *err);

/*
 * The training parameters as the state file names them, for showing
 * them: the name of parameter i (0, 1, ... in the file's order) with its
 * value in p written into buf in the shortest form that reads back the
 * same; NULL when i is past the last.
 */
const char *rbm_state_param(size_t i, const struct rbm_train_settings *p,
			    char *buf, size_t size);

#endif
