/* topology.h - hwloc topology, placement plans and binding (internal) */
#ifndef PT_TOPOLOGY_H
#define PT_TOPOLOGY_H

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

#endif
