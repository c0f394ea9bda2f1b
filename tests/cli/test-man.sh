#!/bin/sh
# test-man.sh - the manuals against what they describe: every option of every
# command is in proftune(1), every function of proftune.h is in proftune(3)
# and the manuals name no pt_ function the header lacks, and every
# cross-reference names a page that exists
. "$SRCDIR/tests/cli/tap.sh"

page="$SRCDIR/man/proftune.1"
for cmd in tune run topology tasks fit report; do
	for opt in $("$PROFTUNE" $cmd --help | grep -Eo -- '--[a-z][a-z-]*' | sort -u); do
		name=${opt#--}
		if grep -Fq -- "\\-\\-$name" "$page"; then
			ok "proftune(1) documents $cmd $opt"
		else
			not_ok "proftune(1) documents $cmd $opt"
		fi
	done
	check "proftune(1) documents the $cmd command" grep -q "$cmd" "$page"
done

# ---- proftune(3) against proftune.h -------------------------------------------

# api HEADER: "NAME function" or "NAME variable" for each declaration of
# HEADER marked PT_API (test-exports.sh checks that every declaration is)
api() {
	awk '/^(extern[ \t]+)?PT_API[ \t]/ {
		if (match($0, /[A-Za-z0-9_]+[ \t]*\(/)) {
			name = substr($0, RSTART, RLENGTH); kind = "function"
		} else if (match($0, /[A-Za-z0-9_]+[ \t]*(\[[^]]*\])?[ \t]*;/)) {
			name = substr($0, RSTART, RLENGTH); kind = "variable"
		} else
			next
		sub(/[ \t]*[(\[;].*$/, "", name)
		print name, kind
	}' "$1"
}

# types HEADER: the pt_ struct, enum, union and typedef names of HEADER
types() {
	grep -oE '(struct|enum|union)[[:space:]]+pt_[A-Za-z0-9_]+' "$1" | awk '{ print $2 }'
	sed -n 's/^typedef .*[ *]\(pt_[A-Za-z0-9_]*\);$/\1/p' "$1"
}

# undocumented HEADER PAGE: the functions and variables of HEADER that no
# synopsis line (.B or .BI) of PAGE declares, one a line
undocumented() {
	api "$1" | while read -r name kind; do
		if [ "$kind" = function ]; then
			pat="[ *\"]$name\\("
		else
			pat="[ *\"]$name([^A-Za-z0-9_]|\$)"
		fi
		grep -Eq "^\\.BI? .*$pat" "$2" || echo "$name"
	done | LC_ALL=C sort -u
}

# unknown HEADER PAGE...: the pt_ names in the PAGEs that HEADER declares
# neither as a function or variable nor as a type, one a line (font changes
# such as \fB are dropped first, so \fBpt_x\fR counts as pt_x)
unknown() {
	h=$1
	shift
	{ api "$h" | awk '{ print $1 }'; types "$h"; } | LC_ALL=C sort -u >"$TMP/known"
	sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' "$@" |
	grep -oE '(^|[^A-Za-z0-9_])pt_[a-z0-9_]+' | sed 's/^[^p]//' |
	LC_ALL=C sort -u | LC_ALL=C comm -23 - "$TMP/known"
}

header="$SRCDIR/src/proftune.h"
man3="$SRCDIR/man/proftune.3"
check "proftune.h marks its declarations PT_API" test "$(api "$header" | wc -l)" -gt 100

out=$(undocumented "$header" "$man3")
if [ -z "$out" ]; then
	ok "proftune(3) declares every function of proftune.h"
else
	not_ok "proftune(3) declares every function of proftune.h"
	echo "$out" | sed 's/^/# missing from proftune(3): /'
fi
out=$(unknown "$header" "$SRCDIR"/man/proftune.[135])
if [ -z "$out" ]; then
	ok "the manuals name only functions and types of proftune.h"
else
	not_ok "the manuals name only functions and types of proftune.h"
	echo "$out" | sed 's/^/# not in proftune.h: /'
fi

# the checks must catch a missing and an unknown function
cat >"$TMP/fake.h" <<'EOF'
typedef struct pt_handle pt_handle;
struct pt_thing { int n; };
PT_API pt_handle *pt_alpha(void);
PT_API int pt_beta(struct pt_thing *t,
                   int n);
extern PT_API int pt_gamma;
EOF
cat >"$TMP/fake.3" <<'EOF'
.SH SYNOPSIS
.nf
.B "pt_handle *pt_alpha(void);"
.B extern int pt_gamma;
.fi
.SH DESCRIPTION
.BR pt_alpha ()
fills a
.BR "struct pt_thing" ;
see also \fBpt_ghost\fR().
EOF
check "a function missing from the manual is caught" \
	test "$(undocumented "$TMP/fake.h" "$TMP/fake.3")" = pt_beta
check "a function the header does not declare is caught" \
	test "$(unknown "$TMP/fake.h" "$TMP/fake.3")" = pt_ghost

# ---- cross-references ---------------------------------------------------------

# Pages of other packages that the manuals may refer to, each checked to be a
# real page (man-pages, binutils, util-linux, jq and hwloc install them).
# Add a page here only after checking that it exists.
SYSTEM_PAGES="_exit(2) _Exit(2) addr2line(1) backtrace(3) backtrace_symbols(3)
dlclose(3) dlerror(3) dlopen(3) exit(3) fclose(3) fcntl(2) ferror(3) fopen(3)
fork(2) free(3) fsync(2) getrusage(2) hwloc(7) hwloc_distrib(3)
hwloc_topology_set_synthetic(3) jq(1) lstopo(1) open(2) open_memstream(3)
perf_event_open(2) printf(3) pthread_getname_np(3) rename(2) sched_getcpu(3)
stat(2) strtod(3) strtoll(3) taskset(1) uname(2) write(2)"

# xrefs PAGE...: "PAGE:LINE NAME(SECTION)" for each cross-reference, in the
# forms `.BR name (N)` (and the other alternating-font requests, e.g.
# `.RB ( name (N),`) and `\fBname\fR(N)`
xrefs() {
	awk '
	function clean(s) {
		gsub(/\\-/, "-", s)
		gsub(/\\[%&]/, "", s)
		return s
	}
	function out(name, sec) {
		name = clean(name)
		if (name ~ /^[A-Za-z_][A-Za-z0-9_.+-]*$/)
			print FILENAME ":" FNR, name "(" sec ")"
	}
	/^\.(BR|RB|IR|RI|BI|IB)[ \t]/ {
		s = substr($0, 4)
		n = 0
		while (1) {
			sub(/^[ \t]+/, "", s)
			if (s == "")
				break
			if (substr(s, 1, 1) == "\"") {
				s = substr(s, 2)
				i = index(s, "\"")
				if (i == 0)
					i = length(s) + 1
				arg[++n] = substr(s, 1, i - 1)
				s = substr(s, i + 1)
			} else {
				match(s, /^[^ \t]+/)
				arg[++n] = substr(s, 1, RLENGTH)
				s = substr(s, RLENGTH + 1)
			}
		}
		for (i = 1; i < n; i++)
			if (match(arg[i + 1], /^\([1-9][a-z]*\)/))
				out(arg[i], substr(arg[i + 1], 2, RLENGTH - 2))
	}
	{
		s = $0
		while (match(s, /\\f[BI][A-Za-z0-9_.+\\%&-]+\\f[RP]\([1-9][a-z]*\)/)) {
			r = substr(s, RSTART + 3, RLENGTH - 3)
			s = substr(s, RSTART + RLENGTH)
			i = index(r, "\\f")
			sec = substr(r, i + 3)
			out(substr(r, 1, i - 1), substr(sec, 2, length(sec) - 2))
		}
	}' "$@"
}

# bad_xrefs MANDIR PAGE...: the cross-references of the PAGEs to a page that
# is neither in MANDIR nor in SYSTEM_PAGES, one a line
bad_xrefs() {
	dir=$1
	shift
	xrefs "$@" | while read -r where ref; do
		name=${ref%%"("*}
		sec=${ref#*"("}
		sec=${sec%")"}
		[ -f "$dir/$name.$sec" ] && continue
		case " $(echo $SYSTEM_PAGES) " in
		*" $ref "*) continue ;;
		esac
		echo "$where: $ref is no page of $dir nor a known system page"
	done
}

n=$(xrefs "$SRCDIR"/man/proftune.[135] | wc -l)
check "the manuals have cross-references to check" test "$n" -gt 50
out=$(bad_xrefs "$SRCDIR/man" "$SRCDIR"/man/proftune.[135])
if [ -z "$out" ]; then
	ok "every cross-reference of the manuals names a page that exists ($n)"
else
	not_ok "every cross-reference of the manuals names a page that exists"
	echo "$out" | sed 's/^/# /'
fi

# the check must catch each kind of bad reference, in both forms
mkdir "$TMP/man"
: >"$TMP/man/proftune.1"
cat >"$TMP/man/fake.3" <<'EOF'
.BR proftune (1),
.BR proftune (7),
.BR pt_error (3),
.RB ( fork (2),
which \fBwrite\fR(2) and \fBno\-such\fR(2) do.
.B PT_OK (0)
EOF
out=$(bad_xrefs "$TMP/man" "$TMP/man/fake.3")
check "a reference to a missing proftune page is caught" \
	sh -c 'echo "$1" | grep -q "fake.3:2: proftune(7) is no page"' _ "$out"
check "a reference to a function as a page is caught" \
	sh -c 'echo "$1" | grep -q "fake.3:3: pt_error(3) is no page"' _ "$out"
check "an unknown system page in running text is caught" \
	sh -c 'echo "$1" | grep -q "fake.3:5: no-such(2) is no page"' _ "$out"
check "real pages pass" test "$(echo "$out" | wc -l)" -eq 3

done_testing
