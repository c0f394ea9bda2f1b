/* abi999.c - test task: declares ABI version 999, which the loader refuses */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

__attribute__((visibility("default"))) const struct pt_task proftune_task = {
	.abi = 999,
	.size = sizeof(struct pt_task),
	.name = "abi999",
	.run = run,
};
