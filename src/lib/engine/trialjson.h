/* trialjson.h - one trial as JSON, for the results document and the isolated trial's hand-off (internal) */
#ifndef PT_TRIALJSON_H
#define PT_TRIALJSON_H

#include <cjson/cJSON.h>

#include "engine/trial.h"

/* The trial's entry of "trials[]"; the caller frees it with cJSON_Delete(),
 * NULL on ENOMEM. */
cJSON *pt_trial_to_cjson(const pt_trial *tr);
/* A message list as a JSON array of strings; NULL on ENOMEM. */
cJSON *pt_msgs_to_cjson(const struct pt_msg_list *l);

#endif
