/* prof.c - the profiler: switches, blocks and timers, counters, memory records, snapshots */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "instr/prof.h"
#include "base/thread.h"
#include "base/util.h"

/*
 * Hot path.  A profiler generation (from creation or a clear to the next
 * clear) has a process-unique 32-bit epoch.  Each thread caches the state it
 * uses for the last profiler in thread-local storage keyed by that epoch, and
 * each call site caches (epoch << 32 | site index) in its static struct: when
 * both match, entering a block takes no lock and no lookup, only the parent
 * comparison of the site's slot.  A clear takes a new epoch, so every cache
 * misses once and resolves again under the profiler's lock.  Epochs are
 * never reused (a wrap needs 4 billion profilers or clears), so a stale cache
 * entry can never match another profiler, even one at the same address.
 */

int pt_instr_global_on = 1;

/* The macros read a profiler's switches as struct pt_prof_switch (ABI). */
_Static_assert(offsetof(struct pt_prof, on) == offsetof(struct pt_prof_switch, on),
	       "the switch word is the first of a profiler");

void pt_instr_enable(int on)
{
	__atomic_store_n(&pt_instr_global_on, on ? 1 : 0, __ATOMIC_RELAXED);
}

int pt_instr_enabled(void)
{
	return __atomic_load_n(&pt_instr_global_on, __ATOMIC_RELAXED);
}

static _Atomic uint32_t next_epoch = 1;

static uint32_t new_epoch(void)
{
	uint32_t e;

	do
		e = atomic_fetch_add(&next_epoch, 1);
	while (e == 0);
	return e;
}

/* Thread-local caches: initial-exec TLS, so reaching them is one
 * %fs-relative load (the default model for a shared library would call
 * __tls_get_addr on every block).  Their size is small enough for the static
 * TLS surplus glibc keeps for libraries loaded with dlopen. */
#define TL_PROFS 6
struct tl_entry {
	uint32_t epoch;
	struct pt_tstate *ts;
};
static __thread struct tl_entry tl_cur __attribute__((tls_model("initial-exec")));
static __thread struct tl_entry tl_more[TL_PROFS] __attribute__((tls_model("initial-exec")));
static __thread unsigned tl_more_next __attribute__((tls_model("initial-exec")));

/* ---- registry of live profilers, so fork() leaves their locks usable --------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pt_prof *registry;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	pthread_mutex_lock(&registry_lock);
	for (pt_prof *p = registry; p; p = p->reg_next)
		pthread_mutex_lock(&p->lock);
}

static void fork_after(void)
{
	for (pt_prof *p = registry; p; p = p->reg_next)
		pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&registry_lock);
}

static void fork_child(void)
{
	fork_after();
	/* the child's thread is a new thread: it must not write into the
	 * copy of the forking thread's state (a worker process would report
	 * its parent's blocks as its own) */
	memset(&tl_cur, 0, sizeof(tl_cur));
	memset(tl_more, 0, sizeof(tl_more));
}

static void atfork_register(void)
{
	pthread_atfork(fork_prepare, fork_after, fork_child);
}

/* ---- small helpers --------------------------------------------------------- */

double pt_phist_mid(unsigned i)
{
	unsigned e, sub;
	double lo, width;

	if (i < PT_PHIST_SUB)
		return (double)i;
	e = (i - PT_PHIST_SUB) / PT_PHIST_SUB + PT_PHIST_SUB_BITS;
	sub = (i - PT_PHIST_SUB) % PT_PHIST_SUB;
	width = (double)((uint64_t)1 << (e - PT_PHIST_SUB_BITS));
	lo = (double)(PT_PHIST_SUB + sub) * width;
	return lo + (width - 1.0) / 2.0;
}

static void update_switch(pt_prof *p)
{
	uint64_t on = p->collecting ? (p->track_mask | ((uint64_t)1 << 63)) : 0;

	PT_ST(p->on, on);
}

static struct pt_names *names_new(struct pt_names *older)
{
	struct pt_names *n = calloc(1, sizeof(*n));

	if (n)
		n->older = older;
	return n;
}

static void names_free(struct pt_names *n)
{
	while (n) {
		struct pt_names *older = n->older;

		for (uint32_t i = 0; i < n->n; i++) {
			free(n->v[i].name);
			free(n->v[i].file);
		}
		free(n->v);
		free(n);
		n = older;
	}
}

/* Append a site; the index, or UINT32_MAX on ENOMEM. */
static uint32_t names_add(struct pt_names *t, const char *name, const char *file, int line,
			  unsigned track, const void *key)
{
	struct pt_site_info *si;

	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct pt_site_info *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return UINT32_MAX;
		t->v = v;
		t->cap = cap;
	}
	si = &t->v[t->n];
	si->name = strdup(name ? name : "?");
	si->file = file ? strdup(file) : NULL;
	if (!si->name || (file && !si->file)) {
		free(si->name);
		free(si->file);
		return UINT32_MAX;
	}
	si->line = line;
	si->track = track;
	si->key = key;
	return t->n++;
}

/* The index of the block site KEY, or UINT32_MAX. */
static uint32_t names_find_key(const struct pt_names *t, const void *key)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].key == key)
			return i;
	return UINT32_MAX;
}

/* The index of the timer or counter NAME, or UINT32_MAX. */
static uint32_t names_find(const struct pt_names *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->v[i].key && !t->v[i].file && strcmp(t->v[i].name, name) == 0)
			return i;
	return UINT32_MAX;
}

static struct pt_node *node_new(struct pt_tstate *ts, struct pt_node *parent, uint32_t site,
				const char *name, unsigned track)
{
	struct pt_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->parent = parent;
	n->ts = ts;
	n->site = site;
	n->name = name;
	n->track = track;
	n->min_ns = UINT64_MAX;
	return n;
}

static void node_free_tree(struct pt_node *n)
{
	while (n) {
		struct pt_node *next = n->sibling;

		node_free_tree(n->child);
		free(n);
		n = next;
	}
}

static void tstate_free(struct pt_tstate *ts)
{
	node_free_tree(ts->root);
	free(ts->slots);
	for (unsigned i = 0; i < PT_PROF_COUNTERS / PT_PROF_COUNTER_PAGE; i++)
		free(ts->counters[i]);
	free(ts);
}

/* ---- the profiler object --------------------------------------------------------- */

pt_prof *pt_prof_new(const char *name)
{
	pt_prof *p = calloc(1, sizeof(*p));

	if (!p) {
		pt_fail(ENOMEM, "out of memory for a profiler");
		return NULL;
	}
	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_init(&p->lock, NULL);
	p->name = strdup(name ? name : "profiler");
	p->sites = names_new(NULL);
	p->counters = names_new(NULL);
	p->stamps = pt_stamps_new();
	p->samples = calloc(PT_PROF_SAMPLES_KEPT, sizeof(*p->samples));
	if (!p->name || !p->sites || !p->counters || !p->stamps || !p->samples) {
		pt_prof_free(p);
		pt_fail(ENOMEM, "out of memory for a profiler");
		return NULL;
	}
	p->track_mask = ((uint64_t)1 << PT_PROF_TRACKS) - 1;
	p->collecting = 1;
	p->origin_ns = pt_now_ns();
	PT_ST(p->epoch, new_epoch());
	update_switch(p);
	pthread_mutex_lock(&registry_lock);
	p->reg_next = registry;
	registry = p;
	pthread_mutex_unlock(&registry_lock);
	return p;
}

void pt_prof_free(pt_prof *p)
{
	struct pt_tstate *ts;

	if (!p)
		return;
	pthread_mutex_lock(&registry_lock);
	for (pt_prof **pp = &registry; *pp; pp = &(*pp)->reg_next) {
		if (*pp == p) {
			*pp = p->reg_next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	while ((ts = p->threads)) {
		p->threads = ts->next;
		tstate_free(ts);
	}
	while ((ts = p->retired)) {
		p->retired = ts->next;
		tstate_free(ts);
	}
	names_free(p->sites);
	names_free(p->counters);
	for (size_t i = 0; i < p->nmem; i++)
		free(p->mem[i].name);
	free(p->mem);
	for (unsigned i = 0; i < PT_PROF_TRACKS; i++)
		free(p->track_names[i]);
	pt_stamps_free(p->stamps);
	free(p->samples);
	cJSON_Delete(p->measurements);
	free(p->name);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const char *pt_prof_name(const pt_prof *p)
{
	return p->name;
}

int pt_prof_start(pt_prof *p)
{
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (p->running) {
		rc = pt_fail(EALREADY, "profiler '%s' is already started", p->name);
	} else {
		p->running = 1;
		p->run_start_ns = pt_now_ns();
		p->collecting = 1;
		update_switch(p);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int pt_prof_stop(pt_prof *p, double *elapsed_s)
{
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (!p->running) {
		rc = pt_fail(EINVAL, "profiler '%s' was not started", p->name);
	} else {
		p->elapsed_ns += pt_now_ns() - p->run_start_ns;
		p->running = 0;
		p->collecting = 0;
		update_switch(p);
	}
	if (elapsed_s)
		*elapsed_s = (double)p->elapsed_ns / 1e9;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int pt_prof_collecting(const pt_prof *p)
{
	return (PT_LD(p->on) >> 63) & 1;
}

double pt_prof_elapsed(const pt_prof *p)
{
	pt_prof *mp = (pt_prof *)p;
	uint64_t ns;

	pthread_mutex_lock(&mp->lock);
	ns = p->elapsed_ns + (p->running ? pt_now_ns() - p->run_start_ns : 0);
	pthread_mutex_unlock(&mp->lock);
	return (double)ns / 1e9;
}

void pt_prof_clear(pt_prof *p)
{
	struct pt_names *sites, *counters;

	pthread_mutex_lock(&p->lock);
	sites = names_new(p->sites);
	counters = names_new(p->counters);
	if (sites && counters) {
		p->sites = sites;
		p->counters = counters;
	} else {
		/* keep the tables; the new epoch still separates the data */
		free(sites);
		free(counters);
	}
	PT_ST(p->epoch, new_epoch());
	/* threads may still be inside blocks of the old generation: keep its
	 * states (and names) until the profiler is freed */
	while (p->threads) {
		struct pt_tstate *ts = p->threads;

		p->threads = ts->next;
		ts->next = p->retired;
		p->retired = ts;
	}
	for (size_t i = 0; i < p->nmem; i++)
		free(p->mem[i].name);
	p->nmem = 0;
	p->running = 0;
	p->elapsed_ns = 0;
	p->origin_ns = pt_now_ns();
	p->nsamples = 0;
	p->errors = 0;
	cJSON_Delete(p->measurements);
	p->measurements = NULL;
	p->nmeasurements = 0;
	pthread_mutex_unlock(&p->lock);
	pt_stamps_clear(p->stamps);
}

int pt_prof_track_name(pt_prof *p, unsigned track, const char *name)
{
	char *copy;

	if (track >= PT_PROF_TRACKS)
		return pt_fail(EINVAL, "track %u is out of range 0..%d", track, PT_PROF_TRACKS - 1);
	copy = strdup(name ? name : "");
	if (!copy)
		return pt_fail(ENOMEM, "out of memory");
	pthread_mutex_lock(&p->lock);
	free(p->track_names[track]);
	p->track_names[track] = copy;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int pt_prof_track_enable(pt_prof *p, unsigned track, int on)
{
	if (track >= PT_PROF_TRACKS)
		return pt_fail(EINVAL, "track %u is out of range 0..%d", track, PT_PROF_TRACKS - 1);
	pthread_mutex_lock(&p->lock);
	if (on)
		p->track_mask |= (uint64_t)1 << track;
	else
		p->track_mask &= ~((uint64_t)1 << track);
	update_switch(p);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int pt_prof_track_enabled(const pt_prof *p, unsigned track)
{
	pt_prof *mp = (pt_prof *)p;
	int on;

	if (track >= PT_PROF_TRACKS)
		return 0;
	pthread_mutex_lock(&mp->lock);
	on = (p->track_mask >> track) & 1;
	pthread_mutex_unlock(&mp->lock);
	return on;
}

pt_stamps *pt_prof_stamps(pt_prof *p)
{
	return p->stamps;
}

int pt_prof_set_trace(pt_prof *p, pt_trace *t)
{
	__atomic_store_n(&p->trace, t, __ATOMIC_RELEASE);
	pt_stamps_set_trace(p->stamps, t);
	return 0;
}

pt_trace *pt_prof_trace(const pt_prof *p)
{
	return __atomic_load_n(&p->trace, __ATOMIC_ACQUIRE);
}

/* ---- per-thread state ------------------------------------------------------------ */

/* The calling thread's state in P's current generation, created on first
 * use.  NULL on ENOMEM. */
static struct pt_tstate *tstate_slow(pt_prof *p, uint32_t epoch)
{
	struct pt_tstate *ts;
	struct tl_entry old = tl_cur;

	for (unsigned i = 0; i < TL_PROFS; i++) {
		if (tl_more[i].epoch == epoch && tl_more[i].ts) {
			tl_cur = tl_more[i];
			tl_more[i] = old;
			return tl_cur.ts;
		}
	}
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return NULL;
	ts->prof = p;
	ts->tid = pt_gettid();
	pt_thread_name(ts->name, sizeof(ts->name));
	ts->root = node_new(ts, NULL, UINT32_MAX, "", 0);
	if (!ts->root) {
		free(ts);
		return NULL;
	}
	ts->cur = ts->root;
	pthread_mutex_lock(&p->lock);
	/* a clear may have raced with us: join the newest generation */
	ts->epoch = PT_LD(p->epoch);
	ts->sites = p->sites;
	ts->cnames = p->counters;
	ts->next = p->threads;
	p->threads = ts;
	pthread_mutex_unlock(&p->lock);
	if (old.ts) {
		tl_more[tl_more_next] = old;
		tl_more_next = (tl_more_next + 1) % TL_PROFS;
	}
	tl_cur.epoch = ts->epoch;
	tl_cur.ts = ts;
	return ts;
}

static inline struct pt_tstate *tstate(pt_prof *p)
{
	uint32_t epoch = PT_LD(p->epoch);

	if (__builtin_expect(tl_cur.epoch == epoch, 1))
		return tl_cur.ts;
	return tstate_slow(p, epoch);
}

/* The calling thread's state in P's current generation if it has one. */
static struct pt_tstate *tstate_peek(pt_prof *p)
{
	uint32_t epoch = PT_LD(p->epoch);

	if (tl_cur.epoch == epoch)
		return tl_cur.ts;
	for (unsigned i = 0; i < TL_PROFS; i++)
		if (tl_more[i].epoch == epoch)
			return tl_more[i].ts;
	return NULL;
}

/* Resolve a block site or a named timer (SITE NULL, NAME given) to its index
 * in the generation of TS.  UINT32_MAX when it cannot be (ENOMEM, bad track,
 * or a clear made TS's generation old). */
static uint32_t site_resolve(pt_prof *p, struct pt_tstate *ts, struct pt_site *site,
			     const char *name)
{
	uint32_t idx = UINT32_MAX;

	pthread_mutex_lock(&p->lock);
	if (PT_LD(p->epoch) != ts->epoch)
		goto out;
	if (site) {
		if (site->track >= PT_PROF_TRACKS) {
			p->errors++;
			goto out;
		}
		idx = names_find_key(p->sites, site);
		if (idx == UINT32_MAX)
			idx = names_add(p->sites, site->name, site->file ? site->file : "?",
					site->line, site->track, site);
		if (idx != UINT32_MAX)
			PT_ST(site->cache, (uint64_t)ts->epoch << 32 | idx);
	} else {
		idx = names_find(p->sites, name);
		if (idx == UINT32_MAX)
			idx = names_add(p->sites, name, NULL, 0, 0, NULL);
	}
out:
	pthread_mutex_unlock(&p->lock);
	return idx;
}

/* The child of TS's current node for site IDX, created when new; updates the
 * site's slot.  NULL on ENOMEM. */
static struct pt_node *node_enter_slow(pt_prof *p, struct pt_tstate *ts, uint32_t idx)
{
	struct pt_node *cur = ts->cur, *n;
	const char *name;
	unsigned track;

	if (idx >= ts->nslots) {
		uint32_t cap = ts->nslots ? ts->nslots : 16;
		struct pt_nslot *s;

		while (cap <= idx)
			cap *= 2;
		s = realloc(ts->slots, cap * sizeof(*s));
		if (!s)
			return NULL;
		memset(s + ts->nslots, 0, (cap - ts->nslots) * sizeof(*s));
		ts->slots = s;
		ts->nslots = cap;
	}
	for (n = cur->child; n; n = n->sibling)
		if (n->site == idx)
			break;
	if (!n) {
		/* the table's array may move under a concurrent resolve; the
		 * name string itself lives as long as the profiler */
		pthread_mutex_lock(&p->lock);
		name = idx < ts->sites->n ? ts->sites->v[idx].name : "?";
		track = idx < ts->sites->n ? ts->sites->v[idx].track : 0;
		pthread_mutex_unlock(&p->lock);
		n = node_new(ts, cur, idx, name, track);
		if (!n)
			return NULL;
		n->sibling = cur->child;
		__atomic_store_n(&cur->child, n, __ATOMIC_RELEASE);
	}
	ts->slots[idx].parent = cur;
	ts->slots[idx].node = n;
	return n;
}

static inline void node_record(struct pt_node *n, uint64_t d)
{
	unsigned b = pt_phist_index(d);

	PT_ST(n->hits, n->hits + 1);
	PT_ST(n->total_ns, n->total_ns + d);
	if (d < n->min_ns)
		PT_ST(n->min_ns, d);
	if (d > n->max_ns)
		PT_ST(n->max_ns, d);
	PT_ST(n->hist[b], n->hist[b] + 1);
	PT_ST(n->parent->child_ns, n->parent->child_ns + d);
}

static char track_cats[PT_PROF_TRACKS][12];
static pthread_once_t track_cats_once = PTHREAD_ONCE_INIT;

static void track_cats_init(void)
{
	for (unsigned i = 0; i < PT_PROF_TRACKS; i++)
		snprintf(track_cats[i], sizeof(track_cats[i]), "track %u", i);
}

/* The trace category of a track's blocks, "track N". */
static const char *track_cat(unsigned track)
{
	pthread_once(&track_cats_once, track_cats_init);
	return track < PT_PROF_TRACKS ? track_cats[track] : "track";
}

static void trace_block(pt_trace *t, const struct pt_node *n, uint64_t t0, uint64_t d)
{
	pt_trace_complete_ts(t, n->name, track_cat(n->track), t0, d);
}

struct pt_scope pt_scope_enter(pt_prof *p, struct pt_site *site)
{
	struct pt_scope sc = { 0, 0 };
	struct pt_tstate *ts = tstate(p);
	struct pt_node *n;
	uint64_t c;
	uint32_t idx;

	if (__builtin_expect(!ts, 0))
		return sc;
	c = PT_LD(site->cache);
	if (__builtin_expect((uint32_t)(c >> 32) == ts->epoch, 1))
		idx = (uint32_t)c;
	else if ((idx = site_resolve(p, ts, site, NULL)) == UINT32_MAX)
		return sc;
	if (__builtin_expect(idx < ts->nslots && ts->slots[idx].parent == ts->cur, 1))
		n = ts->slots[idx].node;
	else if (!(n = node_enter_slow(p, ts, idx)))
		return sc;
	ts->cur = n;
	sc.node = n;
	sc.t0 = pt_now_ns();
	return sc;
}

void pt_scope_leave(struct pt_scope *s)
{
	uint64_t t1 = pt_now_ns();
	struct pt_node *n = s->node;
	uint64_t d = t1 - s->t0;
	pt_trace *t;

	node_record(n, d);
	n->ts->cur = n->parent;
	t = __atomic_load_n(&n->ts->prof->trace, __ATOMIC_RELAXED);
	if (__builtin_expect(t != NULL, 0))
		trace_block(t, n, s->t0, d);
}

int pt_prof_timer_start(pt_prof *p, const char *name)
{
	struct pt_tstate *ts;
	struct pt_node *n;
	uint32_t idx;

	if (!PT__ON(p, 0))
		return 0;
	if (!name)
		return pt_fail(EINVAL, "a timer needs a name");
	ts = tstate(p);
	if (!ts)
		return pt_fail(ENOMEM, "out of memory for timer '%s'", name);
	if (ts->ntimers == PT_PROF_OPEN_TIMERS) {
		__atomic_add_fetch(&p->errors, 1, __ATOMIC_RELAXED);
		return pt_fail(ENOSPC, "timer '%s': more than %d timers open on this thread",
			       name, PT_PROF_OPEN_TIMERS);
	}
	idx = site_resolve(p, ts, NULL, name);
	if (idx == UINT32_MAX)
		return 0; /* a clear raced with us, or no memory: nothing timed */
	if (idx < ts->nslots && ts->slots[idx].parent == ts->cur)
		n = ts->slots[idx].node;
	else if (!(n = node_enter_slow(p, ts, idx)))
		return pt_fail(ENOMEM, "out of memory for timer '%s'", name);
	ts->cur = n;
	ts->timers[ts->ntimers].node = n;
	ts->timers[ts->ntimers].t0 = pt_now_ns();
	ts->ntimers++;
	return 0;
}

int pt_prof_timer_stop(pt_prof *p, const char *name, double *elapsed_s)
{
	uint64_t t1 = pt_now_ns(), d;
	struct pt_tstate *ts = tstate_peek(p);
	struct pt_open_timer ot;
	pt_trace *t;
	unsigned i;

	if (elapsed_s)
		*elapsed_s = 0;
	if (!name)
		return pt_fail(EINVAL, "a timer needs a name");
	for (i = ts ? ts->ntimers : 0; i > 0; i--)
		if (strcmp(ts->timers[i - 1].node->name, name) == 0)
			break;
	if (i == 0) {
		/* a start while collection was off recorded nothing: not an error */
		if (!PT__ON(p, 0))
			return 0;
		__atomic_add_fetch(&p->errors, 1, __ATOMIC_RELAXED);
		return pt_fail(ENOENT, "timer '%s' was not started", name);
	}
	ot = ts->timers[i - 1];
	memmove(&ts->timers[i - 1], &ts->timers[i], (ts->ntimers - i) * sizeof(ot));
	ts->ntimers--;
	d = t1 - ot.t0;
	node_record(ot.node, d);
	if (ts->cur == ot.node)
		ts->cur = ot.node->parent;
	if (elapsed_s)
		*elapsed_s = (double)d / 1e9;
	t = __atomic_load_n(&p->trace, __ATOMIC_RELAXED);
	if (t)
		trace_block(t, ot.node, ot.t0, d);
	return 0;
}

/* ---- counters and memory records -------------------------------------------------- */

/* Counter NAME's index in the generation of TS (UINT32_MAX when the table
 * is full, memory is short or a clear made TS old); *STABLE receives the
 * table's copy of the name. */
static uint32_t counter_resolve(pt_prof *p, struct pt_tstate *ts, const char *name,
				const char **stable)
{
	uint32_t idx = UINT32_MAX;

	pthread_mutex_lock(&p->lock);
	if (PT_LD(p->epoch) == ts->epoch) {
		idx = names_find(ts->cnames, name);
		if (idx == UINT32_MAX) {
			if (ts->cnames->n < PT_PROF_COUNTERS)
				idx = names_add(ts->cnames, name, NULL, 0, 0, NULL);
			else
				p->errors++;
		}
		if (idx != UINT32_MAX && stable)
			*stable = ts->cnames->v[idx].name;
	}
	pthread_mutex_unlock(&p->lock);
	return idx;
}

static inline void counter_bump(struct pt_tstate *ts, uint32_t idx, uint64_t v)
{
	uint64_t *page = ts->counters[idx / PT_PROF_COUNTER_PAGE];

	if (__builtin_expect(!page, 0)) {
		page = calloc(PT_PROF_COUNTER_PAGE, sizeof(*page));
		if (!page)
			return;
		__atomic_store_n(&ts->counters[idx / PT_PROF_COUNTER_PAGE], page, __ATOMIC_RELEASE);
	}
	page += idx % PT_PROF_COUNTER_PAGE;
	PT_ST(*page, *page + v);
}

void pt_counter_site_add(pt_prof *p, struct pt_site *site, uint64_t value)
{
	struct pt_tstate *ts = tstate(p);
	uint64_t c;
	uint32_t idx;

	if (__builtin_expect(!ts, 0))
		return;
	c = PT_LD(site->cache);
	if (__builtin_expect((uint32_t)(c >> 32) == ts->epoch, 1)) {
		idx = (uint32_t)c;
	} else {
		idx = counter_resolve(p, ts, site->name, NULL);
		if (idx == UINT32_MAX)
			return;
		PT_ST(site->cache, (uint64_t)ts->epoch << 32 | idx);
	}
	counter_bump(ts, idx, value);
}

void pt_prof_counter_add(pt_prof *p, const char *name, uint64_t value)
{
	struct pt_tstate *ts;
	const char *stable = NULL;
	uint32_t idx, h = 2166136261u; /* FNV-1a */

	if (!PT__ON(p, 63) || !name)
		return;
	ts = tstate(p);
	if (!ts)
		return;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 16777619u;
	h %= PT_PROF_CCACHE;
	if (ts->ccache[h].name && strcmp(ts->ccache[h].name, name) == 0) {
		counter_bump(ts, ts->ccache[h].idx, value);
		return;
	}
	idx = counter_resolve(p, ts, name, &stable);
	if (idx == UINT32_MAX)
		return;
	ts->ccache[h].name = stable;
	ts->ccache[h].idx = idx;
	counter_bump(ts, idx, value);
}

uint64_t pt_prof_counter_value(pt_prof *p, uint32_t index)
{
	uint64_t sum = 0;

	for (struct pt_tstate *ts = p->threads; ts; ts = ts->next) {
		uint64_t *page = __atomic_load_n(&ts->counters[index / PT_PROF_COUNTER_PAGE],
						 __ATOMIC_ACQUIRE);

		if (page)
			sum += PT_LD(page[index % PT_PROF_COUNTER_PAGE]);
	}
	return sum;
}

void pt_prof_memory_record(pt_prof *p, const char *name, uint64_t bytes)
{
	pt_trace *t;
	size_t i;

	if (!PT__ON(p, 63) || !name)
		return;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nmem; i++)
		if (strcmp(p->mem[i].name, name) == 0)
			break;
	if (i == p->nmem) {
		if (p->nmem == p->capmem) {
			size_t cap = p->capmem ? p->capmem * 2 : 8;
			struct pt_memrec *m = realloc(p->mem, cap * sizeof(*m));

			if (!m)
				goto out;
			p->mem = m;
			p->capmem = cap;
		}
		p->mem[i].name = strdup(name);
		if (!p->mem[i].name)
			goto out;
		p->nmem++;
	}
	p->mem[i].bytes = bytes;
out:
	pthread_mutex_unlock(&p->lock);
	t = pt_prof_trace(p);
	if (t)
		pt_trace_counter(t, "memory records", name, (double)bytes);
}

int pt_prof_memory(pt_prof *p, const char *name, uint64_t *bytes)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nmem; i++) {
		if (strcmp(p->mem[i].name, name) == 0) {
			*bytes = p->mem[i].bytes;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (rc)
		pt_fail(ENOENT, "no memory record '%s'", name);
	return rc;
}

int pt_prof_counter(pt_prof *p, const char *name, uint64_t *value)
{
	uint32_t idx;

	pthread_mutex_lock(&p->lock);
	idx = names_find(p->counters, name);
	if (idx != UINT32_MAX)
		*value = pt_prof_counter_value(p, idx);
	pthread_mutex_unlock(&p->lock);
	if (idx == UINT32_MAX)
		return pt_fail(ENOENT, "no counter '%s'", name);
	return 0;
}

static void node_reset(struct pt_node *n)
{
	for (; n; n = n->sibling) {
		PT_ST(n->hits, 0);
		PT_ST(n->total_ns, 0);
		PT_ST(n->child_ns, 0);
		PT_ST(n->min_ns, UINT64_MAX);
		PT_ST(n->max_ns, 0);
		memset(n->hist, 0, sizeof(n->hist));
		node_reset(n->child);
	}
}

void pt_prof_thread_reset(pt_prof *p)
{
	struct pt_tstate *ts;

	if (!p || !(ts = tstate_peek(p)))
		return;
	node_reset(ts->root->child);
	PT_ST(ts->root->child_ns, 0);
	for (unsigned i = 0; i < PT_PROF_COUNTERS / PT_PROF_COUNTER_PAGE; i++)
		if (ts->counters[i])
			for (unsigned k = 0; k < PT_PROF_COUNTER_PAGE; k++)
				PT_ST(ts->counters[i][k], 0);
}

/* ---- snapshots ----------------------------------------------------------------- */

static void bstats_init(struct pt_bstats *b)
{
	memset(b, 0, sizeof(*b));
	b->min_ns = UINT64_MAX;
}

static void bstats_add_node(struct pt_bstats *b, const struct pt_node *n)
{
	uint64_t hits = PT_LD(n->hits), total = PT_LD(n->total_ns), child = PT_LD(n->child_ns);
	uint64_t mn = PT_LD(n->min_ns), mx = PT_LD(n->max_ns);

	if (!hits)
		return;
	b->hits += hits;
	b->total_ns += total;
	b->self_ns += total > child ? total - child : 0;
	if (mn < b->min_ns)
		b->min_ns = mn;
	if (mx > b->max_ns)
		b->max_ns = mx;
	for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++)
		b->hist[i] += PT_LD(n->hist[i]);
}

double pt_bstats_quantile(const struct pt_bstats *b, double q)
{
	uint64_t total = 0, rank, seen = 0;
	double v;

	for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++)
		total += b->hist[i];
	if (total == 0)
		return 0;
	rank = (uint64_t)(q * (double)total + 0.999999);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < PT_PHIST_BUCKETS; i++) {
		seen += b->hist[i];
		if (seen >= rank) {
			v = pt_phist_mid(i);
			if (v < (double)b->min_ns)
				v = (double)b->min_ns;
			if (v > (double)b->max_ns)
				v = (double)b->max_ns;
			return v;
		}
	}
	return (double)b->max_ns;
}

static void mnode_free(struct pt_mnode *m)
{
	while (m) {
		struct pt_mnode *next = m->sibling;

		mnode_free(m->child);
		free(m);
		m = next;
	}
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

		if (strcmp(s->sites[i].name, name) != 0 || !x->hits)
			continue;
		b.hits += x->hits;
		b.total_ns += x->total_ns;
		b.self_ns += x->self_ns;
		if (x->min_ns < b.min_ns)
			b.min_ns = x->min_ns;
		if (x->max_ns > b.max_ns)
			b.max_ns = x->max_ns;
		for (unsigned k = 0; k < PT_PHIST_BUCKETS; k++)
			b.hist[k] += x->hist[k];
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

void pt_prof_add_sample(pt_prof *p, const struct pt_sample *smp)
{
	pthread_mutex_lock(&p->lock);
	p->samples[p->nsamples % PT_PROF_SAMPLES_KEPT] = *smp;
	p->samples[p->nsamples % PT_PROF_SAMPLES_KEPT].t_s = (double)(pt_now_ns() - p->origin_ns) / 1e9;
	p->nsamples++;
	pthread_mutex_unlock(&p->lock);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

void pt_prof_add_measurement(pt_prof *p, const struct pt_mrecord *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return;
	add_str_or_null(o, "id", r->id);
	cJSON_AddNumberToObject(o, "time", r->time);
	cJSON_AddNumberToObject(o, "start_timestamp", r->start_timestamp);
	cJSON_AddNumberToObject(o, "end_timestamp", r->end_timestamp);
	cJSON_AddNumberToObject(o, "paused_time", r->paused_time);
	cJSON_AddNumberToObject(o, "pid", (double)r->pid);
	cJSON_AddNumberToObject(o, "ppid", (double)r->ppid);
	add_str_or_null(o, "process_name", r->process_name);
	add_str_or_null(o, "parent_process_name", r->parent_process_name);
	cJSON_AddBoolToObject(o, "broken", r->broken);
	add_str_or_null(o, "error_type", r->broken ? r->error_type : NULL);
	add_str_or_null(o, "error_value", r->broken ? r->error_value : NULL);
	add_str_or_null(o, "traceback", r->broken ? r->traceback : NULL);
	pthread_mutex_lock(&p->lock);
	if (!p->measurements)
		p->measurements = cJSON_CreateArray();
	if (p->measurements) {
		cJSON_AddItemToArray(p->measurements, o);
		o = NULL;
		/* the array held min(n, KEPT) rows before this one */
		if (p->nmeasurements >= PT_PROF_MEASUREMENTS_KEPT)
			cJSON_DeleteItemFromArray(p->measurements, 0);
	}
	p->nmeasurements++;
	pthread_mutex_unlock(&p->lock);
	cJSON_Delete(o);
}

/* ---- moving a thread's data between processes ---------------------------------- */

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

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct exp_buf {
	unsigned char *p;
	size_t len, cap;
	int full;
};

/* N bytes (rounded up to 8, so every record stays aligned) of B. */
static void *exp_take(struct exp_buf *b, size_t n)
{
	void *at;

	n = pad8(n);
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
		e = exp_take(b, sizeof(*e) + pad8(nl + 1) + pad8(fl + 1));
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
			memcpy(s + pad8(nl + 1), si->file, fl);
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
	struct pt_tstate *ts = p ? tstate_peek(p) : NULL;
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
		c = exp_take(&b, sizeof(*c) + pad8(nl + 1));
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

	n = pad8(n);
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
	if (!ts || !(ts->root = node_new(ts, NULL, UINT32_MAX, "", 0))) {
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

		if (!e || !(name = imp_take(&b, pad8((size_t)e->name_len + 1))) ||
		    !(file = imp_take(&b, pad8((size_t)e->file_len + 1))) || e->depth == 0 ||
		    e->depth > IMPORT_DEPTH || e->track >= PT_PROF_TRACKS) {
			rc = -EINVAL;
			break;
		}
		parent = stack[e->depth - 1];
		if (!parent) {
			rc = -EINVAL;
			break;
		}
		idx = e->key ? names_find_key(p->sites, (const void *)(uintptr_t)e->key)
			     : names_find(p->sites, name);
		if (idx == UINT32_MAX)
			idx = names_add(p->sites, name, e->file_len ? file : NULL, e->line, e->track,
					(const void *)(uintptr_t)e->key);
		n = idx == UINT32_MAX ? NULL : node_new(ts, parent, idx, p->sites->v[idx].name,
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

		if (!c || !(name = imp_take(&b, pad8((size_t)c->name_len + 1)))) {
			rc = -EINVAL;
			break;
		}
		idx = names_find(p->counters, name);
		if (idx == UINT32_MAX && p->counters->n < PT_PROF_COUNTERS)
			idx = names_add(p->counters, name, NULL, 0, 0, NULL);
		if (idx != UINT32_MAX)
			counter_bump(ts, idx, c->value);
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

