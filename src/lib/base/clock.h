/* clock.h - the interval clock of hot paths: the invariant TSC where there is one, else CLOCK_MONOTONIC (internal) */
#ifndef PT_CLOCK_H
#define PT_CLOCK_H

#include <stdint.h>

#include "base/util.h"

/*
 * Items and blocks are timed in ticks: the time-stamp counter where the CPU
 * has an invariant one (it runs at a constant rate in every P- and C-state
 * and is synchronised across cores), read with one rdtsc; otherwise
 * CLOCK_MONOTONIC nanoseconds, so that a tick is a nanosecond.  The rate is
 * calibrated once per process against CLOCK_MONOTONIC, and converting a
 * duration to nanoseconds is one multiply and one shift.
 *
 * pt_clock_init() chooses the clock and calibrates it; call it before the
 * first pt_ticks() whose value is compared with a later one (the objects
 * that time in ticks do it when they are created).  Until then pt_ticks()
 * returns CLOCK_MONOTONIC nanoseconds, so an interval that starts before the
 * first initialisation and ends after it is meaningless.
 *
 * PROFTUNE_CLOCK in the environment chooses: "monotonic" always uses
 * clock_gettime, "tsc" uses the TSC whenever the CPU has one (invariant or
 * not, for users who know theirs is stable), anything else or unset lets
 * the library decide.
 */

/* The TSC is read where the compiler targets x86-64; -DPT_NO_TSC builds the
 * CLOCK_MONOTONIC clock only. */
#if defined(__x86_64__) && !defined(PT_NO_TSC)
#define PT_HAVE_TSC 1
#endif

enum pt_clock_kind {
	PT_CLOCK_MONOTONIC = 0,     /* clock_gettime(CLOCK_MONOTONIC); a tick is 1 ns */
	PT_CLOCK_TSC = 1,           /* the time-stamp counter, read with rdtsc */
};

/* Read by the inline functions below; written by pt_clock_init() and
 * pt_clock_recalibrate() only (relaxed atomics: no data race with readers
 * on other threads). */
struct pt_clock_state {
	int kind;                   /* enum pt_clock_kind */
	uint64_t mult;              /* ns = ticks * mult >> PT_CLOCK_SHIFT */
};
extern struct pt_clock_state pt_clock_g __attribute__((visibility("hidden")));

/* 32 fractional bits: the rate is kept to 2^-33 ns per tick, a relative
 * error under 1e-9 for a counter of up to 4 GHz, far below what the
 * calibration itself can know (about 1e-5). */
#define PT_CLOCK_SHIFT 32

/* Choose the clock and calibrate it (about 2 ms the first time in a
 * process, nothing afterwards; a child forked afterwards inherits the
 * calibration).  Thread-safe and idempotent. */
void pt_clock_init(void);

/* Choose and calibrate again, reading PROFTUNE_CLOCK anew: for tests, and
 * only while no interval measured in ticks is open on any thread. */
void pt_clock_recalibrate(void);

/* "tsc" or "monotonic": the clock pt_ticks() reads (pt_clock_init() is
 * called first). */
const char *pt_clock_name(void);
/* The clock pt_ticks() reads. */
static inline enum pt_clock_kind pt_clock_kind(void)
{
	return (enum pt_clock_kind)PT_LD(pt_clock_g.kind);
}
/* Ticks per second as calibrated, 1e9 for CLOCK_MONOTONIC (pt_clock_init()
 * is called first). */
double pt_clock_hz(void);

#ifdef PT_HAVE_TSC
static inline uint64_t pt_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
#endif

/* The current time in ticks.  Not ordered against the loads and stores
 * around it (rdtsc may execute a few instructions early or late): good for
 * durations of code on one thread; see pt_ticks_ordered() for comparisons
 * across threads. */
static inline uint64_t pt_ticks(void)
{
#ifdef PT_HAVE_TSC
	if (__builtin_expect(PT_LD(pt_clock_g.kind) == PT_CLOCK_TSC, 1))
		return pt_rdtsc();
#endif
	return pt_now_ns();
}

/* pt_ticks() read after every earlier instruction has completed (lfence;
 * rdtsc), so a time read after another thread's release is not earlier
 * than that thread's reading.  About twice the cost of pt_ticks(). */
static inline uint64_t pt_ticks_ordered(void)
{
#ifdef PT_HAVE_TSC
	if (PT_LD(pt_clock_g.kind) == PT_CLOCK_TSC) {
		__asm__ volatile("lfence" ::: "memory");
		return pt_rdtsc();
	}
#endif
	return pt_now_ns();
}

/* A duration of D ticks in nanoseconds. */
static inline uint64_t pt_ticks_to_ns(uint64_t d)
{
	uint64_t mult = PT_LD(pt_clock_g.mult);

#if defined(__SIZEOF_INT128__)
	return (uint64_t)(((unsigned __int128)d * mult) >> PT_CLOCK_SHIFT);
#else
	return (d >> PT_CLOCK_SHIFT) * mult +
	       (((d & ((UINT64_C(1) << PT_CLOCK_SHIFT) - 1)) * mult) >> PT_CLOCK_SHIFT);
#endif
}

/* The CLOCK_MONOTONIC time (ns, pt_now_ns's scale) of the tick reading T,
 * taken on this thread no longer ago than a few seconds: for trace events,
 * which mix block times with clock_gettime times.  Within a few ns of the
 * truth (the thread re-anchors ticks to CLOCK_MONOTONIC every millisecond
 * it converts, so the rate's error does not accumulate). */
uint64_t pt_ticks_to_mono_ns(uint64_t t);

/*
 * The TSC and CLOCK_MONOTONIC over an interval (a trial): begin takes a
 * reading of both at once, end another, and returns the relative drift of
 * the converted ticks from CLOCK_MONOTONIC, (ticks_ns - mono_ns) / mono_ns
 * (0 with the CLOCK_MONOTONIC clock, and for an empty interval).  Each
 * reading is good to about 20 ns, so over a trial of 0.1 s or more the
 * drift is known to 1e-6 or better.
 */
struct pt_clock_drift {
	uint64_t ticks, ns;
};
void pt_clock_drift_begin(struct pt_clock_drift *d);
double pt_clock_drift_end(const struct pt_clock_drift *d);
/* Drift that deserves a warning: 0.1%, twice the fastest NTP slews
 * CLOCK_MONOTONIC (the kernel's limit is 500 ppm), so a slewing clock
 * does not set it off, and a tenth of the 1% to which item latencies are
 * promised, so below it the TSC cannot be the reason they are wrong. */
#define PT_CLOCK_DRIFT_WARN 1e-3

#endif
