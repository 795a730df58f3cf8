/*
 * pool.c - the thread pool of the product backend (see pool.h).
 *
 * A job is published under the mutex with a new generation number; the
 * workers wake, copy it, and claim blocks from one 64-bit ticket that
 * holds the generation (high half) and the next block (low half), so a
 * worker that wakes late can never claim a block of a later job with
 * the function of an earlier one.  The thread that finishes the last
 * block wakes the caller.  Process-wide state is this one pool, started
 * once (pthread_once) and never stopped: its threads sleep when idle and
 * end with the process.
 *
 * Waking a sleeping thread takes tens of microseconds (a futex, and on a
 * virtual machine an idle virtual CPU to be scheduled again), as long as
 * a block of a product; with a dozen jobs a mini-batch, two threads gave
 * only 1.12x one thread.  So a thread that runs out of work first polls
 * for up to SPIN_NS (a worker for the next job, the caller for the last
 * block) and only then sleeps.  Between the jobs of a batch the next one
 * comes within microseconds, so the polling mostly ends in work; when
 * another process wants the core, a thread polls for no more than
 * SPIN_NS before it yields it, unlike the BLAS's threads, which spin
 * until their next job.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"

#define STACK_SIZE (2UL << 20)	/* OpenBLAS and the kernels need little */
#ifndef SPIN_NS			/* (benchmarks of the polling change it) */
#define SPIN_NS 50000		/* poll this long before sleeping */
#endif

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a new job was published */
	pthread_cond_t done;		/* the last block finished */
	size_t threads;			/* the caller's thread included */
	uint32_t gen;			/* generation of the current job */
	atomic_uint_least32_t posted;	/* gen, for polling without the lock */
	rbm_pool_fn fn;			/* the current job */
	void *arg;
	size_t n;
	_Atomic uint64_t ticket;	/* gen << 32 | next block */
	atomic_size_t finished;		/* blocks of the job done */
	size_t max;			/* at most this many threads */
	void (*init)(void);		/* each worker's first call, or NULL */
	size_t ready;			/* workers past init */
	int started;			/* pool_start has begun */
};

static struct pool pool = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 1, 0, 0, NULL, NULL, 0, 0, 0,
	RBM_POOL_MAX_THREADS, NULL, 0, 0
};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Poll until done(arg) or SPIN_NS have passed; whether done.  The clock
 * is read every 64 polls, and each poll tells the CPU it is a spin.
 */
static int spin_until(int (*done)(const void *), const void *arg)
{
	uint64_t end = 0;
	unsigned i;

	for (i = 1;; i++) {
		if (done(arg))
			return 1;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if (i % 64 == 0) {
			uint64_t t = now_ns();
			if (end == 0)
				end = t + SPIN_NS;
			else if (t >= end)
				return 0;
		}
	}
}

/* Whether a job after generation *seen was posted. */
static int posted_after(const void *seen)
{
	return atomic_load_explicit(&pool.posted, memory_order_relaxed) !=
	       *(const uint32_t *)seen;
}

/* Whether all *n blocks of the current job finished. */
static int all_finished(const void *n)
{
	return atomic_load(&pool.finished) >= *(const size_t *)n;
}

/* Claim the next block of generation gen (of n); 0 when none is left. */
static int claim(uint32_t gen, size_t n, size_t *block)
{
	uint64_t t = atomic_load(&pool.ticket);

	for (;;) {
		if ((uint32_t)(t >> 32) != gen || (t & 0xffffffffu) >= n)
			return 0;
		if (atomic_compare_exchange_weak(&pool.ticket, &t, t + 1)) {
			*block = (size_t)(t & 0xffffffffu);
			return 1;
		}
	}
}

/* Run blocks of the job (gen, fn, arg, n) until none is left. */
static void work_on(uint32_t gen, rbm_pool_fn fn, void *arg, size_t n)
{
	size_t i;

	while (claim(gen, n, &i)) {
		fn(arg, i);
		if (atomic_fetch_add(&pool.finished, 1) + 1 == n) {
			pthread_mutex_lock(&pool.lock);
			pthread_cond_signal(&pool.done);
			pthread_mutex_unlock(&pool.lock);
		}
	}
}

static void *worker(void *unused)
{
	uint32_t seen = 0;

	(void)unused;
	pthread_setname_np(pthread_self(), "rbmcmd-pool");	/* for ps, tests */
	if (pool.init)
		pool.init();
	pthread_mutex_lock(&pool.lock);
	pool.ready++;
	pthread_cond_broadcast(&pool.done);
	pthread_mutex_unlock(&pool.lock);
	for (;;) {
		uint32_t gen;
		rbm_pool_fn fn;
		void *arg;
		size_t n;
		spin_until(posted_after, &seen);
		pthread_mutex_lock(&pool.lock);
		while (pool.gen == seen)
			pthread_cond_wait(&pool.work, &pool.lock);
		seen = gen = pool.gen;
		fn = pool.fn;
		arg = pool.arg;
		n = pool.n;
		pthread_mutex_unlock(&pool.lock);
		work_on(gen, fn, arg, n);
	}
	return NULL;
}

/* A positive count from the environment variable name, or 0. */
static size_t env_count(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long x;

	if (!s || !*s)
		return 0;
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || *end || x < 1)
		return 0;
	return x > RBM_POOL_MAX_THREADS ? RBM_POOL_MAX_THREADS : (size_t)x;
}

size_t rbm_pool_wanted(void)
{
	size_t n = env_count("RBMCMD_THREADS");
	cpu_set_t set;

	if (!n)
		n = env_count("OPENBLAS_NUM_THREADS");
	if (!n && sched_getaffinity(0, sizeof(set), &set) == 0)
		n = (size_t)CPU_COUNT(&set);
	if (n < 1)
		n = 1;
	return n > RBM_POOL_MAX_THREADS ? RBM_POOL_MAX_THREADS : n;
}

/*
 * Start the workers with every signal blocked (they inherit the mask), so
 * that signal handlers run on the main thread.  Those that cannot be
 * started are simply not there.
 */
static void pool_start(void)
{
	size_t i, want = rbm_pool_wanted();
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t id;

	pthread_mutex_lock(&pool.lock);
	pool.started = 1;
	if (want > pool.max)
		want = pool.max;
	pthread_mutex_unlock(&pool.lock);
	if (want < 2 || pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 1; i < want; i++) {
		if (pthread_create(&id, &attr, worker, NULL) != 0)
			break;
		pool.threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

size_t rbm_pool_threads(void)
{
	pthread_once(&pool_once, pool_start);
	return pool.threads;
}

size_t rbm_pool_start(size_t max, void (*init)(void))
{
	pthread_mutex_lock(&pool.lock);
	if (!pool.started) {	/* else the workers run, or start, already */
		pool.max = max < 1 ? 1 : max;
		pool.init = init;
	}
	pthread_mutex_unlock(&pool.lock);
	pthread_once(&pool_once, pool_start);
	pthread_mutex_lock(&pool.lock);
	while (pool.ready + 1 < pool.threads)
		pthread_cond_wait(&pool.done, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
	return pool.threads;
}

void rbm_pool_run(size_t n, rbm_pool_fn fn, void *arg)
{
	uint32_t gen;
	size_t i;

	if (n == 0)
		return;
	if (n == 1 || rbm_pool_threads() < 2) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	pthread_mutex_lock(&pool.lock);
	gen = ++pool.gen;
	if (gen == 0)	/* 0 is what a worker has seen at the start */
		gen = ++pool.gen;
	pool.fn = fn;
	pool.arg = arg;
	pool.n = n;
	atomic_store(&pool.finished, 0);
	atomic_store(&pool.ticket, (uint64_t)gen << 32);
	atomic_store(&pool.posted, gen);
	pthread_cond_broadcast(&pool.work);
	pthread_mutex_unlock(&pool.lock);
	work_on(gen, fn, arg, n);
	if (spin_until(all_finished, &n))
		return;
	pthread_mutex_lock(&pool.lock);
	while (atomic_load(&pool.finished) < n)
		pthread_cond_wait(&pool.done, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
}
