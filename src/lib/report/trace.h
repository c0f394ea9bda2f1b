/* trace.h - the trace format: trials and workers as a Chrome trace (internal) */
#ifndef PT_REPORT_TRACE_H
#define PT_REPORT_TRACE_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_trace(FILE *f, const struct report *r);

#endif
