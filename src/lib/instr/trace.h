/* trace.h - Chrome trace files: the unchecked recording path of blocks and timers (internal) */
#ifndef PT_TRACE_H
#define PT_TRACE_H

#include <stdint.h>

#include "proftune.h"

/* Record a complete event of NAME (not NULL) and CAT (may be NULL) at TS_NS
 * for DUR_NS without the checks of pt_trace_record: the path of blocks,
 * timers and the trial's spans.  0 or -ENOMEM. */
int pt_trace_complete_ts(pt_trace *t, const char *name, const char *cat,
			 uint64_t ts_ns, uint64_t dur_ns);

#endif
