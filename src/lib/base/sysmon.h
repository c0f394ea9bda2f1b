/* sysmon.h - process and thread resource readings, perf counters (internal) */
#ifndef PT_SYSMON_H
#define PT_SYSMON_H

#include <stdint.h>
#include <sys/resource.h>

/* Resident set size and its high-water mark, in bytes (0 when unknown). */
struct pt_memsnap {
	uint64_t rss;
	uint64_t hwm;
	uint64_t heap; /* bytes allocated by malloc and still in use */
};
void pt_memsnap_read(struct pt_memsnap *m);
/* Reset the RSS high-water mark to the current RSS (Linux clear_refs).
 * 1 on success, 0 when the kernel does not allow it. */
int pt_reset_peak_rss(void);

/* Per-thread resource usage difference. */
struct pt_rusage {
	double user_s, sys_s;
	uint64_t nvcsw, nivcsw, minflt, majflt;
};
void pt_rusage_thread(struct rusage *ru);
void pt_rusage_diff(const struct rusage *a, const struct rusage *b, struct pt_rusage *out);
void pt_rusage_add(struct pt_rusage *dst, const struct pt_rusage *src);

/* Hardware and software counters of one thread. */
enum pt_perf_status {
	PT_PERF_OK = 0,
	PT_PERF_UNSUPPORTED, /* the machine or kernel has no such event */
	PT_PERF_DENIED,      /* perf_event_paranoid or seccomp forbids it */
	PT_PERF_NOT_COUNTED, /* opened, but never scheduled on the PMU */
	PT_PERF_OFF,         /* counters not requested */
};
#define PT_PERF_EVENTS 8
extern const char *const pt_perf_event_names[PT_PERF_EVENTS];
const char *pt_perf_status_name(enum pt_perf_status s);

struct pt_perf_value {
	enum pt_perf_status status;
	double value;     /* scaled for multiplexing */
	double running;   /* fraction of the enabled time the event was counted */
};

struct pt_perf {
	int fd[PT_PERF_EVENTS];
	enum pt_perf_status open_status[PT_PERF_EVENTS];
};
/* Open (disabled) the counters of the calling thread. */
void pt_perf_open(struct pt_perf *p);
void pt_perf_enable(struct pt_perf *p);
void pt_perf_disable(struct pt_perf *p);
/* Read and close. */
void pt_perf_read_close(struct pt_perf *p, struct pt_perf_value out[PT_PERF_EVENTS]);
/* Merge SRC into DST across workers: values add, status keeps the worst. */
void pt_perf_merge(struct pt_perf_value dst[PT_PERF_EVENTS],
		   const struct pt_perf_value src[PT_PERF_EVENTS], int first);

#endif
