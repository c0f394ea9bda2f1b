/* measure.c - what `run` and `tune` share: task, topology, document, saving; the checks of every command's outputs */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* ---- the files every command writes ------------------------------------ */

/* What makes two names one file: the device and inode of a file that
 * exists, else the absolute path with the directory resolved (so "a",
 * "./a" and "d/../a" agree). */
struct identity {
	int exists;
	dev_t dev;
	ino_t ino;
	char *path;     /* resolved, owned; NULL when it exists or cannot be resolved */
};

/* The identity of PATH; 0, or -1 when it has none to compare: a device
 * such as /dev/null (written to any number of times), a file that does not
 * exist when MUST_EXIST, or a name whose directory cannot be resolved. */
static int identify(const char *path, int must_exist, struct identity *id)
{
	char *dcopy, *bcopy, *dir;
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) == 0) {
		if (S_ISCHR(st.st_mode))
			return -1;
		id->exists = 1;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return 0;
	}
	if (must_exist)
		return -1;
	dcopy = strdup(path);
	bcopy = strdup(path);
	dir = dcopy ? realpath(dirname(dcopy), NULL) : NULL;
	if (dir && bcopy)
		id->path = malloc(strlen(dir) + strlen(path) + 2);
	if (id->path)
		sprintf(id->path, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, basename(bcopy));
	free(dir);
	free(dcopy);
	free(bcopy);
	return id->path ? 0 : -1;
}

static int same_file(const struct identity *a, const struct identity *b)
{
	if (a->exists != b->exists)
		return 0;
	if (a->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return strcmp(a->path, b->path) == 0;
}

/* Say what is wrong with output F: "proftune: cannot create trace 'x': ..."
 * for the trace, as the trace writer says it, else "proftune: cannot write
 * 'x': ...". */
static void say_output(const struct cli_file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say_output(const struct cli_file *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "proftune: %s '%s': ", strcmp(f->option, "--trace") == 0 ?
		"cannot create trace" : "cannot write", f->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Is the existing regular file PATH read-only for us?  Root may write any
 * file, so for root a file is read-only when no one has write permission,
 * as its owner made it. */
static int read_only(const char *path, const struct stat *st)
{
	if (geteuid() == 0)
		return !(st->st_mode & 0222);
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 && errno == EACCES;
}

/* Can output F be written (a regular file replaced or created, or a
 * character device written into)?  0, or -1 after saying why not. */
static int check_output(const struct cli_file *f, int force)
{
	char *copy, *dir;
	struct stat st;
	int isdir, writable;

	if (stat(f->path, &st) == 0) {
		/* a character device (/dev/null) is written into, not replaced */
		if (S_ISCHR(st.st_mode) || (S_ISFIFO(st.st_mode) && f->fifo_ok))
			return 0;
		if (S_ISDIR(st.st_mode)) {
			say_output(f, "it is a directory; choose a file with %s FILE", f->option);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			say_output(f, "not a regular file (%s); choose a file with %s FILE",
				   S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ?
				   "a socket" : S_ISBLK(st.st_mode) ? "a block device" :
				   "a special file", f->option);
			return -1;
		}
		if (!force && read_only(f->path, &st)) {
			say_output(f, "the file is read-only; make it writable (chmod u+w) or "
				   "give --force to replace it");
			return -1;
		}
	} else if (errno != ENOENT && errno != ENOTDIR) {
		say_output(f, "%s", strerror(errno));
		return -1;
	}
	/* the file is created, or replaced by a new file, in its directory;
	 * "d/" names no file either */
	copy = strdup(f->path);
	if (!copy) {
		cli_error("out of memory");
		return -1;
	}
	dir = f->path[strlen(f->path) - 1] == '/' ? copy : dirname(copy);
	if (stat(dir, &st) != 0)
		isdir = errno == ENOENT ? -1 : 0;
	else
		isdir = S_ISDIR(st.st_mode);
	writable = isdir > 0 && access(dir, W_OK) == 0;
	if (!writable)
		say_output(f, "%s; choose a writable place with %s FILE", isdir < 0 ?
			   "no such directory" : !isdir ? "not a directory" :
			   "the directory is not writable", f->option);
	free(copy);
	return writable ? 0 : -1;
}

int cli_check_files(const struct cli_file *out, size_t nout, const struct cli_file *in,
		    size_t nin, int force)
{
	struct identity *ids = calloc(nout + nin, sizeof(*ids));
	int *has = calloc(nout + nin, sizeof(*has)), ret = 0;

	if (!ids || !has) {
		free(ids);
		free(has);
		cli_error("out of memory");
		return -1;
	}
	for (size_t i = 0; i < nout && ret == 0; i++)
		ret = check_output(&out[i], force);
	for (size_t i = 0; i < nout + nin && ret == 0; i++)
		has[i] = identify(i < nout ? out[i].path : in[i - nout].path, i >= nout,
				  &ids[i]) == 0;
	for (size_t i = 0; i < nout && ret == 0; i++)
		for (size_t k = i + 1; k < nout + nin && ret == 0; k++) {
			const struct cli_file *other = k < nout ? &out[k] : &in[k - nout];

			if (!has[i] || !has[k] || !same_file(&ids[i], &ids[k]))
				continue;
			if (k < nout)
				cli_error("%s '%s' is the same file as %s '%s'; give each output a "
					  "file of its own", out[i].option, out[i].path, other->option,
					  other->path);
			else
				cli_error("%s '%s' is the same file as %s '%s', which must not be "
					  "overwritten; choose another file with %s FILE", out[i].option,
					  out[i].path, other->option, other->path, out[i].option);
			ret = -1;
		}
	for (size_t i = 0; i < nout + nin; i++)
		free(ids[i].path);
	free(ids);
	free(has);
	return ret;
}

/* Standard output failed and it was said. */
static int stdout_said;

int cli_stdout_error(int err)
{
	if (!stdout_said)
		cli_error("cannot write to standard output: %s", err ? strerror(err) :
			  "write error");
	stdout_said = 1;
	return EXIT_USAGE;
}

/* ---- run and tune -------------------------------------------------------- */

volatile int cli_interrupted;

static void on_signal(int sig)
{
	cli_interrupted = sig;
	pt_interrupt();
}

void cli_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static char *config_json(const struct cli_opts *o, const char *command)
{
	cJSON *c = cJSON_CreateObject(), *a;
	char *s;

	cJSON_AddStringToObject(c, "command", command);
	cJSON_AddStringToObject(c, "task", o->task);
	if (strcmp(command, "run") == 0) {
		cJSON_AddNumberToObject(c, "workers", o->workers);
	} else {
		if (o->nworkers_list) {
			a = cJSON_AddArrayToObject(c, "workers");
			for (size_t i = 0; i < o->nworkers_list; i++)
				cJSON_AddItemToArray(a, cJSON_CreateNumber(o->workers_list[i]));
		} else {
			cJSON_AddNullToObject(c, "workers");
		}
		cJSON_AddNumberToObject(c, "min", o->min ? o->min : 1);
		if (o->max)
			cJSON_AddNumberToObject(c, "max", o->max);
		else
			cJSON_AddStringToObject(c, "max", "allowed PUs");
		cJSON_AddStringToObject(c, "strategy", pt_strategy_name(o->strategy));
		cJSON_AddNumberToObject(c, "tolerance", o->tolerance);
		if (o->budget > 0)
			cJSON_AddNumberToObject(c, "budget_s", o->budget);
		else
			cJSON_AddNullToObject(c, "budget_s");
		/* a double holds integers exactly up to 2^53: a larger seed is
		 * written as a decimal string, so that --seed can repeat it */
		if (o->seed <= UINT64_C(1) << 53) {
			cJSON_AddNumberToObject(c, "seed", (double)o->seed);
		} else {
			char seed[24];

			snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o->seed);
			cJSON_AddStringToObject(c, "seed", seed);
		}
	}
	if (o->items)
		cJSON_AddNumberToObject(c, "items", (double)o->items);
	else
		cJSON_AddNullToObject(c, "items");
	if (o->items)
		cJSON_AddNullToObject(c, "duration_s");
	else
		cJSON_AddNumberToObject(c, "duration_s", o->duration);
	cJSON_AddNumberToObject(c, "warmup_s", o->warmup);
	cJSON_AddStringToObject(c, "placement", pt_placement_name(o->placement));
	cJSON_AddNumberToObject(c, "repeat", o->repeat);
	cJSON_AddBoolToObject(c, "record_latency", !o->no_latency);
	cJSON_AddBoolToObject(c, "counters", !o->no_counters);
	cJSON_AddNumberToObject(c, "max_error_rate", o->max_error_rate);
	cJSON_AddBoolToObject(c, "all_workers", o->all_workers);
	if (o->topology)
		cJSON_AddStringToObject(c, "topology", o->topology);
	else
		cJSON_AddNullToObject(c, "topology");
	cJSON_AddStringToObject(c, "output", o->output);
	cJSON_AddStringToObject(c, "isolation", pt_isolation_name(o->isolation));
	cJSON_AddNumberToObject(c, "timeout_s", o->timeout);
	cJSON_AddNumberToObject(c, "memory_limit", (double)o->memory_limit);
	if (o->trace)
		cJSON_AddStringToObject(c, "trace", o->trace);
	else
		cJSON_AddNullToObject(c, "trace");
	s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

/* Can the largest worker count asked for start here?  Said before anything
 * is loaded or measured; 0, or -1 after the message. */
static int check_workers(const struct cli_opts *o, const char *command)
{
	const char *opt = "--workers";
	unsigned n = o->workers, largest;
	int list = 0;

	if (strcmp(command, "tune") == 0) {
		n = 0;
		for (size_t i = 0; i < o->nworkers_list; i++)
			n = o->workers_list[i] > n ? o->workers_list[i] : n;
		list = o->nworkers_list > 0;
		if (!list) {
			opt = o->max ? "--max" : "--min";
			n = o->max ? o->max : o->min;
		}
		if (n == 0)
			return 0; /* up to the allowed PUs */
	}
	if (pt_workers_feasible(n, o->isolation, &largest) == 0)
		return 0;
	if (largest == 0)
		cli_error("%s %u cannot start here: %s; raise that limit or end other processes",
			  opt, n, pt_last_error());
	else if (list)
		cli_error("%s %u cannot start here: %s; use counts up to %u", opt, n,
			  pt_last_error(), largest);
	else
		cli_error("%s %u cannot start here: %s; use %s %u or fewer", opt, n,
			  pt_last_error(), opt, largest);
	return -1;
}

/* Note in ID which file PATH is now, if a regular file. */
static void remember(const char *path, struct file_id *id)
{
	struct stat st;

	id->exists = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	id->dev = id->exists ? st.st_dev : 0;
	id->ino = id->exists ? st.st_ino : 0;
}

/* Is PATH still the regular file ID noted? */
static int still(const char *path, const struct file_id *id)
{
	struct stat st;

	return id->exists && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		st.st_dev == id->dev && st.st_ino == id->ino;
}

/* Open the trace.  A read-only trace that --force replaces is removed
 * first, so it can be created again; it keeps its permissions.  The
 * trace, or NULL with pt_last_error(). */
static pt_trace *open_trace(const struct cli_opts *o)
{
	struct stat st;
	pt_trace *t;
	int keep = stat(o->trace, &st) == 0 && S_ISREG(st.st_mode);

	if (keep && o->force && faccessat(AT_FDCWD, o->trace, W_OK, AT_EACCESS) != 0 &&
	    errno == EACCES)
		unlink(o->trace);
	t = pt_trace_open(o->trace, NULL);
	if (t && keep)
		chmod(o->trace, st.st_mode & 0777);
	return t;
}

int measure_open(struct cli_opts *o, const char *command, struct measure *ms)
{
	struct cli_file out[2] = { { o->output, "-o", 0 }, { o->trace, "--trace", 0 } };
	struct cli_file task = { NULL, "--task", 0 };
	char *cfg;

	memset(ms, 0, sizeof(*ms));
	if (o->argc)
		return cli_usage_error(command, "unexpected argument '%s'", o->argv[0]);
	if (!o->task)
		return cli_usage_error(command, "no task given; use --task PATH.so or a name "
				       "from 'proftune tasks'");
	if (check_workers(o, command) < 0)
		return EXIT_USAGE;
	/* generous: a trial may set up slowly, but a hang must not stall a CI job */
	if (o->timeout < 0)
		o->timeout = o->items ? 600.0 : 60.0 + 10.0 * (o->warmup + o->duration);
	ms->m = pt_module_open(o->task, getenv("PROFTUNE_TASK_PATH"));
	if (!ms->m) {
		cli_error("%s", pt_last_error());
		return EXIT_USAGE;
	}
	/* a bare name is the file it was resolved to, which no output may be */
	task.path = pt_module_path(ms->m);
	if (cli_check_files(out, o->trace ? 2 : 1, &task, 1, o->force) < 0) {
		measure_close(ms);
		return EXIT_USAGE;
	}
	ms->t = pt_topology_new(o->topology);
	if (!ms->t) {
		cli_error("%s", pt_last_error());
		measure_close(ms);
		return EXIT_USAGE;
	}
	cfg = config_json(o, command);
	ms->r = cfg ? pt_results_new(command, ms->m, ms->t, o->params, cfg) : NULL;
	free(cfg);
	if (!ms->r) {
		cli_error("%s", pt_last_error());
		measure_close(ms);
		return EXIT_USAGE;
	}
	if (o->topology)
		pt_results_warn(ms->r, "synthetic topology '%s': workers were not bound", o->topology);
	pt_trial_config_init(&ms->trial);
	ms->trial.workers = o->workers;
	ms->trial.placement = o->placement;
	ms->trial.items = o->items;
	ms->trial.duration_s = o->duration;
	ms->trial.warmup_s = o->warmup;
	ms->trial.record_latency = !o->no_latency;
	ms->trial.counters = !o->no_counters;
	ms->trial.params = o->params;
	ms->trial.isolation = o->isolation;
	ms->trial.memory_limit = o->memory_limit;
	ms->trial.max_error_rate = o->max_error_rate;
	ms->trial.all_worker_detail = o->all_workers;
	/* proftune has no children of its own to keep: whatever a trial
	 * leaves behind is ended with it */
	ms->trial.reap_orphans = 1;
	ms->trial.timeout_s = o->timeout;
	if (o->trace) {
		ms->trace = open_trace(o);
		if (!ms->trace) {
			cli_error("%s; choose a writable place with --trace FILE", pt_last_error());
			measure_close(ms);
			return EXIT_USAGE;
		}
		ms->trial.trace = ms->trace;
	}
	ms->progress = !o->quiet && isatty(2);
	cli_install_signals();
	return 0;
}

/* After a trial (FINAL 0) save what it added to the output's journal; at
 * the end write the complete document, which removes the journal. */
static int save_to(struct measure *ms, const char *path, int final)
{
	return final ? pt_results_write(ms->r, path) : pt_results_save(ms->r, path);
}

/* The final document is in the fallback: what is left at -o, an earlier
 * document or a part of this one, must not pass for it.  It is removed
 * (its journal went with the document to the fallback), as a complete
 * write would have replaced it. */
static void leave_no_leftover(const struct cli_opts *o, const struct measure *ms)
{
	struct stat st;

	if (stat(o->output, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (unlink(o->output) == 0)
		cli_error("removed '%s' so that it does not pass for these results, which are "
			  "in '%s'", o->output, ms->fallback);
	else
		cli_error("warning: '%s' does not hold these results, which are in '%s', and "
			  "cannot be removed: %s", o->output, ms->fallback, strerror(errno));
}

static int save(const struct cli_opts *o, struct measure *ms, int final)
{
	struct file_id before, now;

	if (save_to(ms, o->output, final) == 0) {
		if (ms->save_failed)
			cli_error("the results are now saved to '%s'", o->output);
		/* a partial document saved in the fallback meanwhile would pass
		 * for these results (its journal goes with the document) */
		if (final && still(ms->fallback, &ms->fallback_saved))
			unlink(ms->fallback);
		ms->save_failed = 0;
		return 0;
	}
	/* never lose measured results: put them somewhere and say where, once */
	if (!ms->save_failed)
		cli_error("%s", pt_last_error());
	snprintf(ms->fallback, sizeof(ms->fallback), "/tmp/proftune-%ld.json", (long)getpid());
	remember(ms->fallback, &before);
	if (save_to(ms, ms->fallback, final) == 0) {
		if (!ms->save_failed)
			cli_error("the results are saved to '%s' instead", ms->fallback);
		/* a document this save wrote (a new file), not one found there */
		remember(ms->fallback, &now);
		if (now.exists && !(before.exists && before.dev == now.dev &&
				    before.ino == now.ino))
			ms->fallback_saved = now;
		if (final)
			leave_no_leftover(o, ms);
	} else if (!ms->save_failed) {
		cli_error("%s", pt_last_error());
	}
	ms->save_failed = 1;
	return -1;
}

int measure_save(const struct cli_opts *o, struct measure *ms)
{
	return save(o, ms, 0);
}

int measure_finish(const struct cli_opts *o, struct measure *ms, int ret)
{
	if (cli_interrupted) {
		pt_results_set_interrupted(ms->r, 1);
		ret = cli_interrupted == SIGTERM ? 128 + SIGTERM : EXIT_INTERRUPTED;
	}
	if (save(o, ms, 1) < 0 && ret == EXIT_OK)
		ret = EXIT_USAGE;
	if (ms->trace) {
		if (pt_trace_close(ms->trace) < 0) {
			cli_error("%s", pt_last_error());
			if (ret == EXIT_OK)
				ret = EXIT_USAGE;
		}
		ms->trace = NULL;
	}
	if (o->json) {
		char *text = pt_results_json(ms->r);

		if (!text) {
			cli_error("out of memory");
			ret = ret == EXIT_OK ? EXIT_USAGE : ret;
		} else if (puts(text) < 0 || fflush(stdout) != 0) {
			cli_stdout_error(errno);
			ret = ret == EXIT_OK ? EXIT_USAGE : ret;
		}
		free(text);
	} else if (pt_results_trial_count(ms->r) > 0 || !cli_interrupted) {
		if (cli_print_results(ms->r, ms->save_failed ? ms->fallback : o->output,
				      o->wide) < 0 && ret == EXIT_OK)
			ret = EXIT_USAGE;
	}
	return ret;
}

void measure_close(struct measure *ms)
{
	pt_trace_close(ms->trace);
	pt_results_free(ms->r);
	pt_topology_free(ms->t);
	pt_module_close(ms->m);
	memset(ms, 0, sizeof(*ms));
}
