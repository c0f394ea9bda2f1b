#!/bin/sh
# test-report.sh - `proftune report`: every format on fixed documents against golden outputs,
# outputs and options, colour, the comparison on fixtures, and malformed input
. "$SRCDIR/tests/cli/tap.sh"

# The fixtures are real documents, written once by proftune itself:
#   run-spin.json        proftune run --task spin -p ns=20000 -w 2 -d 0.3 -r 3
#   tune-contended.json  proftune --task contended --max 8 -d 0.2
#   tune-contended-2.json  proftune tune --task contended -w 2,4,6,8 -s exhaustive -r 2 -d 0.2
#   cmp-base.json        proftune run --task spin -p ns=20000 -d 0.2 -r 5
#   cmp-new.json         proftune run --task spin -p ns=23000 -d 0.2 -r 5
#   instrumented.json    cmp-base.json with instrumentation data in two trials
# Everything report prints comes from them, so the outputs are fixed: set
# PROFTUNE_UPDATE_GOLDEN=1 to rewrite tests/golden after a deliberate change.
FIX="$SRCDIR/tests/fixtures"
GOLD="$SRCDIR/tests/golden"
for f in run-spin tune-contended tune-contended-2 cmp-base cmp-new instrumented; do
	cp "$FIX/$f.json" . || exit 1
done
unset NO_COLOR

# golden NAME STATUS COMMAND...: COMMAND exits STATUS and prints tests/golden/NAME
golden() {
	name=$1 want=$2
	shift 2
	"$@" >"out.$name" 2>"err.$name"
	got=$?
	# only a run that exited as expected may replace a golden file
	[ -n "$PROFTUNE_UPDATE_GOLDEN" ] && [ "$got" -eq "$want" ] && cp "out.$name" "$GOLD/$name"
	if [ "$got" -ne "$want" ]; then
		not_ok "$name: exit $got, expected $want" "$(head -c 400 "err.$name")"
	elif cmp -s "out.$name" "$GOLD/$name"; then
		ok "$name matches tests/golden/$name"
	else
		not_ok "$name matches tests/golden/$name" "$(diff "$GOLD/$name" "out.$name" | head -n 20)"
	fi
}

# 1. every format, on fixed documents
P=$PROFTUNE
golden run-spin.table 0 "$P" report run-spin.json
golden tune-contended.table 0 "$P" report tune-contended.json
golden side-by-side.table 0 "$P" report tune-contended.json tune-contended-2.json
golden run-spin.csv 0 "$P" report --format csv run-spin.json
golden two-runs.csv 0 "$P" report --format csv cmp-base.json cmp-new.json
golden run-spin.md 0 "$P" report --format markdown run-spin.json
golden tune-contended.md 0 "$P" report --format markdown tune-contended.json
golden run-spin.trace.json 0 "$P" report --format trace run-spin.json
golden cmp-base.gbench.json 0 "$P" report --format gbench cmp-base.json
golden tune-contended.gbench.json 0 "$P" report --format gbench tune-contended.json
golden tune-contended.svg 0 "$P" report --format svg tune-contended.json
golden run-spin.svg 0 "$P" report --format svg run-spin.json
golden instrumented.csv-blocks 0 "$P" report --format csv-blocks instrumented.json
golden instrumented.csv-measurements 0 "$P" report --format csv-measurements instrumented.json
golden compare.table 3 "$P" report --compare cmp-base.json cmp-new.json
golden compare.md 3 "$P" report --compare cmp-base.json cmp-new.json --format markdown
golden compare.json 3 "$P" report --compare cmp-base.json cmp-new.json --format json
golden compare.csv 3 "$P" report --compare cmp-base.json cmp-new.json --format csv

# the parts of the formats that matter, said once more in plain terms
"$P" report --format json tune-contended.json >re.json
check "json re-emits a proftune document unchanged" cmp re.json tune-contended.json
"$P" report --format json run-spin.json cmp-base.json >two.json
check "json of two documents is an array of both" [ "$(jget two.json '#')" = 2 ]
check "--json is --format json" sh -c "'$P' report --json tune-contended.json | cmp - tune-contended.json"
check "csv has one row per trial and a header" [ "$(wc -l <out.run-spin.csv)" = 4 ]
check "csv rows end in CRLF (RFC 4180)" sh -c "head -n 1 out.run-spin.csv | od -c | grep -q '\\\\r  \\\\n'"
check "csv has a schema column" sh -c "cut -d, -f1 out.run-spin.csv | sort -u | tr -d '\\r' | tr '\\n' ' ' | grep -qx 'proftune/1 schema '"
check "csv-blocks without instrumentation is the header alone" sh -c \
	"'$P' report --format csv-blocks run-spin.json | tr -d '\\r' | grep -qx 'Track,Block Name,Hit Count,Total Time (ns),Avg Time (ns),Min Time (ns),Max Time (ns),% Track,% Total'"
check "csv-measurements without instrumentation is the header alone" sh -c \
	"[ \"\$('$P' report --format csv-measurements run-spin.json | tr -d '\\r')\" = 'id,time,start_timestamp,end_timestamp,paused_time,pid,ppid,process_name,parent_process_name,broken,error_type,error_value,traceback' ]"
check "csv-blocks quotes a name with a comma and quotes" grep -q '^io,"write, ""flush""",' out.instrumented.csv-blocks
check "trace has a complete event per worker per trial" \
	[ "$(jget out.run-spin.trace.json 'traceEvents.*.cat' | grep -c '^worker$')" = 6 ]
check "trace names the worker threads" sh -c "$PTJSON out.run-spin.trace.json 'traceEvents.*.args.name' | grep -qx 'worker 1'"
check "gbench: one iteration entry per ok trial, threads = workers" \
	[ "$(jget out.cmp-base.gbench.json 'benchmarks.*.run_type' | grep -c iteration)" = 5 ]
check "gbench names runs task/workers:N/repeats:R" \
	[ "$(jget out.cmp-base.gbench.json benchmarks.0.name)" = spin/workers:1/repeats:5 ]
check "gbench real_time is ns per item" fcmp \
	"$(jget out.cmp-base.gbench.json benchmarks.0.real_time) * $(jget cmp-base.json trials.0.throughput) / 1e9 > 0.999 && $(jget out.cmp-base.gbench.json benchmarks.0.real_time) * $(jget cmp-base.json trials.0.throughput) / 1e9 < 1.001"
check "svg is one self-contained image with the model curve" sh -c \
	"grep -c '<svg ' out.tune-contended.svg | grep -qx 1 && grep -q 'class=\"model\"' out.tune-contended.svg && ! grep -q 'href=' out.tune-contended.svg"
check "markdown states the answer" grep -q 'recommended \*\*6 workers\*\*' out.tune-contended.md
check "the table chooses one unit per column" grep -q 'throughput (k/s)' out.run-spin.table

# 2. outputs: several formats, formats from file names, the plot, standard input
cp run-spin.json proftune.json
"$P" report >default.txt
check "without a file, report reads proftune.json" cmp -s default.txt out.run-spin.table
"$P" report run-spin.json --format json,csv,markdown -o a.json -o b.csv -o c.md >stdout.txt
check "--format LIST -o FILE...: one file per format, nothing on stdout" \
	sh -c "cmp -s a.json run-spin.json && cmp -s b.csv out.run-spin.csv && cmp -s c.md out.run-spin.md && [ ! -s stdout.txt ]"
"$P" report run-spin.json -o x.csv -o y.md -o z.trace.json -o w.svg -o v.json -o u.txt
check "formats follow the file names" sh -c "cmp -s x.csv out.run-spin.csv && cmp -s y.md out.run-spin.md && cmp -s z.trace.json out.run-spin.trace.json && cmp -s w.svg out.run-spin.svg && cmp -s v.json run-spin.json && cmp -s u.txt out.run-spin.table"
"$P" report tune-contended.json --plot plot.svg >plot.txt
check "--plot writes the SVG and the report still goes to stdout" \
	sh -c "cmp -s plot.svg out.tune-contended.svg && cmp -s plot.txt out.tune-contended.table"
check "- reads standard input" sh -c "'$P' report - <run-spin.json | cmp -s - out.run-spin.table"

# 3. colour: only on a terminal, never with NO_COLOR
esc=$(printf '\033')
if command -v script >/dev/null 2>&1; then
	script -qec "'$P' report run-spin.json" /dev/null >tty.txt 2>&1
	check "on a terminal the table has colour" grep -q "$esc\[" tty.txt
	NO_COLOR=1 script -qec "'$P' report run-spin.json" /dev/null >notty.txt 2>&1
	check "NO_COLOR turns colour off on a terminal" sh -c "! grep -q '$esc\[' notty.txt"
else
	ok "# SKIP script(1) is not installed: no terminal to test colour on"
	ok "# SKIP script(1) is not installed"
fi
check "no colour in a pipe" sh -c "! grep -q '$esc\[' out.run-spin.table"

# 4. the comparison on fixtures (real runs: test-compare.sh)
"$P" report --compare cmp-base.json cmp-new.json >c.txt 2>&1
st=$?
check "a 13% slower task fails the gate with exit 3 (got $st)" \
	sh -c "[ $st -eq 3 ] && grep -q '^result: regression' c.txt"
check "an identical document passes (exit 0)" "$P" report -q --compare cmp-base.json cmp-base.json
check "--threshold 20 lets a 13% change pass" "$P" report -q --compare cmp-base.json cmp-new.json --threshold 20
check "--gate memory does not gate throughput" "$P" report -q --compare cmp-base.json cmp-new.json --threshold 10 --gate memory
check "NEW defaults to proftune.json" sh -c "cp cmp-new.json proftune.json; '$P' report -q --compare cmp-base.json; [ \$? -eq 3 ]"
check "the table states the test and its minimum repetitions" \
	grep -q 'Mann-Whitney U test.*needs at least 3 trials per side' out.compare.table
check "the comparison document says regression" [ "$(jget out.compare.json regression)" = true ]
"$P" run --task spin --items 2000 --repeat 2 -q -o two-trials.json >/dev/null
"$P" report --compare two-trials.json two-trials.json >inc.txt 2>inc.err
st=$?
check "two trials a side: inconclusive, exit 0 (got $st)" sh -c "[ $st -eq 0 ] && grep -q 'inconclusive' inc.txt && grep -q 'needs at least 3' inc.err"
"$P" report --compare two-trials.json two-trials.json --strict >strict.txt 2>&1
st=$?
check "--strict fails an inconclusive comparison (exit $st)" \
	sh -c "[ $st -eq 3 ] && grep -q 'inconclusive (too few trials) \*' strict.txt"
expect_fail "documents without a common worker count" 2 "no worker count and placement in common" -- \
	"$P" report --compare cmp-base.json run-spin.json

# 5. usage errors
expect_fail "unknown format" 2 "unknown format 'xml'" -- "$P" report -f xml run-spin.json
expect_fail "several formats need -o" 2 "give one -o FILE per format" -- "$P" report -f json,csv run-spin.json
expect_fail "formats and -o must pair up" 2 "lists 2 formats but -o was given 1 time" -- \
	"$P" report -f json,csv -o a.json run-spin.json
expect_fail "unknown file name ending" 2 "cannot tell the format of 'out.xyz'" -- "$P" report -o out.xyz run-spin.json
expect_fail "--json and --format" 2 "either --json or --format" -- "$P" report --json -f csv run-spin.json
expect_fail "--threshold needs --compare" 2 "need --compare BASE" -- "$P" report --threshold 5 run-spin.json
expect_fail "bad threshold" 2 "--threshold '0'" -- "$P" report --compare cmp-base.json --threshold 0 cmp-new.json
expect_fail "unknown gate metric" 2 "unknown metric 'latency'" -- "$P" report --compare cmp-base.json --gate latency cmp-new.json
expect_fail "gbench takes one document" 2 "format gbench takes one document; 2 given" -- \
	"$P" report -f gbench run-spin.json cmp-base.json
expect_fail "--compare takes one NEW" 2 "takes one more file" -- "$P" report --compare cmp-base.json a.json b.json
expect_fail "two outputs on stdout" 2 "only one output can go to standard output" -- \
	"$P" report -f json,csv -o - -o - run-spin.json
check "refused reports write nothing" [ ! -e out.xyz ]

# 6. malformed input: exit 2 naming the file and the problem, nothing on stdout
bad() {
	name=$1 pattern=$2
	shift 2
	expect_fail "$name" 2 "$pattern" -- "$P" report "$@"
	if [ -s "$TMP/out" ]; then
		not_ok "$name: nothing on stdout" "stdout: $(head -c 200 "$TMP/out")"
	else
		ok "$name: nothing on stdout"
	fi
}
tab=$(printf '\t')
: >empty.json
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000' >junk.json
head -c 5000 run-spin.json >truncated.json
sed 's|"proftune/1"|"proftune/3"|' run-spin.json >schema3.json
sed "0,/^$tab$tab$tab\"workers\":/{/^$tab$tab$tab\"workers\":/d}" run-spin.json >noworkers.json
sed "s/^$tab\"trials\":/$tab\"trails\":/" run-spin.json >notrials.json
sed "0,/^$tab$tab$tab\"items\":$tab[0-9]*/s//$tab$tab$tab\"items\":${tab}1e999/" run-spin.json >huge.json
sed "0,/^$tab$tab$tab\"workers\":$tab[0-9]*/s//$tab$tab$tab\"workers\":${tab}1e308/" run-spin.json >hugecount.json
sed "0,/^$tab$tab$tab\"workers\":$tab\([0-9]*\)/s//$tab$tab$tab\"workers\":$tab\"\1\"/" run-spin.json >string.json
sed "0,/^$tab$tab$tab\"wall_s\":$tab[0-9.]*/s//$tab$tab$tab\"wall_s\":$tab-0.5/" run-spin.json >negative.json
{ cat run-spin.json; echo 'fio: some stray text'; } >stray.json
echo '[1, 2, 3]' >array.json
mkdir -p adir
bad "empty file" "'empty.json' is empty: not a results document" empty.json
bad "binary junk" "'junk.json' is binary data, not JSON \(byte 0 is 0x7f\)" junk.json
bad "truncated JSON" "'truncated.json' is truncated JSON: it ends at byte 5000 inside an unclosed" truncated.json
bad "another schema" "'schema3.json' has schema 'proftune/3'; this proftune reads 'proftune/2' and 'proftune/1'" schema3.json
bad "missing trial field" "'noworkers.json': trials\[0\]: missing required field 'workers'" noworkers.json
bad "missing top-level field" "'notrials.json': missing required field 'trials'" notrials.json
bad "1e999 overflows" "'huge.json': trials\[0\].items: the number is out of range \(it overflows a double\)" huge.json
bad "1e308 is no worker count" "'hugecount.json': trials\[0\].workers: 1e\+308 is out of range \(expected an integer from 1 to 1000000\)" hugecount.json
bad "wrong type" "'string.json': trials\[0\].workers: expected a number, found a string" string.json
bad "negative time" "'negative.json': trials\[0\].wall_s: -0.5 is out of range" negative.json
bad "stray text after the document" "'stray.json' has text after the JSON document at byte [0-9]+ \(near 'fio: some stray " stray.json
bad "not an object" "'array.json' is not a results document: the JSON is an array" array.json
bad "a directory" "cannot read 'adir': it is a directory" adir
bad "a missing file" "cannot read 'nosuch.json': No such file or directory" nosuch.json
bad "a bad file among good ones" "'truncated.json' is truncated" run-spin.json truncated.json
bad "a bad baseline" "'empty.json' is empty" --compare empty.json run-spin.json
bad "a bad file with -o" "'junk.json' is binary data" -o never.csv junk.json
check "no output file after a bad input" [ ! -e never.csv ]
rm -f proftune.json
bad "no proftune.json" "cannot read 'proftune.json': No such file or directory; run 'proftune run' or 'proftune tune' first" 

done_testing
