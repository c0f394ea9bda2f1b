/* barrier.c - a barrier whose party count can shrink, between threads or processes */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/barrier.h"

void pt_barrier_init(struct pt_barrier *b, unsigned parties, int pshared)
{
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	if (pshared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(&b->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	b->parties = parties;
	b->waiting = 0;
	b->pshared = pshared;
	atomic_store(&b->generation, 0);
}

void pt_barrier_destroy(struct pt_barrier *b)
{
	pthread_mutex_destroy(&b->lock);
}

/* A futex shared between processes must not be private to one. */
static int futex_op(const struct pt_barrier *b, int op)
{
	return b->pshared ? op : op | FUTEX_PRIVATE_FLAG;
}

/* Sleep while the generation is still GEN, at most TIMEOUT (NULL: no
 * bound).  Spurious returns are fine: the callers look again. */
static void futex_wait(struct pt_barrier *b, uint32_t gen, const struct timespec *timeout)
{
	syscall(SYS_futex, &b->generation, futex_op(b, FUTEX_WAIT), gen, timeout, NULL, 0);
}

static void barrier_lock(struct pt_barrier *b)
{
	if (pthread_mutex_lock(&b->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&b->lock);
}

static void barrier_release_locked(struct pt_barrier *b)
{
	b->waiting = 0;
	atomic_fetch_add_explicit(&b->generation, 1, memory_order_release);
	syscall(SYS_futex, &b->generation, futex_op(b, FUTEX_WAKE), INT_MAX, NULL, NULL, 0);
}

/* Arrive: 1 when this arrival released the barrier, else 0 with the
 * generation to wait out in *GEN. */
static int arrive(struct pt_barrier *b, uint32_t *gen)
{
	int released = 0;

	barrier_lock(b);
	*gen = atomic_load_explicit(&b->generation, memory_order_relaxed);
	if (++b->waiting >= b->parties) {
		barrier_release_locked(b);
		released = 1;
	}
	pthread_mutex_unlock(&b->lock);
	return released;
}

static int same_generation(struct pt_barrier *b, uint32_t gen)
{
	return atomic_load_explicit(&b->generation, memory_order_acquire) == gen;
}

void pt_barrier_wait(struct pt_barrier *b)
{
	uint32_t gen;

	if (arrive(b, &gen))
		return;
	while (same_generation(b, gen))
		futex_wait(b, gen, NULL);
}

void pt_barrier_wait_polling(struct pt_barrier *b, void (*poll)(void *), void *arg)
{
	const struct timespec step = { 0, 20000000 };
	uint32_t gen;

	if (arrive(b, &gen))
		return;
	while (same_generation(b, gen)) {
		futex_wait(b, gen, &step);
		if (same_generation(b, gen))
			poll(arg);
	}
}

void pt_barrier_shrink(struct pt_barrier *b, unsigned by)
{
	barrier_lock(b);
	b->parties -= by;
	if (b->waiting && b->waiting >= b->parties)
		barrier_release_locked(b);
	pthread_mutex_unlock(&b->lock);
}

void pt_word_wait(_Atomic uint32_t *w, uint32_t val, int pshared, uint64_t timeout_ns)
{
	struct timespec t = { (time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };

	syscall(SYS_futex, w, pshared ? FUTEX_WAIT : FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, &t,
		NULL, 0);
}

void pt_word_wake(_Atomic uint32_t *w, int pshared)
{
	syscall(SYS_futex, w, pshared ? FUTEX_WAKE : FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL,
		NULL, 0);
}
