/* json.h - JSON helpers shared by every layer that writes or reads documents (internal) */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <cjson/cJSON.h>

#include "base/strbuf.h"

/*
 * cJSON escapes control characters but copies other bytes as they are, so
 * a string holding ill-formed UTF-8 (from a task, a parameter, the host or
 * a document read) would make a file that JSON parsers refuse.  Strings
 * from outside enter a tree through pt_json_add_string() and
 * pt_json_add_number(), which replace ill-formed UTF-8 in the key and the
 * value by U+FFFD (see pt_strbuf_add_text()); a tree built otherwise is
 * made safe by pt_json_clean(), and pt_json_print() prints any tree as
 * valid UTF-8.
 */

/* Add KEY = V to O, or KEY = null when V is not finite (JSON has no NaN). */
void pt_json_add_number(cJSON *o, const char *key, double v);

/* Add KEY = S (copied) to O, or KEY = null when S is NULL. */
void pt_json_add_string(cJSON *o, const char *key, const char *s);

/* Add an empty object at KEY to O and return it (borrowed from O), or NULL
 * on ENOMEM. */
cJSON *pt_json_add_object(cJSON *o, const char *key);

/* Replace, in place, each string value and member name in the tree at ITEM
 * that pt_strbuf_add_text() with HOW would change by its changed form
 * (PT_TEXT_SHOWN is for a copy of a document about to be shown to people).
 * 0, or -ENOMEM with the tree partly cleaned. */
int pt_json_clean(cJSON *item, enum pt_text how);

/* TEXT, a JSON text printed by cJSON (malloc'd, NULL after a failed print),
 * with any ill-formed UTF-8 replaced by U+FFFD: TEXT itself when it is
 * valid, else a new text and TEXT is freed.  NULL on ENOMEM. */
char *pt_json_text_clean(char *text);
/* cJSON's text of ITEM, FORMATTED (indented) or not, with any ill-formed
 * UTF-8 of its strings replaced by U+FFFD: every JSON parser reads it.
 * Malloc'd, freed with free(); NULL on ENOMEM. */
char *pt_json_print(const cJSON *item, int formatted);

/* The number at KEY of object O, or NAN when O is NULL, or KEY is absent,
 * null or not a number. */
double pt_json_num(const cJSON *o, const char *key);
/* The same with DEF in place of NAN. */
double pt_json_num_or(const cJSON *o, const char *key, double def);
/* The string at KEY of object O (borrowed from O), or "" when O is NULL, or
 * KEY is absent or not a string. */
const char *pt_json_str(const cJSON *o, const char *key);

#endif
