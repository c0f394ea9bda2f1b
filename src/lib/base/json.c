/* json.c - JSON helpers: numbers that are finite or null, strings or null and valid UTF-8, typed lookups at a key */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"

/* S cleaned as pt_json_clean() says (malloc'd), or NULL on ENOMEM. */
static char *cleaned(const char *s, enum pt_text how)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	pt_strbuf_add_text(&b, s, strlen(s), how);
	return pt_strbuf_finish(&b);
}

/* Is S fine as it is for pt_json_clean()? */
static int is_clean(const char *s, enum pt_text how)
{
	return !s || pt_utf8_clean(s, strlen(s), how);
}

/* Add ITEM at KEY to O, the key cleaned; ITEM is deleted when it cannot be
 * added.  ITEM, or NULL. */
static cJSON *add(cJSON *o, const char *key, cJSON *item)
{
	char *k = is_clean(key, PT_TEXT_UTF8) ? NULL : cleaned(key, PT_TEXT_UTF8);

	if (!item || (!k && !is_clean(key, PT_TEXT_UTF8)) || !cJSON_AddItemToObject(o, k ? k : key, item)) {
		cJSON_Delete(item);
		item = NULL;
	}
	free(k);
	return item;
}

void pt_json_add_number(cJSON *o, const char *key, double v)
{
	add(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void pt_json_add_string(cJSON *o, const char *key, const char *s)
{
	char *v = NULL;

	if (!s)
		add(o, key, cJSON_CreateNull());
	else if (is_clean(s, PT_TEXT_UTF8))
		add(o, key, cJSON_CreateString(s));
	else if ((v = cleaned(s, PT_TEXT_UTF8)))
		add(o, key, cJSON_CreateString(v));
	free(v);
}

cJSON *pt_json_add_object(cJSON *o, const char *key)
{
	return add(o, key, cJSON_CreateObject());
}

/* Replace the string *P, allocated by cJSON, by its cleaned form. */
static int replace(char **p, enum pt_text how)
{
	char *c = cleaned(*p, how), *s;
	size_t n;

	if (!c)
		return -ENOMEM;
	n = strlen(c) + 1;
	s = cJSON_malloc(n);
	if (s)
		memcpy(s, c, n);
	free(c);
	if (!s)
		return -ENOMEM;
	cJSON_free(*p);
	*p = s;
	return 0;
}

int pt_json_clean(cJSON *item, enum pt_text how)
{
	if (!item)
		return 0;
	if (!is_clean(item->string, how)) {
		/* a constant key is not cJSON's to free: it becomes its own */
		if (item->type & cJSON_StringIsConst) {
			size_t n = strlen(item->string) + 1;
			char *s = cJSON_malloc(n);

			if (!s)
				return -ENOMEM;
			memcpy(s, item->string, n);
			item->string = s;
			item->type &= ~cJSON_StringIsConst;
		}
		if (replace(&item->string, how) < 0)
			return -ENOMEM;
	}
	/* a reference's value belongs to another tree, cleaned with it */
	if (item->type & cJSON_IsReference)
		return 0;
	if (cJSON_IsString(item) && !is_clean(item->valuestring, how) &&
	    replace(&item->valuestring, how) < 0)
		return -ENOMEM;
	for (cJSON *c = item->child; c; c = c->next)
		if (pt_json_clean(c, how) < 0)
			return -ENOMEM;
	return 0;
}

char *pt_json_text_clean(char *text)
{
	struct pt_strbuf b = PT_STRBUF_INIT;

	if (!text || pt_utf8_clean(text, strlen(text), PT_TEXT_UTF8))
		return text;
	/* outside its strings cJSON's text is ASCII: replacing the
	 * ill-formed sequences of the whole text cleans its strings */
	pt_strbuf_add_text(&b, text, strlen(text), PT_TEXT_UTF8);
	free(text);
	return pt_strbuf_finish(&b);
}

char *pt_json_print(const cJSON *item, int formatted)
{
	return pt_json_text_clean(formatted ? cJSON_Print(item) : cJSON_PrintUnformatted(item));
}

double pt_json_num_or(const cJSON *o, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

double pt_json_num(const cJSON *o, const char *key)
{
	return pt_json_num_or(o, key, NAN);
}

const char *pt_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}
