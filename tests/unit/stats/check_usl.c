/* check_usl.c - the Universal Scalability Law fit: exact and noisy data, refusals, the CSV reader */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"
#include "stats/stats.h"

/* Throughputs of the law at 1..16 workers. */
static void usl_points(double lambda, double sigma, double kappa, double *w, double *x)
{
	struct pt_usl_model m = { .lambda = lambda, .sigma = sigma, .kappa = kappa };

	for (int i = 0; i < 16; i++) {
		w[i] = i + 1;
		x[i] = pt_usl_predict(&m, w[i]);
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

Suite *suite_usl(void)
{
	Suite *s = suite_create("usl");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_usl_exact);
	tcase_add_test(tc, test_usl_noisy);
	tcase_add_test(tc, test_usl_refuses);
	tcase_add_test(tc, test_csv_reader);
	suite_add_tcase(s, tc);
	return s;
}
