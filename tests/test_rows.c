/*
 * test_rows.c - text rows in (every accepted layout and every error
 * message, word for word), rows out (the original's tokens, and plain
 * numbers with chosen digits), and the in-memory data set built from
 * them (compact and float forms).
 *
 * Small inputs go through a pipe holding the whole text, read by a reader
 * named "stdin" as the CLI names it; large ones through a temporary file
 * or a forked writer.
 */
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data.h"
#include "decimal.h"
#include "rows.h"
#include "unit.h"

/* A string literal and its length, NUL bytes inside included. */
#define TEXT(s) (s), sizeof(s) - 1

/* A pipe's read end already holding the len bytes of text, at EOF after. */
static int pipe_holding(const char *text, size_t len)
{
	int fd[2];

	ck_assert(len < 65536);	/* fits the pipe buffer: no writer needed */
	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(write(fd[1], text, len), (ssize_t)len);
	close(fd[1]);
	return fd[0];
}

/*
 * Read every row of text (at most max, width values each) into out with
 * a reader named "stdin" accepting [lo, hi]: the number of rows, or -1
 * with the reader's message in err.
 */
static ssize_t read_text_range(const char *text, size_t len, size_t width,
			       double lo, double hi, float *out, size_t max,
			       struct rbm_err *err)
{
	int fd = pipe_holding(text, len);
	struct rbm_rows *r = rbm_rows_open_fd(fd, "stdin", width, err);
	size_t got = 0;
	ssize_t k;

	ck_assert_ptr_nonnull(r);
	rbm_rows_set_range(r, lo, hi);
	while ((k = rbm_rows_read(r, out + got * width, max - got, err)) > 0) {
		got += (size_t)k;
		ck_assert_uint_lt(got, max);	/* room left to see the end */
	}
	rbm_rows_close(r);
	close(fd);
	return k < 0 ? -1 : (ssize_t)got;
}

static ssize_t read_text(const char *text, size_t len, size_t width,
			 float *out, size_t max, struct rbm_err *err)
{
	return read_text_range(text, len, width, 0, 1, out, max, err);
}

/* Reading text of width values a row must fail with exactly msg. */
static void expect_error(const char *text, size_t len, size_t width,
			 const char *msg)
{
	struct rbm_err err = { "" };
	float rows[16 * 8];

	ck_assert_uint_le(width, 8);
	ck_assert_int_eq(read_text(text, len, width, rows, 16, &err), -1);
	ck_assert_str_eq(err.msg, msg);
}

/* Assert that n floats equal want exactly. */
static void assert_floats(const float *got, const float *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "value %zu: %.9g, want %.9g",
			      i, (double)got[i], (double)want[i]);
}

/*
 * Spaces, tabs, runs of blanks, leading and trailing blanks, CRLF line
 * ends, comment lines (also indented), blank and whitespace-only lines are
 * all accepted; only the four data lines become rows, with their values.
 */
START_TEST(test_parse_layouts)
{
	static const char text[] =
		"0 1 0.5\n"
		"\t1\t0  0.25 \r\n"
		"# a comment: 1 2 3 x\n"
		"   # an indented comment\n"
		"\n"
		" \t \r\n"
		"1e-1 .75 1\r\n"
		"2.5e-1 +1 0\n";
	static const float want[] = { 0, 1, 0.5f, 1, 0, 0.25f,
				      0.1f, 0.75f, 1, 0.25f, 1, 0 };
	struct rbm_err err = { "" };
	float rows[10 * 3];

	ck_assert_int_eq(read_text(TEXT(text), 3, rows, 10, &err), 4);
	assert_floats(rows, want, 12);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

/*
 * A last line without a newline is a row like any other (also after a
 * CR), and its errors name its line.
 */
START_TEST(test_last_line_without_newline)
{
	static const float want[] = { 0, 0, 1, 1, 0.5f, 0 };
	struct rbm_err err = { "" };
	float rows[10 * 3];

	ck_assert_int_eq(read_text(TEXT("0 0 1\n1 0.5 0"), 3, rows, 10, &err),
			 2);
	assert_floats(rows, want, 6);
	ck_assert_int_eq(read_text(TEXT("0 0 1\n1 0.5 0\r"), 3, rows, 10,
				   &err), 2);
	assert_floats(rows, want, 6);
	ck_assert_int_eq(read_text(TEXT("1 1 1"), 3, rows, 10, &err), 1);
	/* A short last row without a newline may be an input cut off
	 * (mpirun closes stdin mid-row on a signal): the message says so. */
	expect_error(TEXT("0 0 1\n0 1"), 3,
		     "stdin:2: expected 3 values, got 2, and the input ends in "
		     "this line without a newline: was it cut off?");
	expect_error(TEXT("0 0 1\n0 1\n"), 3,
		     "stdin:2: expected 3 values, got 2");
	expect_error(TEXT("0 0 1\n0 1 1 1"), 3,
		     "stdin:2: expected 3 values, got 4");
}
END_TEST

/* Empty input and input of only comments give no rows and no error. */
START_TEST(test_no_rows)
{
	struct rbm_err err = { "" };
	float rows[4 * 3];

	ck_assert_int_eq(read_text(TEXT(""), 3, rows, 4, &err), 0);
	ck_assert_int_eq(read_text(TEXT("# only\n\n  \r\n"), 3, rows, 4, &err),
			 0);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

/*
 * A row with too few or too many values names the line (counting blank
 * and comment lines) and both counts.
 */
START_TEST(test_error_count)
{
	expect_error(TEXT("0 0 1\n\n0 1\n"), 3,
		     "stdin:3: expected 3 values, got 2");
	expect_error(TEXT("0 0 1 1\n"), 3, "stdin:1: expected 3 values, got 4");
	expect_error(TEXT("# c\n0 1 0\n1 0 0 0 1\n"), 3,
		     "stdin:3: expected 3 values, got 5");
	expect_error(TEXT("0 0 0\r\n1\r\n"), 3,
		     "stdin:2: expected 3 values, got 1");
}
END_TEST

/*
 * A token strtod does not consume whole is "not a number", quoted, with
 * its column; unprintable bytes show as \xNN and a long token is cut at
 * 24 bytes with "...".
 */
START_TEST(test_error_not_a_number)
{
	expect_error(TEXT("0 x 1\n"), 3,
		     "stdin:1: value 2 ('x') is not a number");
	expect_error(TEXT("0 0 0\n1a 0 0\n"), 3,
		     "stdin:2: value 1 ('1a') is not a number");
	expect_error(TEXT("0,5 0 0\n"), 3,
		     "stdin:1: value 1 ('0,5') is not a number");
	expect_error(TEXT("0 0 \xff\xfe\n"), 3,
		     "stdin:1: value 3 ('\\xff\\xfe') is not a number");
	expect_error(TEXT("abcdefghijklmnopqrstuvwxyz0123 0 0\n"), 3,
		     "stdin:1: value 1 ('abcdefghijklmnopqrstuvwx...') "
		     "is not a number");
	expect_error(TEXT("0 0.5e 0\n"), 3,
		     "stdin:1: value 2 ('0.5e') is not a number");
}
END_TEST

/*
 * NaN, infinities and numbers that overflow double or float are "not
 * finite".
 */
START_TEST(test_error_not_finite)
{
	expect_error(TEXT("0 nan 0\n"), 3,
		     "stdin:1: value 2 ('nan') is not finite");
	expect_error(TEXT("0 0 -inf\n"), 3,
		     "stdin:1: value 3 ('-inf') is not finite");
	expect_error(TEXT("infinity 0 0\n"), 3,
		     "stdin:1: value 1 ('infinity') is not finite");
	expect_error(TEXT("1e999 0 0\n"), 3,
		     "stdin:1: value 1 ('1e999') is not finite");
	/* finite as a double, infinite as the float it is stored in */
	expect_error(TEXT("1e39 0 0\n"), 3,
		     "stdin:1: value 1 ('1e39') is not finite");
}
END_TEST

/* Values outside [0, 1] are refused, unquoted, with the range. */
START_TEST(test_error_range)
{
	expect_error(TEXT("0 0 2\n"), 3,
		     "stdin:1: value 3 (2) is outside [0, 1]");
	expect_error(TEXT(" -0.5 0 0\n"), 3,
		     "stdin:1: value 1 (-0.5) is outside [0, 1]");
	expect_error(TEXT("1 1 1\n1.0000001 0 0\n"), 3,
		     "stdin:2: value 1 (1.0000001) is outside [0, 1]");
}
END_TEST

/*
 * rbm_rows_set_range widens the accepted range (both ends inclusive) and
 * the message names the new one.
 */
START_TEST(test_set_range)
{
	static const float want[] = { -1, 3, 2.5f };
	struct rbm_err err = { "" };
	float rows[4 * 3];

	ck_assert_int_eq(read_text_range(TEXT("-1 3 2.5\n"), 3, -1, 3, rows, 4,
					 &err), 1);
	assert_floats(rows, want, 3);
	ck_assert_int_eq(read_text_range(TEXT("0 3.5 0\n"), 3, -1, 3, rows, 4,
					 &err), -1);
	ck_assert_str_eq(err.msg, "stdin:1: value 2 (3.5) is outside [-1, 3]");
	ck_assert_int_eq(read_text_range(TEXT("-1.5 0 0\n"), 3, -1, 3, rows, 4,
					 &err), -1);
	ck_assert_str_eq(err.msg,
			 "stdin:1: value 1 (-1.5) is outside [-1, 3]");
}
END_TEST

/* A NUL byte anywhere in a line is refused, even in a comment. */
START_TEST(test_error_nul)
{
	expect_error(TEXT("0 1\0 1\n"), 3, "stdin:1: line contains a NUL byte");
	expect_error(TEXT("0 0 0\n1 1 1\0\n"), 3,
		     "stdin:2: line contains a NUL byte");
	expect_error(TEXT("0 0 0\n# \0\n"), 3,
		     "stdin:2: line contains a NUL byte");
}
END_TEST

/*
 * A line longer than RBM_ROWS_MAX_LINE (64 MiB of '1' with no newline,
 * from a forked writer through a pipe) is refused with the line number
 * once the buffer reaches the limit, after the good first row was read.
 */
START_TEST(test_error_line_too_long)
{
	static const float want[] = { 0, 1, 0 };
	struct rbm_err err = { "" };
	struct rbm_rows *r;
	float row[3];
	int fd[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static char chunk[1 << 16];
		size_t left = RBM_ROWS_MAX_LINE + sizeof(chunk);

		close(fd[0]);
		signal(SIGPIPE, SIG_IGN);
		memset(chunk, '1', sizeof(chunk));
		if (write(fd[1], "0 1 0\n", 6) != 6)
			_exit(1);
		while (left > 0) {
			ssize_t k = write(fd[1], chunk, sizeof(chunk));
			if (k <= 0)
				break;
			left -= (size_t)k < left ? (size_t)k : left;
		}
		_exit(0);
	}
	close(fd[1]);
	r = rbm_rows_open_fd(fd[0], "stdin", 3, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rbm_rows_read(r, row, 1, &err), 1);
	assert_floats(row, want, 3);
	ck_assert_int_eq(rbm_rows_read(r, row, 1, &err), -1);
	ck_assert_str_eq(err.msg,
			 "stdin:2: line is longer than 67108863 bytes");
	rbm_rows_close(r);
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}
END_TEST

/*
 * Rows before a bad line are handed out first; the error comes on the
 * next call, and stays: the reader does not go on past the bad line.
 */
START_TEST(test_rows_before_error)
{
	static const float want[] = { 0, 0, 0, 1, 1, 1 };
	struct rbm_err err = { "" };
	int fd = pipe_holding(TEXT("0 0 0\n# c\n1 1 1\n0 1\n1 1 1\n"));
	struct rbm_rows *r = rbm_rows_open_fd(fd, "stdin", 3, &err);
	float rows[10 * 3];

	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), 2);
	assert_floats(rows, want, 6);
	err.msg[0] = '\0';
	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), -1);
	ck_assert_str_eq(err.msg, "stdin:4: expected 3 values, got 2");
	err.msg[0] = '\0';
	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), -1);
	ck_assert_str_eq(err.msg, "stdin:4: expected 3 values, got 2");
	rbm_rows_close(r);
	close(fd);
}
END_TEST

/*
 * With a row in hand the reader returns it rather than wait for the rest
 * of a line still being written, then continues where it stopped (the
 * write end stays open; a reader that blocked would hit the alarm).
 */
START_TEST(test_streaming)
{
	static const float want1[] = { 0, 1, 0 }, want2[] = { 1, 1, 0.5f };
	struct rbm_err err = { "" };
	struct rbm_rows *r;
	float rows[10 * 3];
	int fd[2];

	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(write(fd[1], "0 1 0\n1 1", 9), 9);
	r = rbm_rows_open_fd(fd[0], "stdin", 3, &err);
	alarm(10);
	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), 1);
	assert_floats(rows, want1, 3);
	ck_assert_uint_eq(rbm_rows_lineno(r), 1);
	ck_assert_int_eq(write(fd[1], " 0.5\n", 5), 5);
	close(fd[1]);
	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), 1);
	assert_floats(rows, want2, 3);
	ck_assert_int_eq(rbm_rows_read(r, rows, 10, &err), 0);
	alarm(0);
	ck_assert_uint_eq(rbm_rows_lineno(r), 2);
	ck_assert_str_eq(rbm_rows_name(r), "stdin");
	rbm_rows_close(r);
	close(fd[0]);
}
END_TEST

/* The value of row i, column j in the generated large inputs. */
static float big_value(size_t i, size_t j)
{
	if ((i * 7 + j * 3) % 11 == 0)
		return 0.5f;
	return (float)((i + j) % 2);
}

/*
 * A 3 MB file of 3000 rows of 500 values is read whole, in requests of
 * 64 rows, across many refills of the 1 MiB buffer (lines straddle its
 * end); the name in messages is the path.
 */
START_TEST(test_read_file_many_rows)
{
	const size_t n = 3000, width = 500;
	struct rbm_err err = { "" };
	char *path = unit_path("many.txt");
	float *rows = malloc(n * width * sizeof(*rows));
	FILE *f = fopen(path, "w");
	struct rbm_rows *r;
	size_t i, j, got = 0, bad = 0;
	ssize_t k;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++)
		for (j = 0; j < width; j++)
			fprintf(f, j + 1 < width ? "%g " : "%g\n",
				(double)big_value(i, j));
	ck_assert_int_eq(fclose(f), 0);
	r = rbm_rows_open_path(path, width, &err);
	ck_assert_msg(r != NULL, "%s", err.msg);
	ck_assert_str_eq(rbm_rows_name(r), path);
	while ((k = rbm_rows_read(r, rows + got * width,
				  n - got < 64 ? n - got : 64, &err)) > 0)
		got += (size_t)k;
	ck_assert_int_eq(k, 0);
	ck_assert_uint_eq(got, n);
	ck_assert_uint_eq(rbm_rows_lineno(r), n);
	for (i = 0; i < n; i++)
		for (j = 0; j < width; j++)
			bad += rows[i * width + j] != big_value(i, j);
	ck_assert_uint_eq(bad, 0);
	rbm_rows_close(r);
	free(rows);
	free(path);
}
END_TEST

/*
 * One 3 MB line (1.5 million values) is longer than the first buffer:
 * the reader grows it and reads the row exactly.
 */
START_TEST(test_read_long_line)
{
	const size_t width = 1500000;
	struct rbm_err err = { "" };
	char *path = unit_path("long.txt");
	char *text = malloc(2 * width);
	float *row = malloc(width * sizeof(*row));
	struct rbm_rows *r;
	size_t j, bad = 0;

	for (j = 0; j < width; j++) {
		text[2 * j] = (char)('0' + j % 3 % 2);
		text[2 * j + 1] = j + 1 < width ? ' ' : '\n';
	}
	unit_write_file(path, text, 2 * width);
	r = rbm_rows_open_path(path, width, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rbm_rows_read(r, row, 1, &err), 1);
	for (j = 0; j < width; j++)
		bad += row[j] != (float)(j % 3 % 2);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(rbm_rows_read(r, row, 1, &err), 0);
	rbm_rows_close(r);
	free(text);
	free(row);
	free(path);
}
END_TEST

/*
 * Opening a file that does not exist, and reading a directory, name the
 * path and the system's reason.
 */
START_TEST(test_open_errors)
{
	struct rbm_err err = { "" };
	char *path = unit_path("absent.txt"), *dir = unit_path("adir");
	struct rbm_rows *r;
	char want[4200];
	float row[3];

	ck_assert_ptr_null(rbm_rows_open_path(path, 3, &err));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	r = rbm_rows_open_path(dir, 3, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rbm_rows_read(r, row, 1, &err), -1);
	snprintf(want, sizeof(want), "%s: read error: Is a directory", dir);
	ck_assert_str_eq(err.msg, want);
	rbm_rows_close(r);
	free(path);
	free(dir);
}
END_TEST

/* Errors in a file name the path given at open. */
START_TEST(test_error_names_path)
{
	struct rbm_err err = { "" };
	char *path = unit_path("bad.txt");
	char want[4200];
	struct rbm_rows *r;
	float rows[4 * 2];

	unit_write_file(path, TEXT("0 1\n1 0\n1\n"));
	r = rbm_rows_open_path(path, 2, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rbm_rows_read(r, rows, 4, &err), 2);
	ck_assert_int_eq(rbm_rows_read(r, rows, 4, &err), -1);
	snprintf(want, sizeof(want), "%s:3: expected 2 values, got 1", path);
	ck_assert_str_eq(err.msg, want);
	rbm_rows_close(r);
	free(path);
}
END_TEST

/* Format one row with rbm_rows_write into a malloc'ed string. */
static char *write_row(const float *row, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	rbm_rows_write(f, row, n);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/*
 * Output tokens: below 0.001 is "0", above 0.999 is "1", the thresholds
 * themselves and everything between are %.6g; single spaces, one newline.
 */
START_TEST(test_write_format)
{
	static const float row[] = { 0.0005f, 0.9995f, 0.5f, 0, 1,
				     0.123456789f, 0.001f, 0.999f, 0.25f,
				     1e-7f, 0.0625f };
	static const float one[] = { 0.75f };
	char *s = write_row(row, sizeof(row) / sizeof(row[0]));

	ck_assert_str_eq(s, "0 1 0.5 0 1 0.123457 0.001 0.999 0.25 0 0.0625\n");
	free(s);
	s = write_row(one, 1);
	ck_assert_str_eq(s, "0.75\n");
	free(s);
}
END_TEST

/*
 * Rows of samples (every value below 0.001 or above 0.999, written in one
 * pass) come out as single-spaced 0 and 1, also across the writer's
 * chunks (600 values, and 256, one chunk exactly); one value between the
 * thresholds or a NaN anywhere, the last value included, makes the
 * whole row come out token by token, the same bytes as printf's.
 */
START_TEST(test_write_samples)
{
	enum { N = 600 };
	static const size_t widths[] = { 1, 255, 256, 257, N };
	float row[N];
	char want[N * 16], *s;
	size_t i, w, at, len;

	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		for (at = 0; at <= 2; at++) {
			size_t n = widths[w];
			for (i = 0; i < n; i++)
				row[i] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? 1.0f :
					 i % 2 ? 0.0009f : 0.9991f;
			if (at == 1)
				row[n - 1] = 0.5f;
			if (at == 2)
				row[n / 2] = NAN;
			for (i = len = 0; i < n; i++)
				len += (size_t)sprintf(want + len, "%s%s",
					i ? " " : "", row[i] != row[i] ? "nan" :
					row[i] == 0.5f ? "0.5" :
					row[i] > 0.999f ? "1" : "0");
			want[len++] = '\n';
			want[len] = '\0';
			s = write_row(row, n);
			ck_assert_str_eq(s, want);
			free(s);
		}
	}
}
END_TEST

/*
 * Between the thresholds the writer's own formatting equals printf's
 * "%.6g": on 200000 floats spread evenly over the bits of [0.001, 0.999]
 * and on the values that round up to a new power of ten or lie on a
 * rounding tie (0.0099999998, 0.0999999985, 2^-9 = 0.001953125); and a
 * long row (more than one internal buffer) comes out whole.
 */
START_TEST(test_write_matches_printf)
{
	enum { N = 200000, SPECIAL = 5 };
	static const float special[SPECIAL] = { 0.0099999998f, 0.0999999985f,
						0.001953125f, 0.00999999f,
						0.5000005f };
	float *row = malloc((N + SPECIAL) * sizeof(float));
	char *s, *want, *p;
	size_t i, len = 0;
	uint32_t lo, hi;
	float v;

	memcpy(&lo, &(float){ 0.001f }, sizeof(lo));
	memcpy(&hi, &(float){ 0.999f }, sizeof(hi));
	want = malloc((N + SPECIAL) * 16 + 1);
	for (i = 0; i < N + SPECIAL; i++) {
		uint32_t bits = lo + (uint32_t)((uint64_t)(hi - lo) * i / N);
		memcpy(&v, &bits, sizeof(v));
		row[i] = i < N ? v : special[i - N];
		len += (size_t)sprintf(want + len, "%s%.6g", i ? " " : "",
				       (double)row[i]);
	}
	want[len] = '\0';
	s = write_row(row, N + SPECIAL);
	p = strchr(s, '\n');
	ck_assert_ptr_nonnull(p);
	*p = '\0';
	ck_assert_uint_eq(strlen(s), len);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);
	free(row);
}
END_TEST

/*
 * rbm_rows_write_many (which formats in blocks on the pool's threads)
 * writes the bytes rbm_rows_write writes row by row: on 100 rows of 600
 * values (many blocks), rows of a wider matrix, with 0, 1, NaN and
 * values between; and on a batch small enough for one thread.
 */
START_TEST(test_write_many)
{
	enum { K = 100, N = 600, LD = 610 };
	float *m = malloc(K * LD * sizeof(float));
	char *a = NULL, *b = NULL;
	size_t i, r, la = 0, lb = 0, k;
	FILE *fa, *fb;

	for (i = 0; i < K * LD; i++)
		m[i] = i % 7 == 0 ? 0.0f : i % 7 == 1 ? 1.0f :
		       i % 997 == 5 ? NAN : (float)(i % 1000) / 1000.0f;
	for (k = 1; k <= K; k += K - 1) {
		fa = open_memstream(&a, &la);
		fb = open_memstream(&b, &lb);
		ck_assert_ptr_nonnull(fa);
		ck_assert_ptr_nonnull(fb);
		rbm_rows_write_many(fa, m, LD, k, N);
		for (r = 0; r < k; r++)
			rbm_rows_write(fb, m + r * LD, N);
		ck_assert_int_eq(fclose(fa), 0);
		ck_assert_int_eq(fclose(fb), 0);
		ck_assert_uint_eq(la, lb);
		ck_assert_int_eq(memcmp(a, b, la), 0);
		free(a);
		free(b);
	}
	free(m);
}
END_TEST

/* Format one row with rbm_rows_write_plain into a malloc'ed string. */
static char *write_plain(const float *row, size_t n, int digits)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	rbm_rows_write_plain(f, row, n, digits);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/*
 * Plain numbers (--precision) are printf's "%.*g" with the digits asked
 * for: nothing below 0.001 or above 0.999 becomes 0 or 1, small values
 * take an exponent, negative ones keep their sign; the widest values
 * (17 digits of the largest float and of the smallest denormal) come out
 * whole; and 9 digits read every float back exactly.
 */
START_TEST(test_write_plain_digits)
{
	static const float row[] = { 2.5e-5f, 0.0005f, 0.9995f, 0, 1,
				     0.123456789f, -3.5f, 1e-7f };
	static const float wide[] = { -3.4028234663852886e+38f, 1.4e-45f };
	char *s = write_plain(row, sizeof(row) / sizeof(row[0]), 3), *end;
	uint32_t bits;
	float v, back;
	size_t i;

	ck_assert_str_eq(s, "2.5e-05 0.0005 0.999 0 1 0.123 -3.5 1e-07\n");
	free(s);
	s = write_plain(row, sizeof(row) / sizeof(row[0]),
			RBM_ROWS_PLAIN_DIGITS);
	ck_assert_str_eq(s, "2.5e-05 0.0005 0.9995 0 1 0.123457 -3.5 1e-07\n");
	free(s);
	s = write_plain(wide, 2, RBM_ROWS_MAX_DIGITS);
	ck_assert_str_eq(s, "-3.4028234663852886e+38 "
			 "1.4012984643248171e-45\n");
	free(s);
	for (i = 0; i < 100000; i++) {	/* floats spread over (0, 1] */
		bits = (uint32_t)(0x3f800000ull * i / 100000) + 1;
		memcpy(&v, &bits, sizeof(v));
		s = write_plain(&v, 1, 9);
		back = strtof(s, &end);
		ck_assert_msg(back == v && strcmp(end, "\n") == 0,
			      "%.9g read back as %s", (double)v, s);
		free(s);
	}
}
END_TEST

/* ---- data ---- */

/* A data set of width w, or a failed test. */
static struct rbm_data *data_new(size_t w)
{
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(w, &err);

	ck_assert_msg(d != NULL, "%s", err.msg);
	return d;
}

/* Gather every row of d in order and compare with want (n x w). */
static void assert_data(const struct rbm_data *d, const float *want)
{
	gsl_matrix_float *out = gsl_matrix_float_alloc(d->n, d->width);
	size_t *idx = malloc(d->n * sizeof(*idx));
	size_t i;

	for (i = 0; i < d->n; i++)
		idx[i] = i;
	rbm_data_gather(d, idx, d->n, out);
	for (i = 0; i < d->n; i++)
		assert_floats(gsl_matrix_float_const_ptr(out, i, 0),
			      want + i * d->width, d->width);
	gsl_matrix_float_free(out);
	free(idx);
}

/*
 * Rows of only 0 and 1 stay in the compact byte form, and gather copies
 * rows in any order (repeats allowed) into the first columns of a wider
 * matrix, leaving the other columns alone.
 */
START_TEST(test_data_compact)
{
	static const float rows[3][4] = { { 0, 1, 1, 0 }, { 1, 1, 1, 1 },
					  { 0, 0, 0, 1 } };
	static const size_t idx[4] = { 2, 0, 1, 2 };
	struct rbm_err err = { "" };
	struct rbm_data *d = data_new(4);
	gsl_matrix_float *out = gsl_matrix_float_alloc(5, 6);
	size_t i, j;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(rbm_data_append(d, rows[i], &err), 0);
	ck_assert_uint_eq(d->n, 3);
	ck_assert_ptr_nonnull(d->bits);
	ck_assert_ptr_null(d->vals);
	gsl_matrix_float_set_all(out, -1);
	rbm_data_gather(d, idx, 4, out);
	for (i = 0; i < 5; i++)
		for (j = 0; j < 6; j++)
			ck_assert(gsl_matrix_float_get(out, i, j) ==
				  (i < 4 && j < 4 ? rows[idx[i]][j] : -1));
	gsl_matrix_float_free(out);
	rbm_data_free(d);
	rbm_data_free(NULL);
}
END_TEST

/*
 * The first non-binary value (after 100 binary rows, past the first
 * growth) switches the set to floats; the earlier rows, the new one and
 * later binary ones all read back exactly.
 */
START_TEST(test_data_switch_to_floats)
{
	const size_t n = 151, w = 4;
	struct rbm_err err = { "" };
	struct rbm_data *d = data_new(w);
	float *want = malloc(n * w * sizeof(*want));
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < w; j++)
			want[i * w + j] = (float)((i * 3 + j) % 2);
	want[100 * w + 0] = 0.25f;
	want[100 * w + 3] = 0.75f;
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(rbm_data_append(d, want + i * w, &err), 0);
		if (i < 100)
			ck_assert_ptr_null(d->vals);
	}
	ck_assert_uint_eq(d->n, n);
	ck_assert_ptr_null(d->bits);
	ck_assert_ptr_nonnull(d->vals);
	assert_data(d, want);
	free(want);
	rbm_data_free(d);
}
END_TEST

/*
 * The switch also keeps everything when it comes exactly when the
 * compact buffer is full (64 rows): growth and conversion at once.
 */
START_TEST(test_data_switch_at_capacity)
{
	const size_t n = 70, w = 3;
	struct rbm_err err = { "" };
	struct rbm_data *d = data_new(w);
	float want[70 * 3];
	size_t i;

	for (i = 0; i < n * w; i++)
		want[i] = (float)(i % 5 == 0);
	want[64 * w + 1] = 0.5f;
	for (i = 0; i < n; i++)
		ck_assert_int_eq(rbm_data_append(d, want + i * w, &err), 0);
	ck_assert_ptr_nonnull(d->vals);
	assert_data(d, want);
	rbm_data_free(d);
}
END_TEST

/*
 * rbm_data_read takes every row from a reader (more than one internal
 * chunk of 256) and passes the reader's message on failure.
 */
START_TEST(test_data_read)
{
	const size_t n = 300;
	struct rbm_err err = { "" };
	struct rbm_data *d = data_new(3);
	char *text = malloc(n * 8 + 16);
	float *want = malloc(n * 3 * sizeof(*want));
	size_t i, len = 0;
	struct rbm_rows *r;
	int fd;

	for (i = 0; i < n; i++) {
		want[3 * i] = (float)(i % 2);
		want[3 * i + 1] = (float)(i % 3 == 0);
		want[3 * i + 2] = i == 299 ? 0.5f : 1;
		len += (size_t)sprintf(text + len, "%g %g %g\n",
				       (double)want[3 * i],
				       (double)want[3 * i + 1],
				       (double)want[3 * i + 2]);
	}
	fd = pipe_holding(text, len);
	r = rbm_rows_open_fd(fd, "stdin", 3, &err);
	ck_assert_int_eq(rbm_data_read(d, r, &err), 0);
	ck_assert_uint_eq(d->n, n);
	assert_data(d, want);
	rbm_rows_close(r);
	close(fd);
	rbm_data_free(d);

	len += (size_t)sprintf(text + len, "1 1\n");
	d = data_new(3);
	fd = pipe_holding(text, len);
	r = rbm_rows_open_fd(fd, "stdin", 3, &err);
	ck_assert_int_eq(rbm_data_read(d, r, &err), -1);
	ck_assert_str_eq(err.msg, "stdin:301: expected 3 values, got 2");
	rbm_rows_close(r);
	close(fd);
	rbm_data_free(d);
	free(text);
	free(want);
}
END_TEST

/* ---- decimal.h: strtod's and strtof's values, sooner ---- */

/*
 * Check one token against the libc: if the fast path takes it, the double
 * must be strtod's and the float strtof's, bit for bit, and strtod must
 * read the token whole.  Returns whether the double path took it.
 */
static int check_decimal(const char *tok)
{
	size_t n = strlen(tok);
	double d, want;
	float f, wantf;
	char *end;
	int took = rbm_decimal_double(tok, n, &d);

	if (took) {
		want = strtod(tok, &end);
		ck_assert_msg(end == tok + n, "'%s': strtod stops early", tok);
		ck_assert_msg(memcmp(&d, &want, sizeof(d)) == 0,
			      "'%s': %a, strtod %a", tok, d, want);
	}
	if (rbm_decimal_float(tok, n, &f)) {
		ck_assert_msg(took, "'%s': float taken, double not", tok);
		wantf = strtof(tok, &end);
		ck_assert_msg(memcmp(&f, &wantf, sizeof(f)) == 0,
			      "'%s': %a, strtof %a", tok, (double)f,
			      (double)wantf);
	}
	return took;
}

/*
 * Tokens at the edges: signs, points without digits on one side,
 * exponents, negative zero, the largest exact integer and one more, the
 * last exact powers of ten, too many digits; all malformed tokens, hex,
 * inf and nan declined.  16777217 is halfway between two floats and
 * 16777217.000000001 rounds to it as a double, though strtof rounds it
 * up: both are declined for float, where rounding the double would be
 * wrong for the second.
 */
START_TEST(test_decimal_edges)
{
	static const char *const taken[] = {
		"0", "-0", "+0", "1", "0.5", ".5", "5.", "-.5", "+1", "1e5",
		"1E-5", "1e+5", "00012.500", "0.000", "-0.0e-7", "1e22",
		"1e-22", "9007199254740992", "0.00113445183", "-0.00683429558",
		"0.123456", "99999999999999e-22", "4.9e-3", "0e999",
		"123456789012345", "0.0000000000000000000000000000001e9",
	};
	static const char *const declined[] = {
		"", ".", "-", "+", "e5", ".e5", "1e", "1e+", "1e-", "0x1p3",
		"inf", "-inf", "nan", "1.5x", "1 ", " 1", "1..5", "--1",
		"1e23", "1e-23", "9007199254740993", "12345678901234567890",
		"1e123456", "1,5", "1.5e5.5", "+-1", "1e5x", "1234567890123456789",
	};
	float f;
	size_t i;

	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		ck_assert_msg(check_decimal(taken[i]), "'%s' declined",
			      taken[i]);
	for (i = 0; i < sizeof(declined) / sizeof(declined[0]); i++)
		ck_assert_msg(!check_decimal(declined[i]), "'%s' taken",
			      declined[i]);
	ck_assert(!rbm_decimal_float("16777217", 8, &f));
	ck_assert(!rbm_decimal_float("16777217.000000001", 18, &f));
	ck_assert(strtof("16777217.000000001", NULL) == 16777218.0f);
	ck_assert(rbm_decimal_float("16777218", 8, &f) && f == 16777218.0f);
}
END_TEST

/*
 * Random tokens of every shape the fast path takes and some it does not
 * (1 to 21 digits, the point anywhere or nowhere, exponents from -40 to
 * 40, signs), floats written with %.9g and %.6g (as state files and
 * probabilities are), and doubles with %.17g: every taken token reads as
 * the libc reads it, and the fast path takes most of the short ones.
 */
START_TEST(test_decimal_random)
{
	enum { N = 300000 };
	uint64_t x = 88172645463325252u;
	size_t i, taken = 0, short_ones = 0;
	char tok[64];

	for (i = 0; i < N; i++) {
		int nd, pt, k, len = 0;
		float v;
		double dv;
		x ^= x << 13;	/* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 4) {
		case 0:
		case 1:
			nd = 1 + (int)(x % 21);
			pt = (int)((x >> 8) % (uint64_t)(nd + 2)) - 1;
			if ((x >> 16) & 1)
				tok[len++] = (x >> 17) & 1 ? '-' : '+';
			for (k = 0; k < nd; k++) {
				if (k == pt)
					tok[len++] = '.';
				tok[len++] = (char)('0' + (x >> (20 + 2 * k))
						       % 10 * ((k + 1) % 3 != 0 ||
						       (x >> 60) & 1));
			}
			if ((x >> 62) & 1)
				len += sprintf(tok + len, "e%d",
					       (int)((x >> 40) % 81) - 40);
			tok[len] = '\0';
			short_ones += nd <= 15 && !((x >> 62) & 1);
			taken += (size_t)check_decimal(tok);
			break;
		case 2:
			memcpy(&v, &(uint32_t){ (uint32_t)(x >> 20) &
						0x3f7fffffu }, sizeof(v));
			sprintf(tok, (x & 1) ? "%.9g" : "%.6g", (double)v);
			ck_assert_msg(check_decimal(tok) || strchr(tok, 'e'),
				      "'%s' declined", tok);
			break;
		default:
			dv = (double)(x >> 11) / 9007199254740992.0 - 0.5;
			sprintf(tok, "%.17g", dv);
			check_decimal(tok);
			break;
		}
	}
	ck_assert_uint_gt(taken, short_ones / 2);
}
END_TEST

/* rbm_decimal_g9(x) and snprintf's "%.9g" agree byte for byte. */
static void check_g9(float x)
{
	char want[64], got[RBM_DECIMAL_G9_MAX + 1];
	size_t n;

	snprintf(want, sizeof(want), "%.9g", (double)x);
	memset(got, 'x', sizeof(got));
	n = rbm_decimal_g9(x, got);
	ck_assert_msg(n < RBM_DECIMAL_G9_MAX && n == strlen(want) &&
		      memcmp(got, want, n) == 0,
		      "%a: '%.*s', printf '%s'", (double)x, (int)n, got, want);
}

/*
 * The fast "%.9g": the edges of its notation (decimal exponents -5/-4 and
 * 8/9, where %g switches), the powers of ten and their neighbours (where
 * rounding carries into a new digit), zeros, subnormals, the largest
 * float, infinities and NaN, exact ties at the ninth digit (which glibc
 * rounds to even and the fast path hands back to it), then random bit
 * patterns of every exponent and random weights in [-1, 1].
 */
START_TEST(test_decimal_g9)
{
	static const float edges[] = {
		0.0f, 1.0f, 0.1f, 0.5f, 1e-4f, 9.99999e-5f, 1e-5f, 1e8f,
		99999999.0f, 999999999.0f, 1e9f, 1.5e9f, 16777216.0f,
		123456789.0f, 0.000122070312f, 6.103515625e-05f,
		0.03173828125f, 0.06298828125f, 0.1259765625f, 0.2509765625f,
		0.5009765625f, FLT_MIN, FLT_MAX, FLT_TRUE_MIN, 1e-45f,
		3.4e38f, -0.00113445183f, 2.0f / 3.0f,
	};
	uint64_t x = 2463534242u;
	size_t i;
	int e;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		check_g9(edges[i]);
		check_g9(-edges[i]);
		check_g9(nextafterf(edges[i], 0));
		check_g9(nextafterf(edges[i], INFINITY));
	}
	check_g9(INFINITY);
	check_g9(-INFINITY);
	check_g9(NAN);
	for (e = -45; e <= 38; e++) {
		float p, t;
		char tok[16];
		snprintf(tok, sizeof(tok), "1e%d", e);
		p = strtof(tok, NULL);
		check_g9(p);
		for (t = p, i = 0; i < 4; i++) {
			t = nextafterf(t, 0);
			check_g9(t);
		}
		for (t = p, i = 0; i < 4; i++) {
			t = nextafterf(t, INFINITY);
			check_g9(t);
		}
	}
	for (i = 0; i < 2000000; i++) {
		uint32_t b;
		float v;
		x ^= x << 13;	/* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		b = (uint32_t)(x >> 16);
		memcpy(&v, &b, sizeof(v));
		check_g9(v);
		check_g9((float)((double)(x >> 11) / 4503599627370496.0 - 1));
	}
}
END_TEST

/*
 * Lines of single-spaced 0 and 1 (read in one pass) give the values the
 * token-by-token reading gives the same rows laid out otherwise, with
 * trailing blanks and CRLF too; a line of that length with any other
 * byte takes the general path and its message.
 */
START_TEST(test_binary_lines)
{
	enum { W = 37, R = 40 };
	char *fast = malloc(R * (2 * W + 4) + 1);
	char *slow = malloc(R * (3 * W + 4) + 1);
	float a[(R + 1) * W], b[(R + 1) * W];
	struct rbm_err err = { "" };
	size_t i, j, lf = 0, ls = 0;
	uint64_t x = 12345;

	for (i = 0; i < R; i++) {
		for (j = 0; j < W; j++) {
			char c = (char)('0' + ((x >> (j % 60)) & 1));
			fast[lf++] = c;
			if (j + 1 < W)
				fast[lf++] = ' ';
			slow[ls++] = c;
			slow[ls++] = (j + i) % 5 ? ' ' : '\t';
		}
		x = x * 6364136223846793005u + 1442695040888963407u;
		if (i % 3 == 1)
			fast[lf++] = '\r';
		if (i % 7 == 2)
			fast[lf++] = ' ';
		fast[lf++] = '\n';
		slow[ls++] = '\n';
	}
	ck_assert_int_eq(read_text(fast, lf, W, a, R + 1, &err), R);
	ck_assert_int_eq(read_text(slow, ls, W, b, R + 1, &err), R);
	assert_floats(a, b, R * W);
	free(fast);
	free(slow);
	expect_error(TEXT("0 1 0 1 1\n0 1 2 1 0\n"), 5,
		     "stdin:2: value 3 (2) is outside [0, 1]");
	expect_error(TEXT("0 1 0 1 1\n0 1 0 x 0\n"), 5,
		     "stdin:2: value 4 ('x') is not a number");
	expect_error(TEXT("0 1 0 1 1\n0 1 0 1\0000\n"), 5,
		     "stdin:2: line contains a NUL byte");
	expect_error(TEXT("0 1 0 1 1\n0 1 0 110\n"), 5,
		     "stdin:2: value 4 (110) is outside [0, 1]");
	expect_error(TEXT("0 1 0 1 1\n0 1 0 1 1 1\n"), 5,
		     "stdin:2: expected 5 values, got 6");
}
END_TEST

Suite *rows_suite(void)
{
	Suite *s = suite_create("rows");
	TCase *in = tcase_create("read");
	TCase *out = tcase_create("write");
	TCase *data = tcase_create("data");

	tcase_add_unchecked_fixture(in, unit_tmpdir_setup,
				    unit_tmpdir_teardown);
	tcase_add_test(in, test_parse_layouts);
	tcase_add_test(in, test_last_line_without_newline);
	tcase_add_test(in, test_no_rows);
	tcase_add_test(in, test_error_count);
	tcase_add_test(in, test_error_not_a_number);
	tcase_add_test(in, test_error_not_finite);
	tcase_add_test(in, test_error_range);
	tcase_add_test(in, test_set_range);
	tcase_add_test(in, test_error_nul);
	tcase_add_test(in, test_error_line_too_long);
	tcase_add_test(in, test_rows_before_error);
	tcase_add_test(in, test_streaming);
	tcase_add_test(in, test_read_file_many_rows);
	tcase_add_test(in, test_read_long_line);
	tcase_add_test(in, test_open_errors);
	tcase_add_test(in, test_error_names_path);
	tcase_add_test(in, test_binary_lines);
	tcase_add_test(in, test_decimal_edges);
	tcase_add_test(in, test_decimal_random);
	tcase_add_test(in, test_decimal_g9);
	suite_add_tcase(s, in);

	tcase_add_test(out, test_write_format);
	tcase_add_test(out, test_write_samples);
	tcase_add_test(out, test_write_matches_printf);
	tcase_add_test(out, test_write_many);
	tcase_add_test(out, test_write_plain_digits);
	suite_add_tcase(s, out);

	tcase_add_test(data, test_data_compact);
	tcase_add_test(data, test_data_switch_to_floats);
	tcase_add_test(data, test_data_switch_at_capacity);
	tcase_add_test(data, test_data_read);
	suite_add_tcase(s, data);
	return s;
}
