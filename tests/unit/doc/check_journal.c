/* check_journal.c - saving a trial at a time: the journal, its cost, and what a kill leaves readable */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "base/file.h"
#include "doc/doc.h"
#include "doc/results.h"
#include "proftune.h"

static int journal_run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

static const struct pt_task journal_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "journal-task",
	.summary = "a task for the journal tests",
	.run = journal_run,
};

/* A directory of its own, a module and a document being measured. */
struct fixture {
	char dir[64], path[96], journal[112];
	pt_module *m;
	pt_results *r;
};

static void fixture_open(struct fixture *f, const char *command)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/proftune-check-journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/out.json", f->dir);
	snprintf(f->journal, sizeof(f->journal), "%s.journal", f->path);
	f->m = pt_module_from_task(&journal_task, "in-process:journal");
	ck_assert_msg(f->m != NULL, "%s", pt_last_error());
	f->r = pt_results_new(command, f->m, NULL, NULL, "{\"workers\":1}");
	ck_assert_msg(f->r != NULL, "%s", pt_last_error());
}

/* Measure one short trial into F's document. */
static void add_trial(struct fixture *f)
{
	struct pt_trial_config c;
	pt_trial *tr;

	pt_trial_config_init(&c);
	c.items = 100;
	c.warmup_s = 0;
	c.counters = 0;
	c.repeat = (unsigned)pt_results_trial_count(f->r);
	tr = pt_trial_run(f->m, NULL, &c);
	ck_assert_msg(tr != NULL, "%s", pt_last_error());
	pt_results_add_trial(f->r, tr);
}

static void save(struct fixture *f)
{
	ck_assert_msg(pt_results_save(f->r, f->path) == 0, "%s", pt_last_error());
}

/* Remove what the tests may leave in F's directory, then the directory. */
static void fixture_close(struct fixture *f)
{
	pt_results_free(f->r);
	pt_module_close(f->m);
	unlink(f->path);
	unlink(f->journal);
	ck_assert_int_eq(rmdir(f->dir), 0);
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s;
	long n;

	ck_assert_msg(fp != NULL, "cannot open '%s'", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

static void append(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static unsigned lines(const char *path)
{
	char *s = slurp(path);
	unsigned n = 0;

	for (const char *p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static int has_warning(const pt_doc *d, const char *part)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(d->root, "warnings"))
		if (strstr(json_str(w, "message"), part))
			return 1;
	return 0;
}

static int trials_of(const pt_doc *d)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d->root, "trials"));
}

START_TEST(test_save_then_write)
{
	struct fixture f;
	char *want, *got;
	pt_doc *d;

	fixture_open(&f, "run");
	for (unsigned i = 1; i <= 3; i++) {
		add_trial(&f);
		save(&f);
		/* the header, then one record a save; the output waits for the end */
		ck_assert_uint_eq(lines(f.journal), i + 1);
		ck_assert_int_eq(size_of(f.path), -1);
	}
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_str_eq(pt_doc_name(d), f.path);
	ck_assert_int_eq(trials_of(d), 3);
	ck_assert_int_eq(pt_doc_interrupted(d), 1);
	ck_assert(has_warning(d, "is still measuring"));
	pt_doc_free(d);

	ck_assert_msg(pt_results_write(f.r, f.path) == 0, "%s", pt_last_error());
	ck_assert_int_eq(size_of(f.journal), -1);
	want = pt_results_json(f.r);
	got = slurp(f.path);
	ck_assert_uint_eq(strlen(got), strlen(want) + 1);
	ck_assert_int_eq(strncmp(got, want, strlen(want)), 0);
	free(want);
	free(got);
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(pt_doc_interrupted(d), 0);
	pt_doc_free(d);
	fixture_close(&f);
}
END_TEST

/* What a save writes is the new trial's record, whatever came before: the
 * bytes added by the 40th save are those of one trial, as at the 5th. */
START_TEST(test_save_cost_constant)
{
	struct fixture f;
	off_t before, delta5 = 0, delta40 = 0;

	fixture_open(&f, "run");
	for (unsigned i = 1; i <= 40; i++) {
		add_trial(&f);
		before = size_of(f.journal);
		save(&f);
		if (i == 5)
			delta5 = size_of(f.journal) - before;
		if (i == 40)
			delta40 = size_of(f.journal) - before;
	}
	ck_assert_int_gt(delta5, 500);
	ck_assert_msg(delta40 < delta5 * 3 / 2 && delta40 > delta5 * 2 / 3,
		      "save 5 added %lld bytes, save 40 %lld", (long long)delta5,
		      (long long)delta40);
	ck_assert_int_eq(size_of(f.path), -1);
	fixture_close(&f);
}
END_TEST

static cJSON *summary_of(unsigned trials)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddNumberToObject(s, "trials", trials);
	cJSON_AddNullToObject(s, "optimal_workers");
	cJSON_AddNullToObject(s, "recommended_workers");
	cJSON_AddNullToObject(s, "best_throughput");
	cJSON_AddArrayToObject(s, "tested_workers");
	cJSON_AddArrayToObject(s, "per_count");
	return s;
}

/* A kill leaves the journal: what it read back holds every complete save,
 * and a save cut short is dropped whole, its summary with its trial. */
START_TEST(test_killed_torn_line)
{
	struct fixture f;
	pt_doc *d;

	fixture_open(&f, "tune");
	for (unsigned i = 1; i <= 2; i++) {
		add_trial(&f);
		pt_results_set_summary(f.r, summary_of(i));
		save(&f);
	}
	pt_results_warn(f.r, "a warning saved with the trials");
	save(&f);
	pt_results_free(f.r);
	f.r = NULL;
	ck_assert_int_eq(size_of(f.path), -1);

	append(f.journal, "{\"trials\":[{\"workers\":1,\"sta");
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 2);
	ck_assert_int_eq(pt_doc_interrupted(d), 1);
	ck_assert_int_eq((int)json_num(d->root, "summary.trials"), 2);
	ck_assert(has_warning(d, "a warning saved with the trials"));
	ck_assert(has_warning(d, "stopped before writing it: these 2 trials are recovered"));
	ck_assert(has_warning(d, "was cut short"));
	ck_assert(!has_warning(d, "not complete records"));
	pt_doc_free(d);

	/* a complete line that is no record is dropped, the rest kept */
	append(f.journal, "\n{\"trials\":7}\n");
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 2);
	ck_assert(has_warning(d, "2 lines of"));
	ck_assert(!has_warning(d, "was cut short"));
	pt_doc_free(d);
	fixture_close(&f);
}
END_TEST

/* The next save to the same file takes the journal over, and first writes
 * the killed run's trials to the file, so that nothing saved is lost. */
START_TEST(test_next_run_takes_over)
{
	struct fixture f;
	pt_results *next;
	pt_doc *d;

	fixture_open(&f, "run");
	add_trial(&f);
	add_trial(&f);
	save(&f);
	pt_results_free(f.r);
	f.r = NULL;

	next = pt_results_new("run", f.m, NULL, NULL, "{\"workers\":1,\"next\":true}");
	ck_assert_ptr_nonnull(next);
	f.r = next;
	add_trial(&f);
	save(&f);
	d = pt_doc_load(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 2);
	ck_assert_int_eq(pt_doc_interrupted(d), 1);
	ck_assert(json_at(d->root, "config.next") == NULL);
	pt_doc_free(d);
	ck_assert_uint_eq(lines(f.journal), 2);

	/* the reader prefers the newer run in the journal */
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 1);
	ck_assert(cJSON_IsTrue(json_at(d->root, "config.next")));
	pt_doc_free(d);

	ck_assert_int_eq(pt_results_write(f.r, f.path), 0);
	ck_assert_int_eq(size_of(f.journal), -1);
	fixture_close(&f);
}
END_TEST

/* A journal that outlived the document its run wrote at the end (a kill
 * between the two) adds nothing: the document is read. */
START_TEST(test_journal_outlived_document)
{
	struct fixture f;
	char *copy;
	pt_doc *d;

	fixture_open(&f, "run");
	add_trial(&f);
	save(&f);
	add_trial(&f);
	save(&f);
	copy = slurp(f.journal);
	ck_assert_int_eq(pt_results_write(f.r, f.path), 0);
	append(f.journal, copy);
	free(copy);
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 2);
	ck_assert_int_eq(pt_doc_interrupted(d), 0);
	ck_assert(!has_warning(d, "journal"));
	pt_doc_free(d);
	fixture_close(&f);
}
END_TEST

/* Another process saving to the same file holds the journal: this one
 * writes the whole document instead and leaves the journal alone. */
START_TEST(test_journal_busy)
{
	struct fixture f;
	int fd, other;
	pt_doc *d;

	fixture_open(&f, "run");
	fd = open(f.journal, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pt_file_lock(fd), 0);
	other = open(f.journal, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(pt_file_locked(other), 1);
	close(other);
	add_trial(&f);
	save(&f);
	ck_assert_int_eq(size_of(f.journal), 0);
	d = pt_doc_load(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 1);
	pt_doc_free(d);
	close(fd);
	fixture_close(&f);
}
END_TEST

/* A file that is not a journal is never written over. */
START_TEST(test_foreign_file_kept)
{
	struct fixture f;
	char *text;
	pt_doc *d;

	fixture_open(&f, "run");
	append(f.journal, "mine, not proftune's\n");
	add_trial(&f);
	save(&f);
	text = slurp(f.journal);
	ck_assert_str_eq(text, "mine, not proftune's\n");
	free(text);
	d = pt_doc_recover(f.path);
	ck_assert_msg(d != NULL, "%s", pt_last_error());
	ck_assert_int_eq(trials_of(d), 1);
	pt_doc_free(d);
	fixture_close(&f);
}
END_TEST

Suite *suite_journal(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("save");

	/* each test measures up to 40 trials of 100 items */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_save_then_write);
	tcase_add_test(tc, test_save_cost_constant);
	tcase_add_test(tc, test_killed_torn_line);
	tcase_add_test(tc, test_next_run_takes_over);
	tcase_add_test(tc, test_journal_outlived_document);
	tcase_add_test(tc, test_journal_busy);
	tcase_add_test(tc, test_foreign_file_kept);
	suite_add_tcase(s, tc);
	return s;
}
