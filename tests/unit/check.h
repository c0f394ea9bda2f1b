/* check.h - the unit test suites of libproftune and helpers they share */
#ifndef PT_TESTS_CHECK_H
#define PT_TESTS_CHECK_H

#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One suite per module, named after it, in layer order (tests/unit/<layer>/check_<module>.c) */
Suite *suite_abi(void);
Suite *suite_sysmon(void);
Suite *suite_clock(void);
Suite *suite_text(void);
Suite *suite_hist(void);
Suite *suite_stats(void);
Suite *suite_rank(void);
Suite *suite_usl(void);
Suite *suite_prof(void);
Suite *suite_stamps(void);
Suite *suite_trace(void);
Suite *suite_mrecord(void);
Suite *suite_export(void);
Suite *suite_sampler(void);
Suite *suite_trialprof(void);
Suite *suite_params(void);
Suite *suite_loader(void);
Suite *suite_topology(void);
Suite *suite_trial(void);
Suite *suite_isolate(void);
Suite *suite_limits(void);
Suite *suite_results(void);
Suite *suite_journal(void);
Suite *suite_validate(void);
Suite *suite_doc(void);
Suite *suite_fields(void);
Suite *suite_compare(void);
Suite *suite_tune(void);
Suite *suite_grid(void);

/* Is GOT within REL (a fraction) of WANT? */
static inline int close_rel(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

/* Directory of the test task modules ($TEST_TASKS, set by `make check`). */
static inline const char *test_tasks_dir(void)
{
	const char *dir = getenv("TEST_TASKS");

	ck_assert_msg(dir && *dir, "TEST_TASKS is not set; run the tests with `make check`");
	return dir;
}

/* "$TEST_TASKS/NAME.so" in a static buffer (valid until the next call). */
static inline const char *test_task_path(const char *name)
{
	static char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s.so", test_tasks_dir(), name);

	ck_assert_int_lt(n, (int)sizeof(path));
	return path;
}

/* The value at PATH in O: dot-separated object keys and array indexes,
 * e.g. "per_worker.0.items"; NULL when absent. */
static inline cJSON *json_at(const cJSON *o, const char *path)
{
	char buf[512], *save = NULL, *seg;
	const cJSON *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, ".", &save); seg && cur; seg = strtok_r(NULL, ".", &save))
		cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(seg))
					 : cJSON_GetObjectItemCaseSensitive(cur, seg);
	return (cJSON *)cur;
}

static inline double json_num(const cJSON *o, const char *path)
{
	const cJSON *v = json_at(o, path);

	ck_assert_msg(cJSON_IsNumber(v), "JSON '%s' is not a number", path);
	return v->valuedouble;
}

static inline const char *json_str(const cJSON *o, const char *path)
{
	const cJSON *v = json_at(o, path);

	ck_assert_msg(cJSON_IsString(v), "JSON '%s' is not a string", path);
	return v->valuestring;
}

/* Parse TEXT (freed here); fails the test unless it is JSON. */
static inline cJSON *json_parse_free(char *text)
{
	cJSON *o;

	ck_assert_ptr_nonnull(text);
	o = cJSON_Parse(text);
	ck_assert_msg(o != NULL, "not JSON: %.200s", text);
	free(text);
	return o;
}

#endif
