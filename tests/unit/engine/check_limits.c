/* check_limits.c - the worker counts that can start: each limit, the tightest one, a lowered RLIMIT_NPROC */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "engine/limits.h"
#include "proftune.h"

/* Limits with nothing limiting: 8 MiB stacks, 4 KiB pages. */
static void no_limits(struct pt_sys_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->nproc = l->cgroup_pids_max = l->cgroup_pids_used = PT_NO_LIMIT;
	l->threads_max = l->pid_max = l->map_count_max = l->as_limit = PT_NO_LIMIT;
	l->commit_limit = l->committed = l->mem_available = PT_NO_LIMIT;
	l->cgroup_mem_max = l->cgroup_mem_used = PT_NO_LIMIT;
	l->user_tasks = 100;
	l->tasks = 200;
	l->maps = 40;
	l->vm_size = 100ull << 20;
	l->vm_data = 10ull << 20;
	l->stack_size = 8ull << 20;
	l->page_size = 4096;
}

static void assert_contains(const char *text, const char *words)
{
	ck_assert_msg(strstr(text, words) != NULL, "'%s' does not contain '%s'", text, words);
}

START_TEST(test_nothing_limits)
{
	struct pt_sys_limits l;
	enum pt_limit_id which = PT_LIMIT_MEMORY;

	no_limits(&l);
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which), UINT_MAX - 1);
	ck_assert_int_eq(which, PT_LIMIT_NONE);
}
END_TEST

/* Each task limit alone: the room it leaves less the reserve of 16 tasks,
 * the same for threads and processes. */
START_TEST(test_task_limits)
{
	struct pt_sys_limits l;
	enum pt_limit_id which;
	char what[256];

	no_limits(&l);
	l.nproc = 1000;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which), 1000 - 100 - 16);
	ck_assert_int_eq(which, PT_LIMIT_NPROC);
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_PROCESS, NULL), 1000 - 100 - 16);
	pt_limit_describe(&l, PT_ISOLATE_TRIAL, which, what, sizeof(what));
	assert_contains(what, "ulimit -u 1000, 100 in use");

	/* the kernel's reserved low pids are not free */
	no_limits(&l);
	l.pid_max = 32768;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_NONE, &which), 32768 - 200 - 300 - 16);
	ck_assert_int_eq(which, PT_LIMIT_PID_MAX);

	no_limits(&l);
	l.threads_max = 5000;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_NONE, &which), 5000 - 200 - 16);
	ck_assert_int_eq(which, PT_LIMIT_THREADS_MAX);

	no_limits(&l);
	l.cgroup_pids_max = 500;
	l.cgroup_pids_used = 40;
	snprintf(l.cgroup_pids_dir, sizeof(l.cgroup_pids_dir), "/sys/fs/cgroup/x");
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_NONE, &which), 500 - 40 - 16);
	ck_assert_int_eq(which, PT_LIMIT_CGROUP_PIDS);
	pt_limit_describe(&l, PT_ISOLATE_NONE, which, what, sizeof(what));
	assert_contains(what, "pids.max 500 in /sys/fs/cgroup/x, 40 in use");

	/* a limit already used up leaves no worker */
	no_limits(&l);
	l.nproc = 50;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_NONE, NULL), 0);
}
END_TEST

/* Thread stacks are mappings and address space; worker processes add
 * neither to the trial process, but cost more memory each. */
START_TEST(test_threads_and_processes)
{
	struct pt_sys_limits l;
	struct pt_worker_need t, p;
	enum pt_limit_id which;
	unsigned threads, processes;

	no_limits(&l);
	l.map_count_max = 65530;
	threads = pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	ck_assert_int_eq(which, PT_LIMIT_MAP_COUNT);
	/* two mappings a thread, less a reserve of a few hundred */
	ck_assert_uint_le(threads, (65530 - 40) / 2);
	ck_assert_uint_ge(threads, (65530 - 40) / 2 - 1024);
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_PROCESS, NULL), UINT_MAX - 1);

	no_limits(&l);
	l.as_limit = 1ull << 30;
	pt_worker_need(&l, PT_ISOLATE_TRIAL, &t);
	ck_assert_uint_ge(t.virtual, l.stack_size);
	threads = pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	ck_assert_int_eq(which, PT_LIMIT_ADDRESS_SPACE);
	ck_assert_uint_eq(threads, ((1ull << 30) - l.vm_size - (64ull << 20)) / t.virtual);
	ck_assert_uint_lt(threads, 110);
	/* 4x smaller stacks, about 4x the threads */
	l.stack_size = 2ull << 20;
	ck_assert_uint_ge(pt_limits_largest(&l, PT_ISOLATE_TRIAL, NULL), 3 * threads);
	ck_assert_uint_gt(pt_limits_largest(&l, PT_ISOLATE_PROCESS, NULL), 10 * threads);

	no_limits(&l);
	l.mem_available = 1ull << 30;
	pt_worker_need(&l, PT_ISOLATE_TRIAL, &t);
	pt_worker_need(&l, PT_ISOLATE_PROCESS, &p);
	/* the state alone: a worker and its latency histogram */
	ck_assert_uint_gt(t.resident, 60000);
	ck_assert_uint_gt(p.resident, t.resident);
	threads = pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	ck_assert_int_eq(which, PT_LIMIT_MEMORY);
	ck_assert_uint_eq(threads, ((1ull << 30) - (1ull << 30) / 16) / t.resident);
	processes = pt_limits_largest(&l, PT_ISOLATE_PROCESS, NULL);
	ck_assert_uint_eq(processes, ((1ull << 30) - (1ull << 30) / 16) / p.resident);
	ck_assert_uint_lt(processes, threads);

	/* a cgroup limit counts what its cgroup already uses */
	no_limits(&l);
	l.cgroup_mem_max = 512ull << 20;
	l.cgroup_mem_used = 256ull << 20;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which),
			  ((256ull << 20) - (16ull << 20)) / t.resident);
	ck_assert_int_eq(which, PT_LIMIT_CGROUP_MEMORY);
}
END_TEST

/* With several limits, the tightest one answers and is named. */
START_TEST(test_tightest_wins)
{
	struct pt_sys_limits l;
	enum pt_limit_id which;
	char what[256];

	no_limits(&l);
	l.nproc = 5000;
	l.pid_max = 32768;
	l.map_count_max = 65530;
	l.mem_available = 24ull << 30;
	ck_assert_uint_eq(pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which), 5000 - 100 - 16);
	ck_assert_int_eq(which, PT_LIMIT_NPROC);
	l.nproc = PT_NO_LIMIT;
	pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	ck_assert_int_eq(which, PT_LIMIT_PID_MAX);
	pt_limit_describe(&l, PT_ISOLATE_TRIAL, which, what, sizeof(what));
	assert_contains(what, "kernel.pid_max 32768");
	l.mem_available = 1ull << 30;
	pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	ck_assert_int_eq(which, PT_LIMIT_MEMORY);
	pt_limit_describe(&l, PT_ISOLATE_TRIAL, which, what, sizeof(what));
	assert_contains(what, "MemAvailable 1.0 GiB");
}
END_TEST

/* This machine's limits, read as they are. */
START_TEST(test_read_this_machine)
{
	struct pt_sys_limits l;
	unsigned largest = 0;

	pt_sys_limits_read(&l);
	ck_assert_uint_ge(l.stack_size, 16384);
	ck_assert_uint_eq(l.page_size & (l.page_size - 1), 0);
	ck_assert_uint_ge(l.user_tasks, 1);
	ck_assert_uint_ge(l.maps, 1);
	ck_assert_uint_gt(l.vm_size, 0);
	/* one worker can start wherever these tests run */
	ck_assert_int_eq(pt_workers_feasible(1, PT_ISOLATE_TRIAL, &largest), 0);
	ck_assert_uint_ge(largest, 1);
	ck_assert_int_eq(pt_workers_feasible(0, PT_ISOLATE_TRIAL, &largest), -EINVAL);
	/* the refusal names the count that fits; far beyond it, since what
	 * other processes use changes between two calls */
	if (largest < UINT_MAX / 4) {
		char want[64];

		ck_assert_int_eq(pt_workers_feasible(2 * largest + 1000, PT_ISOLATE_TRIAL, NULL),
				 -EAGAIN);
		ck_assert_ptr_nonnull(strstr(pt_last_error(), "allows at most"));
		snprintf(want, sizeof(want), "worker%s", largest == 1 ? "" : "s");
		assert_contains(pt_last_error(), want);
	}
}
END_TEST

/* What a forked child with RLIMIT_NPROC at its tasks + ROOM sees. */
struct lowered {
	unsigned before, after, none;
	uint64_t limit, nproc_read, tasks_read;
	int before_which, after_which;
	int refused, refused_none;
	char message[256];
};

static void lowered_child(int fd, uint64_t room)
{
	struct lowered r;
	struct pt_sys_limits l;
	enum pt_limit_id which;
	struct rlimit rl;

	memset(&r, 0, sizeof(r));
	pt_sys_limits_read(&l);
	r.before = pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	r.before_which = which;
	getrlimit(RLIMIT_NPROC, &rl);
	rl.rlim_cur = l.user_tasks + room;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NPROC, &rl);
	r.limit = rl.rlim_cur;
	pt_sys_limits_read(&l);
	r.nproc_read = l.nproc;
	r.tasks_read = l.user_tasks;
	r.after = pt_limits_largest(&l, PT_ISOLATE_TRIAL, &which);
	r.after_which = which;
	r.refused = pt_workers_feasible(r.after + 200, PT_ISOLATE_TRIAL, NULL);
	snprintf(r.message, sizeof(r.message), "%s", pt_last_error());
	/* below what the user already runs, nothing can start */
	rl.rlim_cur = 1;
	setrlimit(RLIMIT_NPROC, &rl);
	r.refused_none = pt_workers_feasible(1, PT_ISOLATE_PROCESS, &r.none);
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

START_TEST(test_lowered_nproc)
{
	/* other tests and builds may start or end tasks of this user between
	 * the child's two readings: what it counted the second time decides */
	const unsigned room = 1000;
	struct lowered r;
	int fds[2], st;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		lowered_child(fds[1], room);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	ck_assert_uint_eq(r.nproc_read, r.limit);
	/* this test's process and the runner that forked it, at least */
	ck_assert_uint_ge(r.tasks_read, 2);
	ck_assert_uint_gt(r.limit, r.tasks_read + 16);
	ck_assert_int_eq(r.after_which, PT_LIMIT_NPROC);
	ck_assert_uint_eq(r.after, r.limit - r.tasks_read - 16);
	ck_assert_uint_lt(r.after, r.before);
	ck_assert_int_eq(r.refused, -EAGAIN);
	assert_contains(r.message, "ulimit -u");
	assert_contains(r.message, "allows at most");
	ck_assert_int_eq(r.refused_none, -EAGAIN);
	ck_assert_uint_eq(r.none, 0);
}
END_TEST

Suite *suite_limits(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("arithmetic");

	tcase_add_test(tc, test_nothing_limits);
	tcase_add_test(tc, test_task_limits);
	tcase_add_test(tc, test_threads_and_processes);
	tcase_add_test(tc, test_tightest_wins);
	suite_add_tcase(s, tc);
	tc = tcase_create("machine");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_read_this_machine);
	tcase_add_test(tc, test_lowered_nproc);
	suite_add_tcase(s, tc);
	return s;
}
