#!/bin/sh
# test-limits.sh - worker counts that cannot start are refused at once, with exit 2 and the largest that can
. "$SRCDIR/tests/cli/tap.sh"

now() { date +%s.%N; }
# `ulimit -u [N]`: the process limit, which dash calls -p
nproc_limit() { ulimit -u "$@" 2>/dev/null || ulimit -p "$@"; }

# refused NAME N LIMIT_PATTERN -- COMMAND...: COMMAND must exit 2 within 5 s
# without measuring, say why (LIMIT_PATTERN) and give a largest count below
# N; the document it was asked to write is left as it was.  The largest
# count is left in $largest.
refused() {
	name=$1 n=$2 pattern=$3
	shift 4
	echo "an earlier document" >kept.json
	t0=$(now)
	"$@" -o kept.json >"$TMP/out" 2>"$TMP/err"
	got=$?
	t1=$(now)
	largest=$(sed -n 's/.*cannot start here: .*; use [^0-9]*\([0-9][0-9]*\) or fewer$/\1/p' "$TMP/err")
	if [ "$got" -ne 2 ]; then
		not_ok "$name" "exit $got, expected 2" "stderr: $(head -c 400 "$TMP/err")"
	elif ! grep -Eq -- "cannot start here: .*$pattern.* allows at most [0-9,]+ workers?; use " \
		"$TMP/err"; then
		not_ok "$name" "stderr does not name the limit '$pattern' and the count it allows" \
			"stderr: $(head -c 400 "$TMP/err")"
	elif [ -z "$largest" ] || [ "$largest" -ge "$n" ] || [ "$largest" -lt 1 ]; then
		not_ok "$name" "largest feasible count '$largest' is not in 1..$((n - 1))" \
			"stderr: $(head -c 400 "$TMP/err")"
	elif ! fcmp "$t1 - $t0 < 5"; then
		not_ok "$name" "took $(awk "BEGIN { print $t1 - $t0 }") s to refuse"
	elif [ "$(cat kept.json)" != "an earlier document" ] || [ -s "$TMP/out" ]; then
		not_ok "$name" "the refusal wrote a document or printed results"
	else
		ok "$name (largest $largest)"
	fi
}

# The tasks this user runs now (what RLIMIT_NPROC counts), and the bound
# the machine's own limits put on workers, as proftune reads them.
user_tasks=$(cat /proc/[0-9]*/status 2>/dev/null | awk -v uid="$(id -u)" '
	/^Uid:/ { mine = $2 == uid }
	/^Threads:/ && mine { n += $2 }
	END { print n + 0 }')
bound=$(nproc_limit)
for f in /proc/sys/kernel/pid_max /proc/sys/kernel/threads-max; do
	v=$(cat "$f" 2>/dev/null) || continue
	if [ "$bound" = unlimited ] || [ "$v" -lt "$bound" ]; then bound=$v; fi
done
v=$(( $(cat /proc/sys/vm/max_map_count) / 2 ))
if [ "$bound" = unlimited ] || [ "$v" -lt "$bound" ]; then bound=$v; fi
# each thread worker holds at least its 58 KiB latency histogram
v=$(awk '/^MemAvailable:/ { print int($2 / 58) }' /proc/meminfo)
if [ -n "$v" ] && [ "$v" -lt "$bound" ]; then bound=$v; fi

# 1. the counts of the issue, refused by this machine's own limits; run
# in-process, so that a check that let them through is killed with them
for n in 100000 1000000; do
	if [ "$n" -gt "$bound" ]; then
		refused "run --workers $n is refused" "$n" "" -- \
			timeout -s KILL 20 "$PROFTUNE" run --task sleep --workers "$n" \
			--duration 0.01 --warmup 0 --isolation none -q
	else
		ok "run --workers $n is refused # skip this machine's limits allow $bound workers"
	fi
done

# 2. a lowered `ulimit -u`: the kernel enforces it on everyone but root,
# and proftune respects it for root too (CI runs as root).  The room is
# wide: other jobs of this user may start a thousand tasks meanwhile.
room=3000
limit=$((user_tasks + room))
(
	nproc_limit "$limit" || exit 1
	refused "run under ulimit -u $limit is refused" 5000 "ulimit -u $limit" -- \
		"$PROFTUNE" run --task sleep --workers 5000 --duration 0.01 --warmup 0
	# the tasks in use and a reserve for the trial's own come off the limit
	if [ -n "$largest" ] && [ "$largest" -lt $((limit - 16)) ]; then
		ok "the largest count $largest leaves the tasks in use and a reserve under $limit"
	else
		not_ok "the largest count '$largest' leaves the tasks in use and a reserve under $limit"
	fi
	refused "process workers under ulimit -u $limit are refused" 5000 "ulimit -u $limit" -- \
		"$PROFTUNE" run --task sleep --workers 5000 --isolation process --duration 0.01
	refused "tune --max 5000 under ulimit -u $limit is refused" 5000 "ulimit -u $limit" -- \
		"$PROFTUNE" tune --task sleep --max 5000 --duration 0.01
	expect_fail "tune --workers LIST is refused for its largest count" 2 \
		"^proftune: --workers 5000 cannot start here: .*; use counts up to [0-9]+$" -- \
		"$PROFTUNE" tune --task sleep --workers 1,2,5000 --duration 0.01 -o list.json
	check "the refused tune wrote no document" [ ! -e list.json ]
	"$PROFTUNE" run --task sleep --workers 4 --duration 0.05 -o small.json -q \
		>small.out 2>small.err
	check "4 workers still run under ulimit -u $limit" [ $? -eq 0 ]
	check "and measure" [ "$(jget small.json trials.0.status)" = ok ]
	exit "$T_FAILED"
) >limits.tap
failed=$?
cat limits.tap
T_COUNT=$((T_COUNT + $(grep -c '^\(not \)\{0,1\}ok ' limits.tap)))
T_FAILED=$((T_FAILED + failed))

# 3. below what this user already runs, nothing can start: the message says
# to raise the limit rather than suggest 0 workers
(
	nproc_limit 1 || exit 1
	expect_fail "ulimit -u 1 leaves no room" 2 \
		"cannot start here: the thread and process limit .*leaves no room for a worker; raise" -- \
		"$PROFTUNE" run --task sleep --workers 1 --duration 0.01
	exit "$T_FAILED"
) >none.tap
failed=$?
cat none.tap
T_COUNT=$((T_COUNT + $(grep -c '^\(not \)\{0,1\}ok ' none.tap)))
T_FAILED=$((T_FAILED + failed))

# 4. a small run says nothing on stderr with -q: the check adds no line
"$PROFTUNE" run --task sleep --workers 8 --duration 0.05 -q -o quiet.json >quiet.out 2>quiet.err
check "a small run with -q exits 0" [ $? -eq 0 ]
check "and prints nothing on stderr" [ ! -s quiet.err ]
check "and its table on stdout" grep -Eq '^ +0 +8 +ok' quiet.out

done_testing
