/* sampler.c - background resource sampler: RSS, CPU, I/O and descriptors into a profiler */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "instr/prof.h"
#include "instr/sampler.h"

/* dasf's resource monitor period. */
#define DEFAULT_PERIOD_S 0.1
/* Periods below 1 ms would make the sampler a load of its own. */
#define MIN_PERIOD_S 0.001
/* Counters sent to the trace per sample: enough for any readable chart. */
#define TRACE_COUNTERS 64

struct pt_sampler {
	pt_prof *p;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	uint64_t period_ns;
	pid_t pid;            /* the process that started the thread */
};

/* State of the previous sample, for the CPU percentage. */
struct cpu_prev {
	uint64_t wall_ns;
	double cpu_s;
};

static uint64_t read_rss(void)
{
	char buf[128];
	unsigned long long size, rss;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &rss) != 2)
		return 0;
	return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void read_io(int64_t *rd, int64_t *wr)
{
	char line[128];
	FILE *f = fopen("/proc/self/io", "re");
	long long v;

	*rd = *wr = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "read_bytes: %lld", &v) == 1)
			*rd = v;
		else if (sscanf(line, "write_bytes: %lld", &v) == 1)
			*wr = v;
	}
	fclose(f);
}

static int64_t count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int64_t n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static void take_sample(pt_prof *p, struct cpu_prev *prev)
{
	struct pt_sample s;
	struct rusage ru;
	uint64_t now = pt_now_ns();
	double cpu;
	pt_trace *t;

	memset(&s, 0, sizeof(s));
	s.rss = read_rss();
	getrusage(RUSAGE_SELF, &ru);
	s.cpu_user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	s.cpu_sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	cpu = s.cpu_user_s + s.cpu_sys_s;
	if (prev && prev->wall_ns && now > prev->wall_ns)
		s.cpu_percent = 100.0 * (cpu - prev->cpu_s) / ((double)(now - prev->wall_ns) / 1e9);
	if (prev) {
		prev->wall_ns = now;
		prev->cpu_s = cpu;
	}
	read_io(&s.read_bytes, &s.write_bytes);
	s.fds = count_fds();
	pt_prof_add_sample(p, &s);
	t = pt_prof_trace(p);
	if (t) {
		struct pt_trace_arg args[TRACE_COUNTERS];
		char *names[TRACE_COUNTERS];
		unsigned n = 0;

		pt_trace_counter(t, "rss", "bytes", (double)s.rss);
		if (prev)
			pt_trace_counter(t, "cpu", "percent", s.cpu_percent);
		if (s.read_bytes >= 0) {
			struct pt_trace_arg io[2] = {
				{ .key = "read_bytes", .type = PT_ARG_INT, .i = s.read_bytes },
				{ .key = "write_bytes", .type = PT_ARG_INT, .i = s.write_bytes },
			};
			struct pt_trace_event e = { .ph = 'C', .name = "io", .args = io, .nargs = 2 };

			pt_trace_record(t, &e);
		}
		if (s.fds >= 0)
			pt_trace_counter(t, "fds", "open", (double)s.fds);
		/* the profiler's counters, as one counter event of many series */
		pthread_mutex_lock(&p->lock);
		for (uint32_t i = 0; i < p->counters->n && n < TRACE_COUNTERS; i++) {
			names[n] = strdup(p->counters->v[i].name);
			if (!names[n])
				break;
			args[n].key = names[n];
			args[n].type = PT_ARG_INT;
			args[n].i = (int64_t)pt_prof_counter_value(p, i);
			n++;
		}
		pthread_mutex_unlock(&p->lock);
		if (n) {
			struct pt_trace_event e = {
				.ph = 'C', .name = "counters", .args = args,
				.nargs = n < 16 ? n : 16,
			};

			/* a counter event holds at most 16 series */
			for (unsigned k = 0; k < n; k += 16) {
				e.args = args + k;
				e.nargs = n - k < 16 ? n - k : 16;
				pt_trace_record(t, &e);
			}
		}
		for (unsigned k = 0; k < n; k++)
			free(names[k]);
	}
}

int pt_prof_sample(pt_prof *p)
{
	take_sample(p, NULL);
	return 0;
}

static void *sampler_main(void *arg)
{
	pt_sampler *s = arg;
	struct cpu_prev prev = { 0, 0 };
	struct timespec deadline;
	pt_trace *t = pt_prof_trace(s->p);

	pthread_setname_np(pthread_self(), "pt-sampler");
	if (t)
		pt_trace_thread_name(t, "resource sampler");
	take_sample(s->p, &prev);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		uint64_t ns = (uint64_t)deadline.tv_nsec + s->period_ns;

		deadline.tv_sec += (time_t)(ns / 1000000000u);
		deadline.tv_nsec = (long)(ns % 1000000000u);
		while (!s->stop &&
		       pthread_cond_timedwait(&s->cond, &s->lock, &deadline) != ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		take_sample(s->p, &prev);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	take_sample(s->p, &prev);
	return NULL;
}

pt_sampler *pt_sampler_start(pt_prof *p, double period_s)
{
	pt_sampler *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int err;

	if (!s) {
		pt_fail(ENOMEM, "out of memory for a sampler");
		return NULL;
	}
	if (!(period_s > 0))
		period_s = DEFAULT_PERIOD_S;
	if (period_s < MIN_PERIOD_S)
		period_s = MIN_PERIOD_S;
	s->p = p;
	s->period_ns = (uint64_t)(period_s * 1e9);
	s->pid = getpid();
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&p->lock);
	p->sample_period_s = period_s;
	pthread_mutex_unlock(&p->lock);
	err = pthread_create(&s->thread, NULL, sampler_main, s);
	if (err) {
		pt_fail(err, "cannot start the sampler thread: %s", strerror(err));
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void pt_sampler_stop(pt_sampler *s)
{
	if (!s)
		return;
	/* in a forked child the thread does not exist: only free */
	if (s->pid == getpid()) {
		pthread_mutex_lock(&s->lock);
		s->stop = 1;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
