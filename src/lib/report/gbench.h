/* gbench.h - the gbench format: Google Benchmark JSON (internal) */
#ifndef PT_REPORT_GBENCH_H
#define PT_REPORT_GBENCH_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_gbench(FILE *f, const struct report *r);

#endif
