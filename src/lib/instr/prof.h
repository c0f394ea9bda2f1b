/* prof.h - profiler internals shared by the instrumentation modules (internal) */
#ifndef PT_PROF_H
#define PT_PROF_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftune.h"

struct cJSON;

/* Fields written by one thread and read by reports on another are accessed
 * with relaxed atomics: plain moves on x86-64, and no data race for TSan. */
#define PT_LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PT_ST(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/*
 * Per-block latency histogram, a smaller cousin of hist.h: values below 16 ns
 * are exact, above each power of two is split into 16 buckets, so a reported
 * percentile (bucket midpoint) is within 1/32 = 3.1% of the true value.
 * Durations of 2^40 ns (18 minutes) and more share the last bucket; min and
 * max stay exact.  592 counters = 4.6 KiB per block and thread, small enough
 * to keep one per tree node.
 */
#define PT_PHIST_SUB_BITS 4
#define PT_PHIST_SUB (1u << PT_PHIST_SUB_BITS)
#define PT_PHIST_MAX_EXP 40
#define PT_PHIST_BUCKETS (PT_PHIST_SUB + (PT_PHIST_MAX_EXP - PT_PHIST_SUB_BITS) * PT_PHIST_SUB)
#define PT_PHIST_REL_ERROR (1.0 / (2.0 * PT_PHIST_SUB))

static inline unsigned pt_phist_index(uint64_t v)
{
	unsigned e;

	if (v < PT_PHIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e >= PT_PHIST_MAX_EXP)
		return PT_PHIST_BUCKETS - 1;
	return PT_PHIST_SUB + (e - PT_PHIST_SUB_BITS) * PT_PHIST_SUB +
	       (unsigned)((v >> (e - PT_PHIST_SUB_BITS)) - PT_PHIST_SUB);
}

/* Midpoint of bucket I. */
double pt_phist_mid(unsigned i);

/* Most named timers one thread may have open at once; deeper nesting of
 * start/stop pairs is reported as an error (scoped blocks have no limit). */
#define PT_PROF_OPEN_TIMERS 64
/* Counter names per profiler: counters live in fixed pages per thread, so a
 * report can read them while their thread adds. */
#define PT_PROF_COUNTERS 1024
#define PT_PROF_COUNTER_PAGE 64
/* Direct-mapped cache of counter names per thread for pt_prof_counter_add:
 * a hit costs a hash and a strcmp instead of the profiler's lock. */
#define PT_PROF_CCACHE 64

struct pt_names;

/* One node of a thread's block tree: a site reached through one path. */
struct pt_node {
	uint64_t hits, total_ns, child_ns, min_ns, max_ns;
	struct pt_node *parent;    /* the thread's root for top-level blocks */
	struct pt_node *child;     /* first child, published with release */
	struct pt_node *sibling;   /* next child of the parent */
	struct pt_tstate *ts;
	const char *name;          /* the site's name (owned by the site table) */
	uint32_t site;             /* index in the profiler's site table */
	uint32_t track;
	uint64_t hist[PT_PHIST_BUCKETS];
};

/* Last node a site led to from a given parent: the common case of entering
 * a block is one comparison. */
struct pt_nslot {
	struct pt_node *parent, *node;
};

struct pt_open_timer {
	struct pt_node *node;
	uint64_t t0;
};

/* A thread's data in one profiler generation (between clears).  Written by
 * its thread without a lock; kept, with its data, after the thread exits. */
struct pt_tstate {
	struct pt_tstate *next;     /* profiler's list */
	struct pt_prof *prof;
	uint32_t epoch;
	pid_t tid;
	char name[16];              /* thread name when first seen */
	struct pt_node *root;
	struct pt_node *cur;
	struct pt_nslot *slots;      /* indexed by site */
	uint32_t nslots;
	uint64_t *counters[PT_PROF_COUNTERS / PT_PROF_COUNTER_PAGE];
	struct pt_open_timer timers[PT_PROF_OPEN_TIMERS];
	unsigned ntimers;
	struct pt_names *sites;     /* this generation's tables (kept alive by */
	struct pt_names *cnames;    /* the profiler until it is freed) */
	struct {                    /* counter names seen by pt_prof_counter_add */
		const char *name;   /* the table's copy */
		uint32_t idx;
	} ccache[PT_PROF_CCACHE];
};

enum pt_site_kind { PT_SITE_BLOCK, PT_SITE_TIMER };

struct pt_site_info {
	char *name;
	char *file;                 /* NULL for named timers */
	int line;
	unsigned track;
	const void *key;            /* the static struct pt_site, or NULL */
};

/* A table of sites or names of one generation.  Old generations are kept
 * until the profiler is freed: nodes of threads still inside a block at the
 * time of a clear point at their names. */
struct pt_names {
	struct pt_site_info *v;
	uint32_t n, cap;
	struct pt_names *older;
};

struct pt_memrec {
	char *name;
	uint64_t bytes;
};

/* Resource samples kept for the report: the most recent ones, so a long run
 * keeps a bounded series (an hour at the default 100 ms period is 36000). */
#define PT_PROF_SAMPLES_KEPT 1024
/* Measurement rows kept in a profiler's report, the most recent ones. */
#define PT_PROF_MEASUREMENTS_KEPT 4096

struct pt_sample {
	double t_s;                 /* since the profiler was created or cleared */
	uint64_t rss;
	double cpu_percent;         /* process CPU time / wall time over the period */
	double cpu_user_s, cpu_sys_s;
	int64_t read_bytes, write_bytes; /* -1 when /proc/self/io is unreadable */
	int64_t fds;
};

struct pt_prof {
	uint64_t on;                /* first: read by the macros as struct pt_prof_switch */
	uint32_t epoch;
	pthread_mutex_t lock;       /* everything below */
	char *name;
	uint64_t track_mask;
	int collecting;
	char *track_names[PT_PROF_TRACKS];
	struct pt_names *sites;
	struct pt_names *counters;  /* name only */
	struct pt_memrec *mem;
	size_t nmem, capmem;
	struct pt_tstate *threads;  /* this generation */
	struct pt_tstate *retired;  /* earlier generations */
	int running;
	uint64_t run_start_ns, elapsed_ns, origin_ns;
	unsigned errors;            /* misuse counted, e.g. timer stops without start */
	pt_stamps *stamps;
	pt_trace *trace;
	struct pt_sample *samples;  /* ring of PT_PROF_SAMPLES_KEPT */
	uint64_t nsamples;
	double sample_period_s;
	struct cJSON *measurements; /* rows of pt_measure, oldest first */
	uint64_t nmeasurements;     /* all rows, kept or not */
	struct pt_prof *reg_next;   /* global registry, for fork */
};

/* ---- merged view, built for reports (export.c) ---- */

struct pt_bstats {
	uint64_t hits, total_ns, self_ns, min_ns, max_ns;
	uint64_t hist[PT_PHIST_BUCKETS];
};

struct pt_mnode {
	uint32_t site;
	struct pt_bstats st;
	struct pt_mnode *child, *sibling;
};

struct pt_snapshot {
	char *name;
	double elapsed_s;           /* overall timer, 0 if never started */
	double span_s;              /* elapsed, or since creation/clear if never started */
	int running, collecting;
	uint64_t track_mask;
	char *track_names[PT_PROF_TRACKS];
	struct pt_site_info *sites; /* copies */
	uint32_t nsites;
	struct pt_bstats *site_stats; /* per site, all paths merged */
	uint64_t track_total_ns[PT_PROF_TRACKS];
	uint64_t total_ns;          /* top-level blocks of every thread */
	struct pt_mnode *tree;      /* merged roots' children */
	char **counter_names;
	uint64_t *counter_values;
	uint32_t ncounters;
	struct pt_memrec *mem;
	size_t nmem;
	unsigned threads;
	unsigned errors;
	struct pt_sample *samples;  /* oldest first */
	size_t nsamples;
	uint64_t samples_total;
	double sample_period_s;
	struct cJSON *measurements; /* a copy */
	uint64_t measurements_total;
};

/* Take a merged copy of P's data (locks P while copying).  NULL on ENOMEM.
 * The caller frees it with pt_snapshot_free() (NULL is ignored). */
struct pt_snapshot *pt_prof_snapshot(pt_prof *p);
void pt_snapshot_free(struct pt_snapshot *s);
/* Value at quantile Q in [0, 1] of B's histogram: a bucket midpoint clamped
 * to [min, max]; 0 when B is empty. */
double pt_bstats_quantile(const struct pt_bstats *b, double q);

/* The profiler report as a cJSON object (export.c); NULL on ENOMEM. */
struct cJSON *pt_prof_to_cjson(pt_prof *p);

/* Keep a measurement row in P's report (mrecord.c). */
void pt_prof_add_measurement(pt_prof *p, const struct pt_mrecord *r);

/* Record one resource sample into P (and its trace); sampler.c. */
void pt_prof_add_sample(pt_prof *p, const struct pt_sample *s);
/* Sum of counter INDEX over P's threads (sampler.c reads it live). */
uint64_t pt_prof_counter_value(pt_prof *p, uint32_t index);

/* Record a complete event of NAME (not NULL) and CAT (may be NULL) at TS_NS
 * for DUR_NS without checks: the blocks' and timers' path (tracefile.c).
 * 0 or -ENOMEM. */
int pt_trace_complete_ts(pt_trace *t, const char *name, const char *cat,
			 uint64_t ts_ns, uint64_t dur_ns);
/* Attach a trace to a stamp manager (stamps then emit instant events). */
void pt_stamps_set_trace(pt_stamps *m, pt_trace *t);
/* Add M's "stamps" (sorted) and "step_logs" to the cJSON object O.
 * 0 or -ENOMEM. */
int pt_stamps_add_cjson(pt_stamps *m, struct cJSON *o);

/* Reset the calling thread's block and counter data in P (the trial engine
 * does this on each worker when the warm-up ends). */
void pt_prof_thread_reset(pt_prof *p);
/* Copy the calling thread's blocks (the tree, with histograms) and counters
 * in P into BUF (CAP bytes), for a process forked from P's process to hand
 * them back: the bytes used, or 0 when there is nothing or it does not fit. */
size_t pt_prof_thread_export(pt_prof *p, void *buf, size_t cap);
/* Add such an export to P as a thread of its own (in P's process, whose
 * static call sites have the same addresses).  0, -EINVAL for a damaged
 * export (what could be read is kept) or -ENOMEM. */
int pt_prof_thread_adopt(pt_prof *p, const void *buf, size_t len);

/* ---- the trial engine's hooks (instr.c) ---- */

/* A trial's instrumentation: a profiler named after the task, attached with
 * a resource sampler to C->trace when there is one, and the trial's span in
 * the trace.  NULL on ENOMEM (the task then gets a NULL profiler). */
struct pt_instr;
struct pt_instr *pt_instr_trial_begin(const struct pt_trial_config *c, const char *task,
				      unsigned workers);
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

/* The calling thread's kernel id and name ("" when unknown). */

#endif
