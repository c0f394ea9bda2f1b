/* journal.h - a results document saved a trial at a time, and read back after a crash (internal) */
#ifndef PT_JOURNAL_H
#define PT_JOURNAL_H

#include <stddef.h>

/*
 * While a run or tune measures, its document is saved to the journal
 * beside its output PATH, "PATH.journal": JSON objects, one a line, each
 * save written with one write(2) and made durable with fdatasync(2), so a
 * save costs what it adds, whatever the journal holds already.  The first
 * line is the header,
 *
 *     {"proftune_journal":1,"output":PATH,"document":{schema ... config}}
 *
 * with the members every document starts with; each later line is the
 * record of one save, {"trials":[...],"summary":{...},"warnings":[...]}:
 * the trials it adds, and the tune summary (or null) and the warnings
 * when they changed, replacing those before.  A save is whole or, cut
 * short by a kill, dropped whole, so the summary always goes with the
 * trials it was made from.  The run
 * keeps the journal locked (pt_file_lock) while it writes; at its end the
 * complete document replaces PATH and the journal is removed.  A journal
 * left behind by a killed run is read back by pt_doc_recover() and, at
 * the next save to PATH, written to PATH as a document before it is
 * replaced.
 */
#define PT_JOURNAL_SUFFIX ".journal"

/* An open journal, locked by this process. */
struct pt_journal;

/* PATH's journal name, "PATH.journal"; malloc'd, NULL on ENOMEM. */
char *pt_journal_path(const char *path);

/* Start PATH's journal with TEXT (LEN bytes of complete lines, the header
 * first).  A journal that an earlier run left there is taken over: when it
 * holds trials that PATH lacks, its document is written to PATH first
 * (atomically), so nothing it saved is lost.  *OUT is the journal, freed by
 * pt_journal_remove() or pt_journal_close().  0, or -errno with
 * pt_last_error(): -EBUSY when another process is writing the journal,
 * -EEXIST when a file that is not a journal has its name, -ENAMETOOLONG;
 * after a failed write no journal is left behind. */
int pt_journal_open(struct pt_journal **out, const char *path, const char *text, size_t len);
/* Append LEN bytes of complete lines with one write and fdatasync.  0, or
 * -errno with pt_last_error(); the journal is then cut back to what it
 * held, so the same lines can be appended again. */
int pt_journal_append(struct pt_journal *j, const char *text, size_t len);
/* Delete the journal's file and free J (NULL is ignored): the complete
 * document has been written.  0, or -errno when the file could not be
 * deleted (J is freed all the same). */
int pt_journal_remove(struct pt_journal *j);
/* Free J and keep its file (NULL is ignored). */
void pt_journal_close(struct pt_journal *j);

#endif
