/* check_stats.c - descriptive statistics: t quantiles, median and variance, the seeded shuffle */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "stats/stats.h"

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

/* Reference quantiles made once with scipy 1.10.1 (Debian python3-scipy):
 *   from scipy.stats import t
 *   print('%.17g' % t.ppf(p, df))  for each p and df below
 * scipy's own t.cdf of some of these is off by 2e-10 in P (0.59999999980 at
 * t.ppf(0.6, 30), confirmed by integrating the density), which puts them up
 * to 2e-9 from the true quantile: hence the 1e-8 tolerance. */
static const struct {
	double p;
	unsigned df;
	double t;
} t_ref[] = {
	{ 0.6, 1, 0.32491969623407446 },     { 0.6, 7, 0.26316686135201661 },
	{ 0.6, 1000, 0.25341451583949864 },  { 0.9, 2, 1.8856180831641507 },
	{ 0.9, 31, 1.3094635471008584 },     { 0.9, 100, 1.2900747613398769 },
	{ 0.975, 3, 3.1824463052842629 },    { 0.975, 31, 2.0395134463964077 },
	{ 0.975, 1000, 1.9623390808264074 }, { 0.999, 1, 318.30883898554191 },
	{ 0.999, 7, 4.785289628649168 },     { 0.999, 30, 3.3851848668182161 },
	{ 0.9999, 1, 3183.0987571537103 },   { 0.9999, 2, 70.700071074968861 },
	{ 0.9999, 100, 3.8615997909500837 }, { 0.001, 3, -10.214531852405337 },
	{ 0.001, 31, -3.3748992804151778 },  { 0.9, 2000000, 1.281551988837127 },
	{ 0.9999, 2000000, 3.7190233800977035 },
};

START_TEST(test_t_quantile_any_p)
{
	for (size_t i = 0; i < sizeof(t_ref) / sizeof(t_ref[0]); i++) {
		double t = pt_t_quantile(t_ref[i].p, t_ref[i].df);

		ck_assert_msg(close_rel(t, t_ref[i].t, 1e-8), "t(%g, %u) = %.17g, scipy %.17g",
			      t_ref[i].p, t_ref[i].df, t, t_ref[i].t);
	}
	/* symmetric about 0.5; P outside (0, 1) refused */
	ck_assert_double_eq(pt_t_quantile(0.5, 9), 0);
	ck_assert(close_rel(pt_t_quantile(0.3, 12), -pt_t_quantile(0.7, 12), 1e-12));
	errno = 0;
	ck_assert(isnan(pt_t_quantile(0, 5)));
	ck_assert_int_eq(errno, EDOM);
	errno = 0;
	ck_assert(isnan(pt_t_quantile(1, 5)));
	ck_assert_int_eq(errno, EDOM);
	ck_assert(isnan(pt_t_quantile(NAN, 5)));
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

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("statistics");

	tcase_add_test(tc, test_t_quantiles);
	tcase_add_test(tc, test_t_quantile_any_p);
	tcase_add_test(tc, test_median_variance);
	tcase_add_test(tc, test_shuffle_permutes);
	suite_add_tcase(s, tc);
	return s;
}
