/* usl.c - the Universal Scalability Law: evaluation, least-squares fit, bottleneck, CSV reader */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "proftune.h"
#include "base/json.h"
#include "base/util.h"
#include "stats/stats.h"
#include "stats/usl.h"

/* Fewer distinct counts than this leave the three parameters unchecked:
 * three points are fitted exactly by almost any curve. */
#define FIT_MIN_DISTINCT 4

double pt_usl_predict(const struct pt_usl_model *m, double workers)
{
	return m->lambda * workers / (1 + m->sigma * (workers - 1) +
				      m->kappa * workers * (workers - 1));
}

const char *pt_usl_bound(const struct pt_usl_model *m, double max_n)
{
	double contention = m->sigma * (max_n - 1);
	double coherency = m->kappa * max_n * (max_n - 1);

	/* below 5% loss against linear scaling at the largest count, neither
	 * term matters */
	if (contention + coherency < 0.05)
		return "linear";
	return coherency > contention ? "coherency" : "contention";
}

/* The number of distinct worker counts among the N points, counted up to
 * LIMIT (at most FIT_MIN_DISTINCT: enough to tell whether the model can be
 * fitted, in O(n LIMIT) time and no memory); -1 when a point is not a pair
 * of positive finite numbers (*BAD: the first such). */
static long count_distinct(const double *w, const double *x, size_t n, size_t limit,
			   size_t *bad)
{
	double seen[FIT_MIN_DISTINCT];
	size_t distinct = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		if (!(w[i] > 0) || !(x[i] > 0) || !isfinite(w[i]) || !isfinite(x[i])) {
			*bad = i;
			return -1;
		}
		while (j < distinct && seen[j] != w[i])
			j++;
		if (j == distinct && distinct < limit)
			seen[distinct++] = w[i];
	}
	return (long)distinct;
}

static const char *const loss_names[] = {
	[PT_USL_OLS] = "ols", [PT_USL_RELATIVE] = "relative", [PT_USL_LOG] = "log",
};

int pt_usl_loss_parse(const char *name, enum pt_usl_loss *out)
{
	for (size_t i = 0; i < sizeof(loss_names) / sizeof(loss_names[0]); i++) {
		if (strcmp(name, loss_names[i]) == 0) {
			*out = (enum pt_usl_loss)i;
			return 0;
		}
	}
	return pt_fail(EINVAL, "unknown loss '%s'; expected ols, relative or log", name);
}

/* The model's denominator-free shape g(N) = N / (1 + sigma (N-1) + kappa N (N-1)). */
static double shape(double n, double s, double k)
{
	return n / (1 + s * (n - 1) + k * n * (n - 1));
}

/* For fixed sigma and kappa the best lambda has a closed form under each
 * loss: ols minimises sum (lambda g - x)^2, relative sum ((lambda g - x) / x)^2,
 * log sum (log lambda g - log x)^2. */
static double best_lambda(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
			  double s, double k)
{
	double num = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		double g = shape(w[i], s, k);

		switch (loss) {
		case PT_USL_OLS:
			num += g * x[i];
			den += g * g;
			break;
		case PT_USL_RELATIVE:
			num += g / x[i];
			den += g * g / (x[i] * x[i]);
			break;
		case PT_USL_LOG:
			num += log(x[i] / g);
			den += 1;
			break;
		}
	}
	if (loss == PT_USL_LOG)
		return exp(num / den);
	return den > 0 ? num / den : 0;
}

/* Residual i of the parameters P = (lambda, sigma, kappa) under LOSS, and,
 * when J is not NULL, its derivatives. */
static double residual(double w, double x, enum pt_usl_loss loss, const double p[3], double J[3])
{
	double D = 1 + p[1] * (w - 1) + p[2] * w * (w - 1), f = p[0] * w / D;
	double scale = loss == PT_USL_OLS ? 1 : loss == PT_USL_RELATIVE ? 1 / x : 1 / f;

	if (J) {
		J[0] = w / D * scale;
		J[1] = -f * (w - 1) / D * scale;
		J[2] = -f * w * (w - 1) / D * scale;
	}
	if (loss == PT_USL_LOG)
		return log(f / x);
	return (f - x) * scale;
}

static double loss_sum(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
		       const double p[3])
{
	double e = 0;

	for (size_t i = 0; i < n; i++) {
		double r = residual(w[i], x[i], loss, p, NULL);

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

/* The Gauss-Newton normal equations at P: H = J'J and G = J'r. */
static void normal_eq(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
		      const double p[3], double h[3][3], double g[3])
{
	memset(h, 0, 9 * sizeof(double));
	memset(g, 0, 3 * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		double J[3], r = residual(w[i], x[i], loss, p, J);

		for (int a = 0; a < 3; a++) {
			g[a] += J[a] * r;
			for (int b = 0; b < 3; b++)
				h[a][b] += J[a] * J[b];
		}
	}
}

/* The Levenberg-Marquardt step D over the free parameters FREE with
 * damping MU (0: the Gauss-Newton step); the others stay.  -1 when the
 * system is singular. */
static int lm_step(double h[3][3], const double g[3], const int free_[3], double mu, double d[3])
{
	double a[3][3], b[3];

	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++)
			a[i][j] = free_[i] && free_[j] ? h[i][j] : 0;
		if (free_[i])
			a[i][i] *= 1 + mu;
		else
			a[i][i] = 1;
		b[i] = free_[i] ? -g[i] : 0;
	}
	return solve3(a, b, d);
}

/* Which of P's parameters are free: lambda always, sigma and kappa unless
 * they sit on their bound 0 with the gradient G pushing them below it. */
static void free_set(const double p[3], const double g[3], int free_[3])
{
	free_[0] = 1;
	for (int j = 1; j < 3; j++)
		free_[j] = p[j] > 0 || g[j] < 0;
}

/* Standard errors of the parameters and the 95% interval of the peak, by
 * the delta method on the covariance s^2 (J'J)^-1 at the optimum. */
static void uncertainty(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
			const double p[3], double sse, struct pt_usl_model *out)
{
	double h[3][3], g[3], cov[3][3];

	out->lambda_se = out->sigma_se = out->kappa_se = NAN;
	out->peak_low = out->peak_high = NAN;
	if (n <= 3)
		return;
	normal_eq(w, x, n, loss, p, h, g);
	for (int c = 0; c < 3; c++) {
		double a[3][3], e[3] = { c == 0, c == 1, c == 2 }, col[3];

		memcpy(a, h, sizeof(a));
		if (solve3(a, e, col) < 0)
			return;
		for (int r = 0; r < 3; r++)
			cov[r][c] = col[r] * sse / (double)(n - 3);
	}
	if (!(cov[0][0] >= 0 && cov[1][1] >= 0 && cov[2][2] >= 0))
		return;
	out->lambda_se = sqrt(cov[0][0]);
	out->sigma_se = sqrt(cov[1][1]);
	out->kappa_se = sqrt(cov[2][2]);
	if (isfinite(out->peak_workers)) {
		double ps = -1 / (2 * p[2] * out->peak_workers), pk = -out->peak_workers / (2 * p[2]);
		double var = ps * ps * cov[1][1] + 2 * ps * pk * cov[1][2] + pk * pk * cov[2][2];
		double half = pt_t_quantile(0.975, (unsigned)(n - 3)) * sqrt(fmax(var, 0));

		out->peak_low = out->peak_workers - half;
		out->peak_high = out->peak_workers + half;
	}
}

int pt_usl_fit(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
	       struct pt_usl_model *out)
{
	/* Start from the best point of a log-spaced grid over sigma and kappa:
	 * the surface has long flat valleys where local descent from a poor
	 * start is slow. */
	static const double grid[] = { 0, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2,
				       0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0 };
	const size_t ng = sizeof(grid) / sizeof(grid[0]);
	double p[3] = { 0, 0, 0 }, best = INFINITY, mu = 1e-3, sse, mean = 0, ss_tot = 0, ss_res = 0;
	double rel = 0, max_n = 0, scale = 0;
	size_t bad;

	memset(out, 0, sizeof(*out));
	out->loss = loss_names[loss];
	if (count_distinct(w, x, n, 3, &bad) < 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		double q[3] = { 0, 0, 0 }, r = residual(w[i], x[i], loss, q, NULL);

		if (w[i] > max_n)
			max_n = w[i];
		scale += r * r;
	}
	for (size_t a = 0; a < ng; a++) {
		for (size_t b = 0; b < ng; b++) {
			double q[3] = { 0, grid[a], grid[b] / 10 }, e;

			q[0] = best_lambda(w, x, n, loss, q[1], q[2]);
			e = loss_sum(w, x, n, loss, q);
			if (e < best) {
				best = e;
				memcpy(p, q, sizeof(p));
			}
		}
	}
	/* Projected Levenberg-Marquardt with an active set: sigma or kappa at
	 * 0 with the gradient pushing it below leaves the step, so the others
	 * move as if it were fixed there.  Converged when the Gauss-Newton
	 * step over the free parameters predicts a decrease below 1e-10 of
	 * the loss (the first-order condition on the bounded problem, relative
	 * to the fit's own size), or the loss is below rounding of the data
	 * (1e-24 of its scale: exact data). */
	sse = best;
	for (int it = 0; it < 2000 && !out->converged; it++) {
		double h[3][3], g[3], d[3], q[3], e, pred = 0;
		int fr[3];

		normal_eq(w, x, n, loss, p, h, g);
		free_set(p, g, fr);
		if (lm_step(h, g, fr, 0, d) == 0)
			for (int j = 0; j < 3; j++)
				pred -= g[j] * d[j];
		if (sse <= 1e-24 * scale || (pred >= 0 && pred <= 1e-10 * sse)) {
			out->converged = 1;
			break;
		}
		for (;;) {
			if (lm_step(h, g, fr, mu, d) < 0) {
				mu *= 10;
			} else {
				q[0] = p[0] + d[0];
				q[1] = fmax(0, p[1] + d[1]);
				q[2] = fmax(0, p[2] + d[2]);
				e = q[0] > 0 ? loss_sum(w, x, n, loss, q) : INFINITY;
				if (e <= sse) {
					memcpy(p, q, sizeof(p));
					sse = e;
					mu = fmax(mu / 10, 1e-12);
					break;
				}
				mu *= 10;
			}
			/* damping this large moves nothing a double can hold */
			if (mu > 1e16)
				break;
		}
		if (mu > 1e16)
			break;
	}
	/* terms this small change no prediction within any tested range */
	out->lambda = p[0];
	out->sigma = p[1] < 1e-12 ? 0 : p[1];
	out->kappa = p[2] < 1e-15 ? 0 : p[2];
	out->points = (unsigned)n;
	for (size_t i = 0; i < n; i++)
		mean += x[i] / (double)n;
	for (size_t i = 0; i < n; i++) {
		double f = pt_usl_predict(out, w[i]);

		ss_tot += (x[i] - mean) * (x[i] - mean);
		ss_res += (x[i] - f) * (x[i] - f);
		rel += (f - x[i]) * (f - x[i]) / (x[i] * x[i]);
	}
	out->loss_value = sse;
	out->r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
	out->rms_relative_error = sqrt(rel / (double)n);
	out->peak_workers = out->kappa > 0 && out->sigma < 1 ?
		sqrt((1 - out->sigma) / out->kappa) : INFINITY;
	out->bound = pt_usl_bound(out, max_n);
	uncertainty(w, x, n, loss, p, sse, out);
	return isfinite(out->lambda) && out->lambda > 0 && out->converged ? 0 : -EDOM;
}

int pt_usl_fit_loss(const double *w, const double *x, size_t n, enum pt_usl_loss loss,
		    struct pt_usl_model *out)
{
	size_t bad;
	long distinct = count_distinct(w, x, n, FIT_MIN_DISTINCT, &bad);

	if ((unsigned)loss > PT_USL_LOG)
		return pt_fail(EINVAL, "unknown loss %d", (int)loss);
	if (distinct < 0)
		return pt_fail(EINVAL, "point %zu (%g, %g): worker counts and throughputs "
			       "must be positive numbers", bad + 1, w[bad], x[bad]);
	if (distinct < FIT_MIN_DISTINCT)
		return pt_fail(EINVAL, "%ld distinct worker count%s; the model needs at least %d",
			       distinct, distinct == 1 ? "" : "s", FIT_MIN_DISTINCT);
	if (pt_usl_fit(w, x, n, loss, out) < 0)
		return pt_fail(EDOM, "the model did not converge on these points");
	return 0;
}

int pt_usl_fit_points(const double *w, const double *x, size_t n, struct pt_usl_model *out)
{
	return pt_usl_fit_loss(w, x, n, PT_USL_OLS, out);
}

/* ---- the CSV reader ---------------------------------------------------------- */

/* The most `fit` reads.  A scalability measurement has a few rows per worker
 * count, and each iteration of the fit passes over every row, so a million
 * rows is far beyond any real input yet keeps the fit to seconds; 64 MiB
 * holds a million rows of 64 bytes. */
#define FIT_MAX_BYTES ((size_t)64 << 20)
#define FIT_MAX_ROWS 1000000
/* The largest worker count: the CLI's own bound on worker counts. */
#define FIT_MAX_WORKERS 1000000
/* The range of throughputs read: the fit squares residuals, their
 * derivatives and their products with 10^12 (a million workers squared),
 * which beyond these bounds leave the range of a double. */
#define FIT_MIN_THROUGHPUT 1e-100
#define FIT_MAX_THROUGHPUT 1e100
/* The longest field read as a number: 17 significant digits with a sign, a
 * point and an exponent take under 30 characters; a longer field is not a
 * measurement. */
#define FIELD_MAX 64
/* At most this many bytes of a line or field are quoted in a message, in a
 * buffer of EXCERPT_BUF bytes (each byte may take four, as \xNN). */
#define EXCERPT_MAX 48
#define EXCERPT_BUF (EXCERPT_MAX * 4 + 8)

/* The reader's position, for messages. */
struct csv {
	const char *name;
	size_t line;            /* from 1 */
};

/* One field of a row, blanks and one pair of quotes removed. */
struct field {
	const char *s;
	size_t len;
};

/* LEN bytes of S quoted for a message in BUF (EXCERPT_BUF bytes, CAP):
 * printable ASCII as it is, any other byte as \xNN, cut after EXCERPT_MAX
 * bytes with "...".  Returns BUF. */
static const char *excerpt(char *buf, size_t cap, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == EXCERPT_MAX || o + 8 > cap) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct field field_trim(const char *s, size_t len)
{
	struct field f;

	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
		while (len && is_blank(*s)) {
			s++;
			len--;
		}
		while (len && is_blank(s[len - 1]))
			len--;
	}
	f.s = s;
	f.len = len;
	return f;
}

enum number { NUMBER_OK, NUMBER_NOT, NUMBER_LONG, NUMBER_RANGE };

/* Read F as a decimal number, *OUT: an optional sign, digits with an
 * optional point, an optional exponent.  Hexadecimal, infinity and NaN are
 * not numbers here; NUMBER_RANGE when the value overflows or underflows a
 * double. */
static enum number field_number(struct field f, double *out)
{
	char buf[FIELD_MAX + 1], *end;
	size_t i = 0, digits = 0;

	if (i < f.len && (f.s[i] == '+' || f.s[i] == '-'))
		i++;
	for (; i < f.len && is_digit(f.s[i]); i++)
		digits++;
	if (i < f.len && f.s[i] == '.')
		for (i++; i < f.len && is_digit(f.s[i]); i++)
			digits++;
	if (digits == 0)
		return NUMBER_NOT;
	if (i < f.len && (f.s[i] == 'e' || f.s[i] == 'E')) {
		size_t exp_digits = 0;

		i++;
		if (i < f.len && (f.s[i] == '+' || f.s[i] == '-'))
			i++;
		for (; i < f.len && is_digit(f.s[i]); i++)
			exp_digits++;
		if (exp_digits == 0)
			return NUMBER_NOT;
	}
	if (i != f.len)
		return NUMBER_NOT;
	if (f.len > FIELD_MAX)
		return NUMBER_LONG;
	memcpy(buf, f.s, f.len);
	buf[f.len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return errno == ERANGE || !isfinite(*out) ? NUMBER_RANGE : NUMBER_OK;
}

/* Does F look like a number, however malformed: a digit first (after a
 * sign), a point and a digit, or a spelling of infinity or NaN? */
static int numeric_looking(struct field f)
{
	static const char *const words[] = { "inf", "infinity", "nan" };
	size_t i = f.len && (f.s[0] == '+' || f.s[0] == '-');

	if (i < f.len && is_digit(f.s[i]))
		return 1;
	if (i + 1 < f.len && f.s[i] == '.' && is_digit(f.s[i + 1]))
		return 1;
	for (size_t k = 0; k < PT_COUNT(words); k++) {
		size_t n = strlen(words[k]);

		if (f.len - i >= n && strncasecmp(f.s + i, words[k], n) == 0 &&
		    (f.len - i == n || (k == 2 && f.s[i + n] == '(')))
			return 1;
	}
	return 0;
}

static int has_letter(struct field f)
{
	for (size_t i = 0; i < f.len; i++)
		if ((f.s[i] >= 'a' && f.s[i] <= 'z') || (f.s[i] >= 'A' && f.s[i] <= 'Z'))
			return 1;
	return 0;
}

/* A header names its columns: letters in both fields, and neither field
 * is a malformed number (a first row `1,NaN` is data, and refused). */
static int is_header(struct field a, struct field b)
{
	return has_letter(a) && has_letter(b) && !numeric_looking(a) && !numeric_looking(b);
}

/* The message for field F of the row ROW (ROW_LEN bytes), which
 * field_number() refused with R; WORKERS is 1 for the first column.
 * Returns pt_fail()'s value. */
static int field_error(const struct csv *c, const char *row, size_t row_len, int workers,
		       struct field f, enum number r)
{
	const char *what = workers ? "worker count" : "throughput";
	char q[EXCERPT_BUF], qf[EXCERPT_BUF];

	excerpt(qf, sizeof(qf), f.s, f.len);
	if (r == NUMBER_LONG)
		return pt_fail(EINVAL, "%s:%zu: %s '%s' is too long for a number (over %d "
			       "characters)", c->name, c->line, what, qf, FIELD_MAX);
	if (r == NUMBER_RANGE && workers)
		return pt_fail(ERANGE, "%s:%zu: worker count %s is out of range: at most %d",
			       c->name, c->line, qf, FIT_MAX_WORKERS);
	if (r == NUMBER_RANGE)
		return pt_fail(ERANGE, "%s:%zu: throughput %s is out of the range of a double",
			       c->name, c->line, qf);
	return pt_fail(EINVAL, "%s:%zu: '%s' is not a pair of numbers: %s '%s' is not a "
		       "decimal number", c->name, c->line, excerpt(q, sizeof(q), row, row_len),
		       what, qf);
}

/* Check the row's values: W workers (written FW) a positive integer within
 * range, throughput X (written FX) positive and within range.  0, or
 * pt_fail()'s value. */
static int row_check(const struct csv *c, struct field fw, double w, struct field fx, double x)
{
	char q[EXCERPT_BUF];

	if (w <= 0 || w != floor(w))
		return pt_fail(EINVAL, "%s:%zu: worker count %s must be a positive integer",
			       c->name, c->line, excerpt(q, sizeof(q), fw.s, fw.len));
	if (w > FIT_MAX_WORKERS)
		return pt_fail(ERANGE, "%s:%zu: worker count %s is out of range: at most %d",
			       c->name, c->line, excerpt(q, sizeof(q), fw.s, fw.len),
			       FIT_MAX_WORKERS);
	if (x < 0)
		return pt_fail(EINVAL, "%s:%zu: throughput %s is negative", c->name, c->line,
			       excerpt(q, sizeof(q), fx.s, fx.len));
	if (x == 0)
		return pt_fail(EINVAL, "%s:%zu: throughput %s cannot be fitted; drop the row "
			       "or measure again", c->name, c->line,
			       excerpt(q, sizeof(q), fx.s, fx.len));
	if (x < FIT_MIN_THROUGHPUT || x > FIT_MAX_THROUGHPUT)
		return pt_fail(ERANGE, "%s:%zu: throughput %s is out of range: expected %g to %g",
			       c->name, c->line, excerpt(q, sizeof(q), fx.s, fx.len),
			       FIT_MIN_THROUGHPUT, FIT_MAX_THROUGHPUT);
	return 0;
}

/* Parse LEN bytes of TEXT, named NAME in messages, into rows.  0 with
 * *WORKERS and *THROUGHPUT malloc'd (NULL when there are no rows), or
 * pt_fail()'s value. */
static int parse_rows(const char *name, const char *text, size_t len, double **workers,
		      double **throughput, size_t *n)
{
	struct csv c = { name, 0 };
	const char *p = text, *end = text + len, *next;
	size_t count = 0, wcap = 0, xcap = 0;
	double *w = NULL, *x = NULL;
	int ret = 0, first = 1;

	if (len > FIT_MAX_BYTES) {
		ret = pt_fail(EFBIG, "'%s' is larger than %zu MiB, the most fit reads", name,
			      FIT_MAX_BYTES >> 20);
		goto out;
	}
	/* the UTF-8 byte order mark that spreadsheets write */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < end; p = next) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *le = eol ? eol : end;
		const char *s = p, *nul, *comma, *stop;
		struct field fw, fx;
		enum number rw, rx;
		double a = 0, b = 0;

		next = eol ? eol + 1 : end;
		c.line++;
		nul = memchr(p, '\0', (size_t)(le - p));
		if (nul) {
			ret = pt_fail(EINVAL, "%s:%zu: binary data (a NUL byte at offset %zu); "
				      "expected workers,throughput rows", name, c.line,
				      (size_t)(nul - text));
			goto out;
		}
		if (le > p && le[-1] == '\r')
			le--;
		while (s < le && is_blank(*s))
			s++;
		if (s == le || *s == '#')
			continue;
		comma = memchr(s, ',', (size_t)(le - s));
		if (!comma) {
			ret = pt_fail(EINVAL, "%s:%zu: expected two comma-separated values "
				      "workers,throughput", name, c.line);
			goto out;
		}
		stop = memchr(comma + 1, ',', (size_t)(le - comma - 1));
		fw = field_trim(s, (size_t)(comma - s));
		fx = field_trim(comma + 1, (size_t)((stop ? stop : le) - comma - 1));
		rw = field_number(fw, &a);
		rx = field_number(fx, &b);
		if (first && (rw != NUMBER_OK || rx != NUMBER_OK) && is_header(fw, fx)) {
			first = 0;
			continue;
		}
		first = 0;
		if (rw != NUMBER_OK || rx != NUMBER_OK) {
			ret = rw != NUMBER_OK ? field_error(&c, s, (size_t)(le - s), 1, fw, rw) :
				field_error(&c, s, (size_t)(le - s), 0, fx, rx);
			goto out;
		}
		ret = row_check(&c, fw, a, fx, b);
		if (ret < 0)
			goto out;
		if (count == FIT_MAX_ROWS) {
			ret = pt_fail(EFBIG, "%s:%zu: more than %d rows, the most fit reads",
				      name, c.line, FIT_MAX_ROWS);
			goto out;
		}
		if (PT_ARRAY_GROW(w, wcap, count + 1, 64) < 0 ||
		    PT_ARRAY_GROW(x, xcap, count + 1, 64) < 0) {
			ret = pt_fail(ENOMEM, "out of memory");
			goto out;
		}
		w[count] = a;
		x[count++] = b;
	}
out:
	if (ret < 0) {
		free(w);
		free(x);
		return ret;
	}
	*workers = w;
	*throughput = x;
	*n = count;
	return 0;
}

int pt_fit_read_csv(const char *path, double **workers, double **throughput, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (!f)
		return pt_fail(errno, "cannot open '%s': %s", path, strerror(errno));
	/* one byte beyond the limit tells a file over it, without reading on
	 * (from /dev/zero, forever) */
	while (len <= FIT_MAX_BYTES) {
		size_t got;

		if (len == cap) {
			size_t grown = cap ? 2 * cap : 64 * 1024;
			char *t;

			if (grown > FIT_MAX_BYTES + 1)
				grown = FIT_MAX_BYTES + 1;
			t = realloc(text, grown);
			if (!t) {
				ret = pt_fail(ENOMEM, "out of memory");
				goto out;
			}
			text = t;
			cap = grown;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		ret = pt_fail(errno ? errno : EIO, "cannot read '%s': %s", path,
			      strerror(errno ? errno : EIO));
		goto out;
	}
	ret = parse_rows(path, text ? text : "", len, workers, throughput, n);
out:
	free(text);
	fclose(f);
	return ret;
}

int pt_fit_parse_csv(const char *name, const char *text, size_t len, double **workers,
		     double **throughput, size_t *n)
{
	return parse_rows(name, text, len, workers, throughput, n);
}

void pt_usl_model_json(cJSON *o, const struct pt_usl_model *m)
{
	const struct {
		const char *key;
		double v;
	} nums[] = {
		{ "sigma", m->sigma }, { "kappa", m->kappa }, { "lambda", m->lambda },
		{ "r2", m->r2 }, { "rms_relative_error", m->rms_relative_error },
		{ "peak_workers", m->peak_workers },
	}, fit[] = {
		{ "loss_value", m->loss_value }, { "sigma_se", m->sigma_se },
		{ "kappa_se", m->kappa_se }, { "lambda_se", m->lambda_se },
		{ "peak_workers_low", m->peak_low }, { "peak_workers_high", m->peak_high },
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		pt_json_add_number(o, nums[i].key, nums[i].v);
	cJSON_AddStringToObject(o, "loss", m->loss ? m->loss : "relative");
	cJSON_AddBoolToObject(o, "converged", m->converged);
	for (size_t i = 0; i < sizeof(fit) / sizeof(fit[0]); i++)
		pt_json_add_number(o, fit[i].key, fit[i].v);
}

char *pt_usl_fit_json(const char *name, const double *workers, const double *throughput,
		      size_t n, const struct pt_usl_model *m)
{
	cJSON *d = cJSON_CreateObject(), *a;
	char *text;

	cJSON_AddStringToObject(d, "file", name);
	cJSON_AddStringToObject(d, "model", "usl");
	pt_usl_model_json(d, m);
	pt_json_add_number(d, "points", m->points);
	cJSON_AddStringToObject(d, "bound", m->bound);
	a = cJSON_AddArrayToObject(d, "residuals");
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();

		pt_json_add_number(e, "workers", workers[i]);
		pt_json_add_number(e, "throughput", throughput[i]);
		pt_json_add_number(e, "model", pt_usl_predict(m, workers[i]));
		cJSON_AddItemToArray(a, e);
	}
	text = d ? cJSON_Print(d) : NULL;
	cJSON_Delete(d);
	if (!text)
		pt_fail(ENOMEM, "out of memory");
	return text;
}
