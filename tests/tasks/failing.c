/* failing.c - test task: every -p every=N-th item (default 10) fails with one message */
#include <proftune.h>

struct failing {
	long long every;
};

static struct failing config;

static int setup(pt_ctx *ctx)
{
	config.every = pt_param_int(ctx, "every", 10);
	if (config.every < 1)
		return pt_ctx_error(ctx, "every=%lld: must be >= 1", config.every);
	pt_ctx_set_data(ctx, &config);
	return PT_OK;
}

static int run(pt_worker *w, uint64_t item)
{
	const struct failing *f = pt_ctx_data(pt_worker_ctx(w));

	if ((item + 1) % (uint64_t)f->every == 0)
		return pt_error(w, "simulated failure");
	return PT_OK;
}

PT_TASK(.name = "failing",
	.summary = "test task: every -p every=10-th item fails",
	.setup = setup,
	.run = run);
