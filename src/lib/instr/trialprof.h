/* trialprof.h - the trial engine's instrumentation hooks: a profiler per trial, worker tracks (internal) */
#ifndef PT_TRIALPROF_H
#define PT_TRIALPROF_H

#include <stdint.h>

#include "proftune.h"

struct cJSON;

/* A trial's instrumentation: a profiler named after the task, attached with
 * a resource sampler to C->trace when there is one, and the trial's span in
 * the trace.  NULL on ENOMEM (the task then gets a NULL profiler). */
struct pt_instr;
struct pt_instr *pt_instr_trial_begin(const struct pt_trial_config *c, const char *task,
				      unsigned workers);
/* Every worker of the trial has started (been forked): start what had to
 * wait for that (the resource sampler of a trial of worker processes). */
void pt_instr_workers_started(struct pt_instr *in);
/* The trial's profiler, or NULL. */
pt_prof *pt_instr_prof(const struct pt_instr *in);
/* On each worker thread: when it starts (names its trace track "worker
 * INDEX"), when the warm-up ends (its warm-up data is discarded), and after
 * the measured phase [START_NS, END_NS] (shown on its track). */
void pt_instr_worker_begin(struct pt_instr *in, unsigned index);
void pt_instr_worker_measure(struct pt_instr *in);
void pt_instr_worker_end(struct pt_instr *in, uint64_t start_ns, uint64_t end_ns);
/* In a worker process (PT_ISOLATE_PROCESS), last thing before it exits:
 * writes its trace events and hands its blocks and counters back to the
 * trial's process through shared memory.  No effect in the trial's own
 * process. */
void pt_instr_worker_exit(struct pt_instr *in, unsigned index);
/* End the trial's instrumentation and free IN: the profiler report as a
 * cJSON object for the trial's "instrumentation" key (caller deletes), or
 * NULL when the task recorded nothing. */
struct cJSON *pt_instr_trial_end(struct pt_instr *in);

#endif
