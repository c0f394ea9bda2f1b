/* barrier.h - a barrier whose party count can shrink, between threads or processes (internal) */
#ifndef PT_BARRIER_H
#define PT_BARRIER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* The trial's phases start together behind it; parties that will never
 * arrive (a worker that failed to start, a worker process that died) are
 * removed so the others are not left waiting.  Arrivals are counted under a
 * mutex; the waiters sleep on the generation word itself (a futex), so the
 * release wakes a thousand workers at once instead of one by one through a
 * condition variable's mutex. */
struct pt_barrier {
	pthread_mutex_t lock;        /* guards parties and waiting */
	unsigned parties, waiting;
	_Atomic uint32_t generation; /* bumped by each release; waited on */
	int pshared;
};

/* A barrier of PARTIES.  PSHARED: it lives in shared memory and joins
 * processes; its mutex is then robust, so a worker process dying inside it
 * cannot block the others. */
void pt_barrier_init(struct pt_barrier *b, unsigned parties, int pshared);
/* Release B's mutex; no party may be waiting. */
void pt_barrier_destroy(struct pt_barrier *b);
/* Wait until every party arrived. */
void pt_barrier_wait(struct pt_barrier *b);
/* Wait, calling POLL(ARG) every 20 ms while waiting; POLL may shrink the
 * barrier (it runs without the lock). */
void pt_barrier_wait_polling(struct pt_barrier *b, void (*poll)(void *), void *arg);
/* Remove BY parties that will never arrive; releases the waiters when the
 * rest have all arrived. */
void pt_barrier_shrink(struct pt_barrier *b, unsigned by);

/* Sleep while the 32-bit word W still holds VAL, at most TIMEOUT_NS;
 * spurious returns are fine (callers look again).  PSHARED: W lives in
 * memory shared between processes. */
void pt_word_wait(_Atomic uint32_t *w, uint32_t val, int pshared, uint64_t timeout_ns);
/* Wake every thread or process sleeping on W in pt_word_wait(). */
void pt_word_wake(_Atomic uint32_t *w, int pshared);

#endif
