/* norun.c - test task: a valid header without the required run callback */
#include <proftune.h>

__attribute__((visibility("default"))) const struct pt_task proftune_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "norun",
	.run = NULL,
};
