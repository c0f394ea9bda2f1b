#!/bin/sh
# test-tune.sh - the tuner finds the right counts, faster than a sweep
. "$SRCDIR/tests/cli/tap.sh"

answer() { jget "$1" summary.optimal_workers summary.recommended_workers summary.trials | tr '\n' ' '; }

# 1. contended peaks at 6 by its formula: the optimum is found in 4 of 5 tunes
hits=0 seen=""
for i in 1 2 3 4 5; do
	start=$(date +%s)
	"$PROFTUNE" --task contended --min 1 --max 16 -q -o c$i.json >/dev/null
	end=$(date +%s)
	opt=$(jget c$i.json summary.optimal_workers)
	seen="$seen $opt"
	if [ "$opt" -ge 5 ] && [ "$opt" -le 7 ]; then hits=$((hits + 1)); fi
done
check "contended: optimal is 6+-1 in $hits of 5 tunes (got$seen)" [ $hits -ge 4 ]
check "a default tune of 1..16 on contended takes under 60 s ($((end - start)) s)" [ $((end - start)) -lt 60 ]
check "the summary lists the counts it measured" sh -c "$PTJSON c1.json summary.tested_workers | grep -q '^\[1,'"
check "the model is fitted and reported" [ "$(jget c1.json summary.model.fitted)" = true ]

# 2. saturation at K = 4 slots: recommended 4+-1, not the maximum
"$PROFTUNE" --task slots -p slots=4 --max 16 -q -o slots.json >/dev/null
rec=$(jget slots.json summary.recommended_workers)
check "slots=4: recommended $rec is 4+-1" fcmp "$rec >= 3 && $rec <= 5"

# 3. spin on this machine: recommended is the number of PUs (2 on the CI VM)
pus=$(jget slots.json host.allowed_pus)
"$PROFTUNE" --task spin -p ns=20000 -q -o spin.json >/dev/null
rec=$(jget spin.json summary.recommended_workers)
check "spin: recommended $rec equals the $pus allowed PUs" [ "$rec" = "$pus" ]

# 4. auto agrees with exhaustive using at most half its trials
"$PROFTUNE" tune --task contended --max 16 --strategy exhaustive --duration 0.3 -q -o ex.json >/dev/null
"$PROFTUNE" tune --task contended --max 16 --strategy auto --duration 0.3 -q -o au.json >/dev/null
ex_rec=$(jget ex.json summary.recommended_workers) au_rec=$(jget au.json summary.recommended_workers)
ex_n=$(jget ex.json summary.trials) au_n=$(jget au.json summary.trials)
check "exhaustive ran every count 3 times ($ex_n trials)" [ "$ex_n" = 48 ]
if [ $((ex_rec - au_rec)) -le 1 ] && [ $((au_rec - ex_rec)) -le 1 ]; then
	ok "auto recommends $au_rec, exhaustive $ex_rec"
else
	not_ok "auto recommends $au_rec, exhaustive $ex_rec"
fi
# settling may take as many trials as the search did (a count right at the
# tolerance's margin takes the most), and the whole stays under a sweep's
check "auto used $au_n trials, fewer than the $ex_n of exhaustive" [ "$au_n" -lt "$ex_n" ]
"$PROFTUNE" tune --task contended --max 16 --duration 0.3 >table.txt 2>/dev/null
check "the table states trials and time" grep -Eq 'auto strategy: [0-9]+ trials in [0-9.]+ s' table.txt
check "the table has a chart" grep -q "against workers: '#' median" table.txt

# 5. explicit lists, budget, warnings
"$PROFTUNE" --task sleep -p us=500 --workers 1,2,4,8 -q -o list.json >/dev/null
check "--workers LIST measures only the listed counts" \
	[ "$(jget list.json summary.tested_workers)" = "[1,2,4,8]" ]
check "best at --max warns that it is still scaling" \
	sh -c "$PTJSON list.json 'summary.warnings.*' | grep -q 'still scaling'"
"$PROFTUNE" --task contended --max 16 --budget 3 -q -o budget.json >/dev/null
el=$(jget budget.json summary.elapsed_s)
check "--budget 3 stops the tune in time (${el} s)" fcmp "$el < 4"
check "a budget-bound tune still answers" jget budget.json summary.recommended_workers

# 6. results are saved as the tune goes; Ctrl-C writes partial results and exits 130
"$PROFTUNE" --task contended --max 16 -q -o int.json >/dev/null &
pid=$!
sleep 3
kill -INT $pid
wait $pid
st=$?
check "SIGINT exits 130 (got $st)" [ $st -eq 130 ]
check "the partial document says interrupted" [ "$(jget int.json interrupted)" = true ]
check "the partial document keeps the finished trials" fcmp "$(jget int.json trials.#) >= 3"
"$PROFTUNE" --task contended --max 16 -q -o kill.json >/dev/null &
pid=$!
sleep 3
kill -9 $pid
wait $pid 2>/dev/null
"$PROFTUNE" report --format json kill.json >killed.json 2>/dev/null
check "after kill -9 the document reads back and holds finished trials" \
	fcmp "$(jget killed.json trials.#) >= 3"

# 7. bad input
t() { "$PROFTUNE" --task sleep -o never.json "$@"; }
expect_fail "--min larger than --max" 2 "--min 8 is larger than --max 4" -- t --min 8 --max 4
expect_fail "zero count" 2 "--max '0': expected a positive integer" -- t --max 0
expect_fail "negative count" 2 "--min '-2': expected a positive integer" -- t --min -2
expect_fail "empty list" 2 "--workers '': expected a comma-separated list" -- t --workers ''
expect_fail "malformed list" 2 "'x' is not a positive worker count" -- t --workers 1,x,4
expect_fail "list with a zero" 2 "'0' is not a positive worker count" -- t --workers 0,2
expect_fail "list with a hole" 2 "expected a comma-separated list" -- t --workers 1,,4
expect_fail "tolerance 0" 2 "--tolerance '0': expected a percentage between 0 and 100" -- t --tolerance 0
expect_fail "tolerance 100" 2 "--tolerance '100'" -- t --tolerance 100
expect_fail "tolerance not a number" 2 "--tolerance 'lots'" -- t --tolerance lots
expect_fail "unknown strategy" 2 "--strategy 'guess': unknown strategy" -- t --strategy guess
check "nothing was written by refused tunes" [ ! -e never.json ]

# 8. no successful trial: no answer, exit 1, and why
na() { # na NAME REASON ARGS...: the tune exits 1 and its table says "no answer: REASON"
	na_name=$1 na_reason=$2
	shift 2
	"$PROFTUNE" tune --duration 0.05 --max 2 -o na.json "$@" >na.txt 2>/dev/null
	na_st=$?
	check "$na_name: exits 1 (got $na_st)" [ $na_st -eq 1 ]
	check "$na_name: says no answer: $na_reason" grep -qF "no answer: $na_reason" na.txt
	check "$na_name: the summary says why" sh -c "$PTJSON na.json summary.no_answer | grep -q ."
}
na "budget out before any trial" "the --budget ran out before any trial finished" \
	--task spin --budget 0.001
check "no answer, no claim that the budget's answer is the best so far" \
	sh -c "! $PTJSON na.json 'summary.warnings.*' | grep -q 'best so far'"
na "bad parameter" "no trial succeeded (2 failed)" --task spin -p ns=abc
na "every trial crashed" "no trial succeeded (2 crashed)" --task "$TEST_TASKS/faulty.so" -p what=segv

# 9. certainty counts only the counts with a successful trial
"$PROFTUNE" tune --task "$TEST_TASKS/faulty.so" -p what=segv -p at_workers=2 --workers 1,2 \
	--duration 0.05 -o cert.json >cert.txt 2>/dev/null
check "with the other count all crashed, the optimum is not decided" \
	[ "$(jget cert.json summary.confidence.optimal_decided)" = false ]
check "the table does not claim the optimum better than a count that never succeeded" \
	sh -c "! grep -q 'significantly better' cert.txt"
check "the table names the count not measured successfully" \
	grep -q 'no other count has a successful trial (not measured successfully: 2)' cert.txt

done_testing
