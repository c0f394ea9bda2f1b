# tap.sh - a few TAP helpers for the CLI tests (sourced)
# Environment from the test harness: PROFTUNE, TEST_TASKS, EXAMPLE_TASKS, SRCDIR.
: "${PROFTUNE:?run through make check}"
PTJSON=$(dirname "$PROFTUNE")/tests/ptjson
T_COUNT=0
T_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/proftune-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
export PROFTUNE_TASK_PATH="$EXAMPLE_TASKS"

ok() {
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT - $1"
}

not_ok() {
	T_COUNT=$((T_COUNT + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_COUNT - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}

# check NAME COMMAND...: a test passing when COMMAND succeeds
check() {
	name=$1
	shift
	if "$@" >/dev/null; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# expect_fail NAME STATUS PATTERN -- COMMAND...: COMMAND must exit STATUS and
# print PATTERN (grep -E) on stderr
expect_fail() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		not_ok "$name" "exit $got, expected $want" "stderr: $(head -c 400 "$TMP/err")"
	elif ! grep -Eq -- "$pattern" "$TMP/err"; then
		not_ok "$name" "stderr does not match '$pattern'" "stderr: $(head -c 400 "$TMP/err")"
	else
		ok "$name"
	fi
}

# jget FILE PATH: one value from a JSON file
jget() {
	"$PTJSON" "$@"
}

# fcmp EXPR: floating-point comparison through awk, e.g. fcmp "$a >= 1.8 * $b"
fcmp() {
	awk "BEGIN { exit !($1) }"
}

# The plan ends the output; failures are in the "not ok" lines, so the
# script itself succeeds (a script that dies early has no plan: an error).
done_testing() {
	echo "1..$T_COUNT"
}
