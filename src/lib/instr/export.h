/* export.h - a profiler's report as a JSON object, for the trial's document (internal) */
#ifndef PT_EXPORT_H
#define PT_EXPORT_H

#include "proftune.h"

struct cJSON;

/* The profiler report (the object pt_prof_json() prints) as a cJSON object
 * the caller deletes; NULL on ENOMEM. */
struct cJSON *pt_prof_to_cjson(pt_prof *p);

#endif
