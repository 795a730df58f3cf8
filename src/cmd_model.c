/*
 * cmd_model.c - the commands that create a state file: init, and import
 * of a plain parameter file or of the original rbmcmd's pickled model.
 *
 * Both check everything first and touch the file only at the end, with
 * one atomic save; any failure before that leaves it as it was.  Both
 * hold the state file's writer lock (lock.h) until after they save.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "data.h"
#include "params.h"
#include "pickle.h"
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
static void type_defaults(enum rbm_vis_type type, struct rbm_train_settings *p)
{
	rbm_train_defaults(p);
	rbm_visible_defaults(type, &p->learning_rate, &p->pcd);
}

int cmd_init(struct ctx *c)
{
	struct rbm_train_settings p;
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
	rc = cli_train_settings(c, 2, &p);
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

/* All of stdin in a malloc'ed buffer of *len bytes; NULL with a message. */
static char *read_stdin(size_t *len, struct rbm_err *err)
{
	size_t cap = 1 << 16, n = 0, k;
	char *buf = malloc(cap), *more;

	while (buf && (k = fread(buf + n, 1, cap - n, stdin)) > 0)
		if ((n += k) == cap) {
			more = cap <= RBM_MAX_WEIGHTS * 8 ?
			       realloc(buf, cap *= 2) : NULL;
			if (!more)
				free(buf);
			buf = more;
		}
	if (!buf || ferror(stdin)) {
		rbm_err_set(err, "stdin: %s", buf ? "read error" :
			    "too large or out of memory");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * The original rbmcmd's pickled model from stdin (rbmcmd NEW import <
 * rbmstate.dat), with info; its learning rate replaces the one in *p
 * unless --learning-rate was given.  NULL with a message.
 */
static struct rbm *read_pickle(const struct ctx *c,
			       struct rbm_train_settings *p,
			       struct rbm_pickle_info *info,
			       struct rbm_err *err)
{
	size_t len;
	char *buf = read_stdin(&len, err);
	struct rbm *m = NULL;
	int rate_given = c->opt[O_SETTING + RBM_SETTING_LEARNING_RATE].given;

	if (buf && !rbm_pickle_detect(buf, len))
		rbm_err_set(err, "stdin: neither a plain parameter file nor "
			    "a pickle of the original rbmcmd");
	else if (buf)
		m = rbm_pickle_read(buf, len, "stdin", info, err);
	free(buf);
	if (m && !rate_given) {
		p->learning_rate = info->learning_rate;
		if (rbm_train_check_params(p, err) < 0) {
			rbm_err_set(err, "stdin: the pickle's learning rate "
				    "%g is not usable; give --learning-rate",
				    info->learning_rate);
			rbm_free(m);
			m = NULL;
		}
	}
	return m;
}

/*
 * The model on stdin: a plain parameter file (info->protocol -1), or a
 * pickle of the original rbmcmd, told apart by the first byte (a
 * parameter file starts with a digit).  NULL with a message.
 */
static struct rbm *read_model(const struct ctx *c, struct rbm_train_settings *p,
			      struct rbm_pickle_info *info,
			      struct rbm_err *err)
{
	int ch = getc(stdin);

	if (ch != EOF)
		ungetc(ch, stdin);
	if (ch == 0x80 || ch == '(' || ch == 'c')
		return read_pickle(c, p, info, err);
	info->protocol = -1;
	return rbm_params_read(stdin, "stdin", err);
}

/* The history line of an import. */
static void import_line(char *line, size_t size, const struct rbm *m,
			const struct rbm_pickle_info *info)
{
	if (info->protocol < 0)
		snprintf(line, size, "import: %zu x %zu parameters from a "
			 "plain parameter file", m->nv, m->nh);
	else
		snprintf(line, size, "import: %zu x %zu model from the "
			 "original Python rbmcmd's pickle (protocol %d%s; "
			 "its learning rate %g)", m->nv, m->nh, info->protocol,
			 info->old_style ? ", Python 2" : "",
			 info->learning_rate);
}

/*
 * import: a new state like init's, with the parameters of a plain
 * parameter file from stdin instead of random ones.  The target is
 * checked before stdin is read, so a refusal comes before any waiting.
 */
int cmd_import(struct ctx *c)
{
	struct rbm_train_settings p;
	struct rbm_state *s;
	struct rbm_lock *lock;
	struct rbm_err err;
	struct rbm_pickle_info info;
	struct rbm *m;
	enum rbm_vis_type type;
	size_t k;
	char line[200];
	int rc;

	if ((rc = visible_option(c, &type, &k)))
		return rc;
	type_defaults(type, &p);
	rc = cli_train_settings(c, 0, &p);
	if (rc)
		return rc;
	if (!(lock = cli_lock_state(c)))
		return EXIT_FAIL;
	m = rbm_state_may_overwrite(c->state, &err) < 0 ? NULL :
	    read_model(c, &p, &info, &err);
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
	import_line(line, sizeof(line), s->model, &info);
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

