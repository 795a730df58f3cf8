/*
 * params.c - the plain parameter file, the weight table and summary
 * figures (see params.h).
 *
 * Reading goes line by line through a small reader that bounds each
 * line by what it can legitimately hold (generous room per number), so a
 * stream without line ends cannot eat memory, and counts lines for the
 * messages.  Each line's numbers are counted before they are parsed, so
 * a short or long line is reported as such rather than by its first odd
 * token.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decimal.h"
#include "params.h"

#define LINE_SLACK 1024		/* bytes allowed in a line beyond ... */
#define BYTES_PER_NUMBER 64	/* ... this much per number it holds */
#define MAX_NAME 65536		/* longest name in a names file, bytes */
#define NUM_DECIMALS 8		/* decimals in the weight table */

/* The smallest magnitude that no longer rounds to a finite float. */
#define FLOAT_LIMIT 0x1.ffffffp+127

/* ---- writing the plain file ---- */

/* Row x[0..n) (every stride-th float) as "%.9g" numbers. */
static void put_floats(FILE *out, const float *x, size_t n, size_t stride)
{
	char buf[RBM_DECIMAL_G9_MAX + 1];
	size_t i, len;

	for (i = 0; i < n; i++) {
		buf[0] = ' ';
		len = rbm_decimal_g9(x[i * stride], buf + 1);
		fwrite(i ? buf : buf + 1, 1, i ? len + 1 : len, out);
	}
	fputc('\n', out);
}

void rbm_params_write(FILE *out, const struct rbm *m)
{
	size_t i;

	fprintf(out, "%zu %zu\n", m->nv, m->nh);
	put_floats(out, m->b->data, m->nv, m->b->stride);
	put_floats(out, m->c->data, m->nh, m->c->stride);
	for (i = 0; i < m->nv; i++)
		put_floats(out, gsl_matrix_float_const_ptr(m->w, i, 0), m->nh,
			   1);
}

/* ---- a line reader with line numbers ---- */

struct reader {
	FILE *in;
	const char *name;	/* for messages */
	unsigned long line;	/* number of the line last read */
	char *buf;		/* that line, NUL-terminated, no line end */
	size_t cap;		/* bytes allocated at buf */
};

/* Make r->buf hold at least need bytes; 0, or -1 with a message. */
static int reader_reserve(struct reader *r, size_t need, struct rbm_err *err)
{
	size_t cap = r->cap ? r->cap : 256;
	char *p;

	if (need <= r->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(r->buf, cap);
	if (!p) {
		rbm_err_set(err, "%s:%lu: out of memory", r->name, r->line);
		return -1;
	}
	r->buf = p;
	r->cap = cap;
	return 0;
}

/*
 * Read the next line, at most limit bytes, into r->buf without its line
 * end or a CR before it.  1, 0 at the end of input, or -1 with a message.
 */
static int reader_next(struct reader *r, size_t limit, struct rbm_err *err)
{
	size_t len = 0;
	int ch;

	r->line++;
	while ((ch = getc(r->in)) != EOF && ch != '\n') {
		if (ch == '\0') {
			rbm_err_set(err, "%s:%lu: line contains a NUL byte",
				    r->name, r->line);
			return -1;
		}
		if (len == limit) {
			rbm_err_set(err, "%s:%lu: line is longer than %zu "
				    "bytes", r->name, r->line, limit);
			return -1;
		}
		if (reader_reserve(r, len + 2, err) < 0)
			return -1;
		r->buf[len++] = (char)ch;
	}
	if (ferror(r->in)) {
		rbm_err_set(err, "%s: %s", r->name, strerror(errno));
		return -1;
	}
	if (ch == EOF && len == 0) {
		r->line--;
		return 0;
	}
	if (reader_reserve(r, len + 1, err) < 0)
		return -1;
	if (len > 0 && r->buf[len - 1] == '\r')
		len--;
	r->buf[len] = '\0';
	return 1;
}

/* The byte limit of a line that holds n numbers. */
static size_t line_limit(size_t n)
{
	return LINE_SLACK + n * BYTES_PER_NUMBER;
}

/* ---- parsing numbers ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The next blank-separated token at or after *s: its start, with its
 * length in *n and *s moved past it; NULL at the end of the string.
 */
static const char *next_token(const char **s, size_t *n)
{
	const char *p = *s, *t;

	while (is_blank(*p))
		p++;
	for (t = p; *t && !is_blank(*t); t++)
		;
	*s = t;
	*n = (size_t)(t - p);
	return *n ? p : NULL;
}

/* The number of blank-separated tokens in s. */
static size_t count_tokens(const char *s)
{
	size_t n = 0, len;

	while (next_token(&s, &len))
		n++;
	return n;
}

/* A token for a message: at most 24 bytes, non-printing ones escaped. */
static void quote(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < size; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (i == 24) {
			snprintf(out + o, size - o, "...");
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
	}
	out[o] = '\0';
}

/*
 * The token at s (n bytes) as a finite float in *x: 0, or -1 with a
 * message saying why not (col is its 1-based place on the line).
 */
static int parse_float(const struct reader *r, const char *s, size_t n,
		       size_t col, float *x, struct rbm_err *err)
{
	const char *why = NULL;
	char q[128], *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (end != s + n)
		why = "is not a number";
	else if (isnan(d) || (isinf(d) && errno != ERANGE))
		why = "is not finite";
	else if (!(fabs(d) < FLOAT_LIMIT))
		why = "does not fit a float";
	if (why) {
		quote(s, n, q, sizeof(q));
		rbm_err_set(err, "%s:%lu: value %zu ('%s') %s", r->name,
			    r->line, col, q, why);
		return -1;
	}
	*x = (float)d;
	return 0;
}

/*
 * The current line as exactly n numbers into x[i * stride]; 0, or -1
 * with a message.
 */
static int parse_floats(const struct reader *r, float *x, size_t n,
			size_t stride, struct rbm_err *err)
{
	const char *s = r->buf, *t;
	size_t got = count_tokens(s), i, len;

	if (got != n) {
		rbm_err_set(err, "%s:%lu: expected %zu number%s, got %zu",
			    r->name, r->line, n, n == 1 ? "" : "s", got);
		return -1;
	}
	for (i = 0; (t = next_token(&s, &len)); i++)
		if (parse_float(r, t, len, i + 1, x + i * stride, err) < 0)
			return -1;
	return 0;
}

/*
 * A token of digits only as a size: 0, -1 if it is not one, -2 if it
 * does not fit (rbm_check_size judges the ones that do).
 */
static int parse_size(const char *s, size_t n, size_t *out)
{
	unsigned long long v;
	char *end;

	if (n == 0 || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end != s + n)
		return -1;
	if (errno == ERANGE || v > (size_t)-1)
		return -2;
	*out = (size_t)v;
	return 0;
}

/* ---- reading the plain file ---- */

/* Line 1, "NV NH", checked as a model's size; 0, or -1 with a message. */
static int read_sizes(struct reader *r, size_t *nv, size_t *nh,
		      struct rbm_err *err)
{
	size_t *out[2] = { nv, nh }, i, n;
	const char *s, *t;
	char q[128];
	int rc = reader_next(r, line_limit(2), err);

	if (rc <= 0) {
		if (rc == 0)
			rbm_err_set(err, "%s: empty; expected a plain "
				    "parameter file", r->name);
		return -1;
	}
	if ((n = count_tokens(r->buf)) != 2) {
		rbm_err_set(err, "%s:1: expected 2 numbers (NV NH), got %zu",
			    r->name, n);
		return -1;
	}
	for (s = r->buf, i = 0; (t = next_token(&s, &n)); i++)
		if ((rc = parse_size(t, n, out[i])) < 0) {
			quote(t, n, q, sizeof(q));
			rbm_err_set(err, "%s:1: value %zu ('%s') is %s",
				    r->name, i + 1, q, rc == -1 ?
				    "not a whole number" : "too large");
			return -1;
		}
	if (rbm_check_size(*nv, *nh, err) < 0) {
		rbm_err_prefix(err, "%s:1", r->name);
		return -1;
	}
	return 0;
}

/*
 * The next line as n numbers into x[i * stride]; a missing line is an
 * error naming the lines a model of m's size needs.
 */
static int read_floats(struct reader *r, const struct rbm *m, float *x,
		       size_t n, size_t stride, struct rbm_err *err)
{
	int rc = reader_next(r, line_limit(n), err);

	if (rc == 0)
		rbm_err_set(err, "%s:%lu: missing line (a %zu x %zu model "
			    "needs %zu lines)", r->name, r->line + 1, m->nv,
			    m->nh, m->nv + 3);
	return rc <= 0 ? -1 : parse_floats(r, x, n, stride, err);
}

/* Biases, weights and nothing but blank lines after them. */
static int read_body(struct reader *r, struct rbm *m, struct rbm_err *err)
{
	size_t i;
	int rc;

	if (read_floats(r, m, m->b->data, m->nv, m->b->stride, err) < 0 ||
	    read_floats(r, m, m->c->data, m->nh, m->c->stride, err) < 0)
		return -1;
	for (i = 0; i < m->nv; i++)
		if (read_floats(r, m, gsl_matrix_float_ptr(m->w, i, 0), m->nh,
				1, err) < 0)
			return -1;
	while ((rc = reader_next(r, line_limit(m->nh), err)) > 0)
		if (count_tokens(r->buf) > 0) {
			rbm_err_set(err, "%s:%lu: more lines than a %zu x %zu "
				    "model has (%zu)", r->name, r->line,
				    m->nv, m->nh, m->nv + 3);
			return -1;
		}
	return rc;
}

/*
 * Whether a regular file in can hold the nv x nh model line 1 declares
 * (at least two bytes a number: a digit and a space or line end), so that
 * a tiny file cannot make import allocate gigabytes first; a pipe cannot
 * tell, and gets the allocation.  Small models are left to the reader,
 * whose messages name the line that is short.  0, or -1 with a message.
 */
#define ROOM_CHECKED 1e6	/* bytes: below this, allocating is cheap */
static int check_room(struct reader *r, size_t nv, size_t nh,
		      struct rbm_err *err)
{
	struct stat st;
	double need = 2.0 * ((double)nv * (double)nh + (double)nv +
			     (double)nh);

	if (need < ROOM_CHECKED || fstat(fileno(r->in), &st) < 0 ||
	    !S_ISREG(st.st_mode) || (double)st.st_size >= need)
		return 0;
	rbm_err_set(err, "%s:1: a %zu x %zu model needs at least %.0f bytes, "
		    "but the file has %lld", r->name, nv, nh, need,
		    (long long)st.st_size);
	return -1;
}

struct rbm *rbm_params_read(FILE *in, const char *name, struct rbm_err *err)
{
	struct reader r = { in, name, 0, NULL, 0 };
	struct rbm *m = NULL;
	size_t nv, nh;

	if (read_sizes(&r, &nv, &nh, err) == 0 &&
	    check_room(&r, nv, nh, err) == 0 &&
	    (m = rbm_alloc(nv, nh, err)) && read_body(&r, m, err) < 0) {
		rbm_free(m);
		m = NULL;
	}
	free(r.buf);
	return m;
}

/* ---- names ---- */

void rbm_params_free_names(struct rbm_names *names)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < names->n && names->name; i++)
		free(names->name[i]);
	free(names->name);
	free(names);
}

/* Whether s holds an ASCII control character (DEL included). */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Read names from r into names (up to want of them; the rest are only
 * counted, for the message) and return how many lines there were, or -1
 * with a message.
 */
static long read_name_lines(struct reader *r, struct rbm_names *names,
			    size_t want, struct rbm_err *err)
{
	size_t count = 0;
	int rc;

	while ((rc = reader_next(r, MAX_NAME, err)) > 0) {
		if (!r->buf[0]) {
			rbm_err_set(err, "%s:%lu: empty name", r->name,
				    r->line);
			return -1;
		}
		/* recommend --top separates the names it prints by tabs */
		if (strchr(r->buf, '\t')) {
			rbm_err_set(err, "%s:%lu: a name may not hold a tab",
				    r->name, r->line);
			return -1;
		}
		/* and writes them raw: no escape sequence reaches a
		 * terminal from a names file */
		if (has_control(r->buf)) {
			rbm_err_set(err, "%s:%lu: a name may not hold a "
				    "control character", r->name, r->line);
			return -1;
		}
		if (count < want) {
			names->name[count] = strdup(r->buf);
			if (!names->name[count]) {
				rbm_err_set(err, "%s: out of memory", r->name);
				return -1;
			}
			names->n = count + 1;
		}
		count++;
	}
	return rc < 0 ? -1 : (long)count;
}

struct rbm_names *rbm_params_read_names(const char *path, size_t n,
					struct rbm_err *err)
{
	struct reader r = { NULL, path, 0, NULL, 0 };
	struct rbm_names *names = calloc(1, sizeof(*names));
	long got = -1;

	if (!names || !(names->name = calloc(n ? n : 1, sizeof(char *)))) {
		rbm_err_set(err, "%s: out of memory", path);
	} else if (!(r.in = fopen(path, "r"))) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
	} else {
		got = read_name_lines(&r, names, n, err);
		fclose(r.in);
	}
	free(r.buf);
	if (got >= 0 && (size_t)got != n) {
		rbm_err_set(err, "%s: %ld name%s for %zu visible unit%s",
			    path, got, got == 1 ? "" : "s", n,
			    n == 1 ? "" : "s");
		got = -1;
	}
	if (got < 0) {
		rbm_params_free_names(names);
		return NULL;
	}
	return names;
}

/* ---- the weight table ---- */

/* Characters (not bytes) of a UTF-8 string, for aligning columns. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Write s and pad it with spaces to width characters. */
static void put_padded(FILE *out, const char *s, size_t width)
{
	size_t w = text_width(s);

	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

/* Width of a number as the table prints it. */
static size_t num_width(float x)
{
	return (size_t)snprintf(NULL, 0, "%.*f", NUM_DECIMALS, (double)x);
}

/*
 * Column k of the table (0: the bias unit, j + 1: hidden unit j) holds
 * this value in row i (0: the bias unit row, i + 1: visible unit i).
 */
static float cell(const struct rbm *m, size_t i, size_t k)
{
	if (i == 0)
		return k == 0 ? 0.0f : gsl_vector_float_get(m->c, k - 1);
	if (k == 0)
		return gsl_vector_float_get(m->b, i - 1);
	return gsl_matrix_float_get(m->w, i - 1, k - 1);
}

/* The label of column k into buf. */
static const char *label(size_t k, char *buf, size_t size)
{
	if (k == 0)
		return "bias unit";
	snprintf(buf, size, "hidden %zu", k);
	return buf;
}

/* The name of table row i (0: the bias unit) into buf. */
static const char *row_name(const char *const *names, size_t i, char *buf,
			    size_t size)
{
	if (i == 0)
		return "bias unit";
	if (names)
		return names[i - 1];
	snprintf(buf, size, "visible %zu", i);
	return buf;
}

/*
 * Widths: w[0] of the name column, w[1 + k] of column k (its widest
 * number, or its label after a space for the sign), num[k] of column k's
 * widest number.
 */
static void table_widths(const struct rbm *m, const char *const *names,
			 size_t *w, size_t *num)
{
	char buf[64];
	size_t i, k, t;

	w[0] = 0;
	for (i = 0; i <= m->nv; i++)
		if ((t = text_width(row_name(names, i, buf, sizeof(buf)))) >
		    w[0])
			w[0] = t;
	for (k = 0; k <= m->nh; k++) {
		num[k] = 0;
		for (i = 0; i <= m->nv; i++)
			if ((t = num_width(cell(m, i, k))) > num[k])
				num[k] = t;
		t = 1 + strlen(label(k, buf, sizeof(buf)));
		w[1 + k] = t > num[k] ? t : num[k];
	}
}

/*
 * The gap before column k: 4 spaces after the names, 5 between numbers,
 * which gives the original's 16-character columns for its weights.
 */
static const char *gap(size_t k)
{
	return k == 0 ? "    " : "     ";
}

/* The header row: column labels, left-aligned after a sign's space. */
static void table_header(FILE *out, const struct rbm *m, const size_t *w)
{
	char buf[64];
	size_t k;

	put_padded(out, "", w[0]);
	for (k = 0; k <= m->nh; k++) {
		fprintf(out, "%s ", gap(k));
		if (k == m->nh)
			fputs(label(k, buf, sizeof(buf)), out);
		else
			put_padded(out, label(k, buf, sizeof(buf)),
				   w[1 + k] - 1);
	}
	fputc('\n', out);
}

/* Table row i: its name, then numbers right-aligned in their columns. */
static void table_row(FILE *out, const struct rbm *m,
		      const char *const *names, size_t i, const size_t *w,
		      const size_t *num)
{
	char buf[64];
	size_t k;

	put_padded(out, row_name(names, i, buf, sizeof(buf)), w[0]);
	for (k = 0; k <= m->nh; k++) {
		fprintf(out, "%s%*.*f", gap(k), (int)num[k], NUM_DECIMALS,
			(double)cell(m, i, k));
		if (k < m->nh)
			put_padded(out, "", w[1 + k] - num[k]);
	}
	fputc('\n', out);
}

int rbm_params_write_table(FILE *out, const struct rbm *m,
			   const char *const *names, struct rbm_err *err)
{
	size_t *w = calloc(m->nh + 2, sizeof(*w));
	size_t *num = calloc(m->nh + 1, sizeof(*num));
	size_t i;

	if (!w || !num) {
		free(w);
		free(num);
		rbm_err_set(err, "out of memory");
		return -1;
	}
	table_widths(m, names, w, num);
	table_header(out, m, w);
	for (i = 0; i <= m->nv; i++)
		table_row(out, m, names, i, w, num);
	free(w);
	free(num);
	return 0;
}

/* ---- summary ---- */

/* Smallest and largest of a vector's n values. */
static void range(const gsl_vector_float *v, float *lo, float *hi)
{
	size_t i;

	*lo = *hi = gsl_vector_float_get(v, 0);
	for (i = 1; i < v->size; i++) {
		float x = gsl_vector_float_get(v, i);
		if (x < *lo)
			*lo = x;
		if (x > *hi)
			*hi = x;
	}
}

void rbm_params_summarize(const struct rbm *m,
			  struct rbm_params_summary *sum)
{
	double abs_sum = 0;
	size_t i, j;

	sum->w_min = sum->w_max = gsl_matrix_float_get(m->w, 0, 0);
	for (i = 0; i < m->nv; i++) {
		const float *row = gsl_matrix_float_const_ptr(m->w, i, 0);
		for (j = 0; j < m->nh; j++) {
			if (row[j] < sum->w_min)
				sum->w_min = row[j];
			if (row[j] > sum->w_max)
				sum->w_max = row[j];
			abs_sum += fabs((double)row[j]);
		}
	}
	sum->w_mean_abs = abs_sum / ((double)m->nv * (double)m->nh);
	range(m->b, &sum->b_min, &sum->b_max);
	range(m->c, &sum->c_min, &sum->c_max);
}
