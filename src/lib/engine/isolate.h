/* isolate.h - trials in a supervised child process (internal) */
#ifndef PT_ISOLATE_H
#define PT_ISOLATE_H

/* Everything isolate.c offers is API, declared in proftune.h: pt_trial_run(),
 * which runs a trial in a child process unless the configuration says
 * PT_ISOLATE_NONE. */
#include "proftune.h"

#endif
