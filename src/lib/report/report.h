/* report.h - a report: the documents and comparison a writer renders, and its format (internal) */
#ifndef PT_REPORT_H
#define PT_REPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "proftune.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "doc/fields.h"

/* One results document to report.  For a format read by people, FILE and
 * TREE are copies whose strings are safe to show (pt_json_clean() as the
 * format's SHOW says): whatever a document says cannot reach a terminal as
 * control characters or ill-formed UTF-8. */
struct report_doc {
	const char *file;            /* its name (pt_doc_name), or SHOWN_FILE */
	const pt_doc *doc;           /* validated, borrowed */
	const cJSON *tree;           /* its tree, borrowed from DOC, or SHOWN_TREE */
	struct pt_doc_count *counts; /* per worker count, owned */
	size_t ncounts;
	char *shown_file;            /* owned, or NULL */
	cJSON *shown_tree;           /* owned, or NULL */
};

/* Everything a writer needs. */
struct report {
	const struct report_doc *docs; /* what to report: the documents given, or
	                                * with a comparison the NEW one alone */
	size_t ndocs;
	/* with a comparison: it and its two documents, else NULL */
	const pt_compare *cmp;
	const struct report_doc *base, *newer;
	const struct pt_compare_config *cc;
	int colour;                    /* ANSI colours allowed in this output */
	unsigned width;                /* columns a text line may use; 0: no limit */
};

/* An output format.  write() prints the whole report to F and returns 0, or
 * a negative errno value with pt_last_error() set. */
struct report_format {
	const char *name;
	const char *ext;       /* file name ending that selects it, or NULL */
	int many;              /* takes several documents */
	enum pt_text show;     /* how document strings are shown: PT_TEXT_UTF8
	                        * for JSON, else a format read by people */
	int (*write)(FILE *f, const struct report *r);
};

#endif
