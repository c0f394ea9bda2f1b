/* sysmon.c - RSS, heap, rusage and perf_event_open readings */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_PERF_EVENT_H
#include <linux/perf_event.h>
#endif

#include "base/sysmon.h"
#include "base/util.h"

static uint64_t status_kib(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtoull(p + strlen(key), NULL, 10) * 1024u : 0;
}

void pt_memsnap_read(struct pt_memsnap *m)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	memset(m, 0, sizeof(*m));
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			m->rss = status_kib(buf, "VmRSS:");
			m->hwm = status_kib(buf, "VmHWM:");
		}
	}
#ifdef HAVE_MALLINFO2
	{
		struct mallinfo2 mi = mallinfo2();

		m->heap = mi.uordblks + mi.hblkhd;
	}
#endif
}

int pt_reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return 0;
	/* "5" resets the peak resident set size (Linux >= 4.0) */
	ok = write(fd, "5", 1) == 1;
	close(fd);
	return ok;
}

void pt_rusage_thread(struct rusage *ru)
{
	getrusage(RUSAGE_THREAD, ru);
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

void pt_rusage_diff(const struct rusage *a, const struct rusage *b, struct pt_rusage *out)
{
	out->user_s = tv_s(&b->ru_utime) - tv_s(&a->ru_utime);
	out->sys_s = tv_s(&b->ru_stime) - tv_s(&a->ru_stime);
	out->nvcsw = (uint64_t)(b->ru_nvcsw - a->ru_nvcsw);
	out->nivcsw = (uint64_t)(b->ru_nivcsw - a->ru_nivcsw);
	out->minflt = (uint64_t)(b->ru_minflt - a->ru_minflt);
	out->majflt = (uint64_t)(b->ru_majflt - a->ru_majflt);
}

void pt_rusage_add(struct pt_rusage *dst, const struct pt_rusage *src)
{
	dst->user_s += src->user_s;
	dst->sys_s += src->sys_s;
	dst->nvcsw += src->nvcsw;
	dst->nivcsw += src->nivcsw;
	dst->minflt += src->minflt;
	dst->majflt += src->majflt;
}

const char *const pt_perf_event_names[PT_PERF_EVENTS] = {
	"cycles", "instructions", "cache_misses", "branch_misses",
	"task_clock_ns", "context_switches", "cpu_migrations", "page_faults",
};

const char *pt_perf_status_name(enum pt_perf_status s)
{
	static const char *const names[] = { "ok", "unsupported", "denied", "not-counted", "off" };

	return pt_name_of(names, PT_COUNT(names), (unsigned)s);
}

#ifdef HAVE_LINUX_PERF_EVENT_H
static const struct {
	uint32_t type;
	uint64_t config;
} perf_events[PT_PERF_EVENTS] = {
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
};

static int perf_open_one(unsigned i, int exclude_kernel)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = perf_events[i].type;
	a.config = perf_events[i].config;
	a.disabled = 1;
	a.exclude_kernel = (unsigned)exclude_kernel;
	a.exclude_hv = 1;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

void pt_perf_open(struct pt_perf *p)
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++) {
		/* Hardware events count user space only, which unprivileged
		 * users may do at perf_event_paranoid 2.  Software events
		 * (switches, migrations, faults) happen in the kernel, so
		 * user-only counting would report zeros: they are counted in
		 * full or reported as denied. */
		int fd = perf_open_one(i, perf_events[i].type == PERF_TYPE_HARDWARE);

		p->fd[i] = fd;
		if (fd >= 0)
			p->open_status[i] = PT_PERF_OK;
		else if (errno == EACCES || errno == EPERM)
			p->open_status[i] = PT_PERF_DENIED;
		else
			p->open_status[i] = PT_PERF_UNSUPPORTED;
	}
}

void pt_perf_enable(struct pt_perf *p)
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++)
		if (p->fd[i] >= 0)
			ioctl(p->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

void pt_perf_disable(struct pt_perf *p)
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++)
		if (p->fd[i] >= 0)
			ioctl(p->fd[i], PERF_EVENT_IOC_DISABLE, 0);
}

void pt_perf_read_close(struct pt_perf *p, struct pt_perf_value out[PT_PERF_EVENTS])
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++) {
		uint64_t v[3];

		out[i] = (struct pt_perf_value){ .status = p->open_status[i] };
		if (p->fd[i] < 0)
			continue;
		if (read(p->fd[i], v, sizeof(v)) != (ssize_t)sizeof(v)) {
			out[i].status = PT_PERF_NOT_COUNTED;
		} else if (v[2] == 0) {
			out[i].status = PT_PERF_NOT_COUNTED;
		} else {
			/* multiplexed counters ran part of the time: scale up */
			out[i].running = (double)v[2] / (double)v[1];
			out[i].value = (double)v[0] * ((double)v[1] / (double)v[2]);
		}
		close(p->fd[i]);
		p->fd[i] = -1;
	}
}
#else
void pt_perf_open(struct pt_perf *p)
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++) {
		p->fd[i] = -1;
		p->open_status[i] = PT_PERF_UNSUPPORTED;
	}
}

void pt_perf_enable(struct pt_perf *p) { (void)p; }
void pt_perf_disable(struct pt_perf *p) { (void)p; }

void pt_perf_read_close(struct pt_perf *p, struct pt_perf_value out[PT_PERF_EVENTS])
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++)
		out[i] = (struct pt_perf_value){ .status = p->open_status[i] };
}
#endif

void pt_perf_merge(struct pt_perf_value dst[PT_PERF_EVENTS],
		   const struct pt_perf_value src[PT_PERF_EVENTS], int first)
{
	for (unsigned i = 0; i < PT_PERF_EVENTS; i++) {
		if (first) {
			dst[i] = src[i];
			continue;
		}
		/* a sum over workers is only a value if every worker counted */
		if (src[i].status != PT_PERF_OK && dst[i].status == PT_PERF_OK)
			dst[i].status = src[i].status;
		dst[i].value += src[i].value;
		if (src[i].running < dst[i].running)
			dst[i].running = src[i].running;
	}
}
