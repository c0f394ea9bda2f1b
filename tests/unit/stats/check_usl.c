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

START_TEST(test_usl_bounded)
{
	/* Two data sets whose unbounded optimum has sigma < 0 (the first) or
	 * kappa < 0 (the second), so the bounded optimum lies on the bound.
	 * The expected values were computed once with scipy 1.x
	 * scipy.optimize.least_squares (method "trf", bounds lambda > 0,
	 * sigma >= 0, kappa >= 0, xtol = ftol = gtol = 1e-15) on these points,
	 * under relative and under ordinary residuals. */
	static const double w[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
	static const double on_sigma[] = { 100, 192.4603175, 281.25, 370.2290076, 535.7142857,
					   673.2026144, 801.0471204, 800 };
	static const double on_kappa[] = { 100, 183.3333333, 253.4482759, 312.9032258,
					   415.7142857, 502.5641026, 638.2978723, 749.0909091 };
	static const struct {
		const double *x;
		enum pt_usl_loss loss;
		double lambda, sigma, kappa, loss_value;
	} cases[] = {
		{ on_sigma, PT_USL_RELATIVE, 98.34946723, 0, 0.003820030262, 0.004017057504 },
		{ on_sigma, PT_USL_OLS, 100.5910956, 0, 0.004064678662, 1181.469435 },
		{ on_kappa, PT_USL_RELATIVE, 97.76820618, 0.07633515738, 0, 0.002242607401 },
		{ on_kappa, PT_USL_OLS, 94.23019206, 0.0688296098, 0, 249.8550086 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct pt_usl_model m;

		ck_assert_int_eq(pt_usl_fit_loss(w, cases[k].x, 8, cases[k].loss, &m), 0);
		ck_assert(m.converged);
		ck_assert_msg(close_rel(m.lambda, cases[k].lambda, 1e-4), "%zu: lambda %.10g", k,
			      m.lambda);
		ck_assert_msg(fabs(m.sigma - cases[k].sigma) <= 1e-4 * (cases[k].sigma + 1e-3),
			      "%zu: sigma %.10g", k, m.sigma);
		ck_assert_msg(fabs(m.kappa - cases[k].kappa) <= 1e-4 * (cases[k].kappa + 1e-4),
			      "%zu: kappa %.10g", k, m.kappa);
		/* the solver that clipped without an active set ended 40% and
		 * 230% above the bounded relative loss here */
		ck_assert_msg(m.loss_value <= cases[k].loss_value * (1 + 1e-6),
			      "%zu: loss %.10g above the bounded optimum %.10g", k, m.loss_value,
			      cases[k].loss_value);
	}
}
END_TEST

START_TEST(test_usl_published)
{
	/* codahale/usl's test measurements (model_test.go) and its published
	 * fit: sigma 0.02671591, kappa 7.690945e-4, lambda 995.6486 */
	static const double cw[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
				     31, 32 };
	static const double cx[] = {
		955.16, 1878.91, 2688.01, 3548.68, 4315.54, 5130.43, 5931.37, 6531.08,
		7219.8, 7867.61, 8278.71, 8646.7, 9047.84, 9426.55, 9645.37, 9897.24,
		10097.6, 10240.5, 10532.39, 10798.52, 11151.43, 11518.63, 11806, 12089.37,
		12075.41, 12177.29, 12211.41, 12158.93, 12155.27, 12118.04, 12140.4, 12074.39,
	};
	/* R's usl package, tests/t02.R: its data and published coefficients
	 * sigma 0.02 and kappa 0.02 (3 significant digits); the data are the
	 * law with lambda 1 rounded to 4 decimals */
	static const double rw[] = { 1, 2, 4, 6, 8, 10 };
	static const double rx[] = { 1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557 };
	/* R usl's raytracer data set (Gunther, Guerrilla Capacity Planning)
	 * and its published fit (tests/confint.Rout.save): sigma 0.0578,
	 * kappa 0.0000 (on the bound), lambda 21.8488 */
	static const double tw[] = { 1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64 };
	static const double tx[] = { 20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310 };
	struct pt_usl_model m;

	ck_assert_int_eq(pt_usl_fit_points(cw, cx, 32, &m), 0);
	ck_assert_str_eq(m.loss, "ols");
	ck_assert_msg(close_rel(m.sigma, 0.02671591, 0.01), "sigma %.8g", m.sigma);
	ck_assert_msg(close_rel(m.kappa, 7.690945e-4, 0.01), "kappa %.8g", m.kappa);
	ck_assert_msg(close_rel(m.lambda, 995.6486, 0.01), "lambda %.8g", m.lambda);
	ck_assert_int_eq(pt_usl_fit_points(rw, rx, 6, &m), 0);
	ck_assert_msg(close_rel(m.sigma, 0.02, 0.01), "sigma %.8g", m.sigma);
	ck_assert_msg(close_rel(m.kappa, 0.02, 0.01), "kappa %.8g", m.kappa);
	ck_assert_msg(close_rel(m.lambda, 1, 0.01), "lambda %.8g", m.lambda);
	ck_assert_int_eq(pt_usl_fit_points(tw, tx, 11, &m), 0);
	ck_assert_msg(close_rel(m.sigma, 0.0578, 0.01), "sigma %.8g", m.sigma);
	ck_assert_msg(m.kappa < 5e-5, "kappa %.8g", m.kappa);
	ck_assert_msg(close_rel(m.lambda, 21.8488, 0.01), "lambda %.8g", m.lambda);
}
END_TEST

START_TEST(test_usl_peak_interval)
{
	double w[48], x[48];
	uint64_t seed = 777;
	struct pt_usl_model m;
	double peak = sqrt((1 - 0.03) / 0.004);

	usl_points(1000, 0.03, 0.004, w, x);
	ck_assert_int_eq(pt_usl_fit_points(w, x, 16, &m), 0);
	ck_assert_msg(m.peak_low <= peak && peak <= m.peak_high, "[%.17g, %.17g] for %.17g",
		      m.peak_low, m.peak_high, peak);
	for (int r = 0; r < 3; r++) {
		usl_points(1000, 0.03, 0.004, w + 16 * r, x + 16 * r);
		for (int i = 0; i < 16; i++) {
			double u = (double)(pt_rand_next(&seed) % 20001) / 10000.0 - 1.0;

			x[16 * r + i] *= 1 + 0.03 * u;
		}
	}
	ck_assert_int_eq(pt_usl_fit_points(w, x, 48, &m), 0);
	ck_assert(m.peak_high - m.peak_low > 0.1);
	ck_assert_msg(m.peak_low <= peak && peak <= m.peak_high, "[%g, %g]", m.peak_low,
		      m.peak_high);
	ck_assert(m.sigma_se > 0 && m.kappa_se > 0 && m.lambda_se > 0);
	/* without a peak there is no interval */
	usl_points(2000, 0.2, 0, w, x);
	ck_assert_int_eq(pt_usl_fit_points(w, x, 16, &m), 0);
	ck_assert(isnan(m.peak_low) && isnan(m.peak_high));
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
	ck_assert_int_eq(pt_usl_fit_loss(w, x, 4, (enum pt_usl_loss)7, &m), -EINVAL);
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

/* Parse LEN bytes of TEXT; the status, with the rows freed. */
static int parse(const char *text, size_t len, size_t *n)
{
	double *w = NULL, *x = NULL;
	int ret = pt_fit_parse_csv("t.csv", text, len, &w, &x, n);

	free(w);
	free(x);
	return ret;
}

/* TEXT (a C string) must be refused with a message containing WANT. */
static void refused(const char *text, const char *want)
{
	size_t n = 0;

	ck_assert_msg(parse(text, strlen(text), &n) < 0, "'%s' accepted", text);
	ck_assert_msg(strstr(pt_last_error(), want), "'%s': '%s' lacks '%s'", text,
		      pt_last_error(), want);
}

START_TEST(test_csv_hostile)
{
	static const char bom[] = "\xef\xbb\xbf" "1,100\n2,190\n";
	static const char bom_header[] = "\xef\xbb\xbf" "workers,throughput\n1,100\n";
	static const char nul_first[] = "\0" "1,100\n2,190\n";
	static const char nul_inside[] = "1,100\n2,19\0" "0\n";
	static const char nul_comment[] = "1,100\n# a\0\n";
	static const char ok[] = "+1,5\n1e3,.5\n1000000,2.\n";
	double *w = NULL, *x = NULL;
	size_t n = 0;
	char *big;

	/* a byte order mark is skipped, and the row after it kept */
	ck_assert_int_eq(pt_fit_parse_csv("b.csv", bom, sizeof(bom) - 1, &w, &x, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq(w[0], 1);
	ck_assert_double_eq(x[0], 100);
	free(w);
	free(x);
	ck_assert_int_eq(parse(bom_header, sizeof(bom_header) - 1, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(parse("\"workers\", \"ops/s\"\n1,2\n", 23, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(parse("N,X\n1,2\n", 8, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* a first row that is a malformed number is data, and refused */
	refused("1,NaN\n2,190\n", "t.csv:1: '1,NaN' is not a pair of numbers: throughput 'NaN' "
		"is not a decimal number");
	refused("1,1e999\n2,190\n", "t.csv:1: throughput 1e999 is out of the range of a double");
	refused("1,1e-400\n", "t.csv:1: throughput 1e-400 is out of the range of a double");
	refused("nan,nan\n1,2\n", "t.csv:1: 'nan,nan' is not a pair of numbers");
	refused("workers,inf\n1,2\n", "t.csv:1:");
	refused("1,100\nworkers,throughput\n", "t.csv:2: 'workers,throughput' is not a pair");
	/* strictly decimal: no hexadecimal, hexadecimal floats, infinity */
	refused("0x10,100\n", "t.csv:1: '0x10,100' is not a pair of numbers: worker count "
		"'0x10' is not a decimal number");
	refused("1,100\n2,0x1p8\n", "t.csv:2: '2,0x1p8' is not a pair of numbers: throughput "
		"'0x1p8' is not a decimal number");
	refused("1,100\n2,infinity\n", "throughput 'infinity' is not a decimal number");
	refused("1,100\n2,-nan\n", "throughput '-nan' is not a decimal number");
	refused("1,100\n2,1e\n", "throughput '1e' is not a decimal number");
	refused("1,100\n2,.\n", "throughput '.' is not a decimal number");
	refused("1,100\n2,\"5\n", "throughput '\"5' is not a decimal number");
	refused("1,1000000000000000000000000000000000000000000000000000000000000000000\n",
		"throughput '100000000000000000000000000000000000000000000000...' is too long "
		"for a number (over 64 characters)");
	refused("1,1e-300\n", "t.csv:1: throughput 1e-300 is out of range: expected 1e-100 to 1e+100");
	refused("1,2e100\n", "t.csv:1: throughput 2e100 is out of range: expected 1e-100 to 1e+100");
	/* worker counts: positive integers up to the CLI's bound */
	refused("2.5,100\n", "t.csv:1: worker count 2.5 must be a positive integer");
	refused("0,100\n", "t.csv:1: worker count 0 must be a positive integer");
	refused("1000001,100\n", "t.csv:1: worker count 1000001 is out of range: at most 1000000");
	refused("1e999,100\n", "t.csv:1: worker count 1e999 is out of range: at most 1000000");
	ck_assert_int_eq(pt_fit_parse_csv("t.csv", ok, sizeof(ok) - 1, &w, &x, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_double_eq(w[0], 1);
	ck_assert_double_eq(w[1], 1000);
	ck_assert_double_eq(x[1], 0.5);
	ck_assert_double_eq(w[2], 1000000);
	free(w);
	free(x);
	ck_assert_int_eq(pt_fit_parse_csv("t.csv", "1,1e100\n2,1e-100\n", 17, &w, &x, &n), 0);
	ck_assert_uint_eq(n, 2);
	free(w);
	free(x);
	/* a NUL anywhere, even first on a line or in a comment, is binary data */
	ck_assert_int_eq(parse(nul_first, sizeof(nul_first) - 1, &n), -EINVAL);
	ck_assert_str_eq(pt_last_error(), "t.csv:1: binary data (a NUL byte at offset 0); "
			 "expected workers,throughput rows");
	ck_assert_int_eq(parse(nul_inside, sizeof(nul_inside) - 1, &n), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "t.csv:2: binary data (a NUL byte at "
				     "offset 10)"));
	ck_assert_int_eq(parse(nul_comment, sizeof(nul_comment) - 1, &n), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "t.csv:2: binary data (a NUL byte at "
				     "offset 9)"));
	/* terminal controls are not passed into messages */
	refused("1,\x1b]0;title\x07\n", "throughput '\\x1b]0;title\\x07' is not a decimal number");
	/* the bounds: 64 MiB and a million rows */
	big = malloc((64 << 20) + 1);
	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < 1000001; i++)
		memcpy(big + 4 * i, "1,1\n", 4);
	ck_assert_int_eq(pt_fit_parse_csv("t.csv", big, 4 * 1000000, &w, &x, &n), 0);
	ck_assert_uint_eq(n, 1000000);
	free(w);
	free(x);
	ck_assert_int_eq(parse(big, 4 * 1000001, &n), -EFBIG);
	ck_assert_str_eq(pt_last_error(), "t.csv:1000001: more than 1000000 rows, the most fit reads");
	memset(big, '\n', (64 << 20) + 1);
	ck_assert_int_eq(parse(big, 64 << 20, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(parse(big, (64 << 20) + 1, &n), -EFBIG);
	ck_assert_str_eq(pt_last_error(), "'t.csv' is larger than 64 MiB, the most fit reads");
	free(big);
	/* an endless file ends at the bound */
	ck_assert_int_eq(pt_fit_read_csv("/dev/zero", &w, &x, &n), -EFBIG);
	ck_assert_str_eq(pt_last_error(), "'/dev/zero' is larger than 64 MiB, the most fit reads");
}
END_TEST

START_TEST(test_usl_many_points)
{
	/* 300,000 points of 3 counts: the distinct counts are told in linear
	 * time (pairwise comparison took minutes), and refused */
	const size_t n = 300000;
	double *w = malloc(n * sizeof(*w)), *x = malloc(n * sizeof(*x));
	struct pt_usl_model m;

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(x);
	for (size_t i = 0; i < n; i++) {
		w[i] = (double)(1 + i % 3);
		x[i] = 100 * w[i];
	}
	ck_assert_int_eq(pt_usl_fit_points(w, x, n, &m), -EINVAL);
	ck_assert_str_eq(pt_last_error(), "3 distinct worker counts; the model needs at least 4");
	free(w);
	free(x);
}
END_TEST

Suite *suite_usl(void)
{
	Suite *s = suite_create("usl");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_usl_exact);
	tcase_add_test(tc, test_usl_noisy);
	tcase_add_test(tc, test_usl_bounded);
	tcase_add_test(tc, test_usl_published);
	tcase_add_test(tc, test_usl_peak_interval);
	tcase_add_test(tc, test_usl_refuses);
	tcase_add_test(tc, test_csv_reader);
	tcase_add_test(tc, test_csv_hostile);
	tcase_add_test(tc, test_usl_many_points);
	suite_add_tcase(s, tc);
	return s;
}
