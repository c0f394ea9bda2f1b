/* check_export.c - profiler reports: the JSON keys, block CSV, console table, bottlenecks, files */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = mono_ns();

	while (mono_ns() - t0 < ns)
		;
}

static pt_prof *new_prof(void)
{
	pt_prof *p = pt_prof_new("test");

	ck_assert_ptr_nonnull(p);
	return p;
}

static cJSON *report(pt_prof *p)
{
	return json_parse_free(pt_prof_json(p));
}

static void inner(pt_prof *p)
{
	PT_BLOCK(p, 0, "inner");
	spin_ns(2000);
}

static void outer(pt_prof *p)
{
	PT_BLOCK(p, 0, "outer");
	spin_ns(1000);
	inner(p);
	inner(p);
}

static void timed(pt_prof *p, uint64_t ns)
{
	PT_BLOCK(p, 0, "timed");
	spin_ns(ns);
}

static void odd_name(pt_prof *p)
{
	PT_BLOCK(p, 4, "say \"hi\", world");
}

START_TEST(test_exports)
{
	pt_prof *p = new_prof();
	static const char *const keys[] = {
		"timings", "memory_usage", "counters", "total_elapsed", "tracks", "tree",
		"bottlenecks", "stamps", "step_logs", "samples", "counter_rates", "name",
	};
	char *csv, *table, *bn, path[64];
	cJSON *o;
	FILE *f;

	pt_prof_track_name(p, 0, "main");
	for (int i = 0; i < 10; i++)
		outer(p);
	timed(p, 2000000);
	odd_name(p);
	pt_prof_counter_add(p, "n", 1);
	pt_prof_memory_record(p, "mem", 64);
	o = report(p);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_at(o, keys[i]) != NULL, "no key '%s'", keys[i]);
	ck_assert_str_eq(json_str(o, "tracks.0.track_name"), "main");
	ck_assert_str_eq(json_str(o, "bottlenecks.0.name"), "timed");
	ck_assert(json_num(o, "bottlenecks.0.percent_of_total") > 50.0);
	cJSON_Delete(o);

	csv = pt_prof_csv(p);
	ck_assert_ptr_nonnull(csv);
	ck_assert_msg(strncmp(csv, "Track,Block Name,Hit Count,Total Time (ns),Avg Time (ns),"
			      "Min Time (ns),Max Time (ns),% Track,% Total\r\n", 101) == 0, "%s", csv);
	ck_assert_msg(strstr(csv, "\nmain,outer,10,"), "%s", csv);
	ck_assert_msg(strstr(csv, "\n4,\"say \"\"hi\"\", world\",1,"), "%s", csv);
	free(csv);

	table = pt_prof_table(p);
	ck_assert_ptr_nonnull(table);
	ck_assert_msg(strstr(table, " ms") && strstr(table, " us"), "%s", table);
	ck_assert_msg(strstr(table, "Track 0 (main)"), "%s", table);
	free(table);
	bn = pt_prof_bottlenecks(p, 2);
	ck_assert_ptr_nonnull(bn);
	ck_assert_msg(strstr(bn, "timed") && !strstr(bn, "inner"), "%s", bn);
	free(bn);

	snprintf(path, sizeof(path), "/tmp/check-prof-%ld.csv", (long)getpid());
	ck_assert_int_eq(pt_prof_write(p, path, "csv"), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	{
		char line[256];

		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		ck_assert_str_eq(line, "Track,Block Name,Hit Count,Total Time (ns),Avg Time (ns),"
				 "Min Time (ns),Max Time (ns),% Track,% Total\r\n");
	}
	fclose(f);
	ck_assert_int_eq(pt_prof_write(p, path, "json"), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	{
		char buf[1 << 16];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		o = cJSON_Parse(buf);
		ck_assert_ptr_nonnull(o);
		cJSON_Delete(o);
	}
	fclose(f);
	unlink(path);
	ck_assert_int_eq(pt_prof_write(p, path, "xml"), -EINVAL);
	pt_prof_free(p);
}
END_TEST

Suite *suite_export(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("formats");

	tcase_add_test(tc, test_exports);
	suite_add_tcase(s, tc);
	return s;
}
