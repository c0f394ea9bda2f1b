/* export.c - profiler reports: JSON (Pyferris + stichotrope keys), block CSV, tables, bottlenecks */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/file.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "base/util.h"
#include "instr/export.h"
#include "instr/prof.h"
#include "instr/snapshot.h"
#include "instr/stamps.h"

/* One block of a report: a site with its merged statistics. */
struct row {
	uint32_t site;
	const struct pt_site_info *si;
	const struct pt_bstats *st;
	char *label;            /* name, or "name (file:line)" when ambiguous */
};

/* Blocks with hits, in registration order; labels disambiguated.  NULL on
 * ENOMEM (with *N 0). */
static struct row *rows_of(const struct pt_snapshot *s, size_t *n)
{
	struct row *r = calloc(s->nsites + 1, sizeof(*r));
	size_t k = 0;

	*n = 0;
	if (!r)
		return NULL;
	for (uint32_t i = 0; i < s->nsites; i++) {
		int dup = 0;

		if (!s->site_stats[i].hits)
			continue;
		for (uint32_t j = 0; j < s->nsites; j++)
			if (j != i && s->site_stats[j].hits && s->sites[j].track == s->sites[i].track &&
			    strcmp(s->sites[j].name, s->sites[i].name) == 0)
				dup = 1;
		r[k].site = i;
		r[k].si = &s->sites[i];
		r[k].st = &s->site_stats[i];
		if (dup && s->sites[i].file)
			r[k].label = pt_asprintf("%s (%s:%d)", s->sites[i].name, s->sites[i].file,
						 s->sites[i].line);
		else
			r[k].label = strdup(s->sites[i].name);
		if (!r[k].label) {
			for (size_t m = 0; m < k; m++)
				free(r[m].label);
			free(r);
			return NULL;
		}
		k++;
	}
	*n = k;
	return r;
}

static void rows_free(struct row *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		free(r[i].label);
	free(r);
}

/* A text report being made: the snapshot, its rows and the text. */
struct report {
	struct pt_snapshot *s;
	struct row *r;
	size_t n;
	struct pt_strbuf b;
};

/* One text report of P, which BODY writes from a snapshot and its rows
 * (TOP: BODY's argument).  The text, malloc'd; NULL with errno ENOMEM and
 * pt_last_error(). */
static char *report_text(pt_prof *p, void (*body)(struct report *rep, unsigned top),
			 unsigned top)
{
	struct report rep = { .b = PT_STRBUF_INIT };
	char *text;

	rep.s = pt_prof_snapshot(p);
	if (!rep.s) {
		pt_fail(ENOMEM, "out of memory for a profiler snapshot");
		return NULL;
	}
	rep.r = rows_of(rep.s, &rep.n);
	if (rep.r)
		body(&rep, top);
	else
		rep.b.failed = 1;
	rows_free(rep.r, rep.n);
	pt_snapshot_free(rep.s);
	text = pt_strbuf_finish(&rep.b);
	if (!text)
		pt_fail(ENOMEM, "out of memory for the report of profiler '%s'", pt_prof_name(p));
	return text;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static double mean_ns(const struct pt_bstats *b)
{
	return b->hits ? (double)b->total_ns / (double)b->hits : 0.0;
}

static const char *track_label(const struct pt_snapshot *s, unsigned t, char *buf, size_t len)
{
	if (t < PT_PROF_TRACKS && s->track_names[t] && s->track_names[t][0])
		return s->track_names[t];
	snprintf(buf, len, "%u", t);
	return buf;
}

/* Tracks that have blocks, ascending. */
static int track_used(const struct row *r, size_t n, unsigned t)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].si->track == t)
			return 1;
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void stats_json(cJSON *o, const struct pt_bstats *b)
{
	pt_json_add_number(o, "hit_count", (double)b->hits);
	pt_json_add_number(o, "total_time_ns", (double)b->total_ns);
	pt_json_add_number(o, "self_time_ns", (double)b->self_ns);
	pt_json_add_number(o, "avg_time_ns", mean_ns(b));
	pt_json_add_number(o, "min_time_ns", b->hits ? (double)b->min_ns : 0);
	pt_json_add_number(o, "max_time_ns", (double)b->max_ns);
	pt_json_add_number(o, "p50_time_ns", pt_bstats_quantile(b, 0.50));
	pt_json_add_number(o, "p90_time_ns", pt_bstats_quantile(b, 0.90));
	pt_json_add_number(o, "p99_time_ns", pt_bstats_quantile(b, 0.99));
}

static cJSON *tree_json(const struct pt_snapshot *s, const struct pt_mnode *m)
{
	cJSON *a = cJSON_CreateArray();

	for (; m; m = m->sibling) {
		cJSON *o;

		if (!m->st.hits && !m->child)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", s->sites[m->site].name);
		pt_json_add_number(o, "track", s->sites[m->site].track);
		stats_json(o, &m->st);
		if (m->child)
			cJSON_AddItemToObject(o, "children", tree_json(s, m->child));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static int cmp_total_desc(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->st->total_ns != y->st->total_ns)
		return x->st->total_ns > y->st->total_ns ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

static cJSON *snapshot_json(struct pt_snapshot *s, pt_prof *p)
{
	cJSON *o = cJSON_CreateObject(), *timings, *mem, *ctr, *rates, *tracks, *b, *smp;
	size_t n;
	struct row *r = rows_of(s, &n), *sorted;

	if (!o || !r) {
		cJSON_Delete(o);
		rows_free(r, n);
		return NULL;
	}
	cJSON_AddStringToObject(o, "name", s->name ? s->name : "");
	pt_json_add_number(o, "total_elapsed", s->elapsed_s);
	cJSON_AddBoolToObject(o, "running", s->running);
	cJSON_AddBoolToObject(o, "collecting", s->collecting);
	timings = cJSON_AddObjectToObject(o, "timings");
	for (size_t i = 0; i < n; i++) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(timings, r[i].si->name);
		double sec = (double)r[i].st->total_ns / 1e9;

		if (t)
			cJSON_SetNumberValue(t, t->valuedouble + sec);
		else
			pt_json_add_number(timings, r[i].si->name, sec);
	}
	mem = cJSON_AddObjectToObject(o, "memory_usage");
	for (size_t i = 0; i < s->nmem; i++)
		pt_json_add_number(mem, s->mem[i].name, (double)s->mem[i].bytes);
	ctr = cJSON_AddObjectToObject(o, "counters");
	rates = cJSON_AddObjectToObject(o, "counter_rates");
	for (uint32_t i = 0; i < s->ncounters; i++) {
		pt_json_add_number(ctr, s->counter_names[i], (double)s->counter_values[i]);
		pt_json_add_number(rates, s->counter_names[i],
			s->span_s > 0 ? (double)s->counter_values[i] / s->span_s : 0);
	}
	tracks = cJSON_AddArrayToObject(o, "tracks");
	for (unsigned t = 0; t < PT_PROF_TRACKS; t++) {
		cJSON *to, *blocks;

		if (!track_used(r, n, t) && !(s->track_names[t] && s->track_names[t][0]))
			continue;
		to = cJSON_CreateObject();
		pt_json_add_number(to, "track_idx", t);
		pt_json_add_string(to, "track_name", s->track_names[t]);
		cJSON_AddBoolToObject(to, "enabled", (s->track_mask >> t) & 1);
		pt_json_add_number(to, "total_time_ns", (double)s->track_total_ns[t]);
		blocks = cJSON_AddArrayToObject(to, "blocks");
		for (size_t i = 0; i < n; i++) {
			cJSON *bo;

			if (r[i].si->track != t)
				continue;
			bo = cJSON_CreateObject();
			cJSON_AddStringToObject(bo, "name", r[i].si->name);
			pt_json_add_string(bo, "file", r[i].si->file);
			pt_json_add_number(bo, "line", r[i].si->line);
			cJSON_AddStringToObject(bo, "kind", r[i].si->file ? "block" : "timer");
			stats_json(bo, r[i].st);
			pt_json_add_number(bo, "percent_track", pct(r[i].st->total_ns, s->track_total_ns[t]));
			pt_json_add_number(bo, "percent_total", pct(r[i].st->total_ns, s->total_ns));
			cJSON_AddItemToArray(blocks, bo);
		}
		cJSON_AddItemToArray(tracks, to);
	}
	cJSON_AddItemToObject(o, "tree", tree_json(s, s->tree));
	pt_json_add_number(o, "instrumented_time_ns", (double)s->total_ns);
	b = cJSON_AddArrayToObject(o, "bottlenecks");
	sorted = malloc((n + 1) * sizeof(*sorted));
	if (sorted) {
		memcpy(sorted, r, n * sizeof(*r));
		qsort(sorted, n, sizeof(*sorted), cmp_total_desc);
		for (size_t i = 0; i < n; i++) {
			cJSON *bo = cJSON_CreateObject();

			cJSON_AddStringToObject(bo, "name", sorted[i].label);
			pt_json_add_number(bo, "track", sorted[i].si->track);
			pt_json_add_number(bo, "total_time_ns", (double)sorted[i].st->total_ns);
			pt_json_add_number(bo, "percent_of_total", pct(sorted[i].st->total_ns, s->total_ns));
			pt_json_add_number(bo, "hit_count", (double)sorted[i].st->hits);
			pt_json_add_number(bo, "avg_time_ns", mean_ns(sorted[i].st));
			pt_json_add_number(bo, "self_time_ns", (double)sorted[i].st->self_ns);
			cJSON_AddItemToArray(b, bo);
		}
		free(sorted);
	}
	if (p)
		pt_stamps_add_cjson(pt_prof_stamps(p), o);
	smp = cJSON_AddObjectToObject(o, "samples");
	pt_json_add_number(smp, "period_s", s->sample_period_s);
	pt_json_add_number(smp, "count", (double)s->samples_total);
	if (s->nsamples) {
		uint64_t rss_max = 0;
		double rss_sum = 0, cpu_max = 0, cpu_sum = 0;
		cJSON *series = cJSON_CreateArray();

		for (size_t i = 0; i < s->nsamples; i++) {
			const struct pt_sample *x = &s->samples[i];
			cJSON *e = cJSON_CreateObject();

			if (x->rss > rss_max)
				rss_max = x->rss;
			rss_sum += (double)x->rss;
			if (x->cpu_percent > cpu_max)
				cpu_max = x->cpu_percent;
			cpu_sum += x->cpu_percent;
			pt_json_add_number(e, "t_s", x->t_s);
			pt_json_add_number(e, "rss", (double)x->rss);
			pt_json_add_number(e, "cpu_percent", x->cpu_percent);
			pt_json_add_number(e, "cpu_user_s", x->cpu_user_s);
			pt_json_add_number(e, "cpu_sys_s", x->cpu_sys_s);
			if (x->read_bytes >= 0) {
				pt_json_add_number(e, "read_bytes", (double)x->read_bytes);
				pt_json_add_number(e, "write_bytes", (double)x->write_bytes);
			}
			if (x->fds >= 0)
				pt_json_add_number(e, "fds", (double)x->fds);
			cJSON_AddItemToArray(series, e);
		}
		pt_json_add_number(smp, "rss_max", (double)rss_max);
		pt_json_add_number(smp, "rss_mean", rss_sum / (double)s->nsamples);
		pt_json_add_number(smp, "cpu_percent_max", cpu_max);
		pt_json_add_number(smp, "cpu_percent_mean", cpu_sum / (double)s->nsamples);
		cJSON_AddItemToObject(smp, "series", series);
	}
	if (s->measurements) {
		cJSON_AddItemToObject(o, "measurements", s->measurements);
		s->measurements = NULL; /* the report owns it now */
		pt_json_add_number(o, "measurements_total", (double)s->measurements_total);
	}
	pt_json_add_number(o, "threads", s->threads);
	pt_json_add_number(o, "errors", s->errors);
	pt_json_add_number(o, "percentile_relative_error", PT_PHIST_REL_ERROR);
	rows_free(r, n);
	return o;
}

cJSON *pt_prof_to_cjson(pt_prof *p)
{
	struct pt_snapshot *s = pt_prof_snapshot(p);
	cJSON *o;

	if (!s)
		return NULL;
	o = snapshot_json(s, p);
	pt_snapshot_free(s);
	return o;
}

char *pt_prof_json(pt_prof *p)
{
	cJSON *o = pt_prof_to_cjson(p);
	char *text = o ? cJSON_Print(o) : NULL;

	cJSON_Delete(o);
	if (!text)
		pt_fail(ENOMEM, "out of memory for the report of profiler '%s'", pt_prof_name(p));
	return text;
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* Append FIELD with RFC 4180 quoting (quoted when it holds a comma, quote,
 * CR or LF; quotes doubled). */
void pt_blocks_csv(struct pt_strbuf *b, const struct pt_block_row *rows, size_t n)
{
	pt_strbuf_addf(b, "Track,Block Name,Hit Count,Total Time (ns),Avg Time (ns),Min Time (ns),"
		       "Max Time (ns),%% Track,%% Total" PT_CSV_EOL);
	for (size_t i = 0; i < n; i++) {
		const struct pt_block_row *r = &rows[i];

		pt_csv_field(b, r->track);
		pt_strbuf_add(b, ",", 1);
		pt_csv_field(b, r->name);
		pt_strbuf_addf(b, ",%.0f,%.0f,%.2f,", r->hits, r->total_ns,
			       r->hits > 0 ? r->total_ns / r->hits : 0);
		pt_csv_number(b, r->min_ns);
		pt_strbuf_add(b, ",", 1);
		pt_csv_number(b, r->max_ns);
		pt_strbuf_addf(b, ",%.2f,%.2f" PT_CSV_EOL,
			       r->track_ns > 0 ? 100 * r->total_ns / r->track_ns : 0,
			       r->all_ns > 0 ? 100 * r->total_ns / r->all_ns : 0);
	}
}

static void csv_body(struct report *rep, unsigned top)
{
	const struct pt_snapshot *s = rep->s;
	const struct row *r = rep->r;
	struct pt_block_row *rows = calloc(rep->n + 1, sizeof(*rows));
	char (*labels)[16] = calloc(PT_PROF_TRACKS, sizeof(*labels));
	size_t k = 0;

	(void)top;
	if (!rows || !labels) {
		rep->b.failed = 1;
		free(rows);
		free(labels);
		return;
	}
	for (unsigned t = 0; t < PT_PROF_TRACKS; t++) {
		for (size_t i = 0; i < rep->n; i++) {
			const struct pt_bstats *st = r[i].st;

			if (r[i].si->track != t)
				continue;
			rows[k].track = track_label(s, t, labels[t], sizeof(labels[t]));
			rows[k].name = r[i].label;
			rows[k].hits = (double)st->hits;
			rows[k].total_ns = (double)st->total_ns;
			rows[k].min_ns = (double)st->min_ns;
			rows[k].max_ns = (double)st->max_ns;
			rows[k].track_ns = (double)s->track_total_ns[t];
			rows[k].all_ns = (double)s->total_ns;
			k++;
		}
	}
	pt_blocks_csv(&rep->b, rows, k);
	free(rows);
	free(labels);
}

char *pt_prof_csv(pt_prof *p)
{
	return report_text(p, csv_body, 0);
}

/* ---- tables ----------------------------------------------------------------------- */

/* NS with an automatic unit and 2 decimals (the console format of the
 * profilers proftune's tables follow). */
static const char *fmt_ns(char *buf, size_t len, double ns)
{
	pt_unit_print(buf, len, ns, PT_UNIT_NS, 2);
	return buf;
}

static void table_body(struct report *rep, unsigned top)
{
	const struct pt_snapshot *s = rep->s;
	const struct row *r = rep->r;
	struct pt_strbuf *b = &rep->b;
	size_t n = rep->n;
	char u[6][32];

	(void)top;
	pt_strbuf_addf(b, "Profiler '%s': elapsed %s, %u thread%s, instrumented %s\n", s->name,
		  fmt_ns(u[0], sizeof(u[0]), s->elapsed_s * 1e9), s->threads,
		  s->threads == 1 ? "" : "s", fmt_ns(u[1], sizeof(u[1]), (double)s->total_ns));
	for (unsigned t = 0; t < PT_PROF_TRACKS; t++) {
		if (!track_used(r, n, t))
			continue;
		pt_strbuf_addf(b, "\nTrack %u%s%s%s%s\n", t, s->track_names[t] ? " (" : "",
			  s->track_names[t] ? s->track_names[t] : "", s->track_names[t] ? ")" : "",
			  (s->track_mask >> t) & 1 ? "" : " [disabled]");
		pt_strbuf_addf(b, "  %-28s %10s %11s %11s %11s %11s %11s %11s %7s %7s\n", "Block", "Hits",
			  "Total", "Self", "Avg", "Min", "Max", "p99", "%Track", "%Total");
		for (size_t i = 0; i < n; i++) {
			const struct pt_bstats *st = r[i].st;

			if (r[i].si->track != t)
				continue;
			pt_strbuf_addf(b, "  %-28s %10llu %11s %11s %11s %11s %11s %11s %6.2f%% %6.2f%%\n",
				  r[i].label, (unsigned long long)st->hits,
				  fmt_ns(u[0], sizeof(u[0]), (double)st->total_ns),
				  fmt_ns(u[1], sizeof(u[1]), (double)st->self_ns),
				  fmt_ns(u[2], sizeof(u[2]), mean_ns(st)),
				  fmt_ns(u[3], sizeof(u[3]), (double)st->min_ns),
				  fmt_ns(u[4], sizeof(u[4]), (double)st->max_ns),
				  fmt_ns(u[5], sizeof(u[5]), pt_bstats_quantile(st, 0.99)),
				  pct(st->total_ns, s->track_total_ns[t]), pct(st->total_ns, s->total_ns));
		}
	}
	if (s->ncounters) {
		pt_strbuf_addf(b, "\nCounters\n  %-28s %16s %16s\n", "Name", "Value", "Rate (/s)");
		for (uint32_t i = 0; i < s->ncounters; i++)
			pt_strbuf_addf(b, "  %-28s %16llu %16.2f\n", s->counter_names[i],
				  (unsigned long long)s->counter_values[i],
				  s->span_s > 0 ? (double)s->counter_values[i] / s->span_s : 0.0);
	}
	if (s->nmem) {
		pt_strbuf_addf(b, "\nMemory records\n  %-28s %16s\n", "Name", "Bytes");
		for (size_t i = 0; i < s->nmem; i++)
			pt_strbuf_addf(b, "  %-28s %16llu\n", s->mem[i].name,
				  (unsigned long long)s->mem[i].bytes);
	}
}

char *pt_prof_table(pt_prof *p)
{
	return report_text(p, table_body, 0);
}

static void bottlenecks_body(struct report *rep, unsigned top)
{
	const struct pt_snapshot *s = rep->s;
	const struct row *r = rep->r;
	struct pt_strbuf *b = &rep->b;
	char u[3][32];

	qsort(rep->r, rep->n, sizeof(*rep->r), cmp_total_desc);
	pt_strbuf_addf(b, "Bottlenecks of '%s' (instrumented time %s)\n", s->name,
		  fmt_ns(u[0], sizeof(u[0]), (double)s->total_ns));
	pt_strbuf_addf(b, "  %-28s %5s %11s %10s %10s %11s %11s\n", "Block", "Track", "Total",
		  "% of total", "Hits", "Mean", "Self");
	for (size_t i = 0; i < rep->n && (top == 0 || i < top); i++) {
		const struct pt_bstats *st = r[i].st;

		pt_strbuf_addf(b, "  %-28s %5u %11s %9.2f%% %10llu %11s %11s\n", r[i].label,
			  r[i].si->track, fmt_ns(u[0], sizeof(u[0]), (double)st->total_ns),
			  pct(st->total_ns, s->total_ns), (unsigned long long)st->hits,
			  fmt_ns(u[1], sizeof(u[1]), mean_ns(st)),
			  fmt_ns(u[2], sizeof(u[2]), (double)st->self_ns));
	}
}

char *pt_prof_bottlenecks(pt_prof *p, unsigned top)
{
	return report_text(p, bottlenecks_body, top);
}

int pt_prof_write(pt_prof *p, const char *path, const char *format)
{
	char *text;
	int rc;

	if (!format || strcmp(format, "json") == 0)
		text = pt_prof_json(p);
	else if (strcmp(format, "csv") == 0)
		text = pt_prof_csv(p);
	else if (strcmp(format, "table") == 0)
		text = pt_prof_table(p);
	else if (strcmp(format, "bottlenecks") == 0)
		text = pt_prof_bottlenecks(p, 0);
	else
		return pt_fail(EINVAL, "unknown report format '%s'; use json, csv, table or "
			       "bottlenecks", format);
	if (!text)
		return pt_fail(ENOMEM, "out of memory for the report of profiler '%s'",
			       pt_prof_name(p));
	/* the CSV and tables end with a newline already */
	{
		size_t len = strlen(text);

		if (len && text[len - 1] == '\n')
			text[len - 1] = '\0';
	}
	rc = pt_write_file_atomic(path, text);
	free(text);
	return rc;
}
