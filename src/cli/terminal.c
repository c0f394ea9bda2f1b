/* terminal.c - what the commands print on standard output: its width and colours, tables, JSON */
#include "config.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

/* A narrower $COLUMNS is taken as 20: tables keep their key columns. */
#define MIN_WIDTH 20

unsigned cli_width(int wide)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (wide)
		return 0;
	if (cols && *cols) {
		char *end;
		long n = strtol(cols, &end, 10);

		if (!*end && n > 0)
			return n < MIN_WIDTH ? MIN_WIDTH : n > 100000 ? 0 : (unsigned)n;
	}
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < MIN_WIDTH ? MIN_WIDTH : ws.ws_col;
	return 0;
}

int cli_colour(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(1) && !(nc && *nc);
}

int cli_print_results(const pt_results *r, const char *name, int wide)
{
	struct pt_report_opts ro;
	char *text = pt_results_json(r);
	pt_doc *d = text ? pt_doc_parse(text, strlen(text), name) : NULL;
	int ret;

	free(text);
	if (!d) {
		cli_error("%s", pt_last_error());
		return -1;
	}
	pt_report_opts_init(&ro);
	ro.width = cli_width(wide);
	ro.colour = cli_colour();
	ret = pt_report_write(stdout, "table", (const pt_doc *const *)&d, 1, &ro);
	pt_doc_free(d);
	if (ret < 0) {
		cli_error("%s", pt_last_error());
		return -1;
	}
	return 0;
}

int cli_print_json(cJSON *doc)
{
	char *s = doc ? cJSON_Print(doc) : NULL;
	int ok = s != NULL;

	if (ok)
		puts(s);
	else
		cli_error("out of memory");
	free(s);
	cJSON_Delete(doc);
	return ok ? EXIT_OK : EXIT_USAGE;
}

int cli_print_text(char *text)
{
	int ok = text && puts(text) >= 0;

	if (!text)
		cli_error("%s", pt_last_error());
	free(text);
	return ok ? EXIT_OK : EXIT_USAGE;
}
