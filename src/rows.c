/*
 * rows.c - reading and writing text rows (see rows.h).
 *
 * The reader keeps one buffer that holds whole lines: it finds the next
 * newline with memchr, grows the buffer only for a longer line than it has
 * seen (up to RBM_ROWS_MAX_LINE), and parses tokens in place.  A line of
 * single-spaced "0" and "1" tokens, the layout of almost all binary data,
 * is read in one pass without tokenizing; other "0" and "1" tokens and
 * short decimals (decimal.h) skip strtod, with the same values.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decimal.h"
#include "pool.h"
#include "rows.h"

/* The fuzzing build shrinks it to reach the sliding and growing paths. */
#ifndef RBM_ROWS_INITIAL_BUF
#define RBM_ROWS_INITIAL_BUF (1UL << 20)
#endif

struct rbm_rows {
	int fd;			/* descriptor read from */
	int own_fd;		/* close fd in rbm_rows_close */
	char *name;		/* source name for messages */
	size_t width;		/* values per row */
	double lo, hi;		/* allowed range of values */
	unsigned long ratings;	/* K: whole numbers 1..K only; 0 off */
	const char *missing;	/* token of a missing value */
	size_t missing_len;	/* its length */
	int allow_missing;	/* missing values read as NaN */
	unsigned long first_missing;	/* line of the first, or 0 */
	unsigned long lineno;	/* last line handed out, 1-based */
	char *buf;		/* cap + 1 bytes, room for a final NUL */
	size_t cap;		/* bytes of buf usable for data */
	size_t pos, end;	/* unread data is buf[pos, end) */
	size_t scanned;		/* buf[pos, scanned) has no newline */
	int eof;		/* read(2) returned 0, or the span ended */
	int cut;		/* the last line handed out ended the input
				 * without a newline */
	size_t base;		/* bytes read before buf[0] */
	size_t span;		/* lines starting at or past this byte
				 * (from where reading began) are not read */
	int failed;		/* an error waits for the next call */
	struct rbm_err error;	/* that error */
};

struct rbm_rows *rbm_rows_open_fd(int fd, const char *name, size_t width,
				  struct rbm_err *err)
{
	struct rbm_rows *r = calloc(1, sizeof(*r));

	if (!r || !(r->name = strdup(name)) ||
	    !(r->buf = malloc(RBM_ROWS_INITIAL_BUF + 1))) {
		rbm_rows_close(r);
		rbm_err_set(err, "out of memory");
		return NULL;
	}
	r->fd = fd;
	r->width = width;
	r->lo = 0;
	r->hi = 1;
	r->missing = RBM_ROWS_MISSING_DEFAULT;
	r->missing_len = strlen(r->missing);
	r->cap = RBM_ROWS_INITIAL_BUF;
	r->span = (size_t)-1;
	return r;
}

struct rbm_rows *rbm_rows_open_path(const char *path, size_t width,
				    struct rbm_err *err)
{
	struct rbm_rows *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	r = rbm_rows_open_fd(fd, path, width, err);
	if (!r) {
		close(fd);
		return NULL;
	}
	r->own_fd = 1;
	return r;
}

void rbm_rows_close(struct rbm_rows *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r);
}

void rbm_rows_set_range(struct rbm_rows *r, double lo, double hi)
{
	r->lo = lo;
	r->hi = hi;
}

void rbm_rows_set_missing(struct rbm_rows *r, const char *token, int allow)
{
	if (token) {
		r->missing = token;
		r->missing_len = strlen(token);
	}
	r->allow_missing = allow;
}

void rbm_rows_set_span(struct rbm_rows *r, unsigned long lines,
		       size_t span)
{
	r->lineno = lines;
	r->span = span;
}

void rbm_rows_set_ratings(struct rbm_rows *r, unsigned long k)
{
	r->ratings = k;
}

unsigned long rbm_rows_first_missing(const struct rbm_rows *r)
{
	return r->first_missing;
}

unsigned long rbm_rows_lineno(const struct rbm_rows *r)
{
	return r->lineno;
}

const char *rbm_rows_name(const struct rbm_rows *r)
{
	return r->name;
}

/* Make room after the unread data: slide it to the front, or grow. */
static int make_room(struct rbm_rows *r, struct rbm_err *err)
{
	size_t n = r->end - r->pos;
	char *nb;

	if (r->pos > 0) {
		r->base += r->pos;
		memmove(r->buf, r->buf + r->pos, n);
		r->scanned -= r->pos;
		r->pos = 0;
		r->end = n;
		return 0;
	}
	if (r->cap >= RBM_ROWS_MAX_LINE) {
		rbm_err_set(err, "%s:%lu: line is longer than %lu bytes",
			    r->name, r->lineno + 1, RBM_ROWS_MAX_LINE - 1);
		return -1;
	}
	nb = realloc(r->buf, 2 * r->cap + 1);
	if (!nb) {
		rbm_err_set(err, "%s:%lu: out of memory for a long line",
			    r->name, r->lineno + 1);
		return -1;
	}
	r->buf = nb;
	r->cap *= 2;
	return 0;
}

/* Read more bytes after the unread data; sets eof at the end of input. */
static int fill(struct rbm_rows *r, struct rbm_err *err)
{
	ssize_t k;

	if (r->end == r->cap && make_room(r, err) < 0)
		return -1;
	do
		k = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		rbm_err_set(err, "%s: read error: %s", r->name,
			    strerror(errno));
		return -1;
	}
	if (k == 0)
		r->eof = 1;
	r->end += (size_t)k;
	return 0;
}

/*
 * The next line, NUL-terminated in place, without its newline: 1, or 0 at
 * end of input, or -1 with a message.
 */
static int next_line(struct rbm_rows *r, char **line, size_t *len,
		     struct rbm_err *err)
{
	if (r->base + r->pos >= r->span) {	/* the next part's line */
		r->pos = r->scanned = r->end;
		r->eof = 1;
		return 0;
	}
	for (;;) {
		char *nl = memchr(r->buf + r->scanned, '\n',
				  r->end - r->scanned);
		if (nl || (r->eof && r->pos < r->end)) {
			char *stop = nl ? nl : r->buf + r->end;
			*line = r->buf + r->pos;
			*len = (size_t)(stop - *line);
			*stop = '\0';
			r->pos = r->scanned = (size_t)(stop - r->buf) +
					      (nl ? 1 : 0);
			r->cut = !nl;
			r->lineno++;
			return 1;
		}
		if (r->eof)
			return 0;
		r->scanned = r->end;
		if (fill(r, err) < 0)
			return -1;
	}
}

/* Whether a whole line is buffered, so next_line will not block. */
static int line_buffered(struct rbm_rows *r)
{
	if (memchr(r->buf + r->scanned, '\n', r->end - r->scanned))
		return 1;
	r->scanned = r->end;
	return r->eof && r->pos < r->end;
}

/* A token quoted for a message: at most 24 bytes, unprintables as \xNN. */
static void quote_token(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 24) {
			o += (size_t)snprintf(out + o, outlen - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Whether the tokens "0" and "1" read as the values 0 and 1: not for
 * ratings, not when one is the missing token (which wins), and only if
 * the range holds both.
 */
static int binary_ok(const struct rbm_rows *r)
{
	return !r->ratings && r->lo <= 0 && r->hi >= 1 &&
	       !(r->missing_len == 1 &&
		 (r->missing[0] == '0' || r->missing[0] == '1'));
}

/*
 * A missing value into *v: NaN, or -1 with a message if not allowed.
 * This and check_rating stay out of line so that parse_value, called for
 * every token, stays small: inlined, they cost binary input about 15%
 * (free_energy of 20000 rows of 784 values: 0.22 s of CPU against 0.19).
 */
static __attribute__((noinline)) int parse_missing(struct rbm_rows *r, float *v, struct rbm_err *err)
{
	char q[128];

	if (!r->allow_missing) {
		quote_token(r->missing, r->missing_len, q, sizeof(q));
		rbm_err_set(err, "%s:%lu: missing value '%s' not allowed here",
			    r->name, r->lineno, q);
		return -1;
	}
	if (!r->first_missing)
		r->first_missing = r->lineno;
	*v = NAN;
	return 0;
}

/* The finite d, token s[0, n), as a rating 1..K into *v; 0 or -1. */
static __attribute__((noinline)) int check_rating(const struct rbm_rows *r, const char *s, size_t n,
			double d, float *v, struct rbm_err *err)
{
	char q[128];

	quote_token(s, n, q, sizeof(q));
	if (d != floor(d)) {
		rbm_err_set(err, "%s:%lu: rating %s is not a whole number",
			    r->name, r->lineno, q);
		return -1;
	}
	if (d < 1 || d > (double)r->ratings) {
		rbm_err_set(err, "%s:%lu: rating %s outside 1..%lu", r->name,
			    r->lineno, q, r->ratings);
		return -1;
	}
	*v = (float)d;
	return 0;
}

/*
 * The token s[0, n) as a finite double by strtod into *d; 0, or -1 with
 * a message.  Out of line: the common tokens never get here.
 */
static __attribute__((noinline)) int parse_strtod(const struct rbm_rows *r,
		const char *s, size_t n, size_t col, double *d,
		struct rbm_err *err)
{
	char q[128];
	char *end;

	errno = 0;
	*d = strtod(s, &end);
	if (end != s + n) {
		quote_token(s, n, q, sizeof(q));
		rbm_err_set(err, "%s:%lu: value %zu ('%s') is not a number",
			    r->name, r->lineno, col, q);
		return -1;
	}
	if (!isfinite(*d) || !isfinite((float)*d)) {
		quote_token(s, n, q, sizeof(q));
		rbm_err_set(err, "%s:%lu: value %zu ('%s') is not finite",
			    r->name, r->lineno, col, q);
		return -1;
	}
	return 0;
}

/*
 * Parse the token s[0, n) into *v; 0, or -1 with a message.  Short
 * decimals take decimal.h's path, which gives strtod's double (always
 * finite); the value is that double rounded to float.
 */
static int parse_value(struct rbm_rows *r, const char *s, size_t n,
		       size_t col, float *v, struct rbm_err *err)
{
	char q[128];
	double d;

	if (n == 1 && (s[0] == '0' || s[0] == '1') && binary_ok(r)) {
		*v = (float)(s[0] - '0');
		return 0;
	}
	if (n == r->missing_len && memcmp(s, r->missing, n) == 0)
		return parse_missing(r, v, err);
	if (!rbm_decimal_double(s, n, &d) &&
	    parse_strtod(r, s, n, col, &d, err) < 0)
		return -1;
	if (r->ratings)
		return check_rating(r, s, n, d, v, err);
	if (d < r->lo || d > r->hi) {
		quote_token(s, n, q, sizeof(q));
		rbm_err_set(err, "%s:%lu: value %zu (%s) is outside [%g, %g]",
			    r->name, r->lineno, col, q, r->lo, r->hi);
		return -1;
	}
	*v = (float)d;
	return 0;
}

/*
 * The layout of almost every binary data file, and of what rbmcmd writes:
 * width tokens "0" or "1" separated by single spaces (trailing blanks
 * allowed).  Such a line goes into row in one branch-free pass, and
 * whether it was one: 1, or 0 (row then holds junk) for the general
 * path.  Only for readers where "0" and "1" read as themselves
 * (binary_ok).
 */
static int parse_binary_line(const char *s, size_t len, float *row,
			     size_t width)
{
	size_t j;
	unsigned bad = 0;

	while (len > 0 && is_blank(s[len - 1]))
		len--;
	if (width == 0 || len != 2 * width - 1)
		return 0;
#pragma omp simd reduction(|:bad)
	for (j = 0; j < width; j++) {
		unsigned c = (unsigned char)s[2 * j] - (unsigned)'0';
		bad |= c > 1;
		row[j] = (float)(int)c;
	}
#pragma omp simd reduction(|:bad)
	for (j = 0; j < width - 1; j++)
		bad |= s[2 * j + 1] != ' ';
	return !bad;
}

/*
 * Parse one line into row: 1 for a row, 0 for a blank or comment line,
 * -1 with a message.
 */
static int parse_line(struct rbm_rows *r, char *s, size_t len,
		      float *row, struct rbm_err *err)
{
	char *p = s, *end = s + len;
	size_t count = 0;

	if (binary_ok(r) && parse_binary_line(s, len, row, r->width))
		return 1;
	if (memchr(s, '\0', len)) {
		rbm_err_set(err, "%s:%lu: line contains a NUL byte",
			    r->name, r->lineno);
		return -1;
	}
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	while (p < end) {
		char *tok = p;
		while (p < end && !is_blank(*p))
			p++;
		*p = '\0';	/* the end of a token, or already the line end */
		if (count < r->width &&
		    parse_value(r, tok, (size_t)(p - tok), count + 1,
				&row[count], err) < 0)
			return -1;
		count++;
		p++;
		while (p < end && is_blank(*p))
			p++;
	}
	if (count != r->width) {
		/* An input cut off in a row (mpirun closes rank 0's stdin
		 * mid-line when it is told to stop; a writer dies) looks
		 * like a short row: say that the input ended there. */
		rbm_err_set(err, "%s:%lu: expected %zu values, got %zu%s",
			    r->name, r->lineno, r->width, count,
			    r->cut && count < r->width ?
			    ", and the input ends in this line without a "
			    "newline: was it cut off?" : "");
		return -1;
	}
	return 1;
}

ssize_t rbm_rows_read(struct rbm_rows *r, float *dst, size_t max,
		      struct rbm_err *err)
{
	size_t got = 0;
	int k = 0;

	if (r->failed) {
		*err = r->error;
		return -1;
	}
	while (got < max && (got == 0 || line_buffered(r))) {
		char *line;
		size_t len;

		k = next_line(r, &line, &len, err);
		if (k > 0)
			k = parse_line(r, line, len, dst + got * r->width, err);
		if (k < 0 || (k == 0 && r->pos == r->end && r->eof))
			break;
		got += (size_t)k;
	}
	if (k < 0) {
		/* Hand out the good rows first; the error comes next call. */
		r->failed = 1;
		r->error = *err;
		return got ? (ssize_t)got : -1;
	}
	return (ssize_t)got;
}

/*
 * v in [0.001, 0.999] as printf's "%.6g" writes it, into buf (at least
 * 12 bytes); returns the length.  Its decimal exponent is -1, -2 or -3,
 * so "%.6g" means fixed notation with six significant digits, trailing
 * zeros dropped.  v * 10^(5 - exponent) is exact in double (24 + 19
 * bits), so rint, rounding half to even as glibc's printf does, gives
 * the same six digits.  Tested against snprintf on every float in the
 * range once, and on a sample in the unit tests.
 */
static size_t format_g6(float v, char *buf)
{
	static const double scale[3] = { 1e6, 1e7, 1e8 };
	double d = v;
	int zeros = d >= 0.1 ? 0 : d >= 0.01 ? 1 : 2;	/* after "0." */
	long m = (long)rint(d * scale[zeros]);
	size_t len = 2, i;

	if (m == 1000000) {	/* rounded up to the next power of ten */
		m = 100000;
		zeros--;
	}
	buf[0] = '0';
	buf[1] = '.';
	while (zeros-- > 0)
		buf[len++] = '0';
	for (i = 0; i < 6; i++) {
		buf[len + 5 - i] = (char)('0' + m % 10);
		m /= 10;
	}
	len += 6;
	while (buf[len - 1] == '0')
		len--;
	return len;
}

/* Row value v as the original tool's token into buf (TOKEN_MAX bytes);
 * returns the length. */
#define TOKEN_MAX 16
static size_t put_token(float v, char *buf)
{
	if (v < 0.001f || v > 0.999f) {	/* samples: always here */
		buf[0] = (char)('0' + (v > 0.999f));
		return 1;
	}
	if (v <= 0.999f)
		return format_g6(v, buf);
	return (size_t)snprintf(buf, TOKEN_MAX, "%.6g", (double)v);	/* NaN */
}

/*
 * The tokens of row[0..n) into b, each followed by a space (the caller
 * turns the last into the newline); returns the length, 2n for samples.
 * b must hold (TOKEN_MAX + 1) * n bytes.  Rows of samples, every value
 * below 0.001 or above 0.999, take one branch-free pass the compiler
 * vectorizes; a row with any other value (or NaN) is written again token
 * by token.
 */
static size_t put_tokens(const float *row, size_t n, char *b)
{
	size_t j, len = 0;
	unsigned mid = 0;

#pragma omp simd reduction(|:mid)
	for (j = 0; j < n; j++) {
		float v = row[j];
		mid |= !(v < 0.001f || v > 0.999f);
		b[2 * j] = (char)('0' + (v > 0.999f));
		b[2 * j + 1] = ' ';
	}
	if (!mid)
		return 2 * n;
	for (j = 0; j < n; j++) {
		len += put_token(row[j], b + len);
		b[len++] = ' ';
	}
	return len;
}

#define WRITE_CHUNK 256	/* values rbm_rows_write formats at once */

void rbm_rows_write(FILE *out, const float *row, size_t n)
{
	char buf[(TOKEN_MAX + 1) * WRITE_CHUNK];
	size_t j, w, len;

	if (n == 0)
		putc_unlocked('\n', out);
	for (j = 0; j < n; j += w) {
		w = n - j < WRITE_CHUNK ? n - j : WRITE_CHUNK;
		len = put_tokens(row + j, w, buf);
		if (j + w == n)
			buf[len - 1] = '\n';
		fwrite_unlocked(buf, 1, len, out);
	}
}

/*
 * Formatting is a pass over every value, as long as a product's block
 * for run_visible's 500 units, so rbm_rows_write_many formats blocks of
 * WRITE_ROWS rows on the pool's threads, each row into its own stretch
 * of one buffer, then closes the gaps and writes all rows at once: the
 * same bytes, in one write(2) rather than one a stdio buffer.
 */
#define WRITE_ROWS 16
#define WRITE_MIN 16384		/* values below which one thread formats */

struct text {
	const float *rows;
	size_t ld, k, n;
	char *buf;		/* row r at buf + r * room */
	size_t room;
	size_t *len;		/* each row's length */
};

static void format_block(void *arg, size_t i)
{
	const struct text *t = arg;
	size_t r, r1 = (i + 1) * WRITE_ROWS < t->k ? (i + 1) * WRITE_ROWS
						   : t->k;

	for (r = i * WRITE_ROWS; r < r1; r++) {
		char *b = t->buf + r * t->room;
		size_t len = put_tokens(t->rows + r * t->ld, t->n, b);
		b[len - 1] = '\n';
		t->len[r] = len;
	}
}

void rbm_rows_write_many(FILE *out, const float *rows, size_t ld, size_t k,
			 size_t n)
{
	struct text t = { rows, ld, k, n, NULL, (TOKEN_MAX + 1) * n + 1,
			  NULL };
	size_t r, at = 0;

	if (n > 0 && k * n >= WRITE_MIN &&
	    k <= ((size_t)-1 / 2) / t.room) {
		t.buf = malloc(k * t.room);
		t.len = malloc(k * sizeof(*t.len));
	}
	if (!t.buf || !t.len) {	/* small, or no memory: row by row */
		free(t.buf);
		free(t.len);
		for (r = 0; r < k; r++)
			rbm_rows_write(out, rows + r * ld, n);
		return;
	}
	rbm_pool_run((k + WRITE_ROWS - 1) / WRITE_ROWS, format_block, &t);
	for (r = 0; r < k; r++) {
		memmove(t.buf + at, t.buf + r * t.room, t.len[r]);
		at += t.len[r];
	}
	fwrite_unlocked(t.buf, 1, at, out);
	free(t.buf);
	free(t.len);
}

void rbm_rows_write_plain(FILE *out, const float *row, size_t n, int digits)
{
	char tok[40];	/* "-1.2345678901234567e-308": 24 bytes */
	size_t j;

	for (j = 0; j < n; j++) {
		if (j > 0)
			putc_unlocked(' ', out);
		snprintf(tok, sizeof(tok), "%.*g", digits, (double)row[j]);
		fputs_unlocked(tok, out);
	}
	putc_unlocked('\n', out);
}
