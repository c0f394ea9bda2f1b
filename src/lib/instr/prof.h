/* prof.h - the profiler object: block trees, timers, counters and memory records per thread (internal) */
#ifndef PT_PROF_H
#define PT_PROF_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "proftune.h"
#include "base/tlcache.h"
#include "base/util.h"
#include "stats/hist.h"
#include "instr/sampler.h"

struct cJSON;

/*
 * Per-block latency histogram, coarser than the trial's (stats/hist.h):
 * values below 16 ns are exact, above each power of two is split into 16
 * buckets, so a reported percentile (bucket midpoint) is within 1/32 = 3.1%
 * of the true value.  Durations of 2^40 ns (18 minutes) and more share the
 * last bucket; min and max stay exact.  592 counters = 4.6 KiB per block and
 * thread, small enough to keep one per tree node.
 */
#define PT_PHIST_SUB_BITS 4
#define PT_PHIST_MAX_EXP 40
#define PT_PHIST_BUCKETS PT_LOGHIST_BUCKETS(PT_PHIST_SUB_BITS, PT_PHIST_MAX_EXP)
#define PT_PHIST_REL_ERROR PT_LOGHIST_REL_ERROR(PT_PHIST_SUB_BITS)

static inline unsigned pt_phist_index(uint64_t v)
{
	return pt_loghist_index(v, PT_PHIST_SUB_BITS, PT_PHIST_MAX_EXP);
}

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
	uint32_t last_bucket;      /* hist bucket of the latest duration */
	uint64_t hist[PT_PHIST_BUCKETS];
};

/* Last node a site led to from a given parent: the common case of entering
 * a block is one comparison. */
struct pt_nslot {
	struct pt_node *parent, *node;
};

struct pt_open_timer {
	struct pt_node *node;
	uint64_t t0;               /* pt_ticks() at the start (base/clock.h) */
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
	size_t nslots;
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

/* A block site, a named timer or a counter name. */
struct pt_site_info {
	char *name;
	char *file;                 /* NULL for named timers and counters */
	int line;
	unsigned track;
	const void *key;            /* the static struct pt_site, or NULL */
};

/* A table of sites or names of one generation.  Old generations are kept
 * until the profiler is freed: nodes of threads still inside a block at the
 * time of a clear point at their names. */
struct pt_names {
	struct pt_site_info *v;
	uint32_t n;
	size_t cap;
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
	struct pt_fork_member fork; /* in the list of live profilers */
};

/* Sum of counter INDEX over P's threads; the caller holds P's lock (a
 * report or the sampler reads counters live, while their threads add). */
uint64_t pt_prof_counter_value(pt_prof *p, uint32_t index);
/* Record one resource sample into P's ring (its time is taken now). */
void pt_prof_add_sample(pt_prof *p, const struct pt_sample *s);
/* Keep ROW, a measurement as a JSON object, in P's report (the report
 * takes it; the oldest row goes beyond PT_PROF_MEASUREMENTS_KEPT). */
void pt_prof_add_measurement(pt_prof *p, struct cJSON *row);
/* Reset the calling thread's block and counter data in P (the trial engine
 * does this on each worker when the warm-up ends). */
void pt_prof_thread_reset(pt_prof *p);

/* ---- for the hand-off of a thread's data between processes (handoff.c) ---- */

/* The calling thread's state in P's current generation, or NULL when it
 * has none (nothing is created). */
struct pt_tstate *pt_prof_thread_state(pt_prof *p);
/* Index of block site KEY (its static struct pt_site) in T, or UINT32_MAX. */
uint32_t pt_names_find_key(const struct pt_names *t, const void *key);
/* Index of the named timer or counter NAME in T, or UINT32_MAX. */
uint32_t pt_names_find(const struct pt_names *t, const char *name);
/* Append a site to T (NAME and FILE copied; FILE NULL for timers and
 * counters): its index, or UINT32_MAX on ENOMEM. */
uint32_t pt_names_add(struct pt_names *t, const char *name, const char *file, int line,
		      unsigned track, const void *key);
/* A new, empty node of thread TS for SITE (NAME borrowed from the site
 * table) below PARENT (NULL: a root); not linked in.  NULL on ENOMEM. */
struct pt_node *pt_node_new(struct pt_tstate *ts, struct pt_node *parent, uint32_t site,
			    const char *name, unsigned track);

/* Add V to counter IDX of thread TS (its own thread, or any under P's lock
 * for a thread not running); dropped when a counter page cannot be had. */
static inline void pt_counter_bump(struct pt_tstate *ts, uint32_t idx, uint64_t v)
{
	uint64_t *page = ts->counters[idx / PT_PROF_COUNTER_PAGE];

	if (__builtin_expect(!page, 0)) {
		page = calloc(PT_PROF_COUNTER_PAGE, sizeof(*page));
		if (!page)
			return;
		__atomic_store_n(&ts->counters[idx / PT_PROF_COUNTER_PAGE], page, __ATOMIC_RELEASE);
	}
	page += idx % PT_PROF_COUNTER_PAGE;
	PT_ST(*page, *page + v);
}

#endif
