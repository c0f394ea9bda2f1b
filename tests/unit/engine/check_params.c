/* check_params.c - KEY=VALUE task parameters and their integer and number parsing */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "../check.h"
#include "engine/params.h"
#include "proftune.h"

static void assert_error_mentions(const char *words)
{
	ck_assert_msg(strstr(pt_last_error(), words) != NULL,
		      "message '%s' does not contain '%s'", pt_last_error(), words);
}

START_TEST(test_add_parses)
{
	pt_params *p = pt_params_new();

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(pt_params_count(p), 0);
	ck_assert_int_eq(pt_params_add(p, "n=42"), 0);
	ck_assert_int_eq(pt_params_add(p, "empty="), 0);
	ck_assert_int_eq(pt_params_add(p, "expr=a=b=c"), 0);
	ck_assert_int_eq(pt_params_add(p, "spaced key= v "), 0);
	ck_assert_uint_eq(pt_params_count(p), 4);
	ck_assert_str_eq(pt_params_key(p, 0), "n");
	ck_assert_str_eq(pt_params_value(p, 0), "42");
	ck_assert_str_eq(pt_params_key(p, 1), "empty");
	ck_assert_str_eq(pt_params_value(p, 1), "");
	ck_assert_str_eq(pt_params_key(p, 2), "expr");
	ck_assert_str_eq(pt_params_value(p, 2), "a=b=c");
	ck_assert_str_eq(pt_params_key(p, 3), "spaced key");
	ck_assert_str_eq(pt_params_value(p, 3), " v ");
	ck_assert_ptr_null(pt_params_key(p, 4));
	ck_assert_ptr_null(pt_params_value(p, 4));
	ck_assert_int_eq(pt_params_find(p, "expr"), 2);
	ck_assert_int_eq(pt_params_find(p, "missing"), -1);
	ck_assert_int_eq(pt_params_find(p, "e"), -1);
	pt_params_free(p);
}
END_TEST

START_TEST(test_add_replaces)
{
	pt_params *p = pt_params_new();

	ck_assert_int_eq(pt_params_add(p, "a=1"), 0);
	ck_assert_int_eq(pt_params_add(p, "b=2"), 0);
	ck_assert_int_eq(pt_params_add(p, "a=3"), 0);
	ck_assert_uint_eq(pt_params_count(p), 2);
	ck_assert_str_eq(pt_params_key(p, 0), "a");
	ck_assert_str_eq(pt_params_value(p, 0), "3");
	ck_assert_str_eq(pt_params_value(p, 1), "2");
	pt_params_free(p);
}
END_TEST

START_TEST(test_add_many)
{
	pt_params *p = pt_params_new();
	char buf[32];

	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "k%d=%d", i, i * i);
		ck_assert_int_eq(pt_params_add(p, buf), 0);
	}
	ck_assert_uint_eq(pt_params_count(p), 100);
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "k%d", i);
		ck_assert_int_eq(pt_params_find(p, buf), i);
		snprintf(buf, sizeof(buf), "%d", i * i);
		ck_assert_str_eq(pt_params_value(p, (size_t)i), buf);
	}
	pt_params_free(p);
}
END_TEST

START_TEST(test_add_errors)
{
	pt_params *p = pt_params_new();

	errno = 0;
	ck_assert_int_eq(pt_params_add(p, "novalue"), -EINVAL);
	ck_assert_int_eq(errno, EINVAL);
	assert_error_mentions("'novalue'");
	assert_error_mentions("KEY=VALUE");
	ck_assert_int_eq(pt_params_add(p, "=5"), -EINVAL);
	assert_error_mentions("'=5'");
	assert_error_mentions("empty key");
	ck_assert_int_eq(pt_params_add(p, ""), -EINVAL);
	ck_assert_uint_eq(pt_params_count(p), 0);
	pt_params_free(p);
}
END_TEST

START_TEST(test_null_params)
{
	ck_assert_uint_eq(pt_params_count(NULL), 0);
	ck_assert_ptr_null(pt_params_key(NULL, 0));
	ck_assert_ptr_null(pt_params_value(NULL, 0));
	ck_assert_int_eq(pt_params_find(NULL, "a"), -1);
	pt_params_free(NULL);
}
END_TEST

static void expect_int(const char *s, long long want)
{
	long long v = 0x5a5a;
	int rc = pt_parse_int(s, &v);

	ck_assert_msg(rc == 0, "pt_parse_int(\"%s\") = %d", s, rc);
	ck_assert_msg(v == want, "pt_parse_int(\"%s\") gave %lld, want %lld", s, v, want);
}

static void expect_int_error(const char *s, int err)
{
	long long v = 0;
	int rc = pt_parse_int(s, &v);

	ck_assert_msg(rc == err, "pt_parse_int(\"%s\") = %d (value %lld), want %d", s, rc, v, err);
}

START_TEST(test_parse_int_valid)
{
	expect_int("0", 0);
	expect_int("42", 42);
	expect_int("-7", -7);
	expect_int("+9", 9);
	expect_int("0x1f", 31);
	expect_int("0XFF", 255);
	expect_int("010", 8);
	expect_int("4k", 4000);
	expect_int("4K", 4000);
	expect_int("2M", 2000000);
	expect_int("3G", 3000000000LL);
	expect_int("-2k", -2000);
	expect_int("0x10k", 16000);
	expect_int("9223372036854775807", LLONG_MAX);
	expect_int("-9223372036854775808", LLONG_MIN);
	expect_int("9223372036G", 9223372036000000000LL);
}
END_TEST

START_TEST(test_parse_int_overflow)
{
	expect_int_error("9223372037G", -ERANGE);
	expect_int_error("-9223372037G", -ERANGE);
	expect_int_error("9223372036854776k", -ERANGE);
	/* strtoll's own overflow is a range error, like the suffix overflows */
	expect_int_error("9223372036854775808", -ERANGE);
	expect_int_error("-9223372036854775809", -ERANGE);
	expect_int_error("99999999999999999999999", -ERANGE);
}
END_TEST

START_TEST(test_parse_int_garbage)
{
	expect_int_error("", -EINVAL);
	expect_int_error("abc", -EINVAL);
	expect_int_error("12x", -EINVAL);
	expect_int_error("12 ", -EINVAL);
	expect_int_error("k", -EINVAL);
	expect_int_error("1kk", -EINVAL);
	expect_int_error("1m", -EINVAL);
	expect_int_error("1g", -EINVAL);
	expect_int_error("1T", -EINVAL);
	expect_int_error("1.5", -EINVAL);
	expect_int_error("1e3", -EINVAL);
	expect_int_error("0x", -EINVAL);
	expect_int_error("08", -EINVAL);
	expect_int_error("-", -EINVAL);
}
END_TEST

static void expect_double(const char *s, double want)
{
	double v = -12345;
	int rc = pt_parse_double(s, &v);

	ck_assert_msg(rc == 0, "pt_parse_double(\"%s\") = %d", s, rc);
	ck_assert_msg(v == want, "pt_parse_double(\"%s\") gave %.17g, want %.17g", s, v, want);
}

static void expect_double_error(const char *s)
{
	double v;
	int rc = pt_parse_double(s, &v);

	ck_assert_msg(rc == -EINVAL, "pt_parse_double(\"%s\") = %d, want -EINVAL", s, rc);
}

START_TEST(test_parse_double)
{
	expect_double("0", 0.0);
	expect_double("1.5", 1.5);
	expect_double("-2e3", -2000.0);
	expect_double(".25", 0.25);
	expect_double("0x10", 16.0);
	expect_double("7", 7.0);
	expect_double_error("");
	expect_double_error("abc");
	expect_double_error("1.5x");
	expect_double_error("1.5 ");
	expect_double_error("1,5");
	expect_double_error("1e999");
	expect_double_error("e5");
}
END_TEST

Suite *suite_params(void)
{
	Suite *s = suite_create("params");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, test_add_parses);
	tcase_add_test(tc, test_add_replaces);
	tcase_add_test(tc, test_add_many);
	tcase_add_test(tc, test_add_errors);
	tcase_add_test(tc, test_null_params);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_int_valid);
	tcase_add_test(tc, test_parse_int_overflow);
	tcase_add_test(tc, test_parse_int_garbage);
	tcase_add_test(tc, test_parse_double);
	suite_add_tcase(s, tc);
	return s;
}
