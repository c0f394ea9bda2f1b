/* util.c - last-error message, formatted allocation, clocks, arrays and name tables */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftune.h"
#include "base/strbuf.h"
#include "base/util.h"

static _Thread_local char last_error[512];

const char *pt_last_error(void)
{
	return last_error;
}

int pt_fail(int err, const char *fmt, ...)
{
	char raw[sizeof(last_error)];
	va_list ap;
	int n;

	/* a message names what it is about (a task's words, a file name, a
	 * document's value), and is printed on a terminal: it is kept free of
	 * control characters and ill-formed UTF-8, and cut at a character */
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		raw[0] = '\0';
	pt_text_copy(last_error, sizeof(last_error), raw, strnlen(raw, sizeof(raw)), PT_TEXT_SHOWN);
	errno = err;
	return -err;
}

const char *pt_version(void)
{
	return PACKAGE_VERSION;
}

char *pt_vasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

char *pt_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = pt_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int pt_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void pt_sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

double pt_unix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pt_iso8601(double unix_time, char *buf, size_t len)
{
	time_t secs = (time_t)unix_time;
	struct tm tm;
	char base[32];
	int ms = (int)((unix_time - (double)secs) * 1000.0);

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, ms < 0 ? 0 : ms > 999 ? 999 : ms);
}

int pt_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int pt_array_grow(void *array, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *old, *a;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	/* the array pointer is read and written as bytes: ARRAY may point at
	 * a pointer of any object type */
	memcpy(&old, array, sizeof(old));
	a = realloc(old, n * elem);
	if (!a)
		return -ENOMEM;
	memcpy(array, &a, sizeof(a));
	*cap = n;
	return 0;
}

const char *pt_name_of(const char *const *names, size_t n, unsigned i)
{
	return i < n ? names[i] : "?";
}

int pt_name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

void pt_tree_free(void *root, size_t child, size_t sibling)
{
	char *n = root;

	/* the links are read as bytes: the nodes' pointer types differ */
	while (n) {
		void *first, *next;

		memcpy(&first, n + child, sizeof(first));
		memcpy(&next, n + sibling, sizeof(next));
		pt_tree_free(first, child, sibling);
		free(n);
		n = next;
	}
}
