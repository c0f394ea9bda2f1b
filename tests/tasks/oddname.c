/* oddname.c - test task: a name and summary with quotes, a newline and non-ASCII */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

PT_TASK(.name = "odd \"name\"\nnaïve 日本",
	.summary = "test task: \"quoted\", two\nlines, é, 日本",
	.run = run);
