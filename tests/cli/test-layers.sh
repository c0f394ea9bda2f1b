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

# cycles OBJECT...: the cycles of calls between the objects' source files, one
# line each ("a.c -> b.c -> a.c"): a file calls another when it uses a symbol
# the other defines
cycles() {
	for o in "$@"; do
		name=${o##*/}
		name=${name#libpt_la-}
		name=${name#proftune-}
		name=${name%.o}
		case $o in
		*/src/cli/*) dir=cli ;;
		*) dir=${o%/.libs/*}; dir=${dir##*/} ;;
		esac
		# an object left from a source file that no longer exists
		case $dir in
		cli) src="$SRCDIR/src/cli/$name.c" ;;
		*) src="$SRCDIR/src/lib/$dir/$name.c" ;;
		esac
		[ -n "${CYCLES_ANY:-}" ] || [ -f "$src" ] || continue
		nm -g --defined-only "$o" 2>/dev/null | awk -v f="$dir/$name.c" 'NF == 3 { print "D", $3, f }'
		nm -u "$o" 2>/dev/null | awk -v f="$dir/$name.c" '{ print "U", $NF, f }'
	done | awk '
	$1 == "D" { def[$2] = $3; next }
	{ use[NR] = $2; from[NR] = $3 }
	END {
		for (i in use)
			if ((use[i] in def) && def[use[i]] != from[i])
				edge[from[i] SUBSEP def[use[i]]] = 1
		for (e in edge) {
			split(e, ab, SUBSEP)
			node[ab[1]] = 1; node[ab[2]] = 1
			out[ab[1]] = out[ab[1]] " " ab[2]
		}
		# Tarjan: every strongly connected component of more than one file
		idx = 0
		for (v in node)
			if (!(v in num))
				visit(v)
	}
	function visit(v,    n, k, w, list, comp) {
		num[v] = low[v] = ++idx
		stack[++sp] = v; on[v] = 1
		n = split(out[v], list, " ")
		for (k = 1; k <= n; k++) {
			w = list[k]
			if (!(w in num)) {
				visit(w)
				if (low[w] < low[v]) low[v] = low[w]
			} else if (on[w] && num[w] < low[v]) {
				low[v] = num[w]
			}
		}
		if (low[v] == num[v]) {
			comp = ""; k = 0
			do { w = stack[sp--]; on[w] = 0; comp = comp (k++ ? " <-> " : "") w } while (w != v)
			if (k > 1) print "call cycle: " comp
		}
	}'
}

out=$(violations "$SRCDIR")
if [ -z "$out" ]; then
	ok "no include points to a higher layer"
else
	not_ok "no include points to a higher layer" "$out"
fi

B=$(dirname "$PROFTUNE")
set -- "$B"/src/lib/*/.libs/libpt_la-*.o "$B"/src/cli/proftune-*.o
if [ -f "$1" ]; then
	out=$(cycles "$@")
	if [ -z "$out" ]; then
		ok "no two source files call each other, directly or around a cycle"
	else
		not_ok "no two source files call each other, directly or around a cycle" "$out"
	fi
else
	not_ok "no two source files call each other, directly or around a cycle" "no objects in $B"
fi

# the cycle finder itself: three files calling around, and a pair
mkdir -p "$TMP/obj/src/lib/base/.libs"
for f in a b c d e; do
	case $f in
	a) body='void b_fn(void); void a_fn(void) { b_fn(); }' ;;
	b) body='void c_fn(void); void b_fn(void) { c_fn(); }' ;;
	c) body='void a_fn(void); void c_fn(void) { a_fn(); }' ;;
	d) body='void e_fn(void); void d_fn(void) { e_fn(); }' ;;
	e) body='void e_fn(void) { }' ;;
	esac
	echo "$body" | ${CC:-cc} -x c -c -o "$TMP/obj/src/lib/base/.libs/libpt_la-$f.o" - || true
done
out=$(CYCLES_ANY=1 cycles "$TMP"/obj/src/lib/base/.libs/*.o)
check "a cycle through three files is caught" sh -c 'echo "$1" | grep -q "base/a.c" && echo "$1" | grep -q "base/c.c"' _ "$out"
check "a call without a cycle passes" sh -c '! echo "$1" | grep -q "base/d.c"' _ "$out"

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
