/* util.h - small helpers shared by libproftune's modules (internal) */
#ifndef PT_UTIL_H
#define PT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Set this thread's last error message (printf-style) and return -ERR
 * (ERR is a positive errno value), so `return pt_fail(ENOENT, ...)` works. */
int pt_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Monotonic time in nanoseconds (vDSO clock_gettime; no system call). */
static inline uint64_t pt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread in nanoseconds. */
static inline uint64_t pt_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* malloc'd printf; NULL on ENOMEM. */
char *pt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *pt_vasprintf(const char *fmt, va_list ap);

/* Write all N bytes of BUF to FD, retrying short writes and EINTR.  0 or
 * -errno.  Async-signal-safe (only write(2)). */
int pt_write_all(int fd, const void *buf, size_t n);

/* Sleep until the monotonic time DEADLINE_NS. */
void pt_sleep_until(uint64_t deadline_ns);

/* qsort(3) comparison of two doubles, ascending. */
int pt_cmp_double(const void *a, const void *b);

/* UTC ISO 8601 with milliseconds, e.g. 2026-11-23T12:00:00.000Z. */
void pt_iso8601(double unix_time, char *buf, size_t len);

#endif
