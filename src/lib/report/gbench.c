/* gbench.c - `report --format gbench`: Google Benchmark's JSON, for its compare.py */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "report/gbench.h"
#include "report/grid.h"
#include "report/util.h"
#include "base/util.h"

/* Google Benchmark's context block, from what the document recorded. */
static void context(cJSON *ctx, const cJSON *doc)
{
	const cJSON *host = robj(doc, "host"), *topo = robj(host, "topology");
	static const char *const levels[] = { "l1_caches", "l2_caches", "l3_caches" };
	double pus = pt_json_num(host, "allowed_pus"), mhz = pt_json_num(host, "mhz_per_cpu");
	cJSON *caches;

	if (!isfinite(pus))
		pus = pt_json_num(topo, "pus");
	cJSON_AddStringToObject(ctx, "date", pt_json_str(doc, "created"));
	cJSON_AddStringToObject(ctx, "host_name", pt_json_str(host, "hostname"));
	cJSON_AddStringToObject(ctx, "executable", pt_json_str(robj(doc, "task"), "path"));
	cJSON_AddNumberToObject(ctx, "num_cpus", isfinite(pus) ? pus : 0);
	/* proftune does not record the clock rate: 0 says "unknown" */
	cJSON_AddNumberToObject(ctx, "mhz_per_cpu", isfinite(mhz) ? round(mhz) : 0);
	cJSON_AddBoolToObject(ctx, "cpu_scaling_enabled",
			      cJSON_IsTrue(robj(host, "cpu_scaling_enabled")));
	/* cache objects by level as hwloc counted them; sizes are not recorded */
	caches = cJSON_AddArrayToObject(ctx, "caches");
	for (int l = 0; l < 3; l++) {
		double n = pt_json_num(topo, levels[l]);
		cJSON *c;

		if (!(n > 0))
			continue;
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", l == 0 ? "Data" : "Unified");
		cJSON_AddNumberToObject(c, "level", l + 1);
		if (isfinite(pus) && pus >= n)
			cJSON_AddNumberToObject(c, "num_sharing", floor(pus / n));
		cJSON_AddItemToArray(caches, c);
	}
	cJSON_AddStringToObject(ctx, "library_build_type", "release");
	cJSON_AddStringToObject(ctx, "proftune_version", pt_json_str(doc, "proftune_version"));
	cJSON_AddStringToObject(ctx, "proftune_command", pt_json_str(doc, "command"));
	cJSON_AddStringToObject(ctx, "task", pt_json_str(robj(doc, "task"), "name"));
}

/* Per-item times of the repetitions of one count, in nanoseconds. */
struct runs {
	double *real, *cpu, *rate;
};

/* One benchmark entry with the fields every entry has. */
static cJSON *entry(cJSON *benchmarks, const char *name, const char *run_name, int family)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddNumberToObject(b, "family_index", family);
	cJSON_AddNumberToObject(b, "per_family_instance_index", 0);
	cJSON_AddStringToObject(b, "run_name", run_name);
	cJSON_AddItemToArray(benchmarks, b);
	return b;
}

/* Aggregate A (0 mean, 1 median, 2 stddev, 3 cv) of V[0..N-1], as Google
 * Benchmark computes them (stddev with n - 1; cv = stddev / mean). */
static double aggregate(int a, const double *v, size_t n, double *tmp)
{
	double mean = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	switch (a) {
	case 0:
		return mean;
	case 1:
		memcpy(tmp, v, n * sizeof(*v));
		qsort(tmp, n, sizeof(*tmp), pt_cmp_double);
		return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	case 2:
		return n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	default:
		return n > 1 && mean != 0 ? sqrt(ss / (double)(n - 1)) / mean : 0;
	}
}

/* The aggregates Google Benchmark adds after repetitions. */
static void aggregates(cJSON *benchmarks, const char *run_name, int family, unsigned workers,
		       const struct runs *r, size_t n, double *tmp)
{
	static const char *const names[] = { "mean", "median", "stddev", "cv" };

	for (int a = 0; a < 4; a++) {
		char name[320]; /* RUN_NAME (under 300) and "_median" */
		cJSON *b;

		snprintf(name, sizeof(name), "%s_%s", run_name, names[a]);
		b = entry(benchmarks, name, run_name, family);
		cJSON_AddStringToObject(b, "run_type", "aggregate");
		cJSON_AddNumberToObject(b, "repetitions", (double)n);
		cJSON_AddNumberToObject(b, "threads", workers);
		cJSON_AddStringToObject(b, "aggregate_name", names[a]);
		cJSON_AddStringToObject(b, "aggregate_unit", a == 3 ? "percentage" : "time");
		cJSON_AddNumberToObject(b, "iterations", (double)n);
		cJSON_AddNumberToObject(b, "real_time", aggregate(a, r->real, n, tmp));
		cJSON_AddNumberToObject(b, "cpu_time", aggregate(a, r->cpu, n, tmp));
		cJSON_AddStringToObject(b, "time_unit", "ns");
		cJSON_AddNumberToObject(b, "items_per_second", aggregate(a, r->rate, n, tmp));
	}
}

int report_gbench(FILE *f, const struct report *r)
{
	const struct report_doc *d = &r->docs[0];
	const cJSON *trials = robj(d->tree, "trials"), *t;
	size_t ntrials = (size_t)cJSON_GetArraySize(trials);
	struct runs runs = {
		calloc(ntrials + 1, sizeof(double)), calloc(ntrials + 1, sizeof(double)),
		calloc(ntrials + 1, sizeof(double)),
	};
	double *tmp = calloc(ntrials + 1, sizeof(*tmp));
	cJSON *doc = cJSON_CreateObject(), *benchmarks;
	const char *task = pt_json_str(robj(d->tree, "task"), "name");
	int family = 0, ret = -1;
	char *text = NULL;

	if (!runs.real || !runs.cpu || !runs.rate || !tmp || !doc)
		goto nomem;
	context(cJSON_AddObjectToObject(doc, "context"), d->tree);
	benchmarks = cJSON_AddArrayToObject(doc, "benchmarks");
	/* one family per worker count, its ok trials the repetitions */
	for (size_t c = 0; c < d->ncounts; c++) {
		unsigned workers = d->counts[c].workers, reps = d->counts[c].ok_trials, i = 0;
		char name[300];

		if (reps == 0)
			continue;
		snprintf(name, sizeof(name), "%s/workers:%u/repeats:%u", task, workers, reps);
		cJSON_ArrayForEach(t, trials) {
			const cJSON *cpu = robj(t, "cpu");
			double items = pt_json_num(t, "items"), x = pt_json_num(t, "throughput");
			double used = pt_json_num(cpu, "user_s") + pt_json_num(cpu, "sys_s");
			cJSON *b;

			if ((unsigned)pt_json_num(t, "workers") != workers ||
			    strcmp(pt_json_str(t, "status"), "ok") != 0 || i >= reps)
				continue;
			/* per item: wall time (the inverse of throughput) and CPU time
			 * of all workers together */
			runs.real[i] = items > 0 ? pt_json_num(t, "wall_s") * 1e9 / items : 0;
			runs.cpu[i] = items > 0 && isfinite(used) ? used * 1e9 / items : 0;
			runs.rate[i] = isfinite(x) ? x : 0;
			b = entry(benchmarks, name, name, family);
			cJSON_AddStringToObject(b, "run_type", "iteration");
			cJSON_AddNumberToObject(b, "repetitions", reps);
			cJSON_AddNumberToObject(b, "repetition_index", i);
			cJSON_AddNumberToObject(b, "threads", workers);
			cJSON_AddNumberToObject(b, "iterations", items);
			cJSON_AddNumberToObject(b, "real_time", runs.real[i]);
			cJSON_AddNumberToObject(b, "cpu_time", runs.cpu[i]);
			cJSON_AddStringToObject(b, "time_unit", "ns");
			cJSON_AddNumberToObject(b, "items_per_second", runs.rate[i]);
			/* the field table's counters, where the trial measured them */
			for (size_t j = 0; j < pt_nfields; j++) {
				double v = pt_field_trial(&pt_fields[j], t);

				if ((pt_fields[j].views & PT_VIEW_GBENCH) && isfinite(v))
					cJSON_AddNumberToObject(b, pt_fields[j].name, v);
			}
			i++;
		}
		if (reps > 1)
			aggregates(benchmarks, name, family, workers, &runs, reps, tmp);
		family++;
	}
	if (family == 0) {
		ret = pt_fail(EINVAL, "'%s' has no ok trial: nothing to write in Google "
			      "Benchmark's format", d->file);
		goto out;
	}
	text = pt_json_print(doc, 1);
	if (!text)
		goto nomem;
	fputs(text, f);
	fputc('\n', f);
	free(text);
	ret = 0;
	goto out;
nomem:
	ret = pt_fail(ENOMEM, "out of memory");
out:
	cJSON_Delete(doc);
	free(runs.real);
	free(runs.cpu);
	free(runs.rate);
	free(tmp);
	return ret;
}
