/* bench-overhead.c - what proftune adds per item, next to a plain loop */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "proftune.h"

/*
 * Runs an empty task three ways on one worker and prints nanoseconds per
 * item: a plain loop calling the same function pointer, proftune with
 * per-item latency recording, and proftune without it.  The clock read that
 * latency recording relies on is timed too, so the overhead can be compared
 * with "two clock reads per item", the cost of timing an item naively.
 */

static int noop(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return 0;
}

static const struct pt_task noop_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "noop",
	.summary = "does nothing",
	.run = noop,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of several rounds: the least disturbed estimate of a fixed cost. */
#define ROUNDS 5

static double plain_loop_ns(uint64_t n)
{
	int (*volatile fp)(pt_worker *, uint64_t) = noop;
	double best = 1e30;

	for (int r = 0; r < ROUNDS; r++) {
		int (*f)(pt_worker *, uint64_t) = fp;
		double t0 = now_s();
		int errors = 0;

		for (uint64_t i = 0; i < n; i++)
			errors += f(NULL, i) != 0;
		double ns = (now_s() - t0) * 1e9 / (double)n;

		if (errors)
			abort();
		if (ns < best)
			best = ns;
	}
	return best;
}

static double clock_read_ns(uint64_t n)
{
	double best = 1e30;

	for (int r = 0; r < ROUNDS; r++) {
		struct timespec ts;
		uint64_t sink = 0;
		double t0 = now_s();

		for (uint64_t i = 0; i < n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sink += (uint64_t)ts.tv_nsec;
		}
		double ns = (now_s() - t0) * 1e9 / (double)n;

		if (sink == 1)
			puts("");
		if (ns < best)
			best = ns;
	}
	return best;
}

static double proftune_ns(pt_module *m, uint64_t n, int latency)
{
	struct pt_trial_config c;
	double best = 1e30;

	pt_trial_config_init(&c);
	c.workers = 1;
	c.items = n;
	c.warmup_s = 0.05;
	c.record_latency = latency;
	c.counters = 0;
	for (int r = 0; r < ROUNDS; r++) {
		pt_trial *tr = pt_trial_run(m, NULL, &c);
		double ns;

		if (!tr) {
			fprintf(stderr, "bench: %s\n", pt_last_error());
			exit(1);
		}
		ns = pt_trial_stats(tr)->wall_s * 1e9 / (double)pt_trial_stats(tr)->items;
		pt_trial_free(tr);
		if (ns < best)
			best = ns;
	}
	return best;
}

/* Cost of running a trial in a child process: the same one-item trial
 * isolated and in-process, median of many, the difference per trial. */
static double isolation_ms(pt_module *m)
{
	enum { TRIALS = 41 };
	double t[2][TRIALS];
	struct pt_trial_config c;

	pt_trial_config_init(&c);
	c.items = 1;
	c.warmup_s = 0;
	c.counters = 0;
	for (int i = 0; i < TRIALS; i++) {
		for (int iso = 0; iso < 2; iso++) {
			double t0 = now_s();
			pt_trial *tr;

			c.isolation = iso ? PT_ISOLATE_TRIAL : PT_ISOLATE_NONE;
			tr = pt_trial_run(m, NULL, &c);
			t[iso][i] = now_s() - t0;
			if (!tr || pt_trial_stats(tr)->status != PT_STATUS_OK) {
				fprintf(stderr, "bench: isolated trial failed\n");
				exit(1);
			}
			pt_trial_free(tr);
		}
	}
	for (int iso = 0; iso < 2; iso++)
		for (int i = 1; i < TRIALS; i++)
			for (int k = i; k > 0 && t[iso][k] < t[iso][k - 1]; k--) {
				double x = t[iso][k];

				t[iso][k] = t[iso][k - 1];
				t[iso][k - 1] = x;
			}
	return (t[1][TRIALS / 2] - t[0][TRIALS / 2]) * 1e3;
}

int main(void)
{
	const uint64_t n = 50000000;
	pt_module *m = pt_module_from_task(&noop_task, "noop");
	double plain, clk, on, off;
	int ok = 1;

	if (!m) {
		fprintf(stderr, "bench: %s\n", pt_last_error());
		return 1;
	}
	plain = plain_loop_ns(n);
	clk = clock_read_ns(n / 2);
	on = proftune_ns(m, n / 2, 1);
	off = proftune_ns(m, n, 0);
	printf("empty task, 1 worker, best of %d rounds (ns per item)\n", ROUNDS);
	printf("  plain loop calling the function pointer  %7.2f\n", plain);
	printf("  one clock read (CLOCK_MONOTONIC)          %7.2f   two reads: %.2f\n", clk, 2 * clk);
	printf("  proftune, latency recorded                %7.2f   overhead %.2f = %.2fx two clock reads (target <= 1.5x)\n",
	       on, on - plain, (on - plain) / (2 * clk));
	printf("  proftune, latency off                     %7.2f   overhead %.2f (target total < 2 ns)\n",
	       off, off - plain);
	double iso = isolation_ms(m);

	printf("isolation: a trial in a supervised child process costs %.2f ms more than "
	       "in-process (target < 5 ms)\n", iso);
	if (iso >= 5.0) {
		printf("  MISSED: isolation costs 5 ms or more per trial\n");
		ok = 0;
	}
	if ((on - plain) > 1.5 * 2 * clk) {
		printf("  MISSED: latency recording costs more than 1.5x two clock reads\n");
		ok = 0;
	}
	if (off >= 2.0) {
		printf("  MISSED: latency-off dispatch costs 2 ns or more per item\n");
		ok = 0;
	}
	pt_module_close(m);
	return ok ? 0 : 1;
}
