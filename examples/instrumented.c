/* instrumented.c - example task: a parse-and-hash pipeline timed with the instrumentation API */

/*
 * Shows what a task can record about itself.  Each item "parses" a record
 * (a short loop) and "hashes" it (a longer one) inside nested blocks, counts
 * the bytes it handled, and every `fail_every`-th item reports a failure
 * through PT_PROF_CALL's success/error counters without failing the item.
 * Setup and each worker leave step stamps; each worker records the size of
 * its scratch buffer and measures its own life from worker_setup to
 * worker_teardown (a row per worker in the results, no CSV file).  The results document gets the blocks (with self
 * time and percentiles), counters, stamps and memory records in the trial's
 * `instrumentation`; `proftune run --trace FILE` shows every block on its
 * worker's track.
 *
 * Parameters:
 *   rounds      hash rounds per item (default 200)
 *   fail_every  one item in this many fails its checksum (default 50; 0 never)
 */
#include <proftune.h>

#include <stdint.h>
#include <stdlib.h>

/* Scratch bytes per worker: a record and its hash state. */
#define SCRATCH 4096

struct worker {
	unsigned char scratch[SCRATCH];
	pt_measure *life;           /* worker_setup .. worker_teardown */
};

struct config {
	long long rounds, fail_every;
	struct pt_stamp_group ready; /* one step shared by every worker's "ready" */
};

static struct config config;

static int setup(pt_ctx *ctx)
{
	pt_prof *p = pt_ctx_prof(ctx);

	config.rounds = pt_param_int(ctx, "rounds", 200);
	config.fail_every = pt_param_int(ctx, "fail_every", 50);
	if (config.rounds < 1)
		return pt_ctx_error(ctx, "rounds=%lld: must be >= 1", config.rounds);
	if (config.fail_every < 0)
		return pt_ctx_error(ctx, "fail_every=%lld: must be >= 0", config.fail_every);
	pt_ctx_set_data(ctx, &config);
	if (p) {
		pt_prof_track_name(p, 0, "pipeline");
		pt_prof_track_name(p, 1, "stages");
		pt_stamps_create(pt_prof_stamps(p), "setup done", NULL);
		pt_stamps_group(pt_prof_stamps(p), &config.ready);
	}
	return PT_OK;
}

static int worker_setup(pt_worker *w)
{
	pt_prof *p = pt_worker_prof(w);
	struct worker *wd = calloc(1, sizeof(*wd));
	struct pt_measure_opts o;

	if (!wd)
		return pt_error(w, "out of memory for %zu bytes of worker data", sizeof(*wd));
	pt_worker_set_data(w, wd);
	if (p) {
		pt_prof_memory_record(p, "scratch per worker", SCRATCH);
		pt_stamp_group_create(&config.ready, "worker ready", NULL);
		pt_measure_opts_init(&o);
		o.path = NULL; /* rows go to the trial's results only */
		o.prof = p;
		wd->life = pt_measure_new("worker life", &o);
		if (wd->life)
			pt_measure_start(wd->life);
	}
	return PT_OK;
}

static void parse(pt_prof *p, unsigned char *rec, uint64_t item)
{
	PT_BLOCK(p, 1, "parse");
	for (unsigned i = 0; i < 64; i++)
		rec[i] = (unsigned char)(item * 31u + i);
}

static uint64_t hash(pt_prof *p, const unsigned char *rec, long long rounds)
{
	PT_BLOCK(p, 1, "hash");
	uint64_t h = 1469598103934665603ull;

	for (long long r = 0; r < rounds; r++)
		for (unsigned i = 0; i < 64; i++)
			h = (h ^ rec[i]) * 1099511628211ull;
	return h;
}

/* 0 when the record's checksum is good: fails one in fail_every */
static int verify(uint64_t item, uint64_t h)
{
	(void)h;
	return config.fail_every && item % (uint64_t)config.fail_every == 0 ? -1 : 0;
}

static int run(pt_worker *w, uint64_t item)
{
	pt_prof *p = pt_worker_prof(w);
	unsigned char *rec = ((struct worker *)pt_worker_data(w))->scratch;
	volatile uint64_t sink;

	PT_BLOCK(p, 0, "item");
	parse(p, rec, item);
	sink = hash(p, rec, config.rounds);
	PT_PROF_CALL(p, 1, "verify", verify(item, sink));
	PT_COUNTER_ADD(p, "bytes", 64);
	return PT_OK;
}

static void worker_teardown(pt_worker *w)
{
	struct worker *wd = pt_worker_data(w);

	if (wd->life) {
		pt_measure_stop(wd->life);
		pt_measure_free(wd->life);
	}
	free(wd);
}

static void teardown(pt_ctx *ctx)
{
	pt_prof *p = pt_ctx_prof(ctx);

	if (p)
		pt_stamps_create(pt_prof_stamps(p), "teardown", NULL);
}

PT_TASK(.name = "instrumented",
	.summary = "parse and hash records, timed with nested blocks, counters and stamps",
	.setup = setup,
	.worker_setup = worker_setup,
	.run = run,
	.worker_teardown = worker_teardown,
	.teardown = teardown);
