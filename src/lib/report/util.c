/* util.c - what the report writers share: values, escaping, verdict words and colours */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "report/util.h"

const cJSON *robj(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* ---- escaping ------------------------------------------------------------------- */

/* Write what ADD appends to a text buffer to F. */
static void csv_put(FILE *f, struct pt_strbuf *b)
{
	char *text = pt_strbuf_finish(b);

	if (text)
		fputs(text, f);
	free(text);
}

/* S made safe to show as HOW says (malloc'd), or NULL on ENOMEM. */
static char *shown(const char *s, enum pt_text how)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	pt_strbuf_add_text(&b, s, strlen(s), how);
	return pt_strbuf_finish(&b);
}

void csv_string(FILE *f, const char *s)
{
	struct pt_strbuf b = PT_STRBUF_INIT;
	char *t = shown(s ? s : "", PT_TEXT_LINES);

	if (!t)
		return;
	pt_csv_field(&b, t);
	free(t);
	csv_put(f, &b);
}

void csv_number(FILE *f, double v)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	pt_csv_number(&b, v);
	csv_put(f, &b);
}

void md_escape(FILE *f, const char *s)
{
	char *t = shown(s, PT_TEXT_SHOWN), *p;

	for (p = t; p && *p; p++) {
		if (strchr("\\|*_`[]<>#", *p))
			fputc('\\', f);
		fputc(*p, f);
	}
	free(t);
}

/* Write S in a code span: backticks become quotes. */
static void md_code_text(FILE *f, const char *s)
{
	char *t = shown(s, PT_TEXT_SHOWN);

	for (const char *p = t; p && *p; p++)
		fputc(*p == '`' ? '\'' : *p, f);
	free(t);
}

void md_code(FILE *f, const char *s, const char *value)
{
	fputc('`', f);
	md_code_text(f, s);
	if (value) {
		fputc('=', f);
		md_code_text(f, value);
	}
	fputc('`', f);
}

void xml_escape(FILE *f, const char *s)
{
	/* control characters are not allowed in XML 1.0, nor is ill-formed
	 * UTF-8: both are shown escaped */
	char *t = shown(s, PT_TEXT_SHOWN);

	for (const char *p = t; p && *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*p, f);
		}
	}
	free(t);
}

/* ---- verdicts --------------------------------------------------------------- */

const char *status_colour(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return "32";
	if (strcmp(status, "skipped") == 0 || strcmp(status, "interrupted") == 0)
		return "33";
	return "31";
}

const char *change_colour(enum pt_change c)
{
	switch (c) {
	case PT_CHANGE_REGRESSION:
	case PT_CHANGE_FAILED:
		return "1;31";
	case PT_CHANGE_WORSE:
	case PT_CHANGE_INCONCLUSIVE:
	case PT_CHANGE_NOISY:
		return "33";
	case PT_CHANGE_BETTER:
		return "32";
	default:
		return NULL;
	}
}

const char *change_words(enum pt_change c)
{
	switch (c) {
	case PT_CHANGE_SAME: return "no significant change";
	case PT_CHANGE_BETTER: return "better";
	case PT_CHANGE_WORSE: return "worse (not shown beyond the threshold)";
	case PT_CHANGE_REGRESSION: return "regression";
	case PT_CHANGE_INCONCLUSIVE: return "inconclusive (too few trials)";
	case PT_CHANGE_UNAVAILABLE: return "not measured";
	case PT_CHANGE_FAILED: return "failed (no ok trial in new)";
	case PT_CHANGE_NOISY: return "inconclusive (too noisy)";
	}
	return "?";
}

char *compare_method(const struct pt_compare_config *cc)
{
	unsigned n = pt_compare_min_trials(cc->alpha);

	return pt_asprintf("Mann-Whitney U test on per-trial values, one-sided at %g%%, against "
			   "a %g%% threshold; change: Hodges-Lehmann estimate of new/base with "
			   "its %g%% interval; needs at least %u trials per side (%u+ advisable)",
			   100 * cc->alpha, 100 * cc->threshold, 100 - 200 * cc->alpha, n, n + 2);
}
