/* fit.c - the public scalability-model fit and its CSV reader */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftune.h"
#include "stats/stats.h"
#include "base/util.h"

/* Fewer distinct counts than this leave the three parameters unchecked:
 * three points are fitted exactly by almost any curve. */
#define FIT_MIN_DISTINCT 4

int pt_usl_fit_points(const double *w, const double *x, size_t n, struct pt_usl_model *out)
{
	struct pt_usl m;
	size_t distinct = 0;
	double max_n = 0;

	for (size_t i = 0; i < n; i++) {
		int seen = 0;

		if (!(w[i] > 0) || !(x[i] > 0) || !isfinite(w[i]) || !isfinite(x[i]))
			return pt_fail(EINVAL, "point %zu (%g, %g): worker counts and throughputs "
				       "must be positive numbers", i + 1, w[i], x[i]);
		for (size_t j = 0; j < i; j++)
			seen |= w[j] == w[i];
		distinct += !seen;
		if (w[i] > max_n)
			max_n = w[i];
	}
	if (distinct < FIT_MIN_DISTINCT)
		return pt_fail(EINVAL, "%zu distinct worker count%s; the model needs at least %d",
			       distinct, distinct == 1 ? "" : "s", FIT_MIN_DISTINCT);
	if (pt_usl_fit(w, x, n, &m) < 0 || !m.ok)
		return pt_fail(EINVAL, "the model did not converge on these points");
	out->lambda = m.lambda;
	out->sigma = m.sigma;
	out->kappa = m.kappa;
	out->r2 = m.r2;
	out->rms_relative_error = m.rms_rel;
	out->peak_workers = m.peak;
	out->points = m.points;
	out->bound = pt_usl_bound(&m, max_n);
	return 0;
}

double pt_usl_predict(const struct pt_usl_model *m, double workers)
{
	return m->lambda * workers / (1 + m->sigma * (workers - 1) +
				      m->kappa * workers * (workers - 1));
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
	size_t cap = 0, count = 0, room = 0;
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
		if (count == room) {
			size_t r2 = room ? room * 2 : 64;
			double *nw = realloc(w, r2 * sizeof(*nw)), *nx;

			if (!nw) {
				ret = pt_fail(ENOMEM, "out of memory");
				goto out;
			}
			w = nw;
			nx = realloc(x, r2 * sizeof(*nx));
			if (!nx) {
				ret = pt_fail(ENOMEM, "out of memory");
				goto out;
			}
			x = nx;
			room = r2;
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
