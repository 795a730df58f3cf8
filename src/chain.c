/*
 * chain.c - daydreams and the start of persistent chains (chain.h).
 */
#include "chain.h"
#include "visible.h"

/* The last step with probs: h sampled from p(h|v), then p(v|h) in v. */
static void last_step_probs(const struct rbm *m, gsl_matrix_float *v,
			    gsl_matrix_float *h, gsl_rng *rng)
{
	rbm_hidden_probs(m, v, h);
	rbm_sample(h, h, rng);
	rbm_visible_probs(m, h, v);
}

int rbm_chain_dream(const struct rbm *m, gsl_matrix_float *v,
		    gsl_matrix_float *h, unsigned long steps, int probs,
		    gsl_rng *rng, rbm_chain_fn each, void *arg)
{
	unsigned long i;

	rbm_visible_random(m, v, rng);
	for (i = 1; i < steps; i++) {
		if (each && each(arg, v) < 0)
			return -1;
		if (probs && i + 1 == steps)
			last_step_probs(m, v, h, rng);
		else
			rbm_gibbs_step(m, v, h, rng);
	}
	return 0;
}

void rbm_chain_start_hidden(const struct rbm *m, const gsl_matrix_float *v,
			    gsl_matrix_float *h, gsl_rng *rng)
{
	rbm_hidden_probs(m, v, h);
	rbm_sample(h, h, rng);
}
