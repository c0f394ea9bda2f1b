/* report-json.c - `report --format json`: the validated document re-emitted, or the comparison */
#include "config.h"

#include <stdlib.h>

#include "cli.h"
#include "report.h"

int report_json(FILE *f, const struct report *r)
{
	char *text = NULL;

	if (r->cmp) {
		text = pt_compare_json(r->cmp);
	} else if (r->ndocs == 1) {
		text = pt_doc_json(r->docs[0].doc);
	} else {
		/* several documents: an array of them, by reference (not copied) */
		cJSON *a = cJSON_CreateArray();

		for (size_t k = 0; a && k < r->ndocs; k++)
			cJSON_AddItemReferenceToArray(a, r->docs[k].tree);
		text = a ? cJSON_Print(a) : NULL;
		cJSON_Delete(a);
	}
	if (!text) {
		cli_error("out of memory");
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return 0;
}
