/* limits.c - how many workers can start here: task, pid, map and memory limits */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/units.h"
#include "base/util.h"
#include "engine/limits.h"
#include "engine/taskapi.h"
#include "engine/trial.h"
#include "stats/hist.h"

/*
 * What one worker costs.  The state is counted exactly (the pool block of
 * pool.c holds a struct pt_worker and a struct pt_hist per worker, 64-byte
 * aligned, the trial a struct pt_worker_result and a planned struct
 * pt_slot); the rest is estimated from what the kernel and glibc do, and
 * checked against measurements on Linux 6.18 x86-64: a trial of sleep
 * workers grew by 75-77 KiB resident per thread worker, of which 63.6 KiB
 * is the state above.
 */
/* Pages of a thread's stack it really touches: glibc's thread descriptor
 * and static TLS at its top and the worker loop's frames (measured: 12 KiB). */
#define STACK_TOUCHED (16u << 10)
/* The kernel's memory for each task: a 16 KiB kernel stack and the
 * task_struct, its signal and perf event structures. */
#define KERNEL_PER_TASK (24u << 10)
/* The worker's entry in the trial's JSON: the cJSON tree the trial makes
 * (about 80 nodes with their keys when it has full detail), the copy an
 * isolated trial's parent parses, and the printed text (up to 1.8 KiB). */
#define RECORD_JSON (16u << 10)
/* A worker process (--isolation process) beyond a thread: its page tables,
 * its copy of the trial process's mappings and the pages it copies on
 * write (measured: 130-360 KiB per worker process). */
#define PROCESS_BASELINE (256u << 10)
/* The shared arena of a worker process, where it leaves its names
 * (pool.c's ARENA_SIZE). */
#define PROCESS_ARENA (16u << 10)
/* The alternate signal stack each worker allocates for the crash reporter
 * (pool.c: address space, mostly never touched). */
#define ALTSTACK (64u << 10)
/* glibc maps each thread stack with a guard region below it: two
 * mappings, which never merge with the neighbouring stacks'. */
#define MAPS_PER_THREAD 2
/* Tasks kept free beyond the workers: the trial process, its resource
 * sampler and timeout threads, and room for the shell and tools the user
 * runs meanwhile. */
#define RESERVE_TASKS 16
/* Process ids below this are only handed out before pid_max first wraps
 * (the kernel's RESERVED_PIDS), so they are not counted as free. */
#define RESERVED_PIDS 300
/* Mappings kept free beyond the thread stacks: the task's libraries and
 * its own mappings, plus glibc's malloc arenas (up to 8 per CPU, two
 * mappings each), hence a share per CPU. */
#define RESERVE_MAPS 256
#define RESERVE_MAPS_PER_CPU 16
/* Address space and committed memory kept free for the trial's own
 * allocations: the document, the trial's arrays, malloc's first arenas. */
#define RESERVE_BYTES (64ull << 20)
/* Of the memory available, the part left to the page cache and the other
 * processes: a trial that takes all of it makes the machine swap or wakes
 * the OOM killer. */
#define RESERVE_MEMORY_SHARE 16
/* cgroup v1 says "no limit" with the largest page-aligned long. */
#define CGROUP_V1_UNLIMITED (1ull << 62)

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* ---- reading ----------------------------------------------------------- */

/* Up to LEN - 1 bytes of PATH into BUF, NUL-terminated; the length or -1. */
static ssize_t read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1 &&
	       ((n = read(fd, buf + got, len - 1 - (size_t)got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* The number in PATH; PT_NO_LIMIT when it is absent, "max" or malformed. */
static uint64_t read_number(const char *path)
{
	char buf[64], *end;
	unsigned long long v;

	if (read_text(path, buf, sizeof(buf)) <= 0 || !isdigit((unsigned char)buf[0]))
		return PT_NO_LIMIT;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || (*end && !isspace((unsigned char)*end)))
		return PT_NO_LIMIT;
	return v;
}

/* The number after KEY (at a line start) in TEXT, times SCALE;
 * PT_NO_LIMIT when KEY is absent. */
static uint64_t field(const char *text, const char *key, uint64_t scale)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0)
			return strtoull(p + len, NULL, 10) * scale;
	return PT_NO_LIMIT;
}

static uint64_t rlimit_of(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return PT_NO_LIMIT;
	return rl.rlim_cur;
}

/* Lines of PATH (the mappings of /proc/self/maps), or PT_NO_LIMIT. */
static uint64_t count_lines(const char *path)
{
	char buf[8192];
	uint64_t lines = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return PT_NO_LIMIT;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* The tasks of real uid UID: the Threads of every process in /proc whose
 * real uid it is (what RLIMIT_NPROC counts); 0 when /proc is unreadable. */
static uint64_t count_user_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t tasks = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[2048];
		uint64_t threads;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		/* Uid and Threads lie within the first 2 KiB of the file */
		if (read_text(path, buf, sizeof(buf)) <= 0 || field(buf, "Uid:", 1) != uid)
			continue;
		threads = field(buf, "Threads:", 1);
		tasks += threads == PT_NO_LIMIT ? 1 : threads;
	}
	closedir(d);
	return tasks;
}

/* Every task of the system: the total of /proc/loadavg's "running/total". */
static uint64_t count_tasks(void)
{
	char buf[128];
	const char *slash;

	if (read_text("/proc/loadavg", buf, sizeof(buf)) <= 0 || !(slash = strchr(buf, '/')))
		return 0;
	return strtoull(slash + 1, NULL, 10);
}

/* ---- cgroups ------------------------------------------------------------- */

/* The directory of this process's cgroup for CONTROLLER ("pids",
 * "memory") into DIR, and the mount point above which the walk stops into
 * TOP; 1 for cgroup v1, 2 for v2, 0 when there is none. */
static int cgroup_dir(const char *controller, char *dir, size_t len, char *top, size_t toplen)
{
	char buf[8192], path[PATH_MAX] = "", *save = NULL, *line = NULL;
	int version = 0, found = 0;
	size_t cap = 0;
	FILE *f;

	if (read_text("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
		return 0;
	/* "ID:CONTROLLERS:PATH" lines; v1 names the controller, v2 is "0::PATH" */
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(l, ':'), *p = c ? strchr(c + 1, ':') : NULL;

		if (!p)
			continue;
		*p = '\0';
		if (strcmp(c + 1, "") == 0 && !version) {
			version = 2;
			snprintf(path, sizeof(path), "%s", p + 1);
		}
		for (char *s2 = NULL, *name = strtok_r(c + 1, ",", &s2); name;
		     name = strtok_r(NULL, ",", &s2))
			if (strcmp(name, controller) == 0) {
				version = 1;
				snprintf(path, sizeof(path), "%s", p + 1);
			}
	}
	if (!version || !(f = fopen("/proc/self/mountinfo", "re")))
		return 0;
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPEROPTIONS" */
	while (!found && getline(&line, &cap, f) > 0) {
		char root[PATH_MAX], mnt[PATH_MAX], type[32], super[256];
		const char *dash = strstr(line, " - "), *rel;
		size_t rootlen;
		int has = version == 2;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%31s %*s %255s", type, super) != 2)
			continue;
		if (strcmp(type, version == 2 ? "cgroup2" : "cgroup") != 0)
			continue;
		for (char *s3 = NULL, *o = strtok_r(super, ",", &s3); o && !has;
		     o = strtok_r(NULL, ",", &s3))
			has = strcmp(o, controller) == 0;
		if (!has)
			continue;
		/* a mount of a subtree shows the cgroups below its root */
		rootlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
		rel = strncmp(path, root, rootlen) == 0 ? path + rootlen : "";
		snprintf(top, toplen, "%s", mnt);
		found = (size_t)snprintf(dir, len, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel) < len;
	}
	free(line);
	fclose(f);
	return found ? version : 0;
}

/* The tightest limit of CONTROLLER on the way from this process's cgroup
 * to the root.  FILES[0] names, for cgroup v1, and FILES[1], for v2, the
 * limit file, the usage file and the key of memory.stat whose reclaimable
 * page cache the usage does not count (NULL: none).  *MAX, *USED and
 * WHERE are set for the cgroup with the least room; *MAX stays
 * PT_NO_LIMIT when none limits. */
static void cgroup_walk(const char *controller, const char *const files[2][3],
			uint64_t *max, uint64_t *used, char *where, size_t wlen)
{
	char dir[PATH_MAX], top[PATH_MAX], path[PATH_MAX + 32];
	uint64_t room = PT_NO_LIMIT;
	int version = cgroup_dir(controller, dir, sizeof(dir), top, sizeof(top));
	const char *const *f = files[version == 2];

	*max = *used = PT_NO_LIMIT;
	if (!version)
		return;
	for (;;) {
		uint64_t m, u;
		char *slash;

		snprintf(path, sizeof(path), "%s/%s", dir, f[0]);
		m = read_number(path);
		if (m != PT_NO_LIMIT && !(version == 1 && m >= CGROUP_V1_UNLIMITED)) {
			snprintf(path, sizeof(path), "%s/%s", dir, f[1]);
			u = read_number(path);
			if (u == PT_NO_LIMIT)
				u = 0;
			if (f[2]) {
				char stat[8192];
				uint64_t cache;

				snprintf(path, sizeof(path), "%s/memory.stat", dir);
				cache = read_text(path, stat, sizeof(stat)) > 0 ? field(stat, f[2], 1)
									: PT_NO_LIMIT;
				if (cache != PT_NO_LIMIT)
					u = u > cache ? u - cache : 0;
			}
			if ((m > u ? m - u : 0) < room) {
				room = m > u ? m - u : 0;
				*max = m;
				*used = u;
				snprintf(where, wlen, "%s", dir);
			}
		}
		if (strlen(dir) <= strlen(top) || !(slash = strrchr(dir, '/')))
			break;
		*slash = '\0';
	}
}

void pt_sys_limits_read(struct pt_sys_limits *l)
{
	/* per version (v1, v2): the limit, the usage, the reclaimable cache */
	static const char *const pids[2][3] = {
		{ "pids.max", "pids.current", NULL },
		{ "pids.max", "pids.current", NULL },
	};
	static const char *const memory[2][3] = {
		{ "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file " },
		{ "memory.max", "memory.current", "inactive_file " },
	};
	char buf[4096];
	pthread_attr_t attr;
	size_t stack = 0;
	long page = sysconf(_SC_PAGESIZE);

	memset(l, 0, sizeof(*l));
	l->nproc = rlimit_of(RLIMIT_NPROC);
	l->user_tasks = count_user_tasks(getuid());
	l->threads_max = read_number("/proc/sys/kernel/threads-max");
	l->pid_max = read_number("/proc/sys/kernel/pid_max");
	l->tasks = count_tasks();
	l->map_count_max = read_number("/proc/sys/vm/max_map_count");
	l->maps = count_lines("/proc/self/maps");
	if (l->maps == PT_NO_LIMIT)
		l->maps = 0;
	l->as_limit = rlimit_of(RLIMIT_AS);
	l->vm_size = l->vm_data = 0;
	if (read_text("/proc/self/status", buf, sizeof(buf)) > 0) {
		uint64_t size = field(buf, "VmSize:", 1024), data = field(buf, "VmData:", 1024),
			 stk = field(buf, "VmStk:", 1024);

		l->vm_size = size == PT_NO_LIMIT ? 0 : size;
		l->vm_data = (data == PT_NO_LIMIT ? 0 : data) + (stk == PT_NO_LIMIT ? 0 : stk);
	}
	l->commit_limit = l->committed = l->mem_available = PT_NO_LIMIT;
	if (read_text("/proc/meminfo", buf, sizeof(buf)) > 0) {
		l->mem_available = field(buf, "MemAvailable:", 1024);
		/* only strict overcommit (mode 2) refuses what exceeds CommitLimit */
		if (read_number("/proc/sys/vm/overcommit_memory") == 2) {
			l->commit_limit = field(buf, "CommitLimit:", 1024);
			l->committed = field(buf, "Committed_AS:", 1024);
			if (l->committed == PT_NO_LIMIT)
				l->commit_limit = PT_NO_LIMIT;
		}
	}
	cgroup_walk("pids", pids, &l->cgroup_pids_max, &l->cgroup_pids_used,
		    l->cgroup_pids_dir, sizeof(l->cgroup_pids_dir));
	cgroup_walk("memory", memory, &l->cgroup_mem_max, &l->cgroup_mem_used,
		    l->cgroup_mem_dir, sizeof(l->cgroup_mem_dir));
	/* the stack pthread_create() gives a thread without attributes */
	if (pthread_getattr_default_np(&attr) == 0) {
		pthread_attr_getstacksize(&attr, &stack);
		pthread_attr_destroy(&attr);
	}
	l->stack_size = stack ? stack : 8u << 20;
	l->page_size = page > 0 ? (uint64_t)page : 4096;
}

/* ---- the arithmetic ------------------------------------------------------ */

void pt_worker_need(const struct pt_sys_limits *l, enum pt_isolation iso,
		    struct pt_worker_need *need)
{
	uint64_t state = align64(sizeof(struct pt_worker)) + align64(sizeof(struct pt_hist)) +
			 sizeof(struct pt_worker_result) + sizeof(struct pt_slot);

	need->resident = state + STACK_TOUCHED + KERNEL_PER_TASK + RECORD_JSON;
	if (iso == PT_ISOLATE_PROCESS) {
		/* a worker process runs on the stack it inherited: its cost is
		 * its own copy of the process, not a new stack, and the trial
		 * process's address space grows only by the shared pool */
		need->resident += PROCESS_ARENA + PROCESS_BASELINE;
		need->virtual = state + PROCESS_ARENA;
		need->commit = l->vm_data + ALTSTACK + state + PROCESS_ARENA;
		need->maps = 0;
	} else {
		need->virtual = l->stack_size + l->page_size + ALTSTACK + state;
		need->commit = l->stack_size + ALTSTACK + state;
		need->maps = MAPS_PER_THREAD;
	}
}

/* Workers that fit in the room left by USED and RESERVE under LIMIT, each
 * taking PER; UINT64_MAX when LIMIT is none. */
static uint64_t fit(uint64_t limit, uint64_t used, uint64_t reserve, uint64_t per)
{
	if (limit == PT_NO_LIMIT)
		return UINT64_MAX;
	if (used == PT_NO_LIMIT || limit <= used || limit - used <= reserve)
		return 0;
	return per ? (limit - used - reserve) / per : UINT64_MAX;
}

/* The workers each limit allows, indexed by enum pt_limit_id. */
static void allowed(const struct pt_sys_limits *l, enum pt_isolation iso,
		    uint64_t out[PT_LIMIT_CGROUP_MEMORY + 1])
{
	struct pt_worker_need need;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t mem_free, maps_reserve = RESERVE_MAPS + RESERVE_MAPS_PER_CPU *
					  (uint64_t)(cpus > 0 ? cpus : 1);

	pt_worker_need(l, iso, &need);
	out[PT_LIMIT_NONE] = UINT64_MAX;
	/* the kernel does not enforce RLIMIT_NPROC on root, but an
	 * administrator who set it asked for the bound: it is kept */
	out[PT_LIMIT_NPROC] = fit(l->nproc, l->user_tasks, RESERVE_TASKS, 1);
	out[PT_LIMIT_CGROUP_PIDS] = fit(l->cgroup_pids_max, l->cgroup_pids_used, RESERVE_TASKS, 1);
	out[PT_LIMIT_THREADS_MAX] = fit(l->threads_max, l->tasks, RESERVE_TASKS, 1);
	out[PT_LIMIT_PID_MAX] = fit(l->pid_max, l->tasks, RESERVED_PIDS + RESERVE_TASKS, 1);
	out[PT_LIMIT_MAP_COUNT] = need.maps ? fit(l->map_count_max, l->maps, maps_reserve,
						  need.maps) : UINT64_MAX;
	out[PT_LIMIT_ADDRESS_SPACE] = fit(l->as_limit, l->vm_size, RESERVE_BYTES, need.virtual);
	out[PT_LIMIT_COMMIT] = fit(l->commit_limit, l->committed, RESERVE_BYTES, need.commit);
	mem_free = l->mem_available;
	out[PT_LIMIT_MEMORY] = fit(mem_free, 0, mem_free == PT_NO_LIMIT ? 0 :
				   mem_free / RESERVE_MEMORY_SHARE, need.resident);
	mem_free = l->cgroup_mem_max == PT_NO_LIMIT || l->cgroup_mem_max <= l->cgroup_mem_used ?
		   0 : l->cgroup_mem_max - l->cgroup_mem_used;
	out[PT_LIMIT_CGROUP_MEMORY] = fit(l->cgroup_mem_max, l->cgroup_mem_used,
					  mem_free / RESERVE_MEMORY_SHARE, need.resident);
}

unsigned pt_limits_largest(const struct pt_sys_limits *l, enum pt_isolation iso,
			   enum pt_limit_id *which)
{
	uint64_t n[PT_LIMIT_CGROUP_MEMORY + 1], best = UINT_MAX - 1;
	enum pt_limit_id id = PT_LIMIT_NONE;

	allowed(l, iso, n);
	for (unsigned i = PT_LIMIT_NPROC; i <= PT_LIMIT_CGROUP_MEMORY; i++)
		if (n[i] < best) {
			best = n[i];
			id = (enum pt_limit_id)i;
		}
	if (which)
		*which = id;
	return (unsigned)best;
}

static const char *bytes(char *buf, size_t len, uint64_t v)
{
	pt_unit_print(buf, len, (double)v, PT_UNIT_BYTES, 1);
	return buf;
}

void pt_limit_describe(const struct pt_sys_limits *l, enum pt_isolation iso,
		       enum pt_limit_id which, char *buf, size_t len)
{
	struct pt_worker_need need;
	char a[32], b[32], c[32];
	unsigned long long u1, u2;

	pt_worker_need(l, iso, &need);
	switch (which) {
	case PT_LIMIT_NPROC:
		u1 = l->nproc;
		u2 = l->user_tasks;
		snprintf(buf, len, "the thread and process limit of this user (ulimit -u %llu, "
			 "%llu in use)", u1, u2);
		break;
	case PT_LIMIT_CGROUP_PIDS:
		u1 = l->cgroup_pids_max;
		u2 = l->cgroup_pids_used;
		snprintf(buf, len, "the task limit of the cgroup (pids.max %llu in %s, %llu in use)",
			 u1, l->cgroup_pids_dir, u2);
		break;
	case PT_LIMIT_THREADS_MAX:
		u1 = l->threads_max;
		u2 = l->tasks;
		snprintf(buf, len, "the system's thread limit (kernel.threads-max %llu, %llu in use)",
			 u1, u2);
		break;
	case PT_LIMIT_PID_MAX:
		u1 = l->pid_max;
		u2 = l->tasks;
		snprintf(buf, len, "the process id range (kernel.pid_max %llu, %llu in use)", u1, u2);
		break;
	case PT_LIMIT_MAP_COUNT:
		u1 = l->map_count_max;
		u2 = l->maps;
		snprintf(buf, len, "the limit on memory mappings (vm.max_map_count %llu, %llu in use, "
			 "%d per thread stack)", u1, u2, MAPS_PER_THREAD);
		break;
	case PT_LIMIT_ADDRESS_SPACE:
		snprintf(buf, len, "the address-space limit (ulimit -v %llu, %s in use, %s per worker "
			 "with its %s stack)", (unsigned long long)(l->as_limit / 1024),
			 bytes(a, sizeof(a), l->vm_size), bytes(b, sizeof(b), need.virtual),
			 bytes(c, sizeof(c), l->stack_size));
		break;
	case PT_LIMIT_COMMIT:
		snprintf(buf, len, "the commit limit of strict overcommit (CommitLimit %s, %s "
			 "committed, %s per worker)", bytes(a, sizeof(a), l->commit_limit),
			 bytes(b, sizeof(b), l->committed), bytes(c, sizeof(c), need.commit));
		break;
	case PT_LIMIT_MEMORY:
		snprintf(buf, len, "the available memory (MemAvailable %s, %s per worker)",
			 bytes(a, sizeof(a), l->mem_available), bytes(b, sizeof(b), need.resident));
		break;
	case PT_LIMIT_CGROUP_MEMORY:
		snprintf(buf, len, "the memory limit of the cgroup (%s in %s, %s in use, %s per "
			 "worker)", bytes(a, sizeof(a), l->cgroup_mem_max), l->cgroup_mem_dir,
			 bytes(b, sizeof(b), l->cgroup_mem_used), bytes(c, sizeof(c), need.resident));
		break;
	case PT_LIMIT_NONE:
	default:
		snprintf(buf, len, "the largest worker count this proftune supports");
		break;
	}
}

/* V with thousands separators, e.g. "63,000". */
static const char *grouped(char *buf, size_t len, unsigned v)
{
	char digits[16];
	int n = snprintf(digits, sizeof(digits), "%u", v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

int pt_workers_feasible(unsigned n, enum pt_isolation iso, unsigned *largest)
{
	struct pt_sys_limits l;
	enum pt_limit_id which;
	char what[512], count[24];
	unsigned most;

	pt_sys_limits_read(&l);
	most = pt_limits_largest(&l, iso, &which);
	if (largest)
		*largest = most;
	if (n == 0)
		return pt_fail(EINVAL, "a trial needs at least 1 worker");
	if (n <= most)
		return 0;
	pt_limit_describe(&l, iso, which, what, sizeof(what));
	if (most == 0)
		return pt_fail(EAGAIN, "%s leaves no room for a worker", what);
	return pt_fail(EAGAIN, "%s allows at most %s worker%s", what,
		       grouped(count, sizeof(count), most), most == 1 ? "" : "s");
}
