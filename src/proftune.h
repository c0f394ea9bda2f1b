/* proftune.h - the task ABI and the libproftune API (the one installed header) */
#ifndef PROFTUNE_H
#define PROFTUNE_H

/*
 * The header in order: Part 1 is the task ABI, the contract every task is
 * built against, so it comes first.  The library follows from its lowest
 * layer up, each Part using only what the Parts above it declare:
 *
 *   Part 2  base    errors and version
 *   Part 3  stats   the scalability model
 *   Part 4  instr   instrumentation: profilers, stamps, measurements, traces
 *   Part 5  engine  the calls a task makes, loading tasks, parameters,
 *                   topology and placement, trials
 *   Part 6  doc     results documents: writing, reading back, comparing
 *   Part 7  tune    the tuner
 *   Part 8  report  every view of results documents: tables, CSV, Markdown,
 *                   traces, JSON for benchmark comparison tools, SVG plots
 *
 * The layers are the source folders src/lib/LAYER of the library.  libproftune
 * exports exactly the functions and variables declared here (marked PT_API);
 * everything else in it is internal.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Marks what libproftune (or a task object, for `proftune_task`) exports:
 * the library is built with hidden visibility, so a function or variable
 * without PT_API is not part of the API and cannot be linked against. */
#define PT_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Part 1: the task ABI
 * ====================
 *
 * A task is a shared object that does one unit of work per call of its run
 * callback.  It exports one symbol, `proftune_task`, a `struct pt_task`
 * normally defined with the PT_TASK() macro:
 *
 *     #include <proftune.h>
 *     static int run(pt_worker *w, uint64_t item) { do_work(item); return 0; }
 *     PT_TASK(.name = "work", .summary = "one call of do_work", .run = run);
 *
 * Build it with `cc -shared -fPIC work.c -o libwork.so $(pkg-config --cflags
 * --libs proftune)`.
 *
 * The loader opens the object with RTLD_NOW | RTLD_LOCAL, so a missing symbol
 * fails at load time, and refuses it unless `abi` equals PT_ABI_VERSION,
 * `size` is at least the size of the version-1 struct and `run` is set.
 *
 * Life of a trial: setup(ctx) once; N workers are started, each pinned to its
 * CPU, and call worker_setup(w) on that CPU (so memory it touches first lands
 * on the worker's NUMA node); all workers wait on a barrier; then they call
 * run(w, item) for the warm-up and measured items; worker_teardown(w) on each
 * worker; teardown(ctx) once.  Callbacks other than run may be NULL.
 */

/* Version of struct pt_task that this header describes. */
#define PT_ABI_VERSION 1

/* Return values of the task callbacks. */
#define PT_OK 0     /* success */
#define PT_FAIL (-1) /* failure: any value other than PT_OK and PT_SKIP fails too */
#define PT_SKIP (-2) /* setup/worker_setup: "not supported here", see pt_skip() */

/* The trial as the task sees it (opaque; one per trial). */
typedef struct pt_ctx pt_ctx;
/* One worker as the task sees it (opaque; one per worker thread). */
typedef struct pt_worker pt_worker;

/* The exported description of a task, ABI version 1.  Field order and sizes
 * are part of the ABI: a change needs a new PT_ABI_VERSION. */
struct pt_task {
	uint32_t abi;        /* PT_ABI_VERSION */
	uint32_t size;       /* sizeof(struct pt_task), for forward compatibility */
	const char *name;    /* short name, e.g. "spin" */
	const char *summary; /* one line, shown by `proftune tasks` */
	/* optional: once per trial, before the workers start */
	int (*setup)(pt_ctx *ctx);
	/* optional: on each worker thread, after it is pinned */
	int (*worker_setup)(pt_worker *w);
	/* required: one unit of work; PT_OK on success, anything else counts as
	 * an error on that item (use pt_error() to say why) */
	int (*run)(pt_worker *w, uint64_t item);
	/* optional: on each worker thread, after its last item */
	void (*worker_teardown)(pt_worker *w);
	/* optional: once per trial, after all workers finished */
	void (*teardown)(pt_ctx *ctx);
};

/* Define the exported `proftune_task` with `abi` and `size` filled in.
 * Arguments are designated initialisers of the remaining fields. */
#define PT_TASK(...)                                                          \
	PT_API const struct pt_task proftune_task = {                         \
		.abi = PT_ABI_VERSION, .size = sizeof(struct pt_task), __VA_ARGS__ }

/*
 * Part 2: errors and version
 * ==========================
 *
 * Conventions of every library call (Parts 2 to 7): functions return 0 or a
 * negative errno value, or NULL with errno set; on failure pt_last_error()
 * gives a one-line message naming the problem.  Objects are created with
 * _new/_open and released with _free/_close by the caller.  None of these
 * functions prints or exits.
 */

/* The message of the last failed call on this thread ("" if none).
 * Borrowed; valid until the next failing call on this thread. */
PT_API const char *pt_last_error(void);

/* Version string of the library, e.g. "0.1.0". */
PT_API const char *pt_version(void);

/*
 * Part 3: the scalability model
 * =============================
 *
 * A model of how throughput grows with the worker count, fitted to measured
 * (workers, throughput) points: the tuner fits it to its trials, `proftune
 * fit` to any such data.
 */

/* What the fit minimises: the squared residuals of throughput (ordinary
 * least squares, as R's usl package and codahale/usl fit), of throughput
 * relative to the measured value (every count weighs the same whatever its
 * throughput), or of log throughput. */
enum pt_usl_loss { PT_USL_OLS, PT_USL_RELATIVE, PT_USL_LOG };

/* The Universal Scalability Law, X(N) = lambda N / (1 + sigma (N - 1) +
 * kappa N (N - 1)), fitted by least squares with sigma, kappa >= 0 and
 * lambda > 0 (a bounded solver: an optimum on sigma = 0 or kappa = 0 is
 * found as such). */
struct pt_usl_model {
	double lambda, sigma, kappa;
	double r2;                 /* coefficient of determination */
	double rms_relative_error;
	double peak_workers;       /* sqrt((1 - sigma) / kappa); INFINITY if kappa = 0 */
	unsigned points;
	const char *bound;         /* "linear", "contention" or "coherency" at the
	                            * largest count (static string) */
	/* the fields below were added after the ones above */
	const char *loss;          /* "ols", "relative" or "log" (static string) */
	int converged;             /* 1: the first-order conditions of the bounded
	                            * problem hold at the result */
	double loss_value;         /* the minimised sum of squared residuals */
	double lambda_se, sigma_se, kappa_se; /* standard errors from the Jacobian
	                            * at the optimum; NAN when not estimable
	                            * (4 points or fewer, singular) */
	double peak_low, peak_high; /* 95% interval of peak_workers (delta
	                            * method, t quantile); NAN without a peak */
};
/* Parse NAME ("ols", "relative" or "log") into *OUT: 0, or -EINVAL with
 * pt_last_error(). */
PT_API int pt_usl_loss_parse(const char *name, enum pt_usl_loss *out);
/* Fit N points under LOSS; at least 4 distinct worker counts, all values
 * positive.  0; -EINVAL with pt_last_error() for bad points; -EDOM with
 * pt_last_error() when the solver did not reach the bounded optimum. */
PT_API int pt_usl_fit_loss(const double *workers, const double *throughput, size_t n,
                           enum pt_usl_loss loss, struct pt_usl_model *out);
/* pt_usl_fit_loss() with ordinary least squares, PT_USL_OLS. */
PT_API int pt_usl_fit_points(const double *workers, const double *throughput, size_t n,
                             struct pt_usl_model *out);
/* The fit M of the N points (WORKERS, THROUGHPUT) read from NAME as JSON
 * text: the parameters, the peak, the bound and each point's residual
 * (what `proftune fit --json` prints); malloc'd, NULL on ENOMEM. */
PT_API char *pt_usl_fit_json(const char *name, const double *workers, const double *throughput,
                             size_t n, const struct pt_usl_model *m);
/* The throughput M predicts at WORKERS workers. */
PT_API double pt_usl_predict(const struct pt_usl_model *m, double workers);
/* Read `workers,throughput` rows from a CSV file (header line optional,
 * blank lines and #-comments skipped, further columns ignored).  On success
 * *WORKERS and *THROUGHPUT are malloc'd arrays of *N values the caller frees.
 * -errno with pt_last_error() naming the file and line otherwise. */
PT_API int pt_fit_read_csv(const char *path, double **workers, double **throughput,
                           size_t *n);
/* The same from LEN bytes of TEXT in memory; NAME is used in messages. */
PT_API int pt_fit_parse_csv(const char *name, const char *text, size_t len,
                            double **workers, double **throughput, size_t *n);

/*
 * Part 4: instrumentation
 * =======================
 *
 * Timers, blocks, counters, memory records, step stamps, per-process
 * measurement records and trace events, for tasks (through their worker's
 * profiler, see pt_worker_prof() in Part 5) and for any C program (through a
 * profiler object).
 *
 * Conventions as in Part 2: 0 or a negative errno value, or NULL with errno
 * set, and a message in pt_last_error().  Objects made with _new/_open are
 * freed by the caller with the matching _free/_close; strings passed in are
 * copied; strings and arrays returned are malloc'd for the caller to free()
 * unless the comment says "borrowed".
 *
 * Thread-safety: every call on a pt_prof, pt_stamps, pt_trace or pt_measure
 * may be made from any thread, concurrently, unless its comment says
 * otherwise.  The recording calls (blocks, timers, counters, trace events)
 * take no lock: each thread writes its own data, which a report merges
 * (hits and totals summed, min of mins, max of maxes) and which outlives the
 * thread.  Only pt_prof_free, pt_trace_close and pt_stamps_free need the
 * object to be idle.
 *
 * Define PT_NO_INSTRUMENTATION before including this header to compile the
 * PT_BLOCK, PT_FUNCTION_BLOCK, PT_COUNTER_ADD and PT_PROF_CALL macros out
 * entirely (PT_PROF_CALL then evaluates its expression only).
 */

/* A profiler: blocks on tracks, named timers, counters, memory records,
 * stamps and resource samples, with an overall timer. */
typedef struct pt_prof pt_prof;
/* A trace file (Trace Event Format JSON) being written. */
typedef struct pt_trace pt_trace;
/* A step counter and the stamps made with it. */
typedef struct pt_stamps pt_stamps;
/* A background thread sampling RSS and CPU into a profiler. */
typedef struct pt_sampler pt_sampler;
/* One manual measurement with pause/resume, appended to a CSV file. */
typedef struct pt_measure pt_measure;

/* ---- switches ------------------------------------------------------------ */

/* Blocks belong to tracks 0 .. PT_PROF_TRACKS - 1 (bit 63 of the switch word
 * below is the profiler's own). */
#define PT_PROF_TRACKS 63

/* The global switch (1 = on, the default), read by the macros.  Change it
 * with pt_instr_enable(); any thread, takes effect for blocks entered
 * afterwards. */
extern PT_API int pt_instr_global_on;
PT_API void pt_instr_enable(int on);
PT_API int pt_instr_enabled(void);

/* The first word of every profiler: bit T set when track T is enabled and
 * the profiler is collecting, bit 63 set when it is collecting.  Read by the
 * macros only; part of the ABI. */
struct pt_prof_switch {
	uint64_t on;
};

#define PT__ON(p, bit)                                                          \
	(__builtin_expect(__atomic_load_n(&pt_instr_global_on, __ATOMIC_RELAXED) && \
	                  (p) != 0 &&                                            \
	                  ((__atomic_load_n(&((const struct pt_prof_switch *)(const void *)(p))->on, \
	                                    __ATOMIC_RELAXED) >> ((bit) & 63)) & 1u), 1))

/* ---- the profiler -------------------------------------------------------- */

/* A new profiler named NAME (copied; NULL means "profiler").  It collects
 * from the start (all tracks enabled); its overall timer is not running.
 * NULL with errno ENOMEM.  Free with pt_prof_free(). */
PT_API pt_prof *pt_prof_new(const char *name);
/* Free P and everything it recorded.  No thread may be recording into P,
 * and a sampler on P must have been stopped.  NULL is ignored. */
PT_API void pt_prof_free(pt_prof *p);
/* P's name (borrowed, lives as long as P). */
PT_API const char *pt_prof_name(const pt_prof *p);

/* Start (resume) collection and the overall timer.  -EALREADY when the timer
 * is already running (nothing changes). */
PT_API int pt_prof_start(pt_prof *p);
/* Stop the overall timer and pause collection; *ELAPSED_S (may be NULL)
 * receives the total running time in seconds over all start/stop pairs.
 * -EINVAL with "profiler 'NAME' was not started" when the timer is not
 * running: the caller sees the error, nothing changes. */
PT_API int pt_prof_stop(pt_prof *p, double *elapsed_s);
/* 1 while P collects data (from creation, and between start and stop). */
PT_API int pt_prof_collecting(const pt_prof *p);
/* Total running time of the overall timer in seconds, including the
 * current run. */
PT_API double pt_prof_elapsed(const pt_prof *p);
/* Forget everything recorded: blocks, timers, counters, memory records,
 * stamps, samples and the overall timer; call-site caches are invalidated.
 * Safe while other threads record (what they record into the old data in
 * the meantime is dropped). */
PT_API void pt_prof_clear(pt_prof *p);

/* Name track TRACK (copied) for reports.  -EINVAL for a track out of range. */
PT_API int pt_prof_track_name(pt_prof *p, unsigned track, const char *name);
/* Enable or disable track TRACK (all are enabled at creation).  Blocks of a
 * disabled track cost one predictable branch.  -EINVAL out of range. */
PT_API int pt_prof_track_enable(pt_prof *p, unsigned track, int on);
PT_API int pt_prof_track_enabled(const pt_prof *p, unsigned track);

/* Named timers, started and stopped by name: a block on track 0 named
 * NAME, nested under the calling thread's current block.  Timers are per
 * thread: stop on the thread that started.  -ENOSPC beyond 64 open timers.
 * Nothing is recorded (0) while P or track 0 is off. */
PT_API int pt_prof_timer_start(pt_prof *p, const char *name);
/* Stop the calling thread's innermost open timer NAME; *ELAPSED_S (may be
 * NULL) receives its time in seconds.  -ENOENT with "timer 'NAME' was not
 * started" when the thread has no open timer of that name. */
PT_API int pt_prof_timer_stop(pt_prof *p, const char *name, double *elapsed_s);

/* Add VALUE to counter NAME (created at 0 on first use).  Reports give the
 * total and its rate per second of the profiler's elapsed time (or of its
 * lifetime when the overall timer never ran).  At most 1024 names; further
 * names are counted as errors and dropped.  Prefer PT_COUNTER_ADD in hot
 * code: it resolves NAME once per call site. */
PT_API void pt_prof_counter_add(pt_prof *p, const char *name, uint64_t value);
/* Record BYTES for memory record NAME; the last write wins, whichever thread
 * makes it.  Emits a counter event when a trace is attached. */
PT_API void pt_prof_memory_record(pt_prof *p, const char *name, uint64_t bytes);

/* Merged statistics of every block named NAME (all sites, paths and
 * threads), in nanoseconds.  Percentiles are within 3.1% (histogram bucket
 * midpoints, clamped to [min, max]). */
struct pt_block_stats {
	uint64_t hits;
	uint64_t total_ns;   /* inclusive */
	uint64_t self_ns;    /* total minus the time of nested blocks */
	uint64_t min_ns, max_ns;
	double mean_ns, p50_ns, p90_ns, p99_ns;
};
/* 0, or -ENOENT when no block NAME has been recorded. */
PT_API int pt_prof_block_stats(pt_prof *p, const char *name, struct pt_block_stats *out);
/* Total of counter NAME over all threads: 0, or -ENOENT when unknown. */
PT_API int pt_prof_counter(pt_prof *p, const char *name, uint64_t *value);
/* Memory record NAME: 0, or -ENOENT when never recorded. */
PT_API int pt_prof_memory(pt_prof *p, const char *name, uint64_t *bytes);

/* P's stamp manager (borrowed, lives as long as P; pt_prof_clear clears it).
 * Its stamps appear in P's reports and, with a trace, as instant events. */
PT_API pt_stamps *pt_prof_stamps(pt_prof *p);

/* Send P's blocks, timers, stamps, memory records and samples to trace T as
 * well (NULL detaches).  T is borrowed and must stay open while attached. */
PT_API int pt_prof_set_trace(pt_prof *p, pt_trace *t);
/* The attached trace (borrowed), or NULL. */
PT_API pt_trace *pt_prof_trace(const pt_prof *p);

/* Reports.  Each takes a merged snapshot (P may keep recording) and returns
 * malloc'd text the caller frees, or NULL with errno ENOMEM.
 *
 * JSON: the keys `timings` (block name -> total seconds), `memory_usage`
 * (name -> bytes), `counters` (name -> total), `total_elapsed` (seconds),
 * `name`, `counter_rates`, `tracks[]` (the blocks of each track with self
 * time and percentiles), `tree` (the nesting), `bottlenecks`, `stamps`,
 * `step_logs`, `samples` and `threads`. */
PT_API char *pt_prof_json(pt_prof *p);
/* The blocks as CSV: the header
 * `Track,Block Name,Hit Count,Total Time (ns),Avg Time (ns),Min Time (ns),Max Time (ns),% Track,% Total`
 * then one row per block, RFC 4180 quoting.  % Track is the block's total
 * over its track's top-level time; % Total over the top-level time of all
 * tracks and threads. */
PT_API char *pt_prof_csv(pt_prof *p);
/* A console table per track with automatic units (s, ms, us, ns; 2
 * decimals), then counters and memory records. */
PT_API char *pt_prof_table(pt_prof *p);
/* The TOP (0 = all) blocks by total time: total, % of total, hits, mean and
 * self time, as a table. */
PT_API char *pt_prof_bottlenecks(pt_prof *p, unsigned top);
/* Write one of the reports above to PATH atomically; FORMAT is "json",
 * "csv", "table" or "bottlenecks".  0 or -errno with pt_last_error(). */
PT_API int pt_prof_write(pt_prof *p, const char *path, const char *format);

/* ---- blocks and counters in hot code ----------------------------------------
 *
 *     void parse(pt_prof *p)
 *     {
 *             PT_BLOCK(p, 1, "parse");       // timed until the scope ends
 *             if (!ready)
 *                     return;                 // still recorded
 *             PT_COUNTER_ADD(p, "records", 1);
 *     }
 *
 * PT_BLOCK(P, TRACK, NAME) times the rest of the enclosing scope (GCC and
 * Clang's cleanup attribute), nested under the thread's current block.
 * TRACK is an integer constant, NAME a string with static storage (usually a
 * literal).  The call site is resolved once per profiler (a static cache
 * keyed by the profiler and its generation, so pt_prof_clear invalidates
 * it); then entering and leaving costs two clock reads and a few stores.
 * When the global switch, P or the track is off, or P is NULL, it costs one
 * predictable branch.  P is evaluated once.
 */

/* A call site (static, one per macro use).  CACHE is the library's. */
struct pt_site {
	const char *name;
	const char *file;
	int line;
	unsigned track;
	uint64_t cache;
};

/* An entered block: NODE is NULL when nothing is being timed. */
struct pt_scope {
	void *node;
	uint64_t t0;
};

/* Used by the macros: enter SITE in P (returns a scope with a NULL node
 * when the site cannot be registered, e.g. out of memory or a bad track),
 * leave it (the calling thread must be the one that entered), add to a
 * counter site. */
PT_API struct pt_scope pt_scope_enter(pt_prof *p, struct pt_site *site);
PT_API void pt_scope_leave(struct pt_scope *s);
PT_API void pt_counter_site_add(pt_prof *p, struct pt_site *site, uint64_t value);

static inline struct pt_scope pt__scope_begin(pt_prof *p, unsigned track, struct pt_site *s)
{
	struct pt_scope none = { 0, 0 };

	if (PT__ON(p, track))
		return pt_scope_enter(p, s);
	return none;
}

static inline void pt__scope_cleanup(struct pt_scope *s)
{
	if (s->node)
		pt_scope_leave(s);
}

#define PT__CAT2(a, b) a##b
#define PT__CAT(a, b) PT__CAT2(a, b)

#ifndef PT_NO_INSTRUMENTATION

#define PT__BLOCK(p, track, name, n)                                              \
	static struct pt_site PT__CAT(pt__site_, n) = { (name), __FILE__, __LINE__, (track), 0 }; \
	__attribute__((cleanup(pt__scope_cleanup), unused)) struct pt_scope PT__CAT(pt__scope_, n) = \
		pt__scope_begin((p), (track), &PT__CAT(pt__site_, n))
/* Time the rest of the enclosing scope as block NAME on track TRACK of P. */
#define PT_BLOCK(p, track, name) PT__BLOCK(p, track, name, __COUNTER__)
/* PT_BLOCK named after the enclosing function. */
#define PT_FUNCTION_BLOCK(p, track) PT__BLOCK(p, track, __func__, __COUNTER__)

/* Add VALUE to counter NAME (a string literal or other static string) of P;
 * the name is resolved once per call site.  VALUE is not evaluated when the
 * counter is off: give it no side effects. */
#define PT_COUNTER_ADD(p, name, value)                                            \
	do {                                                                      \
		static struct pt_site pt__csite = { (name), __FILE__, __LINE__, 0, 0 }; \
		pt_prof *pt__cprof = (p);                                         \
		if (PT__ON(pt__cprof, 63))                                        \
			pt_counter_site_add(pt__cprof, &pt__csite, (value));      \
	} while (0)

#define PT__PROF_CALL(p, track, name, expr, n)                                    \
	__extension__({                                                           \
		pt_prof *PT__CAT(pt__pp_, n) = (p);                               \
		int PT__CAT(pt__rc_, n);                                          \
		{                                                                 \
			PT_BLOCK(PT__CAT(pt__pp_, n), track, name);               \
			PT__CAT(pt__rc_, n) = (expr);                             \
		}                                                                 \
		if (PT__CAT(pt__rc_, n) == 0)                                     \
			PT_COUNTER_ADD(PT__CAT(pt__pp_, n), name "_success", 1);  \
		else                                                              \
			PT_COUNTER_ADD(PT__CAT(pt__pp_, n), name "_error", 1);    \
		PT__CAT(pt__rc_, n);                                              \
	})
/* Evaluate the int expression EXPR as block NAME (a string literal) on track
 * TRACK of P, count `NAME_success` when it yields 0 and `NAME_error`
 * otherwise, and yield its value:
 *     int rc = PT_PROF_CALL(p, 0, "load", load(path));   */
#define PT_PROF_CALL(p, track, name, expr) PT__PROF_CALL(p, track, name, expr, __COUNTER__)

#else /* PT_NO_INSTRUMENTATION */

#define PT_BLOCK(p, track, name) ((void)sizeof(p))
#define PT_FUNCTION_BLOCK(p, track) ((void)sizeof(p))
#define PT_COUNTER_ADD(p, name, value) ((void)sizeof(p), (void)sizeof(value))
#define PT_PROF_CALL(p, track, name, expr) ((void)sizeof(p), (expr))

#endif /* PT_NO_INSTRUMENTATION */

/* ---- resource sampler ---------------------------------------------------- */

/* Start a thread sampling, every PERIOD_S seconds (<= 0: 0.1 s), the
 * process's RSS, CPU time and utilisation, I/O bytes and open file
 * descriptors into P (kept: the last 1024 samples and their summary) and,
 * when P has a trace, as counter events with P's counters.  P must outlive
 * the sampler.  NULL with errno on failure.  Stop with pt_sampler_stop(). */
PT_API pt_sampler *pt_sampler_start(pt_prof *p, double period_s);
/* Stop and join the thread, take a last sample, free S.  NULL is ignored. */
PT_API void pt_sampler_stop(pt_sampler *s);
/* Take one sample now (what the sampler does each period).  0 or -errno. */
PT_API int pt_prof_sample(pt_prof *p);

/* ---- stamps -----------------------------------------------------------------
 *
 * A stamp is {time, step, identifier}.  The manager has a step counter that
 * starts at 0.  pt_stamps_create() stamps with the current step, appends the
 * message to that step's log and advances the step, all under one lock.  A
 * group reserves one step at once (creating its log, empty) and makes any
 * number of stamps sharing it, each with its own time.  Stamps sort by step
 * then time (ties keep creation order); the identifier is not compared.
 */
struct pt_stamp {
	double time;            /* Unix time in seconds */
	int64_t step;
	const char *identifier; /* borrowed from the manager: valid until it is
	                         * cleared or freed */
};

/* A stamp group: the reserved step.  A plain value; no freeing needed. */
struct pt_stamp_group {
	pt_stamps *m;
	int64_t step;
};

/* One step's log in a copy from pt_stamps_step_logs(). */
struct pt_step_log {
	int64_t step;
	size_t count;
	const char *const *messages; /* COUNT messages, inside the same allocation */
};

/* A new manager at step 0 with step log {0: []}.  NULL with errno ENOMEM.
 * Free with pt_stamps_free(). */
PT_API pt_stamps *pt_stamps_new(void);
PT_API void pt_stamps_free(pt_stamps *m);
/* Stamp MESSAGE (copied) with the current step, then advance the step.
 * OUT may be NULL.  0 or -ENOMEM. */
PT_API int pt_stamps_create(pt_stamps *m, const char *message, struct pt_stamp *out);
/* Reserve the current step for a group and advance the step. */
PT_API int pt_stamps_group(pt_stamps *m, struct pt_stamp_group *g);
/* Stamp MESSAGE with the group's step and the current time. */
PT_API int pt_stamp_group_create(const struct pt_stamp_group *g, const char *message,
                                 struct pt_stamp *out);
/* The current step (the one the next pt_stamps_create will take). */
PT_API int64_t pt_stamps_step(pt_stamps *m);
/* A copy of all stamps sorted by (step, time): *N entries in one malloc'd
 * block (identifiers included) freed with one free().  NULL on ENOMEM. */
PT_API struct pt_stamp *pt_stamps_all(pt_stamps *m, size_t *n);
/* A copy of the step logs, step 0 up to the last step used, each with its
 * messages in creation order; one malloc'd block freed with one free(). */
PT_API struct pt_step_log *pt_stamps_step_logs(pt_stamps *m, size_t *nsteps);
/* {"stamps": [{"time", "step", "identifier"}...], "step_logs": {"0": [...]}}
 * as malloc'd text. */
PT_API char *pt_stamps_json(pt_stamps *m);
/* Back to a fresh manager: step 0, {0: []}, no stamps. */
PT_API void pt_stamps_clear(pt_stamps *m);

/* ---- measurements with pause/resume -----------------------------------------
 *
 * A measurement times code between start and stop, excluding paused
 * intervals, and appends one row to a CSV file shared by any number of
 * threads and processes, under a file lock with a timeout:
 *
 *     id,time,start_timestamp,end_timestamp,paused_time,pid,ppid,process_name,
 *     parent_process_name,broken,error_type,error_value,traceback
 *
 * (one line; the header is written only when the file is empty; fields are
 * quoted per RFC 4180).  time = end - start - paused, in seconds; the
 * timestamps are Unix times; process names come from /proc/PID/comm.
 */
#define PT_MRECORD_CSV_HEADER                                                   \
	"id,time,start_timestamp,end_timestamp,paused_time,pid,ppid,process_name," \
	"parent_process_name,broken,error_type,error_value,traceback"

/* One row.  Strings may be NULL (empty field). */
struct pt_mrecord {
	const char *id;
	double time, start_timestamp, end_timestamp, paused_time;
	long pid, ppid;
	const char *process_name, *parent_process_name;
	int broken;
	const char *error_type, *error_value, *traceback;
};
/* R as one CSV line with its newline; malloc'd. */
PT_API char *pt_mrecord_csv_row(const struct pt_mrecord *r);
/* Append R to the CSV file PATH (created if missing; the header first when
 * it is empty) under an exclusive lock of the file (fcntl open-file-
 * description lock: excludes other threads and processes), waiting at most
 * TIMEOUT_S seconds for it.  One write per row, so rows never interleave.
 * 0, -ETIMEDOUT with a message naming the file, or -errno. */
PT_API int pt_mrecord_append(const char *path, const struct pt_mrecord *r,
                             double timeout_s);

struct pt_measure_opts {
	const char *path;       /* CSV file; default "profile.csv" (see PROF) */
	double lock_timeout_s;  /* default 10 */
	int skip_on_timeout;    /* 1: a lock timeout logs and drops the row, stop
	                         * returns 0; 0 (default): stop returns -ETIMEDOUT */
	int verbose;            /* 1: log one line per measurement */
	/* where log lines go (default: stderr); called from the stopping thread */
	void (*log)(void *arg, const char *line);
	void *log_arg;
	/* also keep each row in this profiler's report (key "measurements", the
	 * last 4096 rows), e.g. pt_worker_prof(w) in a task: the rows then land
	 * in the trial's results.  With PROF set and PATH NULL no file is
	 * written.  Borrowed; must outlive the measurement. */
	pt_prof *prof;
};
PT_API void pt_measure_opts_init(struct pt_measure_opts *o);

/* A measurement named ID (copied; NULL or "" = "measurement") with options
 * O (copied; NULL = defaults).  NULL with errno ENOMEM.  A measurement may be
 * used for several start..stop rounds, one thread at a time. */
PT_API pt_measure *pt_measure_new(const char *id, const struct pt_measure_opts *o);
/* pt_measure_new with the id defaulting to the enclosing function's name. */
#define PT_MEASURE_NEW(opts) pt_measure_new(__func__, (opts))
PT_API void pt_measure_free(pt_measure *m);
/* -EALREADY when already started (double start). */
PT_API int pt_measure_start(pt_measure *m);
/* Pause the clock; idempotent.  -EINVAL when not started. */
PT_API int pt_measure_pause(pt_measure *m);
/* Resume after a pause; no effect when not paused.  -EINVAL when not started. */
PT_API int pt_measure_resume(pt_measure *m);
/* Mark the running measurement broken: the measured code failed with
 * ERROR_TYPE (e.g. "ENOENT" or "parse error") and the formatted value; the
 * current backtrace (backtrace(3)) is kept for the row.  -EINVAL when not
 * started. */
PT_API int pt_measure_fail(pt_measure *m, const char *error_type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* End the measurement and append its row (see pt_mrecord_append).
 * -EINVAL when not started (stop without start); -ETIMEDOUT or -errno when
 * the row could not be written (the measurement still ends). */
PT_API int pt_measure_stop(pt_measure *m);
/* The last finished measurement's row (borrowed, valid until the next stop
 * or free), or NULL before the first stop. */
PT_API const struct pt_mrecord *pt_measure_record(const pt_measure *m);

#define PT__MEASURE_CALL(opts, expr, n)                                           \
	__extension__({                                                           \
		pt_measure *PT__CAT(pt__m_, n) = pt_measure_new(__func__, (opts)); \
		int PT__CAT(pt__mrc_, n);                                         \
		if (PT__CAT(pt__m_, n))                                           \
			pt_measure_start(PT__CAT(pt__m_, n));                     \
		PT__CAT(pt__mrc_, n) = (expr);                                    \
		if (PT__CAT(pt__m_, n)) {                                         \
			if (PT__CAT(pt__mrc_, n) != 0)                            \
				pt_measure_fail(PT__CAT(pt__m_, n), "nonzero return", \
				                "%d", PT__CAT(pt__mrc_, n));      \
			pt_measure_stop(PT__CAT(pt__m_, n));                      \
			pt_measure_free(PT__CAT(pt__m_, n));                      \
		}                                                                 \
		PT__CAT(pt__mrc_, n);                                             \
	})
/* Measure the int expression EXPR with id = the enclosing function's name;
 * a nonzero value marks the row broken (error_type "nonzero return",
 * error_value the value).  Yields EXPR's value. */
#define PT_MEASURE_CALL(opts, expr) PT__MEASURE_CALL(opts, expr, __COUNTER__)

/* ---- trace files ------------------------------------------------------------
 *
 * Events are recorded into per-thread buffers without a lock; a thread
 * whose buffer holds `commit_events` events converts them to JSON and
 * appends them to the file, so memory stays bounded however long the run.
 * The file is the JSON object form of the Trace Event Format,
 * {"traceEvents": [...]} with ts and dur in microseconds, which trace
 * viewers load as it is.  Each thread that records gets
 * thread_name metadata (its name, or the one given with
 * pt_trace_thread_name); the process gets process_name metadata.  A trace
 * survives fork(): the child appends its own events (its pid) to the same
 * file, under an fcntl lock.
 */

/* Event phases (those of the Trace Event Format). */
enum pt_trace_phase {
	PT_PH_COMPLETE = 'X', PT_PH_BEGIN = 'B', PT_PH_END = 'E', PT_PH_INSTANT = 'i',
	PT_PH_ASYNC_BEGIN = 'b', PT_PH_ASYNC_INSTANT = 'n', PT_PH_ASYNC_END = 'e',
	PT_PH_FLOW_BEGIN = 's', PT_PH_FLOW_STEP = 't', PT_PH_FLOW_END = 'f',
	PT_PH_COUNTER = 'C', PT_PH_OBJECT_CREATED = 'N', PT_PH_OBJECT_SNAPSHOT = 'O',
	PT_PH_OBJECT_DESTROYED = 'D', PT_PH_METADATA = 'M', PT_PH_MARK = 'R',
};
/* Instant event scopes. */
enum pt_trace_scope { PT_SCOPE_GLOBAL = 'g', PT_SCOPE_PROCESS = 'p', PT_SCOPE_THREAD = 't' };

enum pt_trace_arg_type { PT_ARG_INT, PT_ARG_DOUBLE, PT_ARG_STR };
/* One entry of an event's "args" object. */
struct pt_trace_arg {
	const char *key;
	enum pt_trace_arg_type type;
	int64_t i;
	double d;
	const char *s;
};

/* One event.  Strings are copied when recorded. */
struct pt_trace_event {
	char ph;             /* enum pt_trace_phase */
	char scope;          /* instant events: enum pt_trace_scope (0 = 't') */
	const char *name;    /* required except for E */
	const char *cat;     /* may be NULL */
	uint64_t ts_ns;      /* pt_trace_now() clock; 0 = now */
	uint64_t dur_ns;     /* X only */
	const char *id;      /* async, flow and object events: required */
	const struct pt_trace_arg *args;
	unsigned nargs;      /* at most 16 */
};

struct pt_trace_opts {
	unsigned commit_events; /* per-thread threshold; default 5000: at most
	                         * about 0.5 MB buffered per thread, written in
	                         * batches that keep writes rare */
	const char *process_name; /* default: the program's name */
};
PT_API void pt_trace_opts_init(struct pt_trace_opts *o);

/* Create (truncate) PATH and start a trace.  O may be NULL.  NULL with errno
 * and pt_last_error() naming the file.  Close with pt_trace_close(). */
PT_API pt_trace *pt_trace_open(const char *path, const struct pt_trace_opts *o);
/* Write every thread's buffered events, end the JSON, close and free T.  No
 * thread may record into T any more.  0 or the first write error
 * (-errno).  In a forked child, flushes the child's events and frees T
 * without ending the file (the parent does). */
PT_API int pt_trace_close(pt_trace *t);
/* Write every thread's buffered events now.  0 or -errno. */
PT_API int pt_trace_flush(pt_trace *t);
/* The clock of trace timestamps: CLOCK_MONOTONIC in nanoseconds (the same
 * in every process of the machine). */
PT_API uint64_t pt_trace_now(void);
/* Events recorded so far (all threads). */
PT_API uint64_t pt_trace_count(const pt_trace *t);

/* Record E.  0, -EINVAL for a malformed event (unknown phase, missing name
 * or id, too many args), -EIO after a write error. */
PT_API int pt_trace_record(pt_trace *t, const struct pt_trace_event *e);
/* Shorthands, all timestamped now unless they take one. */
PT_API int pt_trace_complete(pt_trace *t, const char *name, const char *cat,
                             uint64_t ts_ns, uint64_t dur_ns);
PT_API int pt_trace_begin(pt_trace *t, const char *name, const char *cat);
PT_API int pt_trace_end(pt_trace *t, const char *name, const char *cat);
PT_API int pt_trace_instant(pt_trace *t, const char *name, char scope);
/* A counter event: series SERIES of counter NAME takes VALUE. */
PT_API int pt_trace_counter(pt_trace *t, const char *name, const char *series,
                            double value);
/* Name the calling thread's track (thread_name metadata; copied). */
PT_API int pt_trace_thread_name(pt_trace *t, const char *name);
/* Name the calling process (process_name metadata; copied). */
PT_API int pt_trace_process_name(pt_trace *t, const char *name);

/*
 * Part 5: the engine
 * ==================
 *
 * The calls a task makes from its callbacks, then what a program that runs
 * tasks itself uses: everything the proftune command does is one of these
 * calls.  Conventions as in Part 2.
 */

/* ---- calls a task makes -----------------------------------------------------
 *
 * Thread-safety: calls taking a pt_ctx are safe from setup and teardown, and
 * from any worker for the read-only ones (parameters, data, worker count).
 * Calls taking a pt_worker must be made from that worker's own thread; they
 * take no lock.  Strings passed in are copied unless noted; strings returned
 * are borrowed and live until the trial ends.
 */

/* Task parameters come from `-p KEY=VALUE`.  Each getter returns the value of
 * KEY, or DEF when the parameter was not given.  A value that is not a
 * well-formed number (int: decimal/0x integer with an optional k/M/G suffix;
 * double: strtod syntax) makes the trial fail with a setup error naming the
 * key; the getter then returns DEF.  Every given parameter that no getter
 * reads is reported as a warning ("unknown parameter"). */
PT_API const char *pt_param_str(pt_ctx *ctx, const char *key, const char *def);
PT_API long long pt_param_int(pt_ctx *ctx, const char *key, long long def);
PT_API double pt_param_double(pt_ctx *ctx, const char *key, double def);

/* Task-wide user data: set in setup, read anywhere.  Not freed by proftune. */
PT_API void pt_ctx_set_data(pt_ctx *ctx, void *data);
PT_API void *pt_ctx_data(const pt_ctx *ctx);
/* Number of workers of this trial. */
PT_API unsigned pt_ctx_workers(const pt_ctx *ctx);

/* Report a setup/teardown error: keeps the formatted message (its first
 * 1024 bytes, with a note of the full length when cut) and returns
 * PT_FAIL, so `return pt_ctx_error(ctx, "cannot open %s", path);` works. */
PT_API int pt_ctx_error(pt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Skip the trial ("not supported here"): keeps the reason, returns PT_SKIP. */
PT_API int pt_skip(pt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record a named value of the task itself (e.g. a calibrated cost), shown in
 * the trial's `notes`.  Last write wins.  Call from setup or teardown. */
PT_API void pt_ctx_note(pt_ctx *ctx, const char *name, double value);
/* Record a task-wide named memory size in bytes (last write wins). */
PT_API void pt_ctx_memory_record(pt_ctx *ctx, const char *name, uint64_t bytes);

/* Per-worker user data, set in worker_setup.  Not freed by proftune. */
PT_API void pt_worker_set_data(pt_worker *w, void *data);
PT_API void *pt_worker_data(const pt_worker *w);
/* The trial this worker belongs to. */
PT_API pt_ctx *pt_worker_ctx(pt_worker *w);
/* Index of the worker, 0 .. count-1, and the worker count. */
PT_API unsigned pt_worker_index(const pt_worker *w);
PT_API unsigned pt_worker_count(const pt_worker *w);
/* OS index of the CPU the worker is bound to, or -1 when unbound
 * (placement "none"). */
PT_API int pt_worker_cpu(const pt_worker *w);
/* OS index of the NUMA node of that CPU, or -1 when unbound or unknown. */
PT_API int pt_worker_numa(const pt_worker *w);

/* Report an error on the current item (or in worker_setup): counts it and
 * keeps the message, cut as pt_ctx_error's (the first few distinct messages per trial are kept with
 * their counts).  Returns PT_FAIL, so `return pt_error(w, "...")` works. */
PT_API int pt_error(pt_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add VALUE to the named counter.  Counters are summed across workers and
 * reported with their rate per second of the measured phase.  NAME should be
 * a string literal or otherwise outlive the trial: it is compared by address
 * first, so the hot path does no string work after the first call.  At most
 * PT_MAX_COUNTERS names per trial; further names are dropped and reported. */
PT_API void pt_counter_add(pt_worker *w, const char *name, uint64_t value);
/* Record a named memory size of this worker in bytes (last write wins per
 * worker; the trial reports the sum over workers). */
PT_API void pt_memory_record(pt_worker *w, const char *name, uint64_t bytes);

#define PT_MAX_COUNTERS 32

/* The profiler of the current trial (Part 4): blocks, timers, counters, memory
 * records and stamps made with it land in the trial's `instrumentation`
 * section of the results document and, under `proftune run/tune --trace`,
 * in the trace (each worker its own track).  Borrowed; valid until the trial
 * ends.  Data a worker records during the warm-up is discarded when the
 * measured phase starts.  NULL only when it could not be allocated (the
 * macros then do nothing). */
PT_API pt_prof *pt_worker_prof(pt_worker *w);
PT_API pt_prof *pt_ctx_prof(pt_ctx *ctx);

/* ---- loading tasks ------------------------------------------------------- */

/* A loaded task. */
typedef struct pt_module pt_module;

/* Load a task.  SPEC is a path (it contains a '/' or ends in ".so") or a
 * bare name looked up as NAME.so in each directory of SEARCH_PATH
 * (colon-separated, may be NULL), then in the installed task directory.
 * Returns NULL with errno set and pt_last_error() naming the file and the
 * reason (missing file, not a shared object, no `proftune_task`, ABI
 * mismatch, missing run callback).  Free with pt_module_close(). */
PT_API pt_module *pt_module_open(const char *spec, const char *search_path);
/* Wrap a task defined in the calling program (no dlopen).  TASK is borrowed
 * and must outlive the module.  Same checks as pt_module_open(). */
PT_API pt_module *pt_module_from_task(const struct pt_task *task, const char *label);
PT_API void pt_module_close(pt_module *m);
PT_API const struct pt_task *pt_module_task(const pt_module *m);
/* The resolved file path, or the label given to pt_module_from_task(). */
PT_API const char *pt_module_path(const pt_module *m);

/* The installed task directory (build-time constant). */
PT_API const char *pt_task_dir(void);
/* Directories searched for bare task names, in order, colon-separated:
 * SEARCH_PATH (may be NULL), the build tree's task directory when running
 * from the build tree, then pt_task_dir().  Returns a malloc'd string the
 * caller frees. */
PT_API char *pt_task_search_dirs(const char *search_path);

/* ---- topology and placement ---------------------------------------------- */

/* Worker placement policies. */
enum pt_placement {
	PT_PLACE_NONE = 0, /* not bound; the OS schedules */
	PT_PLACE_COMPACT,  /* fill PUs in topology order: neighbours share caches */
	PT_PLACE_SCATTER,  /* spread over packages, NUMA nodes and cores */
};
/* "none", "compact", "scatter"; pt_placement_parse returns -EINVAL for other
 * names. */
PT_API const char *pt_placement_name(enum pt_placement p);
PT_API int pt_placement_parse(const char *name);

/* The CPUs, caches and memory nodes of this machine or of a described one. */
typedef struct pt_topology pt_topology;

/* Load this machine's topology restricted to the CPUs this process may use,
 * or, when SYNTHETIC is not NULL, the machine it describes: object types,
 * outermost first, each with its count per parent, such as
 * "package:2 numa:2 core:4 pu:2" (all of its PUs are allowed).  NULL with
 * errno and pt_last_error() on failure.  Free with pt_topology_free(). */
PT_API pt_topology *pt_topology_new(const char *synthetic);
PT_API void pt_topology_free(pt_topology *t);
/* 1 for a synthetic topology (workers are then not bound), else 0. */
PT_API int pt_topology_is_synthetic(const pt_topology *t);

/* Object counts within the allowed CPUs. */
struct pt_topology_counts {
	unsigned packages, numa_nodes, cores, pus;
	unsigned l1, l2, l3; /* data/unified cache objects per level */
};
PT_API void pt_topology_counts(const pt_topology *t, struct pt_topology_counts *out);
/* Allowed CPUs as a list string, e.g. "0-3,8"; malloc'd, caller frees. */
PT_API char *pt_topology_allowed_list(const pt_topology *t);
/* Multi-line human description (packages, NUMA nodes, caches, cores, PUs);
 * malloc'd, caller frees. */
PT_API char *pt_topology_describe(const pt_topology *t);

/* Where one worker goes. */
struct pt_slot {
	int pu;    /* OS index of the PU, -1 when unbound */
	int core;  /* logical index of its core, -1 when unknown */
	int numa;  /* OS index of its NUMA node, -1 when unknown */
	int package; /* logical index of its package, -1 when unknown */
};
/* Plan the placement of N workers: fill OUT[0..n-1].  With more workers than
 * allowed PUs, PUs are reused round-robin in the same order.  0 or -errno. */
PT_API int pt_topology_plan(const pt_topology *t, enum pt_placement p, unsigned n,
                            struct pt_slot *out);
/* The machine's counts and the N SLOTS of a plan made with placement P as
 * JSON text (what `proftune topology --json` prints); malloc'd, NULL on
 * ENOMEM. */
PT_API char *pt_topology_json(const pt_topology *t, enum pt_placement p,
                              const struct pt_slot *slots, unsigned n);
/* Number of PUs the process may use. */
PT_API unsigned pt_topology_allowed_pus(const pt_topology *t);

/* ---- parameters and trials ----------------------------------------------- */

/* Task parameters (KEY=VALUE pairs). */
typedef struct pt_params pt_params;
PT_API pt_params *pt_params_new(void);
PT_API void pt_params_free(pt_params *p);
/* Add "KEY=VALUE" (a later KEY replaces an earlier one).  -EINVAL with a
 * message when there is no '=' or the key is empty. */
PT_API int pt_params_add(pt_params *p, const char *assignment);
PT_API size_t pt_params_count(const pt_params *p);
PT_API const char *pt_params_key(const pt_params *p, size_t i);
PT_API const char *pt_params_value(const pt_params *p, size_t i);

/* Where a trial runs. */
enum pt_isolation {
	PT_ISOLATE_NONE = 0, /* in the calling process (for debuggers; a crash is ours) */
	PT_ISOLATE_TRIAL,    /* in a supervised child process: crashes, hangs, exit()
	                      * and memory exhaustion are recorded, not suffered */
	PT_ISOLATE_PROCESS,  /* as TRIAL, and each worker is a process of its own
	                      * (after setup): a worker's crash marks it broken and
	                      * ends the trial cleanly with the others' results */
};
PT_API const char *pt_isolation_name(enum pt_isolation i);

/* Everything that defines one trial. */
struct pt_trial_config {
	unsigned workers;            /* >= 1 */
	enum pt_placement placement;
	uint64_t items;              /* measured items; 0 = use duration_s */
	double duration_s;           /* measured seconds when items == 0 */
	double warmup_s;             /* unmeasured warm-up before the measured phase */
	int record_latency;          /* 1: per-item latency histogram (one clock read per item) */
	int counters;                /* 1: open perf_event counters per worker */
	unsigned repeat;             /* repetition index, recorded only */
	const pt_params *params;     /* borrowed; may be NULL */
	enum pt_isolation isolation; /* default PT_ISOLATE_NONE */
	double timeout_s;            /* isolated trials: kill after this long; 0 = never */
	uint64_t memory_limit;       /* isolated trials: address-space limit in bytes; 0 = none */
	struct pt_trace *trace;      /* borrowed; may be NULL: the trial's workers, blocks,
	                              * stamps and samples go to this trace (Part 4) */
	double max_error_rate;       /* failed items / items above which the trial
	                              * fails; 0: any failed item fails it */
	int all_worker_detail;       /* 1: every per-worker entry keeps its latency,
	                              * counters and memory; 0: only up to
	                              * PT_DETAIL_WORKERS workers */
	int reap_orphans;            /* isolated trials: make this process a child
	                              * subreaper and, after each trial, end and
	                              * reap every child process it has left (a
	                              * task's daemons that left the trial's
	                              * process group); only for a process with
	                              * no children of its own to keep */
};
/* Trials of more workers keep a compact entry per worker (placement, items,
 * errors, times, throughput) in their JSON, so that a document of 1,024
 * workers stays small; all_worker_detail keeps everything. */
#define PT_DETAIL_WORKERS 64
/* Defaults: 1 worker, no placement, 1 s, 0.1 s warm-up, latency and counters
 * on, in-process (the proftune command isolates by default), up to
 * PT_MAX_ERROR_RATE of the items may fail. */
PT_API void pt_trial_config_init(struct pt_trial_config *c);
/* The default bound on failed items: a task whose items fail now and then
 * (a dropped request, a busy resource) can still be measured and tuned,
 * while one failing more than 1 in 20 is treated as broken. */
#define PT_MAX_ERROR_RATE 0.05

/* Outcome of a trial. */
enum pt_status {
	PT_STATUS_OK = 0,
	PT_STATUS_FAILED,  /* setup failed or a callback returned an error */
	PT_STATUS_SKIPPED, /* the task said "not supported here" */
	PT_STATUS_CRASHED,
	PT_STATUS_TIMEOUT,
	PT_STATUS_INTERRUPTED, /* stopped early by pt_interrupt() */
	PT_STATUS_OUT_OF_MEMORY, /* an isolated trial ran out of its memory limit */
	PT_STATUS_EXITED,      /* the task called exit() or _exit() in an isolated trial */
};
PT_API const char *pt_status_name(enum pt_status s);

/* Latency summary in nanoseconds. */
struct pt_latency {
	uint64_t count;
	double min, mean, stddev, p50, p90, p99, p999, max;
};

/* The headline numbers of a trial; the full result is in its JSON.  What a
 * trial did not measure (it crashed or was lost before sending its results,
 * or latency was off) is NAN in the doubles and 0 in the counts, and null in
 * the JSON. */
struct pt_trial_stats {
	enum pt_status status;
	unsigned workers;
	uint64_t items;      /* measured items, all workers */
	uint64_t errors;     /* items whose run returned an error */
	double wall_s;       /* first item started to last item finished, measured phase */
	double throughput;   /* items / wall_s */
	double cpu_user_s, cpu_sys_s;
	struct pt_latency latency; /* count == 0 when not recorded */
	uint64_t peak_rss;   /* bytes, peak during this trial; 0 if unknown */
	double imbalance;    /* max worker items / mean worker items - 1 */
	double goodput;      /* items that succeeded / wall_s */
	double error_rate;   /* errors / items; NAN when no item ran */
};

/* Ask the running trial (and tune) to stop as soon as possible: the
 * measured phase ends, the trial is returned with PT_STATUS_INTERRUPTED.
 * Async-signal-safe, so a SIGINT handler may call it.  The request stays
 * until pt_interrupt_clear(). */
PT_API void pt_interrupt(void);
PT_API int pt_interrupted(void);
PT_API void pt_interrupt_clear(void);

/* Can a trial of N workers under isolation ISO start here?  Checked
 * against the limits on threads and processes (RLIMIT_NPROC, a cgroup's
 * pids.max, kernel.threads-max, kernel.pid_max), on mappings
 * (vm.max_map_count: each thread stack is two), on address space and
 * committed memory (RLIMIT_AS, strict overcommit) and on memory
 * (MemAvailable, a cgroup's memory limit) for each worker's state, stack,
 * record and JSON, with what this user and process already use, in a few
 * milliseconds.  Sets *LARGEST (may be NULL) to the largest count that can
 * start.  0 when N can; -EAGAIN when it cannot, with a message naming the
 * limit that binds and the count it allows; -EINVAL when N is 0. */
PT_API int pt_workers_feasible(unsigned n, enum pt_isolation iso, unsigned *largest);

/* A finished trial (opaque). */
typedef struct pt_trial pt_trial;

/* Run one trial of M on topology T (NULL: this machine) with config C.
 * Returns the trial (whatever its status) or NULL with errno only when the
 * trial could not be attempted (bad config, out of memory).  A task failure
 * is a trial with status PT_STATUS_FAILED and its message, not a NULL.
 * Free with pt_trial_free() unless handed to pt_results_add_trial(). */
PT_API pt_trial *pt_trial_run(pt_module *m, const pt_topology *t,
                              const struct pt_trial_config *c);
PT_API void pt_trial_free(pt_trial *tr);
PT_API const struct pt_trial_stats *pt_trial_stats(const pt_trial *tr);
/* The first error or skip message of the trial, or NULL. */
PT_API const char *pt_trial_message(const pt_trial *tr);
/* The trial's JSON object as text (schema proftune/2, one `trials[]` entry);
 * malloc'd, caller frees. */
PT_API char *pt_trial_json(const pt_trial *tr);

/*
 * Part 6: results documents
 * =========================
 *
 * A results document holds the trials of one `run` or `tune` (see
 * proftune(5)).  It is built from trials as they finish (pt_results_new,
 * pt_results_add_trial) and written out; for people and for CI it is read
 * back and validated once (pt_doc_load), then summarised per worker count
 * (pt_doc_counts) or compared with another one (pt_compare_new, the
 * regression gate of `proftune report --compare`).  Conventions as in
 * Part 2.
 */

/* A results document (schema "proftune/2"). */
typedef struct pt_results pt_results;
/* COMMAND is "run" or "tune"; M and T are borrowed to describe the task and
 * host and must outlive the document.  CONFIG_JSON is a JSON object text of
 * the options as applied (copied), or NULL. */
PT_API pt_results *pt_results_new(const char *command, const pt_module *m,
                                  const pt_topology *t, const pt_params *params,
                                  const char *config_json);
PT_API void pt_results_free(pt_results *r);
/* Append a trial; the document takes ownership. */
PT_API void pt_results_add_trial(pt_results *r, pt_trial *tr);
PT_API size_t pt_results_trial_count(const pt_results *r);
PT_API const pt_trial *pt_results_trial(const pt_results *r, size_t i);
/* Add a warning line to the document (copied). */
PT_API void pt_results_warn(pt_results *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark the document as interrupted (partial results). */
PT_API void pt_results_set_interrupted(pt_results *r, int interrupted);
/* The document as JSON text; malloc'd, caller frees.  NULL on ENOMEM. */
PT_API char *pt_results_json(const pt_results *r);
/* Write the document to PATH atomically (temporary file in the same
 * directory, fsync, rename).  Once it is written, the journals that
 * pt_results_save() kept for R are removed: the document holds all they
 * do.  0 or -errno with pt_last_error(). */
PT_API int pt_results_write(const pt_results *r, const char *path);
/* Save what R gained since the last call to PATH's journal, "PATH.journal"
 * (one JSON record a line: the new trials, then the summary and warnings
 * when they changed), with one write and fdatasync: a save costs what it
 * adds, never what was saved before, and a kill at any moment loses only
 * what was not yet saved.  The first call starts the journal with the
 * document's header, after writing to PATH the document of a journal that
 * an earlier run left there (pt_doc_recover()).  PATH itself is written
 * at the end, by pt_results_write().  Where no journal can be kept (another
 * process is saving to PATH, a file that is not a journal has its name),
 * the whole document is written instead, as by pt_results_write(); a
 * character device receives nothing until then.  0 or -errno with
 * pt_last_error(). */
PT_API int pt_results_save(pt_results *r, const char *path);

/* ---- reading documents back ---------------------------------------------- */

/* A tune's answer as recorded in a document's summary: read back with
 * pt_doc_tune_answer(), or from a document being written with
 * pt_results_tune_answer() (Part 7). */
struct pt_tune_answer {
	unsigned optimal_workers;
	unsigned recommended_workers;
	double best_throughput;
	unsigned trials;
	double elapsed_s;
};

/* A results document read back and validated (opaque). */
typedef struct pt_doc pt_doc;

/* Validate TEXT (LEN bytes, need not be NUL-terminated) as a results
 * document of schema "proftune/2" or "proftune/1" (proftune/1 wrote 0 where
 * proftune/2 writes null for what was not measured; both read alike); NAME
 * (copied) names it in messages, normally its file name.  Returns the document, or NULL with errno set
 * and pt_last_error() naming NAME and the problem: empty, binary data, not
 * JSON (with the byte offset of the parse error, counted from 0),
 * truncated, text after the document, not an object, another schema, a
 * missing required field, a field of the wrong type, or a number out of
 * range (not finite, or not a sane count, time, rate or size) -- fields
 * named by their path, e.g. `trials[2].workers`.  Free with pt_doc_free(). */
PT_API pt_doc *pt_doc_parse(const char *text, size_t len, const char *name);
/* Read the file PATH ("-": standard input) and pt_doc_parse() it.  NULL with
 * errno and pt_last_error() also when the file cannot be read. */
PT_API pt_doc *pt_doc_load(const char *path);
/* The results a run or tune saving to PATH left there: when PATH's
 * journal (pt_results_save()) holds trials that the document at PATH lacks
 * (the run is still measuring, or was killed), the document rebuilt from
 * the journal -- marked interrupted, its warnings saying so and naming any
 * line the kill cut short, which is dropped -- else pt_doc_load(PATH).
 * Reads only; NULL with errno and pt_last_error() as pt_doc_load(). */
PT_API pt_doc *pt_doc_recover(const char *path);
PT_API void pt_doc_free(pt_doc *d);
/* The name given at load (borrowed). */
PT_API const char *pt_doc_name(const pt_doc *d);
/* "run" or "tune" (borrowed). */
PT_API const char *pt_doc_command(const pt_doc *d);
/* The task's name (borrowed). */
PT_API const char *pt_doc_task(const pt_doc *d);
/* 1 when the document says its run or tune was interrupted (it holds the
 * trials measured before), else 0. */
PT_API int pt_doc_interrupted(const pt_doc *d);
/* The document re-emitted as JSON text in proftune's own layout (same
 * content as read); malloc'd, caller frees; NULL on ENOMEM. */
PT_API char *pt_doc_json(const pt_doc *d);

/* What a document says about one worker count; values are NAN when
 * unknown (no ok trial, latency not recorded, memory not measured). */
struct pt_doc_count {
	unsigned workers;
	unsigned trials;      /* all trials at this count */
	unsigned ok_trials;   /* those with status ok */
	double throughput;    /* median over the ok trials, items/s */
	double low, high;     /* a tune's 95% interval of the typical throughput
	                       * (interval_is_ci), else the smallest and largest
	                       * ok trial */
	int interval_is_ci;
	double p50_ns, p99_ns; /* medians of the ok trials' latency percentiles */
	double peak_rss;      /* median peak RSS in bytes */
	double model;         /* the fitted model's throughput here */
};
/* The worker counts of D in increasing order: *OUT is a malloc'd array of
 * *N entries the caller frees.  0 or -ENOMEM. */
PT_API int pt_doc_counts(const pt_doc *d, struct pt_doc_count **out, size_t *n);
/* The scalability model of a tune document's summary (`points` is 0).
 * 0, or -ENOENT when the document has no fitted model. */
PT_API int pt_doc_model(const pt_doc *d, struct pt_usl_model *out);
/* A tune document's answer.  0, or -ENOENT without one. */
PT_API int pt_doc_tune_answer(const pt_doc *d, struct pt_tune_answer *out);

/* ---- comparing documents: the regression gate -------------------------------
 *
 * Trials of BASE and NEW are matched by worker count
 * and placement; for each matched pair and metric, the per-trial values of
 * the ok trials are compared on a logarithmic scale with the Mann-Whitney U
 * test (exact null distribution up to 2500 pairs of values, normal
 * approximation beyond):
 *   - "regression": one-sided at level alpha, NEW is worse than BASE by more
 *     than the threshold (throughput below (1 - threshold) times BASE's,
 *     p99 latency or peak memory above (1 + threshold) times BASE's);
 *   - "worse" / "better": one-sided at level alpha, NEW differs from BASE
 *     (the interval below excludes no change), but is not shown worse than
 *     the threshold;
 *   - "same": no significant change, and the interval below excludes a
 *     change worse than the threshold;
 *   - "noisy": no significant change, but the interval reaches beyond the
 *     threshold: a regression can be neither shown nor excluded (more
 *     trials or a quieter machine would decide);
 *   - "inconclusive": too few values for the test to ever reach alpha: it
 *     needs C(n + m, n) >= 1 / alpha arrangements, i.e. at least 3 trials a
 *     side at alpha = 5% (pt_compare_min_trials()), 5 or more advisable;
 *   - "unavailable": a side has no value (latency not recorded, count only
 *     on one side); "failed": NEW has trials at the count but none ok.
 * The change is the Hodges-Lehmann estimate of NEW / BASE (the median of
 * all pairwise ratios) with the distribution-free interval of confidence
 * 1 - 2 alpha whose bounds are the one-sided tests' (90% at alpha = 5%),
 * so "regression" holds exactly when the interval lies beyond the
 * threshold.
 */
enum pt_metric {
	PT_METRIC_THROUGHPUT = 0, /* trial throughput, higher is better */
	PT_METRIC_P99,            /* trial p99 latency, lower is better */
	PT_METRIC_MEMORY,         /* trial peak RSS, lower is better */
};
#define PT_METRICS 3
/* "throughput", "p99", "memory"; pt_metric_parse returns -EINVAL for
 * other names. */
PT_API const char *pt_metric_name(enum pt_metric m);
PT_API int pt_metric_parse(const char *name);

enum pt_change {
	PT_CHANGE_SAME = 0,
	PT_CHANGE_BETTER,
	PT_CHANGE_WORSE,
	PT_CHANGE_REGRESSION,
	PT_CHANGE_INCONCLUSIVE,
	PT_CHANGE_UNAVAILABLE,
	PT_CHANGE_FAILED,
	PT_CHANGE_NOISY,
};
/* "same", "better", "worse", "regression", "inconclusive", "unavailable",
 * "failed", "noisy". */
PT_API const char *pt_change_name(enum pt_change c);

struct pt_compare_config {
	double threshold; /* fraction in (0, 1); default 0.05 */
	unsigned gate;    /* metrics that fail the gate: bits 1u << PT_METRIC_*;
	                   * default throughput only */
	double alpha;     /* one-sided significance level in (0, 0.5); default 0.05 */
	int strict;       /* 1: inconclusive, noisy or unavailable gated metrics
	                   * of matched counts fail too */
};
PT_API void pt_compare_config_init(struct pt_compare_config *c);

/* One metric of one matched count. */
struct pt_compare_metric {
	enum pt_metric metric;
	unsigned n_base, n_new;   /* ok trials with a value, per side */
	double base_median, new_median;
	double ratio;             /* Hodges-Lehmann estimate of NEW / BASE */
	double ratio_low, ratio_high; /* its interval; NAN with too few values */
	double p_regression;      /* one-sided p-value of "worse than the threshold" */
	double p_change;          /* two-sided p-value of any change */
	enum pt_change change;
	int gated;                /* the metric is in the gate */
	int fails;                /* this verdict fails the gate */
};

/* One worker count and placement, present in BASE, NEW or both. */
struct pt_compare_row {
	unsigned workers;
	const char *placement;    /* borrowed from the documents */
	unsigned base_trials, new_trials; /* trials of any status, per side */
	struct pt_compare_metric m[PT_METRICS];
};

/* A comparison of two documents (opaque). */
typedef struct pt_compare pt_compare;
/* Compare NEWER against BASE (both borrowed; they must outlive the
 * comparison).  NULL with errno and pt_last_error() for a bad
 * configuration (EINVAL), when the documents share no worker count and
 * placement (ENOENT), or ENOMEM.  Free with pt_compare_free(). */
PT_API pt_compare *pt_compare_new(const pt_doc *base, const pt_doc *newer,
                                  const struct pt_compare_config *c);
PT_API void pt_compare_free(pt_compare *cmp);
/* Rows in increasing worker count (then placement name). */
PT_API size_t pt_compare_count(const pt_compare *cmp);
PT_API const struct pt_compare_row *pt_compare_row(const pt_compare *cmp, size_t i);
/* 1 when any row has a metric that fails the gate. */
PT_API int pt_compare_failed(const pt_compare *cmp);
/* The fewest trials per side (the same on both) with which the test can
 * reach level ALPHA: 3 at 0.05. */
PT_API unsigned pt_compare_min_trials(double alpha);
/* The comparison as a JSON document (schema "proftune-compare/1", see
 * proftune(5)); malloc'd, caller frees; NULL on ENOMEM. */
PT_API char *pt_compare_json(const pt_compare *cmp);

/*
 * Part 7: the tuner
 * =================
 *
 * pt_tune() measures a task at several worker counts and finds the count
 * that serves it best.  Every measurement is a pt_trial_run() trial; trials
 * run in a random interleaved order so drift does not favour one count.
 *
 * The answer: optimal_workers has the highest median throughput;
 * recommended_workers is the smallest count shown non-inferior to the optimal
 * one within the tolerance: a one-sided 95% test on log-throughput with the
 * variance pooled over all counts, H0: X(k) <= (1 - tolerance) X(best).  When
 * no smaller count passes, the optimal count is recommended.
 */
enum pt_strategy {
	PT_STRATEGY_AUTO = 0,   /* bracket geometrically, fit, probe, race */
	PT_STRATEGY_EXHAUSTIVE, /* every candidate, a fixed number of repeats */
};
PT_API const char *pt_strategy_name(enum pt_strategy s);
PT_API int pt_strategy_parse(const char *name);

/* State of a tune, passed to the progress callback. */
struct pt_tune_progress {
	unsigned trials;          /* trials finished */
	unsigned workers;         /* worker count of the last trial */
	double elapsed_s;
	double eta_s;             /* estimate; < 0 when unknown */
	unsigned best_workers;    /* best median so far, 0 before any trial */
	double best_throughput;
};

struct pt_tune_config {
	unsigned min_workers, max_workers; /* candidates min..max when nlist == 0 */
	const unsigned *list;              /* explicit candidates (borrowed), or NULL */
	size_t nlist;
	enum pt_strategy strategy;
	double tolerance;     /* fraction in (0, 1), default 0.05 */
	double budget_s;      /* wall-clock bound of the whole tune; 0 = none */
	unsigned repeats;     /* exhaustive: trials per count (default 3); auto: the
	                       * most trials per count (default 3) */
	uint64_t seed;        /* trial order; 0 picks one from the clock */
	struct pt_trial_config trial; /* workers and repeat are set per trial */
	/* Called after every trial with the document updated (summary
	 * included), e.g. to save it.  Return nonzero to stop the tune. */
	int (*on_trial)(void *arg, const pt_results *r, const struct pt_tune_progress *p);
	void *arg;
};
/* Defaults: 1..allowed PUs (set min/max to 0 for that), auto, 5%, 3 repeats,
 * trials of 0.5 s after 0.1 s warm-up. */
PT_API void pt_tune_config_init(struct pt_tune_config *c);

/* Tune M on T (NULL: this machine), appending trials and the summary to R
 * (created by pt_results_new with command "tune").  Returns 0, -EINTR when
 * interrupted or stopped by the callback (R holds what was measured), or
 * -errno with pt_last_error() for a bad configuration. */
PT_API int pt_tune(pt_module *m, const pt_topology *t, const struct pt_tune_config *c,
                   pt_results *r);

/* The answer recorded in R's tune summary (struct pt_tune_answer, Part 6).
 * 0, or -ENOENT when R has no tune summary with an answer. */
PT_API int pt_results_tune_answer(const pt_results *r, struct pt_tune_answer *out);

/* ----------------------------------------------------------------------------
 * Part 8: reports
 *
 * Every view of a results document is rendered here, once: `proftune run` and
 * `proftune tune` print their final table with the same call that `proftune
 * report` makes, so a document shows the same whatever printed it.  What a
 * document did not measure is shown as "-", never as 0.
 */

/* How to render. */
struct pt_report_opts {
	unsigned width;            /* columns a table line may use; 0: no limit
	                            * (the table format drops its least important
	                            * columns and wraps prose to fit) */
	int colour;                /* ANSI colours in the table format */
	const pt_compare *compare; /* render this comparison of the two documents
	                            * given (base, new), or NULL */
	const struct pt_compare_config *compare_config; /* the comparison's
	                            * settings, shown with it; NULL: defaults */
};
/* No width limit, no colour, no comparison. */
PT_API void pt_report_opts_init(struct pt_report_opts *o);

/* The formats, 0 .. pt_report_format_count() - 1: "table", "json", "csv",
 * "csv-blocks", "csv-measurements", "markdown", "trace", "gbench", "svg".
 * The name of format I (NULL beyond the last). */
PT_API size_t pt_report_format_count(void);
PT_API const char *pt_report_format_name(size_t i);
/* The format named NAME (LEN bytes of it), or -EINVAL. */
PT_API int pt_report_format_find(const char *name, size_t len);
/* The format a file name's ending selects (".csv", ".md", ".svg",
 * ".trace.json", ".gbench.json", ".json", ".txt"; the longest ending wins),
 * or -ENOENT. */
PT_API int pt_report_format_of_path(const char *path);
/* 1 when format I shows several documents, 0 when it takes one. */
PT_API int pt_report_format_many(size_t i);

/* Render the N documents DOCS (borrowed; with o->compare, exactly the base
 * and the new document of the comparison) in the format named FORMAT to F.
 * Returns 0, or a negative errno value with pt_last_error(): -EINVAL for an
 * unknown format, a format that takes one document given several, or
 * documents that hold nothing the format can show; -ENOMEM.  On error,
 * part of the output may have reached F: render into a memory stream
 * (open_memstream(3)) when nothing may be written unless all is. */
PT_API int pt_report_write(FILE *f, const char *format, const pt_doc *const *docs, size_t n,
                           const struct pt_report_opts *o);

#ifdef __cplusplus
}
#endif

#endif /* PROFTUNE_H */
