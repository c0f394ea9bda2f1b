/* barrier.h - a barrier whose party count can shrink, between threads or processes (internal) */
#ifndef PT_BARRIER_H
#define PT_BARRIER_H

#include <pthread.h>

/* The trial's phases start together behind it; parties that will never
 * arrive (a worker that failed to start, a worker process that died) are
 * removed so the others are not left waiting. */
struct pt_barrier {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned parties, waiting;
	unsigned long generation;
};

/* A barrier of PARTIES.  PSHARED: it lives in shared memory and joins
 * processes; its mutex is then robust, so a worker process dying inside it
 * cannot block the others. */
void pt_barrier_init(struct pt_barrier *b, unsigned parties, int pshared);
/* Release B's mutex and condition; no party may be waiting. */
void pt_barrier_destroy(struct pt_barrier *b);
/* Wait until every party arrived. */
void pt_barrier_wait(struct pt_barrier *b);
/* Wait, calling POLL(ARG) every 20 ms while waiting; POLL may shrink the
 * barrier (it runs without the lock). */
void pt_barrier_wait_polling(struct pt_barrier *b, void (*poll)(void *), void *arg);
/* Remove BY parties that will never arrive; releases the waiters when the
 * rest have all arrived. */
void pt_barrier_shrink(struct pt_barrier *b, unsigned by);

#endif
