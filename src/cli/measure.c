/* measure.c - what `run` and `tune` share: task, topology, document, saving */
#include "config.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

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
		cJSON_AddNumberToObject(c, "seed", (double)o->seed);
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

/* Can the results file be created where asked?  Say so before measuring. */
static int check_output(const char *path)
{
	char *dir = strdup(path), *slash;
	struct stat st;
	int ok, isdir;

	if (!dir)
		return -1;
	/* a character device (/dev/null) is written into, not replaced */
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && access(path, W_OK) == 0) {
		free(dir);
		return 0;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	/* the parent must be a directory: access() alone accepts a file */
	isdir = stat(slash ? dir : ".", &st) == 0 && S_ISDIR(st.st_mode);
	ok = isdir && access(slash ? dir : ".", W_OK) == 0;
	if (!ok)
		cli_error("cannot write '%s': %s; choose a writable place with -o FILE", path,
			  access(slash ? dir : ".", F_OK) ? "no such directory"
			  : !isdir ? "not a directory" : "the directory is not writable");
	free(dir);
	return ok ? 0 : -1;
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

int measure_open(struct cli_opts *o, const char *command, struct measure *ms)
{
	char *cfg;

	memset(ms, 0, sizeof(*ms));
	if (o->argc)
		return cli_usage_error(command, "unexpected argument '%s'", o->argv[0]);
	if (!o->task)
		return cli_usage_error(command, "no task given; use --task PATH.so or a name "
				       "from 'proftune tasks'");
	if (check_output(o->output) < 0)
		return EXIT_USAGE;
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
	ms->trial.timeout_s = o->timeout;
	if (o->trace) {
		ms->trace = pt_trace_open(o->trace, NULL);
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

static int save(const struct cli_opts *o, struct measure *ms, int final)
{
	if (save_to(ms, o->output, final) == 0) {
		if (ms->save_failed)
			cli_error("the results are now saved to '%s'", o->output);
		ms->save_failed = 0;
		return 0;
	}
	/* never lose measured results: put them somewhere and say where, once */
	if (!ms->save_failed)
		cli_error("%s", pt_last_error());
	snprintf(ms->fallback, sizeof(ms->fallback), "/tmp/proftune-%ld.json", (long)getpid());
	if (save_to(ms, ms->fallback, final) == 0) {
		if (!ms->save_failed)
			cli_error("the results are saved to '%s' instead", ms->fallback);
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

		if (text)
			puts(text);
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
