/* fuzz-fit-csv.c - libFuzzer target: the `proftune fit` CSV reader and the model fit */
#include <stdint.h>
#include <stdlib.h>

#include "proftune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double *w = NULL, *x = NULL;
	size_t n = 0;
	struct pt_usl_model m;

	if (pt_fit_parse_csv("fuzz.csv", (const char *)data, size, &w, &x, &n) == 0 && n < 4096)
		pt_usl_fit_points(w, x, n, &m);
	free(w);
	free(x);
	return 0;
}
