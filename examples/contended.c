/* contended.c - example task: a lock whose hold time grows with contention */

/*
 * Models work that waits outside a lock, then holds one global mutex for a
 * time that grows with the number of active workers (as when the protected
 * structure, or the cache-line traffic around it, grows with the sharers).
 * Each item sleeps S = sleep_us, then holds the lock for c * N microseconds,
 * c = cs_us and N the number of workers inside run() at that moment; the hold
 * is a busy-wait on the clock, so its length is exact.
 *
 * With N workers the throughput is
 *
 *     X(N) = min(N / (S + c*N), 1 / (c*N))
 *
 * Below the peak the workers are sleep-bound, above it the lock is saturated
 * and adding workers only lengthens each hold.  The two meet where
 * c*N^2 - c*N - S = 0:
 *
 *     N* = (1 + sqrt(1 + 4*S/c)) / 2
 *
 * The defaults (S = 1500, c = 50) give N* = (1 + sqrt(121)) / 2 = 6.  To put
 * the peak at P workers choose S = c * P * (P - 1).
 *
 * Parameters:
 *   sleep_us  time outside the lock per item, in microseconds (default 1500)
 *   cs_us     hold time per active worker, in microseconds (default 50)
 *
 * Note: predicted_peak, N* above.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */

#include <proftune.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct contended {
	pthread_mutex_t lock;
	atomic_uint active; /* workers inside run() */
	long long sleep_us;
	double cs_ns; /* hold time per active worker */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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

/*
 * N*, the positive root of c*n^2 - c*n - s = 0, by Newton's method (no libm,
 * so the task loads into any process).  It starts at n = 1 + s/c, where the
 * quadratic is s^2/c >= 0, so the steps fall monotonically onto the root and
 * stop when they no longer decrease.
 */
static double predicted_peak(double s, double c)
{
	double n = 1 + s / c, next;

	for (;;) {
		next = n - (c * n * n - c * n - s) / (c * (2 * n - 1));
		if (!(next < n))
			return n;
		n = next;
	}
}

static int setup(pt_ctx *ctx)
{
	long long s = pt_param_int(ctx, "sleep_us", 1500);
	double c = pt_param_double(ctx, "cs_us", 50);
	struct contended *st;
	int err;

	if (s < 0)
		return pt_ctx_error(ctx, "sleep_us=%lld: must be >= 0 microseconds", s);
	if (!(c > 0)) /* also rejects NaN */
		return pt_ctx_error(ctx, "cs_us=%g: must be > 0 microseconds", c);

	st = malloc(sizeof(*st));
	if (!st)
		return pt_ctx_error(ctx, "out of memory");
	err = pthread_mutex_init(&st->lock, NULL);
	if (err) {
		free(st);
		return pt_ctx_error(ctx, "pthread_mutex_init failed (error %d)", err);
	}
	atomic_init(&st->active, 0);
	st->sleep_us = s;
	st->cs_ns = c * 1000;
	pt_ctx_set_data(ctx, st);

	pt_ctx_note(ctx, "predicted_peak", predicted_peak((double)s, c));
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	struct contended *st = pt_ctx_data(pt_worker_ctx(w));
	uint64_t end;

	(void)item;
	atomic_fetch_add(&st->active, 1);
	sleep_us(st->sleep_us);

	pthread_mutex_lock(&st->lock);
	end = now_ns() + (uint64_t)(st->cs_ns * atomic_load(&st->active));
	while (now_ns() < end)
		;
	pthread_mutex_unlock(&st->lock);

	atomic_fetch_sub(&st->active, 1);
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	struct contended *st = pt_ctx_data(ctx);

	if (st) {
		pthread_mutex_destroy(&st->lock);
		free(st);
	}
}

PT_TASK(.name = "contended",
	.summary = "sleep, then a lock held longer with more workers; peaks at 6 by default",
	.setup = setup,
	.run = run,
	.teardown = teardown);
