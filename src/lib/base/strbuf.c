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

/* ---- UTF-8 ---------------------------------------------------------------------- */

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
static const char replacement[] = "\xef\xbf\xbd";

int pt_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t c = s[0];
	int len;

	/* the ranges of Unicode's table 3-7, "Well-Formed UTF-8 Byte
	 * Sequences": the second byte's range excludes overlong forms
	 * (after E0, F0), surrogates (after ED) and code points above
	 * U+10FFFF (after F4) */
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	*cp = 0xfffd;
	if (c < 0xc2 || c > 0xf4)
		return -1;
	if (c < 0xe0) {
		len = 2;
		c &= 0x1f;
	} else if (c < 0xf0) {
		len = 3;
		c &= 0x0f;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else {
		len = 4;
		c &= 0x07;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	}
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
		c = c << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return len;
}

/* Is code point C a control character that HOW shows as an escape? */
static int escaped(uint32_t c, enum pt_text how)
{
	if (how == PT_TEXT_UTF8 || (how == PT_TEXT_LINES && (c == '\n' || c == '\t')))
		return 0;
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

int pt_utf8_clean(const char *s, size_t n, enum pt_text how)
{
	for (size_t i = 0; i < n;) {
		uint32_t c;
		int len;

		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			i++;
			continue;
		}
		len = pt_utf8_decode(s + i, n - i, &c);
		if (len < 0 || escaped(c, how))
			return 0;
		i += (size_t)len;
	}
	return 1;
}

/* What the next character of S (N > 0 bytes) becomes as HOW says: its
 * replacement in OUT, NUL-terminated, or OUT empty when it stays as it is.
 * The bytes of S it takes. */
static size_t next_char(const char *s, size_t n, enum pt_text how, char out[8])
{
	uint32_t c;
	int len;

	out[0] = '\0';
	if ((unsigned char)s[0] >= 0x20 && (unsigned char)s[0] < 0x7f)
		return 1;
	len = pt_utf8_decode(s, n, &c);
	if (len < 0)
		memcpy(out, replacement, sizeof(replacement));
	else if (!escaped(c, how))
		;
	else if (c == '\t' || c == '\n' || c == '\r')
		snprintf(out, 8, "\\%c", c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
	else
		snprintf(out, 8, c < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)c);
	return (size_t)(len < 0 ? -len : len);
}

void pt_strbuf_add_text(struct pt_strbuf *b, const char *s, size_t n, enum pt_text how)
{
	size_t done = 0, i = 0;

	/* runs of text that need no change are appended whole */
	while (i < n) {
		char out[8];
		size_t used = next_char(s + i, n - i, how, out);

		if (*out) {
			pt_strbuf_add(b, s + done, i - done);
			pt_strbuf_add(b, out, strlen(out));
			done = i + used;
		}
		i += used;
	}
	pt_strbuf_add(b, s + done, n - done);
}

size_t pt_text_copy(char *dst, size_t cap, const char *s, size_t n, enum pt_text how)
{
	size_t len = 0;

	if (!cap)
		return 0;
	for (size_t i = 0; i < n;) {
		char out[8];
		size_t used = next_char(s + i, n - i, how, out);
		const char *piece = *out ? out : s + i;
		size_t k = *out ? strlen(out) : used;

		if (len + k >= cap)
			break;
		memcpy(dst + len, piece, k);
		len += k;
		i += used;
	}
	dst[len] = '\0';
	return len;
}

/* Inclusive ranges of code points, sorted. */
struct range {
	uint32_t lo, hi;
};

/* Characters of no width: combining marks (general categories Mn, Me) of
 * the blocks in common use, and the zero-width format characters. */
static const struct range zero_width[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e },
	{ 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x202a, 0x202e },
	{ 0x2060, 0x2064 }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
};

/* East Asian Wide (W) and Fullwidth (F) characters, two columns each
 * (Unicode's EastAsianWidth.txt, its large blocks). */
static const struct range wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x26aa, 0x26ab },
	{ 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x2753, 0x2755 }, { 0x2795, 0x2797 },
	{ 0x2b1b, 0x2b1c }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x16fe0, 0x18cff }, { 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 },
	{ 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 },
	{ 0x1f300, 0x1f64f }, { 0x1f680, 0x1f6ff }, { 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f9ff },
	{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

static int in_ranges(const struct range *r, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

size_t pt_utf8_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n;) {
		uint32_t c;
		int len = pt_utf8_decode(s + i, n - i, &c);

		i += (size_t)(len < 0 ? -len : len);
		if (c < 0x300)
			w++;
		else if (in_ranges(wide, sizeof(wide) / sizeof(wide[0]), c))
			w += 2;
		else if (!in_ranges(zero_width, sizeof(zero_width) / sizeof(zero_width[0]), c))
			w++;
	}
	return w;
}
