/* views.h - the tables that the table and Markdown formats share (internal) */
#ifndef PT_REPORT_VIEWS_H
#define PT_REPORT_VIEWS_H

#include "report/grid.h"
#include "report/report.h"

/* The per-count table of a document (workers, trials, the count fields of
 * the field table, and a tune's verdicts and model); NULL on ENOMEM. */
struct grid *counts_grid(const struct report_doc *d);
/* The footnote the per-count table's marked intervals need, or NULL. */
const char *counts_note(const struct report_doc *d);
/* The per-trial table of a document; NULL on ENOMEM. */
struct grid *trials_grid(const struct report_doc *d);
/* The per-worker table of trial T (an entry of a document's trials[]); NULL
 * on ENOMEM. */
struct grid *workers_grid(const cJSON *t);
/* The comparison table of metric K (one row per count). */
struct grid *compare_grid(const struct report *r, enum pt_metric k);

#endif
