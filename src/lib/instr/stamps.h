/* stamps.h - step stamps as a profiler uses them: its trace, its report (internal) */
#ifndef PT_STAMPS_H
#define PT_STAMPS_H

#include "proftune.h"

struct cJSON;

/* Attach trace T to M (NULL detaches): stamps then emit instant events. */
void pt_stamps_set_trace(pt_stamps *m, pt_trace *t);
/* Add M's "stamps" (sorted) and "step_logs" to the cJSON object O.
 * 0 or -ENOMEM. */
int pt_stamps_add_cjson(pt_stamps *m, struct cJSON *o);

#endif
