/*
 * rng.h - the random number generator: GSL's MT19937, seeded from --seed
 * or from the operating system, and its state as text for the state file.
 */
#ifndef RBM_RNG_H
#define RBM_RNG_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "err.h"

/* A generator seeded with seed; NULL with a message when out of memory. */
gsl_rng *rbm_rng_alloc(unsigned long seed, struct rbm_err *err);

/*
 * A seed from the operating system (getrandom, falling back to the time
 * and process id), for commands run without --seed.
 */
unsigned long rbm_rng_os_seed(void);

/*
 * The generator's full state as lowercase hex (its name is gsl_rng_name):
 * a malloc'ed string, or NULL when out of memory.
 */
char *rbm_rng_state_hex(const gsl_rng *rng);

/*
 * A generator of the named type restored from hex made by
 * rbm_rng_state_hex; NULL with a message if the type is unknown or the
 * text does not fit it.
 */
gsl_rng *rbm_rng_from_hex(const char *name, const char *hex,
			  struct rbm_err *err);

#endif
