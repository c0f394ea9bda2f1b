/* check_trial.c - the trial engine run on in-process tasks: items, errors, records, timing */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "proftune.h"
#include "engine/taskapi.h"
#include "engine/trial.h"

#define SMALL_TOPOLOGY "package:2 numa:2 core:4 pu:2"

static void config(struct pt_trial_config *c, unsigned workers, uint64_t items)
{
	pt_trial_config_init(c);
	c->workers = workers;
	c->items = items;
	c->duration_s = 0.1;
	c->warmup_s = 0.02;
	c->counters = 0;
}

static pt_trial *run_on(const struct pt_task *task, const pt_topology *t,
			const struct pt_trial_config *c)
{
	pt_module *m = pt_module_from_task(task, task->name);
	pt_trial *tr;

	ck_assert_msg(m != NULL, "%s", pt_last_error());
	tr = pt_trial_run(m, t, c);
	ck_assert_msg(tr != NULL, "pt_trial_run: %s", pt_last_error());
	pt_module_close(m);
	return tr;
}

static pt_trial *run_task(const struct pt_task *task, const struct pt_trial_config *c)
{
	return run_on(task, NULL, c);
}

static cJSON *trial_json(const pt_trial *tr)
{
	return json_parse_free(pt_trial_json(tr));
}

static void assert_contains(const char *text, const char *words)
{
	ck_assert_msg(text != NULL, "no message, want one containing '%s'", words);
	ck_assert_msg(strstr(text, words) != NULL, "'%s' does not contain '%s'", text, words);
}

static void sleep_ns(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- tasks ----------------------------------------------------------------- */

static int noop_run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

static const struct pt_task noop_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "noop",
	.run = noop_run,
};

/* Counts the runs of every item index (warm-up and measured phases). */
#define MARK_MAX (1u << 20)
static atomic_uint mark_counts[MARK_MAX];
static atomic_ullong mark_total, mark_overflow;

static int mark_run(pt_worker *w, uint64_t item)
{
	(void)w;
	if (item < MARK_MAX)
		atomic_fetch_add_explicit(&mark_counts[item], 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&mark_overflow, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&mark_total, 1, memory_order_relaxed);
	return PT_OK;
}

static const struct pt_task mark_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "mark",
	.run = mark_run,
};

static int fail10_run(pt_worker *w, uint64_t item)
{
	if (item % 10 == 9)
		return pt_error(w, "simulated failure");
	return PT_OK;
}

static const struct pt_task fail10_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "fail10",
	.run = fail10_run,
};

static int rc7_run(pt_worker *w, uint64_t item)
{
	(void)w;
	return item == 3 ? 7 : PT_OK;
}

static const struct pt_task rc7_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "rc7",
	.run = rc7_run,
};

static atomic_int run_called;

static int counting_run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	atomic_store(&run_called, 1);
	return PT_OK;
}

static int skip_setup(pt_ctx *ctx)
{
	return pt_skip(ctx, "needs %s", "a GPU");
}

static const struct pt_task skip_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "skip",
	.setup = skip_setup,
	.run = counting_run,
};

static int error_setup(pt_ctx *ctx)
{
	return pt_ctx_error(ctx, "cannot open %s", "/dev/widget");
}

static const struct pt_task error_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "error",
	.setup = error_setup,
	.run = counting_run,
};

static int rc_setup(pt_ctx *ctx)
{
	(void)ctx;
	return 5;
}

static const struct pt_task rc_setup_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "rc-setup",
	.setup = rc_setup,
	.run = counting_run,
};

static void error_teardown(pt_ctx *ctx)
{
	pt_ctx_error(ctx, "teardown lost %d widgets", 3);
}

static const struct pt_task teardown_error_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "teardown-error",
	.run = noop_run,
	.teardown = error_teardown,
};

static struct {
	long long count, size;
	double ratio;
	const char *name;
} param_seen;

static int param_setup(pt_ctx *ctx)
{
	param_seen.count = pt_param_int(ctx, "count", 5);
	param_seen.size = pt_param_int(ctx, "size", 64);
	param_seen.ratio = pt_param_double(ctx, "ratio", 0.5);
	param_seen.name = pt_param_str(ctx, "name", "default");
	return PT_OK;
}

static atomic_uint param_teardowns;

static void param_teardown(pt_ctx *ctx)
{
	(void)ctx;
	atomic_fetch_add(&param_teardowns, 1);
}

static const struct pt_task param_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "param",
	.setup = param_setup,
	.run = noop_run,
	.teardown = param_teardown,
};

static int counter_run(pt_worker *w, uint64_t item)
{
	(void)item;
	pt_counter_add(w, "ops", 3);
	pt_counter_add(w, "bytes", 64);
	return PT_OK;
}

static const struct pt_task counter_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "counter",
	.run = counter_run,
};

#define MANY_NAMES (PT_MAX_COUNTERS + 8)
static const char *const many_names[MANY_NAMES] = {
	"c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09",
	"c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19",
	"c20", "c21", "c22", "c23", "c24", "c25", "c26", "c27", "c28", "c29",
	"c30", "c31", "c32", "c33", "c34", "c35", "c36", "c37", "c38", "c39",
};

static int many_run(pt_worker *w, uint64_t item)
{
	(void)item;
	for (unsigned i = 0; i < MANY_NAMES; i++)
		pt_counter_add(w, many_names[i], 1);
	return PT_OK;
}

static const struct pt_task many_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "many-counters",
	.run = many_run,
};

static int record_setup(pt_ctx *ctx)
{
	pt_ctx_memory_record(ctx, "table", 1024);
	pt_ctx_memory_record(ctx, "table", 4096);
	pt_ctx_note(ctx, "calibrated_ns", 1.0);
	pt_ctx_note(ctx, "calibrated_ns", 12.5);
	return PT_OK;
}

static int record_worker_setup(pt_worker *w)
{
	pt_memory_record(w, "buffer", 1);
	pt_memory_record(w, "buffer", 1000u * (pt_worker_index(w) + 1));
	return PT_OK;
}

static void record_teardown(pt_ctx *ctx)
{
	pt_ctx_note(ctx, "late", 2.0);
}

static const struct pt_task record_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "record",
	.setup = record_setup,
	.worker_setup = record_worker_setup,
	.run = noop_run,
	.teardown = record_teardown,
};

#define BIG_BYTES (200u * 1000u * 1000u)

static int big_setup(pt_ctx *ctx)
{
	char *p = malloc(BIG_BYTES);

	if (!p)
		return pt_ctx_error(ctx, "out of memory");
	memset(p, 0x5a, BIG_BYTES);
	pt_ctx_set_data(ctx, p);
	return PT_OK;
}

static void big_teardown(pt_ctx *ctx)
{
	free(pt_ctx_data(ctx));
}

static const struct pt_task big_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "big",
	.setup = big_setup,
	.run = noop_run,
	.teardown = big_teardown,
};

/* Each worker holds BIG_BYTES / 2 of its own: with process workers, the
 * trial process never holds it. */
static int half_worker_setup(pt_worker *w)
{
	char *p = malloc(BIG_BYTES / 2);

	if (!p)
		return pt_error(w, "out of memory");
	memset(p, 0x5a, BIG_BYTES / 2);
	pt_worker_set_data(w, p);
	return PT_OK;
}

static void half_worker_teardown(pt_worker *w)
{
	free(pt_worker_data(w));
}

static const struct pt_task half_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "half",
	.worker_setup = half_worker_setup,
	.run = noop_run,
	.worker_teardown = half_worker_teardown,
};

/* What the workers saw of themselves. */
#define MAX_SEEN 64
static int ctx_marker;
static struct {
	atomic_uint setup_workers;
	atomic_uint index_seen[MAX_SEEN];
	atomic_uint teardowns;
	atomic_uint bad_count, bad_ctx, bad_data, bad_cpu;
	atomic_int cpu[MAX_SEEN], observed[MAX_SEEN], numa[MAX_SEEN];
	int data[MAX_SEEN];
} seen;

static int seen_setup(pt_ctx *ctx)
{
	atomic_store(&seen.setup_workers, pt_ctx_workers(ctx));
	pt_ctx_set_data(ctx, &ctx_marker);
	return PT_OK;
}

static int seen_worker_setup(pt_worker *w)
{
	unsigned i = pt_worker_index(w);

	if (i >= MAX_SEEN)
		return pt_error(w, "index %u out of range", i);
	atomic_fetch_add(&seen.index_seen[i], 1);
	if (pt_worker_count(w) != atomic_load(&seen.setup_workers))
		atomic_fetch_add(&seen.bad_count, 1);
	if (pt_ctx_data(pt_worker_ctx(w)) != &ctx_marker)
		atomic_fetch_add(&seen.bad_ctx, 1);
	atomic_store(&seen.cpu[i], pt_worker_cpu(w));
	atomic_store(&seen.numa[i], pt_worker_numa(w));
	atomic_store(&seen.observed[i], sched_getcpu());
	pt_worker_set_data(w, &seen.data[i]);
	return PT_OK;
}

static int seen_run(pt_worker *w, uint64_t item)
{
	unsigned i = pt_worker_index(w);

	(void)item;
	if (pt_worker_data(w) != &seen.data[i])
		atomic_fetch_add(&seen.bad_data, 1);
	if (pt_worker_cpu(w) >= 0 && sched_getcpu() != pt_worker_cpu(w))
		atomic_fetch_add(&seen.bad_cpu, 1);
	return PT_OK;
}

static void seen_worker_teardown(pt_worker *w)
{
	if (pt_worker_data(w) != &seen.data[pt_worker_index(w)])
		atomic_fetch_add(&seen.bad_data, 1);
	atomic_fetch_add(&seen.teardowns, 1);
}

static void reset_seen(void)
{
	atomic_store(&run_called, 0);
	atomic_store(&seen.setup_workers, 0);
	atomic_store(&seen.teardowns, 0);
	atomic_store(&seen.bad_count, 0);
	atomic_store(&seen.bad_ctx, 0);
	atomic_store(&seen.bad_data, 0);
	atomic_store(&seen.bad_cpu, 0);
	for (unsigned i = 0; i < MAX_SEEN; i++) {
		atomic_store(&seen.index_seen[i], 0);
		atomic_store(&seen.cpu[i], -2);
		atomic_store(&seen.observed[i], -2);
		atomic_store(&seen.numa[i], -2);
	}
}

static const struct pt_task seen_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "seen",
	.setup = seen_setup,
	.worker_setup = seen_worker_setup,
	.run = seen_run,
	.worker_teardown = seen_worker_teardown,
};

static int failing_worker_setup(pt_worker *w)
{
	if (pt_worker_index(w) == 1)
		return pt_error(w, "no device for worker %u", pt_worker_index(w));
	return PT_OK;
}

static void counting_worker_teardown(pt_worker *w)
{
	(void)w;
	atomic_fetch_add(&seen.teardowns, 1);
}

static const struct pt_task worker_fail_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "worker-fail",
	.worker_setup = failing_worker_setup,
	.run = counting_run,
	.worker_teardown = counting_worker_teardown,
};

static int skipping_worker_setup(pt_worker *w)
{
	if (pt_worker_index(w) == 0)
		return pt_skip(pt_worker_ctx(w), "worker %u: no such instruction", pt_worker_index(w));
	return PT_OK;
}

static const struct pt_task worker_skip_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "worker-skip",
	.worker_setup = skipping_worker_setup,
	.run = counting_run,
};

static int sleep_run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	sleep_ns(1000000);
	return PT_OK;
}

static const struct pt_task sleep_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "sleep",
	.run = sleep_run,
};

/* The items' own view of their duration, to compare with the engine's. */
static atomic_ullong spin_sum_ns, spin_count;

static int spin_run(pt_worker *w, uint64_t item)
{
	uint64_t start = mono_ns(), now;

	(void)w;
	(void)item;
	while ((now = mono_ns()) < start + 200000)
		;
	atomic_fetch_add(&spin_sum_ns, now - start);
	atomic_fetch_add(&spin_count, 1);
	return PT_OK;
}

static const struct pt_task spin_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "spin200us",
	.run = spin_run,
};

static int interrupt_run(pt_worker *w, uint64_t item)
{
	(void)w;
	if (item == 1000)
		pt_interrupt();
	return PT_OK;
}

static const struct pt_task interrupt_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "interrupt",
	.run = interrupt_run,
};

/* ---- tests ----------------------------------------------------------------- */

static void check_fixed_items(unsigned workers, uint64_t items)
{
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;
	cJSON *o, *per;
	double sum = 0;

	config(&c, workers, items);
	tr = run_task(&noop_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_OK);
	ck_assert_ptr_null(pt_trial_message(tr));
	ck_assert_uint_eq(s->workers, workers);
	ck_assert_uint_eq(s->items, items);
	ck_assert_uint_eq(s->errors, 0);
	ck_assert_double_gt(s->wall_s, 0);
	ck_assert_double_eq_tol(s->throughput, (double)items / s->wall_s, s->throughput * 1e-9);
	ck_assert_double_ge(s->imbalance, 0);
	ck_assert_uint_eq(s->latency.count, items);

	o = trial_json(tr);
	ck_assert_str_eq(json_str(o, "status"), "ok");
	ck_assert_double_eq(json_num(o, "items"), (double)items);
	ck_assert_double_eq(json_num(o, "workers"), workers);
	per = json_at(o, "per_worker");
	ck_assert(cJSON_IsArray(per));
	ck_assert_int_eq(cJSON_GetArraySize(per), (int)workers);
	for (unsigned i = 0; i < workers; i++) {
		cJSON *w = cJSON_GetArrayItem(per, (int)i);

		ck_assert_double_eq(json_num(w, "index"), i);
		ck_assert_double_ge(json_num(w, "items"), 0);
		sum += json_num(w, "items");
	}
	ck_assert_double_eq(sum, (double)items);
	cJSON_Delete(o);
	pt_trial_free(tr);
}

START_TEST(test_fixed_items_1)
{
	check_fixed_items(1, 10007);
}
END_TEST

START_TEST(test_fixed_items_3)
{
	check_fixed_items(3, 10007);
}
END_TEST

START_TEST(test_fixed_items_8)
{
	check_fixed_items(8, 100003);
	check_fixed_items(8, 5);
}
END_TEST

START_TEST(test_every_item_once)
{
	const uint64_t k = 200003;
	struct pt_trial_config c;
	pt_trial *tr;
	uint64_t total, warm, bad = 0;

	atomic_store(&mark_total, 0);
	atomic_store(&mark_overflow, 0);
	for (unsigned i = 0; i < MARK_MAX; i++)
		atomic_store(&mark_counts[i], 0);

	config(&c, 4, k);
	c.warmup_s = 0;
	c.record_latency = 0;
	tr = run_task(&mark_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_eq(pt_trial_stats(tr)->items, k);
	pt_trial_free(tr);

	/* the warm-up runs items 0..W-1 once, the measured phase 0..K-1 once */
	total = atomic_load(&mark_total);
	ck_assert_uint_ge(total, k);
	warm = total - k;
	ck_assert_uint_eq(atomic_load(&mark_overflow), warm > MARK_MAX ? warm - MARK_MAX : 0);
	for (uint64_t i = 0; i < MARK_MAX; i++) {
		unsigned want = (i < k) + (i < warm), got = atomic_load(&mark_counts[i]);

		if (got != want && bad++ < 5)
			fprintf(stderr, "item %llu ran %u times, want %u (warm-up %llu items)\n",
				(unsigned long long)i, got, want, (unsigned long long)warm);
	}
	ck_assert_msg(bad == 0, "%llu item indexes ran the wrong number of times",
		      (unsigned long long)bad);
}
END_TEST

START_TEST(test_errors_counted)
{
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;
	cJSON *o, *msgs;

	/* 10% of the items fail, over the default bound of 5% */
	config(&c, 3, 1000);
	ck_assert_double_eq(c.max_error_rate, PT_MAX_ERROR_RATE);
	tr = run_task(&fail10_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_FAILED);
	ck_assert_uint_eq(s->items, 1000);
	ck_assert_str_eq(pt_trial_message(tr), "simulated failure (100 of 1000 items failed, 10%, "
			 "more than --max-error-rate 5%)");
	o = trial_json(tr);
	ck_assert_str_eq(json_str(o, "status"), "failed");
	ck_assert_str_eq(json_str(o, "message"), pt_trial_message(tr));
	msgs = json_at(o, "errors.messages");
	ck_assert(cJSON_IsArray(msgs));
	ck_assert_int_eq(cJSON_GetArraySize(msgs), 1);
	ck_assert_str_eq(json_str(msgs, "0.message"), "simulated failure");
	ck_assert_uint_eq(s->errors, 100);
	ck_assert_double_eq(json_num(o, "errors.count"), 100);
	ck_assert_double_eq_tol(json_num(o, "errors.rate"), 0.1, 1e-12);
	ck_assert_double_eq(json_num(o, "errors.max_rate"), 0.05);
	ck_assert_double_eq(json_num(o, "errors.messages_total"), 100);
	ck_assert_double_eq(json_num(msgs, "0.count"), 100);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

/* Within the bound the trial is ok: goodput counts the items that
 * succeeded, a warning counts the others. */
START_TEST(test_errors_within_bound)
{
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;
	cJSON *o, *wm;
	int warned = 0;

	config(&c, 2, 1000);
	c.max_error_rate = 0.2;
	tr = run_task(&fail10_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_OK);
	ck_assert_ptr_null(pt_trial_message(tr));
	ck_assert_uint_eq(s->errors, 100);
	ck_assert_double_eq_tol(s->error_rate, 0.1, 1e-12);
	ck_assert_double_gt(s->throughput, 0);
	ck_assert_double_eq_tol(s->goodput / s->throughput, 0.9, 1e-12);
	o = trial_json(tr);
	ck_assert_double_eq_tol(json_num(o, "goodput"), s->goodput, s->goodput * 1e-9);
	ck_assert_double_eq_tol(json_num(o, "errors.rate"), 0.1, 1e-12);
	cJSON_ArrayForEach(wm, json_at(o, "warnings"))
		warned += strstr(json_str(wm, "message"), "100 of 1000 items failed (10%, within "
				 "--max-error-rate 20%): simulated failure") != NULL;
	ck_assert_int_eq(warned, 1);
	/* per worker: goodput of its own items */
	ck_assert_double_eq_tol(json_num(o, "per_worker.0.goodput") +
				json_num(o, "per_worker.1.goodput"),
				(json_num(o, "per_worker.0.items") - json_num(o, "per_worker.0.errors")) /
				(json_num(o, "per_worker.0.end_s") - json_num(o, "per_worker.0.start_s")) +
				(json_num(o, "per_worker.1.items") - json_num(o, "per_worker.1.errors")) /
				(json_num(o, "per_worker.1.end_s") - json_num(o, "per_worker.1.start_s")),
				1e-6 * s->goodput);
	cJSON_Delete(o);
	pt_trial_free(tr);

	/* a bound of 0: any failed item fails the trial, with the task's message */
	c.max_error_rate = 0;
	tr = run_task(&fail10_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	ck_assert_str_eq(pt_trial_message(tr), "simulated failure");
	pt_trial_free(tr);

	/* a trial without a failed item: goodput is throughput, the rate 0 */
	c.max_error_rate = 0;
	tr = run_task(&noop_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_OK);
	ck_assert_double_eq(s->goodput, s->throughput);
	ck_assert_double_eq(s->error_rate, 0);
	pt_trial_free(tr);
}
END_TEST

/* The span runs from the first item started to the last item finished: a
 * worker that found nothing to claim, and woke late, does not stretch it. */
START_TEST(test_span_ignores_idle_workers)
{
	struct pt_worker w[3];

	memset(w, 0, sizeof(w));
	/* worker 0 ran every item from 1.1 ms to 9 ms; worker 1 woke at
	 * 12 ms and found nothing; worker 2 never started */
	w[0].start_ns = 1000000;
	w[0].end_ns = 9100000;
	w[0].first_ns = 1100000;
	w[0].last_ns = 9000000;
	w[0].items = 1000;
	w[1].start_ns = 12000000;
	w[1].end_ns = 12050000;
	ck_assert_double_eq_tol(pt_trial_span(w, 3), 0.0079, 1e-12);
	/* a second busy worker that started first and ended last widens it */
	w[2].start_ns = 400000;
	w[2].end_ns = 9600000;
	w[2].first_ns = 500000;
	w[2].last_ns = 9500000;
	w[2].items = 10;
	ck_assert_double_eq_tol(pt_trial_span(w, 3), 0.009, 1e-12);
	/* no item at all: the measured phase itself */
	w[0].items = w[2].items = 0;
	ck_assert_double_eq_tol(pt_trial_span(w, 3), 0.01165, 1e-12);
	ck_assert_double_eq(pt_trial_span(w, 0), 0);
}
END_TEST

/* With process workers, peak RSS covers what the worker processes held:
 * two workers of 100 MB each, none of it in the trial process. */
START_TEST(test_peak_rss_process_workers)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	config(&c, 2, 100);
	c.isolation = PT_ISOLATE_PROCESS;
	tr = run_task(&half_task, &c);
	ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_OK, "%s", pt_trial_message(tr));
	ck_assert_uint_ge(pt_trial_stats(tr)->peak_rss, BIG_BYTES);
	o = trial_json(tr);
	ck_assert_double_ge(json_num(o, "memory.worker_processes_rss"), BIG_BYTES);
	ck_assert_double_eq(json_num(o, "memory.peak_rss"), (double)pt_trial_stats(tr)->peak_rss);
	cJSON_Delete(o);
	pt_trial_free(tr);

	/* the same workers as threads hold it in the trial process itself */
	c.isolation = PT_ISOLATE_NONE;
	tr = run_task(&half_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_ge(pt_trial_stats(tr)->peak_rss, BIG_BYTES);
	o = trial_json(tr);
	ck_assert_ptr_null(json_at(o, "memory.worker_processes_rss"));
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_run_return_code)
{
	struct pt_trial_config c;
	pt_trial *tr;

	config(&c, 1, 10);
	c.warmup_s = 0;
	tr = run_task(&rc7_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	ck_assert_uint_ge(pt_trial_stats(tr)->errors, 1);
	assert_contains(pt_trial_message(tr), "run returned 7");
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_setup_skip)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	reset_seen();
	config(&c, 2, 100);
	c.counters = 1;
	tr = run_task(&skip_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_SKIPPED);
	ck_assert_str_eq(pt_trial_message(tr), "needs a GPU");
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 0);
	ck_assert_int_eq(atomic_load(&run_called), 0);
	o = trial_json(tr);
	ck_assert_str_eq(json_str(o, "status"), "skipped");
	ck_assert_str_eq(json_str(o, "message"), "needs a GPU");
	ck_assert(cJSON_IsFalse(json_at(o, "latency_ns.recorded")));
	ck_assert_str_eq(json_str(o, "counters.perf.cycles.status"), "not-counted");
	ck_assert_str_eq(json_str(o, "counters.perf.page_faults.status"), "not-counted");
	ck_assert_ptr_null(json_at(o, "counters.perf.cycles.value"));
	ck_assert_str_eq(json_str(o, "per_worker.1.counters.perf.cycles.status"), "not-counted");
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_setup_error)
{
	struct pt_trial_config c;
	pt_trial *tr;

	reset_seen();
	config(&c, 2, 100);
	tr = run_task(&error_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	ck_assert_str_eq(pt_trial_message(tr), "cannot open /dev/widget");
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 0);
	ck_assert_int_eq(atomic_load(&run_called), 0);
	pt_trial_free(tr);

	tr = run_task(&rc_setup_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	assert_contains(pt_trial_message(tr), "setup returned 5");
	ck_assert_int_eq(atomic_load(&run_called), 0);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_teardown_error)
{
	struct pt_trial_config c;
	pt_trial *tr;

	config(&c, 1, 100);
	tr = run_task(&teardown_error_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	ck_assert_str_eq(pt_trial_message(tr), "teardown lost 3 widgets");
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_params_parsed)
{
	pt_params *p = pt_params_new();
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	ck_assert_int_eq(pt_params_add(p, "count=0x10"), 0);
	ck_assert_int_eq(pt_params_add(p, "size=4k"), 0);
	ck_assert_int_eq(pt_params_add(p, "ratio=2.5e-1"), 0);
	ck_assert_int_eq(pt_params_add(p, "name=héllo wörld"), 0);
	config(&c, 1, 10);
	c.params = p;
	tr = run_task(&param_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_int_eq(param_seen.count, 16);
	ck_assert_int_eq(param_seen.size, 4000);
	ck_assert_double_eq(param_seen.ratio, 0.25);
	ck_assert_str_eq(param_seen.name, "héllo wörld");
	o = trial_json(tr);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "warnings")), 0);
	cJSON_Delete(o);
	pt_trial_free(tr);
	pt_params_free(p);

	config(&c, 1, 10);
	tr = run_task(&param_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_int_eq(param_seen.count, 5);
	ck_assert_int_eq(param_seen.size, 64);
	ck_assert_double_eq(param_seen.ratio, 0.5);
	ck_assert_str_eq(param_seen.name, "default");
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_param_malformed)
{
	pt_params *p = pt_params_new();
	struct pt_trial_config c;
	pt_trial *tr;

	atomic_store(&param_teardowns, 0);
	ck_assert_int_eq(pt_params_add(p, "count=abc"), 0);
	config(&c, 1, 10);
	c.params = p;
	tr = run_task(&param_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	ck_assert_uint_eq(atomic_load(&param_teardowns), 1);
	assert_contains(pt_trial_message(tr), "'count'");
	assert_contains(pt_trial_message(tr), "abc");
	ck_assert_int_eq(param_seen.count, 5);
	pt_trial_free(tr);
	pt_params_free(p);

	p = pt_params_new();
	ck_assert_int_eq(pt_params_add(p, "ratio=fast"), 0);
	c.params = p;
	tr = run_task(&param_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	assert_contains(pt_trial_message(tr), "'ratio'");
	assert_contains(pt_trial_message(tr), "fast");
	ck_assert_double_eq(param_seen.ratio, 0.5);
	pt_trial_free(tr);
	pt_params_free(p);
}
END_TEST

START_TEST(test_param_unused)
{
	pt_params *p = pt_params_new();
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o, *warnings, *wmsg;
	int found = 0;

	ck_assert_int_eq(pt_params_add(p, "count=3"), 0);
	ck_assert_int_eq(pt_params_add(p, "colour=blue"), 0);
	config(&c, 1, 10);
	c.params = p;
	tr = run_task(&param_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	warnings = json_at(o, "warnings");
	ck_assert(cJSON_IsArray(warnings));
	cJSON_ArrayForEach(wmsg, warnings) {
		const char *text = json_str(wmsg, "message");

		ck_assert_msg(strstr(text, "'count'") == NULL, "used parameter warned: %s", text);
		if (strstr(text, "was not used") && strstr(text, "'colour'"))
			found++;
	}
	ck_assert_int_eq(found, 1);
	cJSON_Delete(o);
	pt_trial_free(tr);
	pt_params_free(p);
}
END_TEST

START_TEST(test_counters)
{
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;
	cJSON *o;
	double per_sum = 0;

	config(&c, 3, 30000);
	tr = run_task(&counter_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_OK);
	o = trial_json(tr);
	for (int i = 0; i < 3; i++) {
		char path[64];

		snprintf(path, sizeof(path), "per_worker.%d.counters.user.ops", i);
		per_sum += json_num(o, path);
	}
	ck_assert_double_gt(json_num(o, "counters.user.ops.rate"), 0);
	ck_assert_double_eq_tol(json_num(o, "counters.user.ops.rate"),
				json_num(o, "counters.user.ops.value") / s->wall_s,
				json_num(o, "counters.user.ops.rate") * 1e-6);
	ck_assert_double_eq(json_num(o, "counters.user.ops.value"), 3.0 * (double)s->items);
	ck_assert_double_eq(json_num(o, "counters.user.bytes.value"), 64.0 * (double)s->items);
	ck_assert_double_eq(per_sum, 3.0 * (double)s->items);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_counter_names_dropped)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o, *wmsg;
	int warned = 0;

	_Static_assert(MANY_NAMES == sizeof(many_names) / sizeof(many_names[0]), "names");
	config(&c, 2, 1000);
	tr = run_task(&many_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "counters.user")), PT_MAX_COUNTERS);
	ck_assert_double_eq(json_num(o, "counters.user.c00.value"), 1000);
	ck_assert_double_eq(json_num(o, "counters.user.c31.value"), 1000);
	ck_assert_ptr_null(json_at(o, "counters.user.c32"));
	cJSON_ArrayForEach(wmsg, json_at(o, "warnings"))
		warned += strstr(json_str(wmsg, "message"), "dropped") != NULL;
	ck_assert_int_eq(warned, 1);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_memory_and_notes)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	config(&c, 4, 100);
	tr = run_task(&record_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	ck_assert_double_eq(json_num(o, "memory.records.buffer"), 10000);
	ck_assert_double_eq(json_num(o, "memory.records.table"), 4096);
	for (int i = 0; i < 4; i++) {
		char path[64];

		snprintf(path, sizeof(path), "per_worker.%d.memory.buffer", i);
		ck_assert_double_eq(json_num(o, path), 1000.0 * (i + 1));
	}
	ck_assert_double_eq(json_num(o, "notes.calibrated_ns"), 12.5);
	ck_assert_double_eq(json_num(o, "notes.late"), 2.0);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(o, "notes")), 2);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_peak_rss_per_trial)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;
	int per_trial;

	config(&c, 1, 100);
	tr = run_task(&big_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_ge(pt_trial_stats(tr)->peak_rss, BIG_BYTES);
	o = trial_json(tr);
	ck_assert_double_eq(json_num(o, "memory.peak_rss"), (double)pt_trial_stats(tr)->peak_rss);
	per_trial = strcmp(json_str(o, "memory.peak_rss_scope"), "trial") == 0;
	cJSON_Delete(o);
	pt_trial_free(tr);

	tr = run_task(&noop_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	ck_assert_str_eq(json_str(o, "memory.peak_rss_scope"), per_trial ? "trial" : "process");
	if (!per_trial)
		ck_assert_uint_ge(pt_trial_stats(tr)->peak_rss, BIG_BYTES);
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer keeps freed memory resident in its quarantine */
	else
		ck_assert_uint_lt(pt_trial_stats(tr)->peak_rss, 50000000u);
#endif
	ck_assert_double_gt(json_num(o, "memory.rss_end"), 0);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_worker_identity)
{
	const unsigned n = 5;
	struct pt_trial_config c;
	pt_trial *tr;

	reset_seen();
	config(&c, n, 1000);
	tr = run_task(&seen_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_eq(atomic_load(&seen.setup_workers), n);
	for (unsigned i = 0; i < MAX_SEEN; i++)
		ck_assert_msg(atomic_load(&seen.index_seen[i]) == (i < n),
			      "worker index %u seen %u times", i, atomic_load(&seen.index_seen[i]));
	ck_assert_uint_eq(atomic_load(&seen.bad_count), 0);
	ck_assert_uint_eq(atomic_load(&seen.bad_ctx), 0);
	ck_assert_uint_eq(atomic_load(&seen.bad_data), 0);
	ck_assert_uint_eq(atomic_load(&seen.teardowns), n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(atomic_load(&seen.cpu[i]), -1);
		ck_assert_int_eq(atomic_load(&seen.numa[i]), -1);
	}
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_workers_bound)
{
	pt_topology *t = pt_topology_new(NULL);
	struct pt_trial_config c;
	pt_trial *tr;
	unsigned n;
	cJSON *o;

	reset_seen();
	ck_assert_msg(t != NULL, "%s", pt_last_error());
	n = pt_topology_allowed_pus(t);
	if (n > 4)
		n = 4;
	config(&c, n, 20000);
	c.placement = PT_PLACE_COMPACT;
	tr = run_on(&seen_task, t, &c);
	ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_OK, "%s", pt_trial_message(tr));
	o = trial_json(tr);
	ck_assert_str_eq(json_str(o, "placement"), "compact");
	for (unsigned i = 0; i < n; i++) {
		char path[64];
		int cpu = atomic_load(&seen.cpu[i]);

		snprintf(path, sizeof(path), "per_worker.%u.cpu", i);
		ck_assert_int_ge(cpu, 0);
		ck_assert_int_eq((int)json_num(o, path), cpu);
		ck_assert_int_eq(atomic_load(&seen.observed[i]), cpu);
		snprintf(path, sizeof(path), "per_worker.%u.cpu_observed_start", i);
		ck_assert_int_eq((int)json_num(o, path), cpu);
		snprintf(path, sizeof(path), "per_worker.%u.cpu_observed_end", i);
		ck_assert_int_eq((int)json_num(o, path), cpu);
	}
	ck_assert_uint_eq(atomic_load(&seen.bad_cpu), 0);
	cJSON_Delete(o);
	pt_trial_free(tr);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_synthetic_not_bound)
{
	pt_topology *t = pt_topology_new(SMALL_TOPOLOGY);
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	reset_seen();
	ck_assert_msg(t != NULL, "%s", pt_last_error());
	config(&c, 4, 1000);
	c.placement = PT_PLACE_SCATTER;
	tr = run_on(&seen_task, t, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	for (unsigned i = 0; i < 4; i++) {
		char path[64];

		ck_assert_int_eq(atomic_load(&seen.cpu[i]), -1);
		snprintf(path, sizeof(path), "per_worker.%u.cpu", i);
		ck_assert_double_ge(json_num(o, path), 0);
		ck_assert_double_lt(json_num(o, path), 32);
	}
	cJSON_Delete(o);
	pt_trial_free(tr);
	pt_topology_free(t);
}
END_TEST

START_TEST(test_worker_setup_fails)
{
	struct pt_trial_config c;
	pt_trial *tr;

	reset_seen();
	config(&c, 3, 1000);
	tr = run_task(&worker_fail_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_FAILED);
	/* the warm-up reset keeps what a failed worker_setup said */
	ck_assert_str_eq(pt_trial_message(tr), "no device for worker 1");
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 0);
	ck_assert_int_eq(atomic_load(&run_called), 0);
	ck_assert_uint_eq(atomic_load(&seen.teardowns), 2);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_worker_setup_skips)
{
	struct pt_trial_config c;
	pt_trial *tr;

	reset_seen();
	config(&c, 2, 1000);
	tr = run_task(&worker_skip_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_SKIPPED);
	ck_assert_str_eq(pt_trial_message(tr), "worker 0: no such instruction");
	ck_assert_int_eq(atomic_load(&run_called), 0);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_bad_config)
{
	pt_module *m = pt_module_from_task(&noop_task, "noop");
	struct pt_trial_config c;

	config(&c, 0, 10);
	errno = 0;
	ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
	ck_assert_int_eq(errno, EINVAL);
	assert_contains(pt_last_error(), "worker");

	config(&c, 1, 0);
	c.duration_s = 0;
	errno = 0;
	ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
	ck_assert_int_eq(errno, EINVAL);

	config(&c, 1, 10);
	c.warmup_s = -1;
	errno = 0;
	ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
	ck_assert_int_eq(errno, EINVAL);

	config(&c, 1, 10);
	c.warmup_s = NAN;
	ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
	pt_module_close(m);
}
END_TEST

/* Times beyond the bounds would overflow their nanoseconds: refused before
 * the trial starts, in this process and before an isolated trial's fork,
 * instead of an instant timeout or an empty measured phase. */
START_TEST(test_extreme_config)
{
	pt_module *m = pt_module_from_task(&noop_task, "noop");
	static const enum pt_isolation modes[] = { PT_ISOLATE_NONE, PT_ISOLATE_TRIAL };
	struct pt_trial_config c;
	pt_trial *tr;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		config(&c, 1, 0);
		c.isolation = modes[i];
		c.duration_s = 1e308;
		errno = 0;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		ck_assert_int_eq(errno, ERANGE);
		assert_contains(pt_last_error(), "duration of 1e+308 s is out of range");
		c.duration_s = 2e10;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		c.duration_s = INFINITY;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));

		config(&c, 1, 10);
		c.isolation = modes[i];
		c.warmup_s = 1e308;
		errno = 0;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		ck_assert_int_eq(errno, ERANGE);
		assert_contains(pt_last_error(), "warm-up of 1e+308 s is out of range");

		config(&c, 1, 10);
		c.isolation = modes[i];
		c.timeout_s = 1e308;
		errno = 0;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		ck_assert_int_eq(errno, ERANGE);
		assert_contains(pt_last_error(), "timeout of 1e+308 s is out of range");
		c.timeout_s = -1;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		c.timeout_s = NAN;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));

		config(&c, 1, (UINT64_C(1) << 53) + 1);
		c.isolation = modes[i];
		errno = 0;
		ck_assert_ptr_null(pt_trial_run(m, NULL, &c));
		ck_assert_int_eq(errno, ERANGE);
		assert_contains(pt_last_error(), "9007199254740993 items is out of range");
	}

	/* the bounds themselves are accepted (a fixed-items trial does not
	 * wait for its duration) */
	config(&c, 1, 10);
	c.duration_s = 1e6;
	c.timeout_s = 1e9;
	c.warmup_s = 0;
	tr = pt_trial_run(m, NULL, &c);
	ck_assert_msg(tr != NULL, "pt_trial_run: %s", pt_last_error());
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	pt_trial_free(tr);
	pt_module_close(m);
}
END_TEST

START_TEST(test_config_defaults)
{
	struct pt_trial_config c;

	memset(&c, 0x5a, sizeof(c));
	pt_trial_config_init(&c);
	ck_assert_uint_eq(c.workers, 1);
	ck_assert_int_eq(c.placement, PT_PLACE_NONE);
	ck_assert_uint_eq(c.items, 0);
	ck_assert_double_eq(c.duration_s, 1.0);
	ck_assert_double_eq(c.warmup_s, 0.1);
	ck_assert_int_eq(c.record_latency, 1);
	ck_assert_int_eq(c.counters, 1);
	ck_assert_uint_eq(c.repeat, 0);
	ck_assert_ptr_null(c.params);
	ck_assert_str_eq(pt_status_name(PT_STATUS_OK), "ok");
	ck_assert_str_eq(pt_status_name(PT_STATUS_FAILED), "failed");
	ck_assert_str_eq(pt_status_name(PT_STATUS_SKIPPED), "skipped");
	ck_assert_str_eq(pt_status_name(PT_STATUS_INTERRUPTED), "interrupted");
	ck_assert_str_eq(pt_status_name((enum pt_status)42), "?");
}
END_TEST

START_TEST(test_duration_mode)
{
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;
	cJSON *o;

	config(&c, 2, 0);
	c.duration_s = 0.2;
	c.repeat = 7;
	tr = run_task(&noop_task, &c);
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_OK);
	ck_assert_uint_gt(s->items, 1000);
	ck_assert_double_ge(s->wall_s / c.duration_s, 0.9);
	ck_assert_double_le(s->wall_s / c.duration_s, 2.0);
	ck_assert_double_eq_tol(s->throughput, (double)s->items / s->wall_s, s->throughput * 1e-9);
	o = trial_json(tr);
	ck_assert_double_eq(json_num(o, "repeat"), 7);
	ck_assert_double_ge(json_num(o, "warmup_s") / c.warmup_s, 0.9);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_latency_off)
{
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o;

	config(&c, 2, 5000);
	c.record_latency = 0;
	tr = run_task(&noop_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_eq(pt_trial_stats(tr)->latency.count, 0);
	o = trial_json(tr);
	ck_assert(cJSON_IsFalse(json_at(o, "latency_ns.recorded")));
	/* nothing was timed: the count and the statistics are unknown, not 0 */
	ck_assert(cJSON_IsNull(json_at(o, "latency_ns.count")));
	ck_assert(cJSON_IsNull(json_at(o, "latency_ns.p99")));
	ck_assert(cJSON_IsNull(json_at(o, "per_worker.0.latency_ns.p50")));
	ck_assert(cJSON_IsNumber(json_at(o, "items")));
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_switches_start_at_the_barrier)
{
	struct pt_trial_config c;
	double vcsw = 0;
	pt_trial *tr;
	cJSON *o;

	/* the workers wait at the start barrier (a voluntary switch each but
	 * the last to arrive); a measured phase of no-op items blocks nowhere,
	 * so its switches are 0 when the count starts after the barrier */
	config(&c, 2, 20000);
	tr = run_task(&noop_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	o = trial_json(tr);
	for (int i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "per_worker.%d.counters.os.voluntary_context_switches", i);
		vcsw += json_num(o, path);
	}
	ck_assert_double_eq(vcsw, 0);
	cJSON_Delete(o);
	pt_trial_free(tr);
}
END_TEST

START_TEST(test_throughput_scales)
{
	struct pt_trial_config c;
	pt_trial *one, *four;
	double t1, t4;

	config(&c, 1, 0);
	c.duration_s = 0.2;
	one = run_task(&sleep_task, &c);
	c.workers = 4;
	four = run_task(&sleep_task, &c);
	ck_assert_int_eq(pt_trial_stats(one)->status, PT_STATUS_OK);
	ck_assert_int_eq(pt_trial_stats(four)->status, PT_STATUS_OK);
	t1 = pt_trial_stats(one)->throughput;
	t4 = pt_trial_stats(four)->throughput;
	ck_assert_double_gt(t1, 0);
	ck_assert_msg(t4 >= 3.0 * t1, "4 workers: %.1f items/s, 1 worker: %.1f items/s", t4, t1);
	ck_assert_double_le(pt_trial_stats(four)->imbalance, 0.5);
	pt_trial_free(one);
	pt_trial_free(four);
}
END_TEST

/* A spinning item preempted on a loaded machine lasts longer: the mean is
 * compared with the items' own measurement, and with 200 us once a trial
 * ran undisturbed. */
START_TEST(test_latency_spin)
{
	struct pt_trial_config c;
	struct pt_latency l;
	pt_trial *tr;
	double own = 0;
	int undisturbed = 0;

	config(&c, 1, 0);
	c.duration_s = 0.1;
	c.warmup_s = 0;
	for (int attempt = 0; attempt < 5 && !undisturbed; attempt++) {
		atomic_store(&spin_sum_ns, 0);
		atomic_store(&spin_count, 0);
		tr = run_task(&spin_task, &c);
		ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
		l = pt_trial_stats(tr)->latency;
		pt_trial_free(tr);
		ck_assert_uint_gt(l.count, 50);
		ck_assert_uint_ge(atomic_load(&spin_count), l.count);
		own = (double)atomic_load(&spin_sum_ns) / (double)atomic_load(&spin_count);
		ck_assert_msg(fabs(l.mean / own - 1) <= 0.05, "mean %.0f ns, items measured %.0f ns",
			      l.mean, own);
		ck_assert_msg(fabs(l.p50 / 200000.0 - 1) <= 0.05, "p50 %.0f ns", l.p50);
		ck_assert_double_ge(l.min, 200000.0 * (1 - 1.0 / 256));
		ck_assert(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 &&
			  l.p99 <= l.p999 && l.p999 <= l.max);
		undisturbed = own < 200000.0 * 1.01;
	}
	if (undisturbed)
		ck_assert_msg(fabs(l.mean / 200000.0 - 1) <= 0.05, "mean %.0f ns", l.mean);
	else
		fprintf(stderr, "test_latency_spin: machine too busy for the absolute check "
			"(items took %.0f ns)\n", own);
}
END_TEST

START_TEST(test_interrupt)
{
	struct pt_trial_config c;
	pt_trial *tr;

	pt_interrupt_clear();
	ck_assert_int_eq(pt_interrupted(), 0);
	config(&c, 2, UINT64_C(1000000000000));
	c.warmup_s = 0;
	tr = run_task(&interrupt_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_INTERRUPTED);
	ck_assert_uint_lt(pt_trial_stats(tr)->items, c.items);
	ck_assert_int_ne(pt_interrupted(), 0);
	pt_trial_free(tr);

	pt_interrupt_clear();
	ck_assert_int_eq(pt_interrupted(), 0);
	config(&c, 2, 500);
	tr = run_task(&noop_task, &c);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 500);
	pt_trial_free(tr);
}
END_TEST

Suite *suite_trial(void)
{
	Suite *s = suite_create("trial");
	TCase *tc = tcase_create("items");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fixed_items_1);
	tcase_add_test(tc, test_fixed_items_3);
	tcase_add_test(tc, test_fixed_items_8);
	tcase_add_test(tc, test_every_item_once);
	tcase_add_test(tc, test_duration_mode);
	tcase_add_test(tc, test_latency_off);
	tcase_add_test(tc, test_interrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("outcome");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_errors_counted);
	tcase_add_test(tc, test_errors_within_bound);
	tcase_add_test(tc, test_span_ignores_idle_workers);
	tcase_add_test(tc, test_run_return_code);
	tcase_add_test(tc, test_setup_skip);
	tcase_add_test(tc, test_setup_error);
	tcase_add_test(tc, test_teardown_error);
	tcase_add_test(tc, test_worker_setup_fails);
	tcase_add_test(tc, test_worker_setup_skips);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_extreme_config);
	tcase_add_test(tc, test_config_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("task-api");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_params_parsed);
	tcase_add_test(tc, test_param_malformed);
	tcase_add_test(tc, test_param_unused);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_switches_start_at_the_barrier);
	tcase_add_test(tc, test_counter_names_dropped);
	tcase_add_test(tc, test_memory_and_notes);
	tcase_add_test(tc, test_peak_rss_per_trial);
	tcase_add_test(tc, test_peak_rss_process_workers);
	tcase_add_test(tc, test_worker_identity);
	tcase_add_test(tc, test_workers_bound);
	tcase_add_test(tc, test_synthetic_not_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_throughput_scales);
	tcase_add_test(tc, test_latency_spin);
	suite_add_tcase(s, tc);
	return s;
}
