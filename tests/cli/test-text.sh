#!/bin/sh
# test-text.sh - text from tasks, parameters and documents cannot break a JSON file nor reach
# the terminal as control characters: every JSON written loads in Python, every text output is
# strict UTF-8 without ESC, BEL or C1 controls, and valid non-ASCII text stays, aligned
. "$SRCDIR/tests/cli/tap.sh"

P=$PROFTUNE
FIX="$SRCDIR/tests/fixtures"
GOOD="$TEST_TASKS/good.so"

# json_ok NAME FILE: Python's json module reads FILE (strict UTF-8)
json_ok() {
	if python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$2" \
		2>"$TMP/py.err"; then
		ok "$1: Python reads the JSON"
	else
		not_ok "$1: Python reads the JSON" "$(tail -n 1 "$TMP/py.err")"
	fi
}

# shown_ok NAME FILE: FILE is strict UTF-8 and holds no control character
# but newline, CR LF (CSV's line end) and tab (no ESC, BEL, lone CR, DEL,
# C1): nothing in it can move the cursor, set the title or clear the screen
shown_ok() {
	if python3 - "$2" 2>"$TMP/py.err" <<'EOF'
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "strict").replace("\r\n", "\n")
bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]
if bad:
    sys.exit("control characters: %r" % sorted(set(bad)))
EOF
	then
		ok "$1: strict UTF-8, no control characters"
	else
		not_ok "$1: strict UTF-8, no control characters" "$(tail -n 1 "$TMP/py.err")"
	fi
}

# has NAME FILE TEXT: FILE holds TEXT (fixed string)
has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "no '$3' in $2"; fi
}

# The hostile strings: a terminal title and a screen clear, C1 controls,
# and each class of ill-formed UTF-8 (stray continuation, overlong forms,
# a surrogate, a code point above U+10FFFF, a sequence cut short), beside
# valid text that must stay: "café µs 中文".
# hostile SRC DEST [PLACEMENT]: write DEST, fixture SRC with hostile host,
# task, parameter, message, warning, counter and note names (and all its
# trials at PLACEMENT when given)
hostile() {
	python3 - "$FIX/$1" "$2" "${3:-}" <<'EOF' || exit 1
import json, sys
src, dest, placement = sys.argv[1:4]
d = json.load(open(src, encoding="utf-8"))
title = "\u001b]0;pwned\u0007\u001b[2J"
d["host"]["hostname"] = title + "@BAD1@"
d["host"]["cpu_model"] = "caf\u00e9 \u00b5s \u4e2d\u6587 \u009b31m\u0085"
d["task"]["name"] = d["task"]["name"] + "\u001b[5m@BAD2@, \"q\""
d["task"]["params"]["k\u001b[1m@BAD3@"] = "line1\nline2\u0007\r"
d["warnings"] = [{"message": "warn " + title + "@BAD4@", "count": 1}]
t = d["trials"][0]
t["message"] = "boom\u001b[2J\u007f@BAD5@"
t["counters"]["user"]["ops\u001b[31m@BAD6@"] = {"value": 5, "rate": 1.5}
t["notes"]["note\u0007@BAD7@"] = 1
if placement:
    for t in d["trials"]:
        t["placement"] = placement
text = json.dumps(d, ensure_ascii=False, indent=1).encode("utf-8")
for i, raw in enumerate([b"\xff\xfe", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                         b"\xf4\x90\x80\x80", b"\x80\xbf", b"\xe2\x82"], 1):
    text = text.replace(b"@BAD%d@" % i, raw)
open(dest, "wb").write(text)
EOF
}

# 1. documents read by report
hostile run-spin.json run-bad.json
hostile tune-contended.json tune-bad.json
hostile cmp-base.json base-bad.json "中文é"
hostile cmp-new.json new-bad.json "中文é"
if python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' run-bad.json 2>/dev/null; then
	not_ok "the crafted document holds ill-formed UTF-8"
else
	ok "the crafted document holds ill-formed UTF-8"
fi
check "report reads the crafted run" "$P" report run-bad.json
for doc in run-bad tune-bad; do
	"$P" report "$doc.json" >"$doc.table" 2>"$doc.err"
	shown_ok "report $doc.json (table)" "$doc.table"
	shown_ok "report $doc.json (stderr)" "$doc.err"
	for fmt in markdown csv svg; do
		"$P" report --format $fmt "$doc.json" >"$doc.$fmt" 2>>"$doc.err"
		shown_ok "report --format $fmt $doc.json" "$doc.$fmt"
	done
	for fmt in json trace gbench; do
		"$P" report --format $fmt "$doc.json" >"$doc.$fmt.json" 2>>"$doc.err"
		json_ok "report --format $fmt $doc.json" "$doc.$fmt.json"
	done
done
has "the title is shown escaped, as text" run-bad.table '\x1b]0;pwned\x07\x1b[2J'
has "a C1 control is shown escaped" run-bad.table '\u009b31m\u0085'
has "a newline inside a parameter is shown escaped" run-bad.table 'line1\nline2\x07\r'
has "ill-formed UTF-8 is shown as U+FFFD" run-bad.table "$(printf '\357\277\275')"
has "valid non-ASCII text stays" run-bad.table "café µs 中文"
has "a counter's name is shown escaped" run-bad.table 'ops\x1b[31m'
has "a note's name is shown escaped" run-bad.table 'note\x07'
has "markdown keeps valid non-ASCII text" run-bad.markdown "café µs 中文"
has "JSON keeps the control characters, escaped" run-bad.json.json '\u001b]0;pwned\u0007'
has "JSON keeps valid non-ASCII text" run-bad.json.json "café µs 中文"
# CSV: a name with a comma and quotes is one quoted field, shown escaped
if python3 - run-bad.csv <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
task = [r[rows[0].index("task")] for r in rows[1:]]
sys.exit(0 if len({len(r) for r in rows}) == 1 and
         task and all(t == "spin\\x1b[5m\ufffd\ufffd, \"q\"" for t in task) else 1)
EOF
then
	ok "csv: the task's name is one field, quoted, its escape shown"
else
	not_ok "csv: the task's name is one field, quoted, its escape shown" "$(sed -n 2p run-bad.csv)"
fi

# 2. a comparison of crafted documents: the wide characters of the
# placement keep the table's columns aligned
"$P" report --compare base-bad.json new-bad.json >cmp.table 2>cmp.err
shown_ok "report --compare (table)" cmp.table
shown_ok "report --compare (stderr)" cmp.err
for fmt in markdown csv; do
	"$P" report --compare base-bad.json new-bad.json --format $fmt >cmp.$fmt 2>/dev/null
	shown_ok "report --compare --format $fmt" cmp.$fmt
done
"$P" report --compare base-bad.json new-bad.json --format json >cmp.json 2>/dev/null
json_ok "report --compare --format json" cmp.json
if python3 - cmp.table <<'EOF'
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if "placement" in l and "trials" in l:
        head = width(l[:l.index("trials") + len("trials")])
        row = lines[i + 1]
        if "中文é" not in row:
            sys.exit("no placement in " + row)
        end = row.index("/", row.index("中文é"))
        while row[end] != " ":
            end += 1
        if width(row[:end]) != head:
            sys.exit("trials ends at %d, its title at %d" % (width(row[:end]), head))
        sys.exit(0)
sys.exit("no table")
EOF
then
	ok "compare: a placement of wide characters keeps the columns aligned"
else
	not_ok "compare: a placement of wide characters keeps the columns aligned" "$(head -n 6 cmp.table)"
fi

# 3. parameters of a run: in its document, its trace, and on the screen
BADP=$(printf 'k\377=v\033]0;pwned\007\033[2J\300\257 caf\303\251 \355\240\200\342\202')
"$P" run --task "$GOOD" -p "$BADP" -d 0.05 -r 1 -o run.json --trace run.trace.json \
	>run.out 2>run.err
shown_ok "run prints no control characters" run.out
shown_ok "run's messages hold no control characters" run.err
json_ok "the document of a run with hostile parameters" run.json
json_ok "the trace of a run with hostile parameters" run.trace.json
has "the run shows the parameter escaped" run.out '\x1b]0;pwned\x07\x1b[2J'
"$P" report run.json >run.table 2>/dev/null
shown_ok "report of that run" run.table
"$P" run --task "$GOOD" -p "$BADP" -d 0.05 -r 1 --json >run.stdout.json 2>/dev/null
json_ok "run --json with hostile parameters" run.stdout.json

done_testing
