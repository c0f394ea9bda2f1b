/* validate.c - read a results document back and check it against schema proftune/2 (or /1) */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "doc/doc.h"
#include "doc/results.h"
#include "doc/validate.h"

/* Larger files are refused before reading: a 10 000-trial tune of 64
 * workers is about 300 MB of JSON, far beyond anything proftune writes in
 * practice, and reading more would only exhaust memory. */
#define MAX_DOC_BYTES ((size_t)1 << 30)
/* Bytes asked of each read(2): what a pipe holds. */
#define READ_CHUNK 65536

/* Ranges of sane values.  A value outside them is not a measurement but a
 * corrupted or forged file, and reports would print nonsense from it. */
#define MAX_WORKERS 1e6       /* the CLI's own bound on worker counts */
#define MAX_COUNT 9007199254740992.0 /* 2^53: the largest integer a double holds exactly */
#define MAX_SECONDS 3.2e9     /* a century */
#define MAX_NS 3.2e18         /* a century in nanoseconds */
#define MAX_RATE 1e15         /* items per second: a million times any real machine */
#define MAX_BYTES 1.8446744073709552e19 /* 2^64 */
#define MAX_RATIO 1e9         /* utilization, imbalance, speedup and other ratios */

/* Characters of context quoted around a parse error. */
#define EXCERPT 16

enum kind { K_STR, K_BOOL, K_NUM, K_OBJ, K_ARR, K_ANY };

enum {
	F_REQ = 1,   /* must be present */
	F_NULL = 2,  /* null is allowed (numbers JSON cannot hold are written as null) */
	F_INT = 4,   /* a number must be an integer */
};

/* One field of the schema: a table drives the whole validation. */
struct spec {
	const char *key;          /* NULL ends a list of fields */
	enum kind kind;
	unsigned flags;
	double lo, hi;            /* K_NUM: allowed range */
	const struct spec *sub;   /* K_OBJ: its fields; K_ARR: the spec of each element */
};

#define END { NULL, K_ANY, 0, 0, 0, NULL }
#define STR(k, f) { k, K_STR, f, 0, 0, NULL }
#define BOOL(k, f) { k, K_BOOL, f, 0, 0, NULL }
#define NUM(k, f, lo, hi) { k, K_NUM, f, lo, hi, NULL }
#define INT(k, f, lo, hi) { k, K_NUM, (f) | F_INT, lo, hi, NULL }
#define OBJ(k, f, sub) { k, K_OBJ, f, 0, 0, sub }
#define ARR(k, f, elem) { k, K_ARR, f, 0, 0, elem }
#define ANY(k, f) { k, K_ANY, f, 0, 0, NULL }

static const struct spec message_fields[] = {
	STR("message", F_REQ),
	INT("count", 0, 0, MAX_COUNT),
	END,
};
static const struct spec message_elem = OBJ(NULL, 0, message_fields);
static const struct spec string_elem = STR(NULL, 0);
static const struct spec count_elem = INT(NULL, 0, 1, MAX_WORKERS);

static const struct spec topology_fields[] = {
	INT("packages", 0, 0, MAX_WORKERS),
	INT("numa_nodes", 0, 0, MAX_WORKERS),
	INT("cores", 0, 0, MAX_WORKERS),
	INT("pus", 0, 0, MAX_WORKERS),
	INT("l1_caches", 0, 0, MAX_WORKERS),
	INT("l2_caches", 0, 0, MAX_WORKERS),
	INT("l3_caches", 0, 0, MAX_WORKERS),
	BOOL("synthetic", 0),
	END,
};

static const struct spec host_fields[] = {
	STR("hostname", F_REQ),
	STR("kernel", 0),
	STR("arch", 0),
	STR("cpu_model", F_NULL),
	OBJ("topology", 0, topology_fields),
	STR("allowed_cpus", 0),
	INT("allowed_pus", 0, 0, MAX_WORKERS),
	END,
};

static const struct spec task_fields[] = {
	STR("path", F_REQ),
	STR("name", F_REQ),
	STR("summary", 0),
	OBJ("params", F_REQ, NULL),
	END,
};

static const struct spec config_fields[] = {
	INT("items", F_NULL, 0, MAX_COUNT),
	NUM("duration_s", F_NULL, 0, MAX_SECONDS),
	NUM("warmup_s", F_NULL, 0, MAX_SECONDS),
	STR("placement", 0),
	INT("repeat", 0, 0, MAX_COUNT),
	BOOL("record_latency", 0),
	BOOL("counters", 0),
	NUM("max_error_rate", 0, 0, 1),
	BOOL("all_workers", 0),
	END,
};

static const struct spec latency_fields[] = {
	BOOL("recorded", 0),
	INT("count", F_NULL, 0, MAX_COUNT),
	NUM("min", F_NULL, 0, MAX_NS),
	NUM("mean", F_NULL, 0, MAX_NS),
	NUM("stddev", F_NULL, 0, MAX_NS),
	NUM("p50", F_NULL, 0, MAX_NS),
	NUM("p90", F_NULL, 0, MAX_NS),
	NUM("p99", F_NULL, 0, MAX_NS),
	NUM("p99_9", F_NULL, 0, MAX_NS),
	NUM("max", F_NULL, 0, MAX_NS),
	NUM("relative_error", F_NULL, 0, 1),
	END,
};

static const struct spec errors_fields[] = {
	INT("count", F_REQ | F_NULL, 0, MAX_COUNT),
	NUM("rate", F_NULL, 0, 1),
	NUM("max_rate", 0, 0, 1),
	ARR("messages", 0, &message_elem),
	INT("messages_total", 0, 0, MAX_COUNT),
	END,
};

static const struct spec cpu_fields[] = {
	NUM("user_s", F_NULL, 0, MAX_SECONDS),
	NUM("sys_s", F_NULL, 0, MAX_SECONDS),
	NUM("utilization", F_NULL, 0, MAX_RATIO),
	END,
};

static const struct spec clock_fields[] = {
	STR("name", 0),
	NUM("drift", F_NULL, -1, 1),
	END,
};

static const struct spec memory_fields[] = {
	NUM("peak_rss", F_REQ | F_NULL, 0, MAX_BYTES),
	STR("peak_rss_scope", 0),
	NUM("worker_processes_rss", F_NULL, 0, MAX_BYTES),
	NUM("rss_start", F_NULL, 0, MAX_BYTES),
	NUM("rss_end", F_NULL, 0, MAX_BYTES),
	NUM("heap_start", F_NULL, 0, MAX_BYTES),
	NUM("heap_end", F_NULL, 0, MAX_BYTES),
	OBJ("records", 0, NULL),
	END,
};

static const struct spec dispatch_fields[] = {
	NUM("mean_chunk", F_NULL, 0, MAX_COUNT),
	NUM("overhead", F_NULL, 0, MAX_RATIO),
	END,
};

static const struct spec worker_fields[] = {
	INT("index", F_REQ, 0, MAX_WORKERS),
	INT("cpu", 0, -1, MAX_COUNT),
	INT("core", 0, -1, MAX_COUNT),
	INT("numa_node", 0, -1, MAX_COUNT),
	INT("package", 0, -1, MAX_COUNT),
	INT("cpu_observed_start", 0, -1, MAX_COUNT),
	INT("cpu_observed_end", 0, -1, MAX_COUNT),
	INT("items", F_REQ | F_NULL, 0, MAX_COUNT),
	INT("errors", F_NULL, 0, MAX_COUNT),
	NUM("busy_s", F_NULL, 0, MAX_SECONDS),
	NUM("dispatch_s", F_NULL, 0, MAX_SECONDS),
	NUM("start_s", F_REQ | F_NULL, 0, MAX_SECONDS),
	NUM("end_s", F_REQ | F_NULL, 0, MAX_SECONDS),
	NUM("cpu_user_s", F_NULL, 0, MAX_SECONDS),
	NUM("cpu_sys_s", F_NULL, 0, MAX_SECONDS),
	NUM("cpu_utilization", F_NULL, 0, MAX_RATIO),
	NUM("throughput", F_NULL, 0, MAX_RATE),
	NUM("goodput", F_NULL, 0, MAX_RATE),
	OBJ("latency_ns", 0, latency_fields),
	OBJ("counters", 0, NULL),
	OBJ("memory", 0, NULL),
	END,
};
static const struct spec worker_elem = OBJ(NULL, 0, worker_fields);

static const struct spec trial_fields[] = {
	INT("workers", F_REQ, 1, MAX_WORKERS),
	INT("repeat", F_REQ, 0, MAX_COUNT),
	STR("status", F_REQ),
	STR("message", F_NULL),
	STR("placement", F_REQ),
	STR("started", 0),
	INT("items", F_REQ | F_NULL, 0, MAX_COUNT),
	OBJ("errors", F_REQ, errors_fields),
	NUM("wall_s", F_REQ | F_NULL, 0, MAX_SECONDS),
	NUM("throughput", F_REQ | F_NULL, 0, MAX_RATE),
	NUM("goodput", F_NULL, 0, MAX_RATE),
	NUM("warmup_s", F_NULL, 0, MAX_SECONDS),
	NUM("setup_s", F_NULL, 0, MAX_SECONDS),
	NUM("teardown_s", F_NULL, 0, MAX_SECONDS),
	OBJ("cpu", 0, cpu_fields),
	OBJ("latency_ns", F_REQ, latency_fields),
	OBJ("clock", 0, clock_fields),
	OBJ("memory", F_REQ, memory_fields),
	OBJ("counters", F_REQ, NULL),
	OBJ("notes", 0, NULL),
	OBJ("dispatch", 0, dispatch_fields),
	NUM("imbalance", F_NULL, 0, MAX_RATIO),
	ARR("warnings", 0, &message_elem),
	STR("per_worker_detail", 0),
	ARR("per_worker", F_REQ, &worker_elem),
	END,
};
static const struct spec trial_elem = OBJ(NULL, 0, trial_fields);

static const struct spec per_count_fields[] = {
	INT("workers", F_REQ, 1, MAX_WORKERS),
	INT("trials", 0, 0, MAX_COUNT),
	INT("ok_trials", 0, 0, MAX_COUNT),
	NUM("median", F_NULL, 0, MAX_RATE),
	NUM("ci_low", F_NULL, 0, MAX_RATE),
	NUM("ci_high", F_NULL, 0, MAX_RATE),
	NUM("cv", F_NULL, 0, MAX_RATIO),
	NUM("speedup", F_NULL, 0, MAX_RATIO),
	NUM("efficiency", F_NULL, 0, MAX_RATIO),
	BOOL("speedup_estimated", 0),
	BOOL("ci_from_other_counts", 0),
	NUM("p99_ns", F_NULL, 0, MAX_NS),
	NUM("cpu_utilization", F_NULL, 0, MAX_RATIO),
	NUM("ratio_to_best", F_NULL, 0, MAX_RATIO),
	STR("versus_best", 0),
	NUM("model", F_NULL, 0, MAX_RATE),
	END,
};
static const struct spec per_count_elem = OBJ(NULL, 0, per_count_fields);

static const struct spec model_fields[] = {
	BOOL("fitted", F_REQ),
	NUM("sigma", 0, 0, MAX_RATIO),
	NUM("kappa", 0, 0, MAX_RATIO),
	NUM("lambda", 0, 0, MAX_RATE),
	NUM("r2", F_NULL, -MAX_RATIO, 1),
	NUM("rms_relative_error", F_NULL, 0, MAX_RATIO),
	NUM("peak_workers", F_NULL, 0, MAX_COUNT),
	STR("bound", 0),
	END,
};

static const struct spec confidence_fields[] = {
	BOOL("optimal_decided", 0),
	BOOL("recommended_decided", 0),
	ARR("tied_with_optimal", 0, &count_elem),
	END,
};

static const struct spec summary_fields[] = {
	STR("strategy", 0),
	NUM("tolerance", 0, 0, 1),
	INT("trials", 0, 0, MAX_COUNT),
	NUM("elapsed_s", F_NULL, 0, MAX_SECONDS),
	BOOL("budget_exhausted", 0),
	BOOL("interrupted", 0),
	INT("optimal_workers", F_REQ | F_NULL, 1, MAX_WORKERS),
	INT("recommended_workers", F_REQ | F_NULL, 1, MAX_WORKERS),
	NUM("best_throughput", F_REQ | F_NULL, 0, MAX_RATE),
	ARR("tested_workers", F_REQ, &count_elem),
	NUM("pooled_log_sd", F_NULL, 0, MAX_RATIO),
	INT("degrees_of_freedom", 0, 0, MAX_COUNT),
	ARR("per_count", F_REQ, &per_count_elem),
	OBJ("model", 0, model_fields),
	OBJ("confidence", 0, confidence_fields),
	ARR("warnings", 0, &string_elem),
	END,
};

static const struct spec document_fields[] = {
	STR("schema", F_REQ),
	STR("proftune_version", F_REQ),
	STR("command", F_REQ),
	STR("created", F_REQ),
	OBJ("host", F_REQ, host_fields),
	OBJ("task", F_REQ, task_fields),
	OBJ("config", F_REQ, config_fields),
	BOOL("interrupted", 0),
	ARR("trials", F_REQ, &trial_elem),
	OBJ("summary", 0, summary_fields),
	ARR("warnings", 0, &message_elem),
	END,
};

/* ---- validation ------------------------------------------------------------ */

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

static const char *kind_name(enum kind k)
{
	switch (k) {
	case K_STR: return "a string";
	case K_BOOL: return "a boolean (true or false)";
	case K_NUM: return "a number";
	case K_OBJ: return "an object";
	case K_ARR: return "an array";
	case K_ANY: break;
	}
	return "a value";
}

/* PATH of field KEY (or element I when KEY is NULL) below PARENT. */
static void child_path(char *out, size_t len, const char *parent, const char *key, int i)
{
	if (!key)
		snprintf(out, len, "%s[%d]", parent, i);
	else if (*parent)
		snprintf(out, len, "%s.%s", parent, key);
	else
		snprintf(out, len, "%s", key);
}

static int check_value(const char *name, const char *path, const cJSON *v, const struct spec *s);

static int check_fields(const char *name, const char *path, const cJSON *o,
			const struct spec *fields)
{
	char sub[256];

	for (const struct spec *f = fields; f && f->key; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, f->key);
		int ret;

		if (!v) {
			if (!(f->flags & F_REQ))
				continue;
			if (*path)
				return pt_fail(EINVAL, "'%s': %s: missing required field '%s'", name,
					       path, f->key);
			return pt_fail(EINVAL, "'%s': missing required field '%s'", name, f->key);
		}
		child_path(sub, sizeof(sub), path, f->key, 0);
		ret = check_value(name, sub, v, f);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int check_number(const char *name, const char *path, const cJSON *v, const struct spec *s)
{
	double x = v->valuedouble;

	if (!isfinite(x))
		return pt_fail(ERANGE, "'%s': %s: the number is out of range (it overflows a "
			       "double)", name, path);
	if (x < s->lo || x > s->hi || ((s->flags & F_INT) && x != floor(x))) {
		if (s->flags & F_INT)
			return pt_fail(ERANGE, "'%s': %s: %.17g is out of range (expected an "
				       "integer from %.17g to %.17g)", name, path, x, s->lo, s->hi);
		return pt_fail(ERANGE, "'%s': %s: %.17g is out of range (expected a number from "
			       "%.17g to %.17g)", name, path, x, s->lo, s->hi);
	}
	return 0;
}

static int check_value(const char *name, const char *path, const cJSON *v, const struct spec *s)
{
	const cJSON *e;
	char sub[256];
	int i = 0, ret, ok;

	if (cJSON_IsNull(v) && (s->flags & F_NULL))
		return 0;
	switch (s->kind) {
	case K_STR: ok = cJSON_IsString(v); break;
	case K_BOOL: ok = cJSON_IsBool(v); break;
	case K_NUM: ok = cJSON_IsNumber(v); break;
	case K_OBJ: ok = cJSON_IsObject(v); break;
	case K_ARR: ok = cJSON_IsArray(v); break;
	default: ok = 1; break;
	}
	if (!ok)
		return pt_fail(EINVAL, "'%s': %s: expected %s%s, found %s", name, path,
			       kind_name(s->kind), s->flags & F_NULL ? " or null" : "",
			       type_name(v));
	if (s->kind == K_NUM)
		return check_number(name, path, v, s);
	if (s->kind == K_OBJ)
		return check_fields(name, path, v, s->sub);
	if (s->kind == K_ARR && s->sub) {
		cJSON_ArrayForEach(e, v) {
			child_path(sub, sizeof(sub), path, NULL, i++);
			ret = check_value(name, sub, e, s->sub);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Every number anywhere, also under keys the schema does not list, must be
 * finite: cJSON reads 1e999 as infinity and would write it back as null. */
static int check_finite(const char *name, const char *path, const cJSON *v)
{
	const cJSON *e;
	char sub[256];
	int i = 0, ret;

	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
		return pt_fail(ERANGE, "'%s': %s: the number is out of range (it overflows a "
			       "double)", name, path);
	cJSON_ArrayForEach(e, v) {
		child_path(sub, sizeof(sub), path, cJSON_IsObject(v) ? e->string : NULL, i++);
		ret = check_finite(name, sub, e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Relations between fields that the table cannot say. */
static int check_relations(const char *name, const cJSON *root)
{
	const cJSON *t, *w;
	const char *cmd = pt_json_str(root, "command");
	int i = 0;

	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "tune") != 0)
		return pt_fail(EINVAL, "'%s': command: '%s' is not \"run\" or \"tune\"", name, cmd);
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "trials")) {
		int j = 0;

		cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(t, "per_worker")) {
			if (pt_json_num(w, "end_s") < pt_json_num(w, "start_s"))
				return pt_fail(EINVAL, "'%s': trials[%d].per_worker[%d]: end_s is "
					       "before start_s", name, i, j);
			j++;
		}
		if (j > pt_json_num(t, "workers"))
			return pt_fail(EINVAL, "'%s': trials[%d]: %d per_worker entries for %.0f "
				       "workers", name, i, j, pt_json_num(t, "workers"));
		i++;
	}
	return 0;
}

/* Quote up to EXCERPT bytes of TEXT from OFF, escaping what is not printable. */
static void excerpt(char *out, size_t len, const char *text, size_t tlen, size_t off)
{
	size_t o = 0;

	for (size_t i = off; i < tlen && i < off + EXCERPT && o + 5 < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* Does TEXT end inside an object, array or string?  Its name, or NULL. */
static const char *unclosed(const char *text, size_t len)
{
	char stack[64];   /* the innermost openers; deeper ones are only counted */
	size_t depth = 0;
	int in_string = 0, escaped = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (depth < sizeof(stack))
				stack[depth] = c;
			depth++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	if (in_string)
		return "string";
	if (depth == 0)
		return NULL;
	if (depth > sizeof(stack))
		return "array or object";
	return stack[depth - 1] == '{' ? "object" : "array";
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Why TEXT does not parse, as pt_fail(). */
static int parse_error(const char *name, const char *text, size_t len, size_t off)
{
	char near[EXCERPT * 4 + 8];
	const char *open;
	unsigned char c = off < len ? (unsigned char)text[off] : 0;
	int at_off = off < len && ((c < 0x20 && !is_space((char)c)) || c == 0x7f);
	size_t bad = 0;

	if (memchr(text, '\0', len) || at_off) {
		/* named: the first byte that no JSON text holds unescaped (a
		 * control character, NUL among them), not where the parser
		 * gave up */
		while (bad < len && !((unsigned char)text[bad] < 0x20 && !is_space(text[bad])))
			bad++;
		if (at_off && off < bad)
			bad = off;
		return pt_fail(EINVAL, "'%s' is binary data, not JSON (byte %zu is 0x%02x)", name,
			       bad, (unsigned char)text[bad]);
	}
	open = unclosed(text, len);
	if (open)
		return pt_fail(EINVAL, "'%s' is truncated JSON: it ends at byte %zu inside an "
			       "unclosed %s", name, len, open);
	excerpt(near, sizeof(near), text, len, off);
	return pt_fail(EINVAL, "'%s' is not valid JSON: parse error at byte %zu (near '%s')",
		       name, off, near);
}

void pt_doc_free(pt_doc *d)
{
	if (d) {
		cJSON_Delete(d->root);
		free(d->name);
	}
	free(d);
}

pt_doc *pt_doc_parse(const char *text, size_t len, const char *name)
{
	const char *end = NULL;
	const cJSON *schema;
	pt_doc *d;
	cJSON *root;
	size_t i = 0;
	char near[EXCERPT * 4 + 8];

	while (i < len && is_space(text[i]))
		i++;
	if (i == len) {
		pt_fail(EINVAL, "'%s' is empty: not a results document", name);
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		parse_error(name, text, len, end && end >= text ? (size_t)(end - text) : 0);
		return NULL;
	}
	for (i = (size_t)(end - text); i < len && is_space(text[i]); i++)
		;
	if (i < len) {
		excerpt(near, sizeof(near), text, len, i);
		pt_fail(EINVAL, "'%s' has text after the JSON document at byte %zu (near '%s')",
			name, i, near);
		goto fail;
	}
	if (!cJSON_IsObject(root)) {
		pt_fail(EINVAL, "'%s' is not a results document: the JSON is %s, not an object",
			name, type_name(root));
		goto fail;
	}
	schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (!schema) {
		pt_fail(EINVAL, "'%s' is not a proftune results document: no 'schema' field", name);
		goto fail;
	}
	/* proftune/1 wrote 0 for what was not measured; its documents read as
	 * before, with the same fields */
	if (cJSON_IsString(schema) && strcmp(schema->valuestring, PT_SCHEMA) != 0 &&
	    strcmp(schema->valuestring, PT_SCHEMA_1) != 0) {
		pt_fail(EPROTO, "'%s' has schema '%s'; this proftune reads '%s' and '%s'", name,
			schema->valuestring, PT_SCHEMA, PT_SCHEMA_1);
		goto fail;
	}
	if (check_fields(name, "", root, document_fields) < 0 || check_finite(name, "", root) < 0 ||
	    check_relations(name, root) < 0)
		goto fail;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name))) {
		free(d);
		pt_fail(ENOMEM, "out of memory");
		goto fail;
	}
	d->root = root;
	return d;
fail:
	cJSON_Delete(root);
	return NULL;
}

pt_doc *pt_doc_load(const char *path)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = fd == 0 ? "standard input" : path;
	/* one byte beyond the limit tells a document too large */
	struct pt_strbuf text = { .limit = MAX_DOC_BYTES + 1 };
	pt_doc *d = NULL;
	struct stat st;

	if (fd < 0) {
		pt_fail(errno, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		pt_fail(EISDIR, "cannot read '%s': it is a directory", path);
		goto out;
	}
	for (;;) {
		ssize_t n;
		int rc = pt_strbuf_grow(&text, READ_CHUNK);

		if (rc == -EFBIG) {
			pt_fail(EFBIG, "'%s' is larger than %zu MiB: not a results document",
				name, MAX_DOC_BYTES >> 20);
			goto out;
		}
		if (rc < 0) {
			pt_fail(ENOMEM, "out of memory reading '%s'", name);
			goto out;
		}
		n = read(fd, text.s + text.len, text.cap - 1 - text.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pt_fail(errno, "cannot read '%s': %s", name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
	}
	d = pt_doc_parse(text.s, text.len, name);
out:
	if (fd > 0)
		close(fd);
	pt_strbuf_release(&text);
	return d;
}

const char *pt_doc_name(const pt_doc *d)
{
	return d->name;
}

const char *pt_doc_command(const pt_doc *d)
{
	return pt_json_str(d->root, "command");
}

const char *pt_doc_task(const pt_doc *d)
{
	return pt_json_str(cJSON_GetObjectItemCaseSensitive(d->root, "task"), "name");
}

char *pt_doc_json(const pt_doc *d)
{
	return cJSON_Print(d->root);
}
