/* procworker.c - test task for process workers: one worker may crash */
#include <proftune.h>

#include <signal.h>
#include <time.h>

/*
 * Parameters:
 *   crash_worker=N  the worker that dies of SIGSEGV (default -1: none)
 *   after=K         ... on its K-th measured item (default 100)
 * Every item sleeps 100 us and counts itself in the counter "done".
 */
struct procworker {
	long long crash_worker, after;
};

static struct procworker cfg;

static int setup(pt_ctx *ctx)
{
	cfg.crash_worker = pt_param_int(ctx, "crash_worker", -1);
	cfg.after = pt_param_int(ctx, "after", 100);
	return PT_OK;
}

static int worker_setup(pt_worker *w)
{
	static _Thread_local long long seen;

	seen = 0;
	pt_worker_set_data(w, &seen);
	pt_memory_record(w, "scratch", 4096);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	long long *seen = pt_worker_data(w);
	struct timespec ts = { 0, 100000 };

	(void)item;
	if ((long long)pt_worker_index(w) == cfg.crash_worker && ++*seen == cfg.after)
		raise(SIGSEGV);
	nanosleep(&ts, NULL);
	pt_counter_add(w, "done", 1);
	return PT_OK;
}

PT_TASK(.name = "procworker", .summary = "sleeps 100 us per item; one worker may crash",
	.setup = setup, .worker_setup = worker_setup, .run = run);
