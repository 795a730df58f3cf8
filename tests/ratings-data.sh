#!/bin/sh
# ratings-data.sh - the committed ratings set of data/make-ratings is
# whole and consistent (the generator needs numpy, so make check checks
# its output instead): shapes, values, likes = ratings >= 4, and every
# held-out entry missing from the training rows.
. "$SRCDIR/tests/setup.sh"
d=$SRCDIR/data

# shape FILE: "ROWS x COLUMNS" of a rows file, "ragged" if rows differ.
shape() {
	awk '/^#/ { next } { if (n && NF != w) bad = 1; w = NF; n++ }
	     END { print bad ? "ragged" : n " x " w }' "$1"
}
same "ratings.txt is 1000 x 100" "$(shape "$d/ratings.txt")" "1000 x 100"
same "likes.txt is 1000 x 100" "$(shape "$d/likes.txt")" "1000 x 100"
same "ratings-names.txt names 100 items" "$(wc -l <"$d/ratings-names.txt")" 100
same "movies-missing.txt has six columns" \
	"$(shape "$d/movies-missing.txt" | sed 's/.* x //')" 6
true_ "movies-missing.txt has missing entries" grep -q '?' "$d/movies-missing.txt"

same "ratings are 1..5 or ?" "$(grep -v '^#' "$d/ratings.txt" |
	tr ' ' '\n' | grep -c -v '^[1-5?]$')" 0
same "likes are 0, 1 or ?" "$(grep -v '^#' "$d/likes.txt" |
	tr ' ' '\n' | grep -c -v '^[01?]$')" 0
same "likes = ratings >= 4, with the same ? entries" "$(
	paste -d '|' "$d/ratings.txt" "$d/likes.txt" | awk -F '|' '
	/^#/ { next } {
		nr = split($1, r, " "); split($2, l, " ")
		for (i = 1; i <= nr; i++)
			if (r[i] == "?" ? l[i] != "?" : l[i] != (r[i] >= 4)) bad++
	} END { print bad + 0 }')" 0

# heldout ROWS HELDOUT: count of held-out lines that are wrong: not
# `user item value` in range, or not ? in the training rows.
heldout() {
	awk 'NR == FNR { if (!/^#/) { u++; for (i = 1; i <= NF; i++) m[u, i] = $i }; next }
	     /^#/ { next }
	     NF != 3 || !(($1, $2) in m) || m[$1, $2] != "?" || seen[$1, $2]++ { bad++ }
	     END { print bad + 0 }' "$1" "$2"
}
same "ratings-heldout.txt entries are ? in ratings.txt" \
	"$(heldout "$d/ratings.txt" "$d/ratings-heldout.txt")" 0
same "likes-heldout.txt entries are ? in likes.txt" \
	"$(heldout "$d/likes.txt" "$d/likes-heldout.txt")" 0
same "likes-heldout = ratings-heldout >= 4" "$(
	paste -d ' ' "$d/ratings-heldout.txt" "$d/likes-heldout.txt" | awk '
	/^#/ { next } $1 != $4 || $2 != $5 || $6 != ($3 >= 4) { bad++ }
	END { print bad + 0 }')" 0
same "5066 held-out ratings" "$(grep -c -v '^#' "$d/ratings-heldout.txt")" 5066
true_ "every user has a held-out rating" sh -c "grep -v '^#' '$d/ratings-heldout.txt' |
	cut -d ' ' -f 1 | sort -u | wc -l | grep -qx 1000"
finish
