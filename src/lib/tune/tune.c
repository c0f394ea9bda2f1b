/* tune.c - find the worker count that serves a task best */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/fields.h"
#include "doc/results.h"
#include "stats/stats.h"
#include "stats/usl.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "tune/tune.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"

/* One-sided level of the non-inferiority and racing tests. */
#define TEST_LEVEL 0.95
/* Noise above this coefficient of variation is worth a warning. */
#define NOISY_CV 0.10
/* A trial more than this fraction below the median of its count's trials,
 * when the count has at least DISTURBED_MIN_TRIALS successful ones, was
 * slowed by something other than the task (other processes on the CPUs, a
 * burst of I/O) and is left out of the statistics.  On a quiet machine
 * trials of one count differ by about 1%, so 10% is far beyond their own
 * noise, while interference took 10% to 80% off trials here.  Nothing
 * makes a trial spuriously fast, so only slow trials are left out. */
#define DISTURBED 0.10
#define DISTURBED_MIN_TRIALS 3
/* Two counts with at least this many successful trials each are compared
 * with their own variances (Welch's test) rather than the variance pooled
 * over every count: the noise differs between counts (a lock-bound task is
 * steadier below its peak than far above it, a task beyond the cores
 * steadier than one on them), and one disturbed trial anywhere would
 * otherwise widen every comparison.  Three trials give each variance two
 * degrees of freedom. */
#define OWN_VARIANCE_TRIALS 3
/* A count whose throughput is shown to lie within this fraction of the
 * tolerance of the margin (between 4% and 6% below the best at the default
 * 5%) is at the margin: whichever side of it the count truly is, the
 * recommendation differs from the rule's by at most that much throughput
 * (1% of the best), while deciding it exactly could take any number of
 * trials. */
#define SETTLE_ZONE 0.2
/* A count bounds where the answer can be only with this many successful
 * trials: one disturbed trial, which a single trial cannot reveal
 * (DISTURBED), would otherwise move the answer up on its own. */
#define BOUND_TRIALS 2
/* Settling measures an undecided count again while its comparison needs
 * its bounds at most this many times narrower, about this squared times
 * its trials; beyond that, two new counts placed to be easier to decide
 * cost less. */
#define SETTLE_PROBE_SHRINK 2.0
/* ... and a trial goes to one side of a comparison alone when it narrows
 * that side's variance more than this many times as much as the other's. */
#define SETTLE_SIDE 1.5
/* A model explaining less than this share of the variance, or off by more
 * than this relative error on average, does not describe the curve. */
#define FIT_MIN_R2 0.90
#define FIT_MAX_RMS 0.10

static const char *const strategy_names[] = { "auto", "exhaustive" };

const char *pt_strategy_name(enum pt_strategy s)
{
	return pt_name_of(strategy_names, PT_COUNT(strategy_names), (unsigned)s);
}

int pt_strategy_parse(const char *name)
{
	return pt_name_index(strategy_names, PT_COUNT(strategy_names), name);
}

void pt_tune_config_init(struct pt_tune_config *c)
{
	memset(c, 0, sizeof(*c));
	c->strategy = PT_STRATEGY_AUTO;
	c->tolerance = 0.05;
	c->repeats = 3;
	pt_trial_config_init(&c->trial);
	/* half a second per trial: thousands of items for millisecond tasks,
	 * and a 16-count tune well under a minute */
	c->trial.duration_s = 0.5;
}

/* ---- statistics per worker count ---------------------------------------- */

void pt_tune_stats_release(struct pt_tune_stats *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->c[i].x);
		free(s->c[i].lx);
		free(s->c[i].p99);
		free(s->c[i].cpu);
	}
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static struct pt_count_stats *count_get(struct pt_tune_stats *s, unsigned workers)
{
	struct pt_count_stats *c;

	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].workers == workers)
			return &s->c[i];
	c = realloc(s->c, (s->n + 1) * sizeof(*c));
	if (!c)
		return NULL;
	s->c = c;
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->workers = workers;
	return c;
}

static int cmp_count(const void *a, const void *b)
{
	const struct pt_count_stats *x = a, *y = b;

	return (x->workers > y->workers) - (x->workers < y->workers);
}

/* Set (*A)[N] = V, growing *A to N + 1 values.  0 or -ENOMEM. */
static int put(double **a, size_t n, double v)
{
	double *x = realloc(*a, (n + 1) * sizeof(*x));

	if (!x)
		return -ENOMEM;
	x[n] = v;
	*a = x;
	return 0;
}

int pt_tune_stats_add(struct pt_tune_stats *s, unsigned workers, int ok, double throughput,
		      double p99_ns, double cpu_util)
{
	struct pt_count_stats *c = count_get(s, workers);

	if (!c)
		return -ENOMEM;
	c->trials++;
	if (!ok || !(throughput > 0))
		return 0;
	if (put(&c->x, c->n, throughput) < 0 || put(&c->lx, c->n, log(throughput)) < 0 ||
	    put(&c->p99, c->n, p99_ns) < 0 || put(&c->cpu, c->n, cpu_util) < 0)
		return -ENOMEM;
	c->n++;
	return 0;
}

/* How much the one-sided bounds of count C's comparison with the best
 * must narrow before it is decided or shown at the margin: the ratio of
 * their half-width to the largest half-width that would do, given where
 * they are centred; at most 1 once decided.  Infinite without bounds. */
static double shrink_needed(const struct pt_tune_stats *s, const struct pt_count_stats *c)
{
	double half = (c->diff_high - c->diff_low) / 2, mid;

	if (!(half >= 0))
		return INFINITY;
	mid = c->diff_low + half;
	/* decided: the bounds clear the margin, so half < |mid - margin|; at
	 * the margin: they lie in the zone */
	return half / fmax(fabs(mid - s->margin), fmin(mid - s->zone_low, s->zone_high - mid));
}

/* Counts with a successful trial below the recommended one that are not
 * shown worse than the tolerance allows (the recommended count is the best
 * or shown non-inferior, by its choice): while there are any, the
 * recommendation is not decided (the confidence object's
 * recommended_decided). */
static size_t undecided(const struct pt_tune_stats *s)
{
	size_t n = 0;

	for (int i = 0; i < s->recommended; i++)
		n += s->c[i].n && s->c[i].decision != PT_INFERIOR;
	return n;
}

/* Where the smallest count within the tolerance (the rule's answer) can be,
 * given S (computed, with an answer) and the candidates CAND (N, sorted; the
 * counts of S when NULL): above the largest count below the recommended one
 * that is shown worse than the tolerance allows or at the margin with at
 * least BOUND_TRIALS successful trials, *BELOW (its index into s->c, -1
 * without one), so from *LOW workers (the next candidate) up to the
 * recommended count.  The curve rises to its peak (the scalability model's
 * shape), so the counts below a count shown worse are worse too. */
static void answer_range(const struct pt_tune_stats *s, const unsigned *cand, size_t n,
			 int *below, unsigned *low)
{
	unsigned wc = 0;

	*below = -1;
	for (int i = s->recommended - 1; i >= 0; i--) {
		const struct pt_count_stats *c = &s->c[i];

		if (c->n >= BOUND_TRIALS && (c->decision == PT_INFERIOR || c->at_margin)) {
			*below = i;
			wc = c->workers;
			break;
		}
	}
	*low = s->c[s->recommended].workers;
	if (cand) {
		for (size_t i = 0; i < n; i++) {
			if (cand[i] > wc) {
				*low = cand[i];
				break;
			}
		}
	} else {
		for (size_t i = 0; i < s->n; i++) {
			if (s->c[i].workers > wc) {
				*low = s->c[i].workers;
				break;
			}
		}
	}
}

int pt_tune_settled(const struct pt_tune_stats *s, const unsigned *cand, size_t n)
{
	unsigned low;
	int below;

	if (s->recommended < 0 || s->df == 0)
		return 0;
	answer_range(s, cand, n, &below, &low);
	return s->c[s->recommended].workers <= low * (1 + s->tolerance);
}

/* The decisions of the summary's confidence object, and whether the
 * recommendation is settled among the counts measured. */
static void decide(struct pt_tune_stats *s)
{
	size_t compared = 0;

	s->optimal_decided = s->recommended_decided = s->settled = 0;
	if (s->best < 0 || s->df == 0)
		return;
	/* the optimum is decided only against counts with a successful trial,
	 * and only when there is at least one such count to decide against */
	s->optimal_decided = 1;
	for (size_t i = 0; i < s->n; i++) {
		if ((int)i == s->best || !s->c[i].n)
			continue;
		compared++;
		if (s->c[i].contender)
			s->optimal_decided = 0;
	}
	if (!compared)
		s->optimal_decided = 0;
	s->recommended_decided = undecided(s) == 0;
	s->settled = pt_tune_settled(s, NULL, 0);
}

/* Leave out of C the trials slowed by something else (DISTURBED). */
static void drop_disturbed(struct pt_count_stats *c)
{
	double least;
	unsigned k = 0;

	if (c->n < DISTURBED_MIN_TRIALS)
		return;
	least = (1 - DISTURBED) * pt_median(c->x, c->n);
	for (unsigned i = 0; i < c->n; i++) {
		if (c->x[i] < least) {
			c->disturbed++;
			continue;
		}
		c->x[k] = c->x[i];
		c->lx[k] = c->lx[i];
		c->p99[k] = c->p99[i];
		c->cpu[k] = c->cpu[i];
		k++;
	}
	c->n = k;
}

/* The standard deviation of log-throughput pooled over the counts from
 * half of A to twice B workers (A <= B or B <= A) into *SD, and its degrees
 * of freedom; the pooled one over every count when those counts have no
 * repeated trial.  Noise differs along the curve (a sleep-bound task varies
 * by 0.3% between trials at 8 workers and by 2% at 512, where its workers
 * contend for the CPUs), so the counts compared borrow the variance of
 * their neighbours rather than of the whole range. */
static unsigned local_pooled(const struct pt_tune_stats *s, unsigned a, unsigned b, double *sd)
{
	double lo = (a < b ? a : b) / 2.0, hi = 2.0 * (a < b ? b : a), sum = 0;
	unsigned df = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct pt_count_stats *c = &s->c[i];

		if (c->n > 1 && c->workers >= lo && c->workers <= hi) {
			sum += c->var_log * (double)(c->n - 1);
			df += c->n - 1;
		}
	}
	if (!df) {
		*sd = s->pooled_sd;
		return s->df;
	}
	*sd = sqrt(sum / df);
	return df;
}

void pt_tune_stats_compute(struct pt_tune_stats *s, double tolerance)
{
	double pooled = 0, margin = log(1 - tolerance);
	unsigned df = 0;

	if (s->n)
		qsort(s->c, s->n, sizeof(*s->c), cmp_count);
	s->best = -1;
	for (size_t i = 0; i < s->n; i++) {
		struct pt_count_stats *c = &s->c[i];

		drop_disturbed(c);
		c->median = pt_median(c->x, c->n);
		c->mean_log = pt_mean(c->lx, c->n);
		c->var_log = pt_variance(c->lx, c->n);
		c->cv = c->n > 1 ? sqrt(pt_variance(c->x, c->n)) / pt_mean(c->x, c->n) : NAN;
		if (c->n > 1) {
			pooled += c->var_log * (double)(c->n - 1);
			df += c->n - 1;
		}
		if (c->n && (s->best < 0 || c->median > s->c[s->best].median))
			s->best = (int)i;
	}
	s->df = df;
	s->pooled_sd = df ? sqrt(pooled / df) : NAN;
	s->margin = margin;
	s->tolerance = tolerance;
	s->zone = SETTLE_ZONE * tolerance;
	s->zone_low = tolerance + s->zone < 1 ? log(1 - tolerance - s->zone) : -INFINITY;
	s->zone_high = log(1 - tolerance + s->zone);
	for (size_t i = 0; i < s->n; i++) {
		struct pt_count_stats *c = &s->c[i];
		double half;

		c->ci_low = c->ci_high = NAN;
		c->diff_low = c->diff_high = NAN;
		c->decision = PT_UNDECIDED;
		c->contender = 0;
		c->at_margin = 0;
		if (c->n == 0)
			continue;
		if (df) {
			half = pt_t_quantile(0.975, df) * s->pooled_sd / sqrt((double)c->n);
			c->ci_low = exp(c->mean_log - half);
			c->ci_high = exp(c->mean_log + half);
		}
		if (s->best < 0 || !df)
			continue;
		const struct pt_count_stats *b = &s->c[s->best];
		double diff = c->mean_log - b->mean_log, sd;
		unsigned dl = local_pooled(s, c->workers, b->workers, &sd);
		double se = sd * sqrt(1.0 / c->n + 1.0 / b->n);
		double t = pt_t_quantile(TEST_LEVEL, dl);

		if ((int)i != s->best && c->n >= OWN_VARIANCE_TRIALS &&
		    b->n >= OWN_VARIANCE_TRIALS) {
			/* Welch: each side's own variance, the degrees of freedom
			 * of Welch-Satterthwaite rounded down */
			double vc = c->var_log / c->n, vb = b->var_log / b->n;
			double dw = (vc + vb) * (vc + vb) /
				    (vc * vc / (c->n - 1) + vb * vb / (b->n - 1));

			if (vc + vb > 0) {
				se = sqrt(vc + vb);
				t = pt_t_quantile(TEST_LEVEL, dw < 1 ? 1 : (unsigned)dw);
			}
		}

		c->diff_low = diff - t * se;
		c->diff_high = diff + t * se;
		if (c->diff_low > margin)
			c->decision = PT_NON_INFERIOR;
		else if (c->diff_high < margin)
			c->decision = PT_INFERIOR;
		else
			c->at_margin = c->diff_low > s->zone_low && c->diff_high < s->zone_high;
		/* could this count be the best?  Its one-sided bound reaches the
		 * best's level. */
		c->contender = (int)i == s->best || c->diff_high >= 0;
	}
	s->recommended = s->best;
	for (size_t i = 0; s->best >= 0 && i < (size_t)s->best; i++) {
		if (s->c[i].decision == PT_NON_INFERIOR) {
			s->recommended = (int)i;
			break;
		}
	}
	decide(s);
}

/* How much one more trial at C narrows its term of a comparison's
 * variance: its own variance when it has enough trials for Welch's test,
 * else the pooled one, over n (n + 1). */
static double gain(const struct pt_tune_stats *s, const struct pt_count_stats *c)
{
	double v = c->n >= OWN_VARIANCE_TRIALS ? c->var_log : s->pooled_sd * s->pooled_sd;

	return v / ((double)c->n * (c->n + 1));
}

/* Is W one of the counts of S? */
static int has_count(const struct pt_tune_stats *s, unsigned w)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].workers == w)
			return 1;
	return 0;
}

/* The candidate strictly between LO and HI workers nearest TARGET that S
 * has not measured; 0 when there is none. */
static unsigned unmeasured_near(const struct pt_tune_stats *s, const unsigned *cand, size_t n,
				unsigned lo, unsigned hi, double target)
{
	unsigned best = 0;

	for (size_t i = 0; i < n; i++) {
		if (cand[i] <= lo || cand[i] >= hi || has_count(s, cand[i]))
			continue;
		if (!best || fabs(cand[i] - target) < fabs(best - target))
			best = cand[i];
	}
	return best;
}

size_t pt_tune_settle_next(const struct pt_tune_stats *s, const unsigned *cand, size_t n,
			   unsigned out[2])
{
	const struct pt_count_stats *c = NULL, *b;
	double f = INFINITY, mid, half, gc, gb;
	unsigned low, wr, wc, lo, hi;
	int below;

	if (s->best < 0)
		return 0;
	b = &s->c[s->best];
	if (s->df == 0) {
		/* no variance yet: the best's second trial gives one */
		out[0] = b->workers;
		return 1;
	}
	if (pt_tune_settled(s, cand, n))
		return 0;
	answer_range(s, cand, n, &below, &low);
	wr = s->c[s->recommended].workers;
	wc = below >= 0 ? s->c[below].workers : 0;
	/* the count in the range nearest a decision (first one shown worse
	 * on too few trials to bound the range) ... */
	for (int i = below + 1; i < s->recommended; i++) {
		double g = shrink_needed(s, &s->c[i]);

		if (s->c[i].n && g < f) {
			c = &s->c[i];
			f = g;
		}
	}
	/* ... unless it needs more than SETTLE_PROBE_SHRINK^2 times its
	 * trials: then two new counts, a tolerance apart in workers around
	 * the middle of the range, so that once the upper one is shown within
	 * the tolerance and the lower one worse, the range is narrow enough */
	if (!c || f > SETTLE_PROBE_SHRINK) {
		mid = sqrt((double)low * wr);
		half = sqrt(1 + s->tolerance);
		lo = cand ? unmeasured_near(s, cand, n, wc, wr, mid / half) : 0;
		hi = cand ? unmeasured_near(s, cand, n, wc, wr, mid * half) : 0;
		if (hi == lo)
			hi = 0;
		if (lo || hi) {
			out[0] = lo ? lo : hi;
			if (lo && hi)
				out[1] = hi;
			return lo && hi ? 2 : 1;
		}
	}
	if (!c)
		return 0;
	/* the variance of the difference is v/n + v_best/n_best: a trial
	 * shrinks a side's term by v / (n (n + 1)), so it goes where that is
	 * clearly the larger; else to both, so that drift between trials
	 * falls on both sides alike */
	gc = gain(s, c);
	gb = gain(s, b);
	if (gc > SETTLE_SIDE * gb || gb > SETTLE_SIDE * gc) {
		out[0] = gc > gb ? c->workers : b->workers;
		return 1;
	}
	out[0] = c->workers < b->workers ? c->workers : b->workers;
	out[1] = c->workers < b->workers ? b->workers : c->workers;
	return 2;
}

/* ---- the summary document ------------------------------------------------ */

static const char *decision_name(enum pt_decision d)
{
	return d == PT_NON_INFERIOR ? "non-inferior" : d == PT_INFERIOR ? "inferior" : "undecided";
}

/* The N per-trial values V of one count combined as the field of metric M
 * says (the CPU utilization field when M < 0); NAN when none is finite. */
static double across_trials(int m, const double *v, size_t n)
{
	const struct pt_field *f = m >= 0 ? pt_metric_field((enum pt_metric)m) :
		pt_field_find("cpu_utilization");
	double *tmp, r;

	if (n == 0)
		return NAN;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return NAN;
	memcpy(tmp, v, n * sizeof(*tmp));
	r = pt_combine(f->trials, tmp, n);
	free(tmp);
	return r;
}

static const char *const end_names[] = {
	NULL, "settled", "complete", "trial_limit", "budget", "interrupted",
};

const char *pt_tune_end_name(enum pt_tune_end e)
{
	return (unsigned)e < PT_COUNT(end_names) ? end_names[e] : NULL;
}

cJSON *pt_tune_summary(struct pt_tune_stats *s, const struct pt_tune_config *c,
		       unsigned max_candidate, unsigned trials, double elapsed,
		       enum pt_tune_end end)
{
	cJSON *o = cJSON_CreateObject(), *a, *w, *m;
	const struct pt_count_stats *b = s->best >= 0 ? &s->c[s->best] : NULL;
	const struct pt_count_stats *r = s->recommended >= 0 ? &s->c[s->recommended] : NULL;
	double ref_x = NAN, ref_n = NAN, *wx = NULL, *xx = NULL;
	size_t np = 0;
	struct pt_usl_model model;
	int fitted = 0;
	unsigned disturbed = 0;

	cJSON_AddStringToObject(o, "strategy", pt_strategy_name(c->strategy));
	pt_json_add_number(o, "tolerance", c->tolerance);
	pt_json_add_number(o, "trials", trials);
	pt_json_add_number(o, "elapsed_s", elapsed);
	cJSON_AddBoolToObject(o, "budget_exhausted", end == PT_TUNE_BUDGET);
	cJSON_AddBoolToObject(o, "interrupted", end == PT_TUNE_INTERRUPTED);
	/* the recommendation is settled when the tune ends with it decided */
	cJSON_AddBoolToObject(o, "settled", end != PT_TUNE_RUNNING && s->settled);
	if (end == PT_TUNE_RUNNING)
		cJSON_AddNullToObject(o, "stopped_by");
	else
		cJSON_AddStringToObject(o, "stopped_by", pt_tune_end_name(end));
	if (b) {
		pt_json_add_number(o, "optimal_workers", b->workers);
		pt_json_add_number(o, "recommended_workers", r->workers);
		pt_json_add_number(o, "best_throughput", b->median);
	} else {
		cJSON_AddNullToObject(o, "optimal_workers");
		cJSON_AddNullToObject(o, "recommended_workers");
		cJSON_AddNullToObject(o, "best_throughput");
	}
	a = cJSON_AddArrayToObject(o, "tested_workers");
	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(s->c[i].workers));
	pt_json_add_number(o, "pooled_log_sd", s->pooled_sd);
	pt_json_add_number(o, "degrees_of_freedom", s->df);

	/* the model, over every successful trial */
	for (size_t i = 0; i < s->n; i++)
		np += s->c[i].n;
	wx = malloc((np + 1) * sizeof(*wx));
	xx = malloc((np + 1) * sizeof(*xx));
	np = 0;
	for (size_t i = 0; wx && xx && i < s->n; i++) {
		for (unsigned k = 0; k < s->c[i].n; k++) {
			wx[np] = s->c[i].workers;
			xx[np++] = s->c[i].x[k];
		}
		if (s->c[i].n && isnan(ref_x)) {
			ref_x = s->c[i].median;
			ref_n = s->c[i].workers;
		}
	}
	/* relative residuals: every count weighs the same, so the small
	 * counts that place the peak are not drowned by the large throughputs
	 * (summary.model.loss says so) */
	fitted = wx && xx && pt_usl_fit(wx, xx, np, PT_USL_RELATIVE, &model) == 0;
	free(wx);
	free(xx);

	a = cJSON_AddArrayToObject(o, "per_count");
	for (size_t i = 0; i < s->n; i++) {
		const struct pt_count_stats *k = &s->c[i];
		/* speedup against the smallest count measured, taken as scaling
		 * linearly up to it (exact when that count is 1) */
		double speedup = k->n ? k->median / (ref_x / ref_n) : NAN;

		w = cJSON_CreateObject();
		pt_json_add_number(w, "workers", k->workers);
		pt_json_add_number(w, "trials", k->trials);
		pt_json_add_number(w, "ok_trials", k->n + k->disturbed);
		pt_json_add_number(w, "disturbed_trials", k->disturbed);
		pt_json_add_number(w, "median", k->n ? k->median : NAN);
		pt_json_add_number(w, "ci_low", k->ci_low);
		pt_json_add_number(w, "ci_high", k->ci_high);
		/* one trial has no spread of its own: its interval is the
		 * other counts' pooled variance alone */
		cJSON_AddBoolToObject(w, "ci_from_other_counts", k->n == 1 && isfinite(k->ci_low));
		pt_json_add_number(w, "cv", k->cv);
		pt_json_add_number(w, "speedup", speedup);
		pt_json_add_number(w, "efficiency", speedup / k->workers);
		/* without a 1-worker measurement, the base is extrapolated */
		cJSON_AddBoolToObject(w, "speedup_estimated", isfinite(speedup) && ref_n != 1);
		/* across trials as every report combines them (the field table) */
		pt_json_add_number(w, "p99_ns", across_trials(PT_METRIC_P99, k->p99, k->n));
		pt_json_add_number(w, "cpu_utilization",
				   across_trials(-1, k->cpu, k->n));
		pt_json_add_number(w, "ratio_to_best", b && k->n ? exp(k->mean_log - b->mean_log) : NAN);
		cJSON_AddStringToObject(w, "versus_best", (int)i == s->best ? "best" :
					decision_name(k->decision));
		pt_json_add_number(w, "model", fitted ? pt_usl_predict(&model, k->workers) : NAN);
		cJSON_AddItemToArray(a, w);
	}

	m = cJSON_AddObjectToObject(o, "model");
	cJSON_AddBoolToObject(m, "fitted", fitted);
	if (fitted) {
		pt_usl_model_json(m, &model);
		cJSON_AddStringToObject(m, "bound", pt_usl_bound(&model, max_candidate));
	}

	m = cJSON_AddObjectToObject(o, "confidence");
	cJSON_AddBoolToObject(m, "optimal_decided", s->optimal_decided);
	cJSON_AddBoolToObject(m, "recommended_decided", s->recommended_decided);
	a = cJSON_AddArrayToObject(m, "tied_with_optimal");
	for (size_t i = 0; i < s->n; i++)
		if ((int)i != s->best && s->c[i].n && s->c[i].contender)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(s->c[i].workers));
	pt_json_add_number(m, "margin_zone", s->zone);
	a = cJSON_AddArrayToObject(m, "at_margin");
	for (size_t i = 0; i < s->n; i++)
		if ((int)i < s->recommended && s->c[i].at_margin)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(s->c[i].workers));
	a = cJSON_AddArrayToObject(m, "not_compared");
	for (size_t i = 0; i < s->n; i++)
		if (!s->c[i].n)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(s->c[i].workers));

	a = cJSON_AddArrayToObject(o, "warnings");
	if (b && b->workers == max_candidate && s->n > 1)
		cJSON_AddItemToArray(a, cJSON_CreateString(
			"still scaling: the best count is the largest tested; try a larger --max"));
	for (size_t i = 0; i < s->n; i++) {
		if (s->c[i].cv > NOISY_CV) {
			char buf[160];

			snprintf(buf, sizeof(buf), "noisy: throughput at %u workers varies by "
				 "%.0f%% (CV) between trials; use longer --duration",
				 s->c[i].workers, 100 * s->c[i].cv);
			cJSON_AddItemToArray(a, cJSON_CreateString(buf));
		}
	}
	if (fitted && (model.r2 < FIT_MIN_R2 || model.rms_relative_error > FIT_MAX_RMS)) {
		const char *causes = s->smt && s->numa ? " (SMT siblings, NUMA nodes)" :
			s->smt ? " (SMT siblings)" : s->numa ? " (NUMA nodes)" : "";
		char buf[200];

		snprintf(buf, sizeof(buf), "the scalability model fits badly (R2 %.2f, "
			 "%.0f%% rms error): the curve may have steps%s that the model does "
			 "not describe", model.r2, 100 * model.rms_relative_error, causes);
		cJSON_AddItemToArray(a, cJSON_CreateString(buf));
	}
	for (size_t i = 0; i < s->n; i++)
		disturbed += s->c[i].disturbed;
	if (disturbed) {
		char buf[200];

		snprintf(buf, sizeof(buf), "disturbed: %u trial%s ran more than %.0f%% below the "
			 "median of %s count and %s left out (other load on the machine?)",
			 disturbed, disturbed == 1 ? "" : "s", 100 * DISTURBED,
			 disturbed == 1 ? "its" : "their", disturbed == 1 ? "is" : "are");
		cJSON_AddItemToArray(a, cJSON_CreateString(buf));
	}
	if (end == PT_TUNE_BUDGET && b)
		cJSON_AddItemToArray(a, cJSON_CreateString(
			"the --budget ran out: the answer is the best so far"));
	return o;
}

/* ---- the search ------------------------------------------------------------ */

struct tuner {
	pt_module *m;
	const pt_topology *t;
	const struct pt_tune_config *c;
	pt_results *r;
	unsigned *cand;        /* sorted candidate counts */
	size_t ncand;
	uint64_t rng;
	uint64_t t0;
	unsigned trials;
	double trial_s_sum;    /* for the time estimate */
	int budget_hit, stopped;
	enum pt_tune_end end;  /* PT_TUNE_RUNNING until the tune ends */
	unsigned settle_trials; /* auto: trials run to settle the recommendation */
	struct pt_tune_stats s;
};

static double elapsed(const struct tuner *tu)
{
	return (double)(pt_now_ns() - tu->t0) / 1e9;
}

/* Say in SUMMARY why the tune of R has no answer: no trial finished before
 * the budget ran out, or none succeeded (with how many ended in each
 * status). */
static void no_answer(cJSON *summary, const pt_results *r, int budget_hit)
{
	size_t n = pt_results_trial_count(r), seen[PT_STATUS_EXITED + 1] = { 0 };
	struct pt_strbuf b = PT_STRBUF_INIT;
	const char *sep = "";

	if (n == 0) {
		cJSON_AddStringToObject(summary, "no_answer", budget_hit ?
					"the --budget ran out before any trial finished" :
					"no trial was run");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		enum pt_status st = pt_trial_stats(pt_results_trial(r, i))->status;

		if ((size_t)st < sizeof(seen) / sizeof(seen[0]))
			seen[st]++;
	}
	pt_strbuf_addf(&b, "no trial succeeded (");
	for (size_t k = 0; k < sizeof(seen) / sizeof(seen[0]); k++) {
		if (seen[k]) {
			pt_strbuf_addf(&b, "%s%zu %s", sep, seen[k], pt_status_name((enum pt_status)k));
			sep = ", ";
		}
	}
	pt_strbuf_addf(&b, ")");
	cJSON_AddStringToObject(summary, "no_answer", b.s && !b.failed ? b.s : "no trial succeeded");
	pt_strbuf_release(&b);
}

/* Refresh the statistics and the document's summary from every trial. */
static void refresh(struct tuner *tu)
{
	cJSON *summary;

	pt_tune_stats_release(&tu->s);
	for (size_t i = 0; i < pt_results_trial_count(tu->r); i++) {
		const struct pt_trial_stats *st = pt_trial_stats(pt_results_trial(tu->r, i));

		/* the answer is the rate of items that succeeded */
		pt_tune_stats_add(&tu->s, st->workers, st->status == PT_STATUS_OK, st->goodput,
				  st->latency.count > 0 ? st->latency.p99 : NAN,
				  st->wall_s > 0 ? (st->cpu_user_s + st->cpu_sys_s) /
				  (st->wall_s * st->workers) : NAN);
	}
	pt_tune_stats_compute(&tu->s, tu->c->tolerance);
	tu->s.settled = pt_tune_settled(&tu->s, tu->cand, tu->ncand);
	summary = pt_tune_summary(&tu->s, tu->c, tu->cand[tu->ncand - 1], tu->trials, elapsed(tu),
				  tu->end);
	if (summary && tu->s.best < 0)
		no_answer(summary, tu->r, tu->budget_hit);
	pt_results_set_summary(tu->r, summary);
}

static struct pt_count_stats *stats_of(struct tuner *tu, unsigned workers)
{
	for (size_t i = 0; i < tu->s.n; i++)
		if (tu->s.c[i].workers == workers)
			return &tu->s.c[i];
	return NULL;
}

static unsigned trials_at(struct tuner *tu, unsigned workers)
{
	const struct pt_count_stats *c = stats_of(tu, workers);

	return c ? c->trials : 0;
}

static size_t open_counts(struct tuner *tu, unsigned *out);

/* Trials still to settle the recommendation: the next step's, within what
 * the settling may still use (how many steps it takes depends on what the
 * trials show). */
static double settle_estimate(struct tuner *tu)
{
	unsigned next[2];
	double left = (double)tu->trials - 2.0 * tu->settle_trials;
	size_t n = pt_tune_settle_next(&tu->s, tu->cand, tu->ncand, next);

	return fmin((double)n, left);
}

/* Trials still to run: exact for an exhaustive tune; for auto, the open
 * counts plus a bisection's worth of probes among the unmeasured ones, or
 * once settling, its estimate. */
static double estimate_remaining(struct tuner *tu)
{
	size_t unmeasured = 0, open;
	unsigned *set;

	if (tu->c->strategy == PT_STRATEGY_EXHAUSTIVE || tu->ncand == 1)
		return (double)(tu->ncand * tu->c->repeats) - tu->trials;
	if (tu->settle_trials)
		return settle_estimate(tu);
	for (size_t i = 0; i < tu->ncand; i++)
		unmeasured += stats_of(tu, tu->cand[i]) == NULL;
	set = malloc((tu->ncand + 1) * sizeof(*set));
	open = set ? open_counts(tu, set) : 0;
	free(set);
	return (double)open + (unmeasured ? 2 * log2((double)unmeasured + 1) : 0);
}

/* Run one trial at WORKERS.  0, or -EINTR when the tune must stop. */
static int measure(struct tuner *tu, unsigned workers)
{
	struct pt_trial_config tc = tu->c->trial;
	struct pt_tune_progress p;
	double mean_trial = tu->trials ? tu->trial_s_sum / tu->trials : tc.duration_s + tc.warmup_s;
	uint64_t start = pt_now_ns();
	pt_trial *tr;

	if (tu->stopped || pt_interrupted())
		return -EINTR;
	if (tu->c->budget_s > 0 && elapsed(tu) + mean_trial > tu->c->budget_s) {
		tu->budget_hit = 1;
		return -EINTR;
	}
	tc.workers = workers;
	tc.repeat = trials_at(tu, workers);
	tr = pt_trial_run(tu->m, tu->t, &tc);
	if (!tr)
		return -errno;
	pt_results_add_trial(tu->r, tr);
	tu->trials++;
	tu->trial_s_sum += (double)(pt_now_ns() - start) / 1e9;
	if (pt_interrupted())
		tu->stopped = 1;
	refresh(tu);
	if (tu->c->on_trial) {
		memset(&p, 0, sizeof(p));
		p.trials = tu->trials;
		p.workers = workers;
		p.elapsed_s = elapsed(tu);
		p.eta_s = estimate_remaining(tu) * (tu->trial_s_sum / tu->trials);
		if (tu->c->budget_s > 0 && p.eta_s > tu->c->budget_s - p.elapsed_s)
			p.eta_s = tu->c->budget_s - p.elapsed_s;
		if (tu->s.best >= 0) {
			p.best_workers = tu->s.c[tu->s.best].workers;
			p.best_throughput = tu->s.c[tu->s.best].median;
		}
		if (tu->c->on_trial(tu->c->arg, tu->r, &p))
			tu->stopped = 1;
	}
	return tu->stopped ? -EINTR : 0;
}

/* Measure every count of SET once, in random order. */
static int measure_set(struct tuner *tu, unsigned *set, size_t n)
{
	pt_shuffle(set, n, &tu->rng);
	for (size_t i = 0; i < n; i++) {
		int ret = measure(tu, set[i]);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int exhaustive(struct tuner *tu)
{
	size_t n = tu->ncand * tu->c->repeats;
	unsigned *order = malloc(n * sizeof(*order));
	int ret;

	if (!order)
		return pt_fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		order[i] = tu->cand[i % tu->ncand];
	ret = measure_set(tu, order, n);
	free(order);
	return ret;
}

static int measured(struct tuner *tu, unsigned w)
{
	return trials_at(tu, w) > 0;
}

/* Index of candidate W. */
static size_t cand_index(const struct tuner *tu, unsigned w)
{
	for (size_t i = 0; i < tu->ncand; i++)
		if (tu->cand[i] == w)
			return i;
	return 0;
}

/* The unmeasured candidate strictly between LO and HI (indexes) closest to
 * the value TARGET; 0 when there is none. */
static unsigned probe_between(struct tuner *tu, size_t lo, size_t hi, double target)
{
	unsigned best = 0;
	double dist = INFINITY;

	for (size_t i = lo + 1; i < hi; i++) {
		double d = fabs((double)tu->cand[i] - target);

		if (!measured(tu, tu->cand[i]) && d < dist) {
			dist = d;
			best = tu->cand[i];
		}
	}
	return best;
}

/* Measured neighbours of candidate index I: the closest measured candidate
 * below and above (or the ends of the list). */
static void neighbours(struct tuner *tu, size_t i, size_t *lo, size_t *hi)
{
	*lo = i;
	while (*lo > 0 && !measured(tu, tu->cand[*lo - 1]))
		(*lo)--;
	if (*lo > 0)
		(*lo)--;
	else
		*lo = (size_t)-1;
	*hi = i + 1;
	while (*hi < tu->ncand && !measured(tu, tu->cand[*hi]))
		(*hi)++;
}

/* The model's peak, when the model describes the curve and promises there
 * more than the tolerance above what it predicts at the best count (so that
 * its bias at the top cancels); NAN otherwise.
 * The measured count nearest the peak must agree with the model within the
 * tolerance: a curve that rises and then stays flat is fitted with a peak
 * above its plateau, which the first count measured there refutes. */
static double promising_peak(struct tuner *tu)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(pt_results_summary(tu->r), "model");
	const struct pt_count_stats *near = NULL;
	struct pt_usl_model u;
	double tol = tu->c->tolerance;

	memset(&u, 0, sizeof(u));
	u.lambda = pt_json_num(m, "lambda");
	u.sigma = pt_json_num(m, "sigma");
	u.kappa = pt_json_num(m, "kappa");
	u.peak_workers = pt_json_num(m, "peak_workers");
	/* a model that does not describe the curve (the summary's warning)
	 * promises nothing */
	if (tu->s.best < 0 || !isfinite(u.peak_workers) || !(pt_json_num(m, "r2") >= FIT_MIN_R2) ||
	    !(pt_usl_predict(&u, u.peak_workers) >
	      pt_usl_predict(&u, tu->s.c[tu->s.best].workers) * (1 + tol)))
		return NAN;
	for (size_t i = 0; i < tu->s.n; i++) {
		const struct pt_count_stats *c = &tu->s.c[i];

		if (c->n && (!near || fabs((double)c->workers - u.peak_workers) <
			     fabs((double)near->workers - u.peak_workers)))
			near = c;
	}
	if (near && fabs(pt_usl_predict(&u, near->workers) / near->median - 1) > tol)
		return NAN;
	return u.peak_workers;
}

/* Is a count between LO and HI workers worth measuring to find a better
 * one than the best: are they more than the tolerance apart, and could a
 * count between beat the best median by more than the settle zone, when C
 * is the count at LO?  Throughput per worker does not grow with the
 * workers (the scalability model's assumption: sigma and kappa are not
 * negative), so nothing between LO and HI exceeds C's median times HI / LO;
 * without a successful trial at C, nothing bounds it. */
static int may_beat(struct tuner *tu, const struct pt_count_stats *c, unsigned lo, unsigned hi)
{
	/* counts less than the tolerance apart are as close as the
	 * recommendation is looked for (next_rec_probe) */
	if (hi <= lo * (1 + tu->c->tolerance))
		return 0;
	return !c->n || c->median * hi / lo > tu->s.c[tu->s.best].median * (1 + tu->s.zone);
}

/* Next count to explore around the optimum: between the best measured
 * count and a measured neighbour, on a side where the neighbour is shown
 * worse than the tolerance allows (so a peak may hide between them) or
 * where the model puts a promising peak, and where a count could beat the
 * best by more than the settle zone; nearest the model's peak, else by
 * bisection.  0 when nothing is left.  A neighbour only a little below the
 * best (on a plateau, by noise) opens nothing: the model's peak is what
 * says a curve rises between two such counts. */
static unsigned next_peak_probe(struct tuner *tu)
{
	double peak = promising_peak(tu);
	size_t b, lo, hi;
	unsigned left = 0, right = 0, wb;
	int left_open, right_open;
	const struct pt_count_stats *nl = NULL, *nh = NULL;

	if (tu->s.best < 0)
		return 0;
	wb = tu->s.c[tu->s.best].workers;
	b = cand_index(tu, wb);
	neighbours(tu, b, &lo, &hi);
	if (lo != (size_t)-1)
		nl = stats_of(tu, tu->cand[lo]);
	if (hi < tu->ncand)
		nh = stats_of(tu, tu->cand[hi]);
	left_open = nl && (nl->decision == PT_INFERIOR ||
			   (peak > tu->cand[lo] && peak < wb)) &&
		    may_beat(tu, nl, tu->cand[lo], wb);
	right_open = nh && (nh->decision == PT_INFERIOR ||
			    (peak > wb && peak < tu->cand[hi])) &&
		     may_beat(tu, &tu->s.c[tu->s.best], wb, tu->cand[hi]);
	if (left_open)
		left = probe_between(tu, lo, b, peak > tu->cand[lo] && peak < wb ?
				     peak : (tu->cand[lo] + wb) / 2.0);
	if (right_open)
		right = probe_between(tu, b, hi, peak > wb && peak < tu->cand[hi] ?
				      peak : (wb + tu->cand[hi]) / 2.0);
	if (left && right) {
		/* both sides open: the model's side first, else the wider */
		if (peak > wb && peak < tu->cand[hi])
			return right;
		if (peak > tu->cand[lo] && peak < wb)
			return left;
		return tu->cand[hi] - wb > wb - tu->cand[lo] ? right : left;
	}
	return left ? left : right;
}

/* The most trials racing gives a count: --repeat, and at least 2. */
static unsigned race_trials(const struct tuner *tu)
{
	return tu->c->repeats < 2 ? 2 : tu->c->repeats;
}

/* Next count to explore for the recommendation: between the recommended
 * count and the closest measured count below it, by bisection, while they
 * are more than the tolerance apart. */
static unsigned next_rec_probe(struct tuner *tu)
{
	const struct pt_count_stats *c;
	size_t r, lo, hi;

	if (tu->s.recommended < 0)
		return 0;
	r = cand_index(tu, tu->s.c[tu->s.recommended].workers);
	neighbours(tu, r, &lo, &hi);
	if (lo == (size_t)-1)
		return probe_between(tu, (size_t)-1, r, (tu->cand[0] + tu->cand[r]) / 2.0);
	/* counts less than the tolerance apart: a count between would save
	 * fewer workers than that */
	if (tu->cand[r] <= tu->cand[lo] * (1 + tu->c->tolerance))
		return 0;
	/* a neighbour not yet shown worse may still be recommended itself:
	 * racing gives it its trials first, so that noise there does not walk
	 * the bisection up to the recommended count */
	c = stats_of(tu, tu->cand[lo]);
	if (c && c->n && c->decision != PT_INFERIOR && c->trials < race_trials(tu))
		return 0;
	return probe_between(tu, lo, r, (tu->cand[lo] + tu->cand[r]) / 2.0);
}

/* Counts whose decision is still open and that may run another trial: the
 * best and the recommended count, the counts that could still be the best
 * when the best is what is recommended, and the undecided count just below
 * the recommended one.  (On a plateau many counts are tied with the best;
 * which of them is highest does not move the recommendation.) */
static size_t open_counts(struct tuner *tu, unsigned *out)
{
	struct pt_tune_stats *s = &tu->s;
	unsigned max = race_trials(tu);
	size_t n = 0;
	int rec = s->recommended, best = s->best;

	if (best < 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct pt_count_stats *c = &s->c[i];
		int open = 0;

		if (c->trials >= max || c->n == 0)
			continue;
		/* without two trials somewhere the variance is unknown: the
		 * counts that decide the answer get a second one */
		if (s->df == 0)
			open = (int)i == best || (int)i == rec;
		else if ((int)i == best)
			open = 1;
		else if (c->contender && rec == best)
			open = 1;              /* could still be the best, and so
			                        * the recommendation */
		else if ((int)i == rec && c->decision != PT_NON_INFERIOR)
			open = 1;              /* recommended, not yet shown good enough */
		else if ((int)i < rec && (int)i >= rec - 1 && c->decision == PT_UNDECIDED)
			open = 1;              /* just below the recommendation, undecided */
		if (open)
			out[n++] = c->workers;
	}
	/* the best only needs more trials while something is open against it */
	if (n == 1 && out[0] == s->c[best].workers && s->df > 0)
		n = 0;
	return n;
}

static int tune_auto(struct tuner *tu)
{
	unsigned *set = malloc((tu->ncand + 2) * sizeof(*set));
	size_t n = 0;
	int ret = 0;

	if (!set)
		return pt_fail(ENOMEM, "out of memory");
	/* bracket: the ends and geometric steps between them */
	for (double v = tu->cand[0]; v < tu->cand[tu->ncand - 1]; v *= 2) {
		size_t i = 0;

		while (i + 1 < tu->ncand && tu->cand[i] < v)
			i++;
		if (n == 0 || set[n - 1] != tu->cand[i])
			set[n++] = tu->cand[i];
	}
	if (n == 0 || set[n - 1] != tu->cand[tu->ncand - 1])
		set[n++] = tu->cand[tu->ncand - 1];
	ret = measure_set(tu, set, n);
	/* alternate probing and racing until nothing is left open; probing
	 * needs a variance estimate, so the deciding counts repeat first;
	 * then settle the recommendation */
	while (ret == 0) {
		unsigned w = 0;

		if (tu->s.df == 0) {
			n = open_counts(tu, set);
			if (n == 0)
				break;
			ret = measure_set(tu, set, n);
			continue;
		}
		w = next_peak_probe(tu);
		if (!w)
			w = next_rec_probe(tu);
		if (w) {
			ret = measure(tu, w);
			continue;
		}
		n = open_counts(tu, set);
		if (n) {
			ret = measure_set(tu, set, n);
			continue;
		}
		n = pt_tune_settle_next(&tu->s, tu->cand, tu->ncand, set);
		if (n == 0)
			break;
		/* settling may take as many trials as the search did, so it
		 * at most doubles the tune: the comparisons it cannot decide by
		 * then are too close to the margin to be worth more */
		if (tu->settle_trials + n > tu->trials - tu->settle_trials) {
			tu->end = PT_TUNE_TRIAL_LIMIT;
			break;
		}
		tu->settle_trials += (unsigned)n;
		ret = measure_set(tu, set, n);
	}
	if (ret == 0 && tu->end == PT_TUNE_RUNNING)
		tu->end = tu->s.settled ? PT_TUNE_SETTLED : PT_TUNE_COMPLETE;
	free(set);
	return ret;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

int pt_tune(pt_module *m, const pt_topology *t, const struct pt_tune_config *c, pt_results *r)
{
	struct tuner tu;
	pt_topology *own = NULL;
	unsigned lo = c->min_workers, hi = c->max_workers;
	int ret;

	if (!(c->tolerance > 0 && c->tolerance < 1))
		return pt_fail(EINVAL, "the tolerance must be between 0 and 100%%");
	if (c->repeats == 0)
		return pt_fail(EINVAL, "at least 1 repeat per count is needed");
	memset(&tu, 0, sizeof(tu));
	if (!t) {
		own = pt_topology_new(NULL);
		if (!own)
			return -errno;
		t = own;
	}
	{
		struct pt_topology_counts tc;

		pt_topology_counts(t, &tc);
		tu.s.smt = tc.pus > tc.cores;
		tu.s.numa = tc.numa_nodes > 1;
	}
	if (c->nlist) {
		tu.cand = malloc(c->nlist * sizeof(*tu.cand));
		if (!tu.cand) {
			ret = pt_fail(ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < c->nlist; i++) {
			if (c->list[i] == 0) {
				ret = pt_fail(EINVAL, "worker counts must be positive");
				goto out;
			}
			tu.cand[i] = c->list[i];
		}
		qsort(tu.cand, c->nlist, sizeof(*tu.cand), cmp_unsigned);
		for (size_t i = 0; i < c->nlist; i++)
			if (tu.ncand == 0 || tu.cand[tu.ncand - 1] != tu.cand[i])
				tu.cand[tu.ncand++] = tu.cand[i];
	} else {
		if (lo == 0)
			lo = 1;
		if (hi == 0)
			hi = pt_topology_allowed_pus(t);
		if (hi < lo) {
			ret = pt_fail(EINVAL, "--min %u is larger than --max %u", lo, hi);
			goto out;
		}
		tu.cand = malloc((hi - lo + 1) * sizeof(*tu.cand));
		if (!tu.cand) {
			ret = pt_fail(ENOMEM, "out of memory");
			goto out;
		}
		for (unsigned w = lo; w <= hi; w++)
			tu.cand[tu.ncand++] = w;
	}
	tu.m = m;
	tu.t = t;
	tu.c = c;
	tu.r = r;
	tu.rng = c->seed ? c->seed : (uint64_t)time(NULL) ^ pt_now_ns();
	tu.t0 = pt_now_ns();
	refresh(&tu);
	if (tu.ncand == 1 || c->strategy == PT_STRATEGY_EXHAUSTIVE)
		ret = exhaustive(&tu);
	else
		ret = tune_auto(&tu);
	if (ret == -EINTR && !tu.stopped && !pt_interrupted())
		ret = 0; /* the budget ran out: a normal end */
	if (ret == -EINTR)
		tu.stopped = 1;
	if (tu.stopped || ret < 0)
		tu.end = PT_TUNE_INTERRUPTED;
	else if (tu.budget_hit)
		tu.end = PT_TUNE_BUDGET;
	else if (tu.end == PT_TUNE_RUNNING)
		tu.end = PT_TUNE_COMPLETE;
	refresh(&tu);
out:
	pt_tune_stats_release(&tu.s);
	free(tu.cand);
	pt_topology_free(own);
	return ret;
}

int pt_results_tune_answer(const pt_results *r, struct pt_tune_answer *out)
{
	const cJSON *s = pt_results_summary(r);
	double o = pt_json_num(s, "optimal_workers"), rec = pt_json_num(s, "recommended_workers");

	if (isnan(o) || isnan(rec))
		return -ENOENT;
	out->optimal_workers = (unsigned)o;
	out->recommended_workers = (unsigned)rec;
	out->best_throughput = pt_json_num_or(s, "best_throughput", 0);
	out->trials = (unsigned)pt_json_num(s, "trials");
	out->elapsed_s = pt_json_num(s, "elapsed_s");
	return 0;
}
