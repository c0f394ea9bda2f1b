/* trial.c - one trial: setup, a pinned worker pool, warm-up, measured phase */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "stats/hist.h"
#include "engine/loader.h"
#include "engine/params.h"
#include "instr/trialprof.h"
#include "base/sysmon.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "base/util.h"

/* Work is claimed in chunks from one shared counter.  A worker sizes its next
 * chunk so that the claim (an atomic add plus a clock read) costs at most
 * 1/DISPATCH_RATIO of the chunk's run time, i.e. dispatch stays under 1%. */
#define DISPATCH_RATIO 100.0
/* A chunk never runs longer than this, so a fixed-duration phase ends within
 * ~1 ms of its deadline and the last chunks balance across workers. */
#define CHUNK_MAX_NS 1000000.0
/* Chunk size may grow at most this factor per claim: the first estimates come
 * from few items and may be noisy. */
#define CHUNK_GROWTH 8.0
#define CHUNK_MAX_ITEMS (1u << 24)

/* A barrier whose party count can shrink, for workers that never started. */
struct barrier {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned parties, waiting;
	unsigned long generation;
};

/* PSHARED: the barrier lives in shared memory and joins processes; its
 * mutex is robust, so a worker process dying inside it cannot block the
 * others. */
static void barrier_init(struct barrier *b, unsigned parties, int pshared)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	if (pshared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
		pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&b->lock, &ma);
	pthread_cond_init(&b->cond, &ca);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	b->parties = parties;
	b->waiting = 0;
	b->generation = 0;
}

static void barrier_destroy(struct barrier *b)
{
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
}

static void barrier_lock(struct barrier *b)
{
	if (pthread_mutex_lock(&b->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&b->lock);
}

static void barrier_release_locked(struct barrier *b)
{
	b->waiting = 0;
	b->generation++;
	pthread_cond_broadcast(&b->cond);
}

static void barrier_wait(struct barrier *b)
{
	unsigned long gen;

	barrier_lock(b);
	gen = b->generation;
	if (++b->waiting >= b->parties) {
		barrier_release_locked(b);
	} else {
		while (gen == b->generation)
			pthread_cond_wait(&b->cond, &b->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

/* Wait at the barrier, calling POLL every 20 ms while waiting; POLL may
 * shrink the barrier (it runs without the lock). */
static void barrier_wait_polling(struct barrier *b, void (*poll)(void *), void *arg)
{
	unsigned long gen;

	barrier_lock(b);
	gen = b->generation;
	if (++b->waiting >= b->parties) {
		barrier_release_locked(b);
		pthread_mutex_unlock(&b->lock);
		return;
	}
	while (gen == b->generation) {
		struct timespec ts;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		rc = pthread_cond_timedwait(&b->cond, &b->lock, &ts);
		if (rc == EOWNERDEAD)
			pthread_mutex_consistent(&b->lock);
		if (gen != b->generation)
			break;
		if (rc == ETIMEDOUT || rc == EOWNERDEAD) {
			pthread_mutex_unlock(&b->lock);
			poll(arg);
			barrier_lock(b);
		}
	}
	pthread_mutex_unlock(&b->lock);
}

/* Remove parties that will never arrive (their threads failed to start). */
static void barrier_shrink(struct barrier *b, unsigned by)
{
	barrier_lock(b);
	b->parties -= by;
	if (b->waiting && b->waiting >= b->parties)
		barrier_release_locked(b);
	pthread_mutex_unlock(&b->lock);
}

struct pt_ctx {
	const pt_params *params;
	_Atomic unsigned char *param_used; /* one flag per parameter */
	unsigned workers;
	void *data;
	pthread_mutex_t lock;              /* guards the fields below */
	char *error;                       /* setup/teardown/parameter error */
	char *skip;
	struct pt_named_list notes;
	struct pt_named_list memory;
	struct pt_instr *instr;            /* the task's profiler (instr.c) */
};

struct pt_pool;

struct pt_worker {
	/* read and written by the owning thread only during a phase */
	pt_ctx *ctx;
	struct pt_pool *pool;
	unsigned index, count;
	int cpu, numa;
	void *data;
	int setup_rc;
	int msg_given;           /* pt_error() was called for the current item */
	const char *phase;       /* where the worker is, for crash reports */
	volatile uint64_t cur_item;
	uint64_t items, errors, chunks, busy_ns, dispatch_ns;
	uint64_t start_ns, end_ns;
	double chunk;            /* current chunk size, items */
	double item_ns;          /* moving estimate of one item's cost */
	double claim_ns;         /* moving estimate of one claim's cost */
	struct pt_hist *hist;
	struct {
		const char *key;     /* the caller's pointer, compared first */
		struct pt_named *slot;
	} fast[PT_MAX_COUNTERS];
	unsigned nfast;
	struct pt_named_list counters;
	struct pt_named_list memory;
	struct pt_msg_list msgs;
	struct pt_perf perf;
	struct rusage ru0, ru1;
	int cpu_start, cpu_end;
	pthread_t thread;
	struct pt_perf_value perfv[PT_PERF_EVENTS]; /* read by the worker itself */
	/* process workers (--isolation process) */
	pid_t pid, tid, ppid;
	char comm[32], parent_comm[32];
	int exit_signal;         /* the signal that ended the worker process, or 0 */
	int exit_status;         /* its exit status when it ended without one */
	int reaped;
	int done;                /* reached its normal end */
	char *arena;             /* shared memory for the names it leaves behind */
	size_t arena_size;
} __attribute__((aligned(64)));

struct pt_pool {
	const struct pt_task *task;
	const pt_topology *topo;
	const struct pt_trial_config *cfg;
	struct pt_worker *workers;
	struct barrier barrier;
	_Atomic uint64_t next;   /* next item to claim */
	atomic_int stop;         /* duration mode: end the current phase */
	atomic_int abort;        /* a worker failed its setup */
	atomic_uint finished;    /* workers done with the measured phase */
	uint64_t limit;          /* fixed-items mode: items of the phase, else 0 */
	uint64_t t0;             /* trial start, for relative times */
	int processes;           /* workers are processes, the pool is shared memory */
	unsigned dead;           /* worker processes that ended abnormally */
	size_t mapped;           /* bytes of the shared mapping holding the pool */
};

/* ---- names and messages ------------------------------------------------ */

void pt_named_set(struct pt_named_list *l, const char *name, double value, int add)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].name, name) == 0) {
			l->items[i].value = add ? l->items[i].value + value : value;
			return;
		}
	}
	if (l->n == PT_MAX_RECORDS || !(l->items[l->n].name = strdup(name))) {
		l->dropped++;
		return;
	}
	l->items[l->n++].value = value;
}

void pt_named_release(struct pt_named_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i].name);
	l->n = 0;
}

void pt_msg_add(struct pt_msg_list *l, const char *text, uint64_t count)
{
	l->total += count;
	for (unsigned i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].text, text) == 0) {
			l->items[i].count += count;
			return;
		}
	}
	if (l->n < PT_MAX_MESSAGES && (l->items[l->n].text = strdup(text)))
		l->items[l->n++].count = count;
}

void pt_msg_release(struct pt_msg_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i].text);
	l->n = 0;
}

/* ---- calls a task makes -------------------------------------------------- */

static void ctx_set_error(pt_ctx *ctx, char **slot, const char *fmt, va_list ap)
{
	char *msg = pt_vasprintf(fmt, ap);

	pthread_mutex_lock(&ctx->lock);
	if (!*slot)
		*slot = msg;
	else
		free(msg);
	pthread_mutex_unlock(&ctx->lock);
}

int pt_ctx_error(pt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_set_error(ctx, &ctx->error, fmt, ap);
	va_end(ap);
	return PT_FAIL;
}

int pt_skip(pt_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_set_error(ctx, &ctx->skip, fmt, ap);
	va_end(ap);
	return PT_SKIP;
}

static const char *param_lookup(pt_ctx *ctx, const char *key)
{
	ssize_t i = pt_params_find(ctx->params, key);

	if (i < 0)
		return NULL;
	atomic_store_explicit(&ctx->param_used[i], 1, memory_order_relaxed);
	return pt_params_value(ctx->params, (size_t)i);
}

static void param_error(pt_ctx *ctx, const char *key, const char *value, const char *what)
{
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->error)
		ctx->error = pt_asprintf("parameter '%s' = '%s' is not %s; fix -p %s=VALUE",
					 key, value, what, key);
	pthread_mutex_unlock(&ctx->lock);
}

const char *pt_param_str(pt_ctx *ctx, const char *key, const char *def)
{
	const char *v = param_lookup(ctx, key);

	return v ? v : def;
}

long long pt_param_int(pt_ctx *ctx, const char *key, long long def)
{
	const char *v = param_lookup(ctx, key);
	long long out;

	if (!v)
		return def;
	if (pt_parse_int(v, &out) < 0) {
		param_error(ctx, key, v, "an integer");
		return def;
	}
	return out;
}

double pt_param_double(pt_ctx *ctx, const char *key, double def)
{
	const char *v = param_lookup(ctx, key);
	double out;

	if (!v)
		return def;
	if (pt_parse_double(v, &out) < 0) {
		param_error(ctx, key, v, "a number");
		return def;
	}
	return out;
}

void pt_ctx_set_data(pt_ctx *ctx, void *data)
{
	ctx->data = data;
}

void *pt_ctx_data(const pt_ctx *ctx)
{
	return ctx->data;
}

unsigned pt_ctx_workers(const pt_ctx *ctx)
{
	return ctx->workers;
}

void pt_ctx_note(pt_ctx *ctx, const char *name, double value)
{
	pthread_mutex_lock(&ctx->lock);
	pt_named_set(&ctx->notes, name, value, 0);
	pthread_mutex_unlock(&ctx->lock);
}

void pt_ctx_memory_record(pt_ctx *ctx, const char *name, uint64_t bytes)
{
	pthread_mutex_lock(&ctx->lock);
	pt_named_set(&ctx->memory, name, (double)bytes, 0);
	pthread_mutex_unlock(&ctx->lock);
}

void pt_worker_set_data(pt_worker *w, void *data)
{
	w->data = data;
}

void *pt_worker_data(const pt_worker *w)
{
	return w->data;
}

pt_ctx *pt_worker_ctx(pt_worker *w)
{
	return w->ctx;
}

unsigned pt_worker_index(const pt_worker *w)
{
	return w->index;
}

unsigned pt_worker_count(const pt_worker *w)
{
	return w->count;
}

int pt_worker_cpu(const pt_worker *w)
{
	return w->cpu;
}

int pt_worker_numa(const pt_worker *w)
{
	return w->numa;
}

pt_prof *pt_worker_prof(pt_worker *w)
{
	return pt_instr_prof(w->ctx->instr);
}

pt_prof *pt_ctx_prof(pt_ctx *ctx)
{
	return pt_instr_prof(ctx->instr);
}

int pt_error(pt_worker *w, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pt_msg_add(&w->msgs, buf, 1);
	w->msg_given = 1;
	return PT_FAIL;
}

void pt_counter_add(pt_worker *w, const char *name, uint64_t value)
{
	struct pt_named *slot;

	for (unsigned i = 0; i < w->nfast; i++) {
		if (w->fast[i].key == name) {
			w->fast[i].slot->value += (double)value;
			return;
		}
	}
	pt_named_set(&w->counters, name, (double)value, 1);
	/* remember this pointer so the next call skips the string search */
	slot = NULL;
	for (unsigned i = 0; i < w->counters.n; i++)
		if (strcmp(w->counters.items[i].name, name) == 0)
			slot = &w->counters.items[i];
	if (slot && w->nfast < PT_MAX_COUNTERS) {
		w->fast[w->nfast].key = name;
		w->fast[w->nfast].slot = slot;
		w->nfast++;
	}
}

void pt_memory_record(pt_worker *w, const char *name, uint64_t bytes)
{
	pt_named_set(&w->memory, name, (double)bytes, 0);
}

/* ---- where a thread is, for crash reports -------------------------------- */

static _Thread_local struct pt_worker *tl_worker;
static const char *volatile main_phase = "idle";

void pt_trial_where(const char **phase, int *worker, uint64_t *item)
{
	struct pt_worker *w = tl_worker;

	*phase = w ? w->phase : main_phase;
	*worker = w ? (int)w->index : -1;
	*item = w ? w->cur_item : 0;
}

/* ---- the worker loop ----------------------------------------------------- */

static int current_cpu(void)
{
#ifdef HAVE_SCHED_GETCPU
	return sched_getcpu();
#else
	return -1;
#endif
}

/* Claim the next chunk: [*first, *first + return value), 0 when done. */
static uint64_t claim(struct pt_worker *w, uint64_t *first)
{
	struct pt_pool *p = w->pool;
	uint64_t want = (uint64_t)w->chunk, start;

	if (p->limit == 0) {
		if (atomic_load_explicit(&p->stop, memory_order_relaxed))
			return 0;
		*first = atomic_fetch_add_explicit(&p->next, want, memory_order_relaxed);
		return want;
	}
	/* fixed items: chunks shrink toward the end (guided scheduling) so
	 * workers finish together; an interrupt stops the phase early */
	if (atomic_load_explicit(&p->stop, memory_order_relaxed))
		return 0;
	start = atomic_load_explicit(&p->next, memory_order_relaxed);
	if (start >= p->limit)
		return 0;
	uint64_t fair = (p->limit - start) / (2u * w->count);
	if (want > fair)
		want = fair ? fair : 1;
	start = atomic_fetch_add_explicit(&p->next, want, memory_order_relaxed);
	if (start >= p->limit)
		return 0;
	*first = start;
	return start + want > p->limit ? p->limit - start : want;
}

static void adapt_chunk(struct pt_worker *w, uint64_t claim_ns, uint64_t run_ns, uint64_t n)
{
	double item = (double)run_ns / (double)n, target;

	/* exponential moving averages: a single preempted chunk does not
	 * swing the chunk size */
	w->item_ns = w->item_ns > 0 ? 0.75 * w->item_ns + 0.25 * item : item;
	w->claim_ns = w->claim_ns > 0 ? 0.75 * w->claim_ns + 0.25 * (double)claim_ns
				      : (double)claim_ns;
	target = DISPATCH_RATIO * w->claim_ns / (w->item_ns > 0.1 ? w->item_ns : 0.1);
	if (target * w->item_ns > CHUNK_MAX_NS)
		target = CHUNK_MAX_NS / (w->item_ns > 0.1 ? w->item_ns : 0.1);
	if (target > w->chunk * CHUNK_GROWTH)
		target = w->chunk * CHUNK_GROWTH;
	if (target < 1.0)
		target = 1.0;
	if (target > CHUNK_MAX_ITEMS)
		target = CHUNK_MAX_ITEMS;
	w->chunk = ceil(target);
}

static void item_failed(struct pt_worker *w, int rc)
{
	w->errors++;
	if (!w->msg_given) {
		char buf[64];

		snprintf(buf, sizeof(buf), "run returned %d", rc);
		pt_msg_add(&w->msgs, buf, 1);
	}
	w->msg_given = 0;
}

/* Run items until the phase ends.  MEASURE selects whether this is the
 * measured phase (counts, latency) or the warm-up (chunk calibration only). */
static void run_phase(struct pt_worker *w, int measure)
{
	int (*run)(pt_worker *, uint64_t) = w->pool->task->run;
	int latency = measure && w->pool->cfg->record_latency;
	uint64_t first = 0, n, t_prev = pt_now_ns(), t_claimed, t_end;

	while ((n = claim(w, &first)) != 0) {
		t_claimed = pt_now_ns();
		if (latency) {
			uint64_t t = t_claimed;

			for (uint64_t i = first; i < first + n; i++) {
				w->cur_item = i;
				int rc = run(w, i);
				uint64_t now = pt_now_ns();

				pt_hist_record(w->hist, now - t);
				t = now;
				if (__builtin_expect(rc != PT_OK, 0))
					item_failed(w, rc);
			}
			t_end = t;
		} else {
			for (uint64_t i = first; i < first + n; i++) {
				w->cur_item = i;
				int rc = run(w, i);

				if (__builtin_expect(rc != PT_OK, 0))
					item_failed(w, rc);
			}
			t_end = pt_now_ns();
		}
		if (measure) {
			w->items += n;
			w->chunks++;
			w->busy_ns += t_end - t_claimed;
			w->dispatch_ns += t_claimed - t_prev;
		}
		adapt_chunk(w, t_claimed - t_prev, t_end - t_claimed, n);
		t_prev = t_end;
	}
}

static void *worker_main(void *arg)
{
	struct pt_worker *w = arg;
	struct pt_pool *p = w->pool;
	const struct pt_trial_config *c = p->cfg;

	/* a stack for the crash reporter, so a stack overflow is reported too */
	stack_t alt = { .ss_size = 64 * 1024 }, off = { .ss_flags = SS_DISABLE };

	alt.ss_sp = malloc(alt.ss_size);
	if (alt.ss_sp)
		sigaltstack(&alt, NULL);
	tl_worker = w;
	w->tid = gettid();
	pt_instr_worker_begin(w->ctx->instr, w->index);
	w->phase = "worker_setup";
	if (w->cpu >= 0 && pt_topology_bind_thread(p->topo, w->cpu) < 0) {
		pt_msg_add(&w->msgs, pt_last_error(), 1);
		w->setup_rc = PT_FAIL;
		atomic_store(&p->abort, 1);
	}
	if (w->setup_rc == PT_OK && p->task->worker_setup) {
		w->setup_rc = p->task->worker_setup(w);
		if (w->setup_rc != PT_OK) {
			if (!w->msg_given && w->setup_rc != PT_SKIP) {
				char buf[64];

				snprintf(buf, sizeof(buf), "worker_setup returned %d", w->setup_rc);
				pt_msg_add(&w->msgs, buf, 1);
			}
			atomic_store(&p->abort, 1);
		}
	}
	w->msg_given = 0;
	if (c->counters)
		pt_perf_open(&w->perf);
	barrier_wait(&p->barrier); /* 1: everyone set up */
	barrier_wait(&p->barrier); /* 2: warm-up may start */
	w->phase = "warmup";
	/* --warmup 0 runs no unmeasured item at all */
	if (!atomic_load(&p->abort) && c->warmup_s > 0)
		run_phase(w, 0);
	barrier_wait(&p->barrier); /* 3: warm-up over */
	/* what the warm-up counted is not part of the measurement (a failed
	 * worker_setup keeps its messages: they explain the trial) */
	if (w->setup_rc == PT_OK && !atomic_load(&p->abort)) {
		for (unsigned i = 0; i < w->counters.n; i++)
			w->counters.items[i].value = 0;
		w->errors = 0;
		pt_msg_release(&w->msgs);
		w->msgs.total = 0;
		pt_instr_worker_measure(w->ctx->instr);
	}
	if (!atomic_load(&p->abort)) {
		w->cpu_start = current_cpu();
		pt_rusage_thread(&w->ru0);
		if (c->counters)
			pt_perf_enable(&w->perf);
	}
	barrier_wait(&p->barrier); /* 4: measured phase starts */
	w->phase = "run";
	if (!atomic_load(&p->abort)) {
		w->start_ns = pt_now_ns();
		run_phase(w, 1);
		w->end_ns = pt_now_ns();
		if (c->counters)
			pt_perf_disable(&w->perf);
		pt_rusage_thread(&w->ru1);
		w->cpu_end = current_cpu();
		pt_instr_worker_end(w->ctx->instr, w->start_ns, w->end_ns);
	}
	/* counters are read here: a worker process's descriptors are its own */
	if (c->counters)
		pt_perf_read_close(&w->perf, w->perfv);
	atomic_fetch_add(&p->finished, 1);
	barrier_wait(&p->barrier); /* 5: measured phase over */
	w->phase = "worker_teardown";
	if (w->setup_rc == PT_OK && p->task->worker_teardown)
		p->task->worker_teardown(w);
	tl_worker = NULL;
	if (alt.ss_sp) {
		sigaltstack(&off, NULL);
		free(alt.ss_sp);
	}
	return NULL;
}

/* ---- the trial ------------------------------------------------------------ */

void pt_trial_config_init(struct pt_trial_config *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 1;
	c->placement = PT_PLACE_NONE;
	c->duration_s = 1.0;
	/* long enough to fault in code and data and size the chunks, short
	 * enough not to dominate a tune of many trials */
	c->warmup_s = 0.1;
	c->record_latency = 1;
	c->counters = 1;
}

const char *pt_status_name(enum pt_status s)
{
	static const char *const names[] = {
		"ok", "failed", "skipped", "crashed", "timeout", "interrupted",
		"out-of-memory", "exited",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* Set from signal handlers and any thread: a lock-free atomic is both
 * async-signal-safe and race-free. */
static atomic_int interrupt_requested;

void pt_interrupt(void)
{
	atomic_store_explicit(&interrupt_requested, 1, memory_order_relaxed);
}

int pt_interrupted(void)
{
	return atomic_load_explicit(&interrupt_requested, memory_order_relaxed) != 0;
}

void pt_interrupt_clear(void)
{
	atomic_store_explicit(&interrupt_requested, 0, memory_order_relaxed);
}

/* Sleep until DEADLINE in short steps, returning early on pt_interrupt(). */
static void sleep_interruptible(uint64_t deadline)
{
	/* 20 ms: Ctrl-C feels immediate, and the wake-ups cost nothing */
	const uint64_t step = 20000000;

	for (uint64_t now = pt_now_ns(); now < deadline && !pt_interrupted();
	     now = pt_now_ns())
		pt_sleep_until(deadline - now > step ? now + step : deadline);
}

static double now_unix(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void set_message(pt_trial *tr, const char *msg)
{
	if (!tr->message && msg)
		tr->message = strdup(msg);
}

/* Fold the workers' measurements into the trial. */
static void collect(pt_trial *tr, struct pt_pool *p, struct pt_hist *all)
{
	unsigned n = tr->s.workers;
	uint64_t min_start = UINT64_MAX, max_end = 0, busy = 0, dispatch = 0, chunks = 0;
	double mean_items, max_items = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pt_worker *w = &p->workers[i];
		struct pt_worker_result *r = &tr->workers[i];

		r->items = w->items;
		r->errors = w->errors;
		r->chunks = w->chunks;
		r->busy_s = (double)w->busy_ns / 1e9;
		r->dispatch_s = (double)w->dispatch_ns / 1e9;
		r->start_s = w->start_ns ? (double)(w->start_ns - p->t0) / 1e9 : 0;
		r->end_s = w->end_ns ? (double)(w->end_ns - p->t0) / 1e9 : 0;
		r->cpu_start = w->cpu_start;
		r->cpu_end = w->cpu_end;
		if (w->end_ns)
			pt_rusage_diff(&w->ru0, &w->ru1, &r->ru);
		pt_hist_summary(w->hist, &r->latency);
		pt_hist_merge(all, w->hist);
		if (tr->config.counters)
			memcpy(r->perf, w->perfv, sizeof(r->perf));
		else
			for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
				r->perf[k].status = PT_PERF_OFF;
		r->pid = w->pid;
		r->tid = w->tid;
		r->ppid = w->ppid;
		snprintf(r->process_name, sizeof(r->process_name), "%s", w->comm);
		snprintf(r->parent_process_name, sizeof(r->parent_process_name), "%s",
			 w->parent_comm);
		r->exit_signal = w->exit_signal;
		r->exit_status = w->exit_status;
		r->broken = p->processes && !w->done;
		if (r->broken)
			snprintf(r->broken_phase, sizeof(r->broken_phase), "%s",
				 w->phase ? w->phase : "?");
		r->broken_item = w->cur_item;
		pt_perf_merge(tr->perf, r->perf, i == 0);

		for (unsigned k = 0; k < w->counters.n; k++)
			pt_named_set(&tr->counters, w->counters.items[k].name,
				     w->counters.items[k].value, 1);
		for (unsigned k = 0; k < w->memory.n; k++)
			pt_named_set(&tr->memory, w->memory.items[k].name,
				     w->memory.items[k].value, 1);
		for (unsigned k = 0; k < w->msgs.n; k++)
			pt_msg_add(&tr->errors, w->msgs.items[k].text, w->msgs.items[k].count);
		if (w->counters.dropped || w->memory.dropped) {
			char buf[160];

			snprintf(buf, sizeof(buf), "more than %d counter or memory record names: "
				 "updates to further names were dropped", PT_MAX_COUNTERS);
			pt_msg_add(&tr->warnings, buf, w->counters.dropped + w->memory.dropped);
		}
		r->counters = w->counters;
		memset(&w->counters, 0, sizeof(w->counters));
		r->memory = w->memory;
		memset(&w->memory, 0, sizeof(w->memory));
		pt_rusage_add(&tr->ru, &r->ru);
		tr->s.items += w->items;
		tr->s.errors += w->errors;
		busy += w->busy_ns;
		dispatch += w->dispatch_ns;
		chunks += w->chunks;
		if (w->start_ns && w->start_ns < min_start)
			min_start = w->start_ns;
		if (w->end_ns > max_end)
			max_end = w->end_ns;
		if ((double)w->items > max_items)
			max_items = (double)w->items;
	}
	if (max_end > min_start && min_start != UINT64_MAX)
		tr->s.wall_s = (double)(max_end - min_start) / 1e9;
	tr->s.throughput = tr->s.wall_s > 0 ? (double)tr->s.items / tr->s.wall_s : 0;
	mean_items = (double)tr->s.items / n;
	tr->s.imbalance = mean_items > 0 ? max_items / mean_items - 1.0 : 0;
	tr->s.cpu_user_s = tr->ru.user_s;
	tr->s.cpu_sys_s = tr->ru.sys_s;
	tr->dispatch_overhead = busy ? (double)dispatch / (double)busy : 0;
	tr->mean_chunk = chunks ? (double)tr->s.items / (double)chunks : 0;
	pt_hist_summary(all, &tr->s.latency);
}

static int check_config(const struct pt_trial_config *c)
{
	if (c->workers == 0)
		return pt_fail(EINVAL, "a trial needs at least 1 worker");
	if (c->items == 0 && !(c->duration_s > 0))
		return pt_fail(EINVAL, "a trial needs --items > 0 or --duration > 0");
	if (!(c->warmup_s >= 0))
		return pt_fail(EINVAL, "the warm-up cannot be negative");
	return 0;
}

/* Names a worker process may leave behind: 64 counter and memory names and
 * 8 messages, with room to spare. */
#define ARENA_SIZE (16 * 1024)

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* The pool, its workers and their histograms in one block: ordinary memory
 * for threads, a shared mapping (with name arenas) for worker processes. */
static struct pt_pool *pool_new(unsigned n, int processes)
{
	size_t head = align64(sizeof(struct pt_pool));
	size_t workers = align64(sizeof(struct pt_worker) * n);
	size_t hists = align64(sizeof(struct pt_hist)) * n;
	size_t arenas = processes ? (size_t)ARENA_SIZE * n : 0;
	size_t size = head + workers + hists + arenas;
	char *base;
	struct pt_pool *p;

	if (processes) {
		base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return NULL;
	} else {
		base = aligned_alloc(64, size);
		if (!base)
			return NULL;
		memset(base, 0, size);
	}
	p = (struct pt_pool *)base;
	p->processes = processes;
	p->mapped = processes ? size : 0;
	p->workers = (struct pt_worker *)(base + head);
	for (unsigned i = 0; i < n; i++) {
		p->workers[i].hist = (struct pt_hist *)(base + head + workers +
							align64(sizeof(struct pt_hist)) * i);
		if (processes) {
			p->workers[i].arena = base + head + workers + hists + (size_t)ARENA_SIZE * i;
			p->workers[i].arena_size = ARENA_SIZE;
		}
	}
	return p;
}

static void pool_free(struct pt_pool *p)
{
	if (!p)
		return;
	if (p->processes)
		munmap(p, p->mapped);
	else
		free(p);
}

/* /proc/PID/comm into BUF. */
static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Copy S into the worker's shared arena; the arena copy, or NULL. */
static char *arena_keep(struct pt_worker *w, size_t *used, const char *s)
{
	size_t len = strlen(s) + 1;
	char *d;

	if (*used + len > w->arena_size)
		return NULL;
	d = w->arena + *used;
	memcpy(d, s, len);
	*used += len;
	return d;
}

/* In a worker process about to end: move the names it allocated into
 * shared memory, where the trial process can read them. */
static void export_names(struct pt_worker *w)
{
	struct pt_named_list *lists[] = { &w->counters, &w->memory };
	size_t used = 0;

	for (unsigned l = 0; l < 2; l++) {
		unsigned k = 0;

		for (unsigned i = 0; i < lists[l]->n; i++) {
			char *name = arena_keep(w, &used, lists[l]->items[i].name);

			if (name) {
				lists[l]->items[k] = lists[l]->items[i];
				lists[l]->items[k++].name = name;
			}
		}
		lists[l]->n = k;
	}
	for (unsigned i = 0, k = 0, n = w->msgs.n; i < n; i++, w->msgs.n = k) {
		char *text = arena_keep(w, &used, w->msgs.items[i].text);

		if (text) {
			w->msgs.items[k] = w->msgs.items[i];
			w->msgs.items[k++].text = text;
		}
	}
}

/* In the trial process: take over the names a worker process left in
 * shared memory (or forget them when it died: they are its own heap's). */
static void adopt_names(struct pt_worker *w)
{
	struct pt_named_list *lists[] = { &w->counters, &w->memory };
	int dead = !w->done;

	for (unsigned l = 0; l < 2; l++) {
		for (unsigned i = 0; i < lists[l]->n; i++)
			lists[l]->items[i].name = dead ? NULL : strdup(lists[l]->items[i].name);
		if (dead)
			lists[l]->n = 0;
		else
			for (unsigned i = 0; i < lists[l]->n; i++)
				if (!lists[l]->items[i].name)
					lists[l]->items[i].name = strdup("?");
	}
	for (unsigned i = 0; i < w->msgs.n; i++)
		w->msgs.items[i].text = dead ? NULL : strdup(w->msgs.items[i].text);
	if (dead)
		w->msgs.n = 0;
}

static void worker_process(struct pt_worker *w)
{
	static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
					     SIGSYS, SIGTRAP };

	/* a crash ends this worker, reported by its exit status to the trial
	 * process, which ends the trial cleanly */
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		signal(crash_signals[i], SIG_DFL);
	w->pid = getpid();
	w->ppid = getppid();
	read_comm(w->pid, w->comm, sizeof(w->comm));
	read_comm(w->ppid, w->parent_comm, sizeof(w->parent_comm));
	worker_main(w);
	export_names(w);
	pt_instr_worker_exit(w->ctx->instr, w->index);
	w->done = 1;
	_exit(0);
}

/* Trial process, while waiting: collect worker processes that ended before
 * their time; each one shrinks the barrier and ends the measured phase. */
static void reap_workers(void *arg)
{
	struct pt_pool *p = arg;

	for (unsigned i = 0; i < p->workers[0].count; i++) {
		struct pt_worker *w = &p->workers[i];
		int st;

		if (w->reaped || w->pid <= 0 || waitpid(w->pid, &st, WNOHANG) != w->pid)
			continue;
		w->reaped = 1;
		if (WIFSIGNALED(st))
			w->exit_signal = WTERMSIG(st);
		else if (!w->done)
			w->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		else
			continue; /* a normal end: it passed every barrier */
		p->dead++;
		atomic_store(&p->stop, 1);
		atomic_fetch_add(&p->finished, 1);
		barrier_shrink(&p->barrier, 1);
	}
}

static void main_wait(struct pt_pool *p)
{
	if (p->processes)
		barrier_wait_polling(&p->barrier, reap_workers, p);
	else
		barrier_wait(&p->barrier);
}

static int start_worker(struct pt_pool *p, struct pt_worker *w)
{
	pid_t pid;

	if (!p->processes)
		return pthread_create(&w->thread, NULL, worker_main, w);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		worker_process(w);
	w->pid = pid;
	return 0;
}

static void run_workers(pt_trial *tr, struct pt_pool *p)
{
	unsigned n = tr->s.workers, started = 0;
	const struct pt_trial_config *c = p->cfg;
	uint64_t t;

	barrier_init(&p->barrier, n + 1, p->processes);
	for (unsigned i = 0; i < n; i++) {
		int err = start_worker(p, &p->workers[i]);

		if (err) {
			char buf[160];

			snprintf(buf, sizeof(buf), "cannot start worker %u of %u: %s; "
				 "lower --workers or raise the thread limit", i, n, strerror(err));
			set_message(tr, buf);
			tr->s.status = PT_STATUS_FAILED;
			atomic_store(&p->abort, 1);
			barrier_shrink(&p->barrier, n - i);
			break;
		}
		started++;
	}
	main_phase = "workers";
	main_wait(p); /* 1 */
	/* warm-up: duration based, all workers, not measured */
	atomic_store(&p->stop, 0);
	atomic_store(&p->next, 0);
	p->limit = 0;
	main_wait(p); /* 2 */
	t = pt_now_ns();
	if (!atomic_load(&p->abort) && c->warmup_s > 0)
		sleep_interruptible(t + (uint64_t)(c->warmup_s * 1e9));
	atomic_store(&p->stop, 1);
	main_wait(p); /* 3 */
	tr->warmup_s = (double)(pt_now_ns() - t) / 1e9;
	atomic_store(&p->stop, 0);
	atomic_store(&p->next, 0);
	p->limit = c->items;
	main_wait(p); /* 4 */
	if (c->items == 0 && !atomic_load(&p->abort)) {
		sleep_interruptible(pt_now_ns() + (uint64_t)(c->duration_s * 1e9));
		atomic_store(&p->stop, 1);
	} else if (!atomic_load(&p->abort)) {
		/* fixed items: watch for an interrupt while the workers run */
		while (!atomic_load(&p->stop) && !pt_interrupted() &&
		       atomic_load(&p->finished) < started) {
			pt_sleep_until(pt_now_ns() + 20000000);
			if (p->processes)
				reap_workers(p);
		}
		if (pt_interrupted())
			atomic_store(&p->stop, 1);
	}
	main_wait(p); /* 5 */
	for (unsigned i = 0; i < started; i++) {
		struct pt_worker *w = &p->workers[i];
		int st;

		if (!p->processes) {
			pthread_join(w->thread, NULL);
			continue;
		}
		if (!w->reaped) {
			while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
				;
			w->reaped = 1;
			if (WIFSIGNALED(st))
				w->exit_signal = WTERMSIG(st);
			else if (!w->done)
				w->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		adopt_names(w);
	}
	if (p->processes && p->dead && tr->s.status == PT_STATUS_OK) {
		char buf[200];

		for (unsigned i = 0; i < started; i++) {
			struct pt_worker *w = &p->workers[i];

			if (w->done)
				continue;
			if (w->exit_signal)
				snprintf(buf, sizeof(buf), "worker %u (pid %d) ended by SIG%s (%s) in %s, "
					 "item %llu", i, (int)w->pid, sigabbrev_np(w->exit_signal) ?
					 sigabbrev_np(w->exit_signal) : "?", strsignal(w->exit_signal),
					 w->phase ? w->phase : "?", (unsigned long long)w->cur_item);
			else
				snprintf(buf, sizeof(buf), "worker %u (pid %d) called exit(%d) in %s",
					 i, (int)w->pid, w->exit_status, w->phase ? w->phase : "?");
			set_message(tr, buf);
			break;
		}
		tr->s.status = PT_STATUS_CRASHED;
	}
	barrier_destroy(&p->barrier);
}

pt_trial *pt_trial_run_inprocess(pt_module *m, const pt_topology *t,
				 const struct pt_trial_config *c)
{
	const struct pt_task *task = m->task;
	pt_topology *own_topo = NULL;
	struct pt_slot *slots = NULL;
	struct pt_hist *all = NULL;
	struct pt_pool *pool = NULL;
	struct pt_memsnap snap;
	pt_ctx ctx;
	pt_trial *tr;
	unsigned n;
	int rc, err;
	uint64_t t_setup;

	if (check_config(c) < 0)
		return NULL;
	n = c->workers;
	if (!t) {
		own_topo = pt_topology_new(NULL);
		if (!own_topo)
			return NULL;
		t = own_topo;
	}
	memset(&ctx, 0, sizeof(ctx));
	pool = pool_new(n, c->isolation == PT_ISOLATE_PROCESS);
	tr = calloc(1, sizeof(*tr));
	slots = calloc(n, sizeof(*slots));
	all = malloc(sizeof(*all));
	ctx.param_used = calloc(pt_params_count(c->params) + 1, sizeof(*ctx.param_used));
	if (!tr || !slots || !all || !ctx.param_used || !pool) {
		pt_fail(ENOMEM, "out of memory for %u workers", n);
		goto fail;
	}
	tr->workers = calloc(n, sizeof(*tr->workers));
	if (!tr->workers) {
		pt_fail(ENOMEM, "out of memory for %u workers", n);
		goto fail;
	}
	if (pt_topology_plan(t, c->placement, n, slots) < 0)
		goto fail;
	pt_hist_clear(all);
	for (unsigned i = 0; i < n; i++) {
		struct pt_worker *w = &pool->workers[i];

		pt_hist_clear(w->hist);
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			w->perfv[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;
		w->ctx = &ctx;
		w->pool = pool;
		w->index = i;
		w->count = n;
		w->cpu = t->synthetic ? -1 : slots[i].pu;
		w->numa = t->synthetic ? -1 : slots[i].numa;
		w->cpu_start = w->cpu_end = -1;
		w->chunk = 1;
		tr->workers[i].index = i;
		tr->workers[i].slot = slots[i];
		tr->workers[i].cpu_start = tr->workers[i].cpu_end = -1;
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			tr->workers[i].perf[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;
	}
	for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
		tr->perf[k].status = c->counters ? PT_PERF_NOT_COUNTED : PT_PERF_OFF;

	tr->config = *c;
	tr->config.params = NULL;
	tr->s.workers = n;
	tr->started = now_unix();
	ctx.params = c->params;
	ctx.workers = n;
	pthread_mutex_init(&ctx.lock, NULL);
	pool->task = task;
	pool->topo = t;
	pool->cfg = c;
	ctx.instr = pt_instr_trial_begin(c, task->name, n);

	tr->peak_rss_reset = pt_reset_peak_rss();
	pt_memsnap_read(&snap);
	tr->rss_start = snap.rss;
	tr->heap_start = snap.heap;
	pool->t0 = t_setup = pt_now_ns();

	main_phase = "setup";
	rc = task->setup ? task->setup(&ctx) : PT_OK;
	tr->setup_s = (double)(pt_now_ns() - t_setup) / 1e9;
	if (rc == PT_SKIP) {
		tr->s.status = PT_STATUS_SKIPPED;
		set_message(tr, ctx.skip ? ctx.skip : "skipped by the task");
	} else if (rc != PT_OK || ctx.error) {
		char buf[64];

		tr->s.status = PT_STATUS_FAILED;
		snprintf(buf, sizeof(buf), "setup returned %d", rc);
		set_message(tr, ctx.error ? ctx.error : buf);
		/* setup succeeded but read a malformed parameter: it may hold
		 * resources only teardown releases */
		main_phase = "teardown";
		if (rc == PT_OK && task->teardown)
			task->teardown(&ctx);
	} else {
		run_workers(tr, pool);
		collect(tr, pool, all);
		for (unsigned i = 0; i < n && tr->s.status == PT_STATUS_OK; i++) {
			if (pool->workers[i].setup_rc == PT_SKIP) {
				tr->s.status = PT_STATUS_SKIPPED;
				set_message(tr, ctx.skip ? ctx.skip : "skipped by worker_setup");
			} else if (pool->workers[i].setup_rc != PT_OK) {
				tr->s.status = PT_STATUS_FAILED;
			}
		}
		if (tr->s.status == PT_STATUS_OK && (tr->s.errors || ctx.error))
			tr->s.status = PT_STATUS_FAILED;
		if (tr->s.status == PT_STATUS_OK && pt_interrupted()) {
			tr->s.status = PT_STATUS_INTERRUPTED;
			set_message(tr, "interrupted");
		}
		if (tr->s.status == PT_STATUS_FAILED) {
			set_message(tr, ctx.error);
			if (tr->errors.n)
				set_message(tr, tr->errors.items[0].text);
			if (!tr->message)
				set_message(tr, "the task failed");
		}
		t_setup = pt_now_ns();
		main_phase = "teardown";
		if (task->teardown)
			task->teardown(&ctx);
		tr->teardown_s = (double)(pt_now_ns() - t_setup) / 1e9;
		if (ctx.error && tr->s.status == PT_STATUS_OK) {
			tr->s.status = PT_STATUS_FAILED;
			set_message(tr, ctx.error);
		}
	}

	tr->instrumentation = pt_instr_trial_end(ctx.instr);
	main_phase = "idle";
	pt_memsnap_read(&snap);
	tr->rss_end = snap.rss;
	tr->heap_end = snap.heap;
	tr->s.peak_rss = snap.hwm;
	for (size_t i = 0; i < pt_params_count(c->params); i++) {
		if (!ctx.param_used[i] && tr->s.status != PT_STATUS_FAILED) {
			char buf[256];

			snprintf(buf, sizeof(buf), "parameter '%s' was not used by task '%s'",
				 pt_params_key(c->params, i), task->name ? task->name : "?");
			pt_msg_add(&tr->warnings, buf, 1);
		}
	}
	for (unsigned k = 0; k < ctx.memory.n; k++)
		pt_named_set(&tr->memory, ctx.memory.items[k].name, ctx.memory.items[k].value, 0);
	tr->notes = ctx.notes;
	memset(&ctx.notes, 0, sizeof(ctx.notes));
	pt_named_release(&ctx.memory);
	free(ctx.error);
	free(ctx.skip);
	pthread_mutex_destroy(&ctx.lock);
	for (unsigned i = 0; i < n; i++) {
		pt_msg_release(&pool->workers[i].msgs);
		pt_named_release(&pool->workers[i].counters);
		pt_named_release(&pool->workers[i].memory);
	}
	pool_free(pool);
	free((void *)ctx.param_used);
	free(slots);
	free(all);
	pt_topology_free(own_topo);
	return tr;
fail:
	err = errno;
	pool_free(pool);
	free((void *)ctx.param_used);
	free(slots);
	free(all);
	if (tr)
		free(tr->workers);
	free(tr);
	pt_topology_free(own_topo);
	errno = err;
	return NULL;
}

pt_trial *pt_trial_new_empty(const pt_topology *t, const struct pt_trial_config *c,
			     enum pt_status status, const char *message)
{
	pt_trial *tr = calloc(1, sizeof(*tr));
	struct pt_slot *slots = calloc(c->workers, sizeof(*slots));

	if (!tr || !slots || !(tr->workers = calloc(c->workers, sizeof(*tr->workers)))) {
		free(tr);
		free(slots);
		errno = ENOMEM;
		return NULL;
	}
	if (pt_topology_plan(t, c->placement, c->workers, slots) < 0)
		memset(slots, 0xff, c->workers * sizeof(*slots));
	tr->config = *c;
	tr->config.params = NULL;
	tr->s.workers = c->workers;
	tr->s.status = status;
	tr->started = now_unix();
	tr->message = message ? strdup(message) : NULL;
	for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
		tr->perf[k].status = PT_PERF_NOT_COUNTED;
	for (unsigned i = 0; i < c->workers; i++) {
		tr->workers[i].index = i;
		tr->workers[i].slot = slots[i];
		tr->workers[i].cpu_start = tr->workers[i].cpu_end = -1;
		for (unsigned k = 0; k < PT_PERF_EVENTS; k++)
			tr->workers[i].perf[k].status = PT_PERF_NOT_COUNTED;
	}
	free(slots);
	return tr;
}

void pt_trial_free(pt_trial *tr)
{
	if (!tr)
		return;
	cJSON_Delete(tr->json);
	cJSON_Delete(tr->instrumentation);
	for (unsigned i = 0; i < tr->s.workers; i++) {
		pt_named_release(&tr->workers[i].counters);
		pt_named_release(&tr->workers[i].memory);
	}
	free(tr->workers);
	pt_msg_release(&tr->errors);
	pt_msg_release(&tr->warnings);
	pt_named_release(&tr->counters);
	pt_named_release(&tr->memory);
	pt_named_release(&tr->notes);
	free(tr->message);
	free(tr);
}

const struct pt_trial_stats *pt_trial_stats(const pt_trial *tr)
{
	return &tr->s;
}

const char *pt_trial_message(const pt_trial *tr)
{
	return tr->message;
}
