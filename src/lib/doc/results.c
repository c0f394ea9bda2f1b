/* results.c - the results document (schema proftune/2) with cJSON: saved a trial at a time, written atomically */
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
#include "base/strbuf.h"
#include "doc/journal.h"
#include "doc/results.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "engine/trialjson.h"
#include "base/util.h"

/* A file the document is saved to with pt_results_save(), and what its
 * journal holds. */
struct saved {
	char *path;
	struct pt_journal *journal;   /* NULL until it is open */
	size_t trials;                /* trials in the journal */
	unsigned summary;             /* the summary's version in it (0: none) */
	uint64_t warnings;            /* the warnings' total when they were last saved */
	struct saved *next;
};

/* The files saved to, each with its journal; pt_results_write() of a
 * const document forgets them through this. */
struct saves {
	struct saved *list;
};

struct pt_results {
	char *command;
	const pt_module *module;
	const pt_topology *topo;
	cJSON *params;     /* object KEY -> VALUE */
	cJSON *config;     /* object of the options as applied */
	cJSON *summary;    /* tune summary, or NULL */
	unsigned summary_version; /* counts pt_results_set_summary() calls */
	pt_trial **trials;
	size_t ntrials, cap;
	struct pt_msg_list warnings;
	int interrupted;
	double created;
	struct saves *saves;  /* NULL until pt_results_save() */
};

/* Forget the journals: removed (REMOVE) once the complete document is
 * written, else closed and kept for pt_doc_recover() to read. */
static void saved_release(struct saved **list, int remove)
{
	while (*list) {
		struct saved *s = *list;

		*list = s->next;
		if (remove)
			pt_journal_remove(s->journal);
		else
			pt_journal_close(s->journal);
		free(s->path);
		free(s);
	}
}

/* ---- the document ------------------------------------------------------- */

void pt_results_free(pt_results *r)
{
	if (!r)
		return;
	if (r->saves)
		saved_release(&r->saves->list, 0);
	free(r->saves);
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
	r->summary_version++;
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

/* The members every document starts with, before "interrupted": what ran,
 * where and how.  NULL on ENOMEM. */
static cJSON *header_json(const pt_results *r)
{
	cJSON *d = cJSON_CreateObject(), *task;
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
	return d;
}

cJSON *pt_results_to_cjson(const pt_results *r)
{
	cJSON *d = header_json(r), *trials;

	if (!d)
		return NULL;
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
	char *s = d ? pt_json_print(d, 1) : NULL;

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
	/* the complete document holds all that any journal of R does */
	if (ret == 0 && r->saves)
		saved_release(&r->saves->list, 1);
	return ret;
}

/* ---- saving a trial at a time (journal.h) -------------------------------- */

/* Append to B the journal record of what R holds and S has not saved: the
 * new trials, and the summary and warnings when they changed. */
static void journal_record(struct pt_strbuf *b, const pt_results *r, const struct saved *s)
{
	cJSON *o, *trials;
	char *text = NULL;
	int whole = 1;

	if (s->trials == r->ntrials && r->summary_version == s->summary &&
	    r->warnings.total == s->warnings)
		return;
	o = cJSON_CreateObject();
	trials = cJSON_AddArrayToObject(o, "trials");
	for (size_t i = s->trials; i < r->ntrials && whole; i++) {
		cJSON *t = pt_trial_to_cjson(r->trials[i]);

		whole = t && cJSON_AddItemToArray(trials, t);
		if (!whole)
			cJSON_Delete(t);
	}
	if (r->summary_version != s->summary)
		cJSON_AddItemToObject(o, "summary", r->summary ? cJSON_CreateObjectReference(
			r->summary->child) : cJSON_CreateNull());
	if (r->warnings.total != s->warnings)
		cJSON_AddItemToObject(o, "warnings", pt_msgs_to_cjson(&r->warnings));
	if (trials && whole)
		text = pt_json_print(o, 0);
	if (text)
		pt_strbuf_addf(b, "%s\n", text);
	else
		b->failed = 1;
	free(text);
	cJSON_Delete(o);
}

/* Append to B the journal's first line: its header, with the document's
 * leading members. */
static void journal_header(struct pt_strbuf *b, const pt_results *r, const char *path)
{
	cJSON *h = cJSON_CreateObject(), *doc = header_json(r);
	char *text = NULL;

	cJSON_AddNumberToObject(h, "proftune_journal", 1);
	cJSON_AddStringToObject(h, "output", path);
	if (doc && cJSON_AddItemToObject(h, "document", doc)) {
		doc = NULL;
		text = pt_json_print(h, 0);
	}
	if (text)
		pt_strbuf_addf(b, "%s\n", text);
	else
		b->failed = 1;
	free(text);
	cJSON_Delete(doc);
	cJSON_Delete(h);
}

int pt_results_save(pt_results *r, const char *path)
{
	struct pt_strbuf b = PT_STRBUF_INIT;
	struct saved *s;
	struct stat st;
	char *text;
	int ret;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device receives the document once, at the end; whatever
		 * else is there is refused as pt_results_write() refuses it */
		if (S_ISCHR(st.st_mode))
			return 0;
		return pt_results_write(r, path);
	}
	if (!r->saves && !(r->saves = calloc(1, sizeof(*r->saves))))
		return pt_fail(ENOMEM, "out of memory");
	for (s = r->saves->list; s && strcmp(s->path, path) != 0; s = s->next)
		;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || !(s->path = strdup(path))) {
			free(s);
			return pt_fail(ENOMEM, "out of memory");
		}
		s->next = r->saves->list;
		r->saves->list = s;
	}
	if (!s->journal) {
		s->trials = 0;
		s->summary = 0;
		s->warnings = 0;
		journal_header(&b, r, path);
	}
	journal_record(&b, r, s);
	text = pt_strbuf_finish(&b);
	if (!text)
		return pt_fail(ENOMEM, "out of memory");
	if (!*text)
		ret = 0;
	else if (s->journal)
		ret = pt_journal_append(s->journal, text, strlen(text));
	else
		ret = pt_journal_open(&s->journal, path, text, strlen(text));
	free(text);
	/* no journal here (another run saving to PATH, a foreign file with its
	 * name, a name too long): the whole document instead */
	if (ret == -EBUSY || ret == -EEXIST || ret == -ENAMETOOLONG)
		return pt_results_write(r, path);
	if (ret < 0)
		return ret;
	s->trials = r->ntrials;
	s->summary = r->summary_version;
	s->warnings = r->warnings.total;
	return 0;
}
