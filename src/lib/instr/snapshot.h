/* snapshot.h - a profiler's data merged over threads and paths, the view every report reads (internal) */
#ifndef PT_SNAPSHOT_H
#define PT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "proftune.h"
#include "instr/prof.h"

struct cJSON;

/* Statistics of a block, merged. */
struct pt_bstats {
	uint64_t hits, total_ns, self_ns, min_ns, max_ns;
	uint64_t hist[PT_PHIST_BUCKETS];
};

/* A node of the merged tree: one site reached through one path, all
 * threads together. */
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
/* Free S and its copies; NULL is ignored. */
void pt_snapshot_free(struct pt_snapshot *s);
/* Value at quantile Q in [0, 1] of B's histogram: a bucket midpoint clamped
 * to [min, max]; 0 when B is empty. */
double pt_bstats_quantile(const struct pt_bstats *b, double q);

#endif
