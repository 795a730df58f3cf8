#!/bin/sh
# man.sh - the man page is lint-clean and documents every command and
# option that the program's own help lists.
. "$SRCDIR/tests/setup.sh"
page=$SRCDIR/man/rbmcmd.1

if command -v mandoc >/dev/null 2>&1; then
	run mandoc -Tlint -W warning "$page"
	expect "mandoc -Tlint is clean" 0 ""
fi
if command -v groff >/dev/null 2>&1; then
	run groff -man -ww -z "$page"
	expect "groff -ww is clean" 0 ""
fi

# The commands the help lists must be those of the command table (its
# rows start with a tab, "{ " and the quoted name), so that none can be
# missed by the pattern below nor the count go stale.
"$R" --help | awk '/^  [a-z_]+ / { print $1 }' >"$T/commands"
sed -n '/^static const struct command commands\[\] = {$/,/^};$/p' \
	"$SRCDIR/src/rbmcmd.c" | sed -n 's/^	{ "\([a-z_]*\)".*/\1/p' \
	>"$T/table"
true_ "the command table has commands" test -s "$T/table"
same "help lists the command table's $(wc -l <"$T/table") commands" \
	"$(cat "$T/commands")" "$(cat "$T/table")"
while read -r c; do
	true_ "man page documents $c" grep -q "^\.TP.*$c\|^\.SS.*$c\|^\.B $c" "$page"
done <"$T/commands"
for c in $(cat "$T/commands"); do
	"$R" help "$c"
done | grep -o -- '--[a-z0-9-]*' | sort -u >"$T/options"
# Whole names only: --l1 must not pass as --l, nor --momentum-ramp as
# --momentum.
while read -r o; do
	esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	true_ "man page documents $o" \
		grep -q -- "$esc\([^a-z0-9\\]\|\\[^-]\|$\)" "$page"
done <"$T/options"
for s in SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES COMPATIBILITY \
	"STATE FILE"; do
	true_ "man page has $s" grep -q "^\.SH \"*$s" "$page"
done

finish
