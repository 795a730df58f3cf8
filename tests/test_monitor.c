/*
 * test_monitor.c - the per-epoch figures: mean-field reconstruction error
 * and mean free energies against a direct computation in double from the
 * definitions, on sets small and large (past the internal batch and the
 * cap on rows measured), with and without validation rows.
 */
#include <math.h>
#include <string.h>

#include "data.h"
#include "monitor.h"
#include "rbm.h"
#include "unit.h"

#define NV UNIT_NV	/* the shared small model (unit.h) */
#define NH UNIT_NH
#define TOL 1e-5

/* Row i of a pattern set: binary with fractions, different per seed. */
static void pattern_row(size_t i, unsigned seed, float *row)
{
	size_t a;

	for (a = 0; a < NV; a++)
		row[a] = (float)((i * (seed + 2) + a * (i % 5 + 1)) % 3) / 2;
}

/* n rows of pattern seed; from row `from` on, all ones instead. */
static struct rbm_data *pattern_data(size_t n, unsigned seed, size_t from)
{
	struct rbm_err err = { "" };
	struct rbm_data *d = rbm_data_alloc(NV, &err);
	static const float ones[NV] = { 1, 1, 1, 1 };
	float row[NV];
	size_t i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		pattern_row(i, seed, row);
		ck_assert_int_eq(rbm_data_append(d, i < from ? row : ones,
						 &err), 0);
	}
	return d;
}

/* Hidden logits c + vW of one row. */
static void logits(const struct rbm *m, const float *v, double *x)
{
	size_t a, j;

	for (j = 0; j < NH; j++) {
		x[j] = gsl_vector_float_get(m->c, j);
		for (a = 0; a < NV; a++)
			x[j] += v[a] * (double)gsl_matrix_float_get(m->w, a, j);
	}
}

/* F(v) = -b.v - sum_j log(1 + exp(c_j + (vW)_j)). */
static double free_energy(const struct rbm *m, const float *v)
{
	double x[NH], f = 0;
	size_t a, j;

	logits(m, v, x);
	for (j = 0; j < NH; j++)
		f -= log1p(exp(x[j]));
	for (a = 0; a < NV; a++)
		f -= gsl_vector_float_get(m->b, a) * (double)v[a];
	return f;
}

/* |v - p(v | h = p(h|v))|^2: the mean-field reconstruction's error. */
static double recon_error(const struct rbm *m, const float *v)
{
	double x[NH], ph[NH], e = 0;
	size_t a, j;

	logits(m, v, x);
	for (j = 0; j < NH; j++)
		ph[j] = unit_sigmoid(x[j]);
	for (a = 0; a < NV; a++) {
		double y = gsl_vector_float_get(m->b, a), pv;
		for (j = 0; j < NH; j++)
			y += ph[j] * gsl_matrix_float_get(m->w, a, j);
		pv = unit_sigmoid(y);
		e += (v[a] - pv) * (v[a] - pv);
	}
	return e;
}

/* The figures directly: means over the first n rows of pattern seed. */
static void direct(const struct rbm *m, size_t n, unsigned seed,
		   double *fe, double *recon)
{
	float row[NV];
	size_t i;

	*fe = 0;
	*recon = 0;
	for (i = 0; i < n; i++) {
		pattern_row(i, seed, row);
		*fe += free_energy(m, row) / (double)n;
		*recon += recon_error(m, row) / (double)n;
	}
}

/* A monitor of train and valid (may be NULL); fails the test if refused. */
static struct rbm_monitor *monitor(const struct rbm_data *train,
				   const struct rbm_data *valid)
{
	struct rbm_err err = { "" };
	struct rbm_monitor *mon = rbm_monitor_alloc(train, valid, NH, &err);

	ck_assert_msg(mon != NULL, "%s", err.msg);
	return mon;
}

/*
 * On five training and three validation rows: the reconstruction error
 * is the mean over rows of the summed squared difference between v and
 * p(v | p(h|v)), the free energies the means of F(v) over each set; a
 * second measurement gives the same figures bit for bit.
 */
START_TEST(test_measure_small)
{
	struct rbm_data *train = pattern_data(5, 0, 5);
	struct rbm_data *valid = pattern_data(3, 2, 3);
	struct rbm *m = unit_small_model();
	struct rbm_monitor *mon = monitor(train, valid);
	struct rbm_metrics a, b;
	double fe, recon, fe_valid, unused;

	rbm_monitor_measure(mon, m, &a);
	direct(m, 5, 0, &fe, &recon);
	direct(m, 3, 2, &fe_valid, &unused);
	ck_assert_double_eq_tol(a.recon_error, recon, TOL);
	ck_assert_double_eq_tol(a.fe_train, fe, TOL);
	ck_assert_double_eq_tol(a.fe_valid, fe_valid, TOL);
	ck_assert(fabs(fe - fe_valid) > 0.1);	/* the sets differ */
	rbm_monitor_measure(mon, m, &b);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	rbm_monitor_free(mon);
	rbm_monitor_free(NULL);
	rbm_free(m);
	rbm_data_free(train);
	rbm_data_free(valid);
}
END_TEST

/* Without validation rows the validation free energy is NaN. */
START_TEST(test_measure_no_validation)
{
	struct rbm_data *train = pattern_data(4, 1, 4);
	struct rbm *m = unit_small_model();
	struct rbm_monitor *mon = monitor(train, NULL);
	struct rbm_metrics mt;
	double fe, recon;

	rbm_monitor_measure(mon, m, &mt);
	direct(m, 4, 1, &fe, &recon);
	ck_assert_double_eq_tol(mt.recon_error, recon, TOL);
	ck_assert_double_eq_tol(mt.fe_train, fe, TOL);
	ck_assert(isnan(mt.fe_valid));
	rbm_monitor_free(mon);
	rbm_free(m);
	rbm_data_free(train);
}
END_TEST

/*
 * Large sets: only the first RBM_MONITOR_ROWS (1000) rows of each are
 * measured, however many follow (rows past them are all ones here, which
 * would move every figure), and sets that span several internal batches
 * (1000 rows; 700 validation rows) are averaged over all their rows.
 */
START_TEST(test_measure_large)
{
	struct rbm_data *train = pattern_data(1300, 3, RBM_MONITOR_ROWS);
	struct rbm_data *valid = pattern_data(700, 4, 700);
	struct rbm *m = unit_small_model();
	struct rbm_monitor *mon = monitor(train, valid);
	struct rbm_metrics mt;
	static const float ones[NV] = { 1, 1, 1, 1 };
	double fe, recon, fe_valid, unused;

	ck_assert_uint_eq(RBM_MONITOR_ROWS, 1000);
	rbm_monitor_measure(mon, m, &mt);
	direct(m, RBM_MONITOR_ROWS, 3, &fe, &recon);
	direct(m, 700, 4, &fe_valid, &unused);
	ck_assert_double_eq_tol(mt.recon_error, recon, TOL);
	ck_assert_double_eq_tol(mt.fe_train, fe, TOL);
	ck_assert_double_eq_tol(mt.fe_valid, fe_valid, TOL);
	/* the rows past the cap would have moved both training figures */
	ck_assert(fabs(free_energy(m, ones) - fe) > 0.1);
	ck_assert(fabs(recon_error(m, ones) - recon) > 0.1);
	rbm_monitor_free(mon);
	rbm_free(m);
	rbm_data_free(train);
	rbm_data_free(valid);
}
END_TEST

Suite *monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("measure");

	tcase_add_test(tc, test_measure_small);
	tcase_add_test(tc, test_measure_no_validation);
	tcase_add_test(tc, test_measure_large);
	suite_add_tcase(s, tc);
	return s;
}
