#!/bin/sh
# smoke.sh - run each fuzz target for a bounded time on its seed corpus.
# Usage: smoke.sh SECONDS SRCDIR TARGET...  Prints one TAP line per target.
seconds=$1 srcdir=$2
shift 2
n=0 failed=0
for target in "$@"; do
	n=$((n + 1))
	name=${target##*/fuzz-}
	work=$(mktemp -d)
	"$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
		-artifact_prefix="$work/" "$work" "$srcdir/tests/fuzz/corpus/$name" >"$work/log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	if [ $status -eq 0 ]; then
		echo "ok $n - fuzz $name: ${runs:-?} executions without a crash"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz $name crashed"
		grep -E 'ERROR|SUMMARY|artifact' "$work/log" | sed 's/^/# /'
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -e "$a" ] && cp "$a" "./fuzz-$name-$(basename "$a")" && echo "# input kept as ./fuzz-$name-$(basename "$a")"
		done
	fi
	rm -rf "$work"
done
echo "1..$n"
[ $failed -eq 0 ]
