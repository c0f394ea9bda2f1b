/* thread.h - the calling thread's kernel id and name (internal) */
#ifndef PT_THREAD_H
#define PT_THREAD_H

#include <stddef.h>
#include <sys/types.h>

/* The kernel thread id of the caller (gettid(2)). */
pid_t pt_gettid(void);
/* The caller's thread name into BUF ("" when it has none). */
void pt_thread_name(char *buf, size_t len);

#endif
