/* results.c - the results document (schema proftune/1) with cJSON, atomic write */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"
#include "module.h"
#include "results.h"
#include "topology.h"
#include "trial.h"
#include "util.h"

struct pt_results {
	char *command;
	const pt_module *module;
	const pt_topology *topo;
	cJSON *params;     /* object KEY -> VALUE */
	cJSON *config;     /* object of the options as applied */
	cJSON *summary;    /* tune summary, or NULL */
	pt_trial **trials;
	size_t ntrials, cap;
	struct pt_msg_list warnings;
	int interrupted;
	double created;
};

void pt_iso8601(double unix_time, char *buf, size_t len)
{
	time_t secs = (time_t)unix_time;
	struct tm tm;
	char base[32];
	int ms = (int)((unix_time - (double)secs) * 1000.0);

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

void pt_json_add_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

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

static cJSON *msgs_json(const struct pt_msg_list *l)
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
	cJSON_AddItemToObject(e, "messages", msgs_json(&tr->errors));
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
	cJSON_AddItemToObject(o, "warnings", msgs_json(&tr->warnings));
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

/* ---- the document ------------------------------------------------------- */

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

pt_results *pt_results_new(const char *command, const pt_module *m, const pt_topology *t,
			   const pt_params *params, const char *config_json)
{
	pt_results *r = calloc(1, sizeof(*r));

	if (!r || !(r->command = strdup(command)))
		goto nomem;
	r->module = m;
	r->topo = t;
	r->created = now_unix();
	r->params = cJSON_CreateObject();
	if (!r->params)
		goto nomem;
	for (size_t i = 0; i < pt_params_count(params); i++)
		cJSON_AddStringToObject(r->params, pt_params_key(params, i),
					pt_params_value(params, i));
	r->config = config_json ? cJSON_Parse(config_json) : cJSON_CreateObject();
	if (!r->config) {
		pt_results_free(r);
		pt_fail(EINVAL, "the configuration is not a JSON object");
		return NULL;
	}
	return r;
nomem:
	pt_results_free(r);
	pt_fail(ENOMEM, "out of memory");
	return NULL;
}

void pt_results_free(pt_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntrials; i++)
		pt_trial_free(r->trials[i]);
	free(r->trials);
	cJSON_Delete(r->params);
	cJSON_Delete(r->config);
	cJSON_Delete(r->summary);
	pt_msg_release(&r->warnings);
	free(r->command);
	free(r);
}

void pt_results_add_trial(pt_results *r, pt_trial *tr)
{
	if (r->ntrials == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		pt_trial **a = realloc(r->trials, cap * sizeof(*a));

		if (!a) {
			pt_trial_free(tr);
			pt_msg_add(&r->warnings, "out of memory: a trial was dropped", 1);
			return;
		}
		r->trials = a;
		r->cap = cap;
	}
	r->trials[r->ntrials++] = tr;
}

size_t pt_results_trial_count(const pt_results *r)
{
	return r->ntrials;
}

const pt_trial *pt_results_trial(const pt_results *r, size_t i)
{
	return i < r->ntrials ? r->trials[i] : NULL;
}

void pt_results_warn(pt_results *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = pt_vasprintf(fmt, ap);
	va_end(ap);
	if (s)
		pt_msg_add(&r->warnings, s, 1);
	free(s);
}

void pt_results_set_interrupted(pt_results *r, int interrupted)
{
	r->interrupted = interrupted;
}

void pt_results_set_summary(pt_results *r, cJSON *summary)
{
	cJSON_Delete(r->summary);
	r->summary = summary;
}

const cJSON *pt_results_summary(const pt_results *r)
{
	return r->summary;
}

static cJSON *host_json(const pt_topology *t)
{
	cJSON *h = cJSON_CreateObject(), *topo;
	struct pt_topology_counts c;
	struct utsname u;
	char name[256] = "", *model = NULL, *list;

	gethostname(name, sizeof(name) - 1);
	cJSON_AddStringToObject(h, "hostname", name);
	if (uname(&u) == 0) {
		char kernel[512];

		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
		cJSON_AddStringToObject(h, "kernel", kernel);
		cJSON_AddStringToObject(h, "arch", u.machine);
	}
	if (t)
		model = pt_topology_cpu_model(t);
	if (model)
		cJSON_AddStringToObject(h, "cpu_model", model);
	else
		cJSON_AddNullToObject(h, "cpu_model");
	free(model);
	if (t) {
		pt_topology_counts(t, &c);
		topo = cJSON_AddObjectToObject(h, "topology");
		pt_json_add_number(topo, "packages", c.packages);
		pt_json_add_number(topo, "numa_nodes", c.numa_nodes);
		pt_json_add_number(topo, "cores", c.cores);
		pt_json_add_number(topo, "pus", c.pus);
		pt_json_add_number(topo, "l1_caches", c.l1);
		pt_json_add_number(topo, "l2_caches", c.l2);
		pt_json_add_number(topo, "l3_caches", c.l3);
		cJSON_AddBoolToObject(topo, "synthetic", pt_topology_is_synthetic(t));
		list = pt_topology_allowed_list(t);
		cJSON_AddStringToObject(h, "allowed_cpus", list ? list : "");
		free(list);
		pt_json_add_number(h, "allowed_pus", pt_topology_allowed_pus(t));
	}
	return h;
}

cJSON *pt_results_to_cjson(const pt_results *r)
{
	cJSON *d = cJSON_CreateObject(), *task, *trials;
	const struct pt_task *t = r->module ? r->module->task : NULL;
	char when[40];

	cJSON_AddStringToObject(d, "schema", PT_SCHEMA);
	cJSON_AddStringToObject(d, "proftune_version", PACKAGE_VERSION);
	cJSON_AddStringToObject(d, "command", r->command);
	pt_iso8601(r->created, when, sizeof(when));
	cJSON_AddStringToObject(d, "created", when);
	cJSON_AddItemToObject(d, "host", host_json(r->topo));
	task = cJSON_AddObjectToObject(d, "task");
	cJSON_AddStringToObject(task, "path", r->module ? r->module->path : "");
	cJSON_AddStringToObject(task, "name", t && t->name ? t->name : "");
	cJSON_AddStringToObject(task, "summary", t && t->summary ? t->summary : "");
	cJSON_AddItemToObject(task, "params", cJSON_Duplicate(r->params, 1));
	cJSON_AddItemToObject(d, "config", cJSON_Duplicate(r->config, 1));
	cJSON_AddBoolToObject(d, "interrupted", r->interrupted);
	trials = cJSON_AddArrayToObject(d, "trials");
	for (size_t i = 0; i < r->ntrials; i++)
		cJSON_AddItemToArray(trials, pt_trial_to_cjson(r->trials[i]));
	if (r->summary)
		cJSON_AddItemToObject(d, "summary", cJSON_Duplicate(r->summary, 1));
	cJSON_AddItemToObject(d, "warnings", msgs_json(&r->warnings));
	return d;
}

char *pt_results_json(const pt_results *r)
{
	cJSON *d = pt_results_to_cjson(r);
	char *s = d ? cJSON_Print(d) : NULL;

	cJSON_Delete(d);
	return s;
}

/* PATH is a character device (/dev/null, /dev/full, a terminal): write into
 * it; replacing the device node with a file would destroy it. */
static int write_device(const char *path, const char *text)
{
	const char *parts[2] = { text, "\n" };
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err;

	if (fd < 0) {
		err = errno;
		return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
	}
	for (int i = 0; i < 2; i++) {
		err = -pt_write_all(fd, parts[i], strlen(parts[i]));
		if (err) {
			close(fd);
			return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		}
	}
	if (close(fd) != 0) {
		err = errno;
		return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
	}
	return 0;
}

int pt_write_file_atomic(const char *path, const char *text)
{
	char *copy = strdup(path), *dir, *tmp = NULL;
	size_t len = strlen(text);
	struct stat st;
	mode_t mask;
	int fd = -1, ret = 0, err;

	if (!copy)
		return pt_fail(ENOMEM, "out of memory");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		free(copy);
		if (S_ISCHR(st.st_mode))
			return write_device(path, text);
		/* a FIFO, socket or block device is not replaced either */
		return pt_fail(EINVAL, "cannot write '%s': not a regular file; choose a "
			       "file with -o FILE", path);
	}
	dir = dirname(copy);
	tmp = pt_asprintf("%s/.%s.XXXXXX", dir, "proftune-tmp");
	if (!tmp) {
		ret = pt_fail(ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		ret = pt_fail(err, "cannot write '%s': %s%s", path,
			      err == ENOENT ? "no such directory" : strerror(err),
			      err == ENOENT || err == EACCES || err == EROFS ?
			      "; choose a writable place with -o FILE" : "");
		free(tmp);
		tmp = NULL;
		goto out;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	err = -pt_write_all(fd, text, len);
	if (err) {
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		err = errno ? errno : EIO;
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = errno;
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		err = errno;
		ret = pt_fail(err, "cannot replace '%s': %s", path, strerror(err));
		goto out;
	}
	free(tmp);
	tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	return ret;
}

int pt_results_write(const pt_results *r, const char *path)
{
	char *text = pt_results_json(r);
	int ret;

	if (!text)
		return pt_fail(ENOMEM, "out of memory");
	ret = pt_write_file_atomic(path, text);
	free(text);
	return ret;
}
