/* hist.c - log-linear histograms: bucket bounds, quantiles; the trial histogram's merge and summary */
#include "config.h"

#include <math.h>
#include <string.h>

#include "stats/hist.h"

void pt_hist_clear(struct pt_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void pt_loghist_range(unsigned i, unsigned bits, uint64_t *lo, uint64_t *hi)
{
	unsigned sub = 1u << bits, e, k;

	if (i < sub) {
		*lo = *hi = i;
		return;
	}
	e = (i - sub) / sub + bits;
	k = (i - sub) % sub;
	*lo = ((uint64_t)(sub + k)) << (e - bits);
	*hi = *lo + ((uint64_t)1 << (e - bits)) - 1;
}

double pt_loghist_quantile(const uint64_t *counts, unsigned n, unsigned bits, uint64_t total,
			   double q, double min, double max)
{
	uint64_t rank, seen = 0, lo, hi;
	double v;

	if (total == 0)
		return 0.0;
	if (q <= 0.0)
		return min;
	if (q >= 1.0)
		return max;
	/* nearest-rank definition: the smallest value with at least q*n
	 * values at or below it */
	rank = (uint64_t)ceil(q * (double)total);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < n; i++) {
		seen += counts[i];
		if (seen >= rank) {
			pt_loghist_range(i, bits, &lo, &hi);
			v = ((double)lo + (double)hi) / 2.0;
			if (v < min)
				v = min;
			if (v > max)
				v = max;
			return v;
		}
	}
	return max;
}

void pt_hist_bucket_range(unsigned i, uint64_t *lo, uint64_t *hi)
{
	pt_loghist_range(i, PT_HIST_SUB_BITS, lo, hi);
}

void pt_hist_merge(struct pt_hist *dst, const struct pt_hist *src)
{
	double n2, mean_dev, ds = (double)src->shift, dd = (double)dst->shift;

	if (src->count == 0)
		return;
	if (dst->count == 0) {
		memcpy(dst, src, sizeof(*dst));
		return;
	}
	/* Move SRC's sum of squares to DST's shift:
	 * sum (v-a)^2 = sum (v-b)^2 + 2(b-a) sum (v-b) + n (b-a)^2 */
	n2 = (double)src->count;
	mean_dev = (double)src->sum - n2 * ds; /* sum (v - b) */
	dst->m2 += src->m2 + 2.0 * (ds - dd) * mean_dev + n2 * (ds - dd) * (ds - dd);
	for (unsigned i = 0; i < PT_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

double pt_hist_mean(const struct pt_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

double pt_hist_stddev(const struct pt_hist *h)
{
	double n = (double)h->count, mean_dev, var;

	if (h->count < 2)
		return 0.0;
	mean_dev = (double)h->sum / n - (double)h->shift;
	var = (h->m2 - n * mean_dev * mean_dev) / (n - 1.0);
	return var > 0.0 ? sqrt(var) : 0.0;
}

double pt_hist_quantile(const struct pt_hist *h, double q)
{
	return pt_loghist_quantile(h->buckets, PT_HIST_BUCKETS, PT_HIST_SUB_BITS, h->count, q,
				   (double)h->min, (double)h->max);
}

void pt_hist_summary(const struct pt_hist *h, struct pt_latency *out)
{
	out->count = h->count;
	out->min = h->count ? (double)h->min : 0.0;
	out->max = h->count ? (double)h->max : 0.0;
	out->mean = pt_hist_mean(h);
	out->stddev = pt_hist_stddev(h);
	out->p50 = pt_hist_quantile(h, 0.50);
	out->p90 = pt_hist_quantile(h, 0.90);
	out->p99 = pt_hist_quantile(h, 0.99);
	out->p999 = pt_hist_quantile(h, 0.999);
}
