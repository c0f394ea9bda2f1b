/* check_sysmon.c - thread rusage and its difference, RSS and heap snapshots, peak reset, perf counter statuses */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "base/sysmon.h"

#define MiB (1024.0 * 1024.0)

/* Sanitizer builds: both bring an allocator of their own, which malloc's
 * statistics do not see, and ThreadSanitizer keeps shadow memory beside
 * every byte accessed, so residence and faults grow by a multiple of what
 * a case touches. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OWN_ALLOCATOR 1
#endif
#if defined(__SANITIZE_THREAD__)
#define SHADOW 4.0
#else
#define SHADOW 1.0
#endif

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Burn S seconds of this thread's CPU time, as the kernel's thread clock
 * (not rusage) counts it. */
static void burn(double s)
{
	double end = thread_cpu_s() + s;
	volatile uint64_t x = 1;

	while (thread_cpu_s() < end)
		for (int i = 0; i < 10000; i++)
			x = x * 6364136223846793005u + 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double cpu_of(const struct pt_rusage *r)
{
	return r->user_s + r->sys_s;
}

/* This thread's rusage across F(ARG). */
static void rusage_across(void (*f)(double), double arg, struct pt_rusage *out)
{
	struct rusage a, b;

	pt_rusage_thread(&a);
	f(arg);
	pt_rusage_thread(&b);
	pt_rusage_diff(&a, &b, out);
}

/* Map BYTES of fresh anonymous memory in small pages (one fault each). */
static char *map_pages(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_msg(p != MAP_FAILED, "mmap %zu: %s", bytes, strerror(errno));
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

static void touch(char *p, size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < bytes; i += (size_t)page)
		p[i] = 1;
}

/* ---- rusage ------------------------------------------------------------------- */

/* The difference of two readings, field by field, microseconds borrowing
 * from seconds; adding sums every field. */
START_TEST(test_rusage_diff_and_add)
{
	struct rusage a, b;
	struct pt_rusage d, sum = { 0 };

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ru_utime = (struct timeval){ .tv_sec = 1, .tv_usec = 900000 };
	b.ru_utime = (struct timeval){ .tv_sec = 3, .tv_usec = 100000 };
	a.ru_stime = (struct timeval){ .tv_sec = 0, .tv_usec = 250000 };
	b.ru_stime = (struct timeval){ .tv_sec = 0, .tv_usec = 750000 };
	a.ru_nvcsw = 10;
	b.ru_nvcsw = 17;
	a.ru_nivcsw = 3;
	b.ru_nivcsw = 4;
	a.ru_minflt = 100;
	b.ru_minflt = 1100;
	a.ru_majflt = 2;
	b.ru_majflt = 5;
	pt_rusage_diff(&a, &b, &d);
	ck_assert_double_eq_tol(d.user_s, 1.2, 1e-9);
	ck_assert_double_eq_tol(d.sys_s, 0.5, 1e-9);
	ck_assert_uint_eq(d.nvcsw, 7);
	ck_assert_uint_eq(d.nivcsw, 1);
	ck_assert_uint_eq(d.minflt, 1000);
	ck_assert_uint_eq(d.majflt, 3);
	pt_rusage_add(&sum, &d);
	pt_rusage_add(&sum, &d);
	ck_assert_double_eq_tol(sum.user_s, 2.4, 1e-9);
	ck_assert_double_eq_tol(sum.sys_s, 1.0, 1e-9);
	ck_assert_uint_eq(sum.nvcsw, 14);
	ck_assert_uint_eq(sum.nivcsw, 2);
	ck_assert_uint_eq(sum.minflt, 2000);
	ck_assert_uint_eq(sum.majflt, 6);
}
END_TEST

/* CPU time grows by what a busy loop burns, as the thread clock measured
 * it in the same run, for a loop and one four times as long. */
START_TEST(test_rusage_counts_busy_loop)
{
	static const double loops[] = { 0.1, 0.4 };
	double measured[2];

	for (int i = 0; i < 2; i++) {
		struct pt_rusage r;
		double c0 = thread_cpu_s(), clock;

		rusage_across(burn, loops[i], &r);
		clock = thread_cpu_s() - c0;
		measured[i] = cpu_of(&r);
		/* rusage is kept in microseconds, and is sampled at ticks on
		 * some kernels: a generous band */
		ck_assert_msg(measured[i] > 0.6 * clock && measured[i] < 1.4 * clock,
			      "rusage says %g s of CPU, the thread clock %g s", measured[i], clock);
		ck_assert_double_ge(r.user_s, r.sys_s);
	}
	ck_assert_msg(measured[1] / measured[0] > 2.5 && measured[1] / measured[0] < 6.5,
		      "%g s then %g s of CPU for loops of 0.1 s and 0.4 s", measured[0],
		      measured[1]);
}
END_TEST

static void *burner(void *arg)
{
	burn(*(double *)arg);
	return NULL;
}

static void sleep_while_burner(double s)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, burner, &s), 0);
	pthread_join(t, NULL);
}

/* The reading is the calling thread's: another thread's busy loop is not
 * in it, while the process' own clock shows it. */
START_TEST(test_rusage_is_per_thread)
{
	struct pt_rusage own;
	struct timespec p0, p1;
	double process;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p0);
	rusage_across(sleep_while_burner, 0.3, &own);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p1);
	process = (double)(p1.tv_sec - p0.tv_sec) + (double)(p1.tv_nsec - p0.tv_nsec) / 1e9;
	ck_assert_double_ge(process, 0.25);
	ck_assert_msg(cpu_of(&own) < process / 4, "the waiting thread used %g s of the "
		      "process' %g s", cpu_of(&own), process);
}
END_TEST

static void naps(double n)
{
	for (int i = 0; i < (int)n; i++)
		sleep_ms(1);
}

static void fault_pages(double mib)
{
	size_t bytes = (size_t)(mib * MiB);
	char *p = map_pages(bytes);

	touch(p, bytes);
	munmap(p, bytes);
}

/* Sleeping 20 times is 20 voluntary switches; touching 8 MiB of fresh small
 * pages is a fault for each of them. */
START_TEST(test_rusage_switches_and_faults)
{
	struct pt_rusage r;
	double pages = 8 * MiB / (double)sysconf(_SC_PAGESIZE);

	rusage_across(naps, 20, &r);
	ck_assert_uint_ge(r.nvcsw, 20);
	rusage_across(fault_pages, 8, &r);
	ck_assert_msg((double)r.minflt > 0.9 * pages && (double)r.minflt < 1.5 * SHADOW * pages,
		      "%llu faults for %g pages", (unsigned long long)r.minflt, pages);
}
END_TEST

/* ---- memory --------------------------------------------------------------------- */

/* RSS grows by what is touched: 64 MiB touched is 64 MiB more resident,
 * within a band, and the high-water mark is never below the RSS. */
START_TEST(test_memsnap_rss_grows)
{
	const size_t bytes = 64 << 20;
	struct pt_memsnap a, b, c;
	char *p;
	double ratio;

	pt_memsnap_read(&a);
	ck_assert_uint_gt(a.rss, 0);
	ck_assert_uint_ge(a.hwm, a.rss);
	p = map_pages(bytes);
	pt_memsnap_read(&b);
	touch(p, bytes);
	pt_memsnap_read(&c);
	ratio = (double)(c.rss - b.rss) / (double)bytes;
	ck_assert_msg(ratio > 0.9 && ratio < 1.2 * SHADOW, "RSS grew %g MiB for 64 MiB touched",
		      (double)(c.rss - b.rss) / MiB);
	/* mapping alone is not residence */
	ck_assert_msg(b.rss < a.rss + bytes / 8, "RSS grew %g MiB before the pages were touched",
		      ((double)b.rss - (double)a.rss) / MiB);
	ck_assert_uint_ge(c.hwm, c.rss);
	munmap(p, bytes);
}
END_TEST

/* The heap reading follows malloc: 32 MiB allocated and held shows, and
 * goes when freed (not in sanitizer builds: malloc is not theirs). */
START_TEST(test_memsnap_heap)
{
#if defined(OWN_ALLOCATOR) || !defined(HAVE_MALLINFO2)
	return;
#else
	const size_t bytes = 32 << 20;
	struct pt_memsnap a, b, c;
	char *volatile p;
	double ratio;

	pt_memsnap_read(&a);
	p = malloc(bytes);
	ck_assert_ptr_nonnull(p);
	memset(p, 1, bytes);
	pt_memsnap_read(&b);
	free(p);
	pt_memsnap_read(&c);
	ratio = ((double)b.heap - (double)a.heap) / (double)bytes;
	ck_assert_msg(ratio > 0.95 && ratio < 1.1, "heap grew %g MiB for 32 MiB allocated",
		      ((double)b.heap - (double)a.heap) / MiB);
	ck_assert_msg(c.heap < b.heap - bytes / 2, "heap %g MiB after free, %g MiB before",
		      (double)c.heap / MiB, (double)b.heap / MiB);
#endif
}
END_TEST

/* After a 64 MiB peak is released the high-water mark stays up; the reset
 * brings it down to about the RSS, and the next peak is measured from there. */
START_TEST(test_peak_rss_reset)
{
	const size_t bytes = 64 << 20, small = 16 << 20;
	struct pt_memsnap peak, released, reset, again;
	char *p = map_pages(bytes);

	touch(p, bytes);
	pt_memsnap_read(&peak);
	munmap(p, bytes);
	pt_memsnap_read(&released);
	/* the kernel's RSS counters are per-CPU approximations: a reading
	 * may differ from the next by some pages */
	ck_assert_uint_ge(released.hwm + (1 << 20), peak.rss);
	ck_assert_msg(released.hwm - released.rss > bytes * 3 / 4,
		      "high-water mark %g MiB, RSS %g MiB after releasing 64 MiB",
		      (double)released.hwm / MiB, (double)released.rss / MiB);
	if (!pt_reset_peak_rss()) {
		/* the kernel refused: the mark must be left as it was */
		pt_memsnap_read(&reset);
		ck_assert_uint_ge(reset.hwm, released.hwm);
		return;
	}
	pt_memsnap_read(&reset);
	ck_assert_msg(reset.hwm < released.hwm - bytes / 2,
		      "high-water mark %g MiB after the reset, %g MiB before",
		      (double)reset.hwm / MiB, (double)released.hwm / MiB);
	ck_assert_msg(reset.hwm - reset.rss < bytes / 8, "high-water mark %g MiB, RSS %g MiB",
		      (double)reset.hwm / MiB, (double)reset.rss / MiB);
	p = map_pages(small);
	touch(p, small);
	pt_memsnap_read(&again);
	munmap(p, small);
	ck_assert_msg(again.hwm - reset.hwm > small * 3 / 4 && again.hwm < released.hwm,
		      "high-water mark %g MiB after a 16 MiB peak from %g MiB",
		      (double)again.hwm / MiB, (double)reset.hwm / MiB);
}
END_TEST

/* ---- perf counters ---------------------------------------------------------------- */

static int known_status(enum pt_perf_status s)
{
	const char *n = pt_perf_status_name(s);

	return strcmp(n, "ok") == 0 || strcmp(n, "unsupported") == 0 ||
	       strcmp(n, "denied") == 0 || strcmp(n, "not-counted") == 0;
}

static int event_index(const char *name)
{
	for (int i = 0; i < PT_PERF_EVENTS; i++)
		if (strcmp(pt_perf_event_names[i], name) == 0)
			return i;
	ck_abort_msg("no perf event '%s'", name);
	return -1;
}

START_TEST(test_perf_status_names)
{
	ck_assert_str_eq(pt_perf_status_name(PT_PERF_OK), "ok");
	ck_assert_str_eq(pt_perf_status_name(PT_PERF_UNSUPPORTED), "unsupported");
	ck_assert_str_eq(pt_perf_status_name(PT_PERF_DENIED), "denied");
	ck_assert_str_eq(pt_perf_status_name(PT_PERF_NOT_COUNTED), "not-counted");
	ck_assert_str_eq(pt_perf_status_name(PT_PERF_OFF), "off");
	ck_assert_str_eq(pt_perf_status_name((enum pt_perf_status)99), "?");
	for (int i = 0; i < PT_PERF_EVENTS; i++)
		for (int k = i + 1; k < PT_PERF_EVENTS; k++)
			ck_assert_str_ne(pt_perf_event_names[i], pt_perf_event_names[k]);
}
END_TEST

static void burn_and_fault(double s)
{
	burn(s);
	fault_pages(4);
	naps(5);
}

/* Counters of a busy loop: each event has a status of its own; where it is
 * "ok" the value is real (the task clock agrees with the thread clock,
 * faults and switches are there), and where it is not, no value is given
 * that could pass for a zero.  Another thread's loop is not counted. */
START_TEST(test_perf_counts_this_thread)
{
	struct pt_perf p;
	struct pt_perf_value v[PT_PERF_EVENTS];
	int clock = event_index("task_clock_ns"), faults = event_index("page_faults");
	int switches = event_index("context_switches");
	double c0, cpu;

	pt_perf_open(&p);
	c0 = thread_cpu_s();
	pt_perf_enable(&p);
	burn_and_fault(0.2);
	pt_perf_disable(&p);
	cpu = thread_cpu_s() - c0;
	pt_perf_read_close(&p, v);
	for (int i = 0; i < PT_PERF_EVENTS; i++) {
		ck_assert_msg(known_status(v[i].status), "%s: status %d", pt_perf_event_names[i],
			      (int)v[i].status);
		ck_assert_int_eq(p.fd[i], -1);
		if (v[i].status != PT_PERF_OK) {
			ck_assert_double_eq(v[i].value, 0);
			ck_assert_double_eq(v[i].running, 0);
			continue;
		}
		ck_assert_msg(v[i].running > 0 && v[i].running <= 1, "%s ran %g of the time",
			      pt_perf_event_names[i], v[i].running);
	}
	if (v[clock].status == PT_PERF_OK)
		ck_assert_msg(v[clock].value / 1e9 > 0.7 * cpu && v[clock].value / 1e9 < 1.3 * cpu,
			      "task clock %g s for %g s of thread CPU", v[clock].value / 1e9, cpu);
	if (v[faults].status == PT_PERF_OK)
		ck_assert_double_ge(v[faults].value, 0.9 * 4 * MiB / (double)sysconf(_SC_PAGESIZE));
	if (v[switches].status == PT_PERF_OK)
		ck_assert_double_ge(v[switches].value, 5);
	for (int i = 0; i < PT_PERF_EVENTS; i++)
		if (v[i].status == PT_PERF_OK && (strcmp(pt_perf_event_names[i], "cycles") == 0 ||
						  strcmp(pt_perf_event_names[i], "instructions") == 0))
			ck_assert_double_gt(v[i].value, 1e6);

	/* another thread burns while this one waits */
	pt_perf_open(&p);
	pt_perf_enable(&p);
	sleep_while_burner(0.2);
	pt_perf_disable(&p);
	pt_perf_read_close(&p, v);
	if (v[clock].status == PT_PERF_OK)
		ck_assert_msg(v[clock].value / 1e9 < cpu / 4, "task clock %g s while another "
			      "thread burned %g s", v[clock].value / 1e9, cpu);
}
END_TEST

/* Counters opened but never enabled counted nothing: "not-counted", not an
 * "ok" zero; those that could not be opened keep the reason. */
START_TEST(test_perf_never_enabled)
{
	struct pt_perf p;
	struct pt_perf_value v[PT_PERF_EVENTS];

	pt_perf_open(&p);
	burn(0.02);
	pt_perf_read_close(&p, v);
	for (int i = 0; i < PT_PERF_EVENTS; i++) {
		if (p.open_status[i] == PT_PERF_OK)
			ck_assert_msg(v[i].status == PT_PERF_NOT_COUNTED, "%s: %s, want not-counted",
				      pt_perf_event_names[i], pt_perf_status_name(v[i].status));
		else
			ck_assert_msg(v[i].status == p.open_status[i] &&
				      (v[i].status == PT_PERF_UNSUPPORTED ||
				       v[i].status == PT_PERF_DENIED),
				      "%s: opened as %s, read as %s", pt_perf_event_names[i],
				      pt_perf_status_name(p.open_status[i]),
				      pt_perf_status_name(v[i].status));
		ck_assert_double_eq(v[i].value, 0);
	}
}
END_TEST

/* Merging workers: the first is copied, values add, the shortest running
 * fraction is kept, and one worker that did not count spoils the sum. */
START_TEST(test_perf_merge)
{
	struct pt_perf_value a[PT_PERF_EVENTS], b[PT_PERF_EVENTS], sum[PT_PERF_EVENTS];

	for (int i = 0; i < PT_PERF_EVENTS; i++) {
		a[i] = (struct pt_perf_value){ .status = PT_PERF_OK, .value = 100 + i, .running = 1 };
		b[i] = (struct pt_perf_value){ .status = PT_PERF_OK, .value = 10, .running = 0.5 };
	}
	b[1].status = PT_PERF_NOT_COUNTED;
	b[2].status = PT_PERF_DENIED;
	pt_perf_merge(sum, a, 1);
	for (int i = 0; i < PT_PERF_EVENTS; i++) {
		ck_assert_int_eq(sum[i].status, PT_PERF_OK);
		ck_assert_double_eq(sum[i].value, 100 + i);
	}
	pt_perf_merge(sum, b, 0);
	ck_assert_int_eq(sum[0].status, PT_PERF_OK);
	ck_assert_double_eq(sum[0].value, 110);
	ck_assert_double_eq(sum[0].running, 0.5);
	ck_assert_int_eq(sum[1].status, PT_PERF_NOT_COUNTED);
	ck_assert_int_eq(sum[2].status, PT_PERF_DENIED);
	/* a later worker that counted does not make the sum whole again */
	pt_perf_merge(sum, a, 0);
	ck_assert_int_eq(sum[1].status, PT_PERF_NOT_COUNTED);
	ck_assert_int_eq(sum[3].status, PT_PERF_OK);
	ck_assert_double_eq(sum[3].value, 216);
}
END_TEST

Suite *suite_sysmon(void)
{
	Suite *s = suite_create("sysmon");
	TCase *tc = tcase_create("rusage");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_rusage_diff_and_add);
	tcase_add_test(tc, test_rusage_counts_busy_loop);
	tcase_add_test(tc, test_rusage_is_per_thread);
	tcase_add_test(tc, test_rusage_switches_and_faults);
	suite_add_tcase(s, tc);
	tc = tcase_create("memory");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_memsnap_rss_grows);
	tcase_add_test(tc, test_memsnap_heap);
	tcase_add_test(tc, test_peak_rss_reset);
	suite_add_tcase(s, tc);
	tc = tcase_create("perf");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_perf_status_names);
	tcase_add_test(tc, test_perf_counts_this_thread);
	tcase_add_test(tc, test_perf_never_enabled);
	tcase_add_test(tc, test_perf_merge);
	suite_add_tcase(s, tc);
	return s;
}
