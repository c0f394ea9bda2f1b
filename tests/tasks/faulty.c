/* faulty.c - test task: the fault -p what=FAULT in the callback -p where=PHASE */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <proftune.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/*
 * Parameters:
 *   what=segv|abort|bus|fpe|exit|_exit|loop|block|oom|threads|errors|none, or
 *        one of what real code does to its process by accident:
 *        child (fork a child that sleeps, holding every descriptor),
 *        daemon (fork a child that leaves the process group with setsid
 *        and sleeps), sigterm (raise SIGTERM), closefds (close every
 *        descriptor above 2, then open -p file=PATH a few times),
 *        chdir (change to /), print (printf without a newline),
 *        bigerror (report a 50 MB error message)
 *   where=setup|worker_setup|run|worker_teardown|teardown (default run)
 *   sigchld=ignore  ignore SIGCHLD from setup on
 *   file=PATH     closefds: the file opened (default /dev/null)
 *   at_workers=N  fault only in trials of N workers (default 0: every trial)
 *   flag=FILE     fault only when FILE exists; a trial that finds it missing
 *                 creates it and runs clean, so `run --repeat 2` faults in
 *                 the second trial only
 *   every=N       errors in run: every N-th item fails (default 10)
 *   status=N      exit, _exit: the exit status (default 3)
 *   threads=N     threads: how many threads to start (default 4)
 */
struct faulty {
	const char *what, *where, *file;
	long long every, status, threads;
	int armed;
};

static struct faulty cfg;
static const char *const whats[] = { "none", "segv", "abort", "bus", "fpe", "exit", "_exit",
				     "loop", "block", "oom", "threads", "errors", "child", "daemon",
				     "sigterm", "closefds", "chdir", "print", "bigerror" };
static const char *const wheres[] = { "setup", "worker_setup", "run", "worker_teardown",
				      "teardown" };
static atomic_int threads_started, forked;

static void segv(void)
{
	volatile int *volatile p = NULL; /* the compiler cannot see the NULL */

	*p = 1;
}

/* Touch a shared mapping past the end of its (empty) file. */
static void bus(void)
{
	int fd = memfd_create("faulty", 0);
	volatile char *p = fd < 0 ? MAP_FAILED :
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p != MAP_FAILED)
		p[0] = 1;
	raise(SIGBUS); /* reached only when the access did not fault */
}

static void fpe(void)
{
	volatile int num = 1, den = 0;

	num = num / den;
	raise(SIGFPE); /* reached only where division by zero does not trap */
}

/* Like xmalloc: allocate and use 1 MiB after 1 MiB, abort when refused. */
static void oom(void)
{
	for (;;) {
		char *p = malloc(1 << 20);

		if (!p)
			abort();
		memset(p, 1, 1 << 20);
	}
}

static void *forever(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	for (volatile unsigned long n = 0;; n++)
		if (n % 100000 == 0)
			nanosleep(&ms, NULL);
	return NULL;
}

/* Start threads that keep running and are never joined (once per process). */
static void threads(void)
{
	if (atomic_exchange(&threads_started, 1))
		return;
	for (long long i = 0; i < cfg.threads; i++) {
		pthread_t t;

		pthread_create(&t, NULL, forever, NULL);
	}
}

/* Sleep in a child for five minutes: long past any trial. */
static void child(int leave_group)
{
	pid_t pid = fork();

	if (pid != 0)
		return;
	if (leave_group && (setsid() < 0 || fork() != 0))
		_exit(0);
	sleep(300);
	_exit(0);
}

static void closefds(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	for (int i = 0; i < 8; i++)
		open(cfg.file, O_WRONLY | O_CREAT | O_APPEND, 0644);
}

/* Report an error whose message is 50 MB long. */
static int bigerror(pt_ctx *ctx, pt_worker *w)
{
	size_t n = 50u << 20;
	char *big = malloc(n + 1);
	int rc;

	if (!big)
		return PT_FAIL;
	memset(big, 'x', n);
	big[n] = '\0';
	rc = w ? pt_error(w, "%s", big) : pt_ctx_error(ctx, "%s", big);
	free(big);
	return rc;
}

/* Do what was asked; returns what the callback returns. */
static int fault(pt_ctx *ctx, pt_worker *w, uint64_t item)
{
	const char *what = cfg.what;

	if (strcmp(what, "segv") == 0)
		segv();
	else if (strcmp(what, "abort") == 0)
		abort();
	else if (strcmp(what, "bus") == 0)
		bus();
	else if (strcmp(what, "fpe") == 0)
		fpe();
	else if (strcmp(what, "exit") == 0)
		exit((int)cfg.status);
	else if (strcmp(what, "_exit") == 0)
		_exit((int)cfg.status);
	else if (strcmp(what, "loop") == 0) {
		for (volatile unsigned long n = 0;; n++)
			continue;
	} else if (strcmp(what, "block") == 0) {
		for (;;)
			pause();
	} else if (strcmp(what, "oom") == 0)
		oom();
	else if (strcmp(what, "threads") == 0)
		threads();
	else if (strcmp(what, "errors") == 0 && w)
		return (item + 1) % (uint64_t)cfg.every == 0 ?
		       pt_error(w, "injected error on every %lld-th item", cfg.every) : PT_OK;
	else if (strcmp(what, "errors") == 0)
		return pt_ctx_error(ctx, "injected error in %s", cfg.where);
	else if (strcmp(what, "child") == 0 || strcmp(what, "daemon") == 0) {
		/* once a process: in run, not a fork per item */
		if (!atomic_exchange(&forked, 1))
			child(what[0] == 'd');
	}
	else if (strcmp(what, "sigterm") == 0)
		raise(SIGTERM);
	else if (strcmp(what, "closefds") == 0)
		closefds();
	else if (strcmp(what, "chdir") == 0)
		return chdir("/") == 0 ? PT_OK : PT_FAIL;
	else if (strcmp(what, "print") == 0)
		printf("faulty printed in %s", cfg.where);
	else if (strcmp(what, "bigerror") == 0)
		return bigerror(ctx, w);
	return PT_OK;
}

static int known(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int here(const char *where)
{
	return cfg.armed && strcmp(cfg.where, where) == 0;
}

static int setup(pt_ctx *ctx)
{
	const char *flag = pt_param_str(ctx, "flag", NULL);
	long long at = pt_param_int(ctx, "at_workers", 0);

	cfg.what = pt_param_str(ctx, "what", "none");
	cfg.where = pt_param_str(ctx, "where", "run");
	cfg.every = pt_param_int(ctx, "every", 10);
	cfg.status = pt_param_int(ctx, "status", 3);
	cfg.threads = pt_param_int(ctx, "threads", 4);
	cfg.file = pt_param_str(ctx, "file", "/dev/null");
	if (strcmp(pt_param_str(ctx, "sigchld", "default"), "ignore") == 0)
		signal(SIGCHLD, SIG_IGN);
	if (!known(cfg.what, whats, sizeof(whats) / sizeof(whats[0])))
		return pt_ctx_error(ctx, "what=%s: unknown fault", cfg.what);
	if (!known(cfg.where, wheres, sizeof(wheres) / sizeof(wheres[0])))
		return pt_ctx_error(ctx, "where=%s: unknown callback", cfg.where);
	if (cfg.every < 1)
		return pt_ctx_error(ctx, "every=%lld: must be >= 1", cfg.every);
	cfg.armed = at == 0 || (unsigned long long)at == pt_ctx_workers(ctx);
	if (flag && access(flag, F_OK) != 0) {
		int fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			return pt_ctx_error(ctx, "cannot create flag file '%s'", flag);
		close(fd);
		cfg.armed = 0;
	}
	return here("setup") ? fault(ctx, NULL, 0) : PT_OK;
}

static int worker_setup(pt_worker *w)
{
	return here("worker_setup") ? fault(pt_worker_ctx(w), w, 0) : PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	return here("run") ? fault(pt_worker_ctx(w), w, item) : PT_OK;
}

static void worker_teardown(pt_worker *w)
{
	if (here("worker_teardown"))
		fault(pt_worker_ctx(w), w, 0);
}

static void teardown(pt_ctx *ctx)
{
	if (here("teardown"))
		fault(ctx, NULL, 0);
}

PT_TASK(.name = "faulty",
	.summary = "test task: -p what=segv|abort|bus|fpe|exit|... in -p where=run|setup|...",
	.setup = setup,
	.worker_setup = worker_setup,
	.run = run,
	.worker_teardown = worker_teardown,
	.teardown = teardown);
