/* markdown.h - the markdown format: a summary for a pull-request comment (internal) */
#ifndef PT_REPORT_MARKDOWN_H
#define PT_REPORT_MARKDOWN_H

#include <stdio.h>

#include "report/report.h"

/* Write the report R in this format to F: 0, or a negative errno value
 * with pt_last_error() set. */
int report_markdown(FILE *f, const struct report *r);

#endif
