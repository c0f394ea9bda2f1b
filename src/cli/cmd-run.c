/* cmd-run.c - `proftune run`: measured trials of one configuration */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int cmd_run(struct cli_opts *o)
{
	struct measure ms;
	int ret = measure_open(o, "run", &ms);

	if (ret)
		return ret;
	for (unsigned i = 0; i < o->repeat && !cli_interrupted; i++) {
		const struct pt_trial_stats *st;
		pt_trial *tr;

		ms.trial.repeat = i;
		if (ms.progress)
			fprintf(stderr, "\rproftune: trial %u/%u, %u worker%s...", i + 1, o->repeat,
				o->workers, o->workers == 1 ? "" : "s");
		tr = pt_trial_run(ms.m, ms.t, &ms.trial);
		if (!tr) {
			cli_error("%s", pt_last_error());
			ret = EXIT_USAGE;
			break;
		}
		st = pt_trial_stats(tr);
		if (st->status != PT_STATUS_OK && st->status != PT_STATUS_SKIPPED &&
		    st->status != PT_STATUS_INTERRUPTED)
			ret = EXIT_WORKLOAD;
		if (!o->quiet && pt_trial_message(tr))
			fprintf(stderr, "%sproftune: trial %u: %s: %s\n", ms.progress ? "\n" : "", i,
				pt_status_name(st->status), pt_trial_message(tr));
		pt_results_add_trial(ms.r, tr);
		/* save after every trial: an interrupted run keeps what it measured */
		measure_save(o, &ms);
	}
	if (ms.progress)
		fputs("\r\033[K", stderr);
	ret = measure_finish(o, &ms, ret);
	measure_close(&ms);
	return ret;
}
