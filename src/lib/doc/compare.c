/* compare.c - the regression gate: match trials of two documents, test each change */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "doc/compare.h"
#include "doc/doc.h"
#include "doc/fields.h"
#include "doc/results.h"
#include "stats/rank.h"

/* Name of the comparison document's schema. */
#define COMPARE_SCHEMA "proftune-compare/1"
/* The method, as stated in the comparison document. */
#define COMPARE_TEST "one-sided Mann-Whitney U on per-trial values (exact up to 2500 " \
	"pairs); change: Hodges-Lehmann estimate of the ratio new/base with a " \
	"distribution-free interval of two one-sided bounds"

/* ---- metrics ------------------------------------------------------------------- */

static const char *const metric_names[PT_METRICS] = { "throughput", "p99", "memory" };

const char *pt_metric_name(enum pt_metric m)
{
	return pt_name_of(metric_names, PT_METRICS, (unsigned)m);
}

int pt_metric_parse(const char *name)
{
	return pt_name_index(metric_names, PT_METRICS, name);
}

static const char *const change_names[] = {
	"same", "better", "worse", "regression", "inconclusive", "unavailable", "failed", "noisy",
};

const char *pt_change_name(enum pt_change c)
{
	return pt_name_of(change_names, PT_COUNT(change_names), (unsigned)c);
}

int pt_doc_trial_ok(const cJSON *trial)
{
	return strcmp(pt_json_str(trial, "status"), "ok") == 0;
}

double pt_doc_trial_metric(const cJSON *t, int metric)
{
	const struct pt_field *f = pt_metric_field((enum pt_metric)metric);
	double v = f ? pt_field_trial(f, t) : NAN;

	/* zero means "not measured" in proftune/1 documents, for all three
	 * (and has no logarithm) */
	return v > 0 ? v : NAN;
}

/* ---- the comparison ------------------------------------------------------------ */

void pt_compare_config_init(struct pt_compare_config *c)
{
	memset(c, 0, sizeof(*c));
	c->threshold = 0.05;
	c->gate = 1u << PT_METRIC_THROUGHPUT;
	c->alpha = 0.05;
}

struct sample {
	double *v;
	size_t n, cap;
};

/* Values of one row: per side (0 base, 1 new) and metric. */
struct row_data {
	struct sample s[2][PT_METRICS];
	unsigned trials[2];
};

struct pt_compare {
	struct pt_compare_config c;
	const pt_doc *doc[2];
	struct pt_compare_row *rows;
	struct row_data *data;
	size_t n, rows_cap, data_cap;
	int failed;
};

static int sample_add(struct sample *s, double v)
{
	if (PT_ARRAY_GROW(s->v, s->cap, s->n + 1, 8) < 0)
		return -ENOMEM;
	s->v[s->n++] = v;
	return 0;
}

/* A trial of either document, for grouping by count and placement. */
struct trial_ref {
	unsigned workers;
	const char *placement;
	int side;               /* 0 base, 1 new */
	size_t seq;             /* its place among all trials: the order within a row */
	const cJSON *trial;
};

static int cmp_trial_ref(const void *a, const void *b)
{
	const struct trial_ref *x = a, *y = b;
	int c;

	if (x->workers != y->workers)
		return (x->workers > y->workers) - (x->workers < y->workers);
	c = strcmp(x->placement, y->placement);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static double median_of(const struct sample *s)
{
	double *v, m;

	if (s->n == 0)
		return NAN;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		return NAN;
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), pt_cmp_double);
	m = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
	free(v);
	return m;
}

/* Test one metric of one row; NEW_TRIALS is the number of NEW's trials at
 * the row's count, whatever their status.  0 or -ENOMEM. */
static int judge(const pt_compare *cmp, const struct row_data *d, unsigned new_trials,
		 enum pt_metric k, struct pt_compare_metric *out)
{
	const struct sample *b = &d->s[0][k], *n = &d->s[1][k];
	int higher = pt_metric_field(k)->better > 0;
	double t = cmp->c.threshold, *lb = NULL, *ln = NULL;
	struct pt_shift worse, any;
	int ret = 0;

	out->metric = k;
	out->gated = !!(cmp->c.gate & (1u << k));
	out->n_base = (unsigned)b->n;
	out->n_new = (unsigned)n->n;
	out->base_median = median_of(b);
	out->new_median = median_of(n);
	out->ratio = out->ratio_low = out->ratio_high = NAN;
	out->p_regression = out->p_change = NAN;
	if (b->n == 0 || n->n == 0) {
		/* NEW ran this count but none of its trials succeeded, while
		 * BASE has values: that is a failure, not a gap */
		out->change = b->n && new_trials && k == PT_METRIC_THROUGHPUT ?
			PT_CHANGE_FAILED : PT_CHANGE_UNAVAILABLE;
	} else {
		lb = malloc(b->n * sizeof(*lb));
		ln = malloc(n->n * sizeof(*ln));
		if (!lb || !ln) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < b->n; i++)
			lb[i] = log(b->v[i]);
		for (size_t i = 0; i < n->n; i++)
			ln[i] = log(n->v[i]);
		/* worse than the threshold: throughput below (1 - t) times the
		 * base, latency or memory above (1 + t) times it; on
		 * logarithms, a shift */
		ret = pt_shift_test(lb, b->n, ln, n->n, higher ? log(1 - t) : log(1 + t),
				    cmp->c.alpha, &worse);
		if (ret == 0)
			ret = pt_shift_test(lb, b->n, ln, n->n, 0, cmp->c.alpha, &any);
		if (ret < 0)
			goto out;
		out->ratio = exp(any.estimate);
		out->ratio_low = exp(any.low);
		out->ratio_high = exp(any.high);
		out->p_regression = higher ? worse.p_less : worse.p_greater;
		out->p_change = fmin(1, 2 * fmin(any.p_less, any.p_greater));
		if (!pt_mwu_can_reject((unsigned)b->n, (unsigned)n->n, cmp->c.alpha))
			out->change = PT_CHANGE_INCONCLUSIVE;
		else if (out->p_regression <= cmp->c.alpha)
			out->change = PT_CHANGE_REGRESSION;
		else if (any.p_less <= cmp->c.alpha)
			/* shown lower, one-sided like the interval's bounds: the
			 * interval then lies below no change */
			out->change = higher ? PT_CHANGE_WORSE : PT_CHANGE_BETTER;
		else if (any.p_greater <= cmp->c.alpha)
			out->change = higher ? PT_CHANGE_BETTER : PT_CHANGE_WORSE;
		else if (higher ? out->ratio_low < 1 - t : out->ratio_high > 1 + t)
			/* no change shown, but the interval reaches past the
			 * threshold: a regression is not excluded either */
			out->change = PT_CHANGE_NOISY;
		else
			out->change = PT_CHANGE_SAME;
	}
	out->fails = out->gated && (out->change == PT_CHANGE_REGRESSION ||
				    out->change == PT_CHANGE_FAILED ||
				    (cmp->c.strict && (out->change == PT_CHANGE_INCONCLUSIVE ||
						       out->change == PT_CHANGE_NOISY ||
						       out->change == PT_CHANGE_UNAVAILABLE)));
out:
	free(lb);
	free(ln);
	return ret;
}

/* Add trial T of side SIDE to the row DATA. */
static int row_add(struct row_data *d, int side, const cJSON *t)
{
	d->trials[side]++;
	if (!pt_doc_trial_ok(t))
		return 0;
	for (int k = 0; k < PT_METRICS; k++) {
		double v = pt_doc_trial_metric(t, k);

		if (!isnan(v) && sample_add(&d->s[side][k], v) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The rows of both documents' trials, in order of worker count and
 * placement: the trials sorted by them, then taken a run at a time, in
 * O(t log t) for t trials.  0 or -ENOMEM. */
static int add_docs(pt_compare *cmp)
{
	const cJSON *trials[2], *t;
	struct trial_ref *refs;
	size_t total = 0, k = 0;
	int ret = 0;

	for (int side = 0; side < 2; side++) {
		trials[side] = cJSON_GetObjectItemCaseSensitive(cmp->doc[side]->root, "trials");
		total += (size_t)cJSON_GetArraySize(trials[side]);
	}
	refs = malloc((total ? total : 1) * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (int side = 0; side < 2; side++) {
		cJSON_ArrayForEach(t, trials[side]) {
			refs[k].workers = (unsigned)pt_json_num(t, "workers");
			refs[k].placement = pt_json_str(t, "placement");
			refs[k].side = side;
			refs[k].seq = k;
			refs[k].trial = t;
			k++;
		}
	}
	qsort(refs, k, sizeof(*refs), cmp_trial_ref);
	for (size_t i = 0; i < k && ret == 0; i++) {
		if (i == 0 || refs[i].workers != refs[i - 1].workers ||
		    strcmp(refs[i].placement, refs[i - 1].placement) != 0) {
			if (PT_ARRAY_GROW(cmp->rows, cmp->rows_cap, cmp->n + 1, 8) < 0 ||
			    PT_ARRAY_GROW(cmp->data, cmp->data_cap, cmp->n + 1, 8) < 0) {
				ret = -ENOMEM;
				break;
			}
			memset(&cmp->rows[cmp->n], 0, sizeof(cmp->rows[0]));
			memset(&cmp->data[cmp->n], 0, sizeof(cmp->data[0]));
			cmp->rows[cmp->n].workers = refs[i].workers;
			cmp->rows[cmp->n].placement = refs[i].placement;
			cmp->n++;
		}
		ret = row_add(&cmp->data[cmp->n - 1], refs[i].side, refs[i].trial);
	}
	free(refs);
	return ret;
}

static void data_release(pt_compare *cmp)
{
	for (size_t i = 0; cmp->data && i < cmp->n; i++)
		for (int s = 0; s < 2; s++)
			for (int k = 0; k < PT_METRICS; k++)
				free(cmp->data[i].s[s][k].v);
	free(cmp->data);
	cmp->data = NULL;
}

void pt_compare_free(pt_compare *cmp)
{
	if (!cmp)
		return;
	data_release(cmp);
	free(cmp->rows);
	free(cmp);
}

pt_compare *pt_compare_new(const pt_doc *base, const pt_doc *newer,
			   const struct pt_compare_config *c)
{
	pt_compare *cmp;
	size_t matched = 0;

	if (!(c->threshold > 0 && c->threshold < 1)) {
		pt_fail(EINVAL, "the threshold must be between 0 and 100%% (exclusive)");
		return NULL;
	}
	if (!(c->alpha > 0 && c->alpha < 0.5)) {
		pt_fail(EINVAL, "the significance level must be between 0 and 0.5");
		return NULL;
	}
	if (!(c->gate & ((1u << PT_METRICS) - 1))) {
		pt_fail(EINVAL, "no metric to gate on; use throughput, p99 or memory");
		return NULL;
	}
	cmp = calloc(1, sizeof(*cmp));
	if (!cmp)
		goto nomem;
	cmp->c = *c;
	cmp->doc[0] = base;
	cmp->doc[1] = newer;
	if (add_docs(cmp) < 0)
		goto nomem;
	for (size_t i = 0; i < cmp->n; i++) {
		struct pt_compare_row *r = &cmp->rows[i];
		const struct row_data *d = &cmp->data[i];

		r->base_trials = d->trials[0];
		r->new_trials = d->trials[1];
		matched += r->base_trials && r->new_trials;
		for (int k = 0; k < PT_METRICS; k++) {
			if (judge(cmp, d, r->new_trials, k, &r->m[k]) < 0)
				goto nomem;
			if (!(r->base_trials && r->new_trials)) {
				r->m[k].change = PT_CHANGE_UNAVAILABLE;
				r->m[k].fails = 0;
			}
			cmp->failed |= r->m[k].fails;
		}
	}
	data_release(cmp);
	if (!matched) {
		pt_fail(ENOENT, "'%s' and '%s' have no worker count and placement in common; "
			"nothing to compare", base->name, newer->name);
		pt_compare_free(cmp);
		return NULL;
	}
	return cmp;
nomem:
	pt_compare_free(cmp);
	pt_fail(ENOMEM, "out of memory");
	return NULL;
}

size_t pt_compare_count(const pt_compare *cmp)
{
	return cmp->n;
}

const struct pt_compare_row *pt_compare_row(const pt_compare *cmp, size_t i)
{
	return i < cmp->n ? &cmp->rows[i] : NULL;
}

int pt_compare_failed(const pt_compare *cmp)
{
	return cmp->failed;
}

unsigned pt_compare_min_trials(double alpha)
{
	unsigned n = 1;

	/* 1000 trials a side reach any level a float can hold (C(2000, 1000)
	 * is about 1e600): the bound only stops a nonsensical alpha */
	while (n < 1000 && !pt_mwu_can_reject(n, n, alpha))
		n++;
	return n;
}

char *pt_compare_json(const pt_compare *cmp)
{
	cJSON *d = cJSON_CreateObject(), *a, *o, *ms;
	char *s;

	if (!d)
		return NULL;
	cJSON_AddStringToObject(d, "schema", COMPARE_SCHEMA);
	cJSON_AddStringToObject(d, "base", cmp->doc[0]->name);
	cJSON_AddStringToObject(d, "new", cmp->doc[1]->name);
	cJSON_AddStringToObject(d, "base_task", pt_doc_task(cmp->doc[0]));
	cJSON_AddStringToObject(d, "new_task", pt_doc_task(cmp->doc[1]));
	cJSON_AddStringToObject(d, "test", COMPARE_TEST);
	pt_json_add_number(d, "alpha", cmp->c.alpha);
	pt_json_add_number(d, "threshold", cmp->c.threshold);
	pt_json_add_number(d, "min_trials", pt_compare_min_trials(cmp->c.alpha));
	a = cJSON_AddArrayToObject(d, "gate");
	for (int k = 0; k < PT_METRICS; k++)
		if (cmp->c.gate & (1u << k))
			cJSON_AddItemToArray(a, cJSON_CreateString(metric_names[k]));
	cJSON_AddBoolToObject(d, "strict", cmp->c.strict);
	cJSON_AddBoolToObject(d, "regression", cmp->failed);
	a = cJSON_AddArrayToObject(d, "rows");
	for (size_t i = 0; i < cmp->n; i++) {
		const struct pt_compare_row *r = &cmp->rows[i];

		o = cJSON_CreateObject();
		pt_json_add_number(o, "workers", r->workers);
		cJSON_AddStringToObject(o, "placement", r->placement);
		pt_json_add_number(o, "base_trials", r->base_trials);
		pt_json_add_number(o, "new_trials", r->new_trials);
		ms = cJSON_AddObjectToObject(o, "metrics");
		for (int k = 0; k < PT_METRICS; k++) {
			const struct pt_compare_metric *m = &r->m[k];
			cJSON *e = cJSON_AddObjectToObject(ms, metric_names[k]);

			pt_json_add_number(e, "base_values", m->n_base);
			pt_json_add_number(e, "new_values", m->n_new);
			pt_json_add_number(e, "base_median", m->base_median);
			pt_json_add_number(e, "new_median", m->new_median);
			pt_json_add_number(e, "ratio", m->ratio);
			pt_json_add_number(e, "ratio_low", m->ratio_low);
			pt_json_add_number(e, "ratio_high", m->ratio_high);
			pt_json_add_number(e, "p_regression", m->p_regression);
			pt_json_add_number(e, "p_change", m->p_change);
			cJSON_AddStringToObject(e, "verdict", pt_change_name(m->change));
			cJSON_AddBoolToObject(e, "gated", m->gated);
			cJSON_AddBoolToObject(e, "fails", m->fails);
		}
		cJSON_AddItemToArray(a, o);
	}
	s = cJSON_Print(d);
	cJSON_Delete(d);
	return s;
}
