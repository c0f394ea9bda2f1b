/* check_hist.c - the log-linear latency histogram: buckets, quantiles, moments, merge */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "stats/hist.h"

static struct pt_hist *hist_new(void)
{
	struct pt_hist *h = malloc(sizeof(*h));

	ck_assert_ptr_nonnull(h);
	pt_hist_clear(h);
	return h;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static void assert_rel(double got, double want, double rel, const char *what)
{
	double err = want != 0.0 ? fabs(got - want) / fabs(want) : fabs(got);

	ck_assert_msg(err <= rel, "%s: got %.17g, want %.17g (relative error %g > %g)",
		      what, got, want, err, rel);
}

START_TEST(test_exact_below_128)
{
	struct pt_hist *h = hist_new();
	uint64_t lo, hi;

	for (uint64_t v = 0; v < PT_HIST_SUB; v++) {
		ck_assert_uint_eq(pt_hist_index(v), v);
		pt_hist_bucket_range((unsigned)v, &lo, &hi);
		ck_assert_uint_eq(lo, v);
		ck_assert_uint_eq(hi, v);
		for (uint64_t k = 0; k <= v; k++)
			pt_hist_record(h, v);
	}
	for (unsigned i = 0; i < PT_HIST_SUB; i++)
		ck_assert_uint_eq(h->buckets[i], i + 1);
	ck_assert_uint_eq(h->buckets[PT_HIST_SUB], 0);
	ck_assert_uint_eq(pt_hist_index(PT_HIST_SUB), PT_HIST_SUB);
	ck_assert_double_eq(pt_hist_quantile(h, 1e-9), 0.0);
	ck_assert_double_eq(pt_hist_quantile(h, 1.0), 127.0);
	ck_assert_double_eq(pt_hist_quantile(h, 0.5), 90.0);
	free(h);
}
END_TEST

START_TEST(test_buckets_contiguous_and_covering)
{
	uint64_t lo, hi, next_lo, next_hi, prev_hi = 0;

	ck_assert_uint_eq(PT_HIST_BUCKETS, 7424);
	pt_hist_bucket_range(0, &lo, &hi);
	ck_assert_uint_eq(lo, 0);
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++) {
		pt_hist_bucket_range(i, &lo, &hi);
		ck_assert_msg(lo <= hi, "bucket %u: lo %llu > hi %llu", i,
			      (unsigned long long)lo, (unsigned long long)hi);
		if (i > 0)
			ck_assert_msg(lo == prev_hi + 1, "bucket %u starts at %llu, previous ends at %llu",
				      i, (unsigned long long)lo, (unsigned long long)prev_hi);
		ck_assert_uint_eq(pt_hist_index(lo), i);
		ck_assert_uint_eq(pt_hist_index(hi), i);
		ck_assert_uint_eq(pt_hist_index(lo + (hi - lo) / 2), i);
		if (i + 1 < PT_HIST_BUCKETS) {
			pt_hist_bucket_range(i + 1, &next_lo, &next_hi);
			ck_assert_uint_eq(next_lo, hi + 1);
		}
		prev_hi = hi;
	}
	ck_assert_uint_eq(prev_hi, UINT64_MAX);
	ck_assert_uint_eq(pt_hist_index(UINT64_MAX), PT_HIST_BUCKETS - 1);
}
END_TEST

START_TEST(test_bucket_width_bound)
{
	uint64_t lo, hi;

	for (unsigned i = PT_HIST_SUB; i < PT_HIST_BUCKETS; i++) {
		double mid, worst;

		pt_hist_bucket_range(i, &lo, &hi);
		mid = ((double)lo + (double)hi) / 2.0;
		worst = fmax(mid - (double)lo, (double)hi - mid) / (double)lo;
		ck_assert_msg(worst <= PT_HIST_REL_ERROR * (1 + 1e-12),
			      "bucket %u [%llu, %llu]: midpoint off by %g", i,
			      (unsigned long long)lo, (unsigned long long)hi, worst);
	}
}
END_TEST

START_TEST(test_quantiles_uniform)
{
	struct pt_hist *h = hist_new();
	struct pt_latency l;

	for (uint64_t v = 100000; v >= 1; v--)
		pt_hist_record(h, v);
	ck_assert_uint_eq(h->count, 100000);
	ck_assert_uint_eq(h->min, 1);
	ck_assert_uint_eq(h->max, 100000);
	assert_rel(pt_hist_quantile(h, 0.50), 50000, PT_HIST_REL_ERROR, "p50");
	assert_rel(pt_hist_quantile(h, 0.90), 90000, PT_HIST_REL_ERROR, "p90");
	assert_rel(pt_hist_quantile(h, 0.99), 99000, PT_HIST_REL_ERROR, "p99");
	assert_rel(pt_hist_quantile(h, 0.999), 99900, PT_HIST_REL_ERROR, "p99.9");
	assert_rel(pt_hist_quantile(h, 0.001), 100, PT_HIST_REL_ERROR, "p0.1");
	ck_assert_double_eq(pt_hist_quantile(h, 0.0), 1.0);
	ck_assert_double_eq(pt_hist_quantile(h, 1.0), 100000.0);
	ck_assert_double_eq_tol(pt_hist_mean(h), 50000.5, 1e-9);
	assert_rel(pt_hist_stddev(h), sqrt(100000.0 * 100001.0 / 12.0), 1e-9, "stddev");

	pt_hist_summary(h, &l);
	ck_assert_uint_eq(l.count, 100000);
	ck_assert_double_eq(l.min, 1.0);
	ck_assert_double_eq(l.max, 100000.0);
	ck_assert_double_eq(l.mean, pt_hist_mean(h));
	ck_assert_double_eq(l.stddev, pt_hist_stddev(h));
	ck_assert_double_eq(l.p50, pt_hist_quantile(h, 0.50));
	ck_assert_double_eq(l.p90, pt_hist_quantile(h, 0.90));
	ck_assert_double_eq(l.p99, pt_hist_quantile(h, 0.99));
	ck_assert_double_eq(l.p999, pt_hist_quantile(h, 0.999));
	free(h);
}
END_TEST

START_TEST(test_quantile_monotonic)
{
	struct pt_hist *h = hist_new();
	double prev = -1;

	for (int i = 0; i < 20000; i++)
		pt_hist_record(h, rng_next() >> (rng_next() % 64));
	for (int k = 0; k <= 1000; k++) {
		double q = pt_hist_quantile(h, k / 1000.0);

		ck_assert_msg(q >= prev, "quantile %d/1000 = %g < %g", k, q, prev);
		ck_assert(q >= (double)h->min && q <= (double)h->max);
		prev = q;
	}
	free(h);
}
END_TEST

START_TEST(test_relative_error_random)
{
	struct pt_hist *h = hist_new();

	for (int i = 0; i < 20000; i++) {
		uint64_t v = rng_next() >> (rng_next() % 64);
		double q;

		if (v == 0)
			v = 1;
		pt_hist_clear(h);
		pt_hist_record(h, v);
		ck_assert_double_eq(pt_hist_quantile(h, 0.5), (double)v);
		/* bracket V so the midpoint is not clamped to min/max */
		pt_hist_clear(h);
		pt_hist_record(h, 0);
		pt_hist_record(h, v);
		pt_hist_record(h, UINT64_MAX);
		q = pt_hist_quantile(h, 0.5);
		ck_assert_msg(fabs(q - (double)v) <= PT_HIST_REL_ERROR * (double)v * (1 + 1e-12),
			      "value %llu reported as %.17g", (unsigned long long)v, q);
	}
	free(h);
}
END_TEST

static void assert_same_hist(const struct pt_hist *a, const struct pt_hist *b)
{
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->min, b->min);
	ck_assert_uint_eq(a->max, b->max);
	ck_assert_uint_eq(a->sum, b->sum);
	ck_assert_int_eq(memcmp(a->buckets, b->buckets, sizeof(a->buckets)), 0);
	assert_rel(pt_hist_mean(a), pt_hist_mean(b), 1e-9, "mean");
	assert_rel(pt_hist_stddev(a), pt_hist_stddev(b), 1e-9, "stddev");
	for (int k = 1; k < 100; k++)
		ck_assert_double_eq(pt_hist_quantile(a, k / 100.0), pt_hist_quantile(b, k / 100.0));
}

START_TEST(test_merge_equals_single)
{
	struct pt_hist *a = hist_new(), *b = hist_new(), *all = hist_new();

	for (int i = 0; i < 5000; i++) {
		uint64_t v = 1000000000u + rng_next() % 100000;

		pt_hist_record(a, v);
		pt_hist_record(all, v);
	}
	for (int i = 0; i < 3000; i++) {
		uint64_t v = 200 + rng_next() % 5000;

		pt_hist_record(b, v);
		pt_hist_record(all, v);
	}
	ck_assert_double_ne(a->shift, b->shift);
	pt_hist_merge(a, b);
	assert_same_hist(a, all);
	ck_assert_double_gt(pt_hist_stddev(a), 1e8);
	free(a);
	free(b);
	free(all);
}
END_TEST

START_TEST(test_merge_with_empty)
{
	struct pt_hist *a = hist_new(), *empty = hist_new(), *copy = hist_new();

	for (uint64_t v = 10; v < 5000; v += 7) {
		pt_hist_record(a, v);
		pt_hist_record(copy, v);
	}
	pt_hist_merge(a, empty);
	assert_same_hist(a, copy);
	pt_hist_merge(empty, a);
	assert_same_hist(empty, copy);
	free(a);
	free(empty);
	free(copy);
}
END_TEST

START_TEST(test_merge_many_workers)
{
	struct pt_hist *parts[4], *merged = hist_new(), *all = hist_new();

	for (int w = 0; w < 4; w++) {
		parts[w] = hist_new();
		for (int i = 0; i < 1000 * (w + 1); i++) {
			uint64_t v = (uint64_t)(w + 1) * 100000u + rng_next() % 50000;

			pt_hist_record(parts[w], v);
			pt_hist_record(all, v);
		}
	}
	for (int w = 3; w >= 0; w--) {
		pt_hist_merge(merged, parts[w]);
		free(parts[w]);
	}
	assert_same_hist(merged, all);
	free(merged);
	free(all);
}
END_TEST

START_TEST(test_stddev_known)
{
	struct pt_hist *h = hist_new();
	const int n = 1000;

	for (int i = 0; i < n; i++)
		pt_hist_record(h, i % 2 ? 3000 : 1000);
	ck_assert_double_eq_tol(pt_hist_mean(h), 2000.0, 1e-9);
	assert_rel(pt_hist_stddev(h), 1000.0 * sqrt((double)n / (n - 1)), 1e-12, "stddev");
	ck_assert_double_eq_tol(pt_hist_stddev(h), 1000.5, 0.01);

	pt_hist_clear(h);
	for (int i = 0; i < 100; i++)
		pt_hist_record(h, 123456789);
	ck_assert_double_eq(pt_hist_stddev(h), 0.0);
	ck_assert_double_eq(pt_hist_mean(h), 123456789.0);

	pt_hist_clear(h);
	pt_hist_record(h, 5);
	ck_assert_double_eq(pt_hist_stddev(h), 0.0);
	pt_hist_record(h, 7);
	assert_rel(pt_hist_stddev(h), sqrt(2.0), 1e-12, "stddev of {5, 7}");
	free(h);
}
END_TEST

START_TEST(test_stddev_large_offset)
{
	struct pt_hist *h = hist_new();

	/* 10^12 +- 1: a naive sum of squares would lose all precision */
	for (int i = 0; i < 10000; i++)
		pt_hist_record(h, i % 2 ? 1000000000001ull : 999999999999ull);
	assert_rel(pt_hist_stddev(h), sqrt(10000.0 / 9999.0), 1e-6, "stddev");
	free(h);
}
END_TEST

START_TEST(test_empty)
{
	struct pt_hist *h = hist_new();
	struct pt_latency l;

	memset(&l, 0xff, sizeof(l));
	ck_assert_uint_eq(h->count, 0);
	ck_assert_double_eq(pt_hist_quantile(h, 0.5), 0.0);
	ck_assert_double_eq(pt_hist_quantile(h, 0.0), 0.0);
	ck_assert_double_eq(pt_hist_quantile(h, 1.0), 0.0);
	ck_assert_double_eq(pt_hist_mean(h), 0.0);
	ck_assert_double_eq(pt_hist_stddev(h), 0.0);
	pt_hist_summary(h, &l);
	ck_assert_uint_eq(l.count, 0);
	ck_assert_double_eq(l.min, 0.0);
	ck_assert_double_eq(l.max, 0.0);
	ck_assert_double_eq(l.mean, 0.0);
	ck_assert_double_eq(l.stddev, 0.0);
	ck_assert_double_eq(l.p50, 0.0);
	ck_assert_double_eq(l.p90, 0.0);
	ck_assert_double_eq(l.p99, 0.0);
	ck_assert_double_eq(l.p999, 0.0);

	pt_hist_record(h, 42);
	pt_hist_clear(h);
	pt_hist_summary(h, &l);
	ck_assert_uint_eq(l.count, 0);
	ck_assert_double_eq(l.max, 0.0);
	free(h);
}
END_TEST

Suite *suite_hist(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("buckets");

	tcase_add_test(tc, test_exact_below_128);
	tcase_add_test(tc, test_buckets_contiguous_and_covering);
	tcase_add_test(tc, test_bucket_width_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("quantiles");
	tcase_add_test(tc, test_quantiles_uniform);
	tcase_add_test(tc, test_quantile_monotonic);
	tcase_add_test(tc, test_relative_error_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("moments");
	tcase_add_test(tc, test_merge_equals_single);
	tcase_add_test(tc, test_merge_with_empty);
	tcase_add_test(tc, test_merge_many_workers);
	tcase_add_test(tc, test_stddev_known);
	tcase_add_test(tc, test_stddev_large_offset);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return s;
}
