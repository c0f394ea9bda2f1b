/* fuzz-options.c - libFuzzer target: the option parser of every command */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The parser only needs the commands' names and bits. */
static const struct cli_command commands[] = {
	{ "tune", CMD_TUNE, "", "", NULL },
	{ "run", CMD_RUN, "", "", NULL },
	{ "topology", CMD_TOPOLOGY, "", "", NULL },
	{ "tasks", CMD_TASKS, "", "", NULL },
	{ "fit", CMD_FIT, "", "", NULL },
	{ "report", CMD_REPORT, "", "", NULL },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	/* --help and --version print on stdout; libFuzzer reports on stderr */
	dup2(fd, 1);
	close(fd);
	return 0;
}

/* Input: a command index byte, then arguments separated by NUL bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[64];
	struct cli_opts o;
	int argc = 0;

	if (size < 1)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (size_t i = 0; i < size - 1 && argc < 63;) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;
	cli_parse(&commands[data[0] % (sizeof(commands) / sizeof(commands[0]))], argc, argv, &o);
	cli_opts_release(&o);
	free(copy);
	return 0;
}
