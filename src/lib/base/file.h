/* file.h - writing result files without ever leaving a torn one, locking and reading them (internal) */
#ifndef PT_FILE_H
#define PT_FILE_H

#include "base/strbuf.h"

/* Write TEXT and a newline to PATH atomically: a temporary file in the same
 * directory, fsync, rename.  A file it replaces keeps its permissions; a
 * new one gets 0666 less the umask.  A character device (/dev/null, a
 * terminal) is written into instead of replaced.  0 or -errno with
 * pt_last_error(). */
int pt_write_file_atomic(const char *path, const char *text);

/* Take an exclusive advisory lock on the whole of FD's file without
 * waiting; it lasts until FD is closed (an open file description's lock,
 * so another open() of the file in this process does not release it).
 * FD must be open for writing.  0, -EAGAIN when another open file of it
 * holds a lock, or another -errno. */
int pt_file_lock(int fd);
/* Does another open file hold a lock on FD's file?  1 or 0, or -errno.
 * It takes no lock itself, so a reader never stands in a writer's way. */
int pt_file_locked(int fd);
/* Append what remains of FD to B, to the end of the file; B's limit
 * applies.  0, -EFBIG past the limit, -ENOMEM, or the read's -errno. */
int pt_read_all(int fd, struct pt_strbuf *b);

#endif
