/* isolate.c - trials in a supervised child process: crashes, hangs and exit() recorded */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "engine/isolate.h"
#include "engine/pool.h"
#include "engine/trial.h"
#include "engine/trialjson.h"

extern char **environ;

/*
 * The child runs the trial in-process and sends it back over a pipe as
 * records, one per line:
 *   R <length>\n<JSON of the trial>   the result
 *   C <sig> <worker> <item> <phase> <vmsize>\n  a fatal signal, followed by
 *   B <frame>\n ...                   the backtrace, one frame per line
 *   X\n                               the task called exit()
 *   K <sig> <pid>\n                   a SIGINT or SIGTERM that the
 *                                     supervisor did not send ended it
 * The parent keeps the last trial's data whatever happens to the child.
 * The child leads a process group of its own, which the worker processes
 * and whatever the task starts join: the group is killed when the trial
 * ends, however it ends.
 */

/* How long an interrupted trial may take to stop before it is killed: a
 * task blocked in a call that ignores the interrupt must not hold proftune. */
#define INTERRUPT_GRACE_NS 2000000000ull
/* Frames kept in a crash backtrace: enough to see through the task's
 * callbacks into proftune's loop. */
#define BACKTRACE_FRAMES 32
/* Fatal signals whose context is reported. */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGTRAP };

static int report_fd = -1;
/* the supervisor's read end of the pipe, and the pipe's identity: a task
 * that closes descriptors cannot make the child write its result into a
 * file the task opened under the same number */
static int report_rfd = -1;
static dev_t report_dev;
static ino_t report_ino;
static pid_t supervisor;
static char alt_stack[64 * 1024];
/* the thread reporting a crash, 0 before any */
static _Atomic pid_t crash_tid;

/* ---- the child: async-signal-safe reporting ----------------------------- */

static size_t put_str(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s && at + 1 < cap)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, size_t cap, unsigned long long v, int neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg && at + 1 < cap)
		buf[at++] = '-';
	while (n && at + 1 < cap)
		buf[at++] = tmp[--n];
	return at;
}

/* The descriptor of the result pipe, async-signal-safe: report_fd while it
 * is still the pipe, else a new write end opened through the supervisor's
 * read end in /proc; -1 when neither works. */
static int channel(void)
{
	struct stat st;
	char path[64];
	size_t at = 0;
	int fd;

	if (fstat(report_fd, &st) == 0 && st.st_dev == report_dev && st.st_ino == report_ino)
		return report_fd;
	at = put_str(path, at, sizeof(path), "/proc/");
	at = put_num(path, at, sizeof(path), (unsigned)supervisor, 0);
	at = put_str(path, at, sizeof(path), "/fd/");
	at = put_num(path, at, sizeof(path), (unsigned)report_rfd, 0);
	path[at] = '\0';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == report_dev && st.st_ino == report_ino) {
		report_fd = fd;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* VmSize of this process in bytes, read without malloc. */
static unsigned long long vm_size(void)
{
	char buf[2048];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned long long pages = 0;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (unsigned long long)(buf[i] - '0');
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static void on_crash(int sig)
{
	void *frames[BACKTRACE_FRAMES];
	char buf[256];
	const char *phase;
	uint64_t item;
	int worker, n, fd;
	size_t at = 0;
	pid_t me = gettid(), first = 0;

	/* workers may crash together: the first one reports and ends the
	 * process, the others wait for that (a crash while reporting ends it) */
	if (!atomic_compare_exchange_strong(&crash_tid, &first, me)) {
		if (first != me)
			for (;;)
				pause();
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	pt_trial_where(&phase, &worker, &item);
	at = put_str(buf, at, sizeof(buf), "C ");
	at = put_num(buf, at, sizeof(buf), (unsigned)sig, 0);
	at = put_str(buf, at, sizeof(buf), " ");
	at = put_num(buf, at, sizeof(buf), worker < 0 ? 1u : (unsigned)worker, worker < 0);
	at = put_str(buf, at, sizeof(buf), " ");
	at = put_num(buf, at, sizeof(buf), item, 0);
	at = put_str(buf, at, sizeof(buf), " ");
	at = put_str(buf, at, sizeof(buf), phase);
	at = put_str(buf, at, sizeof(buf), " ");
	at = put_num(buf, at, sizeof(buf), vm_size(), 0);
	at = put_str(buf, at, sizeof(buf), "\n");
	fd = channel();
	pt_write_all(fd, buf, at);
	n = backtrace(frames, BACKTRACE_FRAMES);
	for (int i = 0; i < n; i++) {
		pt_write_all(fd, "B ", 2);
		backtrace_symbols_fd(&frames[i], 1, fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_exit_call(void)
{
	pt_write_all(channel(), "X\n", 2);
}

/* SIGINT or SIGTERM in the trial process: from the supervisor, the
 * interrupt it passes on; from anyone else (the task raising it, another
 * process), not an interrupt of proftune's: the signal ends the trial
 * process as it would any process, and the supervisor is told who sent it. */
static void on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	char buf[64];
	size_t at = 0;

	(void)uc;
	if (si->si_code == SI_USER && si->si_pid == supervisor) {
		pt_interrupt();
		return;
	}
	at = put_str(buf, at, sizeof(buf), "K ");
	at = put_num(buf, at, sizeof(buf), (unsigned)sig, 0);
	at = put_str(buf, at, sizeof(buf), " ");
	at = put_num(buf, at, sizeof(buf), (unsigned)si->si_pid, 0);
	at = put_str(buf, at, sizeof(buf), "\n");
	pt_write_all(channel(), buf, at);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void child_prepare(const struct pt_trial_config *c)
{
	struct sigaction sa;
	stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack) };
	void *warm[2];

	/* the trial dies with proftune, even by kill -9: no orphaned task */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(1);
	/* a group of its own: the supervisor ends it whole (the terminal's
	 * Ctrl-C reaches the supervisor, which passes it on) */
	setpgid(0, 0);
	/* load the unwinder now: backtrace() may allocate on first use */
	backtrace(warm, 2);
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		sigaction(crash_signals[i], &sa, NULL);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	atexit(on_exit_call);
	if (c->memory_limit) {
		struct rlimit rl = { .rlim_cur = c->memory_limit, .rlim_max = c->memory_limit };

		setrlimit(RLIMIT_AS, &rl);
	}
}

static void child_main(pt_module *m, const pt_topology *t, const struct pt_trial_config *c)
{
	struct pt_trial_config inner = *c;
	pt_trial *tr;
	char *json, head[32];

	child_prepare(c);
	/* the child runs the trial itself; process workers stay processes */
	if (inner.isolation != PT_ISOLATE_PROCESS)
		inner.isolation = PT_ISOLATE_NONE;
	tr = pt_trial_run_inprocess(m, t, &inner);
	if (!tr)
		tr = pt_trial_new_empty(t, c, PT_STATUS_FAILED, pt_last_error());
	json = tr ? pt_trial_json(tr) : NULL;
	/* what the task printed in setup and teardown reaches its stream */
	fflush(NULL);
	if (json) {
		int fd = channel();

		snprintf(head, sizeof(head), "R %zu\n", strlen(json));
		pt_write_all(fd, head, strlen(head));
		pt_write_all(fd, json, strlen(json));
	}
	free(json);
	pt_trial_free(tr);
	_exit(0);
}

/* ---- the parent ----------------------------------------------------------- */

/* A count at KEY of O for the trial's headline numbers, whose integers say
 * 0 for unknown. */
static uint64_t count(const cJSON *o, const char *key)
{
	double v = pt_json_num(o, key);

	return v > 0 && v < 18446744073709551616.0 ? (uint64_t)v : 0;
}

static enum pt_status status_parse(const char *s)
{
	for (int i = 0; i <= PT_STATUS_EXITED; i++)
		if (s && strcmp(s, pt_status_name((enum pt_status)i)) == 0)
			return (enum pt_status)i;
	return PT_STATUS_FAILED;
}

/* The trial the child sent: its JSON becomes the trial; the headline
 * numbers are read back from it. */
static pt_trial *trial_from_json(const pt_topology *t, const struct pt_trial_config *c,
				 cJSON *j)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(j, "latency_ns");
	const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(j, "cpu");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(j, "memory");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "errors");
	pt_trial *tr = pt_trial_new_empty(t, c, status_parse(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(j, "status"))),
		cJSON_IsString(msg) ? msg->valuestring : NULL);

	if (!tr) {
		cJSON_Delete(j);
		return NULL;
	}
	tr->s.items = count(j, "items");
	tr->s.errors = count(err, "count");
	tr->s.wall_s = pt_json_num(j, "wall_s");
	tr->s.throughput = pt_json_num(j, "throughput");
	tr->s.goodput = pt_json_num(j, "goodput");
	tr->s.error_rate = pt_json_num(err, "rate");
	tr->s.cpu_user_s = pt_json_num(cpu, "user_s");
	tr->s.cpu_sys_s = pt_json_num(cpu, "sys_s");
	tr->s.imbalance = pt_json_num(j, "imbalance");
	tr->s.peak_rss = count(mem, "peak_rss");
	tr->s.latency.count = count(lat, "count");
	tr->s.latency.min = pt_json_num(lat, "min");
	tr->s.latency.mean = pt_json_num(lat, "mean");
	tr->s.latency.stddev = pt_json_num(lat, "stddev");
	tr->s.latency.p50 = pt_json_num(lat, "p50");
	tr->s.latency.p90 = pt_json_num(lat, "p90");
	tr->s.latency.p99 = pt_json_num(lat, "p99");
	tr->s.latency.p999 = pt_json_num(lat, "p99_9");
	tr->s.latency.max = pt_json_num(lat, "max");
	cJSON_ReplaceItemInObjectCaseSensitive(j, "isolation",
					       cJSON_CreateString(pt_isolation_name(c->isolation)));
	tr->json = j;
	return tr;
}

/* The record of a trial that sent no result. */
static pt_trial *trial_lost(const pt_topology *t, const struct pt_trial_config *c,
			    enum pt_status status, const char *message, cJSON *detail)
{
	pt_trial *tr = pt_trial_new_empty(t, c, status, message);
	cJSON *j;

	if (!tr) {
		cJSON_Delete(detail);
		return NULL;
	}
	j = pt_trial_to_cjson(tr);
	if (detail)
		cJSON_AddItemToObject(j, status == PT_STATUS_EXITED ? "exit" : "crash", detail);
	tr->json = j;
	return tr;
}

/* Run addr2line on PATH at OFFSET: "function at file:line", with the
 * functions it was inlined into, malloc'd; NULL when binutils is missing or
 * knows nothing. */
static char *addr2line(const char *path, const char *offset)
{
	char *argv[] = { "addr2line", "-f", "-C", "-i", "-e", (char *)path, (char *)offset, NULL };
	char out[2048] = "", *res = NULL, *line, *save = NULL;
	posix_spawn_file_actions_t fa;
	int fds[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "addr2line", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (pid > 0 && len < sizeof(out) - 1 &&
	       (n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	if (pid < 0)
		return NULL;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	out[len] = '\0';
	if (out[0] == '?' || out[0] == '\0')
		return NULL;
	/* pairs of lines: function, then file:line; inlined frames first */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *file = strtok_r(NULL, "\n", &save), *next;

		next = pt_asprintf("%s%s%s%s%s", res ? res : "", res ? ", inlined in " : "", line,
				   file && *file != '?' ? " at " : "",
				   file && *file != '?' ? file : "");
		free(res);
		res = next;
		if (!res)
			break;
	}
	return res;
}

/* Add the function (and source line, when known) to frames of the form
 * "object(+0xOFFSET)[address]" that backtrace() could not name.  Return
 * addresses point after their call: they are looked up one byte earlier,
 * except frame 1, the signal trampoline, and frame 2, the instruction the
 * signal interrupted (frame 0 is the crash handler). */
static void symbolise(cJSON *frames)
{
	cJSON *f;
	int index = 0;

	cJSON_ArrayForEach(f, frames) {
		const char *s = f->valuestring, *open = strstr(s, "(+0x"), *close;
		char path[512], off[32], *sym, *line;
		unsigned long long addr;
		int exact = index == 1 || index == 2;

		index++;
		if (!open || !(close = strchr(open, ')')) || (size_t)(open - s) >= sizeof(path) ||
		    (size_t)(close - open - 2) >= sizeof(off))
			continue;
		memcpy(path, s, (size_t)(open - s));
		path[open - s] = '\0';
		memcpy(off, open + 2, (size_t)(close - open - 2));
		off[close - open - 2] = '\0';
		addr = strtoull(off, NULL, 16);
		snprintf(off, sizeof(off), "0x%llx", exact || addr == 0 ? addr : addr - 1);
		sym = addr2line(path, off);
		if (!sym)
			continue;
		line = pt_asprintf("%s (%s)", sym, s);
		if (line)
			cJSON_SetValuestring(f, line);
		free(line);
		free(sym);
	}
}

static char *sig_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, len, "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

/* Make sense of what the child said and how it ended.  TIMED_OUT: 1 when it
 * was killed at the timeout, 2 when killed after an interrupt. */
static pt_trial *conclude(const pt_topology *t, const struct pt_trial_config *c, char *buf,
			  size_t len, pid_t pid, int wstatus, int timed_out)
{
	char *p = buf, *end = buf + len, msg[512], name[32];
	int crash_sig = 0, crash_worker = -1, exited_via_exit = 0, stop_sig = 0, stop_pid = 0;
	unsigned long long crash_item = 0, vmsize = 0;
	char phase[32] = "";
	cJSON *frames = cJSON_CreateArray(), *detail;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (p[0] == 'R' && p[1] == ' ') {
			size_t n = strtoull(p + 2, NULL, 10);
			char *json = nl ? nl + 1 : end;

			if (nl && (size_t)(end - json) >= n) {
				cJSON *j = cJSON_ParseWithLength(json, n);

				if (j) {
					cJSON_Delete(frames);
					return trial_from_json(t, c, j);
				}
			}
			break;
		}
		if (!nl)
			break;
		*nl = '\0';
		if (p[0] == 'C')
			sscanf(p, "C %d %d %llu %31s %llu", &crash_sig, &crash_worker, &crash_item,
			       phase, &vmsize);
		else if (p[0] == 'B' && p[1] == ' ')
			cJSON_AddItemToArray(frames, cJSON_CreateString(p + 2));
		else if (p[0] == 'X')
			exited_via_exit = 1;
		else if (p[0] == 'K')
			sscanf(p, "K %d %d", &stop_sig, &stop_pid);
		p = nl + 1;
	}

	if (timed_out == 2) {
		cJSON_Delete(frames);
		snprintf(msg, sizeof(msg), "interrupted; the task did not stop within %g s and "
			 "was killed", INTERRUPT_GRACE_NS / 1e9);
		return trial_lost(t, c, PT_STATUS_INTERRUPTED, msg, NULL);
	}
	if (timed_out) {
		cJSON_Delete(frames);
		snprintf(msg, sizeof(msg), "the trial did not finish within %g s and was killed; "
			 "raise --timeout if it needs longer", c->timeout_s);
		return trial_lost(t, c, PT_STATUS_TIMEOUT, msg, NULL);
	}
	if (WIFSIGNALED(wstatus) || crash_sig) {
		int sig = crash_sig ? crash_sig : WTERMSIG(wstatus);
		/* near the limit when it died: the allocation that failed was ours
		 * to refuse, not a bug of proftune */
		int oom = c->memory_limit && vmsize >= c->memory_limit / 10 * 9;

		detail = cJSON_CreateObject();
		cJSON_AddNumberToObject(detail, "signal", sig);
		cJSON_AddStringToObject(detail, "signal_name", sig_name(sig, name, sizeof(name)));
		cJSON_AddStringToObject(detail, "description", strsignal(sig));
		pt_json_add_string(detail, "phase", *phase ? phase : NULL);
		if (crash_worker >= 0) {
			cJSON_AddNumberToObject(detail, "worker", crash_worker);
			cJSON_AddNumberToObject(detail, "item", (double)crash_item);
		} else {
			cJSON_AddNullToObject(detail, "worker");
			cJSON_AddNullToObject(detail, "item");
		}
		cJSON_AddNumberToObject(detail, "vm_size", (double)vmsize);
		symbolise(frames);
		cJSON_AddItemToObject(detail, "backtrace", frames);
		if (stop_sig && sig == stop_sig) {
			/* not an interrupt: nobody asked proftune to stop */
			cJSON_AddNumberToObject(detail, "sender_pid", stop_pid);
			if (stop_pid == pid)
				snprintf(msg, sizeof(msg), "%s (%s), raised by the task itself and not "
					 "sent by proftune, ended the trial process", name, strsignal(sig));
			else
				snprintf(msg, sizeof(msg), "%s (%s) from pid %d, not sent by proftune, "
					 "ended the trial process", name, strsignal(sig), stop_pid);
		} else if (crash_worker >= 0 &&
			   (strcmp(phase, "run") == 0 || strcmp(phase, "warmup") == 0))
			snprintf(msg, sizeof(msg), "%s (%s) in %s, worker %d, item %llu", name,
				 strsignal(sig), phase, crash_worker, crash_item);
		else if (*phase)
			snprintf(msg, sizeof(msg), "%s (%s) in %s%s", name, strsignal(sig), phase,
				 crash_worker >= 0 ? ", worker" : "");
		else
			snprintf(msg, sizeof(msg), "%s (%s)", name, strsignal(sig));
		if (crash_worker >= 0 && strcmp(phase, "run") != 0 && strcmp(phase, "warmup") != 0) {
			size_t l = strlen(msg);

			snprintf(msg + l, sizeof(msg) - l, " %d", crash_worker);
		}
		if (oom || (c->memory_limit && sig == SIGKILL)) {
			size_t l = strlen(msg);

			snprintf(msg + l, sizeof(msg) - l, ": out of the %llu-byte memory limit",
				 (unsigned long long)c->memory_limit);
			return trial_lost(t, c, PT_STATUS_OUT_OF_MEMORY, msg, detail);
		}
		return trial_lost(t, c, PT_STATUS_CRASHED, msg, detail);
	}
	cJSON_Delete(frames);
	detail = cJSON_CreateObject();
	cJSON_AddNumberToObject(detail, "status", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	cJSON_AddStringToObject(detail, "call", exited_via_exit ? "exit" : "_exit");
	snprintf(msg, sizeof(msg), "the task called %s(%d) during the trial",
		 exited_via_exit ? "exit" : "_exit", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	return trial_lost(t, c, PT_STATUS_EXITED, msg, detail);
}

/* Read what is left in the pipe FD into BUF without waiting: the trial
 * process has ended, but a process it started may hold the write end. */
static void drain(int fd, struct pt_strbuf *buf)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		ssize_t n;

		if (pt_strbuf_grow(buf, 65536) < 0)
			return;
		n = read(fd, buf->s + buf->len, buf->cap - buf->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf->len += (size_t)n;
	}
}

/* A descriptor that polls readable when process PID ends; -1 where the
 * kernel has no pidfd (the supervisor then asks every 100 ms). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Has the trial process PID ended?  Asked without reaping it, so that its
 * process group still exists to be killed. */
static int ended(pid_t pid)
{
	siginfo_t si;

	si.si_pid = 0;
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* The children this process has, from /proc (each thread's list), into
 * OUT (at most CAP); how many were found. */
static size_t children(pid_t *out, size_t cap)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && n < cap) {
		char path[300];
		FILE *f;
		long v;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (n < cap && fscanf(f, "%ld", &v) == 1)
			out[n++] = (pid_t)v;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* As a child subreaper, this process inherits whatever the trial left
 * behind outside its process group (a daemon the task started): end and
 * reap it, and what it started in turn. */
static void reap_orphans(void)
{
	pid_t pids[256];

	for (int round = 0; round < 64; round++) {
		size_t n = children(pids, sizeof(pids) / sizeof(pids[0]));

		if (!n)
			return;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		for (size_t i = 0; i < n; i++)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
	}
}

static pt_trial *run_isolated(pt_module *m, const pt_topology *t,
			      const struct pt_trial_config *c)
{
	int fds[2], wstatus = 0, timed_out = 0, forwarded = 0, eof = 0, pidfd;
	struct pt_strbuf buf = PT_STRBUF_INIT;
	uint64_t deadline = c->timeout_s > 0 ? pt_now_ns() + (uint64_t)(c->timeout_s * 1e9) : 0;
	uint64_t kill_at = 0; /* after an interrupt: the end of the grace period */
	struct stat st;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		pt_fail(errno, "cannot create a pipe for the trial: %s", strerror(errno));
		return NULL;
	}
	if (c->reap_orphans)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* the clock is calibrated once, here: every trial of the process
	 * inherits the same rate instead of spending 2 ms on its own */
	pt_clock_init();
	fflush(NULL);
	supervisor = getpid();
	if (fstat(fds[1], &st) == 0) {
		report_dev = st.st_dev;
		report_ino = st.st_ino;
	}
	report_rfd = fds[0];
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		pt_fail(err, "cannot start the trial process: %s", strerror(err));
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		child_main(m, t, c);
	}
	/* set here too, so the group exists before anything is sent to it */
	setpgid(pid, pid);
	close(fds[1]);
	pidfd = open_pidfd(pid);
	for (;;) {
		/* the pipe until its end of file, and the trial process's end */
		struct pollfd pfd[2] = { { .fd = eof ? -1 : fds[0], .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		int wait_ms = -1, r;

		if (deadline) {
			uint64_t now = pt_now_ns();

			if (now >= deadline) {
				timed_out = 1;
				break;
			}
			wait_ms = (int)((deadline - now) / 1000000) + 1;
		}
		/* wake up now and then to pass an interrupt on to the child (and,
		 * without a pidfd, to see whether it ended) */
		if (wait_ms < 0 || wait_ms > 100)
			wait_ms = 100;
		if (eof && wait_ms > 10)
			wait_ms = 10;
		if (pt_interrupted() && !forwarded) {
			kill(pid, SIGINT);
			forwarded = 1;
			kill_at = pt_now_ns() + INTERRUPT_GRACE_NS;
		}
		if (kill_at && pt_now_ns() >= kill_at) {
			timed_out = 2;
			break;
		}
		r = poll(pfd, 2, wait_ms);
		if (r < 0 && errno != EINTR)
			break;
		/* the trial process ended: what it wrote is the result, even
		 * while a process it started holds the pipe open */
		if ((pidfd >= 0 && (pfd[1].revents & POLLIN)) ||
		    (pidfd < 0 && r == 0 && ended(pid))) {
			drain(fds[0], &buf);
			break;
		}
		/* after the end of file (the task closed proftune's descriptor,
		 * or the process is ending), what a reopened write end sends */
		if (eof) {
			drain(fds[0], &buf);
			continue;
		}
		if (r <= 0 || !(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		/* what the child says is read in pieces of at least 64 KiB */
		if (pt_strbuf_grow(&buf, 65536) < 0)
			break;
		ssize_t n = read(fds[0], buf.s + buf.len, buf.cap - buf.len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			eof = 1;
			continue;
		}
		buf.len += (size_t)n;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (timed_out)
		kill(pid, SIGKILL);
	close(fds[0]);
	/* the trial process is waited for, not yet reaped, and the rest of its
	 * group is ended: worker processes hung in teardown, the task's own
	 * children */
	while (waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (c->reap_orphans)
		reap_orphans();
	pt_trial *tr = conclude(t, c, buf.s ? buf.s : (char *)"", buf.len, pid, wstatus, timed_out);

	pt_strbuf_release(&buf);
	return tr;
}

pt_trial *pt_trial_run(pt_module *m, const pt_topology *t, const struct pt_trial_config *c)
{
	pt_topology *own = NULL;
	pt_trial *tr;

	if (c->isolation == PT_ISOLATE_NONE)
		return pt_trial_run_inprocess(m, t, c);
	/* before the fork: the supervisor's deadline is computed from C */
	if (pt_trial_config_check(c) < 0)
		return NULL;
	if (!t) {
		own = pt_topology_new(NULL);
		if (!own)
			return NULL;
		t = own;
	}
	tr = run_isolated(m, t, c);
	pt_topology_free(own);
	return tr;
}
