/* tally.c - named values and counted messages: counters, notes, memory records, errors */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/tally.h"

void pt_named_set(struct pt_named_list *l, const char *name, double value, int add)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].name, name) == 0) {
			l->items[i].value = add ? l->items[i].value + value : value;
			return;
		}
	}
	if (l->n == PT_MAX_RECORDS || !(l->items[l->n].name = strdup(name))) {
		l->dropped++;
		return;
	}
	l->items[l->n++].value = value;
}

void pt_named_release(struct pt_named_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i].name);
	l->n = 0;
}

void pt_msg_add(struct pt_msg_list *l, const char *text, uint64_t count)
{
	l->total += count;
	for (unsigned i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].text, text) == 0) {
			l->items[i].count += count;
			return;
		}
	}
	if (l->n < PT_MAX_MESSAGES && (l->items[l->n].text = strdup(text)))
		l->items[l->n++].count = count;
}

void pt_msg_release(struct pt_msg_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i].text);
	l->n = 0;
}
