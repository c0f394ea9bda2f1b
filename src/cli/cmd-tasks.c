/* cmd-tasks.c - `proftune tasks`: the tasks found by name */
#include "config.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void list_dir(const char *dir, cJSON *out, int json)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t len = strlen(f);
		char *path;
		pt_module *m;

		if (len > 3 && strcmp(f + len - 3, ".so") == 0 &&
		    (path = malloc(strlen(dir) + len + 2))) {
			sprintf(path, "%s/%s", dir, f);
			m = pt_module_open(path, NULL);
			if (m) {
				const struct pt_task *t = pt_module_task(m);

				if (json) {
					cJSON *e = cJSON_CreateObject();

					cJSON_AddStringToObject(e, "name", t->name ? t->name : "");
					cJSON_AddStringToObject(e, "summary", t->summary ? t->summary : "");
					cJSON_AddStringToObject(e, "path", path);
					cJSON_AddItemToArray(out, e);
				} else {
					printf("  %-12s %s\n      %s\n", t->name ? t->name : "?",
					       t->summary ? t->summary : "", path);
				}
				pt_module_close(m);
			}
			free(path);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

int cmd_tasks(struct cli_opts *o)
{
	char *dirs = pt_task_search_dirs(getenv("PROFTUNE_TASK_PATH"));
	cJSON *out = o->json ? cJSON_CreateArray() : NULL;
	const char *p;

	if (o->argc) {
		free(dirs);
		cJSON_Delete(out);
		return cli_usage_error("tasks", "unexpected argument '%s'", o->argv[0]);
	}
	if (!dirs) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	if (!o->json)
		printf("Tasks (searched in %s):\n", dirs);
	for (p = dirs; *p;) {
		size_t len = strcspn(p, ":");
		char *dir = strndup(p, len);

		if (dir && *dir)
			list_dir(dir, out, o->json);
		free(dir);
		p += len;
		if (*p == ':')
			p++;
	}
	free(dirs);
	return out ? cli_print_json(out) : EXIT_OK;
}
