/* csv.h - the csv formats: trials, instrumentation blocks, measurements (internal) */
#ifndef PT_REPORT_CSV_H
#define PT_REPORT_CSV_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_csv(FILE *f, const struct report *r);
int report_csv_blocks(FILE *f, const struct report *r);
int report_csv_measurements(FILE *f, const struct report *r);

#endif
