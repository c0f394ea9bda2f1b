/* memstream.c - example task: memory-bandwidth-bound streaming */

/*
 * Models a kernel limited by memory bandwidth: each worker owns a buffer
 * larger than its share of the last-level cache and each item makes one
 * read-modify-write pass, a[i] = a[i] * 3 + 1, over the next chunk of it,
 * cycling through the buffer.  The buffer is first touched by its worker, so
 * with bound workers it lives on the worker's NUMA node.
 *
 * Parameters:
 *   bytes  buffer size per worker (default 32M); rounded down to whole chunks
 *   chunk  bytes streamed per item (default 1M), a multiple of 64
 *
 * Counter: bytes, memory traffic (read plus written, 2 x chunk per item).
 * Memory: buffer, per worker.
 */
#include <proftune.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINE 64 /* cache line: the unit memory moves in, and the buffer alignment */

struct memstream {
	size_t chunk;   /* bytes per item */
	size_t nchunks; /* chunks per buffer */
};

struct buffer {
	uint64_t *words;
	size_t next; /* chunk of the next item */
};

static int setup(pt_ctx *ctx)
{
	/* 32 MiB: well beyond a typical per-core share of the last-level cache */
	long long bytes = pt_param_int(ctx, "bytes", 32LL << 20);
	/* 1 MiB: long streams, so per-item overhead is negligible */
	long long chunk = pt_param_int(ctx, "chunk", 1LL << 20);
	struct memstream *m;

	if (chunk <= 0 || chunk % LINE)
		return pt_ctx_error(ctx, "chunk=%lld: must be a positive multiple of %d bytes", chunk, LINE);
	if (bytes < chunk)
		return pt_ctx_error(ctx, "bytes=%lld is smaller than chunk=%lld: raise bytes or lower chunk",
				    bytes, chunk);
	if ((unsigned long long)bytes > SIZE_MAX)
		return pt_ctx_error(ctx, "bytes=%lld: too large for this machine", bytes);

	m = malloc(sizeof(*m));
	if (!m)
		return pt_ctx_error(ctx, "out of memory");
	m->chunk = (size_t)chunk;
	m->nchunks = (size_t)(bytes / chunk);
	pt_ctx_set_data(ctx, m);
	return PT_OK;
}

static int worker_setup(pt_worker *w)
{
	const struct memstream *m = pt_ctx_data(pt_worker_ctx(w));
	size_t size = m->chunk * m->nchunks;
	struct buffer *b;

	b = malloc(sizeof(*b));
	if (!b)
		return pt_error(w, "out of memory");
	b->words = aligned_alloc(LINE, size);
	if (!b->words) {
		free(b);
		return pt_error(w, "cannot allocate %zu bytes: lower bytes", size);
	}
	memset(b->words, 0, size);
	b->next = 0;
	pt_worker_set_data(w, b);
	pt_memory_record(w, "buffer", size);
	return PT_OK;
}

/*
 * The worker keeps its own position rather than using ITEM, so every worker
 * sweeps its whole buffer however items are dealt out.
 */
static int run(pt_worker *w, uint64_t item)
{
	const struct memstream *m = pt_ctx_data(pt_worker_ctx(w));
	struct buffer *b = pt_worker_data(w);
	size_t n = m->chunk / sizeof(uint64_t);
	uint64_t *a = b->words + b->next * n;

	(void)item;
	for (size_t i = 0; i < n; i++)
		a[i] = a[i] * 3 + 1;
	if (++b->next == m->nchunks)
		b->next = 0;
	pt_counter_add(w, "bytes", 2 * m->chunk);
	return PT_OK;
}

static void worker_teardown(pt_worker *w)
{
	struct buffer *b = pt_worker_data(w);

	if (b) {
		free(b->words);
		free(b);
	}
}

static void teardown(pt_ctx *ctx)
{
	free(pt_ctx_data(ctx));
}

PT_TASK(.name = "memstream",
	.summary = "memory-bound: read-modify-write streams over a per-worker buffer",
	.setup = setup,
	.worker_setup = worker_setup,
	.run = run,
	.worker_teardown = worker_teardown,
	.teardown = teardown);
