/* spin.c - example task: CPU-bound items of a calibrated cost */

/*
 * Models pure computation: each item runs a chain of dependent xorshift
 * steps, so it uses one core and touches no memory.  Setup calibrates the
 * chain length so that one item costs about `ns` nanoseconds, then times
 * items of that length and reports what it measured (about 0.15 s per trial).
 *
 * Parameters:
 *   ns     target cost of one item in nanoseconds (default 10000)
 *   iters  steps per item; 0 (default) calibrates from `ns`
 *
 * Notes: calibrated_ns (measured cost of one item), iterations (steps per item).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <proftune.h>

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* 50 ms of work first, so the core is at its steady clock when timing starts */
#define WARMUP_NS 50000000
/* 2 ms: long against the clock's overhead, short enough to miss most preemptions */
#define STEP_ROUND_NS 2000000
/* 10 x 2 ms: the ~20 ms budget for timing one step; the fastest round wins */
#define STEP_ROUNDS 10
/* 10 ms of items per round: 1000 items at the default cost */
#define ITEM_ROUND_NS 10000000
/* odd, so the median is one round; outliers either way drop out */
#define ITEM_ROUNDS 7

struct spin {
	uint64_t iters;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One item.  noinline: calibration and run() execute this very code. */
static __attribute__((noinline)) void spin_item(uint64_t iters, uint64_t seed)
{
	uint64_t x = seed | 1; /* xorshift needs a nonzero state */
	volatile uint64_t sink;

	for (uint64_t i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	sink = x;
	(void)sink;
}

/* Nanoseconds taken by N items of ITERS steps. */
static uint64_t time_items(uint64_t iters, uint64_t n)
{
	uint64_t t0 = now_ns();

	for (uint64_t i = 0; i < n; i++)
		spin_item(iters, i);
	return now_ns() - t0;
}

static void warm_up(void)
{
	uint64_t end = now_ns() + WARMUP_NS;

	while (now_ns() < end)
		spin_item(1000, 0);
}

/* Nanoseconds per step, fastest of several rounds. */
static double step_ns(void)
{
	uint64_t n = 1000, best = UINT64_MAX; /* n: first guess, doubled below */

	while (time_items(n, 1) < STEP_ROUND_NS)
		n *= 2;
	for (int r = 0; r < STEP_ROUNDS; r++) {
		uint64_t t = time_items(n, 1);

		if (t < best)
			best = t;
	}
	return (double)best / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Measured cost of one item of ITERS steps: median over rounds. */
static double item_ns(uint64_t iters, double estimate_ns)
{
	double per_item[ITEM_ROUNDS];
	uint64_t n = (uint64_t)(ITEM_ROUND_NS / estimate_ns);

	if (n < 1)
		n = 1;
	for (int r = 0; r < ITEM_ROUNDS; r++)
		per_item[r] = (double)time_items(iters, n) / (double)n;
	qsort(per_item, ITEM_ROUNDS, sizeof(per_item[0]), cmp_double);
	return per_item[ITEM_ROUNDS / 2];
}

static int setup(pt_ctx *ctx)
{
	long long ns = pt_param_int(ctx, "ns", 10000);
	long long iters = pt_param_int(ctx, "iters", 0);
	struct spin *s;
	double per_step;

	if (ns <= 0)
		return pt_ctx_error(ctx, "ns=%lld: the cost of one item must be > 0 nanoseconds", ns);
	if (iters < 0)
		return pt_ctx_error(ctx, "iters=%lld: must be >= 0 (0 calibrates from ns)", iters);

	warm_up();
	per_step = step_ns();
	if (iters == 0)
		iters = (long long)((double)ns / per_step + 0.5);
	if (iters < 1)
		iters = 1;

	s = malloc(sizeof(*s));
	if (!s)
		return pt_ctx_error(ctx, "out of memory");
	s->iters = (uint64_t)iters;
	pt_ctx_set_data(ctx, s);

	pt_ctx_note(ctx, "iterations", (double)iters);
	pt_ctx_note(ctx, "calibrated_ns", item_ns(s->iters, (double)iters * per_step));
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	const struct spin *s = pt_ctx_data(pt_worker_ctx(w));

	spin_item(s->iters, item);
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	free(pt_ctx_data(ctx));
}

PT_TASK(.name = "spin",
	.summary = "CPU-bound: dependent arithmetic, calibrated to ns per item",
	.setup = setup,
	.run = run,
	.teardown = teardown);
