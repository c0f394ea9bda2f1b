/* trialjson.c - one trial as JSON: the "trials[]" entry of a results document */
#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "engine/trial.h"
#include "engine/trialjson.h"
#include "stats/hist.h"

static cJSON *latency_json(const struct pt_latency *l, int recorded)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "recorded", recorded && l->count > 0);
	pt_json_add_number(o, "count", (double)l->count);
	pt_json_add_number(o, "min", l->min);
	pt_json_add_number(o, "mean", l->mean);
	pt_json_add_number(o, "stddev", l->stddev);
	pt_json_add_number(o, "p50", l->p50);
	pt_json_add_number(o, "p90", l->p90);
	pt_json_add_number(o, "p99", l->p99);
	pt_json_add_number(o, "p99_9", l->p999);
	pt_json_add_number(o, "max", l->max);
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

static cJSON *os_json(const struct pt_rusage *ru)
{
	cJSON *o = cJSON_CreateObject();

	pt_json_add_number(o, "voluntary_context_switches", (double)ru->nvcsw);
	pt_json_add_number(o, "involuntary_context_switches", (double)ru->nivcsw);
	pt_json_add_number(o, "minor_faults", (double)ru->minflt);
	pt_json_add_number(o, "major_faults", (double)ru->majflt);
	return o;
}

cJSON *pt_msgs_to_cjson(const struct pt_msg_list *l)
{
	cJSON *a = cJSON_CreateArray();

	for (unsigned i = 0; i < l->n; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "message", l->items[i].text);
		pt_json_add_number(m, "count", (double)l->items[i].count);
		cJSON_AddItemToArray(a, m);
	}
	return a;
}

static cJSON *worker_json(const pt_trial *tr, const struct pt_worker_result *r)
{
	cJSON *o = cJSON_CreateObject(), *c;
	double span = r->end_s - r->start_s;

	pt_json_add_number(o, "index", r->index);
	pt_json_add_number(o, "pid", r->pid);
	pt_json_add_number(o, "tid", r->tid);
	if (tr->config.isolation == PT_ISOLATE_PROCESS) {
		pt_json_add_number(o, "ppid", r->ppid);
		cJSON_AddStringToObject(o, "process_name", r->process_name);
		cJSON_AddStringToObject(o, "parent_process_name", r->parent_process_name);
		cJSON_AddBoolToObject(o, "broken", r->broken);
		if (r->broken) {
			char name[32];
			const char *ab = r->exit_signal ? sigabbrev_np(r->exit_signal) : NULL;

			snprintf(name, sizeof(name), "SIG%s", ab ? ab : "?");
			if (r->exit_signal)
				cJSON_AddStringToObject(o, "signal", name);
			else
				cJSON_AddNullToObject(o, "signal");
			pt_json_add_number(o, "exit_status", r->exit_status);
			cJSON_AddStringToObject(o, "phase", r->broken_phase);
			pt_json_add_number(o, "item", (double)r->broken_item);
		}
	}
	pt_json_add_number(o, "cpu", r->slot.pu);
	pt_json_add_number(o, "core", r->slot.core);
	pt_json_add_number(o, "numa_node", r->slot.numa);
	pt_json_add_number(o, "package", r->slot.package);
	pt_json_add_number(o, "cpu_observed_start", r->cpu_start);
	pt_json_add_number(o, "cpu_observed_end", r->cpu_end);
	pt_json_add_number(o, "items", (double)r->items);
	pt_json_add_number(o, "errors", (double)r->errors);
	pt_json_add_number(o, "busy_s", r->busy_s);
	pt_json_add_number(o, "dispatch_s", r->dispatch_s);
	pt_json_add_number(o, "start_s", r->start_s);
	pt_json_add_number(o, "end_s", r->end_s);
	pt_json_add_number(o, "cpu_user_s", r->ru.user_s);
	pt_json_add_number(o, "cpu_sys_s", r->ru.sys_s);
	pt_json_add_number(o, "cpu_utilization", span > 0 ? (r->ru.user_s + r->ru.sys_s) / span : 0);
	pt_json_add_number(o, "throughput", span > 0 ? (double)r->items / span : 0);
	cJSON_AddItemToObject(o, "latency_ns", latency_json(&r->latency,
							     tr->config.record_latency));
	c = cJSON_AddObjectToObject(o, "counters");
	cJSON_AddItemToObject(c, "user", named_json(&r->counters));
	cJSON_AddItemToObject(c, "os", os_json(&r->ru));
	cJSON_AddItemToObject(c, "perf", perf_json(r->perf));
	cJSON_AddItemToObject(o, "memory", named_json(&r->memory));
	return o;
}

cJSON *pt_trial_to_cjson(const pt_trial *tr)
{
	cJSON *o, *e, *m, *c, *u, *a;
	char when[40];
	double wall = tr->s.wall_s;

	if (tr->json)
		return cJSON_Duplicate(tr->json, 1);
	o = cJSON_CreateObject();
	pt_json_add_number(o, "workers", tr->s.workers);
	pt_json_add_number(o, "repeat", tr->config.repeat);
	cJSON_AddStringToObject(o, "status", pt_status_name(tr->s.status));
	if (tr->message)
		cJSON_AddStringToObject(o, "message", tr->message);
	else
		cJSON_AddNullToObject(o, "message");
	cJSON_AddStringToObject(o, "placement", pt_placement_name(tr->config.placement));
	cJSON_AddStringToObject(o, "isolation", pt_isolation_name(tr->config.isolation));
	pt_iso8601(tr->started, when, sizeof(when));
	cJSON_AddStringToObject(o, "started", when);
	pt_json_add_number(o, "items", (double)tr->s.items);
	e = cJSON_AddObjectToObject(o, "errors");
	pt_json_add_number(e, "count", (double)tr->s.errors);
	cJSON_AddItemToObject(e, "messages", pt_msgs_to_cjson(&tr->errors));
	pt_json_add_number(e, "messages_total", (double)tr->errors.total);
	pt_json_add_number(o, "wall_s", wall);
	pt_json_add_number(o, "throughput", tr->s.throughput);
	pt_json_add_number(o, "warmup_s", tr->warmup_s);
	pt_json_add_number(o, "setup_s", tr->setup_s);
	pt_json_add_number(o, "teardown_s", tr->teardown_s);
	c = cJSON_AddObjectToObject(o, "cpu");
	pt_json_add_number(c, "user_s", tr->s.cpu_user_s);
	pt_json_add_number(c, "sys_s", tr->s.cpu_sys_s);
	/* CPU seconds per worker-second of the measured phase */
	pt_json_add_number(c, "utilization", wall > 0 ? (tr->s.cpu_user_s + tr->s.cpu_sys_s) /
				  (wall * tr->s.workers) : 0);
	cJSON_AddItemToObject(o, "latency_ns", latency_json(&tr->s.latency,
							     tr->config.record_latency));
	m = cJSON_AddObjectToObject(o, "memory");
	pt_json_add_number(m, "peak_rss", (double)tr->s.peak_rss);
	cJSON_AddStringToObject(m, "peak_rss_scope", tr->peak_rss_reset ? "trial" : "process");
	pt_json_add_number(m, "rss_start", (double)tr->rss_start);
	pt_json_add_number(m, "rss_end", (double)tr->rss_end);
	pt_json_add_number(m, "heap_start", (double)tr->heap_start);
	pt_json_add_number(m, "heap_end", (double)tr->heap_end);
	cJSON_AddItemToObject(m, "records", named_json(&tr->memory));
	c = cJSON_AddObjectToObject(o, "counters");
	u = cJSON_AddObjectToObject(c, "user");
	for (unsigned i = 0; i < tr->counters.n; i++) {
		cJSON *k = cJSON_AddObjectToObject(u, tr->counters.items[i].name);

		pt_json_add_number(k, "value", tr->counters.items[i].value);
		pt_json_add_number(k, "rate", wall > 0 ? tr->counters.items[i].value / wall : 0);
	}
	cJSON_AddItemToObject(c, "os", os_json(&tr->ru));
	cJSON_AddItemToObject(c, "perf", perf_json(tr->perf));
	cJSON_AddItemToObject(o, "notes", named_json(&tr->notes));
	e = cJSON_AddObjectToObject(o, "dispatch");
	pt_json_add_number(e, "mean_chunk", tr->mean_chunk);
	pt_json_add_number(e, "overhead", tr->dispatch_overhead);
	pt_json_add_number(o, "imbalance", tr->s.imbalance);
	cJSON_AddItemToObject(o, "warnings", pt_msgs_to_cjson(&tr->warnings));
	a = cJSON_AddArrayToObject(o, "per_worker");
	for (unsigned i = 0; i < tr->s.workers; i++)
		cJSON_AddItemToArray(a, worker_json(tr, &tr->workers[i]));
	if (tr->instrumentation)
		cJSON_AddItemToObject(o, "instrumentation", cJSON_Duplicate(tr->instrumentation, 1));
	return o;
}

char *pt_trial_json(const pt_trial *tr)
{
	cJSON *o = pt_trial_to_cjson(tr);
	char *s = cJSON_Print(o);

	cJSON_Delete(o);
	return s;
}
