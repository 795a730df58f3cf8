/*
 * cmd_show.c - the commands that show the model without changing it:
 * export (the plain parameter file), info (a summary in "key: value"
 * lines) and weights (the original's weight table).
 *
 * The formats belong to the library (params.c, state.c); these only pick
 * what to show of the state (loaded for them: CMD_LOADS in rbmcmd.c's
 * table) and print it on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "params.h"
#include "rbm.h"
#include "state.h"
#include "visible.h"

int cmd_export(struct ctx *c)
{
	rbm_params_write(stdout, c->s->model);
	return EXIT_OK;
}

static const char *yes_no(const void *p)
{
	return p ? "yes" : "no";
}

/* The training parameters under the state file's names. */
static void info_params(const struct rbm_train_settings *p)
{
	const char *name;
	char buf[64];
	size_t i;

	for (i = 0; (name = rbm_state_param(i, p, buf, sizeof(buf))); i++)
		printf("%s: %s\n", name, buf);
}

/* Which optional parts of the training state the file holds. */
static void info_train_state(const struct rbm_train_state *ts)
{
	printf("velocity: %s\n", yes_no(ts->velocity));
	printf("iterate: %s\n", yes_no(ts->iterate));
	printf("chains: %zu\n", ts->chains ? ts->chains->size1 : 0);
	printf("visible_offset: %s\n", yes_no(ts->vis_offset));
	printf("hidden_offset: %s\n", yes_no(ts->hid_offset));
	printf("hidden_mean: %s\n", yes_no(ts->hid_mean));
}

static void info_stats(const struct rbm *m)
{
	struct rbm_params_summary sum;

	rbm_params_summarize(m, &sum);
	printf("weight_min: %.6g\n", (double)sum.w_min);
	printf("weight_max: %.6g\n", (double)sum.w_max);
	printf("weight_mean_abs: %.6g\n", sum.w_mean_abs);
	printf("visible_bias_min: %.6g\n", (double)sum.b_min);
	printf("visible_bias_max: %.6g\n", (double)sum.b_max);
	printf("hidden_bias_min: %.6g\n", (double)sum.c_min);
	printf("hidden_bias_max: %.6g\n", (double)sum.c_max);
}

/*
 * The visible units' type and the items of a row, for a model that is
 * not binary (a binary model's info is as it always was).
 */
static void info_visible_type(const struct rbm *m)
{
	char buf[32];

	if (rbm_visible_is_default(m))
		return;
	rbm_visible_name(m, buf, sizeof(buf));
	printf("visible_type: %s\n", buf);
	printf("items: %zu\n", rbm_visible_items(m));
}

/*
 * The hidden units that never changed state at the end of the last train
 * (from its history line), and "collapsed" when that is all of them.
 */
static void info_stuck(const struct rbm_state *s)
{
	const char *h = s->nhistory ? strstr(s->history[s->nhistory - 1],
					     " stuck ") : NULL;
	unsigned long n;

	if (!h || sscanf(h, " stuck %lu", &n) != 1) {
		printf("hidden_stuck: unknown\n");
		return;
	}
	printf("hidden_stuck: %lu%s\n", n, n > 0 && n == s->model->nh ?
	       " (collapsed: no better than the visible biases)" : "");
}

/*
 * info: one "key: value" line each, in a fixed order (rbmcmd(1) lists
 * the keys), so that scripts can pick lines with grep or awk.
 */
int cmd_info(struct ctx *c)
{
	const struct rbm_state *s = c->s;
	size_t i;

	printf("format_version: %d\n", s->version);
	printf("visible: %zu\n", s->model->nv);
	printf("hidden: %zu\n", s->model->nh);
	info_visible_type(s->model);
	printf("epochs: %lu\n", s->train.epochs);
	info_params(&s->params);
	printf("rng: %s\n", gsl_rng_name(s->rng));
	info_train_state(&s->train);
	info_stats(s->model);
	info_stuck(s);
	for (i = 0; i < s->nhistory; i++) {
		fputs("history: ", stdout);	/* from the file: escaped */
		cli_put_clean(stdout, s->history[i]);
		putchar('\n');
	}
	return EXIT_OK;
}

/*
 * The names of the visible units from a file of one name per item: the
 * names themselves, or for softmax units "NAME=r" for each rating r.
 * NULL with a message.
 */
static struct rbm_names *unit_names(const char *path, const struct rbm *m,
				    struct rbm_err *err)
{
	struct rbm_names *in = rbm_params_read_names(path,
						     rbm_visible_items(m), err);
	struct rbm_names *out;
	size_t i, q;

	if (!in || m->k == 1)
		return in;
	out = calloc(1, sizeof(*out));
	if (out && (out->name = calloc(m->nv, sizeof(char *))))
		for (i = 0; i < m->nv; i++, out->n++)
			if (asprintf(&out->name[i], "%s=%zu",
				     in->name[i / m->k], i % m->k + 1) < 0)
				break;
	q = out ? out->n : 0;
	rbm_params_free_names(in);
	if (q == m->nv)
		return out;
	rbm_params_free_names(out);
	rbm_err_set(err, "out of memory");
	return NULL;
}

/* weights: the table, with names from --names or numbered ones. */
int cmd_weights(struct ctx *c)
{
	struct rbm_names *names = NULL;
	const struct rbm_state *s = c->s;
	struct rbm_err err;
	int rc = EXIT_OK;

	if (c->opt[O_NAMES].given &&
	    !(names = unit_names(c->opt[O_NAMES].s, s->model, &err)))
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK &&
	    rbm_params_write_table(stdout, s->model, names ?
				   (const char *const *)names->name : NULL,
				   &err) < 0)
		rc = cli_fail(c, &err);
	rbm_params_free_names(names);
	return rc;
}
