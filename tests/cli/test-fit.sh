#!/bin/sh
# test-fit.sh - `proftune fit` models any (N, X) data and refuses bad files
. "$SRCDIR/tests/cli/tap.sh"

# X(N) = 1000 N / (1 + 0.05 (N-1) + 0.002 N (N-1))
awk 'BEGIN { print "workers,throughput"; for (n = 1; n <= 16; n++) printf "%d,%.10g\n", n, 1000*n/(1+0.05*(n-1)+0.002*n*(n-1)) }' >usl.csv
"$PROFTUNE" fit usl.csv --json >fit.json
check "fit exits 0 with JSON" jget fit.json sigma
check "sigma recovered within 1%" fcmp "$(jget fit.json sigma) > 0.0495 && $(jget fit.json sigma) < 0.0505"
check "kappa recovered within 1%" fcmp "$(jget fit.json kappa) > 0.00198 && $(jget fit.json kappa) < 0.00202"
check "lambda recovered within 1%" fcmp "$(jget fit.json lambda) > 990 && $(jget fit.json lambda) < 1010"
check "peak N* = sqrt((1 - sigma) / kappa) = 21.8" fcmp "$(jget fit.json peak_workers) > 21.7 && $(jget fit.json peak_workers) < 21.9"
check "ordinary least squares is the default loss" test "$(jget fit.json loss)" = ols
check "the fit says it converged" test "$(jget fit.json converged)" = true
check "the peak's 95% interval holds the true peak" fcmp "$(jget fit.json peak_workers_low) <= 21.794494718 && $(jget fit.json peak_workers_high) >= 21.794494717"
check "standard errors are given" fcmp "$(jget fit.json sigma_se) >= 0 && $(jget fit.json kappa_se) >= 0"
"$PROFTUNE" fit --loss relative usl.csv --json >rel.json
check "--loss relative is said in the JSON" test "$(jget rel.json loss)" = relative
check "--loss relative recovers kappa too" fcmp "$(jget rel.json kappa) > 0.00198 && $(jget rel.json kappa) < 0.00202"
"$PROFTUNE" fit --loss log usl.csv >log.txt
check "the table names the loss" grep -q "least squares on log residuals" log.txt
expect_fail "an unknown loss" 2 "unknown loss 'abs'; expected ols, relative or log" -- \
	"$PROFTUNE" fit --loss abs usl.csv
tail -n +2 usl.csv >noheader.csv
"$PROFTUNE" fit noheader.csv >fit.txt
check "the header is optional and the table names the peak" grep -q "predicted peak" fit.txt

printf '1,100\n2,190\n4,350\n' >three.csv
expect_fail "fewer than 4 distinct counts" 2 "3 distinct worker counts; the model needs at least 4" -- \
	"$PROFTUNE" fit three.csv
printf 'workers,throughput\n1,100\n2,abc\n4,350\n8,600\n' >nan.csv
expect_fail "a non-number names its line" 2 "nan.csv:3: '2,abc' is not a pair of numbers" -- \
	"$PROFTUNE" fit nan.csv
printf '1,100\n2,190\n4,-350\n8,600\n' >neg.csv
expect_fail "a negative throughput names its line" 2 "neg.csv:3: throughput -350 is negative" -- \
	"$PROFTUNE" fit neg.csv
printf '1,100\n-2,190\n4,350\n8,600\n' >negw.csv
expect_fail "a negative count names its line" 2 "negw.csv:2: worker count -2 must be a positive integer" -- \
	"$PROFTUNE" fit negw.csv
printf '1;100\n' >semi.csv
expect_fail "a row without a comma" 2 "semi.csv:1: expected two comma-separated values" -- \
	"$PROFTUNE" fit semi.csv
expect_fail "a missing file" 2 "cannot open 'none.csv'" -- "$PROFTUNE" fit none.csv
expect_fail "no file" 2 "no data file given" -- "$PROFTUNE" fit

done_testing
