/* testdoc.c - small valid results documents the doc suites build and parse */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "testdoc.h"

cJSON *make_doc(const char *command, const unsigned *workers, const double *x, size_t n)
{
	cJSON *d = cJSON_CreateObject(), *h, *t, *trials;

	cJSON_AddStringToObject(d, "schema", "proftune/1");
	cJSON_AddStringToObject(d, "proftune_version", "0.1.0");
	cJSON_AddStringToObject(d, "command", command);
	cJSON_AddStringToObject(d, "created", "2026-11-23T12:00:00.000Z");
	h = cJSON_AddObjectToObject(d, "host");
	cJSON_AddStringToObject(h, "hostname", "test");
	t = cJSON_AddObjectToObject(d, "task");
	cJSON_AddStringToObject(t, "path", "/x/spin.so");
	cJSON_AddStringToObject(t, "name", "spin");
	cJSON_AddObjectToObject(t, "params");
	cJSON_AddObjectToObject(d, "config");
	trials = cJSON_AddArrayToObject(d, "trials");
	for (size_t i = 0; i < n; i++) {
		cJSON *tr = cJSON_CreateObject(), *o, *w;

		cJSON_AddNumberToObject(tr, "workers", workers[i]);
		cJSON_AddNumberToObject(tr, "repeat", (double)i);
		cJSON_AddStringToObject(tr, "status", x[i] > 0 ? "ok" : "failed");
		cJSON_AddStringToObject(tr, "placement", "none");
		cJSON_AddNumberToObject(tr, "items", 1000);
		o = cJSON_AddObjectToObject(tr, "errors");
		cJSON_AddNumberToObject(o, "count", 0);
		cJSON_AddNumberToObject(tr, "wall_s", x[i] > 0 ? 1000 / x[i] : 0);
		cJSON_AddNumberToObject(tr, "throughput", x[i] > 0 ? x[i] : 0);
		o = cJSON_AddObjectToObject(tr, "latency_ns");
		cJSON_AddBoolToObject(o, "recorded", 1);
		cJSON_AddNumberToObject(o, "count", 1000);
		cJSON_AddNumberToObject(o, "p50", x[i] > 0 ? 0.5e9 / x[i] : 0);
		cJSON_AddNumberToObject(o, "p99", x[i] > 0 ? 1e9 / x[i] : 0);
		o = cJSON_AddObjectToObject(tr, "memory");
		cJSON_AddNumberToObject(o, "peak_rss", 1048576);
		cJSON_AddObjectToObject(tr, "counters");
		w = cJSON_AddArrayToObject(tr, "per_worker");
		for (unsigned k = 0; k < workers[i]; k++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddNumberToObject(e, "index", k);
			cJSON_AddNumberToObject(e, "items", 1000.0 / workers[i]);
			cJSON_AddNumberToObject(e, "start_s", 0.1);
			cJSON_AddNumberToObject(e, "end_s", 0.2);
			cJSON_AddItemToArray(w, e);
		}
		cJSON_AddItemToArray(trials, tr);
	}
	return d;
}

pt_doc *parse_tree(cJSON *d, const char *message)
{
	char *text = cJSON_Print(d);
	pt_doc *doc = pt_doc_parse(text, strlen(text), "t.json");

	cJSON_Delete(d);
	free(text);
	if (message) {
		ck_assert_msg(doc == NULL, "accepted a document that is wrong: %s", message);
		ck_assert_msg(strstr(pt_last_error(), message), "'%s' does not say '%s'",
			      pt_last_error(), message);
		return NULL;
	}
	ck_assert_msg(doc != NULL, "%s", pt_last_error());
	return doc;
}
