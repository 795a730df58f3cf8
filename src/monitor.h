/*
 * monitor.h - figures of a model during training, measured on fixed rows
 * after each epoch: the mean-field reconstruction error and mean free
 * energy of the first rows of the training set, and the mean free energy
 * of as many validation rows.  A free-energy gap that grows between the
 * two is Hinton's practical guide's sign of overfitting.  At most
 * RBM_MONITOR_ROWS of each are measured, which keeps the cost near 1% of
 * an epoch over 60000 rows.
 */
#ifndef RBM_MONITOR_H
#define RBM_MONITOR_H

#include "data.h"
#include "err.h"
#include "rbm.h"

#define RBM_MONITOR_ROWS 1000	/* rows measured in each set, at most */

struct rbm_metrics {
	double recon_error;	/* mean over rows of |v - p(v|p(h|v))|^2 */
	double fe_train;	/* mean free energy of the training subset */
	double fe_valid;	/* mean free energy of validation; NAN if none */
	double loglik;		/* mean log-likelihood of the validation
				 * rows (training rows without them);
				 * NAN when not measured (cmd_train) */
	size_t stuck;		/* hidden units that never change state on
				 * the training rows: p(h=1|v) below 0.01
				 * on every row, or above 0.99 on every row */
};

/* When every hidden unit is stuck the model has collapsed: each acts as
 * a constant, and the model is no better than its visible biases. */
#define RBM_STUCK_LOW 0.01
#define RBM_STUCK_HIGH 0.99

struct rbm_monitor;

/*
 * A monitor of the first RBM_MONITOR_ROWS rows of train and of valid
 * (NULL for none).  Both sets must outlive it.  NULL with a message.
 */
struct rbm_monitor *rbm_monitor_alloc(const struct rbm_data *train,
				      const struct rbm_data *valid,
				      size_t nh, struct rbm_err *err);

/* Release a monitor; NULL is a no-op. */
void rbm_monitor_free(struct rbm_monitor *mon);

/* Measure the model (deterministic: no random numbers are drawn). */
void rbm_monitor_measure(struct rbm_monitor *mon, const struct rbm *m,
			 struct rbm_metrics *out);

#endif
