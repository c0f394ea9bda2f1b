#!/bin/sh
# test-exports.sh - libproftune exports exactly what proftune.h declares: no
# internal function leaks, and no declared function is missing
. "$SRCDIR/tests/cli/tap.sh"

header="$SRCDIR/src/proftune.h"
lib="$(dirname "$PROFTUNE")/.libs/libproftune.so"

# declared HEADER: the functions and variables HEADER declares, one a line.
# Comments, preprocessor lines and the C++ guard go first; then each
# statement outside braces is a declaration: `NAME(` names a function unless
# it is in parentheses (a function pointer), `extern ... NAME` a variable.
# A function body ends its definition (the static inline helpers, not
# exported); a struct or enum body stays in the statement it starts.
declared() {
	awk '
	{ line = line $0 }
	/\\$/ { sub(/\\$/, "", line); next }
	line ~ /^[ \t]*#[ \t]*ifdef[ \t]+__cplusplus/ { cxx = 1 }
	!cxx && line !~ /^[ \t]*#/ { text = text line "\n" }
	line ~ /^[ \t]*#[ \t]*endif/ { cxx = 0 }
	{ line = "" }
	END {
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", text)
		gsub(/\/\/[^\n]*/, " ", text)
		gsub(/[\n\t]/, " ", text)
		depth = 0; stmt = ""
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1)
			if (c == "{") {
				if (depth++ == 0) { head = stmt; stmt = "" }
			} else if (c == "}") {
				if (--depth == 0)
					stmt = head ~ /\)[ \t]*$/ ? "" : head " "
			} else if (depth == 0) {
				if (c == ";") { emit(stmt); stmt = "" }
				else stmt = stmt c
			}
		}
	}
	function emit(s,   name) {
		if (s ~ /(^|[^A-Za-z0-9_])typedef[ \t]/)
			return
		if (match(s, /[A-Za-z0-9_]+[ \t]*\(/)) {
			if (substr(s, 1, RSTART - 1) ~ /\([ \t]*\*?[ \t]*$/)
				return
			name = substr(s, RSTART, RLENGTH)
		} else if (s ~ /(^|[^A-Za-z0-9_])extern[ \t]/ &&
		           match(s, /[A-Za-z0-9_]+[ \t]*(\[[^]]*\])?[ \t]*$/)) {
			name = substr(s, RSTART, RLENGTH)
		} else
			return
		sub(/[ \t]*[(\[].*$/, "", name)
		sub(/[ \t]+$/, "", name)
		print name
	}' "$1" | LC_ALL=C sort -u
}

# exported LIB: the symbols LIB defines in its dynamic symbol table, one a
# line, without version suffixes.  Older linkers also export the markers
# they define themselves (_init, _fini, _edata, _end, __bss_start), and
# AddressSanitizer an ODR indicator (__odr_asan.NAME or __odr_asan_gen_NAME)
# beside each exported variable; those are no symbols of ours.
exported() {
	nm -D --defined-only "$1" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' |
	grep -Ev '^(_init|_fini|_edata|_end|__bss_start|__odr_asan[._].*)$' |
	LC_ALL=C sort -u
}

# compare DECLARED EXPORTED: one line per symbol in only one of the two
# sorted lists; nothing when they are the same
compare() {
	LC_ALL=C comm -13 "$1" "$2" | sed 's/^/exported but not declared: /'
	LC_ALL=C comm -23 "$1" "$2" | sed 's/^/declared but not exported: /'
}

declared "$header" >"$TMP/declared"
ndecl=$(wc -l <"$TMP/declared")
check "proftune.h declares functions" test "$ndecl" -gt 100

if [ ! -f "$lib" ]; then
	# a static-only build (--disable-shared) has no export list to check
	T_COUNT=$((T_COUNT + 1))
	echo "ok $T_COUNT - # SKIP no shared library at $lib"
else
	exported "$lib" >"$TMP/exported"
	nexp=$(wc -l <"$TMP/exported")
	out=$(compare "$TMP/declared" "$TMP/exported")
	if [ -z "$out" ]; then
		ok "libproftune.so exports exactly what proftune.h declares ($nexp symbols)"
	else
		not_ok "libproftune.so exports exactly what proftune.h declares" \
			"$nexp exported, $ndecl declared"
		echo "$out" | sed 's/^/# /'
	fi
fi

# the comparison must catch a leaked internal and a missing declaration
sed 1d "$TMP/declared" >"$TMP/fake-exported"
echo pt_internal_helper >>"$TMP/fake-exported"
LC_ALL=C sort -o "$TMP/fake-exported" "$TMP/fake-exported"
first=$(head -n 1 "$TMP/declared")
out=$(compare "$TMP/declared" "$TMP/fake-exported")
check "an exported internal symbol is caught" \
	sh -c 'echo "$1" | grep -qx "exported but not declared: pt_internal_helper"' _ "$out"
check "a declared symbol that is not exported is caught" \
	sh -c 'echo "$1" | grep -qx "declared but not exported: $2"' _ "$out" "$first"
check "nothing else is reported" test "$(echo "$out" | wc -l)" -eq 2
check "the same lists pass" test -z "$(compare "$TMP/declared" "$TMP/declared")"

# the header reader must find every kind of declaration and nothing else
cat >"$TMP/fake.h" <<'EOF'
#define PT_FAKE(x) pt_macro(x) \
	+ pt_macro_continued(x)
/* pt_in_comment(void); */
typedef int (*pt_callback)(void *arg);
struct pt_thing {
	int (*pt_member)(int);
	unsigned n;
};
PT_API int pt_one(void);
PT_API struct pt_thing *pt_multi(const char *a,
                                 int b);
PT_API void pt_fmt(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
extern PT_API int pt_variable;
static inline int pt__helper(int x)
{
	return pt_one() + x;
}
PT_API int pt_after_helper(void);
#ifdef __cplusplus
extern "C" {
#endif
EOF
printf '%s\n' pt_after_helper pt_fmt pt_multi pt_one pt_variable >"$TMP/fake-want"
declared "$TMP/fake.h" >"$TMP/fake-got"
if diff "$TMP/fake-want" "$TMP/fake-got" >"$TMP/fake-diff"; then
	ok "the header reader finds functions, multi-line ones and variables only"
else
	not_ok "the header reader finds functions, multi-line ones and variables only"
	sed 's/^/# /' "$TMP/fake-diff"
fi

done_testing
