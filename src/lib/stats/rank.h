/* rank.h - rank statistics: Mann-Whitney U, Hodges-Lehmann (internal) */
#ifndef PT_RANK_H
#define PT_RANK_H

#include <stddef.h>

/* Up to this many pairs (n * m) the null distribution of U is computed
 * exactly (the counts take (min(n, m) + 1) (n m + 1) doubles twice, and
 * about (n m)^2 / 4 additions: 1.6 MB and well under a millisecond here). */
#define PT_MWU_EXACT_PAIRS 2500
/* Beyond PT_MWU_EXACT_PAIRS, U is approximated by its Edgeworth expansion
 * (normal with continuity correction plus the kurtosis term) when both
 * samples have at least this many values.  Measured against the exact
 * counts for every P(U <= u) in [0.001, 0.05] (check_rank.c): at most 0.36%
 * relative error at 20 x 130 pairs, 0.12% at 50 x 51, 0.03% at 100 x 100,
 * and smaller as both samples grow; the plain normal approximation was 11%
 * off at 50 x 51 and 19% at 20 x 130.  With a smaller sample the expansion
 * fails (1.7% at 10 x 300, 13% at 5 x 600), so such U stay exact ... */
#define PT_MWU_EDGEWORTH_MIN 20
/* ... up to this many pairs: 20 x 20,001 doubles twice (6.4 MB) and about
 * 10^8 additions (a tenth of a second).  Beyond it (a sample under 20
 * against over 1,000) the Edgeworth value is used and can be off by more
 * than 1% in the tails. */
#define PT_MWU_EXACT_PAIRS_SMALL 20000

/* P(U <= u) under the null hypothesis (the two samples come from one
 * distribution) for samples of N and M values, with U counting ties as
 * the caller decided (pt_shift_test drops their halves, conservatively):
 * exact counts within the bounds above, otherwise the Edgeworth
 * approximation.  1 for u >= n m, 0 for u < 0. */
double pt_mwu_cdf(unsigned n, unsigned m, double u);
/* The exact P(U <= u) for u = 0 .. n m, n m + 1 values (malloc'd, the
 * caller frees them), or NULL on ENOMEM; at any size, in the time and
 * memory above. */
double *pt_mwu_exact_table(unsigned n, unsigned m);
/* The exact P(U <= u) at any size (the time and memory above grow as
 * (n m)^2 and min(n, m) n m), or NAN on ENOMEM.  For tests and callers
 * that can afford it. */
double pt_mwu_cdf_exact(unsigned n, unsigned m, double u);
/* The Edgeworth approximation of P(U <= u) at any size, in [0, 1]. */
double pt_mwu_cdf_approx(unsigned n, unsigned m, double u);

/* The largest c with P(U <= c) <= ALPHA, or -1 when even P(U <= 0) =
 * 1 / C(n + m, n) exceeds ALPHA (too few values for a test at that level). */
long pt_mwu_critical(unsigned n, unsigned m, double alpha);

/* Can a one-sided test at level ALPHA reject with N and M values?  Only when
 * the most extreme arrangement, of probability 1 / C(n + m, n), is at most
 * ALPHA. */
int pt_mwu_can_reject(unsigned n, unsigned m, double alpha);

/* The shift between samples X (N values) and Y (M values), on the scale
 * given (the comparison passes logarithms, so a shift is a log-ratio). */
struct pt_shift {
	double estimate;   /* Hodges-Lehmann: the median of all y_j - x_i */
	double low, high;  /* distribution-free interval of the shift with
	                    * confidence 1 - 2 alpha (each bound one-sided at
	                    * 1 - alpha); NAN when there are too few values */
	double p_less;     /* one-sided p-value of H1: shift < DELTA */
	double p_greater;  /* one-sided p-value of H1: shift > DELTA */
};
/* Mann-Whitney U of Y - DELTA against X, counting ties at DELTA as half
 * (and rounding towards the conservative side), with the Hodges-Lehmann
 * estimate and interval.  The N M differences are counted and ranked, not
 * stored: O(n + m) memory (two sorted copies) and O((n + m) log(n + m))
 * time (the sort, then for each of the four order statistics at most 64
 * counting passes of O(n + m)), with the same results as sorting all the
 * differences.  0, or
 * -EINVAL for an empty sample, a sample over UINT_MAX values or a value
 * that is not finite, -ENOMEM. */
int pt_shift_test(const double *x, size_t n, const double *y, size_t m, double delta,
		  double alpha, struct pt_shift *out);

#endif
