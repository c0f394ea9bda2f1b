/* cmd-run.c - `proftune run`: measured trials of one configuration */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static char *config_json(const struct cli_opts *o)
{
	cJSON *c = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(c, "task", o->task);
	cJSON_AddNumberToObject(c, "workers", o->workers);
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
	if (o->topology)
		cJSON_AddStringToObject(c, "topology", o->topology);
	else
		cJSON_AddNullToObject(c, "topology");
	cJSON_AddStringToObject(c, "output", o->output);
	s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

/* Print the document as JSON or as tables. */
static int show(const struct cli_opts *o, const pt_results *r)
{
	char *text = pt_results_json(r);
	cJSON *doc;

	if (!text) {
		cli_error("out of memory");
		return -1;
	}
	if (o->json) {
		puts(text);
	} else {
		doc = cJSON_Parse(text);
		print_document(stdout, doc, 1);
		cJSON_Delete(doc);
	}
	free(text);
	return 0;
}

int cmd_run(struct cli_opts *o)
{
	struct pt_trial_config c;
	pt_module *m = NULL;
	pt_topology *t = NULL;
	pt_results *r = NULL;
	char *cfg = NULL;
	int ret = EXIT_OK, progress = !o->quiet && isatty(2);

	if (o->argc)
		return cli_usage_error("run", "unexpected argument '%s'", o->argv[0]);
	if (!o->task)
		return cli_usage_error("run", "no task given; use --task PATH.so or a name "
				       "from 'proftune tasks'");
	m = pt_module_open(o->task, getenv("PROFTUNE_TASK_PATH"));
	if (!m) {
		cli_error("%s", pt_last_error());
		return EXIT_USAGE;
	}
	t = pt_topology_new(o->topology);
	if (!t) {
		cli_error("%s", pt_last_error());
		ret = EXIT_USAGE;
		goto out;
	}
	cfg = config_json(o);
	r = cfg ? pt_results_new("run", m, t, o->params, cfg) : NULL;
	if (!r) {
		cli_error("%s", cfg ? pt_last_error() : "out of memory");
		ret = EXIT_USAGE;
		goto out;
	}
	if (o->topology)
		pt_results_warn(r, "synthetic topology '%s': workers were not bound", o->topology);
	pt_trial_config_init(&c);
	c.workers = o->workers;
	c.placement = o->placement;
	c.items = o->items;
	c.duration_s = o->duration;
	c.warmup_s = o->warmup;
	c.record_latency = !o->no_latency;
	c.counters = !o->no_counters;
	c.params = o->params;
	cli_install_signals();
	for (unsigned i = 0; i < o->repeat && !cli_interrupted; i++) {
		pt_trial *tr;

		c.repeat = i;
		if (progress)
			fprintf(stderr, "\rproftune: trial %u/%u, %u worker%s...", i + 1, o->repeat,
				c.workers, c.workers == 1 ? "" : "s");
		tr = pt_trial_run(m, t, &c);
		if (!tr) {
			cli_error("%s", pt_last_error());
			ret = EXIT_USAGE;
			break;
		}
		if (pt_trial_stats(tr)->status != PT_STATUS_OK &&
		    pt_trial_stats(tr)->status != PT_STATUS_SKIPPED)
			ret = EXIT_WORKLOAD;
		if (!o->quiet && pt_trial_message(tr))
			fprintf(stderr, "%sproftune: trial %u: %s: %s\n", progress ? "\n" : "", i,
				pt_status_name(pt_trial_stats(tr)->status), pt_trial_message(tr));
		pt_results_add_trial(r, tr);
		/* save after every trial: an interrupted run keeps what it measured */
		if (pt_results_write(r, o->output) < 0) {
			cli_error("%s", pt_last_error());
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
	if (cli_interrupted) {
		pt_results_set_interrupted(r, 1);
		if (pt_results_write(r, o->output) < 0)
			cli_error("%s", pt_last_error());
		ret = EXIT_INTERRUPTED;
	}
	if (show(o, r) < 0 && ret == EXIT_OK)
		ret = EXIT_WORKLOAD;
out:
	pt_results_free(r);
	free(cfg);
	pt_topology_free(t);
	pt_module_close(m);
	return ret;
}
