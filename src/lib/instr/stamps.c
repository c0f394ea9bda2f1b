/* stamps.c - step stamps with railtracks' StampManager semantics, groups sharing a step */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "instr/stamps.h"

struct stamp {
	double time;
	int64_t step;
	char *identifier;   /* owned; step logs point at it */
	size_t seq;         /* creation order, for stable sorting */
};

struct step_log {
	const char **msgs;  /* borrowed from the stamps */
	size_t n, cap;
	int exists;         /* the step has a log (railtracks' dict key) */
};

struct pt_stamps {
	pthread_mutex_t lock;
	int64_t step;
	struct stamp *stamps;
	size_t n, cap;
	struct step_log *logs; /* indexed by step */
	size_t nlogs;          /* allocated entries */
	pt_trace *trace;
};

/* Make sure step STEP has a log (empty when new).  Called locked. */
static int ensure_log(pt_stamps *m, int64_t step)
{
	if ((size_t)step >= m->nlogs) {
		size_t old = m->nlogs;

		if (PT_ARRAY_GROW(m->logs, m->nlogs, (size_t)step + 1, 8) < 0)
			return -ENOMEM;
		memset(m->logs + old, 0, (m->nlogs - old) * sizeof(*m->logs));
	}
	m->logs[step].exists = 1;
	return 0;
}

static void release(pt_stamps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->stamps[i].identifier);
	free(m->stamps);
	for (size_t i = 0; i < m->nlogs; i++)
		free(m->logs[i].msgs);
	free(m->logs);
	m->stamps = NULL;
	m->logs = NULL;
	m->n = m->cap = m->nlogs = 0;
	m->step = 0;
}

pt_stamps *pt_stamps_new(void)
{
	pt_stamps *m = calloc(1, sizeof(*m));

	if (!m) {
		pt_fail(ENOMEM, "out of memory for a stamp manager");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	if (ensure_log(m, 0) < 0) {
		free(m);
		pt_fail(ENOMEM, "out of memory for a stamp manager");
		return NULL;
	}
	return m;
}

void pt_stamps_free(pt_stamps *m)
{
	if (!m)
		return;
	release(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void pt_stamps_clear(pt_stamps *m)
{
	pthread_mutex_lock(&m->lock);
	release(m);
	ensure_log(m, 0);
	pthread_mutex_unlock(&m->lock);
}

void pt_stamps_set_trace(pt_stamps *m, pt_trace *t)
{
	__atomic_store_n(&m->trace, t, __ATOMIC_RELEASE);
}

/* Add a stamp of STEP now.  Called locked. */
static int add_stamp(pt_stamps *m, int64_t step, const char *message, struct pt_stamp *out)
{
	struct step_log *l;
	struct stamp *st;
	char *id;

	if (ensure_log(m, step) < 0)
		return -ENOMEM;
	l = &m->logs[step];
	if (PT_ARRAY_GROW(m->stamps, m->cap, m->n + 1, 16) < 0 ||
	    PT_ARRAY_GROW(l->msgs, l->cap, l->n + 1, 4) < 0)
		return -ENOMEM;
	id = strdup(message ? message : "");
	if (!id)
		return -ENOMEM;
	st = &m->stamps[m->n];
	st->time = pt_unix_now();
	st->step = step;
	st->identifier = id;
	st->seq = m->n;
	m->n++;
	l->msgs[l->n++] = id;
	if (out) {
		out->time = st->time;
		out->step = step;
		out->identifier = id;
	}
	return 0;
}

static void trace_stamp(pt_stamps *m, const char *message, int64_t step)
{
	pt_trace *t = __atomic_load_n(&m->trace, __ATOMIC_ACQUIRE);
	struct pt_trace_arg arg = { .key = "step", .type = PT_ARG_INT, .i = step };
	struct pt_trace_event e = {
		.ph = PT_PH_INSTANT, .scope = PT_SCOPE_THREAD, .name = message, .cat = "stamp",
		.args = &arg, .nargs = 1,
	};

	if (t)
		pt_trace_record(t, &e);
}

int pt_stamps_create(pt_stamps *m, const char *message, struct pt_stamp *out)
{
	int64_t step;
	int rc;

	pthread_mutex_lock(&m->lock);
	step = m->step;
	rc = add_stamp(m, step, message, out);
	if (rc == 0)
		m->step++;
	pthread_mutex_unlock(&m->lock);
	if (rc < 0)
		return pt_fail(ENOMEM, "out of memory for stamp '%s'", message ? message : "");
	trace_stamp(m, message ? message : "", step);
	return 0;
}

int pt_stamps_group(pt_stamps *m, struct pt_stamp_group *g)
{
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = ensure_log(m, m->step);
	if (rc == 0) {
		g->m = m;
		g->step = m->step++;
	}
	pthread_mutex_unlock(&m->lock);
	if (rc < 0)
		return pt_fail(ENOMEM, "out of memory for a stamp group");
	return 0;
}

int pt_stamp_group_create(const struct pt_stamp_group *g, const char *message,
			  struct pt_stamp *out)
{
	pt_stamps *m = g->m;
	int rc;

	if (!m || g->step < 0)
		return pt_fail(EINVAL, "not a stamp group");
	pthread_mutex_lock(&m->lock);
	rc = add_stamp(m, g->step, message, out);
	pthread_mutex_unlock(&m->lock);
	if (rc < 0)
		return pt_fail(ENOMEM, "out of memory for stamp '%s'", message ? message : "");
	trace_stamp(m, message ? message : "", g->step);
	return 0;
}

int64_t pt_stamps_step(pt_stamps *m)
{
	int64_t s;

	pthread_mutex_lock(&m->lock);
	s = m->step;
	pthread_mutex_unlock(&m->lock);
	return s;
}

static int cmp_stamp(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A sorted copy of the stamps (identifiers borrowed).  Called locked. */
static struct stamp *sorted_locked(pt_stamps *m)
{
	struct stamp *v = malloc((m->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	if (m->n)
		memcpy(v, m->stamps, m->n * sizeof(*v));
	qsort(v, m->n, sizeof(*v), cmp_stamp);
	return v;
}

struct pt_stamp *pt_stamps_all(pt_stamps *m, size_t *n)
{
	struct pt_stamp *out = NULL;
	struct stamp *v;
	size_t bytes = 0;
	char *strings;

	*n = 0;
	pthread_mutex_lock(&m->lock);
	v = sorted_locked(m);
	if (v) {
		for (size_t i = 0; i < m->n; i++)
			bytes += strlen(v[i].identifier) + 1;
		out = malloc((m->n + 1) * sizeof(*out) + bytes);
	}
	if (out) {
		strings = (char *)(out + m->n + 1);
		for (size_t i = 0; i < m->n; i++) {
			size_t len = strlen(v[i].identifier) + 1;

			memcpy(strings, v[i].identifier, len);
			out[i].time = v[i].time;
			out[i].step = v[i].step;
			out[i].identifier = strings;
			strings += len;
		}
		*n = m->n;
	}
	pthread_mutex_unlock(&m->lock);
	free(v);
	if (!out)
		pt_fail(ENOMEM, "out of memory for a copy of the stamps");
	return out;
}

/* Number of steps with a log: 0 up to the last that exists.  Called locked. */
static size_t log_steps(const pt_stamps *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nlogs; i++)
		if (m->logs[i].exists)
			n = i + 1;
	return n;
}

struct pt_step_log *pt_stamps_step_logs(pt_stamps *m, size_t *nsteps)
{
	struct pt_step_log *out;
	size_t steps, ptrs = 0, bytes = 0, k = 0;
	const char **pv;
	char *strings;

	*nsteps = 0;
	pthread_mutex_lock(&m->lock);
	steps = log_steps(m);
	for (size_t i = 0; i < steps; i++) {
		ptrs += m->logs[i].n;
		for (size_t j = 0; j < m->logs[i].n; j++)
			bytes += strlen(m->logs[i].msgs[j]) + 1;
	}
	out = malloc((steps + 1) * sizeof(*out) + (ptrs + 1) * sizeof(char *) + bytes);
	if (out) {
		pv = (const char **)(out + steps + 1);
		strings = (char *)(pv + ptrs + 1);
		for (size_t i = 0; i < steps; i++) {
			if (!m->logs[i].exists)
				continue;
			out[k].step = (int64_t)i;
			out[k].count = m->logs[i].n;
			out[k].messages = pv;
			for (size_t j = 0; j < m->logs[i].n; j++) {
				size_t len = strlen(m->logs[i].msgs[j]) + 1;

				memcpy(strings, m->logs[i].msgs[j], len);
				*pv++ = strings;
				strings += len;
			}
			k++;
		}
		*nsteps = k;
	}
	pthread_mutex_unlock(&m->lock);
	if (!out)
		pt_fail(ENOMEM, "out of memory for a copy of the step logs");
	return out;
}

int pt_stamps_add_cjson(pt_stamps *m, cJSON *o)
{
	cJSON *a = cJSON_AddArrayToObject(o, "stamps");
	cJSON *logs = cJSON_AddObjectToObject(o, "step_logs");
	struct stamp *v;
	size_t steps;

	if (!a || !logs)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	v = sorted_locked(m);
	for (size_t i = 0; v && i < m->n; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddNumberToObject(s, "time", v[i].time);
		cJSON_AddNumberToObject(s, "step", (double)v[i].step);
		cJSON_AddStringToObject(s, "identifier", v[i].identifier);
		cJSON_AddItemToArray(a, s);
	}
	steps = log_steps(m);
	for (size_t i = 0; v && i < steps; i++) {
		char key[24];
		cJSON *l;

		if (!m->logs[i].exists)
			continue;
		snprintf(key, sizeof(key), "%zu", i);
		l = cJSON_AddArrayToObject(logs, key);
		for (size_t j = 0; j < m->logs[i].n; j++)
			cJSON_AddItemToArray(l, cJSON_CreateString(m->logs[i].msgs[j]));
	}
	pthread_mutex_unlock(&m->lock);
	free(v);
	return v ? 0 : -ENOMEM;
}

char *pt_stamps_json(pt_stamps *m)
{
	cJSON *o = cJSON_CreateObject();
	char *s = NULL;

	if (o && pt_stamps_add_cjson(m, o) == 0)
		s = cJSON_Print(o);
	cJSON_Delete(o);
	if (!s)
		pt_fail(ENOMEM, "out of memory for the stamps JSON");
	return s;
}
