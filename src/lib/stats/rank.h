/* rank.h - rank statistics: Mann-Whitney U, Hodges-Lehmann (internal) */
#ifndef PT_RANK_H
#define PT_RANK_H

#include <stddef.h>

/* Up to this many pairs (n * m) the null distribution of U is computed
 * exactly; beyond, the normal approximation is within 0.5% of it. */
#define PT_MWU_EXACT_PAIRS 2500

/* P(U <= u) under the null hypothesis (the two samples come from one
 * distribution) for samples of N and M values: exact counts of the
 * arrangements up to PT_MWU_EXACT_PAIRS pairs, otherwise the normal
 * approximation with continuity correction.  1 for u >= n m, 0 for u < 0. */
double pt_mwu_cdf(unsigned n, unsigned m, double u);

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
 * estimate and interval.  0, or -EINVAL for empty samples, -ENOMEM. */
int pt_shift_test(const double *x, size_t n, const double *y, size_t m, double delta,
		  double alpha, struct pt_shift *out);

#endif
