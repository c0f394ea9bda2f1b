/* stats.c - quantiles, Student's t, means and variances, shuffling */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "stats/stats.h"

/* The continued fraction of the regularised incomplete beta function
 * (modified Lentz), which converges fast for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
	/* TINY stands in for a zero denominator; the iteration limit is far
	 * above the O(sqrt(a)) steps that a = df / 2 <= T_BETA_MAX_DF / 2 needs */
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int k = 1; k < 100000; k++) {
		double aa = k * (b - k) * x / ((a + 2 * k - 1) * (a + 2 * k)), del;

		d = 1 + aa * d;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		aa = -(a + k) * (a + b + k) * x / ((a + 2 * k) * (a + 2 * k + 1));
		d = 1 + aa * d;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

/* I_x(a, b), the regularised incomplete beta function, for x in [0, 1]. */
static double beta_inc(double a, double b, double x)
{
	double bt;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return bt * beta_cf(a, b, x) / a;
	return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

/* Bisection halves an interval of doubles; 2,200 steps exhaust any
 * interval in [-DBL_MAX, DBL_MAX] (it stops earlier, when the midpoint is
 * one of the ends). */
#define BISECT_STEPS 2200
/* Above this many degrees of freedom the continued fraction needs
 * thousands of steps, and Cornish-Fisher's expansion to 1 / df^2 is
 * within 1e-12 of the quantile for |z| < 10 (its next term is below
 * z^7 / (30 df^3)); beyond |z| = 10 its error stays under 1e-9. */
#define T_BETA_MAX_DF 1000000

/* The standard normal quantile of the lower tail Q <= 0.5 (negative),
 * by bisection on erfc, accurate in the far tail. */
static double normal_lower_quantile(double q)
{
	double lo = -40, hi = 0;

	for (int i = 0; i < BISECT_STEPS; i++) {
		double mid = (lo + hi) / 2;

		if (mid == lo || mid == hi)
			break;
		if (0.5 * erfc(-mid / sqrt(2.0)) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double pt_t_quantile(double p, unsigned df)
{
	double q = p < 0.5 ? p : 1 - p, d = df, t, lo = 0, hi = 1;

	if (!(p > 0 && p < 1)) {
		errno = EDOM;
		return NAN;
	}
	if (p == 0.5)
		return 0;
	if (df == 0)
		return p > 0.5 ? INFINITY : -INFINITY;
	if (df > T_BETA_MAX_DF) {
		double z = -normal_lower_quantile(q);

		t = z + (z * z * z + z) / (4 * d) +
		    (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
	} else {
		/* P(|T| > t) = I_x(df / 2, 1 / 2) with x = df / (df + t^2),
		 * which grows with x: bisect for x, then t from x */
		for (int i = 0; i < BISECT_STEPS; i++) {
			double mid = (lo + hi) / 2;

			if (mid == lo || mid == hi)
				break;
			if (beta_inc(d / 2, 0.5, mid) < 2 * q)
				lo = mid;
			else
				hi = mid;
		}
		t = sqrt(d * (1 - lo) / lo);
	}
	return p < 0.5 ? -t : t;
}

double pt_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), pt_cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double pt_mean(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return n ? s / (double)n : 0;
}

double pt_variance(const double *v, size_t n)
{
	double m = pt_mean(v, n), s = 0;

	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		s += (v[i] - m) * (v[i] - m);
	return s / (double)(n - 1);
}

uint64_t pt_rand_next(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

void pt_shuffle(unsigned *v, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(pt_rand_next(state) % i);
		unsigned t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}
