/* noop.c - test task: an empty item, to measure the engine's own overhead */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

PT_TASK(.name = "noop", .summary = "test task: an empty item (engine overhead)", .run = run);
