/* main.c - the proftune command: the command table, dispatch, and what every command shares: its files and standard streams */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- the files a command names ------------------------------------------ */

/* The report reads this document when no file is given. */
#define DEFAULT_DOCUMENT "proftune.json"

/* Check the files that command CMD, with options O, is to write, before it
 * does any work: each can be written, and none is another or one of the
 * files it reads.  0, or -1 after saying why not. */
static int check_files(const struct cli_command *cmd, const struct cli_opts *o)
{
	struct cli_file *out = calloc(o->report.noutputs + 3, sizeof(*out));
	struct cli_file *in = calloc((size_t)o->argc + 3, sizeof(*in));
	size_t nout = 0, nin = 0;
	int ret;

	if (!out || !in) {
		free(out);
		free(in);
		cli_error("out of memory");
		return -1;
	}
	if (cmd->bit & CMD_MEASURE) {
		out[nout++] = (struct cli_file){ o->output, "-o", 0 };
		if (o->trace)
			out[nout++] = (struct cli_file){ o->trace, "--trace", 0 };
		/* a bare task name is resolved when the task is loaded */
		if (o->task)
			in[nin++] = (struct cli_file){ o->task, "--task", 0 };
	} else if (cmd->bit == CMD_REPORT) {
		/* "-" is standard output, or standard input; a report is
		 * written into a pipe (/dev/stdout, a FIFO) */
		for (size_t i = 0; i < o->report.noutputs; i++)
			if (strcmp(o->report.outputs[i], "-") != 0)
				out[nout++] = (struct cli_file){ o->report.outputs[i], "-o", 1 };
		if (o->report.plot)
			out[nout++] = (struct cli_file){ o->report.plot, "--plot", 1 };
		if (o->report.compare)
			in[nin++] = (struct cli_file){ o->report.compare, "--compare", 0 };
		for (int i = 0; i < o->argc; i++)
			if (strcmp(o->argv[i], "-") != 0)
				in[nin++] = (struct cli_file){ o->argv[i], "the input", 0 };
		if (o->argc == 0)
			in[nin++] = (struct cli_file){ DEFAULT_DOCUMENT, "the input", 0 };
	}
	ret = cli_check_files(out, nout, in, nin, o->force);
	free(out);
	free(in);
	return ret;
}

/* ---- the standard streams ------------------------------------------------ */

/* Open /dev/null on each of descriptors 0, 1 and 2 that is closed, so no
 * file proftune opens becomes standard error and receives its messages.
 * 0, or -1 when /dev/null cannot be opened. */
static int open_std_streams(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free descriptor: FD itself */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			if (dup2(nfd, fd) < 0) {
				close(nfd);
				return -1;
			}
			close(nfd);
		}
	}
	return 0;
}

/* Flush and close standard output: what a command printed must have been
 * written.  RET, or EXIT_USAGE (when RET is 0) after saying why not. */
static int close_stdout(int ret)
{
	int failed = 0, err = 0;

	/* an earlier failed write leaves the error flag, not its errno */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		failed = 1;
		err = errno;
	}
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	if (!failed)
		return ret;
	cli_stdout_error(err);
	return ret == EXIT_OK ? EXIT_USAGE : ret;
}

static int dispatch(int argc, char **argv)
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
		ret = check_files(cmd, &o) == 0 ? cmd->fn(&o) : EXIT_USAGE;
	else
		ret = ret == -1 ? EXIT_OK : EXIT_USAGE;
	cli_opts_release(&o);
	return ret;
}

int main(int argc, char **argv)
{
	/* nothing can be said without standard error: exit as a usage error */
	if (open_std_streams() < 0)
		return EXIT_USAGE;
	return close_stdout(dispatch(argc, argv));
}
