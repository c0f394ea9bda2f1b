/* check_loader.c - opening task modules: every refusal names the file and the reason */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "proftune.h"

static void assert_error_mentions(const char *words)
{
	ck_assert_msg(strstr(pt_last_error(), words) != NULL,
		      "message '%s' does not contain '%s'", pt_last_error(), words);
}

/* Open SPEC, expect NULL with errno ERR and a message naming the file and WORDS. */
static void expect_refused(const char *spec, const char *search, int err, const char *words)
{
	char *name = strdup(spec);
	pt_module *m;

	ck_assert_ptr_nonnull(name);
	errno = 0;
	m = pt_module_open(name, search);
	ck_assert_msg(m == NULL, "'%s' was loaded", name);
	ck_assert_msg(errno == err, "'%s': errno %d (%s), want %d (%s)", name, errno,
		      strerror(errno), err, strerror(err));
	assert_error_mentions(words);
	assert_error_mentions(name);
	free(name);
}

/* A temporary file in /tmp holding LEN bytes of DATA; the caller unlinks it. */
static char *temp_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/proftune-check-XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

START_TEST(test_missing_file)
{
	expect_refused("/nonexistent-dir/nothere.so", NULL, ENOENT, "no such file");
	expect_refused("./nothere.so", NULL, ENOENT, "no such file");
	expect_refused("nothere.so", NULL, ENOENT, "no such file");
}
END_TEST

START_TEST(test_no_spec)
{
	errno = 0;
	ck_assert_ptr_null(pt_module_open("", NULL));
	ck_assert_int_eq(errno, EINVAL);
	assert_error_mentions("no task given");
	errno = 0;
	ck_assert_ptr_null(pt_module_open(NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_empty_file)
{
	char *path = temp_file("", 0);

	expect_refused(path, NULL, ENOEXEC, "empty file");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_text_file)
{
	static const char text[] = "this is not a library\n";
	char *path = temp_file(text, sizeof(text) - 1);

	expect_refused(path, NULL, ENOEXEC, "not a shared object");
	unlink(path);
	free(path);

	path = temp_file("\177EL", 3);
	expect_refused(path, NULL, ENOEXEC, "not a shared object");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_truncated_elf)
{
	static const char header[64] = "\177ELF\002\001\001";
	char *path = temp_file(header, sizeof(header));

	expect_refused(path, NULL, ENOEXEC, "cannot be loaded as a shared object");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_directory)
{
	expect_refused("/tmp/", NULL, ENOEXEC, "not a regular file");
}
END_TEST

START_TEST(test_no_symbol)
{
	expect_refused(test_task_path("nosym"), NULL, ENOENT,
		       "does not export the symbol 'proftune_task'");
}
END_TEST

START_TEST(test_abi_999)
{
	expect_refused(test_task_path("abi999"), NULL, EPROTO,
		       "ABI version 999; this proftune supports 1");
}
END_TEST

START_TEST(test_abi_0)
{
	expect_refused(test_task_path("abi0"), NULL, EPROTO,
		       "ABI version 0; this proftune supports 1");
}
END_TEST

START_TEST(test_small_struct)
{
	expect_refused(test_task_path("small"), NULL, EPROTO, "smaller");
	assert_error_mentions("8 bytes");
}
END_TEST

START_TEST(test_no_run)
{
	expect_refused(test_task_path("norun"), NULL, EINVAL, "no run callback");
}
END_TEST

/* A copy of the first 2000 bytes of a real module: a valid ELF header whose
 * segments extend past the end of the file.  Made and removed by the runner
 * process, as the test process may die. */
static char *truncated_path;

static void truncated_create(void)
{
	char buf[2000];
	FILE *fp = fopen(test_task_path("good"), "rb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), fp), sizeof(buf));
	fclose(fp);
	truncated_path = temp_file(buf, sizeof(buf));
}

static void truncated_remove(void)
{
	if (truncated_path)
		unlink(truncated_path);
	free(truncated_path);
	truncated_path = NULL;
}

START_TEST(test_truncated_module)
{
	if (getenv("CK_FORK") && strcmp(getenv("CK_FORK"), "no") == 0)
		return;
	/* dlopen would map segments past the end of the file and die of SIGBUS */
	expect_refused(truncated_path, NULL, ENOEXEC, "cannot be loaded");
}
END_TEST

START_TEST(test_good_by_path)
{
	char *path = strdup(test_task_path("good"));
	pt_module *m = pt_module_open(path, NULL);

	ck_assert_msg(m != NULL, "%s", pt_last_error());
	ck_assert_str_eq(pt_module_task(m)->name, "good");
	ck_assert_uint_eq(pt_module_task(m)->abi, PT_ABI_VERSION);
	ck_assert_ptr_nonnull((void *)pt_module_task(m)->run);
	ck_assert_str_eq(pt_module_path(m), path);
	pt_module_close(m);
	free(path);
}
END_TEST

START_TEST(test_good_by_name)
{
	const char *dir = test_tasks_dir();
	char *path = strdup(test_task_path("good"));
	char *search = NULL;
	pt_module *m = pt_module_open("good", dir);

	ck_assert_msg(m != NULL, "%s", pt_last_error());
	ck_assert_str_eq(pt_module_task(m)->name, "good");
	ck_assert_str_eq(pt_module_path(m), path);
	pt_module_close(m);

	ck_assert_int_gt(asprintf(&search, "/nonexistent-a::/nonexistent-b:%s", dir), 0);
	m = pt_module_open("good", search);
	ck_assert_msg(m != NULL, "%s", pt_last_error());
	ck_assert_str_eq(pt_module_task(m)->name, "good");
	pt_module_close(m);
	free(search);
	free(path);
}
END_TEST

START_TEST(test_bad_module_by_name)
{
	expect_refused("abi999", test_tasks_dir(), EPROTO, "ABI version 999");
}
END_TEST

START_TEST(test_unknown_name)
{
	const char *dir = test_tasks_dir();

	expect_refused("nosuchtask", dir, ENOENT, "not found");
	assert_error_mentions(dir);
	expect_refused("nosuchtask", NULL, ENOENT, "not found");
	assert_error_mentions(pt_task_dir());
}
END_TEST

START_TEST(test_search_dirs)
{
	char *dirs = pt_task_search_dirs("/a:/b");
	size_t n;

	ck_assert_ptr_nonnull(dirs);
	ck_assert_int_eq(strncmp(dirs, "/a:/b:", 6), 0);
	n = strlen(dirs) - strlen(pt_task_dir());
	ck_assert_str_eq(dirs + n, pt_task_dir());
	free(dirs);
	dirs = pt_task_search_dirs(NULL);
	ck_assert_ptr_nonnull(dirs);
	ck_assert_ptr_nonnull(strstr(dirs, pt_task_dir()));
	ck_assert_int_ne(dirs[0], ':');
	free(dirs);
}
END_TEST

START_TEST(test_loaded_module_runs)
{
	pt_module *m = pt_module_open(test_task_path("failing"), NULL);
	pt_params *p = pt_params_new();
	struct pt_trial_config c;
	const struct pt_trial_stats *s;
	pt_trial *tr;

	ck_assert_msg(m != NULL, "%s", pt_last_error());
	ck_assert_int_eq(pt_params_add(p, "every=4"), 0);
	pt_trial_config_init(&c);
	c.items = 400;
	c.warmup_s = 0;
	c.counters = 0;
	c.params = p;
	tr = pt_trial_run(m, NULL, &c);
	ck_assert_msg(tr != NULL, "%s", pt_last_error());
	s = pt_trial_stats(tr);
	ck_assert_int_eq(s->status, PT_STATUS_FAILED);
	ck_assert_uint_eq(s->items, 400);
	ck_assert_uint_eq(s->errors, 100);
	ck_assert_str_eq(pt_trial_message(tr), "simulated failure (100 of 400 items failed, 25%, "
			 "more than --max-error-rate 5%)");
	pt_trial_free(tr);
	pt_params_free(p);
	pt_module_close(m);
}
END_TEST

START_TEST(test_open_twice)
{
	pt_module *a = pt_module_open(test_task_path("good"), NULL);
	pt_module *b = pt_module_open(test_task_path("noop"), NULL);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(pt_module_task(a)->name, "good");
	ck_assert_str_eq(pt_module_task(b)->name, "noop");
	ck_assert_ptr_ne(pt_module_task(a), pt_module_task(b));
	pt_module_close(a);
	ck_assert_str_eq(pt_module_task(b)->name, "noop");
	pt_module_close(b);
	pt_module_close(NULL);
}
END_TEST

Suite *suite_loader(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("refused");

	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_no_spec);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_text_file);
	tcase_add_test(tc, test_truncated_elf);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_no_symbol);
	tcase_add_test(tc, test_abi_999);
	tcase_add_test(tc, test_abi_0);
	tcase_add_test(tc, test_small_struct);
	tcase_add_test(tc, test_no_run);
	tcase_add_test(tc, test_bad_module_by_name);
	tcase_add_test(tc, test_unknown_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncated");
	tcase_add_unchecked_fixture(tc, truncated_create, truncated_remove);
	tcase_add_test(tc, test_truncated_module);
	suite_add_tcase(s, tc);

	tc = tcase_create("loaded");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_good_by_path);
	tcase_add_test(tc, test_good_by_name);
	tcase_add_test(tc, test_search_dirs);
	tcase_add_test(tc, test_loaded_module_runs);
	tcase_add_test(tc, test_open_twice);
	suite_add_tcase(s, tc);
	return s;
}
