/* usl.h - the Universal Scalability Law fit as the tuner uses it (internal) */
#ifndef PT_USL_H
#define PT_USL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

/* The model is the public struct pt_usl_model, whose evaluation,
 * pt_usl_predict(), and checked fit, pt_usl_fit_points(), proftune.h
 * declares. */

/* Fit by least squares under LOSS (sigma, kappa >= 0 held by the solver,
 * lambda > 0) to the N points (workers[i], throughput[i]), with the bound at
 * the largest count.  Needs at least 3 points with distinct worker counts.
 * 0; -EINVAL for too few or non-positive points; -EDOM when the fit did
 * not reach the bounded optimum (OUT then holds the last iterate, with
 * converged 0, not a model to use).  Sets no error message. */
int pt_usl_fit(const double *workers, const double *throughput, size_t n,
	       enum pt_usl_loss loss, struct pt_usl_model *out);
/* "linear", "contention" or "coherency" (static strings): what limits
 * scaling of M at MAX_N workers. */
const char *pt_usl_bound(const struct pt_usl_model *m, double max_n);
/* Add M's parameters, goodness of fit and peak to the JSON object O (null
 * for what is not finite), as tune summaries and `fit --json` show them. */
void pt_usl_model_json(cJSON *o, const struct pt_usl_model *m);

#endif
