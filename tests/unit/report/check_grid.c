/* check_grid.c - text tables that drop their least important columns to fit, prose wrapped to a width */
#include "config.h"

#include "../check.h"
#include "report/grid.h"

/* G printed within WIDTH into a malloc'd string. */
static char *printed(const struct grid *g, unsigned width, size_t *dropped)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	*dropped = grid_print(f, g, "  ", 0, width);
	fclose(f);
	return text;
}

static size_t longest_line(const char *s)
{
	size_t best = 0, n = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			best = n > best ? n : best;
			n = 0;
		} else {
			n++;
		}
	}
	return n > best ? n : best;
}

START_TEST(test_drop_by_priority)
{
	struct grid *g = grid_new(4);
	size_t dropped;
	char *s;

	ck_assert_ptr_nonnull(g);
	grid_head(g, 0, "key", 1, 0);
	grid_head(g, 1, "important", 1, 1);
	grid_head(g, 2, "minor-column-title", 1, 9);
	grid_head(g, 3, "useful", 1, 5);
	ck_assert_uint_eq(grid_row(g), 0);
	for (size_t c = 0; c < 4; c++)
		grid_set(g, 0, c, "12345", NULL);
	/* no limit: everything */
	s = printed(g, 0, &dropped);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_ptr_nonnull(strstr(s, "minor-column-title"));
	free(s);
	/* a little too narrow: only the least important column goes */
	s = printed(g, 40, &dropped);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_ptr_null(strstr(s, "minor"));
	ck_assert_ptr_nonnull(strstr(s, "useful"));
	ck_assert_uint_le(longest_line(s), 40);
	free(s);
	/* narrower: the next least important too; the key column stays
	 * even when nothing fits */
	s = printed(g, 22, &dropped);
	ck_assert_uint_eq(dropped, 2);
	ck_assert_ptr_nonnull(strstr(s, "important"));
	ck_assert_uint_le(longest_line(s), 22);
	free(s);
	s = printed(g, 3, &dropped);
	ck_assert_uint_eq(dropped, 3);
	ck_assert_ptr_nonnull(strstr(s, "key"));
	free(s);
	grid_free(g);
}
END_TEST

START_TEST(test_wrap)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	text_wrap(f, "  alpha beta gamma delta epsilon", 0, "    ", 16);
	text_wrap(f, "unbreakable-word-longer-than-the-width x", 0, "  ", 10);
	text_wrap(f, "key:   aligned value", 0, "", 40);
	fclose(f);
	/* leading blanks kept, continuation lines indented, no line over the
	 * width: a word longer than a line is broken */
	ck_assert_str_eq(text, "  alpha beta\n    gamma delta\n    epsilon\n"
			 "unbreakabl\n  e-word-l\n  onger-th\n  an-the-w\n  idth x\n"
			 "key:   aligned value\n");
	free(text);
}
END_TEST

Suite *suite_grid(void)
{
	Suite *s = suite_create("grid");
	TCase *tc = tcase_create("grid");

	tcase_add_test(tc, test_drop_by_priority);
	tcase_add_test(tc, test_wrap);
	suite_add_tcase(s, tc);
	return s;
}
