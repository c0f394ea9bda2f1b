/* table.h - the table format: run, tune and report output for people (internal) */
#ifndef PT_REPORT_TABLE_H
#define PT_REPORT_TABLE_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_table(FILE *f, const struct report *r);

#endif
