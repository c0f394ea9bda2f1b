/* json.c - JSON helpers: numbers that are finite or null */
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
