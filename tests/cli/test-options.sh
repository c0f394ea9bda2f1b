#!/bin/sh
# test-options.sh - bad options exit 2 with a one-line reason and a pointer to --help
. "$SRCDIR/tests/cli/tap.sh"

bad() {
	expect_fail "$1" 2 "$2" -- "$PROFTUNE" run --task spin --items 10 -o never.json $3
	if ! grep -q "Try 'proftune run --help'" "$TMP/err"; then
		not_ok "$1: points to --help" "stderr: $(cat "$TMP/err")"
	fi
}

bad "zero workers" "--workers '0': expected a positive integer" "--workers 0"
bad "negative workers" "--workers '-3': expected a positive integer" "--workers -3"
bad "non-numeric workers" "--workers 'many'" "--workers many"
bad "unknown placement" "--placement 'diagonal': unknown placement" "--placement diagonal"
bad "negative duration" "--duration '-1'" "--duration -1"
bad "zero duration" "--duration '0'" "--duration 0"
bad "duration with a bad unit" "--duration '3h'" "--duration 3h"
bad "zero items" "--items '0'" "--items 0"
bad "unknown option" "unknown option '--wrokers'" "--wrokers 2"
bad "missing value" "option '--repeat' needs a value" "--repeat"
bad "parameter without =" "parameter 'ns' has no value" "-p ns"
check "nothing was written by refused runs" [ ! -e never.json ]
expect_fail "unknown command" 2 "unknown command 'frobnicate'" -- "$PROFTUNE" frobnicate
expect_fail "option of another command" 2 "option '--workers' does not apply to 'tasks'" -- \
	"$PROFTUNE" tasks --workers 2
expect_fail "run without a task" 2 "no task given" -- "$PROFTUNE" run
"$PROFTUNE" run --help >help.txt
check "--help exits 0 and lists the options" grep -q -- '--placement POLICY' help.txt
check "--version prints the version" sh -c "'$PROFTUNE' --version | grep -Eq '^proftune [0-9]+\.[0-9]+'"
expect_fail "unwritable output directory" 2 "cannot write '/nonexistent/x.json'" -- \
	"$PROFTUNE" run --task spin --items 10 -o /nonexistent/x.json

done_testing
