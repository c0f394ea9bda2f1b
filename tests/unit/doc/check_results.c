/* check_results.c - the results document: schema fields and types, atomic writes, escaping */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

static int results_run(pt_worker *w, uint64_t item)
{
	if (item % 2)
		pt_counter_add(w, "odd_items", 1);
	return PT_OK;
}

static int results_setup(pt_ctx *ctx)
{
	pt_param_int(ctx, "n", 1);
	pt_ctx_note(ctx, "cost_ns", 3.5);
	return PT_OK;
}

static const struct pt_task results_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "results-task",
	.summary = "a task for the results tests",
	.setup = results_setup,
	.run = results_run,
};

struct fixture {
	pt_module *m;
	pt_topology *t;
	pt_params *p;
	pt_results *r;
};

static void fixture_open(struct fixture *f, unsigned ntrials)
{
	struct pt_trial_config c;

	f->m = pt_module_from_task(&results_task, "in-process:results");
	ck_assert_msg(f->m != NULL, "%s", pt_last_error());
	f->t = pt_topology_new(NULL);
	ck_assert_msg(f->t != NULL, "%s", pt_last_error());
	f->p = pt_params_new();
	ck_assert_int_eq(pt_params_add(f->p, "n=4"), 0);
	f->r = pt_results_new("run", f->m, f->t, f->p, "{\"workers\":2}");
	ck_assert_msg(f->r != NULL, "%s", pt_last_error());
	pt_trial_config_init(&c);
	c.workers = 2;
	c.items = 2000;
	c.warmup_s = 0.01;
	c.params = f->p;
	for (unsigned i = 0; i < ntrials; i++) {
		pt_trial *tr;

		c.repeat = i;
		tr = pt_trial_run(f->m, f->t, &c);
		ck_assert_msg(tr != NULL, "%s", pt_last_error());
		pt_results_add_trial(f->r, tr);
	}
	ck_assert_uint_eq(pt_results_trial_count(f->r), ntrials);
}

static void fixture_close(struct fixture *f)
{
	pt_results_free(f->r);
	pt_params_free(f->p);
	pt_topology_free(f->t);
	pt_module_close(f->m);
}

static const cJSON *field(const cJSON *o, const char *path, cJSON_bool (*is)(const cJSON *),
			  const char *type)
{
	const cJSON *v = json_at(o, path);

	ck_assert_msg(v != NULL, "missing field '%s'", path);
	ck_assert_msg(is(v), "field '%s' is not %s", path, type);
	return v;
}

static cJSON_bool is_str_or_null(const cJSON *v)
{
	return cJSON_IsString(v) || cJSON_IsNull(v);
}

/* The heap is what malloc's statistics say; the sanitizers bring an
 * allocator of their own, which they do not see: not measured, null. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static cJSON_bool is_heap(const cJSON *v)
{
	return cJSON_IsNull(v);
}
#define HEAP "null (a sanitizer's allocator)"
#else
static cJSON_bool is_heap(const cJSON *v)
{
	return cJSON_IsNumber(v);
}
#define HEAP "a number"
#endif

#define NUM(o, p) field((o), (p), cJSON_IsNumber, "a number")
#define STR(o, p) field((o), (p), cJSON_IsString, "a string")
#define OBJ(o, p) field((o), (p), cJSON_IsObject, "an object")
#define ARR(o, p) field((o), (p), cJSON_IsArray, "an array")

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, text, 0, NULL, 0) == 0, "'%s' does not match %s", text, pattern);
	regfree(&re);
}

static void check_perf(const cJSON *perf)
{
	static const char *const statuses[] = { "ok", "unsupported", "denied", "not-counted", "off" };
	const cJSON *e;
	int n = 0;

	ck_assert(cJSON_IsObject(perf));
	cJSON_ArrayForEach(e, perf) {
		const char *status = json_str(e, "status");
		int known = 0;

		for (unsigned i = 0; i < 5; i++)
			known |= strcmp(status, statuses[i]) == 0;
		ck_assert_msg(known, "perf counter '%s' has status '%s'", e->string, status);
		if (strcmp(status, "ok") == 0) {
			ck_assert_msg(cJSON_IsNumber(json_at(e, "value")), "'%s' is ok without a value",
				      e->string);
			ck_assert_double_ge(json_num(e, "value"), 0);
		} else {
			ck_assert_msg(json_at(e, "value") == NULL, "'%s' is %s but has a value",
				      e->string, status);
		}
		n++;
	}
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(json_at(perf, "cycles"));
	ck_assert_ptr_nonnull(json_at(perf, "instructions"));
}

static void check_latency(const cJSON *l)
{
	static const char *const keys[] = {
		"count", "min", "mean", "stddev", "p50", "p90", "p99", "p99_9", "max",
	};

	NUM(l, "count");
	if (json_num(l, "count") == 0) {
		/* a worker that timed no item: its statistics are unknown */
		for (unsigned i = 1; i < sizeof(keys) / sizeof(keys[0]); i++)
			ck_assert_msg(cJSON_IsNull(json_at(l, keys[i])), "latency %s of no items "
				      "is not null", keys[i]);
		return;
	}
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		NUM(l, keys[i]);
	ck_assert(json_num(l, "min") <= json_num(l, "p50"));
	ck_assert(json_num(l, "p50") <= json_num(l, "p90"));
	ck_assert(json_num(l, "p90") <= json_num(l, "p99"));
	ck_assert(json_num(l, "p99") <= json_num(l, "p99_9"));
	ck_assert(json_num(l, "p99_9") <= json_num(l, "max"));
}

START_TEST(test_document_fields)
{
	struct fixture f;
	struct pt_topology_counts counts;
	const cJSON *trials, *tr, *per, *w;
	cJSON *d;
	int i = 0;

	fixture_open(&f, 2);
	d = json_parse_free(pt_results_json(f.r));
	ck_assert_str_eq(json_str(d, "schema"), "proftune/2");
	ck_assert_str_eq(json_str(d, "proftune_version"), pt_version());
	ck_assert_str_eq(json_str(d, "command"), "run");
	assert_matches(json_str(d, "created"),
		       "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$");

	OBJ(d, "host");
	STR(d, "host.hostname");
	STR(d, "host.kernel");
	field(d, "host.cpu_model", is_str_or_null, "a string or null");
	OBJ(d, "host.topology");
	pt_topology_counts(f.t, &counts);
	ck_assert_double_eq(json_num(d, "host.topology.packages"), counts.packages);
	ck_assert_double_eq(json_num(d, "host.topology.numa_nodes"), counts.numa_nodes);
	ck_assert_double_eq(json_num(d, "host.topology.cores"), counts.cores);
	ck_assert_double_eq(json_num(d, "host.topology.pus"), counts.pus);
	ck_assert_double_ge(json_num(d, "host.topology.pus"), 1);
	ck_assert_int_gt((int)strlen(json_str(d, "host.allowed_cpus")), 0);

	OBJ(d, "task");
	ck_assert_str_eq(json_str(d, "task.path"), "in-process:results");
	ck_assert_str_eq(json_str(d, "task.name"), "results-task");
	OBJ(d, "task.params");
	ck_assert_str_eq(json_str(d, "task.params.n"), "4");
	OBJ(d, "config");
	ck_assert_double_eq(json_num(d, "config.workers"), 2);
	field(d, "interrupted", cJSON_IsBool, "a boolean");
	ck_assert(cJSON_IsFalse(json_at(d, "interrupted")));
	ARR(d, "warnings");

	trials = ARR(d, "trials");
	ck_assert_int_eq(cJSON_GetArraySize(trials), 2);
	cJSON_ArrayForEach(tr, trials) {
		ck_assert_double_eq(json_num(tr, "workers"), 2);
		ck_assert_double_eq(json_num(tr, "repeat"), i);
		ck_assert_str_eq(json_str(tr, "status"), "ok");
		ck_assert_str_eq(json_str(tr, "placement"), "none");
		ck_assert_double_eq(json_num(tr, "items"), 2000);
		ck_assert_double_eq(json_num(tr, "errors.count"), 0);
		ARR(tr, "errors.messages");
		ck_assert_double_gt(json_num(tr, "wall_s"), 0);
		ck_assert_double_gt(json_num(tr, "throughput"), 0);
		check_latency(OBJ(tr, "latency_ns"));
		ck_assert_double_eq(json_num(tr, "latency_ns.count"), 2000);
		NUM(tr, "memory.peak_rss");
		NUM(tr, "memory.rss_start");
		NUM(tr, "memory.rss_end");
		field(tr, "memory.heap_start", is_heap, HEAP);
		field(tr, "memory.heap_end", is_heap, HEAP);
		ck_assert_double_gt(json_num(tr, "memory.peak_rss"), 0);
		OBJ(tr, "counters.user");
		OBJ(tr, "counters.os");
		check_perf(OBJ(tr, "counters.perf"));
		NUM(tr, "counters.user.odd_items.value");
		ck_assert_double_eq(json_num(tr, "notes.cost_ns"), 3.5);
		per = ARR(tr, "per_worker");
		ck_assert_int_eq(cJSON_GetArraySize(per), 2);
		cJSON_ArrayForEach(w, per) {
			NUM(w, "items");
			check_latency(OBJ(w, "latency_ns"));
			check_perf(OBJ(w, "counters.perf"));
		}
		i++;
	}
	cJSON_Delete(d);
	fixture_close(&f);
}
END_TEST

START_TEST(test_perf_off)
{
	pt_module *m = pt_module_from_task(&results_task, "perf-off");
	struct pt_trial_config c;
	pt_trial *tr;
	cJSON *o, *e;

	pt_trial_config_init(&c);
	c.items = 100;
	c.warmup_s = 0;
	c.counters = 0;
	tr = pt_trial_run(m, NULL, &c);
	ck_assert_ptr_nonnull(tr);
	o = json_parse_free(pt_trial_json(tr));
	check_perf(json_at(o, "counters.perf"));
	cJSON_ArrayForEach(e, json_at(o, "counters.perf"))
		ck_assert_str_eq(json_str(e, "status"), "off");
	cJSON_Delete(o);
	pt_trial_free(tr);
	pt_module_close(m);
}
END_TEST

START_TEST(test_warnings_and_interrupted)
{
	struct fixture f;
	cJSON *d;

	fixture_open(&f, 0);
	pt_results_warn(f.r, "disk %s is slow", "sda");
	pt_results_warn(f.r, "disk %s is slow", "sda");
	pt_results_warn(f.r, "only %d CPUs", 2);
	pt_results_set_interrupted(f.r, 1);
	ck_assert_ptr_null(pt_results_trial(f.r, 0));
	d = json_parse_free(pt_results_json(f.r));
	ck_assert(cJSON_IsTrue(json_at(d, "interrupted")));
	ck_assert_int_eq(cJSON_GetArraySize(json_at(d, "warnings")), 2);
	ck_assert_str_eq(json_str(d, "warnings.0.message"), "disk sda is slow");
	ck_assert_double_eq(json_num(d, "warnings.0.count"), 2);
	ck_assert_str_eq(json_str(d, "warnings.1.message"), "only 2 CPUs");
	ck_assert_int_eq(cJSON_GetArraySize(json_at(d, "trials")), 0);
	cJSON_Delete(d);
	fixture_close(&f);
}
END_TEST

START_TEST(test_bad_config_json)
{
	errno = 0;
	ck_assert_ptr_null(pt_results_new("run", NULL, NULL, NULL, "{workers: 2"));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "JSON"));
}
END_TEST

START_TEST(test_no_module_no_topology)
{
	pt_results *r = pt_results_new("tune", NULL, NULL, NULL, NULL);
	cJSON *d;

	ck_assert_ptr_nonnull(r);
	d = json_parse_free(pt_results_json(r));
	ck_assert_str_eq(json_str(d, "command"), "tune");
	ck_assert_str_eq(json_str(d, "task.name"), "");
	OBJ(d, "config");
	ck_assert_int_eq(cJSON_GetArraySize(json_at(d, "config")), 0);
	OBJ(d, "task.params");
	cJSON_Delete(d);
	pt_results_free(r);
}
END_TEST

/* Names in DIR other than "." and ".."; returns their count, KEEP excepted. */
static int other_files(const char *dir, const char *keep)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dh);
	while ((e = readdir(dh))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (keep && strcmp(e->d_name, keep) == 0)
			continue;
		fprintf(stderr, "unexpected file %s/%s\n", dir, e->d_name);
		n++;
	}
	closedir(dh);
	return n;
}

static cJSON *read_json_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text;
	long len;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	ck_assert_int_gt(len, 0);
	rewind(fp);
	text = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
	text[len] = '\0';
	fclose(fp);
	ck_assert_int_eq(text[len - 1], '\n');
	return json_parse_free(text);
}

START_TEST(test_write_atomic)
{
	char dir[] = "/tmp/proftune-check-XXXXXX";
	char path[sizeof(dir) + 32];
	struct fixture f;
	struct stat st;
	cJSON *d;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	fixture_open(&f, 1);
	ck_assert_msg(pt_results_write(f.r, path) == 0, "%s", pt_last_error());
	ck_assert_int_eq(other_files(dir, "out.json"), 0);
	d = read_json_file(path);
	ck_assert_str_eq(json_str(d, "schema"), "proftune/2");
	ck_assert_int_eq(cJSON_GetArraySize(json_at(d, "trials")), 1);
	cJSON_Delete(d);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_ne(st.st_mode & 0444, 0);

	pt_results_warn(f.r, "second write");
	ck_assert_int_eq(pt_results_write(f.r, path), 0);
	ck_assert_int_eq(other_files(dir, "out.json"), 0);
	d = read_json_file(path);
	ck_assert_str_eq(json_str(d, "warnings.0.message"), "second write");
	cJSON_Delete(d);

	fixture_close(&f);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_write_missing_directory)
{
	pt_results *r = pt_results_new("run", NULL, NULL, NULL, NULL);
	int rc;

	rc = pt_results_write(r, "/tmp/proftune-no-such-dir-for-check/sub/out.json");
	ck_assert_int_lt(rc, 0);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "no such directory"));
	ck_assert_ptr_nonnull(strstr(pt_last_error(), "/tmp/proftune-no-such-dir-for-check/sub/out.json"));
	pt_results_free(r);
}
END_TEST

START_TEST(test_params_escaping)
{
	static const char *const assignments[] = {
		"quote=say \"hi\"",
		"nl=line1\nline2",
		"ключ=значение ✓",
		"back\\slash=a\\b\tc",
		"ctl=\001\037",
		"empty=",
	};
	static const char *const keys[] = { "quote", "nl", "ключ", "back\\slash", "ctl", "empty" };
	static const char *const values[] = {
		"say \"hi\"", "line1\nline2", "значение ✓", "a\\b\tc", "\001\037", "",
	};
	pt_params *p = pt_params_new();
	pt_results *r;
	cJSON *d, *params;

	for (unsigned i = 0; i < sizeof(assignments) / sizeof(assignments[0]); i++)
		ck_assert_int_eq(pt_params_add(p, assignments[i]), 0);
	r = pt_results_new("run", NULL, NULL, p, "{\"note\":\"tab\\there \\u00e9\"}");
	ck_assert_ptr_nonnull(r);
	d = json_parse_free(pt_results_json(r));
	params = json_at(d, "task.params");
	ck_assert(cJSON_IsObject(params));
	ck_assert_int_eq(cJSON_GetArraySize(params), 6);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, keys[i]);

		ck_assert_msg(cJSON_IsString(v), "parameter key '%s' lost", keys[i]);
		ck_assert_str_eq(v->valuestring, values[i]);
	}
	ck_assert_str_eq(json_str(d, "config.note"), "tab\there \xc3\xa9");
	cJSON_Delete(d);
	pt_results_free(r);
	pt_params_free(p);
}
END_TEST

Suite *suite_results(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("document");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_document_fields);
	tcase_add_test(tc, test_perf_off);
	tcase_add_test(tc, test_warnings_and_interrupted);
	tcase_add_test(tc, test_bad_config_json);
	tcase_add_test(tc, test_no_module_no_topology);
	tcase_add_test(tc, test_params_escaping);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_atomic);
	tcase_add_test(tc, test_write_missing_directory);
	suite_add_tcase(s, tc);
	return s;
}
