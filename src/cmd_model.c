/*
 * cmd_model.c - the commands that create a state file: init, and import
 * of a plain parameter file.
 *
 * Both check everything first and touch the file only at the end, with
 * one atomic save; any failure before that leaves it as it was.  Both
 * hold the state file's writer lock (lock.h) until after they save.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "data.h"
#include "params.h"
#include "lock.h"
#include "rbm.h"
#include "rng.h"
#include "rows.h"
#include "state.h"
#include "train.h"
#include "visible.h"

/* The seed of a new state's generator: --seed, or one from the OS. */
static unsigned long new_seed(const struct ctx *c)
{
	return c->opt[O_SEED].given ? c->opt[O_SEED].u : rbm_rng_os_seed();
}

/*
 * The --visible type into *type and *k (binary when not given); EXIT_OK
 * or a usage error.
 */
static int visible_option(struct ctx *c, enum rbm_vis_type *type, size_t *k)
{
	const char *name = c->opt[O_VISIBLE].given ? c->opt[O_VISIBLE].s
						    : RBM_VISIBLE_DEFAULT;
	struct rbm_err err;

	if (rbm_visible_parse(name, type, k, &err) < 0)
		return cli_usage(c, "--visible: %s", err.msg);
	return EXIT_OK;
}

/* The defaults of a new model of the given type (rbm_visible_defaults). */
static void type_defaults(enum rbm_vis_type type, struct rbm_train_params *p)
{
	rbm_train_defaults(p);
	rbm_visible_defaults(type, &p->learning_rate, &p->pcd);
}

int cmd_init(struct ctx *c)
{
	struct rbm_train_params p;
	unsigned long nv, nh;
	enum rbm_vis_type type;
	size_t k;
	struct rbm_state *s;
	struct rbm_lock *lock;
	struct rbm_err err;
	int rc;

	if (cli_arg_count(c, 0, "NUM_VISIBLE", 1, RBM_MAX_UNITS, &nv) < 0 ||
	    cli_arg_count(c, 1, "NUM_HIDDEN", 1, RBM_MAX_UNITS, &nh) < 0)
		return EXIT_USAGE;
	if ((rc = visible_option(c, &type, &k)))
		return rc;
	if (nv > RBM_MAX_UNITS / k)
		return cli_usage(c, "%lu items of %zu units are too many",
				 nv, k);
	nv *= k;
	if (rbm_check_size(nv, nh, &err) < 0)
		return cli_usage(c, "%s", err.msg);
	type_defaults(type, &p);
	rc = cli_train_params(c, 2, &p);
	if (rc)
		return rc;
	if (!(lock = cli_lock_state(c)))
		return EXIT_FAIL;
	if (rbm_state_may_overwrite(c->state, &err) < 0) {
		rbm_lock_release(lock);
		return cli_fail(c, &err);
	}
	s = rbm_state_create(nv, nh, &p, new_seed(c), &err);
	rc = s && rbm_visible_set(s->model, type, k, &err) == 0 &&
	     rbm_state_save(s, c->state, &err) == 0 ? EXIT_OK
						    : cli_fail(c, &err);
	rbm_state_free(s);
	rbm_lock_release(lock);
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
	struct rbm_lock *lock;
	struct rbm_err err;
	struct rbm *m;
	enum rbm_vis_type type;
	size_t k;
	char line[128];
	int rc;

	if ((rc = visible_option(c, &type, &k)))
		return rc;
	type_defaults(type, &p);
	rc = cli_train_params(c, 0, &p);
	if (rc)
		return rc;
	if (!(lock = cli_lock_state(c)))
		return EXIT_FAIL;
	m = rbm_state_may_overwrite(c->state, &err) < 0 ? NULL :
	    rbm_params_read(stdin, "stdin", &err);
	if (m && rbm_visible_set(m, type, k, &err) < 0) {
		rbm_err_prefix(&err, "stdin");
		rbm_free(m);
		m = NULL;
	}
	s = m ? rbm_state_adopt(m, &p, new_seed(c), &err) : NULL;
	if (!s) {
		rbm_lock_release(lock);
		return cli_fail(c, &err);
	}
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
	rbm_lock_release(lock);
	return rc;
}

