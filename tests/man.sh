#!/bin/sh
# man.sh - the man pages (rbmcmd.1, rbmcmd-training.7) are lint-clean, to
# mandoc's style notes, rbmcmd.1 documents every command and option
# that the program's own help lists, and its EXAMPLES print what it shows.
. "$SRCDIR/tests/setup.sh"
page=$SRCDIR/man/rbmcmd.1

for p in "$page" "$SRCDIR/man/rbmcmd-training.7"; do
	if command -v mandoc >/dev/null 2>&1; then
		run mandoc -Tlint -W style "$p"
		expect "mandoc -Tlint is clean: ${p##*/}" 0 ""
	fi
	if command -v groff >/dev/null 2>&1; then
		run groff -man -ww -z "$p"
		expect "groff -ww is clean: ${p##*/}" 0 ""
	fi
done

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
# Reference first: the sections a reader looks up, in this order, and
# the theory in rbmcmd-training(7).
same "rbmcmd.1 starts with the reference sections" \
	"$(sed -n 's/^\.SH "*\([^"]*\)"*$/\1/p' "$page" | head -n 12 | tr '\n' ,)" \
	"NAME,SYNOPSIS,DESCRIPTION,COMMANDS,OPTIONS,INPUT FORMAT,OUTPUT FORMAT,FILES,EXIT STATUS,ENVIRONMENT,EXAMPLES,COMPATIBILITY,"
same "rbmcmd.1 ends with SEE ALSO" \
	"$(sed -n 's/^\.SH "*\([^"]*\)"*$/\1/p' "$page" | tail -n 1)" "SEE ALSO"
# The paragraph under COMMANDS that lists the commands that "never write
# to STATE" names exactly those that take STATE but no training option
# (init, import and train write it; plot takes none).
for c in $(cat "$T/commands"); do
	"$R" help "$c" >"$T/h"
	grep -q '^Usage: rbmcmd STATE ' "$T/h" &&
		! grep -q -- '--learning-rate' "$T/h" && echo "$c"
done | sort >"$T/readers"
awk '/^\.PP/ { if (p ~ /never write to/) print p; p = ""; next }
	{ p = p " " $0 }' "$page" |
	grep -o '\.BR* [a-z_]*' | sed 's/.* //' | sort >"$T/page-readers"
same "the page's commands that never write STATE are the readers" \
	"$(tr '\n' ' ' <"$T/page-readers")" "$(tr '\n' ' ' <"$T/readers")"

for s in TRAINING SCORING; do
	true_ "$s is in rbmcmd-training.7" \
		grep -q "^\.SH $s" "$SRCDIR/man/rbmcmd-training.7"
done

# EXAMPLES shows the movies session's outputs (init --seed=11, --seed=1
# wherever a command takes it), line for line, so a change of defaults
# that changes them fails here until the page follows.  Numbers agree to
# 1e-3 (another CPU's BLAS kernels may round differently), words exactly.
cd "$T"
movies >movies.txt
"$R" movies.state init 6 2 0.1 --seed=11
"$R" movies.state train 5000 --seed=1 <movies.txt
names=$SRCDIR/data/movie-names.txt
{
	echo "0 0 0 1 1 0" | "$R" movies.state run_visible --seed=1
	echo "1 0" | "$R" movies.state run_hidden --seed=1
	"$R" movies.state daydream_trace 3 --seed=1
	"$R" movies.state daydream 3 5 --seed=1
	"$R" movies.state weights --names="$names"
	"$R" movies.state info | grep '^epochs'
	"$R" movies.state recommend --top=2 --names="$names" \
		<"$SRCDIR/data/movies-missing.txt" | tr '\t' ,
	"$R" movies.state loglik <movies.txt | head -n 3
	"$R" movies.state loglik --ais --seed=1 <movies.txt | head -n 3
	"$R" movies.state free_energy <movies.txt | head -n 2
	"$R" movies.state reconstruct <movies.txt | head -n 1
} >examples.out
awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH / { on = 0 }
	on && /^# / { sub(/^# /, ""); gsub(/\\-/, "-"); print }' "$page" \
	>examples.page
differ=$(awk 'NR == FNR { page[FNR] = $0; np = FNR; next }
	{	n = split(page[FNR], a, /[ ,]+/); m = split($0, b, /[ ,]+/)
		bad = n != m
		for (i = 1; i <= n && !bad; i++)
			if (a[i] != b[i] && (a[i] !~ /^-?[0-9.e+-]+$/ ||
			    (a[i] - b[i] > 1e-3 || b[i] - a[i] > 1e-3)))
				bad = 1
		if (bad) print FNR ": page \"" page[FNR] "\", binary \"" $0 "\"" }
	END { if (FNR != np) print "page " np " lines, binary " FNR }' \
	examples.page examples.out)
same "EXAMPLES shows what the movies session prints" "$differ" ""
cd - >/dev/null

finish
