/* check_report.c - reading documents back: validation, per-count views, the regression gate */
#include "config.h"

#include <errno.h>
#include <math.h>

#include "../check.h"
#include "stats/rank.h"
#include "proftune.h"

/* ---- Mann-Whitney U ------------------------------------------------------------- */

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

START_TEST(mwu_normal_agrees_with_exact)
{
	/* 50 x 50 is the largest exact case, 50 x 51 uses the approximation:
	 * their tails must be close at the one-sided 5% point */
	double exact = pt_mwu_cdf(50, 50, 1000), approx = pt_mwu_cdf(50, 51, 1020);

	ck_assert_double_gt(exact, 0.03);
	ck_assert_double_lt(exact, 0.07);
	ck_assert_double_lt(fabs(exact - approx), 0.01);
	ck_assert_double_eq_tol(pt_mwu_cdf(60, 60, 1799.5), 0.5, 0.01);
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
	ck_assert_uint_eq(pt_compare_min_trials(0.05), 3);
	ck_assert_uint_eq(pt_compare_min_trials(0.01), 5); /* C(8,4) = 70 < 100 <= 252 */
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

/* ---- documents ---------------------------------------------------------------------- */

/* A small valid document: trials at the given worker counts with the given
 * throughputs (p99 = 1e9 / throughput, peak RSS 1 MiB). */
static cJSON *make_doc(const char *command, const unsigned *workers, const double *x, size_t n)
{
	cJSON *d = cJSON_CreateObject(), *h, *t, *trials;

	cJSON_AddStringToObject(d, "schema", "proftune/1");
	cJSON_AddStringToObject(d, "proftune_version", "0.1.0");
	cJSON_AddStringToObject(d, "command", command);
	cJSON_AddStringToObject(d, "created", "2026-11-23T12:00:00.000Z");
	h = cJSON_AddObjectToObject(d, "host");
	cJSON_AddStringToObject(h, "hostname", "test");
	t = cJSON_AddObjectToObject(d, "task");
	cJSON_AddStringToObject(t, "path", "/x/spin.so");
	cJSON_AddStringToObject(t, "name", "spin");
	cJSON_AddObjectToObject(t, "params");
	cJSON_AddObjectToObject(d, "config");
	trials = cJSON_AddArrayToObject(d, "trials");
	for (size_t i = 0; i < n; i++) {
		cJSON *tr = cJSON_CreateObject(), *o, *w;

		cJSON_AddNumberToObject(tr, "workers", workers[i]);
		cJSON_AddNumberToObject(tr, "repeat", (double)i);
		cJSON_AddStringToObject(tr, "status", x[i] > 0 ? "ok" : "failed");
		cJSON_AddStringToObject(tr, "placement", "none");
		cJSON_AddNumberToObject(tr, "items", 1000);
		o = cJSON_AddObjectToObject(tr, "errors");
		cJSON_AddNumberToObject(o, "count", 0);
		cJSON_AddNumberToObject(tr, "wall_s", x[i] > 0 ? 1000 / x[i] : 0);
		cJSON_AddNumberToObject(tr, "throughput", x[i] > 0 ? x[i] : 0);
		o = cJSON_AddObjectToObject(tr, "latency_ns");
		cJSON_AddBoolToObject(o, "recorded", 1);
		cJSON_AddNumberToObject(o, "count", 1000);
		cJSON_AddNumberToObject(o, "p50", x[i] > 0 ? 0.5e9 / x[i] : 0);
		cJSON_AddNumberToObject(o, "p99", x[i] > 0 ? 1e9 / x[i] : 0);
		o = cJSON_AddObjectToObject(tr, "memory");
		cJSON_AddNumberToObject(o, "peak_rss", 1048576);
		cJSON_AddObjectToObject(tr, "counters");
		w = cJSON_AddArrayToObject(tr, "per_worker");
		for (unsigned k = 0; k < workers[i]; k++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddNumberToObject(e, "index", k);
			cJSON_AddNumberToObject(e, "items", 1000.0 / workers[i]);
			cJSON_AddNumberToObject(e, "start_s", 0.1);
			cJSON_AddNumberToObject(e, "end_s", 0.2);
			cJSON_AddItemToArray(w, e);
		}
		cJSON_AddItemToArray(trials, tr);
	}
	return d;
}

/* Parse D's text (D is freed); NULL expected when MESSAGE is not NULL, and
 * the error must contain it. */
static pt_doc *parse_tree(cJSON *d, const char *message)
{
	char *text = cJSON_Print(d);
	pt_doc *doc = pt_doc_parse(text, strlen(text), "t.json");

	cJSON_Delete(d);
	free(text);
	if (message) {
		ck_assert_msg(doc == NULL, "accepted a document that is wrong: %s", message);
		ck_assert_msg(strstr(pt_last_error(), message), "'%s' does not say '%s'",
			      pt_last_error(), message);
		return NULL;
	}
	ck_assert_msg(doc != NULL, "%s", pt_last_error());
	return doc;
}

static void expect_text_error(const char *text, const char *message)
{
	pt_doc *d = pt_doc_parse(text, strlen(text), "t.json");

	ck_assert_msg(d == NULL, "accepted '%s'", text);
	ck_assert_msg(strstr(pt_last_error(), message), "'%s' does not say '%s'", pt_last_error(),
		      message);
}

START_TEST(validate_accepts_a_document)
{
	unsigned w[] = { 1, 2 };
	double x[] = { 100, 190 };
	pt_doc *d = parse_tree(make_doc("run", w, x, 2), NULL);
	char *text = pt_doc_json(d);

	ck_assert_str_eq(pt_doc_name(d), "t.json");
	ck_assert_str_eq(pt_doc_command(d), "run");
	ck_assert_str_eq(pt_doc_task(d), "spin");
	ck_assert_ptr_nonnull(strstr(text, "\"schema\":\t\"proftune/1\""));
	free(text);
	pt_doc_free(d);
}
END_TEST

START_TEST(validate_refuses_broken_text)
{
	expect_text_error("", "is empty");
	expect_text_error(" \n\t", "is empty");
	expect_text_error("\177ELF\002\001\001", "binary data, not JSON (byte 0 is 0x7f)");
	expect_text_error("{\"a\": 1x}", "parse error at byte 7 (near 'x}')");
	expect_text_error("{\"schema\": \"proftune/1\", \"trials\": [", "truncated JSON: it ends "
			  "at byte 36 inside an unclosed array");
	expect_text_error("{\"schema\": \"proftune/1\", \"command\": \"ru", "inside an unclosed "
			  "string");
	expect_text_error("{\"schema\": \"proftune/1\"} trailing", "text after the JSON document "
			  "at byte 25");
	expect_text_error("[1, 2]", "the JSON is an array, not an object");
	expect_text_error("{\"a\": 1}", "no 'schema' field");
	expect_text_error("{\"schema\": \"proftune/2\"}", "has schema 'proftune/2'; this proftune "
			  "reads 'proftune/1'");
}
END_TEST

START_TEST(validate_refuses_bad_fields)
{
	unsigned w[] = { 2 };
	double x[] = { 100 };
	cJSON *d;

	d = make_doc("run", w, x, 1);
	cJSON_DeleteItemFromObject(d, "trials");
	parse_tree(d, "'t.json': missing required field 'trials'");

	d = make_doc("run", w, x, 1);
	cJSON_DeleteItemFromObject(json_at(d, "trials.0"), "workers");
	parse_tree(d, "'t.json': trials[0]: missing required field 'workers'");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "workers", cJSON_CreateString("2"));
	parse_tree(d, "trials[0].workers: expected a number, found a string");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "workers", cJSON_CreateNumber(1e308));
	parse_tree(d, "trials[0].workers: 1e+308 is out of range (expected an "
		   "integer from 1 to 1000000)");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "items", cJSON_CreateNumber(2.5));
	parse_tree(d, "trials[0].items: 2.5 is out of range (expected an integer");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "wall_s", cJSON_CreateNumber(-1));
	parse_tree(d, "trials[0].wall_s: -1 is out of range");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(d, "host", cJSON_CreateArray());
	parse_tree(d, "host: expected an object, found an array");

	d = make_doc("fit", w, x, 1);
	parse_tree(d, "command: 'fit' is not \"run\" or \"tune\"");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0.per_worker.1"), "end_s",
				  cJSON_CreateNumber(0.05));
	parse_tree(d, "trials[0].per_worker[1]: end_s is before start_s");
}
END_TEST

START_TEST(validate_refuses_overflow)
{
	/* cJSON reads 1e999 as infinity: refused wherever it is */
	const char *head = "{\"schema\": \"proftune/1\", \"proftune_version\": \"0\", "
		"\"command\": \"run\", \"created\": \"x\", \"host\": {\"hostname\": \"h\"}, "
		"\"task\": {\"path\": \"p\", \"name\": \"n\", \"params\": {}}, \"config\": {}, ";
	char text[1024];

	snprintf(text, sizeof(text), "%s\"trials\": [], \"extra\": {\"x\": 1e999}}", head);
	expect_text_error(text, "extra.x: the number is out of range (it overflows a double)");
	snprintf(text, sizeof(text), "%s\"trials\": [{\"workers\": 1e999}]}", head);
	expect_text_error(text, "trials[0]");
	snprintf(text, sizeof(text), "%s\"trials\": []}", head);
	pt_doc_free(pt_doc_parse(text, strlen(text), "ok.json"));
}
END_TEST

START_TEST(doc_counts_per_worker_count)
{
	unsigned w[] = { 2, 1, 2, 2, 1 };
	double x[] = { 200, 100, 180, 0, 110 };
	pt_doc *d = parse_tree(make_doc("run", w, x, 5), NULL);
	struct pt_doc_count *c;
	size_t n;

	ck_assert_int_eq(pt_doc_counts(d, &c, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(c[0].workers, 1);
	ck_assert_uint_eq(c[0].trials, 2);
	ck_assert_double_eq_tol(c[0].throughput, 105, 1e-9);
	ck_assert_uint_eq(c[1].workers, 2);
	ck_assert_uint_eq(c[1].trials, 3);
	ck_assert_uint_eq(c[1].ok_trials, 2);   /* the failed trial is left out */
	ck_assert_double_eq_tol(c[1].throughput, 190, 1e-9);
	ck_assert_double_eq_tol(c[1].low, 180, 1e-9);
	ck_assert_double_eq_tol(c[1].high, 200, 1e-9);
	ck_assert_int_eq(c[1].interval_is_ci, 0);
	ck_assert(isnan(c[1].model));
	free(c);
	ck_assert_int_eq(pt_doc_model(d, &(struct pt_usl_model){ 0 }), -ENOENT);
	pt_doc_free(d);
}
END_TEST

/* ---- the regression gate ---------------------------------------------------------- */

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

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *t = tcase_create("mann-whitney");

	tcase_add_test(t, mwu_exact_distribution);
	tcase_add_test(t, mwu_normal_agrees_with_exact);
	tcase_add_test(t, mwu_minimum_repetitions);
	tcase_add_test(t, shift_estimate_and_interval);
	tcase_add_test(t, shift_ties_are_conservative);
	suite_add_tcase(s, t);
	t = tcase_create("documents");
	tcase_add_test(t, validate_accepts_a_document);
	tcase_add_test(t, validate_refuses_broken_text);
	tcase_add_test(t, validate_refuses_bad_fields);
	tcase_add_test(t, validate_refuses_overflow);
	tcase_add_test(t, doc_counts_per_worker_count);
	suite_add_tcase(s, t);
	t = tcase_create("gate");
	tcase_add_test(t, gate_detects_a_regression);
	tcase_add_test(t, gate_passes_noise_and_small_changes);
	tcase_add_test(t, gate_noise_is_inconclusive);
	tcase_add_test(t, gate_inconclusive_and_strict);
	tcase_add_test(t, gate_metrics_and_threshold);
	tcase_add_test(t, gate_needs_common_counts_and_flags_failures);
	tcase_add_test(t, gate_json_document);
	suite_add_tcase(s, t);
	return s;
}
