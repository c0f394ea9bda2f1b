/* views.c - the tables that the table and Markdown formats share, built from the field table */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "report/views.h"
#include "report/util.h"

/* Priorities of the columns that are not fields. */
#define PRIO_KEY 0       /* workers, trial: never dropped */
#define PRIO_STATUS 1
#define PRIO_VERDICT 2
#define PRIO_INTERVAL 3
#define PRIO_MODEL 6
#define PRIO_NUMA 4

/* The summary's entry for WORKERS, or NULL. */
static const cJSON *summary_count(const cJSON *doc, unsigned workers)
{
	const cJSON *pc;

	cJSON_ArrayForEach(pc, robj(robj(doc, "summary"), "per_count"))
		if ((unsigned)pt_json_num(pc, "workers") == workers)
			return pc;
	return NULL;
}

/* "LOW - HIGH" of each count in one unit. */
static void interval_column(struct grid *g, size_t col, const char *title,
			    const struct report_doc *d)
{
	double max = NAN;
	struct pt_unit_scale u;
	char a[32], b[32], buf[80];

	for (size_t i = 0; i < d->ncounts; i++)
		if (isfinite(d->counts[i].high) && (isnan(max) || d->counts[i].high > max))
			max = d->counts[i].high;
	u = pt_unit_scale(PT_UNIT_RATE, max);
	snprintf(buf, sizeof(buf), "%s (%s)", title, u.name);
	grid_head(g, col, buf, 1, PRIO_INTERVAL);
	for (size_t i = 0; i < d->ncounts; i++) {
		pt_unit_format(a, sizeof(a), d->counts[i].low, &u);
		pt_unit_format(b, sizeof(b), d->counts[i].high, &u);
		/* marked: a single trial's interval (see counts_note) */
		snprintf(buf, sizeof(buf), "%s - %s%s", a, b,
			 d->counts[i].interval_is_ci && d->counts[i].ok_trials == 1 ? "*" : "");
		grid_set(g, i, col, isfinite(d->counts[i].low) && isfinite(d->counts[i].high) ?
			 buf : "-", NULL);
	}
}

const char *counts_note(const struct report_doc *d)
{
	for (size_t i = 0; i < d->ncounts; i++)
		if (d->counts[i].interval_is_ci && d->counts[i].ok_trials == 1)
			return "* one ok trial at this count: its interval comes from the variance "
			       "pooled over the other counts";
	return NULL;
}

static size_t count_fields(unsigned view)
{
	size_t n = 0;

	for (size_t i = 0; i < pt_nfields; i++)
		n += !!(pt_fields[i].views & view);
	return n;
}

struct grid *counts_grid(const struct report_doc *d)
{
	/* the verdicts and the model exist only in a tune's summary */
	int tune = robj(d->tree, "summary") != NULL;
	size_t col = 0, k = d->ncounts;
	struct grid *g = grid_new(3 + count_fields(PT_VIEW_COUNTS) + (tune ? 3 : 0));
	double *v = calloc(k + 1, sizeof(*v));
	const cJSON *trials = robj(d->tree, "trials");
	int ci = k > 0 && d->counts[0].interval_is_ci;
	int errors = pt_fields_have_errors(trials);
	/* the interval and the verdicts are of the rate the counts are
	 * summarised by: goodput where items failed */
	const struct pt_field *rate = errors ? pt_answer_field() :
		pt_metric_field(PT_METRIC_THROUGHPUT);
	char buf[64];

	if (!g || !v)
		goto fail;
	for (size_t i = 0; i < k; i++)
		if (grid_row(g) == (size_t)-1)
			goto fail;
	grid_head(g, col, "workers", 1, PRIO_KEY);
	for (size_t i = 0; i < k; i++) {
		snprintf(buf, sizeof(buf), "%u", d->counts[i].workers);
		grid_set(g, i, col, buf, NULL);
	}
	grid_head(g, ++col, "trials", 1, PRIO_STATUS);
	for (size_t i = 0; i < k; i++) {
		const struct pt_doc_count *c = &d->counts[i];

		snprintf(buf, sizeof(buf), "%u/%u", c->ok_trials, c->trials);
		grid_set(g, i, col, buf, c->ok_trials < c->trials ? "33" : NULL);
	}
	for (size_t j = 0; j < pt_nfields; j++) {
		const struct pt_field *f = &pt_fields[j];

		if (!(f->views & PT_VIEW_COUNTS))
			continue;
		if (f->with_errors && !errors) {
			col++;
			continue;
		}
		for (size_t i = 0; i < k; i++)
			v[i] = pt_field_count(f, trials, d->counts[i].workers);
		grid_field(g, ++col, f, v, k);
		if (f == rate) {
			interval_column(g, ++col, ci ? "95% CI" : "range", d);
			if (tune) {
				grid_head(g, ++col, "vs best", 1, PRIO_VERDICT);
				grid_head(g, col + 1, "verdict", 0, PRIO_VERDICT);
				for (size_t i = 0; i < k; i++) {
					const cJSON *s = summary_count(d->tree, d->counts[i].workers);
					const char *verdict = pt_json_str(s, "versus_best");

					if (isfinite(pt_json_num(s, "ratio_to_best")))
						snprintf(buf, sizeof(buf), "%+.1f%%",
							 100 * (pt_json_num(s, "ratio_to_best") - 1));
					else
						snprintf(buf, sizeof(buf), "-");
					grid_set(g, i, col, buf, NULL);
					grid_set(g, i, col + 1, *verdict ? verdict : "-",
						 strcmp(verdict, "best") == 0 ? "1;32" :
						 strcmp(verdict, "non-inferior") == 0 ? "32" : NULL);
				}
				col++;
			}
		}
	}
	if (tune) {
		for (size_t i = 0; i < k; i++)
			v[i] = d->counts[i].model;
		grid_numbers(g, ++col, "model", PT_UNIT_RATE, PRIO_MODEL, v, k);
	}
	free(v);
	return g;
fail:
	free(v);
	grid_free(g);
	return NULL;
}

/* Fill the columns after COL of G with the fields of VIEW: for each, the
 * values of the N entries of ITEMS (a JSON array, one per row) that VALUE
 * reads from an entry of trial TRIAL. */
static void field_columns(struct grid *g, size_t col, unsigned view, const cJSON *items,
			  size_t n, const cJSON *trial,
			  double (*value)(const struct pt_field *f, const cJSON *trial,
					  const cJSON *item))
{
	double *v = calloc(n + 1, sizeof(*v));
	const cJSON *it;
	int errors = pt_fields_have_errors(trial ? trial : items);

	if (!v)
		return;
	for (size_t j = 0; j < pt_nfields; j++) {
		const struct pt_field *f = &pt_fields[j];
		size_t i = 0;

		if (!(f->views & view))
			continue;
		/* a column left without a title is not shown */
		if (f->with_errors && !errors) {
			col++;
			continue;
		}
		cJSON_ArrayForEach(it, items)
			if (i < n)
				v[i++] = value(f, trial, it);
		grid_field(g, ++col, f, v, n);
	}
	free(v);
}

static double trial_value(const struct pt_field *f, const cJSON *trial, const cJSON *item)
{
	(void)trial;
	return pt_field_trial(f, item);
}

/* A table of one row per entry of ITEMS: the three key columns TITLES
 * (the first two right-aligned, with PRIORITIES), which KEYS fills for each
 * row, then the fields of VIEW read by VALUE.  NULL on ENOMEM. */
static struct grid *rows_grid(const cJSON *items, const char *const titles[3],
			      const int priorities[3], unsigned view, const cJSON *trial,
			      void (*keys)(struct grid *g, size_t row, const cJSON *item),
			      double (*value)(const struct pt_field *f, const cJSON *trial,
					      const cJSON *item))
{
	size_t n = (size_t)cJSON_GetArraySize(items);
	struct grid *g = grid_new(3 + count_fields(view));
	const cJSON *it;

	if (!g)
		return NULL;
	for (size_t c = 0; c < 3; c++)
		grid_head(g, c, titles[c], c < 2 || view == PT_VIEW_WORKERS, priorities[c]);
	cJSON_ArrayForEach(it, items) {
		size_t r = grid_row(g);

		if (r == (size_t)-1) {
			grid_free(g);
			return NULL;
		}
		keys(g, r, it);
	}
	field_columns(g, 2, view, items, n, trial, value);
	return g;
}

static void trial_keys(struct grid *g, size_t row, const cJSON *t)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", row);
	grid_set(g, row, 0, buf, NULL);
	snprintf(buf, sizeof(buf), "%.0f", pt_json_num(t, "workers"));
	grid_set(g, row, 1, buf, NULL);
	grid_set(g, row, 2, pt_json_str(t, "status"), status_colour(pt_json_str(t, "status")));
}

struct grid *trials_grid(const struct report_doc *d)
{
	static const char *const titles[3] = { "trial", "workers", "status" };
	static const int prio[3] = { PRIO_KEY, PRIO_KEY, PRIO_STATUS };

	return rows_grid(robj(d->tree, "trials"), titles, prio, PT_VIEW_TRIALS, NULL, trial_keys,
			 trial_value);
}

/* An index cell: V, or WHEN_NEG when V says "none" (-1 or absent). */
static void index_cell(struct grid *g, size_t row, size_t col, double v, const char *when_neg)
{
	char buf[32];

	if (v >= 0)
		snprintf(buf, sizeof(buf), "%.0f", v);
	else
		snprintf(buf, sizeof(buf), "%s", when_neg);
	grid_set(g, row, col, buf, NULL);
}

static void worker_keys(struct grid *g, size_t row, const cJSON *w)
{
	index_cell(g, row, 0, pt_json_num(w, "index"), "-");
	index_cell(g, row, 1, pt_json_num(w, "cpu"), "any");
	index_cell(g, row, 2, pt_json_num(w, "numa_node"), "-");
}

/* The spread of the workers of trial T: the minimum, median and maximum of
 * each worker field over them, one row each. */
static struct grid *workers_spread_grid(const cJSON *t)
{
	static const char *const rows[3] = { "min", "median", "max" };
	static const enum pt_combine how[3] = { PT_COMBINE_MIN, PT_COMBINE_MEDIAN, PT_COMBINE_MAX };
	const cJSON *ws = robj(t, "per_worker"), *w;
	size_t n = (size_t)cJSON_GetArraySize(ws), col = 0;
	struct grid *g = grid_new(1 + count_fields(PT_VIEW_WORKERS));
	double *x = calloc(n + 1, sizeof(*x)), *y = calloc(n + 1, sizeof(*y)), v[3];
	int errors = pt_fields_have_errors(t);
	char title[48];

	if (!g || !x || !y)
		goto fail;
	snprintf(title, sizeof(title), "%zu workers", n);
	grid_head(g, 0, title, 0, PRIO_KEY);
	for (size_t r = 0; r < 3; r++) {
		if (grid_row(g) == (size_t)-1)
			goto fail;
		grid_set(g, r, 0, rows[r], NULL);
	}
	for (size_t j = 0; j < pt_nfields; j++) {
		const struct pt_field *f = &pt_fields[j];
		size_t i = 0;

		if (!(f->views & PT_VIEW_WORKERS))
			continue;
		col++;
		if (f->with_errors && !errors)
			continue;
		cJSON_ArrayForEach(w, ws)
			x[i++] = pt_field_worker(f, t, w);
		for (size_t r = 0; r < 3; r++) {
			memcpy(y, x, n * sizeof(*x));
			v[r] = pt_combine(how[r], y, n);
		}
		grid_field(g, col, f, v, 3);
	}
	free(x);
	free(y);
	return g;
fail:
	free(x);
	free(y);
	grid_free(g);
	return NULL;
}

struct grid *workers_grid(const cJSON *t)
{
	if (cJSON_GetArraySize(robj(t, "per_worker")) > PT_TABLE_WORKERS)
		return workers_spread_grid(t);
	static const char *const titles[3] = { "worker", "cpu", "numa" };
	static const int prio[3] = { PRIO_KEY, PRIO_STATUS, PRIO_NUMA };

	return rows_grid(robj(t, "per_worker"), titles, prio, PT_VIEW_WORKERS, t, worker_keys,
			 pt_field_worker);
}

static const char *const metric_titles[PT_METRICS] = {
	"throughput", "p99 latency", "peak memory",
};

char *compare_title(const struct report *r, enum pt_metric k)
{
	return pt_asprintf("%s (%s; a regression is more than %g%% %s than base)",
			   metric_titles[k], r->cc->gate & (1u << k) ? "gated" : "not gated",
			   100 * r->cc->threshold, pt_metric_field(k)->better > 0 ? "lower" : "higher");
}

struct grid *compare_grid(const struct report *r, enum pt_metric k)
{
	size_t n = pt_compare_count(r->cmp);
	double *b = calloc(n + 1, sizeof(*b)), *nv = calloc(n + 1, sizeof(*nv));
	const struct pt_field *field = pt_metric_field(k);
	struct grid *g = grid_new(9);
	int ok = 0;
	char buf[96];

	if (!b || !nv || !g)
		goto out;
	grid_head(g, 0, "workers", 1, PRIO_KEY);
	grid_head(g, 1, "placement", 0, 4);
	grid_head(g, 2, "trials", 1, 3);
	grid_head(g, 5, "change", 1, PRIO_STATUS);
	grid_head(g, 6, "90% interval", 1, 2);
	grid_head(g, 7, "p", 1, 3);
	grid_head(g, 8, "verdict", 0, PRIO_STATUS);
	for (size_t i = 0; i < n; i++) {
		const struct pt_compare_row *row = pt_compare_row(r->cmp, i);
		const struct pt_compare_metric *m = &row->m[k];
		size_t rr = grid_row(g);

		if (rr == (size_t)-1)
			goto out;
		snprintf(buf, sizeof(buf), "%u", row->workers);
		grid_set(g, rr, 0, buf, NULL);
		grid_set(g, rr, 1, row->placement, NULL);
		snprintf(buf, sizeof(buf), "%u/%u", m->n_base, m->n_new);
		grid_set(g, rr, 2, buf, NULL);
		b[i] = m->base_median;
		nv[i] = m->new_median;
		if (isfinite(m->ratio))
			snprintf(buf, sizeof(buf), "%+.1f%%", 100 * (m->ratio - 1));
		else
			snprintf(buf, sizeof(buf), "-");
		grid_set(g, rr, 5, buf, NULL);
		if (isfinite(m->ratio_low))
			snprintf(buf, sizeof(buf), "%+.1f%% .. %+.1f%%", 100 * (m->ratio_low - 1),
				 100 * (m->ratio_high - 1));
		else
			snprintf(buf, sizeof(buf), "-");
		grid_set(g, rr, 6, buf, NULL);
		if (isfinite(m->p_regression))
			snprintf(buf, sizeof(buf), "%.3f", m->p_regression);
		else
			snprintf(buf, sizeof(buf), "-");
		grid_set(g, rr, 7, buf, NULL);
		snprintf(buf, sizeof(buf), "%s%s", change_words(m->change), m->fails ? " *" : "");
		grid_set(g, rr, 8, buf, change_colour(m->change));
	}
	grid_numbers(g, 3, "base", field->unit, 1, b, n);
	grid_numbers(g, 4, "new", field->unit, 1, nv, n);
	ok = 1;
out:
	free(b);
	free(nv);
	if (!ok) {
		grid_free(g);
		return NULL;
	}
	return g;
}
