#!/bin/sh
# gbench-compare.sh - Google Benchmark's own compare.py reads `proftune report --format gbench`
#
# Usage: sh tests/manual/gbench-compare.sh [BUILDDIR]
# Installs the Debian packages libbenchmark-tools, python3-scipy and
# python3-numpy when compare.py is missing (as root, or through sudo), writes
# the two fixed runs tests/fixtures/cmp-base.json (spin at 20 us an item) and
# cmp-new.json (23 us) in Google Benchmark's format, runs compare.py on them
# and prints its comparison.  Exit 0 when compare.py accepts both files and
# reports the 15% slower time and its U test.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top}
P="$build/proftune"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

find_compare() {
	dpkg -L libbenchmark-tools 2>/dev/null | grep '/compare\.py$' | head -n 1
}
compare=$(find_compare)
if [ -z "$compare" ] || ! /usr/bin/python3 -c 'import scipy, numpy' 2>/dev/null; then
	echo "installing libbenchmark-tools python3-scipy python3-numpy..."
	$SUDO apt-get update -qq >/dev/null &&
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libbenchmark-tools \
		python3-scipy python3-numpy >/dev/null || { echo "cannot install them"; exit 2; }
	compare=$(find_compare)
fi
[ -n "$compare" ] || { echo "compare.py not found in libbenchmark-tools"; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$P" report --format gbench "$top/tests/fixtures/cmp-base.json" -o "$tmp/base.json" &&
"$P" report --format gbench "$top/tests/fixtures/cmp-new.json" -o "$tmp/new.json" || exit 1
cd "$tmp" || exit 1
# Debian's python3, which has the packages just installed (not a pyenv one)
/usr/bin/python3 "$compare" --no-color benchmarks base.json new.json >out.txt 2>&1
st=$?
echo "\$ $compare --no-color benchmarks base.json new.json"
cat out.txt
fail=0
[ $st -eq 0 ] || { echo "FAIL: compare.py exited $st"; fail=1; }
grep -Eq '^spin/workers:1/repeats:5 +\+0\.1' out.txt || { echo "FAIL: no per-run rows with the +1x% change"; fail=1; }
grep -q '^spin/workers:1/repeats:5_pvalue' out.txt || { echo "FAIL: no U test row"; fail=1; }
grep -q '^spin/workers:1/repeats:5_median' out.txt || { echo "FAIL: no aggregate rows"; fail=1; }
grep -q '^OVERALL_GEOMEAN' out.txt || { echo "FAIL: no geometric mean"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: compare.py accepts proftune's gbench files"
exit $fail
