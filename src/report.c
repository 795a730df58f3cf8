/*
 * report.c - progress bar, per-epoch lines, CSV log (written by log.c)
 * and history text (see report.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "report.h"
#include "settings.h"

#define BAR_MAX 40	/* the widest bar, in characters */
#define BAR_MIN 5	/* narrower than this, no bar at all */

double report_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void report_guard(struct report *r)
{
	r->guard = 1;
}

#define LINE_MAX_LEN 512	/* no line of ours is longer */

/*
 * Whether a line of len bytes goes to stderr now without blocking, with a
 * page to spare for the last messages: always unless guarded and stderr
 * is a pipe (nothing else writes to it, so its room only grows until we
 * write).  A pipe holds its bytes in pages: all but the first (maybe
 * partly read) and the last hold at least a page less a line, so
 * used + len bytes fill at most 2 + (used + len) / (page - line) pages,
 * which must leave one of the pipe's pages free.
 */
static int room_for(const struct report *r, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int cap, used;

	if (!r->guard)
		return 1;
	fflush(stderr);
	cap = fcntl(STDERR_FILENO, F_GETPIPE_SZ);
	if (cap <= 0 || ioctl(STDERR_FILENO, FIONREAD, &used) < 0 || used < 0)
		return 1;	/* not a pipe */
	return 3 + ((size_t)used + len) / (page - LINE_MAX_LEN) <=
	       (size_t)cap / page;
}

int report_open(struct report *r, unsigned long epochs, int verbose,
		int quiet, const char *log_path, struct rbm_err *err)
{
	memset(r, 0, sizeof(*r));
	r->bar = !quiet && isatty(STDERR_FILENO);
	r->verbose = verbose;
	r->epochs = epochs;
	r->epoch = 1;
	r->start = r->epoch_start = report_now();
	r->log_path = log_path;
	if (!log_path)
		return 0;
	r->log = fopen(log_path, "w");
	if (!r->log) {
		rbm_err_set(err, "%s: %s", log_path, strerror(errno));
		return -1;
	}
	rbm_log_write_header(r->log);
	return 0;
}

int report_wants_metrics(const struct report *r)
{
	return r->bar || r->verbose || r->log;
}

void report_stdin_notice(const char *cmd)
{
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "%s: %s: reading rows from the terminal; end "
			"with Ctrl-D\n", PROG, cmd);
}

int report_columns(int fd)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	long n;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		n = strtol(env, &end, 10);
		if (!*end && n > 0 && n < 10000)
			return (int)n;
	}
	return 80;
}

/*
 * The bar line of the whole run: the epoch, a bar and percentage of all
 * the run's rows, the speed and the time left, cut to fit cols - 1
 * columns (the last column would wrap on some terminals): the bar
 * narrows first, then the speed and ETA go, then the line is cut.
 */
static void draw_bar(const struct report *r, double frac, double speed,
		     double eta, int cols)
{
	char head[64], tail[64], line[LINE_MAX_LEN], bar[BAR_MAX + 1];
	int width, fill, i, room = cols - 1;

	if (room > (int)sizeof(line) - 1)
		room = (int)sizeof(line) - 1;
	snprintf(head, sizeof(head), "%s: train: epoch %lu/%lu", PROG,
		 r->epoch, r->epochs);
	snprintf(tail, sizeof(tail), " %3.0f%% %.0f rows/s ETA %.0f:%02.0f",
		 floor(frac * 100), speed, floor(eta / 60),
		 fmod(floor(eta), 60));
	width = room - (int)strlen(head) - (int)strlen(tail) - 3;
	if (width < BAR_MIN) {	/* no room for speed and ETA either */
		snprintf(tail, sizeof(tail), " %3.0f%%", floor(frac * 100));
		width = room - (int)strlen(head) - (int)strlen(tail) - 3;
	}
	if (width > BAR_MAX)
		width = BAR_MAX;
	if (width >= BAR_MIN) {
		fill = (int)(width * frac);
		for (i = 0; i < width; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[width] = '\0';
		snprintf(line, sizeof(line), "%s [%s]%s", head, bar, tail);
	} else {
		snprintf(line, sizeof(line), "%s%s", head, tail);
	}
	if (room < 1)
		room = 1;
	line[(size_t)room < strlen(line) ? (size_t)room : strlen(line)] = '\0';
	if (room_for(r, strlen(line) + 8))
		fprintf(stderr, "\r%s\033[K", line);
}

int report_progress(void *arg, size_t done, size_t rows)
{
	struct report *r = arg;
	double now = report_now(), t = now - r->start;
	double frac = ((double)(r->epoch - 1) + (double)done / (double)rows) /
		      (double)r->epochs;
	double eta = frac > 0 ? t * (1 - frac) / frac : 0;
	double speed = t > 0 ? ((double)(r->epoch - 1) * (double)rows +
				(double)done) / t : 0.0;

	if (!r->bar || (now - r->last_draw < 0.1 && done < rows))
		return 0;
	r->last_draw = now;
	if (frac > 1)
		frac = 1;
	draw_bar(r, frac, speed, eta, report_columns(STDERR_FILENO));
	return 0;
}

int report_epoch(struct report *r, unsigned long model_epoch,
		 const struct rbm_epoch_stats *st,
		 const struct rbm_metrics *mt, struct rbm_err *err)
{
	double now = report_now();
	struct rbm_metrics none = { NAN, NAN, NAN, NAN, 0 };

	if (!mt)
		mt = &none;
	if (r->bar && room_for(r, 8))
		fputs("\r\033[K", stderr);
	if (r->verbose) {	/* no validation figure without the rows */
		char valid[64] = "", line[LINE_MAX_LEN];

		if (isfinite(mt->fe_valid))
			snprintf(valid, sizeof(valid), " (validation %.6g)",
				 mt->fe_valid);
		snprintf(line, sizeof(line), "%s: train: epoch %lu: "
			 "reconstruction error %.6g, free energy %.6g%s, rate "
			 "%.6g, %.2f s\n", PROG, model_epoch, mt->recon_error,
			 mt->fe_train, valid, st->rate, now - r->epoch_start);
		if (room_for(r, strlen(line)))
			fputs(line, stderr);
		else
			r->dropped++;
	}
	if (r->log) {
		double fig[RBM_LOG_NCOLS] = { 0 };
		fig[RBM_LOG_RATE] = st->rate;
		fig[RBM_LOG_MOMENTUM] = st->momentum;
		fig[RBM_LOG_RECON] = mt->recon_error;
		fig[RBM_LOG_FE_TRAIN] = mt->fe_train;
		fig[RBM_LOG_FE_VALID] = mt->fe_valid;
		fig[RBM_LOG_LOGLIK] = mt->loglik;
		fig[RBM_LOG_SECONDS] = now - r->epoch_start;
		rbm_log_write_epoch(r->log, model_epoch, fig);
		if (fflush(r->log) != 0) {
			rbm_err_set(err, "%s: %s", r->log_path,
				    strerror(errno));
			return -1;
		}
	}
	r->epoch++;
	r->epoch_start = now;
	return 0;
}

int report_close(struct report *r, struct rbm_err *err)
{
	if (r->bar && room_for(r, 8))
		fputs("\r\033[K", stderr);
	if (r->dropped)
		fprintf(stderr, "%s: train: %lu epoch lines not shown: the "
			"launcher was not reading standard error\n", PROG,
			r->dropped);
	if (r->log && fclose(r->log) != 0) {
		r->log = NULL;
		rbm_err_set(err, "%s: %s", r->log_path, strerror(errno));
		return -1;
	}
	r->log = NULL;
	return 0;
}

void report_history(char *buf, size_t len, unsigned long first,
		    unsigned long last, size_t rows,
		    const struct rbm_train_settings *p,
		    const struct rbm_metrics *mt)
{
	char date[32], settings[512], epochs[64], valid[64] = "";
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* A run of no epochs trained none: "epochs none", not "5011-5010". */
	if (last >= first)
		snprintf(epochs, sizeof(epochs), "%lu-%lu", first, last);
	else
		snprintf(epochs, sizeof(epochs), "none");
	if (isfinite(mt->fe_valid))	/* measured only with --validation */
		snprintf(valid, sizeof(valid), " validation %.6g",
			 mt->fe_valid);
	rbm_settings_history(p, settings, sizeof(settings));
	snprintf(buf, len, "%s epochs %s rows %zu %s recon %.6g "
		 "free_energy %.6g%s stuck %zu", date, epochs, rows, settings,
		 mt->recon_error, mt->fe_train, valid, mt->stuck);
}
