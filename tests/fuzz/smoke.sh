#!/bin/sh
# smoke.sh - run each fuzz target for a bounded time on its seed corpus.
# Usage: smoke.sh SECONDS SRCDIR TARGET...  Prints one TAP line per target.
# A target's seeds are tests/fuzz/corpus/NAME plus, for the results reader,
# the report fixtures in tests/fixtures.  libFuzzer writes what it finds
# into the first corpus directory only: a scratch directory, so the seed
# directories in the source tree stay as they are.
seconds=$1 srcdir=$2
shift 2
n=0 failed=0
# fuzz TARGET SEEDDIR...: run TARGET, its findings in $work/found
fuzz() {
	t=$1
	shift
	"$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
		-artifact_prefix="$work/" "$work/found" "$@" >"$work/log" 2>&1
}
for target in "$@"; do
	n=$((n + 1))
	name=${target##*/fuzz-}
	work=$(mktemp -d)
	mkdir "$work/found"
	case $name in
	results) fuzz "$target" "$srcdir/tests/fuzz/corpus/$name" "$srcdir/tests/fixtures" ;;
	*) fuzz "$target" "$srcdir/tests/fuzz/corpus/$name" ;;
	esac
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	inputs=$(sed -n 's/^INFO: *seed corpus: files: \([0-9]*\).*/\1/p' "$work/log" | head -n 1)
	if [ $status -eq 0 ]; then
		echo "ok $n - fuzz $name: ${runs:-?} executions on ${inputs:-?} seeds without a crash"
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
