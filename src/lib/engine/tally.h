/* tally.h - named values and counted messages: counters, notes, memory records, errors (internal) */
#ifndef PT_TALLY_H
#define PT_TALLY_H

#include <stdint.h>

/* Distinct error messages kept per trial: enough to see the kinds of
 * failure, bounded so a task failing every item cannot grow the document. */
#define PT_MAX_MESSAGES 8
/* Named memory records and notes kept per trial. */
#define PT_MAX_RECORDS 32

struct pt_msg {
	char *text;     /* owned */
	uint64_t count;
};

struct pt_named {
	char *name;     /* owned */
	double value;
};

struct pt_named_list {
	struct pt_named items[PT_MAX_RECORDS];
	unsigned n;
	uint64_t dropped; /* updates to names beyond the table */
};
/* Set NAME to VALUE (replace) or add VALUE to it (ADD); copies NAME. */
void pt_named_set(struct pt_named_list *l, const char *name, double value, int add);
/* Free the names and empty L (DROPPED stays). */
void pt_named_release(struct pt_named_list *l);

struct pt_msg_list {
	struct pt_msg items[PT_MAX_MESSAGES];
	unsigned n;
	uint64_t total;   /* all messages, kept or not */
};
/* Count COUNT occurrences of TEXT (copied); the first PT_MAX_MESSAGES
 * distinct texts are kept, TOTAL counts them all. */
void pt_msg_add(struct pt_msg_list *l, const char *text, uint64_t count);
/* Free the texts and empty L (TOTAL stays). */
void pt_msg_release(struct pt_msg_list *l);

#endif
