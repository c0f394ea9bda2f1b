/* json.h - JSON helpers shared by every layer that writes documents (internal) */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <cjson/cJSON.h>

/* Add KEY = V to O, or KEY = null when V is not finite (JSON has no NaN). */
void pt_json_add_number(cJSON *o, const char *key, double v);

#endif
