/*
 * cmd_model.c - the commands that write the state file: init and train.
 *
 * Both read and check everything first (arguments, options, the whole
 * training set) and touch the state file only at the end, with one
 * atomic save; any failure before that leaves it as it was.  Both hold
 * the state file's writer lock (lock.h) from before they read it until
 * after they save, so a second writer fails at once instead of silently
 * undoing the first one's work.
 *
 * train catches SIGINT and SIGTERM once it starts training: the first
 * stops it at the end of the mini-batch in progress and saves what it
 * learnt, a second ends it at once without saving.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "data.h"
#include "lock.h"
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

/*
 * Take the state file's writer lock, then remove the temporary files of
 * saves that were killed: under the lock no save of this file can be
 * under way, so any left are stale.  NULL after a message.
 */
static struct rbm_lock *lock_state(const struct ctx *c)
{
	struct rbm_err err;
	struct rbm_lock *l = rbm_lock_acquire(c->state, &err);

	if (!l)
		cli_fail(c, &err);
	else
		rbm_atomic_clean(c->state);
	return l;
}

int cmd_init(struct ctx *c)
{
	struct rbm_train_params p;
	unsigned long nv, nh;
	struct rbm_state *s;
	struct rbm_lock *lock;
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
	if (!(lock = lock_state(c)))
		return EXIT_FAIL;
	if (rbm_state_may_overwrite(c->state, &err) < 0) {
		rbm_lock_release(lock);
		return cli_fail(c, &err);
	}
	s = rbm_state_create(nv, nh, &p, c->opt[O_SEED].given ?
			     c->opt[O_SEED].u : rbm_rng_os_seed(), &err);
	rc = s && rbm_state_save(s, c->state, &err) == 0 ? EXIT_OK
							 : cli_fail(c, &err);
	rbm_state_free(s);
	rbm_lock_release(lock);
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

/*
 * The signal that asked train to stop, or 0.  A handler can only reach
 * the program through a global; the training loop reads this one through
 * the pointer given to rbm_trainer_set_stop.
 */
static volatile sig_atomic_t stop_signal;

/*
 * The first SIGINT or SIGTERM asks train to stop; a second one ends the
 * process at once by that signal, without saving (a save in progress
 * then leaves the old state file and a temporary file that the next
 * init or train removes).  Only async-signal-safe calls here.
 */
static void on_stop_signal(int sig)
{
	static const char msg[] = PROG ": train: interrupted again; "
				  "exiting at once\n";
	ssize_t k;

	if (!stop_signal) {
		stop_signal = sig;
		return;
	}
	k = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)k;
	signal(sig, SIG_DFL);
	raise(sig);	/* delivered as soon as this handler returns */
}

/*
 * Catch SIGINT and SIGTERM, each blocking the other while handled, except
 * a signal ignored when we started (a background job of a shell script
 * ignores SIGINT, and keeps running on Ctrl-C as it asked to).
 */
static void catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 2; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < 2; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* How far a run of epochs got. */
struct progress {
	unsigned long epochs;	/* epochs of this run completed */
	size_t rows;		/* rows of the next one trained when stopped */
};

/*
 * Train up to epochs epochs, stopping early at the end of a mini-batch
 * when a signal asks.  EXIT_OK (stopped or not: *pr says how far it got),
 * or EXIT_FAIL after the message.
 */
static int run_epochs(const struct ctx *c, struct rbm_state *s,
		      const struct rbm_data *d, unsigned long epochs,
		      struct progress *pr)
{
	struct rbm_epoch_stats st;
	struct rbm_err err;
	struct rbm_trainer *t;
	int k;

	if (c->opt[O_DATA_BIAS].given)
		rbm_train_data_bias(s->model, d);
	t = rbm_trainer_alloc(s->model, &s->train, &s->params, d, epochs,
			      s->rng, &err);
	if (!t)
		return cli_fail(c, &err);
	rbm_trainer_set_stop(t, &stop_signal);
	for (; pr->epochs < epochs && !stop_signal; pr->epochs++) {
		k = rbm_train_epoch(t, s->rng, &st, &err);
		if (k < 0) {
			rbm_err_prefix(&err, "epoch %lu", s->train.epochs +
				       (st.rows < d->n));
			rbm_trainer_free(t);
			return cli_fail(c, &err);
		}
		if (k > 0) {
			pr->rows = st.rows;
			break;
		}
		if (c->opt[O_VERBOSE].given)
			fprintf(stderr, "epoch %lu: learning rate %.6g\n",
				s->train.epochs, st.rate);
	}
	rbm_trainer_finish(t);
	rbm_trainer_free(t);
	return EXIT_OK;
}

/*
 * A history line for an epoch cut short: its updates stay in the model
 * but the epochs key counts whole epochs only, and this says so.
 */
static void note_partial_epoch(struct rbm_state *s, size_t rows, size_t n)
{
	char line[160];

	snprintf(line, sizeof(line), "train: %s stopped epoch %lu after %zu "
		 "of %zu rows; they are trained in, but not counted in "
		 "epochs", stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
		 s->train.epochs + 1, rows, n);
	rbm_state_add_history(s, line);
}

/* Train, then save; EXIT_OK, 128 + signal when stopped, or EXIT_FAIL. */
static int train_and_save(const struct ctx *c, struct rbm_state *s,
			  const struct rbm_data *d, unsigned long epochs)
{
	struct progress pr = { 0, 0 };
	struct rbm_err err;
	int rc;

	catch_stop_signals();
	rc = run_epochs(c, s, d, epochs, &pr);
	if (rc != EXIT_OK)
		return rc;
	if (pr.rows > 0)
		note_partial_epoch(s, pr.rows, d->n);
	if (rbm_state_save(s, c->state, &err) < 0)
		return cli_fail(c, &err);
	if (!stop_signal)
		return EXIT_OK;
	cli_say(c, "interrupted at epoch %lu of %lu; state saved", pr.epochs,
		epochs);
	return 128 + stop_signal;
}

int cmd_train(struct ctx *c)
{
	unsigned long epochs;
	struct rbm_state *s = NULL;
	struct rbm_data *d = NULL;
	struct rbm_lock *lock;
	int rc;

	if (cli_arg_count(c, 0, "MAX_EPOCHS", 0, (unsigned long)-1,
			  &epochs) < 0)
		return EXIT_USAGE;
	if (!(lock = lock_state(c)))
		return EXIT_FAIL;
	rc = (s = cli_load(c)) ? apply_params(c, 1, &s->params) : EXIT_FAIL;
	if (rc == EXIT_OK && c->opt[O_SEED].given)
		gsl_rng_set(s->rng, c->opt[O_SEED].u);
	if (rc == EXIT_OK && !(d = read_training_set(c, s->model->nv)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = train_and_save(c, s, d, epochs);
	rbm_data_free(d);
	rbm_state_free(s);
	rbm_lock_release(lock);
	return rc;
}
