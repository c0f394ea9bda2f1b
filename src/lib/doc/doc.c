/* doc.c - what a validated results document says per worker count, its model and answer */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "doc/compare.h"
#include "doc/doc.h"
#include "doc/fields.h"

/* The smallest (or with WANT_MAX the largest) finite value of V; NAN when none. */
static double min_finite(const double *v, size_t n, int want_max)
{
	double m = NAN;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && (isnan(m) || (want_max ? v[i] > m : v[i] < m)))
			m = v[i];
	return m;
}

static int cmp_count(const void *a, const void *b)
{
	const struct pt_doc_count *x = a, *y = b;

	return (x->workers > y->workers) - (x->workers < y->workers);
}

/* Fill C from the ok trials at its worker count: each value combined across
 * trials as the field table says, as every report shows it. */
static int fill_count(const cJSON *trials, struct pt_doc_count *c)
{
	const struct pt_field *thr = pt_answer_field();
	size_t n = 0, k = 0;
	const cJSON *t;
	double *x;

	cJSON_ArrayForEach(t, trials)
		n += (unsigned)pt_json_num(t, "workers") == c->workers;
	x = malloc((n + 1) * sizeof(*x));
	if (!x)
		return -ENOMEM;
	cJSON_ArrayForEach(t, trials) {
		if ((unsigned)pt_json_num(t, "workers") != c->workers)
			continue;
		c->trials++;
		if (pt_doc_trial_ok(t))
			x[k++] = pt_field_trial(thr, t);
	}
	c->ok_trials = (unsigned)k;
	c->low = min_finite(x, k, 0);
	c->high = min_finite(x, k, 1);
	free(x);
	c->throughput = pt_field_count(thr, trials, c->workers);
	c->p50_ns = pt_field_count(pt_field_find("latency_p50_ns"), trials, c->workers);
	c->p99_ns = pt_field_count(pt_metric_field(PT_METRIC_P99), trials, c->workers);
	c->peak_rss = pt_field_count(pt_metric_field(PT_METRIC_MEMORY), trials, c->workers);
	return 0;
}

int pt_doc_counts(const pt_doc *d, struct pt_doc_count **out, size_t *n)
{
	const cJSON *trials = cJSON_GetObjectItemCaseSensitive(d->root, "trials"), *t;
	const cJSON *summary = cJSON_GetObjectItemCaseSensitive(d->root, "summary"), *pc;
	size_t total = (size_t)cJSON_GetArraySize(trials), k = 0;
	struct pt_doc_count *c = calloc(total + 1, sizeof(*c));
	struct pt_usl_model model;
	int fitted = pt_doc_model(d, &model) == 0;

	if (!c)
		return pt_fail(ENOMEM, "out of memory");
	cJSON_ArrayForEach(t, trials) {
		unsigned w = (unsigned)pt_json_num(t, "workers");
		size_t i = 0;

		while (i < k && c[i].workers != w)
			i++;
		if (i == k)
			c[k++].workers = w;
	}
	qsort(c, k, sizeof(*c), cmp_count);
	for (size_t i = 0; i < k; i++) {
		if (fill_count(trials, &c[i]) < 0) {
			free(c);
			return pt_fail(ENOMEM, "out of memory");
		}
		c[i].interval_is_ci = 0;
		c[i].model = fitted ? pt_usl_predict(&model, c[i].workers) : NAN;
		/* a tune's summary has the 95% interval of the typical
		 * throughput: better than the range when it is known */
		cJSON_ArrayForEach(pc, cJSON_GetObjectItemCaseSensitive(summary, "per_count")) {
			double lo = pt_json_num(pc, "ci_low"), hi = pt_json_num(pc, "ci_high");

			if ((unsigned)pt_json_num(pc, "workers") == c[i].workers &&
			    isfinite(lo) && isfinite(hi)) {
				c[i].low = lo;
				c[i].high = hi;
				c[i].interval_is_ci = 1;
			}
		}
	}
	*out = c;
	*n = k;
	return 0;
}

int pt_doc_model(const pt_doc *d, struct pt_usl_model *out)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(d->root, "summary"), "model");
	static const char *const bounds[] = { "linear", "contention", "coherency" };
	const char *bound = pt_json_str(m, "bound");

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "fitted")) ||
	    !isfinite(pt_json_num(m, "lambda")) || !isfinite(pt_json_num(m, "sigma")) ||
	    !isfinite(pt_json_num(m, "kappa")))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->lambda = pt_json_num(m, "lambda");
	out->sigma = pt_json_num(m, "sigma");
	out->kappa = pt_json_num(m, "kappa");
	out->r2 = pt_json_num(m, "r2");
	out->rms_relative_error = pt_json_num(m, "rms_relative_error");
	out->peak_workers = isfinite(pt_json_num(m, "peak_workers")) ?
		pt_json_num(m, "peak_workers") : INFINITY;
	out->bound = "unknown";
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (strcmp(bound, bounds[i]) == 0)
			out->bound = bounds[i];
	return 0;
}

int pt_doc_tune_answer(const pt_doc *d, struct pt_tune_answer *out)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(d->root, "summary");
	double o = pt_json_num(s, "optimal_workers"), r = pt_json_num(s, "recommended_workers");

	if (!isfinite(o) || !isfinite(r))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->optimal_workers = (unsigned)o;
	out->recommended_workers = (unsigned)r;
	out->best_throughput = pt_json_num(s, "best_throughput");
	out->trials = isfinite(pt_json_num(s, "trials")) ? (unsigned)pt_json_num(s, "trials") : 0;
	out->elapsed_s = pt_json_num(s, "elapsed_s");
	return 0;
}

int pt_doc_interrupted(const pt_doc *d)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d->root, "interrupted"));
}
