/* stats.c - quantiles, Student's t, shuffling and the USL least-squares fit */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "stats/stats.h"

/* t quantiles for 1..30 degrees of freedom (standard tables). */
static const double t95[30] = {
	6.3138, 2.9200, 2.3534, 2.1318, 2.0150, 1.9432, 1.8946, 1.8595, 1.8331, 1.8125,
	1.7959, 1.7823, 1.7709, 1.7613, 1.7531, 1.7459, 1.7396, 1.7341, 1.7291, 1.7247,
	1.7207, 1.7171, 1.7139, 1.7109, 1.7081, 1.7056, 1.7033, 1.7011, 1.6991, 1.6973,
};
static const double t975[30] = {
	12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
	2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
	2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
};

double pt_t_quantile(double p, unsigned df)
{
	double z = p >= 0.975 ? 1.959964 : 1.644854, d = df;

	if (df == 0)
		return INFINITY;
	if (df <= 30)
		return p >= 0.975 ? t975[df - 1] : t95[df - 1];
	return z + (z * z * z + z) / (4 * d) +
	       (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
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

/* ---- Universal Scalability Law ------------------------------------------- */

double pt_usl_eval(const struct pt_usl *m, double n)
{
	return m->lambda * n / (1 + m->sigma * (n - 1) + m->kappa * n * (n - 1));
}

/* For fixed sigma and kappa the best lambda is linear: minimise
 * sum ((lambda g_i - x_i) / x_i)^2, so lambda = sum(g/x) / sum(g^2/x^2). */
static double best_lambda(const double *w, const double *x, size_t n, double s, double k)
{
	double num = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		double g = w[i] / (1 + s * (w[i] - 1) + k * w[i] * (w[i] - 1));

		num += g / x[i];
		den += g * g / (x[i] * x[i]);
	}
	return den > 0 ? num / den : 0;
}

static double rel_sse(const double *w, const double *x, size_t n, double l, double s, double k)
{
	double e = 0;

	for (size_t i = 0; i < n; i++) {
		double r = (l * w[i] / (1 + s * (w[i] - 1) + k * w[i] * (w[i] - 1)) - x[i]) / x[i];

		e += r * r;
	}
	return e;
}

/* Solve the 3x3 system A d = b by Gaussian elimination with pivoting. */
static int solve3(double a[3][3], double b[3], double d[3])
{
	for (int c = 0; c < 3; c++) {
		int p = c;

		for (int r = c + 1; r < 3; r++)
			if (fabs(a[r][c]) > fabs(a[p][c]))
				p = r;
		if (fabs(a[p][c]) < 1e-300)
			return -1;
		for (int k = 0; k < 3; k++) {
			double t = a[c][k];

			a[c][k] = a[p][k];
			a[p][k] = t;
		}
		double t = b[c];

		b[c] = b[p];
		b[p] = t;
		for (int r = c + 1; r < 3; r++) {
			double f = a[r][c] / a[c][c];

			for (int k = c; k < 3; k++)
				a[r][k] -= f * a[c][k];
			b[r] -= f * b[c];
		}
	}
	for (int r = 2; r >= 0; r--) {
		double s = b[r];

		for (int k = r + 1; k < 3; k++)
			s -= a[r][k] * d[k];
		d[r] = s / a[r][r];
	}
	return 0;
}

int pt_usl_fit(const double *w, const double *x, size_t n, struct pt_usl *out)
{
	/* Start from the best point of a log-spaced grid over sigma and kappa:
	 * the surface has long flat valleys where local descent from a poor
	 * start stalls. */
	static const double grid[] = { 0, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2,
				       0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0 };
	const size_t ng = sizeof(grid) / sizeof(grid[0]);
	double p[3] = { 0, 0, 0 }, best = INFINITY, mu = 1e-3, sse, mean = 0, ss_tot = 0, ss_res = 0;
	size_t distinct = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		if (!(w[i] > 0) || !(x[i] > 0) || !isfinite(w[i]) || !isfinite(x[i]))
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			seen |= w[j] == w[i];
		distinct += !seen;
	}
	if (distinct < 3)
		return -EINVAL;
	for (size_t a = 0; a < ng; a++) {
		for (size_t b = 0; b < ng; b++) {
			double l = best_lambda(w, x, n, grid[a], grid[b] / 10);
			double e = rel_sse(w, x, n, l, grid[a], grid[b] / 10);

			if (e < best) {
				best = e;
				p[0] = l;
				p[1] = grid[a];
				p[2] = grid[b] / 10;
			}
		}
	}
	/* Levenberg-Marquardt on (lambda, sigma, kappa) with sigma and kappa
	 * projected onto >= 0 */
	sse = best;
	for (int it = 0; it < 500; it++) {
		double jtj[3][3] = { { 0 } }, jtr[3] = { 0 }, d[3], q[3], e;

		for (size_t i = 0; i < n; i++) {
			double D = 1 + p[1] * (w[i] - 1) + p[2] * w[i] * (w[i] - 1);
			double f = p[0] * w[i] / D;
			double r = (f - x[i]) / x[i];
			double J[3] = {
				w[i] / D / x[i],
				-f * (w[i] - 1) / D / x[i],
				-f * w[i] * (w[i] - 1) / D / x[i],
			};

			for (int a = 0; a < 3; a++) {
				jtr[a] -= J[a] * r;
				for (int b = 0; b < 3; b++)
					jtj[a][b] += J[a] * J[b];
			}
		}
		for (int a = 0; a < 3; a++)
			jtj[a][a] *= 1 + mu;
		if (solve3(jtj, jtr, d) < 0)
			break;
		q[0] = p[0] + d[0];
		q[1] = fmax(0, p[1] + d[1]);
		q[2] = fmax(0, p[2] + d[2]);
		e = rel_sse(w, x, n, q[0], q[1], q[2]);
		if (e < sse) {
			double gain = sse - e;

			memcpy(p, q, sizeof(p));
			sse = e;
			mu = fmax(mu / 10, 1e-12);
			if (gain < 1e-15 * (1 + sse))
				break;
		} else {
			mu *= 10;
			if (mu > 1e12)
				break;
		}
	}
	/* terms this small change no prediction within any tested range */
	out->lambda = p[0];
	out->sigma = p[1] < 1e-12 ? 0 : p[1];
	out->kappa = p[2] < 1e-15 ? 0 : p[2];
	out->points = (unsigned)n;
	for (size_t i = 0; i < n; i++)
		mean += x[i] / (double)n;
	for (size_t i = 0; i < n; i++) {
		double f = pt_usl_eval(out, w[i]);

		ss_tot += (x[i] - mean) * (x[i] - mean);
		ss_res += (x[i] - f) * (x[i] - f);
	}
	out->r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
	out->rms_rel = sqrt(sse / (double)n);
	out->peak = out->kappa > 0 && out->sigma < 1 ? sqrt((1 - out->sigma) / out->kappa)
						     : INFINITY;
	out->ok = isfinite(out->lambda) && out->lambda > 0;
	return 0;
}

const char *pt_usl_bound(const struct pt_usl *m, double max_n)
{
	double contention = m->sigma * (max_n - 1);
	double coherency = m->kappa * max_n * (max_n - 1);

	/* below 5% loss against linear scaling at the largest count, neither
	 * term matters */
	if (contention + coherency < 0.05)
		return "linear";
	return coherency > contention ? "coherency" : "contention";
}
