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
/* Trials of more workers show their spread instead of a row per worker. */
#define PT_TABLE_WORKERS 16
/* The per-worker table of trial T (an entry of a document's trials[]): a
 * row per worker, or beyond PT_TABLE_WORKERS their minimum, median and
 * maximum; NULL on ENOMEM. */
struct grid *workers_grid(const cJSON *t);
/* The comparison table of metric K (one row per count). */
struct grid *compare_grid(const struct report *r, enum pt_metric k);

#endif
