/*
 * dist.c - data-parallel training over MPI (see dist.h): the only file
 * compiled with MPI's flags.
 *
 * Every collective here runs on MPI_COMM_WORLD with MPI's default error
 * handler, which ends the whole job on a communication failure: a
 * process that dies mid-run takes the others with it (the launcher then
 * exits non-zero) rather than leaving them waiting forever.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mpi.h>

#include "dist.h"

static int initialised;		/* by us, so we finalise */
static int rank, size = 1;
static double reduce_time;	/* seconds in rbm_dist_reduce */

int rbm_dist_init(struct rbm_err *err)
{
	int done = 0;

	if (!rbm_dist_launched())
		return 0;
	MPI_Initialized(&done);
	if (!done) {
		if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
			rbm_err_set(err, "MPI_Init failed");
			return -1;
		}
		initialised = 1;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	return 0;
}

void rbm_dist_finalize(void)
{
	if (initialised)
		MPI_Finalize();
	initialised = 0;
}

void rbm_dist_abort(int code)
{
	MPI_Abort(MPI_COMM_WORLD, code);
	exit(code);	/* not reached */
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
	int all = 0;

	if (size == 1)
		return ok;
	ok = ok != 0;
	if (MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD) !=
	    MPI_SUCCESS)
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
	MPI_Allreduce(&x, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN,
		      MPI_COMM_WORLD);
	MPI_Allreduce(&x, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX,
		      MPI_COMM_WORLD);
	return lo == hi;
}

#define CHUNK (1 << 30)	/* elements per MPI call: counts are ints */

int rbm_dist_bcast(char **buf, size_t *n, struct rbm_err *err)
{
	unsigned long long len = *n;
	size_t off;

	if (size == 1)
		return 0;
	MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	if (rank != 0) {
		*n = (size_t)len;
		*buf = malloc(*n ? *n : 1);
	}
	if (!rbm_dist_agree(*buf != NULL)) {
		rbm_err_set(err, "out of memory for the state");
		return -1;
	}
	for (off = 0; off < *n; off += CHUNK) {
		size_t k = *n - off < CHUNK ? *n - off : CHUNK;
		MPI_Bcast(*buf + off, (int)k, MPI_CHAR, 0, MPI_COMM_WORLD);
	}
	return 0;
}

int rbm_dist_reduce(void *arg, float *f, size_t nf, double *d, size_t nd,
		    struct rbm_err *err)
{
	double t0 = MPI_Wtime();
	size_t off;
	int rc = MPI_SUCCESS;

	(void)arg;
	for (off = 0; rc == MPI_SUCCESS && off < nf; off += CHUNK) {
		size_t k = nf - off < CHUNK ? nf - off : CHUNK;
		rc = MPI_Allreduce(MPI_IN_PLACE, f + off, (int)k, MPI_FLOAT,
				   MPI_SUM, MPI_COMM_WORLD);
	}
	for (off = 0; rc == MPI_SUCCESS && off < nd; off += CHUNK) {
		size_t k = nd - off < CHUNK ? nd - off : CHUNK;
		rc = MPI_Allreduce(MPI_IN_PLACE, d + off, (int)k, MPI_DOUBLE,
				   MPI_SUM, MPI_COMM_WORLD);
	}
	reduce_time += MPI_Wtime() - t0;
	if (rc != MPI_SUCCESS) {
		rbm_err_set(err, "MPI_Allreduce failed");
		return -1;
	}
	return 0;
}

double rbm_dist_reduce_seconds(void)
{
	return reduce_time;
}

int rbm_dist_counts(size_t mine, size_t *before, size_t *total,
		    struct rbm_err *err)
{
	unsigned long long m = mine, b = 0, t = 0;

	if (MPI_Exscan(&m, &b, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM,
		       MPI_COMM_WORLD) != MPI_SUCCESS ||
	    MPI_Allreduce(&m, &t, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM,
			  MPI_COMM_WORLD) != MPI_SUCCESS) {
		rbm_err_set(err, "MPI failed to count rows");
		return -1;
	}
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

	MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, r, 0, MPI_COMM_WORLD);
	for (; from < to; from += k) {
		gsl_matrix_float_view v;
		k = to - from < SEND_ROWS ? to - from : SEND_ROWS;
		for (i = 0; i < k; i++)
			idx[i] = from + i;
		v = gsl_matrix_float_view_array(buf, k, d->width);
		rbm_data_gather(d, idx, k, &v.matrix);
		MPI_Send(buf, (int)(k * d->width), MPI_FLOAT, r, 1,
			 MPI_COMM_WORLD);
	}
}

/* The other ranks: receive rows into d; 0, or -1 with a message. */
static int recv_rows(struct rbm_data *d, float *buf, struct rbm_err *err)
{
	unsigned long long n;
	size_t got, i, k;
	int rc = 0;

	MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, 0, MPI_COMM_WORLD,
		 MPI_STATUS_IGNORE);
	for (got = 0; got < n; got += k) {
		k = n - got < SEND_ROWS ? (size_t)(n - got) : SEND_ROWS;
		MPI_Recv(buf, (int)(k * d->width), MPI_FLOAT, 0, 1,
			 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		for (i = 0; rc == 0 && i < k; i++)
			rc = rbm_data_append(d, buf + i * d->width, err);
	}
	return rc;
}

int rbm_dist_scatter(struct rbm_data *d, struct rbm_err *err)
{
	float *buf = malloc(SEND_ROWS * d->width * sizeof(*buf));
	size_t *idx = malloc(SEND_ROWS * sizeof(*idx));
	unsigned long long n = d->n;
	int r, rc = 0;

	if (!rbm_dist_agree(buf && idx)) {
		free(buf);
		free(idx);
		rbm_err_set(err, "out of memory for scattering the rows");
		return -1;
	}
	MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
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
