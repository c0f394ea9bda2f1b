/* thread.c - the calling thread's kernel id and name, a process's name */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
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

void pt_process_name(long pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/comm");
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}
