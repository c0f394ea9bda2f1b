/* check_stats.c - the tuner's statistics: t quantiles, intervals, non-inferiority, order, USL fit */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"
#include "stats/stats.h"
#include "tune/tune.h"

static int close_rel(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

START_TEST(test_t_quantiles)
{
	/* standard table values, and the large-df limit of the normal */
	ck_assert(close_rel(pt_t_quantile(0.975, 1), 12.7062, 1e-4));
	ck_assert(close_rel(pt_t_quantile(0.95, 1), 6.3138, 1e-4));
	ck_assert(close_rel(pt_t_quantile(0.975, 10), 2.2281, 1e-4));
	ck_assert(close_rel(pt_t_quantile(0.95, 30), 1.6973, 1e-4));
	ck_assert(close_rel(pt_t_quantile(0.975, 60), 2.0003, 1e-3));
	ck_assert(close_rel(pt_t_quantile(0.975, 1000), 1.9623, 1e-3));
	ck_assert(close_rel(pt_t_quantile(0.95, 120), 1.6577, 1e-3));
	ck_assert(isinf(pt_t_quantile(0.95, 0)));
	/* decreasing in df */
	for (unsigned df = 1; df < 200; df++)
		ck_assert(pt_t_quantile(0.975, df + 1) < pt_t_quantile(0.975, df));
}
END_TEST

START_TEST(test_median_variance)
{
	double odd[] = { 5, 1, 9, 3, 7 }, even[] = { 4, 1, 3, 2 };
	double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	ck_assert_double_eq(pt_median(odd, 5), 5);
	ck_assert_double_eq(pt_median(even, 4), 2.5);
	ck_assert_double_eq(odd[0], 5); /* the input is left alone */
	ck_assert_double_eq(pt_mean(v, 8), 5);
	ck_assert(close_rel(pt_variance(v, 8), 32.0 / 7.0, 1e-12));
	ck_assert_double_eq(pt_variance(v, 1), 0);
	ck_assert_double_eq(pt_median(v, 0), 0);
}
END_TEST

START_TEST(test_shuffle_permutes)
{
	unsigned a[64], b[64], c[64], seen[64];
	uint64_t s1 = 42, s2 = 42, s3 = 43;
	unsigned counts[8][8] = { { 0 } };

	for (unsigned i = 0; i < 64; i++)
		a[i] = b[i] = c[i] = i;
	pt_shuffle(a, 64, &s1);
	pt_shuffle(b, 64, &s2);
	pt_shuffle(c, 64, &s3);
	ck_assert_mem_eq(a, b, sizeof(a));   /* same seed, same order */
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < 64; i++)
		seen[a[i]]++;
	for (unsigned i = 0; i < 64; i++)
		ck_assert_uint_eq(seen[i], 1); /* a permutation */
	/* every value lands in every place about equally often */
	for (unsigned r = 0; r < 8000; r++) {
		unsigned v[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		pt_shuffle(v, 8, &s1);
		for (unsigned i = 0; i < 8; i++)
			counts[v[i]][i]++;
	}
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 8; j++)
			ck_assert_msg(counts[i][j] > 850 && counts[i][j] < 1150,
				      "value %u at %u: %u of 8000", i, j, counts[i][j]);
}
END_TEST

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

/* Throughputs of the law at 1..16 workers. */
static void usl_points(double lambda, double sigma, double kappa, double *w, double *x)
{
	struct pt_usl m = { .lambda = lambda, .sigma = sigma, .kappa = kappa };

	for (int i = 0; i < 16; i++) {
		w[i] = i + 1;
		x[i] = pt_usl_eval(&m, w[i]);
	}
}

START_TEST(test_usl_exact)
{
	static const double cases[][3] = {
		{ 1000, 0.05, 0.002 }, { 500, 0.0, 0.01 }, { 2000, 0.2, 0.0 },
		{ 100, 0.01, 0.0001 }, { 1e6, 0.3, 0.05 }, { 42, 0.0, 0.0 },
	};
	double w[16], x[16];

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct pt_usl_model m;

		usl_points(cases[k][0], cases[k][1], cases[k][2], w, x);
		ck_assert_int_eq(pt_usl_fit_points(w, x, 16, &m), 0);
		ck_assert_msg(close_rel(m.lambda, cases[k][0], 0.01), "lambda %g", m.lambda);
		ck_assert_msg(fabs(m.sigma - cases[k][1]) <= 0.01 * cases[k][1] + 1e-9,
			      "sigma %g for %g", m.sigma, cases[k][1]);
		ck_assert_msg(fabs(m.kappa - cases[k][2]) <= 0.01 * cases[k][2] + 1e-9,
			      "kappa %g for %g", m.kappa, cases[k][2]);
		ck_assert(m.r2 > 0.999999);
		if (cases[k][2] > 0)
			ck_assert(close_rel(m.peak_workers, sqrt((1 - cases[k][1]) / cases[k][2]), 0.01));
		else
			ck_assert(isinf(m.peak_workers));
	}
}
END_TEST

START_TEST(test_usl_noisy)
{
	double w[48], x[48];
	uint64_t seed = 12345;
	struct pt_usl_model m;

	/* three noisy trials per count, 3% relative noise */
	for (int r = 0; r < 3; r++) {
		usl_points(1000, 0.03, 0.004, w + 16 * r, x + 16 * r);
		for (int i = 0; i < 16; i++) {
			double u = (double)(pt_rand_next(&seed) % 20001) / 10000.0 - 1.0;

			x[16 * r + i] *= 1 + 0.03 * u;
		}
	}
	ck_assert_int_eq(pt_usl_fit_points(w, x, 48, &m), 0);
	/* peak at sqrt(0.97 / 0.004) = 15.6 */
	ck_assert_msg(close_rel(m.peak_workers, 15.57, 0.15), "peak %g", m.peak_workers);
	ck_assert(close_rel(m.lambda, 1000, 0.05));
	ck_assert(m.r2 > 0.95);
	ck_assert(m.rms_relative_error < 0.03);
	ck_assert_str_eq(m.bound, "coherency");
}
END_TEST

START_TEST(test_usl_refuses)
{
	double w[] = { 1, 2, 4, 4 }, x[] = { 10, 19, 35, 36 };
	double w2[] = { 1, 2, 4, 8 }, x2[] = { 10, -19, 35, 60 };
	struct pt_usl_model m;

	ck_assert_int_eq(pt_usl_fit_points(w, x, 4, &m), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "3 distinct worker counts"));
	ck_assert_int_eq(pt_usl_fit_points(w2, x2, 4, &m), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "positive"));
}
END_TEST

START_TEST(test_csv_reader)
{
	static const char ok[] = "# measured\nworkers,throughput\n1,100\n\n2, 190\n4,\"350\",x\n";
	static const char bad[] = "1,100\n2,abc\n";
	double *w = NULL, *x = NULL;
	size_t n = 0;

	ck_assert_int_eq(pt_fit_parse_csv("ok.csv", ok, sizeof(ok) - 1, &w, &x, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_double_eq(w[2], 4);
	ck_assert_double_eq(x[2], 350);
	free(w);
	free(x);
	ck_assert_int_eq(pt_fit_parse_csv("bad.csv", bad, sizeof(bad) - 1, &w, &x, &n), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "bad.csv:2: '2,abc'"));
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("statistics");

	tcase_add_test(tc, test_t_quantiles);
	tcase_add_test(tc, test_median_variance);
	tcase_add_test(tc, test_shuffle_permutes);
	tcase_add_test(tc, test_interval);
	tcase_add_test(tc, test_non_inferiority);
	tcase_add_test(tc, test_failed_trials_excluded);
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_interleaving);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_test(tc, test_usl_exact);
	tcase_add_test(tc, test_usl_noisy);
	tcase_add_test(tc, test_usl_refuses);
	tcase_add_test(tc, test_csv_reader);
	suite_add_tcase(s, tc);
	return s;
}
