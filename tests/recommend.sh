#!/bin/sh
# recommend.sh - missing values, recommend and the visible unit types as
# users drive them: the six-movie example with a George-like row whose
# unseen movies are '?', softmax ratings and Gaussian data through every
# command, and every error message and exit code.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
names=$SRCDIR/data/movie-names.txt

# inrange NAME LO HI NF: out has rows of NF numbers, all in [LO, HI].
inrange() {
	same "$1" "$(awk -v lo="$2" -v hi="$3" -v nf="$4" '
		NF != nf { bad++ }
		{ for (i = 1; i <= NF; i++) if ($i < lo || $i > hi) bad++ }
		END { print bad + 0 }' out)" 0
}

# ---- binary units, missing values ----
"$R" m.rbm init 6 2 0.1 --seed 1 --no-pcd
"$R" m.rbm train 5000 <movies.txt
cp m.rbm before.rbm

# George has seen Gladiator and Titanic, not Harry Potter and Avatar;
# LOTR 3 and Glitter he has not said.
run "$R" m.rbm recommend <<EOT
0 0 ? 1 1 ?
1 1 1 0 0 0
EOT
expect "recommend" 0 ""
same "recommend keeps what was given" \
	"$(awk 'NR == 1 { print $1, $2, $4, $5 } NR == 2' out)" \
	"0 0 1 1
1 1 1 0 0 0"
same "recommend: LOTR 3 likely, Glitter not" \
	"$(awk 'NR == 1 { print ($3 > 0.9), ($6 < 0.1) }' out)" "1 1"
run "$R" m.rbm recommend --top 2 --names "$names" <<EOT
0 0 ? 1 1 ?
? ? ? 1 1 ?
1 1 1 0 0 0
EOT
expect "recommend --top --names" 0 ""
same "recommend --top: best first, names, an empty line if none" \
	"$(awk '{ print NR ": " $0 }' out)" "1: LOTR 3	Glitter
2: LOTR 3	Harry Potter
3: "
run "$R" m.rbm recommend --top 1 <<EOT
0 0 ? 1 1 ?
EOT
same "recommend --top: column numbers without names" "$(cat out)" "3"
run "$R" m.rbm recommend --missing NA --top 6 <<EOT
0 0 NA 1 1 NA
EOT
same "--missing NA" "$(cat out)" "3 6"
run "$R" m.rbm recommend --missing NA <<EOT
0 0 ? 1 1 NA
EOT
expect "with --missing NA, '?' is no number" 1 \
	"rbmcmd: recommend: stdin:1: value 3 ('?') is not a number"
run "$R" m.rbm recommend --names "$names" </dev/null
expect "--names needs --top" 2 "rbmcmd: recommend: --names needs --top
Try 'rbmcmd STATE recommend --help'."
printf 'a\nb\n' >two.txt
run "$R" m.rbm recommend --top 1 --names two.txt </dev/null
expect "recommend --names: wrong count" 1 \
	"rbmcmd: recommend: two.txt: 2 names for 6 visible units"

# The other commands take missing values as deleted units.
run "$R" m.rbm run_visible --probs <<EOT
0 0 ? 1 1 ?
EOT
expect "run_visible takes missing values" 0 ""
run "$R" m.rbm reconstruct <<EOT
0 0 ? 1 1 ?
EOT
expect "reconstruct takes missing values" 0 ""
inrange "reconstruct: six probabilities" 0 1 6
run "$R" m.rbm free_energy <<EOT
0 0 ? 1 1 ?
EOT
expect "free_energy takes missing values" 0 ""
run "$R" m.rbm loglik <<EOT
0 0 ? 1 1 0
EOT
expect "loglik refuses missing values" 1 \
	"rbmcmd: loglik: stdin:1: missing value '?' not allowed here"
run "$R" m.rbm run_hidden <<EOT
1 ?
EOT
expect "run_hidden refuses missing values" 1 \
	"rbmcmd: run_hidden: stdin:1: missing value '?' not allowed here"

# Training: missing values need CD; PCD is refused with the line.
printf '1 1 1 0 0 0\n0 0 1 1 1 0\n0 0 ? 1 1 ?\n' >miss.txt
run "$R" m.rbm train 10 <miss.txt
expect "train with missing values" 0 ""
"$R" p.rbm init 6 2 --seed 1
run "$R" p.rbm train 10 <miss.txt
expect "PCD refuses missing values" 1 \
	"rbmcmd: train: stdin:3: missing values need CD training: use --no-pcd"
run "$R" p.rbm train 10 --no-pcd <miss.txt
expect "--no-pcd trains them" 0 ""
run "$R" m.rbm train 10 --validation miss.txt <movies.txt
expect "validation rows may miss values" 0 ""

# Missing is not 0: training on '?' and on 0 gives different models.
cp before.rbm a.rbm
cp before.rbm b.rbm
"$R" a.rbm train 50 --seed 3 <miss.txt
tr '?' 0 <miss.txt | "$R" b.rbm train 50 --seed 3
true_ "missing is not 0 in training" \
	test "$("$R" a.rbm export)" != "$("$R" b.rbm export)"

# ---- softmax ratings ----
cat >ratings.txt <<EOT
5 4 ? 1
4 5 1 ?
? 1 5 4
1 ? 4 5
5 5 1 1
1 1 5 5
EOT
run "$R" s.rbm init 4 3 --visible softmax:5 --seed 2
expect "init --visible softmax:5" 0 ""
same "info: type, items, CD" \
	"$("$R" s.rbm info | grep -E '^(visible|items|visible_type|pcd):')" \
	"visible: 20
visible_type: softmax:5
items: 4
pcd: 0"
true_ "state file: visible_type softmax 5" grep -qx 'visible_type softmax 5' s.rbm
run "$R" s.rbm train 300 <ratings.txt
expect "train softmax" 0 ""
run "$R" s.rbm recommend <ratings.txt
expect "recommend softmax" 0 ""
inrange "recommend: expected ratings in 1..5" 1 5 4
same "recommend: given ratings stay" "$(awk 'NR == 5' out)" "5 5 1 1"
run "$R" s.rbm recommend --top 1 <ratings.txt
same "recommend --top softmax" "$(head -n 2 out)" "3
4"
run "$R" s.rbm reconstruct <ratings.txt
inrange "reconstruct: expected ratings" 1 5 4
printf '1 0 1\n0 0 0\n' | "$R" s.rbm run_hidden --seed 1 >out
same "run_hidden: sampled ratings" \
	"$(awk '{ for (i = 1; i <= NF; i++) if ($i !~ /^[1-5]$/) b++ }
		END { print NR, NF, b + 0 }' out)" "2 4 0"
"$R" s.rbm daydream 10 3 --seed 1 >out
inrange "daydream: ratings" 1 5 4
run "$R" s.rbm loglik <<EOT
5 4 1 1
EOT
expect "loglik softmax (exact)" 0 ""
same "loglik softmax: exact" "$(grep method out)" "method exact"
run "$R" s.rbm loglik --ais <<EOT
5 4 1 1
EOT
expect "loglik --ais refused for softmax" 1 \
	"rbmcmd: loglik: AIS is implemented for binary visible units only; log Z of a softmax model is exact up to 30 hidden units"
printf '5 4 1 1\n7 1 1 1\n' >bad.txt
run "$R" s.rbm train 1 <bad.txt
expect "rating outside 1..K" 1 "rbmcmd: train: stdin:2: rating 7 outside 1..5"
printf '2.5 1 1 1\n' >bad.txt
run "$R" s.rbm recommend <bad.txt
expect "rating not a whole number" 1 \
	"rbmcmd: recommend: stdin:1: rating 2.5 is not a whole number"
run "$R" s.rbm train 1 --pcd <ratings.txt
expect "softmax with PCD refuses missing values" 1 \
	"rbmcmd: train: stdin:1: missing values need CD training: use --no-pcd"
run "$R" s.rbm weights --names "$names"
expect "weights --names of a softmax model needs a name an item" 1 \
	"rbmcmd: weights: $names: 6 names for 4 visible units"
head -n 4 "$names" >four.txt
run "$R" s.rbm weights --names four.txt
same "weights names each rating" "$(grep -c 'Harry Potter=' out)" 5

# export and import keep the units; import takes the type again.
"$R" s.rbm export >s.txt
run "$R" im.rbm import --visible softmax:5 <s.txt
expect "import --visible softmax:5" 0 ""
same "import: the same parameters and type" \
	"$("$R" im.rbm export | cmp - s.txt && "$R" im.rbm info | grep '^items:')" \
	"items: 4"
run "$R" im3.rbm import --visible softmax:3 <s.txt
expect "import: K must divide the units" 1 \
	"rbmcmd: import: stdin: 20 visible units are not groups of 3"

# ---- Gaussian units ----
cat >real.txt <<EOT
-1.5 0.25 1
0.5 -0.75 -1.25
1 0.5 0.25
-0.5 ? 0
EOT
run "$R" g.rbm init 3 2 --visible gaussian --seed 4
expect "init --visible gaussian" 0 ""
same "gaussian: a smaller default rate" \
	"$("$R" g.rbm info | grep -E '^(learning_rate|visible_type):')" \
	"visible_type: gaussian
learning_rate: 0.01"
"$R" g.rbm init 3 2 0.05 --visible gaussian --seed 4
same "gaussian: the rate given" "$("$R" g.rbm info | grep '^learning_rate:')" \
	"learning_rate: 0.05"
run "$R" g.rbm train 100 --no-pcd <real.txt
expect "train gaussian" 0 ""
run "$R" g.rbm recommend <real.txt
same "recommend gaussian: plain numbers, given values kept" \
	"$(awk 'NR == 4 { print $1, $3, ($2 ~ /^-?[0-9.e-]+$/) }' out)" \
	"-0.5 0 1"
run "$R" g.rbm reconstruct <real.txt
expect "reconstruct gaussian" 0 ""
same "reconstruct gaussian: negative means print" \
	"$(awk 'NR == 1 { print ($1 < 0) }' out)" 1
printf -- '-0.5 ? 0\n-0.5 0 0\n' | "$R" g.rbm free_energy >out
true_ "gaussian free energy: missing is not 0" \
	test "$(sed -n 1p out)" != "$(sed -n 2p out)"
run "$R" g.rbm loglik <<EOT
0.5 -0.5 0
EOT
expect "loglik gaussian (exact)" 0 ""
# Past the default limit of exact log Z the way on is --exact-max-units:
# AIS, which binary models fall back on, is no option.
"$R" g21.rbm init 2 21 --visible gaussian --seed 4
run "$R" g21.rbm loglik <<EOT
0.5 -0.5
EOT
expect "loglik gaussian: 21 hidden units" 1 \
	"rbmcmd: loglik: exact log Z of a gaussian model sums over its 2^21 hidden states: give --exact-max-units=21 (AIS handles binary visible units only)"
run "$R" g21.rbm loglik --exact-max-units 21 <<EOT
0.5 -0.5
EOT
expect "loglik gaussian: --exact-max-units 21" 0 ""
"$R" g31.rbm init 2 31 --visible gaussian --seed 4
run "$R" g31.rbm loglik <<EOT
0.5 -0.5
EOT
expect "loglik gaussian: 31 hidden units" 1 \
	"rbmcmd: loglik: exact log Z of a gaussian model sums over its 2^31 hidden states; the limit is 30 hidden units, and AIS handles binary visible units only"
run "$R" g.rbm run_hidden --probs <<EOT
1 0
EOT
expect "run_hidden gaussian" 0 ""

# The man page's example, exactly.
"$R" e.rbm init 6 2 0.1 --seed=1 --no-pcd
"$R" e.rbm train 5000 <movies.txt
same "the man page's recommend example" \
	"$(echo '0 0 ? 1 1 ?' | "$R" e.rbm recommend)" \
	"$(sed -n '/^\$ echo .* recommend$/{n;p;}' "$SRCDIR/man/rbmcmd.1")"

# The EXAMPLES section's four new users, exactly (a model of --seed=11,
# trained with --seed=1 as the page says).
"$R" x11.rbm init 6 2 0.1 --seed=11
"$R" x11.rbm train 5000 --seed=1 <movies.txt
same "the EXAMPLES section's recommend --top" \
	"$("$R" x11.rbm recommend --top=2 --names="$SRCDIR/data/movie-names.txt" \
		<"$SRCDIR/data/movies-missing.txt" | tr '\t' ,)" \
	"$(sed -n '/^Four new people/,$p' "$SRCDIR/man/rbmcmd.1" | sed -n '/^rbmcmd movies.state recommend/,/^\.EE/p' |
		sed -n 's/^# //p')"

# ---- usage errors and old files ----
run "$R" m.rbm recommend --missing '' </dev/null
expect "--missing ''" 2 \
	"rbmcmd: recommend: --missing must be one token without blanks, not ''
Try 'rbmcmd STATE recommend --help'."
run "$R" m.rbm train 1 --missing 'n a' </dev/null
expect "--missing with a blank" 2 \
	"rbmcmd: train: --missing must be one token without blanks, not 'n a'
Try 'rbmcmd STATE train --help'."
run "$R" x.rbm init 3 2 --visible softmax:1
expect "--visible softmax:1" 2 \
	"rbmcmd: init: --visible: softmax needs K from 2 to 100 ratings, not '1'
Try 'rbmcmd STATE init --help'."
run "$R" x.rbm init 3 2 --visible poisson
expect "--visible poisson" 2 \
	"rbmcmd: init: --visible: unknown visible unit type 'poisson' (binary, gaussian or softmax:K)
Try 'rbmcmd STATE init --help'."
true_ "no state file after a usage error" test ! -e x.rbm
cp "$SRCDIR/tests/data/movies-v1.rbm" v1.rbm
true_ "an old state file loads as binary" \
	test -z "$("$R" v1.rbm info | grep visible_type)"
run "$R" v1.rbm recommend --top 1 <<EOT
0 0 ? 1 1 0
EOT
expect "recommend with an old state file" 0 ""

finish
