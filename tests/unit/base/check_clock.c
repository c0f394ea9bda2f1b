/* check_clock.c - the tick clock: its choice, its rate against CLOCK_MONOTONIC, order across threads, drift */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "base/clock.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Ticks and CLOCK_MONOTONIC read at one instant: the tightest of many
 * brackets of clock_gettime between two tick reads, so a preemption
 * between the reads (this machine may be busy) does not count. */
static void joint_reading(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 200; i++) {
		uint64_t a = pt_ticks_ordered(), n = pt_now_ns(), b = pt_ticks_ordered();

		if (b - a < best) {
			best = b - a;
			*ticks = a + (b - a) / 2;
			*ns = n;
		}
	}
	/* 20 us of ticks at most, 0.04% of the 50 ms the cases measure */
	ck_assert_msg(pt_ticks_to_ns(best) < 20000, "no joint reading tighter than %llu ns",
		      (unsigned long long)pt_ticks_to_ns(best));
}

/* Over a 50 ms sleep, converted ticks agree with CLOCK_MONOTONIC to 0.5%. */
static void check_rate(void)
{
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;
	double ticks_ns, mono_ns;

	joint_reading(&t0, &n0);
	sleep_ms(50);
	joint_reading(&t1, &n1);
	ticks_ns = (double)pt_ticks_to_ns(t1 - t0);
	mono_ns = (double)(n1 - n0);
	ck_assert_double_ge(mono_ns, 50e6);
	ck_assert_msg(close_rel(ticks_ns, mono_ns, 0.005),
		      "%s: %.0f ns of ticks for %.0f ns of CLOCK_MONOTONIC", pt_clock_name(),
		      ticks_ns, mono_ns);
}

/* The flag Linux sets from CPUID's invariant-TSC bit, read independently
 * of the library, and whether the kernel still lists the TSC as a clock
 * source. */
static int machine_has_invariant_tsc(void)
{
	char line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int flags = 0, listed = 1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0) {
			flags = strstr(line, " nonstop_tsc") != NULL && strstr(line, " constant_tsc") != NULL;
			break;
		}
	fclose(f);
	f = fopen("/sys/devices/system/clocksource/clocksource0/available_clocksource", "r");
	if (f) {
		listed = fgets(line, sizeof(line), f) && strstr(line, "tsc") != NULL;
		fclose(f);
	}
	return flags && listed;
}

static void use_clock(const char *which)
{
	if (which)
		setenv("PROFTUNE_CLOCK", which, 1);
	else
		unsetenv("PROFTUNE_CLOCK");
	pt_clock_recalibrate();
}

/* Left to itself, the library uses the TSC exactly where the CPU says it
 * is invariant and the kernel trusts it, and says which it uses. */
START_TEST(test_chooses_by_machine)
{
	int inv = machine_has_invariant_tsc();

	use_clock(NULL);
	ck_assert(strcmp(pt_clock_name(), "tsc") == 0 || strcmp(pt_clock_name(), "monotonic") == 0);
	ck_assert_int_eq(strcmp(pt_clock_name(), "tsc") == 0, pt_clock_kind() == PT_CLOCK_TSC);
#ifdef PT_HAVE_TSC
	if (inv >= 0)
		ck_assert_msg((pt_clock_kind() == PT_CLOCK_TSC) == inv,
			      "clock %s where /proc/cpuinfo says invariant TSC %d", pt_clock_name(), inv);
#else
	(void)inv;
	ck_assert_str_eq(pt_clock_name(), "monotonic");
#endif
	if (pt_clock_kind() == PT_CLOCK_TSC)
		ck_assert_msg(pt_clock_hz() > 1e8 && pt_clock_hz() < 1e11, "TSC at %g Hz",
			      pt_clock_hz());
	else
		ck_assert_double_eq(pt_clock_hz(), 1e9);
}
END_TEST

/* PROFTUNE_CLOCK=monotonic selects clock_gettime: ticks are then
 * CLOCK_MONOTONIC nanoseconds, converted as they are. */
START_TEST(test_monotonic_fallback)
{
	uint64_t best = UINT64_MAX;

	use_clock("monotonic");
	ck_assert_str_eq(pt_clock_name(), "monotonic");
	ck_assert_int_eq(pt_clock_kind(), PT_CLOCK_MONOTONIC);
	ck_assert_double_eq(pt_clock_hz(), 1e9);
	ck_assert_uint_eq(pt_ticks_to_ns(123456789012ull), 123456789012ull);
	ck_assert_uint_eq(pt_ticks_to_mono_ns(987654321ull), 987654321ull);
	for (int i = 0; i < 100; i++) {
		uint64_t a = pt_now_ns(), t = pt_ticks(), b = pt_now_ns();

		ck_assert_uint_ge(t, a);
		ck_assert_uint_le(t, b);
		if (b - a < best)
			best = b - a;
	}
	ck_assert_uint_lt(best, 1000000);
	check_rate();
	/* any other value lets the library decide again */
	use_clock("bogus");
#ifdef PT_HAVE_TSC
	if (machine_has_invariant_tsc() >= 0)
		ck_assert_int_eq(pt_clock_kind() == PT_CLOCK_TSC, machine_has_invariant_tsc());
#endif
	use_clock(NULL);
}
END_TEST

/* PROFTUNE_CLOCK=tsc uses the TSC on any x86-64 CPU. */
START_TEST(test_tsc_forced)
{
	use_clock("tsc");
#ifdef PT_HAVE_TSC
	ck_assert_str_eq(pt_clock_name(), "tsc");
	check_rate();
#else
	ck_assert_str_eq(pt_clock_name(), "monotonic");
#endif
	use_clock(NULL);
}
END_TEST

/* With the clock the library chooses, 50 ms of ticks convert to 50 ms of
 * CLOCK_MONOTONIC within 0.5%, and a long duration converts without
 * overflow. */
START_TEST(test_rate)
{
	double hz;
	uint64_t hour;

	use_clock(NULL);
	check_rate();
	hz = pt_clock_hz();
	hour = (uint64_t)(hz * 3600.0);
	ck_assert_msg(close_rel((double)pt_ticks_to_ns(hour), 3600e9, 1e-6), "an hour of ticks is %llu ns",
		      (unsigned long long)pt_ticks_to_ns(hour));
	ck_assert_uint_eq(pt_ticks_to_ns(0), 0);
}
END_TEST

/* An absolute tick reading converts to the CLOCK_MONOTONIC time read with
 * it, to within a few microseconds, every time: readings later and earlier
 * than the thread's anchor, and after the anchor has aged. */
START_TEST(test_mono_time)
{
	use_clock(NULL);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100; i++) {
			uint64_t t = 0, n = 0, m, off;

			joint_reading(&t, &n);
			m = pt_ticks_to_mono_ns(t);
			off = m > n ? m - n : n - m;
			ck_assert_msg(off < 5000, "%s: round %d, reading %d converted %llu ns away "
				      "from CLOCK_MONOTONIC", pt_clock_name(), round, i,
				      (unsigned long long)off);
		}
		sleep_ms(30);
	}
	if (pt_clock_kind() != PT_CLOCK_TSC)
		return;
	/* with a rate 1% off, an anchor 30 ms old would put the time 300 us
	 * off: the conversion re-anchors and stays within a few us */
	{
		uint64_t mult = PT_LD(pt_clock_g.mult), t = 0, n = 0, m, off;

		joint_reading(&t, &n);
		pt_ticks_to_mono_ns(t);
		sleep_ms(30);
		PT_ST(pt_clock_g.mult, mult + mult / 100);
		joint_reading(&t, &n);
		m = pt_ticks_to_mono_ns(t);
		PT_ST(pt_clock_g.mult, mult);
		off = m > n ? m - n : n - m;
		ck_assert_msg(off < 5000, "converted %llu ns away after 30 ms with a rate 1%% off",
			      (unsigned long long)off);
	}
}
END_TEST

/* Reads on one thread never go back. */
START_TEST(test_one_thread_never_back)
{
	uint64_t prev;

	use_clock(NULL);
	prev = pt_ticks();
	for (int i = 0; i < 1000000; i++) {
		uint64_t t = pt_ticks();

		ck_assert_uint_ge(t, prev);
		prev = t;
	}
}
END_TEST

struct relay {
	pthread_mutex_t lock;
	uint64_t last;
	unsigned backwards;
	int rounds;
};

/* Pass the latest reading from thread to thread through a lock: a reading
 * taken after the lock is taken must not be earlier than the one the last
 * holder left, whichever CPUs the threads run on. */
static void *relay_run(void *arg)
{
	struct relay *r = arg;

	for (int i = 0; i < r->rounds; i++) {
		pthread_mutex_lock(&r->lock);
		uint64_t t = pt_ticks_ordered();

		if (t < r->last)
			r->backwards++;
		r->last = t;
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

START_TEST(test_threads_never_back)
{
	struct relay r = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 20000 };
	pthread_t th[3];

	use_clock(NULL);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, relay_run, &r), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ck_assert_msg(r.backwards == 0, "%s went back %u times across threads", pt_clock_name(),
		      r.backwards);
	ck_assert_uint_gt(r.last, 0);
}
END_TEST

/* The drift of an interval is ~0 when the rate is right, and is the error
 * of the rate when it is not. */
START_TEST(test_drift)
{
	struct pt_clock_drift d;
	uint64_t mult;
	double drift;

	use_clock(NULL);
	pt_clock_drift_begin(&d);
	sleep_ms(50);
	drift = pt_clock_drift_end(&d);
	ck_assert_msg(drift > -PT_CLOCK_DRIFT_WARN && drift < PT_CLOCK_DRIFT_WARN,
		      "%s drifted %g over 50 ms", pt_clock_name(), drift);
	if (pt_clock_kind() != PT_CLOCK_TSC) {
		ck_assert_double_eq(drift, 0);
		return;
	}
	/* a rate 1% fast is caught as a drift of 1% */
	mult = PT_LD(pt_clock_g.mult);
	pt_clock_drift_begin(&d);
	sleep_ms(50);
	PT_ST(pt_clock_g.mult, mult + mult / 100);
	drift = pt_clock_drift_end(&d);
	PT_ST(pt_clock_g.mult, mult);
	ck_assert_msg(drift > 0.009 && drift < 0.011, "drift %g for a rate 1%% fast", drift);
}
END_TEST

Suite *suite_clock(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("choice");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_chooses_by_machine);
	tcase_add_test(tc, test_monotonic_fallback);
	tcase_add_test(tc, test_tsc_forced);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_mono_time);
	tcase_add_test(tc, test_one_thread_never_back);
	tcase_add_test(tc, test_threads_never_back);
	tcase_add_test(tc, test_drift);
	suite_add_tcase(s, tc);
	return s;
}
