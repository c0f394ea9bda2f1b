/* results.h - results document internals shared with the tuner and reports */
#ifndef PT_RESULTS_H
#define PT_RESULTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

/* The schema written.  proftune/2 writes null where proftune/1 wrote 0 for
 * what was not measured; documents of both are read. */
#define PT_SCHEMA "proftune/2"
#define PT_SCHEMA_1 "proftune/1"

/* The document as a cJSON tree; the caller frees it with cJSON_Delete(). */
cJSON *pt_results_to_cjson(const pt_results *r);
/* Replace the tune summary; the document takes ownership of SUMMARY. */
void pt_results_set_summary(pt_results *r, cJSON *summary);
/* The tune summary (borrowed), or NULL. */
const cJSON *pt_results_summary(const pt_results *r);

#endif
