/*
 * test_pickle.c - the pickle reader (pickle.c): the committed pickles of
 * every protocol (tests/data/pickle, written and checked against Python
 * by tests/pickle-gen.py) read with their protocol and style, every
 * truncation and every one-byte change of them handled without a crash,
 * and hostile streams refused with the message and byte they deserve.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"
#include "state.h"
#include "unit.h"

#define TEXT(s) (s), sizeof(s) - 1

/* The committed pickle name.pkl, malloc'ed. */
static char *data_file(const char *name, size_t *len)
{
	const char *src = getenv("SRCDIR");
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/data/pickle/%s.pkl",
		 src ? src : ".", name);
	return unit_read_file(path, len);
}

static const struct {
	const char *name;
	int protocol, old_style;
	size_t nv, nh;
} good[] = {
	{ "py2-proto0", 0, 1, 6, 2 },
	{ "py2-proto0-big", 0, 1, 12, 4 },
	{ "py2-proto2", 2, 1, 12, 4 },
	{ "py3-proto0", 0, 0, 6, 2 },
	{ "py3-proto2", 2, 0, 6, 2 },
	{ "py3-proto3", 3, 0, 6, 2 },
	{ "py3-proto4", 4, 0, 6, 2 },
	{ "py3-proto4-fortran-be", 4, 0, 12, 4 },
	{ "py3-proto5", 5, 0, 6, 2 },
	{ "py3-proto5-fortran-be", 5, 0, 12, 4 },
};
#define NGOOD (sizeof(good) / sizeof(good[0]))

/* Each committed pickle: its sizes, protocol, style and learning rate. */
START_TEST(test_read_good)
{
	struct rbm_pickle_info info;
	struct rbm_err err;
	size_t len;
	char *buf = data_file(good[_i].name, &len);
	struct rbm *m;

	ck_assert(rbm_pickle_detect(buf, len));
	m = rbm_pickle_read(buf, len, "x", &info, &err);
	ck_assert_msg(m != NULL, "%s: %s", good[_i].name, err.msg);
	ck_assert_uint_eq(m->nv, good[_i].nv);
	ck_assert_uint_eq(m->nh, good[_i].nh);
	ck_assert_int_eq(info.protocol, good[_i].protocol);
	ck_assert_int_eq(info.old_style, good[_i].old_style);
	ck_assert(info.learning_rate == 0.1);
	rbm_free(m);
	free(buf);
}
END_TEST

/* The same model whatever the protocol, byte order or element order. */
START_TEST(test_same_model)
{
	struct rbm_pickle_info info;
	struct rbm_err err;
	size_t la, lb, i, j;
	char *a = data_file("py2-proto2", &la);
	char *b = data_file("py3-proto5-fortran-be", &lb);
	struct rbm *x = rbm_pickle_read(a, la, "a", &info, &err);
	struct rbm *y = rbm_pickle_read(b, lb, "b", &info, &err);

	ck_assert(x && y);
	for (i = 0; i < x->nv; i++)
		for (j = 0; j < x->nh; j++)
			ck_assert(gsl_matrix_float_get(x->w, i, j) ==
				  gsl_matrix_float_get(y->w, i, j));
	for (i = 0; i < x->nv; i++)
		ck_assert(gsl_vector_float_get(x->b, i) ==
			  gsl_vector_float_get(y->b, i));
	for (j = 0; j < x->nh; j++)
		ck_assert(gsl_vector_float_get(x->c, j) ==
			  gsl_vector_float_get(y->c, j));
	rbm_free(x);
	rbm_free(y);
	free(a);
	free(b);
}
END_TEST

/* Every proper prefix of every pickle: refused with a message, no leak. */
START_TEST(test_truncated_everywhere)
{
	struct rbm_pickle_info info;
	struct rbm_err err;
	size_t len, n;
	char *buf = data_file(good[_i].name, &len);

	for (n = 0; n < len; n++) {
		err.msg[0] = '\0';
		ck_assert_msg(rbm_pickle_read(buf, n, "t", &info, &err) == NULL,
			      "%s cut at %zu", good[_i].name, n);
		ck_assert_msg(strncmp(err.msg, "t: ", 3) == 0, "%s", err.msg);
	}
	free(buf);
}
END_TEST

/*
 * Every byte of every pickle changed to a few values: a model or a
 * message, never a crash (the sanitizer build watches the reads).
 */
START_TEST(test_one_byte_changes)
{
	static const unsigned char to[] = { 0, '(', '.', 0x80, 0xff, 'N' };
	struct rbm_pickle_info info;
	struct rbm_err err;
	size_t len, i, k;
	char *buf = data_file(good[_i].name, &len);
	struct rbm *m;

	for (i = 0; i < len; i++) {
		char was = buf[i];
		for (k = 0; k < sizeof(to); k++) {
			buf[i] = (char)to[k];
			err.msg[0] = '\0';
			m = rbm_pickle_read(buf, len, "c", &info, &err);
			ck_assert(m != NULL || err.msg[0] != '\0');
			rbm_free(m);
		}
		buf[i] = was;
	}
	free(buf);
}
END_TEST

/* Hostile or broken streams and what each must say. */
static const struct {
	const char *data;
	size_t len;
	const char *msg;
} bad[] = {
	{ TEXT("\x80\x02" "cposix\nsystem\n."),
	  "b: byte 2: unknown global 'posix.system' refused (only the "
	  "original rbmcmd's RBM class and numpy arrays are read)" },
	{ TEXT("ccopy_reg\n_reconstructor\n(c__builtin__\neval\n"),
	  "b: byte 26: unknown global '__builtin__.eval' refused (only the "
	  "original rbmcmd's RBM class and numpy arrays are read)" },
	{ TEXT("\x80\x02" "cos\nsy\x1b[2Jstem\n"),
	  "b: byte 2: unknown global 'os.sy?[2Jstem' refused (only the "
	  "original rbmcmd's RBM class and numpy arrays are read)" },
	{ TEXT("\x80\x02" "cnumpy\ndtype\nN\x85R."),
	  "b: byte 17: REDUCE on a callable or with arguments this reader "
	  "does not know: refused" },
	{ TEXT("\x80\x02" "K\x01)R."),
	  "b: byte 5: REDUCE on a callable or with arguments this reader "
	  "does not know: refused" },
	{ TEXT("\x80\x02" "cnumpy\nndarray\n)\x81."),
	  "b: byte 18: instance of a class other than RBM" },
	{ TEXT("\x80\x02" "crbm\nRBM\nK\x01\x85\x81."),
	  "b: byte 14: RBM instance made with arguments" },
	{ TEXT("\x80\x06."), "b: byte 0: unsupported pickle protocol 6" },
	{ TEXT("\x80\x02\xff"), "b: byte 2: unknown opcode 0xff" },
	{ TEXT("\x80\x02\x82\x01."),
	  "b: byte 2: opcode 0x82 (persistent ids, extension codes and "
	  "out-of-band buffers) refused" },
	{ TEXT("\x80\x05\x97."),
	  "b: byte 2: opcode 0x97 (persistent ids, extension codes and "
	  "out-of-band buffers) refused" },
	{ TEXT("\x80\x02T\xff\xff\xff\xff."), "b: byte 2: negative length" },
	{ TEXT("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff."),
	  "b: byte 2: truncated: a length of 18446744073709551615 bytes, 1 "
	  "left" },
	{ TEXT("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x01\x00."),
	  "b: byte 2: truncated: a length of 281474976710656 bytes, 1 left" },
	{ TEXT("\x80\x02\x8a\x09" "123456789."),
	  "b: byte 2: integer of 9 bytes is too large" },
	{ TEXT("(I99999999999999999999\n."),
	  "b: byte 1: bad or too large integer '99999999999999999999'" },
	{ TEXT("\x80\x02h\x05."), "b: byte 2: memo key 5 was never set" },
	{ TEXT("\x80\x02Nr\x00\x00\x01\x00."),
	  "b: byte 3: memo key 65536 beyond the limit of 65536" },
	{ TEXT("\x80\x02" "0."), "b: byte 2: stack underflow" },
	{ TEXT("\x80\x02(N1."), "b: byte 5: stack underflow" },
	{ TEXT("\x80\x02t."), "b: byte 2: no MARK on the stack" },
	{ TEXT("\x80\x02(Nd."), "b: byte 4: odd number of values for a dict" },
	{ TEXT("\x80\x02NNa."),
	  "b: byte 4: adding to something that is not a list" },
	{ TEXT("\x80\x02)NNs."),
	  "b: byte 5: adding to something that is not a dict" },
	{ TEXT("(S'abc\n."),
	  "b: byte 1: the STRING opcode's argument must be quoted" },
	{ TEXT("(S'a\\x4'\n."), "b: byte 1: invalid \\x escape in a string" },
	{ TEXT("(S'a\\'\n."),
	  "b: byte 1: a string ends with a backslash" },
	{ TEXT("(Vab\\u12\n."), "b: byte 1: truncated \\u escape in a string" },
	{ TEXT("(V\\U00110000\n."), "b: byte 1: \\U escape out of range" },
	{ TEXT("\x80\x02" "c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x80"
	       "X\x06\x00\x00\x00latin1\x86R."),
	  "b: byte 37: text that is not Latin-1 given to _codecs.encode" },
	{ TEXT("\x80\x02K\x01N" "b."),
	  "b: byte 5: BUILD on a value that is not an RBM, array or dtype" },
	{ TEXT("\x80\x02" "crbm\nRBM\n)\x81}b}b."),
	  "b: byte 16: BUILD twice on the same object" },
	{ TEXT("\x80\x02" "crbm\nRBM\n)\x81}b."),
	  "b: the RBM has no whole num_visible and num_hidden" },
	{ TEXT("\x80\x02" "crbm\nRBM\n)\x81}(X\x0b\x00\x00\x00num_visible"
	       "K\x02X\x0a\x00\x00\x00num_hiddenK\x01X\x0d\x00\x00\x00"
	       "learning_rateG?\xb9\x99\x99\x99\x99\x99\x9a"
	       "X\x07\x00\x00\x00weightsNub."),
	  "b: the weights are not a numpy array" },
	{ TEXT("\x80\x02N."),
	  "b: a pickle, but not of the original rbmcmd's RBM (no RBM "
	  "instance with attributes)" },
	{ TEXT("\x80\x02"), "b: byte 2: truncated: no STOP opcode" },
	{ TEXT("(i"), "b: byte 1: truncated: no end of line" },
};
#define NBAD (sizeof(bad) / sizeof(bad[0]))

START_TEST(test_refused)
{
	struct rbm_pickle_info info;
	struct rbm_err err;

	err.msg[0] = '\0';
	ck_assert(rbm_pickle_read(bad[_i].data, bad[_i].len, "b", &info,
				  &err) == NULL);
	ck_assert_str_eq(err.msg, bad[_i].msg);
}
END_TEST

/* A stream of n copies of op after PROTO 2, then STOP. */
static char *repeated(const char *op, size_t oplen, size_t n, size_t *len)
{
	char *buf = malloc(2 + n * oplen + 1);
	size_t i;

	ck_assert(buf != NULL);
	memcpy(buf, "\x80\x02", 2);
	for (i = 0; i < n; i++)
		memcpy(buf + 2 + i * oplen, op, oplen);
	buf[2 + n * oplen] = '.';
	*len = 2 + n * oplen + 1;
	return buf;
}

/* The stack, MARK, object and item limits hold, with their messages. */
START_TEST(test_limits)
{
	struct rbm_pickle_info info;
	struct rbm_err err;
	size_t len;
	char *buf;

	buf = repeated("N", 1, RBM_PICKLE_MAX_STACK + 1, &len);
	ck_assert(rbm_pickle_read(buf, len, "l", &info, &err) == NULL);
	ck_assert_str_eq(err.msg, "l: byte 65538: more than 65536 values on "
			 "the stack");
	free(buf);
	buf = repeated("(", 1, RBM_PICKLE_MAX_MARKS + 1, &len);
	ck_assert(rbm_pickle_read(buf, len, "l", &info, &err) == NULL);
	ck_assert_str_eq(err.msg, "l: byte 66: MARKs nested deeper than 64");
	free(buf);
	buf = repeated("N0", 2, RBM_PICKLE_MAX_OBJECTS + 1, &len);
	ck_assert(rbm_pickle_read(buf, len, "l", &info, &err) == NULL);
	ck_assert_str_eq(err.msg, "l: byte 2097154: more than 1048576 values");
	free(buf);
	/* A list, then DUP and APPEND: items without new values. */
	buf = repeated("2a", 2, RBM_PICKLE_MAX_ITEMS + 2, &len);
	buf[2] = ']';
	buf[3] = '2';
	ck_assert(rbm_pickle_read(buf, len, "l", &info, &err) == NULL);
	ck_assert_str_eq(err.msg, "l: byte 8388613: more than 4194304 "
			 "container items");
	free(buf);
}
END_TEST

/*
 * Decoding the same large text again and again through the memo is
 * bounded by the file's size, not by the number of calls.
 */
START_TEST(test_decoded_budget)
{
	static const char head[] = "\x80\x02" "c_codecs\nencode\nq\x00"
		"X\x06\x00\x00\x00latin1q\x01";
	static const char call[] = "h\x00h\x02h\x01\x86R0";
	size_t n = 100000, calls = 100, len, i, k;
	char *buf = malloc(sizeof(head) + 5 + n + 2 + calls * sizeof(call));
	struct rbm_pickle_info info;
	struct rbm_err err;

	ck_assert(buf != NULL);
	memcpy(buf, head, sizeof(head) - 1);
	k = sizeof(head) - 1;
	buf[k++] = 'X';
	buf[k++] = (char)(n & 0xff);
	buf[k++] = (char)(n >> 8 & 0xff);
	buf[k++] = (char)(n >> 16);
	buf[k++] = 0;
	memset(buf + k, 'a', n);
	k += n;
	buf[k++] = 'q';
	buf[k++] = 2;
	for (i = 0; i < calls; i++, k += sizeof(call) - 1)
		memcpy(buf + k, call, sizeof(call) - 1);
	buf[k++] = '.';
	len = k;
	ck_assert(rbm_pickle_read(buf, len, "d", &info, &err) == NULL);
	ck_assert_msg(strstr(err.msg, "decoded strings larger than the file "
			     "allows") != NULL, "%s", err.msg);
	free(buf);
}
END_TEST

/*
 * What the machine does besides: POP takes a MARK when nothing is above
 * it, MEMOIZE numbers slots by the memo's size, escapes decode as
 * Python's, LONG1 is two's complement; checked through the one value
 * that matters, the learning rate, of a model otherwise copied from a
 * committed file.
 */
START_TEST(test_semantics)
{
	static const struct {
		const char *op;
		size_t len;
		double want;
	} rates[] = {
		{ TEXT("(S'a\\'\\x41\\101\\\\'\n1F0.25\n"), 0.25 },
		{ TEXT("(0I7\n"), 7 },			/* POP of a mark */
		{ TEXT("\x8a\x01\xfe"), -2 },		/* LONG1 */
		{ TEXT("\x8a\x00"), 0 },
		{ TEXT("L123L\n"), 123 },			/* LONG */
		{ TEXT("J\xff\xff\xff\xff"), -1 },	/* BININT */
		{ TEXT("M\x01\x01"), 257 },		/* BININT2 */
		{ TEXT("K\x09\x94" "0h\x06"), 9 },	/* MEMOIZE: slot 6 */
	};
	size_t len, i, n;
	char *buf = data_file("py3-proto2", &len);
	/* the rate in py3-proto2: BINFLOAT 0.1 after 'learning_rate' */
	char *at = memmem(buf, len, "learning_rateq\x05G", 16);

	ck_assert(at != NULL);
	at += 15;
	n = (size_t)(at - buf);
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct rbm_pickle_info info;
		struct rbm_err err;
		size_t k = rates[i].len;
		char *b = malloc(len + k);
		struct rbm *m;

		ck_assert(b != NULL);
		memcpy(b, buf, n);
		memcpy(b + n, rates[i].op, k);
		memcpy(b + n + k, at + 9, len - n - 9);
		m = rbm_pickle_read(b, len - 9 + k, "s", &info, &err);
		ck_assert_msg(m != NULL, "%zu: %s", i, err.msg);
		ck_assert_msg(info.learning_rate == rates[i].want, "%zu: %g",
			      i, info.learning_rate);
		rbm_free(m);
		free(b);
	}
	free(buf);
}
END_TEST

/* Only pickles are taken for pickles. */
START_TEST(test_detect)
{
	ck_assert(rbm_pickle_detect(TEXT("\x80\x02")));
	ck_assert(rbm_pickle_detect(TEXT("\x80\x05")));
	ck_assert(!rbm_pickle_detect(TEXT("\x80\x06")));
	ck_assert(!rbm_pickle_detect(TEXT("\x80")));
	ck_assert(rbm_pickle_detect(TEXT("(irbm\n")));
	ck_assert(rbm_pickle_detect(TEXT("(crbm\n")));
	ck_assert(rbm_pickle_detect(TEXT("ccopy_reg\n_rec")));
	ck_assert(!rbm_pickle_detect(TEXT("rbmcmd-state 2\n")));
	ck_assert(!rbm_pickle_detect(TEXT("6 2\n")));
	ck_assert(!rbm_pickle_detect(TEXT("cat\n")));
	ck_assert(!rbm_pickle_detect(TEXT("")));
}
END_TEST

/* The state loader hands pickles over and marks the state. */
START_TEST(test_state_load)
{
	struct rbm_err err;
	size_t len;
	char *buf = data_file("py3-proto3", &len), *path = unit_path("p.dat");
	struct rbm_state *s;

	unit_write_file(path, buf, len);
	s = rbm_state_load(path, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	ck_assert_int_eq(s->version, RBM_STATE_PICKLE);
	ck_assert(s->params.learning_rate == 0.1);
	ck_assert_uint_eq(s->train.epochs, 0);
	ck_assert_int_eq(rbm_state_may_overwrite(path, &err), -1);
	ck_assert(strstr(err.msg, "original Python rbmcmd") != NULL);
	rbm_state_free(s);
	buf[len - 1] = 'N';	/* STOP gone */
	unit_write_file(path, buf, len);
	ck_assert(rbm_state_load(path, &err) == NULL);
	ck_assert(strstr(err.msg, "truncated: no STOP opcode") != NULL);
	free(path);
	free(buf);
}
END_TEST

Suite *pickle_suite(void)
{
	Suite *s = suite_create("pickle");
	TCase *files = tcase_create("files");
	TCase *hostile = tcase_create("hostile");

	tcase_add_loop_test(files, test_read_good, 0, NGOOD);
	tcase_add_test(files, test_same_model);
	tcase_add_loop_test(files, test_truncated_everywhere, 0, NGOOD);
	tcase_add_loop_test(files, test_one_byte_changes, 0, NGOOD);
	tcase_add_test(files, test_semantics);
	tcase_add_test(files, test_detect);
	tcase_add_unchecked_fixture(files, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(files, test_state_load);
	suite_add_tcase(s, files);
	tcase_add_loop_test(hostile, test_refused, 0, NBAD);
	tcase_add_test(hostile, test_limits);
	tcase_add_test(hostile, test_decoded_budget);
	suite_add_tcase(s, hostile);
	return s;
}
