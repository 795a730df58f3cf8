/*
 * report.h - how train tells the user what it is doing: a progress bar on
 * stderr when stderr is a terminal, a line of figures per epoch with
 * --verbose, a CSV log with --log, and the summary kept in the state
 * file's history.  Part of the CLI; the library never prints.
 */
#ifndef RBM_REPORT_H
#define RBM_REPORT_H

#include <stdio.h>

#include "monitor.h"
#include "train.h"

struct report {
	int bar;		/* draw the progress bar */
	int verbose;		/* a line per epoch */
	FILE *log;		/* CSV log, or NULL */
	const char *log_path;	/* its name for messages */
	unsigned long epoch;	/* epoch of the run being trained, 1-based */
	unsigned long epochs;	/* epochs in the run */
	double start;		/* monotonic seconds at the run's start */
	double epoch_start;	/* ... and at the current epoch's start */
	double last_draw;	/* when the bar was last drawn */
	int guard;		/* never block on stderr (report_guard) */
	unsigned long dropped;	/* lines not written to spare the pipe */
};

/*
 * Under an MPI launcher with several processes, rank 0's progress lines
 * must never block on stderr: the launcher may stop reading the pipe
 * (Open MPI's mpirun does while it ends a job on a signal) and the other
 * processes would then wait for rank 0 forever.  After this, a line that
 * does not fit in the pipe with room to spare for the last messages is
 * dropped and counted; report_close says how many.  Writes to anything
 * but a pipe are unchanged.
 */
void report_guard(struct report *r);

/* Monotonic time in seconds. */
double report_now(void);

/*
 * Set up reporting for a run of epochs epochs: the bar when stderr is a
 * terminal and not quiet, the CSV log (header written) when log_path is
 * not NULL.  0, or -1 with a message when the log cannot be created.
 */
int report_open(struct report *r, unsigned long epochs, int verbose,
		int quiet, const char *log_path, struct rbm_err *err);

/* The width of the terminal on fd: TIOCGWINSZ, else $COLUMNS, else 80. */
int report_columns(int fd);

/*
 * When standard input is a terminal, say on stderr that rows are read
 * from it and how to end them, so that a command waiting for input does
 * not look hung.
 */
void report_stdin_notice(const char *cmd);

/* Whether per-epoch figures are wanted (verbose, log or bar). */
int report_wants_metrics(const struct report *r);

/*
 * Training hook: redraw the bar of the whole run (epoch i/N, the share of
 * all its rows done, rows/s, time left), fitted to the terminal's width;
 * at most ten times a second.
 */
int report_progress(void *arg, size_t done, size_t rows);

/*
 * After an epoch: the verbose line and the CSV row, metrics NULL when not
 * measured.  0, or -1 with a message when the log cannot be written.
 */
int report_epoch(struct report *r, unsigned long model_epoch,
		 const struct rbm_epoch_stats *st,
		 const struct rbm_metrics *mt, struct rbm_err *err);

/* Clear the bar and close the log; 0, or -1 with a message. */
int report_close(struct report *r, struct rbm_err *err);

/*
 * The history line of a run: date, epochs first-last, rows, the training
 * parameters and the final figures, into buf.
 */
void report_history(char *buf, size_t len, unsigned long first,
		    unsigned long last, size_t rows,
		    const struct rbm_train_settings *p,
		    const struct rbm_metrics *mt);

#endif
