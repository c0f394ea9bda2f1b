/* check_compare.c - the regression gate: verdicts per metric, thresholds, strictness, its JSON */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"
#include "testdoc.h"

static pt_compare *compare(const double *xb, size_t nb, const double *xn, size_t nn,
			   const struct pt_compare_config *c, pt_doc **b, pt_doc **n)
{
	unsigned w[16];

	for (int i = 0; i < 16; i++)
		w[i] = 4;
	*b = parse_tree(make_doc("run", w, xb, nb), NULL);
	*n = parse_tree(make_doc("run", w, xn, nn), NULL);
	return pt_compare_new(*b, *n, c);
}

START_TEST(gate_detects_a_regression)
{
	double base[] = { 1000, 1010, 990, 1005, 995 }, slow[] = { 900, 905, 895, 910, 890 };
	struct pt_compare_config c;
	const struct pt_compare_row *r;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	cmp = compare(base, 5, slow, 5, &c, &b, &n);
	ck_assert_ptr_nonnull(cmp);
	ck_assert_uint_eq(pt_compare_count(cmp), 1);
	r = pt_compare_row(cmp, 0);
	ck_assert_uint_eq(r->workers, 4);
	ck_assert_str_eq(r->placement, "none");
	ck_assert_int_eq(r->m[PT_METRIC_THROUGHPUT].change, PT_CHANGE_REGRESSION);
	ck_assert(r->m[PT_METRIC_THROUGHPUT].fails);
	ck_assert_double_eq_tol(r->m[PT_METRIC_THROUGHPUT].ratio, 0.9, 0.01);
	ck_assert_double_lt(r->m[PT_METRIC_THROUGHPUT].ratio_high, 0.95);
	ck_assert_double_lt(r->m[PT_METRIC_THROUGHPUT].p_regression, 0.05);
	/* p99 = 1e9 / throughput got worse too, but is not gated */
	ck_assert_int_eq(r->m[PT_METRIC_P99].change, PT_CHANGE_REGRESSION);
	ck_assert(!r->m[PT_METRIC_P99].fails);
	ck_assert_int_eq(r->m[PT_METRIC_MEMORY].change, PT_CHANGE_SAME);
	ck_assert(pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
}
END_TEST

START_TEST(gate_passes_noise_and_small_changes)
{
	double base[] = { 1000, 1010, 990, 1005, 995 }, same[] = { 1002, 996, 1008, 992, 1001 };
	double small[] = { 980, 975, 985, 978, 982 };
	struct pt_compare_config c;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	cmp = compare(base, 5, same, 5, &c, &b, &n);
	ck_assert_int_eq(pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT].change, PT_CHANGE_SAME);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
	/* 2% slower, clearly: worse, but within the 5% threshold */
	cmp = compare(base, 5, small, 5, &c, &b, &n);
	ck_assert_int_eq(pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT].change, PT_CHANGE_WORSE);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
}
END_TEST

START_TEST(gate_noise_is_inconclusive)
{
	/* a 10% slower median, but trials spread over +-30%: a regression is
	 * neither shown nor excluded, and "same" would be a false assurance */
	double base[] = { 1000, 1010, 990, 1005, 995 }, wild[] = { 650, 1250, 900, 1150, 700 };
	struct pt_compare_config c;
	const struct pt_compare_metric *m;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	cmp = compare(base, 5, wild, 5, &c, &b, &n);
	m = &pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT];
	ck_assert_int_eq(m->change, PT_CHANGE_NOISY);
	ck_assert_double_lt(m->ratio_low, 0.95);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	c.strict = 1;
	cmp = pt_compare_new(b, n, &c);
	ck_assert(pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
	ck_assert_str_eq(pt_change_name(PT_CHANGE_NOISY), "noisy");
}
END_TEST

START_TEST(gate_inconclusive_and_strict)
{
	double base[] = { 1000, 1010 }, slow[] = { 800, 790 };
	struct pt_compare_config c;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	cmp = compare(base, 2, slow, 2, &c, &b, &n);
	ck_assert_int_eq(pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT].change,
			 PT_CHANGE_INCONCLUSIVE);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	c.strict = 1;
	cmp = pt_compare_new(b, n, &c);
	ck_assert(pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
}
END_TEST

START_TEST(gate_metrics_and_threshold)
{
	double base[] = { 1000, 1010, 990, 1005, 995 }, slow[] = { 900, 905, 895, 910, 890 };
	struct pt_compare_config c;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	c.threshold = 0.20;   /* 10% slower is within 20% */
	cmp = compare(base, 5, slow, 5, &c, &b, &n);
	ck_assert_int_eq(pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT].change, PT_CHANGE_WORSE);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_compare_config_init(&c);
	c.gate = 1u << PT_METRIC_MEMORY;
	cmp = pt_compare_new(b, n, &c);
	ck_assert(!pt_compare_failed(cmp));
	pt_compare_free(cmp);
	c.gate = 1u << PT_METRIC_P99;
	cmp = pt_compare_new(b, n, &c);
	ck_assert(pt_compare_failed(cmp));
	pt_compare_free(cmp);
	c.threshold = 0;
	ck_assert_ptr_null(pt_compare_new(b, n, &c));
	ck_assert_int_eq(errno, EINVAL);
	pt_doc_free(b);
	pt_doc_free(n);
	ck_assert_int_eq(pt_metric_parse("p99"), PT_METRIC_P99);
	ck_assert_int_eq(pt_metric_parse("latency"), -EINVAL);
	ck_assert_str_eq(pt_change_name(PT_CHANGE_REGRESSION), "regression");
}
END_TEST

START_TEST(gate_needs_common_counts_and_flags_failures)
{
	unsigned w1[] = { 1, 1, 1 }, w2[] = { 2, 2, 2 };
	double x[] = { 100, 101, 99 }, failed[] = { 0, 0, 0 };
	struct pt_compare_config c;
	pt_doc *b, *n;
	pt_compare *cmp;

	pt_compare_config_init(&c);
	b = parse_tree(make_doc("run", w1, x, 3), NULL);
	n = parse_tree(make_doc("run", w2, x, 3), NULL);
	ck_assert_ptr_null(pt_compare_new(b, n, &c));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "no worker count and placement in common"));
	pt_doc_free(n);
	n = parse_tree(make_doc("run", w1, failed, 3), NULL);
	cmp = pt_compare_new(b, n, &c);
	ck_assert_int_eq(pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT].change, PT_CHANGE_FAILED);
	ck_assert(pt_compare_failed(cmp));
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
}
END_TEST

START_TEST(gate_json_document)
{
	double base[] = { 1000, 1010, 990, 1005, 995 }, slow[] = { 900, 905, 895, 910, 890 };
	struct pt_compare_config c;
	pt_doc *b, *n;
	pt_compare *cmp;
	cJSON *j;

	pt_compare_config_init(&c);
	cmp = compare(base, 5, slow, 5, &c, &b, &n);
	j = json_parse_free(pt_compare_json(cmp));
	ck_assert_str_eq(json_str(j, "schema"), "proftune-compare/1");
	ck_assert(cJSON_IsTrue(json_at(j, "regression")));
	ck_assert_str_eq(json_str(j, "rows.0.metrics.throughput.verdict"), "regression");
	ck_assert_double_eq(json_num(j, "min_trials"), 3);
	cJSON_Delete(j);
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(n);
}
END_TEST

START_TEST(gate_minimum_trials)
{
	/* the fewest trials per side with which a 5% or 1% test can reject:
	 * 1 / C(6,3) = 1/20 <= 0.05; C(8,4) = 70 < 100 <= C(10,5) = 252 */
	ck_assert_uint_eq(pt_compare_min_trials(0.05), 3);
	ck_assert_uint_eq(pt_compare_min_trials(0.01), 5);
}
END_TEST

START_TEST(gate_large_samples)
{
	/* 20,000 trials a side at one count, the new 10% slower: the pairwise
	 * differences (4 * 10^8 of them) took over 8 GB when stored */
	const size_t n = 20000;
	unsigned *w = malloc(n * sizeof(*w)), seed = 3;
	double *xb = malloc(n * sizeof(*xb)), *xn = malloc(n * sizeof(*xn));
	const struct pt_compare_metric *m;
	struct pt_compare_config c;
	pt_doc *b, *d;
	pt_compare *cmp;

	ck_assert(w && xb && xn);
	for (size_t i = 0; i < n; i++) {
		w[i] = 2;
		xb[i] = 1000 * (1 + 0.02 * ((double)rand_r(&seed) / RAND_MAX - 0.5));
		xn[i] = 900 * (1 + 0.02 * ((double)rand_r(&seed) / RAND_MAX - 0.5));
	}
	b = parse_tree(make_doc("run", w, xb, n), NULL);
	d = parse_tree(make_doc("run", w, xn, n), NULL);
	pt_compare_config_init(&c);
	cmp = pt_compare_new(b, d, &c);
	ck_assert_ptr_nonnull(cmp);
	ck_assert_uint_eq(pt_compare_count(cmp), 1);
	m = &pt_compare_row(cmp, 0)->m[PT_METRIC_THROUGHPUT];
	ck_assert_uint_eq(m->n_base, n);
	ck_assert_uint_eq(m->n_new, n);
	ck_assert_int_eq(m->change, PT_CHANGE_REGRESSION);
	ck_assert_double_eq_tol(m->ratio, 0.9, 0.001);
	ck_assert_double_le(m->ratio_low, m->ratio);
	ck_assert_double_ge(m->ratio_high, m->ratio);
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(d);
	free(w);
	free(xb);
	free(xn);
}
END_TEST

/* D with the worker count of trial I set to W[I] (the documents are made
 * with one worker a trial, to keep them small). */
static cJSON *with_workers(cJSON *d, const unsigned *w)
{
	cJSON *t;
	size_t i = 0;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(d, "trials"))
		cJSON_SetNumberValue(cJSON_GetObjectItem(t, "workers"), w[i++]);
	return d;
}

START_TEST(gate_many_rows)
{
	/* 3,000 counts, their trials interleaved and in no order: one row
	 * each, in order of count, with its own trials */
	const size_t counts = 3000, n = 3 * counts;
	unsigned *w = malloc(n * sizeof(*w)), *one = malloc(n * sizeof(*one));
	double *x = malloc(n * sizeof(*x));
	struct pt_compare_config c;
	pt_doc *b, *d;
	pt_compare *cmp;

	ck_assert(w && one && x);
	for (size_t i = 0; i < n; i++) {
		w[i] = (unsigned)(1 + (i * 7919) % counts);
		one[i] = 1;
		x[i] = 100.0 * w[i] + (double)(i / counts);
	}
	b = parse_tree(with_workers(make_doc("run", one, x, n), w), NULL);
	d = parse_tree(with_workers(make_doc("run", one, x, n - 3), w), NULL);
	pt_compare_config_init(&c);
	cmp = pt_compare_new(b, d, &c);
	ck_assert_ptr_nonnull(cmp);
	ck_assert_uint_eq(pt_compare_count(cmp), counts);
	for (size_t i = 0; i < counts; i++) {
		const struct pt_compare_row *r = pt_compare_row(cmp, i);

		ck_assert_uint_eq(r->workers, i + 1);
		ck_assert_uint_eq(r->base_trials, 3);
		ck_assert_uint_le(r->new_trials, 3);
		ck_assert_double_eq(r->m[PT_METRIC_THROUGHPUT].base_median, 100.0 * (i + 1) + 1);
	}
	pt_compare_free(cmp);
	pt_doc_free(b);
	pt_doc_free(d);
	free(w);
	free(one);
	free(x);
}
END_TEST

Suite *suite_compare(void)
{
	Suite *s = suite_create("compare");
	TCase *t = tcase_create("gate");

	/* gate_large_samples parses and compares two documents of 20,000
	 * trials: a second here, more than Check's default 4 s allows on an
	 * instrumented build */
	tcase_set_timeout(t, 120);

	tcase_add_test(t, gate_detects_a_regression);
	tcase_add_test(t, gate_passes_noise_and_small_changes);
	tcase_add_test(t, gate_noise_is_inconclusive);
	tcase_add_test(t, gate_inconclusive_and_strict);
	tcase_add_test(t, gate_metrics_and_threshold);
	tcase_add_test(t, gate_needs_common_counts_and_flags_failures);
	tcase_add_test(t, gate_json_document);
	tcase_add_test(t, gate_minimum_trials);
	tcase_add_test(t, gate_large_samples);
	tcase_add_test(t, gate_many_rows);
	suite_add_tcase(s, t);
	return s;
}
