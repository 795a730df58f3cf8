/*
 * test_state.c - the state file (a bit-exact round trip and every way a
 * file can be refused, message for message), the overwrite guard, the
 * atomic file replacement under it, and the generator's state as hex.
 *
 * Most corruption cases edit a saved file's body and re-seal it with a
 * fresh checksum (seal below), so that the check they aim at is reached
 * instead of the checksum's.  The sample state is 3 x 2 with the default
 * training options, so it has no optional sections; its lines are:
 *
 *    1 rbmcmd-state 2          22 rng mt19937 HEX
 *    2 # (comment)             23 visible_bias
 *    3 # (comment)             24 3 numbers
 *    4 visible 3               25 hidden_bias
 *    5 hidden 2                26 2 numbers
 *    6 epochs 12345            27 weights
 *    7 learning_rate ...       28-30 2 numbers each
 *    8 batch_size 7            31 end fnv1a64 HEX16
 *    9-21 the 13 optional training keys, cd_k to average
 */
#include <dirent.h>
#include <float.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "atomic.h"
#include "rng.h"
#include "state.h"
#include "unit.h"

#define TEXT(s) (s), sizeof(s) - 1

/* Lines of the sample state's body (see the top of the file). */
enum {
	L_MAGIC = 1, L_VISIBLE = 4, L_HIDDEN, L_EPOCHS, L_RATE, L_BATCH,
	L_CD_K, L_RNG = L_CD_K + 17, L_VBIAS_WORD, L_VBIAS, L_HBIAS_WORD,
	L_HBIAS, L_WEIGHTS_WORD, L_W0, L_W1, L_W2, L_END
};

/* The required header keys and their lines in the sample state. */
static const struct {
	const char *name;
	int line;
} keys[] = {
	{ "visible", L_VISIBLE }, { "hidden", L_HIDDEN },
	{ "epochs", L_EPOCHS }, { "learning_rate", L_RATE },
	{ "batch_size", L_BATCH }, { "rng", L_RNG },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* FNV-1a 64, written from its definition, for re-sealing bodies. */
static uint64_t fnv1a64(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * A 3 x 2 state with values that are hard to round-trip: a rate that
 * needs all 17 digits, -0, the smallest subnormal, a float that
 * %.8g would not bring back, the largest and smallest normal floats, a
 * third; its generator moved off its start.
 */
static struct rbm_state *sample_state(void)
{
	struct rbm_train_settings p;
	struct rbm_err err = { "" };
	struct rbm_state *s;
	int i;

	rbm_train_defaults(&p);
	p.learning_rate = 0.30000000000000004;	/* 0.1 + 0.2 */
	p.batch_size = 7;
	s = rbm_state_create(3, 2, &p, 1234, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	s->train.epochs = 12345;
	gsl_vector_float_set(s->model->b, 0, -0.0f);
	gsl_vector_float_set(s->model->b, 1, FLT_TRUE_MIN);
	gsl_vector_float_set(s->model->b, 2, 0.100000024f); /* 9 digits */
	gsl_vector_float_set(s->model->c, 0, FLT_MAX);
	gsl_vector_float_set(s->model->c, 1, -FLT_MIN);
	gsl_matrix_float_set(s->model->w, 0, 0, 1.0f / 3);
	gsl_matrix_float_set(s->model->w, 2, 1, -123456.789f);
	for (i = 0; i < 5; i++)
		gsl_rng_get(s->rng);
	return s;
}

/* Offset of the start of line n (1-based) of text. */
static size_t line_off(const char *text, int n)
{
	const char *p = text;

	while (--n > 0) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	return (size_t)(p - text);
}

/* Length of line n of text, its newline included. */
static size_t line_len(const char *text, int n)
{
	const char *p = text + line_off(text, n), *nl = strchr(p, '\n');

	ck_assert_ptr_nonnull(nl);
	return (size_t)(nl - p) + 1;
}

/* text with del bytes at off replaced by ins, in a new malloc'ed string. */
static char *splice(const char *text, size_t off, size_t del, const char *ins)
{
	size_t n = strlen(text), k = strlen(ins);
	char *out = malloc(n - del + k + 1);

	ck_assert_uint_le(off + del, n);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, off);
	memcpy(out + off, ins, k);
	memcpy(out + off + k, text + off + del, n - off - del + 1);
	return out;
}

static char *replace_line(const char *text, int n, const char *line)
{
	return splice(text, line_off(text, n), line_len(text, n), line);
}

static char *delete_line(const char *text, int n)
{
	return replace_line(text, n, "");
}

static char *insert_line(const char *text, int n, const char *line)
{
	return splice(text, line_off(text, n), 0, line);
}

/* Save the sample state to path; its bytes (malloc'ed) and length. */
static char *saved_file(const char *path, size_t *len)
{
	struct rbm_err err = { "" };
	struct rbm_state *s = sample_state();

	ck_assert_msg(rbm_state_save(s, path, &err) == 0, "%s", err.msg);
	rbm_state_free(s);
	return unit_read_file(path, len);
}

/* The sample state's body: its file without the end line, malloc'ed. */
static char *saved_body(const char *path)
{
	size_t len;
	char *file = saved_file(path, &len);

	ck_assert_uint_gt(len, 29);
	ck_assert_int_eq(file[len - 1], '\n');
	len -= 29;	/* "end fnv1a64 " + 16 digits + newline */
	ck_assert_int_eq(strncmp(file + len, "end fnv1a64 ", 12), 0);
	ck_assert(len == 0 || file[len - 1] == '\n');
	file[len] = '\0';
	return file;
}

/* Write body and a correct end line for it to path. */
static void seal(const char *path, const char *body)
{
	size_t n = strlen(body);
	char *all = malloc(n + 32);
	int k;

	ck_assert_ptr_nonnull(all);
	memcpy(all, body, n);
	k = snprintf(all + n, 32, "end fnv1a64 %016" PRIx64 "\n",
		     fnv1a64(body, n));
	ck_assert_int_eq(k, 29);
	unit_write_file(path, all, n + (size_t)k);
	free(all);
}

/* Loading path must fail with exactly the formatted message. */
static void assert_load_fails(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void assert_load_fails(const char *path, const char *fmt, ...)
{
	struct rbm_err err = { "" };
	char want[RBM_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_ptr_null(rbm_state_load(path, &err));
	ck_assert_str_eq(err.msg, want);
}

/* Sealing body (freed here) into path must fail with the message. */
#define SEALED_FAILS(path, body, ...) do {			\
		char *b_ = (body);				\
		seal((path), b_);				\
		free(b_);					\
		assert_load_fails((path), __VA_ARGS__);	\
	} while (0)

/* Load path, which must succeed. */
static struct rbm_state *load_ok(const char *path)
{
	struct rbm_err err = { "" };
	struct rbm_state *s = rbm_state_load(path, &err);

	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

/* Every parameter, hyperparameter and the generator state are equal. */
static void assert_same_state(const struct rbm_state *a,
			      const struct rbm_state *b)
{
	size_t i;

	ck_assert_uint_eq(a->model->nv, b->model->nv);
	ck_assert_uint_eq(a->model->nh, b->model->nh);
	for (i = 0; i < a->model->nv; i++)
		ck_assert_mem_eq(gsl_matrix_float_const_ptr(a->model->w, i, 0),
				 gsl_matrix_float_const_ptr(b->model->w, i, 0),
				 a->model->nh * sizeof(float));
	ck_assert_mem_eq(a->model->b->data, b->model->b->data,
			 a->model->nv * sizeof(float));
	ck_assert_mem_eq(a->model->c->data, b->model->c->data,
			 a->model->nh * sizeof(float));
	ck_assert_mem_eq(&a->params.learning_rate, &b->params.learning_rate,
			 sizeof(double));
	ck_assert_uint_eq(a->params.batch_size, b->params.batch_size);
	ck_assert_uint_eq(a->train.epochs, b->train.epochs);
	ck_assert_str_eq(gsl_rng_name(a->rng), gsl_rng_name(b->rng));
	ck_assert_uint_eq(gsl_rng_size(a->rng), gsl_rng_size(b->rng));
	ck_assert_mem_eq(gsl_rng_state(a->rng), gsl_rng_state(b->rng),
			 gsl_rng_size(a->rng));
}

/*
 * Save then load gives back every bit: weights, biases (-0, subnormal,
 * FLT_MAX included), learning rate, batch size, epochs, and a generator
 * whose next ten draws are those of the saved one; saving the loaded
 * state again writes the same bytes.
 */
START_TEST(test_round_trip)
{
	char *path = unit_path("s.rbm"), *path2 = unit_path("s2.rbm");
	struct rbm_err err = { "" };
	struct rbm_state *s = sample_state(), *t;
	char *f1, *f2;
	size_t n1, n2;
	int i;

	ck_assert_msg(rbm_state_save(s, path, &err) == 0, "%s", err.msg);
	t = load_ok(path);
	assert_same_state(s, t);
	ck_assert(signbit(gsl_vector_float_get(t->model->b, 0)));
	ck_assert(gsl_vector_float_get(t->model->b, 1) == FLT_TRUE_MIN);
	ck_assert(t->params.learning_rate == 0.1 + 0.2);
	ck_assert_uint_eq(t->params.batch_size, 7);
	ck_assert_uint_eq(t->train.epochs, 12345);
	ck_assert_int_eq(rbm_state_save(t, path2, &err), 0);
	f1 = unit_read_file(path, &n1);
	f2 = unit_read_file(path2, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(f1, f2, n1);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(gsl_rng_get(s->rng), gsl_rng_get(t->rng));
	free(f1);
	free(f2);
	rbm_state_free(s);
	rbm_state_free(t);
	free(path);
	free(path2);
}
END_TEST

/*
 * The iterate (the last parameters of a run whose model is their
 * average) saves and loads bit for bit in its own section, and a state
 * without one loads without one (files from before it existed).
 */
START_TEST(test_round_trip_iterate)
{
	char *path = unit_path("s.rbm");
	struct rbm_err err = { "" };
	struct rbm_state *s = sample_state(), *t;
	char *file;
	size_t len;

	ck_assert_int_eq(rbm_state_save(s, path, &err), 0);
	t = load_ok(path);
	ck_assert_ptr_null(t->train.iterate);
	rbm_state_free(t);
	s->train.iterate = rbm_alloc(3, 2, &err);
	ck_assert_ptr_nonnull(s->train.iterate);
	rbm_copy(s->train.iterate, s->model);
	gsl_matrix_float_set(s->train.iterate->w, 1, 1, -0.25f);
	gsl_vector_float_set(s->train.iterate->c, 1, 7.5f);
	ck_assert_msg(rbm_state_save(s, path, &err) == 0, "%s", err.msg);
	file = unit_read_file(path, &len);
	ck_assert_ptr_nonnull(strstr(file, "\niterate\n-0 1.40129846e-45 "));
	free(file);
	t = load_ok(path);
	assert_same_state(s, t);
	ck_assert_ptr_nonnull(t->train.iterate);
	ck_assert_mem_eq(t->train.iterate->w->data, s->train.iterate->w->data,
			 6 * sizeof(float));
	ck_assert_mem_eq(t->train.iterate->b->data, s->train.iterate->b->data,
			 3 * sizeof(float));
	ck_assert_mem_eq(t->train.iterate->c->data, s->train.iterate->c->data,
			 2 * sizeof(float));
	rbm_state_free(s);
	rbm_state_free(t);
	free(path);
}
END_TEST

/* text has want at offset off. */
static void assert_text_at(const char *text, size_t off, const char *want)
{
	ck_assert_msg(strncmp(text + off, want, strlen(want)) == 0,
		      "at %zu: '%.*s', want '%s'", off, (int)strlen(want),
		      text + off, want);
}

/*
 * The saved file has the documented lines, and its end line is the
 * FNV-1a 64 of every byte before it (so the test's seal agrees with the
 * library's checksum).
 */
START_TEST(test_saved_layout)
{
	char *path = unit_path("s.rbm");
	size_t len;
	char *file = saved_file(path, &len), *body, end[40];
	size_t blen;

	assert_text_at(file, 0, "rbmcmd-state 2\n# ");
	assert_text_at(file, line_off(file, L_VISIBLE),
		       "visible 3\nhidden 2\nepochs 12345\nlearning_rate "
		       "0.30000000000000004\nbatch_size 7\ncd_k 1\npcd 1\n"
		       "momentum 0\nmomentum_ramp 0\nweight_decay 0\nl1 0\n"
		       "sparsity_target 0\nsparsity_cost 0.10000000000000001\n"
		       "sparsity_decay 0.94999999999999996\n"
		       "lr_schedule constant\ncentering 0\noffset_rate 0.01\n"
		       "average 0\naverage_fraction 0.5\n"
		       "pcd_chains 500\nvisible_centering 1\n"
		       "offset_target data\nrng mt19937 ");
	ck_assert_uint_eq(line_len(file, L_RNG), 12 + 10000 + 1);
	assert_text_at(file, line_off(file, L_VBIAS_WORD),
		       "visible_bias\n-0 1.40129846e-45 0.100000024\n"
		       "hidden_bias\n3.40282347e+38 -1.17549435e-38\n"
		       "weights\n0.333333343 ");
	assert_text_at(file, line_off(file, L_W2) + line_len(file, L_W2) - 13,
		       " -123456.789\nend fnv1a64 ");
	ck_assert_uint_eq(line_off(file, L_END) + line_len(file, L_END), len);
	free(file);
	body = saved_body(path);
	blen = strlen(body);
	file = unit_read_file(path, &len);
	snprintf(end, sizeof(end), "end fnv1a64 %016" PRIx64 "\n",
		 fnv1a64(body, blen));
	ck_assert_str_eq(file + blen, end);
	free(file);
	free(body);
	free(path);
}
END_TEST

/* A body edited harmlessly loads: comment lines, keys in another order. */
START_TEST(test_load_comments_and_order)
{
	char *path = unit_path("s.rbm");
	char *body = saved_body(path), *b2, *b3, *hidden_line;
	struct rbm_state *s = sample_state(), *t;

	hidden_line = strndup(body + line_off(body, L_HIDDEN),
			      line_len(body, L_HIDDEN));
	b2 = delete_line(body, L_HIDDEN);
	b3 = insert_line(b2, L_VISIBLE, hidden_line);	/* before visible */
	free(b2);
	b2 = insert_line(b3, L_RNG, "# a note of the user's\n");
	seal(path, b2);
	t = load_ok(path);
	assert_same_state(s, t);
	rbm_state_free(s);
	rbm_state_free(t);
	free(hidden_line);
	free(b2);
	free(b3);
	free(body);
	free(path);
}
END_TEST

/* A missing file names the path and the system's reason. */
START_TEST(test_load_missing)
{
	char *path = unit_path("absent.rbm");

	assert_load_fails(path, "%s: No such file or directory", path);
	free(path);
}
END_TEST

/*
 * Empty and foreign files, and a directory, are "not an rbmcmd state
 * file" / "not a regular file".
 */
START_TEST(test_load_foreign)
{
	char *path = unit_path("f.rbm"), *dir = unit_path("d.rbm");

	unit_write_file(path, "", 0);
	assert_load_fails(path, "%s: not an rbmcmd state file", path);
	unit_write_file(path, TEXT("hello world\n"));
	assert_load_fails(path, "%s: not an rbmcmd state file", path);
	unit_write_file(path, TEXT("rbmcmd-statefoo 1\n"));
	assert_load_fails(path, "%s: not an rbmcmd state file", path);
	unit_write_file(path, TEXT("rbmcmd-state"));
	assert_load_fails(path, "%s: not an rbmcmd state file", path);
	unit_write_file(path, TEXT("rbm"));
	assert_load_fails(path, "%s: not an rbmcmd state file", path);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	assert_load_fails(dir, "%s: not a regular file", dir);
	free(path);
	free(dir);
}
END_TEST

/* A version that is not a positive number is refused on line 1. */
START_TEST(test_load_bad_version)
{
	char *path = unit_path("v.rbm");

	unit_write_file(path, TEXT("rbmcmd-state x\n"));
	assert_load_fails(path, "%s:1: unknown state file version", path);
	unit_write_file(path, TEXT("rbmcmd-state 0\n"));
	assert_load_fails(path, "%s:1: unknown state file version", path);
	unit_write_file(path, TEXT("rbmcmd-state 1 and more\n"));
	assert_load_fails(path, "%s:1: unknown state file version", path);
	free(path);
}
END_TEST

/*
 * A newer version is refused with advice, whether or not the rest of
 * the file looks like today's format (its checksum is not trusted).
 */
START_TEST(test_load_newer_version)
{
	char *path = unit_path("v.rbm");
	char *body = saved_body(path);

	SEALED_FAILS(path, replace_line(body, L_MAGIC, "rbmcmd-state 3\n"),
		     "%s: state file version 3 is newer than this rbmcmd "
		     "reads (%d); use a newer rbmcmd", path,
		     RBM_STATE_VERSION);
	unit_write_file(path, TEXT("rbmcmd-state 17\nsomething else\n"));
	assert_load_fails(path, "%s: state file version 17 is newer than "
			  "this rbmcmd reads (%d); use a newer rbmcmd", path,
			  RBM_STATE_VERSION);
	free(body);
	free(path);
}
END_TEST

/*
 * A file cut anywhere after its first line (at every line start, in the
 * middle of every line, inside the end line, one byte short) is
 * "truncated".
 */
START_TEST(test_load_truncated)
{
	char *path = unit_path("t.rbm"), *cut = unit_path("cut.rbm");
	size_t len, ends[2 * L_END + 4], nends = 0, i;
	char *file = saved_file(path, &len);
	int n;

	ends[nends++] = 14;			/* "rbmcmd-state 2" */
	for (n = 2; n <= L_END; n++) {
		ends[nends++] = line_off(file, n);
		ends[nends++] = line_off(file, n) + line_len(file, n) / 2;
	}
	ends[nends++] = len - 17;		/* inside the hex digits */
	ends[nends++] = len - 1;		/* no final newline */
	for (i = 0; i < nends; i++) {
		unit_write_file(cut, file, ends[i]);
		assert_load_fails(cut, "%s: truncated (no end line); not a "
				  "complete state file", cut);
	}
	free(file);
	free(path);
	free(cut);
}
END_TEST

/*
 * Any changed byte before the end line, in the header (even one that
 * leaves a well-formed file: "visible 3" to "visible 2"), the generator,
 * the biases or the last weight, is a checksum mismatch; so is a wrong
 * checksum, and one that is not hex is malformed.
 */
START_TEST(test_load_corrupted)
{
	char *path = unit_path("c.rbm"), *bad = unit_path("bad.rbm");
	size_t len, pos[6], i;
	char *file = saved_file(path, &len);

	pos[0] = line_off(file, L_VISIBLE) + 8;		/* '3' -> '2' */
	pos[1] = line_off(file, L_RNG) + 5000;
	pos[2] = len / 2;
	pos[3] = line_off(file, L_VBIAS) + 1;
	pos[4] = line_off(file, L_END) - 2;		/* last digit */
	pos[5] = line_off(file, L_RATE) + 3;
	for (i = 0; i < 6; i++) {
		file[pos[i]] ^= 1;
		unit_write_file(bad, file, len);
		file[pos[i]] ^= 1;
		assert_load_fails(bad, "%s: checksum mismatch: the file is "
				  "corrupted", bad);
	}
	memcpy(file + len - 17, "0000000000000000", 16);
	unit_write_file(bad, file, len);
	assert_load_fails(bad, "%s: checksum mismatch: the file is corrupted",
			  bad);
	memcpy(file + len - 17, "zzzzzzzzzzzzzzzz", 16);
	unit_write_file(bad, file, len);
	assert_load_fails(bad, "%s: malformed checksum line", bad);
	free(file);
	free(path);
	free(bad);
}
END_TEST

/* An unknown header key is named with its line. */
START_TEST(test_load_unknown_key)
{
	char *path = unit_path("k.rbm");
	char *body = saved_body(path);

	SEALED_FAILS(path, insert_line(body, L_HIDDEN, "colour blue\n"),
		     "%s:%d: unknown key 'colour'", path, L_HIDDEN);
	SEALED_FAILS(path, insert_line(body, L_VBIAS_WORD, "frobnicate\n"),
		     "%s:%d: unknown key 'frobnicate'", path, L_VBIAS_WORD);
	SEALED_FAILS(path, replace_line(body, L_BATCH, "batchsize 7\n"),
		     "%s:%d: unknown key 'batchsize'", path, L_BATCH);
	free(body);
	free(path);
}
END_TEST

/* Each header key given twice is refused at its second line. */
START_TEST(test_load_repeated_key)
{
	char *path = unit_path("r.rbm");
	char *body = saved_body(path), *line;
	size_t k;

	for (k = 0; k < NKEYS; k++) {
		line = strndup(body + line_off(body, keys[k].line),
			       line_len(body, keys[k].line));
		SEALED_FAILS(path, insert_line(body, L_VBIAS_WORD, line),
			     "%s:%d: bad or repeated '%s' line", path,
			     L_VBIAS_WORD, keys[k].name);
		free(line);
	}
	free(body);
	free(path);
}
END_TEST

/* Each header key left out is named. */
START_TEST(test_load_missing_key)
{
	char *path = unit_path("m.rbm");
	char *body = saved_body(path);
	size_t k;

	for (k = 0; k < NKEYS; k++)
		SEALED_FAILS(path, delete_line(body, keys[k].line),
			     "%s: no '%s' line in the header", path,
			     keys[k].name);
	free(body);
	free(path);
}
END_TEST

/* What the loader says a header key needs, as its message words it. */
static const char *wants(const char *key)
{
	if (strcmp(key, "visible") == 0 || strcmp(key, "hidden") == 0)
		return "a whole number up to 16777216";
	if (strcmp(key, "learning_rate") == 0)
		return "a finite number";
	return "a whole number";
}

/*
 * Header values that are not whole numbers, not finite, or missing, are
 * refused with their line; values that read but are out of range (no
 * units, a zero rate, a batch size past the limit) are refused after the
 * header with the model's or the training options' own message.
 */
START_TEST(test_load_bad_values)
{
	static const struct {
		int line;
		const char *text, *key;	/* key: refused at its line */
		const char *msg;	/* else: refused with this */
	} cases[] = {
		{ L_VISIBLE, "visible 3x\n", "visible", NULL },
		{ L_VISIBLE, "visible -3\n", "visible", NULL },
		{ L_VISIBLE, "visible\n", "visible", NULL },
		{ L_HIDDEN, "hidden +2\n", "hidden", NULL },
		{ L_RATE, "learning_rate nan\n", "learning_rate", NULL },
		{ L_RATE, "learning_rate inf\n", "learning_rate", NULL },
		{ L_RATE, "learning_rate 1e999\n", "learning_rate", NULL },
		{ L_RATE, "learning_rate 0.1x\n", "learning_rate", NULL },
		{ L_EPOCHS, "epochs -1\n", "epochs", NULL },
		{ L_EPOCHS, "epochs 99999999999999999999999\n", "epochs",
		  NULL },
		{ L_RNG, "rng mt19937\n", "rng", NULL },
		{ L_VISIBLE, "visible 0\n", NULL, "a model needs at least one "
		  "visible and one hidden unit (got 0 x 2)" },
		{ L_HIDDEN, "hidden 0\n", NULL, "a model needs at least one "
		  "visible and one hidden unit (got 3 x 0)" },
		{ L_RATE, "learning_rate 0\n", NULL, "training options: "
		  "learning rate must be a positive number" },
		{ L_RATE, "learning_rate -0.5\n", NULL, "training options: "
		  "learning rate must be a positive number" },
		{ L_BATCH, "batch_size 0\n", NULL, "training options: batch "
		  "size must be between 1 and 1048576" },
		{ L_BATCH, "batch_size 1048577\n", NULL, "training options: "
		  "batch size must be between 1 and 1048576" },
	};
	char *path = unit_path("b.rbm");
	char *body = saved_body(path);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *b = replace_line(body, cases[i].line, cases[i].text);

		if (cases[i].key && strcmp(cases[i].key, "rng") == 0)
			SEALED_FAILS(path, b, "%s:%d: bad or repeated '%s' "
				     "line", path, cases[i].line,
				     cases[i].key);
		else if (cases[i].key)
			SEALED_FAILS(path, b, "%s:%d: '%s' needs %s", path,
				     cases[i].line, cases[i].key,
				     wants(cases[i].key));
		else
			SEALED_FAILS(path, b, "%s: %s", path, cases[i].msg);
	}
	free(body);
	free(path);
}
END_TEST

/*
 * Rows of the wrong length, and tokens that are not finite numbers, are
 * refused with their line (and the column for a bad token).
 */
START_TEST(test_load_bad_rows)
{
	char *path = unit_path("w.rbm");
	char *body = saved_body(path);

	SEALED_FAILS(path, replace_line(body, L_VBIAS, "0 0\n"),
		     "%s:%d: expected 3 numbers, got 2", path, L_VBIAS);
	SEALED_FAILS(path, replace_line(body, L_VBIAS, "\n"),
		     "%s:%d: expected 3 numbers, got 0", path, L_VBIAS);
	SEALED_FAILS(path, replace_line(body, L_HBIAS, "0 0 0\n"),
		     "%s:%d: more than 2 numbers", path, L_HBIAS);
	SEALED_FAILS(path, replace_line(body, L_W1, "0.5\n"),
		     "%s:%d: expected 2 numbers, got 1", path, L_W1);
	SEALED_FAILS(path, replace_line(body, L_W2, "0.5 0.25 1\n"),
		     "%s:%d: more than 2 numbers", path, L_W2);
	SEALED_FAILS(path, replace_line(body, L_W0, "0.5 abc\n"),
		     "%s:%d: number 2 is not a number", path, L_W0);
	SEALED_FAILS(path, replace_line(body, L_W0, "0.5 1x\n"),
		     "%s:%d: number 2 is not a number", path, L_W0);
	SEALED_FAILS(path, replace_line(body, L_W2, "nan 0\n"),
		     "%s:%d: number 1 is not a finite number", path, L_W2);
	SEALED_FAILS(path, replace_line(body, L_HBIAS, "0 1e39\n"),
		     "%s:%d: number 2 is too large for single precision", path,
		     L_HBIAS);
	SEALED_FAILS(path, replace_line(body, L_HBIAS, "0 -inf\n"),
		     "%s:%d: number 2 is not a finite number", path, L_HBIAS);
	free(body);
	free(path);
}
END_TEST

/*
 * The section words must be where they belong, a missing last row is
 * "file ends early", and anything after the last row that is not one of
 * the training state's sections is refused as a section.
 */
START_TEST(test_load_structure)
{
	char *path = unit_path("x.rbm");
	char *body = saved_body(path);

	SEALED_FAILS(path, replace_line(body, L_HBIAS_WORD, "hidden_biases\n"),
		     "%s:%d: expected 'hidden_bias'", path, L_HBIAS_WORD);
	SEALED_FAILS(path, replace_line(body, L_WEIGHTS_WORD, "weight\n"),
		     "%s:%d: expected 'weights'", path, L_WEIGHTS_WORD);
	SEALED_FAILS(path, delete_line(body, L_W2),
		     "%s:%d: file ends early", path, L_W1);
	SEALED_FAILS(path, splice(body, strlen(body), 0, "0 0\n"),
		     "%s:%d: unexpected, repeated or too large section '0'",
		     path, L_END);
	SEALED_FAILS(path, splice(body, strlen(body), 0, "\n"),
		     "%s:%d: unexpected, repeated or too large section ''",
		     path, L_END);
	/* the header alone: all keys there, no visible_bias */
	SEALED_FAILS(path, strndup(body, line_off(body, L_VBIAS_WORD)),
		     "%s:%d: expected 'visible_bias'", path, L_RNG);
	free(body);
	free(path);
}
END_TEST

/*
 * Hostile sizes fail before anything is allocated from them: past the
 * per-layer limit at the header line; within it but too many weights
 * (the model size check); and a plausible size that the file is far too
 * short to hold (30000 x 30000 would be 3.6 GB of floats; the message
 * comes from the length check that precedes the allocation).
 */
START_TEST(test_load_huge_sizes)
{
	char *path = unit_path("h.rbm");
	char *body = saved_body(path), *b2;

	SEALED_FAILS(path, replace_line(body, L_VISIBLE, "visible 100000000\n"),
		     "%s:%d: 'visible' needs a whole number up to 16777216",
		     path, L_VISIBLE);
	SEALED_FAILS(path, replace_line(body, L_HIDDEN,
					"hidden 18446744073709551615\n"),
		     "%s:%d: 'hidden' needs a whole number up to 16777216",
		     path, L_HIDDEN);
	b2 = replace_line(body, L_VISIBLE, "visible 16777216\n");
	SEALED_FAILS(path, replace_line(b2, L_HIDDEN, "hidden 16777216\n"),
		     "%s: a 16777216 x 16777216 model is too large (at most "
		     "16777216 units a layer, 1073741824 weights)", path);
	free(b2);
	b2 = replace_line(body, L_VISIBLE, "visible 30000\n");
	SEALED_FAILS(path, replace_line(b2, L_HIDDEN, "hidden 30000\n"),
		     "%s: too short for a 30000 x 30000 model", path);
	free(b2);
	free(body);
	free(path);
}
END_TEST

/* body with the rng line's hex digits replaced by hex (malloc'ed). */
static char *with_rng_hex(const char *body, const char *name, const char *hex)
{
	char *line = malloc(strlen(name) + strlen(hex) + 8);
	char *out;

	sprintf(line, "rng %s %s\n", name, hex);
	out = replace_line(body, L_RNG, line);
	free(line);
	return out;
}

/*
 * The generator line must name mt19937 and carry exactly its 5000 bytes
 * in lowercase hex, with an in-range index (0..624); each fault has its
 * own message.
 */
START_TEST(test_load_bad_rng)
{
	char *path = unit_path("g.rbm");
	char *body = saved_body(path), *hex, *b2;
	size_t off = line_off(body, L_RNG) + strlen("rng mt19937 ");
	struct rbm_state *t;

	hex = strndup(body + off, 10000);
	ck_assert_uint_eq(strlen(hex), 10000);
	SEALED_FAILS(path, with_rng_hex(body, "xorshift", hex),
		     "%s: unknown random generator 'xorshift'", path);
	hex[9998] = '\0';
	SEALED_FAILS(path, with_rng_hex(body, "mt19937", hex),
		     "%s: random generator state has 9998 hex digits, "
		     "mt19937 needs 10000", path);
	free(hex);
	hex = strndup(body + off, 10000);
	hex[10] = 'g';
	SEALED_FAILS(path, with_rng_hex(body, "mt19937", hex),
		     "%s: random generator state is not hex", path);
	hex[10] = 'A';
	SEALED_FAILS(path, with_rng_hex(body, "mt19937", hex),
		     "%s: random generator state is not hex", path);
	free(hex);
	/* mti, an int after 624 unsigned longs: hex digits 9984..9991 */
	ck_assert_uint_eq(sizeof(unsigned long), 8);
	hex = strndup(body + off, 10000);
	memcpy(hex + 9984, "ffffffff", 8);		/* -1 */
	SEALED_FAILS(path, with_rng_hex(body, "mt19937", hex),
		     "%s: random generator state is out of range", path);
	memcpy(hex + 9984, "71020000", 8);		/* 625 */
	SEALED_FAILS(path, with_rng_hex(body, "mt19937", hex),
		     "%s: random generator state is out of range", path);
	memcpy(hex + 9984, "70020000", 8);		/* 624 is valid */
	b2 = with_rng_hex(body, "mt19937", hex);
	seal(path, b2);
	t = load_ok(path);
	rbm_state_free(t);
	free(b2);
	free(hex);
	free(body);
	free(path);
}
END_TEST

/*
 * The generator's state as hex is 2 x its size in lowercase digits, and
 * reading it back gives a generator with the same future; bad input to
 * rbm_rng_from_hex is refused without a path prefix.
 */
START_TEST(test_rng_hex)
{
	struct rbm_err err = { "" };
	gsl_rng *a = rbm_rng_alloc(77, &err), *b;
	char *hex;
	size_t i;
	int k;

	for (k = 0; k < 1000; k++)	/* past the first regeneration */
		gsl_rng_get(a);
	hex = rbm_rng_state_hex(a);
	ck_assert_uint_eq(strlen(hex), 2 * gsl_rng_size(a));
	for (i = 0; hex[i]; i++)
		ck_assert(strchr("0123456789abcdef", hex[i]) != NULL);
	b = rbm_rng_from_hex("mt19937", hex, &err);
	ck_assert_msg(b != NULL, "%s", err.msg);
	for (k = 0; k < 1000; k++)
		ck_assert_uint_eq(gsl_rng_get(a), gsl_rng_get(b));
	ck_assert_ptr_null(rbm_rng_from_hex("ranlux", hex, &err));
	ck_assert_str_eq(err.msg, "unknown random generator 'ranlux'");
	ck_assert_ptr_null(rbm_rng_from_hex("mt19937", "00", &err));
	ck_assert_str_eq(err.msg, "random generator state has 2 hex digits, "
			 "mt19937 needs 10000");
	free(hex);
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

/*
 * rbm_state_create: same seed, same start; a different seed, another;
 * the parameters given, no epochs; a bad size is refused with the
 * model's message.
 */
START_TEST(test_state_create)
{
	struct rbm_train_settings p;
	struct rbm_err err = { "" };
	struct rbm_state *a, *b, *c;

	rbm_train_defaults(&p);
	p.learning_rate = 0.25;
	p.batch_size = 3;
	a = rbm_state_create(4, 3, &p, 99, &err);
	b = rbm_state_create(4, 3, &p, 99, &err);
	c = rbm_state_create(4, 3, &p, 100, &err);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	assert_same_state(a, b);
	ck_assert(!gsl_matrix_float_equal(a->model->w, c->model->w));
	ck_assert(a->params.learning_rate == 0.25);
	ck_assert_uint_eq(a->params.batch_size, 3);
	ck_assert_uint_eq(a->train.epochs, 0);
	ck_assert_ptr_null(rbm_state_create(0, 3, &p, 1, &err));
	ck_assert_str_eq(err.msg, "a model needs at least one visible and "
			 "one hidden unit (got 0 x 3)");
	rbm_state_free(a);
	rbm_state_free(b);
	rbm_state_free(c);
	rbm_state_free(NULL);
}
END_TEST

/* Saving into a directory that does not exist fails with the path. */
START_TEST(test_save_missing_dir)
{
	char *path = unit_path("nodir/s.rbm");
	struct rbm_err err = { "" };
	struct rbm_state *s = sample_state();
	char want[RBM_ERR_MAX];

	ck_assert_int_eq(rbm_state_save(s, path, &err), -1);
	snprintf(want, sizeof(want), "cannot save %s: No such file or "
		 "directory", path);
	ck_assert_str_eq(err.msg, want);
	rbm_state_free(s);
	free(path);
}
END_TEST

/* ---- the overwrite guard ---- */

/*
 * init may write over nothing, an empty file and any state file (whole,
 * truncated or of a newer version), and must not touch a foreign file,
 * one too short to tell, or a directory.
 */
START_TEST(test_may_overwrite)
{
	char *path = unit_path("o.rbm"), *dir = unit_path("dir");
	struct rbm_err err = { "" };
	char want[RBM_ERR_MAX];
	size_t len;
	char *file;

	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), 0);
	unit_write_file(path, "", 0);
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), 0);
	file = saved_file(path, &len);
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), 0);
	unit_write_file(path, file, 40);
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), 0);
	unit_write_file(path, TEXT("rbmcmd-state 9\n"));
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), 0);
	ck_assert_str_eq(err.msg, "");

	snprintf(want, sizeof(want), "%s exists and is not an rbmcmd state "
		 "file; not overwriting it", path);
	unit_write_file(path, TEXT("0 1 1 0\n1 0 0 1\n"));
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), -1);
	ck_assert_str_eq(err.msg, want);
	err.msg[0] = '\0';
	unit_write_file(path, TEXT("rbm"));
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), -1);
	ck_assert_str_eq(err.msg, want);
	err.msg[0] = '\0';
	unit_write_file(path, TEXT("rbmcmd-statex"));
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), -1);
	ck_assert_str_eq(err.msg, want);

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(rbm_state_may_overwrite(dir, &err), -1);
	snprintf(want, sizeof(want), "%s: not a regular file; not "
		 "overwriting", dir);
	ck_assert_str_eq(err.msg, want);
	free(file);
	free(path);
	free(dir);
}
END_TEST

/* ---- atomic replacement ---- */

/* The names in directory dir, sorted, joined by spaces (malloc'ed). */
static char *list_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), i;
	const char *sep = "";
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_int_ge(n, 0);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			fprintf(f, "%s%s", sep, names[i]->d_name);
			sep = " ";
		}
		free(names[i]);
	}
	free(names);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/*
 * The file holds exactly the bytes given (NUL and no final newline
 * included), also when it replaces a longer file, and no temporary file
 * is left beside it.
 */
START_TEST(test_atomic_exact_bytes)
{
	char *dir = unit_path("a"), *path = unit_path("a/f"), *got, *names;
	struct rbm_err err = { "" };
	size_t len;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(rbm_atomic_write(path, TEXT("a\0b\nc"), &err), 0);
	got = unit_read_file(path, &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(got, "a\0b\nc", 5);
	free(got);
	unit_write_file(path, TEXT("a much longer old content\n"));
	ck_assert_int_eq(rbm_atomic_write(path, TEXT("xy"), &err), 0);
	got = unit_read_file(path, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(got, "xy", 2);
	free(got);
	ck_assert_int_eq(rbm_atomic_write(path, "", 0, &err), 0);
	got = unit_read_file(path, &len);
	ck_assert_uint_eq(len, 0);
	free(got);
	names = list_dir(dir);
	ck_assert_str_eq(names, "f");
	free(names);
	free(dir);
	free(path);
}
END_TEST

/* The mode of path, permission bits only. */
static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/*
 * A replaced file keeps its mode (0600, 0640, 0755 are not what a new
 * file would get); a new file gets 0666 less the umask.
 */
START_TEST(test_atomic_keeps_mode)
{
	static const mode_t modes[] = { 0600, 0640, 0755 };
	char *path = unit_path("m"), *fresh = unit_path("fresh");
	struct rbm_err err = { "" };
	mode_t old;
	size_t i;

	for (i = 0; i < 3; i++) {
		unit_write_file(path, TEXT("old\n"));
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		ck_assert_int_eq(rbm_atomic_write(path, TEXT("new\n"), &err),
				 0);
		ck_assert_uint_eq(mode_of(path), modes[i]);
	}
	old = umask(027);
	ck_assert_int_eq(rbm_atomic_write(fresh, TEXT("new\n"), &err), 0);
	umask(old);
	ck_assert_uint_eq(mode_of(fresh), 0640);
	free(path);
	free(fresh);
}
END_TEST

/*
 * Failures report "cannot save PATH: REASON" and leave no temporary file:
 * into a missing directory (nothing could be created), and over a
 * directory (the temporary file was written, the rename failed).
 */
START_TEST(test_atomic_failures)
{
	char *dir = unit_path("b"), *missing = unit_path("b/nodir/f");
	char *target = unit_path("b/sub"), *names;
	struct rbm_err err = { "" };
	char want[RBM_ERR_MAX];

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(rbm_atomic_write(missing, TEXT("x\n"), &err), -1);
	snprintf(want, sizeof(want), "cannot save %s: No such file or "
		 "directory", missing);
	ck_assert_str_eq(err.msg, want);
	names = list_dir(dir);
	ck_assert_str_eq(names, "");
	free(names);

	ck_assert_int_eq(mkdir(target, 0755), 0);
	ck_assert_int_eq(rbm_atomic_write(target, TEXT("x\n"), &err), -1);
	snprintf(want, sizeof(want), "cannot save %s: Is a directory", target);
	ck_assert_str_eq(err.msg, want);
	names = list_dir(dir);
	ck_assert_str_eq(names, "sub");
	free(names);
	free(dir);
	free(missing);
	free(target);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *file = tcase_create("file");
	TCase *load = tcase_create("load errors");
	TCase *guard = tcase_create("overwrite guard");
	TCase *atomic = tcase_create("atomic");

	tcase_add_unchecked_fixture(file, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(file, test_round_trip);
	tcase_add_test(file, test_round_trip_iterate);
	tcase_add_test(file, test_saved_layout);
	tcase_add_test(file, test_load_comments_and_order);
	tcase_add_test(file, test_rng_hex);
	tcase_add_test(file, test_state_create);
	tcase_add_test(file, test_save_missing_dir);
	suite_add_tcase(s, file);

	tcase_add_unchecked_fixture(load, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(load, test_load_missing);
	tcase_add_test(load, test_load_foreign);
	tcase_add_test(load, test_load_bad_version);
	tcase_add_test(load, test_load_newer_version);
	tcase_add_test(load, test_load_truncated);
	tcase_add_test(load, test_load_corrupted);
	tcase_add_test(load, test_load_unknown_key);
	tcase_add_test(load, test_load_repeated_key);
	tcase_add_test(load, test_load_missing_key);
	tcase_add_test(load, test_load_bad_values);
	tcase_add_test(load, test_load_bad_rows);
	tcase_add_test(load, test_load_structure);
	tcase_add_test(load, test_load_huge_sizes);
	tcase_add_test(load, test_load_bad_rng);
	suite_add_tcase(s, load);

	tcase_add_unchecked_fixture(guard, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(guard, test_may_overwrite);
	suite_add_tcase(s, guard);

	tcase_add_unchecked_fixture(atomic, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(atomic, test_atomic_exact_bytes);
	tcase_add_test(atomic, test_atomic_keeps_mode);
	tcase_add_test(atomic, test_atomic_failures);
	suite_add_tcase(s, atomic);
	return s;
}
