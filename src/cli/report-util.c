/* report-util.c - what the report writers share: values, units, text tables, escaping */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

double rnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *rstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

const cJSON *robj(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

const cJSON *rpath(const cJSON *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t len = strcspn(path, ".");

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += len + (path[len] == '.');
	}
	return o;
}

double trial_latency(const cJSON *t, const char *key)
{
	const cJSON *lat = robj(t, "latency_ns");

	if (!cJSON_IsTrue(robj(lat, "recorded")) || !(rnum(lat, "count") > 0))
		return NAN;
	return rnum(lat, key);
}

/* ---- units ------------------------------------------------------------------------ */

struct step {
	double div;
	const char *name;
};

static const struct step rate_steps[] = {
	{ 1, "/s" }, { 1e3, "k/s" }, { 1e6, "M/s" }, { 1e9, "G/s" }, { 0, NULL },
};
static const struct step ns_steps[] = {
	{ 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" }, { 0, NULL },
};
static const struct step byte_steps[] = {
	{ 1, "B" }, { 1024.0, "KiB" }, { 1048576.0, "MiB" }, { 1073741824.0, "GiB" },
	{ 1099511627776.0, "TiB" }, { 0, NULL },
};

struct unit unit_for(enum unit_kind kind, double max)
{
	struct unit u = { 1, "", 0 };
	const struct step *s = NULL;
	double shown;

	max = fabs(max);
	switch (kind) {
	case U_PLAIN:
		return u;
	case U_PERCENT:
		u.div = 0.01;
		u.name = "%";
		u.decimals = 1;
		return u;
	case U_RATIO:
		u.decimals = 2;
		return u;
	case U_RATE: s = rate_steps; break;
	case U_NS: s = ns_steps; break;
	case U_BYTES: s = byte_steps; break;
	}
	u.div = s[0].div;
	u.name = s[0].name;
	for (int i = 1; s[i].name && isfinite(max); i++) {
		if (max >= s[i].div) {
			u.div = s[i].div;
			u.name = s[i].name;
		}
	}
	/* three significant digits on the largest value, at most one more
	 * decimal than it needs; whole numbers of the base unit stay whole */
	shown = isfinite(max) ? max / u.div : 0;
	u.decimals = u.div == 1 && kind != U_RATE ? 0 : shown >= 100 ? 1 : shown >= 10 ? 2 : 3;
	if (kind == U_RATE && u.div == 1)
		u.decimals = shown >= 100 ? 1 : 2;
	return u;
}

void unit_format(char *buf, size_t len, double v, const struct unit *u)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", u->decimals, v / u->div);
}

/* ---- text tables -------------------------------------------------------------- */

struct cell {
	char *text;
	const char *colour;
};

struct grid {
	size_t ncols, nrows, cap;
	char **title;
	int *right;
	struct cell *cells; /* nrows x ncols */
};

struct grid *grid_new(size_t ncols)
{
	struct grid *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->ncols = ncols;
	g->title = calloc(ncols, sizeof(*g->title));
	g->right = calloc(ncols, sizeof(*g->right));
	if (!g->title || !g->right) {
		grid_free(g);
		return NULL;
	}
	return g;
}

void grid_free(struct grid *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nrows * g->ncols; i++)
		free(g->cells[i].text);
	for (size_t i = 0; g->title && i < g->ncols; i++)
		free(g->title[i]);
	free(g->cells);
	free(g->title);
	free(g->right);
	free(g);
}

void grid_head(struct grid *g, size_t col, const char *title, int right)
{
	free(g->title[col]);
	g->title[col] = strdup(title);
	g->right[col] = right;
}

size_t grid_row(struct grid *g)
{
	if (g->nrows == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct cell *c = realloc(g->cells, cap * g->ncols * sizeof(*c));

		if (!c)
			return (size_t)-1;
		g->cells = c;
		g->cap = cap;
	}
	memset(&g->cells[g->nrows * g->ncols], 0, g->ncols * sizeof(*g->cells));
	return g->nrows++;
}

void grid_set(struct grid *g, size_t row, size_t col, const char *text, const char *colour)
{
	struct cell *c;

	if (row >= g->nrows || col >= g->ncols)
		return;
	c = &g->cells[row * g->ncols + col];
	free(c->text);
	c->text = strdup(text ? text : "");
	c->colour = colour;
}

void grid_numbers(struct grid *g, size_t col, const char *title, enum unit_kind kind,
		  const double *v, size_t n)
{
	double max = NAN;
	struct unit u;
	char buf[64];

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && (isnan(max) || fabs(v[i]) > max))
			max = fabs(v[i]);
	u = unit_for(kind, max);
	if (*u.name)
		snprintf(buf, sizeof(buf), "%s (%s)", title, u.name);
	else
		snprintf(buf, sizeof(buf), "%s", title);
	grid_head(g, col, buf, 1);
	for (size_t i = 0; i < n && i < g->nrows; i++) {
		unit_format(buf, sizeof(buf), v[i], &u);
		grid_set(g, i, col, buf, NULL);
	}
}

static const char *cell_text(const struct grid *g, size_t r, size_t c)
{
	const char *t = g->cells[r * g->ncols + c].text;

	return t ? t : "";
}

void grid_print(FILE *f, const struct grid *g, const char *indent, int colour)
{
	size_t *w = calloc(g->ncols, sizeof(*w));

	if (!w)
		return;
	for (size_t c = 0; c < g->ncols; c++) {
		w[c] = g->title[c] ? strlen(g->title[c]) : 0;
		for (size_t r = 0; r < g->nrows; r++)
			if (strlen(cell_text(g, r, c)) > w[c])
				w[c] = strlen(cell_text(g, r, c));
	}
	fputs(indent, f);
	for (size_t c = 0; c < g->ncols; c++) {
		const char *t = g->title[c] ? g->title[c] : "";
		int last = c + 1 == g->ncols;

		fprintf(f, "%s%*s", c ? "  " : "", g->right[c] ? (int)w[c] :
			last ? 0 : -(int)w[c], t);
	}
	fputc('\n', f);
	for (size_t r = 0; r < g->nrows; r++) {
		/* no padding after the last column: lines carry no trailing blanks */
		fputs(indent, f);
		for (size_t c = 0; c < g->ncols; c++) {
			const struct cell *cell = &g->cells[r * g->ncols + c];
			const char *t = cell_text(g, r, c);
			int pad = (int)(w[c] - strlen(t));
			int last = c + 1 == g->ncols;

			if (c)
				fputs("  ", f);
			if (g->right[c])
				fprintf(f, "%*s", pad, "");
			if (colour && cell->colour && *t)
				fprintf(f, "\033[%sm%s\033[0m", cell->colour, t);
			else
				fputs(t, f);
			if (!g->right[c] && !last)
				fprintf(f, "%*s", pad, "");
		}
		fputc('\n', f);
	}
	free(w);
}

void grid_markdown(FILE *f, const struct grid *g)
{
	fputc('|', f);
	for (size_t c = 0; c < g->ncols; c++) {
		fputc(' ', f);
		md_escape(f, g->title[c] ? g->title[c] : "");
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (size_t c = 0; c < g->ncols; c++)
		fputs(g->right[c] ? "---:|" : ":---|", f);
	fputc('\n', f);
	for (size_t r = 0; r < g->nrows; r++) {
		fputc('|', f);
		for (size_t c = 0; c < g->ncols; c++) {
			fputc(' ', f);
			md_escape(f, cell_text(g, r, c));
			fputs(" |", f);
		}
		fputc('\n', f);
	}
}

/* ---- escaping ------------------------------------------------------------------- */

void csv_string(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_number(FILE *f, double v)
{
	char buf[40];

	if (!isfinite(v))
		return;
	/* the shortest of 15 or 17 digits that reads back as the same double,
	 * as cJSON does: CSV and JSON then agree to the last digit */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\|*_`[]<>#", *s))
			fputc('\\', f);
		if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

void md_code(FILE *f, const char *s, const char *value)
{
	fputc('`', f);
	for (const char *p = s; *p; p++)
		fputc(*p == '`' ? '\'' : *p == '\n' ? ' ' : *p, f);
	if (value) {
		fputc('=', f);
		for (const char *p = value; *p; p++)
			fputc(*p == '`' ? '\'' : *p == '\n' ? ' ' : *p, f);
	}
	fputc('`', f);
}

void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if (c >= 0x20 || c == '\t' || c == '\n')
				fputc(c, f);
			else
				fputc('?', f);
		}
	}
}

/* ---- verdicts --------------------------------------------------------------- */

const char *status_colour(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return "32";
	if (strcmp(status, "skipped") == 0 || strcmp(status, "interrupted") == 0)
		return "33";
	return "31";
}

const char *change_colour(enum pt_change c)
{
	switch (c) {
	case PT_CHANGE_REGRESSION:
	case PT_CHANGE_FAILED:
		return "1;31";
	case PT_CHANGE_WORSE:
	case PT_CHANGE_INCONCLUSIVE:
	case PT_CHANGE_NOISY:
		return "33";
	case PT_CHANGE_BETTER:
		return "32";
	default:
		return NULL;
	}
}

const char *change_words(enum pt_change c)
{
	switch (c) {
	case PT_CHANGE_SAME: return "no significant change";
	case PT_CHANGE_BETTER: return "better";
	case PT_CHANGE_WORSE: return "worse (not shown beyond the threshold)";
	case PT_CHANGE_REGRESSION: return "regression";
	case PT_CHANGE_INCONCLUSIVE: return "inconclusive (too few trials)";
	case PT_CHANGE_UNAVAILABLE: return "not measured";
	case PT_CHANGE_FAILED: return "failed (no ok trial in new)";
	case PT_CHANGE_NOISY: return "inconclusive (too noisy)";
	}
	return "?";
}

void compare_method(FILE *f, const struct pt_compare_config *cc)
{
	unsigned n = pt_compare_min_trials(cc->alpha);

	fprintf(f, "Mann-Whitney U test on per-trial values, one-sided at %g%%, against a "
		"%g%% threshold; change: Hodges-Lehmann estimate of new/base with its %g%% "
		"interval; needs at least %u trials per side (%u+ advisable)", 100 * cc->alpha,
		100 * cc->threshold, 100 - 200 * cc->alpha, n, n + 2);
}

/* ---- tables shared by the table and markdown formats ---------------------------- */

/* The summary's entry for WORKERS, or NULL. */
static const cJSON *summary_count(const cJSON *doc, unsigned workers)
{
	const cJSON *pc;

	cJSON_ArrayForEach(pc, robj(robj(doc, "summary"), "per_count"))
		if ((unsigned)rnum(pc, "workers") == workers)
			return pc;
	return NULL;
}

/* "LOW - HIGH" of each count in one unit. */
static void interval_column(struct grid *g, size_t col, const char *title,
			    const struct report_doc *d)
{
	double max = NAN;
	struct unit u;
	char a[32], b[32], buf[80];

	for (size_t i = 0; i < d->ncounts; i++)
		if (isfinite(d->counts[i].high) && (isnan(max) || d->counts[i].high > max))
			max = d->counts[i].high;
	u = unit_for(U_RATE, max);
	snprintf(buf, sizeof(buf), "%s (%s)", title, u.name);
	grid_head(g, col, buf, 1);
	for (size_t i = 0; i < d->ncounts; i++) {
		unit_format(a, sizeof(a), d->counts[i].low, &u);
		unit_format(b, sizeof(b), d->counts[i].high, &u);
		snprintf(buf, sizeof(buf), "%s - %s", a, b);
		grid_set(g, i, col, isfinite(d->counts[i].low) ? buf : "-", NULL);
	}
}

struct grid *counts_grid(const struct report_doc *d)
{
	/* the verdicts and the model exist only in a tune's summary */
	int tune = robj(d->tree, "summary") != NULL;
	size_t ncols = tune ? 10 : 7, col = 0, k = d->ncounts;
	struct grid *g = grid_new(ncols);
	double *v = calloc(k + 1, sizeof(*v));
	int ci = k > 0 && d->counts[0].interval_is_ci;
	char buf[64];

	if (!g || !v)
		goto fail;
	for (size_t i = 0; i < k; i++)
		if (grid_row(g) == (size_t)-1)
			goto fail;
	grid_head(g, col, "workers", 1);
	for (size_t i = 0; i < k; i++) {
		snprintf(buf, sizeof(buf), "%u", d->counts[i].workers);
		grid_set(g, i, col, buf, NULL);
	}
	grid_head(g, ++col, "trials", 1);
	for (size_t i = 0; i < k; i++) {
		const struct pt_doc_count *c = &d->counts[i];

		snprintf(buf, sizeof(buf), "%u/%u", c->ok_trials, c->trials);
		grid_set(g, i, col, buf, c->ok_trials < c->trials ? "33" : NULL);
	}
	for (size_t i = 0; i < k; i++)
		v[i] = d->counts[i].throughput;
	grid_numbers(g, ++col, "throughput", U_RATE, v, k);
	interval_column(g, ++col, ci ? "95% CI" : "range", d);
	if (tune) {
		grid_head(g, ++col, "vs best", 1);
		grid_head(g, col + 1, "verdict", 0);
		for (size_t i = 0; i < k; i++) {
			const cJSON *s = summary_count(d->tree, d->counts[i].workers);
			const char *verdict = rstr(s, "versus_best");

			if (isfinite(rnum(s, "ratio_to_best")))
				snprintf(buf, sizeof(buf), "%+.1f%%",
					 100 * (rnum(s, "ratio_to_best") - 1));
			else
				snprintf(buf, sizeof(buf), "-");
			grid_set(g, i, col, buf, NULL);
			grid_set(g, i, col + 1, *verdict ? verdict : "-",
				 strcmp(verdict, "best") == 0 ? "1;32" :
				 strcmp(verdict, "non-inferior") == 0 ? "32" : NULL);
		}
		col++;
	}
	for (size_t i = 0; i < k; i++)
		v[i] = d->counts[i].p50_ns;
	grid_numbers(g, ++col, "p50", U_NS, v, k);
	for (size_t i = 0; i < k; i++)
		v[i] = d->counts[i].p99_ns;
	grid_numbers(g, ++col, "p99", U_NS, v, k);
	for (size_t i = 0; i < k; i++)
		v[i] = d->counts[i].peak_rss;
	grid_numbers(g, ++col, "peak RSS", U_BYTES, v, k);
	if (tune) {
		for (size_t i = 0; i < k; i++)
			v[i] = d->counts[i].model;
		grid_numbers(g, ++col, "model", U_RATE, v, k);
	}
	free(v);
	return g;
fail:
	free(v);
	grid_free(g);
	return NULL;
}

static const char *const metric_titles[PT_METRICS] = {
	"throughput", "p99 latency", "peak memory",
};
static const enum unit_kind metric_units[PT_METRICS] = { U_RATE, U_NS, U_BYTES };

void compare_title(FILE *f, const struct report *r, enum pt_metric k)
{
	fprintf(f, "%s (%s; a regression is more than %g%% %s than base)", metric_titles[k],
		r->cc->gate & (1u << k) ? "gated" : "not gated", 100 * r->cc->threshold,
		k == PT_METRIC_THROUGHPUT ? "lower" : "higher");
}

struct grid *compare_grid(const struct report *r, enum pt_metric k)
{
	size_t n = pt_compare_count(r->cmp);
	double *b = calloc(n + 1, sizeof(*b)), *nv = calloc(n + 1, sizeof(*nv));
	struct grid *g = grid_new(9);
	int ok = 0;
	char buf[96];

	if (!b || !nv || !g)
		goto out;
	grid_head(g, 0, "workers", 1);
	grid_head(g, 1, "placement", 0);
	grid_head(g, 2, "trials", 1);
	grid_head(g, 5, "change", 1);
	grid_head(g, 6, "90% interval", 1);
	grid_head(g, 7, "p", 1);
	grid_head(g, 8, "verdict", 0);
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
	grid_numbers(g, 3, "base", metric_units[k], b, n);
	grid_numbers(g, 4, "new", metric_units[k], nv, n);
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
