/* check_trialprof.c - instrumentation inside trials: in-process, isolated and process workers, and the trace */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

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

static int traced_setup(pt_ctx *ctx)
{
	pt_prof *p = pt_ctx_prof(ctx);

	ck_assert_ptr_nonnull(p);
	pt_stamps_create(pt_prof_stamps(p), "setup done", NULL);
	pt_prof_memory_record(p, "table", 4096);
	return PT_OK;
}

static int traced_run(pt_worker *w, uint64_t item)
{
	pt_prof *p = pt_worker_prof(w);

	PT_BLOCK(p, 0, "item");
	PT_COUNTER_ADD(p, "items", 1);
	if (item % 100 == 0)
		pt_prof_counter_add(p, "hundreds", 1);
	spin_ns(2000);
	return PT_OK;
}

static const struct pt_task traced_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "traced",
	.summary = "blocks, counters and stamps",
	.setup = traced_setup,
	.run = traced_run,
};

static cJSON *run_traced(enum pt_isolation iso, pt_trace *trace)
{
	pt_module *m = pt_module_from_task(&traced_task, "traced");
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	ck_assert_ptr_nonnull(m);
	pt_trial_config_init(&c);
	c.workers = 2;
	c.items = 2000;
	c.warmup_s = 0.02;
	c.counters = 0;
	c.isolation = iso;
	c.trace = trace;
	tr = pt_trial_run(m, NULL, &c);
	ck_assert_msg(tr != NULL, "%s", pt_last_error());
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = json_parse_free(pt_trial_json(tr));
	pt_trial_free(tr);
	pt_module_close(m);
	return o;
}

static void check_instrumentation(const cJSON *o)
{
	/* blocks and counters of the warm-up are discarded: exactly the items */
	ck_assert(json_num(o, "instrumentation.tracks.0.blocks.0.hit_count") == 2000);
	ck_assert_str_eq(json_str(o, "instrumentation.tracks.0.blocks.0.name"), "item");
	ck_assert(json_num(o, "instrumentation.counters.items") == 2000);
	ck_assert(json_num(o, "instrumentation.counters.hundreds") == 20);
	ck_assert(json_num(o, "instrumentation.memory_usage.table") == 4096);
	ck_assert_str_eq(json_str(o, "instrumentation.stamps.0.identifier"), "setup done");
	ck_assert(json_num(o, "instrumentation.timings.item") > 2000 * 2000e-9);
}

START_TEST(test_trial_instrumentation)
{
	cJSON *o = run_traced(PT_ISOLATE_NONE, NULL);

	check_instrumentation(o);
	cJSON_Delete(o);
	/* an isolated trial brings it back from its child process */
	o = run_traced(PT_ISOLATE_TRIAL, NULL);
	check_instrumentation(o);
	cJSON_Delete(o);
	/* worker processes hand their blocks and counters back */
	o = run_traced(PT_ISOLATE_PROCESS, NULL);
	check_instrumentation(o);
	ck_assert(json_num(o, "instrumentation.threads") == 2);
	cJSON_Delete(o);
}
END_TEST

/* Count the events of TRACE (parsed) with phase PH and NAME (NULL: any) on
 * thread TID (0: any). */
static int count_events(const cJSON *events, const char *ph, const char *name, double tid)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, events) {
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

static cJSON *read_json_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return json_parse_free(buf);
}

static void check_worker_tracks(const char *path)
{
	cJSON *doc = read_json_file(path), *events = json_at(doc, "traceEvents"), *e;
	int workers = 0;

	ck_assert_ptr_nonnull(events);
	cJSON_ArrayForEach(e, events) {
		const char *n;

		if (strcmp(json_str(e, "ph"), "M") || strcmp(json_str(e, "name"), "thread_name"))
			continue;
		n = json_str(e, "args.name");
		if (strncmp(n, "worker ", 7) != 0)
			continue;
		workers++;
		/* the worker's track holds its measured phase and its blocks,
		 * with the same pid and tid as the metadata */
		ck_assert_int_eq(count_events(events, "X", "measured phase", json_num(e, "tid")), 1);
		ck_assert_int_gt(count_events(events, "X", "item", json_num(e, "tid")), 0);
	}
	ck_assert_int_eq(workers, 2);
	/* the trace keeps the warm-up's blocks too */
	ck_assert_int_ge(count_events(events, "X", "item", 0), 2000);
	ck_assert_int_eq(count_events(events, "i", "setup done", 0), 1);
	ck_assert_int_eq(count_events(events, "X", "trial: 2 workers, repeat 0", 0), 1);
	ck_assert_int_ge(count_events(events, "C", "rss", 0), 1);
	ck_assert_int_ge(count_events(events, "C", "counters", 0), 1);
	cJSON_Delete(doc);
}

START_TEST(test_trial_trace)
{
	char path[64];
	pt_trace *t;
	cJSON *o;

	for (int iso = 0; iso < 2; iso++) {
		snprintf(path, sizeof(path), "/tmp/check-trial-trace-%ld-%d.json", (long)getpid(), iso);
		t = pt_trace_open(path, NULL);
		ck_assert_ptr_nonnull(t);
		o = run_traced(iso ? PT_ISOLATE_TRIAL : PT_ISOLATE_NONE, t);
		check_instrumentation(o);
		cJSON_Delete(o);
		ck_assert_int_eq(pt_trace_close(t), 0);
		check_worker_tracks(path);
		unlink(path);
	}
}
END_TEST

Suite *suite_trialprof(void)
{
	Suite *s = suite_create("trialprof");
	TCase *tc = tcase_create("trial");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trial_instrumentation);
	tcase_add_test(tc, test_trial_trace);
	suite_add_tcase(s, tc);
	return s;
}
