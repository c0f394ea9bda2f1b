/* handoff.c - a forked process's blocks and counters handed back to its parent's profiler */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "instr/handoff.h"
#include "instr/prof.h"

/* The export format: a header, then one record per tree node in depth-first
 * order (its depth says which open node is its parent), then the counters.
 * It only travels between a process and its fork, so site keys (addresses
 * of static structs) mean the same on both sides. */
#define EXPORT_MAGIC 0x70747072u /* "ptpr" */

struct exp_header {
	uint32_t magic, nnodes, ncounters, pad;
	int32_t tid;
	char name[16];
};

struct exp_node {
	uint32_t depth, nbuckets;
	uint64_t key;               /* the site's static struct, 0 for timers */
	uint32_t track;
	int32_t line;
	uint32_t name_len, file_len; /* file_len 0: a timer */
	uint64_t hits, total_ns, child_ns, min_ns, max_ns;
	/* then name, file (padded to 8), then nbuckets struct exp_bucket */
};

struct exp_bucket {
	uint32_t index, pad;
	uint64_t count;
};

struct exp_counter {
	uint32_t name_len, pad;
	uint64_t value;
	/* then the name, padded to 8 */
};

struct exp_buf {
	unsigned char *p;
	size_t len, cap;
	int full;
};

/* N bytes (rounded up to 8, so every record stays aligned) of B. */
static void *exp_take(struct exp_buf *b, size_t n)
{
	void *at;

	n = pt_align8(n);
	if (b->full || b->len + n > b->cap) {
		b->full = 1;
		return NULL;
	}
	at = b->p + b->len;
	memset(at, 0, n);
	b->len += n;
	return at;
}

static void export_tree(struct exp_buf *b, const struct pt_tstate *ts, const struct pt_node *n,
			uint32_t depth, uint32_t *count)
{
	for (const struct pt_node *c = n->child; c && !b->full; c = c->sibling) {
		const struct pt_site_info *si = c->site < ts->sites->n ? &ts->sites->v[c->site] : NULL;
		size_t nl = si ? strlen(si->name) : 0, fl = si && si->file ? strlen(si->file) : 0;
		uint32_t nb = 0;
		struct exp_node *e;
		char *s;

		for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++)
			nb += c->hist[i] != 0;
		e = exp_take(b, sizeof(*e) + pt_align8(nl + 1) + pt_align8(fl + 1));
		if (!e)
			return;
		e->depth = depth;
		e->nbuckets = nb;
		e->key = si ? (uint64_t)(uintptr_t)si->key : 0;
		e->track = c->track;
		e->line = si ? si->line : 0;
		e->name_len = (uint32_t)nl;
		e->file_len = (uint32_t)fl;
		e->hits = c->hits;
		e->total_ns = c->total_ns;
		e->child_ns = c->child_ns;
		e->min_ns = c->min_ns;
		e->max_ns = c->max_ns;
		s = (char *)(e + 1);
		if (nl)
			memcpy(s, si->name, nl);
		if (fl)
			memcpy(s + pt_align8(nl + 1), si->file, fl);
		for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++) {
			struct exp_bucket *bk;

			if (!c->hist[i])
				continue;
			bk = exp_take(b, sizeof(*bk));
			if (!bk)
				return;
			bk->index = i;
			bk->count = c->hist[i];
		}
		(*count)++;
		export_tree(b, ts, c, depth + 1, count);
	}
}

size_t pt_prof_thread_export(pt_prof *p, void *buf, size_t cap)
{
	struct pt_tstate *ts = p ? pt_prof_thread_state(p) : NULL;
	struct exp_buf b = { buf, 0, cap, 0 };
	struct exp_header *h;
	uint32_t nnodes = 0, ncounters = 0;

	if (!ts || !(h = exp_take(&b, sizeof(*h))))
		return 0;
	pthread_mutex_lock(&p->lock);
	export_tree(&b, ts, ts->root, 1, &nnodes);
	for (uint32_t i = 0; i < ts->cnames->n && !b.full; i++) {
		uint64_t *page = ts->counters[i / PT_PROF_COUNTER_PAGE];
		size_t nl = strlen(ts->cnames->v[i].name);
		struct exp_counter *c;

		if (!page || !page[i % PT_PROF_COUNTER_PAGE])
			continue;
		c = exp_take(&b, sizeof(*c) + pt_align8(nl + 1));
		if (!c)
			break;
		c->name_len = (uint32_t)nl;
		c->value = page[i % PT_PROF_COUNTER_PAGE];
		memcpy(c + 1, ts->cnames->v[i].name, nl);
		ncounters++;
	}
	pthread_mutex_unlock(&p->lock);
	if (b.full)
		return 0;
	h->magic = EXPORT_MAGIC;
	h->nnodes = nnodes;
	h->ncounters = ncounters;
	h->tid = ts->tid;
	memcpy(h->name, ts->name, sizeof(h->name));
	return b.len;
}

/* Bounds-checked reading of an export. */
struct imp_buf {
	const unsigned char *p;
	size_t len, off;
};

static const void *imp_take(struct imp_buf *b, size_t n)
{
	const void *at;

	n = pt_align8(n);
	if (n > b->len - b->off)
		return NULL;
	at = b->p + b->off;
	b->off += n;
	return at;
}

/* Depth of the deepest tree an import rebuilds (deeper nodes are dropped). */
#define IMPORT_DEPTH 256

int pt_prof_thread_adopt(pt_prof *p, const void *buf, size_t len)
{
	struct imp_buf b = { buf, len, 0 };
	const struct exp_header *h = imp_take(&b, sizeof(*h));
	struct pt_node *stack[IMPORT_DEPTH + 1];
	struct pt_tstate *ts;
	int rc = 0;

	if (!h || h->magic != EXPORT_MAGIC)
		return pt_fail(EINVAL, "not a profiler thread export");
	ts = calloc(1, sizeof(*ts));
	if (!ts || !(ts->root = pt_node_new(ts, NULL, UINT32_MAX, "", 0))) {
		free(ts);
		return pt_fail(ENOMEM, "out of memory for an adopted thread");
	}
	ts->prof = p;
	ts->tid = h->tid;
	memcpy(ts->name, h->name, sizeof(ts->name));
	ts->name[sizeof(ts->name) - 1] = '\0';
	ts->cur = ts->root;
	stack[0] = ts->root;
	pthread_mutex_lock(&p->lock);
	ts->epoch = PT_LD(p->epoch);
	ts->sites = p->sites;
	ts->cnames = p->counters;
	for (uint32_t k = 0; k < h->nnodes; k++) {
		const struct exp_node *e = imp_take(&b, sizeof(*e));
		const char *name, *file;
		struct pt_node *n, *parent;
		uint32_t idx;

		if (!e || !(name = imp_take(&b, pt_align8((size_t)e->name_len + 1))) ||
		    !(file = imp_take(&b, pt_align8((size_t)e->file_len + 1))) || e->depth == 0 ||
		    e->depth > IMPORT_DEPTH || e->track >= PT_PROF_TRACKS) {
			rc = -EINVAL;
			break;
		}
		parent = stack[e->depth - 1];
		if (!parent) {
			rc = -EINVAL;
			break;
		}
		idx = e->key ? pt_names_find_key(p->sites, (const void *)(uintptr_t)e->key)
			     : pt_names_find(p->sites, name);
		if (idx == UINT32_MAX)
			idx = pt_names_add(p->sites, name, e->file_len ? file : NULL, e->line, e->track,
					(const void *)(uintptr_t)e->key);
		n = idx == UINT32_MAX ? NULL : pt_node_new(ts, parent, idx, p->sites->v[idx].name,
							 e->track);
		if (!n) {
			rc = -ENOMEM;
			break;
		}
		n->hits = e->hits;
		n->total_ns = e->total_ns;
		n->child_ns = e->child_ns;
		n->min_ns = e->min_ns;
		n->max_ns = e->max_ns;
		for (uint32_t i = 0; i < e->nbuckets; i++) {
			const struct exp_bucket *bk = imp_take(&b, sizeof(*bk));

			if (!bk || bk->index >= PT_PHIST_BUCKETS) {
				rc = -EINVAL;
				break;
			}
			n->hist[bk->index] = bk->count;
		}
		n->sibling = parent->child;
		parent->child = n;
		stack[e->depth] = n;
		if (e->depth < IMPORT_DEPTH)
			stack[e->depth + 1] = NULL;
		if (rc)
			break;
	}
	for (uint32_t k = 0; rc == 0 && k < h->ncounters; k++) {
		const struct exp_counter *c = imp_take(&b, sizeof(*c));
		const char *name;
		uint32_t idx;

		if (!c || !(name = imp_take(&b, pt_align8((size_t)c->name_len + 1)))) {
			rc = -EINVAL;
			break;
		}
		idx = pt_names_find(p->counters, name);
		if (idx == UINT32_MAX && p->counters->n < PT_PROF_COUNTERS)
			idx = pt_names_add(p->counters, name, NULL, 0, 0, NULL);
		if (idx != UINT32_MAX)
			pt_counter_bump(ts, idx, c->value);
	}
	/* what was read joins the profiler as a thread of its own, even when
	 * the export was cut short */
	ts->next = p->threads;
	p->threads = ts;
	pthread_mutex_unlock(&p->lock);
	if (rc)
		return pt_fail(-rc, "a profiler thread export is damaged");
	return 0;
}
