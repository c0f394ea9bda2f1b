/* check_text.c - text from outside made safe: ill-formed UTF-8 replaced, control characters shown, widths, fixed buffers, error messages, JSON */
#include "config.h"

#include <errno.h>
#include <stdint.h>

#include "../check.h"
#include "proftune.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"

/* U+FFFD in UTF-8. */
#define R "\xef\xbf\xbd"

/* S (N bytes) as pt_strbuf_add_text() with HOW appends it; freed by the
 * next call. */
static const char *text_n(const char *s, size_t n, enum pt_text how)
{
	static char *last;
	struct pt_strbuf b = PT_STRBUF_INIT;

	free(last);
	pt_strbuf_add_text(&b, s, n, how);
	last = pt_strbuf_finish(&b);
	ck_assert_ptr_nonnull(last);
	return last;
}

static const char *text(const char *s, enum pt_text how)
{
	return text_n(s, strlen(s), how);
}

/* Valid text, from ASCII to the last code point, passes every mode as it
 * is, and needs no copy. */
START_TEST(test_valid_unchanged)
{
	static const char *const valid[] = {
		"", "plain ascii ~!@#$%^&*()", "caf\xc3\xa9", "12 \xc2\xb5s",
		"\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80 emoji",
		"\xc2\xa0 first above C1", "\xed\x9f\xbf before surrogates",
		"\xee\x80\x80 after surrogates", "\xf4\x8f\xbf\xbf last code point",
		"\xef\xbf\xbd already replaced",
	};
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		for (int how = PT_TEXT_UTF8; how <= PT_TEXT_LINES; how++) {
			ck_assert_msg(pt_utf8_clean(valid[i], strlen(valid[i]), how),
				      "'%s' is clean (mode %d)", valid[i], how);
			ck_assert_str_eq(text(valid[i], how), valid[i]);
		}
	}
}
END_TEST

/* Each class of ill-formed sequence becomes U+FFFD per maximal subpart,
 * the same text Python's bytes.decode("utf-8", "replace") gives. */
START_TEST(test_invalid_replaced)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\x80", R },                               /* stray continuation */
		{ "a\xbf\x80z", "a" R R "z" },
		{ "\xc0\xaf", R R },                         /* overlong '/' */
		{ "\xc1\xbf", R R },
		{ "\xe0\x80\xaf", R R R },                   /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", R R R R },             /* overlong, 4 bytes */
		{ "\xed\xa0\x80", R R R },                   /* surrogate U+D800 */
		{ "\xed\xbf\xbf", R R R },                   /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", R R R R },             /* U+110000 */
		{ "\xf5\x80", R R },                         /* never a lead byte */
		{ "\xff\xfe", R R },
		{ "x\xe2\x82", "x" R },                      /* cut short at the end */
		{ "\xe2\x82" "A", R "A" },                   /* cut short by ASCII */
		{ "\xf0\x9f\x98", R },
		{ "a\xf0\x9f\x98\x80" "b\xe2\x82", "a\xf0\x9f\x98\x80" "b" R },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;

		ck_assert_msg(!pt_utf8_clean(in, strlen(in), PT_TEXT_UTF8), "case %zu is not clean", i);
		ck_assert_str_eq(text(in, PT_TEXT_UTF8), cases[i].out);
		ck_assert_str_eq(text(in, PT_TEXT_SHOWN), cases[i].out);
	}
	/* a NUL inside the bytes given is a control character like another */
	ck_assert_str_eq(text_n("a\0b", 3, PT_TEXT_SHOWN), "a\\x00b");
}
END_TEST

START_TEST(test_decode)
{
	uint32_t cp;

	ck_assert_int_eq(pt_utf8_decode("A", 1, &cp), 1);
	ck_assert_uint_eq(cp, 'A');
	ck_assert_int_eq(pt_utf8_decode("\xc3\xa9", 2, &cp), 2);
	ck_assert_uint_eq(cp, 0xe9);
	ck_assert_int_eq(pt_utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	ck_assert_uint_eq(cp, 0x20ac);
	ck_assert_int_eq(pt_utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	ck_assert_uint_eq(cp, 0x10ffff);
	/* ill-formed: minus the maximal subpart */
	ck_assert_int_eq(pt_utf8_decode("\xe2\x82\xac", 2, &cp), -2);
	ck_assert_uint_eq(cp, 0xfffd);
	ck_assert_int_eq(pt_utf8_decode("\xed\xa0\x80", 3, &cp), -1);
	ck_assert_int_eq(pt_utf8_decode("\xf0\x9f\x98" "A", 4, &cp), -3);
}
END_TEST

/* A terminal escape (set the title, clear the screen) is shown as text;
 * JSON keeps the characters, which its writer escapes. */
START_TEST(test_controls_shown)
{
	const char *title = "\x1b]0;pwned\x07\x1b[2J";

	ck_assert(!pt_utf8_clean(title, strlen(title), PT_TEXT_SHOWN));
	ck_assert(pt_utf8_clean(title, strlen(title), PT_TEXT_UTF8));
	ck_assert_str_eq(text(title, PT_TEXT_SHOWN), "\\x1b]0;pwned\\x07\\x1b[2J");
	ck_assert_str_eq(text(title, PT_TEXT_UTF8), title);
	ck_assert_str_eq(text("a\nb\tc\rd", PT_TEXT_SHOWN), "a\\nb\\tc\\rd");
	ck_assert_str_eq(text("\x01\x1f\x7f", PT_TEXT_SHOWN), "\\x01\\x1f\\x7f");
	/* C1 controls: U+0085 (NEL), U+009B (CSI); U+00A0 is not one */
	ck_assert_str_eq(text("\xc2\x85\xc2\x9b" "31m\xc2\xa0", PT_TEXT_SHOWN),
			 "\\u0085\\u009b31m\xc2\xa0");
	/* CSV fields keep their lines and tabs (quoted), not the rest */
	ck_assert_str_eq(text("l1\nl2\tx\r\x1b[2J", PT_TEXT_LINES), "l1\nl2\tx\\r\\x1b[2J");
	/* showing is idempotent: shown text is left as it is */
	{
		char *once = strdup(text(title, PT_TEXT_SHOWN));

		ck_assert(pt_utf8_clean(once, strlen(once), PT_TEXT_SHOWN));
		ck_assert_str_eq(text(once, PT_TEXT_SHOWN), once);
		free(once);
	}
	/* no byte of what is shown is a control or ill-formed */
	{
		const char *t = text("\x1b\xff\x9b\xc2\x9b\x07", PT_TEXT_SHOWN);

		ck_assert(pt_utf8_clean(t, strlen(t), PT_TEXT_SHOWN));
		ck_assert_str_eq(t, "\\x1b" R R "\\u009b\\x07");
	}
}
END_TEST

START_TEST(test_width)
{
	ck_assert_uint_eq(pt_utf8_width("abc", 3), 3);
	ck_assert_uint_eq(pt_utf8_width("caf\xc3\xa9", 5), 4);
	ck_assert_uint_eq(pt_utf8_width("\xc2\xb5s", 3), 2);
	ck_assert_uint_eq(pt_utf8_width("\xe4\xb8\xad\xe6\x96\x87", 6), 4);
	ck_assert_uint_eq(pt_utf8_width("e\xcc\x81", 3), 1);       /* combining acute */
	ck_assert_uint_eq(pt_utf8_width("\xef\xbc\xa1", 3), 2);    /* fullwidth A */
	ck_assert_uint_eq(pt_utf8_width("\xf0\x9f\x98\x80", 4), 2);
	ck_assert_uint_eq(pt_utf8_width("\xff" "a", 2), 2);        /* U+FFFD, a */
}
END_TEST

/* Into a fixed buffer, text is cut at a character or an escape, never
 * inside one. */
START_TEST(test_copy_cut)
{
	char buf[16];

	ck_assert_uint_eq(pt_text_copy(buf, 7, "ab\x1b", 3, PT_TEXT_SHOWN), 6);
	ck_assert_str_eq(buf, "ab\\x1b");
	ck_assert_uint_eq(pt_text_copy(buf, 6, "ab\x1b", 3, PT_TEXT_SHOWN), 2);
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(pt_text_copy(buf, 3, "a\xc3\xa9", 3, PT_TEXT_SHOWN), 1);
	ck_assert_str_eq(buf, "a");
	ck_assert_uint_eq(pt_text_copy(buf, 5, "a\xff" "b", 3, PT_TEXT_UTF8), 4);
	ck_assert_str_eq(buf, "a" R);
	ck_assert_uint_eq(pt_text_copy(buf, sizeof(buf), "x\ty", 3, PT_TEXT_UTF8), 3);
	ck_assert_str_eq(buf, "x\ty");
}
END_TEST

/* An error message quoting hostile text is safe to print, and a long one
 * is cut at a character: valid UTF-8 to its end. */
START_TEST(test_error_message)
{
	char big[2000];
	const char *e;

	ck_assert_int_eq(pt_fail(EINVAL, "cannot open task '%s'", "t\x1b]0;x\x07\xff.so"), -EINVAL);
	ck_assert_str_eq(pt_last_error(), "cannot open task 't\\x1b]0;x\\x07" R ".so'");
	for (size_t i = 0; i + 3 < sizeof(big); i += 3)
		memcpy(big + i, "\xe4\xb8\xad", 3);
	big[sizeof(big) - 2] = '\0';
	pt_fail(EINVAL, "x%s", big);
	e = pt_last_error();
	ck_assert(strlen(e) > 400);
	ck_assert(pt_utf8_clean(e, strlen(e), PT_TEXT_SHOWN));
}
END_TEST

/* Is the JSON text S valid UTF-8 that cJSON reads back? */
static int readable(const char *s)
{
	cJSON *t = s ? cJSON_Parse(s) : NULL;
	int ok = t && pt_utf8_clean(s, strlen(s), PT_TEXT_UTF8);

	cJSON_Delete(t);
	return ok;
}

START_TEST(test_json_writers)
{
	cJSON *o = cJSON_CreateObject(), *v;
	char *s;

	pt_json_add_string(o, "host", "h\xff" "ost\x1b[2J");
	pt_json_add_string(o, "k\xc0\xaf", "ok");
	pt_json_add_number(o, "count\xed\xa0\x80", 3);
	pt_json_add_string(o, "none", NULL);
	v = pt_json_add_object(o, "obj\xf5");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(pt_json_str(o, "host"), "h" R "ost\x1b[2J");
	ck_assert_str_eq(pt_json_str(o, "k" R R), "ok");
	ck_assert(pt_json_num(o, "count" R R R) == 3);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "none")));
	ck_assert_ptr_eq(cJSON_GetObjectItemCaseSensitive(o, "obj" R), v);
	s = pt_json_print(o, 1);
	ck_assert(readable(s));
	/* the escape stays a character of the string, written \u001b */
	ck_assert_ptr_nonnull(strstr(s, "\\u001b[2J"));
	free(s);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_json_tree)
{
	const char *doc = "{\"host\":{\"hostname\":\"\\u001b]0;pwned\\u0007\"},"
			  "\"params\":{\"k\xff\":\"v\xe2\x82\"},\"list\":[\"\xc0\", 1, \"ok\"]}";
	cJSON *t = cJSON_Parse(doc), *copy, *ref;
	char *s;

	ck_assert_ptr_nonnull(t);
	/* cJSON reads ill-formed bytes as they are, and prints them so */
	s = cJSON_PrintUnformatted(t);
	ck_assert(!readable(s));
	free(s);
	s = pt_json_print(t, 0);
	ck_assert(readable(s));
	ck_assert_str_eq(s, "{\"host\":{\"hostname\":\"\\u001b]0;pwned\\u0007\"},"
			 "\"params\":{\"k" R "\":\"v" R "\"},\"list\":[\"" R "\",1,\"ok\"]}");
	free(s);
	/* cleaned for people: the controls are shown as text */
	copy = cJSON_Duplicate(t, 1);
	ck_assert_int_eq(pt_json_clean(copy, PT_TEXT_SHOWN), 0);
	ck_assert_str_eq(pt_json_str(cJSON_GetObjectItemCaseSensitive(copy, "host"), "hostname"),
			 "\\x1b]0;pwned\\x07");
	ck_assert_str_eq(pt_json_str(cJSON_GetObjectItemCaseSensitive(copy, "params"), "k" R),
			 "v" R);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(copy, "list"), 0)
			 ->valuestring, R);
	cJSON_Delete(copy);
	/* in place for JSON: controls kept, bytes replaced; a reference's
	 * value (another tree's) is left alone, its own key cleaned */
	ref = cJSON_CreateObject();
	cJSON_AddItemReferenceToObject(ref, "r\xff", t);
	ck_assert_int_eq(pt_json_clean(ref, PT_TEXT_UTF8), 0);
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(ref, "r" R));
	cJSON_Delete(ref);
	ck_assert_int_eq(pt_json_clean(t, PT_TEXT_UTF8), 0);
	ck_assert_str_eq(pt_json_str(cJSON_GetObjectItemCaseSensitive(t, "host"), "hostname"),
			 "\x1b]0;pwned\x07");
	s = cJSON_PrintUnformatted(t);
	ck_assert(readable(s));
	free(s);
	/* a text already valid is returned as it is */
	s = strdup("{\"a\":\"caf\xc3\xa9\"}");
	ck_assert_ptr_eq(pt_json_text_clean(s), s);
	free(s);
	cJSON_Delete(t);
}
END_TEST

Suite *suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_valid_unchanged);
	tcase_add_test(tc, test_invalid_replaced);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_controls_shown);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_copy_cut);
	tcase_add_test(tc, test_error_message);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json_writers);
	tcase_add_test(tc, test_json_tree);
	suite_add_tcase(s, tc);
	return s;
}
