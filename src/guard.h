/*
 * guard.h - make sure the BLAS library can work before anything else.
 *
 * OpenBLAS (0.3.21 seen) allocates a 128 MiB buffer per thread and, when
 * the address space is limited (ulimit -v) and that allocation fails,
 * retries it for ever: the product, and at exit the join of a worker
 * thread stuck that way, never return.  So rbmcmd makes the BLAS take its
 * buffers at the start, while nothing else holds memory: a small product
 * large enough to use every thread, under a watchdog.  OpenBLAS keeps the
 * buffers it got for later products, which then need none.
 */
#ifndef RBM_GUARD_H
#define RBM_GUARD_H

#include "err.h"

/* Seconds the first product may take before the watchdog calls it stuck:
 * it takes microseconds when it can work at all. */
#define RBM_GUARD_SECONDS 10

/*
 * With an address-space limit (RLIMIT_AS) and OpenBLAS: when OpenBLAS
 * has threads of its own (rbmcmd never uses them), run the program (argv)
 * again with OPENBLAS_NUM_THREADS=1, which keeps OpenBLAS from starting
 * them at all (and RBMCMD_THREADS set to the pool's count); fail at once
 * when not even one buffer fits; else run the first product, then start
 * the products' pool (pool.h) with as many threads as buffers fit, each
 * taking its own; if that is still stuck after RBM_GUARD_SECONDS, print
 * why (naming cmd, the command about to run, when not NULL) and end the
 * process with exit status 1 (_exit: OpenBLAS's exit handler would wait
 * for the stuck thread).  Without a limit, or with another CBLAS, nothing
 * to do.  0, or -1 with a message.
 */
int rbm_guard_blas(char **argv, const char *cmd, struct rbm_err *err);

#endif
