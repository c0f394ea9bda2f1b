/* export.h - a profiler's report as a JSON object for the trial's document, and the block CSV (internal) */
#ifndef PT_EXPORT_H
#define PT_EXPORT_H

#include "proftune.h"
#include "base/strbuf.h"

struct cJSON;

/* The profiler report (the object pt_prof_json() prints) as a cJSON object
 * the caller deletes; NULL on ENOMEM. */
struct cJSON *pt_prof_to_cjson(pt_prof *p);

/* One row of the block CSV: a block merged over threads (and trials). */
struct pt_block_row {
	const char *track;   /* its track's name, or its index as text (borrowed) */
	const char *name;    /* borrowed */
	double hits, total_ns, min_ns, max_ns;
	double track_ns;     /* the time its track was instrumented: the share
	                      * "% Track" is of this */
	double all_ns;       /* the time all tracks were: "% Total" */
};
/* Append the block CSV of the N ROWS to B: the header and one record each,
 * in the columns Track, Block Name, Hit Count, Total/Avg/Min/Max Time (ns),
 * % Track, % Total.  The one writer of this format, for pt_prof_csv() and
 * `report --format csv-blocks`. */
void pt_blocks_csv(struct pt_strbuf *b, const struct pt_block_row *rows, size_t n);

#endif
