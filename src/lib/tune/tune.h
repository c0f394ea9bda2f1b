/* tune.h - the tuner's statistics and summary, shared with `proftune fit` (internal) */
#ifndef PT_TUNE_H
#define PT_TUNE_H

#include <cjson/cJSON.h>

#include "proftune.h"

enum pt_decision {
	PT_UNDECIDED = 0,
	PT_NON_INFERIOR, /* shown within the tolerance of the best */
	PT_INFERIOR,     /* shown worse than the best by more than the tolerance */
};

/* Everything measured at one worker count. */
struct pt_count_stats {
	unsigned workers;
	unsigned trials;         /* all trials, whatever their status */
	unsigned n;              /* successful trials: x[] and lx[] */
	double *x, *lx;          /* throughput and its logarithm, owned */
	double *p99, *cpu;       /* their p99 latency and CPU utilization (NAN when
	                          * not measured), owned */
	double median, mean_log, var_log, cv;
	double ci_low, ci_high;  /* 95% interval of the typical throughput */
	double diff_low, diff_high; /* one-sided 95% bounds of log(X / X_best) */
	enum pt_decision decision;
	int contender;           /* may be the best */
};

struct pt_tune_stats {
	struct pt_count_stats *c; /* sorted by workers after compute */
	size_t n;
	int best, recommended;    /* indexes into c, -1 when nothing succeeded */
	double pooled_sd;         /* pooled standard deviation of log throughput */
	unsigned df;
	int smt, numa;            /* the machine has SMT siblings (more PUs than
	                           * cores), more than one NUMA node: the causes
	                           * of steps the summary's warning may name */
};

int pt_tune_stats_add(struct pt_tune_stats *s, unsigned workers, int ok, double throughput,
		      double p99_ns, double cpu_util);
/* Medians, intervals, the best count and the non-inferiority decisions. */
void pt_tune_stats_compute(struct pt_tune_stats *s, double tolerance);
void pt_tune_stats_release(struct pt_tune_stats *s);

/* The summary object of a tune document; the caller owns it. */
cJSON *pt_tune_summary(struct pt_tune_stats *s, const struct pt_tune_config *c,
		       unsigned max_candidate, unsigned trials, double elapsed, int budget_hit,
		       int interrupted);

#endif
