/* params.c - task parameters: KEY=VALUE storage and typed parsing */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/params.h"
#include "base/util.h"

struct pt_param {
	char *key, *value;
};

struct pt_params {
	struct pt_param *v;
	size_t n, cap;
};

pt_params *pt_params_new(void)
{
	return calloc(1, sizeof(pt_params));
}

void pt_params_free(pt_params *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	free(p);
}

int pt_params_add(pt_params *p, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char *key, *value;

	if (!eq)
		return pt_fail(EINVAL, "parameter '%s' has no value; write it as KEY=VALUE",
			       assignment);
	if (eq == assignment)
		return pt_fail(EINVAL, "parameter '%s' has an empty key; write it as KEY=VALUE",
			       assignment);
	key = strndup(assignment, (size_t)(eq - assignment));
	value = strdup(eq + 1);
	if (!key || !value) {
		free(key);
		free(value);
		return pt_fail(ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].key, key) == 0) {
			free(p->v[i].value);
			free(key);
			p->v[i].value = value;
			return 0;
		}
	}
	if (PT_ARRAY_GROW(p->v, p->cap, p->n + 1, 8) < 0) {
		free(key);
		free(value);
		return pt_fail(ENOMEM, "out of memory");
	}
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->n++;
	return 0;
}

size_t pt_params_count(const pt_params *p)
{
	return p ? p->n : 0;
}

const char *pt_params_key(const pt_params *p, size_t i)
{
	return i < pt_params_count(p) ? p->v[i].key : NULL;
}

const char *pt_params_value(const pt_params *p, size_t i)
{
	return i < pt_params_count(p) ? p->v[i].value : NULL;
}

ssize_t pt_params_find(const pt_params *p, const char *key)
{
	for (size_t i = 0; i < pt_params_count(p); i++)
		if (strcmp(p->v[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

int pt_parse_int(const char *s, long long *out)
{
	char *end;
	long long v, mult = 1;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (end == s)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	switch (*end) {
	case 'k': case 'K': mult = 1000; end++; break;
	case 'M': mult = 1000000; end++; break;
	case 'G': mult = 1000000000; end++; break;
	default: break;
	}
	if (*end != '\0')
		return -EINVAL;
	if (__builtin_mul_overflow(v, mult, out))
		return -ERANGE;
	return 0;
}

int pt_parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno)
		return -EINVAL;
	return 0;
}
