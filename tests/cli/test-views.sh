#!/bin/sh
# test-views.sh - one renderer per view: run and tune print exactly what
# `report` prints for their document, tables fit $COLUMNS, and what was not
# measured is null in the document and "-" on the screen, never 0 or nan
. "$SRCDIR/tests/cli/tap.sh"

P="$PROFTUNE"
FAULTY="$TEST_TASKS/faulty.so"

# same NAME DOC LIVE: `report DOC` reproduces LIVE byte for byte
same() {
	"$P" report "$2" >"$TMP/report.out" 2>/dev/null
	if cmp -s "$3" "$TMP/report.out"; then
		ok "$1: report prints what the command printed"
	else
		not_ok "$1: report prints what the command printed" \
			"$(diff "$3" "$TMP/report.out" | head -n 20)"
	fi
}

# fits NAME WIDTH FILE: no line of FILE is longer than WIDTH characters
fits() {
	long=$(awk -v w="$2" 'length($0) > w { print length($0) ": " $0; exit }' "$3")
	if [ -z "$long" ]; then ok "$1: every line fits $2 columns"; else not_ok "$1: every line fits $2 columns" "$long"; fi
}

# no_nan NAME FILE: the output never prints nan or inf
no_nan() {
	if grep -Eqiw 'nan|-?inf' "$2"; then not_ok "$1: no nan on the screen" "$(grep -Eiw 'nan|-?inf' "$2" | head -n 3)"; else ok "$1: no nan on the screen"; fi
}

# -- a run, a tune, a tune whose every trial crashed, a --no-latency tune
"$P" run --task spin -p ns=20000 --workers 2 --duration 0.2 --warmup 0.05 \
	-o run.json >run.out 2>/dev/null
check "run exits 0" test $? -eq 0
same run run.json run.out
no_nan run run.out

"$P" tune --task sleep -p us=200 --max 3 --duration 0.1 --warmup 0.02 -q \
	-o tune.json >tune.out 2>/dev/null
same tune tune.json tune.out
no_nan tune tune.out

"$P" tune --task "$FAULTY" -p what=segv -p where=run --max 2 --duration 0.1 --warmup 0 -q \
	-o crashed.json >crashed.out 2>/dev/null
same "tune of crashing trials" crashed.json crashed.out
no_nan "tune of crashing trials" crashed.out
check "the crashed tune says it has no answer" grep -q 'no answer' crashed.out

"$P" tune --task sleep -p us=200 --max 2 --duration 0.1 --warmup 0 --no-latency -q \
	-o nolat.json >nolat.out 2>/dev/null
same "--no-latency tune" nolat.json nolat.out
no_nan "--no-latency tune" nolat.out

# -- null, not 0, for what was not measured
check "the document is schema proftune/2" sh -c "'$PTJSON' run.json schema | grep -qx proftune/2"
check "a crashed trial's items are null" sh -c "'$PTJSON' crashed.json trials.0.items | grep -qx null"
check "a crashed trial's wall time is null" sh -c "'$PTJSON' crashed.json trials.0.wall_s | grep -qx null"
check "a crashed trial's peak RSS is null" sh -c "'$PTJSON' crashed.json trials.0.memory.peak_rss | grep -qx null"
check "a crashed trial's CPU utilization is null" sh -c "'$PTJSON' crashed.json trials.0.cpu.utilization | grep -qx null"
check "--no-latency: p99 is null" sh -c "'$PTJSON' nolat.json trials.0.latency_ns.p99 | grep -qx null"
check "--no-latency: the latency count is null" sh -c "'$PTJSON' nolat.json trials.0.latency_ns.count | grep -qx null"
check "--no-latency: the summary's p99 is null" sh -c "'$PTJSON' nolat.json summary.per_count.0.p99_ns | grep -qx null"
check "a measured trial's p99 is a number" sh -c "'$PTJSON' run.json trials.0.latency_ns.p99 | grep -Eq '^[0-9]'"
check "--no-latency: the table shows - for p99" sh -c "grep -E '^ +[0-9]+ +[0-9]+/[0-9]+ ' nolat.out | awk '{ print \$NF }' | grep -q -- '-'"

# -- the terminal's width
for w in 80 60; do
	COLUMNS=$w "$P" run --task spin --workers 2 --duration 0.1 --warmup 0 -o w.json >w-run.out 2>/dev/null
	fits "run at $w" $w w-run.out
	COLUMNS=$w "$P" report tune.json >w-tune.out
	fits "report of a tune at $w" $w w-tune.out
	COLUMNS=$w "$P" report run.json >w-report.out
	fits "report of a run at $w" $w w-report.out
	COLUMNS=$w "$P" report crashed.json >w-crashed.out
	fits "report of crashed trials at $w" $w w-crashed.out
done
COLUMNS=80 "$P" tune --task sleep -p us=200 --max 2 --duration 0.1 --warmup 0 -q \
	-o w2.json >w-tune-live.out 2>/dev/null
fits "tune at 80" 80 w-tune-live.out
COLUMNS=80 "$P" report --wide run.json >wide.out
check "--wide shows every column" grep -q 'peak RSS' wide.out
check "--wide is wider than 80 columns" sh -c "awk 'length(\$0) > 80 { f = 1 } END { exit !f }' wide.out"
COLUMNS=80 "$P" report run.json >narrow.out
check "at 80 columns the least important columns go first" sh -c "! grep -q 'peak RSS' narrow.out && grep -q 'p99' narrow.out && grep -q 'throughput' narrow.out"
env -u COLUMNS "$P" report run.json | cat >pipe.out
check "a pipe without COLUMNS gets the full table" cmp -s pipe.out wide.out

done_testing
