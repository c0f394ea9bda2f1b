/* cmd-topology.c - `proftune topology`: the machine and the placement plan */
#include "config.h"

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
		ret = cli_print_text(pt_topology_json(t, o->placement, slots, n));
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
