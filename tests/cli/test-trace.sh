#!/bin/sh
# test-trace.sh - `run/tune --trace FILE` writes a Chrome trace: a track per worker, the task's blocks
. "$SRCDIR/tests/cli/tap.sh"

# events FILE: every trace event of FILE, one compact JSON object per line
events() {
	jget "$1" 'traceEvents.*'
}

# worker_tracks FILE WORKERS: each "worker N" thread_name metadata has a
# pid/tid pair, and that pair has X events (its measured phase, its blocks)
worker_tracks() {
	events "$1" >ev.txt || return 1
	grep '"ph":"M"' ev.txt | grep '"name":"thread_name"' | grep '"name":"worker [0-9]*"' >meta.txt
	[ "$(wc -l <meta.txt)" -eq "$2" ] || { echo "$(wc -l <meta.txt) worker tracks" >&2; return 1; }
	while read -r m; do
		pid=$(printf '%s\n' "$m" | sed 's/.*"pid":\([0-9]*\).*/\1/')
		tid=$(printf '%s\n' "$m" | sed 's/.*"tid":\([0-9]*\).*/\1/')
		grep '"ph":"X"' ev.txt | grep -q "\"name\":\"measured phase\".*\"pid\":$pid,\"tid\":$tid[,}]" ||
			{ echo "no measured phase on $pid/$tid" >&2; return 1; }
		grep '"ph":"X"' ev.txt | grep -q "\"name\":\"hash\".*\"pid\":$pid,\"tid\":$tid[,}]" ||
			{ echo "no task block on $pid/$tid" >&2; return 1; }
	done <meta.txt
}

# 1. run: a trace beside the results, for an isolated trial (the default)
"$PROFTUNE" run --task instrumented --workers 2 --duration 0.3 --trace run.json -o r.json \
	-q >/dev/null
check "run --trace exits 0" [ $? -eq 0 ]
check "the trace is JSON with traceEvents" jget run.json 'traceEvents.#'
check "the trace ends the JSON array" sh -c "tail -c 4 run.json | grep -q ']}'"
check "each of the 2 workers has its own track with its phase and blocks" worker_tracks run.json 2
check "the trial is a span in the trace" sh -c "grep -q '\"name\":\"trial: 2 workers, repeat 0\",\"cat\":\"trial\",\"ph\":\"X\"' ev.txt"
check "stamps are instant events with their step" \
	sh -c "grep '\"ph\":\"i\"' ev.txt | grep '\"name\":\"setup done\"' | grep -q '\"step\":0'"
check "memory samples are counter events" sh -c "grep '\"ph\":\"C\"' ev.txt | grep -q '\"name\":\"rss\"'"
check "counter samples are counter events" \
	sh -c "grep '\"ph\":\"C\"' ev.txt | grep '\"name\":\"counters\"' | grep -q '\"bytes\":'"
check "process name metadata" sh -c "grep '\"name\":\"process_name\"' ev.txt | grep -q proftune"
check "the results document keeps the task's blocks" \
	[ "$(jget r.json trials.0.instrumentation.tracks.0.blocks.0.name)" = item ]
items=$(jget r.json trials.0.items)
hits=$(jget r.json trials.0.instrumentation.tracks.0.blocks.0.hit_count)
check "block hits ($hits) are the measured items ($items)" [ "$hits" = "$items" ]
check "the counters of PT_PROF_CALL are there" jget r.json trials.0.instrumentation.counters.verify_success
check "the config records the trace" [ "$(jget r.json config.trace)" = run.json ]

# 2. in-process trials trace the same way
"$PROFTUNE" run --task instrumented --workers 2 --items 5000 --isolation none --trace np.json \
	-o np-r.json -q >/dev/null
check "run --isolation none --trace exits 0" [ $? -eq 0 ]
check "in-process: each worker has its track" worker_tracks np.json 2

# 3. worker processes write their own events, with their own pids
"$PROFTUNE" run --task instrumented --workers 2 --duration 0.2 --isolation process \
	--trace proc.json -o proc-r.json -q >/dev/null
check "run --isolation process --trace exits 0" [ $? -eq 0 ]
check "process workers: each worker has its track" worker_tracks proc.json 2
check "process workers: two worker processes in the trace" \
	[ "$(grep '"name":"worker ' ev.txt | sed 's/.*"pid":\([0-9]*\).*/\1/' | sort -u | wc -l)" = 2 ]
items=$(jget proc-r.json trials.0.items)
hits=$(jget proc-r.json trials.0.instrumentation.tracks.0.blocks.0.hit_count)
check "process workers: block hits ($hits) are the measured items ($items)" [ "$hits" = "$items" ]

# 4. tune: one trace for every trial
"$PROFTUNE" tune --task instrumented --workers 1,2 --strategy exhaustive --repeat 1 \
	--duration 0.1 --warmup 0.02 --trace tune.json -o t.json -q >/dev/null
check "tune --trace exits 0" [ $? -eq 0 ]
trials=$(jget t.json 'trials.#')
spans=$(events tune.json | grep -c '"name":"trial: [0-9]* workers*, repeat')
check "one trial span per trial ($spans for $trials)" [ "$spans" = "$trials" ]
check "tune: 3 worker tracks over the trials" worker_tracks tune.json 3

# 5. errors
expect_fail "an unwritable trace is a usage error naming the file" 2 \
	"cannot create trace '/nonexistent/t.json'" -- \
	"$PROFTUNE" run --task instrumented --items 10 --trace /nonexistent/t.json -o x.json
expect_fail "--trace needs a file name" 2 "--trace: the file name is empty" -- \
	"$PROFTUNE" run --task instrumented --items 10 --trace "" -o x.json
expect_fail "--trace does not apply to topology" 2 "option '--trace' does not apply" -- \
	"$PROFTUNE" topology --trace t.json

done_testing
