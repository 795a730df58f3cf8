/*
 * dist.h - data-parallel training over MPI: who we are among the
 * processes an MPI launcher (mpirun, srun) started, the collective calls
 * train needs (allreduce, broadcast, agreement on errors), and reading
 * one process's part of a text file.
 *
 * MPI is initialised only when a launcher started the program (its
 * environment says so: OMPI_COMM_WORLD_SIZE, PMI_RANK, PMIX_RANK,
 * SLURM_PROCID), and only by train: a plain run pays nothing for it (Open
 * MPI's singleton start costs about half a second and may print), and
 * every other command runs as it does without MPI.  One binary rather
 * than a second one for clusters: the same command line works in both
 * places.  libmpi itself is not linked into the program but into the
 * module rbmcmd-mpi.so (dist_mpi.h), loaded only then, so a plain run
 * does not even load it.  Built without MPI (configure --without-mpi),
 * there is no module and always one process (rank 0 of 1), so callers
 * need no #ifdef.
 *
 * Failure policy: an error that every process meets at once (a bad
 * option, divergence) is reported once by rank 0; an error of one
 * process (a bad row in its part, out of memory) is agreed on with
 * rbm_dist_agree so that all stop together, and a process that dies
 * makes the launcher end the others (Open MPI's default).
 */
#ifndef RBM_DIST_H
#define RBM_DIST_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "data.h"
#include "err.h"
#include "rbm.h"

/* Whether an MPI launcher started this process (its environment). */
static inline int rbm_dist_launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_RANK") ||
	       getenv("PMIX_RANK") || getenv("SLURM_PROCID");
}

/*
 * Initialise MPI if a launcher started us (loading the MPI module first):
 * 0, or -1 with a message (a module that cannot be loaded, MPI_Init's
 * failure, or, built without MPI, more than one process).  The rank and
 * size are then those of MPI_COMM_WORLD, else 0 and 1.
 */
int rbm_dist_init(struct rbm_err *err);

/* Finalise MPI if rbm_dist_init initialised it. */
void rbm_dist_finalize(void);

/* End every process of the job with code (MPI_Abort; exit alone). */
void rbm_dist_abort(int code);

/* This process's rank, and the number of processes (1 without MPI). */
int rbm_dist_rank(void);
int rbm_dist_size(void);

/*
 * Every process learns whether all say ok (nonzero): the collective
 * answer, or 0 when MPI fails.
 */
int rbm_dist_agree(int ok);

/* The OR of every process's flag. */
int rbm_dist_any(int flag);

/* Whether every process has the same x. */
int rbm_dist_same(unsigned long long x);

/* Broadcast n bytes from rank 0 (n itself too: *n is set on the others,
 * *buf malloc'ed there); 0, or -1 with a message. */
int rbm_dist_bcast(char **buf, size_t *n, struct rbm_err *err);

/*
 * The train.h reduce: sums f and d in place across all processes with
 * MPI_Allreduce; arg unused.  Adds its time to rbm_dist_reduce_seconds.
 */
int rbm_dist_reduce(void *arg, float *f, size_t nf, double *d, size_t nd,
		    struct rbm_err *err);

/* Seconds spent in rbm_dist_reduce so far, on this process. */
double rbm_dist_reduce_seconds(void);

/* The sum over processes of mine in *total, and over lower ranks in
 * *before; 0, or -1 with a message. */
int rbm_dist_counts(size_t mine, size_t *before, size_t *total,
		    struct rbm_err *err);

/*
 * Rank 0 keeps the first of K near-equal slices of d's rows and sends
 * each other rank its own; the others' d (empty, of d's width) receive
 * theirs.  0, or -1 with a message.
 */
int rbm_dist_scatter(struct rbm_data *d, struct rbm_err *err);

/*
 * This process's part of the open file fd (named path): the lines that
 * start in its K-th of the bytes; *offset where its first line starts,
 * *span the bytes from there within which its lines start (for
 * rbm_rows_set_span), *lines the lines before its first.  Every process
 * counts the newlines of its bytes and they exchange the counts, so no
 * process reads more than its share.  0, or -1 with a message (on every
 * process when any fails).
 */
int rbm_dist_file_part(int fd, const char *path, off_t *offset,
		       size_t *span, unsigned long *lines,
		       struct rbm_err *err);

#endif
