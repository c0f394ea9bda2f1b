#!/bin/sh
# trace-viewer.sh - load a `proftune --trace` file in a real viewer: speedscope in headless Chromium
#
# Not part of `make check` (it needs a browser and the npm registry).  Run it
# from the build directory:
#
#     tests/manual/trace-viewer.sh [TRACE.json]
#
# Without an argument it writes a trace with
#     ./proftune run --task instrumented --workers 2 --duration 0.2 --trace FILE
# Requirements: chromium (Debian: apt-get install -y chromium) and npm, which
# installs speedscope (npm install speedscope) into $SPEEDSCOPE_DIR (default
# ~/.cache/proftune-speedscope) the first time.
#
# speedscope's importer turns every thread with complete or begin/end events
# into a profile named "PROCESS (pid P), THREAD (tid T)" from the trace's
# metadata.  The check opens speedscope's page in headless Chromium with the
# trace, the way its own command-line tool does (a script calling
# speedscope.loadFileFromBase64), lets it run, and reads the page back: the
# title names the loaded file only when the import succeeded, and the
# profile list must hold one profile per "worker N" track.  Prints TAP; exit
# status 0 when every check passed.
set -u

builddir=${BUILDDIR:-$(pwd)}
dir=${SPEEDSCOPE_DIR:-$HOME/.cache/proftune-speedscope}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trace-viewer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ $# -gt 1 ] && echo "# $2"; }

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	echo "Bail out! no chromium; install it with: apt-get install -y chromium"
	exit 2
fi
if [ ! -f "$dir/node_modules/speedscope/dist/release/index.html" ]; then
	command -v npm >/dev/null || { echo "Bail out! no npm to install speedscope"; exit 2; }
	mkdir -p "$dir" && (cd "$dir" && npm install --silent --no-audit --no-fund speedscope >/dev/null 2>&1) ||
		{ echo "Bail out! npm install speedscope failed in $dir"; exit 2; }
fi
page="$dir/node_modules/speedscope/dist/release/index.html"
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dir/node_modules/speedscope/package.json")

if [ $# -ge 1 ]; then
	trace=$1
	workers=${WORKERS:-2}
else
	trace=$tmp/trace.json
	workers=2
	PROFTUNE_TASK_PATH="$builddir/examples/.libs" "$builddir/proftune" run --task instrumented \
		--workers $workers --duration 0.2 --trace "$trace" -o "$tmp/results.json" -q >/dev/null ||
		{ echo "Bail out! proftune run --trace failed (run this from the build directory)"; exit 2; }
fi
name=$(basename "$trace")
echo "# $(wc -c <"$trace") bytes of trace; speedscope $version; $($browser --version 2>/dev/null)"

# what speedscope's own command-line tool does: a script that hands the
# file to the app, named in the page's #localProfilePath
printf 'speedscope.loadFileFromBase64(%s, "' "\"$name\"" >"$tmp/load.js"
base64 -w0 "$trace" >>"$tmp/load.js"
printf '")\n' >>"$tmp/load.js"
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
	--virtual-time-budget=30000 --dump-dom "file://$page#localProfilePath=$tmp/load.js" \
	>"$tmp/dom.html" 2>"$tmp/browser.log"
if [ $? -eq 0 ]; then ok "headless Chromium ran speedscope"; else not_ok "headless Chromium ran speedscope" "$(tail -3 "$tmp/browser.log")"; fi

if grep -q "<title>$name - speedscope</title>" "$tmp/dom.html"; then
	ok "speedscope imported the trace (title '$name - speedscope')"
else
	not_ok "speedscope imported the trace" "title: $(grep -o '<title>[^<]*</title>' "$tmp/dom.html")"
fi
if grep -qi "something went wrong\|unrecognized format" "$tmp/dom.html"; then
	not_ok "no import error on the page"
else
	ok "no import error on the page"
fi
# the profile list: one row per thread, "PROCESS (pid P), THREAD (tid T)"
grep -o 'title="[^"]*(pid [0-9]*), [^"]*(tid [0-9]*)"' "$tmp/dom.html" | sort -u >"$tmp/profiles.txt"
echo "# profiles: $(sed 's/title=//' "$tmp/profiles.txt" | tr '\n' ' ')"
for i in $(seq 0 $((workers - 1))); do
	if grep -q ", worker $i (tid [0-9]*)\"" "$tmp/profiles.txt"; then
		ok "speedscope shows the track of worker $i"
	else
		not_ok "speedscope shows the track of worker $i"
	fi
done
# each worker profile's pid/tid is the one of its metadata in the file
for pt in $(sed -n 's/.*(pid \([0-9]*\)), worker [0-9]* (tid \([0-9]*\))"/\1:\2/p' "$tmp/profiles.txt"); do
	pid=${pt%:*} tid=${pt#*:}
	if grep -q "\"ph\":\"M\",\"pid\":$pid,\"tid\":$tid,\"args\":{\"name\":\"worker" "$trace"; then
		ok "worker track pid $pid tid $tid matches the trace's thread_name metadata"
	else
		not_ok "worker track pid $pid tid $tid matches the trace's thread_name metadata"
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
