/* report.h - the output formats of `proftune report`, one writer per file, one interface (internal) */
#ifndef PT_CLI_REPORT_H
#define PT_CLI_REPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "proftune.h"

/* One results document to report. */
struct report_doc {
	const char *file;            /* as named on the command line */
	pt_doc *doc;                 /* validated, owned */
	cJSON *tree;                 /* its tree, owned */
	struct pt_doc_count *counts; /* per worker count, owned */
	size_t ncounts;
};

/* Everything a writer needs. */
struct report {
	const struct report_doc *docs; /* what to report: the files given, or with
	                                * --compare the NEW document alone */
	size_t ndocs;
	/* with --compare: the comparison and its two documents, else NULL */
	const pt_compare *cmp;
	const struct report_doc *base, *newer;
	const struct pt_compare_config *cc;
	int colour;                    /* ANSI colours allowed in this output */
};

enum {
	REPORT_MANY = 1 << 0,    /* takes several documents */
};

/* An output format.  write() prints the whole report to F (a memory
 * stream: nothing reaches the user unless every output succeeds) and
 * returns 0, or -1 after cli_error() saying why. */
struct report_format {
	const char *name;
	const char *ext;       /* file name ending that selects it, or NULL */
	unsigned flags;        /* REPORT_*; the writers that show a comparison
	                        * (table, json, csv, markdown) check r->cmp */
	int (*write)(FILE *f, const struct report *r);
};
extern const struct report_format report_formats[];
extern const size_t report_format_count;

/* The writers of report_formats[], one per report-<format>.c file. */
int report_table(FILE *f, const struct report *r);
int report_json(FILE *f, const struct report *r);
int report_csv(FILE *f, const struct report *r);
int report_csv_blocks(FILE *f, const struct report *r);
int report_csv_measurements(FILE *f, const struct report *r);
int report_markdown(FILE *f, const struct report *r);
int report_trace(FILE *f, const struct report *r);
int report_gbench(FILE *f, const struct report *r);
int report_svg(FILE *f, const struct report *r);

/* ---- helpers shared by the writers (report-util.c) ---- */

/* The number at KEY of O (NAN when absent or null), the string ("" when
 * absent), the member. */
double rnum(const cJSON *o, const char *key);
const char *rstr(const cJSON *o, const char *key);
const cJSON *robj(const cJSON *o, const char *key);
/* The value at a dot-separated PATH below O, e.g. "latency_ns.p99". */
const cJSON *rpath(const cJSON *o, const char *path);
/* A trial's latency percentile KEY in ns, NAN when not recorded. */
double trial_latency(const cJSON *trial, const char *key);

/* Units chosen per column from the largest value shown in it. */
enum unit_kind {
	U_PLAIN,    /* as is, no decimals */
	U_RATE,     /* per second: /s, k/s, M/s, G/s */
	U_NS,       /* a time in nanoseconds: ns, us, ms, s */
	U_BYTES,    /* B, KiB, MiB, GiB, TiB */
	U_PERCENT,  /* a ratio shown in % */
	U_RATIO,    /* a plain ratio, two decimals */
};
struct unit {
	double div;        /* shown value = value / div */
	const char *name;  /* e.g. "k/s" */
	int decimals;
};
/* The unit for values of KIND whose largest magnitude is MAX. */
struct unit unit_for(enum unit_kind kind, double max);
/* V in unit U into BUF ("-" when not finite). */
void unit_format(char *buf, size_t len, double v, const struct unit *u);

/* A text table: cells are copied; widths computed on the text, colour
 * codes added around cells only when printing with colour. */
struct grid;
struct grid *grid_new(size_t ncols);
void grid_free(struct grid *g);
/* Column COL's title and alignment (RIGHT = 1 for numbers). */
void grid_head(struct grid *g, size_t col, const char *title, int right);
/* Append a row; its index, or (size_t)-1 on ENOMEM. */
size_t grid_row(struct grid *g);
/* Set a cell's text and optional colour (an ANSI SGR code like "31"). */
void grid_set(struct grid *g, size_t row, size_t col, const char *text, const char *colour);
/* Fill column COL with values V[0..n-1] (one per row, rows must exist) in
 * a unit chosen for the column; the title gets the unit, e.g. "p99 (us)". */
void grid_numbers(struct grid *g, size_t col, const char *title, enum unit_kind kind,
		  const double *v, size_t n);
/* Print with INDENT before each line; COLOUR enables the cells' colours. */
void grid_print(FILE *f, const struct grid *g, const char *indent, int colour);
/* Print as a Markdown table (cells escaped). */
void grid_markdown(FILE *f, const struct grid *g);

/* RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
void csv_string(FILE *f, const char *s);
/* A number in its shortest exact form; empty when not finite. */
void csv_number(FILE *f, double v);
/* Markdown cell text with | and other markup escaped. */
void md_escape(FILE *f, const char *s);
/* A Markdown code span of S, or of "S=VALUE" when VALUE is not NULL
 * (backticks inside become quotes: code spans cannot escape them). */
void md_code(FILE *f, const char *s, const char *value);
/* Text for XML character data and attribute values. */
void xml_escape(FILE *f, const char *s);

/* The per-count table of a document (workers, trials, throughput and its
 * interval, versus best, verdict, p50, p99, peak RSS, model); NULL on ENOMEM.
 * Free with grid_free(). */
struct grid *counts_grid(const struct report_doc *d);
/* The comparison table of metric K (one row per count), and its title. */
struct grid *compare_grid(const struct report *r, enum pt_metric k);
void compare_title(FILE *f, const struct report *r, enum pt_metric k);

/* Colour SGR code of a trial status and of a comparison verdict. */
const char *status_colour(const char *status);
const char *change_colour(enum pt_change c);

/* Human words for a change verdict, e.g. "regression". */
const char *change_words(enum pt_change c);
/* One line stating the comparison method and its minimum repetitions. */
void compare_method(FILE *f, const struct pt_compare_config *cc);

#endif
