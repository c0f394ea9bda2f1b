#!/bin/sh
# test-scale.sh - trials of many workers: compact per-worker entries, a table of their spread
. "$SRCDIR/tests/cli/tap.sh"

SLEEP="$EXAMPLE_TASKS/sleep.so"
quick="-p us=2000 --duration 0.1 --warmup 0.02 --no-counters"

"$PROFTUNE" run --task "$SLEEP" $quick --workers 100 -o many.json >many.txt 2>&1
check "100 workers run" test "$(jget many.json trials.0.status)" = ok
check "beyond 64 workers the entries are compact" \
	test "$(jget many.json trials.0.per_worker_detail)" = compact
check "every worker still has an entry" test "$(jget many.json trials.0.per_worker.99.index)" = 99
check "an entry keeps its items and times" jget many.json trials.0.per_worker.99.end_s
check "a compact entry leaves out its latency" sh -c "! \"$PTJSON\" many.json trials.0.per_worker.0.latency_ns.count"
check "the trial's own latency is kept" fcmp "$(jget many.json trials.0.latency_ns.count) > 0"
sum=0
for i in $(seq 0 99); do sum=$((sum + $(jget many.json trials.0.per_worker.$i.items))); done
check "the items of the entries add up to the trial's" test "$sum" = "$(jget many.json trials.0.items)"
check "the table shows the workers' spread" grep -Eq "^ +100 workers +items" many.txt
check "the spread has a min, a median and a max row" \
	test "$(grep -Ec '^ +(min|median|max) ' many.txt)" -eq 3
check "not a row per worker" sh -c "! grep -Eq '^ +99 +any' many.txt"

"$PROFTUNE" run --task "$SLEEP" $quick --workers 100 --all-workers -o all.json >/dev/null 2>&1
check "--all-workers keeps every entry whole" test "$(jget all.json trials.0.per_worker_detail)" = full
check "--all-workers: a worker's latency is there" jget all.json trials.0.per_worker.99.latency_ns.count
check "--all-workers is recorded" test "$(jget all.json config.all_workers)" = true
check "the compact document is smaller" test "$(wc -c <many.json)" -lt "$(wc -c <all.json)"

"$PROFTUNE" run --task "$SLEEP" $quick --workers 64 -o few.json >few.txt 2>&1
check "64 workers keep full entries" test "$(jget few.json trials.0.per_worker_detail)" = full
check "16 workers or fewer: a row per worker" sh -c "\"$PROFTUNE\" run --task \"$SLEEP\" $quick --workers 16 -o w16.json | grep -Eq '^ +15 +any'"
done_testing
