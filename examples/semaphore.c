/* semaphore.c - example task: I/O-bound items limited to K at a time */

/*
 * Models an I/O-bound service behind a concurrency limit (a connection pool,
 * a rate-limited API, a device queue of depth K): each item waits for one of
 * K slots of a counting semaphore, then sleeps us microseconds holding it, as
 * a request waits on the remote end, and gives the slot back.  The items use
 * almost no CPU, so the worker count can go far past the cores.
 *
 * With N workers, S = us and K = k, the throughput is
 *
 *     X(N) = min(N, K) / S
 *
 * Up to K workers every item finds a free slot and the throughput grows
 * linearly; beyond K the extra workers only queue on the semaphore and the
 * throughput is flat at K / S.  The smallest count within a tolerance t of
 * the best is therefore (1 - t) K: 190 workers at 5% with the defaults,
 * whose plateau is 200 / 10 ms = 20,000 items/s.
 *
 * The flat part is flat only while the CPU time per item stays well under
 * what the cores have.  Beyond K, each slot given back wakes a queued
 * worker that often finds the slot taken again by the worker that gave it
 * back, so an item costs a few context switches, some 20 microseconds of
 * CPU: at 20,000 items/s under half of one core.  With 2 ms items the same
 * cost needs two cores, and on a 2-core machine the throughput beyond K
 * fell to 40% of the plateau; hence the 10 ms default.
 *
 * Parameters:
 *   k   K, the number of slots (default 200)
 *   us  time an item holds its slot, in microseconds (default 10000)
 *
 * Notes: predicted_knee (K), predicted_plateau (K / S, items per second).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */

#include <proftune.h>

#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct semaphore_task {
	sem_t slots; /* free slots */
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
	long long k = pt_param_int(ctx, "k", 200);
	long long us = pt_param_int(ctx, "us", 10000);
	struct semaphore_task *s;

	if (k < 1 || k > SEM_VALUE_MAX)
		return pt_ctx_error(ctx, "k=%lld: must be between 1 and %d", k, SEM_VALUE_MAX);
	if (us < 1)
		return pt_ctx_error(ctx, "us=%lld: must be >= 1 microsecond", us);

	s = malloc(sizeof(*s));
	if (!s)
		return pt_ctx_error(ctx, "out of memory");
	if (sem_init(&s->slots, 0, (unsigned)k)) {
		int err = errno;

		free(s);
		return pt_ctx_error(ctx, "k=%lld: sem_init failed: %s", k, strerror(err));
	}
	s->us = us;
	pt_ctx_set_data(ctx, s);

	pt_ctx_note(ctx, "predicted_knee", (double)k);
	pt_ctx_note(ctx, "predicted_plateau", (double)k * 1e6 / (double)us);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	struct semaphore_task *s = pt_ctx_data(pt_worker_ctx(w));

	(void)item;
	while (sem_wait(&s->slots))
		if (errno != EINTR)
			return pt_error(w, "sem_wait failed: %s", strerror(errno));
	sleep_us(s->us);
	sem_post(&s->slots);
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	struct semaphore_task *s = pt_ctx_data(ctx);

	if (s) {
		sem_destroy(&s->slots);
		free(s);
	}
}

PT_TASK(.name = "semaphore",
	.summary = "I/O-bound: items sleep holding one of k = 200 slots; flat beyond k workers",
	.setup = setup,
	.run = run,
	.teardown = teardown);
