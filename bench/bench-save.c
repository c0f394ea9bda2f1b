/* bench-save.c - the cost of saving a results document after every trial, early and late */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proftune.h"

/*
 * `run` and `tune` save their document after every trial, so that a kill
 * loses at most the trial in flight.  This builds a document of LAST
 * trials (real in-process trials of an empty task on two workers, each the
 * size of a short measurement's entry) and saves it after each one into a
 * fresh directory, as the CLI does.  The cost at trial K is the median of
 * the saves of trials K - WINDOW/2 .. K + WINDOW/2, so that a flush that the
 * disk makes wait, on a machine busy with other work, does not decide it.
 * Saving must not slow down as trials accumulate: the cost at trial 1,000
 * may be at most LIMIT times the cost at trial 10.
 */

#define EARLY 10
#define LATE 1000
#define WINDOW 18   /* even: K is the middle of WINDOW + 1 saves */
#define LAST (LATE + WINDOW / 2)
/* a constant cost stays within a factor 3 even on a noisy shared disk */
#define LIMIT 3.0

static int noop(pt_worker *w, uint64_t item)
{
	(void)w;
	(void)item;
	return 0;
}

static const struct pt_task noop_task = {
	.abi = PT_ABI_VERSION,
	.size = sizeof(struct pt_task),
	.name = "noop",
	.summary = "does nothing",
	.run = noop,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The median of the WINDOW + 1 costs around V[K]. */
static double median_around(const double *v, size_t k)
{
	double w[WINDOW + 1];
	size_t n = WINDOW + 1;

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		w[i] = v[k - WINDOW / 2 + i];
		for (; j > 0 && w[j] < w[j - 1]; j--) {
			double x = w[j];

			w[j] = w[j - 1];
			w[j - 1] = x;
		}
	}
	return w[n / 2];
}

int main(void)
{
	char dir[] = "/tmp/proftune-bench-save.XXXXXX", path[64];
	pt_module *m = pt_module_from_task(&noop_task, "noop");
	struct pt_trial_config c;
	double *cost = calloc(LAST + 1, sizeof(*cost)), early, late, total = 0;
	pt_results *r;
	int ok;

	if (!m || !cost || !mkdtemp(dir)) {
		fprintf(stderr, "bench: %s\n", m ? "cannot create a directory in /tmp" :
			pt_last_error());
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	r = pt_results_new("run", m, NULL, NULL, "{\"command\":\"run\"}");
	if (!r) {
		fprintf(stderr, "bench: %s\n", pt_last_error());
		return 1;
	}
	pt_trial_config_init(&c);
	c.workers = 2;
	c.items = 2000;
	c.warmup_s = 0;
	c.counters = 0;
	for (unsigned i = 1; i <= LAST; i++) {
		pt_trial *tr = pt_trial_run(m, NULL, &c);
		double t0;

		if (!tr) {
			fprintf(stderr, "bench: %s\n", pt_last_error());
			return 1;
		}
		pt_results_add_trial(r, tr);
		t0 = now_s();
		if (pt_results_save(r, path) < 0) {
			fprintf(stderr, "bench: %s\n", pt_last_error());
			return 1;
		}
		cost[i] = now_s() - t0;
		total += cost[i];
	}
	if (pt_results_write(r, path) < 0) {
		fprintf(stderr, "bench: %s\n", pt_last_error());
		return 1;
	}
	early = median_around(cost, EARLY);
	late = median_around(cost, LATE);
	ok = late <= LIMIT * early;
	printf("saving after every trial (%u trials of 2 workers, median of %u saves)\n",
	       (unsigned)LAST, (unsigned)WINDOW + 1);
	printf("  save at trial %5u  %8.3f ms\n", (unsigned)EARLY, early * 1e3);
	printf("  save at trial %5u  %8.3f ms   %.2fx trial %u (target <= %.0fx)\n",
	       (unsigned)LATE, late * 1e3, late / early, (unsigned)EARLY, LIMIT);
	printf("  all %u saves       %8.3f s\n", (unsigned)LAST, total);
	if (!ok)
		printf("  MISSED: a save at trial %u costs more than %.0fx one at trial %u\n",
		       (unsigned)LATE, LIMIT, (unsigned)EARLY);
	pt_results_free(r);
	pt_module_close(m);
	free(cost);
	if (unlink(path) != 0 || rmdir(dir) != 0)
		fprintf(stderr, "bench: cannot remove '%s'\n", dir);
	return ok ? 0 : 1;
}
