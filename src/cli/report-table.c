/* report-table.c - `report --format table`: terminal tables with one unit per column */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static void header(FILE *f, const struct report_doc *d)
{
	const cJSON *doc = d->tree, *task = robj(doc, "task"), *host = robj(doc, "host");
	const cJSON *cfg = robj(doc, "config"), *p;

	fprintf(f, "%s: proftune %s of task %s (%s)\n", d->file, rstr(doc, "command"),
		rstr(task, "name"), rstr(task, "path"));
	if (cJSON_GetArraySize(robj(task, "params")) > 0) {
		fprintf(f, "  params:");
		cJSON_ArrayForEach(p, robj(task, "params"))
			fprintf(f, " %s=%s", p->string, cJSON_IsString(p) ? p->valuestring : "?");
		fputc('\n', f);
	}
	fprintf(f, "  host: %s, %s", rstr(host, "hostname"),
		*rstr(host, "cpu_model") ? rstr(host, "cpu_model") : "unknown CPU");
	if (isfinite(rnum(host, "allowed_pus")))
		fprintf(f, ", %.0f PUs allowed (%s)", rnum(host, "allowed_pus"),
			rstr(host, "allowed_cpus"));
	if (*rstr(host, "kernel"))
		fprintf(f, ", %s", rstr(host, "kernel"));
	fprintf(f, "\n  created %s by proftune %s; ", rstr(doc, "created"),
		rstr(doc, "proftune_version"));
	if (isfinite(rnum(cfg, "items")))
		fprintf(f, "%.0f items per trial", rnum(cfg, "items"));
	else if (isfinite(rnum(cfg, "duration_s")))
		fprintf(f, "%g s per trial", rnum(cfg, "duration_s"));
	if (isfinite(rnum(cfg, "warmup_s")))
		fprintf(f, " after %g s warm-up", rnum(cfg, "warmup_s"));
	if (*rstr(cfg, "placement"))
		fprintf(f, "; placement %s", rstr(cfg, "placement"));
	fputc('\n', f);
	if (cJSON_IsTrue(robj(doc, "interrupted")))
		fprintf(f, "  interrupted: the document holds the trials measured before the "
			"interruption\n");
}

/* One row per trial. */
static int trials_table(FILE *f, const struct report_doc *d, int colour)
{
	const cJSON *trials = robj(d->tree, "trials"), *t;
	size_t n = (size_t)cJSON_GetArraySize(trials), i = 0;
	double *col[9];
	struct grid *g = grid_new(12);
	char buf[32];
	int ret = -1;

	for (int c = 0; c < 9; c++)
		col[c] = calloc(n + 1, sizeof(double));
	for (int c = 0; c < 9; c++)
		if (!col[c])
			goto out;
	if (!g)
		goto out;
	grid_head(g, 0, "trial", 1);
	grid_head(g, 1, "workers", 1);
	grid_head(g, 2, "status", 0);
	cJSON_ArrayForEach(t, trials) {
		const cJSON *cpu = robj(t, "cpu");
		size_t r = grid_row(g);

		if (r == (size_t)-1)
			goto out;
		snprintf(buf, sizeof(buf), "%zu", i);
		grid_set(g, r, 0, buf, NULL);
		snprintf(buf, sizeof(buf), "%.0f", rnum(t, "workers"));
		grid_set(g, r, 1, buf, NULL);
		grid_set(g, r, 2, rstr(t, "status"), status_colour(rstr(t, "status")));
		col[0][i] = rnum(t, "items");
		col[1][i] = rnum(t, "wall_s") * 1e9;
		col[2][i] = rnum(t, "throughput");
		col[3][i] = trial_latency(t, "mean");
		col[4][i] = trial_latency(t, "p50");
		col[5][i] = trial_latency(t, "p99");
		col[6][i] = trial_latency(t, "max");
		col[7][i] = rnum(cpu, "utilization");
		col[8][i] = rnum(robj(t, "memory"), "peak_rss");
		i++;
	}
	grid_numbers(g, 3, "items", U_PLAIN, col[0], n);
	grid_numbers(g, 4, "wall", U_NS, col[1], n);
	grid_numbers(g, 5, "throughput", U_RATE, col[2], n);
	grid_numbers(g, 6, "mean", U_NS, col[3], n);
	grid_numbers(g, 7, "p50", U_NS, col[4], n);
	grid_numbers(g, 8, "p99", U_NS, col[5], n);
	grid_numbers(g, 9, "max", U_NS, col[6], n);
	grid_numbers(g, 10, "cpu", U_PERCENT, col[7], n);
	grid_numbers(g, 11, "peak RSS", U_BYTES, col[8], n);
	fputc('\n', f);
	grid_print(f, g, "  ", colour);
	ret = 0;
out:
	for (int c = 0; c < 9; c++)
		free(col[c]);
	grid_free(g);
	if (ret < 0)
		cli_error("out of memory");
	return ret;
}

/* One row per worker count, with the tune's verdicts. */
static int counts_table(FILE *f, const struct report_doc *d, int colour)
{
	struct grid *g = counts_grid(d);

	if (!g) {
		cli_error("out of memory");
		return -1;
	}
	fputc('\n', f);
	grid_print(f, g, "  ", colour);
	grid_free(g);
	return 0;
}

static void answer(FILE *f, const struct report_doc *d, int colour)
{
	const cJSON *s = robj(d->tree, "summary"), *w;
	struct pt_tune_answer a;
	struct pt_usl_model m;
	struct unit u;
	char x[32];

	if (pt_doc_tune_answer(d->doc, &a) == 0) {
		u = unit_for(U_RATE, a.best_throughput);
		unit_format(x, sizeof(x), a.best_throughput, &u);
		fprintf(f, "\n  %srecommended: %u workers%s (the smallest count shown within "
			"%g%% of the best)\n", colour ? "\033[1m" : "", a.recommended_workers,
			colour ? "\033[0m" : "", 100 * rnum(s, "tolerance"));
		fprintf(f, "  optimal:     %u workers (highest median throughput, %s %s)\n",
			a.optimal_workers, x, u.name);
	} else if (s) {
		fprintf(f, "\n  no answer: no trial succeeded\n");
	}
	if (pt_doc_model(d->doc, &m) == 0) {
		fprintf(f, "  model (USL): sigma %.4g, kappa %.4g, lambda %.4g/s; R2 %.3f; ",
			m.sigma, m.kappa, m.lambda, m.r2);
		if (isfinite(m.peak_workers))
			fprintf(f, "peak at %.1f workers; ", m.peak_workers);
		else
			fprintf(f, "no peak; ");
		fprintf(f, "%s-bound\n", m.bound);
	}
	if (s) {
		fprintf(f, "  %s strategy: %.0f trials in %.1f s; tested", rstr(s, "strategy"),
			rnum(s, "trials"), rnum(s, "elapsed_s"));
		cJSON_ArrayForEach(w, robj(s, "tested_workers"))
			fprintf(f, " %.0f", w->valuedouble);
		fputc('\n', f);
		cJSON_ArrayForEach(w, robj(s, "warnings"))
			fprintf(f, "  warning: %s\n", cJSON_IsString(w) ? w->valuestring : "");
	}
}

static void warnings(FILE *f, const struct report_doc *d)
{
	const cJSON *w, *t;
	int i = 0;

	cJSON_ArrayForEach(t, robj(d->tree, "trials")) {
		if (cJSON_IsString(robj(t, "message")))
			fprintf(f, "  trial %d: %s: %s\n", i, rstr(t, "status"), rstr(t, "message"));
		i++;
	}
	cJSON_ArrayForEach(w, robj(d->tree, "warnings"))
		fprintf(f, "  warning: %s\n", rstr(w, "message"));
}

static int one_document(FILE *f, const struct report_doc *d, int colour)
{
	int tune = strcmp(rstr(d->tree, "command"), "tune") == 0;

	header(f, d);
	if (tune ? counts_table(f, d, colour) < 0 : trials_table(f, d, colour) < 0)
		return -1;
	if (!tune && d->ncounts > 1 && counts_table(f, d, colour) < 0)
		return -1;
	answer(f, d, colour);
	warnings(f, d);
	return 0;
}

/* Tunes of one task: their per-count medians side by side. */
static int side_by_side(FILE *f, const struct report *r)
{
	size_t nw = 0, cols = 1 + 2 * r->ndocs;
	unsigned *w = NULL;
	double *v = NULL;
	struct grid *g = grid_new(cols);
	char buf[300];
	int ret = -1;

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
	fprintf(f, "task %s: %zu tunes side by side\n", rstr(robj(r->docs[0].tree, "task"), "name"),
		r->ndocs);
	for (size_t k = 0; k < r->ndocs; k++) {
		const cJSON *p;

		fprintf(f, "  [%zu] %s: created %s on %s", k + 1, r->docs[k].file,
			rstr(r->docs[k].tree, "created"),
			rstr(robj(r->docs[k].tree, "host"), "hostname"));
		cJSON_ArrayForEach(p, robj(robj(r->docs[k].tree, "task"), "params"))
			fprintf(f, " %s=%s", p->string, cJSON_IsString(p) ? p->valuestring : "?");
		fputc('\n', f);
	}
	grid_head(g, 0, "workers", 1);
	for (size_t j = 0; j < nw; j++) {
		if (grid_row(g) == (size_t)-1)
			goto out;
		snprintf(buf, sizeof(buf), "%u", w[j]);
		grid_set(g, j, 0, buf, NULL);
	}
	for (size_t k = 0; k < r->ndocs; k++) {
		for (int metric = 0; metric < 2; metric++) {
			for (size_t j = 0; j < nw; j++) {
				v[j] = NAN;
				for (size_t i = 0; i < r->docs[k].ncounts; i++)
					if (r->docs[k].counts[i].workers == w[j])
						v[j] = metric ? r->docs[k].counts[i].p99_ns :
							r->docs[k].counts[i].throughput;
			}
			snprintf(buf, sizeof(buf), "[%zu] %s", k + 1, metric ? "p99" : "throughput");
			grid_numbers(g, 1 + 2 * k + (size_t)metric, buf, metric ? U_NS : U_RATE, v, nw);
		}
	}
	fputc('\n', f);
	grid_print(f, g, "  ", r->colour);
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
	if (ret < 0)
		cli_error("out of memory");
	return ret;
}

/* The comparison: one table per metric, rows per matched count. */
static int compare_tables(FILE *f, const struct report *r)
{
	fprintf(f, "compare %s (base, task %s) with %s (new, task %s)\n", r->base->file,
		pt_doc_task(r->base->doc), r->newer->file, pt_doc_task(r->newer->doc));
	fprintf(f, "  method: ");
	compare_method(f, r->cc);
	fputc('\n', f);
	for (int k = 0; k < PT_METRICS; k++) {
		struct grid *g = compare_grid(r, (enum pt_metric)k);

		if (!g) {
			cli_error("out of memory");
			return -1;
		}
		fprintf(f, "\n");
		compare_title(f, r, (enum pt_metric)k);
		fputc('\n', f);
		grid_print(f, g, "  ", r->colour);
		grid_free(g);
	}
	fprintf(f, "\n  trials: ok trials with a value, base/new; p: one-sided p-value of "
		"a change worse than the threshold\n");
	if (pt_compare_failed(r->cmp))
		fprintf(f, "%sresult: regression%s: a gated metric (marked *) is significantly worse "
			"than the threshold%s\n", r->colour ? "\033[1;31m" : "",
			r->colour ? "\033[0m" : "", r->cc->strict ? " or inconclusive (--strict)" : "");
	else
		fprintf(f, "result: no significant regression of the gated metrics\n");
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
		if (k)
			fputc('\n', f);
		if (one_document(f, &r->docs[k], r->colour) < 0)
			return -1;
	}
	return 0;
}
