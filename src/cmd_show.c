/*
 * cmd_show.c - the commands that show the model without changing it:
 * export (the plain parameter file), info (a summary in "key: value"
 * lines) and weights (the original's weight table).
 *
 * The formats belong to the library (params.c, state.c); these only load
 * the state, pick what to show and print it on stdout.
 */
#include <stdio.h>

#include "cli.h"
#include "params.h"
#include "rbm.h"
#include "state.h"

int cmd_export(struct ctx *c)
{
	struct rbm_state *s = cli_load(c);

	if (!s)
		return EXIT_FAIL;
	rbm_params_write(stdout, s->model);
	rbm_state_free(s);
	return EXIT_OK;
}

static const char *yes_no(const void *p)
{
	return p ? "yes" : "no";
}

/* The training parameters under the state file's names. */
static void info_params(const struct rbm_train_params *p)
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
 * info: one "key: value" line each, in a fixed order (rbmcmd(1) lists
 * the keys), so that scripts can pick lines with grep or awk.
 */
int cmd_info(struct ctx *c)
{
	struct rbm_state *s = cli_load(c);
	size_t i;

	if (!s)
		return EXIT_FAIL;
	printf("format_version: %d\n", s->version);
	printf("visible: %zu\n", s->model->nv);
	printf("hidden: %zu\n", s->model->nh);
	printf("epochs: %lu\n", s->train.epochs);
	info_params(&s->params);
	printf("rng: %s\n", gsl_rng_name(s->rng));
	info_train_state(&s->train);
	info_stats(s->model);
	for (i = 0; i < s->nhistory; i++)
		printf("history: %s\n", s->history[i]);
	rbm_state_free(s);
	return EXIT_OK;
}

/* weights: the table, with names from --names or numbered ones. */
int cmd_weights(struct ctx *c)
{
	struct rbm_names *names = NULL;
	struct rbm_state *s = cli_load(c);
	struct rbm_err err;
	int rc = EXIT_OK;

	if (!s)
		return EXIT_FAIL;
	if (c->opt[O_NAMES].given &&
	    !(names = rbm_params_read_names(c->opt[O_NAMES].s, s->model->nv,
					    &err)))
		rc = cli_fail(c, &err);
	if (rc == EXIT_OK &&
	    rbm_params_write_table(stdout, s->model, names ?
				   (const char *const *)names->name : NULL,
				   &err) < 0)
		rc = cli_fail(c, &err);
	rbm_params_free_names(names);
	rbm_state_free(s);
	return rc;
}
