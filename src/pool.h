/*
 * pool.h - a small pool of threads that share the blocks of one job.
 *
 * The product backend (linalg.c) splits each product into blocks and runs
 * them here.  Blocks are handed out one at a time to whichever thread
 * asks first, the caller included, so a thread slowed down by another
 * process on its core takes fewer of them and costs only its share; a
 * thread without work polls for at most 50 microseconds (waking a
 * sleeping thread costs about as much as a block) and then sleeps on a
 * condition variable.
 * Which thread runs a block never changes what the block computes, so
 * results do not depend on the timing or on the number of threads.
 *
 * One pool serves the whole process (like the BLAS's own threads): it is
 * started on first use, with RBMCMD_THREADS threads, else
 * OPENBLAS_NUM_THREADS, else one per CPU this process may run on (at most
 * RBM_POOL_MAX_THREADS).  Its threads block every signal, so signals
 * reach the main thread only.  Jobs must come from one thread at a time.
 */
#ifndef RBM_POOL_H
#define RBM_POOL_H

#include <stddef.h>

#define RBM_POOL_MAX_THREADS 64

/* One block of a job: block number i of the job's n. */
typedef void (*rbm_pool_fn)(void *arg, size_t i);

/*
 * Run fn(arg, i) for every i in [0, n), on the pool's threads and the
 * caller's, and return when all are done.  Without threads (or when they
 * cannot be started) the caller runs every block, in order.
 */
void rbm_pool_run(size_t n, rbm_pool_fn fn, void *arg);

/* The number of threads that run blocks, the caller's included (>= 1). */
size_t rbm_pool_threads(void);

/* The number of threads the environment asks for (see above), >= 1. */
size_t rbm_pool_wanted(void);

/*
 * Start the pool now, with at most max threads (the caller's included),
 * each new thread calling init (when not NULL) before it takes any work,
 * and return once all have, with the number of threads.  For the BLAS
 * guard (guard.h), which has every thread take its BLAS buffer while the
 * address space still has room; when the pool runs already, this only
 * returns its number of threads.
 */
size_t rbm_pool_start(size_t max, void (*init)(void));

#endif
