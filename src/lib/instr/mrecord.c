/* mrecord.c - manual measurements with pause/resume, appended as CSV rows under a file lock */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/json.h"
#include "base/thread.h"
#include "base/util.h"
#include "instr/mrecord.h"
#include "instr/prof.h"

/* multiprocess_profiler's defaults. */
#define DEFAULT_PATH "profile.csv"
#define DEFAULT_TIMEOUT_S 10.0
/* Frames kept in a broken measurement's traceback. */
#define BACKTRACE_FRAMES 64
/* Lock polling: start at 0.1 ms (an uncontended wait ends at once), double
 * up to 10 ms (a waiter reacts within 1% of the 1 s a writer might hold
 * the lock on a slow disk, without spinning). */
#define POLL_MIN_NS 100000u
#define POLL_MAX_NS 10000000u

struct pt_measure {
	char *id;
	struct pt_measure_opts o;
	char *path;
	int started, paused;
	uint64_t t0, pause_t0, paused_ns;
	double start_unix;
	int broken;
	char *error_type, *error_value, *traceback;
	struct pt_mrecord rec;       /* the last row */
	char *rec_strings[6];        /* id, names, error, traceback: REC's strings */
};

/* ---- CSV rows ----------------------------------------------------------------------- */

char *pt_mrecord_csv_row(const struct pt_mrecord *r)
{
	struct pt_strbuf b = PT_STRBUF_INIT;
	char *out;

	pt_csv_field(&b, r->id);
	pt_strbuf_addf(&b, ",%.9f,%.6f,%.6f,%.9f,%ld,%ld,", r->time, r->start_timestamp,
		       r->end_timestamp, r->paused_time, r->pid, r->ppid);
	pt_csv_field(&b, r->process_name);
	pt_strbuf_add(&b, ",", 1);
	pt_csv_field(&b, r->parent_process_name);
	pt_strbuf_addf(&b, ",%s,", r->broken ? "True" : "False");
	pt_csv_field(&b, r->error_type);
	pt_strbuf_add(&b, ",", 1);
	pt_csv_field(&b, r->error_value);
	pt_strbuf_add(&b, ",", 1);
	pt_csv_field(&b, r->traceback);
	pt_strbuf_add(&b, "\n", 1);
	out = pt_strbuf_finish(&b);
	if (!out)
		pt_fail(ENOMEM, "out of memory for a CSV row");
	return out;
}

/* Take an exclusive open-file-description lock on FD within TIMEOUT_S.
 * OFD locks belong to the open file, so two threads of one process that
 * each opened the file exclude each other, as do processes. */
static int lock_file(int fd, double timeout_s)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	uint64_t deadline = pt_now_ns() + (uint64_t)(timeout_s * 1e9), wait = POLL_MIN_NS;

	for (;;) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return -errno;
		if (pt_now_ns() >= deadline)
			return -ETIMEDOUT;
		pt_sleep_until(pt_now_ns() + wait);
		if (wait < POLL_MAX_NS)
			wait *= 2;
	}
}

int pt_mrecord_append(const char *path, const struct pt_mrecord *r, double timeout_s)
{
	char *row = pt_mrecord_csv_row(r), *text = NULL;
	struct stat st;
	int fd, rc;

	if (!row)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = pt_fail(errno, "cannot open measurement file '%s': %s", path, strerror(errno));
		free(row);
		return rc;
	}
	rc = lock_file(fd, timeout_s);
	if (rc == -ETIMEDOUT) {
		pt_fail(ETIMEDOUT, "timed out after %.1f s waiting for the lock of '%s'", timeout_s,
			path);
		goto out;
	}
	if (rc < 0) {
		pt_fail(-rc, "cannot lock '%s': %s", path, strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = pt_fail(errno, "cannot stat '%s': %s", path, strerror(errno));
		goto out;
	}
	/* header and row in one write: a reader never sees a header alone */
	text = st.st_size == 0 ? pt_asprintf("%s\n%s", PT_MRECORD_CSV_HEADER, row) : NULL;
	rc = pt_write_all(fd, text ? text : row, strlen(text ? text : row));
	if (rc < 0)
		pt_fail(-rc, "cannot write '%s': %s", path, strerror(-rc));
out:
	/* closing the descriptor releases its lock */
	if (close(fd) < 0 && rc == 0)
		rc = pt_fail(errno, "cannot write '%s': %s", path, strerror(errno));
	free(text);
	free(row);
	return rc;
}

/* ---- process names and rows kept in a profiler ------------------------------------ */

static char *comm_of(long pid)
{
	char buf[64];

	pt_process_name(pid, buf, sizeof(buf));
	return strdup(buf);
}

/* Keep R in profiler P's report, as an object of the CSV's columns. */
static void keep_row(pt_prof *p, const struct pt_mrecord *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return;
	pt_json_add_string(o, "id", r->id);
	cJSON_AddNumberToObject(o, "time", r->time);
	cJSON_AddNumberToObject(o, "start_timestamp", r->start_timestamp);
	cJSON_AddNumberToObject(o, "end_timestamp", r->end_timestamp);
	cJSON_AddNumberToObject(o, "paused_time", r->paused_time);
	cJSON_AddNumberToObject(o, "pid", (double)r->pid);
	cJSON_AddNumberToObject(o, "ppid", (double)r->ppid);
	pt_json_add_string(o, "process_name", r->process_name);
	pt_json_add_string(o, "parent_process_name", r->parent_process_name);
	cJSON_AddBoolToObject(o, "broken", r->broken);
	pt_json_add_string(o, "error_type", r->broken ? r->error_type : NULL);
	pt_json_add_string(o, "error_value", r->broken ? r->error_value : NULL);
	pt_json_add_string(o, "traceback", r->broken ? r->traceback : NULL);
	pt_prof_add_measurement(p, o);
}

/* ---- measurements -------------------------------------------------------------------- */

void pt_measure_opts_init(struct pt_measure_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path = DEFAULT_PATH;
	o->lock_timeout_s = DEFAULT_TIMEOUT_S;
}

pt_measure *pt_measure_new(const char *id, const struct pt_measure_opts *o)
{
	pt_measure *m = calloc(1, sizeof(*m));

	if (!m) {
		pt_fail(ENOMEM, "out of memory for a measurement");
		return NULL;
	}
	if (o)
		m->o = *o;
	else
		pt_measure_opts_init(&m->o);
	if (!(m->o.lock_timeout_s > 0))
		m->o.lock_timeout_s = DEFAULT_TIMEOUT_S;
	m->id = strdup(id && *id ? id : "measurement");
	/* rows kept by a profiler need no file unless one is named */
	if (!(m->o.prof && !m->o.path))
		m->path = strdup(m->o.path && *m->o.path ? m->o.path : DEFAULT_PATH);
	if (!m->id || (!m->path && !(m->o.prof && !m->o.path))) {
		pt_measure_free(m);
		pt_fail(ENOMEM, "out of memory for a measurement");
		return NULL;
	}
	m->o.path = m->path;
	return m;
}

static void clear_error(pt_measure *m)
{
	free(m->error_type);
	free(m->error_value);
	free(m->traceback);
	m->error_type = m->error_value = m->traceback = NULL;
	m->broken = 0;
}

static void clear_record(pt_measure *m)
{
	for (size_t i = 0; i < sizeof(m->rec_strings) / sizeof(m->rec_strings[0]); i++) {
		free(m->rec_strings[i]);
		m->rec_strings[i] = NULL;
	}
}

void pt_measure_free(pt_measure *m)
{
	if (!m)
		return;
	clear_error(m);
	clear_record(m);
	free(m->id);
	free(m->path);
	free(m);
}

int pt_measure_start(pt_measure *m)
{
	if (m->started)
		return pt_fail(EALREADY, "measurement '%s' is already started", m->id);
	clear_error(m);
	m->started = 1;
	m->paused = 0;
	m->paused_ns = 0;
	m->start_unix = pt_unix_now();
	m->t0 = pt_now_ns();
	return 0;
}

int pt_measure_pause(pt_measure *m)
{
	if (!m->started)
		return pt_fail(EINVAL, "measurement '%s' was not started", m->id);
	if (!m->paused) {
		m->paused = 1;
		m->pause_t0 = pt_now_ns();
	}
	return 0;
}

int pt_measure_resume(pt_measure *m)
{
	if (!m->started)
		return pt_fail(EINVAL, "measurement '%s' was not started", m->id);
	if (m->paused) {
		m->paused_ns += pt_now_ns() - m->pause_t0;
		m->paused = 0;
	}
	return 0;
}

int pt_measure_fail(pt_measure *m, const char *error_type, const char *fmt, ...)
{
	void *frames[BACKTRACE_FRAMES];
	char **sym;
	va_list ap;
	int n;

	if (!m->started)
		return pt_fail(EINVAL, "measurement '%s' was not started", m->id);
	clear_error(m);
	m->broken = 1;
	m->error_type = strdup(error_type ? error_type : "error");
	va_start(ap, fmt);
	m->error_value = fmt ? pt_vasprintf(fmt, ap) : strdup("");
	va_end(ap);
	n = backtrace(frames, BACKTRACE_FRAMES);
	sym = n > 0 ? backtrace_symbols(frames, n) : NULL;
	if (sym) {
		size_t len = 1;

		for (int i = 0; i < n; i++)
			len += strlen(sym[i]) + 1;
		m->traceback = malloc(len);
		if (m->traceback) {
			char *p = m->traceback;

			for (int i = 0; i < n; i++) {
				size_t l = strlen(sym[i]);

				memcpy(p, sym[i], l);
				p += l;
				*p++ = i + 1 < n ? '\n' : '\0';
			}
			if (n == 0)
				*p = '\0';
		}
		free(sym);
	}
	return 0;
}

static void log_line(const pt_measure *m, const struct pt_mrecord *r, const char *extra)
{
	char line[512];

	if (!m->o.verbose && !extra)
		return;
	snprintf(line, sizeof(line), "%s: %.6f s (pid %ld %s, ppid %ld %s)%s%s%s", r->id, r->time,
		 r->pid, r->process_name ? r->process_name : "", r->ppid,
		 r->parent_process_name ? r->parent_process_name : "",
		 r->broken ? " broken: " : "", r->broken && r->error_type ? r->error_type : "",
		 extra ? extra : "");
	if (m->o.log)
		m->o.log(m->o.log_arg, line);
	else
		fprintf(stderr, "%s\n", line);
}

int pt_measure_stop(pt_measure *m)
{
	uint64_t t1 = pt_now_ns();
	double end_unix = pt_unix_now();
	struct pt_mrecord *r = &m->rec;
	int rc;

	if (!m->started)
		return pt_fail(EINVAL, "measurement '%s' was not started", m->id);
	if (m->paused) {
		m->paused_ns += t1 - m->pause_t0;
		m->paused = 0;
	}
	m->started = 0;
	clear_record(m);
	memset(r, 0, sizeof(*r));
	r->time = (double)(t1 - m->t0 - m->paused_ns) / 1e9;
	r->start_timestamp = m->start_unix;
	r->end_timestamp = end_unix;
	r->paused_time = (double)m->paused_ns / 1e9;
	r->pid = (long)getpid();
	r->ppid = (long)getppid();
	m->rec_strings[0] = strdup(m->id);
	m->rec_strings[1] = comm_of(r->pid);
	m->rec_strings[2] = comm_of(r->ppid);
	r->id = m->rec_strings[0];
	r->process_name = m->rec_strings[1];
	r->parent_process_name = m->rec_strings[2];
	r->broken = m->broken;
	/* the row owns the error now: a new start may fail again */
	r->error_type = m->rec_strings[3] = m->error_type;
	r->error_value = m->rec_strings[4] = m->error_value;
	r->traceback = m->rec_strings[5] = m->traceback;
	m->error_type = m->error_value = m->traceback = NULL;
	m->broken = 0;
	if (m->o.prof)
		keep_row(m->o.prof, r);
	rc = m->path ? pt_mrecord_append(m->path, r, m->o.lock_timeout_s) : 0;
	if (rc == -ETIMEDOUT && m->o.skip_on_timeout) {
		char extra[300];

		snprintf(extra, sizeof(extra), " - row skipped: %s", pt_last_error());
		log_line(m, r, extra);
		return 0;
	}
	log_line(m, r, NULL);
	return rc;
}

const struct pt_mrecord *pt_measure_record(const pt_measure *m)
{
	return m->rec_strings[0] ? &m->rec : NULL;
}
