/* sampler.h - what one resource sample holds (internal) */
#ifndef PT_SAMPLER_H
#define PT_SAMPLER_H

#include <stdint.h>

/* One sample of the process's resources; the sampler's API is public
 * (pt_sampler_start() in proftune.h), the profiler keeps the samples. */
struct pt_sample {
	double t_s;                 /* since the profiler was created or cleared */
	uint64_t rss;
	double cpu_percent;         /* process CPU time / wall time over the period */
	double cpu_user_s, cpu_sys_s;
	int64_t read_bytes, write_bytes; /* -1 when /proc/self/io is unreadable */
	int64_t fds;
};

#endif
