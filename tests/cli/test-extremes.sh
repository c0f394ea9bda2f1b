#!/bin/sh
# test-extremes.sh - times, counts, seeds and topologies beyond their bounds are refused at once, exit 2
. "$SRCDIR/tests/cli/tap.sh"

# bad NAME PATTERN ARGS: `run` with ARGS exits 2 with PATTERN and a pointer
# to --help, quickly and without writing anything
bad() {
	expect_fail "$1" 2 "$2" -- "$PROFTUNE" run --task spin --items 10 -o never.json $3
	if ! grep -q "Try 'proftune run --help'" "$TMP/err"; then
		not_ok "$1: points to --help" "stderr: $(cat "$TMP/err")"
	fi
}

range="out of range; expected a time from"
bad "huge duration" "--duration '1e308': $range 1us to 1000000s \(11.6 days\)" "--duration 1e308"
bad "duration beyond nanoseconds in 64 bits" "--duration '2e10': $range 1us to 1000000s" \
	"--duration 2e10"
bad "duration beyond the bound in minutes" "--duration '20000m': $range 1us" "--duration 20000m"
bad "infinite duration" "--duration 'inf': $range" "--duration inf"
bad "duration overflowing a double" "--duration '1e999': $range" "--duration 1e999"
bad "duration below a microsecond" "--duration '1e-9': $range 1us to" "--duration 1e-9"
bad "huge warm-up" "--warmup '1e308': $range 0 to 1000000s \(11.6 days\)" "--warmup 1e308"
bad "huge timeout" "--timeout '1e308': out of range; expected a time up to 1000000s \(11.6 days\).*0 for no timeout" \
	"--timeout 1e308"
bad "items above 2^53" "--items '9007199254740993': out of range; expected a positive number of items up to 2\\^53 \(9007199254740992" \
	"--items 9007199254740993"
bad "items overflowing 64 bits" "--items '99999999999999999999': out of range" \
	"--items 99999999999999999999"
bad "items above 2^53 with a suffix" "--items '10000000G': out of range" "--items 10000000G"
expect_fail "huge budget" 2 "--budget '1e308': out of range; expected a time up to 1000000s" -- \
	"$PROFTUNE" tune --task spin --budget 1e308 -o never.json
expect_fail "seed overflowing 64 bits" 2 \
	"--seed '18446744073709551616': out of range; expected a positive integer up to 18446744073709551615" -- \
	"$PROFTUNE" tune --task spin --seed 18446744073709551616 -o never.json
check "nothing was written by refused runs" [ ! -e never.json ]

# the bounds themselves are accepted: they fail later, at the missing task
expect_fail "a duration of 1000000s is accepted" 2 "cannot open task" -- \
	"$PROFTUNE" run --task ./missing.so --duration 1e6 --warmup 1e6 --timeout 1e6 -o never.json
expect_fail "2^53 items are accepted" 2 "cannot open task" -- \
	"$PROFTUNE" run --task ./missing.so --items 9007199254740992 -o never.json

# sane values still run
"$PROFTUNE" run --task spin --duration 0.05 --warmup 10ms --timeout 30 -q -o sane.json >/dev/null
check "--duration 0.05 runs" test "$(jget sane.json trials.0.status)" = ok
check "and measures items" fcmp "$(jget sane.json trials.0.items) > 0"
check "its document reads back" "$PROFTUNE" report sane.json

# a seed above 2^53 is stored exactly, as a string, and the document reads back
"$PROFTUNE" tune --task spin --workers 1 --repeat 1 --duration 0.02 --warmup 0 \
	--seed 18446744073709551615 -q -o seed.json >/dev/null
check "a seed above 2^53 is stored exactly" test "$(jget seed.json config.seed)" = 18446744073709551615
check "as a string" grep -Eq '"seed":[[:space:]]*"18446744073709551615"' seed.json
check "the document with a string seed reads back" "$PROFTUNE" report seed.json
"$PROFTUNE" tune --task spin --workers 1 --repeat 1 --duration 0.02 --warmup 0 \
	--seed 12345 -q -o small.json >/dev/null
check "a seed up to 2^53 stays a number" grep -Eq '"seed":[[:space:]]*12345,' small.json
check "a document of an older proftune, with a numeric seed, reads back" \
	"$PROFTUNE" report "$SRCDIR/tests/fixtures/tune-contended.json"

# synthetic topologies beyond the bounds are refused before hwloc builds them
topo_bad() {
	expect_fail "$1" 2 "synthetic topology '$2' is too large: it has $3; at most 16384 PUs, 256 children of one object and 65536 objects in all are allowed" -- \
		"$PROFTUNE" topology --topology "$2"
}
topo_bad "a billion PUs" "package:1000 core:1000 pu:1000" "1000000000 PUs"
topo_bad "100000 PUs" "package:100 core:100 pu:10" "100000 PUs"
topo_bad "one object of 16384 children" "pu:16384" "16384 children of one object"
topo_bad "too many objects" "package:64 core:256 l2:1 l1:1 pu:1" "65601 objects"
topo_bad "an arity in hexadecimal" "package:0x10000 pu:1" "65536 PUs"
topo_bad "an arity beyond 64 bits" "package:99999999999999999999999 pu:2" \
	"more PUs than a number can hold"
expect_fail "run refuses it too" 2 "synthetic topology 'package:100 core:100 pu:10' is too large" -- \
	"$PROFTUNE" run --task spin --topology "package:100 core:100 pu:10" -o never.json
"$PROFTUNE" topology --topology "package:4 core:64 pu:64" --workers 1 --json >wide.json
check "16384 PUs are accepted" test "$(jget wide.json machine.pus)" = 16384
"$PROFTUNE" topology --topology "package:2 [numa] core:2 pu:2" --json >numa.json
check "a description with memory children is accepted" test "$(jget numa.json machine.pus)" = 8

done_testing
