/* proftune.h - the task ABI and the libproftune API (the one installed header) */
#ifndef PROFTUNE_H
#define PROFTUNE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
	__attribute__((visibility("default"))) const struct pt_task proftune_task = { \
		.abi = PT_ABI_VERSION, .size = sizeof(struct pt_task), __VA_ARGS__ }

/*
 * Part 2: calls a task makes
 * ==========================
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
const char *pt_param_str(pt_ctx *ctx, const char *key, const char *def);
long long pt_param_int(pt_ctx *ctx, const char *key, long long def);
double pt_param_double(pt_ctx *ctx, const char *key, double def);

/* Task-wide user data: set in setup, read anywhere.  Not freed by proftune. */
void pt_ctx_set_data(pt_ctx *ctx, void *data);
void *pt_ctx_data(const pt_ctx *ctx);
/* Number of workers of this trial. */
unsigned pt_ctx_workers(const pt_ctx *ctx);

/* Report a setup/teardown error: keeps the formatted message and returns
 * PT_FAIL, so `return pt_ctx_error(ctx, "cannot open %s", path);` works. */
int pt_ctx_error(pt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Skip the trial ("not supported here"): keeps the reason, returns PT_SKIP. */
int pt_skip(pt_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record a named value of the task itself (e.g. a calibrated cost), shown in
 * the trial's `notes`.  Last write wins.  Call from setup or teardown. */
void pt_ctx_note(pt_ctx *ctx, const char *name, double value);
/* Record a task-wide named memory size in bytes (last write wins). */
void pt_ctx_memory_record(pt_ctx *ctx, const char *name, uint64_t bytes);

/* Per-worker user data, set in worker_setup.  Not freed by proftune. */
void pt_worker_set_data(pt_worker *w, void *data);
void *pt_worker_data(const pt_worker *w);
/* The trial this worker belongs to. */
pt_ctx *pt_worker_ctx(pt_worker *w);
/* Index of the worker, 0 .. count-1, and the worker count. */
unsigned pt_worker_index(const pt_worker *w);
unsigned pt_worker_count(const pt_worker *w);
/* OS index of the CPU the worker is bound to, or -1 when unbound
 * (placement "none"). */
int pt_worker_cpu(const pt_worker *w);
/* OS index of the NUMA node of that CPU, or -1 when unbound or unknown. */
int pt_worker_numa(const pt_worker *w);

/* Report an error on the current item (or in worker_setup): counts it and
 * keeps the message (the first few distinct messages per trial are kept with
 * their counts).  Returns PT_FAIL, so `return pt_error(w, "...")` works. */
int pt_error(pt_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add VALUE to the named counter.  Counters are summed across workers and
 * reported with their rate per second of the measured phase.  NAME should be
 * a string literal or otherwise outlive the trial: it is compared by address
 * first, so the hot path does no string work after the first call.  At most
 * PT_MAX_COUNTERS names per trial; further names are dropped and reported. */
void pt_counter_add(pt_worker *w, const char *name, uint64_t value);
/* Record a named memory size of this worker in bytes (last write wins per
 * worker; the trial reports the sum over workers). */
void pt_memory_record(pt_worker *w, const char *name, uint64_t bytes);

#define PT_MAX_COUNTERS 32

/*
 * Part 3: the engine, for programs that run tasks themselves
 * ==========================================================
 *
 * Everything the proftune command does is one of these calls.  Conventions:
 * functions return 0 or a negative errno value, or NULL with errno set; on
 * failure pt_last_error() gives a one-line message naming the problem.
 * Objects are created with _new/_open and released with _free/_close by the
 * caller.  None of these functions prints or exits.
 */

/* The message of the last failed call on this thread ("" if none).
 * Borrowed; valid until the next failing call on this thread. */
const char *pt_last_error(void);

/* Version string of the library, e.g. "0.1.0". */
const char *pt_version(void);

/* A loaded task. */
typedef struct pt_module pt_module;

/* Load a task.  SPEC is a path (it contains a '/' or ends in ".so") or a
 * bare name looked up as NAME.so in each directory of SEARCH_PATH
 * (colon-separated, may be NULL), then in the installed task directory.
 * Returns NULL with errno set and pt_last_error() naming the file and the
 * reason (missing file, not a shared object, no `proftune_task`, ABI
 * mismatch, missing run callback).  Free with pt_module_close(). */
pt_module *pt_module_open(const char *spec, const char *search_path);
/* Wrap a task defined in the calling program (no dlopen).  TASK is borrowed
 * and must outlive the module.  Same checks as pt_module_open(). */
pt_module *pt_module_from_task(const struct pt_task *task, const char *label);
void pt_module_close(pt_module *m);
const struct pt_task *pt_module_task(const pt_module *m);
/* The resolved file path, or the label given to pt_module_from_task(). */
const char *pt_module_path(const pt_module *m);

/* The installed task directory (build-time constant). */
const char *pt_task_dir(void);
/* Directories searched for bare task names, in order, colon-separated:
 * SEARCH_PATH (may be NULL), the build tree's task directory when running
 * from the build tree, then pt_task_dir().  Returns a malloc'd string the
 * caller frees. */
char *pt_task_search_dirs(const char *search_path);

/* Worker placement policies. */
enum pt_placement {
	PT_PLACE_NONE = 0, /* not bound; the OS schedules */
	PT_PLACE_COMPACT,  /* fill PUs in topology order: neighbours share caches */
	PT_PLACE_SCATTER,  /* spread over packages, NUMA nodes and cores */
};
/* "none", "compact", "scatter"; pt_placement_parse returns -EINVAL for other
 * names. */
const char *pt_placement_name(enum pt_placement p);
int pt_placement_parse(const char *name);

/* The machine (or a described one) as hwloc sees it. */
typedef struct pt_topology pt_topology;

/* Load this machine's topology restricted to the CPUs this process may use,
 * or, when SYNTHETIC is not NULL, an hwloc synthetic description such as
 * "package:2 numa:2 core:4 pu:2" (all of its PUs are allowed).  NULL with
 * errno and pt_last_error() on failure.  Free with pt_topology_free(). */
pt_topology *pt_topology_new(const char *synthetic);
void pt_topology_free(pt_topology *t);
/* 1 for a synthetic topology (workers are then not bound), else 0. */
int pt_topology_is_synthetic(const pt_topology *t);

/* Object counts within the allowed CPUs. */
struct pt_topology_counts {
	unsigned packages, numa_nodes, cores, pus;
	unsigned l1, l2, l3; /* data/unified cache objects per level */
};
void pt_topology_counts(const pt_topology *t, struct pt_topology_counts *out);
/* Allowed CPUs as a list string, e.g. "0-3,8"; malloc'd, caller frees. */
char *pt_topology_allowed_list(const pt_topology *t);
/* Multi-line human description (packages, NUMA nodes, caches, cores, PUs);
 * malloc'd, caller frees. */
char *pt_topology_describe(const pt_topology *t);

/* Where one worker goes. */
struct pt_slot {
	int pu;    /* OS index of the PU, -1 when unbound */
	int core;  /* logical index of its core, -1 when unknown */
	int numa;  /* OS index of its NUMA node, -1 when unknown */
	int package; /* logical index of its package, -1 when unknown */
};
/* Plan the placement of N workers: fill OUT[0..n-1].  With more workers than
 * allowed PUs, PUs are reused round-robin in the same order.  0 or -errno. */
int pt_topology_plan(const pt_topology *t, enum pt_placement p, unsigned n,
                     struct pt_slot *out);
/* Number of PUs the process may use. */
unsigned pt_topology_allowed_pus(const pt_topology *t);

/* Task parameters (KEY=VALUE pairs). */
typedef struct pt_params pt_params;
pt_params *pt_params_new(void);
void pt_params_free(pt_params *p);
/* Add "KEY=VALUE" (a later KEY replaces an earlier one).  -EINVAL with a
 * message when there is no '=' or the key is empty. */
int pt_params_add(pt_params *p, const char *assignment);
size_t pt_params_count(const pt_params *p);
const char *pt_params_key(const pt_params *p, size_t i);
const char *pt_params_value(const pt_params *p, size_t i);

/* Where a trial runs. */
enum pt_isolation {
	PT_ISOLATE_NONE = 0, /* in the calling process (for debuggers; a crash is ours) */
	PT_ISOLATE_TRIAL,    /* in a supervised child process: crashes, hangs, exit()
	                      * and memory exhaustion are recorded, not suffered */
};
const char *pt_isolation_name(enum pt_isolation i);

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
};
/* Defaults: 1 worker, no placement, 1 s, 0.1 s warm-up, latency and counters
 * on, in-process (the proftune command isolates by default). */
void pt_trial_config_init(struct pt_trial_config *c);

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
const char *pt_status_name(enum pt_status s);

/* Latency summary in nanoseconds. */
struct pt_latency {
	uint64_t count;
	double min, mean, stddev, p50, p90, p99, p999, max;
};

/* The headline numbers of a trial; the full result is in its JSON. */
struct pt_trial_stats {
	enum pt_status status;
	unsigned workers;
	uint64_t items;      /* measured items, all workers */
	uint64_t errors;     /* items whose run returned an error */
	double wall_s;       /* first worker start to last worker end, measured phase */
	double throughput;   /* items / wall_s */
	double cpu_user_s, cpu_sys_s;
	struct pt_latency latency; /* count == 0 when not recorded */
	uint64_t peak_rss;   /* bytes, peak during this trial; 0 if unknown */
	double imbalance;    /* max worker items / mean worker items - 1 */
};

/* Ask the running trial (and tune) to stop as soon as possible: the
 * measured phase ends, the trial is returned with PT_STATUS_INTERRUPTED.
 * Async-signal-safe, so a SIGINT handler may call it.  The request stays
 * until pt_interrupt_clear(). */
void pt_interrupt(void);
int pt_interrupted(void);
void pt_interrupt_clear(void);

/* A finished trial (opaque). */
typedef struct pt_trial pt_trial;

/* Run one trial of M on topology T (NULL: this machine) with config C.
 * Returns the trial (whatever its status) or NULL with errno only when the
 * trial could not be attempted (bad config, out of memory).  A task failure
 * is a trial with status PT_STATUS_FAILED and its message, not a NULL.
 * Free with pt_trial_free() unless handed to pt_results_add_trial(). */
pt_trial *pt_trial_run(pt_module *m, const pt_topology *t,
                       const struct pt_trial_config *c);
void pt_trial_free(pt_trial *tr);
const struct pt_trial_stats *pt_trial_stats(const pt_trial *tr);
/* The first error or skip message of the trial, or NULL. */
const char *pt_trial_message(const pt_trial *tr);
/* The trial's JSON object as text (schema proftune/1, one `trials[]` entry);
 * malloc'd, caller frees. */
char *pt_trial_json(const pt_trial *tr);

/* A results document (schema "proftune/1"). */
typedef struct pt_results pt_results;
/* COMMAND is "run" or "tune"; M and T are borrowed to describe the task and
 * host and must outlive the document.  CONFIG_JSON is a JSON object text of
 * the options as applied (copied), or NULL. */
pt_results *pt_results_new(const char *command, const pt_module *m,
                           const pt_topology *t, const pt_params *params,
                           const char *config_json);
void pt_results_free(pt_results *r);
/* Append a trial; the document takes ownership. */
void pt_results_add_trial(pt_results *r, pt_trial *tr);
size_t pt_results_trial_count(const pt_results *r);
const pt_trial *pt_results_trial(const pt_results *r, size_t i);
/* Add a warning line to the document (copied). */
void pt_results_warn(pt_results *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark the document as interrupted (partial results). */
void pt_results_set_interrupted(pt_results *r, int interrupted);
/* The document as JSON text; malloc'd, caller frees.  NULL on ENOMEM. */
char *pt_results_json(const pt_results *r);
/* Write the document to PATH atomically (temporary file in the same
 * directory, fsync, rename).  0 or -errno with pt_last_error(). */
int pt_results_write(const pt_results *r, const char *path);

/*
 * Part 4: the tuner
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
const char *pt_strategy_name(enum pt_strategy s);
int pt_strategy_parse(const char *name);

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
void pt_tune_config_init(struct pt_tune_config *c);

/* Tune M on T (NULL: this machine), appending trials and the summary to R
 * (created by pt_results_new with command "tune").  Returns 0, -EINTR when
 * interrupted or stopped by the callback (R holds what was measured), or
 * -errno with pt_last_error() for a bad configuration. */
int pt_tune(pt_module *m, const pt_topology *t, const struct pt_tune_config *c,
            pt_results *r);

/* The tune's answer as recorded in R's summary. */
struct pt_tune_answer {
	unsigned optimal_workers;
	unsigned recommended_workers;
	double best_throughput;
	unsigned trials;
	double elapsed_s;
};
/* 0, or -ENOENT when R has no tune summary with an answer. */
int pt_results_tune_answer(const pt_results *r, struct pt_tune_answer *out);

/* The Universal Scalability Law, X(N) = lambda N / (1 + sigma (N - 1) +
 * kappa N (N - 1)), fitted by least squares on relative residuals with
 * sigma, kappa >= 0. */
struct pt_usl_model {
	double lambda, sigma, kappa;
	double r2;                 /* coefficient of determination */
	double rms_relative_error;
	double peak_workers;       /* sqrt((1 - sigma) / kappa); INFINITY if kappa = 0 */
	unsigned points;
	const char *bound;         /* "linear", "contention" or "coherency" at the
	                            * largest count (static string) */
};
/* Fit N points; at least 4 distinct worker counts, all values positive.
 * 0 or -EINVAL with pt_last_error(). */
int pt_usl_fit_points(const double *workers, const double *throughput, size_t n,
                      struct pt_usl_model *out);
double pt_usl_predict(const struct pt_usl_model *m, double workers);
/* Read `workers,throughput` rows from a CSV file (header line optional,
 * blank lines and #-comments skipped, further columns ignored).  On success
 * *WORKERS and *THROUGHPUT are malloc'd arrays of *N values the caller frees.
 * -errno with pt_last_error() naming the file and line otherwise. */
int pt_fit_read_csv(const char *path, double **workers, double **throughput, size_t *n);
/* The same from LEN bytes of TEXT in memory; NAME is used in messages. */
int pt_fit_parse_csv(const char *name, const char *text, size_t len, double **workers,
                     double **throughput, size_t *n);

/*
 * Part 6: reports
 * ===============
 *
 * Results documents read back, for people and for CI: a document is read
 * and validated once (pt_doc_load), then summarised per worker count
 * (pt_doc_counts) or compared with another one (pt_compare_new, the
 * regression gate of `proftune report --compare`).  Conventions as in
 * Part 3.
 */

/* A results document read back and validated (opaque). */
typedef struct pt_doc pt_doc;

/* Validate TEXT (LEN bytes, need not be NUL-terminated) as a results
 * document of schema "proftune/1"; NAME (copied) names it in messages,
 * normally its file name.  Returns the document, or NULL with errno set
 * and pt_last_error() naming NAME and the problem: empty, binary data, not
 * JSON (with the byte offset of the parse error, counted from 0),
 * truncated, text after the document, not an object, another schema, a
 * missing required field, a field of the wrong type, or a number out of
 * range (not finite, or not a sane count, time, rate or size) -- fields
 * named by their path, e.g. `trials[2].workers`.  Free with pt_doc_free(). */
pt_doc *pt_doc_parse(const char *text, size_t len, const char *name);
/* Read the file PATH ("-": standard input) and pt_doc_parse() it.  NULL with
 * errno and pt_last_error() also when the file cannot be read. */
pt_doc *pt_doc_load(const char *path);
void pt_doc_free(pt_doc *d);
/* The name given at load (borrowed). */
const char *pt_doc_name(const pt_doc *d);
/* "run" or "tune" (borrowed). */
const char *pt_doc_command(const pt_doc *d);
/* The task's name (borrowed). */
const char *pt_doc_task(const pt_doc *d);
/* The document re-emitted as JSON text in proftune's own layout (same
 * content as read); malloc'd, caller frees; NULL on ENOMEM. */
char *pt_doc_json(const pt_doc *d);

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
int pt_doc_counts(const pt_doc *d, struct pt_doc_count **out, size_t *n);
/* The scalability model of a tune document's summary (`points` is 0).
 * 0, or -ENOENT when the document has no fitted model. */
int pt_doc_model(const pt_doc *d, struct pt_usl_model *out);
/* A tune document's answer.  0, or -ENOENT without one. */
int pt_doc_tune_answer(const pt_doc *d, struct pt_tune_answer *out);

/*
 * The regression gate.  Trials of BASE and NEW are matched by worker count
 * and placement; for each matched pair and metric, the per-trial values of
 * the ok trials are compared on a logarithmic scale with the Mann-Whitney U
 * test (exact null distribution up to 2500 pairs of values, normal
 * approximation beyond):
 *   - "regression": one-sided at level alpha, NEW is worse than BASE by more
 *     than the threshold (throughput below (1 - threshold) times BASE's,
 *     p99 latency or peak memory above (1 + threshold) times BASE's);
 *   - "worse" / "better": the two-sided test at alpha finds a change that is
 *     not shown to exceed the threshold;
 *   - "same": no significant change;
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
const char *pt_metric_name(enum pt_metric m);
int pt_metric_parse(const char *name);

enum pt_change {
	PT_CHANGE_SAME = 0,
	PT_CHANGE_BETTER,
	PT_CHANGE_WORSE,
	PT_CHANGE_REGRESSION,
	PT_CHANGE_INCONCLUSIVE,
	PT_CHANGE_UNAVAILABLE,
	PT_CHANGE_FAILED,
};
/* "same", "better", "worse", "regression", "inconclusive", "unavailable",
 * "failed". */
const char *pt_change_name(enum pt_change c);

struct pt_compare_config {
	double threshold; /* fraction in (0, 1); default 0.05 */
	unsigned gate;    /* metrics that fail the gate: bits 1u << PT_METRIC_*;
	                   * default throughput only */
	double alpha;     /* one-sided significance level in (0, 0.5); default 0.05 */
	int strict;       /* 1: inconclusive or unavailable gated metrics of
	                   * matched counts fail too */
};
void pt_compare_config_init(struct pt_compare_config *c);

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
pt_compare *pt_compare_new(const pt_doc *base, const pt_doc *newer,
                           const struct pt_compare_config *c);
void pt_compare_free(pt_compare *cmp);
/* Rows in increasing worker count (then placement name). */
size_t pt_compare_count(const pt_compare *cmp);
const struct pt_compare_row *pt_compare_row(const pt_compare *cmp, size_t i);
/* 1 when any row has a metric that fails the gate. */
int pt_compare_failed(const pt_compare *cmp);
/* The fewest trials per side (the same on both) with which the test can
 * reach level ALPHA: 3 at 0.05. */
unsigned pt_compare_min_trials(double alpha);
/* The comparison as a JSON document (schema "proftune-compare/1", see
 * proftune(5)); malloc'd, caller frees; NULL on ENOMEM. */
char *pt_compare_json(const pt_compare *cmp);

#ifdef __cplusplus
}
#endif

#endif /* PROFTUNE_H */
