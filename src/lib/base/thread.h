/* thread.h - the calling thread's kernel id and name, a process's name (internal) */
#ifndef PT_THREAD_H
#define PT_THREAD_H

#include <stddef.h>
#include <sys/types.h>

/* The kernel thread id of the caller (gettid(2)). */
pid_t pt_gettid(void);
/* The caller's thread name into BUF ("" when it has none). */
void pt_thread_name(char *buf, size_t len);
/* The name of process PID (/proc/PID/comm; PID 0: the caller's) into BUF,
 * "" when it cannot be read. */
void pt_process_name(long pid, char *buf, size_t len);

#endif
