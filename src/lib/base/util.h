/* util.h - small helpers of every layer: errors, clocks, arrays, name tables (internal) */
#ifndef PT_UTIL_H
#define PT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Fields written by one thread and read by another without a lock are
 * accessed with relaxed atomics: plain moves on x86-64, and no data race for
 * TSan. */
#define PT_LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PT_ST(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Set this thread's last error message (printf-style) and return -ERR
 * (ERR is a positive errno value), so `return pt_fail(ENOENT, ...)` works.
 * The message is kept as pt_strbuf_add_text() with PT_TEXT_SHOWN makes it:
 * whatever text it quotes, it is safe to print on a terminal. */
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

/* Wall-clock time as Unix time in seconds (CLOCK_REALTIME), for the
 * timestamps documents and records carry. */
double pt_unix_now(void);

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

/* Make room for NEED elements of ELEM bytes in the malloc'd array *ARRAY
 * (ARRAY points at the array pointer) of *CAP allocated elements: the
 * capacity doubles, starting at FIRST.  Elements past the old capacity are
 * not initialised.  0, or -ENOMEM with the array and *CAP unchanged. */
int pt_array_grow(void *array, size_t *cap, size_t need, size_t elem, size_t first);
/* pt_array_grow for an array variable V with the size_t capacity CAP. */
#define PT_ARRAY_GROW(v, cap, need, first) \
	pt_array_grow(&(v), &(cap), (need), sizeof(*(v)), (first))

/* Free (free(3)) every node of the tree at ROOT, whose nodes point to their
 * first child and their next sibling at the byte offsets CHILD and
 * SIBLING. */
void pt_tree_free(void *root, size_t child, size_t sibling);
/* NAMES[I] of a table of N names, or "?" when I is out of range. */
const char *pt_name_of(const char *const *names, size_t n, unsigned i);
/* The index of NAME in a table of N names, or -EINVAL when it is not one. */
int pt_name_index(const char *const *names, size_t n, const char *name);
/* N rounded up to a multiple of 8, to keep records in a buffer aligned. */
static inline size_t pt_align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The number of entries of a table (an array, not a pointer). */
#define PT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* UTC ISO 8601 with milliseconds, e.g. 2026-11-23T12:00:00.000Z. */
void pt_iso8601(double unix_time, char *buf, size_t len);

#endif
