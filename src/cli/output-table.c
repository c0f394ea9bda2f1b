/* output-table.c - human tables of a results document */
#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_print_json(cJSON *doc)
{
	char *s = doc ? cJSON_Print(doc) : NULL;
	int ok = s != NULL;

	if (ok)
		puts(s);
	else
		cli_error("out of memory");
	free(s);
	cJSON_Delete(doc);
	return ok ? EXIT_OK : EXIT_USAGE;
}

void cli_json_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

void fmt_duration(char *buf, size_t len, double s)
{
	if (!isfinite(s))
		snprintf(buf, len, "-");
	else if (s >= 1.0 || s == 0.0)
		snprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else if (s >= 1e-6)
		snprintf(buf, len, "%.2f us", s * 1e6);
	else
		snprintf(buf, len, "%.1f ns", s * 1e9);
}

static void fmt_scaled(char *buf, size_t len, double v, const char *unit)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T", "P" };
	unsigned i = 0;

	while (fabs(v) >= 1000.0 && i < 5) {
		v /= 1000.0;
		i++;
	}
	if (i)
		snprintf(buf, len, "%.2f %s%s", v, prefix[i], unit);
	else
		snprintf(buf, len, *unit ? "%.0f %s" : "%.0f", v, unit);
}

void fmt_rate(char *buf, size_t len, double per_second)
{
	fmt_scaled(buf, len, per_second, "/s");
}

void fmt_count(char *buf, size_t len, double count)
{
	fmt_scaled(buf, len, count, "");
}

void fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;

	while (b >= 1024.0 && i < 4) {
		b /= 1024.0;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", b, unit[i]);
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static const cJSON *obj(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Latency field in nanoseconds, or "-" when not recorded. */
static void fmt_lat(char *buf, size_t len, const cJSON *lat, const char *key)
{
	if (!cJSON_IsTrue(obj(lat, "recorded")) || num(lat, "count") == 0)
		snprintf(buf, len, "-");
	else
		fmt_duration(buf, len, num(lat, key) / 1e9);
}

static void print_header(FILE *f, const cJSON *doc)
{
	const cJSON *task = obj(doc, "task"), *host = obj(doc, "host");
	const cJSON *cfg = obj(doc, "config"), *params = obj(task, "params"), *p;

	fprintf(f, "proftune %s: task %s (%s)\n", str(doc, "command"), str(task, "name"),
		str(task, "path"));
	if (cJSON_GetArraySize(params) > 0) {
		fprintf(f, "  params:");
		cJSON_ArrayForEach(p, params)
			fprintf(f, " %s=%s", p->string, cJSON_IsString(p) ? p->valuestring : "?");
		fputc('\n', f);
	}
	fprintf(f, "  host: %s, %s, %.0f PUs allowed (%s), %s\n", str(host, "hostname"),
		cJSON_IsString(obj(host, "cpu_model")) ? str(host, "cpu_model") : "unknown CPU",
		num(host, "allowed_pus"), str(host, "allowed_cpus"), str(host, "kernel"));
	if (cJSON_IsNumber(obj(cfg, "items")))
		fprintf(f, "  measured: %.0f items per trial", num(cfg, "items"));
	else
		fprintf(f, "  measured: %g s per trial", num(cfg, "duration_s"));
	fprintf(f, " after %g s warm-up; placement %s; latency %s\n\n", num(cfg, "warmup_s"),
		str(cfg, "placement"), cJSON_IsTrue(obj(cfg, "record_latency")) ? "on" : "off");
}

static void print_trials(FILE *f, const cJSON *trials)
{
	const cJSON *t;

	fprintf(f, "%5s %7s %-8s %10s %9s %12s %10s %10s %10s %10s %6s %10s\n", "trial",
		"workers", "status", "items", "wall", "throughput", "mean", "p50", "p99",
		"max", "cpu", "peak RSS");
	cJSON_ArrayForEach(t, trials) {
		const cJSON *lat = obj(t, "latency_ns"), *cpu = obj(t, "cpu");
		char items[24], wall[24], thr[24], mean[24], p50[24], p99[24], max[24], rss[24];
		int i = 0;

		for (const cJSON *x = trials->child; x && x != t; x = x->next)
			i++;
		fmt_count(items, sizeof(items), num(t, "items"));
		fmt_duration(wall, sizeof(wall), num(t, "wall_s"));
		fmt_rate(thr, sizeof(thr), num(t, "throughput"));
		fmt_lat(mean, sizeof(mean), lat, "mean");
		fmt_lat(p50, sizeof(p50), lat, "p50");
		fmt_lat(p99, sizeof(p99), lat, "p99");
		fmt_lat(max, sizeof(max), lat, "max");
		fmt_bytes(rss, sizeof(rss), num(obj(t, "memory"), "peak_rss"));
		fprintf(f, "%5d %7.0f %-8s %10s %9s %12s %10s %10s %10s %10s %5.0f%% %10s\n", i,
			num(t, "workers"), str(t, "status"), items, wall, thr, mean, p50, p99, max,
			100.0 * num(cpu, "utilization"), rss);
	}
}

static void print_workers(FILE *f, const cJSON *t)
{
	const cJSON *w;

	fprintf(f, "  %6s %4s %4s %10s %10s %12s %10s %10s %6s %8s\n", "worker", "cpu", "numa",
		"items", "busy", "throughput", "mean", "p99", "cpu", "ctxsw");
	cJSON_ArrayForEach(w, obj(t, "per_worker")) {
		const cJSON *lat = obj(w, "latency_ns"), *os = obj(obj(w, "counters"), "os");
		char items[24], busy[24], thr[24], mean[24], p99[24], cpu[8], numa[8];

		fmt_count(items, sizeof(items), num(w, "items"));
		fmt_duration(busy, sizeof(busy), num(w, "busy_s"));
		fmt_rate(thr, sizeof(thr), num(w, "throughput"));
		fmt_lat(mean, sizeof(mean), lat, "mean");
		fmt_lat(p99, sizeof(p99), lat, "p99");
		if (num(w, "cpu") >= 0)
			snprintf(cpu, sizeof(cpu), "%.0f", num(w, "cpu"));
		else
			snprintf(cpu, sizeof(cpu), "any");
		if (num(w, "numa_node") >= 0)
			snprintf(numa, sizeof(numa), "%.0f", num(w, "numa_node"));
		else
			snprintf(numa, sizeof(numa), "-");
		fprintf(f, "  %6.0f %4s %4s %10s %10s %12s %10s %10s %5.0f%% %8.0f\n",
			num(w, "index"), cpu, numa, items, busy, thr, mean, p99,
			100.0 * num(w, "cpu_utilization"),
			num(os, "voluntary_context_switches") + num(os, "involuntary_context_switches"));
	}
}

static void print_counters(FILE *f, const cJSON *t)
{
	const cJSON *c = obj(t, "counters"), *e;
	const cJSON *mem = obj(obj(t, "memory"), "records"), *notes = obj(t, "notes");
	char a[24], b[24];

	cJSON_ArrayForEach(e, obj(c, "user")) {
		fmt_count(a, sizeof(a), num(e, "value"));
		fmt_rate(b, sizeof(b), num(e, "rate"));
		fprintf(f, "  counter %-20s %12s  %12s\n", e->string, a, b);
	}
	cJSON_ArrayForEach(e, mem) {
		fmt_bytes(a, sizeof(a), e->valuedouble);
		fprintf(f, "  memory  %-20s %12s\n", e->string, a);
	}
	cJSON_ArrayForEach(e, notes)
		fprintf(f, "  note    %-20s %12g\n", e->string, e->valuedouble);
	fprintf(f, "  os     ");
	cJSON_ArrayForEach(e, obj(c, "os"))
		fprintf(f, " %s=%.0f", e->string, e->valuedouble);
	fprintf(f, "\n  perf   ");
	cJSON_ArrayForEach(e, obj(c, "perf")) {
		if (strcmp(str(e, "status"), "ok") == 0) {
			fmt_count(a, sizeof(a), num(e, "value"));
			fprintf(f, " %s=%s", e->string, a);
		} else {
			fprintf(f, " %s=%s", e->string, str(e, "status"));
		}
	}
	fputc('\n', f);
}

static void print_messages(FILE *f, const cJSON *t)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj(obj(t, "errors"), "messages"))
		fprintf(f, "  error (x%.0f): %s\n", num(m, "count"), str(m, "message"));
	cJSON_ArrayForEach(m, obj(t, "warnings"))
		fprintf(f, "  warning: %s\n", str(m, "message"));
}

void print_document(FILE *f, const cJSON *doc, int details)
{
	const cJSON *trials = obj(doc, "trials"), *t, *m;
	int i = 0, n = cJSON_GetArraySize(trials);

	if (!doc)
		return;
	print_header(f, doc);
	print_trials(f, trials);
	if (details) {
		cJSON_ArrayForEach(t, trials) {
			char ov[24];

			fprintf(f, "\ntrial %d: %s", i++, str(t, "status"));
			if (cJSON_IsString(obj(t, "message")))
				fprintf(f, " (%s)", str(t, "message"));
			snprintf(ov, sizeof(ov), "%.2f%%", 100.0 * num(obj(t, "dispatch"), "overhead"));
			fprintf(f, "; imbalance %.1f%%; dispatch %s in chunks of %.0f\n",
				100.0 * num(t, "imbalance"), ov, num(obj(t, "dispatch"), "mean_chunk"));
			if (n <= 4)
				print_workers(f, t);
			print_counters(f, t);
			print_messages(f, t);
		}
	}
	cJSON_ArrayForEach(m, obj(doc, "warnings"))
		fprintf(f, "warning: %s\n", str(m, "message"));
}

/* Throughput against workers as horizontal bars, with the model's value. */
static void print_chart(FILE *f, const cJSON *per_count, double best)
{
	const int width = 50;
	const cJSON *c;

	if (!(best > 0))
		return;
	fprintf(f, "\n  throughput against workers ('#' median, '|' model):\n");
	cJSON_ArrayForEach(c, per_count) {
		double med = num(c, "median"), model = num(c, "model");
		int bar = isfinite(med) ? (int)lround(width * med / best) : 0;
		int mark = isfinite(model) ? (int)lround(width * model / best) : -1;
		char line[128], rate[24];

		if (bar > width)
			bar = width;
		memset(line, ' ', sizeof(line));
		for (int i = 0; i < bar; i++)
			line[i] = '#';
		if (mark >= 0 && mark < (int)sizeof(line) - 2)
			line[mark] = '|';
		line[(mark + 1 > width ? mark + 1 : width) < 120 ?
		     (mark + 1 > width ? mark + 1 : width) : 120] = '\0';
		fmt_rate(rate, sizeof(rate), med);
		fprintf(f, "  %6.0f %s %s\n", num(c, "workers"), line, isfinite(med) ? rate : "-");
	}
}

void print_tune_summary(FILE *f, const cJSON *doc)
{
	const cJSON *s = obj(doc, "summary"), *pc = obj(s, "per_count"), *c, *m, *w;
	const cJSON *conf = obj(s, "confidence");
	char a[24], b[24], d[24], lat[24];

	if (!doc)
		return;
	print_header(f, doc);
	if (!s) {
		fprintf(f, "no summary: no trial finished\n");
		return;
	}
	fprintf(f, "%7s %6s %12s %27s %9s %13s %8s %6s %10s %5s %12s\n", "workers", "trials",
		"median", "95% CI", "vs best", "", "speedup", "eff", "p99", "cpu", "model");
	cJSON_ArrayForEach(c, pc) {
		fmt_rate(a, sizeof(a), num(c, "median"));
		if (isfinite(num(c, "ci_low"))) {
			fmt_rate(b, sizeof(b), num(c, "ci_low"));
			fmt_rate(d, sizeof(d), num(c, "ci_high"));
		} else {
			snprintf(b, sizeof(b), "-");
			snprintf(d, sizeof(d), "-");
		}
		fmt_duration(lat, sizeof(lat), num(c, "p99_ns") / 1e9);
		char ci[64], model[24];

		snprintf(ci, sizeof(ci), "[%s, %s]", b, d);
		if (isfinite(num(c, "model")))
			fmt_rate(model, sizeof(model), num(c, "model"));
		else
			snprintf(model, sizeof(model), "-");
		fprintf(f, "%7.0f %6.0f %12s %27s %8.1f%% %13s %8.2f %5.0f%% %10s %4.0f%% %12s\n",
			num(c, "workers"), num(c, "trials"), a, ci,
			100 * (num(c, "ratio_to_best") - 1), str(c, "versus_best"), num(c, "speedup"),
			100 * num(c, "efficiency"), lat, 100 * num(c, "cpu_utilization"), model);
	}
	print_chart(f, pc, num(s, "best_throughput"));
	fmt_rate(a, sizeof(a), num(s, "best_throughput"));
	fprintf(f, "\n  optimal:     %.0f workers (highest median, %s)\n", num(s, "optimal_workers"),
		a);
	fprintf(f, "  recommended: %.0f workers (smallest count shown within %.0f%% of the best, "
		"one-sided 95%% test)\n", num(s, "recommended_workers"), 100 * num(s, "tolerance"));
	if (cJSON_IsTrue(obj(conf, "optimal_decided")))
		fprintf(f, "  certainty:   the optimum is significantly better than every other count");
	else {
		fprintf(f, "  certainty:   statistically tied with the optimum:");
		cJSON_ArrayForEach(w, obj(conf, "tied_with_optimal"))
			fprintf(f, " %.0f", w->valuedouble);
	}
	fprintf(f, "; the recommendation is %s\n", cJSON_IsTrue(obj(conf, "recommended_decided")) ?
		"decided" : "not yet decided (more trials or a longer --duration would settle it)");
	m = obj(s, "model");
	if (cJSON_IsTrue(obj(m, "fitted"))) {
		fprintf(f, "  model (USL): sigma %.4g, kappa %.4g, lambda %.4g; R2 %.3f; ",
			num(m, "sigma"), num(m, "kappa"), num(m, "lambda"), num(m, "r2"));
		if (isfinite(num(m, "peak_workers")))
			fprintf(f, "peak at %.1f workers; ", num(m, "peak_workers"));
		else
			fprintf(f, "no peak; ");
		fprintf(f, "%s-bound\n", str(m, "bound"));
	}
	fprintf(f, "  strategy %s: %.0f trials, %.1f s, tested", str(s, "strategy"),
		num(s, "trials"), num(s, "elapsed_s"));
	cJSON_ArrayForEach(w, obj(s, "tested_workers"))
		fprintf(f, " %.0f", w->valuedouble);
	fputc('\n', f);
	cJSON_ArrayForEach(w, obj(s, "warnings"))
		fprintf(f, "warning: %s\n", cJSON_IsString(w) ? w->valuestring : "");
	cJSON_ArrayForEach(w, obj(doc, "warnings"))
		fprintf(f, "warning: %s\n", str(w, "message"));
}
