/*
 * state.c - the state file (format in state.h).
 *
 * Saving formats the whole file in memory (open_memstream), appends the
 * checksum line and hands the bytes to rbm_atomic_write.  Loading reads
 * the whole file, checks magic, version, end line and checksum before it
 * believes anything else, then parses with a line cursor so that every
 * message names the line.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "rng.h"
#include "state.h"

#define END_TAG "end fnv1a64 "

/* FNV-1a, 64 bits: cheap, and any changed byte changes it. */
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

struct rbm_state *rbm_state_create(size_t nv, size_t nh,
				   const struct rbm_train_params *p,
				   unsigned long seed, struct rbm_err *err)
{
	struct rbm_state *s = calloc(1, sizeof(*s));

	if (!s) {
		rbm_err_set(err, "out of memory");
		return NULL;
	}
	s->params = *p;
	s->model = rbm_alloc(nv, nh, err);
	if (!s->model || !(s->rng = rbm_rng_alloc(seed, err))) {
		rbm_state_free(s);
		return NULL;
	}
	rbm_init_random(s->model, s->rng);
	return s;
}

void rbm_state_free(struct rbm_state *s)
{
	if (!s)
		return;
	rbm_free(s->model);
	if (s->rng)
		gsl_rng_free(s->rng);
	free(s);
}

/* ---- saving ---- */

static void put_floats(FILE *f, const float *x, size_t n, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, i ? " %.9g" : "%.9g", (double)x[i * stride]);
	fputc('\n', f);
}

static void put_model(FILE *f, const struct rbm *m)
{
	size_t i;

	fputs("visible_bias\n", f);
	put_floats(f, m->b->data, m->nv, m->b->stride);
	fputs("hidden_bias\n", f);
	put_floats(f, m->c->data, m->nh, m->c->stride);
	fputs("weights\n", f);
	for (i = 0; i < m->nv; i++)
		put_floats(f, gsl_matrix_float_const_ptr(m->w, i, 0), m->nh, 1);
}

/* The file's bytes up to (not including) the end line; -1 if no memory. */
static int format_body(const struct rbm_state *s, char **buf, size_t *len)
{
	char *hex = rbm_rng_state_hex(s->rng);
	FILE *f;

	if (!hex)
		return -1;
	f = open_memstream(buf, len);
	if (!f) {
		free(hex);
		return -1;
	}
	fprintf(f, "%s %d\n", RBM_STATE_MAGIC, RBM_STATE_VERSION);
	fprintf(f, "# rbmcmd %s state file, see rbmcmd(1). The checksum on "
		   "the last line\n# covers every byte above it.\n",
		PACKAGE_VERSION);
	fprintf(f, "visible %zu\nhidden %zu\n", s->model->nv, s->model->nh);
	fprintf(f, "learning_rate %.17g\n", s->params.learning_rate);
	fprintf(f, "batch_size %zu\n", s->params.batch_size);
	fprintf(f, "epochs %lu\n", s->epochs);
	fprintf(f, "rng %s %s\n", gsl_rng_name(s->rng), hex);
	free(hex);
	put_model(f, s->model);
	if (ferror(f)) {
		fclose(f);
		free(*buf);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int rbm_state_save(const struct rbm_state *s, const char *path,
		   struct rbm_err *err)
{
	char *buf = NULL, *all;
	size_t len = 0, tail = sizeof(END_TAG) + 18;
	int rc;

	if (format_body(s, &buf, &len) < 0 || !(all = realloc(buf, len + tail))) {
		free(buf);
		rbm_err_set(err, "cannot save %s: out of memory", path);
		return -1;
	}
	len += (size_t)snprintf(all + len, tail, END_TAG "%016" PRIx64 "\n",
				fnv1a64(all, len));
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
		errno = 0;
		x[i * stride] = strtof(s, &end);
		if (end == s || (*end && *end != ' ') ||
		    !isfinite(x[i * stride])) {
			rbm_err_set(err, "%s:%lu: number %zu is not a finite "
				    "number", c->path, c->line, i + 1);
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

enum { K_VISIBLE, K_HIDDEN, K_RATE, K_BATCH, K_EPOCHS, K_RNG, NKEYS };
static const char *const key_names[NKEYS] = {
	"visible", "hidden", "learning_rate", "batch_size", "epochs", "rng"
};

/* What the header says, before anything is allocated from it. */
struct header {
	size_t nv, nh, batch;
	double rate;
	unsigned long epochs;
	char *rng_name, *rng_hex;	/* point into the file's buffer */
	int seen[NKEYS];
};

static int parse_key(struct header *h, int key, char *v)
{
	size_t e;
	char *end, *sp;

	switch (key) {
	case K_VISIBLE:
		return parse_size(v, 1, RBM_MAX_UNITS, &h->nv);
	case K_HIDDEN:
		return parse_size(v, 1, RBM_MAX_UNITS, &h->nh);
	case K_BATCH:
		return parse_size(v, 1, RBM_MAX_BATCH_SIZE, &h->batch);
	case K_EPOCHS:
		if (parse_size(v, 0, (size_t)-1, &e) < 0)
			return -1;
		h->epochs = e;
		return 0;
	case K_RATE:
		errno = 0;
		h->rate = strtod(v, &end);
		return end == v || *end || errno || !(h->rate > 0) ||
		       !isfinite(h->rate) ? -1 : 0;
	default:
		sp = strchr(v, ' ');
		if (!sp)
			return -1;
		*sp = '\0';
		h->rng_name = v;
		h->rng_hex = sp + 1;
		return 0;
	}
}

/* Header lines up to "visible_bias"; 0 or -1 with a message. */
static int parse_header(struct cursor *c, struct header *h,
			struct rbm_err *err)
{
	char *s, *v;
	int k;

	while ((s = next_line(c)) && strcmp(s, "visible_bias") != 0) {
		if (s[0] == '#')
			continue;
		v = strchr(s, ' ');
		if (v)
			*v++ = '\0';
		for (k = 0; k < NKEYS && strcmp(s, key_names[k]) != 0; k++)
			;
		if (k == NKEYS) {
			rbm_err_set(err, "%s:%lu: unknown key '%.40s'",
				    c->path, c->line, s);
			return -1;
		}
		if (h->seen[k]++ || !v || parse_key(h, k, v) < 0) {
			rbm_err_set(err, "%s:%lu: bad or repeated '%s' line",
				    c->path, c->line, s);
			return -1;
		}
	}
	for (k = 0; k < NKEYS; k++)
		if (!h->seen[k]) {
			rbm_err_set(err, "%s: no '%s' line in the header",
				    c->path, key_names[k]);
			return -1;
		}
	if (!s) {
		rbm_err_set(err, "%s:%lu: expected 'visible_bias'",
			    c->path, c->line);
		return -1;
	}
	return 0;
}

/* Biases and weights after the header; 0 or -1 with a message. */
static int parse_model(struct cursor *c, struct rbm *m, struct rbm_err *err)
{
	size_t i;

	if (parse_floats(c, next_line(c), m->b->data, m->nv, m->b->stride,
			 err) < 0 ||
	    expect_word(c, "hidden_bias", err) < 0 ||
	    parse_floats(c, next_line(c), m->c->data, m->nh, m->c->stride,
			 err) < 0 ||
	    expect_word(c, "weights", err) < 0)
		return -1;
	for (i = 0; i < m->nv; i++)
		if (parse_floats(c, next_line(c),
				 gsl_matrix_float_ptr(m->w, i, 0), m->nh, 1,
				 err) < 0)
			return -1;
	if (c->p < c->end) {
		next_line(c);
		rbm_err_set(err, "%s:%lu: more rows than the %zu x %zu model "
			    "has", c->path, c->line, m->nv, m->nh);
		return -1;
	}
	return 0;
}

/* Build the state from a checked body [p, end); NULL with a message. */
static struct rbm_state *parse_state(const char *path, char *p, char *end,
				     struct rbm_err *err)
{
	struct cursor c = { path, p, end, 0 };
	struct header h = { 0 };
	struct rbm_state *s = NULL;

	next_line(&c);	/* magic, already checked */
	if (parse_header(&c, &h, err) < 0)
		return NULL;
	if (rbm_check_size(h.nv, h.nh, err) < 0) {
		rbm_err_prefix(err, "%s", path);
		return NULL;
	}
	if ((size_t)(end - p) / 2 < h.nv * h.nh) {	/* before allocating */
		rbm_err_set(err, "%s: too short for a %zu x %zu model",
			    path, h.nv, h.nh);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->model = rbm_alloc(h.nv, h.nh, err)))
		goto fail;
	s->params.learning_rate = h.rate;
	s->params.batch_size = h.batch;
	s->epochs = h.epochs;
	s->rng = rbm_rng_from_hex(h.rng_name, h.rng_hex, err);
	if (!s->rng) {
		rbm_err_prefix(err, "%s", path);
		goto fail;
	}
	if (parse_model(&c, s->model, err) < 0)
		goto fail;
	return s;
fail:
	if (!s)
		rbm_err_set(err, "%s: out of memory", path);
	rbm_state_free(s);
	return NULL;
}

/* The whole file, NUL-terminated, in a malloc'ed buffer; NULL with a message. */
static char *read_file(const char *path, size_t *len, struct rbm_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		rbm_err_set(err, "%s: not a regular file", path);
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

/* Check magic and version; 0 or -1 with a message. */
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
	return 0;
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
	if (fnv1a64(buf, (size_t)(last - buf)) != want) {
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

struct rbm_state *rbm_state_load(const char *path, struct rbm_err *err)
{
	struct rbm_state *s = NULL;
	size_t len;
	long body;
	char *buf = read_file(path, &len, err);

	if (!buf)
		return NULL;
	if (check_magic(path, buf, len, err) == 0 &&
	    (body = check_sum(path, buf, len, err)) >= 0)
		s = parse_state(path, buf, buf + body, err);
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
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	k = read(fd, head, sizeof(head));
	close(fd);
	if (k == (ssize_t)sizeof(head) &&
	    memcmp(head, RBM_STATE_MAGIC " ", sizeof(head)) == 0)
		return 0;
	rbm_err_set(err, "%s exists and is not an rbmcmd state file; "
		    "not overwriting it", path);
	return -1;
}
