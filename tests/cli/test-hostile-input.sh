#!/bin/sh
# test-hostile-input.sh - inputs with extreme values: fit refuses what it cannot read truly,
# naming the line, and reads what it can as before; report names the byte of binary data
. "$SRCDIR/tests/cli/tap.sh"

# X(N) = 1000 N / (1 + 0.05 (N-1) + 0.002 N (N-1)) at 1..16 workers
usl() { awk 'BEGIN { for (n = 1; n <= 16; n++) printf "%d,%.10g\n", n, 1000*n/(1+0.05*(n-1)+0.002*n*(n-1)) }'; }
usl >plain.csv
"$PROFTUNE" fit plain.csv --json >plain.json
check "a plain file fits" test "$(jget plain.json points)" = 16

# ---- fit: what used to be dropped or misread ---------------------------------------

printf '\357\273\277' >bom.csv
usl >>bom.csv
"$PROFTUNE" fit bom.csv --json >bom.json
check "a byte order mark is skipped and the 1-worker row kept" test "$(jget bom.json points)" = 16
check "with a byte order mark, the same fit" test "$(jget bom.json lambda)" = "$(jget plain.json lambda)"
{ printf '\357\273\277workers,throughput\r\n'; usl | sed 's/$/\r/'; } >bomhdr.csv
"$PROFTUNE" fit bomhdr.csv --json >bomhdr.json
check "a byte order mark, a header and CRLF lines: the same fit" \
	test "$(jget bomhdr.json sigma)" = "$(jget plain.json sigma)"

{ echo '1,NaN'; usl | tail -n +2; } >nan.csv
expect_fail "a first row 1,NaN is data, refused with its line" 2 \
	"nan.csv:1: '1,NaN' is not a pair of numbers: throughput 'NaN' is not a decimal number" -- \
	"$PROFTUNE" fit nan.csv
{ echo '1,1e999'; usl | tail -n +2; } >inf.csv
expect_fail "a first row 1,1e999 is refused with its line" 2 \
	"inf.csv:1: throughput 1e999 is out of the range of a double" -- "$PROFTUNE" fit inf.csv
{ usl | head -3; echo '4,inf'; } >infword.csv
expect_fail "infinity is not a number" 2 "infword.csv:4: '4,inf' is not a pair of numbers" -- \
	"$PROFTUNE" fit infword.csv
{ usl | head -3; echo '4,1e-300'; } >tiny.csv
expect_fail "a throughput beyond what the fit can square" 2 \
	"tiny.csv:4: throughput 1e-300 is out of range: expected 1e-100 to 1e\+100" -- \
	"$PROFTUNE" fit tiny.csv

{ echo '1,1000'; printf '\0002,1900\n'; usl | tail -n +3; } >nul.csv
expect_fail "a line starting with NUL is binary data, with its line and byte" 2 \
	"nul.csv:2: binary data \(a NUL byte at offset 7\); expected workers,throughput rows" -- \
	"$PROFTUNE" fit nul.csv
{ usl | head -4; printf '# note\000\n'; } >nulcomment.csv
expect_fail "a NUL in a comment is binary data too" 2 "nulcomment.csv:5: binary data" -- \
	"$PROFTUNE" fit nulcomment.csv

{ echo '0x10,100'; usl; } >hex.csv
expect_fail "0x10 is not 16 workers" 2 \
	"hex.csv:1: '0x10,100' is not a pair of numbers: worker count '0x10' is not a decimal number" -- \
	"$PROFTUNE" fit hex.csv
{ usl; echo '17,0x1p10'; } >hexfloat.csv
expect_fail "a hexadecimal float is not a throughput" 2 \
	"hexfloat.csv:17: '17,0x1p10' is not a pair of numbers" -- "$PROFTUNE" fit hexfloat.csv
{ usl; echo '99999999999999999999,5'; } >huge.csv
expect_fail "a huge worker count" 2 \
	"huge.csv:17: worker count 99999999999999999999 is out of range: at most 1000000" -- \
	"$PROFTUNE" fit huge.csv
{ usl; echo '2.5,5'; } >frac.csv
expect_fail "a fractional worker count" 2 "frac.csv:17: worker count 2.5 must be a positive integer" -- \
	"$PROFTUNE" fit frac.csv
printf '1,100\n2,\033]0;title\007\n' >ctl.csv
expect_fail "terminal controls in a refused row are escaped" 2 \
	"ctl.csv:2: '2,\\\\x1b\]0;title\\\\x07' is not a pair of numbers" -- "$PROFTUNE" fit ctl.csv
if grep -q "$(printf '\033')" err; then
	not_ok "no escape character reaches the terminal"
else
	ok "no escape character reaches the terminal"
fi

: >empty.csv
expect_fail "an empty file says so" 2 "'empty.csv' holds no workers,throughput rows" -- \
	"$PROFTUNE" fit empty.csv

# ---- fit: bounds -------------------------------------------------------------------

expect_fail "/dev/zero ends at the size bound" 2 "'/dev/zero' is larger than 64 MiB, the most fit reads" -- \
	timeout 60 "$PROFTUNE" fit /dev/zero
awk 'BEGIN { for (i = 0; i <= 1000000; i++) print "1,1" }' >rows.csv
expect_fail "more than a million rows" 2 "rows.csv:1000001: more than 1000000 rows, the most fit reads" -- \
	"$PROFTUNE" fit rows.csv
# 100,000 rows of the 16 counts: the distinct counts were compared pairwise
# (6.5 s); the same model comes out
awk 'BEGIN { for (i = 0; i < 100000; i++) { n = i % 16 + 1; printf "%d,%.10g\n", n, 1000*n/(1+0.05*(n-1)+0.002*n*(n-1)) } }' >many.csv
"$PROFTUNE" fit many.csv --json >many.json
check "100,000 rows fit" test "$(jget many.json points)" = 100000
check "100,000 rows: sigma within 1%" fcmp "$(jget many.json sigma) > 0.0495 && $(jget many.json sigma) < 0.0505"
check "100,000 rows: kappa within 1%" fcmp "$(jget many.json kappa) > 0.00198 && $(jget many.json kappa) < 0.00202"

# ---- fit: throughput that falls from the first count -------------------------------

printf '1,100\n2,90\n4,80\n8,70\n16,60\n' >falling.csv
"$PROFTUNE" fit falling.csv >falling.txt
check "falling throughput fits" test $? -eq 0
check "falling throughput: the table says it is highest at 1 worker" \
	grep -q "no scaling: the model's throughput is highest at 1 worker and falls as workers are added" falling.txt
if grep -q "kappa is 0" falling.txt; then
	not_ok "falling throughput: no claim that kappa is 0" "$(grep kappa falling.txt)"
else
	ok "falling throughput: no claim that kappa is 0"
fi
check "falling throughput: no peak is predicted" sh -c '! grep -q "predicted peak" falling.txt'
printf '1,100\n2,60\n4,30\n8,15\n16,7\n' >steep.csv
"$PROFTUNE" fit steep.csv >steep.txt
check "steeply falling throughput: no peak below 1 worker" sh -c '! grep -q "predicted peak" steep.txt'
check "steeply falling throughput: highest at 1 worker" grep -q "highest at 1 worker" steep.txt

# ---- report: the byte of binary data -----------------------------------------------

printf '[1, 2, x]\000' >bin.json
expect_fail "binary data names its first NUL, not the parse error" 2 \
	"'bin.json' is binary data, not JSON \(byte 9 is 0x00\)" -- "$PROFTUNE" report bin.json
printf '{"a\000b": 1x}' >bin2.json
expect_fail "a NUL before the parse error is named" 2 \
	"'bin2.json' is binary data, not JSON \(byte 3 is 0x00\)" -- "$PROFTUNE" report bin2.json

done_testing
