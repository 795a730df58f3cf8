/*
 * pickle.c - a pickle reader for the original rbmcmd's model (pickle.h).
 *
 * The opcodes run on a stack machine that only builds values: numbers,
 * strings, tuples, lists, dicts, sets, the few known globals, and three
 * kinds of object made from them (an RBM instance, a numpy array and a
 * numpy dtype), each holding its arguments and its BUILD state as given.
 * Nothing is called and nothing is looked up by name outside the table of
 * globals.  Every value lives on one list and is freed with the machine,
 * so shared references and cycles (through the memo) cost nothing, and
 * no function recurses over values.  Only once STOP has given the result
 * does to_model check that it is such a model, following one fixed path
 * (instance, its dict, its weights array, the array's dtype and bytes).
 *
 * Each opcode is one small function in the table ops[], indexed by the
 * opcode's byte; a byte without a function is refused.
 */
#include <config.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"

enum kind {
	K_NONE, K_BOOL, K_INT, K_FLOAT, K_BYTES, K_TEXT,	/* plain */
	K_TUPLE, K_LIST, K_DICT, K_SET,		/* containers */
	K_GLOBAL,				/* a known global */
	K_INSTANCE, K_ARRAY, K_DTYPE		/* objects (args, state) */
};

enum global {
	G_RBM, G_RECONSTRUCT, G_NDARRAY, G_DTYPE, G_RECONSTRUCTOR, G_OBJECT,
	G_BYTES, G_ENCODE, G_FROMBUFFER
};

struct obj {
	enum kind kind;
	struct obj *next;		/* the machine's list of all values */
	int64_t i;			/* K_BOOL, K_INT; enum global */
	double f;			/* K_FLOAT */
	const unsigned char *s;		/* K_BYTES, K_TEXT (UTF-8): n bytes */
	size_t n;
	unsigned char *own;		/* s when decoded, else NULL */
	struct obj **item;		/* containers; a dict holds pairs */
	size_t nitem, cap;
	struct obj *args, *state;	/* objects: call arguments, BUILD */
};

struct vm {
	const char *name;		/* for messages */
	const unsigned char *buf, *p, *end;
	size_t op;			/* offset of the opcode running */
	struct obj **stack;
	size_t sp, scap;
	size_t marks[RBM_PICKLE_MAX_MARKS];
	size_t nmarks;
	struct obj **memo;
	size_t memocap, memoset;	/* slots allocated, slots in use */
	struct obj *all, *result;
	size_t nobj, nitems, decoded;	/* totals, against the limits */
	int proto, maxproto, old_style;
	struct rbm_err *err;
};

/* The message "NAME: byte N: message" for the opcode running. */
__attribute__((format(printf, 2, 3)))
static void fail(struct vm *v, const char *fmt, ...)
{
	char msg[RBM_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rbm_err_set(v->err, "%s: byte %zu: %s", v->name, v->op, msg);
}

/* fail's message, then -1 (visibly, so compilers see the error path). */
#define FAIL(v, ...) (fail(v, __VA_ARGS__), -1)

/* At most 60 bytes of s as printable ASCII into out (others become '?'). */
static const char *printable(char out[64], const unsigned char *s, size_t n)
{
	size_t i;

	if (n > 60)
		n = 60;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[n] = '\0';
	return out;
}

/* ---- reading the stream ---- */

/* The next n bytes into *out; -1 if the stream ends first. */
static int take(struct vm *v, size_t n, const unsigned char **out)
{
	if ((size_t)(v->end - v->p) < n)
		return FAIL(v, "truncated: %zu bytes wanted, %zu left", n,
			    (size_t)(v->end - v->p));
	*out = v->p;
	v->p += n;
	return 0;
}

/* The next line without its newline; -1 if there is no newline. */
static int take_line(struct vm *v, const unsigned char **s, size_t *n)
{
	const unsigned char *nl = memchr(v->p, '\n', (size_t)(v->end - v->p));

	if (!nl)
		return FAIL(v, "truncated: no end of line");
	*s = v->p;
	*n = (size_t)(nl - v->p);
	v->p = nl + 1;
	return 0;
}

/* n <= 8 bytes as an unsigned little-endian number. */
static uint64_t le(const unsigned char *b, size_t n)
{
	uint64_t x = 0;

	while (n--)
		x = x << 8 | b[n];
	return x;
}

/* A little-endian length of n bytes (4 of them signed in protocol 1). */
static int take_len(struct vm *v, size_t n, int is_signed, size_t *len)
{
	const unsigned char *b;
	uint64_t x;

	if (take(v, n, &b) < 0)
		return -1;
	x = le(b, n);
	if (is_signed && (x & 0x80000000u))
		return FAIL(v, "negative length");
	if (x > (uint64_t)(v->end - v->p))
		return FAIL(v, "truncated: a length of %llu bytes, %zu left",
			    (unsigned long long)x, (size_t)(v->end - v->p));
	*len = (size_t)x;
	return 0;
}

/* ---- values ---- */

static struct obj *new_obj(struct vm *v, enum kind kind)
{
	struct obj *o;

	if (v->nobj == RBM_PICKLE_MAX_OBJECTS) {
		fail(v, "more than %lu values", RBM_PICKLE_MAX_OBJECTS);
		return NULL;
	}
	if (!(o = calloc(1, sizeof(*o)))) {
		fail(v, "out of memory");
		return NULL;
	}
	o->kind = kind;
	o->next = v->all;
	v->all = o;
	v->nobj++;
	return o;
}

static void free_all(struct vm *v)
{
	struct obj *o, *next;

	for (o = v->all; o; o = next) {
		next = o->next;
		free(o->own);
		free(o->item);
		free(o);
	}
	free(v->stack);
	free(v->memo);
}

/* A buffer of n bytes for a decoded string, within the budget. */
static unsigned char *decoded(struct vm *v, size_t n)
{
	unsigned char *p;

	if (n > (size_t)(v->end - v->buf) * 4 + 65536 - v->decoded) {
		fail(v, "decoded strings larger than the file allows");
		return NULL;
	}
	v->decoded += n;
	if (!(p = malloc(n ? n : 1)))
		fail(v, "out of memory");
	return p;
}

/* A string value of n bytes at s (not copied: s lives in the stream). */
static struct obj *str(struct vm *v, enum kind kind, const unsigned char *s,
		       size_t n)
{
	struct obj *o = new_obj(v, kind);

	if (o) {
		o->s = s;
		o->n = n;
	}
	return o;
}

/* A string value owning the buffer own (n bytes used), freed with it. */
static struct obj *owned(struct vm *v, enum kind kind, unsigned char *own,
			 size_t n)
{
	struct obj *o = new_obj(v, kind);

	if (!o) {
		free(own);
		return NULL;
	}
	o->s = o->own = own;
	o->n = n;
	return o;
}

static struct obj *number(struct vm *v, enum kind kind, int64_t i)
{
	struct obj *o = new_obj(v, kind);

	if (o)
		o->i = i;
	return o;
}

/* Append n values to container c. */
static int add_items(struct vm *v, struct obj *c, struct obj *const *it,
		     size_t n)
{
	if (n == 0)
		return 0;	/* and no memcpy to a NULL item array */
	if (n > RBM_PICKLE_MAX_ITEMS - v->nitems)
		return FAIL(v, "more than %lu container items",
			    RBM_PICKLE_MAX_ITEMS);
	if (c->nitem + n > c->cap) {
		size_t cap = c->cap ? c->cap : 4;
		struct obj **item;
		while (cap < c->nitem + n)
			cap *= 2;
		if (!(item = realloc(c->item, cap * sizeof(*item))))
			return FAIL(v, "out of memory");
		c->item = item;
		c->cap = cap;
	}
	memcpy(c->item + c->nitem, it, n * sizeof(*it));
	c->nitem += n;
	v->nitems += n;
	return 0;
}

/* ---- the stack, marks and memo ---- */

/* The bottom of the stack above the innermost mark. */
static size_t floor_(const struct vm *v)
{
	return v->nmarks ? v->marks[v->nmarks - 1] : 0;
}

static int push(struct vm *v, struct obj *o)
{
	if (!o)
		return -1;
	if (v->sp == v->scap) {
		size_t cap = v->scap * 2;
		struct obj **s;
		if (v->sp == RBM_PICKLE_MAX_STACK)
			return FAIL(v, "more than %d values on the stack",
				    RBM_PICKLE_MAX_STACK);
		if (!(s = realloc(v->stack, cap * sizeof(*s))))
			return FAIL(v, "out of memory");
		v->stack = s;
		v->scap = cap;
	}
	v->stack[v->sp++] = o;
	return 0;
}

static struct obj *pop(struct vm *v)
{
	if (v->sp == floor_(v)) {
		fail(v, "stack underflow");
		return NULL;
	}
	return v->stack[--v->sp];
}

/* The top value, left on the stack. */
static struct obj *top(struct vm *v)
{
	if (v->sp == floor_(v)) {
		fail(v, "stack underflow");
		return NULL;
	}
	return v->stack[v->sp - 1];
}

/* Pop everything down to the innermost mark, and the mark: *from..sp. */
static int pop_mark(struct vm *v, size_t *from, size_t *n)
{
	if (!v->nmarks)
		return FAIL(v, "no MARK on the stack");
	*from = v->marks[--v->nmarks];
	*n = v->sp - *from;
	v->sp = *from;
	return 0;
}

static int memo_put(struct vm *v, uint64_t key)
{
	struct obj *o = top(v);

	if (!o)
		return -1;
	if (key >= RBM_PICKLE_MAX_MEMO)
		return FAIL(v, "memo key %llu beyond the limit of %d",
			    (unsigned long long)key, RBM_PICKLE_MAX_MEMO);
	if (key >= v->memocap) {
		size_t cap = (size_t)key + 1 > v->memocap * 2 ?
			     (size_t)key + 1 : v->memocap * 2;
		struct obj **m = realloc(v->memo, cap * sizeof(*m));
		if (!m)
			return FAIL(v, "out of memory");
		memset(m + v->memocap, 0, (cap - v->memocap) * sizeof(*m));
		v->memo = m;
		v->memocap = cap;
	}
	v->memoset += !v->memo[key];
	v->memo[key] = o;
	return 0;
}

static int memo_get(struct vm *v, uint64_t key)
{
	if (key >= v->memocap || !v->memo[key])
		return FAIL(v, "memo key %llu was never set",
			    (unsigned long long)key);
	return push(v, v->memo[key]);
}

/* ---- numbers ---- */

/* A decimal integer line (Python's int(): sign, digits) into *x. */
static int decimal(struct vm *v, const unsigned char *s, size_t n,
		   int64_t *x)
{
	char buf[32], *end;
	long long y;

	if (n == 0 || n >= sizeof(buf))
		return FAIL(v, "bad or too large integer");
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	y = strtoll(buf, &end, 10);
	if (errno || *end || !(buf[0] == '-' || buf[0] == '+' ||
			       (buf[0] >= '0' && buf[0] <= '9')))
		return FAIL(v, "bad or too large integer '%.31s'", buf);
	*x = y;
	return 0;
}

static int op_int(struct vm *v)		/* I: "01"/"00" are bools */
{
	const unsigned char *s;
	size_t n;
	int64_t x;

	if (take_line(v, &s, &n) < 0)
		return -1;
	if (n == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1'))
		return push(v, number(v, K_BOOL, s[1] == '1'));
	if (decimal(v, s, n, &x) < 0)
		return -1;
	return push(v, number(v, K_INT, x));
}

static int op_long(struct vm *v)	/* L: Python 2 writes an 'L' */
{
	const unsigned char *s;
	size_t n;
	int64_t x;

	if (take_line(v, &s, &n) < 0)
		return -1;
	if (n && s[n - 1] == 'L')
		n--;
	if (decimal(v, s, n, &x) < 0)
		return -1;
	return push(v, number(v, K_INT, x));
}

/* n little-endian bytes, signed (n <= 8), as an integer value. */
static int push_le(struct vm *v, const unsigned char *b, size_t n)
{
	uint64_t x = le(b, n);

	if (n && n < 8 && (b[n - 1] & 0x80))	/* sign-extend */
		x |= ~(uint64_t)0 << (8 * n);
	return push(v, number(v, K_INT, (int64_t)x));
}

static int op_binint(struct vm *v)	/* J: 4 bytes, signed */
{
	const unsigned char *b;

	return take(v, 4, &b) < 0 ? -1 : push_le(v, b, 4);
}

static int op_binint1(struct vm *v)	/* K: 1 byte, unsigned */
{
	const unsigned char *b;

	return take(v, 1, &b) < 0 ? -1 : push(v, number(v, K_INT, b[0]));
}

static int op_binint2(struct vm *v)	/* M: 2 bytes, unsigned */
{
	const unsigned char *b;

	return take(v, 2, &b) < 0 ? -1 :
	       push(v, number(v, K_INT, (int64_t)le(b, 2)));
}

/* LONG1 and LONG4: a length, then two's complement little-endian. */
static int long_n(struct vm *v, size_t lenbytes)
{
	const unsigned char *b;
	size_t n;

	if (take_len(v, lenbytes, lenbytes == 4, &n) < 0)
		return -1;
	if (n > 8)
		return FAIL(v, "integer of %zu bytes is too large", n);
	if (take(v, n, &b) < 0)
		return -1;
	return push_le(v, b, n);
}

static int op_long1(struct vm *v)
{
	return long_n(v, 1);
}

static int op_long4(struct vm *v)
{
	return long_n(v, 4);
}

static int op_float(struct vm *v)	/* F: repr() of a float */
{
	const unsigned char *s;
	char buf[64], *end;
	struct obj *o;
	size_t n;

	if (take_line(v, &s, &n) < 0)
		return -1;
	if (n == 0 || n >= sizeof(buf))
		return FAIL(v, "bad float");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!(o = new_obj(v, K_FLOAT)))
		return -1;
	o->f = strtod(buf, &end);
	if (*end || end == buf)
		return FAIL(v, "bad float '%.40s'", buf);
	return push(v, o);
}

static int op_binfloat(struct vm *v)	/* G: 8 bytes, big-endian */
{
	const unsigned char *b;
	struct obj *o;
	uint64_t x = 0;
	int i;

	if (take(v, 8, &b) < 0 || !(o = new_obj(v, K_FLOAT)))
		return -1;
	for (i = 0; i < 8; i++)
		x = x << 8 | b[i];
	memcpy(&o->f, &x, sizeof(o->f));
	return push(v, o);
}

static int op_none(struct vm *v)
{
	return push(v, new_obj(v, K_NONE));
}

static int op_true(struct vm *v)
{
	return push(v, number(v, K_BOOL, 1));
}

static int op_false(struct vm *v)
{
	return push(v, number(v, K_BOOL, 0));
}

/* ---- strings ---- */

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	       c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One backslash escape of a STRING at s[i] (after the backslash). */
static int escape(struct vm *v, const unsigned char *s, size_t n, size_t *i,
		  unsigned char *out)
{
	static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
	const char *k = memchr(from, s[*i], sizeof(from) - 1);
	unsigned c = 0, d;

	if (k) {
		*out = (unsigned char)to[k - from];
		(*i)++;
	} else if (s[*i] >= '0' && s[*i] <= '7') {
		for (d = 0; d < 3 && *i < n && s[*i] >= '0' && s[*i] <= '7';
		     d++)
			c = c * 8 + (unsigned)(s[(*i)++] - '0');
		*out = (unsigned char)(c & 0xff);
	} else if (s[*i] == 'x') {
		if (*i + 2 >= n || hexval(s[*i + 1]) < 0 ||
		    hexval(s[*i + 2]) < 0)
			return FAIL(v, "invalid \\x escape in a string");
		*out = (unsigned char)(hexval(s[*i + 1]) * 16 +
				       hexval(s[*i + 2]));
		*i += 3;
	} else {
		return 0;	/* not an escape: the backslash stays */
	}
	return 1;
}

static int op_string(struct vm *v)	/* S: quoted, with escapes */
{
	const unsigned char *s;
	unsigned char *out;
	size_t n, i, k = 0;
	int e;

	if (take_line(v, &s, &n) < 0)
		return -1;
	if (n < 2 || s[0] != s[n - 1] || (s[0] != '\'' && s[0] != '"'))
		return FAIL(v, "the STRING opcode's argument must be quoted");
	s++;
	n -= 2;
	if (!(out = decoded(v, n)))
		return -1;
	for (i = 0; i < n;) {
		if (s[i] != '\\') {
			out[k++] = s[i++];
			continue;
		}
		if (++i == n) {
			free(out);
			return FAIL(v, "a string ends with a backslash");
		}
		if ((e = escape(v, s, n, &i, &out[k])) < 0) {
			free(out);
			return -1;
		}
		if (!e)
			out[k++] = '\\';
		else
			k++;
	}
	return push(v, owned(v, K_BYTES, out, k));
}

/* BINSTRING, SHORT_BINSTRING, the BINBYTES and BINUNICODE families. */
static int counted(struct vm *v, size_t lenbytes, int is_signed,
		   enum kind kind)
{
	const unsigned char *s;
	size_t n;

	if (take_len(v, lenbytes, is_signed, &n) < 0 || take(v, n, &s) < 0)
		return -1;
	return push(v, str(v, kind, s, n));
}

static int op_binstring(struct vm *v)
{
	return counted(v, 4, 1, K_BYTES);
}

static int op_short_binstring(struct vm *v)
{
	return counted(v, 1, 0, K_BYTES);
}

static int op_binbytes(struct vm *v)
{
	return counted(v, 4, 0, K_BYTES);
}

static int op_short_binbytes(struct vm *v)
{
	return counted(v, 1, 0, K_BYTES);
}

static int op_binbytes8(struct vm *v)
{
	return counted(v, 8, 0, K_BYTES);
}

static int op_bytearray8(struct vm *v)	/* protocol 5's in-band buffer */
{
	return counted(v, 8, 0, K_BYTES);
}

static int op_binunicode(struct vm *v)
{
	return counted(v, 4, 0, K_TEXT);
}

static int op_short_binunicode(struct vm *v)
{
	return counted(v, 1, 0, K_TEXT);
}

static int op_binunicode8(struct vm *v)
{
	return counted(v, 8, 0, K_TEXT);
}

/* Code point c as UTF-8 at out (surrogates too, as Python's pickle). */
static size_t utf8(uint32_t c, unsigned char *out)
{
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | c >> 6);
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | c >> 12);
		out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | c >> 18);
	out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * The \u or \U escape at s[*i] (the letter) of a raw-unicode-escape
 * string into *c; -1 if its hex digits are short or out of range.
 */
static int raw_escape(struct vm *v, const unsigned char *s, size_t n,
		      size_t *i, uint32_t *c)
{
	size_t want = s[*i] == 'u' ? 4 : 8, d;

	*c = 0;
	for ((*i)++, d = 0; d < want; d++, (*i)++) {
		if (*i >= n || hexval(s[*i]) < 0)
			return FAIL(v, "truncated \\u escape in a string");
		*c = *c * 16 + (uint32_t)hexval(s[*i]);
	}
	if (*c > 0x10ffff)
		return FAIL(v, "\\U escape out of range");
	return 0;
}

/*
 * UNICODE: raw-unicode-escape, so every byte is a code point below 256,
 * except \uXXXX and \UXXXXXXXX after an odd run of backslashes.
 */
static int op_unicode(struct vm *v)
{
	const unsigned char *s;
	unsigned char *out;
	size_t n, i = 0, k = 0, run;
	uint32_t c;

	if (take_line(v, &s, &n) < 0 || !(out = decoded(v, 2 * n)))
		return -1;
	while (i < n) {
		if (s[i] != '\\') {
			k += utf8(s[i++], out + k);
			continue;
		}
		for (run = 0; i < n && s[i] == '\\'; run++, i++)
			out[k++] = '\\';
		if (!(run & 1) || i == n || (s[i] != 'u' && s[i] != 'U'))
			continue;
		k--;
		if (raw_escape(v, s, n, &i, &c) < 0) {
			free(out);
			return -1;
		}
		k += utf8(c, out + k);	/* at most 4 bytes for >= 6 read */
	}
	return push(v, owned(v, K_TEXT, out, k));
}

/* Text (UTF-8) as Latin-1 bytes, for _codecs.encode(TEXT, 'latin1'). */
static struct obj *latin1(struct vm *v, const struct obj *t)
{
	unsigned char *out = decoded(v, t->n);
	size_t i = 0, k = 0;

	if (!out)
		return NULL;
	while (i < t->n) {
		unsigned char c = t->s[i];
		if (c < 0x80) {
			out[k++] = c;
			i++;
		} else if ((c & 0xfe) == 0xc2 && i + 1 < t->n &&
			   (t->s[i + 1] & 0xc0) == 0x80) {
			out[k++] = (unsigned char)((c & 3) << 6 |
						   (t->s[i + 1] & 0x3f));
			i += 2;
		} else {
			free(out);
			fail(v, "text that is not Latin-1 given to "
			     "_codecs.encode");
			return NULL;
		}
	}
	return owned(v, K_BYTES, out, k);
}

/* ---- containers ---- */

static int op_empty(struct vm *v, enum kind kind)
{
	return push(v, new_obj(v, kind));
}

static int op_empty_list(struct vm *v)
{
	return op_empty(v, K_LIST);
}

static int op_empty_tuple(struct vm *v)
{
	return op_empty(v, K_TUPLE);
}

static int op_empty_dict(struct vm *v)
{
	return op_empty(v, K_DICT);
}

static int op_empty_set(struct vm *v)
{
	return op_empty(v, K_SET);
}

/* A new container of kind from the values above the innermost mark. */
static int from_mark(struct vm *v, enum kind kind)
{
	size_t from, n;
	struct obj *o;

	if (pop_mark(v, &from, &n) < 0)
		return -1;
	if (kind == K_DICT && n % 2)
		return FAIL(v, "odd number of values for a dict");
	if (!(o = new_obj(v, kind)) || add_items(v, o, v->stack + from, n) < 0)
		return -1;
	return push(v, o);
}

static int op_list(struct vm *v)
{
	return from_mark(v, K_LIST);
}

static int op_tuple(struct vm *v)
{
	return from_mark(v, K_TUPLE);
}

static int op_dict(struct vm *v)
{
	return from_mark(v, K_DICT);
}

static int op_frozenset(struct vm *v)
{
	return from_mark(v, K_SET);
}

/* TUPLE1, TUPLE2, TUPLE3: a tuple of the top n values. */
static int tuple_n(struct vm *v, size_t n)
{
	struct obj *o;

	if (v->sp - floor_(v) < n)
		return FAIL(v, "stack underflow");
	v->sp -= n;
	if (!(o = new_obj(v, K_TUPLE)) || add_items(v, o, v->stack + v->sp,
						    n) < 0)
		return -1;
	return push(v, o);
}

static int op_tuple1(struct vm *v)
{
	return tuple_n(v, 1);
}

static int op_tuple2(struct vm *v)
{
	return tuple_n(v, 2);
}

static int op_tuple3(struct vm *v)
{
	return tuple_n(v, 3);
}

/* Add n values at it to the container below them, which must be kind. */
static int add_to(struct vm *v, enum kind kind, struct obj *const *it,
		  size_t n)
{
	struct obj *c = top(v);
	static const char *const names[] = {
		[K_LIST] = "a list", [K_DICT] = "a dict", [K_SET] = "a set" };

	if (!c)
		return -1;
	if (c->kind != kind)
		return FAIL(v, "adding to something that is not %s",
			    names[kind]);
	if (kind == K_DICT && n % 2)
		return FAIL(v, "odd number of values for a dict");
	return add_items(v, c, it, n);
}

static int op_append(struct vm *v)	/* a: list, value */
{
	struct obj *x = pop(v);

	return x ? add_to(v, K_LIST, &x, 1) : -1;
}

static int op_setitem(struct vm *v)	/* s: dict, key, value */
{
	struct obj *kv[2];

	if (!(kv[1] = pop(v)) || !(kv[0] = pop(v)))
		return -1;
	return add_to(v, K_DICT, kv, 2);
}

/* APPENDS, SETITEMS, ADDITEMS: the values above the mark go below it. */
static int add_from_mark(struct vm *v, enum kind kind)
{
	size_t from, n;

	if (pop_mark(v, &from, &n) < 0)
		return -1;
	return add_to(v, kind, v->stack + from, n);
}

static int op_appends(struct vm *v)
{
	return add_from_mark(v, K_LIST);
}

static int op_setitems(struct vm *v)
{
	return add_from_mark(v, K_DICT);
}

static int op_additems(struct vm *v)
{
	return add_from_mark(v, K_SET);
}

/* ---- stack and memo ---- */

static int op_mark(struct vm *v)
{
	if (v->nmarks == RBM_PICKLE_MAX_MARKS)
		return FAIL(v, "MARKs nested deeper than %d",
			    RBM_PICKLE_MAX_MARKS);
	v->marks[v->nmarks++] = v->sp;
	return 0;
}

static int op_pop(struct vm *v)		/* the top value, or else a mark */
{
	size_t from, n;

	if (v->sp == floor_(v) && v->nmarks)
		return pop_mark(v, &from, &n);
	return pop(v) ? 0 : -1;
}

static int op_pop_mark(struct vm *v)
{
	size_t from, n;

	return pop_mark(v, &from, &n);
}

static int op_dup(struct vm *v)
{
	struct obj *o = top(v);

	return o ? push(v, o) : -1;
}

/* A decimal memo key on a line, for GET and PUT. */
static int key_line(struct vm *v, uint64_t *key)
{
	const unsigned char *s;
	size_t n;
	int64_t x;

	if (take_line(v, &s, &n) < 0 || decimal(v, s, n, &x) < 0)
		return -1;
	if (x < 0)
		return FAIL(v, "negative memo key");
	*key = (uint64_t)x;
	return 0;
}

/* A little-endian memo key of n bytes, for BINGET, BINPUT and LONG_. */
static int key_bin(struct vm *v, size_t n, uint64_t *key)
{
	const unsigned char *b;

	if (take(v, n, &b) < 0)
		return -1;
	*key = le(b, n);
	return 0;
}

static int op_get(struct vm *v)
{
	uint64_t k;

	return key_line(v, &k) < 0 ? -1 : memo_get(v, k);
}

static int op_binget(struct vm *v)
{
	uint64_t k;

	return key_bin(v, 1, &k) < 0 ? -1 : memo_get(v, k);
}

static int op_long_binget(struct vm *v)
{
	uint64_t k;

	return key_bin(v, 4, &k) < 0 ? -1 : memo_get(v, k);
}

static int op_put(struct vm *v)
{
	uint64_t k;

	return key_line(v, &k) < 0 ? -1 : memo_put(v, k);
}

static int op_binput(struct vm *v)
{
	uint64_t k;

	return key_bin(v, 1, &k) < 0 ? -1 : memo_put(v, k);
}

static int op_long_binput(struct vm *v)
{
	uint64_t k;

	return key_bin(v, 4, &k) < 0 ? -1 : memo_put(v, k);
}

static int op_memoize(struct vm *v)	/* the next key: the memo's size */
{
	return memo_put(v, v->memoset);
}

/* ---- globals and objects ---- */

static const struct {
	const char *module;	/* NULL: any module */
	const char *name;
	enum global g;
} globals[] = {
	{ NULL, "RBM", G_RBM },
	{ "numpy.core.multiarray", "_reconstruct", G_RECONSTRUCT },
	{ "numpy._core.multiarray", "_reconstruct", G_RECONSTRUCT },
	{ "numpy", "ndarray", G_NDARRAY },
	{ "numpy", "dtype", G_DTYPE },
	{ "copy_reg", "_reconstructor", G_RECONSTRUCTOR },
	{ "copyreg", "_reconstructor", G_RECONSTRUCTOR },
	{ "__builtin__", "object", G_OBJECT },
	{ "builtins", "object", G_OBJECT },
	{ "__builtin__", "bytes", G_BYTES },
	{ "builtins", "bytes", G_BYTES },
	{ "_codecs", "encode", G_ENCODE },
	{ "numpy.core.numeric", "_frombuffer", G_FROMBUFFER },
	{ "numpy._core.numeric", "_frombuffer", G_FROMBUFFER },
};

/* Whether the n bytes at s are the string z. */
static int is(const unsigned char *s, size_t n, const char *z)
{
	return strlen(z) == n && memcmp(s, z, n) == 0;
}

static struct obj *global(struct vm *v, const unsigned char *mod, size_t mn,
			  const unsigned char *name, size_t nn)
{
	char a[64], b[64];
	size_t i;

	for (i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		if ((!globals[i].module || is(mod, mn, globals[i].module)) &&
		    is(name, nn, globals[i].name))
			return number(v, K_GLOBAL, globals[i].g);
	fail(v, "unknown global '%s.%s' refused (only the original "
	     "rbmcmd's RBM class and numpy arrays are read)",
	     printable(a, mod, mn), printable(b, name, nn));
	return NULL;
}

static int op_global(struct vm *v)	/* c: module and name lines */
{
	const unsigned char *m, *n;
	size_t mn, nn;

	if (take_line(v, &m, &mn) < 0 || take_line(v, &n, &nn) < 0)
		return -1;
	return push(v, global(v, m, mn, n, nn));
}

static int is_str(const struct obj *o)
{
	return o && (o->kind == K_TEXT || o->kind == K_BYTES);
}

static int op_stack_global(struct vm *v)
{
	struct obj *n = pop(v), *m = n ? pop(v) : NULL;

	if (!m)
		return -1;
	if (!is_str(m) || !is_str(n))
		return FAIL(v, "STACK_GLOBAL needs two strings");
	return push(v, global(v, m->s, m->n, n->s, n->n));
}

static int is_global(const struct obj *o, enum global g)
{
	return o && o->kind == K_GLOBAL && o->i == (int64_t)g;
}

/* An object of kind made from args, with no state yet. */
static struct obj *object(struct vm *v, enum kind kind, struct obj *args)
{
	struct obj *o = new_obj(v, kind);

	if (o)
		o->args = args;
	return o;
}

/* An RBM instance made by NEWOBJ, INST or OBJ, with no arguments. */
static int instance(struct vm *v, const struct obj *cls, size_t nargs,
		    int old_style)
{
	if (!is_global(cls, G_RBM))
		return FAIL(v, "instance of a class other than RBM");
	if (nargs)
		return FAIL(v, "RBM instance made with arguments");
	v->old_style = old_style;
	return push(v, object(v, K_INSTANCE, NULL));
}

static int op_inst(struct vm *v)	/* i: mark, args; module, name */
{
	const unsigned char *m, *n;
	size_t mn, nn, from, k;
	struct obj *cls;

	if (take_line(v, &m, &mn) < 0 || take_line(v, &n, &nn) < 0 ||
	    pop_mark(v, &from, &k) < 0 || !(cls = global(v, m, mn, n, nn)))
		return -1;
	return instance(v, cls, k, 1);
}

static int op_obj(struct vm *v)		/* o: mark, class, args */
{
	size_t from, k;

	if (pop_mark(v, &from, &k) < 0)
		return -1;
	if (!k)
		return FAIL(v, "OBJ without a class");
	return instance(v, v->stack[from], k - 1, 1);
}

static int op_newobj(struct vm *v)	/* class, args */
{
	struct obj *args = pop(v), *cls = args ? pop(v) : NULL;

	if (!cls)
		return -1;
	if (args->kind != K_TUPLE)
		return FAIL(v, "NEWOBJ's arguments are not a tuple");
	return instance(v, cls, args->nitem, 0);
}

static int op_newobj_ex(struct vm *v)	/* class, args, kwargs */
{
	struct obj *kw = pop(v), *args = kw ? pop(v) : NULL,
		   *cls = args ? pop(v) : NULL;

	if (!cls)
		return -1;
	if (args->kind != K_TUPLE || kw->kind != K_DICT)
		return FAIL(v, "NEWOBJ_EX's arguments are not a tuple and a "
			    "dict");
	return instance(v, cls, args->nitem + kw->nitem, 0);
}

/* The n-tuple a, or NULL. */
static struct obj *const *tuple(const struct obj *a, size_t n)
{
	return a->kind == K_TUPLE && a->nitem == n ? a->item : NULL;
}

/*
 * Protocol 5's array: numpy's _frombuffer(data, dtype, shape, order), as
 * an array whose state is what BUILD would have given in protocol 4:
 * (shape, dtype, fortran, data).
 */
static struct obj *frombuffer(struct vm *v, struct obj *a)
{
	struct obj *const *x = a->item, *o = object(v, K_ARRAY, a);
	struct obj *st = o ? new_obj(v, K_TUPLE) : NULL;
	struct obj *f = st ? number(v, K_BOOL, x[3]->s[0] == 'F') : NULL;
	struct obj *it[4] = { x[2], x[1], f, x[0] };

	if (!f || add_items(v, st, it, 4) < 0)
		return NULL;
	o->state = st;
	return o;
}

/* What REDUCE makes of a known callable f and its arguments a. */
static struct obj *call(struct vm *v, const struct obj *f, struct obj *a)
{
	struct obj *const *x;

	if (is_global(f, G_RECONSTRUCT) && (x = tuple(a, 3)) &&
	    is_global(x[0], G_NDARRAY))
		return object(v, K_ARRAY, a);
	if (is_global(f, G_DTYPE) && a->kind == K_TUPLE && a->nitem >= 1 &&
	    a->nitem <= 3 && is_str(a->item[0]))
		return object(v, K_DTYPE, a);
	if (is_global(f, G_RECONSTRUCTOR) && (x = tuple(a, 3)) &&
	    is_global(x[0], G_RBM) && is_global(x[1], G_OBJECT) &&
	    x[2]->kind == K_NONE)
		return object(v, K_INSTANCE, NULL);
	if (is_global(f, G_ENCODE) && (x = tuple(a, 2)) &&
	    x[0]->kind == K_TEXT && x[1]->kind == K_TEXT &&
	    (is(x[1]->s, x[1]->n, "latin1") ||
	     is(x[1]->s, x[1]->n, "latin-1")))
		return latin1(v, x[0]);
	if (is_global(f, G_FROMBUFFER) && (x = tuple(a, 4)) &&
	    x[0]->kind == K_BYTES && x[1]->kind == K_DTYPE &&
	    is_str(x[3]) && x[3]->n == 1 &&
	    (x[3]->s[0] == 'C' || x[3]->s[0] == 'F'))
		return frombuffer(v, a);
	if (is_global(f, G_BYTES) && tuple(a, 0))
		return str(v, K_BYTES, (const unsigned char *)"", 0);
	fail(v, "REDUCE on a callable or with arguments this reader does "
	     "not know: refused");
	return NULL;
}

static int op_reduce(struct vm *v)	/* callable, args */
{
	struct obj *a = pop(v), *f = a ? pop(v) : NULL;

	return f ? push(v, call(v, f, a)) : -1;
}

static int op_build(struct vm *v)	/* object, state */
{
	struct obj *state = pop(v), *o = state ? top(v) : NULL;

	if (!o)
		return -1;
	if (o->kind != K_INSTANCE && o->kind != K_ARRAY && o->kind != K_DTYPE)
		return FAIL(v, "BUILD on a value that is not an RBM, array "
			    "or dtype");
	if (o->state)
		return FAIL(v, "BUILD twice on the same object");
	o->state = state;
	return 0;
}

/* ---- framing and the rest ---- */

static int op_proto(struct vm *v)
{
	const unsigned char *b;

	if (take(v, 1, &b) < 0)
		return -1;
	if (b[0] > 5)
		return FAIL(v, "unsupported pickle protocol %d", b[0]);
	v->proto = b[0];
	return 0;
}

static int op_frame(struct vm *v)	/* a length only: frames are hints */
{
	size_t n;

	return take_len(v, 8, 0, &n);
}

static int op_stop(struct vm *v)
{
	v->result = pop(v);
	return v->result ? 1 : -1;
}

static int op_refused(struct vm *v)
{
	return FAIL(v, "opcode 0x%02x (persistent ids, extension codes "
		    "and out-of-band buffers) refused", v->buf[v->op]);
}

static int (*const ops[256])(struct vm *) = {
	['I'] = op_int, ['L'] = op_long, ['J'] = op_binint,
	['K'] = op_binint1, ['M'] = op_binint2, [0x8a] = op_long1,
	[0x8b] = op_long4, ['F'] = op_float, ['G'] = op_binfloat,
	['N'] = op_none, [0x88] = op_true, [0x89] = op_false,
	['S'] = op_string, ['T'] = op_binstring, ['U'] = op_short_binstring,
	['B'] = op_binbytes, ['C'] = op_short_binbytes,
	[0x8e] = op_binbytes8, ['V'] = op_unicode, ['X'] = op_binunicode,
	[0x8c] = op_short_binunicode, [0x8d] = op_binunicode8,
	[']'] = op_empty_list, [')'] = op_empty_tuple, ['}'] = op_empty_dict,
	[0x8f] = op_empty_set, ['l'] = op_list, ['t'] = op_tuple,
	['d'] = op_dict, [0x91] = op_frozenset, [0x85] = op_tuple1,
	[0x86] = op_tuple2, [0x87] = op_tuple3, ['a'] = op_append,
	['e'] = op_appends, ['s'] = op_setitem, ['u'] = op_setitems,
	[0x90] = op_additems, ['('] = op_mark, ['0'] = op_pop,
	['1'] = op_pop_mark, ['2'] = op_dup, ['g'] = op_get,
	['h'] = op_binget, ['j'] = op_long_binget, ['p'] = op_put,
	['q'] = op_binput, ['r'] = op_long_binput, [0x94] = op_memoize,
	['c'] = op_global, [0x93] = op_stack_global, ['R'] = op_reduce,
	['b'] = op_build, ['i'] = op_inst, ['o'] = op_obj,
	[0x81] = op_newobj, [0x92] = op_newobj_ex, [0x80] = op_proto,
	['.'] = op_stop, [0x95] = op_frame,
	['P'] = op_refused, ['Q'] = op_refused, [0x82] = op_refused,
	[0x83] = op_refused, [0x84] = op_refused, [0x96] = op_bytearray8,
	[0x97] = op_refused, [0x98] = op_refused,
};

/* The protocol that introduced an opcode (pickletools' proto). */
static int op_proto_of(unsigned char c)
{
	if (c >= 0x8c && c <= 0x95)
		return 4;
	if (c == 'B' || c == 'C')
		return 3;
	if (c >= 0x80)
		return c >= 0x96 ? 5 : 2;
	return strchr("JKMTUXG]e)}u1hjqro", c) && c ? 1 : 0;
}

/* Run the opcodes up to STOP; 0 with v->result, or -1. */
static int run(struct vm *v)
{
	int rc, pr;

	for (;;) {
		unsigned char c;
		v->op = (size_t)(v->p - v->buf);
		if (v->p == v->end)
			return FAIL(v, "truncated: no STOP opcode");
		c = *v->p++;
		if (!ops[c])
			return FAIL(v, "unknown opcode 0x%02x", c);
		if ((pr = op_proto_of(c)) > v->maxproto)
			v->maxproto = pr;
		if ((rc = ops[c](v)) != 0)
			return rc < 0 ? -1 : 0;
	}
}

/* ---- the model ---- */

/* The value of attribute key in dict d (the last one set), or NULL. */
static const struct obj *attr(const struct obj *d, const char *key)
{
	const struct obj *found = NULL;
	size_t i;

	for (i = 0; i + 1 < d->nitem; i += 2)
		if (is_str(d->item[i]) && is(d->item[i]->s, d->item[i]->n, key))
			found = d->item[i + 1];
	return found;
}

/* The array's layout as its BUILD state and dtype say. */
struct array {
	size_t rows, cols;
	int big, fortran;		/* byte order, element order */
	const unsigned char *data;	/* rows * cols * 8 bytes */
};

/* Whether the host stores doubles big-endian. */
static int host_big(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 0;
}

/* The byte order of a float64 dtype into *big; -1 with a message. */
static int dtype_order(const char *name, const struct obj *d, int *big,
		       struct rbm_err *err)
{
	const struct obj *t = d->args->item[0];
	struct obj *const *st;
	unsigned char order = '=';
	char buf[64];

	if (t->n == 3 && strchr("<>=|", t->s[0]) && is(t->s + 1, 2, "f8"))
		order = t->s[0];
	else if (!is(t->s, t->n, "f8") && !is(t->s, t->n, "float64")) {
		rbm_err_set(err, "%s: the weights are of dtype '%s', not "
			    "float64", name, printable(buf, t->s, t->n));
		return -1;
	} else if (d->state && d->state->kind == K_TUPLE &&
		   d->state->nitem >= 2 && is_str((st = d->state->item)[1]) &&
		   st[1]->n == 1)
		order = st[1]->s[0];
	if (order == '|' || !strchr("<>=", order)) {
		rbm_err_set(err, "%s: the weights' dtype has no byte order",
			    name);
		return -1;
	}
	*big = order == '>' || (order == '=' && host_big());
	return 0;
}

/* Whether o is a whole number, into *x. */
static int whole(const struct obj *o, int64_t *x)
{
	if (!o || (o->kind != K_INT && o->kind != K_BOOL))
		return 0;
	*x = o->i;
	return 1;
}

/* The weights array a's layout; -1 with a message. */
static int array_of(const char *name, const struct obj *a, struct array *out,
		    struct rbm_err *err)
{
	const struct obj *st = a ? a->state : NULL, *data;
	struct obj *const *x;
	int64_t r, c, f;

	if (!a || a->kind != K_ARRAY || !st || st->kind != K_TUPLE ||
	    (st->nitem != 4 && st->nitem != 5)) {
		rbm_err_set(err, "%s: the weights are not a numpy array",
			    name);
		return -1;
	}
	x = st->item + (st->nitem - 4);	/* [version,] shape, dtype, f, data */
	if (x[0]->kind != K_TUPLE || x[0]->nitem != 2 ||
	    !whole(x[0]->item[0], &r) || !whole(x[0]->item[1], &c) ||
	    r < 2 || c < 2 || r > (int64_t)RBM_MAX_UNITS + 1 ||
	    c > (int64_t)RBM_MAX_UNITS + 1) {
		rbm_err_set(err, "%s: the weights are not a matrix of at "
			    "least 2 x 2", name);
		return -1;
	}
	if (x[1]->kind != K_DTYPE) {
		rbm_err_set(err, "%s: the weights have no numpy dtype", name);
		return -1;
	}
	if (dtype_order(name, x[1], &out->big, err) < 0)
		return -1;
	data = x[3];
	if (!whole(x[2], &f) || data->kind != K_BYTES ||
	    data->n / 8 / (uint64_t)c != (uint64_t)r || data->n % 8 ||
	    data->n / 8 % (uint64_t)c) {
		rbm_err_set(err, "%s: the weights' data does not hold %lld x "
			    "%lld numbers", name, (long long)r, (long long)c);
		return -1;
	}
	out->rows = (size_t)r;
	out->cols = (size_t)c;
	out->fortran = f != 0;
	out->data = data->s;
	return 0;
}

/* Element (i, j) of the array. */
static double element(const struct array *a, size_t i, size_t j)
{
	const unsigned char *b = a->data + 8 * (a->fortran ? j * a->rows + i
							   : i * a->cols + j);
	uint64_t x = 0;
	double d;
	int k;

	for (k = 0; k < 8; k++)
		x = x << 8 | b[a->big ? k : 7 - k];
	memcpy(&d, &x, sizeof(d));
	return d;
}

/* Copy the array into m: row 0 the hidden biases, column 0 the visible. */
static int fill(const char *name, const struct array *a, struct rbm *m,
		struct rbm_err *err)
{
	size_t i, j;

	for (i = 0; i < a->rows; i++)
		for (j = 0; j < a->cols; j++) {
			double d = element(a, i, j);
			if (i + j == 0)
				continue;	/* unused */
			if (!isfinite(d) || fabs(d) > FLT_MAX) {
				rbm_err_set(err, "%s: weights[%zu][%zu] is %g, "
					    "not a finite single-precision "
					    "number", name, i, j, d);
				return -1;
			}
			if (i == 0)
				gsl_vector_float_set(m->c, j - 1, (float)d);
			else if (j == 0)
				gsl_vector_float_set(m->b, i - 1, (float)d);
			else
				gsl_matrix_float_set(m->w, i - 1, j - 1,
						     (float)d);
		}
	return 0;
}

/* The sizes and learning rate of the instance's dict; -1 with a message. */
static int attributes(const char *name, const struct obj *d, int64_t *nv,
		      int64_t *nh, double *rate, struct rbm_err *err)
{
	const struct obj *lr = attr(d, "learning_rate");

	if (!whole(attr(d, "num_visible"), nv) ||
	    !whole(attr(d, "num_hidden"), nh)) {
		rbm_err_set(err, "%s: the RBM has no whole num_visible and "
			    "num_hidden", name);
		return -1;
	}
	if (lr && lr->kind == K_FLOAT)
		*rate = lr->f;
	else if (lr && lr->kind == K_INT)
		*rate = (double)lr->i;
	else {
		rbm_err_set(err, "%s: the RBM has no numeric learning_rate",
			    name);
		return -1;
	}
	return 0;
}

/* The model the result stands for; NULL with a message. */
static struct rbm *to_model(const char *name, const struct obj *o,
			    struct rbm_pickle_info *info, struct rbm_err *err)
{
	const struct obj *d = o->state;
	struct array a;
	struct rbm *m;
	int64_t nv, nh;

	if (o->kind != K_INSTANCE || !d || d->kind != K_DICT) {
		rbm_err_set(err, "%s: a pickle, but not of the original "
			    "rbmcmd's RBM (no RBM instance with attributes)",
			    name);
		return NULL;
	}
	if (attributes(name, d, &nv, &nh, &info->learning_rate, err) < 0 ||
	    array_of(name, attr(d, "weights"), &a, err) < 0)
		return NULL;
	if ((uint64_t)nv + 1 != a.rows || (uint64_t)nh + 1 != a.cols) {
		rbm_err_set(err, "%s: weights of %zu x %zu do not fit "
			    "num_visible %lld and num_hidden %lld (want "
			    "(NV+1) x (NH+1))", name, a.rows, a.cols,
			    (long long)nv, (long long)nh);
		return NULL;
	}
	if (rbm_check_size(a.rows - 1, a.cols - 1, err) < 0) {
		rbm_err_prefix(err, "%s", name);
		return NULL;
	}
	if (!(m = rbm_alloc(a.rows - 1, a.cols - 1, err)))
		return NULL;
	if (fill(name, &a, m, err) < 0) {
		rbm_free(m);
		return NULL;
	}
	return m;
}

int rbm_pickle_detect(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	if (len >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5)
		return 1;
	if (len >= 2 && b[0] == '(' && (b[1] == 'i' || b[1] == 'c'))
		return 1;
	return (len >= 10 && memcmp(b, "ccopy_reg\n", 10) == 0) ||
	       (len >= 9 && memcmp(b, "ccopyreg\n", 9) == 0);
}

struct rbm *rbm_pickle_read(const void *buf, size_t len, const char *name,
			    struct rbm_pickle_info *info,
			    struct rbm_err *err)
{
	struct vm v;
	struct rbm *m = NULL;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.buf = v.p = buf;
	v.end = v.buf + len;
	v.proto = -1;
	v.err = err;
	v.scap = 64;	/* never NULL, so stack + 0 is well defined */
	if (!(v.stack = malloc(v.scap * sizeof(*v.stack)))) {
		rbm_err_set(err, "%s: out of memory", name);
		return NULL;
	}
	if (run(&v) == 0) {
		m = to_model(name, v.result, info, err);
		info->protocol = v.proto >= 0 ? v.proto : v.maxproto;
		info->old_style = v.old_style;
	}
	free_all(&v);
	return m;
}
