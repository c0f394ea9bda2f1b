/* trial.c - one trial in this process: configuration, setup, the pool's phases, teardown, the record */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/clock.h"
#include "base/sysmon.h"
#include "base/util.h"
#include "engine/loader.h"
#include "engine/params.h"
#include "engine/pool.h"
#include "engine/taskapi.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "instr/trialprof.h"
#include "stats/hist.h"

/* ---- the trial ------------------------------------------------------------ */

void pt_trial_config_init(struct pt_trial_config *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 1;
	c->placement = PT_PLACE_NONE;
	c->duration_s = 1.0;
	/* long enough to fault in code and data and size the chunks, short
	 * enough not to dominate a tune of many trials */
	c->warmup_s = 0.1;
	c->record_latency = 1;
	c->counters = 1;
	c->max_error_rate = PT_MAX_ERROR_RATE;
}

const char *pt_status_name(enum pt_status s)
{
	static const char *const names[] = {
		"ok", "failed", "skipped", "crashed", "timeout", "interrupted",
		"out-of-memory", "exited",
	};

	return pt_name_of(names, PT_COUNT(names), (unsigned)s);
}

const char *pt_isolation_name(enum pt_isolation i)
{
	return i == PT_ISOLATE_PROCESS ? "process" : i == PT_ISOLATE_TRIAL ? "trial" : "none";
}

double pt_trial_span(const struct pt_worker *w, unsigned n)
{
	uint64_t first = UINT64_MAX, last = 0, start = UINT64_MAX, end = 0;

	for (unsigned i = 0; i < n; i++) {
		if (w[i].items && w[i].first_ns < first)
			first = w[i].first_ns;
		if (w[i].items && w[i].last_ns > last)
			last = w[i].last_ns;
		if (w[i].start_ns && w[i].start_ns < start)
			start = w[i].start_ns;
		if (w[i].end_ns > end)
			end = w[i].end_ns;
	}
	/* a worker that found no item left to claim neither starts nor ends
	 * the work; with no item run at all, the phase's own length */
	if (last > first && first != UINT64_MAX)
		return (double)(last - first) / 1e9;
	return end > start && start != UINT64_MAX ? (double)(end - start) / 1e9 : 0;
}

/* Fold the workers' measurements into the trial. */
static void collect(pt_trial *tr, struct pt_pool *p, struct pt_hist *all)
{
	unsigned n = tr->s.workers;
	uint64_t busy = 0, dispatch = 0, chunks = 0, grown = 0;
	double mean_items, max_items = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pt_worker *w = &p->workers[i];
		struct pt_worker_result *r = &tr->workers[i];

		r->items = w->items;
		r->errors = w->errors;
		r->chunks = w->chunks;
		r->busy_s = (double)w->busy_ns / 1e9;
		r->dispatch_s = (double)w->dispatch_ns / 1e9;
		/* a worker that never started, or never ended (a worker process
		 * that crashed), has no such time: null, not 0 */
		r->start_s = w->start_ns ? (double)(w->start_ns - p->t0) / 1e9 : NAN;
		r->end_s = w->end_ns ? (double)(w->end_ns - p->t0) / 1e9 : NAN;
		r->cpu_start = w->cpu_start;
		r->cpu_end = w->cpu_end;
		if (w->end_ns)
			pt_rusage_diff(&w->ru0, &w->ru1, &r->ru);
		pt_hist_summary(w->hist, &r->latency);
		pt_hist_merge(all, w->hist);
		if (tr->config.counters)
			memcpy(r->perf, w->perfv, sizeof(r->perf));
		else
			for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
				r->perf[k].status = PT_PERF_OFF;
		r->pid = w->pid;
		r->tid = w->tid;
		r->ppid = w->ppid;
		snprintf(r->process_name, sizeof(r->process_name), "%s", w->comm);
		snprintf(r->parent_process_name, sizeof(r->parent_process_name), "%s",
			 w->parent_comm);
		r->exit_signal = w->exit_signal;
		r->exit_status = w->exit_status;
		r->broken = p->processes && !w->done;
		if (r->broken)
			snprintf(r->broken_phase, sizeof(r->broken_phase), "%s",
				 w->phase ? w->phase : "?");
		r->broken_item = w->cur_item;
		pt_perf_merge(tr->perf, r->perf, i == 0);

		for (unsigned k = 0; k < w->counters.n; k++)
			pt_named_set(&tr->counters, w->counters.items[k].name,
				     w->counters.items[k].value, 1);
		for (unsigned k = 0; k < w->memory.n; k++)
			pt_named_set(&tr->memory, w->memory.items[k].name,
				     w->memory.items[k].value, 1);
		for (unsigned k = 0; k < w->msgs.n; k++)
			pt_msg_add(&tr->errors, w->msgs.items[k].text, w->msgs.items[k].count);
		if (w->counters.dropped || w->memory.dropped) {
			char buf[160];

			snprintf(buf, sizeof(buf), "more than %d counter or memory record names: "
				 "updates to further names were dropped", PT_MAX_COUNTERS);
			pt_msg_add(&tr->warnings, buf, w->counters.dropped + w->memory.dropped);
		}
		r->counters = w->counters;
		memset(&w->counters, 0, sizeof(w->counters));
		r->memory = w->memory;
		memset(&w->memory, 0, sizeof(w->memory));
		pt_rusage_add(&tr->ru, &r->ru);
		tr->s.items += w->items;
		tr->s.errors += w->errors;
		busy += w->busy_ns;
		dispatch += w->dispatch_ns;
		chunks += w->chunks;
		/* a worker process adds what it grew beyond the pages it shares
		 * with the trial process at its fork */
		if (p->processes && w->peak_rss > w->rss_start)
			grown += w->peak_rss - w->rss_start;
		if ((double)w->items > max_items)
			max_items = (double)w->items;
	}
	tr->s.wall_s = pt_trial_span(p->workers, n);
	if (fabs(tr->clock_drift) > PT_CLOCK_DRIFT_WARN) {
		char buf[160];

		snprintf(buf, sizeof(buf), "the %s clock drifted %.3g%% from CLOCK_MONOTONIC during "
			 "the trial: item latencies may be off by as much; set PROFTUNE_CLOCK=monotonic",
			 pt_clock_name(), 100 * tr->clock_drift);
		pt_msg_add(&tr->warnings, buf, 1);
	}
	tr->s.throughput = tr->s.wall_s > 0 ? (double)tr->s.items / tr->s.wall_s : 0;
	tr->s.goodput = tr->s.wall_s > 0 ? (double)(tr->s.items - tr->s.errors) / tr->s.wall_s : 0;
	tr->s.error_rate = tr->s.items ? (double)tr->s.errors / (double)tr->s.items : NAN;
	tr->workers_peak_rss = grown;
	mean_items = (double)tr->s.items / n;
	tr->s.imbalance = mean_items > 0 ? max_items / mean_items - 1.0 : 0;
	tr->s.cpu_user_s = tr->ru.user_s;
	tr->s.cpu_sys_s = tr->ru.sys_s;
	tr->dispatch_overhead = busy ? (double)dispatch / (double)busy : 0;
	tr->mean_chunk = chunks ? (double)tr->s.items / (double)chunks : 0;
	pt_hist_summary(all, &tr->s.latency);
}

/* Failed items within the bound leave the trial ok, with a warning that
 * counts them; beyond it, the trial failed and its message says by how
 * much. */
static void judge_errors(pt_trial *tr)
{
	double rate = tr->s.error_rate, bound = tr->config.max_error_rate;
	char buf[320];
	const char *first = tr->errors.n ? tr->errors.items[0].text : "the task failed";

	if (!tr->s.errors || tr->s.status != PT_STATUS_OK)
		return;
	if (rate > bound) {
		tr->s.status = PT_STATUS_FAILED;
		if (bound > 0)
			snprintf(buf, sizeof(buf), "%s (%llu of %llu items failed, %.3g%%, more than "
				 "--max-error-rate %.3g%%)", first, (unsigned long long)tr->s.errors,
				 (unsigned long long)tr->s.items, 100 * rate, 100 * bound);
		else
			snprintf(buf, sizeof(buf), "%s", first);
		pt_trial_set_message(tr, buf);
		return;
	}
	snprintf(buf, sizeof(buf), "%llu of %llu items failed (%.3g%%, within --max-error-rate "
		 "%.3g%%): %s", (unsigned long long)tr->s.errors, (unsigned long long)tr->s.items,
		 100 * rate, 100 * bound, first);
	pt_msg_add(&tr->warnings, buf, 1);
}

int pt_trial_config_check(const struct pt_trial_config *c)
{
	if (c->workers == 0)
		return pt_fail(EINVAL, "a trial needs at least 1 worker");
	if (c->items == 0 && !(c->duration_s > 0))
		return pt_fail(EINVAL, "a trial needs --items > 0 or --duration > 0");
	if (c->items > PT_TRIAL_MAX_ITEMS)
		return pt_fail(ERANGE, "%llu items is out of range: a trial measures at most "
			       "2^53 (%llu) items", (unsigned long long)c->items,
			       (unsigned long long)PT_TRIAL_MAX_ITEMS);
	if (c->items == 0 && !(c->duration_s <= PT_TRIAL_MAX_S))
		return pt_fail(ERANGE, "a duration of %g s is out of range: at most %g s",
			       c->duration_s, PT_TRIAL_MAX_S);
	if (!(c->warmup_s >= 0))
		return pt_fail(EINVAL, "the warm-up cannot be negative");
	if (!(c->warmup_s <= PT_TRIAL_MAX_S))
		return pt_fail(ERANGE, "a warm-up of %g s is out of range: at most %g s",
			       c->warmup_s, PT_TRIAL_MAX_S);
	if (!(c->timeout_s >= 0 && c->timeout_s <= PT_TRIAL_MAX_TIMEOUT_S))
		return pt_fail(ERANGE, "a timeout of %g s is out of range: from 0 (none) to %g s",
			       c->timeout_s, PT_TRIAL_MAX_TIMEOUT_S);
	if (!(c->max_error_rate >= 0 && c->max_error_rate <= 1))
		return pt_fail(EINVAL, "the error-rate bound must lie between 0 and 1");
	return 0;
}

pt_trial *pt_trial_run_inprocess(pt_module *m, const pt_topology *t,
				 const struct pt_trial_config *c)
{
	const struct pt_task *task = m->task;
	pt_topology *own_topo = NULL;
	struct pt_slot *slots = NULL;
	struct pt_hist *all = NULL;
	struct pt_pool *pool = NULL;
	struct pt_memsnap snap;
	pt_ctx ctx;
	pt_trial *tr;
	unsigned n;
	int rc, err;
	uint64_t t_setup;

	if (pt_trial_config_check(c) < 0)
		return NULL;
	n = c->workers;
	if (!t) {
		own_topo = pt_topology_new(NULL);
		if (!own_topo)
			return NULL;
		t = own_topo;
	}
	memset(&ctx, 0, sizeof(ctx));
	pool = pt_pool_new(n, c->isolation == PT_ISOLATE_PROCESS);
	tr = calloc(1, sizeof(*tr));
	slots = calloc(n, sizeof(*slots));
	all = malloc(sizeof(*all));
	ctx.param_used = calloc(pt_params_count(c->params) + 1, sizeof(*ctx.param_used));
	if (!tr || !slots || !all || !ctx.param_used || !pool) {
		pt_fail(ENOMEM, "out of memory for %u workers", n);
		goto fail;
	}
	tr->workers = calloc(n, sizeof(*tr->workers));
	if (!tr->workers) {
		pt_fail(ENOMEM, "out of memory for %u workers", n);
		goto fail;
	}
	if (pt_topology_plan(t, c->placement, n, slots) < 0)
		goto fail;
	pt_hist_clear(all);
	for (unsigned i = 0; i < n; i++) {
		struct pt_worker *w = &pool->workers[i];

		pt_hist_clear(w->hist);
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			w->perfv[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;
		w->ctx = &ctx;
		w->pool = pool;
		w->index = i;
		w->count = n;
		w->cpu = t->synthetic ? -1 : slots[i].pu;
		w->numa = t->synthetic ? -1 : slots[i].numa;
		w->cpu_start = w->cpu_end = -1;
		w->chunk = 1;
		tr->workers[i].index = i;
		tr->workers[i].slot = slots[i];
		tr->workers[i].cpu_start = tr->workers[i].cpu_end = -1;
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			tr->workers[i].perf[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;
	}
	for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
		tr->perf[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;

	tr->config = *c;
	tr->config.params = NULL;
	tr->s.workers = n;
	tr->started = pt_unix_now();
	ctx.params = c->params;
	ctx.workers = n;
	pthread_mutex_init(&ctx.lock, NULL);
	pool->task = task;
	pool->topo = t;
	pool->cfg = c;
	ctx.instr = pt_instr_trial_begin(c, task->name, n);

	tr->peak_rss_reset = pt_reset_peak_rss();
	pt_memsnap_read(&snap);
	tr->rss_start = snap.rss;
	tr->heap_start = snap.heap;
	pool->t0 = t_setup = pt_now_ns();

	pt_trial_phase("setup");
	rc = task->setup ? task->setup(&ctx) : PT_OK;
	tr->setup_s = (double)(pt_now_ns() - t_setup) / 1e9;
	if (rc == PT_SKIP) {
		tr->s.status = PT_STATUS_SKIPPED;
		pt_trial_set_message(tr, ctx.skip ? ctx.skip : "skipped by the task");
	} else if (rc != PT_OK || ctx.error) {
		char buf[64];

		tr->s.status = PT_STATUS_FAILED;
		snprintf(buf, sizeof(buf), "setup returned %d", rc);
		pt_trial_set_message(tr, ctx.error ? ctx.error : buf);
		/* setup succeeded but read a malformed parameter: it may hold
		 * resources only teardown releases */
		pt_trial_phase("teardown");
		if (rc == PT_OK && task->teardown)
			task->teardown(&ctx);
	} else {
		pt_pool_run(tr, pool);
		collect(tr, pool, all);
		for (unsigned i = 0; i < n && tr->s.status == PT_STATUS_OK; i++) {
			if (pool->workers[i].setup_rc == PT_SKIP) {
				tr->s.status = PT_STATUS_SKIPPED;
				pt_trial_set_message(tr, ctx.skip ? ctx.skip : "skipped by worker_setup");
			} else if (pool->workers[i].setup_rc != PT_OK) {
				tr->s.status = PT_STATUS_FAILED;
			}
		}
		if (tr->s.status == PT_STATUS_OK && ctx.error)
			tr->s.status = PT_STATUS_FAILED;
		judge_errors(tr);
		if (tr->s.status == PT_STATUS_OK && pt_interrupted()) {
			tr->s.status = PT_STATUS_INTERRUPTED;
			pt_trial_set_message(tr, "interrupted");
		}
		if (tr->s.status == PT_STATUS_FAILED) {
			pt_trial_set_message(tr, ctx.error);
			if (tr->errors.n)
				pt_trial_set_message(tr, tr->errors.items[0].text);
			if (!tr->message)
				pt_trial_set_message(tr, "the task failed");
		}
		t_setup = pt_now_ns();
		pt_trial_phase("teardown");
		if (task->teardown)
			task->teardown(&ctx);
		tr->teardown_s = (double)(pt_now_ns() - t_setup) / 1e9;
		if (ctx.error && tr->s.status == PT_STATUS_OK) {
			tr->s.status = PT_STATUS_FAILED;
			pt_trial_set_message(tr, ctx.error);
		}
	}

	tr->instrumentation = pt_instr_trial_end(ctx.instr);
	pt_trial_phase("idle");
	pt_memsnap_read(&snap);
	tr->rss_end = snap.rss;
	tr->heap_end = snap.heap;
	tr->s.peak_rss = snap.hwm ? snap.hwm + tr->workers_peak_rss : 0;
	for (size_t i = 0; i < pt_params_count(c->params); i++) {
		if (!ctx.param_used[i] && tr->s.status != PT_STATUS_FAILED) {
			char buf[256];

			snprintf(buf, sizeof(buf), "parameter '%s' was not used by task '%s'",
				 pt_params_key(c->params, i), task->name ? task->name : "?");
			pt_msg_add(&tr->warnings, buf, 1);
		}
	}
	for (unsigned k = 0; k < ctx.memory.n; k++)
		pt_named_set(&tr->memory, ctx.memory.items[k].name, ctx.memory.items[k].value, 0);
	tr->notes = ctx.notes;
	memset(&ctx.notes, 0, sizeof(ctx.notes));
	pt_named_release(&ctx.memory);
	free(ctx.error);
	free(ctx.skip);
	pthread_mutex_destroy(&ctx.lock);
	for (unsigned i = 0; i < n; i++) {
		pt_msg_release(&pool->workers[i].msgs);
		pt_named_release(&pool->workers[i].counters);
		pt_named_release(&pool->workers[i].memory);
	}
	pt_pool_free(pool);
	free((void *)ctx.param_used);
	free(slots);
	free(all);
	pt_topology_free(own_topo);
	return tr;
fail:
	err = errno;
	pt_pool_free(pool);
	free((void *)ctx.param_used);
	free(slots);
	free(all);
	if (tr)
		free(tr->workers);
	free(tr);
	pt_topology_free(own_topo);
	errno = err;
	return NULL;
}

void pt_trial_free(pt_trial *tr)
{
	if (!tr)
		return;
	cJSON_Delete(tr->json);
	cJSON_Delete(tr->instrumentation);
	for (unsigned i = 0; i < tr->s.workers; i++) {
		pt_named_release(&tr->workers[i].counters);
		pt_named_release(&tr->workers[i].memory);
	}
	free(tr->workers);
	pt_msg_release(&tr->errors);
	pt_msg_release(&tr->warnings);
	pt_named_release(&tr->counters);
	pt_named_release(&tr->memory);
	pt_named_release(&tr->notes);
	free(tr->message);
	free(tr);
}

pt_trial *pt_trial_new_empty(const pt_topology *t, const struct pt_trial_config *c,
			     enum pt_status status, const char *message)
{
	pt_trial *tr = calloc(1, sizeof(*tr));
	struct pt_slot *slots = calloc(c->workers, sizeof(*slots));

	if (!tr || !slots || !(tr->workers = calloc(c->workers, sizeof(*tr->workers)))) {
		free(tr);
		free(slots);
		errno = ENOMEM;
		return NULL;
	}
	if (pt_topology_plan(t, c->placement, c->workers, slots) < 0)
		memset(slots, 0xff, c->workers * sizeof(*slots));
	tr->config = *c;
	tr->config.params = NULL;
	tr->s.workers = c->workers;
	tr->s.status = status;
	tr->s.goodput = tr->s.error_rate = NAN;
	tr->started = pt_unix_now();
	tr->message = message ? strdup(message) : NULL;
	for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
		tr->perf[k].status = PT_PERF_NOT_COUNTED;
	for (unsigned i = 0; i < c->workers; i++) {
		tr->workers[i].index = i;
		tr->workers[i].slot = slots[i];
		tr->workers[i].cpu_start = tr->workers[i].cpu_end = -1;
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			tr->workers[i].perf[k].status = PT_PERF_NOT_COUNTED;
	}
	free(slots);
	return tr;
}

const struct pt_trial_stats *pt_trial_stats(const pt_trial *tr)
{
	return &tr->s;
}

const char *pt_trial_message(const pt_trial *tr)
{
	return tr->message;
}
