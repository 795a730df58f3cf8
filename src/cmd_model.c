/*
 * cmd_model.c - the commands that write the state file: init and train.
 *
 * Both read and check everything first (arguments, options, the whole
 * training set) and touch the state file only at the end, with one
 * atomic save; any failure before that leaves it as it was.
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

/* Rate and batch size from the positional argument (index i) and options. */
static int apply_params(struct ctx *c, int i, struct rbm_train_params *p)
{
	struct rbm_err err;

	if (c->argc > i && c->opt[O_RATE].given)
		return cli_usage(c, "learning rate given twice");
	if (c->argc > i && cli_parse_rate(c, c->argv[i], &p->learning_rate))
		return EXIT_USAGE;
	if (c->opt[O_RATE].given)
		p->learning_rate = c->opt[O_RATE].d;
	if (c->opt[O_BATCH].given)
		p->batch_size = c->opt[O_BATCH].u;
	if (rbm_train_check_params(p, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	return EXIT_OK;
}

int cmd_init(struct ctx *c)
{
	struct rbm_train_params p = { RBM_DEFAULT_LEARNING_RATE,
				      RBM_DEFAULT_BATCH_SIZE };
	unsigned long nv, nh;
	struct rbm_state *s;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "NUM_VISIBLE", 1, RBM_MAX_UNITS, &nv) < 0 ||
	    cli_arg_count(c, 1, "NUM_HIDDEN", 1, RBM_MAX_UNITS, &nh) < 0)
		return EXIT_USAGE;
	if (rbm_check_size(nv, nh, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	rc = apply_params(c, 2, &p);
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

/* Read the whole training set from stdin; NULL after printing why. */
static struct rbm_data *read_training_set(const struct ctx *c, size_t nv)
{
	struct rbm_err err;
	struct rbm_rows *r = rbm_rows_open_fd(STDIN_FILENO, "stdin", nv,
					      &err);
	struct rbm_data *d = r ? rbm_data_alloc(nv, &err) : NULL;
	int ok = d && rbm_data_read(d, r, &err) == 0;

	if (ok && d->n == 0) {
		rbm_err_set(&err, "stdin: no rows to train on");
		ok = 0;
	}
	if (!ok) {
		cli_fail(c, &err);
		rbm_data_free(d);
		d = NULL;
	}
	rbm_rows_close(r);
	return d;
}

static int run_epochs(const struct ctx *c, struct rbm_state *s,
		      const struct rbm_data *d, unsigned long epochs)
{
	struct rbm_epoch_stats st;
	struct rbm_err err;
	struct rbm_trainer *t = rbm_trainer_alloc(s->model->nv, s->model->nh,
						  d->n, &s->params, &err);
	unsigned long e;

	if (!t)
		return cli_fail(c, &err);
	for (e = 0; e < epochs; e++) {
		if (rbm_train_epoch(t, s->model, d, &s->params, s->rng, &st,
				    &err) < 0) {
			rbm_err_prefix(&err, "epoch %lu", s->epochs + 1);
			rbm_trainer_free(t);
			return cli_fail(c, &err);
		}
		s->epochs++;
		if (c->opt[O_VERBOSE].given)
			fprintf(stderr, "epoch %lu: reconstruction error "
				"%.6g\n", s->epochs, st.recon_error);
	}
	rbm_trainer_free(t);
	return EXIT_OK;
}

int cmd_train(struct ctx *c)
{
	unsigned long epochs;
	struct rbm_state *s;
	struct rbm_data *d = NULL;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "MAX_EPOCHS", 0, (unsigned long)-1,
			  &epochs) < 0)
		return EXIT_USAGE;
	s = cli_load(c);
	if (!s)
		return EXIT_FAIL;
	rc = apply_params(c, 1, &s->params);
	if (rc == EXIT_OK && c->opt[O_SEED].given)
		gsl_rng_set(s->rng, c->opt[O_SEED].u);
	if (rc == EXIT_OK && !(d = read_training_set(c, s->model->nv)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = run_epochs(c, s, d, epochs);
	if (rc == EXIT_OK && rbm_state_save(s, c->state, &err) < 0)
		rc = cli_fail(c, &err);
	rbm_data_free(d);
	rbm_state_free(s);
	return rc;
}
