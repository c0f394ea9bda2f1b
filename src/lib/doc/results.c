/* results.c - the results document (schema proftune/2) with cJSON, atomic write */
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

#include "stats/hist.h"
#include "engine/loader.h"
#include "base/file.h"
#include "base/json.h"
#include "doc/results.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "engine/trialjson.h"
#include "base/util.h"

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

/* ---- the document ------------------------------------------------------- */

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

pt_results *pt_results_new(const char *command, const pt_module *m, const pt_topology *t,
			   const pt_params *params, const char *config_json)
{
	pt_results *r = calloc(1, sizeof(*r));

	if (!r || !(r->command = strdup(command)))
		goto nomem;
	r->module = m;
	r->topo = t;
	r->created = pt_unix_now();
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
	cJSON *h = cJSON_CreateObject();
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
	pt_json_add_string(h, "cpu_model", model);
	free(model);
	if (t) {
		pt_topology_counts_json(cJSON_AddObjectToObject(h, "topology"), t);
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
	cJSON_AddItemToObject(d, "warnings", pt_msgs_to_cjson(&r->warnings));
	return d;
}

char *pt_results_json(const pt_results *r)
{
	cJSON *d = pt_results_to_cjson(r);
	char *s = d ? cJSON_Print(d) : NULL;

	cJSON_Delete(d);
	return s;
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
