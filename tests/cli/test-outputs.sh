#!/bin/sh
# test-outputs.sh - outputs that cannot destroy inputs: checked before any work, never an input or
# another output, permissions kept, no misleading leftover, standard output and closed streams
. "$SRCDIR/tests/cli/tap.sh"

# the small file system mounted below must not outlive the test
trap 'umount "$TMP/full" "$TMP/rodir" 2>/dev/null; rm -rf "$TMP"' EXIT
FAST="--task sleep -p us=1000 --duration 0.05 --warmup 0 -q"

# refused NAME PATTERN -- COMMAND...: COMMAND exits 2 with PATTERN on stderr,
# at once (a trial of 30 s would be killed by the timeout)
refused() {
	name=$1 pattern=$2
	shift 3
	expect_fail "$name" 2 "$pattern" -- timeout 10 "$@"
}

# unchanged NAME FILE: FILE is byte for byte its copy FILE.orig
unchanged() {
	if cmp -s "$2" "$2.orig"; then ok "$1"; else not_ok "$1" "'$2' changed"; fi
}

# mode FILE: its permissions in octal
mode() {
	stat -c %a "$1"
}

# 1. every output is checked before any trial
SLOW="--task sleep --duration 30 --warmup 0 -q"
mkdir adir
mkfifo fifo
echo "a file" >afile
refused "run -o DIR" "cannot write 'adir': it is a directory; choose a file with -o FILE" -- \
	"$PROFTUNE" run $SLOW -o adir
refused "run -o DIR/" "cannot write 'adir/': it is a directory" -- "$PROFTUNE" run $SLOW -o adir/
refused "run -o FIFO" "cannot write 'fifo': not a regular file \(a FIFO\)" -- \
	"$PROFTUNE" run $SLOW -o fifo
check "the FIFO is kept" [ -p fifo ]
refused "run -o in a missing directory" "cannot write 'nodir/out.json': no such directory" -- \
	"$PROFTUNE" run $SLOW -o nodir/out.json
refused "run -o under a regular file" "cannot write 'afile/out.json': not a directory" -- \
	"$PROFTUNE" run $SLOW -o afile/out.json
refused "run -o NEWDIR/" "cannot write 'newdir/': no such directory" -- \
	"$PROFTUNE" run $SLOW -o newdir/
refused "run --trace DIR" "cannot create trace 'adir': it is a directory; choose a file with --trace FILE" -- \
	"$PROFTUNE" run $SLOW -o out.json --trace adir
refused "run --trace FIFO" "cannot create trace 'fifo': not a regular file \(a FIFO\)" -- \
	"$PROFTUNE" run $SLOW -o out.json --trace fifo
refused "run --trace in a missing directory" "cannot create trace 'nodir/t.json': no such directory" -- \
	"$PROFTUNE" run $SLOW -o out.json --trace nodir/t.json
refused "tune -o DIR" "cannot write 'adir': it is a directory" -- \
	"$PROFTUNE" tune $SLOW --max 2 -o adir
check "no trial ran: no document and no journal" sh -c '[ ! -e out.json ] && [ ! -e out.json.journal ]'
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
	refused "run -o in a read-only directory" \
		"cannot write 'rodir/out.json': the directory is not writable" -- \
		"$PROFTUNE" run $SLOW -o rodir/out.json
else
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # SKIP read-only directory: cannot mount a read-only tmpfs"
fi

# report: its outputs are checked before any document is read
"$PROFTUNE" run $FAST -o proftune.json >/dev/null
check "a normal run writes its document" jget proftune.json schema
cp proftune.json proftune.json.orig
refused "report -o DIR" "cannot write 'adir': it is a directory" -- "$PROFTUNE" report -o adir
refused "report --plot DIR/" "cannot write 'adir/': it is a directory; choose a file with --plot FILE" -- \
	"$PROFTUNE" report --plot adir/
timeout 10 cat fifo >from-fifo.csv &
"$PROFTUNE" report -f csv -o fifo
check "report writes into a FIFO (a pipe), as into /dev/stdout" [ $? -eq 0 ]
wait
check "which carries the report" grep -q '^schema,file,command' from-fifo.csv
check "and is kept" [ -p fifo ]
refused "report -o in a missing directory" "cannot write 'nodir/r.csv': no such directory" -- \
	"$PROFTUNE" report -o nodir/r.csv

# 2. an output is never an input nor another output
cp "$EXAMPLE_TASKS/sleep.so" task.so
cp task.so task.so.orig
refused "run -o TASK.so" "-o 'task.so' is the same file as --task './task.so', which must not be overwritten" -- \
	"$PROFTUNE" run --task ./task.so --duration 0.05 -q -o task.so
unchanged "the task is unchanged after -o TASK.so" task.so
refused "run --trace TASK.so" "--trace 'task.so' is the same file as --task" -- \
	"$PROFTUNE" run --task ./task.so --duration 0.05 -q --trace task.so
unchanged "the task is unchanged after --trace TASK.so" task.so
ln -s task.so link.so
refused "run -o a symbolic link to the task" "-o 'link.so' is the same file as --task './task.so'" -- \
	"$PROFTUNE" run --task ./task.so --duration 0.05 -q -o link.so
unchanged "the task is unchanged after -o LINK" task.so
mkdir tasks
cp task.so tasks/sleep.so
cp tasks/sleep.so tasks/sleep.so.orig
refused "run -o the file a bare task name resolves to" "-o 'tasks/sleep.so' is the same file as --task '.*tasks/sleep.so'" -- \
	env PROFTUNE_TASK_PATH="$TMP/tasks" "$PROFTUNE" run --task sleep --duration 0.05 -q -o tasks/sleep.so
unchanged "the task found by name is unchanged" tasks/sleep.so
refused "run --trace equal to -o" "-o 'same.json' is the same file as --trace './same.json'; give each output a file of its own" -- \
	"$PROFTUNE" run $FAST -o same.json --trace ./same.json
check "nothing was written for --trace equal to -o" [ ! -e same.json ]
cp proftune.json new.json
refused "run -o an existing file given as --trace too" "-o 'new.json' is the same file as --trace '$TMP/new.json'" -- \
	"$PROFTUNE" run $FAST -o new.json --trace "$TMP/new.json"
refused "report --plot onto the document read" "--plot 'proftune.json' is the same file as the input 'proftune.json', which must not be overwritten" -- \
	"$PROFTUNE" report --plot proftune.json
unchanged "the document read is unchanged after --plot onto it" proftune.json
cp proftune.json f
cp f f.orig
refused "report f -f csv -o f" "-o 'f' is the same file as the input 'f'" -- \
	"$PROFTUNE" report f -f csv -o f
unchanged "the document read is unchanged after -o onto it" f
cp proftune.json base.json
cp base.json base.json.orig
refused "report -o the baseline" "-o 'base.json' is the same file as --compare 'base.json'" -- \
	"$PROFTUNE" report --compare base.json -o base.json
refused "report --plot the baseline" "--plot './base.json' is the same file as --compare 'base.json'" -- \
	"$PROFTUNE" report --compare base.json new.json --plot ./base.json
unchanged "the baseline is unchanged" base.json
refused "report: the same output given twice" "-o 'twice' is the same file as -o './twice'" -- \
	"$PROFTUNE" report -f json,csv -o twice -o ./twice
refused "report: -o equal to --plot" "-o 'p.svg' is the same file as --plot 'p.svg'" -- \
	"$PROFTUNE" report -o p.svg --plot p.svg
unchanged "the default document is unchanged by all of these" proftune.json

# 3. a replaced file keeps its permissions; a read-only one needs --force
echo "private" >private.json
chmod 600 private.json
"$PROFTUNE" run $FAST -o private.json >/dev/null
check "a 0600 document is replaced" [ "$(jget private.json trials.# 2>/dev/null)" = 1 ]
check "and stays 0600 ($(mode private.json))" [ "$(mode private.json)" = 600 ]
echo "shared" >group.json
chmod 640 group.json
echo "trace" >group.trace.json
chmod 640 group.trace.json
"$PROFTUNE" run $FAST -o group.json --trace group.trace.json >/dev/null
check "a 0640 document stays 0640 ($(mode group.json))" [ "$(mode group.json)" = 640 ]
check "a 0640 trace stays 0640 ($(mode group.trace.json))" [ "$(mode group.trace.json)" = 640 ]
echo "read-only results" >ro.json
chmod 444 ro.json
cp ro.json ro.json.orig
refused "a read-only -o is refused" "cannot write 'ro.json': the file is read-only; make it writable \(chmod u\+w\) or give --force" -- \
	"$PROFTUNE" run $SLOW -o ro.json
unchanged "the read-only document is unchanged" ro.json
echo "read-only trace" >ro.trace.json
chmod 444 ro.trace.json
cp ro.trace.json ro.trace.json.orig
refused "a read-only --trace is refused" "cannot create trace 'ro.trace.json': the file is read-only" -- \
	"$PROFTUNE" run $SLOW -o out.json --trace ro.trace.json
unchanged "the read-only trace is unchanged" ro.trace.json
refused "a read-only report output is refused" "cannot write 'ro.csv': the file is read-only" -- \
	sh -c "echo old >ro.csv && chmod 444 ro.csv && exec '$PROFTUNE' report -o ro.csv"
"$PROFTUNE" run $FAST -o ro.json --trace ro.trace.json --force >/dev/null
check "--force replaces the read-only document" [ "$(jget ro.json trials.# 2>/dev/null)" = 1 ]
check "which stays 0444 ($(mode ro.json))" [ "$(mode ro.json)" = 444 ]
check "--force replaces the read-only trace" jget ro.trace.json traceEvents.0
check "which stays 0444 ($(mode ro.trace.json))" [ "$(mode ro.trace.json)" = 444 ]

# 4. when the results go to /tmp, the file left at -o is removed and stderr says where they are
# fallback_check NAME TRIALS: stderr names the fallback, which holds TRIALS trials, not
# interrupted; -o is gone
fallback_check() {
	saved=$(sed -n "s/.*the results are saved to '\(.*\)' instead.*/\1/p" "$TMP/err" | tail -n 1)
	if [ -z "$saved" ]; then
		not_ok "$1" "stderr names no fallback" "stderr: $(cat "$TMP/err")"
		return
	fi
	check "$1: the fallback holds all $2 trials" [ "$(jget "$saved" trials.# 2>/dev/null)" = "$2" ]
	check "$1: and is complete" [ "$(jget "$saved" interrupted 2>/dev/null)" = false ]
	check "$1: the file at -o is removed" [ ! -e full/out.json ]
	check "$1: stderr says so and where the results are" \
		grep -q "removed 'full/out.json' so that it does not pass for these results, which are in '$saved'" "$TMP/err"
	rm -f "$saved"
}
mkdir full
"$PROFTUNE" run $FAST -o one.json >/dev/null
pages=$((($(wc -c <one.json) + 4095) / 4096))
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	# a partial document: with a directory where the journal would be, each trial
	# rewrites the whole document; room for the first, not the second
	mkdir full/out.json.journal
	head -c $(((16 - 2 * pages + 1) * 4096)) /dev/zero >full/filler
	expect_fail "a full disk after the first trial: exit 2" 2 "No space left on device" -- \
		"$PROFTUNE" run $FAST --repeat 3 -o full/out.json
	fallback_check "a partial document" 3
	umount full
	# an earlier run's document, on a disk with no room left
	mount -t tmpfs -o size=64k tmpfs full
	cp one.json full/out.json
	head -c 65536 /dev/zero >full/filler 2>/dev/null
	expect_fail "a full disk with an earlier document: exit 2" 2 "No space left on device" -- \
		"$PROFTUNE" run $FAST --repeat 2 -o full/out.json
	fallback_check "an earlier document" 2
	check "no journal is left on the full disk" [ ! -e full/out.json.journal ]
	umount full
else
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT # SKIP fallback leftovers: cannot mount a small tmpfs (not root)"
fi

# 5. a failed write to standard output is an error of every command
"$PROFTUNE" run $FAST --repeat 2 --json -o full.json >/dev/full 2>"$TMP/err"
check "run --json >/dev/full exits non-zero" [ $? -ne 0 ]
check "and still saves its document" [ "$(jget full.json trials.# 2>/dev/null)" = 2 ]
printf '1,100\n2,190\n3,270\n4,330\n' >fit.csv
for cmd in "run $FAST --json -o full.json" "run $FAST -o full.json" "tune $FAST --max 2 --json -o full.json" \
	"fit fit.csv" "fit --json fit.csv" "tasks" "tasks --json" "topology" "topology --json" \
	"report one.json" "--version"; do
	# shellcheck disable=SC2086
	"$PROFTUNE" $cmd >/dev/full 2>"$TMP/err"
	st=$?
	if [ $st -eq 0 ]; then
		not_ok "$cmd >/dev/full exits non-zero" "exit 0"
	elif ! grep -q "cannot write to standard output: No space left on device" "$TMP/err"; then
		not_ok "$cmd >/dev/full says why" "stderr: $(cat "$TMP/err")"
	else
		ok "$cmd >/dev/full: exit $st, the write error on stderr"
	fi
	# shellcheck disable=SC2086
	"$PROFTUNE" $cmd >/dev/null 2>"$TMP/err"
	check "$cmd >/dev/null exits 0" [ $? -eq 0 ]
done

# 6. closed standard streams: no message lands in a file proftune writes.  The real
# binary, not the build tree's libtool wrapper script: the shell running a script keeps
# a descriptor of its own where standard error was
bin=$PROFTUNE
libs=$(dirname "$PROFTUNE")/.libs
if [ -x "$libs/proftune" ]; then
	bin="$libs/proftune"
	LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi
# closed_run WHICH: a failing run (a message on stderr per trial) with WHICH streams closed
closed_run() {
	rm -f closed.json closed.trace.json
	set -- "$1" "$bin" run --task "$TEST_TASKS/failing.so" --duration 0.05 --warmup 0 \
		--repeat 2 -o closed.json --trace closed.trace.json
	case $1 in
	stderr) shift; "$@" >/dev/null 2>&- ;;
	stdout+stderr) shift; "$@" >&- 2>&- ;;
	all) shift; "$@" <&- >&- 2>&- ;;
	esac
}
for closed in stderr stdout+stderr all; do
	closed_run $closed
	st=$?
	check "$closed closed: the failing run exits 1 ($st)" [ $st -eq 1 ]
	check "$closed closed: the document is valid JSON" jget closed.json trials.1.status
	check "$closed closed: the trace is valid JSON" jget closed.trace.json traceEvents.0
	check "$closed closed: no message is in them" \
		sh -c "! grep -q 'proftune:' closed.json closed.trace.json"
done

# and normal outputs still work
"$PROFTUNE" tune $FAST --max 2 -o tune.json --trace tune.trace.json >/dev/null
check "a normal tune exits 0" [ $? -eq 0 ]
check "its document and trace are written" jget tune.json summary
check "and no journal is left" [ ! -e tune.json.journal ]
"$PROFTUNE" report tune.json -f csv,markdown -o tune.csv -o tune.md --plot tune.svg
check "a report to three files exits 0" [ $? -eq 0 ]
check "and writes them" sh -c '[ -s tune.csv ] && [ -s tune.md ] && [ -s tune.svg ]'
"$PROFTUNE" report tune.json -o - >/dev/null
check "report -o - (standard output) exits 0" [ $? -eq 0 ]
"$PROFTUNE" run $FAST -o /dev/null >/dev/null
check "run -o /dev/null exits 0" [ $? -eq 0 ]
"$PROFTUNE" run $FAST -o /dev/null --trace /dev/null >/dev/null
check "a device may take two outputs" [ $? -eq 0 ]
unchanged "the default document was never written by a refused command" proftune.json

done_testing
