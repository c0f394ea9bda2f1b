/* table.c - the table format: what run, tune and report print for people, fitted to the terminal */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "report/table.h"
#include "report/grid.h"
#include "report/util.h"
#include "report/views.h"

/* Per-trial details (per-worker table, counters) are shown for documents of
 * at most this many trials; beyond, they would bury the summary. */
#define DETAIL_TRIALS 4
/* The chart's bars: at most this many columns, and at least this many when
 * the terminal is narrow. */
#define CHART_MAX 50
#define CHART_MIN 10

/* Print the line built in B wrapped to the width, continuation lines
 * indented by INDENT, and empty B. */
static void emit(FILE *f, const struct report *r, struct pt_strbuf *b, const char *indent)
{
	char *line = pt_strbuf_finish(b);

	if (line)
		text_wrap(f, line, 0, indent, r->width);
	free(line);
}

/* Print a line of prose: PREFIX and the formatted text wrapped to the
 * width, continuation lines indented by INDENT. */
static void say(FILE *f, const struct report *r, const char *indent, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void say(FILE *f, const struct report *r, const char *indent, const char *fmt, ...)
{
	struct pt_strbuf b = PT_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pt_strbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	emit(f, r, &b, indent);
}


/* Append " KEY=VALUE" for each parameter of the document's task. */
static void add_params(struct pt_strbuf *b, const cJSON *doc)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, robj(robj(doc, "task"), "params"))
		pt_strbuf_addf(b, " %s=%s", p->string, cJSON_IsString(p) ? p->valuestring : "?");
}

static void header(FILE *f, const struct report *r, const struct report_doc *d)
{
	const cJSON *doc = d->tree, *task = robj(doc, "task"), *host = robj(doc, "host");
	const cJSON *cfg = robj(doc, "config");
	struct pt_strbuf b = PT_STRBUF_INIT;

	say(f, r, "  ", "proftune %s of task %s (%s)", pt_json_str(doc, "command"), pt_json_str(task, "name"),
	    pt_json_str(task, "path"));
	if (cJSON_GetArraySize(robj(task, "params")) > 0) {
		pt_strbuf_addf(&b, "  params:");
		add_params(&b, doc);
		emit(f, r, &b, "    ");
	}
	pt_strbuf_addf(&b, "  host: %s, %s", pt_json_str(host, "hostname"),
		       *pt_json_str(host, "cpu_model") ? pt_json_str(host, "cpu_model") : "unknown CPU");
	if (isfinite(pt_json_num(host, "allowed_pus")))
		pt_strbuf_addf(&b, ", %.0f PUs allowed (%s)", pt_json_num(host, "allowed_pus"),
			       pt_json_str(host, "allowed_cpus"));
	if (*pt_json_str(host, "kernel"))
		pt_strbuf_addf(&b, ", %s", pt_json_str(host, "kernel"));
	emit(f, r, &b, "    ");
	if (isfinite(pt_json_num(cfg, "items")))
		pt_strbuf_addf(&b, "  %.0f items per trial", pt_json_num(cfg, "items"));
	else if (isfinite(pt_json_num(cfg, "duration_s")))
		pt_strbuf_addf(&b, "  %g s per trial", pt_json_num(cfg, "duration_s"));
	else
		pt_strbuf_addf(&b, "  trials");
	if (isfinite(pt_json_num(cfg, "warmup_s")))
		pt_strbuf_addf(&b, " after %g s warm-up", pt_json_num(cfg, "warmup_s"));
	pt_strbuf_addf(&b, "; placement %s; latency %s; proftune %s, %s",
		       *pt_json_str(cfg, "placement") ? pt_json_str(cfg, "placement") : "-",
		       cJSON_IsFalse(robj(cfg, "record_latency")) ? "off" : "on",
		       pt_json_str(doc, "proftune_version"), pt_json_str(doc, "created"));
	emit(f, r, &b, "    ");
	if (cJSON_IsTrue(robj(doc, "interrupted")))
		say(f, r, "    ", "  interrupted: the document holds the trials measured before "
		    "the interruption");
}

static int print_grid(FILE *f, const struct report *r, struct grid *g, const char *indent)
{
	if (!g)
		return pt_fail(ENOMEM, "out of memory");
	grid_print(f, g, indent, r->colour, r->width);
	grid_free(g);
	return 0;
}

/* Throughput against workers as horizontal bars, with the model's value. */
static void chart(FILE *f, const struct report *r, const struct report_doc *d, double best)
{
	int width = CHART_MAX;
	double max = NAN;
	struct pt_unit_scale u;

	if (!(best > 0) || d->ncounts < 2)
		return;
	/* "  WWWWW " before the bars, " 1234.5" after them */
	if (r->width && (int)r->width - 18 < width)
		width = (int)r->width - 18 < CHART_MIN ? CHART_MIN : (int)r->width - 18;
	for (size_t i = 0; i < d->ncounts; i++)
		if (isfinite(d->counts[i].throughput) && !(d->counts[i].throughput <= max))
			max = d->counts[i].throughput;
	u = pt_unit_scale(PT_UNIT_RATE, max);
	fprintf(f, "\n");
	say(f, r, "  ", "  throughput (%s) against workers: '#' median, '|' model", u.name);
	for (size_t i = 0; i < d->ncounts; i++) {
		double med = d->counts[i].throughput, model = d->counts[i].model;
		int bar = isfinite(med) ? (int)lround(width * med / best) : 0;
		int mark = isfinite(model) ? (int)lround(width * model / best) : -1;
		char line[CHART_MAX + 2], x[32];
		int end;

		if (bar > width)
			bar = width;
		if (mark > width)
			mark = -1;
		memset(line, ' ', sizeof(line));
		for (int k = 0; k < bar; k++)
			line[k] = '#';
		if (mark >= 0)
			line[mark < width ? mark : width - 1] = '|';
		end = width;
		while (end > 0 && line[end - 1] == ' ')
			end--;
		line[end] = '\0';
		pt_unit_format(x, sizeof(x), med, &u);
		fprintf(f, "  %5u %-*s %s\n", d->counts[i].workers, width, line, x);
	}
}

/* Name the counts with no successful trial, which certainty leaves out. */
static void not_measured(struct pt_strbuf *b, const cJSON *conf)
{
	const cJSON *w;
	const char *sep = " (not measured successfully:";

	cJSON_ArrayForEach(w, robj(conf, "not_compared")) {
		pt_strbuf_addf(b, "%s %.0f", sep, w->valuedouble);
		sep = "";
	}
	if (!*sep)
		pt_strbuf_addf(b, ")");
}

/* Has the tune in TREE a count other than the optimum with a successful
 * trial?  (Tested counts less the optimum less those not compared.) */
static int compared_any(const cJSON *tree, const cJSON *conf)
{
	const cJSON *s = robj(tree, "summary");

	return cJSON_GetArraySize(robj(s, "tested_workers")) - 1 -
	       cJSON_GetArraySize(robj(conf, "not_compared")) > 0;
}

/* Whether the recommendation of summary S is settled, and if not, what
 * ended the tune first (a document without stopped_by predates settling:
 * decided or not). */
static void settled(struct pt_strbuf *b, const cJSON *s, const cJSON *conf)
{
	const char *by = pt_json_str(s, "stopped_by");
	const cJSON *w;
	int margin = 0;

	if (!*by) {
		pt_strbuf_addf(b, "; the recommendation is %s",
			       cJSON_IsTrue(robj(conf, "recommended_decided")) ? "decided" :
			       "not yet decided (more trials or a longer --duration would "
			       "settle it)");
		return;
	}
	if (cJSON_IsTrue(robj(s, "settled"))) {
		pt_strbuf_addf(b, "; the recommendation is settled");
		cJSON_ArrayForEach(w, robj(conf, "at_margin"))
			pt_strbuf_addf(b, "%s%.0f", margin++ ? " " : " (", w->valuedouble);
		if (margin) {
			double t = pt_json_num(s, "tolerance"), z = pt_json_num(conf, "margin_zone");

			pt_strbuf_addf(b, " at the margin: shown %g-%g%% below the best, too close "
				       "to the tolerance to tell)", 100 * (t - z), 100 * (t + z));
		}
		return;
	}
	pt_strbuf_addf(b, "; the recommendation is not settled: %s",
		       !strcmp(by, "budget") ? "the --budget ran out first" :
		       !strcmp(by, "interrupted") ? "the tune was interrupted" :
		       !strcmp(by, "trial_limit") ? "settling used all its trials, as many as "
		       "the search (a longer --duration or a quieter machine would settle it)" :
		       !strcmp(by, "complete") && !strcmp(pt_json_str(s, "strategy"), "exhaustive") ?
		       "the exhaustive strategy ran its trials (more --repeat would settle it)" :
		       "nothing was left to measure");
}

static void answer(FILE *f, const struct report *r, const struct report_doc *d)
{
	const cJSON *s = robj(d->tree, "summary"), *w, *conf = robj(s, "confidence");
	struct pt_tune_answer a;
	struct pt_usl_model m;
	struct pt_strbuf b = PT_STRBUF_INIT;
	char x[32];

	if (!s)
		return;
	fputc('\n', f);
	if (pt_doc_tune_answer(d->doc, &a) == 0) {
		pt_unit_print(x, sizeof(x), a.best_throughput, PT_UNIT_RATE, -1);
		say(f, r, "               ", "  %srecommended: %u worker%s%s (the smallest count "
		    "shown within %g%% of the best, one-sided 95%% test)", r->colour ? "\033[1m" : "",
		    a.recommended_workers, a.recommended_workers == 1 ? "" : "s",
		    r->colour ? "\033[0m" : "", 100 * pt_json_num(s, "tolerance"));
		say(f, r, "               ", "  optimal:     %u worker%s (highest median "
		    "throughput, %s)", a.optimal_workers, a.optimal_workers == 1 ? "" : "s", x);
		if (conf) {
			pt_strbuf_addf(&b, "  certainty:   ");
			if (cJSON_IsTrue(robj(conf, "optimal_decided")))
				pt_strbuf_addf(&b, "the optimum is significantly better than every "
					       "other count measured");
			else if (cJSON_GetArraySize(robj(conf, "tied_with_optimal")) > 0)
				pt_strbuf_addf(&b, "statistically tied with the optimum:");
			else if (!compared_any(d->tree, conf))
				pt_strbuf_addf(&b, "the optimum is not compared: no other count "
					       "has a successful trial");
			else
				pt_strbuf_addf(&b, "the optimum is not shown better than the other "
					       "counts");
			cJSON_ArrayForEach(w, robj(conf, "tied_with_optimal"))
				pt_strbuf_addf(&b, " %.0f", w->valuedouble);
			not_measured(&b, conf);
			settled(&b, s, conf);
			emit(f, r, &b, "               ");
		}
	} else {
		w = robj(s, "no_answer");
		say(f, r, "    ", "  no answer: %s", cJSON_IsString(w) ? w->valuestring :
		    "no trial succeeded");
	}
	if (pt_doc_model(d->doc, &m) == 0) {
		const cJSON *mo = robj(s, "model");
		double lo = pt_json_num(mo, "peak_workers_low"), hi = pt_json_num(mo, "peak_workers_high");
		char peak[80];

		if (isfinite(m.peak_workers) && isfinite(lo) && isfinite(hi))
			snprintf(peak, sizeof(peak), "peak at %.1f workers (95%% %.1f-%.1f)",
				 m.peak_workers, lo, hi);
		else if (isfinite(m.peak_workers))
			snprintf(peak, sizeof(peak), "peak at %.1f workers", m.peak_workers);
		else
			snprintf(peak, sizeof(peak), "no peak");
		say(f, r, "               ", "  model (USL): sigma %.4g, kappa %.4g, lambda %.4g/s; "
		    "R2 %.3f; %s; %s-bound", m.sigma, m.kappa, m.lambda, m.r2, peak, m.bound);
	}
	pt_strbuf_addf(&b, "  %s strategy: %.0f trials in %.1f s; tested", pt_json_str(s, "strategy"),
		       pt_json_num(s, "trials"), pt_json_num(s, "elapsed_s"));
	cJSON_ArrayForEach(w, robj(s, "tested_workers"))
		pt_strbuf_addf(&b, " %.0f", w->valuedouble);
	emit(f, r, &b, "    ");
	cJSON_ArrayForEach(w, robj(s, "warnings"))
		say(f, r, "    ", "  warning: %s", cJSON_IsString(w) ? w->valuestring : "");
}

/* Counters, memory records and notes of trial T, one line each. */
static void counters(FILE *f, const struct report *r, const cJSON *t)
{
	const cJSON *c = robj(t, "counters"), *e;
	struct pt_strbuf b = PT_STRBUF_INIT;
	char a[32], x[32];

	cJSON_ArrayForEach(e, robj(c, "user")) {
		pt_unit_print(a, sizeof(a), pt_json_num(e, "value"), PT_UNIT_COUNT, -1);
		pt_unit_print(x, sizeof(x), pt_json_num(e, "rate"), PT_UNIT_RATE, -1);
		say(f, r, "      ", "    counter %s: %s (%s)", e->string, a, x);
	}
	cJSON_ArrayForEach(e, robj(robj(t, "memory"), "records")) {
		pt_unit_print(a, sizeof(a), cJSON_IsNumber(e) ? e->valuedouble : NAN, PT_UNIT_BYTES, -1);
		say(f, r, "      ", "    memory %s: %s", e->string, a);
	}
	cJSON_ArrayForEach(e, robj(t, "notes")) {
		if (cJSON_IsNumber(e) && isfinite(e->valuedouble))
			say(f, r, "      ", "    note %s: %g", e->string, e->valuedouble);
		else
			say(f, r, "      ", "    note %s: -", e->string);
	}
	if (cJSON_GetArraySize(robj(c, "os")) > 0) {
		pt_strbuf_addf(&b, "    os:");
		cJSON_ArrayForEach(e, robj(c, "os")) {
			pt_unit_print(a, sizeof(a), cJSON_IsNumber(e) ? e->valuedouble : NAN,
				      PT_UNIT_COUNT, -1);
			pt_strbuf_addf(&b, " %s=%s", e->string, a);
		}
		emit(f, r, &b, "      ");
	}
	if (cJSON_GetArraySize(robj(c, "perf")) > 0) {
		pt_strbuf_addf(&b, "    perf:");
		cJSON_ArrayForEach(e, robj(c, "perf")) {
			pt_unit_print(a, sizeof(a), pt_json_num(e, "value"), PT_UNIT_COUNT, -1);
			pt_strbuf_addf(&b, " %s=%s", e->string,
				       strcmp(pt_json_str(e, "status"), "ok") == 0 ? a : pt_json_str(e, "status"));
		}
		emit(f, r, &b, "      ");
	}
}

/* Per-trial details: balance, dispatch, workers, counters, errors. */
static int details(FILE *f, const struct report *r, const struct report_doc *d)
{
	const cJSON *t, *m;
	int i = 0;

	cJSON_ArrayForEach(t, robj(d->tree, "trials")) {
		const cJSON *disp = robj(t, "dispatch");
		char imb[32], ov[32];

		pt_unit_print(imb, sizeof(imb), pt_json_num(t, "imbalance"), PT_UNIT_PERCENT, -1);
		pt_unit_print(ov, sizeof(ov), pt_json_num(disp, "overhead"), PT_UNIT_PERCENT, -1);
		fputc('\n', f);
		say(f, r, "    ", "  trial %d: %s; imbalance %s; dispatch %s in chunks of %.0f", i,
		    pt_json_str(t, "status"), imb, ov, pt_json_num(disp, "mean_chunk"));
		if (cJSON_GetArraySize(robj(t, "per_worker")) > 0 &&
		    print_grid(f, r, workers_grid(t), "    ") < 0)
			return -ENOMEM;
		counters(f, r, t);
		cJSON_ArrayForEach(m, robj(robj(t, "errors"), "messages"))
			say(f, r, "      ", "    error (x%.0f): %s", pt_json_num(m, "count"), pt_json_str(m, "message"));
		cJSON_ArrayForEach(m, robj(t, "warnings"))
			say(f, r, "      ", "    warning: %s", pt_json_str(m, "message"));
		i++;
	}
	return 0;
}

/* The messages of failed trials, and the document's warnings. */
static void messages(FILE *f, const struct report *r, const struct report_doc *d)
{
	const cJSON *w, *t;
	int i = 0, first = 1;

	cJSON_ArrayForEach(t, robj(d->tree, "trials")) {
		if (cJSON_IsString(robj(t, "message"))) {
			if (first)
				fputc('\n', f);
			first = 0;
			say(f, r, "    ", "  trial %d: %s: %s", i, pt_json_str(t, "status"),
			    pt_json_str(t, "message"));
		}
		i++;
	}
	cJSON_ArrayForEach(w, robj(d->tree, "warnings")) {
		if (first)
			fputc('\n', f);
		first = 0;
		say(f, r, "    ", "  warning: %s", pt_json_str(w, "message"));
	}
}

static int one_document(FILE *f, const struct report *r, const struct report_doc *d)
{
	int tune = strcmp(pt_json_str(d->tree, "command"), "tune") == 0;
	int detailed = !tune && cJSON_GetArraySize(robj(d->tree, "trials")) <= DETAIL_TRIALS;
	int ret;

	header(f, r, d);
	fputc('\n', f);
	ret = print_grid(f, r, tune ? counts_grid(d) : trials_grid(d), "  ");
	if (ret == 0 && !tune && d->ncounts > 1) {
		fputc('\n', f);
		ret = print_grid(f, r, counts_grid(d), "  ");
	}
	if (ret == 0 && counts_note(d))
		say(f, r, "    ", "  %s", counts_note(d));
	if (ret < 0)
		return ret;
	if (tune)
		chart(f, r, d, pt_json_num(robj(d->tree, "summary"), "best_throughput"));
	answer(f, r, d);
	if (detailed && details(f, r, d) < 0)
		return -ENOMEM;
	messages(f, r, d);
	return 0;
}

/* Tunes of one task: their per-count medians side by side. */
static int side_by_side(FILE *f, const struct report *r)
{
	const struct pt_field *thr = pt_metric_field(PT_METRIC_THROUGHPUT);
	const struct pt_field *p99 = pt_metric_field(PT_METRIC_P99);
	size_t nw = 0, cols = 1 + 2 * r->ndocs;
	unsigned *w = NULL;
	double *v = NULL;
	struct grid *g = grid_new(cols);
	char buf[300];
	int ret = -ENOMEM;

	for (size_t k = 0; k < r->ndocs; k++)
		nw += r->docs[k].ncounts;
	w = calloc(nw + 1, sizeof(*w));
	v = calloc(nw + 1, sizeof(*v));
	if (!w || !v || !g)
		goto out;
	nw = 0;
	for (size_t k = 0; k < r->ndocs; k++) {
		for (size_t i = 0; i < r->docs[k].ncounts; i++) {
			unsigned x = r->docs[k].counts[i].workers;
			size_t j = 0;

			while (j < nw && w[j] < x)
				j++;
			if (j < nw && w[j] == x)
				continue;
			memmove(w + j + 1, w + j, (nw - j) * sizeof(*w));
			w[j] = x;
			nw++;
		}
	}
	say(f, r, "  ", "task %s: %zu tunes side by side", pt_json_str(robj(r->docs[0].tree, "task"),
								 "name"), r->ndocs);
	for (size_t k = 0; k < r->ndocs; k++) {
		struct pt_strbuf b = PT_STRBUF_INIT;

		pt_strbuf_addf(&b, "  [%zu] %s: created %s on %s", k + 1, r->docs[k].file,
			       pt_json_str(r->docs[k].tree, "created"),
			       pt_json_str(robj(r->docs[k].tree, "host"), "hostname"));
		add_params(&b, r->docs[k].tree);
		emit(f, r, &b, "      ");
	}
	grid_head(g, 0, "workers", 1, 0);
	for (size_t j = 0; j < nw; j++) {
		if (grid_row(g) == (size_t)-1)
			goto out;
		snprintf(buf, sizeof(buf), "%u", w[j]);
		grid_set(g, j, 0, buf, NULL);
	}
	for (size_t k = 0; k < r->ndocs; k++) {
		for (int metric = 0; metric < 2; metric++) {
			const struct pt_field *fl = metric ? p99 : thr;

			for (size_t j = 0; j < nw; j++)
				v[j] = fl->scale * pt_field_count(fl, robj(r->docs[k].tree, "trials"), w[j]);
			snprintf(buf, sizeof(buf), "[%zu] %s", k + 1, fl->title);
			grid_numbers(g, 1 + 2 * k + (size_t)metric, buf, fl->unit,
				     fl->priority, v, nw);
		}
	}
	fputc('\n', f);
	grid_print(f, g, "  ", r->colour, r->width);
	fputc('\n', f);
	for (size_t k = 0; k < r->ndocs; k++) {
		struct pt_tune_answer a;

		if (pt_doc_tune_answer(r->docs[k].doc, &a) == 0)
			fprintf(f, "  [%zu] recommended %u workers, optimal %u\n", k + 1,
				a.recommended_workers, a.optimal_workers);
		else
			fprintf(f, "  [%zu] no answer\n", k + 1);
	}
	ret = 0;
out:
	free(w);
	free(v);
	grid_free(g);
	return ret < 0 ? pt_fail(-ret, "out of memory") : 0;
}

/* The comparison: one table per metric, rows per matched count. */
static int compare_tables(FILE *f, const struct report *r)
{
	char *method = compare_method(r->cc);

	say(f, r, "  ", "compare %s (base, task %s) with %s (new, task %s)", r->base->file,
	    pt_json_str(robj(r->base->tree, "task"), "name"), r->newer->file,
	    pt_json_str(robj(r->newer->tree, "task"), "name"));
	say(f, r, "    ", "  method: %s", method ? method : "");
	free(method);
	for (int k = 0; k < PT_METRICS; k++) {
		char *title = compare_title(r, (enum pt_metric)k);
		int ret;

		fprintf(f, "\n");
		say(f, r, "  ", "%s", title ? title : "");
		free(title);
		ret = print_grid(f, r, compare_grid(r, (enum pt_metric)k), "  ");
		if (ret < 0)
			return ret;
	}
	fputc('\n', f);
	say(f, r, "    ", "  trials: ok trials with a value, base/new; p: one-sided p-value of "
	    "a change worse than the threshold");
	if (pt_compare_failed(r->cmp))
		say(f, r, "  ", "%sresult: regression%s: a gated metric (marked *) is "
		    "significantly worse than the threshold%s", r->colour ? "\033[1;31m" : "",
		    r->colour ? "\033[0m" : "", r->cc->strict ? " or inconclusive (--strict)" : "");
	else
		say(f, r, "  ", "result: no significant regression of the gated metrics");
	return 0;
}

/* Several tune documents of one task? */
static int same_task_tunes(const struct report *r)
{
	if (r->ndocs < 2)
		return 0;
	for (size_t k = 0; k < r->ndocs; k++)
		if (strcmp(pt_doc_command(r->docs[k].doc), "tune") != 0 ||
		    strcmp(pt_doc_task(r->docs[k].doc), pt_doc_task(r->docs[0].doc)) != 0)
			return 0;
	return 1;
}

int report_table(FILE *f, const struct report *r)
{
	if (r->cmp)
		return compare_tables(f, r);
	if (same_task_tunes(r))
		return side_by_side(f, r);
	for (size_t k = 0; k < r->ndocs; k++) {
		int ret;

		if (r->ndocs > 1) {
			if (k)
				fputc('\n', f);
			say(f, r, "  ", "== %s", r->docs[k].file);
		}
		ret = one_document(f, r, &r->docs[k]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
