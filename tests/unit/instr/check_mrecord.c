/* check_mrecord.c - measurements with pause/resume and the locked, shared CSV file */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

#define FIELDS 13

static char csv_path[128];

static const char *tmp_csv(const char *tag)
{
	snprintf(csv_path, sizeof(csv_path), "/tmp/check-mrecord-%ld-%s.csv", (long)getpid(), tag);
	unlink(csv_path);
	return csv_path;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* An RFC 4180 reader: the records of TEXT as arrays of FIELDS strings
 * (malloc'd; the test fails on a record with another field count). */
struct csv {
	char *(*rows)[FIELDS];
	size_t n;
};

static void csv_parse(const char *text, struct csv *out)
{
	size_t cap = 16;
	const char *p = text;

	out->n = 0;
	out->rows = malloc(cap * sizeof(*out->rows));
	while (*p) {
		int f = 0;

		if (out->n == cap) {
			cap *= 2;
			out->rows = realloc(out->rows, cap * sizeof(*out->rows));
		}
		for (;;) {
			char *field = malloc(strlen(p) + 1);
			size_t k = 0;

			if (*p == '"') {
				for (p++;; p++) {
					ck_assert_msg(*p, "unterminated quoted field");
					if (*p == '"' && p[1] == '"') {
						field[k++] = '"';
						p++;
					} else if (*p == '"') {
						p++;
						break;
					} else {
						field[k++] = *p;
					}
				}
			} else {
				while (*p && *p != ',' && *p != '\n')
					field[k++] = *p++;
			}
			field[k] = '\0';
			ck_assert_msg(f < FIELDS, "a row with more than %d fields", FIELDS);
			out->rows[out->n][f++] = field;
			if (*p == ',') {
				p++;
				continue;
			}
			ck_assert_msg(*p == '\n', "a row does not end with a newline");
			p++;
			break;
		}
		ck_assert_msg(f == FIELDS, "a row with %d fields", f);
		out->n++;
	}
}

static void csv_free(struct csv *c)
{
	for (size_t i = 0; i < c->n; i++)
		for (int f = 0; f < FIELDS; f++)
			free(c->rows[i][f]);
	free(c->rows);
}

static struct pt_measure_opts opts_for(const char *path)
{
	struct pt_measure_opts o;

	pt_measure_opts_init(&o);
	o.path = path;
	return o;
}

START_TEST(test_row_and_header)
{
	const char *path = tmp_csv("row");
	struct pt_mrecord r = {
		.id = "load, \"big\" file", .time = 1.5, .start_timestamp = 1700000000.25,
		.end_timestamp = 1700000001.75, .paused_time = 0, .pid = 10, .ppid = 1,
		.process_name = "worker", .parent_process_name = "init", .broken = 1,
		.error_type = "ENOENT", .error_value = "no such file", .traceback = "f1\nf2",
	};
	struct csv c;
	char *text;

	ck_assert_int_eq(pt_mrecord_append(path, &r, 1), 0);
	ck_assert_int_eq(pt_mrecord_append(path, &r, 1), 0);
	static const char header[] = "id,time,start_timestamp,end_timestamp,paused_time,pid,"
		"ppid,process_name,parent_process_name,broken,error_type,error_value,traceback\n";

	text = slurp(path);
	/* exactly one header, the seed's columns in order */
	ck_assert_msg(strncmp(text, header, strlen(header)) == 0, "%s", text);
	ck_assert_ptr_null(strstr(text + 1, "id,time,"));
	ck_assert_ptr_nonnull(strstr(text, "\"load, \"\"big\"\" file\",1.500000000,"));
	csv_parse(text, &c);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_str_eq(c.rows[1][0], "load, \"big\" file");
	ck_assert(atof(c.rows[1][1]) == 1.5);
	ck_assert(atof(c.rows[1][2]) == 1700000000.25);
	ck_assert_str_eq(c.rows[1][5], "10");
	ck_assert_str_eq(c.rows[1][9], "True");
	ck_assert_str_eq(c.rows[1][12], "f1\nf2");
	csv_free(&c);
	free(text);
	unlink(path);
}
END_TEST

START_TEST(test_pause_resume)
{
	const char *path = tmp_csv("pause");
	struct pt_measure_opts o = opts_for(path);
	pt_measure *m = pt_measure_new("paused", &o);
	const struct pt_mrecord *r;

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_null(pt_measure_record(m));
	ck_assert_int_eq(pt_measure_start(m), 0);
	sleep_ms(20);
	ck_assert_int_eq(pt_measure_pause(m), 0);
	sleep_ms(30);
	/* pausing again changes nothing: the pause goes on */
	ck_assert_int_eq(pt_measure_pause(m), 0);
	sleep_ms(30);
	ck_assert_int_eq(pt_measure_resume(m), 0);
	ck_assert_int_eq(pt_measure_resume(m), 0);
	sleep_ms(20);
	ck_assert_int_eq(pt_measure_stop(m), 0);
	r = pt_measure_record(m);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->paused_time >= 0.060 && r->paused_time < 0.060 + 0.040, "paused %g",
		      r->paused_time);
	ck_assert_msg(r->time >= 0.040 && r->time < 0.040 + 0.040, "time %g", r->time);
	/* time = end - start - paused (the timestamps are wall-clock, to 1 ms) */
	ck_assert_msg(r->time - (r->end_timestamp - r->start_timestamp - r->paused_time) < 0.002 &&
		      r->time - (r->end_timestamp - r->start_timestamp - r->paused_time) > -0.002,
		      "time %g, span %g, paused %g", r->time, r->end_timestamp - r->start_timestamp,
		      r->paused_time);
	ck_assert_int_eq(r->broken, 0);
	ck_assert_int_eq(r->pid, getpid());
	ck_assert_int_eq(r->ppid, getppid());
	{
		char comm[64] = "";
		FILE *f = fopen("/proc/self/comm", "r");

		ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		ck_assert_str_eq(r->process_name, comm);
		ck_assert(r->parent_process_name[0] != '\0');
	}
	/* a measurement may run again */
	ck_assert_int_eq(pt_measure_start(m), 0);
	ck_assert_int_eq(pt_measure_stop(m), 0);
	ck_assert(pt_measure_record(m)->paused_time == 0);
	pt_measure_free(m);
	unlink(path);
}
END_TEST

START_TEST(test_misuse_is_an_error)
{
	const char *path = tmp_csv("misuse");
	struct pt_measure_opts o = opts_for(path);
	pt_measure *m = pt_measure_new(NULL, &o);

	ck_assert_int_eq(pt_measure_stop(m), -EINVAL);
	ck_assert_msg(strstr(pt_last_error(), "'measurement' was not started"), "%s",
		      pt_last_error());
	ck_assert_int_eq(pt_measure_pause(m), -EINVAL);
	ck_assert_int_eq(pt_measure_resume(m), -EINVAL);
	ck_assert_int_eq(pt_measure_fail(m, "x", "y"), -EINVAL);
	ck_assert_int_eq(pt_measure_start(m), 0);
	ck_assert_int_eq(pt_measure_start(m), -EALREADY);
	ck_assert_int_eq(pt_measure_stop(m), 0);
	ck_assert_int_eq(pt_measure_stop(m), -EINVAL);
	ck_assert_int_eq(access(path, F_OK), 0);
	pt_measure_free(m);
	unlink(path);
}
END_TEST

static int failing_step(const char *path)
{
	struct pt_measure_opts o = opts_for(path);

	/* id = this function's name */
	return PT_MEASURE_CALL(&o, -ENOENT);
}

static const char *named_id(const char *path, pt_measure **out)
{
	struct pt_measure_opts o = opts_for(path);

	*out = PT_MEASURE_NEW(&o);
	return "named_id";
}

START_TEST(test_broken_and_auto_id)
{
	const char *path = tmp_csv("broken");
	struct pt_measure_opts o = opts_for(path);
	pt_measure *m = pt_measure_new("parse", &o), *n;
	struct csv c;
	char *text;

	pt_measure_start(m);
	ck_assert_int_eq(pt_measure_fail(m, "ParseError", "line %d: unexpected '%c'", 7, '}'), 0);
	ck_assert_int_eq(pt_measure_stop(m), 0);
	ck_assert_int_eq(pt_measure_record(m)->broken, 1);
	ck_assert_int_eq(failing_step(path), -ENOENT);
	ck_assert_str_eq(named_id(path, &n), "named_id");
	pt_measure_start(n);
	pt_measure_stop(n);
	text = slurp(path);
	csv_parse(text, &c);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_str_eq(c.rows[1][0], "parse");
	ck_assert_str_eq(c.rows[1][9], "True");
	ck_assert_str_eq(c.rows[1][10], "ParseError");
	ck_assert_str_eq(c.rows[1][11], "line 7: unexpected '}'");
	/* the backtrace: several frames, one per line */
	ck_assert_msg(strchr(c.rows[1][12], '\n') != NULL, "traceback '%s'", c.rows[1][12]);
	ck_assert_str_eq(c.rows[2][0], "failing_step");
	ck_assert_str_eq(c.rows[2][9], "True");
	ck_assert_str_eq(c.rows[2][10], "nonzero return");
	ck_assert_int_eq(atoi(c.rows[2][11]), -ENOENT);
	ck_assert_str_eq(c.rows[3][0], "named_id");
	ck_assert_str_eq(c.rows[3][9], "False");
	ck_assert_str_eq(c.rows[3][12], "");
	csv_free(&c);
	free(text);
	pt_measure_free(m);
	pt_measure_free(n);
	unlink(path);
}
END_TEST

static char logged[1024];
static int log_calls;

static void log_fn(void *arg, const char *line)
{
	snprintf(logged, sizeof(logged), "%s%s", (const char *)arg, line);
	log_calls++;
}

START_TEST(test_verbose_log)
{
	const char *path = tmp_csv("log");
	struct pt_measure_opts o = opts_for(path);
	pt_measure *m;

	o.verbose = 1;
	o.log = log_fn;
	o.log_arg = "> ";
	m = pt_measure_new("logged step", &o);
	log_calls = 0;
	pt_measure_start(m);
	pt_measure_stop(m);
	ck_assert_int_eq(log_calls, 1);
	ck_assert_msg(strncmp(logged, "> logged step: ", 15) == 0 && strstr(logged, " s (pid "),
		      "%s", logged);
	pt_measure_free(m);
	unlink(path);
}
END_TEST

START_TEST(test_lock_timeout)
{
	const char *path = tmp_csv("timeout");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct pt_mrecord r = { .id = "x" };
	struct pt_measure_opts o = opts_for(path);
	struct timespec t0, t1;
	pt_measure *m;
	double waited;
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	/* someone else holds the file's lock */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &fl), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pt_mrecord_append(path, &r, 0.2), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(waited >= 0.2 && waited < 2.0, "waited %g s", waited);
	ck_assert_msg(strstr(pt_last_error(), "timed out") && strstr(pt_last_error(), path), "%s",
		      pt_last_error());
	/* error by default, skip-and-log when asked */
	o.lock_timeout_s = 0.05;
	m = pt_measure_new("blocked", &o);
	pt_measure_start(m);
	ck_assert_int_eq(pt_measure_stop(m), -ETIMEDOUT);
	pt_measure_free(m);
	o.skip_on_timeout = 1;
	o.log = log_fn;
	o.log_arg = "";
	m = pt_measure_new("blocked", &o);
	log_calls = 0;
	pt_measure_start(m);
	ck_assert_int_eq(pt_measure_stop(m), 0);
	ck_assert_int_eq(log_calls, 1);
	ck_assert_msg(strstr(logged, "row skipped"), "%s", logged);
	pt_measure_free(m);
	close(fd);
	/* nothing was written meanwhile */
	{
		char *text = slurp(path);

		ck_assert_str_eq(text, "");
		free(text);
	}
	unlink(path);
}
END_TEST

START_TEST(test_rows_in_a_profiler)
{
	const char *path = tmp_csv("prof");
	pt_prof *p = pt_prof_new("rows");
	struct pt_measure_opts o;
	pt_measure *m;
	cJSON *j;

	pt_measure_opts_init(&o);
	o.path = NULL;
	o.prof = p;
	m = pt_measure_new("kept", &o);
	pt_measure_start(m);
	pt_measure_stop(m);
	pt_measure_start(m);
	pt_measure_fail(m, "E", "v");
	pt_measure_stop(m);
	pt_measure_free(m);
	/* no file named: the rows are only in the profiler */
	ck_assert_int_ne(access(path, F_OK), 0);
	j = json_parse_free(pt_prof_json(p));
	ck_assert_int_eq(cJSON_GetArraySize(json_at(j, "measurements")), 2);
	ck_assert_str_eq(json_str(j, "measurements.0.id"), "kept");
	ck_assert(cJSON_IsFalse(json_at(j, "measurements.0.broken")));
	ck_assert(cJSON_IsNull(json_at(j, "measurements.0.error_type")));
	ck_assert(cJSON_IsTrue(json_at(j, "measurements.1.broken")));
	ck_assert_str_eq(json_str(j, "measurements.1.error_type"), "E");
	ck_assert(json_num(j, "measurements.1.pid") == getpid());
	cJSON_Delete(j);
	/* with a file as well */
	o.path = path;
	m = pt_measure_new("both", &o);
	pt_measure_start(m);
	pt_measure_stop(m);
	pt_measure_free(m);
	ck_assert_int_eq(access(path, F_OK), 0);
	j = json_parse_free(pt_prof_json(p));
	ck_assert_str_eq(json_str(j, "measurements.2.id"), "both");
	ck_assert(json_num(j, "measurements_total") == 3);
	cJSON_Delete(j);
	pt_prof_free(p);
	unlink(path);
}
END_TEST

#define PROCS 4
#define ROWS_EACH 500

START_TEST(test_processes_share_one_file)
{
	const char *path = tmp_csv("procs");
	pid_t kids[PROCS];
	int seen[PROCS][ROWS_EACH];
	struct csv c;
	char *text;

	for (int k = 0; k < PROCS; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			struct pt_measure_opts o = opts_for(path);
			int bad = 0;

			for (int i = 0; i < ROWS_EACH; i++) {
				char id[64];
				pt_measure *m;

				/* long ids: a torn or interleaved row would show */
				snprintf(id, sizeof(id), "proc%d-row%d-%s", k, i,
					 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
				m = pt_measure_new(id, &o);
				bad |= !m || pt_measure_start(m) || pt_measure_stop(m);
				pt_measure_free(m);
			}
			_exit(bad);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st;

		waitpid(kids[k], &st, 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	text = slurp(path);
	csv_parse(text, &c);
	memset(seen, 0, sizeof(seen));
	ck_assert_uint_eq(c.n, 1 + PROCS * ROWS_EACH);
	ck_assert_str_eq(c.rows[0][0], "id");
	for (size_t i = 1; i < c.n; i++) {
		int k, row;
		char tail[40];

		ck_assert_msg(sscanf(c.rows[i][0], "proc%d-row%d-%39s", &k, &row, tail) == 3,
			      "torn id '%s'", c.rows[i][0]);
		ck_assert(k >= 0 && k < PROCS && row >= 0 && row < ROWS_EACH);
		ck_assert_str_eq(tail, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		ck_assert_int_eq(atoi(c.rows[i][5]), kids[k]);
		seen[k][row]++;
	}
	for (int k = 0; k < PROCS; k++)
		for (int i = 0; i < ROWS_EACH; i++)
			ck_assert_msg(seen[k][i] == 1, "row %d of process %d seen %d times", i, k,
				      seen[k][i]);
	csv_free(&c);
	free(text);
	unlink(path);
}
END_TEST

Suite *suite_mrecord(void)
{
	Suite *s = suite_create("mrecord");
	TCase *tc = tcase_create("measure");

	tcase_add_test(tc, test_row_and_header);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_misuse_is_an_error);
	tcase_add_test(tc, test_broken_and_auto_id);
	tcase_add_test(tc, test_verbose_log);
	tcase_add_test(tc, test_rows_in_a_profiler);
	suite_add_tcase(s, tc);
	tc = tcase_create("sharing");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lock_timeout);
	tcase_add_test(tc, test_processes_share_one_file);
	suite_add_tcase(s, tc);
	return s;
}
