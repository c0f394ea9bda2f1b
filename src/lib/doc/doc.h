/* doc.h - a results document read back: made by validation, read by summaries and reports (internal) */
#ifndef PT_DOC_H
#define PT_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

/* pt_doc_parse() (validate.c) makes it; what doc.c says of it, per worker
 * count, its model and its answer, is API (pt_doc_counts() and the others
 * in proftune.h). */
struct pt_doc {
	char *name;   /* as given to pt_doc_parse(), owned */
	cJSON *root;  /* the validated tree, owned */
};

#endif
