/* fields.h - the metrics of a results document: where each is, its unit, how it combines (internal) */
#ifndef PT_FIELDS_H
#define PT_FIELDS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"
#include "base/units.h"

/* How values combine into one: the per-worker values of a trial into the
 * trial's, or the trials of one worker count into the count's.  Only
 * finite values take part; none gives NAN. */
enum pt_combine {
	PT_COMBINE_SUM,
	PT_COMBINE_MAX,
	PT_COMBINE_MIN,
	PT_COMBINE_MEAN,
	PT_COMBINE_MEDIAN,
	PT_COMBINE_MERGED,  /* from the merged histogram: not a function of the
	                     * per-worker values (percentiles do not add) */
};

/* The views a field appears in. */
enum {
	PT_VIEW_TRIALS = 1 << 0,   /* the table's row per trial */
	PT_VIEW_COUNTS = 1 << 1,   /* the table's and Markdown's row per worker count */
	PT_VIEW_WORKERS = 1 << 2,  /* the table's row per worker of a trial */
	PT_VIEW_CSV = 1 << 3,      /* a column of the trials CSV */
	PT_VIEW_GBENCH = 1 << 4,   /* a counter of the gbench format's runs */
};

/* One metric.  Every view reads this table, so adding a metric is one row. */
struct pt_field {
	const char *name;        /* CSV column and gbench key, e.g. "latency_p99_ns" */
	const char *path;        /* dotted path in a trial, or NULL (worker-only) */
	const char *worker_path; /* dotted path in a per_worker[] entry, or NULL */
	const char *title;       /* table column title */
	enum pt_unit unit;
	double scale;            /* shown in UNIT: the JSON value * SCALE */
	enum pt_combine workers; /* how a trial's value comes from its workers' */
	enum pt_combine trials;  /* how a worker count's value comes from its
	                          * ok trials' */
	int better;              /* 1 higher is better, -1 lower, 0 neither */
	int priority;            /* 1 the most important: tables too wide for the
	                          * terminal drop the highest numbers first */
	unsigned views;          /* PT_VIEW_* */
	int latency;             /* only measured when latency is recorded */
	int with_errors;         /* tables show it only when some item failed:
	                          * otherwise it repeats another column */
	const char *fallback;    /* read where PATH (or WORKER_PATH) is absent:
	                          * documents written before the field existed */
};

extern const struct pt_field pt_fields[];
extern const size_t pt_nfields;

/* The field named NAME, or NULL. */
const struct pt_field *pt_field_find(const char *name);
/* The field a comparison metric measures. */
const struct pt_field *pt_metric_field(enum pt_metric m);
/* The rate a tune answers from and a worker count is summarised by:
 * goodput, the rate of items that succeeded (throughput when none failed). */
const struct pt_field *pt_answer_field(void);
/* 1 when some trial of TRIALS (an array, or one trial object) counted a
 * failed item: the fields marked with_errors are then worth showing. */
int pt_fields_have_errors(const cJSON *trials);

/* The value of F in TRIAL as the document has it (before SCALE); NAN when the trial does not have it
 * (null, absent, latency not recorded). */
double pt_field_trial(const struct pt_field *f, const cJSON *trial);
/* The value of F in one per_worker[] entry W of TRIAL; NAN when absent. */
double pt_field_worker(const struct pt_field *f, const cJSON *trial, const cJSON *w);
/* The value of F for the worker count WORKERS among TRIALS (an array): the
 * ok trials' values combined by F->trials; NAN when none has one. */
double pt_field_count(const struct pt_field *f, const cJSON *trials, unsigned workers);
/* Combine the N values V (reordered) by C. */
double pt_combine(enum pt_combine c, double *v, size_t n);

/* The value at the dotted PATH below O (e.g. "latency_ns.p99"), or NULL. */
const cJSON *pt_json_path(const cJSON *o, const char *path);

#endif
