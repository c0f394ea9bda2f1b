/* slots.c - example task: a resource with a fixed number of slots */

/*
 * Models a pool of K identical resources (connections, licences, devices):
 * each item takes one of `slots` slots of a counting semaphore, holds it for
 * `us` microseconds while sleeping, and gives it back.  With N workers
 *
 *     X(N) = min(N, K) / us    items per microsecond
 *
 * so throughput grows linearly up to K workers and is flat beyond: the extra
 * workers only queue for a slot.
 *
 * Parameters:
 *   slots  K, the number of slots (default 4)
 *   us     hold time per item in microseconds (default 2000)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, clock_nanosleep */

#include <proftune.h>

#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slots {
	sem_t sem; /* free slots */
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
	long long k = pt_param_int(ctx, "slots", 4);
	long long us = pt_param_int(ctx, "us", 2000);
	struct slots *s;

	if (k < 1 || k > SEM_VALUE_MAX)
		return pt_ctx_error(ctx, "slots=%lld: must be between 1 and %d", k, SEM_VALUE_MAX);
	if (us < 0)
		return pt_ctx_error(ctx, "us=%lld: must be >= 0 microseconds", us);

	s = malloc(sizeof(*s));
	if (!s)
		return pt_ctx_error(ctx, "out of memory");
	if (sem_init(&s->sem, 0, (unsigned)k)) {
		int err = errno;

		free(s);
		return pt_ctx_error(ctx, "slots=%lld: sem_init failed: %s", k, strerror(err));
	}
	s->us = us;
	pt_ctx_set_data(ctx, s);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	struct slots *s = pt_ctx_data(pt_worker_ctx(w));

	(void)item;
	while (sem_wait(&s->sem))
		if (errno != EINTR)
			return pt_error(w, "sem_wait failed: %s", strerror(errno));
	sleep_us(s->us);
	sem_post(&s->sem);
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	struct slots *s = pt_ctx_data(ctx);

	if (s) {
		sem_destroy(&s->sem);
		free(s);
	}
}

PT_TASK(.name = "slots",
	.summary = "saturation: items hold one of K slots; flat beyond K workers",
	.setup = setup,
	.run = run,
	.teardown = teardown);
