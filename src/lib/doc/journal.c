/* journal.c - the journal a run appends its trials to, taken over after a crash and read back as a document */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "doc/doc.h"
#include "doc/journal.h"

/* The header's first bytes (cJSON prints members in the order they were
 * added): a file that starts otherwise is not a journal, and is neither
 * read as one nor written over. */
#define MAGIC "{\"proftune_journal\":1,"
/* Larger journals are not read: the same bound as a document's (a 10 000
 * trial tune's journal, a summary line after each trial, is about 100 MB). */
#define MAX_JOURNAL_BYTES ((size_t)1 << 30)
/* Opens of a journal that another run removes or replaces meanwhile: one
 * retry settles such a race, more would mean a run looping beside us. */
#define OPEN_TRIES 3

struct pt_journal {
	char *path;    /* the document it saves */
	char *jpath;   /* the journal's file */
	int fd;        /* open for appending, locked */
	off_t size;    /* bytes of complete lines */
	int torn;      /* bytes beyond SIZE that a failed append left and could not cut off */
};

/* What a journal holds. */
struct content {
	cJSON *header;    /* the header's "document": the members a document starts with */
	cJSON *trials;    /* array of the trials saved */
	cJSON *summary;   /* the last summary saved, or NULL */
	cJSON *warnings;  /* the last warnings saved, or NULL */
	int torn;         /* the last line was cut short */
	unsigned bad;     /* other lines that were not records */
};

static void content_release(struct content *c)
{
	cJSON_Delete(c->header);
	cJSON_Delete(c->trials);
	cJSON_Delete(c->summary);
	cJSON_Delete(c->warnings);
	memset(c, 0, sizeof(*c));
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static int is_journal(const char *text, size_t len)
{
	return len >= strlen(MAGIC) && memcmp(text, MAGIC, strlen(MAGIC)) == 0;
}

/* Keep what the record O says in C; 0, or -1 when O is not a record. */
static int keep(struct content *c, cJSON *o)
{
	cJSON *trials = cJSON_GetObjectItemCaseSensitive(o, "trials"), *t;
	cJSON *summary = cJSON_GetObjectItemCaseSensitive(o, "summary");
	cJSON *warnings = cJSON_GetObjectItemCaseSensitive(o, "warnings");

	if (!cJSON_IsObject(o) || (trials && !cJSON_IsArray(trials)) ||
	    (summary && !cJSON_IsObject(summary) && !cJSON_IsNull(summary)) ||
	    (warnings && !cJSON_IsArray(warnings)))
		return -1;
	cJSON_ArrayForEach(t, trials)
		if (!cJSON_IsObject(t))
			return -1;
	while (trials && trials->child)
		cJSON_AddItemToArray(c->trials, cJSON_DetachItemViaPointer(trials, trials->child));
	if (summary) {
		cJSON_Delete(c->summary);
		c->summary = cJSON_IsNull(summary) ? NULL : cJSON_DetachItemViaPointer(o, summary);
	}
	if (warnings) {
		cJSON_Delete(c->warnings);
		c->warnings = cJSON_DetachItemViaPointer(o, warnings);
	}
	return 0;
}

/* Read LEN bytes of TEXT, a journal's lines, into C.  0; -EINVAL when
 * TEXT is not a journal or its header is incomplete (nothing was saved
 * after it); -ENOMEM. */
static int parse(struct content *c, const char *text, size_t len)
{
	size_t off = 0;

	memset(c, 0, sizeof(*c));
	if (!is_journal(text, len))
		return -EINVAL;
	c->trials = cJSON_CreateArray();
	if (!c->trials)
		return -ENOMEM;
	while (off < len) {
		const char *line = text + off, *nl = memchr(line, '\n', len - off), *end = NULL;
		size_t n = nl ? (size_t)(nl - line) : len - off;
		cJSON *o, *item;

		off += n + 1;
		if (!nl) {
			c->torn = !blank(line, n);
			break;
		}
		if (blank(line, n))
			continue;
		o = cJSON_ParseWithLengthOpts(line, n, &end, 0);
		if (o && !blank(end, (size_t)(line + n - end))) {
			cJSON_Delete(o);
			o = NULL;
		}
		if (!c->header) {
			item = o ? cJSON_DetachItemFromObjectCaseSensitive(o, "document") : NULL;
			cJSON_Delete(o);
			if (!cJSON_IsObject(item)) {
				cJSON_Delete(item);
				content_release(c);
				return -EINVAL;
			}
			c->header = item;
			continue;
		}
		if (keep(c, o) < 0)
			c->bad++;
		cJSON_Delete(o);
	}
	if (!c->header) {
		content_release(c);
		return -EINVAL;
	}
	return 0;
}

/* Read the journal JPATH into C; *LIVE tells whether a run holds it
 * still.  0, or -errno when there is no journal to read (C is then empty). */
static int read_journal(const char *jpath, struct content *c, int *live)
{
	struct pt_strbuf b = { .limit = MAX_JOURNAL_BYTES };
	int fd = open(jpath, O_RDONLY | O_CLOEXEC), ret;
	struct stat st;

	memset(c, 0, sizeof(*c));
	*live = 0;
	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) != 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : pt_read_all(fd, &b);
	*live = ret == 0 && pt_file_locked(fd) == 1;
	close(fd);
	if (ret == 0)
		ret = parse(c, b.s ? b.s : "", b.len);
	pt_strbuf_release(&b);
	return ret;
}

/* Does ROOT, a document, hold the run of C, with at least its trials?
 * Then it was written after the journal (the journal outlived the complete
 * document that ended its run by a moment). */
static int holds(const cJSON *root, const struct content *c)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, c->header)
		if (!cJSON_Compare(m, cJSON_GetObjectItemCaseSensitive(root, m->string), 1))
			return 0;
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "trials")) >=
		cJSON_GetArraySize(c->trials);
}

static void note(cJSON *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(cJSON *warnings, const char *fmt, ...)
{
	cJSON *m = cJSON_CreateObject();
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = pt_vasprintf(fmt, ap);
	va_end(ap);
	if (m && s && cJSON_AddStringToObject(m, "message", s)) {
		cJSON_AddItemToArray(warnings, m);
		m = NULL;
	}
	cJSON_Delete(m);
	free(s);
}

/* The document C holds, saved to PATH in JPATH: interrupted, with warnings
 * saying where it comes from and what was dropped.  C's parts move into
 * it; the caller frees it with cJSON_Delete().  NULL on ENOMEM. */
static cJSON *document(struct content *c, const char *path, const char *jpath, int live)
{
	static const char *const tail[] = { "interrupted", "trials", "summary", "warnings" };
	size_t n = (size_t)cJSON_GetArraySize(c->trials);
	cJSON *d = c->header, *w = c->warnings ? c->warnings : cJSON_CreateArray();

	c->header = c->warnings = NULL;
	if (!w) {
		cJSON_Delete(d);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(d, tail[i]);
	if (live)
		note(w, "the run saving to '%s' is still measuring: these are the %zu trials in "
		     "its journal '%s' so far", path, n, jpath);
	else
		note(w, "the run saving to '%s' stopped before writing it: these %zu trials are "
		     "recovered from its journal '%s'", path, n, jpath);
	if (c->torn)
		note(w, "the last line of '%s' was cut short (the run stopped while saving a "
		     "trial) and was dropped", jpath);
	if (c->bad)
		note(w, "%u line%s of '%s' %s not complete records and %s dropped", c->bad,
		     c->bad == 1 ? "" : "s", jpath, c->bad == 1 ? "was" : "were",
		     c->bad == 1 ? "was" : "were");
	cJSON_AddBoolToObject(d, "interrupted", 1);
	cJSON_AddItemToObject(d, "trials", c->trials);
	c->trials = NULL;
	if (c->summary)
		cJSON_AddItemToObject(d, "summary", c->summary);
	c->summary = NULL;
	cJSON_AddItemToObject(d, "warnings", w);
	return d;
}

char *pt_journal_path(const char *path)
{
	return pt_asprintf("%s%s", path, PT_JOURNAL_SUFFIX);
}

pt_doc *pt_doc_recover(const char *path)
{
	struct content c;
	char *jpath, *text;
	pt_doc *d;
	cJSON *doc;
	int live = 0;

	if (strcmp(path, "-") == 0)
		return pt_doc_load(path);
	jpath = pt_journal_path(path);
	if (!jpath) {
		pt_fail(ENOMEM, "out of memory");
		return NULL;
	}
	if (read_journal(jpath, &c, &live) < 0 || cJSON_GetArraySize(c.trials) == 0) {
		content_release(&c);
		free(jpath);
		return pt_doc_load(path);
	}
	d = pt_doc_load(path);
	if (d && holds(d->root, &c)) {
		content_release(&c);
		free(jpath);
		return d;
	}
	pt_doc_free(d);
	doc = document(&c, path, jpath, live);
	content_release(&c);
	text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	d = NULL;
	if (!text)
		pt_fail(ENOMEM, "out of memory");
	else
		d = pt_doc_parse(text, strlen(text), jpath);
	free(text);
	free(jpath);
	/* named as the file asked for: its warnings name the journal */
	if (d) {
		char *name = strdup(path);

		if (!name) {
			pt_doc_free(d);
			pt_fail(ENOMEM, "out of memory");
			return NULL;
		}
		free(d->name);
		d->name = name;
	}
	return d;
}

/* ---- writing ------------------------------------------------------------- */

/* The message of a failed write of J, ERR a positive errno.  -ERR. */
static int cannot(const struct pt_journal *j, int err)
{
	return pt_fail(err, "cannot write '%s': %s (saving to its journal '%s')%s", j->path,
		       strerror(err), j->jpath, err == EACCES || err == EROFS || err == ENOENT ?
		       "; choose a writable place with -o FILE" : "");
}

/* Append LEN bytes of TEXT with one write, then fdatasync.  On failure the
 * file is cut back to its complete lines; when even that fails, the next
 * append ends the leftover bytes with a newline, a line readers drop. */
static int put(struct pt_journal *j, const char *text, size_t len)
{
	int err;

	if (j->torn && ftruncate(j->fd, j->size) == 0)
		j->torn = 0;
	err = j->torn ? -pt_write_all(j->fd, "\n", 1) : 0;
	if (!err)
		err = -pt_write_all(j->fd, text, len);
	if (!err && fdatasync(j->fd) != 0)
		err = errno;
	if (err) {
		if (ftruncate(j->fd, j->size) != 0)
			j->torn = 1;
		return cannot(j, err);
	}
	if (j->torn) {
		off_t end = lseek(j->fd, 0, SEEK_END);

		j->size = end >= 0 ? end : j->size + (off_t)len;
		j->torn = 0;
	} else {
		j->size += (off_t)len;
	}
	return 0;
}

/* Write the document of the journal TEXT (LEN bytes) to J's path, unless
 * that holds it already or it holds no trial.  0 or -errno. */
static int fold(const struct pt_journal *j, const char *text, size_t len)
{
	struct content c;
	pt_doc *d;
	cJSON *doc;
	char *out;
	int ret = 0;

	if (parse(&c, text, len) < 0 || cJSON_GetArraySize(c.trials) == 0) {
		content_release(&c);
		return 0;
	}
	d = pt_doc_load(j->path);
	if (d && holds(d->root, &c)) {
		pt_doc_free(d);
		content_release(&c);
		return 0;
	}
	pt_doc_free(d);
	doc = document(&c, j->path, j->jpath, 0);
	content_release(&c);
	out = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!out)
		return pt_fail(ENOMEM, "out of memory");
	/* only a document that reads back replaces the file */
	d = pt_doc_parse(out, strlen(out), j->jpath);
	if (d)
		ret = pt_write_file_atomic(j->path, out);
	pt_doc_free(d);
	free(out);
	return ret;
}

/* J holds the lock of a journal with content: take it over. */
static int take_over(struct pt_journal *j)
{
	struct pt_strbuf b = { .limit = MAX_JOURNAL_BYTES };
	int ret = pt_read_all(j->fd, &b);

	if (ret == 0 && !is_journal(b.s, b.len))
		ret = pt_fail(EEXIST, "'%s' is not a proftune journal; it is left as it is",
			      j->jpath);
	else if (ret < 0)
		ret = pt_fail(EEXIST, "cannot read the journal '%s' left by an earlier run: %s",
			      j->jpath, strerror(-ret));
	else
		ret = fold(j, b.s, b.len);
	pt_strbuf_release(&b);
	if (ret == 0 && ftruncate(j->fd, 0) != 0)
		ret = cannot(j, errno);
	return ret;
}

int pt_journal_open(struct pt_journal **out, const char *path, const char *text, size_t len)
{
	struct pt_journal *j = calloc(1, sizeof(*j));
	struct stat a, b;
	mode_t mode = 0666;
	int ret, tries = 0;

	*out = NULL;
	if (!j)
		return pt_fail(ENOMEM, "out of memory");
	j->fd = -1;
	if (!(j->path = strdup(path)) || !(j->jpath = pt_journal_path(path))) {
		ret = pt_fail(ENOMEM, "out of memory");
		goto fail;
	}
	/* the journal holds what the document will: no one may read it who may
	 * not read the document (a private 0600 file keeps a private journal) */
	if (stat(path, &a) == 0 && S_ISREG(a.st_mode))
		mode = (a.st_mode & 0666) | S_IRUSR | S_IWUSR;
	for (;;) {
		/* never through a symbolic link: the journal is proftune's own
		 * file, and the fallback's sits in /tmp */
		j->fd = open(j->jpath, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
		if (j->fd < 0) {
			ret = errno == EISDIR || errno == ELOOP ?
				pt_fail(EEXIST, "'%s' is not a proftune journal", j->jpath) :
				cannot(j, errno);
			goto fail;
		}
		ret = pt_file_lock(j->fd);
		if (ret == -EAGAIN) {
			ret = pt_fail(EBUSY, "'%s' is being written by another process", j->jpath);
			goto fail;
		}
		if (ret < 0) {
			ret = cannot(j, -ret);
			goto fail;
		}
		/* what is locked must still be the journal: the run that held it
		 * may have removed it between our open and our lock */
		if (fstat(j->fd, &a) == 0 && stat(j->jpath, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		close(j->fd);
		j->fd = -1;
		if (++tries == OPEN_TRIES) {
			ret = pt_fail(EBUSY, "'%s' is being replaced by another process", j->jpath);
			goto fail;
		}
	}
	if (!S_ISREG(a.st_mode)) {
		ret = pt_fail(EEXIST, "'%s' is not a proftune journal", j->jpath);
		goto fail;
	}
	if (a.st_size > 0 && (ret = take_over(j)) < 0)
		goto fail;
	ret = put(j, text, len);
	if (ret < 0) {
		unlink(j->jpath);
		goto fail;
	}
	*out = j;
	return 0;
fail:
	pt_journal_close(j);
	return ret;
}

int pt_journal_append(struct pt_journal *j, const char *text, size_t len)
{
	return put(j, text, len);
}

int pt_journal_remove(struct pt_journal *j)
{
	int ret;

	if (!j)
		return 0;
	/* unlinked while still locked: a run opening it now finds it gone */
	ret = unlink(j->jpath) == 0 ? 0 : -errno;
	pt_journal_close(j);
	return ret;
}

void pt_journal_close(struct pt_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->jpath);
	free(j);
}
