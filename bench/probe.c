/*
 * probe.c - the measurements bench/run needs that no rbmcmd command makes:
 *
 *   probe gemm N NV NH BATCH [REPS]
 *       The GEMM lower bound of a CD-1 epoch: the five matrix products of
 *       each mini-batch (v W, h W', v' W, v' ph, v'' ph'), with the shapes
 *       and transpositions the trainer uses, timed alone with the BLAS
 *       rbmcmd links, in single and in double precision.  Prints
 *       "sgemm_epoch_s=..." and "dgemm_epoch_s=..." (medians over REPS
 *       epochs) and the GFLOP/s they reach.
 *
 *   probe state NV NH DIR [REPS]
 *       Median seconds to save and to load a state file of an NV x NH
 *       model in DIR through the library rbmcmd uses, and whether the
 *       loaded model is bit for bit the saved one.
 *
 * Linked against the same library and BLAS as rbmcmd, and built by
 * "make bench/probe" (not by default: it is only for the benchmark).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>

#include "rbm.h"
#include "state.h"
#include "train.h"

#define MAX_REPS 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static size_t arg_size(const char *s, const char *what)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0' || x == 0 || x > (1ULL << 24)) {
		fprintf(stderr, "probe: %s must be a positive integer, got "
			"'%s'\n", what, s);
		exit(2);
	}
	return (size_t)x;
}

/* Fill with values in [0, 1): the products' speed does not depend on them. */
static void fill_f(gsl_matrix_float *m, unsigned *seed)
{
	for (size_t i = 0; i < m->size1 * m->size2; i++) {
		*seed = *seed * 1103515245u + 12345u;
		m->data[i] = (float)(*seed >> 8) / 16777216.0f;
	}
}

static void fill_d(gsl_matrix *m, unsigned *seed)
{
	for (size_t i = 0; i < m->size1 * m->size2; i++) {
		*seed = *seed * 1103515245u + 12345u;
		m->data[i] = (double)(*seed >> 8) / 16777216.0;
	}
}

/*
 * One epoch of the five products in single precision: n rows in batches
 * of k (the last one shorter), the shapes rbm_train_gradient uses.
 */
static double epoch_s(size_t n, size_t nv, size_t nh, size_t k)
{
	gsl_matrix_float *w = gsl_matrix_float_alloc(nv, nh);
	gsl_matrix_float *g = gsl_matrix_float_alloc(nv, nh);
	gsl_matrix_float *v = gsl_matrix_float_alloc(k, nv);
	gsl_matrix_float *vn = gsl_matrix_float_alloc(k, nv);
	gsl_matrix_float *h = gsl_matrix_float_alloc(k, nh);
	gsl_matrix_float *h2 = gsl_matrix_float_alloc(k, nh);
	unsigned seed = 1;
	double t;

	fill_f(w, &seed);
	fill_f(v, &seed);
	fill_f(vn, &seed);
	fill_f(h, &seed);
	fill_f(h2, &seed);
	t = now();
	for (size_t start = 0; start < n; start += k) {
		size_t r = n - start < k ? n - start : k;
		gsl_matrix_float_view a = gsl_matrix_float_submatrix(v, 0, 0, r, nv);
		gsl_matrix_float_view an = gsl_matrix_float_submatrix(vn, 0, 0, r, nv);
		gsl_matrix_float_view b = gsl_matrix_float_submatrix(h, 0, 0, r, nh);
		gsl_matrix_float_view b2 = gsl_matrix_float_submatrix(h2, 0, 0, r, nh);

		gsl_blas_sgemm(CblasNoTrans, CblasNoTrans, 1, &a.matrix, w, 0,
			       &b.matrix);
		gsl_blas_sgemm(CblasNoTrans, CblasTrans, 1, &b.matrix, w, 0,
			       &an.matrix);
		gsl_blas_sgemm(CblasNoTrans, CblasNoTrans, 1, &an.matrix, w, 0,
			       &b2.matrix);
		gsl_blas_sgemm(CblasTrans, CblasNoTrans, 1, &a.matrix,
			       &b.matrix, 0, g);
		gsl_blas_sgemm(CblasTrans, CblasNoTrans, -1, &an.matrix,
			       &b2.matrix, 1, g);
	}
	t = now() - t;
	gsl_matrix_float_free(w);
	gsl_matrix_float_free(g);
	gsl_matrix_float_free(v);
	gsl_matrix_float_free(vn);
	gsl_matrix_float_free(h);
	gsl_matrix_float_free(h2);
	return t;
}

/* The same in double precision. */
static double epoch_d(size_t n, size_t nv, size_t nh, size_t k)
{
	gsl_matrix *w = gsl_matrix_alloc(nv, nh);
	gsl_matrix *g = gsl_matrix_alloc(nv, nh);
	gsl_matrix *v = gsl_matrix_alloc(k, nv);
	gsl_matrix *vn = gsl_matrix_alloc(k, nv);
	gsl_matrix *h = gsl_matrix_alloc(k, nh);
	gsl_matrix *h2 = gsl_matrix_alloc(k, nh);
	unsigned seed = 1;
	double t;

	fill_d(w, &seed);
	fill_d(v, &seed);
	fill_d(vn, &seed);
	fill_d(h, &seed);
	fill_d(h2, &seed);
	t = now();
	for (size_t start = 0; start < n; start += k) {
		size_t r = n - start < k ? n - start : k;
		gsl_matrix_view a = gsl_matrix_submatrix(v, 0, 0, r, nv);
		gsl_matrix_view an = gsl_matrix_submatrix(vn, 0, 0, r, nv);
		gsl_matrix_view b = gsl_matrix_submatrix(h, 0, 0, r, nh);
		gsl_matrix_view b2 = gsl_matrix_submatrix(h2, 0, 0, r, nh);

		gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &a.matrix, w, 0,
			       &b.matrix);
		gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1, &b.matrix, w, 0,
			       &an.matrix);
		gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &an.matrix, w, 0,
			       &b2.matrix);
		gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, &a.matrix,
			       &b.matrix, 0, g);
		gsl_blas_dgemm(CblasTrans, CblasNoTrans, -1, &an.matrix,
			       &b2.matrix, 1, g);
	}
	t = now() - t;
	gsl_matrix_free(w);
	gsl_matrix_free(g);
	gsl_matrix_free(v);
	gsl_matrix_free(vn);
	gsl_matrix_free(h);
	gsl_matrix_free(h2);
	return t;
}

static int probe_gemm(int argc, char **argv)
{
	size_t n, nv, nh, k;
	int reps = 3, i;
	double ts[MAX_REPS], td[MAX_REPS], s, d, flop;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: probe gemm N NV NH BATCH [REPS]\n");
		return 2;
	}
	n = arg_size(argv[0], "N");
	nv = arg_size(argv[1], "NV");
	nh = arg_size(argv[2], "NH");
	k = arg_size(argv[3], "BATCH");
	if (argc == 5)
		reps = (int)arg_size(argv[4], "REPS");
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	epoch_s(n < 10 * k ? n : 10 * k, nv, nh, k);	/* warm up threads */
	for (i = 0; i < reps; i++) {
		ts[i] = epoch_s(n, nv, nh, k);
		td[i] = epoch_d(n, nv, nh, k);
	}
	s = median(ts, reps);
	d = median(td, reps);
	flop = 5.0 * 2.0 * (double)n * (double)nv * (double)nh;
	printf("sgemm_epoch_s=%.4f\nsgemm_gflops=%.1f\n", s, flop / s / 1e9);
	printf("dgemm_epoch_s=%.4f\ndgemm_gflops=%.1f\n", d, flop / d / 1e9);
	return 0;
}

static int same_model(const struct rbm *a, const struct rbm *b)
{
	return memcmp(a->w->data, b->w->data,
		      a->nv * a->nh * sizeof(float)) == 0 &&
	       memcmp(a->b->data, b->b->data, a->nv * sizeof(float)) == 0 &&
	       memcmp(a->c->data, b->c->data, a->nh * sizeof(float)) == 0;
}

static int probe_state(int argc, char **argv)
{
	struct rbm_train_settings p;
	struct rbm_err err;
	struct rbm_state *s, *l = NULL;
	double tsave[MAX_REPS], tload[MAX_REPS], t;
	size_t nv, nh;
	int reps = 5, i, exact = 1;
	char path[4096];

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: probe state NV NH DIR [REPS]\n");
		return 2;
	}
	nv = arg_size(argv[0], "NV");
	nh = arg_size(argv[1], "NH");
	snprintf(path, sizeof(path), "%s/probe.state", argv[2]);
	if (argc == 4)
		reps = (int)arg_size(argv[3], "REPS");
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	rbm_train_defaults(&p);
	if (!(s = rbm_state_create(nv, nh, &p, 1, &err))) {
		fprintf(stderr, "probe: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < reps; i++) {
		t = now();
		if (rbm_state_save(s, path, &err) < 0) {
			fprintf(stderr, "probe: %s\n", err.msg);
			rbm_state_free(s);
			return 1;
		}
		tsave[i] = now() - t;
		t = now();
		l = rbm_state_load(path, &err);
		tload[i] = now() - t;
		if (!l) {
			fprintf(stderr, "probe: %s\n", err.msg);
			rbm_state_free(s);
			return 1;
		}
		exact &= same_model(s->model, l->model);
		rbm_state_free(l);
	}
	remove(path);
	rbm_state_free(s);
	printf("save_s=%.4f\nload_s=%.4f\nexact=%s\n", median(tsave, reps),
	       median(tload, reps), exact ? "yes" : "no");
	return exact ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gemm") == 0)
		return probe_gemm(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "state") == 0)
		return probe_state(argc - 2, argv + 2);
	fprintf(stderr, "usage: probe gemm N NV NH BATCH [REPS]\n"
		"       probe state NV NH DIR [REPS]\n");
	return 2;
}
