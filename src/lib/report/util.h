/* util.h - what the report writers share: values, escaping, verdict words (internal) */
#ifndef PT_REPORT_UTIL_H
#define PT_REPORT_UTIL_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "base/json.h"
#include "report/report.h"

/* The member at KEY of O, or NULL. */
const cJSON *robj(const cJSON *o, const char *key);

/* Colour SGR code of a trial status and of a comparison verdict. */
const char *status_colour(const char *status);
const char *change_colour(enum pt_change c);
/* Human words for a change verdict, e.g. "regression". */
const char *change_words(enum pt_change c);
/* One sentence stating the comparison method and its minimum repetitions
 * (malloc'd, NULL on ENOMEM). */
char *compare_method(const struct pt_compare_config *cc);
/* The title line of the comparison table of metric K (malloc'd). */
char *compare_title(const struct report *r, enum pt_metric k);

/* The text writers below show S as pt_strbuf_add_text() with
 * PT_TEXT_SHOWN does (control characters as visible escapes, \x1b, \n;
 * ill-formed UTF-8 as U+FFFD), the CSV field keeping newlines and tabs,
 * which it quotes. */
/* pt_csv_field() of S, and pt_csv_number(), written to F. */
void csv_string(FILE *f, const char *s);
void csv_number(FILE *f, double v);
/* Markdown cell text with | and other markup escaped. */
void md_escape(FILE *f, const char *s);
/* A Markdown code span of S, or of "S=VALUE" when VALUE is not NULL
 * (backticks inside become quotes: code spans cannot escape them). */
void md_code(FILE *f, const char *s, const char *value);
/* Text for XML character data and attribute values. */
void xml_escape(FILE *f, const char *s);

#endif
