/* trace.c - `report --format trace`: Chrome trace events of the trials, a track per worker */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/util.h"
#include "instr/trace.h"
#include "report/trace.h"
#include "report/grid.h"
#include "report/util.h"

/* Seconds since the epoch of a UTC ISO 8601 time with optional fraction,
 * e.g. 2026-11-23T12:25:40.986Z; NAN when malformed. */
static double parse_iso8601(const char *s)
{
	struct tm tm;
	double frac = 0;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return NAN;
	if (s[n] == '.') {
		char *end;

		frac = strtod(s + n, &end);
		n = (int)(end - s);
	}
	if (s[n] != 'Z' || s[n + 1])
		return NAN;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + frac;
}

/* Nanoseconds of S seconds since the trace's start (0 when not a time). */
static uint64_t ns_of(double s)
{
	return isfinite(s) && s > 0 ? (uint64_t)llround(s * 1e9) : 0;
}

static cJSON *add(cJSON *events, cJSON *e)
{
	cJSON_AddItemToArray(events, e);
	return e;
}

static void metadata(cJSON *events, const char *what, int pid, int tid, const char *name)
{
	add(events, pt_trace_metadata_new(what, pid, tid, name));
}

static cJSON *span(cJSON *events, const char *name, const char *cat, double start_s, double end_s,
		   int pid, int tid)
{
	return add(events, pt_trace_event_new(name, cat, 'X', ns_of(start_s),
					      ns_of(end_s) - ns_of(start_s), pid, tid));
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
}

/* The numbers of a worker's span and of a trial's that the trace shows. */
static const char *const worker_args[] = {
	"items", "errors", "throughput", "busy_s", "cpu", "cpu_observed_end", "cpu_utilization",
	NULL,
};
static const char *const trial_args[] = { "workers", "repeat", "items", "throughput", NULL };

/* Add the numbers of FROM at KEYS (those it has) to the args object E. */
static void add_args(cJSON *e, const cJSON *from, const char *const *keys)
{
	for (; *keys; keys++)
		add_num(e, *keys, pt_json_num(from, *keys));
}

/* The events of one document as process PID; the number of worker spans. */
static int document(cJSON *events, const struct report_doc *d, int pid)
{
	const cJSON *t, *w;
	double t0 = NAN, next = 0;
	int max_workers = 0, spans = 0, i = 0;
	char name[160];

	snprintf(name, sizeof(name), "%s: proftune %s of %s", d->file, pt_json_str(d->tree, "command"),
		 pt_json_str(robj(d->tree, "task"), "name"));
	metadata(events, "process_name", pid, 0, name);
	metadata(events, "thread_name", pid, 0, "trials");
	cJSON_ArrayForEach(t, robj(d->tree, "trials")) {
		double started = parse_iso8601(pt_json_str(t, "started")), at, first = INFINITY, last = 0;
		double setup = pt_json_num(t, "setup_s"), warmup = pt_json_num(t, "warmup_s");
		cJSON *e;

		/* trials on one time line: by their start times when recorded,
		 * else one after the other */
		if (isnan(t0) && isfinite(started))
			t0 = started;
		at = isfinite(started) && isfinite(t0) ? started - t0 : next;
		if (at < next)
			at = next;
		cJSON_ArrayForEach(w, robj(t, "per_worker")) {
			double s = pt_json_num(w, "start_s"), end = pt_json_num(w, "end_s");
			int tid = 1 + (int)pt_json_num(w, "index");

			if (tid > max_workers)
				max_workers = tid;
			first = fmin(first, s);
			last = fmax(last, end);
			snprintf(name, sizeof(name), "trial %d", i);
			e = span(events, name, "worker", at + s, at + end, pid, tid);
			add_args(cJSON_AddObjectToObject(e, "args"), w, worker_args);
			spans++;
		}
		if (!isfinite(first))
			first = last = 0;
		snprintf(name, sizeof(name), "trial %d: %.0f workers, %s", i, pt_json_num(t, "workers"),
			 pt_json_str(t, "status"));
		e = span(events, name, "trial", at, at + last, pid, 0);
		e = cJSON_AddObjectToObject(e, "args");
		add_args(e, t, trial_args);
		cJSON_AddStringToObject(e, "status", pt_json_str(t, "status"));
		add_num(e, "p99_ns", pt_field_trial(pt_field_find("latency_p99_ns"), t));
		if (isfinite(setup) && setup <= last)
			span(events, "setup", "phase", at, at + setup, pid, 0);
		if (isfinite(warmup) && first - warmup >= 0 && last > first)
			span(events, "warm-up", "phase", at + first - warmup, at + first, pid, 0);
		if (last > first)
			span(events, "measured", "phase", at + first, at + last, pid, 0);
		next = at + last;
		i++;
	}
	for (int k = 1; k <= max_workers; k++) {
		snprintf(name, sizeof(name), "worker %d", k - 1);
		metadata(events, "thread_name", pid, k, name);
		cJSON *e = add(events, pt_trace_event_new("thread_sort_index", NULL, 'M', 0, 0,
							  pid, k));

		cJSON_DeleteItemFromObjectCaseSensitive(e, "ts");
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(e, "args"), "sort_index", k);
	}
	return spans;
}

int report_trace(FILE *f, const struct report *r)
{
	cJSON *doc = cJSON_CreateObject(), *events, *other;
	int spans = 0;
	char *text;

	if (!doc)
		goto nomem;
	events = cJSON_AddArrayToObject(doc, "traceEvents");
	for (size_t k = 0; k < r->ndocs; k++)
		spans += document(events, &r->docs[k], 1 + (int)k);
	if (spans == 0) {
		cJSON_Delete(doc);
		return pt_fail(EINVAL, "'%s' holds no per-worker timelines (per_worker "
			       "start_s/end_s): nothing to trace", r->docs[0].file);
	}
	cJSON_AddStringToObject(doc, "displayTimeUnit", "ms");
	other = cJSON_AddObjectToObject(doc, "otherData");
	cJSON_AddStringToObject(other, "generator", "proftune report --format trace");
	cJSON_AddStringToObject(other, "schema", pt_json_str(r->docs[0].tree, "schema"));
	text = pt_json_print(doc, 1);
	cJSON_Delete(doc);
	if (!text)
		goto nomem;
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return 0;
nomem:
	return pt_fail(ENOMEM, "out of memory");
}
