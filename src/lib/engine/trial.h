/* trial.h - a trial's inputs and results as plain data, and running one in this process (internal) */
#ifndef PT_TRIAL_H
#define PT_TRIAL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftune.h"
#include "base/sysmon.h"
#include "engine/tally.h"

struct pt_worker_result {
	unsigned index;
	struct pt_slot slot;     /* planned */
	int cpu_start, cpu_end;  /* CPU observed at the start and end of the measured phase */
	uint64_t items, errors, chunks;
	double busy_s;           /* time inside run() calls */
	double dispatch_s;       /* time claiming work */
	double start_s, end_s;   /* measured phase, relative to the trial's start */
	struct pt_rusage ru;     /* measured phase */
	struct pt_latency latency;
	struct pt_named_list counters;
	struct pt_named_list memory;
	struct pt_perf_value perf[PT_PERF_EVENTS];
	int pid, tid, ppid;      /* the worker's process and thread */
	char process_name[32], parent_process_name[32]; /* process workers */
	int broken;              /* a worker process that did not reach its end */
	int exit_signal, exit_status;
	char broken_phase[24];
	uint64_t broken_item;
};

struct pt_trial {
	struct pt_trial_stats s;
	struct pt_trial_config config; /* params pointer cleared */
	double started;                /* Unix time at setup start */
	double warmup_s;               /* measured length of the warm-up */
	double setup_s, teardown_s;
	char *message;                 /* first setup/skip/run message, owned */
	struct pt_msg_list errors;
	struct pt_msg_list warnings;
	struct pt_named_list counters; /* summed over workers */
	struct pt_named_list memory;   /* task-wide records, then worker sums */
	struct pt_named_list notes;
	struct pt_rusage ru;           /* summed over workers, measured phase */
	struct pt_perf_value perf[PT_PERF_EVENTS];
	int peak_rss_reset;            /* 1 when peak_rss covers this trial only */
	uint64_t workers_peak_rss;     /* process workers: what they grew beyond
	                                * their start, summed (bytes) */
	uint64_t rss_start, rss_end, heap_start, heap_end;
	double clock_drift;            /* the interval clock against CLOCK_MONOTONIC
	                                * over the measured phase, relative */
	double dispatch_overhead;      /* dispatch time / busy time */
	double mean_chunk;             /* items per claim */
	struct pt_worker_result *workers; /* s.workers entries, owned */
	struct cJSON *json;            /* when set (isolated trials), the trial as
	                                * received: it is the serialised form */
	struct cJSON *instrumentation; /* the task's profiler report (instr/trialprof.h), or NULL */
};

/* Keep MSG (copied; NULL is ignored) as TR's message unless it has one:
 * the first failure explains the trial. */
static inline void pt_trial_set_message(pt_trial *tr, const char *msg)
{
	if (!tr->message && msg)
		tr->message = strdup(msg);
}

struct pt_worker;
/* The measured span of N workers, in seconds: from the first item started
 * to the last item finished, by whichever worker ran them; workers that ran
 * no item do not count.  With no item at all, the measured phase's length. */
double pt_trial_span(const struct pt_worker *w, unsigned n);

/* The bounds of a trial's config.  Times are converted to nanoseconds in a
 * uint64_t (at most 1.8e19 ns, 584 years): a million seconds (11.6 days)
 * of warm-up or measurement is far beyond any trial, and the command's
 * default timeout (60 s plus ten times both) stays below 1e9 s.  Items
 * are written to the document as JSON numbers, exact up to 2^53. */
#define PT_TRIAL_MAX_S 1e6
#define PT_TRIAL_MAX_TIMEOUT_S 1e9
#define PT_TRIAL_MAX_ITEMS (UINT64_C(1) << 53)

/* Check C before a trial: at least one worker, items up to
 * PT_TRIAL_MAX_ITEMS or a duration in (0, PT_TRIAL_MAX_S], a warm-up in
 * [0, PT_TRIAL_MAX_S], a timeout in [0, PT_TRIAL_MAX_TIMEOUT_S], an
 * error-rate bound in [0, 1].  0, or -EINVAL or -ERANGE with a message. */
int pt_trial_config_check(const struct pt_trial_config *c);

/* Run the trial in this process (what the isolated child runs). */
pt_trial *pt_trial_run_inprocess(pt_module *m, const pt_topology *t,
				 const struct pt_trial_config *c);
/* A trial that produced no measurement (crash, timeout...): the config, the
 * planned slots and STATUS with MESSAGE; NULL on ENOMEM. */
pt_trial *pt_trial_new_empty(const pt_topology *t, const struct pt_trial_config *c,
			     enum pt_status status, const char *message);

#endif
