/*
 * report.c - progress bar, per-epoch lines, CSV log (written by log.c)
 * and history text (see report.h).
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "report.h"
#include "settings.h"

#define BAR_WIDTH 24

double report_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

int report_progress(void *arg, size_t done, size_t rows)
{
	struct report *r = arg;
	double now = report_now(), t = now - r->epoch_start;
	double frac = ((double)(r->epoch - 1) + (double)done / (double)rows) /
		      (double)r->epochs;
	double eta = frac > 0 ? (now - r->start) * (1 - frac) / frac : 0;
	char bar[BAR_WIDTH + 1];
	int i, fill = (int)(BAR_WIDTH * (double)done / (double)rows);

	if (!r->bar || (now - r->last_draw < 0.1 && done < rows))
		return 0;
	r->last_draw = now;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s: train: epoch %lu/%lu [%s] %.0f rows/s, "
		"ETA %.0f:%02.0f ", PROG, r->epoch, r->epochs, bar,
		t > 0 ? (double)done / t : 0.0, floor(eta / 60),
		fmod(floor(eta), 60));
	return 0;
}

int report_epoch(struct report *r, unsigned long model_epoch,
		 const struct rbm_epoch_stats *st,
		 const struct rbm_metrics *mt, struct rbm_err *err)
{
	double now = report_now();
	struct rbm_metrics none = { NAN, NAN, NAN };

	if (!mt)
		mt = &none;
	if (r->bar)
		fputs("\r\033[K", stderr);
	if (r->verbose)
		fprintf(stderr, "%s: train: epoch %lu: reconstruction error "
			"%.6g, free energy %.6g (validation %.6g), rate %.6g, "
			"%.2f s\n", PROG, model_epoch, mt->recon_error,
			mt->fe_train, mt->fe_valid, st->rate,
			now - r->epoch_start);
	if (r->log) {
		double fig[RBM_LOG_NCOLS] = { 0 };
		fig[RBM_LOG_RATE] = st->rate;
		fig[RBM_LOG_MOMENTUM] = st->momentum;
		fig[RBM_LOG_RECON] = mt->recon_error;
		fig[RBM_LOG_FE_TRAIN] = mt->fe_train;
		fig[RBM_LOG_FE_VALID] = mt->fe_valid;
		fig[RBM_LOG_LOGLIK] = NAN;
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
	if (r->bar)
		fputs("\r\033[K", stderr);
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
		    const struct rbm_train_params *p,
		    const struct rbm_metrics *mt)
{
	char date[32], settings[512];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rbm_settings_history(p, settings, sizeof(settings));
	snprintf(buf, len, "%s epochs %lu-%lu rows %zu %s recon %.6g "
		 "free_energy %.6g validation %.6g", date, first, last, rows,
		 settings, mt->recon_error, mt->fe_train, mt->fe_valid);
}
