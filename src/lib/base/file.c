/* file.c - atomic file writes (temporary file, fsync, rename), file locks and whole-file reads */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"

/* PATH is a character device (/dev/null, /dev/full, a terminal): write into
 * it; replacing the device node with a file would destroy it. */
static int write_device(const char *path, const char *text)
{
	const char *parts[2] = { text, "\n" };
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err;

	if (fd < 0) {
		err = errno;
		return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
	}
	for (int i = 0; i < 2; i++) {
		err = -pt_write_all(fd, parts[i], strlen(parts[i]));
		if (err) {
			close(fd);
			return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		}
	}
	if (close(fd) != 0) {
		err = errno;
		return pt_fail(err, "cannot write '%s': %s", path, strerror(err));
	}
	return 0;
}

int pt_write_file_atomic(const char *path, const char *text)
{
	char *copy = strdup(path), *dir, *tmp = NULL;
	size_t len = strlen(text);
	struct stat st;
	mode_t mode;
	int fd = -1, ret = 0, err, exists;

	if (!copy)
		return pt_fail(ENOMEM, "out of memory");
	exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		free(copy);
		if (S_ISCHR(st.st_mode))
			return write_device(path, text);
		/* a FIFO, socket or block device is not replaced either */
		return pt_fail(EINVAL, "cannot write '%s': not a regular file; choose a "
			       "file with -o FILE", path);
	}
	/* the replacement keeps the permissions of the file it replaces: a
	 * private (0600) or read-only (0444) file stays so */
	if (exists && S_ISREG(st.st_mode)) {
		mode = st.st_mode & 0777;
	} else {
		mode = umask(0);
		umask(mode);
		mode = 0666 & ~mode;
	}
	dir = dirname(copy);
	tmp = pt_asprintf("%s/.%s.XXXXXX", dir, "proftune-tmp");
	if (!tmp) {
		ret = pt_fail(ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		ret = pt_fail(err, "cannot write '%s': %s%s", path,
			      err == ENOENT ? "no such directory" : strerror(err),
			      err == ENOENT || err == EACCES || err == EROFS ?
			      "; choose a writable place with -o FILE" : "");
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* where permissions cannot be set, the file stays private (0600) */
	fchmod(fd, mode);
	err = -pt_write_all(fd, text, len);
	if (err) {
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		err = errno ? errno : EIO;
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = errno;
		ret = pt_fail(err, "cannot write '%s': %s", path, strerror(err));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		err = errno;
		ret = pt_fail(err, "cannot replace '%s': %s", path, strerror(err));
		goto out;
	}
	free(tmp);
	tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	return ret;
}

/* Open file description locks (Linux 3.15) belong to the open file, not
 * to the process: closing another descriptor of the same file does not
 * drop them.  Elsewhere, process-owned POSIX locks serve the same end. */
#ifdef F_OFD_SETLK
#define LOCK_SET F_OFD_SETLK
#define LOCK_GET F_OFD_GETLK
#else
#define LOCK_SET F_SETLK
#define LOCK_GET F_GETLK
#endif

int pt_file_lock(int fd)
{
	struct flock l;

	memset(&l, 0, sizeof(l));
	l.l_type = F_WRLCK;
	l.l_whence = SEEK_SET;
	if (fcntl(fd, LOCK_SET, &l) == 0)
		return 0;
	return errno == EACCES || errno == EAGAIN ? -EAGAIN : -errno;
}

int pt_file_locked(int fd)
{
	struct flock l;

	memset(&l, 0, sizeof(l));
	l.l_type = F_WRLCK;
	l.l_whence = SEEK_SET;
	if (fcntl(fd, LOCK_GET, &l) != 0)
		return -errno;
	return l.l_type != F_UNLCK;
}

/* Bytes asked of each read(2): what a pipe holds, and few calls for a
 * file of any size. */
#define READ_CHUNK 65536

int pt_read_all(int fd, struct pt_strbuf *b)
{
	for (;;) {
		ssize_t n;
		int rc = pt_strbuf_grow(b, READ_CHUNK);

		if (rc < 0)
			return rc;
		n = read(fd, b->s + b->len, b->cap - 1 - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->s[b->len] = '\0';
	}
}
