/* cmd-report.c - `proftune report`: read results documents, show them in any format, gate on a baseline */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

/* The formats, each with the file name ending that selects it. */
const struct report_format report_formats[] = {
	{ "table", ".txt", REPORT_MANY, report_table },
	{ "json", ".json", REPORT_MANY, report_json },
	{ "csv", ".csv", REPORT_MANY, report_csv },
	{ "csv-blocks", NULL, REPORT_MANY, report_csv_blocks },
	{ "csv-measurements", NULL, REPORT_MANY, report_csv_measurements },
	{ "markdown", ".md", REPORT_MANY, report_markdown },
	{ "trace", ".trace.json", REPORT_MANY, report_trace },
	{ "gbench", ".gbench.json", 0, report_gbench },
	{ "svg", ".svg", 0, report_svg },
};
const size_t report_format_count = sizeof(report_formats) / sizeof(report_formats[0]);

#define DEFAULT_FILE "proftune.json"

static const struct report_format *format_named(const char *name, size_t len)
{
	for (size_t i = 0; i < report_format_count; i++)
		if (strlen(report_formats[i].name) == len &&
		    strncmp(report_formats[i].name, name, len) == 0)
			return &report_formats[i];
	return NULL;
}

/* The format whose ending PATH has, the longest ending winning
 * (x.trace.json is a trace, x.json the document). */
static const struct report_format *format_of_path(const char *path)
{
	const struct report_format *best = NULL;
	size_t n = strlen(path), best_len = 0;

	for (size_t i = 0; i < report_format_count; i++) {
		const char *ext = report_formats[i].ext;
		size_t e = ext ? strlen(ext) : 0;

		if (e && n > e && strcmp(path + n - e, ext) == 0 && e > best_len) {
			best = &report_formats[i];
			best_len = e;
		}
	}
	return best;
}

static void format_list(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < report_format_count && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", report_formats[i].name);
}

int report_option(const char *cmd, enum opt_id id, const char *shown, const char *val,
		  struct cli_opts *o)
{
	char list[200];

	switch (id) {
	case OPT_FORMAT:
		for (const char *p = val;; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");

			if (!format_named(p, len)) {
				format_list(list, sizeof(list));
				cli_usage_error(cmd, "%s '%s': unknown format '%.*s'; use %s", shown, val,
						(int)len, p, list);
				return -2;
			}
			if (!p[len])
				break;
		}
		o->report.format = val;
		return 0;
	case OPT_COMPARE:
		o->report.compare = val;
		return 0;
	case OPT_THRESHOLD: {
		char *end;
		double d;

		errno = 0;
		d = strtod(val, &end);
		if (*end == '%')
			end++;
		if (end == val || *end || errno || !(d > 0 && d < 100)) {
			cli_usage_error(cmd, "%s '%s': expected a percentage between 0 and 100 "
					"(exclusive), e.g. 5", shown, val);
			return -2;
		}
		o->report.threshold = d / 100;
		return 0;
	}
	case OPT_GATE:
		o->report.gate = 0;
		for (const char *p = val;; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");
			char name[32];
			int m;

			snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : 0), p);
			m = pt_metric_parse(name);
			if (m < 0) {
				cli_usage_error(cmd, "%s '%s': unknown metric '%.*s'; use throughput, p99 "
						"or memory, comma-separated", shown, val, (int)len, p);
				return -2;
			}
			o->report.gate |= 1u << m;
			if (!p[len])
				break;
		}
		return 0;
	case OPT_STRICT:
		o->report.strict = 1;
		return 0;
	case OPT_PLOT:
		if (!*val) {
			cli_usage_error(cmd, "%s: the file name is empty", shown);
			return -2;
		}
		o->report.plot = val;
		return 0;
	default:
		return 0;
	}
}

/* ---- the outputs ------------------------------------------------------------------ */

struct output {
	const struct report_format *fmt;
	const char *path;     /* NULL: standard output */
	char *text;           /* rendered, owned */
	size_t len;
};

/* A usage error in plan(): says why, returns -1. */
#define refuse(...) (cli_usage_error("report", __VA_ARGS__), -1)

/* Pair formats and destinations.  The number of outputs, or -1 after a
 * usage error. */
static int plan(const struct cli_opts *o, struct output *out, size_t cap)
{
	const char *fmt = o->report.format;
	size_t n = 0, nformats = 0, nstdout = 0;

	if (o->json && fmt)
		return refuse("give either --json or --format, not both");
	if (o->json)
		fmt = "json";
	if (fmt)
		for (const char *p = fmt;; p += strcspn(p, ",") + 1) {
			nformats++;
			if (!p[strcspn(p, ",")])
				break;
		}
	if (nformats + o->report.noutputs + 2 > cap)
		return refuse("too many outputs");
	if (!fmt) {
		for (size_t i = 0; i < o->report.noutputs; i++) {
			const char *path = o->report.outputs[i];

			out[n].path = strcmp(path, "-") == 0 ? NULL : path;
			out[n].fmt = out[n].path ? format_of_path(path) : &report_formats[0];
			if (!out[n].fmt)
				return refuse("cannot tell the format of '%s' from its name; "
					      "give --format", path);
			n++;
		}
		if (n == 0)
			out[n++].fmt = &report_formats[0];
	} else {
		if (o->report.noutputs && o->report.noutputs != nformats)
			return refuse("--format lists %zu format%s but -o was given %zu "
				      "time%s; give one -o FILE per format", nformats,
				      nformats == 1 ? "" : "s", o->report.noutputs,
				      o->report.noutputs == 1 ? "" : "s");
		if (!o->report.noutputs && nformats > 1)
			return refuse("--format lists %zu formats; give one -o FILE per "
				      "format", nformats);
		for (const char *p = fmt;; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");

			out[n].fmt = format_named(p, len);
			out[n].path = o->report.noutputs && strcmp(o->report.outputs[n], "-") != 0 ?
				o->report.outputs[n] : NULL;
			n++;
			if (!p[len])
				break;
		}
	}
	if (o->report.plot) {
		out[n].fmt = format_named("svg", 3);
		out[n].path = o->report.plot;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		nstdout += out[i].path == NULL;
	if (nstdout > 1)
		return refuse("only one output can go to standard output; give -o FILE "
			      "for the others");
	return (int)n;
}

/* Render OUT into memory. 0, or -1 after an error message. */
static int render(struct output *out, const struct report *r)
{
	FILE *f = open_memstream(&out->text, &out->len);
	int ret;

	if (!f) {
		cli_error("out of memory");
		return -1;
	}
	ret = out->fmt->write(f, r);
	if (fclose(f) != 0 && ret == 0) {
		cli_error("out of memory");
		ret = -1;
	}
	return ret;
}

static int write_all(int fd, const char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Write LEN bytes of TEXT to PATH: a regular file atomically (a temporary
 * file beside it, then rename), anything else that exists (a device such
 * as /dev/stdout, a pipe) in place, since renaming over it would replace
 * it.  0, or -1 after an error message. */
static int write_file(const char *path, const char *text, size_t len)
{
	size_t n = strlen(path) + 16;
	struct stat st;
	char *tmp;
	mode_t mask;
	int fd, ok;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		ok = fd >= 0 && write_all(fd, text, len) == 0;
		if (fd >= 0 && close(fd) != 0)
			ok = 0;
		if (!ok)
			cli_error("cannot write '%s': %s", path, strerror(errno));
		return ok ? 0 : -1;
	}
	tmp = malloc(n);
	if (!tmp) {
		cli_error("out of memory");
		return -1;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mask = umask(0);
	umask(mask);
	ok = fchmod(fd, 0666 & ~mask) == 0 && write_all(fd, text, len) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		cli_error("cannot write '%s': %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* ---- the documents ---------------------------------------------------------------- */

static int load(struct report_doc *d, const char *file)
{
	char *text;

	memset(d, 0, sizeof(*d));
	d->file = file;
	d->doc = pt_doc_load(file);
	if (!d->doc) {
		if (errno == ENOENT && strcmp(file, DEFAULT_FILE) == 0)
			cli_error("%s; run 'proftune run' or 'proftune tune' first, or name a file",
				  pt_last_error());
		else
			cli_error("%s", pt_last_error());
		return -1;
	}
	d->file = pt_doc_name(d->doc);   /* "standard input" for "-" */
	text = pt_doc_json(d->doc);
	d->tree = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!d->tree || pt_doc_counts(d->doc, &d->counts, &d->ncounts) < 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

static void release(struct report_doc *d)
{
	pt_doc_free(d->doc);
	cJSON_Delete(d->tree);
	free(d->counts);
}

/* Say on standard error what the reader should know about the inputs. */
static void warn_inputs(const struct report *r, const struct report_doc *docs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (cJSON_IsTrue(robj(docs[k].tree, "interrupted")))
			cli_error("warning: '%s' was interrupted: it holds partial results",
				  docs[k].file);
	if (!r->cmp)
		return;
	if (strcmp(pt_doc_task(r->base->doc), pt_doc_task(r->newer->doc)) != 0)
		cli_error("warning: comparing task '%s' of '%s' with task '%s' of '%s'",
			  pt_doc_task(r->base->doc), r->base->file, pt_doc_task(r->newer->doc),
			  r->newer->file);
	for (size_t i = 0; i < pt_compare_count(r->cmp); i++) {
		const struct pt_compare_row *row = pt_compare_row(r->cmp, i);

		for (int k = 0; k < PT_METRICS; k++) {
			const struct pt_compare_metric *m = &row->m[k];

			if (m->gated && m->change == PT_CHANGE_INCONCLUSIVE)
				cli_error("warning: %s at %u workers is inconclusive: %u and %u trials; "
					  "the test needs at least %u on each side (run with "
					  "--repeat 7)%s", pt_metric_name((enum pt_metric)k), row->workers,
					  m->n_base, m->n_new, pt_compare_min_trials(r->cc->alpha),
					  r->cc->strict ? "" : "; not failing without --strict");
			if (m->gated && m->change == PT_CHANGE_NOISY)
				cli_error("warning: %s at %u workers is inconclusive: the change is "
					  "somewhere in %+.1f%% .. %+.1f%%, which neither shows nor excludes "
					  "a regression beyond %g%%; more trials or a quieter machine would "
					  "decide%s", pt_metric_name((enum pt_metric)k), row->workers,
					  100 * (m->ratio_low - 1), 100 * (m->ratio_high - 1),
					  100 * r->cc->threshold,
					  r->cc->strict ? "" : "; not failing without --strict");
		}
	}
}

int cmd_report(struct cli_opts *o)
{
	/* far more outputs than formats: plan() refuses more */
	struct output out[64];
	struct report_doc *docs = NULL;
	struct pt_compare_config cc;
	pt_compare *cmp = NULL;
	struct report r;
	size_t ndocs = 0;
	int nout, ret = EXIT_USAGE;

	memset(out, 0, sizeof(out));
	memset(&r, 0, sizeof(r));
	nout = plan(o, out, sizeof(out) / sizeof(out[0]));
	if (nout < 0)
		return EXIT_USAGE;
	pt_compare_config_init(&cc);
	if (o->report.threshold > 0)
		cc.threshold = o->report.threshold;
	if (o->report.gate)
		cc.gate = o->report.gate;
	cc.strict = o->report.strict;
	if (!o->report.compare && (o->report.threshold > 0 || o->report.gate || o->report.strict))
		return cli_usage_error("report", "--threshold, --gate and --strict need "
				       "--compare BASE");
	if (o->report.compare && o->argc > 1)
		return cli_usage_error("report", "--compare BASE takes one more file, NEW (default "
				       "%s); %d given", DEFAULT_FILE, o->argc);
	ndocs = o->report.compare ? 2 : o->argc ? (size_t)o->argc : 1;
	docs = calloc(ndocs, sizeof(*docs));
	if (!docs) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < ndocs; k++) {
		const char *file = o->report.compare && k == 0 ? o->report.compare :
			o->argc ? o->argv[o->report.compare ? 0 : k] : DEFAULT_FILE;

		if (load(&docs[k], file) < 0) {
			ndocs = k + 1;
			goto out;
		}
	}
	r.cc = &cc;
	if (o->report.compare) {
		cmp = pt_compare_new(docs[0].doc, docs[1].doc, &cc);
		if (!cmp) {
			cli_error("%s", pt_last_error());
			goto out;
		}
		r.cmp = cmp;
		r.base = &docs[0];
		r.newer = &docs[1];
		r.docs = &docs[1];
		r.ndocs = 1;
	} else {
		r.docs = docs;
		r.ndocs = ndocs;
	}
	for (int i = 0; i < nout; i++) {
		if (!(out[i].fmt->flags & REPORT_MANY) && r.ndocs > 1) {
			cli_usage_error("report", "format %s takes one document; %zu given",
					out[i].fmt->name, r.ndocs);
			goto out;
		}
	}
	if (!o->quiet)
		warn_inputs(&r, docs, ndocs);
	/* everything is rendered before anything is written: an error leaves
	 * no partial report behind */
	for (int i = 0; i < nout; i++) {
		const char *nc = getenv("NO_COLOR");

		r.colour = !out[i].path && out[i].fmt->write == report_table && isatty(1) &&
			!(nc && *nc);
		if (render(&out[i], &r) < 0)
			goto out;
	}
	for (int i = 0; i < nout; i++)
		if (out[i].path && write_file(out[i].path, out[i].text, out[i].len) < 0)
			goto out;
	for (int i = 0; i < nout; i++)
		if (!out[i].path && (fwrite(out[i].text, 1, out[i].len, stdout) != out[i].len ||
				     fflush(stdout) != 0)) {
			cli_error("cannot write to standard output: %s", strerror(errno));
			goto out;
		}
	ret = cmp && pt_compare_failed(cmp) ? EXIT_REGRESSION : EXIT_OK;
out:
	for (int i = 0; i < nout; i++)
		free(out[i].text);
	pt_compare_free(cmp);
	for (size_t k = 0; k < ndocs; k++)
		release(&docs[k]);
	free(docs);
	return ret;
}
