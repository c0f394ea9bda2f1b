#!/bin/sh
# test-faults.sh - the fault matrix: each fault's status, message and exit code; nothing measured is lost
. "$SRCDIR/tests/cli/tap.sh"

FAULTY="$TEST_TASKS/faulty.so"
# the small file systems mounted below must not outlive the test
trap 'umount "$TMP/rodir" "$TMP/full" 2>/dev/null; rm -rf "$TMP"' EXIT
nl='
'

# A test collects the reasons it fails, then gives one verdict.
reasons=
because() {
	reasons="$reasons${reasons:+$nl}$1"
}

verdict() {
	if [ -z "$reasons" ]; then
		ok "$1"
	else
		name=$1
		old_ifs=$IFS
		IFS=$nl
		set -f
		# shellcheck disable=SC2086
		set -- $reasons
		set +f
		IFS=$old_ifs
		not_ok "$name" "$@" "stderr: $(head -c 400 "$TMP/err" 2>/dev/null | tr '\n' ' ')"
	fi
	reasons=
}

# attempt STATUS PATTERN -- COMMAND...: COMMAND exits STATUS and prints
# PATTERN (grep -E) on stderr
attempt() {
	want=$1 pattern=$2
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ "$got" -eq "$want" ] || because "exit $got, expected $want"
	[ -z "$pattern" ] || grep -Eq -- "$pattern" "$TMP/err" ||
		because "stderr does not match '$pattern'"
}

# expect FILE PATH VALUE: the document's value at PATH is VALUE
expect() {
	got=$(jget "$1" "$2" 2>/dev/null)
	[ "$got" = "$3" ] || because "$2 is '$got', expected '$3'"
}

# expect_match FILE PATH PATTERN: the value at PATH matches PATTERN (grep -E)
expect_match() {
	jget "$1" "$2" 2>/dev/null | grep -Eq -- "$3" || because "$2 does not match '$3'"
}

# intact FILE I ITEMS: trial I is a complete, successful measurement
intact() {
	expect "$1" "trials.$2.status" ok
	expect "$1" "trials.$2.items" "$3"
	expect "$1" "trials.$2.latency_ns.count" "$3"
	fcmp "$(jget "$1" "trials.$2.throughput" 2>/dev/null || echo 0) > 0" ||
		because "trials.$2.throughput is not positive"
}

# faulty ARGS...: two trials of the faulty task, the first one clean (it
# creates ./flag), the fault in the second
faulty() {
	rm -f flag
	"$PROFTUNE" run --task "$FAULTY" -p flag=flag --repeat 2 --items 200 --warmup 0 \
		--no-counters "$@"
}

# children PID: the child processes of PID
children() {
	pgrep -P "$1" 2>/dev/null
}

# saved FILE: the results `proftune report` reads of FILE (from its journal
# while a run measures, or after a kill), as JSON on standard output
saved() {
	"$PROFTUNE" report --format json "$1" 2>/dev/null
}

# wait_trials FILE N: wait (up to 20 s) until FILE holds N trials
wait_trials() {
	i=0
	while [ "$(saved "$1" | "$PTJSON" - trials.# 2>/dev/null || echo 0)" -lt "$2" ] &&
		[ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# 1. fatal signals in every callback: crashed, named with the phase, exit 1
for row in SEGV:segv:Segmentation ABRT:abort:Aborted BUS:bus:Bus FPE:fpe:Floating; do
	sig=SIG${row%%:*}
	what=${row#*:}
	what=${what%:*}
	desc=${row##*:}
	for where in setup worker_setup run teardown; do
		case $where in
		run) at="in run, worker 0, item 0" ;;
		worker_setup) at="in worker_setup, worker 0" ;;
		*) at="in $where" ;;
		esac
		doc=$what-$where.json
		attempt 1 "trial 1: crashed: $sig \($desc[^)]*\) $at\$" -- \
			faulty -p what="$what" -p where=$where -o "$doc"
		expect "$doc" trials.# 2
		intact "$doc" 0 200
		expect "$doc" trials.1.status crashed
		expect_match "$doc" trials.1.message "^$sig \($desc[^)]*\) $at\$"
		expect "$doc" trials.1.isolation trial
		expect "$doc" trials.1.crash.signal_name "$sig"
		expect "$doc" trials.1.crash.phase $where
		case $where in
		run) expect "$doc" trials.1.crash.item 0 ;;
		worker_setup) expect "$doc" trials.1.crash.worker 0 ;;
		*) expect "$doc" trials.1.crash.worker null ;;
		esac
		expect_match "$doc" 'trials.1.crash.backtrace.*' 'faulty\.so'
		verdict "$sig in $where: crashed, message names it and the phase, exit 1, trial 0 intact"
	done
done

# 2. the tune goes on after a crash: only the 2-worker trials fault
attempt 1 "trial [0-9]+ \(2 workers\): crashed: SIGSEGV \(Segmentation fault\) in run, worker [01], item" -- \
	"$PROFTUNE" tune --task "$FAULTY" -p what=segv -p at_workers=2 --workers 1,2,3 \
	--strategy exhaustive --repeat 1 --items 200 --warmup 0 -o tune.json
expect tune.json trials.# 3
for i in 0 1 2; do
	if [ "$(jget tune.json trials.$i.workers)" = 2 ]; then
		expect tune.json trials.$i.status crashed
	else
		intact tune.json $i 200
	fi
done
expect tune.json summary.tested_workers "[1,2,3]"
verdict "a crash at 2 workers: the tune measures 1 and 3 workers and exits 1"

# 3. hangs: killed at --timeout
for what in loop block; do
	attempt 1 "trial 1: timeout: the trial did not finish within 1 s and was killed" -- \
		faulty -p what=$what --timeout 1 -o $what.json
	expect $what.json trials.1.status timeout
	intact $what.json 0 200
	verdict "$what forever in run: timeout after --timeout 1, exit 1, trial 0 intact"
done

# 4. errors on some items: counted, the message kept
attempt 1 "trial 1: failed: injected error on every 10-th item \(20 of 200 items failed, 10%" -- \
	faulty -p what=errors -p every=10 -o errors.json
expect errors.json trials.1.status failed
expect errors.json trials.1.items 200
expect errors.json trials.1.errors.count 20
expect_match errors.json trials.1.errors.rate "^0\.10*1?$"
expect errors.json trials.1.message \
	"injected error on every 10-th item (20 of 200 items failed, 10%, more than --max-error-rate 5%)"
expect errors.json trials.1.errors.messages.0.message "injected error on every 10-th item"
expect errors.json trials.1.errors.messages.0.count 20
intact errors.json 0 200
verdict "run fails every 10th of 200 items: failed, 20 errors, message kept, exit 1"

# 5. exit() and _exit() inside run
attempt 1 "trial 1: exited: the task called exit\(3\) during the trial" -- \
	faulty -p what=exit -p status=3 -o exit.json
expect exit.json trials.1.status exited
expect exit.json trials.1.exit '{"status":3,"call":"exit"}'
intact exit.json 0 200
verdict "exit(3) in run: exited, message says exit(3), exit 1, trial 0 intact"
attempt 1 "trial 1: exited: the task called exit\(0\)" -- \
	faulty -p what=exit -p status=0 -o exit0.json
expect exit0.json trials.1.status exited
intact exit0.json 0 200
verdict "exit(0) in run is an exit too, not a result"
attempt 1 "trial 1: exited: the task called _exit\(5\) during the trial" -- \
	faulty -p what=_exit -p status=5 -o _exit.json
expect _exit.json trials.1.status exited
expect _exit.json trials.1.exit '{"status":5,"call":"_exit"}'
intact _exit.json 0 200
verdict "_exit(5) in run: exited, message says _exit(5), exit 1, trial 0 intact"

# 6. unbounded allocation under --memory-limit (AddressSanitizer reserves
# terabytes of address space for its shadow: no address-space limit fits)
case "${SANITIZERS:-}" in
*address*)
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # SKIP --memory-limit: an AddressSanitizer build cannot run under an address-space limit"
	;;
*)
	attempt 1 "trial 1: out-of-memory: .*out of the 268435456-byte memory limit" -- \
		faulty -p what=oom --memory-limit 256M -o oom.json
	expect oom.json trials.1.status out-of-memory
	expect oom.json config.memory_limit 268435456
	intact oom.json 0 200
	verdict "unbounded allocation with --memory-limit 256M: out-of-memory, exit 1, trial 0 intact"
	;;
esac

# 7. threads that are never joined end with their trial
for where in setup run; do
	rm -f flag
	attempt 0 "" -- timeout 60 "$PROFTUNE" run --task "$FAULTY" -p what=threads -p where=$where \
		-p flag=flag --repeat 2 --items 200 --warmup 0 -o threads-$where.json
	intact threads-$where.json 0 200
	intact threads-$where.json 1 200
	verdict "threads started in $where and never joined: the trial completes, no hang"
done

# 8. refused tasks: test-loader.sh checks each message and exit status 2 (a
# missing, empty, non-ELF, truncated or foreign .so; no proftune_task, ABI 0
# or 999, a struct smaller than version 1, no run); here: none of them
# touches the results already in the output file
"$PROFTUNE" run --task "$TEST_TASKS/good.so" --items 100 -q -o keep.json >/dev/null
cp keep.json keep.orig
: >empty.so
echo "not a library" >text.so
head -c 2000 "$TEST_TASKS/good.so" >truncated.so
cp "$TEST_TASKS/good.so" foreign.so
printf '\267\000' | dd of=foreign.so bs=1 seek=18 conv=notrunc 2>/dev/null
for so in ./nothere.so ./empty.so ./text.so ./truncated.so ./foreign.so nosym abi0 abi999 \
	small norun; do
	case $so in ./*) ;; *) so="$TEST_TASKS/$so.so" ;; esac
	attempt 2 "task '$so'" -- "$PROFTUNE" run --task "$so" --items 10 -o keep.json
done
cmp -s keep.json keep.orig || because "keep.json changed"
verdict "a refused task exits 2 and leaves the existing results file untouched"

# 9. output paths: refused before measuring (a 10 s trial would time out here)
outfail() {
	attempt 2 "$2" -- timeout 5 "$PROFTUNE" run --task "$TEST_TASKS/good.so" --duration 10 \
		--warmup 0 -o "$1"
	verdict "$3"
}
outfail nodir/out.json "cannot write 'nodir/out.json': no such directory; choose a writable place with -o FILE" \
	"-o in a missing directory: exit 2 before measuring"
echo "a file" >afile
outfail afile/out.json "cannot write 'afile/out.json': not a directory" \
	"-o under a regular file: exit 2 before measuring"
mkdir rodir
if [ "$(id -u)" -ne 0 ]; then
	chmod 555 rodir
	ro=rodir
elif mount -t tmpfs -o ro,size=64k tmpfs rodir 2>/dev/null; then
	ro=rodir
else
	ro=
fi
if [ -n "$ro" ]; then
	outfail rodir/out.json "cannot write 'rodir/out.json': the directory is not writable" \
		"-o in a read-only directory: exit 2 before measuring"
	[ "$(id -u)" -eq 0 ] && umount rodir
else
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # SKIP read-only directory: cannot mount a read-only tmpfs"
fi

# fallback FILE: the results saved instead, named on stderr, hold trial 0
fallback() {
	saved=$(sed -n "s/.*the results are saved to '\(.*\)' instead.*/\1/p" "$TMP/err" | tail -n 1)
	if [ -z "$saved" ]; then
		because "stderr names no fallback file"
	else
		intact "$saved" 0 200
		rm -f "$saved"
	fi
}

# a full disk: a 64 KiB tmpfs with 4 KiB left
mkdir full
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	head -c 61440 /dev/zero >full/filler 2>/dev/null
	attempt 2 "cannot write 'full/out.json': No space left on device" -- \
		faulty -o full/out.json
	grep -Eq "the results are saved to '/tmp/proftune-[0-9]+\.json' instead" "$TMP/err" ||
		because "stderr does not name /tmp/proftune-PID.json"
	fallback
	[ "$(ls -A full)" = filler ] || because "files left on the full disk: $(ls -A full)"
	verdict "a full disk: exit 2, results saved to /tmp/proftune-PID.json, no temporary left"
	umount full
else
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # SKIP full disk: cannot mount a small tmpfs (not root)"
fi

# character devices are written into, never replaced: /dev/full, /dev/null
# (copies of them here when we may create device nodes)
if mknod devfull c 1 7 2>/dev/null && mknod devnull c 1 3 2>/dev/null; then
	full=devfull null=devnull
else
	full=/dev/full null=/dev/null
fi
attempt 2 "cannot write '$full': No space left on device" -- faulty -o $full
fallback
[ -c $full ] || because "$full is no longer a character device"
verdict "-o $full: exit 2, results saved to /tmp/proftune-PID.json, the device kept"
attempt 0 "" -- "$PROFTUNE" run --task "$TEST_TASKS/good.so" --items 100 -o $null
[ -c $null ] || because "$null is no longer a character device"
verdict "-o $null: exit 0, the device kept"
mkfifo fifo
attempt 2 "cannot write 'fifo': not a regular file" -- faulty -o fifo
[ -p fifo ] || because "fifo is no longer a FIFO"
verdict "-o FIFO: exit 2 before measuring, the FIFO kept"

# 10. two proftune processes writing the same file: always one complete document
for i in 1 2; do
	"$PROFTUNE" run --task "$TEST_TASKS/good.so" --repeat 40 --items 1000 --warmup 0 -q \
		-o same.json >/dev/null 2>&1 &
	eval "writer$i=\$!"
done
polls=0 torn=0
# shellcheck disable=SC2154
while kill -0 "$writer1" 2>/dev/null || kill -0 "$writer2" 2>/dev/null; do
	if [ -e same.json ]; then
		polls=$((polls + 1))
		jget same.json schema >/dev/null 2>&1 || torn=$((torn + 1))
	fi
done
wait "$writer1"
s1=$?
wait "$writer2"
s2=$?
[ $s1 -eq 0 ] && [ $s2 -eq 0 ] || because "exit $s1 and $s2, expected 0 and 0"
verdict "two proftune processes writing the same -o file both succeed"
[ "$polls" -gt 0 ] || because "the file was never seen while they ran"
[ "$torn" -eq 0 ] || because "$torn of $polls reads were not one complete document"
verdict "read $polls times while two processes rewrote it, the file was one complete document each time"
check "at the end the file is one complete document of 40 trials" \
	[ "$(jget same.json trials.#)" = 40 ]
check "no temporary files are left behind" sh -c '! ls -A | grep -q proftune-tmp'

# 11. names with quotes, newlines and non-ASCII: valid JSON, values kept
odd_dir="dir \"q\"${nl}é 日本"
odd_task="$odd_dir/task \"x\"${nl}日本.so"
mkdir "$odd_dir"
cp "$TEST_TASKS/oddname.so" "$odd_task"
attempt 0 "" -- "$PROFTUNE" run --task "$odd_task" --items 100 --json -o odd.json \
	-p "k\"ey=va\"l" -p "new${nl}line=two${nl}lines" -p "é=日本"
expect odd.json schema proftune/2
expect odd.json task.name "odd \"name\"${nl}naïve 日本"
expect odd.json task.summary "test task: \"quoted\", two${nl}lines, é, 日本"
case $(jget odd.json task.path 2>/dev/null) in
*"$odd_task") ;;
*) because "task.path is not the odd path" ;;
esac
expect odd.json "task.params.k\"ey" "va\"l"
expect odd.json "task.params.new${nl}line" "two${nl}lines"
expect odd.json "task.params.é" "日本"
expect odd.json trials.0.status ok
expect_match odd.json 'trials.0.warnings.*.message' "parameter 'k\"ey' was not used"
jget "$TMP/out" schema >/dev/null 2>&1 || because "the --json output is not JSON"
verdict "quotes, newlines and non-ASCII in task and parameter names round-trip through valid JSON"

# 12. kill -9 during a tune: what report reads back holds every trial
# finished before it
"$PROFTUNE" tune --task sleep -p us=1000 --workers 1,2 --strategy exhaustive --repeat 50 \
	--duration 0.1 --warmup 0 -q -o kill.json >/dev/null 2>&1 &
pid=$!
wait_trials kill.json 3
saved kill.json >before.json
kill -9 $pid
wait $pid 2>/dev/null
saved kill.json >after.json
n_before=$(jget before.json trials.#)
n_after=$(jget after.json trials.# 2>/dev/null || echo none)
check "after kill -9 the document reads back ($n_after trials)" jget after.json schema
[ "$n_before" -ge 3 ] || because "only $n_before trials before the kill"
[ "$n_after" -ge "$n_before" ] || because "$n_after trials after the kill, $n_before before"
[ "$n_after" -lt 100 ] || because "the tune finished before the kill"
verdict "it holds the $n_before trials saved right before the kill ($n_after)"
jget before.json 'trials.*' >trials.before
jget after.json 'trials.*' | head -n "$n_before" >trials.after
check "those trials are unchanged" cmp -s trials.before trials.after

# 13. SIGTERM during a run: the trial process is stopped, partial results
# written, exit 143 (a task that ignores the interrupt is killed after 2 s)
term() {
	doc=$1
	shift
	"$@" -q -o "$doc" >/dev/null 2>"$TMP/err" &
	pid=$!
	wait_trials "$doc" 1
	i=0
	while [ -z "$(children $pid)" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kids=$(children $pid)
	[ -n "$kids" ] || because "no trial process seen"
	start=$(date +%s)
	kill -TERM $pid
	wait $pid
	st=$?
	took=$(($(date +%s) - start))
	[ $st -eq 143 ] || because "exit $st, expected 143"
	[ $took -le 6 ] || because "took $took s to stop"
	for k in $kids; do
		kill -0 "$k" 2>/dev/null && because "trial process $k is still running"
	done
	expect "$doc" interrupted true
	intact "$doc" 0 "$(jget "$doc" trials.0.items 2>/dev/null)"
	last=$(($(jget "$doc" trials.# 2>/dev/null || echo 1) - 1))
	expect "$doc" trials.$last.status interrupted
}
term term.json "$PROFTUNE" run --task sleep -p us=1000 --repeat 20 --duration 0.2 --warmup 0
verdict "SIGTERM during a run: exit 143, trial process gone, interrupted, earlier trials kept"
rm -f flag
term term-block.json "$PROFTUNE" run --task "$FAULTY" -p what=block -p flag=flag --repeat 2 \
	--items 200 --warmup 0
expect term-block.json trials.1.message "interrupted; the task did not stop within 2 s and was killed"
verdict "SIGTERM while the task blocks forever: killed after 2 s, exit 143, results written"

# 14. --no-isolation (for debuggers): a crash is proftune's own, but the
# trials saved before it are read back (AddressSanitizer turns the signal
# into its own report and exit status 1)
rm -f flag
case "${SANITIZERS:-}" in *address*) noiso_status=1 ;; *) noiso_status=139 ;; esac
{
	"$PROFTUNE" run --no-isolation --task "$FAULTY" -p what=segv -p flag=flag --repeat 3 \
		--items 200 --warmup 0 -q -o noiso.json >/dev/null
	st=$?
} 2>/dev/null
[ $st -eq $noiso_status ] || because "exit $st, expected $noiso_status"
saved noiso.json >noiso.saved
expect noiso.saved trials.# 1
expect noiso.saved trials.0.isolation none
intact noiso.saved 0 200
verdict "--no-isolation: a crash in run kills proftune with SIGSEGV (139); trial 0 is saved"

done_testing
