/* stats.h - small statistics for the tuner: quantiles, t tests, means, shuffling (internal) */
#ifndef PT_STATS_H
#define PT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Student's t quantile: the value t with P(T <= t) = P for DF degrees of
 * freedom, for any P in (0, 1): the inverse of the regularised incomplete
 * beta function, within 1e-8 relative of scipy's t.ppf (check_stats.c, where
 * scipy's own error of up to 2e-9 is the larger part);
 * beyond 10^6 df, Cornish-Fisher's expansion to 1 / df^2.  +-INFINITY for
 * DF == 0; NAN with errno EDOM for P outside (0, 1). */
double pt_t_quantile(double p, unsigned df);

/* Median of N values (copied and sorted; V untouched).  0 for N == 0. */
double pt_median(const double *v, size_t n);
double pt_mean(const double *v, size_t n);
/* Sample variance (n - 1 denominator); 0 for n < 2. */
double pt_variance(const double *v, size_t n);

/* A small, seedable random generator (xorshift64*), for trial order. */
uint64_t pt_rand_next(uint64_t *state);
/* Shuffle N unsigned values in place (Fisher-Yates). */
void pt_shuffle(unsigned *v, size_t n, uint64_t *state);

#endif
