/* ptjson.c - print values from a JSON file by path, for the CLI tests */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage: ptjson FILE PATH...
 * PATH is dot-separated: object keys, array indexes, '*' for every element
 * or member, '#' for the length of an array or object.  Each value found is
 * printed on its own line: numbers with %.17g, strings raw, true/false/null,
 * objects and arrays as compact JSON.  Exit 1 when a path matches nothing,
 * 2 when the file is not JSON.
 */

static int found;

static void print_value(const cJSON *v)
{
	char *s;

	found = 1;
	if (cJSON_IsNumber(v))
		printf("%.17g\n", v->valuedouble);
	else if (cJSON_IsString(v))
		printf("%s\n", v->valuestring);
	else if (cJSON_IsTrue(v))
		puts("true");
	else if (cJSON_IsFalse(v))
		puts("false");
	else if (cJSON_IsNull(v))
		puts("null");
	else if ((s = cJSON_PrintUnformatted(v))) {
		puts(s);
		free(s);
	}
}

static void walk(const cJSON *v, const char *path)
{
	char key[256];
	const char *dot;
	size_t len;

	if (!v)
		return;
	if (!*path) {
		print_value(v);
		return;
	}
	dot = strchr(path, '.');
	len = dot ? (size_t)(dot - path) : strlen(path);
	if (len >= sizeof(key))
		return;
	memcpy(key, path, len);
	key[len] = '\0';
	path = dot ? dot + 1 : path + len;
	if (strcmp(key, "#") == 0) {
		found = 1;
		printf("%d\n", cJSON_GetArraySize(v));
	} else if (strcmp(key, "*") == 0) {
		const cJSON *c;

		cJSON_ArrayForEach(c, v)
			walk(c, path);
	} else if (cJSON_IsArray(v)) {
		walk(cJSON_GetArrayItem(v, atoi(key)), path);
	} else {
		walk(cJSON_GetObjectItemCaseSensitive(v, key), path);
	}
}

int main(int argc, char **argv)
{
	FILE *f;
	char *buf;
	long n;
	cJSON *doc;

	if (argc < 3) {
		fprintf(stderr, "usage: ptjson FILE PATH...\n");
		return 2;
	}
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	buf = malloc(1 << 26);
	n = buf ? (long)fread(buf, 1, (1 << 26) - 1, f) : -1;
	if (f != stdin)
		fclose(f);
	if (n < 0)
		return 2;
	buf[n] = '\0';
	doc = cJSON_Parse(buf);
	free(buf);
	if (!doc) {
		fprintf(stderr, "ptjson: %s is not JSON\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		walk(doc, argv[i]);
	cJSON_Delete(doc);
	return found ? 0 : 1;
}
