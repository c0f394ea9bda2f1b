/* report.c - the formats of a report and the one call that renders any of them */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "doc/doc.h"
#include "report/csv.h"
#include "report/gbench.h"
#include "report/json.h"
#include "report/markdown.h"
#include "report/report.h"
#include "report/svg.h"
#include "report/table.h"
#include "report/trace.h"

/* The formats, each with the file name ending that selects it. */
static const struct report_format formats[] = {
	{ "table", ".txt", 1, PT_TEXT_SHOWN, report_table },
	{ "json", ".json", 1, PT_TEXT_UTF8, report_json },
	{ "csv", ".csv", 1, PT_TEXT_LINES, report_csv },
	{ "csv-blocks", NULL, 1, PT_TEXT_LINES, report_csv_blocks },
	{ "csv-measurements", NULL, 1, PT_TEXT_LINES, report_csv_measurements },
	{ "markdown", ".md", 1, PT_TEXT_SHOWN, report_markdown },
	{ "trace", ".trace.json", 1, PT_TEXT_UTF8, report_trace },
	{ "gbench", ".gbench.json", 0, PT_TEXT_UTF8, report_gbench },
	{ "svg", ".svg", 0, PT_TEXT_SHOWN, report_svg },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

void pt_report_opts_init(struct pt_report_opts *o)
{
	memset(o, 0, sizeof(*o));
}

size_t pt_report_format_count(void)
{
	return NFORMATS;
}

const char *pt_report_format_name(size_t i)
{
	return i < NFORMATS ? formats[i].name : NULL;
}

int pt_report_format_many(size_t i)
{
	return i < NFORMATS && formats[i].many;
}

int pt_report_format_find(const char *name, size_t len)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (strlen(formats[i].name) == len && strncmp(formats[i].name, name, len) == 0)
			return (int)i;
	return -EINVAL;
}

int pt_report_format_of_path(const char *path)
{
	size_t n = strlen(path), best_len = 0;
	int best = -ENOENT;

	for (size_t i = 0; i < NFORMATS; i++) {
		const char *ext = formats[i].ext;
		size_t e = ext ? strlen(ext) : 0;

		if (e && n > e && strcmp(path + n - e, ext) == 0 && e > best_len) {
			best = (int)i;
			best_len = e;
		}
	}
	return best;
}

/* Fill D from the document DOC, its strings made safe to show as SHOW says
 * (the JSON writers print with pt_json_print(): they need no copy).
 * 0 or -ENOMEM. */
static int doc_init(struct report_doc *d, const pt_doc *doc, enum pt_text show)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	memset(d, 0, sizeof(*d));
	d->doc = doc;
	d->file = pt_doc_name(doc);
	d->tree = doc->root;
	if (show != PT_TEXT_UTF8) {
		if (d->file)
			pt_strbuf_add_text(&b, d->file, strlen(d->file), PT_TEXT_SHOWN);
		d->file = d->shown_file = pt_strbuf_finish(&b);
		d->tree = d->shown_tree = cJSON_Duplicate(doc->root, 1);
		if (!d->shown_file || !d->shown_tree || pt_json_clean(d->shown_tree, show) < 0)
			return -ENOMEM;
	}
	return pt_doc_counts(doc, &d->counts, &d->ncounts);
}

int pt_report_write(FILE *f, const char *format, const pt_doc *const *docs, size_t n,
		    const struct pt_report_opts *o)
{
	int i = pt_report_format_find(format, strlen(format));
	struct pt_compare_config cc;
	struct report_doc *d;
	struct report r;
	int ret = 0;

	if (i < 0)
		return pt_fail(EINVAL, "unknown report format '%s'", format);
	if (n == 0 || (o->compare && n != 2))
		return pt_fail(EINVAL, "a report needs %s", o->compare ?
			       "the two documents of its comparison" : "a document");
	d = calloc(n, sizeof(*d));
	if (!d)
		return pt_fail(ENOMEM, "out of memory");
	for (size_t k = 0; k < n && ret == 0; k++)
		ret = doc_init(&d[k], docs[k], formats[i].show);
	if (ret < 0) {
		ret = pt_fail(ENOMEM, "out of memory");
		goto out;
	}
	memset(&r, 0, sizeof(r));
	pt_compare_config_init(&cc);
	r.cc = o->compare_config ? o->compare_config : &cc;
	r.colour = o->colour;
	r.width = o->width;
	if (o->compare) {
		r.cmp = o->compare;
		r.base = &d[0];
		r.newer = &d[1];
		r.docs = &d[1];
		r.ndocs = 1;
	} else {
		r.docs = d;
		r.ndocs = n;
	}
	if (!formats[i].many && r.ndocs > 1) {
		ret = pt_fail(EINVAL, "format %s takes one document; %zu given", format, r.ndocs);
		goto out;
	}
	ret = formats[i].write(f, &r);
out:
	for (size_t k = 0; k < n; k++) {
		free(d[k].counts);
		free(d[k].shown_file);
		cJSON_Delete(d[k].shown_tree);
	}
	free(d);
	return ret;
}
