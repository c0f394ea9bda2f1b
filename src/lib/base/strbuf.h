/* strbuf.h - a text buffer that grows as it is appended to (internal) */
#ifndef PT_STRBUF_H
#define PT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * S holds LEN bytes, NUL-terminated by the appending calls; CAP counts the
 * NUL too.  A failed allocation marks the buffer FAILED and later appends
 * do nothing, so a text is built without checking each step and the
 * failure is seen once, at pt_strbuf_finish().  A writer that formats in
 * place (into the room pt_strbuf_grow() made) advances LEN itself.
 * Zero-initialise it (PT_STRBUF_INIT) before use.
 */
struct pt_strbuf {
	char *s;
	size_t len, cap;
	size_t limit;   /* the most bytes it may hold; 0 = no limit */
	int failed;     /* an allocation failed, or LIMIT was reached */
};
#define PT_STRBUF_INIT { NULL, 0, 0, 0, 0 }

/* Make room for MORE bytes after LEN (fewer when LIMIT is closer) and the
 * NUL: the capacity doubles, starting at 1 KiB.  0; -EFBIG when LEN is at
 * LIMIT already, -ENOMEM when the memory is short (both mark B failed). */
int pt_strbuf_grow(struct pt_strbuf *b, size_t more);
/* Append N bytes of DATA (all of them, or nothing and B failed). */
void pt_strbuf_add(struct pt_strbuf *b, const void *data, size_t n);
/* Append printf-formatted text. */
void pt_strbuf_addf(struct pt_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pt_strbuf_vaddf(struct pt_strbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Forget the contents, keeping the memory (FAILED stays). */
void pt_strbuf_clear(struct pt_strbuf *b);
/* Free the memory; B is empty and usable again. */
void pt_strbuf_release(struct pt_strbuf *b);
/* The text, which the caller frees ("" when nothing was added), and B is
 * empty again; NULL with errno ENOMEM when any append failed. */
char *pt_strbuf_finish(struct pt_strbuf *b);

#endif
