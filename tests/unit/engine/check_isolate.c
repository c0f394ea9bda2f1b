/* check_isolate.c - trials in a supervised child: crashes, hangs and exit() recorded, results handed back */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

/* The sanitizers reserve more address space than any limit allows. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_MEMORY_LIMIT 1
#endif

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A trial configuration of the faulty test task: WORKERS workers, ITEMS
 * measured items (0: 10 s, longer than any case waits), a short warm-up. */
static void config(struct pt_trial_config *c, enum pt_isolation iso, unsigned workers,
		   uint64_t items)
{
	pt_trial_config_init(c);
	c->workers = workers;
	c->items = items;
	c->duration_s = 10;
	c->warmup_s = 0.01;
	c->counters = 0;
	c->isolation = iso;
}

/* Run the faulty task with the parameters in ASSIGNMENTS (NULL-terminated
 * "KEY=VALUE" strings) under C; the trial is the caller's. */
static pt_trial *run_faulty(struct pt_trial_config *c, const char *const *assignments)
{
	pt_module *m = pt_module_open(test_task_path("faulty"), NULL);
	pt_params *p = pt_params_new();
	pt_trial *tr;

	ck_assert_msg(m != NULL, "%s", pt_last_error());
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; assignments[i]; i++)
		ck_assert_int_eq(pt_params_add(p, assignments[i]), 0);
	c->params = p;
	tr = pt_trial_run(m, NULL, c);
	ck_assert_msg(tr != NULL, "pt_trial_run: %s", pt_last_error());
	c->params = NULL;
	pt_params_free(p);
	pt_module_close(m);
	return tr;
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

/* ---- crashes ------------------------------------------------------------------ */

/* Each fatal signal of the faulty task in run, with two workers: recorded as
 * crashed, named, placed in the run phase at a worker, with a backtrace
 * through the task's module. */
START_TEST(test_crash_named)
{
	static const struct {
		const char *what;
		int sig;
		const char *name;
	} faults[] = {
		{ "what=segv", SIGSEGV, "SIGSEGV" },
		{ "what=abort", SIGABRT, "SIGABRT" },
		{ "what=bus", SIGBUS, "SIGBUS" },
		{ "what=fpe", SIGFPE, "SIGFPE" },
	};
	struct pt_trial_config c;
	const char *args[2] = { NULL, NULL };

	config(&c, PT_ISOLATE_TRIAL, 2, 0);
	c.warmup_s = 0; /* the first item crashes: in the measured phase */
	c.timeout_s = 20;
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		pt_trial *tr;
		cJSON *j, *frame;
		int in_task = 0;
		double worker;

		args[0] = faults[i].what;
		tr = run_faulty(&c, args);
		ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_CRASHED, "%s: status %s",
			      faults[i].what, pt_status_name(pt_trial_stats(tr)->status));
		ck_assert_msg(strncmp(pt_trial_message(tr), faults[i].name,
				      strlen(faults[i].name)) == 0,
			      "%s: message '%s'", faults[i].what, pt_trial_message(tr));
		assert_contains(pt_trial_message(tr), " in run, worker ");
		j = trial_json(tr);
		ck_assert_str_eq(json_str(j, "status"), "crashed");
		ck_assert_str_eq(json_str(j, "isolation"), "trial");
		ck_assert_str_eq(json_str(j, "crash.signal_name"), faults[i].name);
		ck_assert_int_eq((int)json_num(j, "crash.signal"), faults[i].sig);
		ck_assert_str_eq(json_str(j, "crash.description"), strsignal(faults[i].sig));
		ck_assert_str_eq(json_str(j, "crash.phase"), "run");
		worker = json_num(j, "crash.worker");
		ck_assert_msg(worker == 0 || worker == 1, "crash in worker %g of 2", worker);
		ck_assert(cJSON_IsArray(json_at(j, "crash.backtrace")));
		cJSON_ArrayForEach(frame, json_at(j, "crash.backtrace"))
			in_task |= cJSON_IsString(frame) && strstr(frame->valuestring, "faulty") != NULL;
		ck_assert_msg(in_task, "%s: no backtrace frame in the faulty module", faults[i].what);
		cJSON_Delete(j);
		pt_trial_free(tr);
	}
}
END_TEST

/* A crash before any worker runs: in setup, no worker or item named. */
START_TEST(test_crash_in_setup)
{
	static const char *const args[] = { "what=segv", "where=setup", NULL };
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *j;

	config(&c, PT_ISOLATE_TRIAL, 2, 1000);
	tr = run_faulty(&c, args);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_CRASHED);
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 0);
	assert_contains(pt_trial_message(tr), "SIGSEGV");
	assert_contains(pt_trial_message(tr), "in setup");
	j = trial_json(tr);
	ck_assert_str_eq(json_str(j, "crash.phase"), "setup");
	ck_assert(cJSON_IsNull(json_at(j, "crash.worker")));
	ck_assert(cJSON_IsNull(json_at(j, "crash.item")));
	cJSON_Delete(j);
	pt_trial_free(tr);
}
END_TEST

/* ---- hangs ---------------------------------------------------------------------- */

/* Seconds a trial of the faulty task doing ARGS takes under TIMEOUT_S; the
 * trial must end as a timeout that names the timeout. */
static double hang_seconds(const char *const *args, double timeout_s)
{
	struct pt_trial_config c;
	char words[64];
	uint64_t t0;
	double s;
	pt_trial *tr;

	config(&c, PT_ISOLATE_TRIAL, 1, 0);
	c.timeout_s = timeout_s;
	t0 = mono_ns();
	tr = run_faulty(&c, args);
	s = (double)(mono_ns() - t0) / 1e9;
	ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_TIMEOUT, "%s: status %s", args[0],
		      pt_status_name(pt_trial_stats(tr)->status));
	snprintf(words, sizeof(words), "did not finish within %g s", timeout_s);
	assert_contains(pt_trial_message(tr), words);
	pt_trial_free(tr);
	return s;
}

/* A busy loop and a blocked call, in run and in setup: killed at the
 * timeout, not before it, and a timeout three times as long waits about
 * three times as long (the fork and setup time cancels in the difference). */
START_TEST(test_hang_is_timeout)
{
	static const char *const loop[] = { "what=loop", NULL };
	static const char *const block[] = { "what=block", NULL };
	static const char *const setup_loop[] = { "what=loop", "where=setup", NULL };
	const double t1 = 0.3, t2 = 0.9;
	double e1, e2, ratio;

	e1 = hang_seconds(loop, t1);
	e2 = hang_seconds(loop, t2);
	ck_assert_msg(e1 >= t1 && e2 >= t2, "killed early: %g s for %g, %g s for %g", e1, t1, e2,
		      t2);
	ratio = (e2 - e1) / (t2 - t1);
	ck_assert_msg(ratio > 0.7 && ratio < 1.6,
		      "%g s more for a %g s longer timeout (%g s and %g s)", e2 - e1, t2 - t1, e1,
		      e2);
	ck_assert_double_ge(hang_seconds(block, t1), t1);
	ck_assert_double_ge(hang_seconds(setup_loop, t1), t1);
}
END_TEST

/* ---- exit() and _exit() ---------------------------------------------------------- */

static void expect_exit(const char *what, const char *status, const char *call, int code)
{
	const char *args[] = { what, status, NULL };
	struct pt_trial_config c;
	char words[64];
	pt_trial *tr;
	cJSON *j;

	config(&c, PT_ISOLATE_TRIAL, 2, 1000);
	c.timeout_s = 20;
	tr = run_faulty(&c, args);
	ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_EXITED, "%s %s: status %s", what,
		      status, pt_status_name(pt_trial_stats(tr)->status));
	snprintf(words, sizeof(words), "the task called %s(%d)", call, code);
	assert_contains(pt_trial_message(tr), words);
	j = trial_json(tr);
	ck_assert_str_eq(json_str(j, "status"), "exited");
	ck_assert_str_eq(json_str(j, "exit.call"), call);
	ck_assert_int_eq((int)json_num(j, "exit.status"), code);
	cJSON_Delete(j);
	pt_trial_free(tr);
}

/* exit() and _exit() are told apart and their status kept; exit(0) in the
 * middle of a trial is not a success. */
START_TEST(test_exit_statuses)
{
	expect_exit("what=exit", "status=7", "exit", 7);
	expect_exit("what=_exit", "status=5", "_exit", 5);
	expect_exit("what=exit", "status=0", "exit", 0);
	expect_exit("what=_exit", "status=0", "_exit", 0);
}
END_TEST

/* ---- the result handed back ------------------------------------------------------ */

/* The same --items trial in-process and isolated: the child's result arrives
 * whole (status, items, errors and their message, latency count, every
 * worker, every field of the trial's JSON). */
START_TEST(test_result_intact)
{
	static const char *const args[] = { "what=errors", "every=10", NULL };
	struct pt_trial_config c;
	pt_trial *in, *iso;
	cJSON *ji, *jo, *f;
	double items = 0;

	config(&c, PT_ISOLATE_NONE, 2, 2000);
	c.timeout_s = 20;
	in = run_faulty(&c, args);
	c.isolation = PT_ISOLATE_TRIAL;
	iso = run_faulty(&c, args);
	/* item errors fail the trial, and the same way in both */
	ck_assert_int_eq(pt_trial_stats(in)->status, PT_STATUS_FAILED);
	ck_assert_int_eq(pt_trial_stats(iso)->status, PT_STATUS_FAILED);
	ck_assert_uint_eq(pt_trial_stats(in)->items, 2000);
	ck_assert_uint_eq(pt_trial_stats(iso)->items, pt_trial_stats(in)->items);
	ck_assert_uint_eq(pt_trial_stats(in)->errors, 200);
	ck_assert_uint_eq(pt_trial_stats(iso)->errors, pt_trial_stats(in)->errors);
	ck_assert_uint_eq(pt_trial_stats(iso)->workers, 2);
	ck_assert_uint_eq(pt_trial_stats(iso)->latency.count, pt_trial_stats(in)->latency.count);
	ck_assert_double_gt(pt_trial_stats(iso)->throughput, 0);
	ck_assert_double_gt(pt_trial_stats(iso)->wall_s, 0);
	assert_contains(pt_trial_message(in), "injected error on every 10-th item");
	ck_assert_ptr_nonnull(pt_trial_message(iso));
	ck_assert_str_eq(pt_trial_message(iso), pt_trial_message(in));
	ji = trial_json(in);
	jo = trial_json(iso);
	ck_assert_str_eq(json_str(ji, "isolation"), "none");
	ck_assert_str_eq(json_str(jo, "isolation"), "trial");
	cJSON_ArrayForEach(f, ji)
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(jo, f->string) != NULL,
			      "the isolated trial lost '%s'", f->string);
	ck_assert_int_eq(cJSON_GetArraySize(json_at(jo, "per_worker")), 2);
	for (int w = 0; w < 2; w++) {
		char key[32];

		snprintf(key, sizeof(key), "per_worker.%d.items", w);
		items += json_num(jo, key);
	}
	ck_assert_double_eq(items, 2000);
	ck_assert_double_eq(json_num(jo, "errors.count"), 200);
	ck_assert_double_eq(json_num(jo, "errors.messages.0.count"), 200);
	ck_assert_str_eq(json_str(jo, "status"), "failed");
	cJSON_Delete(ji);
	cJSON_Delete(jo);
	pt_trial_free(in);
	pt_trial_free(iso);
}
END_TEST

/* ---- the parent ---------------------------------------------------------------- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* After a crash, a timeout, an exit and a memory-limited trial, the parent
 * has the signal dispositions, address-space limit and descriptors it had,
 * no child left behind, and still runs trials. */
START_TEST(test_parent_unaffected)
{
	static const char *const segv[] = { "what=segv", NULL };
	static const char *const loop[] = { "what=loop", NULL };
	static const char *const quit[] = { "what=exit", NULL };
	static const char *const none[] = { "what=none", NULL };
	struct sigaction before, after;
	struct rlimit as_before, as_after;
	struct pt_trial_config c;
	pid_t pid = getpid();
	int fds = open_fds();
	pt_trial *tr;

	ck_assert_int_eq(sigaction(SIGSEGV, NULL, &before), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &as_before), 0);
	config(&c, PT_ISOLATE_TRIAL, 2, 1000);
	c.timeout_s = 0.3;
#if !defined(NO_MEMORY_LIMIT)
	c.memory_limit = 1ull << 40; /* set in the child only */
#endif
	pt_trial_free(run_faulty(&c, segv));
	pt_trial_free(run_faulty(&c, loop));
	pt_trial_free(run_faulty(&c, quit));

	ck_assert_int_eq(getpid(), pid);
	ck_assert_int_eq(sigaction(SIGSEGV, NULL, &after), 0);
	ck_assert_ptr_eq((void *)after.sa_handler, (void *)before.sa_handler);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &as_after), 0);
	ck_assert_uint_eq(as_after.rlim_cur, as_before.rlim_cur);
	ck_assert_int_eq(open_fds(), fds);
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);

	c.isolation = PT_ISOLATE_NONE;
	tr = run_faulty(&c, none);
	ck_assert_int_eq(pt_trial_stats(tr)->status, PT_STATUS_OK);
	ck_assert_uint_eq(pt_trial_stats(tr)->items, 1000);
	pt_trial_free(tr);
}
END_TEST

/* Allocation without end under a memory limit: out of memory, not a crash. */
START_TEST(test_out_of_memory)
{
#if defined(NO_MEMORY_LIMIT)
	return;
#else
	static const char *const args[] = { "what=oom", NULL };
	struct pt_trial_config c;
	pt_trial *tr;

	config(&c, PT_ISOLATE_TRIAL, 1, 1000);
	c.timeout_s = 20;
	c.memory_limit = 256ull << 20;
	tr = run_faulty(&c, args);
	ck_assert_msg(pt_trial_stats(tr)->status == PT_STATUS_OUT_OF_MEMORY, "status %s: %s",
		      pt_status_name(pt_trial_stats(tr)->status), pt_trial_message(tr));
	assert_contains(pt_trial_message(tr), "out of the 268435456-byte memory limit");
	pt_trial_free(tr);
#endif
}
END_TEST

Suite *suite_isolate(void)
{
	Suite *s = suite_create("isolate");
	TCase *tc = tcase_create("crash");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_crash_named);
	tcase_add_test(tc, test_crash_in_setup);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	tc = tcase_create("hang");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hang_is_timeout);
	suite_add_tcase(s, tc);
	tc = tcase_create("exit");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exit_statuses);
	suite_add_tcase(s, tc);
	tc = tcase_create("result");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_result_intact);
	tcase_add_test(tc, test_parent_unaffected);
	suite_add_tcase(s, tc);
	return s;
}
