/* json.h - the json format: the document re-emitted, or the comparison (internal) */
#ifndef PT_REPORT_JSON_H
#define PT_REPORT_JSON_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_json(FILE *f, const struct report *r);

#endif
