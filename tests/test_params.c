/*
 * test_params.c - the plain parameter file (exact round trip, every parse
 * error with its exact message), the weight table, names files, the
 * summary figures, and the two state.c helpers that import and info use.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "state.h"
#include "unit.h"

/* Parse len bytes of text as a plain parameter file called "stdin". */
static struct rbm *read_mem(const char *text, size_t len,
			    struct rbm_err *err)
{
	char *copy = malloc(len + 1);
	struct rbm *m;
	FILE *f;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	f = fmemopen(copy, len, "r");
	ck_assert_ptr_nonnull(f);
	m = rbm_params_read(f, "stdin", err);
	fclose(f);
	free(copy);
	return m;
}

static struct rbm *read_text(const char *text, struct rbm_err *err)
{
	return read_mem(text, strlen(text), err);
}

/* What a writer puts out, as a malloc'ed string. */
static char *written(const struct rbm *m, const char *const *names,
		     int table)
{
	struct rbm_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (table)
		ck_assert_int_eq(rbm_params_write_table(f, m, names, &err), 0);
	else
		rbm_params_write(f, m);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* A 2 x 1 model: b = (0.5, -1.25), c = (2), W = (-0.125; 10). */
static struct rbm *small_model(void)
{
	static const float w[2] = { -0.125f, 10.0f }, b[2] = { 0.5f, -1.25f },
			   c[1] = { 2.0f };

	return unit_model(2, 1, w, b, c);
}

/* The file of a small model is exactly the documented text. */
START_TEST(test_write_text)
{
	struct rbm *m = small_model();
	char *text = written(m, NULL, 0);

	ck_assert_str_eq(text, "2 1\n0.5 -1.25\n2\n-0.125\n10\n");
	free(text);
	rbm_free(m);
}
END_TEST

/*
 * Awkward floats (extremes, subnormals, -0, values with 9 significant
 * digits) read back bit for bit, and writing again gives the same text.
 */
START_TEST(test_round_trip)
{
	static const float x[] = { 0.1f, -1.0f / 3, FLT_MAX, -FLT_MAX,
		FLT_MIN, FLT_TRUE_MIN, -0.0f, 1e-30f, 123456789.0f,
		-7.08986885f, 3.14159274f, 0.0f };
	struct rbm *m = rbm_alloc(3, 4, NULL), *back;
	struct rbm_err err;
	char *text, *again;
	size_t i, j;

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			gsl_matrix_float_set(m->w, i, j, x[i * 4 + j]);
	for (i = 0; i < 3; i++)
		gsl_vector_float_set(m->b, i, x[i + 3]);
	for (j = 0; j < 4; j++)
		gsl_vector_float_set(m->c, j, x[j + 7]);
	text = written(m, NULL, 0);
	back = read_text(text, &err);
	ck_assert_msg(back != NULL, "%s", err.msg);
	ck_assert_uint_eq(back->nv, 3);
	ck_assert_uint_eq(back->nh, 4);
	ck_assert_mem_eq(back->w->data, m->w->data, 12 * sizeof(float));
	ck_assert_mem_eq(back->b->data, m->b->data, 3 * sizeof(float));
	ck_assert_mem_eq(back->c->data, m->c->data, 4 * sizeof(float));
	again = written(back, NULL, 0);
	ck_assert_str_eq(again, text);
	free(text);
	free(again);
	rbm_free(m);
	rbm_free(back);
}
END_TEST

/*
 * Other programs' spacing is fine: tabs, runs of blanks, CRLF, no last
 * line end, blank lines at the end; numbers in any strtod form.
 */
START_TEST(test_read_lenient)
{
	static const char *const texts[] = {
		"2 1\n0.5 -1.25\n2\n-0.125\n10\n",
		" 2\t1 \r\n\t0.5  -1.25\r\n2\r\n-1.25e-1\r\n1e1",
		"2 1\n5e-1 -1.250000000000000000001\n+2\n-0.125\n10.0\n\n \n",
	};
	struct rbm *want = small_model(), *m;
	struct rbm_err err;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		m = read_text(texts[i], &err);
		ck_assert_msg(m != NULL, "text %zu: %s", i, err.msg);
		ck_assert_mem_eq(m->w->data, want->w->data, 2 * sizeof(float));
		ck_assert_mem_eq(m->b->data, want->b->data, 2 * sizeof(float));
		ck_assert_float_eq(gsl_vector_float_get(m->c, 0), 2.0f);
		rbm_free(m);
	}
	rbm_free(want);
}
END_TEST

/*
 * Values at the edges of float: FLT_MAX's %.9g form (a little above it)
 * rounds to FLT_MAX, tiny values underflow to 0; both are accepted.
 */
START_TEST(test_read_edges)
{
	struct rbm_err err;
	struct rbm *m = read_text("1 1\n3.40282347e+38\n1e-50\n-3.4028235e38\n",
				  &err);

	ck_assert_msg(m != NULL, "%s", err.msg);
	ck_assert_float_eq(gsl_vector_float_get(m->b, 0), FLT_MAX);
	ck_assert_float_eq(gsl_vector_float_get(m->c, 0), 0.0f);
	ck_assert_float_eq(gsl_matrix_float_get(m->w, 0, 0), -FLT_MAX);
	rbm_free(m);
}
END_TEST

/* Every way a file can be wrong, each with its exact message. */
static const struct {
	const char *text, *msg;
} bad[] = {
	{ "", "stdin: empty; expected a plain parameter file" },
	{ "2\n", "stdin:1: expected 2 numbers (NV NH), got 1" },
	{ "2 1 3\n", "stdin:1: expected 2 numbers (NV NH), got 3" },
	{ "\n2 1\n", "stdin:1: expected 2 numbers (NV NH), got 0" },
	{ "x 1\n", "stdin:1: value 1 ('x') is not a whole number" },
	{ "2 1.0\n", "stdin:1: value 2 ('1.0') is not a whole number" },
	{ "-2 1\n", "stdin:1: value 1 ('-2') is not a whole number" },
	{ "+2 1\n", "stdin:1: value 1 ('+2') is not a whole number" },
	{ "99999999999999999999999 1\n",
	  "stdin:1: value 1 ('99999999999999999999999') is too large" },
	{ "0 2\n", "stdin:1: a model needs at least one visible and one "
	  "hidden unit (got 0 x 2)" },
	{ "100000000 100000000\n", "stdin:1: a 100000000 x 100000000 model "
	  "is too large (at most 16777216 units a layer, 1073741824 "
	  "weights)" },
	{ "2 1\n", "stdin:2: missing line (a 2 x 1 model needs 5 lines)" },
	{ "2 1\n0.5\n", "stdin:2: expected 2 numbers, got 1" },
	{ "2 1\n0.5 1 2\n", "stdin:2: expected 2 numbers, got 3" },
	{ "2 1\n0.5 -1\n2 3\n", "stdin:3: expected 1 number, got 2" },
	{ "2 1\n0.5 -1\n\n", "stdin:3: expected 1 number, got 0" },
	{ "2 1\n0.5 -1\n2\n1\n", "stdin:5: missing line (a 2 x 1 model needs "
	  "5 lines)" },
	{ "2 1\n0.5 -1\n2\n1\n2\n3\n", "stdin:6: more lines than a 2 x 1 "
	  "model has (5)" },
	{ "2 1\n0.5 -1\n2\n1\n2\n\n# end\n", "stdin:7: more lines than a "
	  "2 x 1 model has (5)" },
	{ "2 1\n0.5 x\n", "stdin:2: value 2 ('x') is not a number" },
	{ "2 1\n1a 0\n", "stdin:2: value 1 ('1a') is not a number" },
	{ "2 1\n0,5 0\n", "stdin:2: value 1 ('0,5') is not a number" },
	{ "2 1\n0 1\n\377\376\n", "stdin:3: value 1 ('\\xff\\xfe') is not a "
	  "number" },
	{ "2 1\n0 1\n0\nnan\n", "stdin:4: value 1 ('nan') is not finite" },
	{ "2 1\n0 1\n0\n1\n-inf\n", "stdin:5: value 1 ('-inf') is not "
	  "finite" },
	{ "2 1\n0 1e39\n", "stdin:2: value 2 ('1e39') does not fit a float" },
	{ "2 1\n-3.5e38 0\n", "stdin:2: value 1 ('-3.5e38') does not fit a "
	  "float" },
	{ "2 1\n1e999 0\n", "stdin:2: value 1 ('1e999') does not fit a "
	  "float" },
	{ "2 1\n0 abcdefghijklmnopqrstuvwxyz0123\n", "stdin:2: value 2 "
	  "('abcdefghijklmnopqrstuvwx...') is not a number" },
};

#define NBAD (sizeof(bad) / sizeof(bad[0]))

/* Bad file number _i is refused with its message (a loop test). */
START_TEST(test_read_errors)
{
	struct rbm_err err;
	struct rbm *m = read_text(bad[_i].text, &err);

	ck_assert_msg(m == NULL, "accepted: %s", bad[_i].text);
	ck_assert_str_eq(err.msg, bad[_i].msg);
}
END_TEST

/* A NUL byte is refused (the text above cannot hold one). */
START_TEST(test_read_nul)
{
	struct rbm_err err;

	ck_assert_ptr_null(read_mem("2 1\n0 1\0\n", 9, &err));
	ck_assert_str_eq(err.msg, "stdin:2: line contains a NUL byte");
}
END_TEST

/*
 * A line longer than its numbers can need (1024 bytes plus 64 a number)
 * is refused before it is all read, so input without line ends cannot
 * use up memory.
 */
START_TEST(test_read_long_line)
{
	size_t n = 1024 + 2 * 64;
	char *text = malloc(n + 2);
	struct rbm_err err;

	ck_assert_ptr_nonnull(text);
	memset(text, ' ', n + 1);
	memcpy(text, "1 1", 3);
	text[n + 1] = '\0';
	ck_assert_ptr_null(read_text(text, &err));
	ck_assert_str_eq(err.msg, "stdin:1: line is longer than 1152 bytes");
	text[n] = '\0';	/* exactly at the limit: fine */
	ck_assert_ptr_null(read_text(text, &err));
	ck_assert_str_eq(err.msg, "stdin:2: missing line (a 1 x 1 model "
			 "needs 4 lines)");
	free(text);
}
END_TEST

/* Messages use the name the caller gives. */
START_TEST(test_read_name)
{
	struct rbm_err err;
	FILE *f = fmemopen((char[]){ "1 1\n0\n" }, 6, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(rbm_params_read(f, "model.txt", &err));
	ck_assert_str_eq(err.msg, "model.txt:3: missing line (a 1 x 1 model "
			 "needs 4 lines)");
	fclose(f);
}
END_TEST

/* The table's exact layout with numbered names. */
START_TEST(test_table)
{
	struct rbm *m = small_model();
	char *text = written(m, NULL, 1);

	ck_assert_str_eq(text,
		"              bias unit       hidden 1\n"
		"bias unit     0.00000000      2.00000000\n"
		"visible 1     0.50000000     -0.12500000\n"
		"visible 2    -1.25000000     10.00000000\n");
	free(text);
	rbm_free(m);
}
END_TEST

/* Given names set the first column's width, counted in characters. */
static const char *const names[] = { "Am\xc3\xa9lie", "Up" };

START_TEST(test_table_names)
{
	struct rbm *m = small_model();
	char *text = written(m, names, 1);

	ck_assert_str_eq(text,
		"              bias unit       hidden 1\n"
		"bias unit     0.00000000      2.00000000\n"
		"Am\xc3\xa9lie        0.50000000     -0.12500000\n"
		"Up           -1.25000000     10.00000000\n");
	free(text);
	rbm_free(m);
}
END_TEST

/* The figures of the small model. */
START_TEST(test_summary)
{
	struct rbm_params_summary sum;
	struct rbm *m = small_model();

	rbm_params_summarize(m, &sum);
	ck_assert_float_eq(sum.w_min, -0.125f);
	ck_assert_float_eq(sum.w_max, 10.0f);
	ck_assert_double_eq(sum.w_mean_abs, 5.0625);
	ck_assert_float_eq(sum.b_min, -1.25f);
	ck_assert_float_eq(sum.b_max, 0.5f);
	ck_assert_float_eq(sum.c_min, 2.0f);
	ck_assert_float_eq(sum.c_max, 2.0f);
	rbm_free(m);
}
END_TEST

/* Read names from a scratch file holding text; NULL with err set. */
static struct rbm_names *names_from(const char *text, size_t n,
				    struct rbm_err *err, char **path)
{
	*path = unit_path("names.txt");
	unit_write_file(*path, text, strlen(text));
	return rbm_params_read_names(*path, n, err);
}

/*
 * One name a line; a CR before the line end and a missing last line end
 * are fine, and spaces stay part of the name.
 */
START_TEST(test_names)
{
	struct rbm_names *nm;
	struct rbm_err err;
	char *path;

	nm = names_from("LOTR 3\r\n  Up\nAm\xc3\xa9lie", 3, &err, &path);
	ck_assert_msg(nm != NULL, "%s", err.msg);
	ck_assert_uint_eq(nm->n, 3);
	ck_assert_str_eq(nm->name[0], "LOTR 3");
	ck_assert_str_eq(nm->name[1], "  Up");
	ck_assert_str_eq(nm->name[2], "Am\xc3\xa9lie");
	rbm_params_free_names(nm);
	rbm_params_free_names(NULL);
	free(path);
}
END_TEST

/* Too few, too many, an empty line and a missing file: each refused. */
START_TEST(test_names_errors)
{
	static const struct {
		const char *text;
		size_t n;
		const char *msg;	/* after "PATH" */
	} cases[] = {
		{ "a\nb\nc\nd\ne\n", 6, ": 5 names for 6 visible units" },
		{ "a\nb\nc\n", 2, ": 3 names for 2 visible units" },
		{ "", 1, ": 0 names for 1 visible unit" },
		{ "a\n", 2, ": 1 name for 2 visible units" },
		{ "a\n\nc\n", 3, ":2: empty name" },
		{ "a\nb\n\n", 2, ":3: empty name" },
	};
	struct rbm_err err;
	char want[4096], *path;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_ptr_null(names_from(cases[i].text, cases[i].n, &err,
					      &path));
		snprintf(want, sizeof(want), "%s%s", path, cases[i].msg);
		ck_assert_str_eq(err.msg, want);
		free(path);
	}
	path = unit_path("nul.txt");
	unit_write_file(path, "a\nb\0\n", 5);
	ck_assert_ptr_null(rbm_params_read_names(path, 2, &err));
	snprintf(want, sizeof(want), "%s:2: line contains a NUL byte", path);
	ck_assert_str_eq(err.msg, want);
	free(path);
	ck_assert_ptr_null(rbm_params_read_names("/nonexistent/names", 2,
						 &err));
	ck_assert_str_eq(err.msg,
			 "/nonexistent/names: No such file or directory");
}
END_TEST

/*
 * info's view of the training parameters: the state file's names in its
 * order, values in their shortest exact form.
 */
START_TEST(test_state_params)
{
	struct rbm_train_settings p;
	char buf[64], all[1024] = "";
	const char *name;
	size_t i;

	rbm_train_defaults(&p);
	p.momentum = 0.9;
	p.learning_rate = 1.0 / 3;
	for (i = 0; (name = rbm_state_param(i, &p, buf, sizeof(buf))); i++) {
		strcat(all, name);
		strcat(all, "=");
		strcat(all, buf);
		strcat(all, " ");
	}
	ck_assert_str_eq(all, "learning_rate=0.3333333333333333 "
			 "batch_size=100 cd_k=1 pcd=1 momentum=0.9 "
			 "momentum_ramp=0 weight_decay=0 l1=0 "
			 "sparsity_target=0 sparsity_cost=0.1 "
			 "sparsity_decay=0.95 lr_schedule=constant "
			 "centering=0 offset_rate=0.01 average=0 "
			 "average_fraction=0.5 pcd_chains=500 "
			 "visible_centering=1 offset_target=data ");
}
END_TEST

/*
 * import's state: the model is taken over as it is (no random start),
 * the generator is seeded, and a save and load keep it all; a loaded
 * file reports its format version.
 */
START_TEST(test_state_adopt)
{
	struct rbm_train_settings p;
	struct rbm_state *s, *back;
	struct rbm_err err;
	char *path = unit_path("s.rbm");
	struct rbm *m = small_model();

	rbm_train_defaults(&p);
	s = rbm_state_adopt(m, &p, 7, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_ptr_eq(s->model, m);
	ck_assert_int_eq(s->version, RBM_STATE_VERSION);
	ck_assert_float_eq(gsl_matrix_float_get(s->model->w, 1, 0), 10.0f);
	ck_assert_int_eq(rbm_state_save(s, path, &err), 0);
	back = rbm_state_load(path, &err);
	ck_assert_msg(back != NULL, "%s", err.msg);
	ck_assert_int_eq(back->version, RBM_STATE_VERSION);
	ck_assert_mem_eq(back->model->w->data, m->w->data, 2 * sizeof(float));
	rbm_state_free(back);
	rbm_state_free(s);
	free(path);
}
END_TEST

Suite *params_suite(void)
{
	Suite *s = suite_create("params");
	TCase *io = tcase_create("plain file");
	TCase *show = tcase_create("table and names");
	TCase *st = tcase_create("state helpers");

	tcase_add_test(io, test_write_text);
	tcase_add_test(io, test_round_trip);
	tcase_add_test(io, test_read_lenient);
	tcase_add_test(io, test_read_edges);
	tcase_add_loop_test(io, test_read_errors, 0, (int)NBAD);
	tcase_add_test(io, test_read_nul);
	tcase_add_test(io, test_read_long_line);
	tcase_add_test(io, test_read_name);
	tcase_add_unchecked_fixture(show, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(show, test_table);
	tcase_add_test(show, test_table_names);
	tcase_add_test(show, test_summary);
	tcase_add_test(show, test_names);
	tcase_add_test(show, test_names_errors);
	tcase_add_unchecked_fixture(st, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(st, test_state_params);
	tcase_add_test(st, test_state_adopt);
	suite_add_tcase(s, io);
	suite_add_tcase(s, show);
	suite_add_tcase(s, st);
	return s;
}
