/* small.c - test task: declares a struct pt_task of 8 bytes, smaller than version 1 */
#include <proftune.h>

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

__attribute__((visibility("default"))) const struct pt_task proftune_task = {
	.abi = PT_ABI_VERSION,
	.size = 8,
	.name = "small",
	.run = run,
};
