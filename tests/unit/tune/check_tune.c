/* check_tune.c - the tuner's decisions: intervals, non-inferiority, settling, failed trials, trial order */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"
#include "stats/stats.h"
#include "tune/tune.h"

/* Statistics of three counts from fixed throughputs. */
static void stats_of(struct pt_tune_stats *s, const double x[3][3], unsigned reps)
{
	memset(s, 0, sizeof(*s));
	for (unsigned w = 1; w <= 3; w++)
		for (unsigned r = 0; r < reps; r++)
			ck_assert_int_eq(pt_tune_stats_add(s, w, 1, x[w - 1][r], 1000.0 * w, 0.5), 0);
	pt_tune_stats_compute(s, 0.05);
}

START_TEST(test_interval)
{
	static const double x[3][3] = {
		{ 50, 51, 49 }, { 99, 100, 98 }, { 100, 101, 99 },
	};
	struct pt_tune_stats s;
	double pooled = 0, lx[3], t, mean;
	unsigned df = 0;

	stats_of(&s, x, 3);
	ck_assert_uint_eq(s.n, 3);
	/* pooled variance of the logarithms, computed here independently */
	for (unsigned w = 0; w < 3; w++) {
		for (unsigned r = 0; r < 3; r++)
			lx[r] = log(x[w][r]);
		pooled += pt_variance(lx, 3) * 2;
		df += 2;
	}
	ck_assert_uint_eq(s.df, df);
	ck_assert(close_rel(s.pooled_sd, sqrt(pooled / df), 1e-12));
	t = pt_t_quantile(0.975, df);
	for (unsigned w = 0; w < 3; w++) {
		for (unsigned r = 0; r < 3; r++)
			lx[r] = log(x[w][r]);
		mean = pt_mean(lx, 3);
		ck_assert(close_rel(s.c[w].ci_low, exp(mean - t * s.pooled_sd / sqrt(3)), 1e-12));
		ck_assert(close_rel(s.c[w].ci_high, exp(mean + t * s.pooled_sd / sqrt(3)), 1e-12));
		ck_assert(s.c[w].ci_low < s.c[w].median && s.c[w].median < s.c[w].ci_high);
	}
	ck_assert_double_eq(s.c[2].median, 100);
	pt_tune_stats_release(&s);
}
END_TEST

START_TEST(test_non_inferiority)
{
	/* 2 workers are 1% below 3 with 1% noise: shown within 5% */
	static const double close[3][3] = {
		{ 50, 51, 49 }, { 99, 100, 98 }, { 100, 101, 99 },
	};
	/* 2 workers are 20% below: shown worse than 5% */
	static const double far[3][3] = {
		{ 50, 51, 49 }, { 80, 81, 79 }, { 100, 101, 99 },
	};
	/* 2 workers are 5% below, right at the margin: the test cannot decide */
	static const double edge[3][3] = {
		{ 50, 51, 49 }, { 95, 97, 93 }, { 100, 102, 98 },
	};
	struct pt_tune_stats s;

	stats_of(&s, close, 3);
	ck_assert_int_eq(s.best, 2);
	ck_assert_int_eq(s.c[1].decision, PT_NON_INFERIOR);
	ck_assert_int_eq(s.c[0].decision, PT_INFERIOR);
	ck_assert_int_eq(s.recommended, 1);
	ck_assert(s.c[1].contender); /* 1% below, 1% noise: could be the best */
	ck_assert(!s.c[0].contender);
	pt_tune_stats_release(&s);

	stats_of(&s, far, 3);
	ck_assert_int_eq(s.c[1].decision, PT_INFERIOR);
	ck_assert_int_eq(s.recommended, 2);
	pt_tune_stats_release(&s);

	stats_of(&s, edge, 3);
	ck_assert_int_eq(s.c[1].decision, PT_UNDECIDED);
	ck_assert_int_eq(s.recommended, 2); /* not shown good enough: the best */
	pt_tune_stats_release(&s);

	/* one trial per count: no variance, nothing decided */
	stats_of(&s, close, 1);
	ck_assert_uint_eq(s.df, 0);
	ck_assert_int_eq(s.c[1].decision, PT_UNDECIDED);
	ck_assert_int_eq(s.recommended, s.best);
	pt_tune_stats_release(&s);
}
END_TEST

START_TEST(test_failed_trials_excluded)
{
	struct pt_tune_stats s;

	memset(&s, 0, sizeof(s));
	pt_tune_stats_add(&s, 1, 1, 100, 0, 0);
	pt_tune_stats_add(&s, 2, 0, 1e9, 0, 0);   /* a crashed trial's number */
	pt_tune_stats_add(&s, 2, 1, 150, 0, 0);
	pt_tune_stats_compute(&s, 0.05);
	ck_assert_uint_eq(s.c[1].trials, 2);
	ck_assert_uint_eq(s.c[1].n, 1);
	ck_assert_double_eq(s.c[1].median, 150);
	ck_assert_int_eq(s.best, 1);
	pt_tune_stats_release(&s);
}
END_TEST

/* The summary of counts 1..3 where count W has OK[W - 1] successful trials
 * of throughput X[W - 1] (and three crashed ones when OK is 0). */
static cJSON *summary_of(struct pt_tune_stats *s, const unsigned ok[3], const double x[3])
{
	struct pt_tune_config c;

	memset(s, 0, sizeof(*s));
	pt_tune_config_init(&c);
	for (unsigned w = 1; w <= 3; w++) {
		for (unsigned r = 0; r < 3; r++)
			pt_tune_stats_add(s, w, r < ok[w - 1], x[w - 1] * (1 + 0.01 * r), 0, 0);
	}
	pt_tune_stats_compute(s, 0.05);
	return pt_tune_summary(s, &c, 3, 9, 1.0, PT_TUNE_COMPLETE);
}

START_TEST(test_certainty_from_successful_trials)
{
	static const unsigned alone[3] = { 3, 0, 0 }, two[3] = { 3, 3, 0 };
	static const double x[3] = { 1000, 500, 0 };
	struct pt_tune_stats s;
	cJSON *o = summary_of(&s, alone, x);
	const cJSON *conf = cJSON_GetObjectItem(o, "confidence");
	char *nc;

	/* every other count crashed: nothing to be better than */
	ck_assert_int_eq(s.best, 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(conf, "optimal_decided")));
	nc = cJSON_PrintUnformatted(cJSON_GetObjectItem(conf, "not_compared"));
	ck_assert_str_eq(nc, "[2,3]");
	free(nc);
	cJSON_Delete(o);
	pt_tune_stats_release(&s);
	/* one other count measured and far below: decided against it alone */
	o = summary_of(&s, two, x);
	conf = cJSON_GetObjectItem(o, "confidence");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(conf, "optimal_decided")));
	nc = cJSON_PrintUnformatted(cJSON_GetObjectItem(conf, "not_compared"));
	ck_assert_str_eq(nc, "[3]");
	free(nc);
	cJSON_Delete(o);
	pt_tune_stats_release(&s);
}
END_TEST

/* A normal deviate from the seeded generator (Box-Muller). */
static double gauss(uint64_t *rng)
{
	double u = ((double)(pt_rand_next(rng) >> 11) + 0.5) * 0x1p-53;
	double v = (double)(pt_rand_next(rng) >> 11) * 0x1p-53;

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

struct curve {
	unsigned n;        /* counts 1..n */
	double x[4];       /* true throughput of each */
	double sd;         /* noise of log-throughput per trial */
	uint64_t rng;
	unsigned trials[4]; /* trials so far, per count */
	double sample[4][400];
};

/* One trial of count W on curve C: its throughput drawn from the curve. */
static void trial_of(struct curve *c, unsigned w)
{
	unsigned k = c->trials[w - 1]++;

	ck_assert_uint_lt(k, 400);
	c->sample[w - 1][k] = c->x[w - 1] * exp(c->sd * gauss(&c->rng));
}

/* The statistics of every trial of C so far. */
static void stats_of_curve(struct pt_tune_stats *s, const struct curve *c)
{
	memset(s, 0, sizeof(*s));
	for (unsigned w = 1; w <= c->n; w++)
		for (unsigned k = 0; k < c->trials[w - 1]; k++)
			ck_assert_int_eq(pt_tune_stats_add(s, w, 1, c->sample[w - 1][k], 0, 0), 0);
	pt_tune_stats_compute(s, 0.05);
}

/* Settle C from REPS trials per count as the tuner does: measure what
 * pt_tune_settle_next() names until it names nothing.  Returns the trials
 * the settling took. */
static unsigned settle(struct curve *c, unsigned reps, struct pt_tune_stats *s)
{
	unsigned extra = 0, out[2];
	size_t n;

	for (unsigned w = 1; w <= c->n; w++)
		for (unsigned r = 0; r < reps; r++)
			trial_of(c, w);
	stats_of_curve(s, c);
	while ((n = pt_tune_settle_next(s, NULL, 0, out)) > 0) {
		ck_assert(!s->settled);
		for (size_t k = 0; k < n; k++)
			trial_of(c, out[k]);
		extra += (unsigned)n;
		ck_assert_uint_lt(extra, 600);
		pt_tune_stats_release(s);
		stats_of_curve(s, c);
	}
	return extra;
}

START_TEST(test_settle_next)
{
	/* 3 is 5% below 4 with 2% noise: undecided, and far from any decision */
	struct curve c = { .n = 4, .x = { 30, 60, 95, 100 } };
	struct pt_tune_stats s;
	unsigned out[2];

	for (unsigned w = 1; w <= 4; w++)
		for (unsigned r = 0; r < 3; r++)
			c.sample[w - 1][c.trials[w - 1]++] = c.x[w - 1] * (1 + 0.02 * (r - 1.0));
	stats_of_curve(&s, &c);
	ck_assert_int_eq(s.best, 3);
	ck_assert_int_eq(s.recommended, 3);
	ck_assert_int_eq(s.c[2].decision, PT_UNDECIDED);
	ck_assert(!s.c[2].at_margin);
	ck_assert(!s.recommended_decided && !s.settled);
	/* as many trials on both sides: both, in increasing order */
	ck_assert_uint_eq(pt_tune_settle_next(&s, NULL, 0, out), 2);
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(out[1], 4);
	pt_tune_stats_release(&s);
	/* the best ahead by two trials: the undecided count alone */
	c.sample[3][c.trials[3]++] = 100;
	c.sample[3][c.trials[3]++] = 100;
	stats_of_curve(&s, &c);
	ck_assert_uint_eq(pt_tune_settle_next(&s, NULL, 0, out), 1);
	ck_assert_uint_eq(out[0], 3);
	pt_tune_stats_release(&s);
	/* 3 far below: decided, nothing to measure */
	c.trials[2] = 0;
	for (unsigned r = 0; r < 3; r++)
		c.sample[2][c.trials[2]++] = 80 * (1 + 0.02 * (r - 1.0));
	stats_of_curve(&s, &c);
	ck_assert(s.recommended_decided && s.settled);
	ck_assert_uint_eq(pt_tune_settle_next(&s, NULL, 0, out), 0);
	pt_tune_stats_release(&s);
	/* one trial each: no variance, the best again */
	memset(&s, 0, sizeof(s));
	pt_tune_stats_add(&s, 1, 1, 50, 0, 0);
	pt_tune_stats_add(&s, 2, 1, 100, 0, 0);
	pt_tune_stats_compute(&s, 0.05);
	ck_assert_uint_eq(pt_tune_settle_next(&s, NULL, 0, out), 1);
	ck_assert_uint_eq(out[0], 2);
	pt_tune_stats_release(&s);
}
END_TEST

START_TEST(test_settle_decides)
{
	/* 3 is 7% below 4, 2% outside the tolerance, with 1.5% noise: settling
	 * shows it worse, measuring only 3 and 4, the comparison left open */
	struct curve c = { .n = 4, .x = { 30, 60, 93, 100 }, .sd = 0.015, .rng = 12345 };
	struct pt_tune_stats s;
	unsigned extra = settle(&c, 3, &s);

	ck_assert(s.settled && s.recommended_decided);
	ck_assert_int_eq(s.c[s.recommended].workers, 4);
	ck_assert_int_eq(s.c[2].decision, PT_INFERIOR);
	ck_assert_uint_gt(extra, 0);
	ck_assert_uint_eq(c.trials[0], 3);
	ck_assert_uint_eq(c.trials[1], 3);
	ck_assert_uint_eq(c.trials[2] + c.trials[3], 6 + extra);
	pt_tune_stats_release(&s);

	/* 3 is 2% below 4: shown within the tolerance, so it is recommended */
	memset(&c, 0, sizeof(c));
	c = (struct curve){ .n = 4, .x = { 30, 60, 98, 100 }, .sd = 0.03, .rng = 99 };
	settle(&c, 3, &s);
	ck_assert(s.settled && s.recommended_decided);
	ck_assert_int_eq(s.c[s.recommended].workers, 3);
	pt_tune_stats_release(&s);
}
END_TEST

START_TEST(test_settle_at_margin)
{
	/* 3 exactly at the margin, 5% below 4: no number of trials decides it,
	 * but settling stops once it is shown within the zone around it */
	unsigned at_margin = 0;

	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct curve c = { .n = 4, .x = { 30, 60, 95, 100 }, .sd = 0.01, .rng = seed };
		struct pt_tune_stats s;
		const struct pt_count_stats *k;

		settle(&c, 3, &s);
		k = &s.c[2];
		ck_assert(s.settled);
		if (k->decision == PT_UNDECIDED) {
			ck_assert(k->at_margin && !s.recommended_decided);
			ck_assert(k->diff_low > log(0.94) && k->diff_high < log(0.96));
			at_margin++;
		}
		pt_tune_stats_release(&s);
	}
	ck_assert_uint_ge(at_margin, 2); /* the zone, not chance, ended most */
}
END_TEST

/* Trials of a task whose throughput rises linearly up to K = 200 workers
 * and is flat beyond, with 1.5% noise, at counts up to 400. */
struct knee {
	uint64_t rng;
	unsigned trials[401];
	double sample[401][64];
};

static void knee_trial(struct knee *k, unsigned w)
{
	ck_assert_uint_le(w, 400);
	ck_assert_uint_lt(k->trials[w], 64);
	k->sample[w][k->trials[w]++] = 100.0 * (w < 200 ? w : 200) * exp(0.015 * gauss(&k->rng));
}

static void knee_stats(struct pt_tune_stats *s, const struct knee *k)
{
	memset(s, 0, sizeof(*s));
	for (unsigned w = 1; w <= 400; w++)
		for (unsigned i = 0; i < k->trials[w]; i++)
			ck_assert_int_eq(pt_tune_stats_add(s, w, 1, k->sample[w][i], 0, 0), 0);
	pt_tune_stats_compute(s, 0.05);
}

START_TEST(test_settle_range)
{
	/* the counts a bracket of 1..400 and a bisection measured, 192 among
	 * them, 4% below the best: the comparison that would decide whether it
	 * is recommended needs many trials; settling places new counts instead
	 * and narrows where the answer, 190, can be */
	static const unsigned start[] = { 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 400 };
	static unsigned cand[400];
	struct knee *k = calloc(1, sizeof(*k));
	struct pt_tune_stats s;
	unsigned out[2], total = 0;

	ck_assert_ptr_nonnull(k);
	for (unsigned w = 1; w <= 400; w++)
		cand[w - 1] = w;
	for (uint64_t seed = 1; seed <= 5; seed++) {
		unsigned extra = 0, rec;
		size_t n;

		memset(k, 0, sizeof(*k));
		k->rng = seed;
		for (size_t i = 0; i < sizeof(start) / sizeof(start[0]); i++)
			for (unsigned r = 0; r < 3; r++)
				knee_trial(k, start[i]);
		knee_stats(&s, k);
		while ((n = pt_tune_settle_next(&s, cand, 400, out)) > 0) {
			ck_assert(!pt_tune_settled(&s, cand, 400));
			if (n == 2)
				ck_assert_uint_lt(out[0], out[1]);
			for (size_t i = 0; i < n; i++)
				knee_trial(k, out[i]);
			extra += (unsigned)n;
			pt_tune_stats_release(&s);
			knee_stats(&s, k);
		}
		ck_assert(pt_tune_settled(&s, cand, 400));
		rec = s.c[s.recommended].workers;
		ck_assert_msg(rec >= 190 && rec <= 210, "seed %d: recommended %u", (int)seed, rec);
		ck_assert_msg(extra <= 30, "seed %d: %u trials to settle", (int)seed, extra);
		total += extra;
		pt_tune_stats_release(&s);
	}
	/* fewer than deciding 192 itself: its bounds must come within 1% of
	 * the margin, at 1.5% noise some 12 trials a side */
	ck_assert_uint_le(total, 5 * 15);
	free(k);
}
END_TEST

/* The summary's settled and stopped_by after a tune that ended as END. */
static void check_end(enum pt_tune_end end, int settled, const char *stopped_by)
{
	static const double x[3][3] = {
		{ 50, 51, 49 }, { 80, 81, 79 }, { 100, 101, 99 },
	};
	struct pt_tune_config c;
	struct pt_tune_stats s;
	const cJSON *v;
	cJSON *o;

	pt_tune_config_init(&c);
	stats_of(&s, x, 3);
	ck_assert(s.settled);
	o = pt_tune_summary(&s, &c, 3, 9, 1.0, end);
	ck_assert(cJSON_IsBool(cJSON_GetObjectItem(o, "settled")));
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(o, "settled")), settled);
	v = cJSON_GetObjectItem(o, "stopped_by");
	if (stopped_by)
		ck_assert_str_eq(cJSON_GetStringValue(v), stopped_by);
	else
		ck_assert(cJSON_IsNull(v));
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(o, "budget_exhausted")),
			 end == PT_TUNE_BUDGET);
	ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(o, "interrupted")),
			 end == PT_TUNE_INTERRUPTED);
	cJSON_Delete(o);
	pt_tune_stats_release(&s);
}

START_TEST(test_summary_end)
{
	check_end(PT_TUNE_SETTLED, 1, "settled");
	check_end(PT_TUNE_BUDGET, 1, "budget");
	check_end(PT_TUNE_TRIAL_LIMIT, 1, "trial_limit");
	check_end(PT_TUNE_INTERRUPTED, 1, "interrupted");
	check_end(PT_TUNE_COMPLETE, 1, "complete");
	/* a tune in progress has not settled anything yet */
	check_end(PT_TUNE_RUNNING, 0, NULL);
}
END_TEST

static int noop(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

static const struct pt_task noop_task = {
	.abi = PT_ABI_VERSION, .size = sizeof(struct pt_task), .name = "noop", .run = noop,
};

/* The worker counts of R's trials, in the order they ran. */
static void trial_order(const pt_results *r, unsigned *out, size_t n)
{
	ck_assert_uint_eq(pt_results_trial_count(r), n);
	for (size_t i = 0; i < n; i++)
		out[i] = pt_trial_stats(pt_results_trial(r, i))->workers;
}

static void tune_order(uint64_t seed, unsigned *order)
{
	static const unsigned counts[] = { 1, 2, 3, 4 };
	struct pt_tune_config c;
	pt_module *m = pt_module_from_task(&noop_task, "noop");
	pt_topology *t = pt_topology_new("package:1 core:4 pu:1");
	pt_results *r = pt_results_new("tune", m, t, NULL, NULL);

	pt_tune_config_init(&c);
	c.list = counts;
	c.nlist = 4;
	c.strategy = PT_STRATEGY_EXHAUSTIVE;
	c.repeats = 3;
	c.seed = seed;
	c.trial.items = 50;
	c.trial.warmup_s = 0;
	c.trial.counters = 0;
	ck_assert_int_eq(pt_tune(m, t, &c, r), 0);
	trial_order(r, order, 12);
	pt_results_free(r);
	pt_topology_free(t);
	pt_module_close(m);
}

START_TEST(test_interleaving)
{
	unsigned a[12], b[12], c[12], per[5] = { 0 };
	int grouped = 1, cyclic = 1;

	tune_order(7, a);
	tune_order(7, b);
	tune_order(8, c);
	ck_assert_mem_eq(a, b, sizeof(a));       /* the seed fixes the order */
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	for (unsigned i = 0; i < 12; i++)
		per[a[i]]++;
	for (unsigned w = 1; w <= 4; w++)
		ck_assert_uint_eq(per[w], 3);       /* every count, 3 times */
	/* neither all repeats of a count in a row, nor a fixed sweep */
	for (unsigned i = 0; i < 12; i++) {
		grouped &= a[i] == a[i / 3 * 3];
		cyclic &= a[i] == a[i % 4];
	}
	ck_assert(!grouped);
	ck_assert(!cyclic);
}
END_TEST

Suite *suite_tune(void)
{
	Suite *s = suite_create("tune");
	TCase *tc = tcase_create("statistics");

	tcase_add_test(tc, test_interval);
	tcase_add_test(tc, test_non_inferiority);
	tcase_add_test(tc, test_failed_trials_excluded);
	tcase_add_test(tc, test_certainty_from_successful_trials);
	suite_add_tcase(s, tc);
	tc = tcase_create("settle");
	tcase_add_test(tc, test_settle_next);
	tcase_add_test(tc, test_settle_decides);
	tcase_add_test(tc, test_settle_at_margin);
	tcase_add_test(tc, test_settle_range);
	tcase_add_test(tc, test_summary_end);
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_interleaving);
	suite_add_tcase(s, tc);
	return s;
}
