/* check_rank.c - rank statistics: the Mann-Whitney U distribution and the Hodges-Lehmann shift */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "../check.h"
#include "base/util.h"
#include "stats/rank.h"

START_TEST(mwu_exact_distribution)
{
	/* 5 and 5 values: 252 arrangements; U = 0, 1, 2, 3, 4 have 1, 1, 2, 3,
	 * 5 of them (the classic table: P(U <= 4) = 12/252 = 0.0476) */
	ck_assert_double_eq_tol(pt_mwu_cdf(5, 5, 0), 1.0 / 252, 1e-12);
	ck_assert_double_eq_tol(pt_mwu_cdf(5, 5, 2), 4.0 / 252, 1e-12);
	ck_assert_double_eq_tol(pt_mwu_cdf(5, 5, 4), 12.0 / 252, 1e-12);
	ck_assert_double_eq_tol(pt_mwu_cdf(5, 5, 25), 1, 1e-12);
	ck_assert_double_eq(pt_mwu_cdf(5, 5, -1), 0);
	/* symmetric about n m / 2, and the same with the samples swapped */
	for (int u = 0; u < 12; u++)
		ck_assert_double_eq_tol(pt_mwu_cdf(4, 7, u), 1 - pt_mwu_cdf(4, 7, 28 - u - 1), 1e-12);
	ck_assert_double_eq_tol(pt_mwu_cdf(3, 8, 5), pt_mwu_cdf(8, 3, 5), 1e-12);
	/* 1 / C(n + m, n) for the most extreme arrangement */
	ck_assert_double_eq_tol(pt_mwu_cdf(3, 3, 0), 1.0 / 20, 1e-12);
	ck_assert_double_eq_tol(pt_mwu_cdf(2, 5, 0), 1.0 / 21, 1e-12);
}
END_TEST

/* The largest relative error of pt_mwu_cdf against the exact counts over
 * every u with an exact P(U <= u) in [0.001, 0.05], the tail where tests
 * decide. */
static double tail_error(unsigned n, unsigned m)
{
	double worst = 0, *f = pt_mwu_exact_table(n, m);

	ck_assert_ptr_nonnull(f);
	for (size_t u = 0; u < (size_t)n * m / 2; u++) {
		double e = f[u], a;

		if (e < 0.001)
			continue;
		if (e > 0.05)
			break;
		a = pt_mwu_cdf(n, m, (double)u);
		if (fabs(a / e - 1) > worst)
			worst = fabs(a / e - 1);
	}
	free(f);
	return worst;
}

START_TEST(mwu_normal_agrees_with_exact)
{
	/* just beyond the exact range, balanced and not, and well beyond it:
	 * within the 0.5% that rank.h states (the plain normal approximation
	 * was 11% off at 50 x 51, 19% at 20 x 130, 5% at 100 x 100) */
	static const unsigned sizes[][2] = { { 50, 51 }, { 40, 70 }, { 20, 130 }, { 100, 100 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double e = tail_error(sizes[i][0], sizes[i][1]);

		ck_assert_msg(e < 0.005, "%u x %u: %.4f", sizes[i][0], sizes[i][1], e);
	}
	/* a small sample against a large one stays exact */
	ck_assert_double_eq(pt_mwu_cdf(5, 600, 1000), pt_mwu_cdf_exact(5, 600, 1000));
	ck_assert_double_eq_tol(pt_mwu_cdf(60, 60, 1799.5), 0.5, 0.01);
	ck_assert_double_eq(pt_mwu_cdf_approx(60, 60, -1), 0);
	ck_assert_double_eq(pt_mwu_cdf_approx(60, 60, 3600), 1);
	ck_assert_double_ge(pt_mwu_cdf_approx(60, 60, 0), 0);
	/* the critical value from one pass over the counts matches the cdf */
	ck_assert_double_le(pt_mwu_cdf(30, 30, (double)pt_mwu_critical(30, 30, 0.01)), 0.01);
	ck_assert_double_gt(pt_mwu_cdf(30, 30, (double)pt_mwu_critical(30, 30, 0.01) + 1), 0.01);
}
END_TEST

START_TEST(mwu_minimum_repetitions)
{
	ck_assert_int_eq(pt_mwu_critical(5, 5, 0.05), 4);
	ck_assert_int_eq(pt_mwu_critical(3, 3, 0.05), 0);
	ck_assert_int_eq(pt_mwu_critical(2, 2, 0.05), -1);
	ck_assert(pt_mwu_can_reject(3, 3, 0.05));
	ck_assert(!pt_mwu_can_reject(2, 3, 0.05));   /* 1/10 */
	ck_assert(!pt_mwu_can_reject(2, 4, 0.05));   /* 1/15 */
	ck_assert(pt_mwu_can_reject(2, 5, 0.05));    /* 1/21 */
	ck_assert(!pt_mwu_can_reject(1, 18, 0.05));  /* 1/19 */
	ck_assert(pt_mwu_can_reject(1, 19, 0.05));   /* 1/20 */
}
END_TEST

START_TEST(shift_estimate_and_interval)
{
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 11, 12, 13, 14, 15 }, z[] = { 1.5, 2.5, 3, 3.5, 4.5 };
	struct pt_shift s;

	ck_assert_int_eq(pt_shift_test(x, 5, y, 5, 0, 0.05, &s), 0);
	ck_assert_double_eq(s.estimate, 10);
	ck_assert_double_le(s.low, 10);
	ck_assert_double_ge(s.high, 10);
	/* the 5th smallest and largest of the 25 differences (c = 4) */
	ck_assert_double_eq(s.low, 8);
	ck_assert_double_eq(s.high, 12);
	ck_assert_double_eq_tol(s.p_greater, 1.0 / 252, 1e-12);
	ck_assert_double_eq_tol(s.p_less, 1, 1e-12);
	/* against a shift of 7 the evidence is weaker (22 pairs above, 2 ties:
	 * P(U <= 2) = 4/252), against 11 it is none */
	ck_assert_int_eq(pt_shift_test(x, 5, y, 5, 7, 0.05, &s), 0);
	ck_assert_double_eq_tol(s.p_greater, 4.0 / 252, 1e-12);
	ck_assert_double_gt(s.p_greater, 1.0 / 252);
	ck_assert_double_lt(s.p_greater, 0.05);
	ck_assert_int_eq(pt_shift_test(x, 5, y, 5, 11, 0.05, &s), 0);
	ck_assert_double_gt(s.p_greater, 0.5);
	/* no shift: nothing significant either way */
	ck_assert_int_eq(pt_shift_test(x, 5, z, 5, 0, 0.05, &s), 0);
	ck_assert_double_eq(s.estimate, 0);
	ck_assert_double_gt(s.p_less, 0.3);
	ck_assert_double_gt(s.p_greater, 0.3);
	/* too few values: no interval */
	ck_assert_int_eq(pt_shift_test(x, 2, y, 2, 0, 0.05, &s), 0);
	ck_assert(isnan(s.low) && isnan(s.high));
	ck_assert_int_eq(pt_shift_test(x, 0, y, 2, 0, 0.05, &s), -EINVAL);
}
END_TEST

START_TEST(shift_ties_are_conservative)
{
	double x[] = { 7, 7, 7, 7, 7 }, y[] = { 7, 7, 7, 7, 7 };
	struct pt_shift s;

	ck_assert_int_eq(pt_shift_test(x, 5, y, 5, 0, 0.05, &s), 0);
	ck_assert_double_eq(s.estimate, 0);
	ck_assert_double_gt(s.p_less, 0.4);
	ck_assert_double_gt(s.p_greater, 0.4);
}
END_TEST

/* The shift test as it is defined: every difference stored and sorted,
 * each pair counted on its side of DELTA. */
static void shift_reference(const double *x, size_t n, const double *y, size_t m, double delta,
			    double alpha, struct pt_shift *out)
{
	size_t nm = n * m, k = 0;
	double less = 0, greater = 0, *d = malloc(nm * sizeof(*d));
	long c;

	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++) {
			double e = y[j] - x[i];

			d[k++] = e;
			less += e < delta ? 1 : e == delta ? 0.5 : 0;
			greater += e > delta ? 1 : e == delta ? 0.5 : 0;
		}
	}
	qsort(d, nm, sizeof(*d), pt_cmp_double);
	out->estimate = nm % 2 ? d[nm / 2] : (d[nm / 2 - 1] + d[nm / 2]) / 2;
	c = pt_mwu_critical((unsigned)n, (unsigned)m, alpha);
	out->low = c >= 0 ? d[c] : NAN;
	out->high = c >= 0 ? d[nm - 1 - (size_t)c] : NAN;
	out->p_less = pt_mwu_cdf((unsigned)n, (unsigned)m, (double)nm - floor(less));
	out->p_greater = pt_mwu_cdf((unsigned)n, (unsigned)m, (double)nm - floor(greater));
	free(d);
}

/* Equal, or both NAN. */
static int same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

START_TEST(shift_matches_all_pairs)
{
	/* samples of 1 to 30 values (exact U counts), every tenth round 50
	 * to 80 (the approximation): logarithms of a few integers (many
	 * ties, within and across samples, and differences equal to DELTA),
	 * of a wide range, negative and positive, and continuous */
	unsigned seed = 12345;
	double x[80], y[80];

	for (int round = 0; round < 1000; round++) {
		int large = round % 10 == 9;
		size_t n = large ? 50 + (size_t)(rand_r(&seed) % 31) : 1 + (size_t)(rand_r(&seed) % 30);
		size_t m = large ? 50 + (size_t)(rand_r(&seed) % 31) : 1 + (size_t)(rand_r(&seed) % 30);
		int kind = round % 4;
		double shift = kind == 0 ? 0 : log(1 + rand_r(&seed) % 3);
		static const double alphas[] = { 0.05, 0.01, 0.2 };
		double deltas[3];
		struct pt_shift a, b;

		for (size_t i = 0; i < 80; i++) {
			double u = (double)rand_r(&seed) / RAND_MAX, v = (double)rand_r(&seed) / RAND_MAX;

			x[i] = kind < 2 ? log(1 + rand_r(&seed) % 5) :
				kind == 2 ? (u - 0.5) * 1e6 : u;
			y[i] = (kind < 2 ? log(1 + rand_r(&seed) % 5) :
				kind == 2 ? (v - 0.5) * 1e6 : v) + shift;
		}
		deltas[0] = 0;
		deltas[1] = y[0] - x[0];
		deltas[2] = log(0.95);
		for (int k = 0; k < 3; k++) {
			double alpha = alphas[(size_t)round % 3];

			ck_assert_int_eq(pt_shift_test(x, n, y, m, deltas[k], alpha, &a), 0);
			shift_reference(x, n, y, m, deltas[k], alpha, &b);
			ck_assert_msg(same(a.estimate, b.estimate) && same(a.low, b.low) &&
				      same(a.high, b.high) && same(a.p_less, b.p_less) &&
				      same(a.p_greater, b.p_greater),
				      "round %d, %zu x %zu, delta %g: (%.17g %.17g %.17g %g %g) "
				      "against (%.17g %.17g %.17g %g %g)", round, n, m, deltas[k],
				      a.estimate, a.low, a.high, a.p_less, a.p_greater,
				      b.estimate, b.low, b.high, b.p_less, b.p_greater);
		}
	}
}
END_TEST

START_TEST(shift_of_large_samples)
{
	/* 20,000 values a side: 4 * 10^8 differences, which stored took 3.2 GB
	 * (twice, as the comparison tests two shifts); counted, the samples
	 * are all the memory */
	const size_t n = 20000;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	unsigned seed = 7;
	struct pt_shift s;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)rand_r(&seed) / RAND_MAX;
		y[i] = (double)rand_r(&seed) / RAND_MAX + 0.25;
	}
	ck_assert_int_eq(pt_shift_test(x, n, y, n, 0, 0.05, &s), 0);
	/* two uniform samples a quarter apart: the shift is 0.25, within a
	 * few thousandths at this size */
	ck_assert_double_eq_tol(s.estimate, 0.25, 0.01);
	ck_assert_double_lt(s.low, s.estimate);
	ck_assert_double_gt(s.high, s.estimate);
	ck_assert_double_lt(s.high - s.low, 0.02);
	ck_assert_double_lt(s.p_greater, 1e-6);
	ck_assert_double_gt(s.p_less, 0.999);
	free(x);
	free(y);
}
END_TEST

START_TEST(shift_refuses_what_it_cannot_rank)
{
	double x[] = { 1, 2, 3 }, y[] = { 1, NAN, 3 }, z[] = { 1, INFINITY, 3 };
	struct pt_shift s;

	ck_assert_int_eq(pt_shift_test(x, 3, y, 3, 0, 0.05, &s), -EINVAL);
	ck_assert_int_eq(pt_shift_test(z, 3, x, 3, 0, 0.05, &s), -EINVAL);
	ck_assert_int_eq(pt_shift_test(x, 3, y, 0, 0, 0.05, &s), -EINVAL);
	/* a zero shift is +0, however the bisection reaches it */
	ck_assert_int_eq(pt_shift_test(x, 3, x, 3, 0, 0.05, &s), 0);
	ck_assert(s.estimate == 0 && !signbit(s.estimate));
}
END_TEST

Suite *suite_rank(void)
{
	Suite *s = suite_create("rank");
	TCase *t = tcase_create("mann-whitney");

	tcase_set_timeout(t, 60);

	tcase_add_test(t, mwu_exact_distribution);
	tcase_add_test(t, mwu_normal_agrees_with_exact);
	tcase_add_test(t, mwu_minimum_repetitions);
	tcase_add_test(t, shift_estimate_and_interval);
	tcase_add_test(t, shift_ties_are_conservative);
	tcase_add_test(t, shift_matches_all_pairs);
	tcase_add_test(t, shift_of_large_samples);
	tcase_add_test(t, shift_refuses_what_it_cannot_rank);
	suite_add_tcase(s, t);
	return s;
}
