/* file.h - writing result files without ever leaving a torn one (internal) */
#ifndef PT_FILE_H
#define PT_FILE_H

/* Write TEXT and a newline to PATH atomically: a temporary file in the same
 * directory, fsync, rename.  A character device (/dev/null, a terminal) is
 * written into instead of replaced.  0 or -errno with pt_last_error(). */
int pt_write_file_atomic(const char *path, const char *text);

#endif
