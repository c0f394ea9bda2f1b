/* cmd-tune.c - `proftune tune` (the default command): find the best worker count */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct progress {
	const struct cli_opts *o;
	struct measure *ms;
};

static int on_trial(void *arg, const pt_results *r, const struct pt_tune_progress *p)
{
	struct progress *pr = arg;

	(void)r;
	/* save after every trial: a killed tune loses at most the trial in flight */
	measure_save(pr->o, pr->ms);
	if (pr->ms->progress) {
		char best[32] = "-";

		if (p->best_workers)
			snprintf(best, sizeof(best), "%.4g/s", p->best_throughput);
		fprintf(stderr, "\r\033[Kproftune: trial %u (%u worker%s), %.0f s, about %.0f s "
			"left; best so far %u workers at %s", p->trials, p->workers,
			p->workers == 1 ? "" : "s", p->elapsed_s, p->eta_s > 0 ? p->eta_s : 0,
			p->best_workers, best);
	}
	return 0;
}

int cmd_tune(struct cli_opts *o)
{
	struct pt_tune_config c;
	struct measure ms;
	struct progress pr;
	struct pt_tune_answer answer;
	int ret, rc;

	o->tune_mode = 1;
	if (!o->duration_set)
		o->duration = 0.5;
	if (!o->nworkers_list && o->min && o->max && o->min > o->max)
		return cli_usage_error("tune", "--min %u is larger than --max %u", o->min, o->max);
	if (o->nworkers_list && (o->min || o->max))
		return cli_usage_error("tune", "--workers LIST and --min/--max exclude each other");
	if (!o->repeat_set)
		o->repeat = 3;
	if (!o->seed)
		o->seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)clock();
	ret = measure_open(o, "tune", &ms);
	if (ret)
		return ret;
	if (!o->nworkers_list && !o->max && o->min > pt_topology_allowed_pus(ms.t)) {
		cli_usage_error("tune", "--min %u is larger than the default --max %u (the allowed "
				"PUs); give --max too", o->min, pt_topology_allowed_pus(ms.t));
		measure_close(&ms);
		return EXIT_USAGE;
	}
	pt_tune_config_init(&c);
	c.trial = ms.trial;
	c.min_workers = o->min;
	c.max_workers = o->max;
	c.list = o->workers_list;
	c.nlist = o->nworkers_list;
	c.strategy = o->strategy;
	c.tolerance = o->tolerance;
	c.budget_s = o->budget;
	c.seed = o->seed;
	c.repeats = o->repeat;
	pr.o = o;
	pr.ms = &ms;
	c.on_trial = on_trial;
	c.arg = &pr;
	rc = pt_tune(ms.m, ms.t, &c, ms.r);
	if (ms.progress)
		fputs("\r\033[K", stderr);
	if (rc < 0 && rc != -EINTR) {
		cli_error("%s", pt_last_error());
		measure_close(&ms);
		return EXIT_USAGE;
	}
	ret = EXIT_OK;
	if (ms.save_failed)
		ret = EXIT_USAGE;
	for (size_t i = 0; i < pt_results_trial_count(ms.r); i++) {
		const pt_trial *tr = pt_results_trial(ms.r, i);
		enum pt_status s = pt_trial_stats(tr)->status;

		if (s != PT_STATUS_OK && s != PT_STATUS_SKIPPED && s != PT_STATUS_INTERRUPTED) {
			if (!o->quiet)
				cli_error("trial %zu (%u workers): %s: %s", i, pt_trial_stats(tr)->workers,
					  pt_status_name(s), pt_trial_message(tr) ? pt_trial_message(tr) : "");
			if (ret == EXIT_OK)
				ret = EXIT_WORKLOAD;
		}
	}
	/* no successful trial, so no answer: the tune failed, whatever the
	 * reason (the table and the summary's no_answer say which) */
	if (rc != -EINTR && pt_results_tune_answer(ms.r, &answer) != 0 && ret == EXIT_OK)
		ret = EXIT_WORKLOAD;
	ret = measure_finish(o, &ms, ret);
	measure_close(&ms);
	return ret;
}
