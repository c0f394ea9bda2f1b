/* trialjson.c - one trial as JSON: the "trials[]" entry of a results document */
#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/util.h"
#include "engine/trial.h"
#include "engine/trialjson.h"
#include "stats/hist.h"

/* V, or NAN when the trial did not measure it (MEASURED is 0): JSON then
 * says null, never a 0 that reads as a measurement. */
static double known(int measured, double v)
{
	return measured ? v : NAN;
}

/* A count or size where 0 means the reading failed (an unreadable /proc):
 * NAN then. */
static double nonzero(double v)
{
	return v > 0 ? v : NAN;
}

/* The latency of MEASURED items: with RECORDED off (--no-latency) nothing
 * was timed, so even the count is unknown; the statistics of no items are
 * null. */
static cJSON *latency_json(const struct pt_latency *l, int recorded, int measured)
{
	cJSON *o = cJSON_CreateObject();
	int have = recorded && measured && l->count > 0;

	cJSON_AddBoolToObject(o, "recorded", have);
	pt_json_add_number(o, "count", known(recorded && measured, (double)l->count));
	pt_json_add_number(o, "min", known(have, l->min));
	pt_json_add_number(o, "mean", known(have, l->mean));
	pt_json_add_number(o, "stddev", known(have, l->stddev));
	pt_json_add_number(o, "p50", known(have, l->p50));
	pt_json_add_number(o, "p90", known(have, l->p90));
	pt_json_add_number(o, "p99", known(have, l->p99));
	pt_json_add_number(o, "p99_9", known(have, l->p999));
	pt_json_add_number(o, "max", known(have, l->max));
	pt_json_add_number(o, "relative_error", PT_HIST_REL_ERROR);
	return o;
}

static cJSON *named_json(const struct pt_named_list *l)
{
	cJSON *o = cJSON_CreateObject();

	for (unsigned i = 0; i < l->n; i++)
		pt_json_add_number(o, l->items[i].name, l->items[i].value);
	return o;
}

static cJSON *perf_json(const struct pt_perf_value *v)
{
	cJSON *o = cJSON_CreateObject();

	for (unsigned i = 0; i < PT_PERF_EVENTS; i++) {
		cJSON *e = cJSON_AddObjectToObject(o, pt_perf_event_names[i]);

		cJSON_AddStringToObject(e, "status", pt_perf_status_name(v[i].status));
		if (v[i].status == PT_PERF_OK) {
			pt_json_add_number(e, "value", round(v[i].value));
			pt_json_add_number(e, "running", v[i].running);
		}
	}
	return o;
}

static cJSON *os_json(const struct pt_rusage *ru, int measured)
{
	cJSON *o = cJSON_CreateObject();

	pt_json_add_number(o, "voluntary_context_switches", known(measured, (double)ru->nvcsw));
	pt_json_add_number(o, "involuntary_context_switches",
			   known(measured, (double)ru->nivcsw));
	pt_json_add_number(o, "minor_faults", known(measured, (double)ru->minflt));
	pt_json_add_number(o, "major_faults", known(measured, (double)ru->majflt));
	return o;
}

cJSON *pt_msgs_to_cjson(const struct pt_msg_list *l)
{
	cJSON *a = cJSON_CreateArray();

	for (unsigned i = 0; i < l->n; i++) {
		cJSON *m = cJSON_CreateObject();

		pt_json_add_string(m, "message", l->items[i].text);
		pt_json_add_number(m, "count", (double)l->items[i].count);
		cJSON_AddItemToArray(a, m);
	}
	return a;
}

static cJSON *worker_json(const pt_trial *tr, const struct pt_worker_result *r, int measured,
			  int full)
{
	cJSON *o = cJSON_CreateObject(), *c;
	double span = r->end_s - r->start_s;

	pt_json_add_number(o, "index", r->index);
	pt_json_add_number(o, "pid", r->pid);
	pt_json_add_number(o, "tid", r->tid);
	if (tr->config.isolation == PT_ISOLATE_PROCESS) {
		pt_json_add_number(o, "ppid", r->ppid);
		pt_json_add_string(o, "process_name", r->process_name);
		pt_json_add_string(o, "parent_process_name", r->parent_process_name);
		cJSON_AddBoolToObject(o, "broken", r->broken);
		if (r->broken) {
			char name[32];
			const char *ab = r->exit_signal ? sigabbrev_np(r->exit_signal) : NULL;

			snprintf(name, sizeof(name), "SIG%s", ab ? ab : "?");
			pt_json_add_string(o, "signal", r->exit_signal ? name : NULL);
			pt_json_add_number(o, "exit_status", r->exit_status);
			pt_json_add_string(o, "phase", r->broken_phase);
			pt_json_add_number(o, "item", (double)r->broken_item);
		}
	}
	pt_json_add_number(o, "cpu", r->slot.pu);
	pt_json_add_number(o, "core", r->slot.core);
	pt_json_add_number(o, "numa_node", r->slot.numa);
	pt_json_add_number(o, "package", r->slot.package);
	pt_json_add_number(o, "cpu_observed_start", r->cpu_start);
	pt_json_add_number(o, "cpu_observed_end", r->cpu_end);
	pt_json_add_number(o, "items", known(measured, (double)r->items));
	pt_json_add_number(o, "errors", known(measured, (double)r->errors));
	pt_json_add_number(o, "busy_s", known(measured, r->busy_s));
	pt_json_add_number(o, "dispatch_s", known(measured, r->dispatch_s));
	pt_json_add_number(o, "start_s", known(measured, r->start_s));
	pt_json_add_number(o, "end_s", known(measured, r->end_s));
	pt_json_add_number(o, "cpu_user_s", known(measured, r->ru.user_s));
	pt_json_add_number(o, "cpu_sys_s", known(measured, r->ru.sys_s));
	pt_json_add_number(o, "cpu_utilization", measured && span > 0 ?
			   (r->ru.user_s + r->ru.sys_s) / span : NAN);
	pt_json_add_number(o, "throughput", measured && span > 0 ? (double)r->items / span : NAN);
	pt_json_add_number(o, "goodput", measured && span > 0 ?
			   (double)(r->items - r->errors) / span : NAN);
	if (!full)
		return o;
	cJSON_AddItemToObject(o, "latency_ns", latency_json(&r->latency,
							     tr->config.record_latency, measured));
	c = cJSON_AddObjectToObject(o, "counters");
	cJSON_AddItemToObject(c, "user", named_json(&r->counters));
	cJSON_AddItemToObject(c, "os", os_json(&r->ru, measured));
	cJSON_AddItemToObject(c, "perf", perf_json(r->perf));
	cJSON_AddItemToObject(o, "memory", named_json(&r->memory));
	return o;
}

cJSON *pt_trial_to_cjson(const pt_trial *tr)
{
	cJSON *o, *e, *m, *c, *u, *a;
	char when[40];
	double wall = tr->s.wall_s;
	/* a trial whose process died or was lost sent nothing back, and one
	 * with no measured phase has no wall time: what it would have
	 * measured is unknown, so null */
	int measured = wall > 0, full;

	/* the tree a trial process sent, and the instrumentation, hold the
	 * task's names as it gave them */
	if (tr->json) {
		o = cJSON_Duplicate(tr->json, 1);
		pt_json_clean(o, PT_TEXT_UTF8);
		return o;
	}
	o = cJSON_CreateObject();
	pt_json_add_number(o, "workers", tr->s.workers);
	pt_json_add_number(o, "repeat", tr->config.repeat);
	cJSON_AddStringToObject(o, "status", pt_status_name(tr->s.status));
	pt_json_add_string(o, "message", tr->message);
	cJSON_AddStringToObject(o, "placement", pt_placement_name(tr->config.placement));
	cJSON_AddStringToObject(o, "isolation", pt_isolation_name(tr->config.isolation));
	pt_iso8601(tr->started, when, sizeof(when));
	cJSON_AddStringToObject(o, "started", when);
	pt_json_add_number(o, "items", known(measured, (double)tr->s.items));
	e = cJSON_AddObjectToObject(o, "errors");
	pt_json_add_number(e, "count", known(measured, (double)tr->s.errors));
	pt_json_add_number(e, "rate", known(measured, tr->s.error_rate));
	pt_json_add_number(e, "max_rate", tr->config.max_error_rate);
	cJSON_AddItemToObject(e, "messages", pt_msgs_to_cjson(&tr->errors));
	pt_json_add_number(e, "messages_total", (double)tr->errors.total);
	pt_json_add_number(o, "wall_s", known(measured, wall));
	pt_json_add_number(o, "throughput", known(measured, tr->s.throughput));
	pt_json_add_number(o, "goodput", known(measured, tr->s.goodput));
	pt_json_add_number(o, "warmup_s", known(measured, tr->warmup_s));
	pt_json_add_number(o, "setup_s", known(measured, tr->setup_s));
	pt_json_add_number(o, "teardown_s", known(measured, tr->teardown_s));
	c = cJSON_AddObjectToObject(o, "cpu");
	pt_json_add_number(c, "user_s", known(measured, tr->s.cpu_user_s));
	pt_json_add_number(c, "sys_s", known(measured, tr->s.cpu_sys_s));
	/* CPU seconds per worker-second of the measured phase */
	pt_json_add_number(c, "utilization", measured ? (tr->s.cpu_user_s + tr->s.cpu_sys_s) /
				  (wall * tr->s.workers) : NAN);
	cJSON_AddItemToObject(o, "latency_ns", latency_json(&tr->s.latency,
							     tr->config.record_latency, measured));
	c = cJSON_AddObjectToObject(o, "clock");
	cJSON_AddStringToObject(c, "name", pt_clock_name());
	pt_json_add_number(c, "drift", known(measured, tr->clock_drift));
	m = cJSON_AddObjectToObject(o, "memory");
	pt_json_add_number(m, "peak_rss", known(measured, nonzero((double)tr->s.peak_rss)));
	cJSON_AddStringToObject(m, "peak_rss_scope", tr->peak_rss_reset ? "trial" : "process");
	if (tr->config.isolation == PT_ISOLATE_PROCESS)
		pt_json_add_number(m, "worker_processes_rss",
				   known(measured, (double)tr->workers_peak_rss));
	pt_json_add_number(m, "rss_start", known(measured, nonzero((double)tr->rss_start)));
	pt_json_add_number(m, "rss_end", known(measured, nonzero((double)tr->rss_end)));
	pt_json_add_number(m, "heap_start", known(measured, nonzero((double)tr->heap_start)));
	pt_json_add_number(m, "heap_end", known(measured, nonzero((double)tr->heap_end)));
	cJSON_AddItemToObject(m, "records", named_json(&tr->memory));
	c = cJSON_AddObjectToObject(o, "counters");
	u = cJSON_AddObjectToObject(c, "user");
	for (unsigned i = 0; i < tr->counters.n; i++) {
		cJSON *k = pt_json_add_object(u, tr->counters.items[i].name);

		pt_json_add_number(k, "value", tr->counters.items[i].value);
		pt_json_add_number(k, "rate", measured ? tr->counters.items[i].value / wall : NAN);
	}
	cJSON_AddItemToObject(c, "os", os_json(&tr->ru, measured));
	cJSON_AddItemToObject(c, "perf", perf_json(tr->perf));
	cJSON_AddItemToObject(o, "notes", named_json(&tr->notes));
	e = cJSON_AddObjectToObject(o, "dispatch");
	pt_json_add_number(e, "mean_chunk", known(measured, tr->mean_chunk));
	pt_json_add_number(e, "overhead", known(measured, tr->dispatch_overhead));
	pt_json_add_number(o, "imbalance", known(measured, tr->s.imbalance));
	cJSON_AddItemToObject(o, "warnings", pt_msgs_to_cjson(&tr->warnings));
	full = tr->config.all_worker_detail || tr->s.workers <= PT_DETAIL_WORKERS;
	cJSON_AddStringToObject(o, "per_worker_detail", full ? "full" : "compact");
	a = cJSON_AddArrayToObject(o, "per_worker");
	for (unsigned i = 0; i < tr->s.workers; i++)
		cJSON_AddItemToArray(a, worker_json(tr, &tr->workers[i], measured, full));
	if (tr->instrumentation) {
		a = cJSON_Duplicate(tr->instrumentation, 1);
		pt_json_clean(a, PT_TEXT_UTF8);
		cJSON_AddItemToObject(o, "instrumentation", a);
	}
	return o;
}

char *pt_trial_json(const pt_trial *tr)
{
	cJSON *o = pt_trial_to_cjson(tr);
	char *s = o ? pt_json_print(o, 1) : NULL;

	cJSON_Delete(o);
	return s;
}
