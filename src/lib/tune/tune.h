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
	unsigned n;              /* successful trials: x[] and lx[] (after
	                          * compute, less the disturbed ones) */
	unsigned disturbed;      /* successful trials left out by compute as
	                          * slowed by other load (tune.c, DISTURBED) */
	double *x, *lx;          /* throughput and its logarithm, owned */
	double *p99, *cpu;       /* their p99 latency and CPU utilization (NAN when
	                          * not measured), owned */
	double median, mean_log, var_log, cv;
	double ci_low, ci_high;  /* 95% interval of the typical throughput */
	double diff_low, diff_high; /* one-sided 95% bounds of log(X / X_best) */
	enum pt_decision decision;
	int contender;           /* may be the best */
	int at_margin;           /* undecided, but shown within the settle zone
	                          * around the margin (tune.c, SETTLE_ZONE) */
};

struct pt_tune_stats {
	struct pt_count_stats *c; /* sorted by workers after compute */
	size_t n;
	int best, recommended;    /* indexes into c, -1 when nothing succeeded */
	double pooled_sd;         /* pooled standard deviation of log throughput */
	unsigned df;
	double margin;            /* log(1 - tolerance) */
	double zone;              /* half-width of the zone around the margin, a
	                           * fraction of the best's throughput ... */
	double zone_low, zone_high; /* ... and its ends: log(1 - tolerance -+
	                           * zone) */
	int optimal_decided;      /* the best is shown better than every other
	                           * count with a successful trial (and there is
	                           * one) */
	int recommended_decided;  /* the recommended count is shown within the
	                           * tolerance, every smaller count with a
	                           * successful trial shown worse */
	int settled;              /* pt_tune_settled() among the counts
	                           * measured (the tuner sets it among its
	                           * candidates) */
	double tolerance;
	int smt, numa;            /* the machine has SMT siblings (more PUs than
	                           * cores), more than one NUMA node: the causes
	                           * of steps the summary's warning may name */
};

int pt_tune_stats_add(struct pt_tune_stats *s, unsigned workers, int ok, double throughput,
		      double p99_ns, double cpu_util);
/* Medians, intervals, the best count and the non-inferiority decisions,
 * once per set of trials: the disturbed trials are dropped from the
 * per-count arrays first. */
void pt_tune_stats_compute(struct pt_tune_stats *s, double tolerance);
void pt_tune_stats_release(struct pt_tune_stats *s);

/* Is the recommendation of S (computed) settled among the candidate counts
 * CAND (N of them, sorted; the counts of S when CAND is NULL)?  The
 * smallest count within the tolerance of the best lies above the largest
 * count below the recommended one that is shown worse than the tolerance
 * allows or at the margin (the curve rises to its peak): settled when the
 * recommended count is within the tolerance, in workers, of the next
 * candidate above that count, so no count left between could save more
 * workers than that.  0 without an answer or a variance. */
int pt_tune_settled(const struct pt_tune_stats *s, const unsigned *cand, size_t n);

/* The worker counts to measure next so that the recommendation of S
 * (computed) settles among the candidates CAND (N, sorted; NULL: only the
 * counts of S), into OUT in increasing order: the best while there is no
 * variance yet; else the comparison with the best of the undecided count
 * between nearest a decision (that count or the best, whichever has fewer
 * successful trials, both when they have as many), or, when every such
 * comparison is far from one, up to two unmeasured candidates a tolerance
 * apart around the middle of where the answer can be.  Returns how many
 * counts were written, 0 when settled or when nothing is left to measure. */
size_t pt_tune_settle_next(const struct pt_tune_stats *s, const unsigned *cand, size_t n,
			   unsigned out[2]);

/* How a tune ended, as the summary's stopped_by says. */
enum pt_tune_end {
	PT_TUNE_RUNNING = 0,    /* not yet: the summary of a tune in progress */
	PT_TUNE_SETTLED,        /* auto: the recommendation is decided */
	PT_TUNE_COMPLETE,       /* exhaustive: every trial of its plan ran */
	PT_TUNE_TRIAL_LIMIT,    /* auto: settling used all the trials it may */
	PT_TUNE_BUDGET,         /* the --budget ran out */
	PT_TUNE_INTERRUPTED,    /* interrupted, or stopped by the callback */
};
/* "settled", "complete", "trial_limit", "budget", "interrupted"; NULL for
 * PT_TUNE_RUNNING. */
const char *pt_tune_end_name(enum pt_tune_end e);

/* The summary object of a tune document that ended as END; the caller owns
 * it. */
cJSON *pt_tune_summary(struct pt_tune_stats *s, const struct pt_tune_config *c,
		       unsigned max_candidate, unsigned trials, double elapsed,
		       enum pt_tune_end end);

#endif
