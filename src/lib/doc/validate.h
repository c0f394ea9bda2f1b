/* validate.h - reading a results document back and checking it against its schema (internal) */
#ifndef PT_VALIDATE_H
#define PT_VALIDATE_H

/* Everything validate.c offers is API, declared in proftune.h: pt_doc_parse(),
 * pt_doc_load(), pt_doc_free() and the document's name, command, task and
 * JSON.  The document it makes is struct pt_doc (doc/doc.h). */
#include "proftune.h"

#endif
