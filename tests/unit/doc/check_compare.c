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

Suite *suite_compare(void)
{
	Suite *s = suite_create("compare");
	TCase *t = tcase_create("gate");

	tcase_add_test(t, gate_detects_a_regression);
	tcase_add_test(t, gate_passes_noise_and_small_changes);
	tcase_add_test(t, gate_noise_is_inconclusive);
	tcase_add_test(t, gate_inconclusive_and_strict);
	tcase_add_test(t, gate_metrics_and_threshold);
	tcase_add_test(t, gate_needs_common_counts_and_flags_failures);
	tcase_add_test(t, gate_json_document);
	tcase_add_test(t, gate_minimum_trials);
	suite_add_tcase(s, t);
	return s;
}
