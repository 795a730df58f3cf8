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
 * seconds, or four times the longest mini-batch so far if that is more;
 * the time between epochs (measuring, AIS included) does not count.
 * Ending at once is safe because saves are atomic renames.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "data.h"
#include "dist.h"
#include "lock.h"
#include "monitor.h"
#include "report.h"
#include "rng.h"
#include "rows.h"
#include "score.h"
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
 * The --data path for rank (its first "%d" replaced by rank) into buf,
 * or NULL for stdin.
 */
static const char *data_path(const struct ctx *c, int rank, char *buf,
			     size_t len)
{
	const char *p = c->opt[O_DATA].s, *d;

	if (!c->opt[O_DATA].given)
		return NULL;
	if (!(d = strstr(p, "%d")))
		return p;
	snprintf(buf, len, "%.*s%d%s", (int)(d - p), p, rank, d + 2);
	return buf;
}

/*
 * The rows of an open reader, one value per item of the model, missing
 * values allowed unless the model trains with PCD (which cannot mask its
 * chains per row); NULL with a message.  The reader is closed.
 */
static struct rbm_data *read_set(struct rbm_rows *r, const struct rbm_state *s,
				 struct rbm_err *err)
{
	struct rbm_data *d = r ? read_rows(r, rbm_visible_items(s->model),
					   err) : NULL;

	if (d && d->missing && s->params.pcd) {
		rbm_data_free(d);
		d = NULL;
		rbm_err_set(err, "%s:%lu: missing values need CD "
			    "training: use --no-pcd", rbm_rows_name(r),
			    rbm_rows_first_missing(r));
	}
	rbm_rows_close(r);
	return d;
}

/*
 * The training rows from stdin or --data, as read_set; NULL after
 * printing why.
 */
static struct rbm_data *read_training_set(const struct ctx *c,
					  const struct rbm_state *s)
{
	struct rbm_err err;
	char buf[4096];
	const char *path = data_path(c, 0, buf, sizeof(buf));
	struct rbm_rows *r = cli_open_items(c, s->model, path, 1, &err);
	struct rbm_data *d = read_set(r, s, &err);

	if (d && d->n == 0) {
		rbm_data_free(d);
		d = NULL;
		rbm_err_set(&err, "%s: no rows to train on",
			    path ? path : "stdin");
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
 * ignores SIGINT, and keeps running on Ctrl-C as it asked to).  Ignore
 * SIGPIPE: train prints nothing on stdout, and a reader of its stderr
 * that goes away (Ctrl-C on "train --verbose 2>&1 | tee log" ends tee
 * too) must not kill it before it saves; the lines are then lost, and a
 * --log that is a pipe fails as any write error of the log does.
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
	signal(SIGPIPE, SIG_IGN);
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

/*
 * A run over several processes (NULL: one): this one's part of the rows
 * and its generator for the Gibbs draws.  Rank 0 alone prints, measures
 * and saves.
 */
struct dist_run {
	int rank, size;
	struct rbm_train_part part;
	gsl_rng *sampler;
};

#define RANK_SALT 2654435761UL	/* spreads the ranks' seeds */

/*
 * Each process draws its Gibbs samples from a generator of its own,
 * seeded before every epoch from the next number of the generator they
 * share (the same in all, saved in the state file), so that a run split
 * in two draws what the whole run does, as in one process.
 */
static void seed_sampler(const struct dist_run *dr, gsl_rng *shared)
{
	gsl_rng_set(dr->sampler, gsl_rng_get(shared) +
				 RANK_SALT * (unsigned long)dr->rank);
}

/*
 * An error of this process alone while the others may be waiting in a
 * collective call: say which rank and why, then end the whole job (the
 * launcher exits non-zero; no state file is written).
 */
static int dist_die(const struct ctx *c, const struct dist_run *dr,
		    struct rbm_err *err)
{
	rbm_err_prefix(err, "rank %d", dr->rank);
	cli_fail(c, err);
	rbm_dist_abort(EXIT_FAIL);
	return EXIT_FAIL;
}

/*
 * Whether to stop before the next epoch: a stop signal here, or, over
 * several processes, in any of them (all must agree, or one would wait
 * for the others forever); then a signal number for the messages.
 */
static int should_stop(const struct dist_run *dr)
{
	int none = 0;

	if (!dr)
		return stop_signal != 0;
	if (!rbm_dist_any(stop_signal != 0))
		return 0;
	atomic_compare_exchange_strong(&stop_signal, &none, SIGTERM);
	return 1;
}

/*
 * With --loglik-every N, every N epochs of the model and at the end of
 * the run: the mean log-likelihood of the monitored rows (validation, or
 * training without it) from their mean free energy and log Z, exact over
 * the smaller layer when it has at most 20 units, else by loglik's
 * default AIS (100 runs of RBM_AIS_DEFAULT_STEPS, collapsed over the
 * smaller layer) with a generator of its own, so training draws the same
 * numbers either way.  0, or -1 with a message when neither works (the
 * column then stays empty).
 */
static int measure_loglik(const struct ctx *c, const struct rbm_state *s,
			  int last, struct rbm_metrics *mt, struct rbm_err *err)
{
	unsigned long n = c->opt[O_LOGLIK_EVERY].u;
	double fe = isnan(mt->fe_valid) ? mt->fe_train : mt->fe_valid;
	struct rbm_ais_settings ap = { RBM_AIS_DEFAULT_RUNS,
		RBM_AIS_DEFAULT_STEPS, RBM_AIS_SMALLER, RBM_AIS_COLLAPSED, NULL };
	struct rbm_ais_result res;
	gsl_rng *rng;
	double log_z;
	int rc = -1;

	if (!c->opt[O_LOGLIK_EVERY].given ||
	    (s->train.epochs % n != 0 && !last))
		return 0;
	if (rbm_score_log_z_exact(s->model, RBM_SCORE_EXACT_DEFAULT, &log_z,
				  err) == 0) {
		mt->loglik = -fe - log_z;
		return 0;
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		rbm_err_set(err, "out of memory for AIS");
	else if ((rc = rbm_score_ais(s->model, NULL, NULL, &ap, rng, &res,
				     err)) == 0)
		mt->loglik = -fe - res.log_z;
	if (rng)
		gsl_rng_free(rng);
	return rc;
}

/* The loop itself, with the trainer, monitor and report made. */
static int epochs_loop(const struct ctx *c, struct rbm_state *s,
		       struct rbm_trainer *t, struct rbm_monitor *mon,
		       struct report *rep, unsigned long epochs,
		       const struct dist_run *dr, size_t *partial)
{
	struct rbm_epoch_stats st;
	struct rbm_metrics mt;
	struct rbm_err err;
	unsigned long e;
	unsigned held = grace;
	int root = !dr || dr->rank == 0, loglik_said = 0;

	for (e = 0; e < epochs && !should_stop(dr); e++) {
		int want = report_wants_metrics(rep), k;

		grace = held;	/* a mini-batch may hang (guard.h) */
		if (dr)
			seed_sampler(dr, s->rng);
		k = rbm_train_epoch(t, s->rng, &st, &err);
		/* Between epochs no mini-batch runs: rank 0 measures (the
		 * AIS of --loglik-every can take minutes) while the others
		 * wait for it in should_stop, so a signal here waits for the
		 * epoch's end instead of ending the run unsaved. */
		held = grace;
		grace = 0;
		alarm(0);
		if (k < 0) {	/* the same in every process */
			rbm_err_prefix(&err, "epoch %lu", s->train.epochs + 1);
			return root ? cli_fail(c, &err) : EXIT_FAIL;
		}
		if (k > 0) {
			*partial = st.rows;
			should_stop(dr);	/* the signal for messages */
			break;
		}
		if (want) {
			rbm_monitor_measure(mon, s->model, &mt);
			if (measure_loglik(c, s, e + 1 == epochs, &mt,
					   &err) < 0 && !loglik_said++)
				cli_say(c, "warning: --loglik-every: %s; the "
					"log's loglik column stays empty",
					err.msg);
		}
		if (report_epoch(rep, s->train.epochs, &st, want ? &mt : NULL,
				 &err) < 0) {
			if (dr)
				return dist_die(c, dr, &err);
			cli_say(c, "--log: %s", err.msg);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

/* Make the trainer, on one process or on this one's part. */
static struct rbm_trainer *make_trainer(const struct ctx *c,
					struct rbm_state *s,
					const struct rbm_data *d,
					unsigned long epochs,
					const struct dist_run *dr,
					struct rbm_err *err)
{
	struct rbm_trainer *t;

	if (!dr)
		return rbm_trainer_alloc(s->model, &s->train, &s->params, d,
					 epochs, s->rng, err);
	t = rbm_trainer_alloc_part(s->model, &s->train, &s->params, d,
				   epochs, dr->sampler, &dr->part, err);
	if (t)
		rbm_trainer_set_sampler(t, dr->sampler);
	if (t && c->opt[O_AVERAGE_EVERY].given)
		rbm_trainer_set_average_every(t, c->opt[O_AVERAGE_EVERY].u);
	return t;
}

/*
 * Under --verbose: hidden units that never change state, and whether the
 * model collapsed (every unit stuck: no better than its visible biases).
 */
static void say_stuck(const struct ctx *c, const struct rbm_metrics *mt,
		      size_t nh)
{
	if (mt->stuck == 0)
		return;
	cli_say(c, "%zu of %zu hidden units never change state on the "
		"training rows (p(h|v) below %g or above %g on every row)%s",
		mt->stuck, nh, RBM_STUCK_LOW, RBM_STUCK_HIGH,
		mt->stuck < nh ? "" : "; the model has collapsed: it is no "
		"better than its visible biases (try --data-bias on a new "
		"model, or --centering)");
}

/*
 * The history lines of the run (rank 0); EXIT_OK, or EXIT_FAIL after a
 * message.
 */
static int record_run(const struct ctx *c, struct rbm_state *s,
		      struct rbm_monitor *mon, unsigned long first,
		      size_t rows, size_t partial)
{
	struct rbm_metrics mt;
	char line[RBM_HISTORY_LEN + 1];

	rbm_monitor_measure(mon, s->model, &mt);
	if (c->opt[O_VERBOSE].given)
		say_stuck(c, &mt, s->model->nh);
	report_history(line, sizeof(line), first, s->train.epochs, rows,
		       &s->params, &mt);
	if (rbm_state_add_history(s, line) < 0 ||
	    (partial && note_partial_epoch(s, partial, rows) < 0)) {
		cli_say(c, "out of memory");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Train, then record the run in the history; EXIT_OK or after a message.
 * Over several processes (dr), every one trains on its part; rank 0
 * alone reports, measures and records.
 */
static int run_epochs(const struct ctx *c, struct rbm_state *s,
		      const struct rbm_data *d, const struct rbm_data *valid,
		      unsigned long epochs, const struct dist_run *dr)
{
	unsigned long first = s->train.epochs + 1;
	int root = !dr || dr->rank == 0;
	size_t rows = dr ? dr->part.rows : d->n;
	struct rbm_trainer *t = NULL;
	struct rbm_monitor *mon = NULL;
	struct report rep;
	struct hook_arg hook = { 0 };
	struct rbm_err err;
	size_t partial = 0;
	int rc = EXIT_FAIL;

	/* A hand-edited count near the top would wrap to 0 (the same in
	 * every process, so all stop here). */
	if (epochs > ULONG_MAX - s->train.epochs) {
		if (root)
			cli_say(c, "%s: the model's %lu epochs and %lu more "
				"exceed the epoch counter", c->state,
				s->train.epochs, epochs);
		return EXIT_FAIL;
	}
	/* An imported model may hold parameters past the limit that stops
	 * a diverging run; the first epoch would blame the learning rate. */
	if (epochs > 0 && (rbm_check_params(s->model) < 0 ||
			   (s->train.iterate &&
			    rbm_check_params(s->train.iterate) < 0))) {
		if (root)
			cli_say(c, "%s: a parameter exceeds %g before training "
				"(train stops a run whose parameters pass it)",
				c->state, RBM_MAX_PARAM);
		return EXIT_FAIL;
	}
	if (c->opt[O_DATA_BIAS].given ||	/* by default on a new model */
	    (s->train.epochs == 0 && !c->opt[O_NO_DATA_BIAS].given)) {
		if (!dr)
			rbm_train_data_bias(s->model, d);
		else if (rbm_train_data_bias_part(s->model, d, &dr->part,
						  &err) < 0)
			return dist_die(c, dr, &err);
		if (s->train.iterate)	/* the run continues from it */
			gsl_vector_float_memcpy(s->train.iterate->b,
						s->model->b);
	}
	if (report_open(&rep, epochs, root && c->opt[O_VERBOSE].given,
			!root || c->opt[O_QUIET].given,
			root ? c->opt[O_LOG].s : NULL, &err) < 0) {
		if (dr)
			return dist_die(c, dr, &err);
		return cli_usage(c, "--log: %s", err.msg);
	}
	if (dr)		/* see report_guard */
		report_guard(&rep);
	t = make_trainer(c, s, d, epochs, dr, &err);
	mon = t && root ? rbm_monitor_alloc(d, valid, s->model->nh, &err)
			: NULL;
	if (!t || (root && !mon)) {
		if (dr)
			dist_die(c, dr, &err);
		cli_fail(c, &err);
		goto out;
	}
	hook.rep = &rep;
	rbm_trainer_set_hook(t, train_hook, &hook);
	grace = MIN_GRACE;
	catch_stop_signals();
	rc = epochs_loop(c, s, t, mon, &rep, epochs, dr, &partial);
	grace = 0;
	alarm(0);
	if (rc != EXIT_OK)
		goto out;
	if (dr && rbm_trainer_gather_chains(t, &err) < 0)
		return dist_die(c, dr, &err);	/* for the save */
	rbm_trainer_finish(t);
	if (root)
		rc = record_run(c, s, mon, first, rows, partial);
out:
	if (report_close(&rep, &err) < 0 && rc == EXIT_OK) {
		cli_say(c, "--log: %s", err.msg);
		rc = EXIT_FAIL;
	}
	rbm_monitor_free(mon);
	rbm_trainer_free(t);
	return rc;
}

/* Train in one process: the whole data set, from stdin or --data. */
static int train_one(struct ctx *c, unsigned long epochs)
{
	struct rbm_data *d = NULL, *valid = NULL;
	unsigned long first;
	struct rbm_lock *lock;
	struct rbm_state *s;
	struct rbm_err err;
	int rc;

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
	rc = cli_train_settings(c, 1, &s->params);
	if (rc == EXIT_OK && c->opt[O_DATA_BIAS].given &&
	    c->opt[O_NO_DATA_BIAS].given)
		rc = cli_usage(c, "--data-bias and --no-data-bias contradict "
			       "each other");
	if (rc == EXIT_OK && c->opt[O_SEED].given)
		gsl_rng_set(s->rng, c->opt[O_SEED].u);
	if (rc == EXIT_OK)
		valid = read_validation(c, s->model, &rc);
	if (rc == EXIT_OK && !(d = read_training_set(c, s)))
		rc = EXIT_FAIL;
	if (rc == EXIT_OK)
		rc = run_epochs(c, s, d, valid, epochs, NULL);
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

/*
 * Rank 0: lock and load the state file, apply the options and the seed,
 * read --validation, and format the state for the others in *buf.
 * EXIT_OK, or an exit code after a message.
 */
static int root_setup(struct ctx *c, struct rbm_lock **lock,
		      struct rbm_state **s, struct rbm_data **valid,
		      char **buf, size_t *len)
{
	int rc;

	if (!(*lock = cli_lock_state(c)) || !(*s = cli_load(c)))
		return EXIT_FAIL;
	rc = cli_train_settings(c, 1, &(*s)->params);
	if (rc == EXIT_OK && c->opt[O_SEED].given)
		gsl_rng_set((*s)->rng, c->opt[O_SEED].u);
	if (rc == EXIT_OK)
		*valid = read_validation(c, (*s)->model, &rc);
	if (rc == EXIT_OK && rbm_state_format(*s, buf, len) < 0) {
		cli_say(c, "out of memory");
		rc = EXIT_FAIL;
	}
	return rc;
}

/*
 * This process's part of the rows: of the file --data (the lines that
 * start in its share of the bytes), of its own file (--data with "%d"),
 * or of stdin (rank 0 reads them all and sends each its slice).  NULL
 * with a message.
 */
static struct rbm_data *read_part(const struct ctx *c,
				  const struct rbm_state *s, int rank,
				  struct rbm_err *err)
{
	char buf[4096];
	const char *path = data_path(c, rank, buf, sizeof(buf));
	size_t n = rbm_visible_items(s->model), span;
	struct rbm_data *d;
	unsigned long lines;
	struct rbm_rows *r;
	off_t at;
	int fd;

	if (!path || strstr(c->opt[O_DATA].s, "%d")) {
		r = rank == 0 || path ? cli_open_items(c, s->model, path, 1,
						       err) : NULL;
		d = r ? read_set(r, s, err) : rank == 0 || path ? NULL :
		    rbm_data_alloc(n, err);
		if (!rbm_dist_agree(d != NULL) || path)
			return d;
		if (rbm_dist_scatter(d, err) < 0) {
			rbm_data_free(d);
			return NULL;
		}
		return d;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		rbm_dist_agree(0);
		return NULL;
	}
	if (!rbm_dist_agree(1) ||
	    rbm_dist_file_part(fd, path, &at, &span, &lines, err) < 0 ||
	    lseek(fd, at, SEEK_SET) < 0) {
		close(fd);
		return NULL;
	}
	r = rbm_rows_open_fd(fd, path, n, err);
	if (r) {
		cli_set_items(c, s->model, r, 1);
		rbm_rows_set_span(r, lines, span);
	}
	d = read_set(r, s, err);
	close(fd);
	return d;
}

/*
 * The state for every process: rank 0's, broadcast and parsed by the
 * others; NULL (on every process) when any failed, after rank 0 printed
 * why.
 */
static struct rbm_state *share_state(const struct ctx *c, int rank, int ok,
				     struct rbm_state *s, char **buf,
				     size_t *len)
{
	struct rbm_err err;

	if (!rbm_dist_agree(ok))
		return NULL;
	if (rbm_dist_bcast(buf, len, &err) < 0) {
		if (rank == 0)
			cli_fail(c, &err);
		return NULL;
	}
	if (rank != 0 && !(s = rbm_state_parse(c->state, *buf, *len, &err)))
		cli_fail(c, &err);
	return rbm_dist_agree(s != NULL) ? s : NULL;
}

/* A checksum of a's rows (x: what comes before). */
static uint64_t matrix_sum(uint64_t x, const gsl_matrix_float *a)
{
	size_t i;

	for (i = 0; i < a->size1; i++)
		x = x * 1099511628211ULL ^ rbm_state_checksum(
			gsl_matrix_float_const_ptr(a, i, 0),
			a->size2 * sizeof(float));
	return x;
}

/* A checksum of m's parameters (x: what comes before). */
static uint64_t params_sum(uint64_t x, const struct rbm *m)
{
	x ^= rbm_state_checksum(m->b->data, m->nv * sizeof(float)) ^
	     rbm_state_checksum(m->c->data, m->nh * sizeof(float));
	return matrix_sum(x, m->w);
}

/*
 * Every process must end with the same parameters, last parameters (the
 * iterate) and PCD chains (gathered): the checksum of their bytes.
 * EXIT_OK, with a line saying so under --verbose, or EXIT_FAIL after a
 * message and nothing saved.
 */
static int check_same(const struct ctx *c, const struct dist_run *dr,
		      const struct rbm_state *s)
{
	uint64_t x = params_sum(0, s->model);

	if (s->train.iterate)
		x = params_sum(x * 1099511628211ULL, s->train.iterate);
	if (s->train.chains)
		x = matrix_sum(x, s->train.chains);
	if (!rbm_dist_same(x)) {
		if (dr->rank == 0)
			cli_say(c, "the %d processes ended with different "
				"parameters; not saved", dr->size);
		return EXIT_FAIL;
	}
	if (dr->rank == 0 && c->opt[O_VERBOSE].given)
		cli_say(c, "%d processes ended with the same parameters "
			"(checksum %016llx); rank 0 spent %.3f s in "
			"MPI_Allreduce", dr->size, (unsigned long long)x,
			rbm_dist_reduce_seconds());
	return EXIT_OK;
}

/*
 * Train as one of several processes started by an MPI launcher (dist.h):
 * rank 0 locks and loads the state and sends it to all; each reads its
 * part of the rows; all train in step (train.h's parts); rank 0 saves.
 */
static int train_dist(struct ctx *c, unsigned long epochs)
{
	struct dist_run dr = { rbm_dist_rank(), rbm_dist_size(),
			       { 0 }, NULL };
	struct rbm_data *d = NULL, *valid = NULL;
	struct rbm_lock *lock = NULL;
	struct rbm_state *s = NULL;
	struct rbm_err err;
	unsigned long first = 0;
	char *buf = NULL;
	size_t len = 0, before = 0, rows = 0;
	int rc = EXIT_OK, ok;

	if (dr.rank == 0)
		rc = root_setup(c, &lock, &s, &valid, &buf, &len);
	if (!(s = share_state(c, dr.rank, rc == EXIT_OK, s, &buf, &len))) {
		rc = rc != EXIT_OK ? rc : EXIT_FAIL;
		goto out;
	}
	first = s->train.epochs + 1;
	d = read_part(c, s, dr.rank, &err);
	if (!d) {
		rbm_err_prefix(&err, "rank %d", dr.rank);
		cli_fail(c, &err);
	}
	ok = rbm_dist_agree(d != NULL) &&
	     rbm_dist_counts(d->n, &before, &rows, &err) == 0;
	if (!ok || rows == 0) {
		if (ok && dr.rank == 0)
			cli_say(c, "%s: no rows to train on",
				c->opt[O_DATA].given ? c->opt[O_DATA].s
						     : "stdin");
		rc = EXIT_FAIL;
		goto out;
	}
	dr.part = (struct rbm_train_part){ rows, before, (size_t)dr.rank,
					   (size_t)dr.size, rbm_dist_reduce,
					   NULL };
	/* New PCD chains draw from it before the first epoch: seeded from
	 * the shared generator's next number without taking it (a run that
	 * starts no chains must leave that generator as it was), turned
	 * over so as not to be the first epoch's seed. */
	dr.sampler = gsl_rng_clone(s->rng);
	if (!dr.sampler) {
		rbm_err_set(&err, "out of memory");
		return dist_die(c, &dr, &err);
	}
	gsl_rng_set(dr.sampler, ~gsl_rng_get(dr.sampler) +
				RANK_SALT * (unsigned long)dr.rank);
	rc = run_epochs(c, s, d, valid, epochs, &dr);
	if (rc == EXIT_OK)
		rc = check_same(c, &dr, s);
	if (rc == EXIT_OK && dr.rank == 0 &&
	    rbm_state_save(s, c->state, &err) < 0)
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK && stop_signal) {
		if (dr.rank == 0)
			cli_say(c, "interrupted at epoch %lu of %lu; state "
				"saved", s->train.epochs - first + 1, epochs);
		rc = 128 + stop_signal;
	}
out:
	if (dr.sampler)
		gsl_rng_free(dr.sampler);
	free(buf);
	rbm_data_free(d);
	rbm_data_free(valid);
	rbm_state_free(s);
	rbm_lock_release(lock);
	return rc;
}

/*
 * What the --log file would overwrite that train reads: "the state file",
 * "the --data file", "the --validation file" or "the file on standard
 * input" (a regular file there, the rows), or NULL when it is none.
 */
static const char *log_overwrites(const struct ctx *c)
{
	const char *log = c->opt[O_LOG].s, *data = c->opt[O_DATA].s;
	struct stat in, st;

	if (rbm_atomic_same_file(log, c->state))
		return "the state file";
	if (c->opt[O_DATA].given && !strstr(data, "%d") &&
	    rbm_atomic_same_file(log, data))
		return "the --data file";
	if (c->opt[O_VALIDATION].given &&
	    rbm_atomic_same_file(log, c->opt[O_VALIDATION].s))
		return "the --validation file";
	if (!c->opt[O_DATA].given && fstat(STDIN_FILENO, &in) == 0 &&
	    S_ISREG(in.st_mode) && stat(log, &st) == 0 &&
	    in.st_dev == st.st_dev && in.st_ino == st.st_ino)
		return "the file on standard input";
	return NULL;
}

int cmd_train(struct ctx *c)
{
	const char *clobbered;
	unsigned long epochs;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "MAX_EPOCHS", 0, (unsigned long)-1,
			  &epochs) < 0)
		return EXIT_USAGE;
	if (c->opt[O_LOG].given && (clobbered = log_overwrites(c)))
		return cli_usage(c, "--log %s is %s, which the log would "
				 "overwrite", c->opt[O_LOG].s, clobbered);
	/* Under a launcher each message must reach it in one write, or
	 * the launcher's own lines or another rank's may cut it in two:
	 * from the start, for rbm_dist_init's own errors on every rank. */
	if (rbm_dist_launched())
		setvbuf(stderr, NULL, _IOLBF, 0);
	if (rbm_dist_init(&err) < 0)
		return cli_fail(c, &err);
	if (rbm_dist_launched() && rbm_dist_size() == 1)
		setvbuf(stderr, NULL, _IONBF, 0);	/* as without one */
	rc = rbm_dist_size() > 1 ? train_dist(c, epochs) : train_one(c, epochs);
	rbm_dist_finalize();
	return rc;
}
