/* trace.h - Chrome trace files: the unchecked recording path of blocks and timers (internal) */
#ifndef PT_TRACE_H
#define PT_TRACE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "proftune.h"

/* Record a complete event of NAME (not NULL) and CAT (may be NULL) at TS_NS
 * for DUR_NS without the checks of pt_trace_record: the path of blocks,
 * timers and the trial's spans.  0 or -ENOMEM. */
int pt_trace_complete_ts(pt_trace *t, const char *name, const char *cat,
			 uint64_t ts_ns, uint64_t dur_ns);

/* One event of the Trace Event Format as the trace files write it, for
 * every writer of them (the streaming trace and `report --format trace`):
 * NAME (omitted when NULL), CAT (omitted when NULL), phase PH, TS_NS and,
 * for 'X', DUR_NS as microseconds with nanosecond digits, PID and TID.  The
 * caller adds "args" and owns the object; NULL on ENOMEM. */
cJSON *pt_trace_event_new(const char *name, const char *cat, char ph, uint64_t ts_ns,
			  uint64_t dur_ns, long pid, long tid);
/* The metadata event WHAT ("process_name", "thread_name") giving PID and
 * TID the name NAME; NULL on ENOMEM. */
cJSON *pt_trace_metadata_new(const char *what, long pid, long tid, const char *name);

#endif
