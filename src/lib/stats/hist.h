/* hist.h - log-linear histograms of any precision, and the trial latency histogram (internal) */
#ifndef PT_HIST_H
#define PT_HIST_H

#include <stdint.h>

#include "proftune.h"

/*
 * One bucket layout serves every histogram of the library, at the
 * precision each user chooses: values below 2^BITS are counted exactly;
 * above, each power-of-two range [2^e, 2^(e+1)) is split into 2^BITS equal
 * buckets, up to 2^MAX_EXP, beyond which values share the last bucket.  A
 * bucket is at most 2^-BITS of its lower bound wide, so its midpoint is
 * within 2^-(BITS+1) of any value in it.  The index is a count of leading
 * zeros, a shift and two adds; called with constant BITS and MAX_EXP it
 * compiles to the code of a histogram written for that precision.
 */
#define PT_LOGHIST_BUCKETS(bits, max_exp) \
	((1u << (bits)) + ((max_exp) - (bits)) * (1u << (bits)))
/* The relative error bound of a bucket midpoint. */
#define PT_LOGHIST_REL_ERROR(bits) (1.0 / (2.0 * (double)(1u << (bits))))

/* The bucket of value V. */
static inline unsigned pt_loghist_index(uint64_t v, unsigned bits, unsigned max_exp)
{
	unsigned sub = 1u << bits, e;

	if (v < sub)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e >= max_exp)
		return PT_LOGHIST_BUCKETS(bits, max_exp) - 1;
	return sub + (e - bits) * sub + (unsigned)((v >> (e - bits)) - sub);
}

/* The lowest and highest value counted in bucket I (the last bucket also
 * counts every value beyond HI). */
void pt_loghist_range(unsigned i, unsigned bits, uint64_t *lo, uint64_t *hi);
/* The value at quantile Q in [0, 1] of TOTAL values counted in the N
 * buckets COUNTS, by nearest rank: the midpoint of the bucket of the
 * smallest value with at least Q TOTAL values at or below it, clamped to
 * [MIN, MAX] (the exact extremes, returned for Q <= 0 and Q >= 1); 0 when
 * TOTAL is 0. */
double pt_loghist_quantile(const uint64_t *counts, unsigned n, unsigned bits, uint64_t total,
			   double q, double min, double max);

/*
 * The trial latency histogram: 7 bits over the whole 64-bit range.  Each
 * bucket is at most 1/128 of its lower bound wide and reporting its
 * midpoint is off by at most 1/256 = 0.39% of the true value: finer than
 * run-to-run noise of real tasks, while the whole range fits in 7424
 * counters (58 KiB per worker).
 */
#define PT_HIST_SUB_BITS 7
#define PT_HIST_MAX_EXP 64
#define PT_HIST_SUB (1u << PT_HIST_SUB_BITS)
#define PT_HIST_BUCKETS PT_LOGHIST_BUCKETS(PT_HIST_SUB_BITS, PT_HIST_MAX_EXP)
/* Relative error bound of a reported percentile (midpoint of its bucket). */
#define PT_HIST_REL_ERROR PT_LOGHIST_REL_ERROR(PT_HIST_SUB_BITS)

struct pt_hist {
	uint64_t count;
	uint64_t min, max;
	uint64_t sum;     /* exact sum of values */
	uint64_t shift;   /* first value seen: deviations are taken from it */
	double m2;        /* sum of (value - shift)^2, for the variance */
	uint64_t buckets[PT_HIST_BUCKETS];
};

static inline unsigned pt_hist_index(uint64_t v)
{
	return pt_loghist_index(v, PT_HIST_SUB_BITS, PT_HIST_MAX_EXP);
}

/* Empty the histogram. */
void pt_hist_clear(struct pt_hist *h);

static inline void pt_hist_record(struct pt_hist *h, uint64_t v)
{
	double d;

	if (__builtin_expect(h->count == 0, 0))
		h->shift = v;
	/* a signed difference converts in one instruction, where an
	 * unsigned 64-bit value takes a branch */
	d = (double)(int64_t)(v - h->shift);
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
/* Value at quantile Q in [0, 1] (nearest rank: bucket midpoint, clamped to
 * [min, max]); 0 for an empty histogram. */
double pt_hist_quantile(const struct pt_hist *h, double q);
/* Lower and upper bound of the values counted in bucket I. */
void pt_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *hi);
/* Mean and sample standard deviation of the values (exact, not from the
 * buckets); 0 when there are too few. */
double pt_hist_mean(const struct pt_hist *h);
double pt_hist_stddev(const struct pt_hist *h);
/* Fill a public summary. */
void pt_hist_summary(const struct pt_hist *h, struct pt_latency *out);

#endif
