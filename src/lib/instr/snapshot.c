/* snapshot.c - a profiler's data merged over threads and paths, for reports */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "instr/prof.h"
#include "instr/snapshot.h"
#include "stats/hist.h"

static void bstats_init(struct pt_bstats *b)
{
	memset(b, 0, sizeof(*b));
	b->min_ns = UINT64_MAX;
}

/* Add a block's HITS, times, extremes and histogram HIST (read with relaxed
 * loads: its thread may be adding to it) to B. */
static void bstats_add(struct pt_bstats *b, uint64_t hits, uint64_t total, uint64_t self,
		       uint64_t mn, uint64_t mx, const uint64_t *hist)
{
	if (!hits)
		return;
	b->hits += hits;
	b->total_ns += total;
	b->self_ns += self;
	if (mn < b->min_ns)
		b->min_ns = mn;
	if (mx > b->max_ns)
		b->max_ns = mx;
	for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++)
		b->hist[i] += PT_LD(hist[i]);
}

static void bstats_add_node(struct pt_bstats *b, const struct pt_node *n)
{
	uint64_t total = PT_LD(n->total_ns), child = PT_LD(n->child_ns);

	bstats_add(b, PT_LD(n->hits), total, total > child ? total - child : 0,
		   PT_LD(n->min_ns), PT_LD(n->max_ns), n->hist);
}

double pt_bstats_quantile(const struct pt_bstats *b, double q)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++)
		total += b->hist[i];
	return pt_loghist_quantile(b->hist, PT_PHIST_BUCKETS, PT_PHIST_SUB_BITS, total, q,
				   (double)b->min_ns, (double)b->max_ns);
}

static void mnode_free(struct pt_mnode *m)
{
	pt_tree_free(m, offsetof(struct pt_mnode, child), offsetof(struct pt_mnode, sibling));
}

/* Merge the children of thread node N into the merged children list *DST. */
static int merge_tree(struct pt_mnode **dst, const struct pt_node *n, struct pt_snapshot *s,
		      uint64_t *track_open)
{
	for (const struct pt_node *c = __atomic_load_n(&n->child, __ATOMIC_ACQUIRE); c;
	     c = c->sibling) {
		struct pt_mnode *m, **tail = dst;
		int top_in_track = !(track_open[c->track / 64] >> (c->track % 64) & 1);

		if (c->site >= s->nsites)
			continue;
		for (m = *dst; m; m = m->sibling) {
			if (m->site == c->site)
				break;
			tail = &m->sibling;
		}
		if (!m) {
			m = calloc(1, sizeof(*m));
			if (!m)
				return -1;
			m->site = c->site;
			bstats_init(&m->st);
			*tail = m;
		}
		bstats_add_node(&m->st, c);
		bstats_add_node(&s->site_stats[c->site], c);
		if (top_in_track && c->track < PT_PROF_TRACKS)
			s->track_total_ns[c->track] += PT_LD(c->total_ns);
		if (n->site == UINT32_MAX)
			s->total_ns += PT_LD(c->total_ns);
		track_open[c->track / 64] |= (uint64_t)1 << (c->track % 64);
		if (merge_tree(&m->child, c, s, track_open) < 0)
			return -1;
		if (top_in_track)
			track_open[c->track / 64] &= ~((uint64_t)1 << (c->track % 64));
	}
	return 0;
}

void pt_snapshot_free(struct pt_snapshot *s)
{
	if (!s)
		return;
	free(s->name);
	for (unsigned i = 0; i < PT_PROF_TRACKS; i++)
		free(s->track_names[i]);
	for (uint32_t i = 0; i < s->nsites; i++) {
		free(s->sites[i].name);
		free(s->sites[i].file);
	}
	free(s->sites);
	free(s->site_stats);
	mnode_free(s->tree);
	for (uint32_t i = 0; i < s->ncounters; i++)
		free(s->counter_names[i]);
	free(s->counter_names);
	free(s->counter_values);
	for (size_t i = 0; i < s->nmem; i++)
		free(s->mem[i].name);
	free(s->mem);
	free(s->samples);
	cJSON_Delete(s->measurements);
	free(s);
}

static char *dup_or_null(const char *s, int *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*bad = 1;
	return d;
}

struct pt_snapshot *pt_prof_snapshot(pt_prof *p)
{
	struct pt_snapshot *s = calloc(1, sizeof(*s));
	uint64_t now = pt_now_ns(), track_open[1];
	int bad = 0;

	if (!s)
		return NULL;
	pthread_mutex_lock(&p->lock);
	s->name = dup_or_null(p->name, &bad);
	s->elapsed_s = (double)(p->elapsed_ns + (p->running ? now - p->run_start_ns : 0)) / 1e9;
	s->span_s = p->elapsed_ns || p->running ? s->elapsed_s : (double)(now - p->origin_ns) / 1e9;
	s->running = p->running;
	s->collecting = p->collecting;
	s->track_mask = p->track_mask;
	for (unsigned i = 0; i < PT_PROF_TRACKS; i++)
		s->track_names[i] = dup_or_null(p->track_names[i], &bad);
	s->nsites = p->sites->n;
	s->sites = calloc(s->nsites + 1, sizeof(*s->sites));
	s->site_stats = malloc((s->nsites + 1) * sizeof(*s->site_stats));
	if (!s->sites || !s->site_stats)
		bad = 1;
	for (uint32_t i = 0; !bad && i < s->nsites; i++) {
		s->sites[i] = p->sites->v[i];
		s->sites[i].name = dup_or_null(p->sites->v[i].name, &bad);
		s->sites[i].file = dup_or_null(p->sites->v[i].file, &bad);
		bstats_init(&s->site_stats[i]);
	}
	for (struct pt_tstate *ts = p->threads; !bad && ts; ts = ts->next) {
		track_open[0] = 0;
		s->threads++;
		if (merge_tree(&s->tree, ts->root, s, track_open) < 0)
			bad = 1;
	}
	s->ncounters = p->counters->n;
	s->counter_names = calloc(s->ncounters + 1, sizeof(char *));
	s->counter_values = calloc(s->ncounters + 1, sizeof(uint64_t));
	if (!s->counter_names || !s->counter_values)
		bad = 1;
	for (uint32_t i = 0; !bad && i < s->ncounters; i++) {
		s->counter_names[i] = dup_or_null(p->counters->v[i].name, &bad);
		s->counter_values[i] = pt_prof_counter_value(p, i);
	}
	s->mem = calloc(p->nmem + 1, sizeof(*s->mem));
	if (!s->mem)
		bad = 1;
	for (size_t i = 0; !bad && i < p->nmem; i++) {
		s->mem[i].name = dup_or_null(p->mem[i].name, &bad);
		s->mem[i].bytes = p->mem[i].bytes;
		s->nmem++;
	}
	s->errors = p->errors;
	s->samples_total = p->nsamples;
	s->sample_period_s = p->sample_period_s;
	s->nsamples = p->nsamples < PT_PROF_SAMPLES_KEPT ? p->nsamples : PT_PROF_SAMPLES_KEPT;
	s->samples = calloc(s->nsamples + 1, sizeof(*s->samples));
	if (!s->samples)
		bad = 1;
	for (size_t i = 0; !bad && i < s->nsamples; i++)
		s->samples[i] = p->samples[(p->nsamples - s->nsamples + i) % PT_PROF_SAMPLES_KEPT];
	s->measurements_total = p->nmeasurements;
	if (p->measurements && !(s->measurements = cJSON_Duplicate(p->measurements, 1)))
		bad = 1;
	pthread_mutex_unlock(&p->lock);
	if (bad) {
		pt_snapshot_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

int pt_prof_block_stats(pt_prof *p, const char *name, struct pt_block_stats *out)
{
	struct pt_snapshot *s = pt_prof_snapshot(p);
	struct pt_bstats b;

	if (!s)
		return pt_fail(ENOMEM, "out of memory for a profiler snapshot");
	bstats_init(&b);
	for (uint32_t i = 0; i < s->nsites; i++) {
		const struct pt_bstats *x = &s->site_stats[i];

		if (strcmp(s->sites[i].name, name) == 0)
			bstats_add(&b, x->hits, x->total_ns, x->self_ns, x->min_ns, x->max_ns,
				   x->hist);
	}
	pt_snapshot_free(s);
	if (!b.hits)
		return pt_fail(ENOENT, "no block '%s' was recorded", name);
	memset(out, 0, sizeof(*out));
	out->hits = b.hits;
	out->total_ns = b.total_ns;
	out->self_ns = b.self_ns;
	out->min_ns = b.min_ns;
	out->max_ns = b.max_ns;
	out->mean_ns = (double)b.total_ns / (double)b.hits;
	out->p50_ns = pt_bstats_quantile(&b, 0.50);
	out->p90_ns = pt_bstats_quantile(&b, 0.90);
	out->p99_ns = pt_bstats_quantile(&b, 0.99);
	return 0;
}
