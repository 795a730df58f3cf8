/*
 * cmd_model.c - init: a new model in a state file.
 *
 * It checks everything first and touches the file only at the end, with
 * one atomic save; any failure before that leaves it as it was.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "data.h"
#include "rbm.h"
#include "rng.h"
#include "rows.h"
#include "state.h"
#include "train.h"

int cmd_init(struct ctx *c)
{
	struct rbm_train_params p;
	unsigned long nv, nh;
	struct rbm_state *s;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "NUM_VISIBLE", 1, RBM_MAX_UNITS, &nv) < 0 ||
	    cli_arg_count(c, 1, "NUM_HIDDEN", 1, RBM_MAX_UNITS, &nh) < 0)
		return EXIT_USAGE;
	if (rbm_check_size(nv, nh, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	rbm_train_defaults(&p);
	rc = cli_train_params(c, 2, &p);
	if (rc)
		return rc;
	if (rbm_state_may_overwrite(c->state, &err) < 0)
		return cli_fail(c, &err);
	s = rbm_state_create(nv, nh, &p, c->opt[O_SEED].given ?
			     c->opt[O_SEED].u : rbm_rng_os_seed(), &err);
	rc = s && rbm_state_save(s, c->state, &err) == 0 ? EXIT_OK
							 : cli_fail(c, &err);
	rbm_state_free(s);
	return rc;
}

