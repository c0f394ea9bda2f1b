/* trace.c - Chrome trace files: lock-free per-thread event buffers streamed to disk */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/thread.h"
#include "base/tlcache.h"
#include "base/util.h"
#include "instr/trace.h"

/*
 * Recording copies an event as a binary record into the calling thread's
 * buffer: no lock, no formatting.  When the buffer holds `commit_events`
 * records (or its bytes run out) the thread converts them to JSON text and
 * appends the text to the file with one write() under the trace's write
 * mutex and a POSIX record lock (which also excludes forked children sharing
 * the file).  Memory is therefore bounded by the threshold per thread.
 *
 * JSON text is made by cJSON, through pt_json_print(): a name or argument
 * holding ill-formed UTF-8 is written with U+FFFD, so the file stays JSON
 * whatever bytes the task gave.  An event with arguments or an id is printed
 * as its own cJSON object.  Events without (complete, begin/end, instant,
 * mark: the high-rate ones) differ only in their timestamps once their
 * name, category, phase, scope and thread are fixed, so each such shape is
 * printed once by cJSON, with raw placeholders for ts and dur, and the
 * printed text is kept as a template: converting an event is then copying
 * the template's pieces around the two numbers.  Printing every event with
 * cJSON costs ~280 ns (measured with cJSON_PrintPreallocated), which would
 * cap a thread below 4 million events/s; the template path keeps the
 * output byte-for-byte what pt_json_print() prints and sustains more than
 * 5 million.
 */

/* Default per-thread threshold: dasf's commit_threshold. */
#define DEFAULT_COMMIT 5000
/* Bytes of binary records per event allowed before a buffer flushes early
 * (long names or many args); a typical record is 48-64 bytes. */
#define BYTES_PER_EVENT 96
/* Arguments per event: a viewer's tooltip shows them all; more would not be
 * read, and the bound keeps a record's size in a 16-bit count. */
#define MAX_ARGS 16
/* Templates per thread: distinct (name, category, phase) shapes in use.
 * When full the cache starts over, so memory stays bounded. */
#define TEMPLATES 512

struct rec {
	uint32_t size;          /* whole record, a multiple of 8 */
	char ph, scope;
	uint8_t nargs, pad;
	uint16_t name_len, cat_len, id_len, pad2;
	uint64_t ts, dur;
	const void *name_ptr;   /* the caller's pointers: template hash keys */
	const void *cat_ptr;
	/* then name\0 cat\0 id\0, padded to 8, then nargs struct rec_arg */
};

struct rec_arg {
	uint8_t type;
	uint8_t pad;
	uint16_t key_len;
	uint32_t str_len;
	union {
		int64_t i;
		double d;
	} v;
	/* then key\0 str\0, padded to 8 */
};

struct tmpl {
	char *key;              /* ph scope name \0 cat: what the template is of */
	size_t key_len;
	const void *name_ptr, *cat_ptr;
	char ph;
	char *text;             /* cJSON's output with \1 for ts, \2 for dur */
	size_t cut_ts, cut_dur, len; /* offsets of the placeholders (cut_dur = len if none) */
};

struct tbuf {
	struct tbuf *next;
	pt_trace *t;
	pid_t pid, tid;
	unsigned char *data;    /* binary records */
	size_t len, cap;        /* owner only */
	size_t pub;             /* records up to here are complete (release) */
	size_t done;            /* converted by a flush (under lock) */
	unsigned count;         /* records since the owner's last flush */
	uint64_t total;         /* events recorded (relaxed atomic) */
	pthread_mutex_t lock;   /* conversion */
	struct pt_strbuf text;  /* converted events on their way to the file */
	struct tmpl *tmpl;      /* TEMPLATES entries */
	unsigned ntmpl;
	char name[64];          /* thread_name metadata */
	int name_pending;       /* emit NAME at the next conversion */
	char pidtid[48];        /* "pid":P,"tid":T placeholders are printed by cJSON */
};

struct pt_trace {
	pthread_mutex_t list_lock; /* bufs, named_pid */
	pthread_mutex_t wlock;     /* the file */
	int fd;
	char *path;
	pid_t owner;
	uint64_t serial;
	unsigned commit;
	int error;                 /* first write error, -errno */
	struct tbuf *bufs;
	uint64_t freed_total;      /* events of buffers already freed */
	pid_t named_pid;           /* process whose name was written */
	char *process_name;
	struct pt_fork_member fork; /* in the list of open traces */
};

/* ---- fork and thread exit ------------------------------------------------------- */

static _Atomic uint64_t next_serial = 1;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

/* The calling thread's buffers in its recent traces, keyed by the trace's
 * serial (initial-exec TLS: see base/tlcache.h). */
static __thread struct pt_tlcache tl_bufs __attribute__((tls_model("initial-exec")));

static void tbuf_free(struct tbuf *b);
static int tbuf_flush(struct tbuf *b, int owner);

static pt_trace *trace_of(struct pt_fork_member *m)
{
	return (pt_trace *)(void *)((char *)m - offsetof(pt_trace, fork));
}

static void fork_lock(struct pt_fork_member *m)
{
	pt_trace *t = trace_of(m);

	pthread_mutex_lock(&t->list_lock);
	pthread_mutex_lock(&t->wlock);
}

static void fork_unlock(struct pt_fork_member *m)
{
	pt_trace *t = trace_of(m);

	pthread_mutex_unlock(&t->wlock);
	pthread_mutex_unlock(&t->list_lock);
}

/* In the child: the parent's buffered events are the parent's to write;
 * drop the copies, and the caches pointing at them. */
static void fork_child(struct pt_fork_member *m)
{
	pt_trace *t = trace_of(m);
	struct tbuf *b;

	while ((b = t->bufs)) {
		t->bufs = b->next;
		tbuf_free(b);
	}
	t->freed_total = 0;
	fork_unlock(m);
}

static void fork_forget_buffers(void)
{
	pt_tlcache_clear(&tl_bufs);
}

static struct pt_fork_list open_traces =
	PT_FORK_LIST_INIT(fork_lock, fork_unlock, fork_child, fork_forget_buffers);

/* Flush and free (under the trace's lock) the buffer B of a thread that
 * exits, in the trace of serial SERIAL if it is still open. */
static void drop_thread_buffer(uint64_t serial, struct tbuf *b)
{
	pthread_mutex_lock(&open_traces.lock);
	for (struct pt_fork_member *m = open_traces.members; m; m = m->next) {
		pt_trace *t = trace_of(m);

		if (t->serial != serial)
			continue;
		pthread_mutex_lock(&t->list_lock);
		for (struct tbuf **pb = &t->bufs; *pb; pb = &(*pb)->next) {
			if (*pb == b) {
				*pb = b->next;
				tbuf_flush(b, 1);
				t->freed_total += PT_LD(b->total);
				tbuf_free(b);
				break;
			}
		}
		pthread_mutex_unlock(&t->list_lock);
		break;
	}
	pthread_mutex_unlock(&open_traces.lock);
}

static void thread_exit(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < PT_TLCACHE_ENTRIES; i++)
		if (tl_bufs.e[i].val)
			drop_thread_buffer(tl_bufs.e[i].key, tl_bufs.e[i].val);
	pt_tlcache_clear(&tl_bufs);
}

static void init(void)
{
	pthread_key_create(&exit_key, thread_exit);
}

/* ---- the file ------------------------------------------------------------------- */

/* Append TEXT under the write mutex and a whole-file POSIX lock. */
static int trace_write(pt_trace *t, const char *text, size_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int rc;

	if (len == 0)
		return 0;
	pthread_mutex_lock(&t->wlock);
	while (fcntl(t->fd, F_SETLKW, &fl) < 0 && errno == EINTR)
		;
	rc = pt_write_all(t->fd, text, len);
	fl.l_type = F_UNLCK;
	fcntl(t->fd, F_SETLK, &fl);
	if (rc < 0 && !t->error)
		t->error = rc;
	pthread_mutex_unlock(&t->wlock);
	return rc;
}

uint64_t pt_trace_now(void)
{
	return pt_now_ns();
}

/* ---- text output ------------------------------------------------------------------ */

/* Microseconds with nanosecond digits: "12345.678". */
static size_t fmt_us(char *out, uint64_t ns)
{
	char tmp[24];
	uint64_t us = ns / 1000;
	unsigned frac = (unsigned)(ns % 1000);
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + us % 10);
		us /= 10;
	} while (us);
	while (n)
		out[k++] = tmp[--n];
	out[k++] = '.';
	out[k++] = (char)('0' + frac / 100);
	out[k++] = (char)('0' + frac / 10 % 10);
	out[k++] = (char)('0' + frac % 10);
	return k;
}

/* Append cJSON's unformatted text of O to the buffer, after ",\n". */
static int append_cjson(struct tbuf *b, cJSON *o)
{
	char *s = o ? pt_json_print(o, 0) : NULL;
	size_t n;
	int rc = -ENOMEM;

	if (s) {
		n = strlen(s);
		if (pt_strbuf_grow(&b->text, n + 2) == 0) {
			pt_strbuf_add(&b->text, ",\n", 2);
			pt_strbuf_add(&b->text, s, n);
			rc = 0;
		}
		free(s);
	}
	return rc;
}

static cJSON *raw_us(uint64_t ns)
{
	char buf[32];

	buf[fmt_us(buf, ns)] = '\0';
	return cJSON_CreateRaw(buf);
}

cJSON *pt_trace_event_new(const char *name, const char *cat, char ph, uint64_t ts_ns,
			  uint64_t dur_ns, long pid, long tid)
{
	cJSON *o = cJSON_CreateObject();
	char p[2] = { ph, 0 };

	if (name)
		cJSON_AddStringToObject(o, "name", name);
	if (cat)
		cJSON_AddStringToObject(o, "cat", cat);
	cJSON_AddStringToObject(o, "ph", p);
	cJSON_AddItemToObject(o, "ts", raw_us(ts_ns));
	if (ph == 'X')
		cJSON_AddItemToObject(o, "dur", raw_us(dur_ns));
	cJSON_AddNumberToObject(o, "pid", (double)pid);
	cJSON_AddNumberToObject(o, "tid", (double)tid);
	return o;
}

cJSON *pt_trace_metadata_new(const char *what, long pid, long tid, const char *name)
{
	cJSON *o = pt_trace_event_new(what, NULL, 'M', 0, 0, pid, tid);

	/* metadata has no time */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "ts");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "args"), "name", name);
	return o;
}

/* The thread_name (and sort index) metadata of B's thread. */
static int emit_thread_name(struct tbuf *b)
{
	cJSON *o = pt_trace_metadata_new("thread_name", b->pid, b->tid, b->name);
	int rc;

	rc = append_cjson(b, o);
	cJSON_Delete(o);
	b->name_pending = 0;
	return rc;
}

static const char *rec_name(const struct rec *r)
{
	return (const char *)(r + 1);
}

static const char *rec_cat(const struct rec *r)
{
	return rec_name(r) + r->name_len + 1;
}

static const char *rec_id(const struct rec *r)
{
	return rec_cat(r) + r->cat_len + 1;
}

static const struct rec_arg *rec_args(const struct rec *r)
{
	size_t off = sizeof(*r) + pt_align8((size_t)r->name_len + r->cat_len + r->id_len + 3);

	return (const struct rec_arg *)((const char *)r + off);
}

static int has_scope(char ph)
{
	return ph == 'i' || ph == 'I';
}

/* A record as its own cJSON object. */
static int convert_full(struct tbuf *b, const struct rec *r)
{
	cJSON *o = pt_trace_event_new(r->name_len || r->ph != 'E' ? rec_name(r) : NULL,
				      r->cat_len ? rec_cat(r) : NULL, r->ph, r->ts, r->dur,
				      b->pid, b->tid), *args;
	const struct rec_arg *a = rec_args(r);
	char sc[2] = { r->scope ? r->scope : 't', 0 };
	int rc;

	if (has_scope(r->ph))
		cJSON_AddStringToObject(o, "s", sc);
	if (r->id_len)
		cJSON_AddStringToObject(o, "id", rec_id(r));
	if (r->ph == 'f')
		cJSON_AddStringToObject(o, "bp", "e");
	if (r->nargs) {
		args = cJSON_AddObjectToObject(o, "args");
		for (unsigned i = 0; i < r->nargs; i++) {
			const char *key = (const char *)(a + 1);
			const char *str = key + a->key_len + 1;
			char num[32];

			switch (a->type) {
			case PT_ARG_INT:
				snprintf(num, sizeof(num), "%lld", (long long)a->v.i);
				cJSON_AddRawToObject(args, key, num);
				break;
			case PT_ARG_DOUBLE:
				cJSON_AddNumberToObject(args, key, a->v.d);
				break;
			default:
				cJSON_AddStringToObject(args, key, str);
				break;
			}
			a = (const struct rec_arg *)((const char *)(a + 1) +
						      pt_align8((size_t)a->key_len + a->str_len + 2));
		}
	}
	rc = append_cjson(b, o);
	cJSON_Delete(o);
	return rc;
}

static void tmpl_clear(struct tbuf *b)
{
	for (unsigned i = 0; i < TEMPLATES; i++) {
		free(b->tmpl[i].key);
		free(b->tmpl[i].text);
	}
	memset(b->tmpl, 0, TEMPLATES * sizeof(*b->tmpl));
	b->ntmpl = 0;
}

/* Does template T describe record R? */
static int tmpl_match(const struct tmpl *t, const struct rec *r, size_t key_len)
{
	return t->key && t->ph == r->ph && t->name_ptr == r->name_ptr &&
	       t->cat_ptr == r->cat_ptr && t->key_len == key_len &&
	       t->key[0] == r->scope &&
	       memcmp(t->key + 1, rec_name(r), key_len - 1) == 0;
}

/* Print the template of R's shape with cJSON. */
static int tmpl_build(struct tbuf *b, struct tmpl *t, const struct rec *r, size_t key_len)
{
	cJSON *o = cJSON_CreateObject();
	char ph[2] = { r->ph, 0 }, sc[2] = { r->scope ? r->scope : 't', 0 };
	char *text, *p1, *p2;

	if (r->name_len || r->ph != 'E')
		cJSON_AddStringToObject(o, "name", rec_name(r));
	if (r->cat_len)
		cJSON_AddStringToObject(o, "cat", rec_cat(r));
	cJSON_AddStringToObject(o, "ph", ph);
	cJSON_AddRawToObject(o, "ts", "\001");
	if (r->ph == 'X')
		cJSON_AddRawToObject(o, "dur", "\002");
	cJSON_AddNumberToObject(o, "pid", b->pid);
	cJSON_AddNumberToObject(o, "tid", b->tid);
	if (has_scope(r->ph))
		cJSON_AddStringToObject(o, "s", sc);
	text = pt_json_print(o, 0);
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	/* cJSON escapes control characters inside strings, so the only raw
	 * \1 and \2 bytes are the placeholders */
	p1 = strchr(text, '\001');
	p2 = strchr(text, '\002');
	free(t->key);
	free(t->text);
	t->key = malloc(key_len);
	if (!t->key || !p1) {
		free(text);
		free(t->key);
		memset(t, 0, sizeof(*t));
		return -ENOMEM;
	}
	t->key[0] = r->scope;
	memcpy(t->key + 1, rec_name(r), key_len - 1);
	t->key_len = key_len;
	t->name_ptr = r->name_ptr;
	t->cat_ptr = r->cat_ptr;
	t->ph = r->ph;
	t->text = text;
	t->len = strlen(text);
	t->cut_ts = (size_t)(p1 - text);
	t->cut_dur = p2 ? (size_t)(p2 - text) : t->len;
	return 0;
}

static int convert_tmpl(struct tbuf *b, const struct rec *r)
{
	/* key: scope byte, then "name\0cat" as stored in the record */
	size_t key_len = 1 + (size_t)r->name_len + 1 + r->cat_len;
	uintptr_t h = ((uintptr_t)r->name_ptr >> 3) ^ ((uintptr_t)r->cat_ptr >> 5) ^
		      (uintptr_t)(unsigned char)r->ph * 40503u ^ (uintptr_t)(unsigned char)r->scope;
	struct tmpl *t;
	unsigned slot = (unsigned)(h ^ (h >> 17)) % TEMPLATES;
	char *out;
	size_t need;

	for (unsigned probe = 0;; probe++) {
		t = &b->tmpl[(slot + probe) % TEMPLATES];
		if (tmpl_match(t, r, key_len))
			break;
		if (!t->key || probe == 8) {
			/* new shape (or a long probe chain: reuse the home slot) */
			if (t->key && b->ntmpl >= TEMPLATES / 2) {
				tmpl_clear(b);
				t = &b->tmpl[slot];
			}
			if (!t->key)
				b->ntmpl++;
			if (tmpl_build(b, t, r, key_len) < 0)
				return convert_full(b, r);
			break;
		}
	}
	need = 2 + t->len + 2 * 24;
	if (pt_strbuf_grow(&b->text, need) < 0)
		return -ENOMEM;
	out = b->text.s + b->text.len;
	*out++ = ',';
	*out++ = '\n';
	memcpy(out, t->text, t->cut_ts);
	out += t->cut_ts;
	out += fmt_us(out, r->ts);
	if (t->cut_dur < t->len) {
		memcpy(out, t->text + t->cut_ts + 1, t->cut_dur - t->cut_ts - 1);
		out += t->cut_dur - t->cut_ts - 1;
		out += fmt_us(out, r->dur);
		memcpy(out, t->text + t->cut_dur + 1, t->len - t->cut_dur - 1);
		out += t->len - t->cut_dur - 1;
	} else {
		memcpy(out, t->text + t->cut_ts + 1, t->len - t->cut_ts - 1);
		out += t->len - t->cut_ts - 1;
	}
	b->text.len = (size_t)(out - b->text.s);
	return 0;
}

/* Convert B's records [done, END) to text and write them.  Called with
 * B's lock held. */
static int convert_and_write(struct tbuf *b, size_t end)
{
	size_t off = b->done;
	int rc = 0;

	pt_strbuf_clear(&b->text);
	if (b->name_pending)
		emit_thread_name(b);
	while (off < end) {
		const struct rec *r = (const struct rec *)(b->data + off);

		if (r->nargs || r->id_len || r->ph == 'M' || r->ph == 'C')
			rc = convert_full(b, r);
		else
			rc = convert_tmpl(b, r);
		if (rc < 0)
			break;
		off += r->size;
	}
	b->done = off;
	if (b->text.len)
		rc = trace_write(b->t, b->text.s, b->text.len);
	/* a buffer that held a burst of long events gives the memory back */
	if (b->text.cap > ((size_t)1 << 22))
		pt_strbuf_release(&b->text);
	else
		pt_strbuf_clear(&b->text);
	/* a failed allocation fails this conversion only */
	b->text.failed = 0;
	return rc;
}

/* Write B's recorded events.  OWNER: B's own thread, which may also rewind
 * the buffer; otherwise only the published records are written. */
static int tbuf_flush(struct tbuf *b, int owner)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	if (owner) {
		rc = convert_and_write(b, b->len);
		b->len = b->done = 0;
		__atomic_store_n(&b->pub, 0, __ATOMIC_RELEASE);
		b->count = 0;
	} else {
		rc = convert_and_write(b, __atomic_load_n(&b->pub, __ATOMIC_ACQUIRE));
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

static void tbuf_free(struct tbuf *b)
{
	if (b->tmpl)
		tmpl_clear(b);
	free(b->tmpl);
	free(b->data);
	pt_strbuf_release(&b->text);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* ---- per-thread buffers ----------------------------------------------------------- */

static struct tbuf *tbuf_new(pt_trace *t)
{
	struct tbuf *b = calloc(1, sizeof(*b));
	int name_process = 0;

	if (!b)
		return NULL;
	b->t = t;
	b->pid = getpid();
	b->tid = pt_gettid();
	b->cap = (size_t)t->commit * BYTES_PER_EVENT;
	b->data = malloc(b->cap);
	b->tmpl = calloc(TEMPLATES, sizeof(*b->tmpl));
	if (!b->data || !b->tmpl) {
		free(b->data);
		free(b->tmpl);
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	pt_thread_name(b->name, sizeof(b->name));
	if (!b->name[0])
		snprintf(b->name, sizeof(b->name), "thread %ld", (long)b->tid);
	b->name_pending = 1;
	pthread_setspecific(exit_key, b);
	pthread_mutex_lock(&t->list_lock);
	b->next = t->bufs;
	t->bufs = b;
	if (t->named_pid != b->pid) {
		t->named_pid = b->pid;
		name_process = 1;
	}
	pthread_mutex_unlock(&t->list_lock);
	pt_tlcache_put(&tl_bufs, t->serial, b);
	if (name_process) {
		/* a forked child names itself after the parent's process name */
		char name[160];

		if (b->pid == t->owner)
			snprintf(name, sizeof(name), "%s", t->process_name);
		else
			snprintf(name, sizeof(name), "%s (child %ld)", t->process_name, (long)b->pid);
		pt_trace_process_name(t, name);
	}
	return b;
}

/* The calling thread's buffer in T, created on first use (the new buffer
 * becomes the thread's most recent).  NULL on ENOMEM. */
static struct tbuf *tbuf_slow(pt_trace *t)
{
	struct tbuf *b = pt_tlcache_find(&tl_bufs, t->serial);

	return b ? b : tbuf_new(t);
}

static inline struct tbuf *tbuf_get(pt_trace *t)
{
	if (__builtin_expect(tl_bufs.e[0].key == t->serial, 1))
		return tl_bufs.e[0].val;
	return tbuf_slow(t);
}

/* Room for NEED bytes of record in B, flushing first when full.  NULL when
 * the record cannot be stored (ENOMEM). */
static inline struct rec *reserve(struct tbuf *b, size_t need)
{
	if (__builtin_expect(b->len + need > b->cap || b->count >= b->t->commit, 0)) {
		tbuf_flush(b, 1);
		if (need > b->cap) {
			unsigned char *d = realloc(b->data, need);

			if (!d)
				return NULL;
			b->data = d;
			b->cap = need;
		}
	}
	return (struct rec *)(b->data + b->len);
}

static inline void commit(struct tbuf *b, struct rec *r)
{
	b->len += r->size;
	b->count++;
	PT_ST(b->total, b->total + 1);
	__atomic_store_n(&b->pub, b->len, __ATOMIC_RELEASE);
}

/* ---- the public calls --------------------------------------------------------------- */

void pt_trace_opts_init(struct pt_trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->commit_events = DEFAULT_COMMIT;
}

static char *program_name(void)
{
	char buf[64];

	pt_process_name(0, buf, sizeof(buf));
	return strdup(buf[0] ? buf : "process");
}

pt_trace *pt_trace_open(const char *path, const struct pt_trace_opts *o)
{
	struct pt_trace_opts def;
	pt_trace *t;
	cJSON *m;
	char *first, *head;
	int rc;

	pthread_once(&init_once, init);
	if (!o) {
		pt_trace_opts_init(&def);
		o = &def;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		pt_fail(ENOMEM, "out of memory for trace '%s'", path);
		return NULL;
	}
	t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (t->fd < 0) {
		pt_fail(errno, "cannot create trace '%s': %s", path, strerror(errno));
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->list_lock, NULL);
	pthread_mutex_init(&t->wlock, NULL);
	t->path = strdup(path);
	t->owner = getpid();
	t->serial = atomic_fetch_add(&next_serial, 1);
	t->commit = o->commit_events ? o->commit_events : DEFAULT_COMMIT;
	t->process_name = o->process_name ? strdup(o->process_name) : program_name();
	t->named_pid = t->owner;
	/* the array starts with the process name, so every later event can be
	 * written as ",\n{...}" by whichever thread or process flushes */
	m = pt_trace_metadata_new("process_name", t->owner, 0,
				  t->process_name ? t->process_name : "process");
	first = m ? pt_json_print(m, 0) : NULL;
	cJSON_Delete(m);
	head = first ? pt_asprintf("{\"traceEvents\":[\n%s", first) : NULL;
	free(first);
	if (!t->path || !t->process_name || !head) {
		free(head);
		close(t->fd);
		unlink(path);
		free(t->path);
		free(t->process_name);
		free(t);
		pt_fail(ENOMEM, "out of memory for trace '%s'", path);
		return NULL;
	}
	rc = trace_write(t, head, strlen(head));
	free(head);
	if (rc < 0) {
		pt_fail(-rc, "cannot write trace '%s': %s", path, strerror(-rc));
		close(t->fd);
		free(t->path);
		free(t->process_name);
		free(t);
		return NULL;
	}
	pt_fork_list_join(&open_traces, &t->fork);
	return t;
}

int pt_trace_flush(pt_trace *t)
{
	int rc = 0;

	pthread_mutex_lock(&t->list_lock);
	for (struct tbuf *b = t->bufs; b; b = b->next) {
		int r = tbuf_flush(b, b->tid == pt_gettid() && b->pid == getpid());

		if (r < 0 && !rc)
			rc = r;
	}
	pthread_mutex_unlock(&t->list_lock);
	if (rc < 0)
		pt_fail(-rc, "cannot write trace '%s': %s", t->path, strerror(-rc));
	return rc;
}

int pt_trace_close(pt_trace *t)
{
	struct tbuf *b;
	int rc;

	if (!t)
		return 0;
	pt_fork_list_leave(&open_traces, &t->fork);
	pt_trace_flush(t);
	while ((b = t->bufs)) {
		t->bufs = b->next;
		tbuf_free(b);
	}
	if (getpid() == t->owner)
		trace_write(t, "\n]}\n", 4);
	rc = t->error;
	if (close(t->fd) < 0 && !rc)
		rc = -errno;
	pt_tlcache_forget(&tl_bufs, t->serial);
	if (rc < 0)
		pt_fail(-rc, "cannot write trace '%s': %s", t->path, strerror(-rc));
	pthread_mutex_destroy(&t->list_lock);
	pthread_mutex_destroy(&t->wlock);
	free(t->path);
	free(t->process_name);
	free(t);
	return rc;
}

uint64_t pt_trace_count(const pt_trace *t)
{
	pt_trace *mt = (pt_trace *)t;
	uint64_t n;

	pthread_mutex_lock(&mt->list_lock);
	n = t->freed_total;
	for (struct tbuf *b = t->bufs; b; b = b->next)
		n += PT_LD(b->total);
	pthread_mutex_unlock(&mt->list_lock);
	return n;
}

static int valid_phase(char ph)
{
	return ph && strchr("XBEiIbnestfCNODMR", ph) != NULL;
}

static int needs_id(char ph)
{
	return strchr("bnestfNOD", ph) != NULL;
}

int pt_trace_record(pt_trace *t, const struct pt_trace_event *e)
{
	size_t nl, cl, il, need;
	struct tbuf *b;
	struct rec *r;
	char *p;

	if (!valid_phase(e->ph))
		return pt_fail(EINVAL, "unknown trace event phase '%c'", e->ph ? e->ph : '?');
	if (!e->name && e->ph != 'E')
		return pt_fail(EINVAL, "a trace event of phase '%c' needs a name", e->ph);
	if (needs_id(e->ph) && !e->id)
		return pt_fail(EINVAL, "a trace event of phase '%c' needs an id", e->ph);
	if (e->nargs > MAX_ARGS || (e->nargs && !e->args))
		return pt_fail(EINVAL, "a trace event takes at most %d args", MAX_ARGS);
	if (e->scope && e->scope != 'g' && e->scope != 'p' && e->scope != 't')
		return pt_fail(EINVAL, "unknown instant event scope '%c'; use g, p or t", e->scope);
	if (t->error)
		return -EIO;
	b = tbuf_get(t);
	if (!b)
		return pt_fail(ENOMEM, "out of memory for a trace buffer");
	nl = e->name ? strlen(e->name) : 0;
	cl = e->cat ? strlen(e->cat) : 0;
	il = e->id ? strlen(e->id) : 0;
	if (nl > UINT16_MAX || cl > UINT16_MAX || il > UINT16_MAX)
		return pt_fail(EINVAL, "trace event strings are limited to 65535 bytes");
	need = sizeof(*r) + pt_align8(nl + cl + il + 3);
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct pt_trace_arg *a = &e->args[i];
		size_t kl = a->key ? strlen(a->key) : 0;
		size_t sl = a->type == PT_ARG_STR && a->s ? strlen(a->s) : 0;

		if (!a->key || kl > UINT16_MAX || sl > UINT32_MAX / 2)
			return pt_fail(EINVAL, "trace event arg %u needs a key", i);
		need += sizeof(struct rec_arg) + pt_align8(kl + sl + 2);
	}
	r = reserve(b, need);
	if (!r)
		return pt_fail(ENOMEM, "out of memory for a trace event");
	r->size = (uint32_t)need;
	r->ph = e->ph;
	r->scope = has_scope(e->ph) ? (e->scope ? e->scope : 't') : 0;
	r->nargs = (uint8_t)e->nargs;
	r->name_len = (uint16_t)nl;
	r->cat_len = (uint16_t)cl;
	r->id_len = (uint16_t)il;
	r->ts = e->ts_ns ? e->ts_ns : pt_now_ns();
	r->dur = e->dur_ns;
	r->name_ptr = e->name;
	r->cat_ptr = e->cat;
	p = (char *)(r + 1);
	memcpy(p, e->name ? e->name : "", nl + 1);
	p += nl + 1;
	memcpy(p, e->cat ? e->cat : "", cl + 1);
	p += cl + 1;
	memcpy(p, e->id ? e->id : "", il + 1);
	p = (char *)rec_args(r);
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct pt_trace_arg *a = &e->args[i];
		struct rec_arg *ra = (struct rec_arg *)p;
		size_t kl = strlen(a->key);
		size_t sl = a->type == PT_ARG_STR && a->s ? strlen(a->s) : 0;
		char *q = (char *)(ra + 1);

		ra->type = (uint8_t)a->type;
		ra->key_len = (uint16_t)kl;
		ra->str_len = (uint32_t)sl;
		if (a->type == PT_ARG_INT)
			ra->v.i = a->i;
		else
			ra->v.d = a->d;
		memcpy(q, a->key, kl + 1);
		memcpy(q + kl + 1, a->type == PT_ARG_STR && a->s ? a->s : "", sl + 1);
		p = q + pt_align8(kl + sl + 2);
	}
	commit(b, r);
	return 0;
}

int pt_trace_complete_ts(pt_trace *t, const char *name, const char *cat, uint64_t ts_ns,
			 uint64_t dur_ns)
{
	struct tbuf *b = tbuf_get(t);
	size_t nl = strlen(name), cl = cat ? strlen(cat) : 0, need;
	struct rec *r;
	char *p;

	if (__builtin_expect(!b || nl > UINT16_MAX || cl > UINT16_MAX, 0))
		return -ENOMEM;
	need = sizeof(*r) + pt_align8(nl + cl + 3);
	r = reserve(b, need);
	if (__builtin_expect(!r, 0))
		return -ENOMEM;
	r->size = (uint32_t)need;
	r->ph = 'X';
	r->scope = 0;
	r->nargs = 0;
	r->name_len = (uint16_t)nl;
	r->cat_len = (uint16_t)cl;
	r->id_len = 0;
	r->ts = ts_ns;
	r->dur = dur_ns;
	r->name_ptr = name;
	r->cat_ptr = cat;
	p = (char *)(r + 1);
	memcpy(p, name, nl + 1);
	p += nl + 1;
	if (cl)
		memcpy(p, cat, cl);
	p[cl] = '\0';
	p[cl + 1] = '\0';
	commit(b, r);
	return 0;
}

int pt_trace_complete(pt_trace *t, const char *name, const char *cat, uint64_t ts_ns,
		      uint64_t dur_ns)
{
	if (!name)
		return pt_fail(EINVAL, "a trace event of phase 'X' needs a name");
	return pt_trace_complete_ts(t, name, cat, ts_ns ? ts_ns : pt_now_ns(), dur_ns);
}

int pt_trace_begin(pt_trace *t, const char *name, const char *cat)
{
	struct pt_trace_event e = { .ph = 'B', .name = name, .cat = cat };

	return pt_trace_record(t, &e);
}

int pt_trace_end(pt_trace *t, const char *name, const char *cat)
{
	struct pt_trace_event e = { .ph = 'E', .name = name, .cat = cat };

	return pt_trace_record(t, &e);
}

int pt_trace_instant(pt_trace *t, const char *name, char scope)
{
	struct pt_trace_event e = { .ph = 'i', .name = name, .scope = scope };

	return pt_trace_record(t, &e);
}

int pt_trace_counter(pt_trace *t, const char *name, const char *series, double value)
{
	struct pt_trace_arg a = { .key = series ? series : "value", .type = PT_ARG_DOUBLE, .d = value };
	struct pt_trace_event e = { .ph = 'C', .name = name, .args = &a, .nargs = 1 };

	return pt_trace_record(t, &e);
}

int pt_trace_thread_name(pt_trace *t, const char *name)
{
	struct tbuf *b = tbuf_get(t);

	if (!b)
		return pt_fail(ENOMEM, "out of memory for a trace buffer");
	/* the name is written once, as metadata, with the thread's next
	 * events: a renamed thread before its first flush has one name */
	pthread_mutex_lock(&b->lock);
	snprintf(b->name, sizeof(b->name), "%s", name ? name : "");
	b->name_pending = 1;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

int pt_trace_process_name(pt_trace *t, const char *name)
{
	struct pt_trace_arg a = { .key = "name", .type = PT_ARG_STR, .s = name ? name : "" };
	struct pt_trace_event e = { .ph = 'M', .name = "process_name", .args = &a, .nargs = 1 };

	return pt_trace_record(t, &e);
}
