#!/bin/sh
# test-process.sh - --isolation process: workers are processes of their own
. "$SRCDIR/tests/cli/tap.sh"

task="$TEST_TASKS/procworker.so"
"$PROFTUNE" run --task "$task" --isolation process --workers 3 --duration 0.3 -o ok.json -q >/dev/null
check "a process-worker run exits 0" [ $? -eq 0 ]
check "its status is ok" [ "$(jget ok.json trials.0.status)" = ok ]
check "the document says isolation process" [ "$(jget ok.json trials.0.isolation)" = process ]
pids=$(jget ok.json 'trials.0.per_worker.*.pid' | sort -u | wc -l)
check "each worker has a pid of its own ($pids distinct)" [ "$pids" = 3 ]
ppids=$(jget ok.json 'trials.0.per_worker.*.ppid' | sort -u | wc -l)
check "all workers share one parent, the trial process" [ "$ppids" = 1 ]
check "process names are recorded" [ -n "$(jget ok.json trials.0.per_worker.0.process_name)" ]
check "parent process names are recorded" [ -n "$(jget ok.json trials.0.per_worker.0.parent_process_name)" ]
items=$(jget ok.json trials.0.items)
done_count=$(jget ok.json trials.0.counters.user.done.value)
check "counters from worker processes are summed ($done_count = $items items)" [ "$done_count" = "$items" ]
check "memory records from worker processes are summed" \
	[ "$(jget ok.json trials.0.memory.records.scratch)" = 12288 ]
check "latency is recorded by worker processes" fcmp "$(jget ok.json trials.0.latency_ns.count) == $items"

"$PROFTUNE" run --task "$task" -p crash_worker=1 -p after=50 --isolation process --workers 3 \
	--warmup 0 --duration 0.5 -o crash.json -q >/dev/null
st=$?
check "a crashing worker process makes the run exit 1 (got $st)" [ $st -eq 1 ]
check "the trial is recorded as crashed" [ "$(jget crash.json trials.0.status)" = crashed ]
check "the message names the worker, the signal and the item" \
	sh -c "$PTJSON crash.json trials.0.message | grep -q 'worker 1 (pid [0-9]*) ended by SIGSEGV (Segmentation fault) in run, item'"
check "that worker is marked broken" [ "$(jget crash.json trials.0.per_worker.1.broken)" = true ]
check "with its signal" [ "$(jget crash.json trials.0.per_worker.1.signal)" = SIGSEGV ]
check "its counters are not counted, not zero" \
	[ "$(jget crash.json trials.0.per_worker.1.counters.perf.task_clock_ns.status)" = not-counted ]
check "the other workers are not broken" \
	[ "$(jget crash.json trials.0.per_worker.0.broken trials.0.per_worker.2.broken | tr '\n' ' ')" = "false false " ]
check "the other workers' items are kept" fcmp "$(jget crash.json trials.0.per_worker.0.items) > 0 && $(jget crash.json trials.0.per_worker.2.items) > 0"
check "the broken worker's items up to the crash are kept" \
	[ "$(jget crash.json trials.0.per_worker.1.items)" = 49 ]

"$PROFTUNE" --task "$task" -p crash_worker=1 -p after=20 --isolation process --workers 1,2,3 \
	--duration 0.2 -o tune.json -q >/dev/null
check "a tune goes on past trials whose worker crashed" \
	[ "$(jget tune.json summary.tested_workers)" = "[1,2,3]" ]
check "and answers from the clean trials" [ "$(jget tune.json summary.optimal_workers)" = 1 ]

done_testing
