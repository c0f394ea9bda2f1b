/* check_prof.c - the profiler: lifecycle, blocks and nesting, timers, switches, counters, threads */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

int check_prof_off_run(pt_prof *p);

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = mono_ns();

	while (mono_ns() - t0 < ns)
		;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static pt_prof *new_prof(void)
{
	pt_prof *p = pt_prof_new("test");

	ck_assert_ptr_nonnull(p);
	return p;
}

static cJSON *report(pt_prof *p)
{
	return json_parse_free(pt_prof_json(p));
}

static uint64_t hits(pt_prof *p, const char *name)
{
	struct pt_block_stats st;

	if (pt_prof_block_stats(p, name, &st) < 0)
		return 0;
	return st.hits;
}

/* The tree node NAME among the children array A, or NULL. */
static cJSON *child_named(const cJSON *a, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, a)
		if (strcmp(json_str(c, "name"), name) == 0)
			return (cJSON *)c;
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------ */

START_TEST(test_stop_without_start)
{
	pt_prof *p = new_prof();
	double el = -1;

	ck_assert_int_eq(pt_prof_collecting(p), 1);
	ck_assert_int_eq(pt_prof_stop(p, &el), -EINVAL);
	ck_assert_msg(strstr(pt_last_error(), "'test' was not started"), "%s", pt_last_error());
	ck_assert(el == 0.0);
	ck_assert_int_eq(pt_prof_start(p), 0);
	ck_assert_int_eq(pt_prof_start(p), -EALREADY);
	ck_assert_int_eq(pt_prof_stop(p, &el), 0);
	ck_assert_int_eq(pt_prof_collecting(p), 0);
	ck_assert_int_eq(pt_prof_stop(p, NULL), -EINVAL);
	pt_prof_free(p);
}
END_TEST

START_TEST(test_elapsed_is_real)
{
	pt_prof *p = new_prof();
	uint64_t t0, t1;
	double el, el2;

	t0 = mono_ns();
	ck_assert_int_eq(pt_prof_start(p), 0);
	sleep_ms(30);
	ck_assert_int_eq(pt_prof_stop(p, &el), 0);
	t1 = mono_ns();
	/* no fixed fake value: the timer spans what it measured */
	ck_assert_msg(el >= 0.030 && el <= (double)(t1 - t0) / 1e9, "elapsed %g", el);
	sleep_ms(20); /* stopped: not counted */
	ck_assert(pt_prof_elapsed(p) == el);
	ck_assert_int_eq(pt_prof_start(p), 0);
	sleep_ms(10);
	ck_assert_int_eq(pt_prof_stop(p, &el2), 0);
	ck_assert_msg(el2 >= el + 0.010 && el2 < el + 0.010 + 0.020 + (double)(mono_ns() - t1) / 1e9,
		      "accumulated %g after %g", el2, el);
	pt_prof_free(p);
}
END_TEST

static void one_block(pt_prof *p)
{
	PT_BLOCK(p, 0, "one");
}

START_TEST(test_stopped_profiler_records_nothing)
{
	pt_prof *p = new_prof();

	one_block(p);
	ck_assert_int_eq(pt_prof_start(p), 0);
	one_block(p);
	ck_assert_int_eq(pt_prof_stop(p, NULL), 0);
	one_block(p);
	one_block(p);
	ck_assert_uint_eq(hits(p, "one"), 2);
	ck_assert_int_eq(pt_prof_start(p), 0);
	one_block(p);
	ck_assert_uint_eq(hits(p, "one"), 3);
	pt_prof_free(p);
}
END_TEST

/* ---- blocks ------------------------------------------------------------------------ */

static void inner(pt_prof *p)
{
	PT_BLOCK(p, 0, "inner");
	spin_ns(2000);
}

static void outer(pt_prof *p)
{
	PT_BLOCK(p, 0, "outer");
	spin_ns(1000);
	inner(p);
	inner(p);
}

START_TEST(test_nesting_tree)
{
	pt_prof *p = new_prof();
	cJSON *o, *out, *in;
	double total, self, child_total;

	for (int i = 0; i < 100; i++)
		outer(p);
	inner(p); /* top level too: a second path to "inner" */
	o = report(p);
	out = child_named(json_at(o, "tree"), "outer");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq((int)json_num(out, "hit_count"), 100);
	in = child_named(json_at(out, "children"), "inner");
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq((int)json_num(in, "hit_count"), 200);
	ck_assert_ptr_nonnull(child_named(json_at(o, "tree"), "inner"));
	ck_assert_int_eq((int)json_num(child_named(json_at(o, "tree"), "inner"), "hit_count"), 1);
	total = json_num(out, "total_time_ns");
	self = json_num(out, "self_time_ns");
	child_total = json_num(in, "total_time_ns");
	/* self time is the inclusive time minus the nested blocks' time */
	ck_assert(self == total - child_total);
	ck_assert(child_total >= 200 * 2000.0);
	ck_assert(self >= 100 * 1000.0);
	/* the flat view merges both paths of "inner" */
	ck_assert_uint_eq(hits(p, "inner"), 201);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

static int early(pt_prof *p, int leave_early)
{
	PT_BLOCK(p, 2, "early");
	if (leave_early)
		return 1;
	spin_ns(1000);
	return 0;
}

START_TEST(test_block_times_early_return)
{
	pt_prof *p = new_prof();
	struct pt_block_stats st;

	for (int i = 0; i < 10; i++)
		early(p, i % 2);
	ck_assert_int_eq(pt_prof_block_stats(p, "early", &st), 0);
	ck_assert_uint_eq(st.hits, 10);
	ck_assert_uint_ge(st.max_ns, 1000);
	ck_assert_uint_lt(st.min_ns, 1000);
	pt_prof_free(p);
}
END_TEST

static void timed(pt_prof *p, uint64_t ns)
{
	PT_BLOCK(p, 0, "timed");
	spin_ns(ns);
}

START_TEST(test_block_statistics)
{
	pt_prof *p = new_prof();
	struct pt_block_stats st;

	for (int i = 0; i < 90; i++)
		timed(p, 10000);
	for (int i = 0; i < 10; i++)
		timed(p, 1000000);
	ck_assert_int_eq(pt_prof_block_stats(p, "timed", &st), 0);
	ck_assert_uint_eq(st.hits, 100);
	ck_assert_uint_ge(st.min_ns, 10000);
	ck_assert_uint_lt(st.min_ns, 1000000);
	ck_assert_uint_ge(st.max_ns, 1000000);
	ck_assert(st.mean_ns == (double)st.total_ns / 100.0);
	ck_assert(st.mean_ns >= (double)st.min_ns && st.mean_ns <= (double)st.max_ns);
	/* 90% of the blocks are short: p50 is short, p99 long */
	ck_assert_msg(st.p50_ns < 500000.0, "p50 %g", st.p50_ns);
	ck_assert_msg(st.p99_ns >= 1000000.0 * (1 - 1.0 / 32), "p99 %g", st.p99_ns);
	ck_assert(st.p50_ns <= st.p90_ns && st.p90_ns <= st.p99_ns);
	ck_assert(st.p99_ns <= (double)st.max_ns && st.p50_ns >= (double)st.min_ns);
	ck_assert(st.self_ns == st.total_ns);
	pt_prof_free(p);
}
END_TEST

START_TEST(test_site_cache_per_profiler)
{
	pt_prof *a = new_prof(), *b = new_prof();

	for (int i = 0; i < 7; i++) {
		one_block(a);
		if (i % 2)
			one_block(b);
	}
	ck_assert_uint_eq(hits(a, "one"), 7);
	ck_assert_uint_eq(hits(b, "one"), 3);
	pt_prof_free(b);
	/* a profiler freed and another made (perhaps at the same address): the
	 * site's cache must not point into the old one */
	b = new_prof();
	one_block(b);
	ck_assert_uint_eq(hits(b, "one"), 1);
	ck_assert_uint_eq(hits(a, "one"), 7);
	pt_prof_free(a);
	pt_prof_free(b);
}
END_TEST

START_TEST(test_clear_resets_everything)
{
	pt_prof *p = new_prof();
	struct pt_block_stats st;
	uint64_t v;
	cJSON *o;

	for (int i = 0; i < 5; i++)
		one_block(p);
	pt_prof_counter_add(p, "c", 3);
	pt_prof_memory_record(p, "m", 10);
	pt_stamps_create(pt_prof_stamps(p), "s", NULL);
	pt_prof_start(p);
	pt_prof_clear(p);
	ck_assert_int_eq(pt_prof_block_stats(p, "one", &st), -ENOENT);
	ck_assert_int_eq(pt_prof_counter(p, "c", &v), -ENOENT);
	ck_assert_int_eq(pt_prof_memory(p, "m", &v), -ENOENT);
	ck_assert_int_eq(pt_stamps_step(pt_prof_stamps(p)), 0);
	ck_assert(pt_prof_elapsed(p) == 0.0);
	ck_assert_int_eq(pt_prof_stop(p, NULL), -EINVAL);
	/* the call site resolves again after the clear */
	for (int i = 0; i < 3; i++)
		one_block(p);
	ck_assert_uint_eq(hits(p, "one"), 3);
	o = report(p);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "tracks.0.blocks")), 1);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

static void twin_a(pt_prof *p)
{
	PT_BLOCK(p, 0, "twin");
}

static void twin_b(pt_prof *p)
{
	PT_BLOCK(p, 0, "twin");
	spin_ns(100);
}

static void named_after_me(pt_prof *p)
{
	PT_FUNCTION_BLOCK(p, 3);
}

START_TEST(test_sites_are_distinct)
{
	pt_prof *p = new_prof();
	char *csv;

	twin_a(p);
	twin_b(p);
	twin_b(p);
	named_after_me(p);
	/* one block per call site: the name alone does not merge them */
	ck_assert_uint_eq(hits(p, "twin"), 3);
	ck_assert_uint_eq(hits(p, "named_after_me"), 1);
	csv = pt_prof_csv(p);
	ck_assert_ptr_nonnull(csv);
	ck_assert_msg(strstr(csv, ",twin (") && strstr(csv, "check_prof.c:"), "%s", csv);
	ck_assert_ptr_nonnull(strstr(csv, "\n3,named_after_me,1,"));
	free(csv);
	pt_prof_free(p);
}
END_TEST

/* ---- timers and wrapped calls -------------------------------------------------------- */

START_TEST(test_timers)
{
	pt_prof *p = new_prof();
	double a, b;
	cJSON *o;

	ck_assert_int_eq(pt_prof_timer_stop(p, "never", &a), -ENOENT);
	ck_assert_msg(strstr(pt_last_error(), "timer 'never' was not started"), "%s",
		      pt_last_error());
	ck_assert_int_eq(pt_prof_timer_start(p, "load"), 0);
	sleep_ms(5);
	ck_assert_int_eq(pt_prof_timer_start(p, "parse"), 0);
	sleep_ms(5);
	/* interleaved: load stops before parse */
	ck_assert_int_eq(pt_prof_timer_stop(p, "load", &a), 0);
	ck_assert_int_eq(pt_prof_timer_stop(p, "parse", &b), 0);
	ck_assert_msg(a >= 0.010 && b >= 0.005 && a > b, "load %g parse %g", a, b);
	ck_assert_int_eq(pt_prof_timer_stop(p, "load", NULL), -ENOENT);
	o = report(p);
	ck_assert(json_num(o, "timings.load") == a);
	ck_assert(json_num(o, "timings.parse") == b);
	ck_assert_int_eq((int)json_num(o, "errors"), 2);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

static void *stop_elsewhere(void *arg)
{
	return (void *)(intptr_t)pt_prof_timer_stop(arg, "mine", NULL);
}

START_TEST(test_timers_are_per_thread)
{
	pt_prof *p = new_prof();
	pthread_t t;
	void *rc;

	ck_assert_int_eq(pt_prof_timer_start(p, "mine"), 0);
	pthread_create(&t, NULL, stop_elsewhere, p);
	pthread_join(t, &rc);
	ck_assert_int_eq((int)(intptr_t)rc, -ENOENT);
	ck_assert_int_eq(pt_prof_timer_stop(p, "mine", NULL), 0);
	pt_prof_free(p);
}
END_TEST

static int may_fail(int fail)
{
	return fail ? -EIO : 0;
}

START_TEST(test_prof_call_counts_outcomes)
{
	pt_prof *p = new_prof();
	uint64_t ok = 0, bad = 0;
	int sum = 0;

	for (int i = 0; i < 10; i++)
		sum += PT_PROF_CALL(p, 1, "load", may_fail(i < 3));
	ck_assert_int_eq(sum, -3 * EIO); /* the value passes through */
	ck_assert_int_eq(pt_prof_counter(p, "load_success", &ok), 0);
	ck_assert_int_eq(pt_prof_counter(p, "load_error", &bad), 0);
	ck_assert_uint_eq(ok, 7);
	ck_assert_uint_eq(bad, 3);
	ck_assert_uint_eq(hits(p, "load"), 10);
	pt_prof_free(p);
}
END_TEST

/* ---- switches --------------------------------------------------------------------------- */

static void on_track(pt_prof *p, int track)
{
	if (track == 0) {
		PT_BLOCK(p, 0, "t0");
	} else {
		PT_BLOCK(p, 5, "t5");
	}
}

START_TEST(test_switches)
{
	pt_prof *p = new_prof();

	ck_assert_int_eq(pt_prof_track_enabled(p, 5), 1);
	ck_assert_int_eq(pt_prof_track_enable(p, 5, 0), 0);
	ck_assert_int_eq(pt_prof_track_enabled(p, 5), 0);
	on_track(p, 0);
	on_track(p, 5);
	ck_assert_uint_eq(hits(p, "t0"), 1);
	ck_assert_uint_eq(hits(p, "t5"), 0);
	pt_prof_track_enable(p, 5, 1);
	on_track(p, 5);
	ck_assert_uint_eq(hits(p, "t5"), 1);
	pt_instr_enable(0);
	ck_assert_int_eq(pt_instr_enabled(), 0);
	on_track(p, 0);
	on_track(p, 5);
	PT_COUNTER_ADD(p, "off", 1);
	pt_instr_enable(1);
	ck_assert_uint_eq(hits(p, "t0"), 1);
	ck_assert_uint_eq(hits(p, "t5"), 1);
	ck_assert_int_eq(pt_prof_track_enable(p, PT_PROF_TRACKS, 0), -EINVAL);
	ck_assert_int_eq(pt_prof_track_name(p, 99, "x"), -EINVAL);
	/* a NULL profiler (no instrumentation) is a no-op */
	on_track(NULL, 0);
	PT_COUNTER_ADD((pt_prof *)NULL, "none", 1);
	pt_prof_free(p);
}
END_TEST

START_TEST(test_compiled_out)
{
	pt_prof *p = new_prof();
	cJSON *o;

	ck_assert_int_eq(check_prof_off_run(p), 42);
	o = report(p);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "tracks")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "counters")), 0);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

/* ---- counters and memory ------------------------------------------------------------------ */

START_TEST(test_counters_and_rates)
{
	pt_prof *p = new_prof();
	uint64_t v;
	double el;
	cJSON *o;

	pt_prof_start(p);
	for (int i = 0; i < 1000; i++) {
		PT_COUNTER_ADD(p, "items", 2);
		pt_prof_counter_add(p, "items", 1);
	}
	pt_prof_counter_add(p, "bytes", 4096);
	sleep_ms(20);
	pt_prof_stop(p, &el);
	ck_assert_int_eq(pt_prof_counter(p, "items", &v), 0);
	ck_assert_uint_eq(v, 3000);
	ck_assert_int_eq(pt_prof_counter(p, "nope", &v), -ENOENT);
	o = report(p);
	ck_assert(json_num(o, "counters.items") == 3000);
	ck_assert(json_num(o, "counters.bytes") == 4096);
	/* cJSON prints a double in 15 digits when that reads back within an
	 * epsilon of it, so the last bit may differ */
	ck_assert_msg(close_rel(json_num(o, "total_elapsed"), el, 1e-14), "total_elapsed %.17g "
		      "for %.17g", json_num(o, "total_elapsed"), el);
	ck_assert_msg(close_rel(json_num(o, "counter_rates.items"), 3000 / el, 1e-14),
		      "rate %.17g, want %.17g", json_num(o, "counter_rates.items"), 3000 / el);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

static void *record_mem(void *arg)
{
	pt_prof_memory_record(arg, "buffer", 111);
	return NULL;
}

START_TEST(test_memory_last_write_wins)
{
	pt_prof *p = new_prof();
	pthread_t t;
	uint64_t b;
	cJSON *o;

	pt_prof_memory_record(p, "buffer", 1 << 20);
	pthread_create(&t, NULL, record_mem, p);
	pthread_join(t, NULL);
	ck_assert_int_eq(pt_prof_memory(p, "buffer", &b), 0);
	ck_assert_uint_eq(b, 111);
	pt_prof_memory_record(p, "buffer", 222);
	pt_prof_memory_record(p, "other", 5);
	o = report(p);
	ck_assert(json_num(o, "memory_usage.buffer") == 222);
	ck_assert(json_num(o, "memory_usage.other") == 5);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

/* ---- threads ---------------------------------------------------------------------------------- */

#define THREADS 8
#define BLOCKS 100000

struct worker_arg {
	pt_prof *p;
	int index;
};

static void work_block(pt_prof *p, uint64_t ns)
{
	PT_BLOCK(p, 1, "work");
	spin_ns(ns);
	PT_COUNTER_ADD(p, "done", 1);
}

static void long_block(pt_prof *p)
{
	PT_BLOCK(p, 1, "work");
	sleep_ms(3);
}

static void *hammer(void *arg)
{
	struct worker_arg *a = arg;

	/* thread k's blocks last at least 500 (k + 1) ns: the merged minimum
	 * comes from thread 0, the maximum from the one long block of the
	 * last thread */
	for (int i = 0; i < BLOCKS; i++)
		work_block(a->p, 500u * (unsigned)(a->index + 1));
	if (a->index == THREADS - 1)
		long_block(a->p);
	return NULL;
}

START_TEST(test_threads_merge)
{
	pt_prof *p = new_prof();
	struct worker_arg args[THREADS];
	pthread_t t[THREADS];
	struct pt_block_stats st;
	uint64_t done;
	cJSON *o;

	for (int i = 0; i < THREADS; i++) {
		args[i].p = p;
		args[i].index = i;
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* every thread has exited: its data is still there */
	ck_assert_int_eq(pt_prof_block_stats(p, "work", &st), 0);
	ck_assert_uint_eq(st.hits, (uint64_t)THREADS * BLOCKS + 1);
	ck_assert_uint_ge(st.min_ns, 500);
	ck_assert_msg(st.min_ns < 1000, "min %llu: not thread 0's", (unsigned long long)st.min_ns);
	ck_assert_uint_ge(st.max_ns, 3000000);
	ck_assert_int_eq(pt_prof_counter(p, "done", &done), 0);
	ck_assert_uint_eq(done, (uint64_t)THREADS * BLOCKS);
	o = report(p);
	ck_assert_int_eq((int)json_num(o, "threads"), THREADS);
	/* two call sites named "work": the loop's and the long one */
	ck_assert(json_num(o, "tracks.0.blocks.0.hit_count") == (double)THREADS * BLOCKS);
	ck_assert(json_num(o, "tracks.0.blocks.1.hit_count") == 1);
	cJSON_Delete(o);
	pt_prof_free(p);
}
END_TEST

static void *clear_loop(void *arg)
{
	for (int i = 0; i < 200; i++) {
		pt_prof_clear(arg);
		sleep_ms(0);
	}
	return NULL;
}

START_TEST(test_clear_while_recording)
{
	pt_prof *p = new_prof();
	pthread_t t;

	pthread_create(&t, NULL, clear_loop, p);
	for (int i = 0; i < 200000; i++) {
		outer(p);
		pt_prof_counter_add(p, "x", 1);
	}
	pthread_join(t, NULL);
	/* whatever survived the last clear is consistent: two inner blocks per
	 * outer one, plus those of an outer block that began before it */
	ck_assert_uint_le(hits(p, "outer") * 2, hits(p, "inner"));
	ck_assert_uint_le(hits(p, "inner"), hits(p, "outer") * 2 + 2);
	pt_prof_free(p);
}
END_TEST

Suite *suite_prof(void)
{
	Suite *s = suite_create("prof");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_test(tc, test_stop_without_start);
	tcase_add_test(tc, test_elapsed_is_real);
	tcase_add_test(tc, test_stopped_profiler_records_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("blocks");
	tcase_add_test(tc, test_nesting_tree);
	tcase_add_test(tc, test_block_times_early_return);
	tcase_add_test(tc, test_block_statistics);
	tcase_add_test(tc, test_site_cache_per_profiler);
	tcase_add_test(tc, test_clear_resets_everything);
	tcase_add_test(tc, test_sites_are_distinct);
	suite_add_tcase(s, tc);
	tc = tcase_create("timers");
	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_timers_are_per_thread);
	tcase_add_test(tc, test_prof_call_counts_outcomes);
	suite_add_tcase(s, tc);
	tc = tcase_create("switches");
	tcase_add_test(tc, test_switches);
	tcase_add_test(tc, test_compiled_out);
	suite_add_tcase(s, tc);
	tc = tcase_create("counters");
	tcase_add_test(tc, test_counters_and_rates);
	tcase_add_test(tc, test_memory_last_write_wins);
	suite_add_tcase(s, tc);
	tc = tcase_create("threads");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threads_merge);
	tcase_add_test(tc, test_clear_while_recording);
	suite_add_tcase(s, tc);
	return s;
}
