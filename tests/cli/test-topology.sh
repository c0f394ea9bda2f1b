#!/bin/sh
# test-topology.sh - `proftune topology` describes machines and plans placements
. "$SRCDIR/tests/cli/tap.sh"

big="package:2 numa:2 core:4 pu:2"
"$PROFTUNE" topology --topology "$big" --workers 4 --placement scatter --json >plan.json
check "synthetic machine counts" [ "$(jget plan.json machine.pus machine.cores machine.numa_nodes machine.packages | tr '\n' ' ')" = "32 16 4 2 " ]
check "scatter of 4 workers uses 4 NUMA nodes" [ "$(jget plan.json 'plan.*.numa_node' | sort -u | wc -l)" = 4 ]
"$PROFTUNE" topology --topology "$big" --workers 4 --placement compact --json >compact.json
check "compact of 4 workers stays on one package" [ "$(jget compact.json 'plan.*.package' | sort -u | wc -l)" = 1 ]
check "compact of 4 workers fills 2 cores" [ "$(jget compact.json 'plan.*.core' | sort -u | wc -l)" = 2 ]
"$PROFTUNE" topology --topology "package:4 numa:2 core:24 pu:2" --placement scatter --json >huge.json
check "384-PU machine: one worker per PU by default, all distinct" \
	[ "$(jget huge.json 'plan.*.pu' | sort -u | wc -l)" = 384 ]
"$PROFTUNE" topology --topology "$big" --workers 8 --placement scatter >plan.txt
check "the human plan lists every worker" [ "$(grep -Ec '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' plan.txt)" = 8 ]
check "the human description names packages, NUMA nodes and caches" \
	sh -c "grep -q '2 packages, 4 NUMA nodes, 16 cores, 32 PUs' plan.txt"
"$PROFTUNE" topology >here.txt
check "this machine's topology is described" grep -q '^Allowed CPUs: ' here.txt
expect_fail "invalid synthetic description" 2 "invalid synthetic topology 'banana:3'" -- \
	"$PROFTUNE" topology --topology "banana:3"

done_testing
