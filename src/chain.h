/*
 * chain.h - Gibbs chains of a model: the daydreams that daydream,
 * daydream_trace and samples show, which start from random visible
 * states (rbm_visible_random says which for each unit type), and the
 * start of training's persistent chains, hidden samples of data rows.
 * daydream and samples share rbm_chain_dream, so a picture of samples
 * shows exactly the chains that daydream prints.
 */
#ifndef RBM_CHAIN_H
#define RBM_CHAIN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "rbm.h"

/* Handed each state of a chain but the last; 0 to go on, -1 to stop. */
typedef int (*rbm_chain_fn)(void *arg, const gsl_matrix_float *v);

/*
 * Run k chains, the rows of v (k x NV, not a view; h is k x NH scratch),
 * from random visible states until they have steps states (steps >= 1).
 * Each of the first steps - 1 states goes to each (when not NULL); v
 * ends with the last: a sample, or with probs the probabilities p(v|h)
 * of the last step (whose h is still a sample).  0, or -1 when each
 * asked to stop.
 */
int rbm_chain_dream(const struct rbm *m, gsl_matrix_float *v,
		    gsl_matrix_float *h, unsigned long steps, int probs,
		    gsl_rng *rng, rbm_chain_fn each, void *arg);

/*
 * Hidden states where persistent chains start: samples of p(h|v) for
 * the rows of v (n x NV) into h (n x NH).
 */
void rbm_chain_start_hidden(const struct rbm *m, const gsl_matrix_float *v,
			    gsl_matrix_float *h, gsl_rng *rng);

#endif
