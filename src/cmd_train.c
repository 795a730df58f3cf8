/*
 * cmd_train.c - train: read every row, run the epochs, save once.
 *
 * Everything is read and checked before the first epoch (options, the
 * training rows on stdin, the validation file), and the state file is
 * written only after the last, with one atomic save: a failure anywhere
 * leaves it as it was.  train holds the state file's writer lock (lock.h)
 * from before it reads the file until after it saves, so a second writer
 * fails at once instead of silently undoing this one's work.
 *
 * Once training starts, the first SIGINT or SIGTERM stops it at the end
 * of the mini-batch in progress and saves what it learnt (exit 128 +
 * signal); a second ends it at once without saving.  So does the first
 * alone when no mini-batch ends within a grace period after it (a BLAS
 * library stuck in an allocation it retries for ever, guard.h): 5
 * seconds, or four times the longest mini-batch so far if that is more.
 * Ending at once is safe because saves are atomic renames.
 */
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "data.h"
#include "lock.h"
#include "monitor.h"
#include "report.h"
#include "rows.h"
#include "state.h"
#include "train.h"
#include "visible.h"

/* Every row of an open reader (maybe none); NULL with a message. */
static struct rbm_data *read_rows(struct rbm_rows *r, size_t width,
				  struct rbm_err *err)
{
	struct rbm_data *d = rbm_data_alloc(width, err);

	if (d && rbm_data_read(d, r, err) < 0) {
		rbm_data_free(d);
		d = NULL;
	}
	return d;
}

/*
 * The training rows from stdin, one value per item of the model, missing
 * values allowed unless the model trains with PCD (which cannot mask its
 * chains per row); NULL after printing why.
 */
static struct rbm_data *read_training_set(const struct ctx *c,
					  const struct rbm_state *s)
{
	struct rbm_err err;
	size_t n = rbm_visible_items(s->model);
	struct rbm_rows *r = cli_open_items(c, s->model, NULL, 1, &err);
	struct rbm_data *d = r ? read_rows(r, n, &err) : NULL;

	if (d && d->missing && s->params.pcd) {
		rbm_data_free(d);
		d = NULL;
		rbm_err_set(&err, "stdin:%lu: missing values need CD "
			    "training: use --no-pcd",
			    rbm_rows_first_missing(r));
	}
	rbm_rows_close(r);
	if (d && d->n == 0) {
		rbm_data_free(d);
		d = NULL;
		rbm_err_set(&err, "stdin: no rows to train on");
	}
	if (!d)
		cli_fail(c, &err);
	return d;
}

/*
 * The --validation rows, or NULL with *rc set: EXIT_OK when none were
 * asked for, EXIT_USAGE after a message when the file is unusable.
 */
static struct rbm_data *read_validation(const struct ctx *c,
					const struct rbm *m, int *rc)
{
	struct rbm_err err;
	struct rbm_rows *r;
	struct rbm_data *d;

	*rc = EXIT_OK;
	if (!c->opt[O_VALIDATION].given)
		return NULL;
	r = cli_open_items(c, m, c->opt[O_VALIDATION].s, 1, &err);
	d = r ? read_rows(r, rbm_visible_items(m), &err) : NULL;
	if (d && d->n == 0) {
		rbm_data_free(d);
		d = NULL;
		rbm_err_set(&err, "%s: no rows", c->opt[O_VALIDATION].s);
	}
	rbm_rows_close(r);
	if (!d)
		*rc = cli_usage(c, "--validation: %s", err.msg);
	return d;
}

/*
 * The signal that asked train to stop, or 0.  A handler can only reach
 * the program through a global; the training hook reads it.
 */
static atomic_int stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "signal handlers need a "
	       "lock-free atomic");

#define MIN_GRACE 5	/* seconds from the first signal to a batch's end */

/*
 * The grace period in seconds while epochs run (the training hook keeps
 * it up to date), 0 outside them: a signal during the final save must
 * not cut it short.
 */
static atomic_uint grace;

/* The end of the grace period: end the process by the stop signal. */
static void on_grace_over(int unused)
{
	static const char msg[] = PROG ": train: no mini-batch ended after "
				  "the signal; exiting at once\n";
	int sig = stop_signal;
	ssize_t k = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)k;
	(void)unused;
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * The first SIGINT or SIGTERM asks train to stop; a second one ends the
 * process at once by that signal, without saving (a save in progress then
 * leaves the old state file and a temporary file that the next init or
 * train removes).  Only async-signal-safe calls here.
 */
static void on_stop_signal(int sig)
{
	static const char msg[] = PROG ": train: interrupted again; "
				  "exiting at once\n";
	ssize_t k;
	int none = 0;

	/* OpenBLAS's threads can take a signal too, so two may be handled
	 * at once on two cores: only one of them can swap in its number. */
	if (atomic_compare_exchange_strong(&stop_signal, &none, sig)) {
		if (grace)
			alarm(grace);
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
	sa.sa_handler = on_grace_over;
	sigaction(SIGALRM, &sa, NULL);
}

/*
 * Training hook, after each mini-batch: draw the progress bar; keep the
 * grace period at four times the longest batch; stop when a signal asked
 * (and cancel the grace period's alarm: the batch did end).
 */
struct hook_arg {
	struct report *rep;
	double last;		/* when the last batch ended, or 0 */
	double longest;		/* the longest batch so far, seconds */
};

static int train_hook(void *arg, size_t done, size_t rows)
{
	struct hook_arg *h = arg;
	double now = report_now();

	report_progress(h->rep, done, rows);
	if (h->last > 0 && now - h->last > h->longest) {
		h->longest = now - h->last;
		if (4 * h->longest > MIN_GRACE && 4 * h->longest < 1e6)
			grace = (unsigned)ceil(4 * h->longest);
	}
	h->last = now;
	if (stop_signal) {
		grace = 0;
		alarm(0);
		return 1;
	}
	return 0;
}

/*
 * A history line for an epoch cut short: its updates stay in the model
 * but the epochs key counts whole epochs only, and this says so.
 */
static int note_partial_epoch(struct rbm_state *s, size_t rows, size_t n)
{
	char line[160];

	snprintf(line, sizeof(line), "train: %s stopped epoch %lu after %zu "
		 "of %zu rows; they are trained in, but not counted in "
		 "epochs", stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
		 s->train.epochs + 1, rows, n);
	return rbm_state_add_history(s, line);
}

/* The loop itself, with the trainer, monitor and report made. */
static int epochs_loop(const struct ctx *c, struct rbm_state *s,
		       struct rbm_trainer *t, struct rbm_monitor *mon,
		       struct report *rep, unsigned long epochs,
		       size_t *partial)
{
	struct rbm_epoch_stats st;
	struct rbm_metrics mt;
	struct rbm_err err;
	unsigned long e;

	for (e = 0; e < epochs && !stop_signal; e++) {
		int want = report_wants_metrics(rep), k;
		k = rbm_train_epoch(t, s->rng, &st, &err);
		if (k < 0) {
			rbm_err_prefix(&err, "epoch %lu", s->train.epochs + 1);
			return cli_fail(c, &err);
		}
		if (k > 0) {
			*partial = st.rows;
			break;
		}
		if (want)
			rbm_monitor_measure(mon, s->model, &mt);
		if (report_epoch(rep, s->train.epochs, &st, want ? &mt : NULL,
				 &err) < 0) {
			cli_say(c, "--log: %s", err.msg);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

/* Train, then record the run in the history; EXIT_OK or after a message. */
static int run_epochs(const struct ctx *c, struct rbm_state *s,
		      const struct rbm_data *d, const struct rbm_data *valid,
		      unsigned long epochs)
{
	unsigned long first = s->train.epochs + 1;
	struct rbm_trainer *t = NULL;
	struct rbm_monitor *mon = NULL;
	struct rbm_metrics mt;
	struct report rep;
	struct hook_arg hook = { 0 };
	struct rbm_err err;
	char line[RBM_HISTORY_LEN + 1];
	size_t partial = 0;
	int rc = EXIT_FAIL;

	if (c->opt[O_DATA_BIAS].given)
		rbm_train_data_bias(s->model, d);
	if (report_open(&rep, epochs, c->opt[O_VERBOSE].given,
			c->opt[O_QUIET].given, c->opt[O_LOG].s, &err) < 0)
		return cli_usage(c, "--log: %s", err.msg);
	t = rbm_trainer_alloc(s->model, &s->train, &s->params, d, epochs,
			      s->rng, &err);
	mon = t ? rbm_monitor_alloc(d, valid, s->model->nh, &err) : NULL;
	if (!mon) {
		cli_fail(c, &err);
		goto out;
	}
	hook.rep = &rep;
	rbm_trainer_set_hook(t, train_hook, &hook);
	grace = MIN_GRACE;
	catch_stop_signals();
	rc = epochs_loop(c, s, t, mon, &rep, epochs, &partial);
	grace = 0;
	alarm(0);
	if (rc != EXIT_OK)
		goto out;
	rbm_trainer_finish(t);
	rbm_monitor_measure(mon, s->model, &mt);
	report_history(line, sizeof(line), first, s->train.epochs, d->n,
		       &s->params, &mt);
	if (rbm_state_add_history(s, line) < 0 ||
	    (partial && note_partial_epoch(s, partial, d->n) < 0)) {
		cli_say(c, "out of memory");
		rc = EXIT_FAIL;
	}
out:
	if (report_close(&rep, &err) < 0 && rc == EXIT_OK) {
		cli_say(c, "--log: %s", err.msg);
		rc = EXIT_FAIL;
	}
	rbm_monitor_free(mon);
	rbm_trainer_free(t);
	return rc;
}

int cmd_train(struct ctx *c)
{
	struct rbm_data *d = NULL, *valid = NULL;
	unsigned long epochs, first;
	struct rbm_lock *lock;
	struct rbm_state *s;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "MAX_EPOCHS", 0, (unsigned long)-1,
			  &epochs) < 0)
		return EXIT_USAGE;
	if (c->opt[O_LOG].given &&
	    rbm_atomic_same_file(c->opt[O_LOG].s, c->state))
		return cli_usage(c, "--log %s is the state file, which the "
				 "log would overwrite", c->opt[O_LOG].s);
	if (!(lock = cli_lock_state(c)))
		return EXIT_FAIL;
	s = cli_load(c);
	if (s && s->version == RBM_STATE_PICKLE) {	/* never lose it */
		cli_say(c, "%s is the original Python rbmcmd's model (a "
			"pickle), which train would replace; convert it into "
			"a new file and train that: rbmcmd NEW import < %s",
			c->state, c->state);
		rbm_state_free(s);
		s = NULL;
	}
	if (!s) {
		rbm_lock_release(lock);
		return EXIT_FAIL;
	}
	first = s->train.epochs + 1;
	rc = cli_train_params(c, 1, &s->params);
	if (rc == EXIT_OK && c->opt[O_SEED].given)
		gsl_rng_set(s->rng, c->opt[O_SEED].u);
	if (rc == EXIT_OK)
		valid = read_validation(c, s->model, &rc);
	if (rc == EXIT_OK && !(d = read_training_set(c, s)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = run_epochs(c, s, d, valid, epochs);
	if (rc == EXIT_OK && rbm_state_save(s, c->state, &err) < 0)
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK && stop_signal) {
		cli_say(c, "interrupted at epoch %lu of %lu; state saved",
			s->train.epochs - first + 1, epochs);
		rc = 128 + stop_signal;
	}
	rbm_data_free(d);
	rbm_data_free(valid);
	rbm_state_free(s);
	rbm_lock_release(lock);
	return rc;
}
