/*
 * cmd_model.c - the commands that write the state file: init, train and
 * import.
 *
 * All read and check everything first (arguments, options, the whole
 * training set) and touch the state file only at the end, with one
 * atomic save; any failure before that leaves it as it was.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "data.h"
#include "params.h"
#include "rbm.h"
#include "rng.h"
#include "rows.h"
#include "state.h"
#include "train.h"

/* A --x / --no-x pair into *field; EXIT_OK or a usage error. */
static int flag_pair(const struct ctx *c, int on, int off, int *field)
{
	if (c->opt[on].given && c->opt[off].given)
		return cli_usage(c, "--%s and --%s contradict each other",
				 cli_options[on].name, cli_options[off].name);
	if (c->opt[on].given)
		*field = 1;
	if (c->opt[off].given)
		*field = 0;
	return EXIT_OK;
}

/* The options that take a number, into their parameters. */
static void number_options(const struct ctx *c, struct rbm_train_params *p)
{
	const struct optval *o = c->opt;

	if (o[O_RATE].given)
		p->learning_rate = o[O_RATE].d;
	if (o[O_BATCH].given)
		p->batch_size = o[O_BATCH].u;
	if (o[O_CD_K].given)
		p->cd_k = o[O_CD_K].u;
	if (o[O_MOMENTUM].given)
		p->momentum = o[O_MOMENTUM].d;
	if (o[O_DECAY].given)
		p->weight_decay = o[O_DECAY].d;
	if (o[O_L1].given)
		p->l1 = o[O_L1].d;
	if (o[O_SPARSITY].given)
		p->sparsity_target = o[O_SPARSITY].d;
	if (o[O_NO_SPARSITY].given)
		p->sparsity_target = 0;
	if (o[O_SPARSITY_COST].given)
		p->sparsity_cost = o[O_SPARSITY_COST].d;
	if (o[O_SPARSITY_DECAY].given)
		p->sparsity_decay = o[O_SPARSITY_DECAY].d;
	if (o[O_SCHEDULE].given)
		p->schedule = (int)o[O_SCHEDULE].u;
	if (o[O_OFFSET_RATE].given)
		p->offset_rate = o[O_OFFSET_RATE].d;
	if (o[O_AVERAGE].given)
		p->average = o[O_AVERAGE].u;
}

/*
 * The training parameters from the options and the positional learning
 * rate (argument i, if present); EXIT_OK or a usage error.
 */
static int apply_params(struct ctx *c, int i, struct rbm_train_params *p)
{
	struct rbm_err err;
	int rc;

	if (c->argc > i && c->opt[O_RATE].given)
		return cli_usage(c, "learning rate given twice");
	if (c->argc > i && cli_parse_rate(c, c->argv[i], &p->learning_rate))
		return EXIT_USAGE;
	if (c->opt[O_SPARSITY].given && c->opt[O_NO_SPARSITY].given)
		return cli_usage(c, "--sparsity-target and --no-sparsity "
				 "contradict each other");
	number_options(c, p);
	if ((rc = flag_pair(c, O_PCD, O_NO_PCD, &p->pcd)) ||
	    (rc = flag_pair(c, O_RAMP, O_NO_RAMP, &p->momentum_ramp)) ||
	    (rc = flag_pair(c, O_CENTERING, O_NO_CENTERING, &p->centering)))
		return rc;
	if (rbm_train_check_params(p, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	return EXIT_OK;
}

/* The seed of a new state's generator: --seed, or one from the OS. */
static unsigned long new_seed(const struct ctx *c)
{
	return c->opt[O_SEED].given ? c->opt[O_SEED].u : rbm_rng_os_seed();
}

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
	rc = apply_params(c, 2, &p);
	if (rc)
		return rc;
	if (rbm_state_may_overwrite(c->state, &err) < 0)
		return cli_fail(c, &err);
	s = rbm_state_create(nv, nh, &p, new_seed(c), &err);
	rc = s && rbm_state_save(s, c->state, &err) == 0 ? EXIT_OK
							 : cli_fail(c, &err);
	rbm_state_free(s);
	return rc;
}

/*
 * import: a new state like init's, with the parameters of a plain
 * parameter file from stdin instead of random ones.  The target is
 * checked before stdin is read, so a refusal comes before any waiting.
 */
int cmd_import(struct ctx *c)
{
	struct rbm_train_params p;
	struct rbm_state *s;
	struct rbm_err err;
	struct rbm *m;
	char line[128];
	int rc;

	rbm_train_defaults(&p);
	rc = apply_params(c, 0, &p);
	if (rc)
		return rc;
	if (rbm_state_may_overwrite(c->state, &err) < 0)
		return cli_fail(c, &err);
	m = rbm_params_read(stdin, "stdin", &err);
	s = m ? rbm_state_adopt(m, &p, new_seed(c), &err) : NULL;
	if (!s)
		return cli_fail(c, &err);
	snprintf(line, sizeof(line), "import: %zu x %zu parameters from a "
		 "plain parameter file", s->model->nv, s->model->nh);
	rc = EXIT_OK;
	if (rbm_state_add_history(s, line) < 0) {
		rbm_err_set(&err, "out of memory");
		rc = cli_fail(c, &err);
	} else if (rbm_state_save(s, c->state, &err) < 0) {
		rc = cli_fail(c, &err);
	}
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
	struct rbm_trainer *t;
	unsigned long e;

	if (c->opt[O_DATA_BIAS].given)
		rbm_train_data_bias(s->model, d);
	t = rbm_trainer_alloc(s->model, &s->train, &s->params, d, epochs,
			      s->rng, &err);
	if (!t)
		return cli_fail(c, &err);
	for (e = 0; e < epochs; e++) {
		if (rbm_train_epoch(t, s->rng, &st, &err) < 0) {
			rbm_err_prefix(&err, "epoch %lu", s->train.epochs);
			rbm_trainer_free(t);
			return cli_fail(c, &err);
		}
		if (c->opt[O_VERBOSE].given)
			fprintf(stderr, "epoch %lu: learning rate %.6g\n",
				s->train.epochs, st.rate);
	}
	rbm_trainer_finish(t);
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
