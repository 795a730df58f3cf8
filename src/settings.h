/*
 * settings.h - the training settings (struct rbm_train_settings, train.h)
 * as one table: for each, its field, type, default, valid range, the
 * state file's key, the command-line option and its help, the word in a
 * history line, and which commands take it.
 *
 * Everything else follows from the table: rbm_train_defaults and
 * rbm_train_check_params (and their messages, which take the limits from
 * it), the state file's keys (state.c), the options, their parsing and
 * help (cli.c), the settings part of a history line and `info`.
 *
 * Adding a setting: a field in struct rbm_train_settings, an id below, a
 * row in settings.c, and its use in train.c.  The man page documents the
 * option (tests/man.sh checks that it does).
 */
#ifndef RBM_SETTINGS_H
#define RBM_SETTINGS_H

#include <stddef.h>

#include "err.h"
#include "train.h"

/* The rows of rbm_settings[], in the state file's order. */
enum rbm_setting_id {
	RBM_SETTING_LEARNING_RATE,
	RBM_SETTING_BATCH_SIZE,
	RBM_SETTING_CD_K,
	RBM_SETTING_PCD,
	RBM_SETTING_MOMENTUM,
	RBM_SETTING_MOMENTUM_RAMP,
	RBM_SETTING_WEIGHT_DECAY,
	RBM_SETTING_L1,
	RBM_SETTING_SPARSITY_TARGET,
	RBM_SETTING_SPARSITY_COST,
	RBM_SETTING_SPARSITY_DECAY,
	RBM_SETTING_SCHEDULE,
	RBM_SETTING_CENTERING,
	RBM_SETTING_OFFSET_RATE,
	RBM_SETTING_AVERAGE,
	RBM_SETTING_AVERAGE_FRACTION,
	RBM_SETTING_CHAINS,
	RBM_SETTING_VISIBLE_CENTERING,
	RBM_SETTING_OFFSET_TARGET,
	RBM_NSETTINGS
};

/* The C type of a setting's field. */
enum rbm_setting_type {
	RBM_SETTING_SIZE,	/* size_t, a whole number */
	RBM_SETTING_ULONG,	/* unsigned long, a whole number */
	RBM_SETTING_REAL,	/* double, finite */
	RBM_SETTING_BOOL,	/* int, 0 or 1 */
	RBM_SETTING_CHOICE	/* int, an index into choices */
};

/* Flags of a setting. */
#define RBM_SETTING_LO_OPEN 0x01u	/* the range excludes lo */
#define RBM_SETTING_HI_OPEN 0x02u	/* the range excludes hi (an
					 * infinite bound is always open) */
#define RBM_SETTING_OFF 0x04u		/* lo means "off": the option takes
					 * only values above it, off_option
					 * sets it */
#define RBM_SETTING_REQUIRED 0x08u	/* in every state file version */
#define RBM_SETTING_AT_NEW 0x10u	/* set when a model is made */
#define RBM_SETTING_AT_TRAIN 0x20u	/* set again when training */

/* One training setting. */
struct rbm_setting {
	const char *key;	/* in the state file and info */
	enum rbm_setting_type type;
	size_t offset;	/* of its field in struct rbm_train_settings */
	double def;		/* a new model's value (a choice's index) */
	double lo, hi;		/* valid values (counts: whole numbers) */
	unsigned flags;		/* RBM_SETTING_* */
	const char *const *choices;	/* CHOICE: names, NULL-terminated */
	const char *what;	/* the setting in messages */
	int history;		/* its place in a history line, 1, 2, ...;
				 * 0 when not there */
	const char *history_word;
	const char *option;	/* --OPTION, for the command line */
	const char *arg;	/* its value in the help; NULL: a switch */
	const char *help;	/* one line; "{range}" and "{default}" stand
				 * for the option's range and the default */
	const char *off_option;	/* BOOL or OFF: the switch that turns it
				 * off, or NULL */
	const char *off_help;
};

extern const struct rbm_setting rbm_settings[RBM_NSETTINGS];

/* Setting i's value in p as a double (a choice's index, a bool 0 or 1). */
double rbm_setting_get(const struct rbm_train_settings *p, size_t i);

/*
 * Set setting i's field in p to x (converted to the field's type; a
 * whole number for counts, choices and bools).
 */
void rbm_setting_set(struct rbm_train_settings *p, size_t i, double x);

/* Whether x lies in setting i's range (finite, and whole for counts). */
int rbm_setting_in_range(size_t i, double x);

/*
 * 0 if setting i of p is valid, else -1 and "WHAT must be ..." in err,
 * with the limits taken from the table.
 */
int rbm_setting_check(const struct rbm_train_settings *p, size_t i,
		      struct rbm_err *err);

/*
 * Setting i's value in p as text: reals in the shortest %g form that
 * reads back to the same double (exact = 0) or with %.17g (exact = 1),
 * counts in decimal, bools 0 or 1, choices by name.
 */
void rbm_setting_format(const struct rbm_train_settings *p, size_t i,
			int exact, char *buf, size_t size);

/*
 * "rate 0.1 batch 100 ..." : the settings a history line records, in
 * their places, with %g for reals.
 */
void rbm_settings_history(const struct rbm_train_settings *p, char *buf,
			  size_t size);

#endif
