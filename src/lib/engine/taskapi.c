/* taskapi.c - the calls a task makes: parameters, data, worker facts, errors, skips, counters */
#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftune.h"
#include "base/util.h"
#include "engine/params.h"
#include "engine/taskapi.h"
#include "engine/trial.h"
#include "instr/trialprof.h"

/* A task's message is kept to this many bytes, in the document and on the
 * terminal alike: a 50 MB message says no more than its first kilobyte. */
#define MESSAGE_MAX 1024

/* FMT and AP formatted into BUF (CAP > MESSAGE_MAX + 48 bytes), cut at
 * MESSAGE_MAX bytes, on a character boundary, and saying so. */
static const char *bounded_message(char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, MESSAGE_MAX + 1, fmt, ap);
	size_t keep = MESSAGE_MAX;

	if (n < 0)
		return "(the task's message could not be formatted)";
	if ((size_t)n <= MESSAGE_MAX)
		return buf;
	/* do not split a UTF-8 sequence: back up over its continuation bytes */
	while (keep > 0 && ((unsigned char)buf[keep] & 0xC0) == 0x80)
		keep--;
	snprintf(buf + keep, cap - keep, " ... (truncated from %d bytes)", n);
	return buf;
}

static void ctx_set_error(pt_ctx *ctx, char **slot, const char *fmt, va_list ap)
{
	char buf[MESSAGE_MAX + 64];
	char *msg = strdup(bounded_message(buf, sizeof(buf), fmt, ap));

	pthread_mutex_lock(&ctx->lock);
	if (!*slot)
		*slot = msg;
	else
		free(msg);
	pthread_mutex_unlock(&ctx->lock);
}

int pt_ctx_error(pt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_set_error(ctx, &ctx->error, fmt, ap);
	va_end(ap);
	return PT_FAIL;
}

int pt_skip(pt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_set_error(ctx, &ctx->skip, fmt, ap);
	va_end(ap);
	return PT_SKIP;
}

static const char *param_lookup(pt_ctx *ctx, const char *key)
{
	ssize_t i = pt_params_find(ctx->params, key);

	if (i < 0)
		return NULL;
	atomic_store_explicit(&ctx->param_used[i], 1, memory_order_relaxed);
	return pt_params_value(ctx->params, (size_t)i);
}

static void param_error(pt_ctx *ctx, const char *key, const char *value, const char *what)
{
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->error)
		ctx->error = pt_asprintf("parameter '%s' = '%s' is not %s; fix -p %s=VALUE",
					 key, value, what, key);
	pthread_mutex_unlock(&ctx->lock);
}

const char *pt_param_str(pt_ctx *ctx, const char *key, const char *def)
{
	const char *v = param_lookup(ctx, key);

	return v ? v : def;
}

long long pt_param_int(pt_ctx *ctx, const char *key, long long def)
{
	const char *v = param_lookup(ctx, key);
	long long out;

	if (!v)
		return def;
	if (pt_parse_int(v, &out) < 0) {
		param_error(ctx, key, v, "an integer");
		return def;
	}
	return out;
}

double pt_param_double(pt_ctx *ctx, const char *key, double def)
{
	const char *v = param_lookup(ctx, key);
	double out;

	if (!v)
		return def;
	if (pt_parse_double(v, &out) < 0) {
		param_error(ctx, key, v, "a number");
		return def;
	}
	return out;
}

void pt_ctx_set_data(pt_ctx *ctx, void *data)
{
	ctx->data = data;
}

void *pt_ctx_data(const pt_ctx *ctx)
{
	return ctx->data;
}

unsigned pt_ctx_workers(const pt_ctx *ctx)
{
	return ctx->workers;
}

void pt_ctx_note(pt_ctx *ctx, const char *name, double value)
{
	pthread_mutex_lock(&ctx->lock);
	pt_named_set(&ctx->notes, name, value, 0);
	pthread_mutex_unlock(&ctx->lock);
}

void pt_ctx_memory_record(pt_ctx *ctx, const char *name, uint64_t bytes)
{
	pthread_mutex_lock(&ctx->lock);
	pt_named_set(&ctx->memory, name, (double)bytes, 0);
	pthread_mutex_unlock(&ctx->lock);
}

void pt_worker_set_data(pt_worker *w, void *data)
{
	w->data = data;
}

void *pt_worker_data(const pt_worker *w)
{
	return w->data;
}

pt_ctx *pt_worker_ctx(pt_worker *w)
{
	return w->ctx;
}

unsigned pt_worker_index(const pt_worker *w)
{
	return w->index;
}

unsigned pt_worker_count(const pt_worker *w)
{
	return w->count;
}

int pt_worker_cpu(const pt_worker *w)
{
	return w->cpu;
}

int pt_worker_numa(const pt_worker *w)
{
	return w->numa;
}

pt_prof *pt_worker_prof(pt_worker *w)
{
	return pt_instr_prof(w->ctx->instr);
}

pt_prof *pt_ctx_prof(pt_ctx *ctx)
{
	return pt_instr_prof(ctx->instr);
}

int pt_error(pt_worker *w, const char *fmt, ...)
{
	char buf[MESSAGE_MAX + 64];
	const char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = bounded_message(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pt_msg_add(&w->msgs, msg, 1);
	w->msg_given = 1;
	return PT_FAIL;
}

void pt_counter_add(pt_worker *w, const char *name, uint64_t value)
{
	struct pt_named *slot;

	for (unsigned i = 0; i < w->nfast; i++) {
		if (w->fast[i].key == name) {
			w->fast[i].slot->value += (double)value;
			return;
		}
	}
	pt_named_set(&w->counters, name, (double)value, 1);
	/* remember this pointer so the next call skips the string search */
	slot = NULL;
	for (unsigned i = 0; i < w->counters.n; i++)
		if (strcmp(w->counters.items[i].name, name) == 0)
			slot = &w->counters.items[i];
	if (slot && w->nfast < PT_MAX_COUNTERS) {
		w->fast[w->nfast].key = name;
		w->fast[w->nfast].slot = slot;
		w->nfast++;
	}
}

void pt_memory_record(pt_worker *w, const char *name, uint64_t bytes)
{
	pt_named_set(&w->memory, name, (double)bytes, 0);
}
