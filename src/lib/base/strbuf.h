/* strbuf.h - a text buffer that grows as it is appended to, and the UTF-8 text it is given (internal) */
#ifndef PT_STRBUF_H
#define PT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
/*
 * Text from outside (tasks, parameters, the host, documents read) may hold
 * any bytes.  Every output that must be UTF-8 appends it with
 * pt_strbuf_add_text(), saying what else it must not hold.
 *
 * An ill-formed sequence is a byte that cannot start a character (a
 * continuation byte, 0xC0, 0xC1, 0xF5..0xFF), an overlong form, a surrogate
 * (U+D800..DFFF), a code point above U+10FFFF, or a sequence cut short.
 * Each maximal ill-formed subpart becomes one U+FFFD, as Unicode recommends
 * (chapter 3, "U+FFFD Substitution of Maximal Subparts") and as Python's
 * "replace" error handler does.
 *
 * A control character shown is written as a visible escape: tab, newline
 * and carriage return as \t, \n, \r, the other C0 controls and DEL as
 * \x1b, the C1 controls (U+0080..009F) as \u009b.  Text shown so cannot
 * move the cursor, set the terminal's title or clear its screen.
 */
enum pt_text {
	PT_TEXT_UTF8,   /* ill-formed UTF-8 replaced, nothing else: for JSON,
	                 * whose writer escapes control characters itself */
	PT_TEXT_SHOWN,  /* and every control character shown: for terminals */
	PT_TEXT_LINES,  /* the same but newline and tab kept: for CSV fields,
	                 * which quote them */
};
/* Append the N bytes of S made safe as HOW says. */
void pt_strbuf_add_text(struct pt_strbuf *b, const char *s, size_t n, enum pt_text how);
/* The same into DST, a buffer of CAP bytes, with no allocation: what does
 * not fit is left out at a character's boundary (never in the middle of
 * one, nor of an escape), and DST is NUL-terminated when CAP > 0.  The
 * bytes written, the NUL not counted. */
size_t pt_text_copy(char *dst, size_t cap, const char *s, size_t n, enum pt_text how);

/* The length of the well-formed UTF-8 sequence at S (N > 0 bytes left),
 * 1 to 4, with its code point in *CP; or, when ill-formed, minus the length
 * of its maximal subpart (-1 to -3), *CP then U+FFFD. */
int pt_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Is every one of the N bytes of S already as pt_strbuf_add_text() with
 * HOW would append it (so that it needs no copy)? */
int pt_utf8_clean(const char *s, size_t n, enum pt_text how);
/* The columns the N bytes of UTF-8 text S take on a terminal: 2 for each
 * East Asian wide or fullwidth character (CJK, Hangul, fullwidth forms,
 * emoji), 0 for combining marks and zero-width characters, 1 for the others
 * (an ill-formed sequence counts as the U+FFFD shown for it). */
size_t pt_utf8_width(const char *s, size_t n);

/* Forget the contents, keeping the memory (FAILED stays). */
void pt_strbuf_clear(struct pt_strbuf *b);
/* Free the memory; B is empty and usable again. */
void pt_strbuf_release(struct pt_strbuf *b);
/* The text, which the caller frees ("" when nothing was added), and B is
 * empty again; NULL with errno ENOMEM when any append failed. */
char *pt_strbuf_finish(struct pt_strbuf *b);

#endif
