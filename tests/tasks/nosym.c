/* nosym.c - test task: a shared object that exports a task under another name */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

__attribute__((visibility("default"))) const struct pt_task proftune_task_v2 = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "nosym",
	.run = run,
};
