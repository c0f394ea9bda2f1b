/* options.c - the option table, the parser and --help */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cli_option cli_options[] = {
	{ OPT_TASK, "task", 't', ARG_STRING, "TASK", CMD_MEASURE,
	  "task to run: a path to a .so, or a bare name searched in $PROFTUNE_TASK_PATH "
	  "and the installed task directory" },
	{ OPT_WORKERS, "workers", 'w', ARG_STRING, "N", CMD_RUN | CMD_TOPOLOGY | CMD_TUNE,
	  "number of workers (default: 1 for run; the allowed PUs for topology); "
	  "for tune, the list of counts to consider, e.g. 1,2,4,8,12,16" },
	{ OPT_MIN, "min", 0, ARG_COUNT, "N", CMD_TUNE,
	  "smallest worker count to consider (default 1)" },
	{ OPT_MAX, "max", 0, ARG_COUNT, "N", CMD_TUNE,
	  "largest worker count to consider (default: the PUs this process may use; "
	  "larger is allowed for sleep- or I/O-bound tasks)" },
	{ OPT_STRATEGY, "strategy", 's', ARG_STRING, "NAME", CMD_TUNE,
	  "auto (bracket, fit the model, probe and race; default) or exhaustive "
	  "(every count, --repeat trials each)" },
	{ OPT_BUDGET, "budget", 'b', ARG_SECONDS, "TIME", CMD_TUNE,
	  "bound the whole tune; it ends with the best answer so far" },
	{ OPT_TOLERANCE, "tolerance", 0, ARG_STRING, "PERCENT", CMD_TUNE,
	  "recommend the smallest count not significantly worse than the best by more "
	  "than PERCENT (default 5)" },
	{ OPT_SEED, "seed", 0, ARG_ITEMS, "N", CMD_TUNE,
	  "seed of the random trial order (default: from the clock)" },
	{ OPT_ITEMS, "items", 'n', ARG_ITEMS, "K", CMD_MEASURE,
	  "measure exactly K items (k/M/G suffixes allowed) instead of a duration" },
	{ OPT_DURATION, "duration", 'd', ARG_SECONDS, "TIME", CMD_MEASURE,
	  "length of each measured phase, e.g. 1, 0.5s, 250ms (default 1s for run, "
	  "0.5s for tune)" },
	{ OPT_WARMUP, "warmup", 0, ARG_SECONDS, "TIME", CMD_MEASURE,
	  "unmeasured warm-up before each measured phase (default 100ms; 0 disables)" },
	{ OPT_PLACEMENT, "placement", 'P', ARG_STRING, "POLICY", CMD_MEASURE | CMD_TOPOLOGY,
	  "worker placement: none, compact or scatter (default none for run, "
	  "compact for topology)" },
	{ OPT_REPEAT, "repeat", 'r', ARG_COUNT, "R", CMD_MEASURE,
	  "run: R trials of the configuration, each its own entry in trials[] "
	  "(default 1); tune: trials per count (exhaustive) or at most (auto) (default 3)" },
	{ OPT_PARAM, "param", 'p', ARG_STRING, "KEY=VALUE", CMD_MEASURE,
	  "task parameter (repeatable)" },
	{ OPT_OUTPUT, "output", 'o', ARG_STRING, "FILE", CMD_MEASURE | CMD_REPORT,
	  "run, tune: write the results document to FILE (default proftune.json); "
	  "report: write the report to FILE instead of standard output (its format from "
	  "the name, or one -o per --format)" },
	{ OPT_FORCE, "force", 0, ARG_NONE, NULL, CMD_MEASURE | CMD_REPORT,
	  "replace output files even when they are read-only (they keep their permissions)" },
	{ OPT_JSON, "json", 0, ARG_NONE, NULL, CMD_ALL,
	  "print JSON on stdout instead of tables" },
	{ OPT_WIDE, "wide", 0, ARG_NONE, NULL, CMD_MEASURE | CMD_REPORT,
	  "tables with every column; without it, a table on a terminal (or as wide as "
	  "$COLUMNS says) leaves out its least important columns to fit" },
	{ OPT_LOSS, "loss", 0, ARG_STRING, "LOSS", CMD_FIT,
	  "what the fit minimises: ols (squared throughput residuals, as R's usl and "
	  "codahale/usl; default), relative (residuals relative to the measured "
	  "throughput, as the tuner fits) or log (residuals of log throughput)" },
	{ OPT_QUIET, "quiet", 'q', ARG_NONE, NULL, CMD_ALL,
	  "no progress or warnings on stderr" },
	{ OPT_NO_LATENCY, "no-latency", 0, ARG_NONE, NULL, CMD_MEASURE,
	  "do not time each item (lowest overhead; no latency histogram)" },
	{ OPT_NO_COUNTERS, "no-counters", 0, ARG_NONE, NULL, CMD_MEASURE,
	  "do not open perf_event counters" },
	{ OPT_ALL_WORKERS, "all-workers", 0, ARG_NONE, NULL, CMD_MEASURE,
	  "keep every worker's latency, counters and memory in the document; by "
	  "default trials of more than 64 workers keep a compact entry per worker" },
	{ OPT_TOPOLOGY, "topology", 'T', ARG_STRING, "SYNTHETIC", CMD_MEASURE | CMD_TOPOLOGY,
	  "plan for an hwloc synthetic machine, e.g. 'package:2 core:8 pu:2' "
	  "(workers are then not bound)" },
	{ OPT_ISOLATION, "isolation", 0, ARG_STRING, "MODE", CMD_MEASURE,
	  "where trials run: trial (a supervised child process per trial; default), "
	  "process (also each worker a process of its own) or none (in proftune's "
	  "own process, for debuggers)" },
	{ OPT_NO_ISOLATION, "no-isolation", 0, ARG_NONE, NULL, CMD_MEASURE,
	  "same as --isolation none" },
	{ OPT_TIMEOUT, "timeout", 0, ARG_SECONDS, "TIME", CMD_MEASURE,
	  "kill an isolated trial that runs longer and record it as timed out "
	  "(default: 60s plus 10 times warm-up and duration; 0 disables)" },
	{ OPT_MAX_ERROR_RATE, "max-error-rate", 0, ARG_STRING, "PERCENT", CMD_MEASURE,
	  "a trial whose items fail more often fails (default 5; 0: any failed item "
	  "fails it); within it, failed items are counted and the tuner answers from "
	  "goodput, the rate of items that succeeded" },
	{ OPT_MEMORY_LIMIT, "memory-limit", 0, ARG_STRING, "BYTES", CMD_MEASURE,
	  "address-space limit of an isolated trial (K/M/G suffixes are powers of "
	  "1024); a trial over it is recorded as out-of-memory" },
	{ OPT_TRACE, "trace", 0, ARG_STRING, "FILE", CMD_MEASURE,
	  "also write a Chrome trace (chrome://tracing, Perfetto, speedscope) to FILE: "
	  "a track per worker, trial spans, the task's blocks and stamps, memory and "
	  "counter samples" },
	{ OPT_FORMAT, "format", 'f', ARG_STRING, "LIST", CMD_REPORT,
	  "table (default), json, csv, csv-blocks, csv-measurements, markdown, trace, "
	  "gbench or svg; a comma-separated list with one -o FILE each" },
	{ OPT_COMPARE, "compare", 'c', ARG_STRING, "BASE", CMD_REPORT,
	  "compare the results (FILE, default proftune.json) with the baseline document "
	  "BASE; exit 3 on a significant regression" },
	{ OPT_THRESHOLD, "threshold", 0, ARG_STRING, "PERCENT", CMD_REPORT,
	  "with --compare: a regression is a change worse than PERCENT (default 5)" },
	{ OPT_GATE, "gate", 0, ARG_STRING, "LIST", CMD_REPORT,
	  "with --compare: the metrics that fail the comparison, from throughput, p99 "
	  "and memory (default throughput)" },
	{ OPT_STRICT, "strict", 0, ARG_NONE, NULL, CMD_REPORT,
	  "with --compare: inconclusive comparisons (too few trials, too noisy) fail too" },
	{ OPT_PLOT, "plot", 0, ARG_STRING, "FILE.svg", CMD_REPORT,
	  "also draw throughput and latency against workers as an SVG image" },
	{ OPT_HELP, "help", 'h', ARG_NONE, NULL, CMD_ALL, "show this help and exit" },
	{ OPT_VERSION, "version", 'V', ARG_NONE, NULL, CMD_ALL, "show the version and exit" },
};
const size_t cli_option_count = sizeof(cli_options) / sizeof(cli_options[0]);

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("proftune: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void vusage(const char *cmd, const char *fmt, va_list ap)
{
	fputs("proftune: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'proftune %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(cmd, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* A usage error met while parsing: says why, and returns -2, which the
 * parser returns for one. */
static int usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(cmd, fmt, ap);
	va_end(ap);
	return -2;
}

/* The report formats' names, comma-separated. */
static void format_list(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pt_report_format_count() && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      pt_report_format_name(i));
}

/* Apply a `report` option that takes parsing (--format, --threshold,
 * --gate, --plot) to O; 0, or -2 after a
 * usage error. */
static int report_option(const char *cmd, enum opt_id id, const char *shown, const char *val,
			 struct cli_opts *o)
{
	char list[200];

	switch (id) {
	case OPT_FORMAT:
		for (const char *p = val;; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");

			if (pt_report_format_find(p, len) < 0) {
				format_list(list, sizeof(list));
				return usage(cmd, "%s '%s': unknown format '%.*s'; use %s", shown, val,
					     (int)len, p, list);
			}
			if (!p[len])
				break;
		}
		o->report.format = val;
		return 0;
	case OPT_THRESHOLD: {
		char *end;
		double d;

		errno = 0;
		d = strtod(val, &end);
		if (*end == '%')
			end++;
		if (end == val || *end || errno || !(d > 0 && d < 100))
			return usage(cmd, "%s '%s': expected a percentage between 0 and 100 "
				     "(exclusive), e.g. 5", shown, val);
		o->report.threshold = d / 100;
		return 0;
	}
	case OPT_GATE:
		o->report.gate = 0;
		for (const char *p = val;; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");
			char name[32];
			int m;

			snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : 0), p);
			m = pt_metric_parse(name);
			if (m < 0)
				return usage(cmd, "%s '%s': unknown metric '%.*s'; use throughput, p99 "
					     "or memory, comma-separated", shown, val, (int)len, p);
			o->report.gate |= 1u << m;
			if (!p[len])
				break;
		}
		return 0;
	case OPT_PLOT:
		o->report.plot = val;
		return 0;
	default:
		return 0;
	}
}


void cli_usage(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "Usage: proftune %s [OPTION]... %s\n%s\n\nOptions:\n", cmd->name,
		cmd->args, cmd->summary);
	for (size_t i = 0; i < cli_option_count; i++) {
		const struct cli_option *opt = &cli_options[i];
		char left[64];

		if (!(opt->commands & cmd->bit))
			continue;
		if (opt->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opt->short_name,
				 opt->long_name, opt->metavar ? " " : "",
				 opt->metavar ? opt->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opt->long_name,
				 opt->metavar ? " " : "", opt->metavar ? opt->metavar : "");
		fprintf(f, "  %-28s %s\n", left, opt->help);
	}
}

/* "1", "0.5s", "250ms", "20us", "5m"; -1 when malformed.  A value too
 * large for a double ("1e999", "inf") is infinite, for the callers' range
 * checks to refuse. */
static double parse_seconds(const char *s)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || isnan(v) || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "ms") == 0)
		return v / 1e3;
	if (strcmp(end, "us") == 0)
		return v / 1e6;
	if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		return v * 60;
	return -1;
}

/* A percentage such as 5 or 0.5%; NAN when S is not one. */
static double parse_percent(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (*end == '%')
		end++;
	return end == s || *end || errno ? NAN : d;
}

/* Positive integer with an optional k/M/G multiplier; 0 when malformed, 0
 * with errno ERANGE when it does not fit in 64 bits. */
static uint64_t parse_count(const char *s, int allow_suffix)
{
	char *end;
	unsigned long long v, mult = 1;

	if (*s == '-' || *s == '+')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return 0;
	if (allow_suffix && *end) {
		switch (*end++) {
		case 'k': case 'K': mult = 1000ull; break;
		case 'M': mult = 1000000ull; break;
		case 'G': mult = 1000000000ull; break;
		default: return 0;
		}
	}
	if (*end)
		return 0;
	if (__builtin_mul_overflow(v, mult, &v)) {
		errno = ERANGE;
		return 0;
	}
	return v;
}

/* Worker counts above this are a typo, not a machine. */
#define MAX_WORKERS 1000000
/* Durations, warm-ups, timeouts and budgets above this are refused: the
 * library takes at most 1e6 s of warm-up or measurement per trial (11.6
 * days, far beyond any trial, and exact in nanoseconds). */
#define MAX_SECONDS 1e6
#define MAX_SECONDS_TEXT "1000000s (11.6 days)"
/* Items are written to the document as JSON numbers, exact up to 2^53,
 * which is also what `report` accepts. */
#define MAX_ITEMS (UINT64_C(1) << 53)
/* The measured phase is timed in nanoseconds; below a microsecond it would
 * measure the clock, not the task. */
#define MIN_DURATION 1e-6

/* "1,2,4,8": positive integers, at least one. */
static int parse_list(const struct cli_command *cmd, const char *shown, const char *val,
		      struct cli_opts *o)
{
	size_t n = 1;
	const char *p = val;

	for (const char *c = val; *c; c++)
		n += *c == ',';
	free(o->workers_list);
	o->workers_list = calloc(n, sizeof(*o->workers_list));
	o->nworkers_list = 0;
	if (!o->workers_list) {
		cli_error("out of memory");
		return -2;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");
		char item[32];
		uint64_t v;

		if (len == 0 || len >= sizeof(item))
			return usage(cmd->name, "%s '%s': expected a comma-separated list of "
				     "positive integers, e.g. 1,2,4,8", shown, val);
		memcpy(item, p, len);
		item[len] = '\0';
		v = parse_count(item, 0);
		if (v == 0 || v > MAX_WORKERS)
			return usage(cmd->name, "%s '%s': '%s' is not a positive worker count",
				     shown, val, item);
		o->workers_list[o->nworkers_list++] = (unsigned)v;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Bytes with an optional K/M/G/T suffix (powers of 1024); 0 when malformed. */
static uint64_t parse_bytes(const char *s)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (*s == '-' || *s == '+')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno)
		return 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || (shift && v > (~0ull >> shift)))
		return 0;
	return v << shift;
}

static const struct cli_option *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < cli_option_count; i++)
		if (strlen(cli_options[i].long_name) == len &&
		    strncmp(cli_options[i].long_name, name, len) == 0)
			return &cli_options[i];
	return NULL;
}

static const struct cli_option *find_short(char c)
{
	for (size_t i = 0; i < cli_option_count; i++)
		if (cli_options[i].short_name == c)
			return &cli_options[i];
	return NULL;
}

/* The options that only store what they are given: a flag sets its int to
 * 1, a string option points its field at the value. */
static const struct {
	enum opt_id id;
	size_t offset;   /* in struct cli_opts */
} stored[] = {
	{ OPT_TASK, offsetof(struct cli_opts, task) },
	{ OPT_TOPOLOGY, offsetof(struct cli_opts, topology) },
	{ OPT_TRACE, offsetof(struct cli_opts, trace) },
	{ OPT_JSON, offsetof(struct cli_opts, json) },
	{ OPT_QUIET, offsetof(struct cli_opts, quiet) },
	{ OPT_WIDE, offsetof(struct cli_opts, wide) },
	{ OPT_NO_LATENCY, offsetof(struct cli_opts, no_latency) },
	{ OPT_NO_COUNTERS, offsetof(struct cli_opts, no_counters) },
	{ OPT_ALL_WORKERS, offsetof(struct cli_opts, all_workers) },
	{ OPT_COMPARE, offsetof(struct cli_opts, report.compare) },
	{ OPT_STRICT, offsetof(struct cli_opts, report.strict) },
	{ OPT_LOSS, offsetof(struct cli_opts, loss) },
	{ OPT_FORCE, offsetof(struct cli_opts, force) },
};

static int apply(const struct cli_command *cmd, const struct cli_option *opt,
		 const char *shown, const char *val, struct cli_opts *o)
{
	uint64_t n;
	double d;
	int p;

	/* every option that names a file to write */
	if ((opt->id == OPT_OUTPUT || opt->id == OPT_TRACE || opt->id == OPT_PLOT) && !*val)
		return usage(cmd->name, "%s: the file name is empty", shown);
	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++) {
		char *field = (char *)o + stored[i].offset;

		if (stored[i].id != opt->id)
			continue;
		if (opt->arg == ARG_NONE)
			*(int *)field = 1;
		else
			*(const char **)field = val;
		return 0;
	}
	switch (opt->id) {
	case OPT_HELP:
		cli_usage(stdout, cmd);
		return -1;
	case OPT_VERSION:
		printf("proftune %s\n", pt_version());
		return -1;
	case OPT_WORKERS:
		if (cmd->bit == CMD_TUNE)
			return parse_list(cmd, shown, val, o);
		/* fall through */
	case OPT_REPEAT:
	case OPT_MIN:
	case OPT_MAX:
		n = parse_count(val, 0);
		if (n == 0 || n > MAX_WORKERS)
			return usage(cmd->name, "%s '%s': expected a positive integer%s", shown, val,
				     n > MAX_WORKERS ? " up to 1000000" : "");
		if (opt->id == OPT_WORKERS) {
			o->workers = (unsigned)n;
			o->workers_set = 1;
		} else if (opt->id == OPT_REPEAT) {
			o->repeat = (unsigned)n;
			o->repeat_set = 1;
		} else if (opt->id == OPT_MIN) {
			o->min = (unsigned)n;
		} else {
			o->max = (unsigned)n;
		}
		return 0;
	case OPT_STRATEGY:
		p = pt_strategy_parse(val);
		if (p < 0)
			return usage(cmd->name, "%s '%s': unknown strategy; use auto or exhaustive",
				     shown, val);
		o->strategy = (enum pt_strategy)p;
		return 0;
	case OPT_BUDGET:
		d = parse_seconds(val);
		if (!(d > 0))
			return usage(cmd->name, "%s '%s': expected a positive time such as 60 or 5m",
				     shown, val);
		if (d > MAX_SECONDS)
			return usage(cmd->name, "%s '%s': out of range; expected a time up to "
				     MAX_SECONDS_TEXT ", e.g. 60 or 5m", shown, val);
		o->budget = d;
		return 0;
	case OPT_TOLERANCE:
		d = parse_percent(val);
		if (!(d > 0 && d < 100))
			return usage(cmd->name, "%s '%s': expected a percentage between 0 and 100 "
				     "(exclusive), e.g. 5", shown, val);
		o->tolerance = d / 100;
		return 0;
	case OPT_MAX_ERROR_RATE:
		d = parse_percent(val);
		if (!(d >= 0 && d <= 100))
			return usage(cmd->name, "%s '%s': expected a percentage from 0 to 100, "
				     "e.g. 1 or 0.5%%", shown, val);
		o->max_error_rate = d / 100;
		return 0;
	case OPT_SEED:
		errno = 0;
		o->seed = parse_count(val, 1);
		if (o->seed == 0)
			return usage(cmd->name, "%s '%s': %sexpected a positive integer up to "
				     "18446744073709551615 (2^64 - 1, k/M/G suffixes allowed)", shown,
				     val, errno == ERANGE ? "out of range; " : "");
		return 0;
	case OPT_ITEMS:
		errno = 0;
		n = parse_count(val, 1);
		if (n == 0 && errno != ERANGE)
			return usage(cmd->name, "%s '%s': expected a positive number of items "
				     "(k/M/G suffixes allowed)", shown, val);
		if (n == 0 || n > MAX_ITEMS)
			return usage(cmd->name, "%s '%s': out of range; expected a positive number "
				     "of items up to 2^53 (9007199254740992, k/M/G suffixes allowed)",
				     shown, val);
		o->items = n;
		return 0;
	case OPT_DURATION:
	case OPT_WARMUP:
		d = parse_seconds(val);
		if (d < 0 || (opt->id == OPT_DURATION && d == 0))
			return usage(cmd->name, "%s '%s': expected a %stime such as 1, 0.5s or 250ms",
				     shown, val, opt->id == OPT_DURATION ? "positive " : "");
		if (d > MAX_SECONDS || (opt->id == OPT_DURATION && d < MIN_DURATION))
			return usage(cmd->name, "%s '%s': out of range; expected a time from %s to "
				     MAX_SECONDS_TEXT ", e.g. 1, 0.5s or 250ms", shown, val,
				     opt->id == OPT_DURATION ? "1us" : "0");
		if (opt->id == OPT_DURATION) {
			o->duration = d;
			o->duration_set = 1;
		} else {
			o->warmup = d;
		}
		return 0;
	case OPT_PLACEMENT:
		p = pt_placement_parse(val);
		if (p < 0)
			return usage(cmd->name, "%s '%s': unknown placement; use none, compact "
				     "or scatter", shown, val);
		o->placement = (enum pt_placement)p;
		return 0;
	case OPT_PARAM:
		if (pt_params_add(o->params, val) < 0)
			return usage(cmd->name, "%s", pt_last_error());
		return 0;
	case OPT_OUTPUT:
		o->output = val;
		o->report.outputs[o->report.noutputs++] = val;
		return 0;
	case OPT_ISOLATION:
		if (strcmp(val, "trial") == 0) {
			o->isolation = PT_ISOLATE_TRIAL;
		} else if (strcmp(val, "none") == 0) {
			o->isolation = PT_ISOLATE_NONE;
		} else if (strcmp(val, "process") == 0) {
			o->isolation = PT_ISOLATE_PROCESS;
		} else {
			return usage(cmd->name, "%s '%s': unknown isolation; use trial, process or "
				     "none", shown, val);
		}
		return 0;
	case OPT_NO_ISOLATION:
		o->isolation = PT_ISOLATE_NONE;
		return 0;
	case OPT_TIMEOUT:
		d = parse_seconds(val);
		if (d < 0)
			return usage(cmd->name, "%s '%s': expected a time such as 30, 90s or 5m "
				     "(0 disables)", shown, val);
		if (d > MAX_SECONDS)
			return usage(cmd->name, "%s '%s': out of range; expected a time up to "
				     MAX_SECONDS_TEXT ", e.g. 30, 90s or 5m, or 0 for no timeout",
				     shown, val);
		o->timeout = d;
		return 0;
	case OPT_MEMORY_LIMIT:
		n = parse_bytes(val);
		if (n == 0)
			return usage(cmd->name, "%s '%s': expected a size in bytes such as "
				     "268435456, 512M or 2G", shown, val);
		o->memory_limit = n;
		return 0;
	case OPT_FORMAT:
	case OPT_THRESHOLD:
	case OPT_GATE:
	case OPT_PLOT:
		return report_option(cmd->name, opt->id, shown, val, o);
	default:
		return 0;
	}
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_opts *o)
{
	int i, npos = 0, ret, only_pos = 0;

	memset(o, 0, sizeof(*o));
	o->workers = 1;
	o->duration = 1.0;
	o->warmup = 0.1;
	o->repeat = 1;
	o->placement = cmd->bit == CMD_TOPOLOGY ? PT_PLACE_COMPACT : PT_PLACE_NONE;
	o->tolerance = 0.05;
	o->max_error_rate = PT_MAX_ERROR_RATE;
	o->strategy = PT_STRATEGY_AUTO;
	o->isolation = PT_ISOLATE_TRIAL;
	o->timeout = -1;
	o->output = "proftune.json";
	o->params = pt_params_new();
	o->argv = calloc((size_t)argc + 1, sizeof(char *));
	o->report.outputs = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->params || !o->argv || !o->report.outputs) {
		cli_error("out of memory");
		return -2;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct cli_option *opt;
		char shown[64];

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			o->argv[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			opt = find_long(a + 2, len);
			snprintf(shown, sizeof(shown), "--%.*s", (int)len, a + 2);
			if (eq)
				val = eq + 1;
		} else {
			opt = find_short(a[1]);
			snprintf(shown, sizeof(shown), "-%c", a[1]);
			if (a[2])
				val = a + 2;
		}
		if (!opt)
			return usage(cmd->name, "unknown option '%s'", shown);
		if (!(opt->commands & cmd->bit))
			return usage(cmd->name, "option '%s' does not apply to '%s'", shown,
				     cmd->name);
		if (opt->arg == ARG_NONE && val && a[1] == '-')
			return usage(cmd->name, "option '%s' takes no value", shown);
		if (opt->arg == ARG_NONE && val) {
			/* bundled short flags are not supported: say so */
			return usage(cmd->name, "unknown option '%s'", a);
		}
		if (opt->arg != ARG_NONE && !val) {
			if (i + 1 >= argc)
				return usage(cmd->name, "option '%s' needs a value (%s)", shown,
					     opt->metavar);
			val = argv[++i];
		}
		ret = apply(cmd, opt, shown, val, o);
		if (ret < 0)
			return ret;
	}
	o->argc = npos;
	return 0;
}

void cli_opts_release(struct cli_opts *o)
{
	free(o->workers_list);
	pt_params_free(o->params);
	free(o->argv);
	free(o->report.outputs);
}
