#!/bin/sh
# test-save.sh - saving a trial at a time: what a kill -9 leaves is read back, a torn line is
# dropped, the next run takes the journal over, a normal end leaves no journal
. "$SRCDIR/tests/cli/tap.sh"

# records FILE: the complete saves in FILE's journal that hold a trial (a
# last line without its newline is one a kill cut short)
records() {
	c=$(grep -c '^{"trials":\[{' "$1.journal" 2>/dev/null) || c=0
	if [ -s "$1.journal" ] && [ "$(tail -c 1 "$1.journal" | wc -l)" -eq 0 ] &&
		tail -n 1 "$1.journal" | grep -q '^{"trials":\[{'; then
		c=$((c - 1))
	fi
	echo "$c"
}

# wait_records FILE N: wait (up to 20 s) until FILE's journal holds N trials
wait_records() {
	i=0
	while [ "$(records "$1")" -lt "$2" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# recovered FILE OUT: what `proftune report` reads of FILE, as JSON in OUT
recovered() {
	"$PROFTUNE" report --format json "$1" >"$2" 2>"$TMP/err"
}

# 1. kill -9 in the middle of a tune of short trials
"$PROFTUNE" tune --task sleep -p us=1000 --workers 1,2 --strategy exhaustive --repeat 100 \
	--duration 0.05 --warmup 0 -q -o kill.json >/dev/null 2>&1 &
pid=$!
wait_records kill.json 4
kill -9 $pid
wait $pid 2>/dev/null
n=$(records kill.json)
check "the tune saved trials before the kill ($n)" [ "$n" -ge 4 ]
check "the output is written only at the end: none after the kill" [ ! -e kill.json ]
recovered kill.json rec.json
check "report reads the killed tune back from its journal" [ $? -eq 0 ]
check "it holds every trial of the journal ($(jget rec.json trials.# 2>/dev/null) of $n)" \
	[ "$(jget rec.json trials.# 2>/dev/null)" = "$n" ]
check "it is marked interrupted" [ "$(jget rec.json interrupted 2>/dev/null)" = true ]
check "its tune summary is that of those trials" [ "$(jget rec.json summary.trials 2>/dev/null)" = "$n" ]
sed -n 2p kill.json.journal >first.record
check "the first trial is the one saved" \
	[ "$(jget first.record trials.0)" = "$(jget rec.json trials.0)" ]
check "a warning says where the trials come from" \
	sh -c "$PTJSON rec.json 'warnings.*.message' | grep -q \"recovered from its journal 'kill.json.journal'\""
"$PROFTUNE" report rec.json >/dev/null 2>&1
check "the document read back validates" [ $? -eq 0 ]
"$PROFTUNE" report kill.json >table.out 2>"$TMP/err"
check "the table report of the killed tune shows its trials" \
	grep -q "exhaustive strategy: $n trials" table.out
check "report says on stderr that it holds partial results" \
	grep -q "'kill.json' was interrupted" "$TMP/err"

# 2. a line that the kill cut short is dropped with a warning
head -c -40 kill.json.journal >torn.json.journal
recovered torn.json torn.out
check "a torn last line: report still reads the journal" [ $? -eq 0 ]
check "the torn save is dropped ($(jget torn.out trials.# 2>/dev/null) of $n trials)" \
	[ "$(jget torn.out trials.# 2>/dev/null)" = $((n - 1)) ]
check "and a warning says so" \
	sh -c "$PTJSON torn.out 'warnings.*.message' | grep -q 'was cut short'"
"$PROFTUNE" report torn.json >torn.table 2>/dev/null
check "the table shows that warning" grep -q "warning: the last line of 'torn.json.journal' was cut short" torn.table

# 3. the next run to the same file takes the journal over: the killed tune
# is written to the file first, and its own trials then go to the journal
"$PROFTUNE" run --task sleep -p us=1000 --repeat 50 --duration 0.1 --warmup 0 -q \
	-o kill.json >/dev/null 2>&1 &
pid=$!
i=0
while ! grep -q '"command":"run"' kill.json.journal 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait_records kill.json 1
kill -9 $pid
wait $pid 2>/dev/null
check "the next run wrote the killed tune to the file" [ "$(jget kill.json command 2>/dev/null)" = tune ]
check "with its $n trials ($(jget kill.json trials.# 2>/dev/null))" [ "$(jget kill.json trials.# 2>/dev/null)" = "$n" ]
recovered kill.json rec2.json
check "report then shows the newer run, from the journal" [ "$(jget rec2.json command 2>/dev/null)" = run ]
check "with the trials its journal holds" [ "$(jget rec2.json trials.# 2>/dev/null)" = "$(records kill.json)" ]

# 4. a normal end: the complete document, the same as --json prints, and no journal
"$PROFTUNE" run --task sleep -p us=1000 --repeat 3 --duration 0.05 --warmup 0 -q --json \
	-o kill.json >stdout.json
check "a normal run exits 0" [ $? -eq 0 ]
check "it leaves no journal behind" [ ! -e kill.json.journal ]
check "the file is the document --json printed" cmp -s kill.json stdout.json
check "with all its trials" [ "$(jget kill.json trials.#)" = 3 ]
check "not interrupted" [ "$(jget kill.json interrupted)" = false ]
"$PROFTUNE" tune --task sleep -p us=500 --workers 1,2 -q -o tune.json >/dev/null
check "a normal tune leaves no journal behind" [ ! -e tune.json.journal ]
check "and its document validates" "$PROFTUNE" report tune.json

# 5. SIGINT ends the run through the normal end: the document, no journal
"$PROFTUNE" run --task sleep -p us=1000 --repeat 100 --duration 0.05 --warmup 0 -q \
	-o int.json >/dev/null 2>&1 &
pid=$!
wait_records int.json 2
kill -INT $pid
wait $pid
st=$?
check "SIGINT exits 130 (got $st)" [ $st -eq 130 ]
check "and writes the document, interrupted" [ "$(jget int.json interrupted 2>/dev/null)" = true ]
check "without a journal left" [ ! -e int.json.journal ]

# 6. a file that is not a journal is never written over
echo "my notes" >notes.json.journal
"$PROFTUNE" run --task sleep -p us=1000 --repeat 2 --duration 0.05 --warmup 0 -q \
	-o notes.json >/dev/null
check "a foreign FILE.journal: the run still saves its document" [ "$(jget notes.json trials.#)" = 2 ]
check "and leaves that file as it was" [ "$(cat notes.json.journal)" = "my notes" ]

# 7. a device gets the document once, and no journal is put beside it
"$PROFTUNE" run --task sleep -p us=1000 --repeat 2 --duration 0.05 --warmup 0 -q \
	-o /dev/null >/dev/null
check "-o /dev/null: exit 0" [ $? -eq 0 ]
check "-o /dev/null: no journal in /dev" [ ! -e /dev/null.journal ]

done_testing
