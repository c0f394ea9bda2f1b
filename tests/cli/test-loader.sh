#!/bin/sh
# test-loader.sh - every task the loader refuses exits 2 with a message naming it
. "$SRCDIR/tests/cli/tap.sh"

run_task() {
	"$PROFTUNE" run --task "$1" --items 10 -o refused.json
}

expect_fail "missing file" 2 "cannot open task './nothere.so': no such file" -- run_task ./nothere.so
: >empty.so
expect_fail "empty file" 2 "task './empty.so' is an empty file" -- run_task ./empty.so
echo "not a library" >text.so
expect_fail "not a shared object" 2 "task './text.so' is not a shared object" -- run_task ./text.so
head -c 2000 "$TEST_TASKS/good.so" >truncated.so
expect_fail "truncated shared object" 2 "task './truncated.so' cannot be loaded" -- run_task ./truncated.so
cp "$TEST_TASKS/good.so" foreign.so
# e_machine (offset 18) set to 183, AArch64: a shared object of another architecture
printf '\267\000' | dd of=foreign.so bs=1 seek=18 conv=notrunc 2>/dev/null
expect_fail "wrong architecture" 2 "task './foreign.so' cannot be loaded" -- run_task ./foreign.so
expect_fail "no proftune_task symbol" 2 "does not export the symbol 'proftune_task'" -- \
	run_task "$TEST_TASKS/nosym.so"
expect_fail "ABI version 999" 2 "has ABI version 999; this proftune supports 1" -- \
	run_task "$TEST_TASKS/abi999.so"
expect_fail "ABI version 0" 2 "has ABI version 0; this proftune supports 1" -- \
	run_task "$TEST_TASKS/abi0.so"
expect_fail "struct smaller than version 1" 2 "smaller than version 1" -- \
	run_task "$TEST_TASKS/small.so"
expect_fail "no run callback" 2 "has no run callback" -- run_task "$TEST_TASKS/norun.so"
expect_fail "unknown bare name" 2 "task 'nosuchtask' not found in" -- run_task nosuchtask
check "no results file is written for a refused task" [ ! -e refused.json ]

# bare names: $PROFTUNE_TASK_PATH first, then the build tree / installed directory
PROFTUNE_TASK_PATH="$TEST_TASKS" "$PROFTUNE" run --task good --items 10 -o good.json -q >/dev/null
check "a bare name is found in \$PROFTUNE_TASK_PATH" [ "$(jget good.json task.name)" = good ]
PROFTUNE_TASK_PATH= "$PROFTUNE" run --task spin --items 10 -o spin.json -q >/dev/null
check "bundled tasks are found by name in the build tree" [ "$(jget spin.json task.name)" = spin ]
PROFTUNE_TASK_PATH= "$PROFTUNE" tasks >tasks.txt
check "'proftune tasks' lists the bundled tasks" sh -c \
	"grep -q '^  spin ' tasks.txt && grep -q '^  contended ' tasks.txt && grep -q '^  sleep ' tasks.txt && grep -q '^  memstream ' tasks.txt"

done_testing
