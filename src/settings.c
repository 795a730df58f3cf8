/*
 * settings.c - the table of training settings and what follows from it
 * (see settings.h): defaults, checks, values as text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define AT_ALL (RBM_SETTING_AT_NEW | RBM_SETTING_AT_TRAIN)
#define FIELD(f) offsetof(struct rbm_train_settings, f)

/* A real in [lo, hi] (flags say which ends are open). */
#define REAL(f, def, lo, hi, fl) RBM_SETTING_REAL, FIELD(f), def, lo, hi, \
	(fl) | AT_ALL, NULL
/* A whole number in [lo, hi]. */
#define COUNT(type, f, def, lo, hi, fl) type, FIELD(f), def, lo, hi, \
	(fl) | AT_ALL, NULL
/* A switch, 0 or 1. */
#define BOOL(f, def) RBM_SETTING_BOOL, FIELD(f), def, 0, 1, AT_ALL, NULL
/* One of the names in list. */
#define CHOICE(f, def, list) RBM_SETTING_CHOICE, FIELD(f), def, 0, 0, \
	AT_ALL, list

/*
 * The settings, in the state file's order (keys[] of state.c): key;
 * type, field, default, range, flags; name in messages; place and word
 * in a history line; option, its value, help; the option that turns it
 * off.  "Choosing the defaults" in train.h says why they are what they
 * are.
 */
const struct rbm_setting rbm_settings[RBM_NSETTINGS] = {
	[RBM_SETTING_LEARNING_RATE] = { "learning_rate",
		REAL(learning_rate, RBM_DEFAULT_LEARNING_RATE, 0, INFINITY,
		     RBM_SETTING_LO_OPEN | RBM_SETTING_REQUIRED),
		"learning rate", 1, "rate",
		"learning-rate", "X", "learning rate (default {default})",
		NULL, NULL },
	[RBM_SETTING_BATCH_SIZE] = { "batch_size",
		COUNT(RBM_SETTING_SIZE, batch_size, RBM_DEFAULT_BATCH_SIZE,
		      1, RBM_MAX_BATCH_SIZE, RBM_SETTING_REQUIRED),
		"batch size", 2, "batch",
		"batch-size", "N",
		"rows per mini-batch, and PCD chains (default {default})",
		NULL, NULL },
	[RBM_SETTING_CD_K] = { "cd_k",
		COUNT(RBM_SETTING_ULONG, cd_k, 1, 1, RBM_MAX_CD_K, 0),
		"the number of Gibbs steps", 3, "cd_k",
		"cd-k", "K",
		"Gibbs steps in the negative phase (default {default})",
		NULL, NULL },
	[RBM_SETTING_PCD] = { "pcd", BOOL(pcd, 1),
		"pcd", 4, "pcd",
		"pcd", NULL, "persistent contrastive divergence",
		"no-pcd", "contrastive divergence from the data" },
	[RBM_SETTING_MOMENTUM] = { "momentum",
		REAL(momentum, 0, 0, 1, RBM_SETTING_HI_OPEN),
		"momentum", 5, "momentum",
		"momentum", "X", "momentum in {range} (default {default})",
		NULL, NULL },
	[RBM_SETTING_MOMENTUM_RAMP] = { "momentum_ramp",
		BOOL(momentum_ramp, 0),
		"momentum ramp", 0, NULL,
		"momentum-ramp", NULL,
		"momentum 0.5 for a model's first " STR(RBM_RAMP_EPOCHS)
		" epochs",
		"no-momentum-ramp", "no momentum ramp" },
	[RBM_SETTING_WEIGHT_DECAY] = { "weight_decay",
		REAL(weight_decay, 0, 0, INFINITY, 0),
		"weight decay", 7, "decay",
		"weight-decay", "X",
		"L2 penalty on the weights (default {default})", NULL, NULL },
	[RBM_SETTING_L1] = { "l1",
		REAL(l1, 0, 0, INFINITY, 0),
		"L1", 8, "l1",
		"l1", "X", "L1 penalty on the weights (default {default})",
		NULL, NULL },
	[RBM_SETTING_SPARSITY_TARGET] = { "sparsity_target",
		REAL(sparsity_target, 0, 0, 1,
		     RBM_SETTING_HI_OPEN | RBM_SETTING_OFF),
		"sparsity target", 9, "sparsity",
		"sparsity-target", "X", "wanted mean hidden activity in {range}",
		"no-sparsity", "no sparsity penalty" },
	[RBM_SETTING_SPARSITY_COST] = { "sparsity_cost",
		REAL(sparsity_cost, 0.1, 0, INFINITY, 0),
		"sparsity cost", 0, NULL,
		"sparsity-cost", "X",
		"strength of the sparsity penalty (default {default})",
		NULL, NULL },
	[RBM_SETTING_SPARSITY_DECAY] = { "sparsity_decay",
		REAL(sparsity_decay, 0.95, 0, 1, RBM_SETTING_HI_OPEN),
		"sparsity decay", 0, NULL,
		"sparsity-decay", "X",
		"smoothing of the activity estimate (default {default})",
		NULL, NULL },
	[RBM_SETTING_SCHEDULE] = { "lr_schedule",
		CHOICE(schedule, RBM_SCHEDULE_CONSTANT, rbm_schedule_names),
		"learning-rate schedule", 10, "schedule",
		"lr-schedule", "S",
		"constant (default), or linear to 0 over the run", NULL, NULL },
	[RBM_SETTING_CENTERING] = { "centering", BOOL(centering, 0),
		"centering", 6, "centering",
		"centering", NULL, "centered gradient (offsets)",
		"no-centering", "plain gradient" },
	[RBM_SETTING_OFFSET_RATE] = { "offset_rate",
		REAL(offset_rate, 0.01, 0, 1, RBM_SETTING_LO_OPEN),
		"offset rate", 0, NULL,
		"offset-rate", "X",
		"moving-average rate of the centering offsets "
		"(default {default})", NULL, NULL },
	[RBM_SETTING_AVERAGE] = { "average",
		COUNT(RBM_SETTING_ULONG, average, 0, 0, 4294967295.0, 0),
		"the number of averaged epochs", 11, "average",
		"average", "N",
		"keep the parameters averaged over the run's last N epochs "
		"(default {default})", NULL, NULL },
	[RBM_SETTING_AVERAGE_FRACTION] = { "average_fraction",
		REAL(average_fraction, 0.5, 0, 1, 0),
		"averaged fraction", 12, "average_fraction",
		"average-fraction", "F",
		"... or over the last fraction F of the model's epochs, if "
		"more (default {default})", NULL, NULL },
	[RBM_SETTING_CHAINS] = { "pcd_chains",
		COUNT(RBM_SETTING_SIZE, chains, RBM_DEFAULT_CHAINS, 0,
		      RBM_MAX_BATCH_SIZE, 0),
		"the number of PCD chains", 14, "chains",
		"chains", "N",
		"persistent chains of PCD (default {default}); 0: as many as "
		"the batch's rows", NULL, NULL },
	[RBM_SETTING_VISIBLE_CENTERING] = { "visible_centering",
		BOOL(visible_centering, 1),
		"visible centering", 13, "visible_centering",
		"visible-centering", NULL,
		"centered gradient of the visible units only (default)",
		"no-visible-centering", "no visible offsets (unless "
		"--centering)" },
	[RBM_SETTING_OFFSET_TARGET] = { "offset_target",
		CHOICE(offset_target, RBM_OFFSETS_DATA,
		       rbm_offset_target_names),
		"offset target", 0, NULL,
		"offset-target", "T",
		"what the centering offsets move toward: data (default), or "
		"average of the data's and the model's means", NULL, NULL },
};

/* The field of setting i in p. */
static void *field(const struct rbm_train_settings *p, size_t i)
{
	return (char *)p + rbm_settings[i].offset;
}

double rbm_setting_get(const struct rbm_train_settings *p, size_t i)
{
	void *f = field(p, i);

	switch (rbm_settings[i].type) {
	case RBM_SETTING_SIZE:
		return (double)*(size_t *)f;
	case RBM_SETTING_ULONG:
		return (double)*(unsigned long *)f;
	case RBM_SETTING_REAL:
		return *(double *)f;
	default:
		return *(int *)f;
	}
}

void rbm_setting_set(struct rbm_train_settings *p, size_t i, double x)
{
	void *f = field(p, i);

	switch (rbm_settings[i].type) {
	case RBM_SETTING_SIZE:
		*(size_t *)f = (size_t)x;
		break;
	case RBM_SETTING_ULONG:
		*(unsigned long *)f = (unsigned long)x;
		break;
	case RBM_SETTING_REAL:
		*(double *)f = x;
		break;
	default:
		*(int *)f = (int)x;
	}
}

/* The number of names of a choice. */
static size_t nchoices(const struct rbm_setting *s)
{
	size_t n = 0;

	while (s->choices[n])
		n++;
	return n;
}

int rbm_setting_in_range(size_t i, double x)
{
	const struct rbm_setting *s = &rbm_settings[i];
	int lo_open = (s->flags & RBM_SETTING_LO_OPEN) || isinf(s->lo);
	int hi_open = (s->flags & RBM_SETTING_HI_OPEN) || isinf(s->hi);

	if (s->type == RBM_SETTING_BOOL)
		return 1;	/* any int is a switch: nonzero is on */
	if (s->type == RBM_SETTING_CHOICE)
		return x >= 0 && x < (double)nchoices(s);
	/* A subnormal would not survive the state file (strtod calls it
	 * out of range), nor does the command line take one. */
	return isfinite(x) && (x == 0 || isnormal(x)) &&
	       (lo_open ? x > s->lo : x >= s->lo) &&
	       (hi_open ? x < s->hi : x <= s->hi);
}

/* "[lo, hi)" and the like: the range of setting s. */
static void range_text(const struct rbm_setting *s, char *buf, size_t size)
{
	snprintf(buf, size, "%c%g, %g%c",
		 (s->flags & RBM_SETTING_LO_OPEN) ? '(' : '[', s->lo, s->hi,
		 (s->flags & RBM_SETTING_HI_OPEN) || isinf(s->hi) ? ')' : ']');
}

int rbm_setting_check(const struct rbm_train_settings *p, size_t i,
		      struct rbm_err *err)
{
	const struct rbm_setting *s = &rbm_settings[i];
	char range[64];

	if (rbm_setting_in_range(i, rbm_setting_get(p, i)))
		return 0;
	if (s->type == RBM_SETTING_CHOICE)
		return rbm_err_set(err, "unknown %s", s->what);
	if (s->type != RBM_SETTING_REAL)
		return rbm_err_set(err, "%s must be between %.0f and %.0f",
				   s->what, s->lo, s->hi);
	if (s->lo == 0 && isinf(s->hi))
		return rbm_err_set(err, "%s must %s", s->what,
				   (s->flags & RBM_SETTING_LO_OPEN) ?
				   "be a positive number" : "not be negative");
	range_text(s, range, sizeof(range));
	return rbm_err_set(err, "%s must be in %s", s->what, range);
}

void rbm_train_defaults(struct rbm_train_settings *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < RBM_NSETTINGS; i++)
		rbm_setting_set(p, i, rbm_settings[i].def);
}

int rbm_train_check_params(const struct rbm_train_settings *p,
			   struct rbm_err *err)
{
	size_t i;

	for (i = 0; i < RBM_NSETTINGS; i++)
		if (rbm_setting_check(p, i, err) < 0)
			return -1;
	return 0;
}

/*
 * A real with %.17g, or in the shortest %g form that reads back to the
 * same double (both are exact).
 */
static void format_real(double d, int exact, char *buf, size_t size)
{
	int prec;

	for (prec = exact ? 17 : 1; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

void rbm_setting_format(const struct rbm_train_settings *p, size_t i,
			int exact, char *buf, size_t size)
{
	const struct rbm_setting *s = &rbm_settings[i];
	const void *f = field(p, i);

	switch (s->type) {
	case RBM_SETTING_SIZE:
		snprintf(buf, size, "%zu", *(const size_t *)f);
		break;
	case RBM_SETTING_ULONG:
		snprintf(buf, size, "%lu", *(const unsigned long *)f);
		break;
	case RBM_SETTING_REAL:
		format_real(*(const double *)f, exact, buf, size);
		break;
	case RBM_SETTING_BOOL:
		snprintf(buf, size, "%d", *(const int *)f ? 1 : 0);
		break;
	default:
		snprintf(buf, size, "%s", s->choices[*(const int *)f]);
	}
}

void rbm_settings_history(const struct rbm_train_settings *p, char *buf,
			  size_t size)
{
	size_t i, n = 0;
	int place;

	buf[0] = '\0';
	for (place = 1; place <= RBM_NSETTINGS; place++)
		for (i = 0; i < RBM_NSETTINGS; i++) {
			const struct rbm_setting *s = &rbm_settings[i];
			char v[64];

			if (s->history != place || n >= size)
				continue;
			if (s->type == RBM_SETTING_REAL)
				snprintf(v, sizeof(v), "%g",
					 *(const double *)field(p, i));
			else if (s->type == RBM_SETTING_BOOL)
				snprintf(v, sizeof(v), "%d",
					 *(const int *)field(p, i));
			else
				rbm_setting_format(p, i, 1, v, sizeof(v));
			n += (size_t)snprintf(buf + n, size - n, "%s%s %s",
					      n ? " " : "", s->history_word, v);
		}
}
