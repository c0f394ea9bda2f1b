/* check_abi.c - the layout of struct pt_task and the checks every loader applies to it */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "proftune.h"

_Static_assert(offsetof(struct pt_task, abi) == 0, "abi comes first");
_Static_assert(offsetof(struct pt_task, size) == 4, "size follows abi");
_Static_assert(sizeof(((struct pt_task *)0)->abi) == 4, "abi is 32 bits");
_Static_assert(sizeof(((struct pt_task *)0)->size) == 4, "size is 32 bits");
_Static_assert(PT_ABI_VERSION == 1, "this file describes ABI version 1");

#if UINTPTR_MAX == 0xffffffffffffffff
_Static_assert(offsetof(struct pt_task, name) == 8, "name at 8");
_Static_assert(offsetof(struct pt_task, summary) == 16, "summary at 16");
_Static_assert(offsetof(struct pt_task, setup) == 24, "setup at 24");
_Static_assert(offsetof(struct pt_task, worker_setup) == 32, "worker_setup at 32");
_Static_assert(offsetof(struct pt_task, run) == 40, "run at 40");
_Static_assert(offsetof(struct pt_task, worker_teardown) == 48, "worker_teardown at 48");
_Static_assert(offsetof(struct pt_task, teardown) == 56, "teardown at 56");
_Static_assert(sizeof(struct pt_task) == 64, "version 1 is 64 bytes on LP64");
#endif

static int abi_run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

PT_TASK(.name = "abi-test", .summary = "defined with PT_TASK", .run = abi_run);

static void expect_refused(const struct pt_task *t, int err, const char *words)
{
	pt_module *m;

	errno = 0;
	m = pt_module_from_task(t, "refused-task");
	ck_assert_ptr_null(m);
	ck_assert_int_eq(errno, err);
	ck_assert_msg(strstr(pt_last_error(), words) != NULL,
		      "message '%s' does not contain '%s'", pt_last_error(), words);
	ck_assert_msg(strstr(pt_last_error(), "refused-task") != NULL,
		      "message '%s' does not name the task", pt_last_error());
}

START_TEST(test_pt_task_macro_fills_header)
{
	ck_assert_uint_eq(proftune_task.abi, PT_ABI_VERSION);
	ck_assert_uint_eq(proftune_task.size, sizeof(struct pt_task));
	ck_assert_str_eq(proftune_task.name, "abi-test");
	ck_assert_str_eq(proftune_task.summary, "defined with PT_TASK");
	ck_assert_ptr_eq((void *)proftune_task.run, (void *)abi_run);
	ck_assert_ptr_null((void *)proftune_task.setup);
	ck_assert_ptr_null((void *)proftune_task.worker_setup);
	ck_assert_ptr_null((void *)proftune_task.worker_teardown);
	ck_assert_ptr_null((void *)proftune_task.teardown);
}
END_TEST

START_TEST(test_from_task_accepts_valid)
{
	pt_module *m = pt_module_from_task(&proftune_task, "in-process:abi");

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(pt_module_task(m), &proftune_task);
	ck_assert_str_eq(pt_module_path(m), "in-process:abi");
	pt_module_close(m);

	m = pt_module_from_task(&proftune_task, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(pt_module_path(m));
	ck_assert_int_gt((int)strlen(pt_module_path(m)), 0);
	pt_module_close(m);
}
END_TEST

START_TEST(test_from_task_accepts_larger_size)
{
	struct pt_task t = proftune_task;
	pt_module *m;

	t.size = sizeof(struct pt_task) + 16;
	m = pt_module_from_task(&t, "newer");
	ck_assert_ptr_nonnull(m);
	pt_module_close(m);
}
END_TEST

START_TEST(test_from_task_rejects_abi_999)
{
	struct pt_task t = proftune_task;

	t.abi = 999;
	expect_refused(&t, EPROTO, "ABI version 999; this proftune supports 1");
}
END_TEST

START_TEST(test_from_task_rejects_abi_0)
{
	struct pt_task t = proftune_task;

	t.abi = 0;
	expect_refused(&t, EPROTO, "ABI version 0");
}
END_TEST

START_TEST(test_from_task_rejects_small_size)
{
	struct pt_task t = proftune_task;

	t.size = 8;
	expect_refused(&t, EPROTO, "smaller");
	t.size = (uint32_t)(sizeof(struct pt_task) - sizeof(void *));
	expect_refused(&t, EPROTO, "smaller");
	t.size = 0;
	expect_refused(&t, EPROTO, "smaller");
}
END_TEST

START_TEST(test_from_task_rejects_null_run)
{
	struct pt_task t = proftune_task;

	t.run = NULL;
	expect_refused(&t, EINVAL, "no run callback");
}
END_TEST

START_TEST(test_from_task_rejects_null_task)
{
	errno = 0;
	ck_assert_ptr_null(pt_module_from_task(NULL, "x"));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_gt((int)strlen(pt_last_error()), 0);
}
END_TEST

START_TEST(test_version_string)
{
	ck_assert_str_eq(pt_version(), PACKAGE_VERSION);
}
END_TEST

Suite *suite_abi(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("task");

	tcase_add_test(tc, test_pt_task_macro_fills_header);
	tcase_add_test(tc, test_from_task_accepts_valid);
	tcase_add_test(tc, test_from_task_accepts_larger_size);
	tcase_add_test(tc, test_from_task_rejects_abi_999);
	tcase_add_test(tc, test_from_task_rejects_abi_0);
	tcase_add_test(tc, test_from_task_rejects_small_size);
	tcase_add_test(tc, test_from_task_rejects_null_run);
	tcase_add_test(tc, test_from_task_rejects_null_task);
	tcase_add_test(tc, test_version_string);
	suite_add_tcase(s, tc);
	return s;
}
