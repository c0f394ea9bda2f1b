/* rank.c - rank statistics: the Mann-Whitney U distribution, Hodges-Lehmann shifts */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "stats/rank.h"

/* ---- Mann-Whitney U ---------------------------------------------------------- */

/* Counts of the arrangements of N values of one sample among M of the
 * other by their U statistic (the number of pairs the first sample wins):
 * f(i, j)[u] = f(i - 1, j)[u - j] + f(i, j - 1)[u], all sums of positive
 * terms, so doubles keep full relative precision.  Returns the N M + 1
 * counts (malloc'd), or NULL on ENOMEM.  Needs M <= N for its memory bound. */
static double *mwu_counts(unsigned n, unsigned m)
{
	size_t w = (size_t)n * m + 1;
	double *prev = calloc((size_t)(m + 1) * w, sizeof(double));
	double *cur = calloc((size_t)(m + 1) * w, sizeof(double));
	double *out = NULL;

	if (!prev || !cur)
		goto out;
	for (unsigned j = 0; j <= m; j++)
		prev[(size_t)j * w] = 1;      /* f(0, j): U = 0 */
	for (unsigned i = 1; i <= n; i++) {
		memset(cur, 0, (size_t)(m + 1) * w * sizeof(double));
		cur[0] = 1;                   /* f(i, 0): U = 0 */
		for (unsigned j = 1; j <= m; j++) {
			double *c = cur + (size_t)j * w, *left = cur + (size_t)(j - 1) * w;
			const double *up = prev + (size_t)j * w;
			size_t top = (size_t)i * j;

			for (size_t u = 0; u <= top; u++)
				c[u] = left[u] + (u >= j ? up[u - j] : 0);
		}
		double *t = prev;

		prev = cur;
		cur = t;
	}
	out = malloc(w * sizeof(double));
	if (out)
		memcpy(out, prev + (size_t)m * w, w * sizeof(double));
out:
	free(prev);
	free(cur);
	return out;
}

double *pt_mwu_exact_table(unsigned n, unsigned m)
{
	size_t w = (size_t)n * m + 1;
	double *f = mwu_counts(n > m ? n : m, n > m ? m : n), total = 0, below = 0;

	if (!f)
		return NULL;
	for (size_t k = 0; k < w; k++)
		total += f[k];
	for (size_t k = 0; k < w; k++) {
		below += f[k];
		f[k] = below / total;
	}
	f[w - 1] = 1;
	return f;
}

double pt_mwu_cdf_exact(unsigned n, unsigned m, double u)
{
	double nm = (double)n * m, *f, p;

	if (u < 0)
		return 0;
	if (u >= nm)
		return 1;
	f = pt_mwu_exact_table(n, m);
	if (!f)
		return NAN;
	p = f[(size_t)floor(u)];
	free(f);
	return p;
}

double pt_mwu_cdf_approx(unsigned n, unsigned m, double u)
{
	double nm = (double)n * m, var = nm * (n + m + 1) / 12.0;
	/* the fourth cumulant of U (its third is 0: U is symmetric) */
	double k4 = -nm * (n + m + 1) * ((double)n * n + (double)m * m + nm + n + m) / 120.0;
	double z = (floor(u) + 0.5 - nm / 2) / sqrt(var), p;

	if (u < 0)
		return 0;
	if (u >= nm)
		return 1;
	/* Edgeworth: the normal cdf (continuity-corrected) less the
	 * excess-kurtosis term phi(z) g2 / 24 He3(z); far out in the tails the
	 * term can overshoot, so the value is kept in [0, 1] */
	p = 0.5 * erfc(-z / sqrt(2.0)) -
	    exp(-z * z / 2) / 2.5066282746310002 /* sqrt(2 pi) */ * (k4 / (var * var)) / 24 * (z * z * z - 3 * z);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* Are the exact counts used for N and M values? */
static int mwu_use_exact(unsigned n, unsigned m)
{
	double nm = (double)n * m;

	return nm <= PT_MWU_EXACT_PAIRS ||
	       ((n < PT_MWU_EDGEWORTH_MIN || m < PT_MWU_EDGEWORTH_MIN) &&
		nm <= PT_MWU_EXACT_PAIRS_SMALL);
}

double pt_mwu_cdf(unsigned n, unsigned m, double u)
{
	double r = NAN;

	if (mwu_use_exact(n, m))
		r = pt_mwu_cdf_exact(n, m, u);
	return isnan(r) ? pt_mwu_cdf_approx(n, m, u) : r;
}

long pt_mwu_critical(unsigned n, unsigned m, double alpha)
{
	long lo = -1, hi = (long)((double)n * m);
	double *f = mwu_use_exact(n, m) ? pt_mwu_exact_table(n, m) : NULL;

	if (f) {
		/* one pass over the exact table rather than one table per probe */
		for (long k = 0; k < hi && f[k] <= alpha; k++)
			lo = k;
		free(f);
		return lo;
	}
	/* the cdf grows with c: bisect for the last c at or below alpha */
	while (hi - lo > 1) {
		long mid = lo + (hi - lo) / 2;

		if (pt_mwu_cdf(n, m, (double)mid) <= alpha)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int pt_mwu_can_reject(unsigned n, unsigned m, double alpha)
{
	return n > 0 && m > 0 && pt_mwu_cdf(n, m, 0) <= alpha;
}

/* ---- Hodges-Lehmann shifts -------------------------------------------------- */

/* The N M differences y_j - x_i of sorted samples X and Y, as doubles
 * compute them, form a matrix that is never stored: rounding is monotonic,
 * so a row (one y_j) falls as i grows and a column (one x_i) rises as j
 * grows.  Counts and order statistics of the differences walk its
 * boundaries. */

/* The number of differences below T, or at or below T when AT is 1, in
 * O(n + m): in row j they are those from x_p on, and p only grows with j. */
static size_t diffs_below(const double *x, size_t n, const double *y, size_t m, double t, int at)
{
	size_t count = 0, i = 0;

	for (size_t j = 0; j < m; j++) {
		while (i < n && (at ? !(y[j] - x[i] <= t) : !(y[j] - x[i] < t)))
			i++;
		count += n - i;
	}
	return count;
}

/* Doubles as unsigned integers of the same order (-0 just below +0). */
static uint64_t order_key(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b >> 63 ? ~b : b | UINT64_C(1) << 63;
}

static double order_value(uint64_t k)
{
	uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* The K-th smallest difference (from 0; K < N M), found without the pairs:
 * the least double T with more than K differences at or below it, by
 * bisection over the doubles between the smallest and the largest
 * difference taken in order as integers (at most 64 halvings, each an
 * O(n + m) count).  Such a T is itself a difference. */
static double diff_select(const double *x, size_t n, const double *y, size_t m, size_t k)
{
	uint64_t lo = order_key(y[0] - x[n - 1]), hi = order_key(y[m - 1] - x[0]);
	double t;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (diffs_below(x, n, y, m, order_value(mid), 1) > k)
			hi = mid;
		else
			lo = mid + 1;
	}
	t = order_value(lo);
	/* a zero difference is +0, as subtraction gives it, not the -0 that
	 * compares equal and comes first in the bisection's order */
	return t == 0 ? 0 : t;
}

/* A sorted copy of the N values of V, or NULL on ENOMEM. */
static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), pt_cmp_double);
	return s;
}

int pt_shift_test(const double *x, size_t n, const double *y, size_t m, double delta,
		  double alpha, struct pt_shift *out)
{
	size_t nm = n * m, lt, le;
	double *sx = NULL, *sy = NULL, eq;
	long c;

	if (n == 0 || m == 0 || n > UINT_MAX || m > UINT_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	for (size_t j = 0; j < m; j++)
		if (!isfinite(y[j]))
			return -EINVAL;
	sx = sorted_copy(x, n);
	sy = sorted_copy(y, m);
	if (!sx || !sy) {
		free(sx);
		free(sy);
		return -ENOMEM;
	}
	out->estimate = nm % 2 ? diff_select(sx, n, sy, m, nm / 2) :
		(diff_select(sx, n, sy, m, nm / 2 - 1) + diff_select(sx, n, sy, m, nm / 2)) / 2;
	c = pt_mwu_critical((unsigned)n, (unsigned)m, alpha);
	if (c >= 0) {
		/* the bounds that the one-sided tests at ALPHA would not reject:
		 * the (c + 1)-th smallest and largest differences */
		out->low = diff_select(sx, n, sy, m, (size_t)c);
		out->high = diff_select(sx, n, sy, m, nm - 1 - (size_t)c);
	} else {
		out->low = out->high = NAN;
	}
	/* U counts the pairs on each side of DELTA, a tie as half */
	lt = diffs_below(sx, n, sy, m, delta, 0);
	le = diffs_below(sx, n, sy, m, delta, 1);
	eq = 0.5 * (double)(le - lt);
	/* P(U >= W) = P(U <= nm - W) by symmetry; a half from ties is dropped
	 * (floor), which makes the p-value the larger, conservative one */
	out->p_less = pt_mwu_cdf((unsigned)n, (unsigned)m, (double)nm - floor((double)lt + eq));
	out->p_greater = pt_mwu_cdf((unsigned)n, (unsigned)m,
				    (double)nm - floor((double)(nm - le) + eq));
	free(sx);
	free(sy);
	return 0;
}
