/* taskapi.h - the trial and the worker as a task sees them: what pt_ctx and pt_worker hold (internal) */
#ifndef PT_TASKAPI_H
#define PT_TASKAPI_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "proftune.h"
#include "base/sysmon.h"
#include "engine/trial.h"

struct pt_hist;
struct pt_instr;
struct pt_pool;

/* The trial as a task sees it: one per trial, made by the trial engine
 * (engine/trial.c), read by the calls of taskapi.c from setup, teardown and
 * any worker. */
struct pt_ctx {
	const pt_params *params;
	_Atomic unsigned char *param_used; /* one flag per parameter */
	unsigned workers;
	void *data;
	pthread_mutex_t lock;              /* guards the fields below */
	char *error;                       /* setup/teardown/parameter error */
	char *skip;
	struct pt_named_list notes;
	struct pt_named_list memory;
	struct pt_instr *instr;            /* the task's profiler (instr/trialprof.h) */
};

/* One worker as a task sees it: made by the pool (engine/pool.c), written
 * by its own thread (or process) during a phase. */
struct pt_worker {
	/* read and written by the owning thread only during a phase */
	pt_ctx *ctx;
	struct pt_pool *pool;
	unsigned index, count;
	int cpu, numa;
	void *data;
	int setup_rc;
	int msg_given;           /* pt_error() was called for the current item */
	const char *phase;       /* where the worker is, for crash reports */
	volatile uint64_t cur_item;
	uint64_t items, errors, chunks, busy_ns, dispatch_ns;
	uint64_t start_ns, end_ns;  /* the measured phase, this worker */
	uint64_t first_ns, last_ns; /* its first item's start, last item's end */
	double chunk;            /* current chunk size, items */
	double item_ns;          /* moving estimate of one item's cost */
	double claim_ns;         /* moving estimate of one claim's cost */
	struct pt_hist *hist;
	struct {
		const char *key;     /* the caller's pointer, compared first */
		struct pt_named *slot;
	} fast[PT_MAX_COUNTERS];
	unsigned nfast;
	struct pt_named_list counters;
	struct pt_named_list memory;
	struct pt_msg_list msgs;
	struct pt_perf perf;
	struct rusage ru0, ru1;
	int cpu_start, cpu_end;
	pthread_t thread;
	struct pt_perf_value perfv[PT_PERF_EVENTS]; /* read by the worker itself */
	/* process workers (--isolation process) */
	pid_t pid, tid, ppid;
	char comm[32], parent_comm[32];
	int exit_signal;         /* the signal that ended the worker process, or 0 */
	int exit_status;         /* its exit status when it ended without one */
	int reaped;
	int counted_dead;        /* counted in the pool's dead workers */
	int done;                /* reached its normal end */
	uint64_t rss_start;      /* bytes resident when the worker process began */
	uint64_t peak_rss;       /* its high-water mark, from wait4(), bytes */
	char *arena;             /* shared memory for the names it leaves behind */
	size_t arena_size;
} __attribute__((aligned(64)));

#endif
