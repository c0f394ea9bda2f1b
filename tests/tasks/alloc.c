/* alloc.c - test task: setup touches -p mb=N megabytes (default 200) held until teardown */
#include <proftune.h>

#include <stdlib.h>
#include <string.h>

static int setup(pt_ctx *ctx)
{
	long long mb = pt_param_int(ctx, "mb", 200);
	size_t bytes;
	char *buf;

	if (mb < 0)
		return pt_ctx_error(ctx, "mb=%lld: the size must be >= 0", mb);
	bytes = (size_t)mb * 1000000u;
	buf = malloc(bytes ? bytes : 1);
	if (!buf)
		return pt_ctx_error(ctx, "cannot allocate %lld MB", mb);
	memset(buf, 0x5a, bytes);
	pt_ctx_set_data(ctx, buf);
	pt_ctx_memory_record(ctx, "buffer", (uint64_t)bytes);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return PT_OK;
}

static void teardown(pt_ctx *ctx)
{
	free(pt_ctx_data(ctx));
}

PT_TASK(.name = "alloc",
	.summary = "test task: setup holds -p mb=200 megabytes until teardown",
	.setup = setup,
	.run = run,
	.teardown = teardown);
