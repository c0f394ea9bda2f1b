/* file.c - atomic file writes: temporary file, fsync, rename */
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
	mode_t mask;
	int fd = -1, ret = 0, err;

	if (!copy)
		return pt_fail(ENOMEM, "out of memory");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		free(copy);
		if (S_ISCHR(st.st_mode))
			return write_device(path, text);
		/* a FIFO, socket or block device is not replaced either */
		return pt_fail(EINVAL, "cannot write '%s': not a regular file; choose a "
			       "file with -o FILE", path);
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
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
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
