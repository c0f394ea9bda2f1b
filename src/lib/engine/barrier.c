/* barrier.c - a barrier whose party count can shrink, between threads or processes */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "engine/barrier.h"

void pt_barrier_init(struct pt_barrier *b, unsigned parties, int pshared)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	if (pshared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
		pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&b->lock, &ma);
	pthread_cond_init(&b->cond, &ca);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	b->parties = parties;
	b->waiting = 0;
	b->generation = 0;
}

void pt_barrier_destroy(struct pt_barrier *b)
{
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
}

static void barrier_lock(struct pt_barrier *b)
{
	if (pthread_mutex_lock(&b->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&b->lock);
}

static void barrier_release_locked(struct pt_barrier *b)
{
	b->waiting = 0;
	b->generation++;
	pthread_cond_broadcast(&b->cond);
}

void pt_barrier_wait(struct pt_barrier *b)
{
	unsigned long gen;

	barrier_lock(b);
	gen = b->generation;
	if (++b->waiting >= b->parties) {
		barrier_release_locked(b);
	} else {
		while (gen == b->generation)
			pthread_cond_wait(&b->cond, &b->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

void pt_barrier_wait_polling(struct pt_barrier *b, void (*poll)(void *), void *arg)
{
	unsigned long gen;

	barrier_lock(b);
	gen = b->generation;
	if (++b->waiting >= b->parties) {
		barrier_release_locked(b);
		pthread_mutex_unlock(&b->lock);
		return;
	}
	while (gen == b->generation) {
		struct timespec ts;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		rc = pthread_cond_timedwait(&b->cond, &b->lock, &ts);
		if (rc == EOWNERDEAD)
			pthread_mutex_consistent(&b->lock);
		if (gen != b->generation)
			break;
		if (rc == ETIMEDOUT || rc == EOWNERDEAD) {
			pthread_mutex_unlock(&b->lock);
			poll(arg);
			barrier_lock(b);
		}
	}
	pthread_mutex_unlock(&b->lock);
}

void pt_barrier_shrink(struct pt_barrier *b, unsigned by)
{
	barrier_lock(b);
	b->parties -= by;
	if (b->waiting && b->waiting >= b->parties)
		barrier_release_locked(b);
	pthread_mutex_unlock(&b->lock);
}
