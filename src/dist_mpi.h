/*
 * dist_mpi.h - the MPI calls of data-parallel training, as a table of
 * functions that the loadable module rbmcmd-mpi.so (dist_mpi.c, the only
 * code linked against libmpi) exports and dist.c uses.
 *
 * Why a module: linking libmpi into rbmcmd made every plain invocation
 * load it and its dozen libraries at start (about 4 ms of CPU out of
 * 16, measured with bench/startup), although only train under an MPI
 * launcher uses it.  dist.c dlopen()s the module only then.  The table
 * is the whole interface, so the module needs nothing from rbmcmd (no
 * symbols exported from the program) and rbmcmd nothing from mpi.h.
 *
 * Every call works on MPI_COMM_WORLD and returns 0, or -1 when MPI
 * reported an error (MPI's default handler usually ends the job first).
 * Sizes are size_t; the module splits what exceeds MPI's int counts.
 */
#ifndef RBM_DIST_MPI_H
#define RBM_DIST_MPI_H

#include <stddef.h>

/* Changed whenever the table changes: a module of another version is
 * refused rather than called. */
#define RBM_DIST_MPI_VERSION 1

/* The symbol dist.c looks up in the module. */
#define RBM_DIST_MPI_SYMBOL "rbm_dist_mpi_ops"

enum rbm_dist_type { RBM_DIST_INT, RBM_DIST_ULL, RBM_DIST_FLOAT,
		     RBM_DIST_DOUBLE };
enum rbm_dist_op { RBM_DIST_SUM, RBM_DIST_MIN, RBM_DIST_MAX, RBM_DIST_LAND };

struct rbm_dist_mpi {
	int version;		/* RBM_DIST_MPI_VERSION when built */
	size_t size;		/* sizeof(struct rbm_dist_mpi) when built */
	/* MPI_Init unless already initialised; *rank, *size of the world;
	 * -1 with MPI's words in msg (len bytes) on failure */
	int (*init)(int *rank, int *size, char *msg, size_t len);
	void (*finalize)(void);	/* MPI_Finalize if init initialised */
	void (*abort)(int code);	/* MPI_Abort: ends every process */
	/* in place over all processes: buf[i] = op over processes */
	int (*allreduce)(void *buf, size_t n, enum rbm_dist_type type,
			 enum rbm_dist_op op);
	/* out = op over lower ranks of in (undefined on rank 0) */
	int (*exscan)(const void *in, void *out, size_t n,
		      enum rbm_dist_type type, enum rbm_dist_op op);
	int (*bcast)(void *buf, size_t bytes);	/* from rank 0 */
	int (*send)(const void *buf, size_t bytes, int to);
	int (*recv)(void *buf, size_t bytes, int from);
};

#endif
