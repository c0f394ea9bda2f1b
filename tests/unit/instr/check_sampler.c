/* check_sampler.c - the background resource sampler: periodic samples into a profiler */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../check.h"
#include "proftune.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
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

START_TEST(test_sampler)
{
	pt_prof *p = new_prof();
	pt_sampler *s = pt_sampler_start(p, 0.01);
	void *mem;
	cJSON *o;

	ck_assert_ptr_nonnull(s);
	mem = malloc(32 << 20);
	memset(mem, 1, 32 << 20);
	sleep_ms(150);
	pt_sampler_stop(s);
	o = report(p);
	ck_assert_msg(json_num(o, "samples.count") >= 5, "%g samples", json_num(o, "samples.count"));
	ck_assert(json_num(o, "samples.period_s") == 0.01);
	ck_assert(json_num(o, "samples.rss_max") >= 32 << 20);
	ck_assert(json_num(o, "samples.series.0.rss") > 0);
	cJSON_Delete(o);
	free(mem);
	pt_prof_free(p);
}
END_TEST

Suite *suite_sampler(void)
{
	Suite *s = suite_create("sampler");
	TCase *tc = tcase_create("samples");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sampler);
	suite_add_tcase(s, tc);
	return s;
}
