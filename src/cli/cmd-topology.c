/* cmd-topology.c - `proftune topology`: the machine and the placement plan */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "cli.h"

int cmd_topology(struct cli_opts *o)
{
	pt_topology *t;
	struct pt_slot *slots;
	struct pt_topology_counts c;
	unsigned n;
	char *desc, *allowed;
	int ret = EXIT_OK;

	if (o->argc)
		return cli_usage_error("topology", "unexpected argument '%s'", o->argv[0]);
	t = pt_topology_new(o->topology);
	if (!t) {
		cli_error("%s", pt_last_error());
		return EXIT_USAGE;
	}
	n = o->workers_set ? o->workers : pt_topology_allowed_pus(t);
	slots = calloc(n, sizeof(*slots));
	if (!slots || pt_topology_plan(t, o->placement, n, slots) < 0) {
		cli_error("%s", slots ? pt_last_error() : "out of memory");
		free(slots);
		pt_topology_free(t);
		return EXIT_USAGE;
	}
	pt_topology_counts(t, &c);
	allowed = pt_topology_allowed_list(t);
	if (o->json) {
		cJSON *d = cJSON_CreateObject(), *m, *plan;

		m = cJSON_AddObjectToObject(d, "machine");
		cJSON_AddNumberToObject(m, "packages", c.packages);
		cJSON_AddNumberToObject(m, "numa_nodes", c.numa_nodes);
		cJSON_AddNumberToObject(m, "cores", c.cores);
		cJSON_AddNumberToObject(m, "pus", c.pus);
		cJSON_AddNumberToObject(m, "l1_caches", c.l1);
		cJSON_AddNumberToObject(m, "l2_caches", c.l2);
		cJSON_AddNumberToObject(m, "l3_caches", c.l3);
		cJSON_AddBoolToObject(m, "synthetic", pt_topology_is_synthetic(t));
		cJSON_AddStringToObject(m, "allowed_cpus", allowed ? allowed : "");
		cJSON_AddStringToObject(d, "placement", pt_placement_name(o->placement));
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
		ret = cli_print_json(d);
	} else {
		desc = pt_topology_describe(t);
		printf("Machine%s: %s", pt_topology_is_synthetic(t) ? " (synthetic)" : "",
		       desc ? desc : "?\n");
		printf("Allowed CPUs: %s\n\n", allowed ? allowed : "?");
		printf("Placement %s of %u worker%s:\n", pt_placement_name(o->placement), n,
		       n == 1 ? "" : "s");
		printf("  %6s %6s %6s %6s %8s\n", "worker", "PU", "core", "NUMA", "package");
		for (unsigned i = 0; i < n; i++) {
			if (slots[i].pu < 0)
				printf("  %6u %6s %6s %6s %8s\n", i, "any", "-", "-", "-");
			else
				printf("  %6u %6d %6d %6d %8d\n", i, slots[i].pu, slots[i].core,
				       slots[i].numa, slots[i].package);
		}
		free(desc);
	}
	free(allowed);
	free(slots);
	pt_topology_free(t);
	return ret;
}
