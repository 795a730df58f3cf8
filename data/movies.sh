#!/bin/sh
# movies.sh - the main job on the bundled data: the seed README's six-movie
# example, trained and queried end to end with names on the output.
# Usage: data/movies.sh [RBMCMD]   (default: src/rbmcmd of this tree)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
R=${1:-$here/../src/rbmcmd}
state=${TMPDIR:-/tmp}/movies.rbm
names() { awk 'NR == FNR { n[FNR] = $0; next }
	{ s = ""; for (i = 1; i <= NF; i++) if ($i == 1) s = s (s ? ", " : "") n[i]
	  print "    " (s ? s : "(none)") }' "$here/movie-names.txt" -; }

"$R" "$state" init 6 2 0.1 --seed 11
"$R" "$state" train 5000 <"$here/movies.txt"
echo "Trained a 6 x 2 RBM for 5000 epochs on data/movies.txt ($state)."
echo
echo "George likes Gladiator and Titanic; his hidden units (5 samples):"
yes "0 0 0 1 1 0" | head -n 5 | "$R" "$state" run_visible --seed 1 |
	sed 's/^/    /'
unit=$(echo "0 0 0 1 1 0" | "$R" "$state" run_visible --seed 1)
echo
echo "Turning on only George's unit ($unit), 5 samples of movies:"
yes "$unit" | head -n 5 | "$R" "$state" run_hidden --seed 2 | names
other=$(echo "$unit" | awk '{ print 1 - $1, 1 - $2 }')
echo
echo "Turning on only the other unit ($other), 5 samples of movies:"
yes "$other" | head -n 5 | "$R" "$state" run_hidden --seed 2 | names
echo
echo "Five daydreams of three steps each:"
"$R" "$state" daydream 3 5 --seed 3 | names
