/*
 * log.c - the CSV training log, written and read (see log.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *const rbm_log_names[RBM_LOG_NCOLS] = {
	"epoch", "learning_rate", "momentum", "recon_error",
	"free_energy_train", "free_energy_valid", "loglik", "seconds"
};

#define MAX_FIELDS 64		/* columns a log may have */

/* ---- reading ---- */

struct parser {
	const char *name;	/* for messages */
	unsigned long line;	/* number of the line being read */
	char *header;		/* the header line, to skip its repeats */
	size_t nf;		/* fields a line */
	int map[MAX_FIELDS];	/* column of each field; -1 ignored */
	struct rbm_log *log;
	size_t cap;		/* values allocated in each column */
};

/* Strip blanks, and the line end, from both ends of s (in place). */
static char *trim(char *s)
{
	char *e = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	*e = '\0';
	return s;
}

/*
 * Cut line at its commas into f[] (trimmed); returns the number of
 * fields, which is more than max (and only max stored) on a long line.
 */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *c;

	for (;;) {
		c = strchr(line, ',');
		if (c)
			*c = '\0';
		if (n < max)
			f[n] = trim(line);
		n++;
		if (!c)
			return n;
		line = c + 1;
	}
}

static int parse_header(struct parser *p, char *line, struct rbm_err *err)
{
	char *f[MAX_FIELDS];
	size_t i, n = split(line, f, MAX_FIELDS);
	int c, have_epoch = 0;

	if (n > MAX_FIELDS) {
		rbm_err_set(err, "%s:%lu: more than %d columns", p->name,
			    p->line, MAX_FIELDS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		p->map[i] = -1;
		for (c = 0; c < RBM_LOG_NCOLS; c++)
			if (strcmp(f[i], rbm_log_names[c]) == 0)
				p->map[i] = c;
		for (c = 0; c < (int)i; c++)
			if (strcmp(f[i], f[c]) == 0 && *f[i]) {
				rbm_err_set(err, "%s:%lu: column '%s' "
					    "appears twice", p->name, p->line,
					    f[i]);
				return -1;
			}
		have_epoch |= p->map[i] == RBM_LOG_EPOCH;
	}
	if (!have_epoch) {
		rbm_err_set(err, "%s:%lu: not a training log: the first line "
			    "must name the columns, one of them 'epoch'",
			    p->name, p->line);
		return -1;
	}
	p->nf = n;
	return 0;
}

/* Room for one more epoch in every column; 0, or -1 with a message. */
static int grow(struct parser *p, struct rbm_err *err)
{
	size_t c, cap = p->cap ? 2 * p->cap : 64;

	if (p->log->n < p->cap)
		return 0;
	for (c = 0; c < RBM_LOG_NCOLS; c++) {
		double *v = realloc(p->log->col[c], cap * sizeof(*v));
		if (!v) {
			rbm_err_set(err, "%s: out of memory", p->name);
			return -1;
		}
		p->log->col[c] = v;
	}
	p->cap = cap;
	return 0;
}

/* One field into *out: NAN if empty; 0, or -1 with a message. */
static int parse_field(const struct parser *p, const char *s, size_t i,
		       double *out, struct rbm_err *err)
{
	char *end;

	*out = NAN;
	if (!*s && p->map[i] != RBM_LOG_EPOCH)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	if (end != s && !*end && !errno && isfinite(*out))
		return 0;
	rbm_err_set(err, "%s:%lu: %s ('%.40s') is not a %snumber", p->name,
		    p->line, rbm_log_names[p->map[i]], s,
		    end != s && !*end ? "finite " : "");
	return -1;
}

static int parse_line(struct parser *p, char *line, struct rbm_err *err)
{
	char *f[MAX_FIELDS];
	size_t i, c, n = split(line, f, MAX_FIELDS), k = p->log->n;

	if (n != p->nf) {
		rbm_err_set(err, "%s:%lu: expected %zu fields, got %zu",
			    p->name, p->line, p->nf, n);
		return -1;
	}
	if (grow(p, err) < 0)
		return -1;
	for (c = 0; c < RBM_LOG_NCOLS; c++)
		p->log->col[c][k] = NAN;
	for (i = 0; i < n; i++)
		if (p->map[i] >= 0 &&
		    parse_field(p, f[i], i, &p->log->col[p->map[i]][k],
				err) < 0)
			return -1;
	p->log->n++;
	return 0;
}

/* Header, repeated header, blank line or figures; 0, or -1. */
static int parse_any(struct parser *p, char *line, struct rbm_err *err)
{
	char *t = trim(line);

	if (!p->header) {
		p->header = strdup(t);
		if (!p->header) {
			rbm_err_set(err, "%s: out of memory", p->name);
			return -1;
		}
		return parse_header(p, t, err);
	}
	if (!*t || strcmp(t, p->header) == 0)
		return 0;
	return parse_line(p, t, err);
}

struct rbm_log *rbm_log_parse(FILE *f, const char *name,
			      struct rbm_err *err)
{
	struct parser p = { .name = name };
	char *line = NULL;
	size_t cap = 0;
	int ok = 1;

	p.log = calloc(1, sizeof(*p.log));
	if (!p.log) {
		rbm_err_set(err, "%s: out of memory", name);
		return NULL;
	}
	errno = 0;
	while (ok && getline(&line, &cap, f) >= 0) {
		p.line++;
		ok = parse_any(&p, line, err) == 0;
	}
	if (ok && ferror(f)) {
		rbm_err_set(err, "%s: %s", name, strerror(errno));
		ok = 0;
	} else if (ok && !p.header) {
		rbm_err_set(err, "%s: empty file, not a training log", name);
		ok = 0;
	} else if (ok && p.log->n == 0) {
		rbm_err_set(err, "%s: no epochs in the log", name);
		ok = 0;
	}
	free(line);
	free(p.header);
	if (!ok) {
		rbm_log_free(p.log);
		return NULL;
	}
	return p.log;
}

struct rbm_log *rbm_log_read(const char *path, struct rbm_err *err)
{
	struct rbm_log *log;
	FILE *f = fopen(path, "r");

	if (!f) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	log = rbm_log_parse(f, path, err);
	fclose(f);
	return log;
}

void rbm_log_free(struct rbm_log *log)
{
	size_t c;

	if (!log)
		return;
	for (c = 0; c < RBM_LOG_NCOLS; c++)
		free(log->col[c]);
	free(log);
}

/* A CSV field: the number, or nothing when it was not measured. */
static void csv_field(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, ",%.9g", x);
	else
		fputc(',', f);
}

void rbm_log_write_header(FILE *f)
{
	int c;

	for (c = 0; c < RBM_LOG_NCOLS; c++)
		fprintf(f, "%s%s", c ? "," : "", rbm_log_names[c]);
	fputc('\n', f);
}

void rbm_log_write_epoch(FILE *f, unsigned long epoch, const double *fig)
{
	int c;

	fprintf(f, "%lu", epoch);
	for (c = RBM_LOG_EPOCH + 1; c < RBM_LOG_NCOLS; c++)
		csv_field(f, fig[c]);
	fputc('\n', f);
}
