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

#define DEFAULT_FILE "proftune.json"

/* ---- the outputs ------------------------------------------------------------------ */

struct output {
	int fmt;              /* index of the format */
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
			out[n].fmt = out[n].path ? pt_report_format_of_path(path) : 0;
			if (out[n].fmt < 0)
				return refuse("cannot tell the format of '%s' from its name; "
					      "give --format", path);
			n++;
		}
		if (n == 0)
			out[n++].fmt = 0;
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

			out[n].fmt = pt_report_format_find(p, len);
			out[n].path = o->report.noutputs && strcmp(o->report.outputs[n], "-") != 0 ?
				o->report.outputs[n] : NULL;
			n++;
			if (!p[len])
				break;
		}
	}
	if (o->report.plot) {
		out[n].fmt = pt_report_format_find("svg", 3);
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
static int render(struct output *out, const pt_doc *const *docs, size_t n,
		  const struct pt_report_opts *ro)
{
	FILE *f = open_memstream(&out->text, &out->len);
	int ret;

	if (!f) {
		cli_error("out of memory");
		return -1;
	}
	ret = pt_report_write(f, pt_report_format_name((size_t)out->fmt), docs, n, ro);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		cli_error("%s", ret == -ENOMEM ? "out of memory" : pt_last_error());
		return -1;
	}
	return 0;
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

static pt_doc *load(const char *file)
{
	/* a run still measuring, or killed, has its trials in FILE's journal */
	pt_doc *d = pt_doc_recover(file);

	if (!d) {
		if (errno == ENOENT && strcmp(file, DEFAULT_FILE) == 0)
			cli_error("%s; run 'proftune run' or 'proftune tune' first, or name a file",
				  pt_last_error());
		else
			cli_error("%s", pt_last_error());
	}
	return d;
}

/* Say on standard error what the reader should know about the inputs. */
static void warn_inputs(pt_doc *const *docs, size_t n, const pt_compare *cmp,
			const struct pt_compare_config *cc)
{
	for (size_t k = 0; k < n; k++)
		if (pt_doc_interrupted(docs[k]))
			cli_error("warning: '%s' was interrupted: it holds partial results",
				  pt_doc_name(docs[k]));
	if (!cmp)
		return;
	if (strcmp(pt_doc_task(docs[0]), pt_doc_task(docs[1])) != 0)
		cli_error("warning: comparing task '%s' of '%s' with task '%s' of '%s'",
			  pt_doc_task(docs[0]), pt_doc_name(docs[0]), pt_doc_task(docs[1]),
			  pt_doc_name(docs[1]));
	for (size_t i = 0; i < pt_compare_count(cmp); i++) {
		const struct pt_compare_row *row = pt_compare_row(cmp, i);

		for (int k = 0; k < PT_METRICS; k++) {
			const struct pt_compare_metric *m = &row->m[k];

			if (m->gated && m->change == PT_CHANGE_INCONCLUSIVE)
				cli_error("warning: %s at %u workers is inconclusive: %u and %u trials; "
					  "the test needs at least %u on each side (run with "
					  "--repeat 7)%s", pt_metric_name((enum pt_metric)k), row->workers,
					  m->n_base, m->n_new, pt_compare_min_trials(cc->alpha),
					  cc->strict ? "" : "; not failing without --strict");
			if (m->gated && m->change == PT_CHANGE_NOISY)
				cli_error("warning: %s at %u workers is inconclusive: the change is "
					  "somewhere in %+.1f%% .. %+.1f%%, which neither shows nor excludes "
					  "a regression beyond %g%%; more trials or a quieter machine would "
					  "decide%s", pt_metric_name((enum pt_metric)k), row->workers,
					  100 * (m->ratio_low - 1), 100 * (m->ratio_high - 1),
					  100 * cc->threshold,
					  cc->strict ? "" : "; not failing without --strict");
		}
	}
}

int cmd_report(struct cli_opts *o)
{
	/* far more outputs than formats: plan() refuses more */
	struct output out[64];
	pt_doc **docs = NULL;
	struct pt_compare_config cc;
	struct pt_report_opts ro;
	pt_compare *cmp = NULL;
	size_t ndocs = 0, shown;
	int nout, ret = EXIT_USAGE;

	memset(out, 0, sizeof(out));
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

		docs[k] = load(file);
		if (!docs[k])
			goto out;
	}
	pt_report_opts_init(&ro);
	ro.compare_config = &cc;
	if (o->report.compare) {
		cmp = pt_compare_new(docs[0], docs[1], &cc);
		if (!cmp) {
			cli_error("%s", pt_last_error());
			goto out;
		}
		ro.compare = cmp;
	}
	shown = cmp ? 1 : ndocs;
	for (int i = 0; i < nout; i++) {
		if (!pt_report_format_many((size_t)out[i].fmt) && shown > 1) {
			cli_usage_error("report", "format %s takes one document; %zu given",
					pt_report_format_name((size_t)out[i].fmt), shown);
			goto out;
		}
	}
	if (!o->quiet)
		warn_inputs(docs, ndocs, cmp, &cc);
	/* everything is rendered before anything is written: an error leaves
	 * no partial report behind */
	for (int i = 0; i < nout; i++) {
		int table = strcmp(pt_report_format_name((size_t)out[i].fmt), "table") == 0;

		ro.colour = !out[i].path && table && cli_colour();
		ro.width = !out[i].path && table ? cli_width(o->wide) : 0;
		if (render(&out[i], (const pt_doc *const *)docs, ndocs, &ro) < 0)
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
		pt_doc_free(docs[k]);
	free(docs);
	return ret;
}
