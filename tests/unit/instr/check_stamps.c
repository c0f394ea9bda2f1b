/* check_stamps.c - step stamps: railtracks' StampManager behaviours, case by case */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "../check.h"
#include "proftune.h"

static double unix_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static pt_stamps *fresh(void)
{
	pt_stamps *m = pt_stamps_new();

	ck_assert_ptr_nonnull(m);
	return m;
}

/* The step logs as text, e.g. "0:[a,b] 1:[] 2:[c]". */
static char *logs_text(pt_stamps *m)
{
	static char buf[4096];
	size_t n, len = 0;
	struct pt_step_log *l = pt_stamps_step_logs(m, &n);

	ck_assert_ptr_nonnull(l);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld:[", i ? " " : "",
					(long long)l[i].step);
		for (size_t j = 0; j < l[i].count; j++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", j ? "," : "",
						l[i].messages[j]);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]");
	}
	free(l);
	return buf;
}

/* All stamps as "step:identifier" in order, e.g. "0:a 1:late 2:b". */
static char *stamps_text(pt_stamps *m)
{
	static char buf[65536];
	size_t n, len = 0;
	struct pt_stamp *s = pt_stamps_all(m, &n);

	ck_assert_ptr_nonnull(s);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld:%s", i ? " " : "",
					(long long)s[i].step, s[i].identifier);
	free(s);
	return buf;
}

START_TEST(test_fresh_manager)
{
	pt_stamps *m = fresh();
	size_t n = 99;
	struct pt_stamp *all = pt_stamps_all(m, &n);

	/* railtracks: the current step defaults to 0; step_logs == {0: []} */
	ck_assert_int_eq(pt_stamps_step(m), 0);
	ck_assert_str_eq(logs_text(m), "0:[]");
	ck_assert_ptr_nonnull(all);
	ck_assert_uint_eq(n, 0);
	free(all);
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_create_takes_step_and_advances)
{
	pt_stamps *m = fresh();
	struct pt_stamp s;
	double before = unix_now(), after;

	ck_assert_int_eq(pt_stamps_create(m, "Event started", &s), 0);
	after = unix_now();
	ck_assert_int_eq(s.step, 0);
	ck_assert_str_eq(s.identifier, "Event started");
	ck_assert(s.time >= before && s.time <= after);
	ck_assert_int_eq(pt_stamps_step(m), 1);
	/* the message goes to its step's log; no log is made for step 1 yet */
	ck_assert_str_eq(logs_text(m), "0:[Event started]");
	ck_assert_int_eq(pt_stamps_create(m, "second", &s), 0);
	ck_assert_int_eq(s.step, 1);
	ck_assert_int_eq(pt_stamps_create(m, "third", NULL), 0);
	ck_assert_str_eq(logs_text(m), "0:[Event started] 1:[second] 2:[third]");
	ck_assert_str_eq(stamps_text(m), "0:Event started 1:second 2:third");
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_group_shares_one_step)
{
	pt_stamps *m = fresh();
	struct pt_stamp_group g;
	struct pt_stamp a, b;

	ck_assert_int_eq(pt_stamps_group(m, &g), 0);
	/* reserving takes the step at once and creates its (empty) log */
	ck_assert_int_eq(g.step, 0);
	ck_assert_int_eq(pt_stamps_step(m), 1);
	ck_assert_str_eq(logs_text(m), "0:[]");
	ck_assert_int_eq(pt_stamp_group_create(&g, "Batch event 1", &a), 0);
	ck_assert_int_eq(pt_stamp_group_create(&g, "Batch event 2", &b), 0);
	ck_assert_int_eq(a.step, 0);
	ck_assert_int_eq(b.step, 0);
	/* each stamp has the time of its own call */
	ck_assert(b.time >= a.time);
	ck_assert_int_eq(pt_stamps_step(m), 1);
	ck_assert_str_eq(logs_text(m), "0:[Batch event 1,Batch event 2]");
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_unused_reserved_step_stays_empty)
{
	pt_stamps *m = fresh();
	struct pt_stamp_group g;

	pt_stamps_create(m, "a", NULL);
	pt_stamps_group(m, &g);
	pt_stamps_create(m, "b", NULL);
	ck_assert_int_eq(g.step, 1);
	ck_assert_str_eq(logs_text(m), "0:[a] 1:[] 2:[b]");
	ck_assert_str_eq(stamps_text(m), "0:a 2:b");
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_order_is_step_then_time)
{
	pt_stamps *m = fresh();
	struct pt_stamp_group g;
	struct pt_stamp late, b;

	pt_stamps_create(m, "a", NULL);
	pt_stamps_group(m, &g);
	pt_stamps_create(m, "b", &b);
	/* made last, but its step (1) sorts it before "b" (step 2) */
	pt_stamp_group_create(&g, "late", &late);
	ck_assert(late.time >= b.time);
	ck_assert_str_eq(stamps_text(m), "0:a 1:late 2:b");
	ck_assert_str_eq(logs_text(m), "0:[a] 1:[late] 2:[b]");
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_ties_are_stable_and_identifier_ignored)
{
	pt_stamps *m = fresh();
	struct pt_stamp_group g;
	char want[4096] = "", name[16];
	size_t len = 0;

	pt_stamps_group(m, &g);
	/* many stamps in one step, most sharing a microsecond: equal (step,
	 * time) keeps creation order, whatever the identifiers */
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%c%d", 'z' - i % 26, i);
		pt_stamp_group_create(&g, name, NULL);
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s0:%s", i ? " " : "", name);
	}
	ck_assert_str_eq(stamps_text(m), want);
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_copies_are_independent)
{
	pt_stamps *m = fresh();
	struct pt_stamp *all;
	struct pt_step_log *logs;
	size_t n, nl;

	pt_stamps_create(m, "one", NULL);
	all = pt_stamps_all(m, &n);
	logs = pt_stamps_step_logs(m, &nl);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(nl, 1);
	pt_stamps_create(m, "two", NULL);
	/* taken before: unchanged; and changing a copy changes nothing */
	ck_assert_str_eq(all[0].identifier, "one");
	ck_assert_uint_eq(logs[0].count, 1);
	all[0].step = 42;
	ck_assert_str_eq(stamps_text(m), "0:one 1:two");
	free(all);
	free(logs);
	pt_stamps_clear(m);
	ck_assert_int_eq(pt_stamps_step(m), 0);
	ck_assert_str_eq(logs_text(m), "0:[]");
	pt_stamps_free(m);
}
END_TEST

#define STAMP_THREADS 8
#define STAMPS_EACH 1000

static void *stamp_many(void *arg)
{
	for (int i = 0; i < STAMPS_EACH; i++)
		pt_stamps_create(arg, "t", NULL);
	return NULL;
}

START_TEST(test_concurrent_stamps)
{
	pt_stamps *m = fresh();
	pthread_t t[STAMP_THREADS];
	struct pt_stamp *all;
	struct pt_step_log *logs;
	size_t n, nl;

	for (int i = 0; i < STAMP_THREADS; i++)
		pthread_create(&t[i], NULL, stamp_many, m);
	for (int i = 0; i < STAMP_THREADS; i++)
		pthread_join(t[i], NULL);
	/* under the lock every stamp took its own step */
	ck_assert_int_eq(pt_stamps_step(m), STAMP_THREADS * STAMPS_EACH);
	all = pt_stamps_all(m, &n);
	ck_assert_uint_eq(n, STAMP_THREADS * STAMPS_EACH);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(all[i].step, (int64_t)i);
	logs = pt_stamps_step_logs(m, &nl);
	ck_assert_uint_eq(nl, n);
	for (size_t i = 0; i < nl; i++)
		ck_assert_uint_eq(logs[i].count, 1);
	free(all);
	free(logs);
	pt_stamps_free(m);
}
END_TEST

START_TEST(test_stamps_json)
{
	pt_stamps *m = fresh();
	struct pt_stamp_group g;
	cJSON *o;

	pt_stamps_create(m, "a", NULL);
	pt_stamps_group(m, &g);
	o = json_parse_free(pt_stamps_json(m));
	ck_assert_str_eq(json_str(o, "stamps.0.identifier"), "a");
	ck_assert(json_num(o, "stamps.0.step") == 0);
	ck_assert(json_num(o, "stamps.0.time") > 1.6e9);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "step_logs")), 2);
	ck_assert_str_eq(json_str(o, "step_logs.0.0"), "a");
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "step_logs.1")), 0);
	cJSON_Delete(o);
	pt_stamps_free(m);
}
END_TEST

Suite *suite_stamps(void)
{
	Suite *s = suite_create("stamps");
	TCase *tc = tcase_create("railtracks");

	tcase_add_test(tc, test_fresh_manager);
	tcase_add_test(tc, test_create_takes_step_and_advances);
	tcase_add_test(tc, test_group_shares_one_step);
	tcase_add_test(tc, test_unused_reserved_step_stays_empty);
	tcase_add_test(tc, test_order_is_step_then_time);
	tcase_add_test(tc, test_ties_are_stable_and_identifier_ignored);
	tcase_add_test(tc, test_copies_are_independent);
	tcase_add_test(tc, test_concurrent_stamps);
	tcase_add_test(tc, test_stamps_json);
	suite_add_tcase(s, tc);
	return s;
}
