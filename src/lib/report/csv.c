/* csv.c - `report --format csv|csv-blocks|csv-measurements`: RFC 4180 tables */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/csv.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "instr/export.h"
#include "report/csv.h"
#include "report/grid.h"
#include "report/util.h"

#define EOL PT_CSV_EOL

/* The trials CSV: these columns that say which trial a row is, then the
 * field table's CSV fields, then the trial's message. */
enum source { S_SCHEMA, S_FILE, S_COMMAND, S_TASK, S_INDEX, S_STR, S_NUM };

static const struct column {
	const char *name;
	enum source src;
	const char *path;   /* in the trial object */
} key_columns[] = {
	{ "schema", S_SCHEMA, NULL },
	{ "file", S_FILE, NULL },
	{ "command", S_COMMAND, NULL },
	{ "task", S_TASK, NULL },
	{ "trial", S_INDEX, NULL },
	{ "workers", S_NUM, "workers" },
	{ "repeat", S_NUM, "repeat" },
	{ "status", S_STR, "status" },
	{ "placement", S_STR, "placement" },
	{ "started", S_STR, "started" },
};
#define NKEYS (sizeof(key_columns) / sizeof(key_columns[0]))

static void key_cell(FILE *f, const struct column *c, const struct report_doc *d,
		     const cJSON *t, int index)
{
	const cJSON *v;

	switch (c->src) {
	case S_SCHEMA:
		csv_string(f, pt_json_str(d->tree, "schema"));
		break;
	case S_FILE:
		csv_string(f, d->file);
		break;
	case S_COMMAND:
		csv_string(f, pt_json_str(d->tree, "command"));
		break;
	case S_TASK:
		csv_string(f, pt_json_str(robj(d->tree, "task"), "name"));
		break;
	case S_INDEX:
		fprintf(f, "%d", index);
		break;
	case S_STR:
		v = pt_json_path(t, c->path);
		if (cJSON_IsString(v))
			csv_string(f, v->valuestring);
		break;
	case S_NUM:
		v = pt_json_path(t, c->path);
		if (cJSON_IsNumber(v))
			csv_number(f, v->valuedouble);
		break;
	}
}

/* The comparison: one row per matched count and metric. */
static int compare_csv(FILE *f, const struct report *r)
{
	static const char *const head[] = {
		"schema", "base", "new", "workers", "placement", "metric", "gated",
		"base_trials", "new_trials", "base_values", "new_values", "base_median",
		"new_median", "ratio", "ratio_low", "ratio_high", "p_regression", "p_change",
		"verdict", "fails",
	};

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		fprintf(f, "%s%s", i ? "," : "", head[i]);
	fputs(EOL, f);
	for (size_t i = 0; i < pt_compare_count(r->cmp); i++) {
		const struct pt_compare_row *row = pt_compare_row(r->cmp, i);

		for (int k = 0; k < PT_METRICS; k++) {
			const struct pt_compare_metric *m = &row->m[k];

			fputs("proftune-compare/1,", f);
			csv_string(f, r->base->file);
			fputc(',', f);
			csv_string(f, r->newer->file);
			fprintf(f, ",%u,", row->workers);
			csv_string(f, row->placement);
			fprintf(f, ",%s,%s,%u,%u,%u,%u,", pt_metric_name(m->metric),
				m->gated ? "true" : "false", row->base_trials, row->new_trials,
				m->n_base, m->n_new);
			const double v[] = {
				m->base_median, m->new_median, m->ratio, m->ratio_low,
				m->ratio_high, m->p_regression, m->p_change,
			};

			for (size_t j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
				if (j)
					fputc(',', f);
				csv_number(f, v[j]);
			}
			fprintf(f, ",%s,%s" EOL, pt_change_name(m->change), m->fails ? "true" : "false");
		}
	}
	return 0;
}

int report_csv(FILE *f, const struct report *r)
{
	if (r->cmp)
		return compare_csv(f, r);
	for (size_t i = 0; i < NKEYS; i++)
		fprintf(f, "%s%s", i ? "," : "", key_columns[i].name);
	for (size_t j = 0; j < pt_nfields; j++)
		if (pt_fields[j].views & PT_VIEW_CSV)
			fprintf(f, ",%s", pt_fields[j].name);
	fputs(",message" EOL, f);
	for (size_t k = 0; k < r->ndocs; k++) {
		const cJSON *t;
		int index = 0;

		cJSON_ArrayForEach(t, robj(r->docs[k].tree, "trials")) {
			for (size_t i = 0; i < NKEYS; i++) {
				if (i)
					fputc(',', f);
				key_cell(f, &key_columns[i], &r->docs[k], t, index);
			}
			for (size_t j = 0; j < pt_nfields; j++) {
				if (!(pt_fields[j].views & PT_VIEW_CSV))
					continue;
				fputc(',', f);
				csv_number(f, pt_field_trial(&pt_fields[j], t));
			}
			fputc(',', f);
			if (cJSON_IsString(robj(t, "message")))
				csv_string(f, robj(t, "message")->valuestring);
			fputs(EOL, f);
			index++;
		}
	}
	return 0;
}

/* ---- instrumentation data, when the trials carry it ------------------------------ */

/* The first of KEYS (NULL-terminated) present in O as a number, else NAN. */
static double num_of(const cJSON *o, const char *const *keys)
{
	for (; *keys; keys++)
		if (cJSON_IsNumber(robj(o, *keys)))
			return robj(o, *keys)->valuedouble;
	return NAN;
}

static const char *str_of(const cJSON *o, const char *const *keys)
{
	for (; *keys; keys++)
		if (cJSON_IsString(robj(o, *keys)))
			return robj(o, *keys)->valuestring;
	return NULL;
}

static const char *const k_hits[] = { "hit_count", "hits", NULL };
static const char *const k_total[] = { "total_time_ns", "total_ns", NULL };
static const char *const k_min[] = { "min_time_ns", "min_ns", NULL };
static const char *const k_max[] = { "max_time_ns", "max_ns", NULL };
static const char *const k_block[] = { "name", "block", NULL };
static const char *const k_track_name[] = { "track_name", "name", NULL };
static const char *const k_track_idx[] = { "track_idx", "track", "index", NULL };

/* One block, merged over every trial as stichotrope merges threads: hits and
 * totals add up, the minimum of minimums, the maximum of maximums. */
struct block {
	char track[64];
	char *name;
	double hits, total, min, max;
};

struct blocks {
	struct block *b;
	size_t n, cap;
};

static int block_add(struct blocks *bs, const char *track, const char *name, const cJSON *o)
{
	struct block *b = NULL;
	double mn = num_of(o, k_min), mx = num_of(o, k_max);

	for (size_t i = 0; i < bs->n && !b; i++)
		if (strcmp(bs->b[i].track, track) == 0 && strcmp(bs->b[i].name, name) == 0)
			b = &bs->b[i];
	if (!b) {
		if (bs->n == bs->cap) {
			size_t cap = bs->cap ? bs->cap * 2 : 16;
			struct block *a = realloc(bs->b, cap * sizeof(*a));

			if (!a)
				return -1;
			bs->b = a;
			bs->cap = cap;
		}
		b = &bs->b[bs->n];
		memset(b, 0, sizeof(*b));
		snprintf(b->track, sizeof(b->track), "%s", track);
		b->name = strdup(name);
		if (!b->name)
			return -1;
		b->min = b->max = NAN;
		bs->n++;
	}
	if (isfinite(num_of(o, k_hits)))
		b->hits += num_of(o, k_hits);
	if (isfinite(num_of(o, k_total)))
		b->total += num_of(o, k_total);
	if (isfinite(mn) && (isnan(b->min) || mn < b->min))
		b->min = mn;
	if (isfinite(mx) && (isnan(b->max) || mx > b->max))
		b->max = mx;
	return 0;
}

/* The track label of track object or block O: its name, else its index. */
static void track_label(char *buf, size_t len, const cJSON *o, int fallback)
{
	const char *name = str_of(o, k_track_name);
	double idx = num_of(o, k_track_idx);

	if (name && *name)
		snprintf(buf, len, "%s", name);
	else if (isfinite(idx))
		snprintf(buf, len, "%.0f", idx);
	else
		snprintf(buf, len, "%d", fallback);
}

/* Collect the blocks of one trial's instrumentation object INS: either
 * tracks[] each with blocks[], or blocks[] each naming its track. */
static int collect_blocks(struct blocks *bs, const cJSON *ins)
{
	const cJSON *tr, *b;
	char track[64];
	int i = 0;

	cJSON_ArrayForEach(tr, robj(ins, "tracks")) {
		track_label(track, sizeof(track), tr, i++);
		cJSON_ArrayForEach(b, robj(tr, "blocks"))
			if (str_of(b, k_block) && block_add(bs, track, str_of(b, k_block), b) < 0)
				return -1;
	}
	cJSON_ArrayForEach(b, robj(ins, "blocks")) {
		const cJSON *t = robj(b, "track");

		if (cJSON_IsString(t))
			snprintf(track, sizeof(track), "%s", t->valuestring);
		else if (cJSON_IsNumber(t))
			snprintf(track, sizeof(track), "%.0f", t->valuedouble);
		else
			snprintf(track, sizeof(track), "%s", pt_json_str(b, "track_name"));
		if (str_of(b, k_block) && block_add(bs, track, str_of(b, k_block), b) < 0)
			return -1;
	}
	return 0;
}

int report_csv_blocks(FILE *f, const struct report *r)
{
	struct blocks bs = { NULL, 0, 0 };
	struct pt_strbuf out = PT_STRBUF_INIT;
	struct pt_block_row *rows = NULL;
	double all = 0;
	char *text = NULL;
	int ret = 0;

	for (size_t k = 0; k < r->ndocs && ret == 0; k++) {
		const cJSON *t;

		cJSON_ArrayForEach(t, robj(r->docs[k].tree, "trials"))
			if (ret == 0)
				ret = collect_blocks(&bs, robj(t, "instrumentation"));
	}
	rows = calloc(bs.n + 1, sizeof(*rows));
	if (ret < 0 || !rows)
		goto out;
	/* a track's time is the sum of its blocks' (the documents give each
	 * block's own totals), the total that of every track */
	for (size_t i = 0; i < bs.n; i++)
		all += bs.b[i].total;
	for (size_t i = 0; i < bs.n; i++) {
		const struct block *b = &bs.b[i];

		rows[i].track = b->track;
		rows[i].name = b->name;
		rows[i].hits = b->hits;
		rows[i].total_ns = b->total;
		rows[i].min_ns = b->min;
		rows[i].max_ns = b->max;
		for (size_t j = 0; j < bs.n; j++)
			if (strcmp(bs.b[j].track, b->track) == 0)
				rows[i].track_ns += bs.b[j].total;
		rows[i].all_ns = all;
	}
	pt_blocks_csv(&out, rows, bs.n);
	text = pt_strbuf_finish(&out);
	if (text)
		fputs(text, f);
	else
		ret = -ENOMEM;
out:
	free(text);
	free(rows);
	for (size_t i = 0; i < bs.n; i++)
		free(bs.b[i].name);
	free(bs.b);
	return ret < 0 || !rows ? pt_fail(ENOMEM, "out of memory") : 0;
}

/* multiprocess_profiler's columns, in its order. */
static const char *const measurement_columns[] = {
	"id", "time", "start_timestamp", "end_timestamp", "paused_time", "pid", "ppid",
	"process_name", "parent_process_name", "broken", "error_type", "error_value",
	"traceback",
};
#define NMEASUREMENT (sizeof(measurement_columns) / sizeof(measurement_columns[0]))

static void measurement_cell(FILE *f, const cJSON *v)
{
	if (cJSON_IsString(v))
		csv_string(f, v->valuestring);
	else if (cJSON_IsNumber(v))
		csv_number(f, v->valuedouble);
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "True" : "False", f); /* as Python writes bools */
}

int report_csv_measurements(FILE *f, const struct report *r)
{
	for (size_t i = 0; i < NMEASUREMENT; i++)
		fprintf(f, "%s%s", i ? "," : "", measurement_columns[i]);
	fputs(EOL, f);
	for (size_t k = 0; k < r->ndocs; k++) {
		const cJSON *t, *m;

		cJSON_ArrayForEach(t, robj(r->docs[k].tree, "trials")) {
			cJSON_ArrayForEach(m, robj(robj(t, "instrumentation"), "measurements")) {
				for (size_t i = 0; i < NMEASUREMENT; i++) {
					if (i)
						fputc(',', f);
					measurement_cell(f, robj(m, measurement_columns[i]));
				}
				fputs(EOL, f);
			}
		}
	}
	return 0;
}
