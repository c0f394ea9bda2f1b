/* hist.h - log-linear latency histogram (internal) */
#ifndef PT_HIST_H
#define PT_HIST_H

#include <stdint.h>

#include "proftune.h"

/*
 * Values below 2^PT_HIST_SUB_BITS nanoseconds are counted exactly; above,
 * each power-of-two range [2^e, 2^(e+1)) is split into 2^PT_HIST_SUB_BITS
 * equal buckets.  A bucket is therefore at most 1/128 of its lower bound wide
 * and reporting its midpoint is off by at most 1/256 = 0.39% of the true
 * value: finer than run-to-run noise of real tasks, while the whole 64-bit
 * range fits in 7424 counters (58 KiB per worker).
 */
#define PT_HIST_SUB_BITS 7
#define PT_HIST_SUB (1u << PT_HIST_SUB_BITS)
#define PT_HIST_BUCKETS (PT_HIST_SUB + (64 - PT_HIST_SUB_BITS) * PT_HIST_SUB)
/* Relative error bound of a reported percentile (midpoint of its bucket). */
#define PT_HIST_REL_ERROR (1.0 / (2.0 * PT_HIST_SUB))

struct pt_hist {
	uint64_t count;
	uint64_t min, max;
	uint64_t sum;     /* exact sum of values */
	double shift;     /* first value seen: deviations are taken from it */
	double m2;        /* sum of (value - shift)^2, for the variance */
	uint64_t buckets[PT_HIST_BUCKETS];
};

static inline unsigned pt_hist_index(uint64_t v)
{
	unsigned e;

	if (v < PT_HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	return PT_HIST_SUB + (e - PT_HIST_SUB_BITS) * PT_HIST_SUB +
	       (unsigned)((v >> (e - PT_HIST_SUB_BITS)) - PT_HIST_SUB);
}

/* Empty the histogram. */
void pt_hist_clear(struct pt_hist *h);

static inline void pt_hist_record(struct pt_hist *h, uint64_t v)
{
	double d;

	if (__builtin_expect(h->count == 0, 0))
		h->shift = (double)v;
	d = (double)v - h->shift;
	h->buckets[pt_hist_index(v)]++;
	h->count++;
	h->sum += v;
	h->m2 += d * d;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Add SRC into DST (exact: counts, sum, min, max; variance combined). */
void pt_hist_merge(struct pt_hist *dst, const struct pt_hist *src);
/* Value at quantile Q in [0, 1] (bucket midpoint, clamped to [min, max]);
 * 0 for an empty histogram. */
double pt_hist_quantile(const struct pt_hist *h, double q);
/* Lower and upper bound of the values counted in bucket I. */
void pt_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *hi);
double pt_hist_mean(const struct pt_hist *h);
double pt_hist_stddev(const struct pt_hist *h);
/* Fill a public summary. */
void pt_hist_summary(const struct pt_hist *h, struct pt_latency *out);

#endif
