/* main.c - the proftune command: the command table and dispatch */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "tune", CMD_TUNE, "",
	  "Find the worker count that serves a task best (the default command).", cmd_tune },
	{ "run", CMD_RUN, "",
	  "Run a task on N pinned workers and measure it.", cmd_run },
	{ "topology", CMD_TOPOLOGY, "",
	  "Show the machine as hwloc sees it and where workers would be placed.", cmd_topology },
	{ "tasks", CMD_TASKS, "",
	  "List the tasks found by name in $PROFTUNE_TASK_PATH and the task directory.",
	  cmd_tasks },
	{ "fit", CMD_FIT, "FILE.csv",
	  "Fit the Universal Scalability Law to workers,throughput rows.", cmd_fit },
	{ "report", CMD_REPORT, "[FILE]...",
	  "Show results documents as tables, JSON, CSV, Markdown, traces or plots; "
	  "gate on a baseline.", cmd_report },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))


static void usage(FILE *f)
{
	fprintf(f, "Usage: proftune [COMMAND] [OPTION]...\n\n"
		"Run a task (a shared object doing one unit of work) on pinned workers,\n"
		"measure it, and write the results to proftune.json.  Without a command,\n"
		"proftune tunes: proftune --task ./libwork.so --min 1 --max 16\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'proftune COMMAND --help' for the options of a command.\n"
		"Exit status: 0 ok, 1 the workload failed, 2 usage or input error,\n"
		"3 regression found, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd = NULL;
	struct cli_opts o;
	int ret, first = 2;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("proftune %s\n", pt_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd && argv[1][0] == '-') {
		/* options first: the default command, tune */
		cmd = &commands[0];
		first = 1;
	}
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	ret = cli_parse(cmd, argc - first, argv + first, &o);
	if (ret == 0)
		ret = cmd->fn(&o);
	else
		ret = ret == -1 ? EXIT_OK : EXIT_USAGE;
	cli_opts_release(&o);
	return ret;
}
