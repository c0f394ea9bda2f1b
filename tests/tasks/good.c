/* good.c - test task: a valid module named "good" whose items all succeed */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

PT_TASK(.name = "good", .summary = "test task: every item succeeds", .run = run);
