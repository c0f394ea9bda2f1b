/* trialprof.c - instrumentation inside trials: a profiler per trial, worker tracks in the trace */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "instr/export.h"
#include "instr/handoff.h"
#include "instr/prof.h"
#include "instr/trace.h"
#include "instr/trialprof.h"

/* Resource samples per trial when tracing: about 20 over the measured phase,
 * never more often than every 10 ms nor less often than dasf's 100 ms. */
#define SAMPLES_PER_TRIAL 20.0
#define SAMPLE_MIN_S 0.01
#define SAMPLE_MAX_S 0.1
/* Shared memory per worker process for handing its blocks and counters back
 * (PT_ISOLATE_PROCESS): room for thousands of blocks with their histograms.
 * Reserved, not committed: untouched pages cost nothing. */
#define SLOT_BYTES (4u << 20)

/* One worker process's export, in shared memory. */
struct slot {
	uint32_t ready;        /* set (release) once LEN bytes of DATA are written */
	uint32_t pad;
	uint64_t len;
	unsigned char data[];
};

struct pt_instr {
	pt_prof *prof;
	pt_trace *trace;       /* borrowed from the trial's configuration */
	pt_sampler *sampler;
	double period_s;       /* the sampler's, when it waits for the workers */
	uint64_t t0;
	pid_t pid;             /* the trial's process */
	unsigned workers;
	unsigned char *shm;    /* worker processes' slots, or NULL */
	char label[96];
};

/* When the calling worker thread started, for its set-up span. */
static __thread uint64_t tl_worker_t0;

struct pt_instr *pt_instr_trial_begin(const struct pt_trial_config *c, const char *task,
				      unsigned workers)
{
	struct pt_instr *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->prof = pt_prof_new(task && *task ? task : "task");
	if (!in->prof) {
		free(in);
		return NULL;
	}
	in->trace = c->trace;
	in->t0 = pt_now_ns();
	in->pid = getpid();
	in->workers = workers;
	if (c->isolation == PT_ISOLATE_PROCESS) {
		void *m = mmap(NULL, (size_t)workers * SLOT_BYTES, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		/* without it worker processes' blocks are lost, the trial is not */
		in->shm = m == MAP_FAILED ? NULL : m;
	}
	snprintf(in->label, sizeof(in->label), "trial: %u worker%s, repeat %u", workers,
		 workers == 1 ? "" : "s", c->repeat);
	if (in->trace) {
		double period = c->items ? SAMPLE_MAX_S : c->duration_s / SAMPLES_PER_TRIAL;

		if (period < SAMPLE_MIN_S)
			period = SAMPLE_MIN_S;
		if (period > SAMPLE_MAX_S)
			period = SAMPLE_MAX_S;
		pt_prof_set_trace(in->prof, in->trace);
		pt_trace_thread_name(in->trace, "trials");
		/* worker processes are forked from this one: no other thread may
		 * then hold a lock the child needs (a sanitizer's allocator is
		 * not fork-safe), so the sampler waits for them */
		if (c->isolation == PT_ISOLATE_PROCESS)
			in->period_s = period;
		else
			in->sampler = pt_sampler_start(in->prof, period);
	}
	return in;
}

void pt_instr_workers_started(struct pt_instr *in)
{
	if (in && in->period_s > 0 && !in->sampler)
		in->sampler = pt_sampler_start(in->prof, in->period_s);
}

pt_prof *pt_instr_prof(const struct pt_instr *in)
{
	return in ? in->prof : NULL;
}

void pt_instr_worker_begin(struct pt_instr *in, unsigned index)
{
	char name[32];

	tl_worker_t0 = pt_now_ns();
	if (!in || !in->trace)
		return;
	snprintf(name, sizeof(name), "worker %u", index);
	pt_trace_thread_name(in->trace, name);
}

void pt_instr_worker_measure(struct pt_instr *in)
{
	uint64_t now = pt_now_ns();

	if (!in)
		return;
	pt_prof_thread_reset(in->prof);
	if (in->trace)
		pt_trace_complete_ts(in->trace, "setup and warm-up", "trial", tl_worker_t0,
				     now - tl_worker_t0);
}

void pt_instr_worker_end(struct pt_instr *in, uint64_t start_ns, uint64_t end_ns)
{
	if (!in || !in->trace || !start_ns || end_ns < start_ns)
		return;
	pt_trace_complete_ts(in->trace, "measured phase", "trial", start_ns, end_ns - start_ns);
}

void pt_instr_worker_exit(struct pt_instr *in, unsigned index)
{
	struct slot *s;
	size_t n;

	if (!in || getpid() == in->pid)
		return;
	/* a worker process ends with _exit(): nothing else writes its events */
	if (in->trace)
		pt_trace_flush(in->trace);
	if (!in->shm || index >= in->workers)
		return;
	s = (struct slot *)(in->shm + (size_t)index * SLOT_BYTES);
	n = pt_prof_thread_export(in->prof, s->data, SLOT_BYTES - sizeof(*s));
	if (!n)
		return;
	s->len = n;
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
}

/* In the trial's process: take in what the worker processes handed back. */
static void adopt_workers(struct pt_instr *in)
{
	for (unsigned i = 0; i < in->workers; i++) {
		struct slot *s = (struct slot *)(in->shm + (size_t)i * SLOT_BYTES);

		if (__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE))
			pt_prof_thread_adopt(in->prof, s->data, s->len);
	}
	munmap(in->shm, (size_t)in->workers * SLOT_BYTES);
	in->shm = NULL;
}

/* Does the report show anything the task recorded? */
static int has_data(const cJSON *o)
{
	static const char *const keys[] = {
		"tracks", "counters", "memory_usage", "stamps", "measurements",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, keys[i])) > 0)
			return 1;
	return pt_json_num(cJSON_GetObjectItemCaseSensitive(o, "samples"), "count") > 0;
}

struct cJSON *pt_instr_trial_end(struct pt_instr *in)
{
	cJSON *o;

	if (!in)
		return NULL;
	pt_sampler_stop(in->sampler);
	if (in->trace) {
		pt_trace_complete_ts(in->trace, in->label, "trial", in->t0, pt_now_ns() - in->t0);
		pt_prof_set_trace(in->prof, NULL);
		/* a trial run in a child process must leave its events in the
		 * file before the child exits */
		pt_trace_flush(in->trace);
	}
	if (in->shm)
		adopt_workers(in);
	o = pt_prof_to_cjson(in->prof);
	if (o && !has_data(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	pt_prof_free(in->prof);
	free(in);
	return o;
}
