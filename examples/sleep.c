/* sleep.c - example task: latency-bound items that wait */

/*
 * Models work that waits on something else (a disk, a remote service): each
 * item sleeps for a fixed time and uses almost no CPU.  Throughput grows
 * linearly with the number of workers, far beyond the core count.
 *
 * Parameters:
 *   us  sleep per item in microseconds (default 1000)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */

#include <proftune.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct sleep_task {
	long long us;
};

/* Sleep US microseconds; an absolute deadline keeps signals from stretching it. */
static void sleep_us(long long us)
{
	struct timespec t;

	if (us <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += us / 1000000;
	t.tv_nsec += (us % 1000000) * 1000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static int setup(pt_ctx *ctx)
{
	long long us = pt_param_int(ctx, "us", 1000);
	struct sleep_task *s;

	if (us < 0)
		return pt_ctx_error(ctx, "us=%lld: the sleep must be >= 0 microseconds", us);
	s = malloc(sizeof(*s));
	if (!s)
		return pt_ctx_error(ctx, "out of memory");
	s->us = us;
	pt_ctx_set_data(ctx, s);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	const struct sleep_task *s = pt_ctx_data(pt_worker_ctx(w));

	(void)item;
	sleep_us(s->us);
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	free(pt_ctx_data(ctx));
}

PT_TASK(.name = "sleep",
	.summary = "latency-bound: each item sleeps us; scales past the core count",
	.setup = setup,
	.run = run,
	.teardown = teardown);
