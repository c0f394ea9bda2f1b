/* fields.c - the field table: every metric a report shows, in one place */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "doc/fields.h"

#define T PT_VIEW_TRIALS
#define C PT_VIEW_COUNTS
#define W PT_VIEW_WORKERS
#define V PT_VIEW_CSV
#define G PT_VIEW_GBENCH

/* In the order of the trials CSV.  Priorities rank what a narrow terminal
 * keeps: throughput and tail latency answer "how fast, how steady"; the
 * rest explains them. */
const struct pt_field pt_fields[] = {
	{ "items", "items", "items", "items", PT_UNIT_COUNT, 1,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, 0, 6, T | W | V, 0, 0, NULL },
	{ "errors", "errors.count", "errors", "errors", PT_UNIT_COUNT, 1,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, -1, 9, W | V, 0, 0, NULL },
	{ "wall_s", "wall_s", NULL, "wall", PT_UNIT_NS, 1e9,
	  PT_COMBINE_MAX, PT_COMBINE_MEDIAN, -1, 7, T | V, 0, 0, NULL },
	{ "busy_s", NULL, "busy_s", "busy", PT_UNIT_NS, 1e9,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, -1, 7, W, 0, 0, NULL },
	{ "throughput", "throughput", "throughput", "throughput", PT_UNIT_RATE, 1,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, 1, 1, T | C | W | V, 0, 0, NULL },
	{ "goodput", "goodput", "goodput", "goodput", PT_UNIT_RATE, 1,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, 1, 1, T | C | W | V, 0, 1, "throughput" },
	{ "error_rate", "errors.rate", NULL, "failed", PT_UNIT_PERCENT, 1,
	  PT_COMBINE_MEAN, PT_COMBINE_MEDIAN, -1, 2, T | C | V, 0, 1, NULL },
	{ "cpu_user_s", "cpu.user_s", "cpu_user_s", "user", PT_UNIT_NS, 1e9,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, -1, 10, V, 0, 0, NULL },
	{ "cpu_sys_s", "cpu.sys_s", "cpu_sys_s", "sys", PT_UNIT_NS, 1e9,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, -1, 10, V, 0, 0, NULL },
	{ "cpu_utilization", "cpu.utilization", "cpu_utilization", "cpu", PT_UNIT_PERCENT, 1,
	  PT_COMBINE_MEAN, PT_COMBINE_MEDIAN, 0, 8, T | W | V, 0, 0, NULL },
	{ "latency_count", "latency_ns.count", "latency_ns.count", "latency n", PT_UNIT_COUNT, 1,
	  PT_COMBINE_SUM, PT_COMBINE_MEDIAN, 0, 10, V, 1, 0, NULL },
	{ "latency_min_ns", "latency_ns.min", "latency_ns.min", "min", PT_UNIT_NS, 1,
	  PT_COMBINE_MIN, PT_COMBINE_MIN, -1, 10, V, 1, 0, NULL },
	{ "latency_mean_ns", "latency_ns.mean", "latency_ns.mean", "mean", PT_UNIT_NS, 1,
	  PT_COMBINE_MERGED, PT_COMBINE_MEDIAN, -1, 4, T | W | V, 1, 0, NULL },
	{ "latency_p50_ns", "latency_ns.p50", "latency_ns.p50", "p50", PT_UNIT_NS, 1,
	  PT_COMBINE_MERGED, PT_COMBINE_MEDIAN, -1, 3, T | C | V | G, 1, 0, NULL },
	{ "latency_p90_ns", "latency_ns.p90", "latency_ns.p90", "p90", PT_UNIT_NS, 1,
	  PT_COMBINE_MERGED, PT_COMBINE_MEDIAN, -1, 10, V, 1, 0, NULL },
	{ "latency_p99_ns", "latency_ns.p99", "latency_ns.p99", "p99", PT_UNIT_NS, 1,
	  PT_COMBINE_MERGED, PT_COMBINE_MEDIAN, -1, 2, T | C | W | V | G, 1, 0, NULL },
	{ "latency_p99_9_ns", "latency_ns.p99_9", "latency_ns.p99_9", "p99.9", PT_UNIT_NS, 1,
	  PT_COMBINE_MERGED, PT_COMBINE_MEDIAN, -1, 10, V, 1, 0, NULL },
	{ "latency_max_ns", "latency_ns.max", "latency_ns.max", "max", PT_UNIT_NS, 1,
	  PT_COMBINE_MAX, PT_COMBINE_MAX, -1, 7, T | V, 1, 0, NULL },
	{ "peak_rss", "memory.peak_rss", NULL, "peak RSS", PT_UNIT_BYTES, 1,
	  PT_COMBINE_MAX, PT_COMBINE_MEDIAN, -1, 5, T | C | V | G, 0, 0, NULL },
	{ "rss_start", "memory.rss_start", NULL, "RSS start", PT_UNIT_BYTES, 1,
	  PT_COMBINE_MAX, PT_COMBINE_MEDIAN, -1, 10, V, 0, 0, NULL },
	{ "rss_end", "memory.rss_end", NULL, "RSS end", PT_UNIT_BYTES, 1,
	  PT_COMBINE_MAX, PT_COMBINE_MEDIAN, -1, 10, V, 0, 0, NULL },
	{ "imbalance", "imbalance", NULL, "imbalance", PT_UNIT_PERCENT, 1,
	  PT_COMBINE_MAX, PT_COMBINE_MEDIAN, -1, 10, V, 0, 0, NULL },
	{ "voluntary_context_switches", NULL, "counters.os.voluntary_context_switches", "vol csw",
	  PT_UNIT_COUNT, 1, PT_COMBINE_SUM, PT_COMBINE_MEDIAN, -1, 9, W, 0, 0, NULL },
};
const size_t pt_nfields = sizeof(pt_fields) / sizeof(pt_fields[0]);

#undef T
#undef C
#undef W
#undef V
#undef G

const struct pt_field *pt_field_find(const char *name)
{
	for (size_t i = 0; i < pt_nfields; i++)
		if (strcmp(pt_fields[i].name, name) == 0)
			return &pt_fields[i];
	return NULL;
}

const struct pt_field *pt_metric_field(enum pt_metric m)
{
	static const char *const names[PT_METRICS] = {
		"throughput", "latency_p99_ns", "peak_rss",
	};

	return (unsigned)m < PT_METRICS ? pt_field_find(names[m]) : NULL;
}

const struct pt_field *pt_answer_field(void)
{
	return pt_field_find("goodput");
}

static int trial_has_errors(const cJSON *t)
{
	const cJSON *n = pt_json_path(t, "errors.count");

	return cJSON_IsNumber(n) && n->valuedouble > 0;
}

int pt_fields_have_errors(const cJSON *trials)
{
	const cJSON *t;

	if (cJSON_IsObject(trials))
		return trial_has_errors(trials);
	cJSON_ArrayForEach(t, trials)
		if (trial_has_errors(t))
			return 1;
	return 0;
}

const cJSON *pt_json_path(const cJSON *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t len = strcspn(path, ".");

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += len + (path[len] == '.');
	}
	return o;
}

static double number_at(const cJSON *o, const char *path)
{
	const cJSON *v = path ? pt_json_path(o, path) : NULL;

	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

/* Was latency recorded in the trial (some item timed)? */
static int latency_recorded(const cJSON *trial)
{
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(trial, "latency_ns");

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lat, "recorded")) &&
	       number_at(lat, "count") > 0;
}

double pt_field_worker(const struct pt_field *f, const cJSON *trial, const cJSON *w)
{
	if (f->latency && !latency_recorded(trial))
		return NAN;
	if (f->latency && !(number_at(w, "latency_ns.count") > 0))
		return NAN;
	if (f->fallback && f->worker_path && !pt_json_path(w, f->worker_path))
		return number_at(w, f->fallback);
	return number_at(w, f->worker_path);
}

double pt_field_trial(const struct pt_field *f, const cJSON *trial)
{
	if (f->latency && !latency_recorded(trial))
		return NAN;
	if (f->path && f->fallback && !pt_json_path(trial, f->path))
		return number_at(trial, f->fallback);
	if (f->path)
		return number_at(trial, f->path);
	if (f->worker_path && f->workers != PT_COMBINE_MERGED) {
		/* a worker-only field: the trial's value by the field's rule */
		const cJSON *ws = cJSON_GetObjectItemCaseSensitive(trial, "per_worker"), *w;
		size_t n = (size_t)cJSON_GetArraySize(ws), k = 0;
		double *v = malloc((n + 1) * sizeof(*v)), r;

		if (!v)
			return NAN;
		cJSON_ArrayForEach(w, ws)
			v[k++] = pt_field_worker(f, trial, w);
		r = pt_combine(f->workers, v, k);
		free(v);
		return r;
	}
	return NAN;
}

double pt_combine(enum pt_combine c, double *v, size_t n)
{
	size_t k = 0;
	double r;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	if (k == 0)
		return NAN;
	switch (c) {
	case PT_COMBINE_SUM:
	case PT_COMBINE_MEAN:
		r = 0;
		for (size_t i = 0; i < k; i++)
			r += v[i];
		return c == PT_COMBINE_MEAN ? r / (double)k : r;
	case PT_COMBINE_MAX:
	case PT_COMBINE_MIN:
		r = v[0];
		for (size_t i = 1; i < k; i++)
			if (c == PT_COMBINE_MAX ? v[i] > r : v[i] < r)
				r = v[i];
		return r;
	case PT_COMBINE_MEDIAN:
	case PT_COMBINE_MERGED:
		break;
	}
	qsort(v, k, sizeof(*v), pt_cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

double pt_field_count(const struct pt_field *f, const cJSON *trials, unsigned workers)
{
	size_t n = (size_t)cJSON_GetArraySize(trials), k = 0;
	double *v = malloc((n + 1) * sizeof(*v)), r;
	const cJSON *t;

	if (!v)
		return NAN;
	cJSON_ArrayForEach(t, trials) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(t, "workers");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, "status");

		if (cJSON_IsNumber(w) && (unsigned)w->valuedouble == workers &&
		    cJSON_IsString(s) && strcmp(s->valuestring, "ok") == 0)
			v[k++] = pt_field_trial(f, t);
	}
	r = pt_combine(f->trials == PT_COMBINE_MERGED ? PT_COMBINE_MEDIAN : f->trials, v, k);
	free(v);
	return r;
}
