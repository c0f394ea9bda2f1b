/* topology.c - the machine as hwloc sees it, and where workers go */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/strbuf.h"
#include "base/util.h"
#include "engine/topology.h"

static const char *const placement_names[] = {
	[PT_PLACE_NONE] = "none",
	[PT_PLACE_COMPACT] = "compact",
	[PT_PLACE_SCATTER] = "scatter",
};

const char *pt_placement_name(enum pt_placement p)
{
	return pt_name_of(placement_names, PT_COUNT(placement_names), (unsigned)p);
}

int pt_placement_parse(const char *name)
{
	return pt_name_index(placement_names, PT_COUNT(placement_names), name);
}

void pt_topology_free(pt_topology *t)
{
	if (t) {
		hwloc_bitmap_free(t->allowed);
		if (t->topo)
			hwloc_topology_destroy(t->topo);
	}
	free(t);
}

/* Bounds of a synthetic description.  hwloc builds a synthetic topology in
 * time that grows with the PUs times the objects times the children of
 * each object: 'pu:16384' alone takes 40 s, 'package:100 core:100 pu:10'
 * 20 s and 2.4 GB.  Within these bounds every description loads in a few
 * seconds at most; 16384 PUs is twice the most Linux supports (8192). */
#define SYNTHETIC_MAX_PUS 16384
#define SYNTHETIC_MAX_ARITY 256
#define SYNTHETIC_MAX_OBJECTS 65536

/* Past the ')' that closes the attributes at P ('('), as hwloc reads them,
 * or NULL when none does. */
static const char *skip_attrs(const char *p)
{
	p = strchr(p, ')');
	return p ? p + 1 : NULL;
}

/* The size of the synthetic description D, read level by level as hwloc's
 * parser reads it: the PUs (the product of the arities), the objects of
 * all levels and the largest arity, each saturating at ULONG_MAX.  What
 * hwloc would refuse ends the reading: hwloc then says it is invalid. */
static void synthetic_size(const char *d, unsigned long *pus, unsigned long *objects,
			   unsigned long *arity)
{
	const char *p = d;
	unsigned long width = 1;

	*objects = 1;
	*arity = 0;
	if (*p == '(' && !(p = skip_attrs(p)))
		goto out;
	while (*p) {
		unsigned long item;
		char *end;

		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*p == '[') {
			/* a memory child attached to each object of the level above */
			if (!(p = strchr(p, ']')))
				break;
			*objects = *objects > ULONG_MAX - width ? ULONG_MAX : *objects + width;
			p++;
			continue;
		}
		if (*p < '0' || *p > '9') {
			if (!(p = strchr(p, ':')))
				break;
			p++;
		}
		errno = 0;
		item = strtoul(p, &end, 0);
		if (end == p || item == 0)
			break;
		if (errno == ERANGE)
			item = ULONG_MAX;
		*arity = item > *arity ? item : *arity;
		width = width > ULONG_MAX / item ? ULONG_MAX : width * item;
		*objects = *objects > ULONG_MAX - width ? ULONG_MAX : *objects + width;
		p = end;
		if (*p == '(' && !(p = skip_attrs(p)))
			break;
	}
out:
	*pus = width;
}

/* 0 when the synthetic description D is within the bounds, or -E2BIG with
 * a message naming what is beyond them and the bounds. */
static int check_synthetic(const char *d)
{
	unsigned long pus, objects, arity, n = 0;
	const char *what = NULL;

	synthetic_size(d, &pus, &objects, &arity);
	if (pus > SYNTHETIC_MAX_PUS)
		what = "PUs", n = pus;
	else if (arity > SYNTHETIC_MAX_ARITY)
		what = "children of one object", n = arity;
	else if (objects > SYNTHETIC_MAX_OBJECTS)
		what = "objects", n = objects;
	if (!what)
		return 0;
	if (n == ULONG_MAX)
		return pt_fail(E2BIG, "synthetic topology '%s' is too large: it has more %s than "
			       "a number can hold; at most %d PUs, %d children of one object and "
			       "%d objects in all are allowed", d, what, SYNTHETIC_MAX_PUS,
			       SYNTHETIC_MAX_ARITY, SYNTHETIC_MAX_OBJECTS);
	return pt_fail(E2BIG, "synthetic topology '%s' is too large: it has %lu %s; at most "
		       "%d PUs, %d children of one object and %d objects in all are allowed",
		       d, n, what, SYNTHETIC_MAX_PUS, SYNTHETIC_MAX_ARITY, SYNTHETIC_MAX_OBJECTS);
}

pt_topology *pt_topology_new(const char *synthetic)
{
	pt_topology *t = calloc(1, sizeof(*t));
	hwloc_bitmap_t bound = NULL;
	int err;

	if (synthetic && check_synthetic(synthetic) < 0) {
		free(t);
		return NULL;
	}
	if (!t) {
		pt_fail(ENOMEM, "out of memory");
		return NULL;
	}
	if (hwloc_topology_init(&t->topo) < 0) {
		err = errno;
		free(t);
		pt_fail(err, "cannot initialise hwloc: %s", strerror(err));
		return NULL;
	}
	if (synthetic) {
		if (hwloc_topology_set_synthetic(t->topo, synthetic) < 0) {
			pt_fail(EINVAL, "invalid synthetic topology '%s'; write it as hwloc does, "
				"e.g. 'package:2 numa:2 core:4 pu:2'", synthetic);
			goto fail;
		}
		t->synthetic = 1;
	}
	if (hwloc_topology_load(t->topo) < 0) {
		err = errno;
		pt_fail(err, "cannot load the topology: %s", strerror(err));
		goto fail;
	}
	t->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(t->topo));
	if (!t->allowed) {
		pt_fail(ENOMEM, "out of memory");
		goto fail;
	}
	if (!synthetic) {
		/* the CPUs this process may run on (taskset, cgroups, a batch
		 * scheduler's binding) bound what proftune may use */
		bound = hwloc_bitmap_alloc();
		if (bound && hwloc_get_cpubind(t->topo, bound, HWLOC_CPUBIND_PROCESS) == 0 &&
		    hwloc_bitmap_intersects(bound, t->allowed))
			hwloc_bitmap_and(t->allowed, t->allowed, bound);
		hwloc_bitmap_free(bound);
		if (!hwloc_bitmap_isequal(t->allowed, hwloc_topology_get_topology_cpuset(t->topo)) &&
		    hwloc_topology_restrict(t->topo, t->allowed, 0) < 0) {
			err = errno;
			pt_fail(err, "cannot restrict the topology to the allowed CPUs: %s",
				strerror(err));
			goto fail;
		}
	}
	return t;
fail:
	pt_topology_free(t);
	return NULL;
}

int pt_topology_is_synthetic(const pt_topology *t)
{
	return t->synthetic;
}

static unsigned count_type(const pt_topology *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->topo, type);

	return n > 0 ? (unsigned)n : 0;
}

void pt_topology_counts(const pt_topology *t, struct pt_topology_counts *out)
{
	out->packages = count_type(t, HWLOC_OBJ_PACKAGE);
	out->numa_nodes = count_type(t, HWLOC_OBJ_NUMANODE);
	out->cores = count_type(t, HWLOC_OBJ_CORE);
	out->pus = count_type(t, HWLOC_OBJ_PU);
	out->l1 = count_type(t, HWLOC_OBJ_L1CACHE);
	out->l2 = count_type(t, HWLOC_OBJ_L2CACHE);
	out->l3 = count_type(t, HWLOC_OBJ_L3CACHE);
}

unsigned pt_topology_allowed_pus(const pt_topology *t)
{
	return count_type(t, HWLOC_OBJ_PU);
}

char *pt_topology_allowed_list(const pt_topology *t)
{
	char *s = NULL;

	if (hwloc_bitmap_list_asprintf(&s, t->allowed) < 0)
		return NULL;
	return s;
}

char *pt_topology_cpu_model(const pt_topology *t)
{
	hwloc_obj_t o = NULL;

	while ((o = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, o))) {
		const char *model = hwloc_obj_get_info_by_name(o, "CPUModel");

		if (model)
			return strdup(model);
	}
	return NULL;
}

static void fill_slot(const pt_topology *t, hwloc_obj_t pu, struct pt_slot *s)
{
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_CORE, pu);
	hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, pu);
	hwloc_obj_t node = NULL;

	s->pu = (int)pu->os_index;
	s->core = core ? (int)core->logical_index : -1;
	s->package = pkg ? (int)pkg->logical_index : -1;
	s->numa = -1;
	while ((node = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, node))) {
		if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
			s->numa = (int)node->os_index;
			break;
		}
	}
}

static int plan_scatter(const pt_topology *t, unsigned n, struct pt_slot *out)
{
	hwloc_obj_t root = hwloc_get_root_obj(t->topo);
	unsigned npus = pt_topology_allowed_pus(t), m = n < npus ? n : npus;
	hwloc_bitmap_t *sets = calloc(m, sizeof(*sets));
	int ret = 0;

	if (!sets)
		return pt_fail(ENOMEM, "out of memory");
	/* hwloc_distrib fills the array with bitmaps of its own */
	if (hwloc_distrib(t->topo, &root, 1, sets, m, INT_MAX, 0) < 0) {
		ret = pt_fail(EINVAL, "hwloc cannot distribute %u workers", m);
		goto out;
	}
	for (unsigned i = 0; i < m; i++) {
		hwloc_obj_t pu;

		if (!sets[i]) {
			ret = pt_fail(ENOMEM, "out of memory");
			goto out;
		}
		hwloc_bitmap_singlify(sets[i]);
		pu = hwloc_get_pu_obj_by_os_index(t->topo,
						  (unsigned)hwloc_bitmap_first(sets[i]));
		if (!pu) {
			ret = pt_fail(EINVAL, "hwloc planned a PU outside the topology");
			goto out;
		}
		fill_slot(t, pu, &out[i]);
	}
	/* more workers than PUs: reuse the PUs round-robin in the same order */
	for (unsigned i = m; i < n; i++)
		out[i] = out[i % m];
out:
	for (unsigned i = 0; i < m; i++)
		hwloc_bitmap_free(sets[i]);
	free(sets);
	return ret;
}

int pt_topology_plan(const pt_topology *t, enum pt_placement p, unsigned n,
		     struct pt_slot *out)
{
	unsigned npus = pt_topology_allowed_pus(t);

	if (n == 0)
		return pt_fail(EINVAL, "cannot plan 0 workers");
	if (npus == 0)
		return pt_fail(ENODEV, "the topology has no usable PU");
	switch (p) {
	case PT_PLACE_NONE:
		for (unsigned i = 0; i < n; i++)
			out[i] = (struct pt_slot){ .pu = -1, .core = -1, .numa = -1, .package = -1 };
		return 0;
	case PT_PLACE_COMPACT:
		for (unsigned i = 0; i < n; i++)
			fill_slot(t, hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, i % npus), &out[i]);
		return 0;
	case PT_PLACE_SCATTER:
		return plan_scatter(t, n, out);
	}
	return pt_fail(EINVAL, "unknown placement %d", (int)p);
}

int pt_topology_bind_thread(const pt_topology *t, int pu)
{
	hwloc_bitmap_t set;
	int ret = 0;

	if (pu < 0 || t->synthetic)
		return 0;
	set = hwloc_bitmap_alloc();
	if (!set)
		return pt_fail(ENOMEM, "out of memory");
	hwloc_bitmap_only(set, (unsigned)pu);
	if (hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) < 0 &&
	    hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD) < 0)
		ret = pt_fail(errno, "cannot bind a worker to CPU %d: %s", pu, strerror(errno));
	hwloc_bitmap_free(set);
	return ret;
}

static void describe_obj(const pt_topology *t, hwloc_obj_t o, int depth, struct pt_strbuf *b)
{
	char type[64], attr[128];

	if (hwloc_obj_type_is_io(o->type) || o->type == HWLOC_OBJ_MISC)
		return;
	hwloc_obj_type_snprintf(type, sizeof(type), o, 0);
	hwloc_obj_attr_snprintf(attr, sizeof(attr), o, " ", 0);
	pt_strbuf_addf(b, "%*s%s L#%u", depth * 2, "", type, o->logical_index);
	if (o->type == HWLOC_OBJ_PU || o->type == HWLOC_OBJ_NUMANODE)
		pt_strbuf_addf(b, " (P#%u)", o->os_index);
	if (*attr)
		pt_strbuf_addf(b, " [%s]", attr);
	pt_strbuf_addf(b, "\n");
	for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling)
		describe_obj(t, c, depth + 1, b);
	for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
		describe_obj(t, c, depth + 1, b);
}

char *pt_topology_describe(const pt_topology *t)
{
	struct pt_topology_counts c;
	struct pt_strbuf b = PT_STRBUF_INIT;

	pt_topology_counts(t, &c);
	pt_strbuf_addf(&b, "%u package%s, %u NUMA node%s, %u core%s, %u PU%s; caches: "
		    "%u L1, %u L2, %u L3\n",
		    c.packages, c.packages == 1 ? "" : "s", c.numa_nodes,
		    c.numa_nodes == 1 ? "" : "s", c.cores, c.cores == 1 ? "" : "s",
		    c.pus, c.pus == 1 ? "" : "s", c.l1, c.l2, c.l3);
	describe_obj(t, hwloc_get_root_obj(t->topo), 0, &b);
	return pt_strbuf_finish(&b);
}

void pt_topology_counts_json(cJSON *o, const pt_topology *t)
{
	struct pt_topology_counts c;

	pt_topology_counts(t, &c);
	cJSON_AddNumberToObject(o, "packages", c.packages);
	cJSON_AddNumberToObject(o, "numa_nodes", c.numa_nodes);
	cJSON_AddNumberToObject(o, "cores", c.cores);
	cJSON_AddNumberToObject(o, "pus", c.pus);
	cJSON_AddNumberToObject(o, "l1_caches", c.l1);
	cJSON_AddNumberToObject(o, "l2_caches", c.l2);
	cJSON_AddNumberToObject(o, "l3_caches", c.l3);
	cJSON_AddBoolToObject(o, "synthetic", pt_topology_is_synthetic(t));
}

char *pt_topology_json(const pt_topology *t, enum pt_placement p, const struct pt_slot *slots,
		       unsigned n)
{
	char *allowed = pt_topology_allowed_list(t), *text;
	cJSON *d = cJSON_CreateObject(), *m, *plan;

	m = cJSON_AddObjectToObject(d, "machine");
	pt_topology_counts_json(m, t);
	cJSON_AddStringToObject(m, "allowed_cpus", allowed ? allowed : "");
	cJSON_AddStringToObject(d, "placement", pt_placement_name(p));
	plan = cJSON_AddArrayToObject(d, "plan");
	for (unsigned i = 0; i < n; i++) {
		cJSON *w = cJSON_CreateObject();

		cJSON_AddNumberToObject(w, "worker", i);
		cJSON_AddNumberToObject(w, "pu", slots[i].pu);
		cJSON_AddNumberToObject(w, "core", slots[i].core);
		cJSON_AddNumberToObject(w, "numa_node", slots[i].numa);
		cJSON_AddNumberToObject(w, "package", slots[i].package);
		cJSON_AddItemToArray(plan, w);
	}
	text = allowed && d ? cJSON_Print(d) : NULL;
	cJSON_Delete(d);
	free(allowed);
	if (!text)
		pt_fail(ENOMEM, "out of memory");
	return text;
}
