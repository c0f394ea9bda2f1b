/* cli.h - the proftune command: option table, commands, output (internal) */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proftune.h"

/* Exit statuses (DESIGN §1). */
enum {
	EXIT_OK = 0,
	EXIT_WORKLOAD = 1,    /* a task failed, crashed or timed out */
	EXIT_USAGE = 2,       /* bad option, unreadable task, malformed file */
	EXIT_REGRESSION = 3,  /* report --compare found a regression */
	EXIT_INTERRUPTED = 130,
};

/* Commands, as bits so an option can say which commands take it. */
enum {
	CMD_RUN = 1 << 0,
	CMD_TOPOLOGY = 1 << 1,
	CMD_TASKS = 1 << 2,
	CMD_TUNE = 1 << 3,
	CMD_FIT = 1 << 4,
	CMD_REPORT = 1 << 5,
	CMD_ALL = CMD_RUN | CMD_TOPOLOGY | CMD_TASKS | CMD_TUNE | CMD_FIT | CMD_REPORT,
	CMD_MEASURE = CMD_RUN | CMD_TUNE,
};

enum opt_id {
	OPT_HELP = 1, OPT_VERSION, OPT_TASK, OPT_WORKERS, OPT_ITEMS, OPT_DURATION,
	OPT_WARMUP, OPT_PLACEMENT, OPT_REPEAT, OPT_PARAM, OPT_OUTPUT, OPT_JSON,
	OPT_QUIET, OPT_NO_LATENCY, OPT_NO_COUNTERS, OPT_TOPOLOGY,
	OPT_MIN, OPT_MAX, OPT_STRATEGY, OPT_BUDGET, OPT_TOLERANCE, OPT_SEED,
	OPT_TIMEOUT, OPT_MAX_ERROR_RATE, OPT_ALL_WORKERS, OPT_ISOLATION, OPT_NO_ISOLATION, OPT_MEMORY_LIMIT, OPT_TRACE,
	OPT_FORMAT, OPT_COMPARE, OPT_THRESHOLD, OPT_GATE, OPT_STRICT, OPT_PLOT, OPT_WIDE,
	OPT_LOSS, OPT_FORCE,
};

enum opt_arg { ARG_NONE, ARG_STRING, ARG_COUNT, ARG_ITEMS, ARG_SECONDS };

/* One entry of the option table: parsing, --help and the man page test all
 * read it. */
struct cli_option {
	enum opt_id id;
	const char *long_name;
	char short_name;        /* 0 when none */
	enum opt_arg arg;
	const char *metavar;    /* shown in --help */
	unsigned commands;      /* CMD_* bits */
	const char *help;
};
extern const struct cli_option cli_options[];
extern const size_t cli_option_count;

/* Options as parsed (defaults filled by cli_parse). */
struct cli_opts {
	const char *task;
	unsigned workers;
	int workers_set;
	unsigned *workers_list; /* tune: --workers LIST, owned */
	size_t nworkers_list;
	unsigned min, max;      /* tune: 0 = default */
	enum pt_strategy strategy;
	double budget;          /* seconds, 0 = none */
	double tolerance;       /* fraction */
	double max_error_rate;  /* fraction of items that may fail */
	int repeat_set, duration_set;
	uint64_t seed;
	int tune_mode;          /* the command is tune */
	enum pt_isolation isolation;
	double timeout;         /* seconds; < 0 = choose from the duration */
	uint64_t memory_limit;  /* bytes, 0 = none */
	const char *trace;      /* --trace FILE, or NULL */
	uint64_t items;
	double duration;
	double warmup;
	enum pt_placement placement;
	unsigned repeat;
	pt_params *params;      /* owned */
	const char *output;
	const char *topology;
	int json, quiet, no_latency, no_counters, all_workers;
	int wide;               /* --wide: tables with every column */
	int force;              /* --force: replace read-only output files */
	const char *loss;       /* fit: --loss NAME, or NULL (ols) */
	int argc;               /* positional arguments left */
	char **argv;
	struct report_opts {    /* `report` (cmd-report.c) */
		const char *format; /* --format LIST, or NULL */
		const char *compare; /* --compare BASE, or NULL */
		const char *plot;   /* --plot FILE, or NULL */
		double threshold;   /* fraction; 0: the default */
		unsigned gate;      /* metric bits (1u << PT_METRIC_*); 0: the default */
		int strict;
		const char **outputs; /* every -o FILE in order (the array is owned) */
		size_t noutputs;
	} report;
};

struct cli_command {
	const char *name;
	unsigned bit;
	const char *args;       /* usage after the options, e.g. "[FILE]" */
	const char *summary;
	int (*fn)(struct cli_opts *o);
};

/* Parse ARGV for command CMD into O.  Returns -1 after printing help or the
 * version (exit 0), -2 after printing a usage error (exit 2), else 0. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_opts *o);
void cli_opts_release(struct cli_opts *o);
void cli_usage(FILE *f, const struct cli_command *cmd);

/* Print "proftune: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: prints the message and a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cmd_run(struct cli_opts *o);
int cmd_topology(struct cli_opts *o);
int cmd_tasks(struct cli_opts *o);
int cmd_tune(struct cli_opts *o);
int cmd_fit(struct cli_opts *o);
int cmd_report(struct cli_opts *o);

/* A file a command reads or writes, and the option that names it ("-o",
 * "--trace", "--task"; "the input" for a document named as an argument). */
struct cli_file {
	const char *path;
	const char *option;
	int fifo_ok;            /* an output written into a FIFO (a report), not refused */
};
/* Check, before any work, the NOUT files OUT a command is to write and the
 * NIN files IN it reads: each output can be written (a regular file in a
 * writable directory, not read-only unless FORCE, or a character device,
 * or a FIFO when FIFO_OK), and none is the same file as another output or
 * as an input that exists (the same device and inode, or the same
 * resolved path).  0, or -1 after a message naming the file, its option
 * and the problem. */
int cli_check_files(const struct cli_file *out, size_t nout, const struct cli_file *in,
		    size_t nin, int force);

/* Say that writing standard output failed (ERR the errno, 0 if not
 * known), once: later failures, and the check of standard output at exit,
 * say nothing more.  Returns EXIT_USAGE. */
int cli_stdout_error(int err);

struct cJSON;
/* Print DOC on stdout as indented JSON and delete it; EXIT_OK, or
 * EXIT_USAGE after a message when it cannot be printed. */
int cli_print_json(struct cJSON *doc);
/* Print TEXT (a library result, NULL when the call failed) on stdout and
 * free it; EXIT_OK, or EXIT_USAGE after saying why not. */
int cli_print_text(char *text);

/* The width a table on standard output may use: 0 (no limit) with WIDE,
 * else $COLUMNS when set, else the terminal's width, else 0 for files and
 * pipes. */
unsigned cli_width(int wide);
/* May standard output carry colours?  A terminal, and NO_COLOR unset. */
int cli_colour(void);
/* Print the document of R, saved as NAME, on standard output as `proftune
 * report NAME` prints it (the table format, fitted as cli_width() says);
 * 0, or -1 after a message. */
int cli_print_results(const pt_results *r, const char *name, int wide);

/* Set on SIGINT/SIGTERM (the signal number); the running trial stops early
 * through pt_interrupt(). */
extern volatile int cli_interrupted;
void cli_install_signals(void);

/* Which regular file a name was (measure.c). */
struct file_id {
	int exists;
	dev_t dev;
	ino_t ino;
};

/* What `run` and `tune` share (measure.c). */
struct measure {
	pt_module *m;
	pt_topology *t;
	pt_results *r;
	struct pt_trial_config trial;
	int progress;           /* progress lines on stderr */
	pt_trace *trace;        /* --trace: the Chrome trace being written, or NULL */
	int save_failed;        /* the last save went to FALLBACK instead */
	char fallback[64];
	struct file_id fallback_saved; /* the document this run last wrote in FALLBACK */
};
/* Load the task and topology, create the document, install the signal
 * handlers.  0, or the exit status after printing why not. */
int measure_open(struct cli_opts *o, const char *command, struct measure *ms);
/* Write the document (atomically); on failure say why (once) and save it
 * in /tmp instead.  0 or -1. */
int measure_save(const struct cli_opts *o, struct measure *ms);
/* Mark an interruption, save, print the document; returns the exit status. */
int measure_finish(const struct cli_opts *o, struct measure *ms, int ret);
void measure_close(struct measure *ms);

#endif
