#!/bin/sh
# svg-render.sh - `proftune report --plot` renders in headless Chromium and shows the curve
#
# Usage: sh tests/manual/svg-render.sh [BUILDDIR] [OUTDIR]
# Installs the Debian package chromium when missing (as root, or through
# sudo), plots the fixed tune tests/fixtures/tune-contended.json and the run
# tests/fixtures/run-spin.json, screenshots each SVG at 1000x800 into OUTDIR
# (default: the current directory) as proftune-tune.png and proftune-run.png,
# and counts the pixels of the plot's colours in them: the model curve
# (#ff7f0e), the medians (#1f77b4) and the p99 line (#9467bd).  Exit 0 when
# every screenshot shows them.  Look at the PNG files too.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top}
out=$(cd "${2:-.}" && pwd)
P="$build/proftune"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if ! command -v chromium >/dev/null 2>&1; then
	echo "installing chromium..."
	$SUDO apt-get update -qq >/dev/null &&
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null ||
		{ echo "cannot install chromium"; exit 2; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shoot SVG PNG: a headless screenshot of the SVG file
shoot() {
	profile=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --screenshot="$2" --window-size=1000,800 \
		"file://$1" >"$tmp/chromium.log" 2>&1
	rm -rf "$profile"
	[ -s "$2" ]
}

# count PNG R G B: pixels within 40 of that colour (a PNG decoder in the
# Python standard library: zlib and the five row filters)
count() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
path, want = sys.argv[1], [int(v) for v in sys.argv[2:5]]
data = open(path, 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), 'unexpected PNG type'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += n + 12
raw, stride, prev, hits, i = zlib.decompress(idat), w * bpp, None, 0, 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    prev = prev or bytearray(stride)
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        if all(abs(line[x + k] - want[k]) <= 40 for k in range(3)):
            hits += 1
    prev = line
print(hits)
PY
}

fail=0
for doc in tune:tune-contended run:run-spin; do
	name=${doc%%:*} fixture=${doc#*:}
	"$P" report --format svg "$top/tests/fixtures/$fixture.json" -o "$tmp/$name.svg" || exit 1
	png="$out/proftune-$name.png"
	if ! shoot "$tmp/$name.svg" "$png"; then
		echo "FAIL: chromium made no screenshot of the $name plot"
		tail -n 5 "$tmp/chromium.log"
		fail=1
		continue
	fi
	medians=$(count "$png" 31 119 180)
	p99=$(count "$png" 148 103 189)
	echo "$name: $png: $medians median/p50 pixels, $p99 p99 pixels"
	[ "$medians" -gt 100 ] || { echo "FAIL: no medians drawn"; fail=1; }
	[ "$p99" -gt 50 ] || { echo "FAIL: no p99 drawn"; fail=1; }
	if [ "$name" = tune ]; then
		curve=$(count "$png" 255 127 14)
		echo "$name: $curve model curve pixels"
		[ "$curve" -gt 500 ] || { echo "FAIL: the model curve is not visible"; fail=1; }
	fi
done
[ $fail -eq 0 ] && echo "PASS: the plots render in headless Chromium with their curves"
exit $fail
