/* json.c - `report --format json`: the validated document re-emitted, or the comparison, as valid UTF-8 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "base/json.h"
#include "base/util.h"
#include "report/json.h"
#include "report/grid.h"
#include "report/util.h"

int report_json(FILE *f, const struct report *r)
{
	char *text = NULL;

	if (r->cmp) {
		text = pt_json_text_clean(pt_compare_json(r->cmp));
	} else if (r->ndocs == 1) {
		text = pt_json_text_clean(pt_doc_json(r->docs[0].doc));
	} else {
		/* several documents: an array of them, by reference (not copied) */
		cJSON *a = cJSON_CreateArray();

		for (size_t k = 0; a && k < r->ndocs; k++)
			cJSON_AddItemReferenceToArray(a, (cJSON *)r->docs[k].tree);
		text = a ? pt_json_print(a, 1) : NULL;
		cJSON_Delete(a);
	}
	if (!text) {
		return pt_fail(ENOMEM, "out of memory");
	}
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return 0;
}
