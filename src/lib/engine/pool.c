/* pool.c - the worker pool: threads or processes, the worker loop, dynamic claiming of items */
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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/sysmon.h"
#include "base/thread.h"
#include "base/util.h"
#include "engine/barrier.h"
#include "engine/pool.h"
#include "engine/taskapi.h"
#include "engine/topology.h"
#include "engine/trial.h"
#include "instr/trialprof.h"
#include "stats/hist.h"

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

/* ---- where a thread is, for crash reports -------------------------------- */

static _Thread_local struct pt_worker *tl_worker;
static const char *volatile main_phase = "idle";

void pt_trial_phase(const char *phase)
{
	main_phase = phase;
}

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

/* Item times wait in a buffer of this many on the worker's stack and go
 * into the histogram together: the loop around run() is then a tick read
 * and a store, and the histogram's work runs while the next readings are
 * in flight. */
#define LATENCY_BATCH 64

static void record_batch(struct pt_hist *h, const uint64_t *ticks, unsigned n)
{
	for (unsigned j = 0; j < n; j++)
		pt_hist_record(h, pt_ticks_to_ns(ticks[j]));
}

/* Run items until the phase ends.  MEASURE selects whether this is the
 * measured phase (counts, latency) or the warm-up (chunk calibration only).
 * Items are timed in ticks of the interval clock (base/clock.h): one rdtsc
 * per item where the CPU has an invariant TSC. */
static void run_phase(struct pt_worker *w, int measure)
{
	int (*run)(pt_worker *, uint64_t) = w->pool->task->run;
	int latency = measure && w->pool->cfg->record_latency;
	uint64_t first = 0, n, t_prev = pt_ticks(), t_claimed, t_end;
	uint64_t batch[LATENCY_BATCH];
	unsigned k = 0;

	while ((n = claim(w, &first)) != 0) {
		t_claimed = pt_ticks();
		if (latency) {
			uint64_t t = t_claimed;

			for (uint64_t i = first; i < first + n; i++) {
				w->cur_item = i;
				int rc = run(w, i);
				uint64_t now = pt_ticks();

				batch[k++] = now - t;
				t = now;
				if (__builtin_expect(k == LATENCY_BATCH, 0)) {
					record_batch(w->hist, batch, k);
					k = 0;
				}
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
			t_end = pt_ticks();
		}
		uint64_t claim_ns = pt_ticks_to_ns(t_claimed - t_prev);
		uint64_t run_ns = pt_ticks_to_ns(t_end - t_claimed);

		if (measure) {
			if (!w->items)
				w->first_ns = pt_ticks_to_mono_ns(t_claimed);
			w->items += n;
			w->chunks++;
			w->busy_ns += run_ns;
			w->dispatch_ns += claim_ns;
		}
		adapt_chunk(w, claim_ns, run_ns, n);
		t_prev = t_end;
	}
	record_batch(w->hist, batch, k);
	/* the last item's end on the trial's CLOCK_MONOTONIC scale, converted
	 * once, near the reading (a conversion may re-anchor the clock) */
	if (measure && w->items)
		w->last_ns = pt_ticks_to_mono_ns(t_prev);
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
	pt_barrier_wait(&p->barrier); /* 1: everyone set up */
	pt_barrier_wait(&p->barrier); /* 2: warm-up may start */
	w->phase = "warmup";
	/* --warmup 0 runs no unmeasured item at all */
	if (!atomic_load(&p->abort) && c->warmup_s > 0)
		run_phase(w, 0);
	pt_barrier_wait(&p->barrier); /* 3: warm-up over */
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
	pt_barrier_wait(&p->barrier); /* 4: measured phase starts */
	w->phase = "run";
	if (!atomic_load(&p->abort)) {
		/* CPU time, switches and counters start after the barrier: its
		 * wait is not part of the measurement */
		w->cpu_start = current_cpu();
		pt_rusage_thread(&w->ru0);
		if (c->counters)
			pt_perf_enable(&w->perf);
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
	if (atomic_fetch_add(&p->finished, 1) + 1 >= w->count && p->limit)
		pt_word_wake(&p->finished, p->processes);
	pt_barrier_wait(&p->barrier); /* 5: measured phase over */
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

/* ---- the pool ------------------------------------------------------------ */

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

/* Names a worker process may leave behind: 64 counter and memory names and
 * 8 messages, with room to spare. */
#define ARENA_SIZE (16 * 1024)

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

struct pt_pool *pt_pool_new(unsigned n, int processes)
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

void pt_pool_free(struct pt_pool *p)
{
	if (!p)
		return;
	if (p->processes)
		munmap(p, p->mapped);
	else
		free(p);
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
	/* the trial process stops its workers through the pool, not by
	 * signals: SIGINT and SIGTERM end a worker as they end any process,
	 * and so does the trial process's end */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != w->pool->parent)
		_exit(1);
	struct pt_memsnap snap;

	pt_memsnap_read(&snap);
	w->rss_start = snap.rss;
	w->pid = getpid();
	w->ppid = getppid();
	pt_process_name(w->pid, w->comm, sizeof(w->comm));
	pt_process_name(w->ppid, w->parent_comm, sizeof(w->parent_comm));
	worker_main(w);
	export_names(w);
	pt_instr_worker_exit(w->ctx->instr, w->index);
	/* what the task printed reaches its stream */
	fflush(NULL);
	w->done = 1;
	_exit(0);
}

/* Collect worker process W (waiting for it unless FLAGS is WNOHANG): how
 * it ended, and its resident high-water mark, which wait4() reports even
 * for a worker that crashed.  1 when it was reaped now. */
static int reap(struct pt_worker *w, int flags)
{
	struct rusage ru;
	pid_t got;
	int st;

	while ((got = wait4(w->pid, &st, flags, &ru)) < 0 && errno == EINTR)
		;
	if (got != w->pid)
		return 0;
	w->reaped = 1;
	w->peak_rss = (uint64_t)ru.ru_maxrss * 1024;
	if (WIFSIGNALED(st))
		w->exit_signal = WTERMSIG(st);
	else if (!w->done)
		w->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 1;
}

/* Trial process, while waiting: collect worker processes that ended before
 * their time; each one shrinks the barrier and ends the measured phase. */
static void reap_workers(void *arg)
{
	struct pt_pool *p = arg;

	for (unsigned i = 0; i < p->workers[0].count; i++) {
		struct pt_worker *w = &p->workers[i];

		if (w->reaped || w->pid <= 0 || !reap(w, WNOHANG))
			continue;
		if (w->done && !w->exit_signal)
			continue; /* a normal end: it passed every barrier */
		w->counted_dead = 1;
		p->dead++;
		atomic_store(&p->stop, 1);
		atomic_fetch_add(&p->finished, 1);
		pt_barrier_shrink(&p->barrier, 1);
	}
}

static void main_wait(struct pt_pool *p)
{
	if (p->processes)
		pt_barrier_wait_polling(&p->barrier, reap_workers, p);
	else
		pt_barrier_wait(&p->barrier);
}

static int start_worker(struct pt_pool *p, struct pt_worker *w)
{
	pid_t pid;

	if (!p->processes)
		return pthread_create(&w->thread, NULL, worker_main, w);
	fflush(NULL);
	p->parent = getpid();
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		worker_process(w);
	w->pid = pid;
	return 0;
}

void pt_pool_run(pt_trial *tr, struct pt_pool *p)
{
	unsigned n = tr->s.workers, started = 0;
	const struct pt_trial_config *c = p->cfg;
	struct pt_clock_drift drift;
	uint64_t t;

	pt_clock_init();
	/* a task that ignores SIGCHLD (in setup) would have the kernel reap
	 * the worker processes unseen, and a crash reported as a hang: their
	 * ends are the trial's to see until they are collected */
	if (p->processes) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		sigemptyset(&dfl.sa_mask);
		sigaction(SIGCHLD, &dfl, &p->task_sigchld);
	}
	pt_barrier_init(&p->barrier, n + 1, p->processes);
	for (unsigned i = 0; i < n; i++) {
		int err = start_worker(p, &p->workers[i]);

		if (err) {
			char buf[160];

			snprintf(buf, sizeof(buf), "cannot start worker %u of %u: %s; "
				 "lower --workers or raise the thread limit", i, n, strerror(err));
			pt_trial_set_message(tr, buf);
			tr->s.status = PT_STATUS_FAILED;
			atomic_store(&p->abort, 1);
			pt_barrier_shrink(&p->barrier, n - i);
			break;
		}
		started++;
	}
	if (n)
		pt_instr_workers_started(p->workers[0].ctx->instr);
	pt_trial_phase("workers");
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
	pt_clock_drift_begin(&drift);
	if (c->items == 0 && !atomic_load(&p->abort)) {
		sleep_interruptible(pt_now_ns() + (uint64_t)(c->duration_s * 1e9));
		atomic_store(&p->stop, 1);
	} else if (!atomic_load(&p->abort)) {
		/* fixed items: watch for an interrupt while the workers run */
		uint32_t done;

		/* the last worker to finish wakes this thread; the 20 ms bound
		 * looks for interrupts and dead worker processes */
		while (!atomic_load(&p->stop) && !pt_interrupted() &&
		       (done = atomic_load(&p->finished)) < started) {
			pt_word_wait(&p->finished, done, p->processes, 20000000);
			if (p->processes)
				reap_workers(p);
		}
		if (pt_interrupted())
			atomic_store(&p->stop, 1);
	}
	main_wait(p); /* 5 */
	tr->clock_drift = pt_clock_drift_end(&drift);
	for (unsigned i = 0; i < started; i++) {
		struct pt_worker *w = &p->workers[i];

		if (!p->processes) {
			pthread_join(w->thread, NULL);
			continue;
		}
		if (!w->reaped)
			reap(w, 0);
		/* a worker that ended abnormally after the measured phase (in
		 * worker_teardown) still ends the trial as it did */
		if (!w->done && !w->counted_dead) {
			w->counted_dead = 1;
			p->dead++;
		}
		adopt_names(w);
	}
	if (p->processes)
		sigaction(SIGCHLD, &p->task_sigchld, NULL);
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
			pt_trial_set_message(tr, buf);
			break;
		}
		tr->s.status = PT_STATUS_CRASHED;
	}
	pt_barrier_destroy(&p->barrier);
}
