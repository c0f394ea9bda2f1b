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

/* Median of the finite values among V[0..N-1] (reordered); NAN when none. */
static double median_finite(double *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	if (k == 0)
		return NAN;
	qsort(v, k, sizeof(*v), pt_cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

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

/* Fill C from the ok trials at its worker count. */
static int fill_count(const cJSON *trials, struct pt_doc_count *c)
{
	size_t n = 0, k = 0;
	const cJSON *t;
	double *x, *p50, *p99, *rss;

	cJSON_ArrayForEach(t, trials)
		n += (unsigned)pt_json_num(t, "workers") == c->workers;
	x = malloc((n + 1) * sizeof(*x));
	p50 = malloc((n + 1) * sizeof(*p50));
	p99 = malloc((n + 1) * sizeof(*p99));
	rss = malloc((n + 1) * sizeof(*rss));
	if (!x || !p50 || !p99 || !rss) {
		free(x);
		free(p50);
		free(p99);
		free(rss);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(t, trials) {
		const cJSON *lat = cJSON_GetObjectItemCaseSensitive(t, "latency_ns");

		if ((unsigned)pt_json_num(t, "workers") != c->workers)
			continue;
		c->trials++;
		if (!pt_doc_trial_ok(t))
			continue;
		x[k] = pt_doc_trial_metric(t, PT_METRIC_THROUGHPUT);
		p99[k] = pt_doc_trial_metric(t, PT_METRIC_P99);
		p50[k] = isfinite(p99[k]) ? pt_json_num(lat, "p50") : NAN;
		rss[k] = pt_doc_trial_metric(t, PT_METRIC_MEMORY);
		k++;
	}
	c->ok_trials = (unsigned)k;
	c->low = min_finite(x, k, 0);
	c->high = min_finite(x, k, 1);
	c->throughput = median_finite(x, k);
	c->p50_ns = median_finite(p50, k);
	c->p99_ns = median_finite(p99, k);
	c->peak_rss = median_finite(rss, k);
	free(x);
	free(p50);
	free(p99);
	free(rss);
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
