/* limits.h - how many workers can start here: task, pid, map and memory limits (internal) */
#ifndef PT_LIMITS_H
#define PT_LIMITS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "proftune.h"

/* "No limit" in struct pt_sys_limits. */
#define PT_NO_LIMIT UINT64_MAX

/* The limits that bound a trial's worker count, in the order they are
 * reported when several bind equally. */
enum pt_limit_id {
	PT_LIMIT_NONE = 0,
	PT_LIMIT_NPROC,          /* RLIMIT_NPROC: threads and processes of the real uid */
	PT_LIMIT_CGROUP_PIDS,    /* pids.max of this process's cgroup or an ancestor */
	PT_LIMIT_THREADS_MAX,    /* kernel.threads-max: tasks of the whole system */
	PT_LIMIT_PID_MAX,        /* kernel.pid_max: every task needs a process id */
	PT_LIMIT_MAP_COUNT,      /* vm.max_map_count: each thread stack is mappings */
	PT_LIMIT_ADDRESS_SPACE,  /* RLIMIT_AS: thread stacks are address space */
	PT_LIMIT_COMMIT,         /* strict overcommit: CommitLimit - Committed_AS */
	PT_LIMIT_MEMORY,         /* MemAvailable of /proc/meminfo */
	PT_LIMIT_CGROUP_MEMORY,  /* memory.max (v2) or memory.limit_in_bytes (v1) */
};

/* What this process may use, as read by pt_sys_limits_read(); a limit
 * that does not exist or could not be read is PT_NO_LIMIT and then bounds
 * nothing.  Counts are tasks (threads or processes), sizes bytes. */
struct pt_sys_limits {
	uint64_t nproc;              /* RLIMIT_NPROC soft limit */
	uint64_t user_tasks;         /* tasks of the real uid now */
	uint64_t cgroup_pids_max;    /* the tightest pids.max on the way to the root */
	uint64_t cgroup_pids_used;   /* pids.current of that cgroup */
	uint64_t threads_max;        /* kernel.threads-max */
	uint64_t pid_max;            /* kernel.pid_max */
	uint64_t tasks;              /* tasks of the whole system now */
	uint64_t map_count_max;      /* vm.max_map_count */
	uint64_t maps;               /* mappings of this process now */
	uint64_t as_limit;           /* RLIMIT_AS soft limit */
	uint64_t vm_size;            /* address space of this process now */
	uint64_t vm_data;            /* its private writable memory (VmData + VmStk) */
	uint64_t commit_limit;       /* CommitLimit, only under strict overcommit */
	uint64_t committed;          /* Committed_AS */
	uint64_t mem_available;      /* MemAvailable */
	uint64_t cgroup_mem_max;     /* the tightest memory limit on the way to the root */
	uint64_t cgroup_mem_used;    /* that cgroup's current usage */
	uint64_t stack_size;         /* a new thread's stack (pthread default attributes) */
	uint64_t page_size;
	char cgroup_pids_dir[PATH_MAX]; /* where the binding cgroup limits were read */
	char cgroup_mem_dir[PATH_MAX];
};

/* What one worker needs, in bytes, under isolation ISO (see limits.c for
 * what is counted): RESIDENT is memory it really uses, VIRTUAL the address
 * space it reserves, COMMIT what strict overcommit charges for it, MAPS the
 * mappings it adds to the trial process. */
struct pt_worker_need {
	uint64_t resident, virtual, commit, maps;
};

/* Fill L from getrlimit(), /proc and the cgroup file systems of this
 * process.  Never fails: what cannot be read is PT_NO_LIMIT. */
void pt_sys_limits_read(struct pt_sys_limits *l);
/* The needs of one worker of a trial under isolation ISO on L. */
void pt_worker_need(const struct pt_sys_limits *l, enum pt_isolation iso,
		    struct pt_worker_need *need);
/* The largest number of workers a trial under isolation ISO can start with
 * limits L (at most UINT_MAX - 1: the trial's barrier counts one party
 * more); *WHICH (may be NULL) names the limit that binds, PT_LIMIT_NONE
 * when none does. */
unsigned pt_limits_largest(const struct pt_sys_limits *l, enum pt_isolation iso,
			   enum pt_limit_id *which);
/* Describe limit WHICH of L for a message, e.g. "the thread and process
 * limit of this user (ulimit -u 4096, 312 in use)", into BUF of LEN bytes. */
void pt_limit_describe(const struct pt_sys_limits *l, enum pt_isolation iso,
		       enum pt_limit_id which, char *buf, size_t len);

#endif
