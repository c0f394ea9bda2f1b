/* check_fields.c - the field table: values of trials, combining rules, null for what was not measured */
#include "config.h"

#include "../check.h"
#include "doc/fields.h"

/* A trial object from JSON text (the caller deletes it). */
static cJSON *trial(const char *text)
{
	cJSON *t = cJSON_Parse(text);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_combine)
{
	double v[] = { 3, NAN, 1, 2, INFINITY, 10 };

	/* non-finite values never take part */
	ck_assert(pt_combine(PT_COMBINE_SUM, (double[]){ 3, NAN, 1, 2, INFINITY, 10 }, 6) == 16);
	ck_assert(pt_combine(PT_COMBINE_MAX, (double[]){ 3, NAN, 1, 2, INFINITY, 10 }, 6) == 10);
	ck_assert(pt_combine(PT_COMBINE_MIN, (double[]){ 3, NAN, 1, 2, INFINITY, 10 }, 6) == 1);
	ck_assert(pt_combine(PT_COMBINE_MEAN, (double[]){ 3, NAN, 1, 2, INFINITY, 10 }, 6) == 4);
	/* an even count: the mean of the middle two, as numpy.median */
	ck_assert(pt_combine(PT_COMBINE_MEDIAN, v, 6) == 2.5);
	ck_assert(pt_combine(PT_COMBINE_MEDIAN, (double[]){ 5, 1, 4 }, 3) == 4);
	ck_assert(isnan(pt_combine(PT_COMBINE_SUM, (double[]){ NAN, NAN }, 2)));
	ck_assert(isnan(pt_combine(PT_COMBINE_MEDIAN, v, 0)));
}
END_TEST

START_TEST(test_trial_values)
{
	cJSON *t = trial("{\"status\":\"ok\",\"workers\":2,\"items\":100,\"wall_s\":0.5,"
			 "\"throughput\":200,\"latency_ns\":{\"recorded\":true,\"count\":100,"
			 "\"p99\":1234},\"memory\":{\"peak_rss\":null},"
			 "\"per_worker\":[{\"busy_s\":0.25},{\"busy_s\":0.5}]}");
	const struct pt_field *p99 = pt_field_find("latency_p99_ns");

	ck_assert(pt_field_trial(pt_field_find("items"), t) == 100);
	ck_assert(pt_field_trial(p99, t) == 1234);
	/* null and absent are unknown, not 0 */
	ck_assert(isnan(pt_field_trial(pt_field_find("peak_rss"), t)));
	ck_assert(isnan(pt_field_trial(pt_field_find("rss_start"), t)));
	/* a worker-only field: the trial's value by its rule (sum of busy time) */
	ck_assert(pt_field_trial(pt_field_find("busy_s"), t) == 0.75);
	/* wall time is shown in ns: the scale, not the value, says so */
	ck_assert(pt_field_trial(pt_field_find("wall_s"), t) == 0.5);
	ck_assert(pt_field_find("wall_s")->scale == 1e9);
	cJSON_Delete(t);
	/* latency not recorded: its fields are unknown even if numbers are there */
	t = trial("{\"latency_ns\":{\"recorded\":false,\"count\":0,\"p99\":0}}");
	ck_assert(isnan(pt_field_trial(p99, t)));
	cJSON_Delete(t);
}
END_TEST

START_TEST(test_count_values)
{
	cJSON *trials = cJSON_Parse(
		"[{\"workers\":2,\"status\":\"ok\",\"throughput\":10,\"latency_ns\":{\"recorded\":true,"
		"\"count\":5,\"p99\":100,\"max\":400}},"
		"{\"workers\":2,\"status\":\"ok\",\"throughput\":30,\"latency_ns\":{\"recorded\":true,"
		"\"count\":5,\"p99\":300,\"max\":900}},"
		"{\"workers\":2,\"status\":\"crashed\",\"throughput\":1e9},"
		"{\"workers\":2,\"status\":\"ok\",\"throughput\":20,\"latency_ns\":{\"recorded\":true,"
		"\"count\":5,\"p99\":200,\"max\":500}},"
		"{\"workers\":4,\"status\":\"ok\",\"throughput\":99}]");

	ck_assert_ptr_nonnull(trials);
	/* the median of the ok trials: the crashed trial's number never counts */
	ck_assert(pt_field_count(pt_field_find("throughput"), trials, 2) == 20);
	ck_assert(pt_field_count(pt_field_find("latency_p99_ns"), trials, 2) == 200);
	/* the maximum latency combines by its own rule: the largest */
	ck_assert(pt_field_count(pt_field_find("latency_max_ns"), trials, 2) == 900);
	ck_assert(pt_field_count(pt_field_find("throughput"), trials, 4) == 99);
	ck_assert(isnan(pt_field_count(pt_field_find("latency_p99_ns"), trials, 4)));
	ck_assert(isnan(pt_field_count(pt_field_find("throughput"), trials, 8)));
	cJSON_Delete(trials);
}
END_TEST

START_TEST(test_table)
{
	/* every name once; every field in some view; the gate's metrics exist */
	for (size_t i = 0; i < pt_nfields; i++) {
		ck_assert_ptr_eq(pt_field_find(pt_fields[i].name), &pt_fields[i]);
		ck_assert_uint_ne(pt_fields[i].views, 0);
		ck_assert(pt_fields[i].path || pt_fields[i].worker_path);
		ck_assert_int_gt(pt_fields[i].priority, 0);
	}
	for (int m = 0; m < PT_METRICS; m++)
		ck_assert_ptr_nonnull(pt_metric_field((enum pt_metric)m));
	ck_assert_int_eq(pt_metric_field(PT_METRIC_THROUGHPUT)->better, 1);
	ck_assert_int_eq(pt_metric_field(PT_METRIC_P99)->better, -1);
	ck_assert_ptr_null(pt_field_find("no such field"));
}
END_TEST

Suite *suite_fields(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("fields");

	tcase_add_test(tc, test_combine);
	tcase_add_test(tc, test_trial_values);
	tcase_add_test(tc, test_count_values);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return s;
}
