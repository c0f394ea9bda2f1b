/* handoff.h - a forked process's blocks and counters handed back to its parent's profiler (internal) */
#ifndef PT_HANDOFF_H
#define PT_HANDOFF_H

#include <stddef.h>

#include "proftune.h"

/* Copy the calling thread's blocks (the tree, with histograms) and counters
 * in P into BUF (CAP bytes), for a process forked from P's process to hand
 * them back: the bytes used, or 0 when there is nothing or it does not fit. */
size_t pt_prof_thread_export(pt_prof *p, void *buf, size_t cap);
/* Add such an export to P as a thread of its own (in P's process, whose
 * static call sites have the same addresses).  0, -EINVAL for a damaged
 * export (what could be read is kept) or -ENOMEM. */
int pt_prof_thread_adopt(pt_prof *p, const void *buf, size_t len);

#endif
