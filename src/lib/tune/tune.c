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

void pt_tune_stats_compute(struct pt_tune_stats *s, double tolerance)
{
	double pooled = 0, margin = log(1 - tolerance);
	unsigned df = 0;

	if (s->n)
		qsort(s->c, s->n, sizeof(*s->c), cmp_count);
	s->best = -1;
	for (size_t i = 0; i < s->n; i++) {
		struct pt_count_stats *c = &s->c[i];

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
	for (size_t i = 0; i < s->n; i++) {
		struct pt_count_stats *c = &s->c[i];
		double half;

		c->ci_low = c->ci_high = NAN;
		c->decision = PT_UNDECIDED;
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
		double diff = c->mean_log - b->mean_log;
		double se = s->pooled_sd * sqrt(1.0 / c->n + 1.0 / b->n);
		double t = pt_t_quantile(TEST_LEVEL, df);

		c->diff_low = diff - t * se;
		c->diff_high = diff + t * se;
		if (c->diff_low > margin)
			c->decision = PT_NON_INFERIOR;
		else if (c->diff_high < margin)
			c->decision = PT_INFERIOR;
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

cJSON *pt_tune_summary(struct pt_tune_stats *s, const struct pt_tune_config *c,
		       unsigned max_candidate, unsigned trials, double elapsed, int budget_hit,
		       int interrupted)
{
	cJSON *o = cJSON_CreateObject(), *a, *w, *m;
	const struct pt_count_stats *b = s->best >= 0 ? &s->c[s->best] : NULL;
	const struct pt_count_stats *r = s->recommended >= 0 ? &s->c[s->recommended] : NULL;
	double ref_x = NAN, ref_n = NAN, *wx = NULL, *xx = NULL;
	size_t np = 0;
	struct pt_usl_model model;
	int fitted = 0, optimal_decided = b != NULL, rec_decided = r != NULL;
	size_t compared = 0;

	cJSON_AddStringToObject(o, "strategy", pt_strategy_name(c->strategy));
	pt_json_add_number(o, "tolerance", c->tolerance);
	pt_json_add_number(o, "trials", trials);
	pt_json_add_number(o, "elapsed_s", elapsed);
	cJSON_AddBoolToObject(o, "budget_exhausted", budget_hit);
	cJSON_AddBoolToObject(o, "interrupted", interrupted);
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
		pt_json_add_number(w, "ok_trials", k->n);
		pt_json_add_number(w, "median", k->n ? k->median : NAN);
		pt_json_add_number(w, "ci_low", k->ci_low);
		pt_json_add_number(w, "ci_high", k->ci_high);
		pt_json_add_number(w, "cv", k->cv);
		pt_json_add_number(w, "speedup", speedup);
		pt_json_add_number(w, "efficiency", speedup / k->workers);
		/* across trials as every report combines them (the field table) */
		pt_json_add_number(w, "p99_ns", across_trials(PT_METRIC_P99, k->p99, k->n));
		pt_json_add_number(w, "cpu_utilization",
				   across_trials(-1, k->cpu, k->n));
		pt_json_add_number(w, "ratio_to_best", b && k->n ? exp(k->mean_log - b->mean_log) : NAN);
		cJSON_AddStringToObject(w, "versus_best", (int)i == s->best ? "best" :
					decision_name(k->decision));
		pt_json_add_number(w, "model", fitted ? pt_usl_predict(&model, k->workers) : NAN);
		cJSON_AddItemToArray(a, w);
		if ((int)i != s->best && k->n && k->contender)
			optimal_decided = 0;
		if ((int)i < s->recommended && k->n && k->decision != PT_INFERIOR)
			rec_decided = 0;
	}
	if (r && s->recommended != s->best && r->decision != PT_NON_INFERIOR)
		rec_decided = 0;

	m = cJSON_AddObjectToObject(o, "model");
	cJSON_AddBoolToObject(m, "fitted", fitted);
	if (fitted) {
		pt_usl_model_json(m, &model);
		cJSON_AddStringToObject(m, "bound", pt_usl_bound(&model, max_candidate));
	}

	/* the optimum is decided only against counts with a successful trial,
	 * and only when there is at least one such count to decide against */
	for (size_t i = 0; i < s->n; i++)
		if ((int)i != s->best && s->c[i].n)
			compared++;
	if (!compared)
		optimal_decided = 0;
	m = cJSON_AddObjectToObject(o, "confidence");
	cJSON_AddBoolToObject(m, "optimal_decided", optimal_decided && s->df > 0);
	cJSON_AddBoolToObject(m, "recommended_decided", rec_decided && s->df > 0);
	a = cJSON_AddArrayToObject(m, "tied_with_optimal");
	for (size_t i = 0; i < s->n; i++)
		if ((int)i != s->best && s->c[i].n && s->c[i].contender)
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
	if (budget_hit && b)
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

		pt_tune_stats_add(&tu->s, st->workers, st->status == PT_STATUS_OK, st->throughput,
				  st->latency.count > 0 ? st->latency.p99 : NAN,
				  st->wall_s > 0 ? (st->cpu_user_s + st->cpu_sys_s) /
				  (st->wall_s * st->workers) : NAN);
	}
	pt_tune_stats_compute(&tu->s, tu->c->tolerance);
	summary = pt_tune_summary(&tu->s, tu->c, tu->cand[tu->ncand - 1], tu->trials, elapsed(tu),
				  tu->budget_hit, tu->stopped);
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

/* Trials still to run: exact for an exhaustive tune; for auto, the open
 * counts plus a bisection's worth of probes among the unmeasured ones. */
static double estimate_remaining(struct tuner *tu)
{
	size_t unmeasured = 0, open;
	unsigned *set;

	if (tu->c->strategy == PT_STRATEGY_EXHAUSTIVE || tu->ncand == 1)
		return (double)(tu->ncand * tu->c->repeats) - tu->trials;
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

/* Next count to explore around the optimum: between the best measured
 * count and a measured neighbour, on a side where the neighbour is shown
 * worse (so a peak may hide between them) or where the model puts the peak;
 * nearest the model's peak, else by bisection.  0 when nothing is left. */
static unsigned next_peak_probe(struct tuner *tu)
{
	double peak = pt_json_num(cJSON_GetObjectItemCaseSensitive(pt_results_summary(tu->r),
								   "model"), "peak_workers");
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
	left_open = nl && (!nl->contender ||
			   (peak > tu->cand[lo] && peak < wb));
	right_open = nh && (!nh->contender ||
			    (peak > wb && peak < tu->cand[hi]));
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

/* Next count to explore for the recommendation: between the recommended
 * count and the closest measured count below it, by bisection. */
static unsigned next_rec_probe(struct tuner *tu)
{
	size_t r, lo, hi;

	if (tu->s.recommended < 0)
		return 0;
	r = cand_index(tu, tu->s.c[tu->s.recommended].workers);
	neighbours(tu, r, &lo, &hi);
	if (lo == (size_t)-1)
		return probe_between(tu, (size_t)-1, r, (tu->cand[0] + tu->cand[r]) / 2.0);
	return probe_between(tu, lo, r, (tu->cand[lo] + tu->cand[r]) / 2.0);
}

/* Counts whose decision is still open and that may run another trial. */
static size_t open_counts(struct tuner *tu, unsigned *out)
{
	struct pt_tune_stats *s = &tu->s;
	unsigned max = tu->c->repeats < 2 ? 2 : tu->c->repeats;
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
		else if (c->contender)
			open = 1;              /* could still be the best */
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
	 * needs a variance estimate, so the deciding counts repeat first */
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
		if (n == 0)
			break;
		ret = measure_set(tu, set, n);
	}
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
