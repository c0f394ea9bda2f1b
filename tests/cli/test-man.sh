#!/bin/sh
# test-man.sh - every option of every command is documented in proftune(1)
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

done_testing
