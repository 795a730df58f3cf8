/*
 * state.c - the state file (format in state.h).
 *
 * Saving formats the whole file into a buffer of its own (struct outbuf,
 * every append checked), appends the checksum line and hands the bytes
 * to rbm_atomic_write, which checks the file's size before its rename.
 * Loading reads the whole file, checks magic, version, end line and checksum before it
 * believes anything else, then parses with a line cursor so that every
 * message names the line.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "decimal.h"
#include "pickle.h"
#include "rng.h"
#include "settings.h"
#include "state.h"
#include "visible.h"

#define END_TAG "end fnv1a64 "

/* FNV-1a, 64 bits: cheap, and any changed byte changes it. */
uint64_t rbm_state_checksum(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct rbm_state *rbm_state_adopt(struct rbm *m,
				  const struct rbm_train_settings *p,
				  unsigned long seed, struct rbm_err *err)
{
	struct rbm_state *s = calloc(1, sizeof(*s));

	if (!s) {
		rbm_err_set(err, "out of memory");
		rbm_free(m);
		return NULL;
	}
	s->model = m;
	s->params = *p;
	s->version = RBM_STATE_VERSION;
	if (!(s->rng = rbm_rng_alloc(seed, err))) {
		rbm_state_free(s);
		return NULL;
	}
	return s;
}

struct rbm_state *rbm_state_create(size_t nv, size_t nh,
				   const struct rbm_train_settings *p,
				   unsigned long seed, struct rbm_err *err)
{
	struct rbm *m = rbm_alloc(nv, nh, err);
	struct rbm_state *s = m ? rbm_state_adopt(m, p, seed, err) : NULL;

	if (s)
		rbm_init_random(s->model, s->rng);
	return s;
}

void rbm_state_free(struct rbm_state *s)
{
	size_t i;

	if (!s)
		return;
	rbm_free(s->model);
	rbm_train_state_clear(&s->train);
	if (s->rng)
		gsl_rng_free(s->rng);
	for (i = 0; i < s->nhistory; i++)
		free(s->history[i]);
	free(s);
}

int rbm_state_add_history(struct rbm_state *s, const char *line)
{
	size_t n = strlen(line), i;
	char *copy;

	if (n > RBM_HISTORY_LEN)
		n = RBM_HISTORY_LEN;
	copy = strndup(line, n);
	if (!copy)
		return -1;
	for (i = 0; i < n; i++)
		if (copy[i] == '\n' || copy[i] == '\r')
			copy[i] = ' ';
	if (s->nhistory == RBM_HISTORY_MAX) {
		free(s->history[0]);
		memmove(s->history, s->history + 1,
			(RBM_HISTORY_MAX - 1) * sizeof(*s->history));
		s->nhistory--;
	}
	s->history[s->nhistory++] = copy;
	return 0;
}

/*
 * The header keys: each names a field of struct header and its type, so
 * one table drives both writing and reading.  The model's keys are below;
 * the training settings' keys follow them, from the table of settings
 * (settings.h), so a new setting needs nothing here.
 */
struct header {
	size_t nv, nh;
	unsigned long epochs;
	struct rbm_train_settings p;
};

struct key {
	const char *name;
	enum rbm_setting_type type;
	size_t offset;		/* of the field in struct header */
	int required;		/* in every version */
};

#define K(name, type, field) { name, type, offsetof(struct header, field), 1 }
static const struct key model_keys[] = {
	K("visible", RBM_SETTING_SIZE, nv),
	K("hidden", RBM_SETTING_SIZE, nh),
	K("epochs", RBM_SETTING_ULONG, epochs),
};
#undef K
#define NMODEL_KEYS (sizeof(model_keys) / sizeof(model_keys[0]))
#define NKEYS (NMODEL_KEYS + RBM_NSETTINGS)

/* Key k (0 <= k < NKEYS) in the file's order. */
static struct key key_at(size_t k)
{
	const struct rbm_setting *st;
	struct key key;

	if (k < NMODEL_KEYS)
		return model_keys[k];
	st = &rbm_settings[k - NMODEL_KEYS];
	key.name = st->key;
	key.type = st->type;
	key.offset = offsetof(struct header, p) + st->offset;
	key.required = (st->flags & RBM_SETTING_REQUIRED) != 0;
	return key;
}

/* ---- saving ---- */

/*
 * The file is formatted into a buffer this module owns rather than an
 * open_memstream stream: glibc's memstream does not set the stream's
 * error flag when its buffer cannot grow (fprintf returns -1, ferror
 * stays 0, fclose returns 0), so a save under memory pressure would have
 * checksummed and written a torn body.  Here the first failure sticks:
 * every later append is a no-op, so a big save that runs out of memory
 * stops at once instead of retrying a huge allocation per line.
 */
struct outbuf {
	char *p;	/* the bytes so far, malloc'ed */
	size_t len;	/* used */
	size_t cap;	/* allocated */
	int failed;	/* an append failed: the buffer is incomplete */
};

/* Room for n more bytes (plus a NUL); 0, or -1 (sticky) if no memory. */
static int ob_reserve(struct outbuf *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *p;

	if (o->failed)
		return -1;
	if (n + 1 <= o->cap - o->len)
		return 0;
	while (cap - o->len < n + 1) {
		if (cap > ((size_t)-1) / 2)
			goto fail;
		cap *= 2;
	}
	if (!(p = realloc(o->p, cap)))
		goto fail;
	o->p = p;
	o->cap = cap;
	return 0;
fail:
	o->failed = 1;
	return -1;
}

static void ob_write(struct outbuf *o, const char *s, size_t n)
{
	if (ob_reserve(o, n) == 0) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void ob_puts(struct outbuf *o, const char *s)
{
	ob_write(o, s, strlen(s));
}

/* printf into the buffer; any formatting error also sticks. */
__attribute__((format(printf, 2, 3)))
static void ob_printf(struct outbuf *o, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = 1;
	} else if ((size_t)n < sizeof(small)) {
		ob_write(o, small, (size_t)n);
	} else if (ob_reserve(o, (size_t)n) == 0) {
		va_start(ap, fmt);
		if (vsnprintf(o->p + o->len, (size_t)n + 1, fmt, ap) != n)
			o->failed = 1;
		else
			o->len += (size_t)n;
		va_end(ap);
	}
}

static void put_floats(struct outbuf *o, const float *x, size_t n,
		       size_t stride)
{
	size_t i;

	/* At most 16 bytes a number ("-1.23456789e-38 "): reserve a row
	 * at once so that a row costs one check, not n.  The numbers are
	 * "%.9g", written by rbm_decimal_g9 for speed. */
	if (n > ((size_t)-1) / (RBM_DECIMAL_G9_MAX + 1) ||
	    ob_reserve(o, (RBM_DECIMAL_G9_MAX + 1) * n + 1) < 0) {
		o->failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			o->p[o->len++] = ' ';
		o->len += rbm_decimal_g9(x[i * stride], o->p + o->len);
	}
	ob_write(o, "\n", 1);
}

/* Write key k's line from h, reals with %.17g. */
static void put_key(struct outbuf *f, size_t k, const struct header *h)
{
	struct key key = key_at(k);
	const char *field = (const char *)h + key.offset;
	char buf[64];

	if (k >= NMODEL_KEYS)
		rbm_setting_format(&h->p, k - NMODEL_KEYS, 1, buf, sizeof(buf));
	else if (key.type == RBM_SETTING_SIZE)
		snprintf(buf, sizeof(buf), "%zu", *(const size_t *)field);
	else
		snprintf(buf, sizeof(buf), "%lu", *(const unsigned long *)field);
	ob_printf(f, "%s %s\n", key.name, buf);
}

static void put_matrix(struct outbuf *f, const gsl_matrix_float *m)
{
	size_t i;

	for (i = 0; i < m->size1; i++)
		put_floats(f, gsl_matrix_float_const_ptr(m, i, 0), m->size2, 1);
}

static void put_vector(struct outbuf *f, const char *name, const gsl_vector_float *v)
{
	ob_printf(f, "%s\n", name);
	put_floats(f, v->data, v->size, v->stride);
}

static void put_model(struct outbuf *f, const struct rbm *m)
{
	put_vector(f, "visible_bias", m->b);
	put_vector(f, "hidden_bias", m->c);
	ob_puts(f, "weights\n");
	put_matrix(f, m->w);
}

/* The optional sections of the training state that exist. */
/* A model-shaped section: its name, then NV, NH and NV x NH numbers. */
static void put_params(struct outbuf *f, const char *name,
		       const struct rbm *m)
{
	ob_printf(f, "%s\n", name);
	put_floats(f, m->b->data, m->nv, m->b->stride);
	put_floats(f, m->c->data, m->nh, m->c->stride);
	put_matrix(f, m->w);
}

static void put_train_state(struct outbuf *f, const struct rbm_train_state *ts)
{
	if (ts->velocity)
		put_params(f, "velocity", ts->velocity);
	if (ts->iterate)
		put_params(f, "iterate", ts->iterate);
	if (ts->chains) {
		ob_printf(f, "chains %zu\n", ts->chains->size1);
		put_matrix(f, ts->chains);
	}
	if (ts->vis_offset)
		put_vector(f, "visible_offset", ts->vis_offset);
	if (ts->hid_offset)
		put_vector(f, "hidden_offset", ts->hid_offset);
	if (ts->hid_mean)
		put_vector(f, "hidden_mean", ts->hid_mean);
}

/* The visible_type line, for a model that is not binary. */
static void put_visible_type(struct outbuf *f, const struct rbm *m)
{
	char buf[64];

	if (rbm_visible_is_default(m))
		return;
	rbm_visible_state_value(m, buf, sizeof(buf));
	ob_printf(f, "visible_type %s\n", buf);
}

/*
 * An upper bound on the formatted size, so that the buffer is allocated
 * once (doubling a buffer of hundreds of megabytes needs half as much
 * again, briefly); 0 if it would overflow.
 */
static size_t size_bound(const struct rbm_state *s)
{
	size_t nv = s->model->nv, nh = s->model->nh, rows;
	size_t copies = 1 + !!s->train.velocity + !!s->train.iterate;

	rows = s->train.chains ? s->train.chains->size1 : 0;
	if ((nh && nv > ((size_t)-1) / 128 / nh) ||
	    (rows && nv > ((size_t)-1) / 128 / rows))
		return 0;
	return 17 * (copies * (nv * nh + nv + nh) + rows * nv +
		     3 * (nv + nh)) + 65536 + 160 * s->nhistory;
}

/* The file's bytes up to (not including) the end line, in o. */
static void format_body(const struct rbm_state *s, struct outbuf *o)
{
	struct header h = { s->model->nv, s->model->nh, s->train.epochs,
			    s->params };
	char *hex = rbm_rng_state_hex(s->rng);
	size_t i, bound = size_bound(s);

	if (!hex || !bound || ob_reserve(o, bound) < 0) {
		free(hex);
		o->failed = 1;
		return;
	}
	ob_printf(o, "%s %d\n", RBM_STATE_MAGIC, RBM_STATE_VERSION);
	ob_printf(o, "# rbmcmd %s state file, see rbmcmd(1). The checksum on "
		   "the last line\n# covers every byte above it.\n",
		PACKAGE_VERSION);
	for (i = 0; i < NKEYS; i++)
		put_key(o, i, &h);
	put_visible_type(o, s->model);
	ob_printf(o, "rng %s %s\n", gsl_rng_name(s->rng), hex);
	free(hex);
	for (i = 0; i < s->nhistory; i++)
		ob_printf(o, "history %s\n", s->history[i]);
	put_model(o, s->model);
	put_train_state(o, &s->train);
}

int rbm_state_format(const struct rbm_state *s, char **out, size_t *outlen)
{
	struct outbuf o = { 0 };
	uint64_t sum;

	format_body(s, &o);
	sum = o.failed ? 0 : rbm_state_checksum(o.p, o.len);
	ob_printf(&o, END_TAG "%016" PRIx64 "\n", sum);
	if (o.failed) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}

int rbm_state_save(const struct rbm_state *s, const char *path,
		   struct rbm_err *err)
{
	char *all;
	size_t len;
	int rc;

	if (rbm_state_format(s, &all, &len) < 0) {
		rbm_err_set(err, "cannot save %s: out of memory", path);
		return -1;
	}
	rc = rbm_atomic_write(path, all, len, err);
	free(all);
	return rc;
}

/* ---- loading ---- */

struct cursor {
	const char *path;	/* for messages */
	char *p, *end;		/* unread text */
	unsigned long line;	/* number of the line last returned */
};

/* The next line, NUL-terminated in place; NULL at the end. */
static char *next_line(struct cursor *c)
{
	char *s = c->p, *nl;

	if (c->p >= c->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(c->end - s));
	if (!nl)
		nl = c->end;
	*nl = '\0';
	c->p = nl + 1;
	c->line++;
	return s;
}

/* A whole-string unsigned integer in [lo, hi]; 0 or -1. */
static int parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Exactly n finite numbers on line s into x[i * stride]; 0 or -1. */
static int parse_floats(struct cursor *c, char *s, float *x, size_t n,
			size_t stride, struct rbm_err *err)
{
	size_t i = 0;
	char *end;
	int junk;

	if (!s) {
		rbm_err_set(err, "%s:%lu: file ends early", c->path, c->line);
		return -1;
	}
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (i == n) {
			rbm_err_set(err, "%s:%lu: more than %zu numbers",
				    c->path, c->line, n);
			return -1;
		}
		end = s + strcspn(s, " ");	/* strtof's float, sooner: */
		if (!rbm_decimal_float(s, (size_t)(end - s), &x[i * stride])) {
			errno = 0;
			x[i * stride] = strtof(s, &end);
		}
		junk = end == s || (*end && *end != ' ');
		if (junk || !isfinite(x[i * stride])) {
			/* strtof says ERANGE for a finite decimal beyond
			 * FLT_MAX, not for "inf" */
			const char *why = junk ? "not a number" :
				isinf(x[i * stride]) &&
				errno == ERANGE ? "too large for single precision" :
				"not a finite number";

			rbm_err_set(err, "%s:%lu: number %zu is %s", c->path,
				    c->line, i + 1, why);
			return -1;
		}
		s = end;
		i++;
	}
	if (i != n) {
		rbm_err_set(err, "%s:%lu: expected %zu numbers, got %zu",
			    c->path, c->line, n, i);
		return -1;
	}
	return 0;
}

/* The next line must be exactly word. */
static int expect_word(struct cursor *c, const char *word,
		       struct rbm_err *err)
{
	char *s = next_line(c);

	if (s && strcmp(s, word) == 0)
		return 0;
	rbm_err_set(err, "%s:%lu: expected '%s'", c->path, c->line, word);
	return -1;
}

/* What the header says, before anything is allocated from it. */
struct parsed {
	struct header h;
	char *rng_name, *rng_hex;	/* point into the file's buffer */
	char *history[RBM_HISTORY_MAX];	/* the newest lines, likewise */
	size_t nhistory;
	unsigned char seen[NKEYS];
	int vis_seen;			/* a visible_type line was read */
	unsigned long vis_line;		/* on this line */
	enum rbm_vis_type vis_type; /* its type (binary when absent) */
	size_t vis_k;			/* and its K (1 unless softmax) */
};

/*
 * The value of a visible_type line: "binary", "gaussian" or "softmax K";
 * 0, or -1 with a message.
 */
static int visible_type_line(struct cursor *c, struct parsed *p, char *v,
			     struct rbm_err *err)
{
	char buf[64];

	if (p->vis_seen++ || !v) {
		rbm_err_set(err, "%s:%lu: bad or repeated 'visible_type' line",
			    c->path, c->line);
		return -1;
	}
	if (strncmp(v, "softmax ", 8) == 0)
		snprintf(buf, sizeof(buf), "softmax:%.40s", v + 8);
	else if (strcmp(v, "binary") == 0 || strcmp(v, "gaussian") == 0)
		snprintf(buf, sizeof(buf), "%s", v);
	else
		buf[0] = '\0';
	if (rbm_visible_parse(buf, &p->vis_type, &p->vis_k, err) < 0) {
		if (buf[0] && strncmp(v, "softmax ", 8) == 0)	/* bad K */
			rbm_err_prefix(err, "%s:%lu", c->path, c->line);
		else
			rbm_err_set(err, "%s:%lu: unknown visible unit type "
				    "'%.40s' (binary, gaussian or softmax K)",
				    c->path, c->line, v);
		return -1;
	}
	p->vis_line = c->line;
	return 0;
}

/* A whole-string unsigned long in [lo, hi]; 0 or -1. */
static int parse_ulong(const char *s, unsigned long lo, unsigned long hi,
		       unsigned long *out)
{
	size_t v;

	if (parse_size(s, lo, hi, &v) < 0)
		return -1;
	*out = v;
	return 0;
}

/* The choice among the names in list that v is; its index, or -1. */
static int parse_choice(const char *v, const char *const *list)
{
	int u;

	for (u = 0; list[u]; u++)
		if (strcmp(v, list[u]) == 0)
			return u;
	return -1;
}

/* Parse the value of key k into its field of h; 0 or -1. */
static int parse_value(size_t k, const char *v, struct header *h)
{
	struct key key = key_at(k);
	char *field = (char *)h + key.offset, *end;
	unsigned long u;
	double d;
	int i;

	switch (key.type) {
	case RBM_SETTING_SIZE:
		return parse_size(v, 0, RBM_MAX_UNITS > RBM_MAX_BATCH_SIZE ?
				  RBM_MAX_UNITS : RBM_MAX_BATCH_SIZE,
				  (size_t *)field);
	case RBM_SETTING_ULONG:
		return parse_ulong(v, 0, (unsigned long)-1,
				   (unsigned long *)field);
	case RBM_SETTING_BOOL:
		if (parse_ulong(v, 0, 1, &u) < 0)
			return -1;
		*(int *)field = (int)u;
		return 0;
	case RBM_SETTING_REAL:
		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end || errno || !isfinite(d))
			return -1;
		*(double *)field = d;
		return 0;
	default:
		i = parse_choice(v, rbm_settings[k - NMODEL_KEYS].choices);
		if (i < 0)
			return -1;
		*(int *)field = i;
		return 0;
	}
}

/* What each type of value must be, for messages. */
_Static_assert(RBM_MAX_UNITS == 16777216 && RBM_MAX_BATCH_SIZE <= RBM_MAX_UNITS,
	       "key_wants[RBM_SETTING_SIZE] names the largest size");
static const char *const key_wants[] = {
	[RBM_SETTING_SIZE] = "a whole number up to 16777216",
	[RBM_SETTING_ULONG] = "a whole number",
	[RBM_SETTING_REAL] = "a finite number",
	[RBM_SETTING_BOOL] = "0 or 1",
};

/* What key k's value must be ("constant or linear" for a choice). */
static void wants(size_t k, char *buf, size_t size)
{
	const char *const *list;
	size_t n = 0, i;

	if (key_at(k).type != RBM_SETTING_CHOICE) {
		snprintf(buf, size, "%s", key_wants[key_at(k).type]);
		return;
	}
	list = rbm_settings[k - NMODEL_KEYS].choices;
	buf[0] = '\0';
	for (i = 0; list[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i == 0 ? "" : list[i + 1] ? ", " : " or ",
				      list[i]);
}

/* One "key value" header line; 0 or -1 with a message. */
static int header_line(struct cursor *c, struct parsed *p, char *s,
		       struct rbm_err *err)
{
	char *v = strchr(s, ' ');
	size_t k;

	if (v)
		*v++ = '\0';
	if (v && strcmp(s, "history") == 0) {
		if (p->nhistory == RBM_HISTORY_MAX)
			memmove(p->history, p->history + 1,
				(RBM_HISTORY_MAX - 1) * sizeof(char *));
		else
			p->nhistory++;
		p->history[p->nhistory - 1] = v;
		return 0;
	}
	if (strcmp(s, "visible_type") == 0)
		return visible_type_line(c, p, v, err);
	if (v && strcmp(s, "rng") == 0 && !p->rng_name &&
	    (p->rng_hex = strchr(v, ' '))) {
		*p->rng_hex++ = '\0';
		p->rng_name = v;
		return 0;
	}
	for (k = 0; k < NKEYS && strcmp(s, key_at(k).name) != 0; k++)
		;
	if (k == NKEYS && strcmp(s, "rng") != 0) {
		rbm_err_set(err, "%s:%lu: unknown key '%.40s'", c->path,
			    c->line, s);
		return -1;
	}
	if (k == NKEYS || p->seen[k]++) {
		rbm_err_set(err, "%s:%lu: bad or repeated '%s' line", c->path,
			    c->line, s);
		return -1;
	}
	if (!v || parse_value(k, v, &p->h) < 0) {
		char want[128];

		wants(k, want, sizeof(want));
		return rbm_err_set(err, "%s:%lu: '%s' needs %s", c->path,
				   c->line, s, want);
	}
	return 0;
}

/* Header lines up to "visible_bias"; 0 or -1 with a message. */
static int parse_header(struct cursor *c, struct parsed *p, int version,
			struct rbm_err *err)
{
	char *s;
	size_t k;

	rbm_train_defaults(&p->h.p);
	if (version == 1) {	/* rbmcmd 1.0 trained with CD-1 at a fixed rate */
		p->h.p.pcd = 0;
		p->h.p.schedule = RBM_SCHEDULE_CONSTANT;
	}
	while ((s = next_line(c)) && strcmp(s, "visible_bias") != 0)
		if (s[0] != '#' && header_line(c, p, s, err) < 0)
			return -1;
	/* Files from before average_fraction, visible_centering or
	 * pcd_chains trained without them (one chain a batch row), and go
	 * on so (a new model's defaults are in rbm_train_defaults). */
	if (!p->seen[NMODEL_KEYS + RBM_SETTING_AVERAGE_FRACTION])
		p->h.p.average_fraction = 0;
	if (!p->seen[NMODEL_KEYS + RBM_SETTING_CHAINS])
		p->h.p.chains = 0;
	if (!p->seen[NMODEL_KEYS + RBM_SETTING_VISIBLE_CENTERING])
		p->h.p.visible_centering = 0;
	for (k = 0; k < NKEYS; k++)
		if (key_at(k).required && !p->seen[k])
			return rbm_err_set(err, "%s: no '%s' line in the "
					   "header", c->path, key_at(k).name);
	if (!p->rng_name) {
		rbm_err_set(err, "%s: no 'rng' line in the header", c->path);
		return -1;
	}
	if (!s) {
		rbm_err_set(err, "%s:%lu: expected 'visible_bias'", c->path,
			    c->line);
		return -1;
	}
	if (rbm_train_check_params(&p->h.p, err) < 0) {
		rbm_err_prefix(err, "%s: training options", c->path);
		return -1;
	}
	return 0;
}

/* n lines of a matrix's rows; 0 or -1 with a message. */
static int parse_matrix(struct cursor *c, gsl_matrix_float *m,
			struct rbm_err *err)
{
	size_t i;

	for (i = 0; i < m->size1; i++)
		if (parse_floats(c, next_line(c),
				 gsl_matrix_float_ptr(m, i, 0), m->size2, 1,
				 err) < 0)
			return -1;
	return 0;
}

static int parse_vector(struct cursor *c, gsl_vector_float *v,
			struct rbm_err *err)
{
	return parse_floats(c, next_line(c), v->data, v->size, v->stride, err);
}

/* Biases and weights after the header; 0 or -1 with a message. */
static int parse_model(struct cursor *c, struct rbm *m, struct rbm_err *err)
{
	if (parse_vector(c, m->b, err) < 0 ||
	    expect_word(c, "hidden_bias", err) < 0 ||
	    parse_vector(c, m->c, err) < 0 ||
	    expect_word(c, "weights", err) < 0)
		return -1;
	return parse_matrix(c, m->w, err);
}

/* A vector section's line into a new vector at *slot (empty before). */
static int vector_section(struct cursor *c, gsl_vector_float **slot,
			  size_t n, struct rbm_err *err)
{
	if (*slot)
		return -1;
	*slot = gsl_vector_float_alloc(n);
	return *slot ? parse_vector(c, *slot, err) : -1;
}

/* The PCD chains: "chains R" then R rows. */
static int chains_section(struct cursor *c, struct rbm_state *s,
			  const char *arg, struct rbm_err *err)
{
	size_t r, nh = s->model->nh;

	if (s->train.chains || parse_size(arg, 1, RBM_MAX_BATCH_SIZE, &r) < 0 ||
	    (size_t)(c->end - c->p) / 2 < r * nh)
		return -1;
	s->train.chains = gsl_matrix_float_alloc(r, nh);
	return s->train.chains ? parse_matrix(c, s->train.chains, err) : -1;
}

/* A model-shaped section (velocity, iterate) into *dst, NULL before. */
static int params_section(struct cursor *c, struct rbm_state *s,
			  struct rbm **dst, struct rbm_err *err)
{
	struct rbm *m = s->model;

	if (*dst || !(*dst = rbm_alloc(m->nv, m->nh, err)))
		return -1;
	if (parse_vector(c, (*dst)->b, err) < 0 ||
	    parse_vector(c, (*dst)->c, err) < 0)
		return -1;
	return parse_matrix(c, (*dst)->w, err);
}

/* The optional sections up to the end; 0 or -1 with a message. */
static int parse_sections(struct cursor *c, struct rbm_state *s,
			  struct rbm_err *err)
{
	struct rbm_train_state *ts = &s->train;
	char *line, *arg;
	int rc;

	while ((line = next_line(c))) {
		arg = strchr(line, ' ');
		if (arg)
			*arg++ = '\0';
		err->msg[0] = '\0';
		if (strcmp(line, "velocity") == 0 && !arg)
			rc = params_section(c, s, &ts->velocity, err);
		else if (strcmp(line, "iterate") == 0 && !arg)
			rc = params_section(c, s, &ts->iterate, err);
		else if (strcmp(line, "chains") == 0 && arg)
			rc = chains_section(c, s, arg, err);
		else if (strcmp(line, "visible_offset") == 0 && !arg)
			rc = vector_section(c, &ts->vis_offset, s->model->nv,
					    err);
		else if (strcmp(line, "hidden_offset") == 0 && !arg)
			rc = vector_section(c, &ts->hid_offset, s->model->nh,
					    err);
		else if (strcmp(line, "hidden_mean") == 0 && !arg)
			rc = vector_section(c, &ts->hid_mean, s->model->nh,
					    err);
		else
			rc = -1;
		if (rc < 0) {
			if (!err->msg[0])
				rbm_err_set(err, "%s:%lu: unexpected, repeated "
					    "or too large section '%.40s'",
					    c->path, c->line, line);
			return -1;
		}
	}
	return 0;
}

/* The state from the parsed header; NULL with a message. */
static struct rbm_state *new_state(const char *path, struct parsed *p,
				   struct rbm_err *err)
{
	struct rbm_state *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s || !(s->model = rbm_alloc(p->h.nv, p->h.nh, err)))
		goto fail;
	if (rbm_visible_set(s->model, p->vis_type, p->vis_k, err) < 0) {
		rbm_err_prefix(err, "%s:%lu", path, p->vis_line);
		goto fail;
	}
	s->params = p->h.p;
	s->train.epochs = p->h.epochs;
	s->rng = rbm_rng_from_hex(p->rng_name, p->rng_hex, err);
	if (!s->rng) {
		rbm_err_prefix(err, "%s", path);
		goto fail;
	}
	for (i = 0; i < p->nhistory; i++)
		if (rbm_state_add_history(s, p->history[i]) < 0)
			goto fail;
	return s;
fail:
	if (!s)
		rbm_err_set(err, "%s: out of memory", path);
	rbm_state_free(s);
	return NULL;
}

/* Build the state from a checked body [p, end); NULL with a message. */
static struct rbm_state *parse_state(const char *path, int version,
				     char *p, char *end,
				     struct rbm_err *err)
{
	struct cursor c = { path, p, end, 0 };
	struct parsed ph;
	struct rbm_state *s;
	const char *nul = memchr(p, '\0', (size_t)(end - p));

	/* Lines end at a NUL in C: the rest of the line would go unread. */
	if (nul) {
		unsigned long line = 1;

		for (; p < nul; p++)
			line += *p == '\n';
		rbm_err_set(err, "%s:%lu: a NUL byte; not a text state file",
			    path, line);
		return NULL;
	}
	memset(&ph, 0, sizeof(ph));
	ph.vis_k = 1;
	next_line(&c);	/* magic, already checked */
	if (parse_header(&c, &ph, version, err) < 0)
		return NULL;
	if (rbm_check_size(ph.h.nv, ph.h.nh, err) < 0) {
		rbm_err_prefix(err, "%s", path);
		return NULL;
	}
	if ((size_t)(end - p) / 2 < ph.h.nv * ph.h.nh) { /* before allocating */
		rbm_err_set(err, "%s: too short for a %zu x %zu model",
			    path, ph.h.nv, ph.h.nh);
		return NULL;
	}
	s = new_state(path, &ph, err);
	if (s && (parse_model(&c, s->model, err) < 0 ||
		  parse_sections(&c, s, err) < 0)) {
		rbm_state_free(s);
		s = NULL;
	}
	return s;
}

static int check_magic(const char *path, const char *buf, size_t len,
		       struct rbm_err *err);

#define HEAD_BYTES 64	/* enough for the first line of a state file */

/*
 * Refuse the regular file fd of size bytes by its first line and its last
 * before reading it whole: a file named by mistake (a data set of
 * gigabytes, a sparse file) would otherwise be read into memory, for a
 * minute or until memory runs out, only to be refused.  The same
 * messages as the checks of the whole file; 0 if it may be one.
 */
static int precheck(const char *path, int fd, off_t size, struct rbm_err *err)
{
	char head[HEAD_BYTES + 1], tail[sizeof(END_TAG) + 17];
	size_t tl = strlen(END_TAG);
	ssize_t n = pread(fd, head, HEAD_BYTES, 0);

	if (n < 0)
		return 0;	/* the whole read will say why */
	head[n] = '\0';
	if (rbm_pickle_detect(head, (size_t)n))
		return 0;
	if (check_magic(path, head, (size_t)n, err) < 0)
		return -1;
	if (size < (off_t)(tl + 18) ||
	    pread(fd, tail, tl + 18, size - (off_t)(tl + 18)) !=
	    (ssize_t)(tl + 18) || tail[0] != '\n' ||
	    memcmp(tail + 1, END_TAG, tl) != 0 || tail[tl + 17] != '\n') {
		rbm_err_set(err, "%s: truncated (no end line); not a complete "
			    "state file", path);
		return -1;
	}
	return 0;
}

/* The whole file, NUL-terminated, in a malloc'ed buffer; NULL with a message. */
static char *read_file(const char *path, size_t *len, struct rbm_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	/* O_NONBLOCK: a FIFO in its place must be refused, not wait for a
	 * writer for ever (regular files ignore the flag). */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		rbm_err_set(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (precheck(path, fd, st.st_size, err) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto fail;
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
fail:
	rbm_err_set(err, "%s: %s", path,
		    errno ? strerror(errno) : "file changed while read");
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* Check magic and version; the version, or -1 with a message. */
static int check_magic(const char *path, const char *buf, size_t len,
		       struct rbm_err *err)
{
	size_t m = strlen(RBM_STATE_MAGIC);
	char *end;
	long v;

	if (len <= m || strncmp(buf, RBM_STATE_MAGIC " ", m + 1) != 0) {
		rbm_err_set(err, "%s: not an rbmcmd state file", path);
		return -1;
	}
	v = strtol(buf + m + 1, &end, 10);
	if (end == buf + m + 1 || (*end != '\n' && *end) || v < 1) {
		rbm_err_set(err, "%s:1: unknown state file version", path);
		return -1;
	}
	if (v > RBM_STATE_VERSION) {
		rbm_err_set(err, "%s: state file version %ld is newer than "
			    "this rbmcmd reads (%d); use a newer rbmcmd",
			    path, v, RBM_STATE_VERSION);
		return -1;
	}
	return (int)v;
}

/* Find the end line and verify the checksum; the body length or -1. */
static long check_sum(const char *path, const char *buf, size_t len,
		      struct rbm_err *err)
{
	size_t tl = strlen(END_TAG);
	const char *last;
	unsigned long long want;
	char *end;

	if (len == 0 || buf[len - 1] != '\n')
		goto truncated;
	for (last = buf + len - 1; last > buf && last[-1] != '\n'; last--)
		;
	if ((size_t)(buf + len - last) != tl + 17 ||
	    strncmp(last, END_TAG, tl) != 0)
		goto truncated;
	want = strtoull(last + tl, &end, 16);
	if (end != buf + len - 1) {
		rbm_err_set(err, "%s: malformed checksum line", path);
		return -1;
	}
	if (rbm_state_checksum(buf, (size_t)(last - buf)) != want) {
		rbm_err_set(err, "%s: checksum mismatch: the file is "
			    "corrupted", path);
		return -1;
	}
	return (long)(last - buf);
truncated:
	rbm_err_set(err, "%s: truncated (no end line); not a complete "
		    "state file", path);
	return -1;
}

/*
 * A state around the original rbmcmd's pickled model (pickle.h): its
 * learning rate (when train would take it) and otherwise the defaults,
 * version RBM_STATE_PICKLE, and a history line saying where it came from.
 * NULL with a message.
 */
static struct rbm_state *load_pickle(const char *path, const char *buf,
				     size_t len, struct rbm_err *err)
{
	struct rbm_pickle_info info;
	struct rbm_train_settings p;
	struct rbm_state *s;
	struct rbm *m = rbm_pickle_read(buf, len, path, &info, err);
	char line[160], rate[48];

	if (!m)
		return NULL;
	rbm_train_defaults(&p);
	p.learning_rate = info.learning_rate;
	if (rbm_train_check_params(&p, NULL) < 0) {
		rbm_train_defaults(&p);
		snprintf(rate, sizeof(rate), "%.3g unusable, default ",
			 info.learning_rate);
	} else {
		rate[0] = '\0';
	}
	rbm_setting_format(&p, RBM_SETTING_LEARNING_RATE, 0,
			   rate + strlen(rate), sizeof(rate) - strlen(rate));
	snprintf(line, sizeof(line), "read: the original Python rbmcmd's "
		 "pickle (protocol %d%s), learning rate %s", info.protocol,
		 info.old_style ? ", Python 2" : "", rate);
	if (!(s = rbm_state_adopt(m, &p, 0, err)))
		return NULL;
	s->version = RBM_STATE_PICKLE;
	if (rbm_state_add_history(s, line) < 0) {
		rbm_err_set(err, "%s: out of memory", path);
		rbm_state_free(s);
		return NULL;
	}
	return s;
}

struct rbm_state *rbm_state_load(const char *path, struct rbm_err *err)
{
	struct rbm_state *s = NULL;
	size_t len;
	long body;
	int version = 0;
	char *buf = read_file(path, &len, err);

	if (!buf)
		return NULL;
	if (rbm_pickle_detect(buf, len)) {
		s = load_pickle(path, buf, len, err);
		free(buf);
		return s;
	}
	if ((version = check_magic(path, buf, len, err)) > 0 &&
	    (body = check_sum(path, buf, len, err)) >= 0)
		s = parse_state(path, version, buf, buf + body, err);
	if (s)
		s->version = version;
	free(buf);
	return s;
}

struct rbm_state *rbm_state_parse(const char *name, const char *data,
				  size_t len, struct rbm_err *err)
{
	struct rbm_state *s = NULL;
	char *buf = malloc(len + 1);
	long body;
	int version;

	if (!buf) {
		rbm_err_set(err, "%s: out of memory", name);
		return NULL;
	}
	memcpy(buf, data, len);
	buf[len] = '\0';
	if ((version = check_magic(name, buf, len, err)) > 0 &&
	    (body = check_sum(name, buf, len, err)) >= 0)
		s = parse_state(name, version, buf, buf + body, err);
	if (s)
		s->version = version;
	free(buf);
	return s;
}

int rbm_state_may_overwrite(const char *path, struct rbm_err *err)
{
	char head[sizeof(RBM_STATE_MAGIC)];
	struct stat st;
	ssize_t k;
	int fd;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : (rbm_err_set(err, "%s: %s", path,
					       strerror(errno)), -1);
	if (!S_ISREG(st.st_mode)) {
		rbm_err_set(err, "%s: not a regular file; not overwriting",
			    path);
		return -1;
	}
	if (st.st_size == 0)
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	k = read(fd, head, sizeof(head));
	close(fd);
	if (k == (ssize_t)sizeof(head) &&
	    memcmp(head, RBM_STATE_MAGIC " ", sizeof(head)) == 0)
		return 0;
	if (k > 0 && rbm_pickle_detect(head, (size_t)k)) {
		rbm_err_set(err, "%s is the original Python rbmcmd's model "
			    "(a pickle); not overwriting it (every command "
			    "reads it as it is; to train it, convert it into "
			    "a new file: rbmcmd NEW import < %s)", path, path);
		return -1;
	}
	rbm_err_set(err, "%s exists and is not an rbmcmd state file; "
		    "not overwriting it", path);
	return -1;
}

const char *rbm_state_param(size_t i, const struct rbm_train_settings *p,
			    char *buf, size_t size)
{
	if (i >= RBM_NSETTINGS)
		return NULL;
	rbm_setting_format(p, i, 0, buf, size);
	return rbm_settings[i].key;
}
