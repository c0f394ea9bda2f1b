/* doc.h - a results document read back, shared by validation and comparison (internal) */
#ifndef PT_DOC_H
#define PT_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

struct pt_doc {
	char *name;   /* as given to pt_doc_parse(), owned */
	cJSON *root;  /* the validated tree, owned */
};

/* The number at KEY of object O, or NAN when absent or null. */
double pt_doc_num(const cJSON *o, const char *key);
/* The string at KEY of object O, or "" when absent. */
const char *pt_doc_str(const cJSON *o, const char *key);

/* A trial's value of a compared metric (enum pt_metric), or NAN when the
 * trial did not measure it (latency not recorded, memory unknown). */
double pt_doc_trial_metric(const cJSON *trial, int metric);
/* 1 when the trial's status is "ok". */
int pt_doc_trial_ok(const cJSON *trial);

#endif
