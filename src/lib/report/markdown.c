/* markdown.c - `report --format markdown`: a summary fit for a pull-request comment */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "report/markdown.h"
#include "report/grid.h"
#include "report/util.h"
#include "report/views.h"

/* "1.23 k/s" for a throughput. */
static void rate(char *buf, size_t len, double v)
{
	pt_unit_print(buf, len, v, PT_UNIT_RATE, -1);
}

static void summary(FILE *f, const struct report_doc *d)
{
	const cJSON *doc = d->tree, *task = robj(doc, "task"), *host = robj(doc, "host");
	const cJSON *cfg = robj(doc, "config"), *p, *w;
	struct pt_tune_answer a;
	struct pt_usl_model m;
	char x[48];
	int first = 1;

	fprintf(f, "### proftune %s of ", pt_json_str(doc, "command"));
	md_code(f, pt_json_str(task, "name"), NULL);
	fprintf(f, " (");
	md_code(f, d->file, NULL);
	fprintf(f, ")\n\n- **Task:** ");
	md_code(f, pt_json_str(task, "name"), NULL);
	cJSON_ArrayForEach(p, robj(task, "params")) {
		fprintf(f, "%s ", first ? " with" : ",");
		md_code(f, p->string, cJSON_IsString(p) ? p->valuestring : "?");
		first = 0;
	}
	fprintf(f, " (");
	md_code(f, pt_json_str(task, "path"), NULL);
	fprintf(f, ")\n- **Host:** ");
	md_escape(f, pt_json_str(host, "hostname"));
	fputs(", ", f);
	md_escape(f, *pt_json_str(host, "cpu_model") ? pt_json_str(host, "cpu_model") : "unknown CPU");
	if (isfinite(pt_json_num(host, "allowed_pus"))) {
		fprintf(f, ", %.0f PUs allowed (", pt_json_num(host, "allowed_pus"));
		md_escape(f, pt_json_str(host, "allowed_cpus"));
		fputc(')', f);
	}
	if (*pt_json_str(host, "kernel")) {
		fputs(", ", f);
		md_escape(f, pt_json_str(host, "kernel"));
	}
	fputs("\n- **Answer:** ", f);
	if (pt_doc_tune_answer(d->doc, &a) == 0) {
		rate(x, sizeof(x), a.best_throughput);
		fprintf(f, "recommended **%u workers**, optimal %u workers (%s)",
			a.recommended_workers, a.optimal_workers, x);
		if (pt_doc_model(d->doc, &m) == 0 && isfinite(m.peak_workers))
			fprintf(f, "; the scalability model peaks at %.1f workers (%s-bound)",
				m.peak_workers, m.bound);
	} else if (d->ncounts == 1) {
		rate(x, sizeof(x), d->counts[0].throughput);
		fprintf(f, "median %s at %u worker%s over %u ok trial%s", x, d->counts[0].workers,
			d->counts[0].workers == 1 ? "" : "s", d->counts[0].ok_trials,
			d->counts[0].ok_trials == 1 ? "" : "s");
	} else {
		fputs("no tune summary", f);
	}
	fprintf(f, "\n- **Trials:** %d", cJSON_GetArraySize(robj(doc, "trials")));
	if (isfinite(pt_json_num(cfg, "items")))
		fprintf(f, " of %.0f items", pt_json_num(cfg, "items"));
	else if (isfinite(pt_json_num(cfg, "duration_s")))
		fprintf(f, " of %g s", pt_json_num(cfg, "duration_s"));
	if (isfinite(pt_json_num(cfg, "warmup_s")))
		fprintf(f, " after %g s warm-up", pt_json_num(cfg, "warmup_s"));
	if (*pt_json_str(cfg, "placement")) {
		fputs(", placement ", f);
		md_escape(f, pt_json_str(cfg, "placement"));
	}
	fputs("; proftune ", f);
	md_escape(f, pt_json_str(doc, "proftune_version"));
	fputs(", ", f);
	md_escape(f, pt_json_str(doc, "created"));
	if (cJSON_IsTrue(robj(doc, "interrupted")))
		fputs(" (**interrupted**: partial results)", f);
	fputc('\n', f);
	cJSON_ArrayForEach(w, robj(robj(doc, "summary"), "warnings")) {
		fputs("- **Warning:** ", f);
		md_escape(f, cJSON_IsString(w) ? w->valuestring : "");
		fputc('\n', f);
	}
}

static int counts(FILE *f, const struct report_doc *d)
{
	struct grid *g = counts_grid(d);

	if (!g)
		return pt_fail(ENOMEM, "out of memory");
	fputc('\n', f);
	grid_markdown(f, g);
	grid_free(g);
	if (counts_note(d))
		fprintf(f, "\n%s\n", counts_note(d));
	return 0;
}

static int changes(FILE *f, const struct report *r)
{
	int failed = pt_compare_failed(r->cmp);
	char *method;

	fprintf(f, "### proftune: ");
	md_code(f, r->newer->file, NULL);
	fprintf(f, " compared with ");
	md_code(f, r->base->file, NULL);
	fprintf(f, "\n\n**Result: %s**\n", failed ? "regression" :
		"no significant regression of the gated metrics");
	for (int k = 0; k < PT_METRICS; k++) {
		struct grid *g = compare_grid(r, (enum pt_metric)k);
		char *title;

		if (!g)
			return pt_fail(ENOMEM, "out of memory");
		title = compare_title(r, (enum pt_metric)k);
		fprintf(f, "\n#### %s\n\n", title ? title : "");
		free(title);
		grid_markdown(f, g);
		grid_free(g);
	}
	method = compare_method(r->cc);
	fprintf(f, "\n*Method:* %s", method ? method : "");
	free(method);
	fputs(". *trials*: ok trials with a value, base/new; *p*: one-sided p-value of a "
	      "change worse than the threshold; `*`: fails the gate.\n\n", f);
	return 0;
}

int report_markdown(FILE *f, const struct report *r)
{
	if (r->cmp && changes(f, r) < 0)
		return -ENOMEM;
	for (size_t k = 0; k < r->ndocs; k++) {
		if (k)
			fputc('\n', f);
		summary(f, &r->docs[k]);
		if (counts(f, &r->docs[k]) < 0)
			return -ENOMEM;
	}
	return 0;
}
