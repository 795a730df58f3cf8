#!/bin/sh
# story.sh - the seed README's session, pasted unchanged, and the story it
# tells: after training on the six users, George (Gladiator, Titanic)
# turns on one hidden unit, and that unit alone generates LOTR 3,
# Gladiator and Titanic far more often than the fantasy films; the other
# unit the reverse.
. "$SRCDIR/tests/setup.sh"
cd "$T"
ln -s "$R" rbmcmd

# The README's commands, verbatim (its only change: a fixed seed).
./rbmcmd rbmstate.dat init  6  2  0.1 --seed 11
./rbmcmd rbmstate.dat train 5000 << \eof
1 1 1 0 0 0
1 0 1 0 0 0
1 1 1 0 0 0
0 0 1 1 1 0
0 0 1 1 0 0
0 0 1 1 1 0
eof
run sh -c 'echo "0 0 0 1 1 0" | ./rbmcmd rbmstate.dat run_visible'
expect "run_visible" 0
run sh -c 'echo "1 0" | ./rbmcmd rbmstate.dat run_hidden'
expect "run_hidden" 0
run ./rbmcmd rbmstate.dat daydream_trace 3
same "daydream_trace 3" "$rc $(wc -l <"$T/out")" "0 3"
run ./rbmcmd rbmstate.dat daydream 3 5
same "daydream 3 5" "$rc $(wc -l <"$T/out")" "0 5"

# George's hidden units, sampled 200 times: always the same single unit.
yes "0 0 0 1 1 0" | head -n 200 |
	./rbmcmd rbmstate.dat run_visible --seed 1 | sort | uniq -c >george
same "George turns on exactly one unit, every time" "$(wc -l <george)" 1
g=$(awk '{ print $2 " " $3 }' george)
case $g in
"1 0") oscar="1 0" fantasy="0 1" ;;
"0 1") oscar="0 1" fantasy="1 0" ;;
*) oscar="" fantasy="" ;;
esac
true_ "George's unit is one-hot" test -n "$oscar"

# Per-movie frequency of "on" over 400 samples of one unit alone.
freq() {
	yes "$1" | head -n 400 | ./rbmcmd rbmstate.dat run_hidden --seed 2 |
		awk '{ for (i = 1; i <= 6; i++) on[i] += $i }
		     END { for (i = 1; i <= 6; i++) printf "%.2f ", on[i] / NR }'
}
set -- $(freq "$oscar")
true_ "Oscar unit: LOTR 3 on ($3)" awk "BEGIN { exit !($3 > 0.9) }"
true_ "Oscar unit: Gladiator on ($4)" awk "BEGIN { exit !($4 > 0.9) }"
true_ "Oscar unit: Titanic mostly on ($5)" awk "BEGIN { exit !($5 > 0.6) }"
true_ "Oscar unit: Harry Potter off ($1)" awk "BEGIN { exit !($1 < 0.1) }"
true_ "Oscar unit: Avatar off ($2)" awk "BEGIN { exit !($2 < 0.1) }"
true_ "Oscar unit: Glitter off ($6)" awk "BEGIN { exit !($6 < 0.05) }"
set -- $(freq "$fantasy")
true_ "fantasy unit: Harry Potter on ($1)" awk "BEGIN { exit !($1 > 0.9) }"
true_ "fantasy unit: LOTR 3 on ($3)" awk "BEGIN { exit !($3 > 0.9) }"
true_ "fantasy unit: Avatar mostly on ($2)" awk "BEGIN { exit !($2 > 0.5) }"
true_ "fantasy unit: Gladiator off ($4)" awk "BEGIN { exit !($4 < 0.1) }"
true_ "fantasy unit: Titanic off ($5)" awk "BEGIN { exit !($5 < 0.1) }"

# The same story on the bundled data file with names.
./rbmcmd m.rbm init 6 2 --seed 11
./rbmcmd m.rbm train 5000 0.1 <"$SRCDIR/data/movies.txt"
same_model "data/movies.txt trains the same model" m.rbm rbmstate.dat

# The README shows what data/movies.sh prints; it must stay true.
sed -n '/^What the first prints/,/^`make install`/p' "$SRCDIR/README" |
	sed -n 's/^    //p' >readme.out
TMPDIR=$T sh "$SRCDIR/data/movies.sh" "$R" | grep -v '^$' |
	sed "s|$T/movies.rbm|/tmp/movies.rbm|" >movies.out
true_ "README shows what data/movies.sh prints" cmp -s readme.out movies.out

finish
