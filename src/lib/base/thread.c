/* thread.c - the calling thread's kernel id and name */
#include "config.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/thread.h"

pid_t pt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

void pt_thread_name(char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (pthread_getname_np(pthread_self(), buf, len) != 0)
		buf[0] = '\0';
}
