/* check_validate.c - reading a results document back: accepted fields, and every refusal says where */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "proftune.h"
#include "testdoc.h"

static void expect_text_error(const char *text, const char *message)
{
	pt_doc *d = pt_doc_parse(text, strlen(text), "t.json");

	ck_assert_msg(d == NULL, "accepted '%s'", text);
	ck_assert_msg(strstr(pt_last_error(), message), "'%s' does not say '%s'", pt_last_error(),
		      message);
}

/* LEN bytes of TEXT, which may hold NULs, must be refused with MESSAGE. */
static void expect_bytes_error(const char *text, size_t len, const char *message)
{
	pt_doc *d = pt_doc_parse(text, len, "t.json");

	ck_assert_msg(d == NULL, "accepted '%s'", text);
	ck_assert_str_eq(pt_last_error(), message);
}

START_TEST(validate_accepts_a_document)
{
	unsigned w[] = { 1, 2 };
	double x[] = { 100, 190 };
	pt_doc *d = parse_tree(make_doc("run", w, x, 2), NULL);
	char *text = pt_doc_json(d);

	ck_assert_str_eq(pt_doc_name(d), "t.json");
	ck_assert_str_eq(pt_doc_command(d), "run");
	ck_assert_str_eq(pt_doc_task(d), "spin");
	ck_assert_ptr_nonnull(strstr(text, "\"schema\":\t\"proftune/1\""));
	free(text);
	pt_doc_free(d);
}
END_TEST

START_TEST(validate_refuses_broken_text)
{
	expect_text_error("", "is empty");
	expect_text_error(" \n\t", "is empty");
	expect_text_error("\177ELF\002\001\001", "binary data, not JSON (byte 0 is 0x7f)");
	/* the first NUL is named, not the byte where the parser stopped */
	expect_bytes_error("{\"a\0b\": 1x}", 11, "'t.json' is binary data, not JSON (byte 3 is "
			   "0x00)");
	expect_bytes_error("[1, 2, x]\0", 10, "'t.json' is binary data, not JSON (byte 9 is 0x00)");
	expect_bytes_error("{\"schema\": \"a\001b\", x\0", 20,
			   "'t.json' is binary data, not JSON (byte 13 is 0x01)");
	expect_bytes_error("\0\0x", 3, "'t.json' is binary data, not JSON (byte 0 is 0x00)");
	expect_text_error("{\"a\": 1x}", "parse error at byte 7 (near 'x}')");
	expect_text_error("{\"schema\": \"proftune/1\", \"trials\": [", "truncated JSON: it ends "
			  "at byte 36 inside an unclosed array");
	expect_text_error("{\"schema\": \"proftune/1\", \"command\": \"ru", "inside an unclosed "
			  "string");
	expect_text_error("{\"schema\": \"proftune/1\"} trailing", "text after the JSON document "
			  "at byte 25");
	expect_text_error("[1, 2]", "the JSON is an array, not an object");
	expect_text_error("{\"a\": 1}", "no 'schema' field");
	expect_text_error("{\"schema\": \"proftune/3\"}", "has schema 'proftune/3'; this proftune "
			  "reads 'proftune/2' and 'proftune/1'");
}
END_TEST

START_TEST(validate_refuses_bad_fields)
{
	unsigned w[] = { 2 };
	double x[] = { 100 };
	cJSON *d;

	d = make_doc("run", w, x, 1);
	cJSON_DeleteItemFromObject(d, "trials");
	parse_tree(d, "'t.json': missing required field 'trials'");

	d = make_doc("run", w, x, 1);
	cJSON_DeleteItemFromObject(json_at(d, "trials.0"), "workers");
	parse_tree(d, "'t.json': trials[0]: missing required field 'workers'");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "workers", cJSON_CreateString("2"));
	parse_tree(d, "trials[0].workers: expected a number, found a string");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "workers", cJSON_CreateNumber(1e308));
	parse_tree(d, "trials[0].workers: 1e+308 is out of range (expected an "
		   "integer from 1 to 1000000)");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "items", cJSON_CreateNumber(2.5));
	parse_tree(d, "trials[0].items: 2.5 is out of range (expected an integer");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0"), "wall_s", cJSON_CreateNumber(-1));
	parse_tree(d, "trials[0].wall_s: -1 is out of range");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(d, "host", cJSON_CreateArray());
	parse_tree(d, "host: expected an object, found an array");

	d = make_doc("fit", w, x, 1);
	parse_tree(d, "command: 'fit' is not \"run\" or \"tune\"");

	d = make_doc("run", w, x, 1);
	cJSON_ReplaceItemInObject(json_at(d, "trials.0.per_worker.1"), "end_s",
				  cJSON_CreateNumber(0.05));
	parse_tree(d, "trials[0].per_worker[1]: end_s is before start_s");
}
END_TEST

START_TEST(validate_refuses_overflow)
{
	/* cJSON reads 1e999 as infinity: refused wherever it is */
	const char *head = "{\"schema\": \"proftune/1\", \"proftune_version\": \"0\", "
		"\"command\": \"run\", \"created\": \"x\", \"host\": {\"hostname\": \"h\"}, "
		"\"task\": {\"path\": \"p\", \"name\": \"n\", \"params\": {}}, \"config\": {}, ";
	char text[1024];

	snprintf(text, sizeof(text), "%s\"trials\": [], \"extra\": {\"x\": 1e999}}", head);
	expect_text_error(text, "extra.x: the number is out of range (it overflows a double)");
	snprintf(text, sizeof(text), "%s\"trials\": [{\"workers\": 1e999}]}", head);
	expect_text_error(text, "trials[0]");
	snprintf(text, sizeof(text), "%s\"trials\": []}", head);
	pt_doc_free(pt_doc_parse(text, strlen(text), "ok.json"));
}
END_TEST

Suite *suite_validate(void)
{
	Suite *s = suite_create("validate");
	TCase *t = tcase_create("documents");

	tcase_add_test(t, validate_accepts_a_document);
	tcase_add_test(t, validate_refuses_broken_text);
	tcase_add_test(t, validate_refuses_bad_fields);
	tcase_add_test(t, validate_refuses_overflow);
	suite_add_tcase(s, t);
	return s;
}
