/* usl.c - the Universal Scalability Law: evaluation, least-squares fit, bottleneck, CSV reader */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proftune.h"
#include "base/json.h"
#include "base/util.h"
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

/* The number of distinct worker counts among the N points, or -1 when a
 * point is not a pair of positive finite numbers (*BAD: the first such). */
static long count_distinct(const double *w, const double *x, size_t n, size_t *bad)
{
	long distinct = 0;

	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		if (!(w[i] > 0) || !(x[i] > 0) || !isfinite(w[i]) || !isfinite(x[i])) {
			*bad = i;
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			seen |= w[j] == w[i];
		distinct += !seen;
	}
	return distinct;
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

int pt_usl_fit(const double *w, const double *x, size_t n, struct pt_usl_model *out)
{
	/* Start from the best point of a log-spaced grid over sigma and kappa:
	 * the surface has long flat valleys where local descent from a poor
	 * start stalls. */
	static const double grid[] = { 0, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2,
				       0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 2.0 };
	const size_t ng = sizeof(grid) / sizeof(grid[0]);
	double p[3] = { 0, 0, 0 }, best = INFINITY, mu = 1e-3, sse, mean = 0, ss_tot = 0, ss_res = 0;
	double max_n = 0;
	size_t bad;

	memset(out, 0, sizeof(*out));
	if (count_distinct(w, x, n, &bad) < 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (w[i] > max_n)
			max_n = w[i];
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
		double f = pt_usl_predict(out, w[i]);

		ss_tot += (x[i] - mean) * (x[i] - mean);
		ss_res += (x[i] - f) * (x[i] - f);
	}
	out->r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
	out->rms_relative_error = sqrt(sse / (double)n);
	out->peak_workers = out->kappa > 0 && out->sigma < 1 ?
		sqrt((1 - out->sigma) / out->kappa) : INFINITY;
	out->bound = pt_usl_bound(out, max_n);
	return isfinite(out->lambda) && out->lambda > 0 ? 0 : -EDOM;
}

int pt_usl_fit_points(const double *w, const double *x, size_t n, struct pt_usl_model *out)
{
	size_t bad;
	long distinct = count_distinct(w, x, n, &bad);

	if (distinct < 0)
		return pt_fail(EINVAL, "point %zu (%g, %g): worker counts and throughputs "
			       "must be positive numbers", bad + 1, w[bad], x[bad]);
	if (distinct < FIT_MIN_DISTINCT)
		return pt_fail(EINVAL, "%ld distinct worker count%s; the model needs at least %d",
			       distinct, distinct == 1 ? "" : "s", FIT_MIN_DISTINCT);
	if (pt_usl_fit(w, x, n, out) < 0)
		return pt_fail(EINVAL, "the model did not converge on these points");
	return 0;
}

/* Parse one CSV field as a number; 0 or -1. */
static int field_number(const char *s, size_t len, double *out)
{
	char buf[64], *end;

	while (len && (*s == ' ' || *s == '\t' || *s == '"')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '"' ||
		       s[len - 1] == '\r'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Read rows from F; PATH names it in messages. */
static int read_rows(FILE *f, const char *path, double **workers, double **throughput, size_t *n)
{
	char *line = NULL;
	size_t cap = 0, count = 0, wcap = 0, xcap = 0;
	double *w = NULL, *x = NULL;
	unsigned lineno = 0, data_lines = 0;
	ssize_t len;
	int ret = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *p = line, *comma;
		double a, b;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '#')
			continue;
		if (memchr(line, '\0', (size_t)len)) {
			ret = pt_fail(EINVAL, "%s:%u: binary data; expected workers,throughput rows",
				      path, lineno);
			goto out;
		}
		comma = strchr(p, ',');
		if (!comma) {
			ret = pt_fail(EINVAL, "%s:%u: expected two comma-separated values "
				      "workers,throughput", path, lineno);
			goto out;
		}
		const char *second = comma + 1, *end2 = strpbrk(second, ",\n");
		size_t len2 = end2 ? (size_t)(end2 - second) : strlen(second);

		if (field_number(p, (size_t)(comma - p), &a) < 0 ||
		    field_number(second, len2, &b) < 0) {
			data_lines++;
			if (data_lines == 1 && count == 0)
				continue; /* a header line */
			ret = pt_fail(EINVAL, "%s:%u: '%.*s' is not a pair of numbers", path, lineno,
				      (int)strcspn(p, "\r\n"), p);
			goto out;
		}
		data_lines++;
		if (a <= 0 || a != floor(a)) {
			ret = pt_fail(EINVAL, "%s:%u: worker count %g must be a positive integer",
				      path, lineno, a);
			goto out;
		}
		if (b < 0) {
			ret = pt_fail(EINVAL, "%s:%u: throughput %g is negative", path, lineno, b);
			goto out;
		}
		if (b == 0) {
			ret = pt_fail(EINVAL, "%s:%u: throughput 0 cannot be fitted; drop the row "
				      "or measure again", path, lineno);
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
	if (ferror(f)) {
		ret = pt_fail(EIO, "cannot read '%s'", path);
		goto out;
	}
out:
	free(line);
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
	int ret;

	if (!f)
		return pt_fail(errno, "cannot open '%s': %s", path, strerror(errno));
	ret = read_rows(f, path, workers, throughput, n);
	fclose(f);
	return ret;
}

int pt_fit_parse_csv(const char *name, const char *text, size_t len, double **workers,
		     double **throughput, size_t *n)
{
	FILE *f;
	int ret;

	if (len == 0) {
		*workers = *throughput = NULL;
		*n = 0;
		return 0;
	}
	f = fmemopen((void *)text, len, "r");
	if (!f)
		return pt_fail(errno, "cannot read '%s': %s", name, strerror(errno));
	ret = read_rows(f, name, workers, throughput, n);
	fclose(f);
	return ret;
}

void pt_usl_model_json(cJSON *o, const struct pt_usl_model *m)
{
	pt_json_add_number(o, "sigma", m->sigma);
	pt_json_add_number(o, "kappa", m->kappa);
	pt_json_add_number(o, "lambda", m->lambda);
	pt_json_add_number(o, "r2", m->r2);
	pt_json_add_number(o, "rms_relative_error", m->rms_relative_error);
	pt_json_add_number(o, "peak_workers", m->peak_workers);
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
