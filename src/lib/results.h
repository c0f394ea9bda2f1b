/* results.h - results document internals shared with the tuner and reports */
#ifndef PT_RESULTS_H
#define PT_RESULTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

#define PT_SCHEMA "proftune/1"

/* Add KEY = V to O, or KEY = null when V is not finite (JSON has no NaN). */
void pt_json_add_number(cJSON *o, const char *key, double v);
/* The document as a cJSON tree; the caller frees it with cJSON_Delete(). */
cJSON *pt_results_to_cjson(const pt_results *r);
/* Replace the tune summary; the document takes ownership of SUMMARY. */
void pt_results_set_summary(pt_results *r, cJSON *summary);
/* The tune summary (borrowed), or NULL. */
const cJSON *pt_results_summary(const pt_results *r);
/* Write TEXT and a newline to PATH atomically: a temporary file in the same
 * directory, fsync, rename.  0 or -errno with pt_last_error(). */
int pt_write_file_atomic(const char *path, const char *text);
/* UTC ISO 8601 with milliseconds, e.g. 2026-11-23T12:00:00.000Z. */
void pt_iso8601(double unix_time, char *buf, size_t len);

#endif
