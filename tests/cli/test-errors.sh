#!/bin/sh
# test-errors.sh - items that fail now and then: counted, bounded, goodput, and a tune that answers from it
. "$SRCDIR/tests/cli/tap.sh"

FAULTY="$TEST_TASKS/faulty.so"
short="--duration 0.1 --warmup 0.02 -q"

# 1. 2% of the items fail: within the default bound of 5%
"$PROFTUNE" run --task "$FAULTY" -p what=errors -p every=50 --items 10000 --workers 2 \
	-o two.json >two.txt 2>&1
check "2% failed items: exit 0" test $? -eq 0
check "the trial is ok" test "$(jget two.json trials.0.status)" = ok
check "errors.count counts them" test "$(jget two.json trials.0.errors.count)" = 200
check "errors.rate is their share" fcmp "$(jget two.json trials.0.errors.rate) == 0.02"
check "goodput = (items - errors) / wall_s" fcmp \
	"$(jget two.json trials.0.goodput) / ($(jget two.json trials.0.items) - 200) * $(jget two.json trials.0.wall_s) > 0.999999 &&
	 $(jget two.json trials.0.goodput) / ($(jget two.json trials.0.items) - 200) * $(jget two.json trials.0.wall_s) < 1.000001"
check "the table shows goodput and the failed share" grep -q "goodput.*failed (%)" two.txt
check "a warning counts the failed items" grep -q "200 of 10000 items failed (2%, within --max-error-rate 5%)" two.txt

# 2. the same with --max-error-rate 1: failed, exit 1
"$PROFTUNE" run --task "$FAULTY" -p what=errors -p every=50 --items 10000 --max-error-rate 1 \
	-o one.json >/dev/null 2>&1
check "over --max-error-rate 1: exit 1" test $? -eq 1
check "the trial failed" test "$(jget one.json trials.0.status)" = failed
check "its message gives the counts and the bound" \
	grep -q "(200 of 10000 items failed, 2%, more than --max-error-rate 1%)" one.json
check "the bound is in the document" fcmp "$(jget one.json config.max_error_rate) == 0.01"
"$PROFTUNE" run --task "$FAULTY" -p what=errors -p every=100000 --items 1000 --max-error-rate 0 \
	-o none.json >/dev/null 2>&1
check "--max-error-rate 0 with no failed item: ok" test "$(jget none.json trials.0.status)" = ok

# 3. a clean run shows no error columns
"$PROFTUNE" run --task "$FAULTY" -p what=none --items 1000 -o clean.json >clean.txt 2>&1
check "no failed item: no goodput column" sh -c '! grep -q goodput clean.txt'
check "no failed item: goodput equals throughput" \
	test "$(jget clean.json trials.0.goodput)" = "$(jget clean.json trials.0.throughput)"

# 4. bad bounds
expect_fail "a bound over 100%" 2 "expected a percentage from 0 to 100" -- \
	"$PROFTUNE" run --task "$FAULTY" --max-error-rate 101
expect_fail "a bound that is not a number" 2 "expected a percentage from 0 to 100" -- \
	"$PROFTUNE" run --task "$FAULTY" --max-error-rate lots

# 5. the tuner: a count over the bound is never recommended, whatever its rate
"$PROFTUNE" tune --task "$FAULTY" -p what=errors -p every=10 -p at_workers=2 --workers 1,2 \
	--strategy exhaustive --repeat 2 $short -o over.json >/dev/null 2>&1
check "a tune whose 2-worker trials fail 10% of items: exit 1, with an answer" test $? -eq 1
check "2 workers: no ok trial" test "$(jget over.json summary.per_count.1.ok_trials)" = 0
check "1 worker is recommended" test "$(jget over.json summary.recommended_workers)" = 1
check "1 worker is optimal" test "$(jget over.json summary.optimal_workers)" = 1

# 6. the tuner answers from goodput: the per-count median is the trials' goodput
"$PROFTUNE" tune --task "$FAULTY" -p what=errors -p every=20 --workers 1 \
	--strategy exhaustive --repeat 1 $short -o good.json >/dev/null 2>&1
check "a tune with 5% failed items: exit 0" test $? -eq 0
check "the median is the trial's goodput, not its throughput" \
	test "$(jget good.json summary.per_count.0.median)" = "$(jget good.json trials.0.goodput)"
check "goodput is 95% of throughput" fcmp \
	"$(jget good.json trials.0.goodput) / $(jget good.json trials.0.throughput) > 0.9499 &&
	 $(jget good.json trials.0.goodput) / $(jget good.json trials.0.throughput) < 0.9501"
done_testing
