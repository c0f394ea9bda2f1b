/* clock.c - choosing the interval clock, calibrating the TSC against CLOCK_MONOTONIC, drift over an interval */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

#ifdef PT_HAVE_TSC
#include <cpuid.h>
#endif

/* Until pt_clock_init: CLOCK_MONOTONIC, one tick a nanosecond. */
struct pt_clock_state pt_clock_g = { PT_CLOCK_MONOTONIC, UINT64_C(1) << PT_CLOCK_SHIFT };

/* Bumped by every calibration, so a thread's anchor of an earlier one is
 * not used with the new rate. */
static unsigned clock_gen;

/*
 * Calibration: the ticks and CLOCK_MONOTONIC are read together twice,
 * CALIBRATE_NS apart.  Each joint reading brackets clock_gettime between
 * two fenced TSC reads and keeps the tightest of a few tries, so it is
 * good to about 20 ns (half a clock_gettime); over 2 ms that makes the rate
 * good to about 1e-5 (30 calibrations on one machine agreed to 1e-5), a
 * hundred times finer than the 0.1% drift warning, while a process, or an
 * isolated trial whose parent never timed anything, pays 2 ms once.
 */
#define CALIBRATE_NS 2000000u
#define PAIR_TRIES 7
/* A TSC slower than 100 MHz or faster than 100 GHz is not a TSC that
 * calibrated correctly (a preempted or virtualised reading): fall back. */
#define HZ_MIN 1e8
#define HZ_MAX 1e11
/* Re-anchor ticks to CLOCK_MONOTONIC for absolute times after 1 ms: the
 * rate's error (~1e-5) then adds at most 10 ns. */
#define ANCHOR_NS 1000000u
/* A joint reading wider than 5 us was interrupted: read again. */
#define PAIR_MAX_NS 5000u

#ifdef PT_HAVE_TSC
/* The CPU has a TSC (CPUID.1:EDX[4]). */
static int tsc_present(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (d & (1u << 4));
}

/* The TSC is invariant (CPUID.80000007H:EDX[8]): constant rate in every
 * P-, C- and T-state. */
static int tsc_invariant(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return 0;
	return __get_cpuid(0x80000007u, &a, &b, &c, &d) && (d & (1u << 8));
}

/* The kernel has not found the TSC unstable: Linux withdraws "tsc" from
 * the available clock sources when its watchdog catches the TSC drifting
 * or out of step between CPUs.  True when the list cannot be read. */
static int kernel_keeps_tsc(void)
{
	char buf[512], *tok, *save = NULL;
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/available_clocksource", "re");
	int found = 0;

	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 1;
	}
	fclose(f);
	for (tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		if (strcmp(tok, "tsc") == 0)
			found = 1;
	return found;
}
#endif

/* The TSC after every earlier instruction completed, whichever clock the
 * state reads (calibration must not publish a rate it has not measured). */
static uint64_t tsc_ordered(void)
{
#ifdef PT_HAVE_TSC
	__asm__ volatile("lfence" ::: "memory");
	return pt_rdtsc();
#else
	return pt_now_ns();
#endif
}

/* One joint reading of the TSC and CLOCK_MONOTONIC, TRIES times, keeping
 * the tightest; the ticks are the middle of the TSC reads around
 * clock_gettime.  0, or -1 when TRIES readings were all wider than
 * PAIR_MAX_NS worth of ticks (at HZ). */
static int read_pair(uint64_t *ticks, uint64_t *ns, int tries, double hz)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < tries; i++) {
		uint64_t a = tsc_ordered(), n = pt_now_ns(), b = tsc_ordered();

		if (b >= a && b - a < best) {
			best = b - a;
			*ticks = a + (b - a) / 2;
			*ns = n;
		}
	}
	return best <= (uint64_t)(hz * PAIR_MAX_NS / 1e9) ? 0 : -1;
}

static void sleep_ns(uint64_t ns)
{
	uint64_t end = pt_now_ns() + ns;
	struct timespec ts = {
		.tv_sec = (time_t)(end / 1000000000u),
		.tv_nsec = (long)(end % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* The TSC's rate as mult (ns = ticks * mult >> PT_CLOCK_SHIFT); 0 when
 * it does not calibrate. */
static uint64_t calibrate_tsc(void)
{
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;
	double hz;

	if (read_pair(&t0, &n0, PAIR_TRIES, HZ_MAX) < 0)
		return 0;
	sleep_ns(CALIBRATE_NS);
	if (read_pair(&t1, &n1, PAIR_TRIES, HZ_MAX) < 0 || t1 <= t0 || n1 <= n0)
		return 0;
	hz = (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
	if (hz < HZ_MIN || hz > HZ_MAX)
		return 0;
	return (uint64_t)(1e9 / hz * (double)(UINT64_C(1) << PT_CLOCK_SHIFT) + 0.5);
}

/* Which clock to use, from PROFTUNE_CLOCK and the machine. */
static enum pt_clock_kind choose(void)
{
#ifdef PT_HAVE_TSC
	const char *env = getenv("PROFTUNE_CLOCK");

	if (env && strcmp(env, "monotonic") == 0)
		return PT_CLOCK_MONOTONIC;
	if (env && strcmp(env, "tsc") == 0)
		return tsc_present() ? PT_CLOCK_TSC : PT_CLOCK_MONOTONIC;
	if (tsc_present() && tsc_invariant() && kernel_keeps_tsc())
		return PT_CLOCK_TSC;
#endif
	return PT_CLOCK_MONOTONIC;
}

static void setup(void)
{
	uint64_t mult = UINT64_C(1) << PT_CLOCK_SHIFT;
	enum pt_clock_kind kind = choose();

	if (kind == PT_CLOCK_TSC && !(mult = calibrate_tsc())) {
		kind = PT_CLOCK_MONOTONIC;
		mult = UINT64_C(1) << PT_CLOCK_SHIFT;
	}
	PT_ST(pt_clock_g.mult, mult);
	PT_ST(pt_clock_g.kind, (int)kind);
	__atomic_add_fetch(&clock_gen, 1, __ATOMIC_RELEASE);
}

static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

void pt_clock_init(void)
{
	pthread_once(&clock_once, setup);
}

void pt_clock_recalibrate(void)
{
	pt_clock_init();
	setup();
}

const char *pt_clock_name(void)
{
	pt_clock_init();
	return pt_clock_kind() == PT_CLOCK_TSC ? "tsc" : "monotonic";
}

static double rate_hz(void)
{
	return 1e9 * (double)(UINT64_C(1) << PT_CLOCK_SHIFT) / (double)PT_LD(pt_clock_g.mult);
}

double pt_clock_hz(void)
{
	pt_clock_init();
	return rate_hz();
}

/* This thread's last joint reading, for pt_ticks_to_mono_ns. */
static __thread struct {
	uint64_t ticks, ns;
	unsigned gen;
} tl_anchor;

uint64_t pt_ticks_to_mono_ns(uint64_t t)
{
	unsigned gen = __atomic_load_n(&clock_gen, __ATOMIC_ACQUIRE);
	uint64_t near;

	if (pt_clock_kind() != PT_CLOCK_TSC)
		return t;
	near = pt_ticks_to_ns(t > tl_anchor.ticks ? t - tl_anchor.ticks : tl_anchor.ticks - t);
	if (tl_anchor.gen != gen || near > ANCHOR_NS) {
		uint64_t ticks = 0, ns = 0;

		/* a reading that stays wide after a few rounds is still the
		 * best there is */
		for (int round = 0; round < 3; round++)
			if (read_pair(&ticks, &ns, 3, rate_hz()) == 0)
				break;
		tl_anchor.ticks = ticks;
		tl_anchor.ns = ns;
		tl_anchor.gen = gen;
	}
	if (t >= tl_anchor.ticks)
		return tl_anchor.ns + pt_ticks_to_ns(t - tl_anchor.ticks);
	return tl_anchor.ns - pt_ticks_to_ns(tl_anchor.ticks - t);
}

void pt_clock_drift_begin(struct pt_clock_drift *d)
{
	d->ticks = d->ns = 0;
	if (pt_clock_kind() != PT_CLOCK_TSC)
		return;
	read_pair(&d->ticks, &d->ns, 3, rate_hz());
}

double pt_clock_drift_end(const struct pt_clock_drift *d)
{
	uint64_t ticks = 0, ns = 0;

	if (pt_clock_kind() != PT_CLOCK_TSC)
		return 0;
	read_pair(&ticks, &ns, 3, rate_hz());
	if (!d->ns || ns <= d->ns || ticks < d->ticks)
		return 0;
	return ((double)pt_ticks_to_ns(ticks - d->ticks) - (double)(ns - d->ns)) / (double)(ns - d->ns);
}
