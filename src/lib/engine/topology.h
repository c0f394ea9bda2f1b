/* topology.h - hwloc topology, placement plans and binding (internal) */
#ifndef PT_TOPOLOGY_H
#define PT_TOPOLOGY_H

#include <cjson/cJSON.h>
#include <hwloc.h>

#include "proftune.h"

struct pt_topology {
	hwloc_topology_t topo; /* restricted to the allowed CPUs */
	hwloc_bitmap_t allowed;
	int synthetic;
};

/* Bind the calling thread to PU (OS index).  0 or -errno with a message. */
int pt_topology_bind_thread(const pt_topology *t, int pu);
/* CPU model string of this machine (malloc'd), or NULL. */
char *pt_topology_cpu_model(const pt_topology *t);
/* Add T's counts (packages, NUMA nodes, cores, PUs, L1-L3 caches) and
 * whether it is synthetic to the JSON object O, as the results document's
 * host.topology and `topology --json` show them. */
void pt_topology_counts_json(cJSON *o, const pt_topology *t);

#endif
