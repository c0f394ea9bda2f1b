/* json.h - JSON helpers shared by every layer that writes or reads documents (internal) */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <cjson/cJSON.h>

/* Add KEY = V to O, or KEY = null when V is not finite (JSON has no NaN). */
void pt_json_add_number(cJSON *o, const char *key, double v);

/* Add KEY = S (copied) to O, or KEY = null when S is NULL. */
void pt_json_add_string(cJSON *o, const char *key, const char *s);

/* The number at KEY of object O, or NAN when O is NULL, or KEY is absent,
 * null or not a number. */
double pt_json_num(const cJSON *o, const char *key);
/* The same with DEF in place of NAN. */
double pt_json_num_or(const cJSON *o, const char *key, double def);
/* The string at KEY of object O (borrowed from O), or "" when O is NULL, or
 * KEY is absent or not a string. */
const char *pt_json_str(const cJSON *o, const char *key);

#endif
