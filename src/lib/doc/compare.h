/* compare.h - the regression gate's reading of trials: their status and compared metrics (internal) */
#ifndef PT_COMPARE_H
#define PT_COMPARE_H

#include <cjson/cJSON.h>

#include "proftune.h"

/* A trial's value of a compared metric (enum pt_metric), or NAN when the
 * trial did not measure it (latency not recorded, memory unknown). */
double pt_doc_trial_metric(const cJSON *trial, int metric);
/* 1 when the trial's status is "ok". */
int pt_doc_trial_ok(const cJSON *trial);

#endif
