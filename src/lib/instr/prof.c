/* prof.c - the profiler: switches, tracks, blocks and timers, counters, memory records, per-thread state */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/thread.h"
#include "base/tlcache.h"
#include "base/util.h"
#include "instr/prof.h"
#include "instr/stamps.h"
#include "instr/trace.h"

/*
 * Hot path.  A profiler generation (from creation or a clear to the next
 * clear) has a process-unique 32-bit epoch.  Each thread caches the state it
 * uses for its recent profilers in thread-local storage keyed by that epoch
 * (base/tlcache.h), and each call site caches (epoch << 32 | site index) in
 * its static struct: when both match, entering a block takes no lock and no
 * lookup, only the parent comparison of the site's slot.  A clear takes a new epoch, so every cache
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

/* The calling thread's states in its recent profilers (initial-exec TLS:
 * see base/tlcache.h). */
static __thread struct pt_tlcache tl_states __attribute__((tls_model("initial-exec")));

/* ---- live profilers, so fork() leaves their locks usable --------------------- */

static pt_prof *prof_of(struct pt_fork_member *m)
{
	return (pt_prof *)(void *)((char *)m - offsetof(pt_prof, fork));
}

static void fork_lock(struct pt_fork_member *m)
{
	pthread_mutex_lock(&prof_of(m)->lock);
}

static void fork_unlock(struct pt_fork_member *m)
{
	pthread_mutex_unlock(&prof_of(m)->lock);
}

/* The child's thread is a new thread: it must not write into the copy of
 * the forking thread's state (a worker process would report its parent's
 * blocks as its own). */
static void fork_forget_states(void)
{
	pt_tlcache_clear(&tl_states);
}

static struct pt_fork_list live_profs =
	PT_FORK_LIST_INIT(fork_lock, fork_unlock, fork_unlock, fork_forget_states);

/* ---- small helpers --------------------------------------------------------- */

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

uint32_t pt_names_add(struct pt_names *t, const char *name, const char *file, int line,
		      unsigned track, const void *key)
{
	struct pt_site_info *si;

	if (PT_ARRAY_GROW(t->v, t->cap, (size_t)t->n + 1, 16) < 0)
		return UINT32_MAX;
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

uint32_t pt_names_find_key(const struct pt_names *t, const void *key)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].key == key)
			return i;
	return UINT32_MAX;
}

uint32_t pt_names_find(const struct pt_names *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->v[i].key && !t->v[i].file && strcmp(t->v[i].name, name) == 0)
			return i;
	return UINT32_MAX;
}

struct pt_node *pt_node_new(struct pt_tstate *ts, struct pt_node *parent, uint32_t site,
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
	pt_tree_free(n, offsetof(struct pt_node, child), offsetof(struct pt_node, sibling));
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
	pt_clock_init();
	p->track_mask = ((uint64_t)1 << PT_PROF_TRACKS) - 1;
	p->collecting = 1;
	p->origin_ns = pt_now_ns();
	PT_ST(p->epoch, new_epoch());
	update_switch(p);
	pt_fork_list_join(&live_profs, &p->fork);
	return p;
}

void pt_prof_free(pt_prof *p)
{
	struct pt_tstate *ts;

	if (!p)
		return;
	pt_fork_list_leave(&live_profs, &p->fork);
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
	struct pt_tstate *ts = pt_tlcache_find(&tl_states, epoch);

	if (ts)
		return ts;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return NULL;
	ts->prof = p;
	ts->tid = pt_gettid();
	pt_thread_name(ts->name, sizeof(ts->name));
	ts->root = pt_node_new(ts, NULL, UINT32_MAX, "", 0);
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
	pt_tlcache_put(&tl_states, ts->epoch, ts);
	return ts;
}

static inline struct pt_tstate *tstate(pt_prof *p)
{
	uint32_t epoch = PT_LD(p->epoch);

	if (__builtin_expect(tl_states.e[0].key == epoch, 1))
		return tl_states.e[0].val;
	return tstate_slow(p, epoch);
}

struct pt_tstate *pt_prof_thread_state(pt_prof *p)
{
	return pt_tlcache_peek(&tl_states, PT_LD(p->epoch));
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
		idx = pt_names_find_key(p->sites, site);
		if (idx == UINT32_MAX)
			idx = pt_names_add(p->sites, site->name, site->file ? site->file : "?",
					site->line, site->track, site);
		if (idx != UINT32_MAX)
			PT_ST(site->cache, (uint64_t)ts->epoch << 32 | idx);
	} else {
		idx = pt_names_find(p->sites, name);
		if (idx == UINT32_MAX)
			idx = pt_names_add(p->sites, name, NULL, 0, 0, NULL);
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
		size_t old = ts->nslots;

		if (PT_ARRAY_GROW(ts->slots, ts->nslots, (size_t)idx + 1, 16) < 0)
			return NULL;
		memset(ts->slots + old, 0, (ts->nslots - old) * sizeof(*ts->slots));
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
		n = pt_node_new(ts, cur, idx, name, track);
		if (!n)
			return NULL;
		n->sibling = cur->child;
		__atomic_store_n(&cur->child, n, __ATOMIC_RELEASE);
	}
	ts->slots[idx].parent = cur;
	ts->slots[idx].node = n;
	return n;
}

/*
 * Count duration D (ns) in node N.  A store whose address depends on a TSC
 * reading holds back the next rdtsc until the reading completes (about 6
 * ns each time on AMD Zen 4), and a block's next clock read comes a few
 * instructions later.  So the bucket is predicted to be the node's latest:
 * then the increment's address comes from memory, and only the branch
 * depends on D.  A block whose durations change bucket every time pays a
 * mispredicted branch instead of the stall; the counts are the same.
 */
static inline void node_record(struct pt_node *n, uint64_t d)
{
	unsigned b = pt_phist_index(d), last = n->last_bucket;

	PT_ST(n->hits, n->hits + 1);
	PT_ST(n->total_ns, n->total_ns + d);
	if (d < n->min_ns)
		PT_ST(n->min_ns, d);
	if (d > n->max_ns)
		PT_ST(n->max_ns, d);
	if (__builtin_expect(b == last, 1)) {
		/* keep the compiler from indexing with B, its equal */
		__asm__("" : "+r"(last));
		PT_ST(n->hist[last], n->hist[last] + 1);
	} else {
		PT_ST(n->hist[b], n->hist[b] + 1);
		n->last_bucket = b;
	}
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

/* A block that started at tick T0 and lasted D ns, as a trace event. */
static void trace_block(pt_trace *t, const struct pt_node *n, uint64_t t0, uint64_t d)
{
	pt_trace_complete_ts(t, n->name, track_cat(n->track), pt_ticks_to_mono_ns(t0), d);
}

/* The duration in ns from tick T0 to tick T1.  0 when T1 is earlier: a
 * thread that moved between CPUs whose TSCs differ by a few cycles must not
 * record a duration of 2^64 ns. */
static inline uint64_t ticks_between(uint64_t t0, uint64_t t1)
{
	uint64_t d = t1 - t0;

	return (int64_t)d < 0 ? 0 : pt_ticks_to_ns(d);
}

/* pt_scope_enter when a cache misses: the thread's first block in this
 * generation, the site's first use, or a new parent. */
static __attribute__((noinline)) struct pt_scope scope_enter_slow(pt_prof *p, struct pt_site *site)
{
	struct pt_scope sc = { 0, 0 };
	struct pt_tstate *ts = tstate(p);
	struct pt_node *n;
	uint64_t c;
	uint32_t idx;

	if (!ts)
		return sc;
	c = PT_LD(site->cache);
	if ((uint32_t)(c >> 32) == ts->epoch)
		idx = (uint32_t)c;
	else if ((idx = site_resolve(p, ts, site, NULL)) == UINT32_MAX)
		return sc;
	if (idx < ts->nslots && ts->slots[idx].parent == ts->cur)
		n = ts->slots[idx].node;
	else if (!(n = node_enter_slow(p, ts, idx)))
		return sc;
	ts->cur = n;
	sc.node = n;
	sc.t0 = pt_ticks();
	return sc;
}

/* The common case takes no lock and, with the TSC, calls nothing: the
 * thread's state, the site's index and the node it leads to from the
 * current block all come from caches, and the clock is read last. */
struct pt_scope pt_scope_enter(pt_prof *p, struct pt_site *site)
{
	struct pt_scope sc;
	struct pt_tstate *ts;
	struct pt_nslot *slot;
	uint32_t epoch = PT_LD(p->epoch);
	uint64_t c;

	if (__builtin_expect(tl_states.e[0].key != epoch, 0))
		return scope_enter_slow(p, site);
	ts = tl_states.e[0].val;
	c = PT_LD(site->cache);
	if (__builtin_expect((uint32_t)(c >> 32) != epoch || (uint32_t)c >= ts->nslots, 0))
		return scope_enter_slow(p, site);
	slot = &ts->slots[(uint32_t)c];
	if (__builtin_expect(slot->parent != ts->cur, 0))
		return scope_enter_slow(p, site);
	ts->cur = slot->node;
	sc.node = slot->node;
	sc.t0 = pt_ticks();
	return sc;
}

/* Out of line, so that leaving an untraced block saves no register for
 * the trace's call. */
static __attribute__((noinline)) void scope_trace(pt_trace *t, const struct pt_node *n,
						   uint64_t t0, uint64_t d)
{
	trace_block(t, n, t0, d);
}

void pt_scope_leave(struct pt_scope *s)
{
	uint64_t t1 = pt_ticks();
	struct pt_node *n = s->node;
	uint64_t d = ticks_between(s->t0, t1);
	pt_trace *t;

	node_record(n, d);
	n->ts->cur = n->parent;
	t = __atomic_load_n(&n->ts->prof->trace, __ATOMIC_RELAXED);
	if (__builtin_expect(t != NULL, 0))
		scope_trace(t, n, s->t0, d);
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
	ts->timers[ts->ntimers].t0 = pt_ticks();
	ts->ntimers++;
	return 0;
}

int pt_prof_timer_stop(pt_prof *p, const char *name, double *elapsed_s)
{
	uint64_t t1 = pt_ticks(), d;
	struct pt_tstate *ts = pt_prof_thread_state(p);
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
	d = ticks_between(ot.t0, t1);
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
		idx = pt_names_find(ts->cnames, name);
		if (idx == UINT32_MAX) {
			if (ts->cnames->n < PT_PROF_COUNTERS)
				idx = pt_names_add(ts->cnames, name, NULL, 0, 0, NULL);
			else
				p->errors++;
		}
		if (idx != UINT32_MAX && stable)
			*stable = ts->cnames->v[idx].name;
	}
	pthread_mutex_unlock(&p->lock);
	return idx;
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
	pt_counter_bump(ts, idx, value);
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
		pt_counter_bump(ts, ts->ccache[h].idx, value);
		return;
	}
	idx = counter_resolve(p, ts, name, &stable);
	if (idx == UINT32_MAX)
		return;
	ts->ccache[h].name = stable;
	ts->ccache[h].idx = idx;
	pt_counter_bump(ts, idx, value);
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
		if (PT_ARRAY_GROW(p->mem, p->capmem, p->nmem + 1, 8) < 0)
			goto out;
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
	idx = pt_names_find(p->counters, name);
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

	if (!p || !(ts = pt_prof_thread_state(p)))
		return;
	node_reset(ts->root->child);
	PT_ST(ts->root->child_ns, 0);
	for (unsigned i = 0; i < PT_PROF_COUNTERS / PT_PROF_COUNTER_PAGE; i++)
		if (ts->counters[i])
			for (unsigned k = 0; k < PT_PROF_COUNTER_PAGE; k++)
				PT_ST(ts->counters[i][k], 0);
}

/* ---- samples and measurement rows kept for the report ---------------------------- */

void pt_prof_add_sample(pt_prof *p, const struct pt_sample *smp)
{
	pthread_mutex_lock(&p->lock);
	p->samples[p->nsamples % PT_PROF_SAMPLES_KEPT] = *smp;
	p->samples[p->nsamples % PT_PROF_SAMPLES_KEPT].t_s = (double)(pt_now_ns() - p->origin_ns) / 1e9;
	p->nsamples++;
	pthread_mutex_unlock(&p->lock);
}

void pt_prof_add_measurement(pt_prof *p, cJSON *row)
{
	pthread_mutex_lock(&p->lock);
	if (!p->measurements)
		p->measurements = cJSON_CreateArray();
	if (p->measurements) {
		cJSON_AddItemToArray(p->measurements, row);
		row = NULL;
		/* the array held min(n, KEPT) rows before this one */
		if (p->nmeasurements >= PT_PROF_MEASUREMENTS_KEPT)
			cJSON_DeleteItemFromArray(p->measurements, 0);
	}
	p->nmeasurements++;
	pthread_mutex_unlock(&p->lock);
	cJSON_Delete(row);
}
