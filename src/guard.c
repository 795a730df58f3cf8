/*
 * guard.c - the BLAS library's buffers taken early, under a watchdog
 * (see guard.h).
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>

#include "cli.h"
#include "guard.h"
#include "pool.h"

#define BLAS_BUFFER ((size_t)128 << 20)	/* OpenBLAS's BUFFER_SIZE, x86-64 */
#define WARM_N 256	/* 256^3 multiply-adds: past OpenBLAS small-matrix
			 * path and its threading threshold (2^18) */

/* Whether this process's address space is limited. */
static int limited(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

/*
 * OpenBLAS's thread controls, weak so that a build with another CBLAS
 * links (they are then NULL).
 */
extern int openblas_get_num_threads(void) __attribute__((weak));
extern void openblas_set_num_threads(int) __attribute__((weak));

/* Whether k more BLAS buffers (and a little) fit in the address space. */
static int buffers_fit(size_t k)
{
	size_t n = k * BLAS_BUFFER + ((size_t)8 << 20);
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, n);
	return 1;
}

/* The watchdog's message, made before the alarm is set: a signal
 * handler can only write what is ready (the one mutable file-scope
 * variable here, written before the handler can run). */
static char alarm_msg[256];
static size_t alarm_len;

/* Make the watchdog's message, naming the command when known, as every
 * other message does. */
static void set_alarm_msg(const char *cmd)
{
	int n = snprintf(alarm_msg, sizeof(alarm_msg), PROG ": %.40s%s"
			 "out of memory: the BLAS library cannot get its "
			 "buffers under this address-space limit "
			 "(ulimit -v)\n", cmd ? cmd : "", cmd ? ": " : "");

	alarm_len = n < 0 ? 0 : (size_t)n < sizeof(alarm_msg) ? (size_t)n
		    : sizeof(alarm_msg) - 1;
}

/* The watchdog: the first product is stuck; say so and end the process. */
static void on_alarm(int sig)
{
	ssize_t k = write(STDERR_FILENO, alarm_msg, alarm_len);

	(void)k;
	(void)sig;
	_exit(1);
}

/* One product big enough for OpenBLAS to use every thread; -1 if no memory. */
static int warm_up(void)
{
	gsl_matrix_float *a = gsl_matrix_float_calloc(WARM_N, WARM_N);
	gsl_matrix_float *c = gsl_matrix_float_alloc(WARM_N, WARM_N);
	int rc = -1;

	if (a && c) {
		gsl_blas_sgemm(CblasNoTrans, CblasNoTrans, 1.0f, a, a, 0.0f, c);
		rc = 0;
	}
	if (a)
		gsl_matrix_float_free(a);
	if (c)
		gsl_matrix_float_free(c);
	return rc;
}

/* A pool thread's first act: take its BLAS buffer (its own, OpenBLAS
 * keeps one per calling thread). */
static void warm_thread(void)
{
	warm_up();
}

/*
 * The products' pool (pool.h) calls the BLAS from each of its threads at
 * once, and each such thread needs a buffer of its own: started later,
 * when the data holds memory, the first product on a thread without room
 * for one was stuck for ever (RBMCMD_THREADS=2 under ulimit -v 250000).
 * So the pool starts now, with only as many threads as there are
 * buffers for, each taking its buffer before any work.
 */
static void start_pool(void)
{
	size_t more = 0, want = rbm_pool_wanted();

	openblas_set_num_threads(1);	/* its own threads are not the pool's */
	while (more + 1 < want && buffers_fit(more + 1))
		more++;
	rbm_pool_start(more + 1, warm_thread);
}

int rbm_guard_blas(char **argv, const char *cmd, struct rbm_err *err)
{
	struct sigaction sa, old;
	int rc, threads;

	if (!openblas_get_num_threads || !openblas_set_num_threads ||
	    !limited())
		return 0;
	/* Every OpenBLAS thread takes a buffer (a worker at its start,
	 * before main), and rbmcmd never uses them (linalg.c runs the BLAS
	 * single-threaded on its own pool): start again with one, the only
	 * way to keep OpenBLAS from starting the others, and tell the pool
	 * the count it would have taken from OPENBLAS_NUM_THREADS. */
	threads = openblas_get_num_threads();
	if (threads > 1) {
		char n[24];
		if (!getenv("RBMCMD_THREADS")) {
			snprintf(n, sizeof(n), "%zu", rbm_pool_wanted());
			setenv("RBMCMD_THREADS", n, 1);
		}
		setenv("OPENBLAS_NUM_THREADS", "1", 1);
		execv("/proc/self/exe", argv);
		openblas_set_num_threads(1);	/* no /proc: the next best */
	}
	if (!buffers_fit(1)) {
		rbm_err_set(err, "out of memory: the BLAS library needs %zu "
			    "MiB of address space for each thread's buffer "
			    "(ulimit -v)", BLAS_BUFFER >> 20);
		return -1;
	}
	set_alarm_msg(cmd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(RBM_GUARD_SECONDS);
	rc = warm_up();
	if (rc == 0)
		start_pool();
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (rc < 0)
		rbm_err_set(err, "out of memory");
	return rc;
}
