/* mrecord.h - measurements with pause/resume and their CSV rows (internal) */
#ifndef PT_MRECORD_H
#define PT_MRECORD_H

/* Everything mrecord.c offers is API, declared in proftune.h (Part 5:
 * pt_measure_*, pt_mrecord_*); it keeps its rows in a profiler through
 * pt_prof_add_measurement() (instr/prof.h). */
#include "proftune.h"

#endif
