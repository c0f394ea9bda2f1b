/* testdoc.h - small valid results documents the doc suites build and parse */
#ifndef PT_TESTS_TESTDOC_H
#define PT_TESTS_TESTDOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "proftune.h"

/* A small valid "proftune/1" document for COMMAND: N trials at the worker
 * counts WORKERS with throughputs X (0 makes a failed trial; p99 = 1e9 /
 * throughput, peak RSS 1 MiB).  The caller owns the tree (cJSON_Delete, or
 * hand it to parse_tree). */
cJSON *make_doc(const char *command, const unsigned *workers, const double *x, size_t n);

/* Parse D's text as "t.json" (D is freed here).  With MESSAGE NULL the
 * document must be accepted and is returned (pt_doc_free); otherwise it
 * must be refused with an error containing MESSAGE, and NULL is returned. */
pt_doc *parse_tree(cJSON *d, const char *message);

#endif
