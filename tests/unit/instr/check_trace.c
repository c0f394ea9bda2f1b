/* check_trace.c - Chrome trace files: every phase, threads, streaming, fork, profiler events */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

static char trace_path[128];

static const char *tmp_path(const char *tag)
{
	snprintf(trace_path, sizeof(trace_path), "/tmp/check-trace-%ld-%s.json", (long)getpid(), tag);
	return trace_path;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The trace at PATH parsed (the test fails unless it is JSON with a
 * traceEvents array); the file is removed. */
static cJSON *load(const char *path)
{
	cJSON *doc = json_parse_free(slurp(path));

	ck_assert_msg(cJSON_IsArray(json_at(doc, "traceEvents")), "no traceEvents array");
	unlink(path);
	return doc;
}

/* The first event with phase PH and name NAME (NULL: any), or NULL. */
static cJSON *find(const cJSON *doc, const char *ph, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, json_at(doc, "traceEvents")) {
		const cJSON *n = cJSON_GetObjectItem(e, "name");

		if (strcmp(json_str(e, "ph"), ph) == 0 &&
		    (!name || (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)))
			return (cJSON *)e;
	}
	return NULL;
}

static int count(const cJSON *doc, const char *ph, const char *name, double tid)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, json_at(doc, "traceEvents")) {
		const cJSON *nm = cJSON_GetObjectItem(e, "name");

		if (strcmp(json_str(e, "ph"), ph) != 0)
			continue;
		if (name && !(cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0))
			continue;
		if (tid && json_num(e, "tid") != tid)
			continue;
		n++;
	}
	return n;
}

static pt_trace *open_trace(const char *path, unsigned commit)
{
	struct pt_trace_opts o;
	pt_trace *t;

	pt_trace_opts_init(&o);
	if (commit)
		o.commit_events = commit;
	o.process_name = "check";
	t = pt_trace_open(path, &o);
	ck_assert_msg(t != NULL, "%s", pt_last_error());
	return t;
}

START_TEST(test_every_phase)
{
	const char *path = tmp_path("phases");
	pt_trace *t = open_trace(path, 0);
	struct pt_trace_arg args[] = {
		{ .key = "n", .type = PT_ARG_INT, .i = -12345678901234LL },
		{ .key = "x", .type = PT_ARG_DOUBLE, .d = 0.25 },
		{ .key = "s", .type = PT_ARG_STR, .s = "text \"quoted\"" },
	};
	static const char phases[] = "XBEibnestfCNODMR";
	uint64_t base = 1000000000000ull;
	cJSON *doc, *e;

	ck_assert_int_eq(pt_trace_complete(t, "complete", "cat", base + 1234567, 2500), 0);
	for (const char *ph = phases + 1; *ph; ph++) {
		struct pt_trace_event ev = {
			.ph = *ph, .name = *ph == 'M' ? "thread_sort_index" : "ev", .cat = "c",
			.ts_ns = base + 1000, .id = "0x1", .args = args, .nargs = 3,
		};

		ck_assert_msg(pt_trace_record(t, &ev) == 0, "phase %c: %s", *ph, pt_last_error());
	}
	for (const char *sc = "gpt"; *sc; sc++) {
		struct pt_trace_event ev = { .ph = 'i', .name = "instant", .scope = *sc };

		ck_assert_int_eq(pt_trace_record(t, &ev), 0);
	}
	ck_assert_uint_eq(pt_trace_count(t), 1 + 15 + 3);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	/* microseconds with the nanosecond digits */
	e = find(doc, "X", "complete");
	ck_assert_ptr_nonnull(e);
	ck_assert(json_num(e, "ts") == 1000001234.567);
	ck_assert(json_num(e, "dur") == 2.5);
	ck_assert_str_eq(json_str(e, "cat"), "cat");
	ck_assert(json_num(e, "pid") == getpid());
	for (const char *ph = phases + 1; *ph; ph++) {
		char p[2] = { *ph, 0 };

		e = find(doc, p, *ph == 'M' ? "thread_sort_index" : "ev");
		ck_assert_msg(e != NULL, "no event of phase %c", *ph);
		ck_assert(json_num(e, "ts") == 1000000001.0);
		ck_assert(json_num(e, "args.n") == -12345678901234.0);
		ck_assert(json_num(e, "args.x") == 0.25);
		ck_assert_str_eq(json_str(e, "args.s"), "text \"quoted\"");
		if (strchr("bnestfNOD", *ph))
			ck_assert_str_eq(json_str(e, "id"), "0x1");
	}
	ck_assert_str_eq(json_str(find(doc, "i", "ev"), "s"), "t");
	ck_assert_int_eq(count(doc, "i", "instant", 0), 3);
	{
		const cJSON *x;
		char seen[4] = "";
		size_t k = 0;

		cJSON_ArrayForEach(x, json_at(doc, "traceEvents"))
			if (strcmp(json_str(x, "ph"), "i") == 0 && strcmp(json_str(x, "name"), "instant") == 0)
				seen[k++] = json_str(x, "s")[0];
		ck_assert_str_eq(seen, "gpt");
	}
	ck_assert_str_eq(json_str(find(doc, "M", "process_name"), "args.name"), "check");
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_bad_events)
{
	const char *path = tmp_path("bad");
	pt_trace *t = open_trace(path, 0);
	struct pt_trace_arg args[17];
	struct pt_trace_event q = { .ph = 'Q', .name = "x" };
	struct pt_trace_event noname = { .ph = 'X' };
	struct pt_trace_event noid = { .ph = 'b', .name = "x" };
	struct pt_trace_event scope = { .ph = 'i', .name = "x", .scope = 'z' };
	struct pt_trace_event many = { .ph = 'C', .name = "x", .args = args, .nargs = 17 };
	struct pt_trace_event end = { .ph = 'E' };
	cJSON *doc;

	memset(args, 0, sizeof(args));
	ck_assert_int_eq(pt_trace_record(t, &q), -EINVAL);
	ck_assert_msg(strstr(pt_last_error(), "'Q'"), "%s", pt_last_error());
	ck_assert_int_eq(pt_trace_record(t, &noname), -EINVAL);
	ck_assert_int_eq(pt_trace_record(t, &noid), -EINVAL);
	ck_assert_int_eq(pt_trace_record(t, &scope), -EINVAL);
	ck_assert_int_eq(pt_trace_record(t, &many), -EINVAL);
	ck_assert_int_eq(pt_trace_record(t, &end), 0); /* E needs no name */
	ck_assert_uint_eq(pt_trace_count(t), 1);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	ck_assert_int_eq(count(doc, "E", NULL, 0), 1);
	cJSON_Delete(doc);
	ck_assert_ptr_null(pt_trace_open("/nonexistent-dir/t.json", NULL));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_msg(strstr(pt_last_error(), "'/nonexistent-dir/t.json'"), "%s", pt_last_error());
}
END_TEST

START_TEST(test_escaping)
{
	const char *path = tmp_path("escape");
	pt_trace *t = open_trace(path, 0);
	const char *odd = "a \"b\"\n\tc\\d \001";
	cJSON *doc;

	/* the template path and the full path both go through cJSON */
	pt_trace_complete(t, odd, odd, 0, 1);
	pt_trace_begin(t, odd, NULL);
	pt_trace_counter(t, odd, odd, 1);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	ck_assert_ptr_nonnull(find(doc, "X", odd));
	ck_assert_str_eq(json_str(find(doc, "X", odd), "cat"), odd);
	ck_assert_ptr_nonnull(find(doc, "B", odd));
	ck_assert_ptr_nonnull(find(doc, "C", odd));
	cJSON_Delete(doc);
}
END_TEST

/* Events in the file so far (each is on its own line). */
static int events_on_disk(const char *path)
{
	char *text = slurp(path), *p = text;
	int n = 0;

	while ((p = strstr(p, "\"ph\":\"X\""))) {
		n++;
		p++;
	}
	free(text);
	return n;
}

START_TEST(test_streams_at_threshold)
{
	const char *path = tmp_path("stream");
	pt_trace *t = open_trace(path, 100);
	cJSON *doc;

	for (int i = 0; i < 1050; i++)
		pt_trace_complete(t, "e", NULL, 0, 1);
	/* written in blocks of 100 as they filled, before any flush or close */
	ck_assert_int_eq(events_on_disk(path), 1000);
	ck_assert_int_eq(pt_trace_flush(t), 0);
	ck_assert_int_eq(events_on_disk(path), 1050);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	ck_assert_int_eq(count(doc, "X", "e", 0), 1050);
	cJSON_Delete(doc);
}
END_TEST

static long rss_kib(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	long v = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

START_TEST(test_memory_is_bounded)
{
	const char *path = tmp_path("bounded");
	pt_trace *t = open_trace(path, 0);
	long before, after;

	for (int i = 0; i < 100000; i++)
		pt_trace_complete(t, "warm", "c", 0, 1);
	before = rss_kib();
	/* 2 million events are ~190 MB of JSON: none of it may stay in memory */
	for (int i = 0; i < 2000000; i++)
		pt_trace_complete(t, "event", "c", 0, 1);
	after = rss_kib();
	ck_assert_int_eq(pt_trace_close(t), 0);
	unlink(path);
	ck_assert_msg(after - before < 4096, "RSS grew from %ld to %ld KiB", before, after);
}
END_TEST

#define TRACE_THREADS 4
#define TRACE_EACH 10000

static void *record_thread(void *arg)
{
	pt_trace *t = arg;

	pt_trace_thread_name(t, "to be renamed");
	for (int i = 0; i < TRACE_EACH; i++)
		pt_trace_complete(t, "work", "threads", 0, 10);
	pt_trace_thread_name(t, "recorder");
	return NULL;
}

START_TEST(test_threads_have_own_tracks)
{
	const char *path = tmp_path("threads");
	pt_trace *t = open_trace(path, 1000);
	pthread_t th[TRACE_THREADS];
	const cJSON *e;
	cJSON *doc;
	int named = 0;

	for (int i = 0; i < TRACE_THREADS; i++)
		pthread_create(&th[i], NULL, record_thread, t);
	for (int i = 0; i < TRACE_THREADS; i++)
		pthread_join(th[i], NULL);
	/* the threads are gone; what they recorded was written when they exited */
	ck_assert_int_eq(events_on_disk(path), TRACE_THREADS * TRACE_EACH);
	ck_assert_uint_eq(pt_trace_count(t), TRACE_THREADS * TRACE_EACH);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	cJSON_ArrayForEach(e, json_at(doc, "traceEvents")) {
		if (strcmp(json_str(e, "ph"), "M") || strcmp(json_str(e, "name"), "thread_name"))
			continue;
		/* named once while recording, once more when renamed */
		ck_assert(json_num(e, "pid") == getpid());
		if (strcmp(json_str(e, "args.name"), "recorder") == 0) {
			named++;
			ck_assert_int_eq(count(doc, "X", "work", json_num(e, "tid")), TRACE_EACH);
		}
	}
	ck_assert_int_eq(named, TRACE_THREADS);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_fork_child_appends)
{
	const char *path = tmp_path("fork");
	pt_trace *t = open_trace(path, 0);
	pid_t child;
	int st;
	cJSON *doc;
	const cJSON *e;
	int child_events = 0, child_named = 0;

	pt_trace_complete(t, "parent before", NULL, 0, 1);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		for (int i = 0; i < 500; i++)
			pt_trace_complete(t, "child", NULL, 0, 1);
		/* the child's events reach the file; the parent ends it */
		_exit(pt_trace_close(t) == 0 ? 0 : 1);
	}
	waitpid(child, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pt_trace_complete(t, "parent after", NULL, 0, 1);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	ck_assert_int_eq(count(doc, "X", "parent before", 0), 1);
	ck_assert_int_eq(count(doc, "X", "parent after", 0), 1);
	cJSON_ArrayForEach(e, json_at(doc, "traceEvents")) {
		if (json_num(e, "pid") != child)
			continue;
		if (strcmp(json_str(e, "ph"), "X") == 0)
			child_events++;
		if (strcmp(json_str(e, "ph"), "M") == 0 &&
		    strcmp(json_str(e, "name"), "process_name") == 0)
			child_named++;
	}
	/* the parent's buffered event was not duplicated by the child */
	ck_assert_int_eq(child_events, 500);
	ck_assert_int_eq(child_named, 1);
	cJSON_Delete(doc);
}
END_TEST

static void traced_block(pt_prof *p)
{
	PT_BLOCK(p, 2, "traced block");
}

START_TEST(test_profiler_events)
{
	const char *path = tmp_path("prof");
	pt_trace *t = open_trace(path, 0);
	pt_prof *p = pt_prof_new("traced");
	struct pt_stamp_group g;
	cJSON *doc, *e;

	ck_assert_int_eq(pt_prof_set_trace(p, t), 0);
	ck_assert_ptr_eq(pt_prof_trace(p), t);
	for (int i = 0; i < 5; i++)
		traced_block(p);
	pt_prof_timer_start(p, "timer");
	pt_prof_timer_stop(p, "timer", NULL);
	pt_stamps_create(pt_prof_stamps(p), "first", NULL);
	pt_stamps_group(pt_prof_stamps(p), &g);
	pt_stamp_group_create(&g, "grouped", NULL);
	pt_prof_memory_record(p, "cache", 1024);
	pt_prof_sample(p);
	pt_prof_counter_add(p, "n", 3);
	pt_prof_sample(p);
	pt_prof_set_trace(p, NULL);
	traced_block(p); /* detached: not in the trace */
	pt_prof_free(p);
	ck_assert_int_eq(pt_trace_close(t), 0);
	doc = load(path);
	ck_assert_int_eq(count(doc, "X", "traced block", 0), 5);
	ck_assert_str_eq(json_str(find(doc, "X", "traced block"), "cat"), "track 2");
	ck_assert_int_eq(count(doc, "X", "timer", 0), 1);
	e = find(doc, "i", "first");
	ck_assert_ptr_nonnull(e);
	ck_assert(json_num(e, "args.step") == 0);
	ck_assert_str_eq(json_str(e, "cat"), "stamp");
	ck_assert(json_num(find(doc, "i", "grouped"), "args.step") == 1);
	ck_assert(json_num(find(doc, "C", "memory records"), "args.cache") == 1024);
	ck_assert(json_num(find(doc, "C", "rss"), "args.bytes") > 0);
	ck_assert(json_num(find(doc, "C", "counters"), "args.n") == 3);
	cJSON_Delete(doc);
}
END_TEST

Suite *suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_every_phase);
	tcase_add_test(tc, test_bad_events);
	tcase_add_test(tc, test_escaping);
	suite_add_tcase(s, tc);
	tc = tcase_create("streaming");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_streams_at_threshold);
	tcase_add_test(tc, test_memory_is_bounded);
	tcase_add_test(tc, test_threads_have_own_tracks);
	tcase_add_test(tc, test_fork_child_appends);
	suite_add_tcase(s, tc);
	tc = tcase_create("profiler");
	tcase_add_test(tc, test_profiler_events);
	suite_add_tcase(s, tc);
	return s;
}
