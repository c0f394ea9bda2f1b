/* fuzz-results.c - libFuzzer target: the results-document reader behind `proftune report` */
#include <stdint.h>
#include <stdlib.h>

#include "proftune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pt_doc *d = pt_doc_parse((const char *)data, size, "fuzz.json");
	struct pt_doc_count *counts = NULL;
	struct pt_usl_model m;
	struct pt_tune_answer a;
	size_t n = 0;
	char *text;

	if (!d)
		return 0;
	pt_doc_command(d);
	pt_doc_task(d);
	if (pt_doc_counts(d, &counts, &n) == 0)
		free(counts);
	pt_doc_model(d, &m);
	pt_doc_tune_answer(d, &a);
	text = pt_doc_json(d);
	free(text);
	pt_doc_free(d);
	return 0;
}
