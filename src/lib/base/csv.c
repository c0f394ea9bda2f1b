/* csv.c - RFC 4180 fields: quoting, and numbers in their shortest exact form */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

void pt_csv_field(struct pt_strbuf *b, const char *s)
{
	const char *q;

	if (!s)
		s = "";
	if (!s[strcspn(s, ",\"\r\n")]) {
		pt_strbuf_add(b, s, strlen(s));
		return;
	}
	pt_strbuf_add(b, "\"", 1);
	for (; (q = strchr(s, '"')); s = q + 1) {
		pt_strbuf_add(b, s, (size_t)(q - s) + 1);
		pt_strbuf_add(b, "\"", 1);
	}
	pt_strbuf_add(b, s, strlen(s));
	pt_strbuf_add(b, "\"", 1);
}

void pt_csv_number(struct pt_strbuf *b, double v)
{
	char buf[40];

	if (!isfinite(v))
		return;
	/* the shortest of 15 or 17 significant digits that reads back as V */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	pt_strbuf_add(b, buf, strlen(buf));
}
