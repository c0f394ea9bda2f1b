/* json.c - JSON helpers: numbers that are finite or null, strings or null, typed lookups at a key */
#include "config.h"

#include <math.h>

#include "base/json.h"

void pt_json_add_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

void pt_json_add_string(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
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
