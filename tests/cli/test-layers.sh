#!/bin/sh
# test-layers.sh - libproftune's layers: no file includes a header of a higher
# layer, every library .c has its header beside it, and the command includes
# only the installed header and its own
. "$SRCDIR/tests/cli/tap.sh"

# The layers, lowest first; a file may include its own layer and those below.
LAYERS="base stats instr engine doc tune report"

# violations DIR: one line per include in DIR/src that breaks the rules
violations() {
	for f in "$1"/src/lib/*/*.[ch] "$1"/src/cli/*.[ch]; do
		[ -f "$f" ] || continue
		rel=${f#"$1"/src/}
		case $rel in
		lib/*) from=${rel#lib/}; from=${from%%/*} ;;
		*) from=cli ;;
		esac
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' |
		while read -r line inc; do
			case $inc in
			config.h|proftune.h) continue ;;
			esac
			if [ "$from" = cli ]; then
				case $inc in
				*/*) echo "$rel:$line: the command includes library internals \"$inc\"" ;;
				esac
				continue
			fi
			to=${inc%%/*}
			if [ "$to" = "$inc" ]; then
				echo "$rel:$line: \"$inc\" names no layer; write \"LAYER/$inc\""
				continue
			fi
			rf=$(rank "$from")
			rt=$(rank "$to")
			if [ -z "$rt" ]; then
				echo "$rel:$line: \"$inc\" is in no layer ($LAYERS)"
			elif [ "$rt" -gt "$rf" ]; then
				echo "$rel:$line: $from includes the higher layer $to (\"$inc\")"
			fi
		done
	done
	for c in "$1"/src/lib/*/*.c; do
		[ -f "$c" ] || continue
		[ -f "${c%.c}.h" ] || echo "${c#"$1"/src/}: has no header beside it"
	done
}

# rank LAYER: its position in LAYERS (empty when unknown)
rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}

out=$(violations "$SRCDIR")
if [ -z "$out" ]; then
	ok "no include points to a higher layer"
else
	not_ok "no include points to a higher layer" "$out"
fi

# the checker itself must catch each kind of violation
fake="$TMP/tree"
mkdir -p "$fake/src/lib/base" "$fake/src/lib/doc" "$fake/src/cli"
printf '#include "doc/results.h"\n' >"$fake/src/lib/base/util.c"
: >"$fake/src/lib/base/util.h"
printf '#include "base/util.h"\n#include "results.h"\n' >"$fake/src/lib/doc/results.c"
printf '#include "proftune.h"\n#include "doc/results.h"\n' >"$fake/src/cli/main.c"
out=$(violations "$fake")
check "an upward include is caught" sh -c 'echo "$1" | grep -q "base/util.c:1: base includes the higher layer doc"' _ "$out"
check "an include without its layer is caught" sh -c 'echo "$1" | grep -q "doc/results.c:2: \"results.h\" names no layer"' _ "$out"
check "a library .c without a header is caught" sh -c 'echo "$1" | grep -q "lib/doc/results.c: has no header"' _ "$out"
check "the command including internals is caught" sh -c 'echo "$1" | grep -q "cli/main.c:2: the command includes library internals"' _ "$out"
check "a downward include passes" sh -c '! echo "$1" | grep -q "results.c:1"' _ "$out"

done_testing
