/*
 * dist.c - data-parallel training over MPI (see dist.h), through the
 * module rbmcmd-mpi.so (dist_mpi.h), which this file loads with dlopen
 * only when an MPI launcher started the program: a plain invocation
 * neither loads libmpi nor starts MPI.  Nothing here is compiled with
 * MPI's flags; built without MPI, there is no module and one process.
 *
 * The module is looked for beside the program (the build tree, where the
 * tests run it) and then in PKGLIBDIR (make install puts it there), or
 * where RBMCMD_MPI_MODULE says.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_MPI
#include <dlfcn.h>
#endif

#include "dist.h"
#include "dist_mpi.h"

#define MODULE "rbmcmd-mpi.so"

static const struct rbm_dist_mpi *mpi;	/* the module's calls, or NULL */
static int rank, size = 1;
static double reduce_time;	/* seconds in rbm_dist_reduce */

/* This process's rank as the launcher's environment says, or -1. */
static long env_rank(void)
{
	static const char *const keys[] = { "OMPI_COMM_WORLD_RANK",
		"PMI_RANK", "PMIX_RANK", "SLURM_PROCID" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const char *v = getenv(keys[i]);
		char *end;
		long r;
		if (!v || !*v)
			continue;
		errno = 0;
		r = strtol(v, &end, 10);
		if (!*end && !errno && r >= 0)
			return r;
	}
	return -1;
}

#ifdef HAVE_MPI
/*
 * The module's path: RBMCMD_MPI_MODULE, else beside the program when it
 * is there, else in PKGLIBDIR.
 */
static void module_path(char *path, size_t len)
{
	const char *env = getenv("RBMCMD_MPI_MODULE");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		/* A file, as the man page says: dlopen would look a name
		 * without a slash up in the library path, not here. */
		snprintf(path, len, "%s%s", strchr(env, '/') ? "" : "./",
			 env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		if ((slash = strrchr(exe, '/'))) {
			*slash = 0;
			if ((size_t)snprintf(path, len, "%s/%s", exe,
					     MODULE) < len &&
			    access(path, F_OK) == 0)
				return;
		}
	}
	snprintf(path, len, "%s/%s", RBM_PKGLIBDIR, MODULE);
}

/* Load the module and check it is this version's: 0, or -1 with a
 * message. */
static int load_module(struct rbm_err *err)
{
	char path[PATH_MAX + sizeof(MODULE) + 1];
	const struct rbm_dist_mpi *t;
	void *h;

	module_path(path, sizeof(path));
	/* RTLD_GLOBAL: Open MPI's own plugins, which it dlopens in turn,
	 * look for libmpi's symbols there. */
	if (!(h = dlopen(path, RTLD_NOW | RTLD_GLOBAL)))
		return rbm_err_set(err, "cannot load the MPI module: %s "
				   "(make install puts it in %s; or set "
				   "RBMCMD_MPI_MODULE)", dlerror(),
				   RBM_PKGLIBDIR);
	t = (const struct rbm_dist_mpi *)dlsym(h, RBM_DIST_MPI_SYMBOL);
	if (!t || t->version != RBM_DIST_MPI_VERSION ||
	    t->size != sizeof(*t)) {
		dlclose(h);
		return rbm_err_set(err, "%s is not the MPI module of rbmcmd "
				   "%s", path, PACKAGE_VERSION);
	}
	mpi = t;	/* never closed: MPI may run code of it at exit */
	return 0;
}

/* Load the module and start MPI: 0, or -1 with a message. */
static int start(struct rbm_err *err)
{
	char msg[512];
	long r;

	if (load_module(err) == 0) {
		if (mpi->init(&rank, &size, msg, sizeof(msg)) == 0)
			return 0;
		rbm_err_set(err, "%s", msg);
		mpi = NULL;
	}
	if ((r = env_rank()) >= 0)
		rbm_err_prefix(err, "rank %ld", r);
	return -1;
}
#endif

int rbm_dist_init(struct rbm_err *err)
{
	if (!rbm_dist_launched() || mpi)
		return 0;
#ifdef HAVE_MPI
	return start(err);
#else
	/* Without MPI, K processes would each train on all rows and save. */
	const char *k = getenv("OMPI_COMM_WORLD_SIZE");

	if (!k)
		k = getenv("PMI_SIZE");
	if (!k)
		k = getenv("SLURM_NTASKS");
	if (k && strcmp(k, "1") != 0)
		return rbm_err_set(err, "built without MPI: cannot train as "
				   "one of %s processes (rebuild with Open "
				   "MPI, or run one)", k);
	(void)env_rank;
	return 0;
#endif
}

void rbm_dist_finalize(void)
{
	if (mpi)
		mpi->finalize();
}

void rbm_dist_abort(int code)
{
	if (mpi)
		mpi->abort(code);
	exit(code);
}

int rbm_dist_rank(void)
{
	return rank;
}

int rbm_dist_size(void)
{
	return size;
}

int rbm_dist_agree(int ok)
{
	int all = ok != 0;

	if (size == 1)
		return ok;
	if (mpi->allreduce(&all, 1, RBM_DIST_INT, RBM_DIST_LAND) < 0)
		return 0;
	return all;
}

int rbm_dist_any(int flag)
{
	return !rbm_dist_agree(!flag);
}

int rbm_dist_same(unsigned long long x)
{
	unsigned long long lo = x, hi = x;

	if (size == 1)
		return 1;
	if (mpi->allreduce(&lo, 1, RBM_DIST_ULL, RBM_DIST_MIN) < 0 ||
	    mpi->allreduce(&hi, 1, RBM_DIST_ULL, RBM_DIST_MAX) < 0)
		return 0;
	return lo == hi;
}

int rbm_dist_bcast(char **buf, size_t *n, struct rbm_err *err)
{
	unsigned long long len = *n;

	if (size == 1)
		return 0;
	if (mpi->bcast(&len, sizeof(len)) < 0)
		return rbm_err_set(err, "MPI_Bcast failed");
	if (rank != 0) {
		*n = (size_t)len;
		*buf = malloc(*n ? *n : 1);
	}
	if (!rbm_dist_agree(*buf != NULL))
		return rbm_err_set(err, "out of memory for the state");
	if (mpi->bcast(*buf, *n) < 0)
		return rbm_err_set(err, "MPI_Bcast failed");
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int rbm_dist_reduce(void *arg, float *f, size_t nf, double *d, size_t nd,
		    struct rbm_err *err)
{
	double t0 = now();
	int rc = 0;

	(void)arg;
	if (size == 1)
		return 0;
	if (nf)
		rc = mpi->allreduce(f, nf, RBM_DIST_FLOAT, RBM_DIST_SUM);
	if (rc == 0 && nd)
		rc = mpi->allreduce(d, nd, RBM_DIST_DOUBLE, RBM_DIST_SUM);
	reduce_time += now() - t0;
	if (rc < 0)
		return rbm_err_set(err, "MPI_Allreduce failed");
	return 0;
}

double rbm_dist_reduce_seconds(void)
{
	return reduce_time;
}

int rbm_dist_counts(size_t mine, size_t *before, size_t *total,
		    struct rbm_err *err)
{
	unsigned long long m = mine, b = 0, t = mine;

	if (size == 1) {
		*before = 0;
		*total = mine;
		return 0;
	}
	if (mpi->exscan(&m, &b, 1, RBM_DIST_ULL, RBM_DIST_SUM) < 0 ||
	    mpi->allreduce(&t, 1, RBM_DIST_ULL, RBM_DIST_SUM) < 0)
		return rbm_err_set(err, "MPI failed to count rows");
	*before = rank == 0 ? 0 : (size_t)b;	/* undefined on rank 0 */
	*total = (size_t)t;
	return 0;
}

/* Missing values among the first n rows of d. */
static size_t count_missing(const struct rbm_data *d, float *row)
{
	gsl_matrix_float_view v = gsl_matrix_float_view_array(row, 1,
							      d->width);
	size_t i, j, k = 0;

	for (i = 0; i < d->n; i++) {
		rbm_data_gather(d, &i, 1, &v.matrix);
		for (j = 0; j < d->width; j++)
			k += isnan(row[j]);
	}
	return k;
}

#define SEND_ROWS 1024	/* rows per message when scattering */

/* Rank 0: send rows [from, to) of d to rank r, SEND_ROWS at a time. */
static void send_rows(const struct rbm_data *d, size_t from, size_t to,
		      int r, float *buf, size_t *idx)
{
	unsigned long long n = to - from;
	size_t i, k;

	mpi->send(&n, sizeof(n), r);
	for (; from < to; from += k) {
		gsl_matrix_float_view v;
		k = to - from < SEND_ROWS ? to - from : SEND_ROWS;
		for (i = 0; i < k; i++)
			idx[i] = from + i;
		v = gsl_matrix_float_view_array(buf, k, d->width);
		rbm_data_gather(d, idx, k, &v.matrix);
		mpi->send(buf, k * d->width * sizeof(*buf), r);
	}
}

/* The other ranks: receive rows into d; 0, or -1 with a message (after
 * receiving all, so that rank 0 is not left sending). */
static int recv_rows(struct rbm_data *d, float *buf, struct rbm_err *err)
{
	unsigned long long n = 0;
	size_t got, i, k;
	int rc = 0;

	if (mpi->recv(&n, sizeof(n), 0) < 0)
		return rbm_err_set(err, "MPI_Recv failed");
	for (got = 0; got < n; got += k) {
		k = n - got < SEND_ROWS ? (size_t)(n - got) : SEND_ROWS;
		if (mpi->recv(buf, k * d->width * sizeof(*buf), 0) < 0)
			return rbm_err_set(err, "MPI_Recv failed");
		for (i = 0; rc == 0 && i < k; i++)
			rc = rbm_data_append(d, buf + i * d->width, err);
	}
	return rc;
}

int rbm_dist_scatter(struct rbm_data *d, struct rbm_err *err)
{
	float *buf;
	size_t *idx;
	unsigned long long n = d->n;
	int r, rc = 0;

	if (size == 1)
		return 0;
	buf = malloc(SEND_ROWS * d->width * sizeof(*buf));
	idx = malloc(SEND_ROWS * sizeof(*idx));
	if (!rbm_dist_agree(buf && idx)) {
		free(buf);
		free(idx);
		rbm_err_set(err, "out of memory for scattering the rows");
		return -1;
	}
	mpi->bcast(&n, sizeof(n));
	if (rank == 0) {
		for (r = 1; r < size; r++)
			send_rows(d, (size_t)(n * r / size),
				  (size_t)(n * (r + 1) / size), r, buf, idx);
		d->n = (size_t)(n / size);	/* the first slice */
		d->missing = count_missing(d, buf);
	} else {
		rc = recv_rows(d, buf, err);
	}
	free(buf);
	free(idx);
	return rc;
}

/* Newlines in bytes [from, to) of fd; -1 with a message on error. */
static long long count_newlines(int fd, const char *path, off_t from,
				off_t to, struct rbm_err *err)
{
	static char buf[1 << 16];
	long long n = 0;

	while (from < to) {
		size_t want = (size_t)(to - from) < sizeof(buf) ?
			      (size_t)(to - from) : sizeof(buf);
		ssize_t k = pread(fd, buf, want, from);
		const char *p = buf, *end;
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rbm_err_set(err, "%s: read error: %s", path,
				    k < 0 ? strerror(errno) : "file shrank");
			return -1;
		}
		end = buf + k;
		while ((p = memchr(p, '\n', (size_t)(end - p)))) {
			n++;
			p++;
		}
		from += k;
	}
	return n;
}

/*
 * The first byte at or after at that starts a line (just after a
 * newline at or after at - 1), or the file's size when none does.
 */
static off_t line_start(int fd, off_t at, off_t fsize)
{
	char buf[4096];
	off_t pos = at - 1;

	if (at == 0)
		return 0;
	while (pos < fsize) {
		ssize_t k = pread(fd, buf, sizeof(buf), pos);
		char *nl;
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if ((nl = memchr(buf, '\n', (size_t)k)))
			return pos + (nl - buf) + 1;
		pos += k;
	}
	return fsize;
}

int rbm_dist_file_part(int fd, const char *path, off_t *offset,
		       size_t *span, unsigned long *lines,
		       struct rbm_err *err)
{
	struct stat st;
	off_t fsize, start, end = 0, first = 0, next;
	long long mine;
	size_t before = 0, total;
	int ok;

	if (size == 1) {	/* all of it, from where fd is */
		*offset = 0;
		*span = (size_t)-1;
		*lines = 0;
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		rbm_err_set(err, "%s: %s", path, strerror(errno));
		mine = -1;
	} else {
		fsize = st.st_size;
		start = (off_t)((double)fsize * rank / size);
		end = rank == size - 1 ? fsize :
		      (off_t)((double)fsize * (rank + 1) / size);
		first = line_start(fd, start, fsize);
		next = rank == size - 1 ? fsize : end;
		/* this part's newlines: those in [start - 1, end - 1) */
		mine = count_newlines(fd, path, start ? start - 1 : 0,
				      next ? next - 1 : 0, err);
	}
	ok = rbm_dist_agree(mine >= 0);
	if (ok && rbm_dist_counts((size_t)(mine < 0 ? 0 : mine), &before,
				  &total, err) < 0)
		return -1;
	if (!ok) {
		if (mine >= 0)
			rbm_err_set(err, "another process could not read %s",
				    path);
		return -1;
	}
	*offset = first;
	*span = first < end ? (size_t)(end - first) : 0;
	*lines = rank == 0 ? 0 : (unsigned long)before + 1;
	return 0;
}
