/* pool.h - the worker pool: threads or processes, the worker loop, dynamic claiming of items (internal) */
#ifndef PT_POOL_H
#define PT_POOL_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "proftune.h"
#include "engine/barrier.h"
#include "engine/taskapi.h"
#include "engine/trial.h"

/* The workers of one trial and what they share while they run. */
struct pt_pool {
	const struct pt_task *task;
	const pt_topology *topo;
	const struct pt_trial_config *cfg;
	struct pt_worker *workers;
	struct pt_barrier barrier;
	_Atomic uint64_t next;   /* next item to claim */
	atomic_int stop;         /* duration mode: end the current phase */
	atomic_int abort;        /* a worker failed its setup */
	_Atomic uint32_t finished; /* workers done with the measured phase (a
	                            * futex word: the last one wakes the main
	                            * thread of a fixed-items trial) */
	uint64_t limit;          /* fixed-items mode: items of the phase, else 0 */
	uint64_t t0;             /* trial start, for relative times */
	int processes;           /* workers are processes, the pool is shared memory */
	unsigned dead;           /* worker processes that ended abnormally */
	pid_t parent;            /* the trial process that forks the workers */
	struct sigaction task_sigchld; /* the task's SIGCHLD disposition, put
	                                * back once the workers are collected */
	size_t mapped;           /* bytes of the shared mapping holding the pool */
};

/* The pool of N workers, their latency histograms with it, in one block:
 * ordinary memory for threads, a shared mapping (with arenas for the names
 * a worker process leaves behind) when PROCESSES.  Zeroed; NULL on ENOMEM.
 * Free with pt_pool_free(). */
struct pt_pool *pt_pool_new(unsigned n, int processes);
/* Free (unmap) P and its workers' histograms; NULL is ignored. */
void pt_pool_free(struct pt_pool *p);
/* Run the trial's phases on P, whose task, topology, configuration and
 * workers are set: start the workers (threads, or processes forked from
 * here), set up, warm up and measure behind the barrier, join them.  A
 * worker that could not start or a worker process that died sets TR's
 * status and message; TR's warm-up time is recorded. */
void pt_pool_run(pt_trial *tr, struct pt_pool *p);

/* Where the calling thread is in a trial, for crash reports: the phase
 * ("setup", "worker_setup", "warmup", "run", "worker_teardown", "teardown"),
 * the worker index (-1 outside workers) and the item being run.
 * Async-signal-safe. */
void pt_trial_where(const char **phase, int *worker, uint64_t *item);
/* The phase the trial's own thread is in ("setup", "teardown", "idle"...),
 * which pt_trial_where() reports outside workers.  PHASE is a static
 * string. */
void pt_trial_phase(const char *phase);

#endif
