#!/bin/sh
# test-hostile.sh - what a task does to its own process changes nothing proftune records
. "$SRCDIR/tests/cli/tap.sh"

F="$TEST_TASKS/faulty.so"
procs() { ps -e -o comm= | grep -c proftune; }
status() { jget "$1" trials.0.status; }
msg() { jget "$1" trials.0.message; }

# 1. nothing outlives its trial: children in the group, and daemons out of it
before=$(procs)
for what in child daemon; do
	t0=$(date +%s)
	"$PROFTUNE" run --task "$F" -p what=$what -p where=setup --duration 0.2 -q -o $what.json >/dev/null 2>&1
	st=$? t1=$(date +%s)
	check "a task that forks a $what in setup: the trial is ok (exit $st)" [ "$st $(status $what.json)" = "0 ok" ]
	check "... and ends without waiting for the child ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 10 ]
	"$PROFTUNE" run --task "$F" -p what=$what -p where=run --isolation process --workers 2 \
		--duration 0.2 -q -o p$what.json >/dev/null 2>&1
	check "a $what forked in run by worker processes: the trial is ok" [ "$(status p$what.json)" = ok ]
done
"$PROFTUNE" run --task "$F" -p what=block -p where=worker_teardown --isolation process --workers 2 \
	--duration 0.2 --timeout 2 -q -o hang.json >/dev/null 2>&1
check "a worker hung in worker_teardown: timeout" [ "$(status hang.json)" = timeout ]
sleep 0.5
after=$(procs)
check "no process is left over ($before before, $after after)" [ "$after" -le "$before" ]

# 2. process-wide state belongs to the task
"$PROFTUNE" run --task "$F" -p what=sigterm --duration 0.2 -q -o term.json >/dev/null 2>&1
st=$?
check "a task raising SIGTERM fails its trial (exit $st)" [ "$st $(status term.json)" = "1 crashed" ]
check "... which says the task raised it" sh -c "$PTJSON term.json trials.0.message | grep -q 'raised by the task itself'"
check "... and is not an interrupt" [ "$(jget term.json interrupted)" = false ]
"$PROFTUNE" run --task "$F" -p what=closefds -p where=setup -p file=closed.txt --duration 0.2 -q \
	-o fds.json >/dev/null 2>&1
check "a task that closes descriptors and opens files: the trial is ok" [ "$(status fds.json)" = ok ]
check "... and its file holds nothing of proftune's" [ ! -s closed.txt ]
"$PROFTUNE" run --task "$F" -p what=segv -p where=worker_teardown --isolation process --workers 2 \
	--duration 0.2 -q -o td.json >/dev/null 2>&1
check "a crash in worker_teardown of a worker process: crashed" [ "$(status td.json)" = crashed ]
check "... in worker_teardown" sh -c "$PTJSON td.json trials.0.message | grep -q 'in worker_teardown'"
"$PROFTUNE" run --task "$F" -p what=segv -p sigchld=ignore --isolation process --workers 2 \
	--duration 0.2 --timeout 10 -q -o chld.json >/dev/null 2>&1
check "a task ignoring SIGCHLD: a worker's crash is a crash, not a timeout" [ "$(status chld.json)" = crashed ]
"$PROFTUNE" run --task "$F" -p what=print -p where=setup --duration 0.1 -q -o print.json >print.out 2>/dev/null
check "what a task prints in setup reaches stdout" grep -q 'faulty printed in setup' print.out
"$PROFTUNE" run --task "$F" -p what=bigerror -p where=setup --duration 0.1 -q -o big.json >/dev/null 2>big.err
check "a 50 MB error message is cut on stderr ($(wc -c <big.err) bytes)" [ "$(wc -c <big.err)" -lt 4096 ]
check "... and in the document" [ "$(wc -c <big.json)" -lt 100000 ]
check "... saying so" sh -c "$PTJSON big.json trials.0.message | grep -q 'truncated from 52428800 bytes'"

# 3. the file checked is the file loaded
mkdir -p elsewhere
cp "$TEST_TASKS/good.so" ./bare.so
cp "$F" elsewhere/bare.so
LD_LIBRARY_PATH=$PWD/elsewhere "$PROFTUNE" run --task bare.so --items 10 -q -o bare.json >/dev/null 2>&1
check "--task NAME.so loads ./NAME.so, not one on LD_LIBRARY_PATH" [ "$(jget bare.json task.name)" = good ]
check "... and records its real path" [ "$(jget bare.json task.path)" = "$PWD/bare.so" ]
done_testing
