/*
 * test_settings.c - the table of training settings: its rows agree with
 * each other and with the defaults train.h documents, and the checks,
 * texts and messages that follow from it.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "settings.h"
#include "unit.h"

/* The defaults are valid, in range, and those train.h documents. */
START_TEST(test_defaults)
{
	struct rbm_train_settings p;
	struct rbm_err err = { "" };
	size_t i;

	rbm_train_defaults(&p);
	ck_assert_msg(rbm_train_check_params(&p, &err) == 0, "%s", err.msg);
	for (i = 0; i < RBM_NSETTINGS; i++)
		ck_assert_msg(rbm_setting_in_range(i, rbm_settings[i].def),
			      "default of %s", rbm_settings[i].key);
	ck_assert(p.learning_rate == RBM_DEFAULT_LEARNING_RATE);
	ck_assert_uint_eq(p.batch_size, RBM_DEFAULT_BATCH_SIZE);
	ck_assert_uint_eq(p.cd_k, 1);
	ck_assert_int_eq(p.pcd, 1);
	ck_assert_int_eq(p.schedule, RBM_SCHEDULE_CONSTANT);
	ck_assert(p.sparsity_target == 0 && p.sparsity_cost == 0.1 &&
		  p.sparsity_decay == 0.95 && p.offset_rate == 0.01);
	ck_assert(p.momentum == 0 && !p.momentum_ramp && !p.centering &&
		  p.weight_decay == 0 && p.l1 == 0 && p.average == 0 &&
		  p.average_fraction == 0.5);
}
END_TEST

/*
 * Keys and options are unique, history places run 1, 2, ... without
 * gaps, fields are distinct, and every switch and every setting that can
 * be off has the option that turns it off.
 */
START_TEST(test_rows_agree)
{
	int place[RBM_NSETTINGS + 1] = { 0 };
	size_t i, j;
	int top = 0;

	for (i = 0; i < RBM_NSETTINGS; i++) {
		const struct rbm_setting *a = &rbm_settings[i];

		ck_assert_ptr_nonnull(a->key);
		ck_assert_ptr_nonnull(a->option);
		ck_assert_ptr_nonnull(a->help);
		ck_assert_int_eq(a->off_option != NULL,
				 a->type == RBM_SETTING_BOOL ||
				 (a->flags & RBM_SETTING_OFF) != 0);
		ck_assert((a->arg == NULL) == (a->type == RBM_SETTING_BOOL));
		ck_assert((a->choices != NULL) ==
			  (a->type == RBM_SETTING_CHOICE));
		for (j = 0; j < i; j++) {
			const struct rbm_setting *b = &rbm_settings[j];
			ck_assert_str_ne(a->key, b->key);
			ck_assert_str_ne(a->option, b->option);
			ck_assert_uint_ne(a->offset, b->offset);
		}
		ck_assert(a->history >= 0 && a->history <= RBM_NSETTINGS);
		ck_assert_msg(a->history == 0 || place[a->history]++ == 0,
			      "history place %d twice", a->history);
		if (a->history > top)
			top = a->history;
	}
	for (i = 1; i <= (size_t)top; i++)
		ck_assert_msg(place[i] == 1, "no setting at history place %zu",
			      i);
}
END_TEST

/*
 * The history text of the defaults, as history lines always had it (and
 * visible centering after them).
 */
START_TEST(test_history)
{
	struct rbm_train_settings p;
	char buf[512];

	rbm_train_defaults(&p);
	rbm_settings_history(&p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "rate 0.2 batch 100 cd_k 1 pcd 1 momentum 0 "
			 "centering 0 decay 0 l1 0 sparsity 0 schedule constant "
			 "average 0 average_fraction 0.5 visible_centering 1 "
			 "chains 500");
	p.learning_rate = 0.25;
	p.schedule = RBM_SCHEDULE_CONSTANT;
	p.centering = 1;
	rbm_settings_history(&p, buf, 40);
	ck_assert_str_eq(buf, "rate 0.25 batch 100 cd_k 1 pcd 1 moment");
}
END_TEST

/* Messages take their limits from the table, not from spelt-out numbers. */
START_TEST(test_messages)
{
	struct rbm_train_settings p;
	struct rbm_err err = { "" };
	char want[128];

	rbm_train_defaults(&p);
	p.batch_size = RBM_MAX_BATCH_SIZE + 1;
	ck_assert_int_eq(rbm_train_check_params(&p, &err), -1);
	snprintf(want, sizeof(want), "batch size must be between 1 and %lu",
		 (unsigned long)RBM_MAX_BATCH_SIZE);
	ck_assert_str_eq(err.msg, want);
	rbm_train_defaults(&p);
	p.cd_k = RBM_MAX_CD_K + 1;
	ck_assert_int_eq(rbm_setting_check(&p, RBM_SETTING_CD_K, &err), -1);
	snprintf(want, sizeof(want), "the number of Gibbs steps must be "
		 "between 1 and %lu", (unsigned long)RBM_MAX_CD_K);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(rbm_setting_check(&p, RBM_SETTING_MOMENTUM, &err), 0);
#if ULONG_MAX > 4294967295UL
	/* The option's limit now holds for state files too. */
	rbm_train_defaults(&p);
	p.average = 4294967296UL;
	ck_assert_int_eq(rbm_train_check_params(&p, &err), -1);
	ck_assert_str_eq(err.msg, "the number of averaged epochs must be "
			 "between 0 and 4294967295");
#endif
}
END_TEST

/* Values as text: exact reals for the file, shortest ones for people. */
START_TEST(test_format)
{
	struct rbm_train_settings p;
	char buf[64];

	rbm_train_defaults(&p);
	rbm_setting_format(&p, RBM_SETTING_LEARNING_RATE, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.20000000000000001");
	rbm_setting_format(&p, RBM_SETTING_LEARNING_RATE, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.2");
	rbm_setting_format(&p, RBM_SETTING_SCHEDULE, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "constant");
	p.pcd = 7;	/* any nonzero int is on */
	rbm_setting_format(&p, RBM_SETTING_PCD, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1");
	rbm_setting_set(&p, RBM_SETTING_BATCH_SIZE, 37);
	ck_assert_uint_eq(p.batch_size, 37);
	ck_assert(rbm_setting_get(&p, RBM_SETTING_BATCH_SIZE) == 37);
}
END_TEST

Suite *settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_rows_agree);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}
