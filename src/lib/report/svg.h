/* svg.h - the svg format: throughput and latency against workers (internal) */
#ifndef PT_REPORT_SVG_H
#define PT_REPORT_SVG_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_svg(FILE *f, const struct report *r);

#endif
