/* cmd-fit.c - `proftune fit`: the scalability model of any (N, X) data */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cmd_fit(struct cli_opts *o)
{
	struct pt_usl_model m;
	enum pt_usl_loss loss = PT_USL_OLS;
	double *w = NULL, *x = NULL;
	size_t n = 0;
	int ret = EXIT_OK;

	if (o->argc != 1)
		return cli_usage_error("fit", o->argc ? "one file at a time" :
				       "no data file given; write workers,throughput rows to a CSV file");
	if (o->loss && pt_usl_loss_parse(o->loss, &loss) < 0)
		return cli_usage_error("fit", "%s", pt_last_error());
	if (pt_fit_read_csv(o->argv[0], &w, &x, &n) < 0) {
		cli_error("%s", pt_last_error());
		return EXIT_USAGE;
	}
	if (n == 0) {
		cli_error("'%s' holds no workers,throughput rows", o->argv[0]);
		return EXIT_USAGE;
	}
	if (pt_usl_fit_loss(w, x, n, loss, &m) < 0) {
		cli_error("%s: %s", o->argv[0], pt_last_error());
		free(w);
		free(x);
		return EXIT_USAGE;
	}
	if (o->json) {
		ret = cli_print_text(pt_usl_fit_json(o->argv[0], w, x, n, &m));
	} else {
		printf("Universal Scalability Law fit of %u points from %s\n", m.points, o->argv[0]);
		printf("  X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))\n");
		printf("  least squares on %s residuals\n", m.loss);
		printf("  lambda %.6g (se %.2g)   sigma %.6g (se %.2g)   kappa %.6g (se %.2g)\n",
		       m.lambda, m.lambda_se, m.sigma, m.sigma_se, m.kappa, m.kappa_se);
		printf("  R2 %.4f   rms relative error %.2f%%\n", m.r2, 100 * m.rms_relative_error);
		if (m.sigma + m.kappa >= 1)
			/* X'(N) has the sign of 1 - sigma - kappa N^2: at 1 worker
			 * and beyond it is nowhere positive */
			printf("  no scaling: the model's throughput is highest at 1 worker and "
			       "%s (sigma + kappa = %.3g, at least 1)\n", m.kappa > 0 || m.sigma > 1 ?
			       "falls as workers are added" : "stays there at every count",
			       m.sigma + m.kappa);
		else if (isfinite(m.peak_workers) && isfinite(m.peak_low))
			printf("  predicted peak N* = sqrt((1 - sigma) / kappa) = %.2f workers "
			       "(95%% interval %.2f to %.2f)\n", m.peak_workers, m.peak_low,
			       m.peak_high);
		else if (isfinite(m.peak_workers))
			printf("  predicted peak N* = sqrt((1 - sigma) / kappa) = %.2f workers\n",
			       m.peak_workers);
		else
			printf("  no peak: kappa is 0, throughput approaches %s\n",
			       m.sigma > 0 ? "lambda / sigma" : "linear scaling");
		printf("  %s-bound at the largest count\n\n", m.bound);
		printf("  %8s %14s %14s %8s\n", "workers", "throughput", "model", "error");
		for (size_t i = 0; i < n; i++) {
			double f = pt_usl_predict(&m, w[i]);

			printf("  %8g %14.6g %14.6g %7.2f%%\n", w[i], x[i], f, 100 * (f - x[i]) / x[i]);
		}
	}
	free(w);
	free(x);
	return ret;
}
