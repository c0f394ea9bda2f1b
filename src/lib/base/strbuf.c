/* strbuf.c - a text buffer that grows as it is appended to */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* First allocation: most texts built this way (rows, reports, messages)
 * fit, and a trace buffer reaches its working size in a few doublings. */
#define FIRST_CAP 1024

int pt_strbuf_grow(struct pt_strbuf *b, size_t more)
{
	size_t need, cap;
	char *s;

	if (b->limit) {
		if (b->len >= b->limit) {
			b->failed = 1;
			return -EFBIG;
		}
		if (more > b->limit - b->len)
			more = b->limit - b->len;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : FIRST_CAP;
	while (cap < need)
		cap *= 2;
	if (b->limit && cap > b->limit + 1)
		cap = b->limit + 1;
	s = realloc(b->s, cap);
	if (!s) {
		b->failed = 1;
		return -ENOMEM;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

/* Room for all N bytes (a LIMIT may allow fewer): 1, or 0 with B failed. */
static int room_for(struct pt_strbuf *b, size_t n)
{
	if (b->failed || pt_strbuf_grow(b, n) < 0)
		return 0;
	if (n > b->cap - 1 - b->len) {
		b->failed = 1;
		return 0;
	}
	return 1;
}

void pt_strbuf_add(struct pt_strbuf *b, const void *data, size_t n)
{
	if (!room_for(b, n))
		return;
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void pt_strbuf_vaddf(struct pt_strbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	if (b->failed)
		return;
	va_copy(again, ap);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->cap - b->len, fmt, ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		if (room_for(b, (size_t)n))
			vsnprintf(b->s + b->len, b->cap - b->len, fmt, again);
		else
			n = -1;
	}
	va_end(again);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	b->len += (size_t)n;
}

void pt_strbuf_addf(struct pt_strbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_strbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void pt_strbuf_clear(struct pt_strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void pt_strbuf_release(struct pt_strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *pt_strbuf_finish(struct pt_strbuf *b)
{
	char *s = b->s;

	if (b->failed) {
		pt_strbuf_release(b);
		b->failed = 0;
		errno = ENOMEM;
		return NULL;
	}
	b->s = NULL;
	b->len = b->cap = 0;
	return s ? s : strdup("");
}
