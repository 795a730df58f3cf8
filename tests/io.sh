#!/bin/sh
# io.sh - moving models in and out and looking at them: export, import,
# info and weights.  Round trips are byte-identical, an imported model
# runs, every error has its exact message and exit status, the weight
# table has the original README's layout, and the README's Python
# snippets work against scikit-learn when it is installed.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
names=$SRCDIR/data/movie-names.txt
"$R" m.rbm init 6 2 0.1 --seed 11
"$R" m.rbm train 5000 <movies.txt

# export -> import -> export gives the same bytes, for a trained model
# and a fresh random one.
run "$R" m.rbm export
expect "export" 0 ""
mv out m.txt
same "export: sizes on line 1" "$(head -n 1 m.txt)" "6 2"
same "export: 9 lines" "$(wc -l <m.txt)" 9
run sh -c "'$R' back.rbm import --seed 1 <m.txt"
expect "import" 0 ""
"$R" back.rbm export >back.txt
true_ "export, import, export: same bytes" cmp -s m.txt back.txt
"$R" r.rbm init 50 30 --seed 4
"$R" r.rbm export >r.txt
"$R" r2.rbm import <r.txt
"$R" r2.rbm export >r2.txt
true_ "a random 50 x 30 model round-trips too" cmp -s r.txt r2.txt

# import makes a state like init: default settings, or the options given;
# the same input and --seed give the same file.
"$R" back2.rbm import --seed 1 <m.txt
true_ "import --seed is repeatable" cmp -s back.rbm back2.rbm
"$R" opt.rbm import --learning-rate 0.05 --batch-size 10 --pcd <m.txt
same "import takes training options" \
	"$("$R" opt.rbm info | grep -E '^(learning_rate|batch_size|pcd):')" \
	"learning_rate: 0.05
batch_size: 10
pcd: 1"
same "import starts at epoch 0" "$("$R" back.rbm info | grep '^epochs:')" \
	"epochs: 0"
same "import leaves a history line" \
	"$("$R" back.rbm info | grep '^history:')" \
	"history: import: 6 x 2 parameters from a plain parameter file"
run sh -c "'$R' back.rbm train 10 <movies.txt"
expect "an imported model trains" 0 ""

# A hand-written 2 x 1 model: the hidden unit follows the first visible
# unit (weights +-20), so its samples are certain.
printf '2 1\n0 0\n0\n20\n-20\n' >tiny.txt
run sh -c "'$R' tiny.rbm import <tiny.txt"
expect "import a hand-written 2 x 1 file" 0 ""
run sh -c "printf '1 0\n0 1\n1 1\n' | '$R' tiny.rbm run_visible --seed 1"
expect "run_visible on it" 0 ""
same "its answers" "$(cat out)" "1
0
0"
run sh -c "printf '2 1\r\n0\t0\r\n0\r\n2e1\r\n-20\r\n\r\n' | '$R' crlf.rbm import"
expect "CRLF, tabs and a trailing blank line are fine" 0 ""

# Bad parameter files: exit 1, stdin and the line named, no file made.
bad() {
	name=$1 msg=$2
	shift 2
	printf "$@" >bad.txt
	run sh -c "'$R' new.rbm import <bad.txt"
	expect "import: $name" 1 "rbmcmd: import: $msg"
	true_ "import: $name: no file made" test ! -e new.rbm
}
bad "empty input" "stdin: empty; expected a plain parameter file" ''
bad "one size" "stdin:1: expected 2 numbers (NV NH), got 1" '2\n'
bad "a size that is not a number" \
	"stdin:1: value 2 ('two') is not a whole number" '2 two\n'
bad "zero units" "stdin:1: a model needs at least one visible and one hidden unit (got 2 x 0)" '2 0\n'
bad "an absurd size" "stdin:1: a 100000000 x 100000000 model is too large (at most 16777216 units a layer, 1073741824 weights)" \
	'100000000 100000000\n'
bad "a short line" "stdin:3: expected 2 numbers, got 1" \
	'3 2\n0 0 0\n0\n'
bad "a long line" "stdin:4: expected 2 numbers, got 3" \
	'3 2\n0 0 0\n0 0\n1 2 3\n'
bad "a missing row" "stdin:6: missing line (a 3 x 2 model needs 6 lines)" \
	'3 2\n0 0 0\n0 0\n1 2\n3 4\n'
bad "an extra row" "stdin:5: more lines than a 1 x 1 model has (4)" \
	'1 1\n0\n0\n1\n2\n'
bad "not a number" "stdin:2: value 1 ('x') is not a number" '1 1\nx\n0\n0\n'
bad "NaN" "stdin:3: value 1 ('nan') is not finite" '1 1\n0\nnan\n0\n'
bad "too large for a float" "stdin:4: value 1 ('1e39') does not fit a float" \
	'1 1\n0\n0\n1e39\n'
bad "a NUL byte" "stdin:2: line contains a NUL byte" '1 1\n0\0\n0\n0\n'
run sh -c "'$R' new.rbm import <."
expect "import: stdin is a directory" 1 "rbmcmd: import: stdin: Is a directory"

# import checks its target before reading, and never clobbers a file that
# is not a state file; a state file it replaces.
echo "precious data" >notes.txt
run sh -c "'$R' notes.txt import <m.txt"
expect "import over a foreign file" 1 "rbmcmd: import: notes.txt exists and is not an rbmcmd state file; not overwriting it"
same "foreign file kept" "$(cat notes.txt)" "precious data"
run sh -c "'$R' notes.txt import </dev/null"
expect "the target is checked before stdin" 1 "rbmcmd: import: notes.txt exists and is not an rbmcmd state file; not overwriting it"
run sh -c "'$R' r.rbm import <tiny.txt"
expect "import over a state file" 0 ""
same "replaced it" "$("$R" r.rbm info | grep '^visible:')" "visible: 2"

# Usage errors: exit 2.
run "$R" new.rbm import extra
expect "import with an argument" 2 "rbmcmd: import: wrong number of arguments (usage: rbmcmd STATE import < PARAMETER_FILE)
Try 'rbmcmd STATE import --help'."
run "$R" new.rbm import --learning-rate 0
expect "import with a bad option value" 2 "rbmcmd: import: --learning-rate must be a number in (0, inf), not '0'
Try 'rbmcmd STATE import --help'."
run "$R" new.rbm import --names "$names"
expect "import takes no --names" 2 "rbmcmd: import: option '--names' is not taken by this command
Try 'rbmcmd STATE import --help'."
run "$R" m.rbm export 1
expect "export with an argument" 2 "rbmcmd: export: wrong number of arguments (usage: rbmcmd STATE export > PARAMETER_FILE)
Try 'rbmcmd STATE export --help'."
run "$R" m.rbm info --seed 1
expect "info takes no options" 2
run "$R" m.rbm weights --names
expect "--names without its file" 2 "rbmcmd: weights: option '--names' requires a value (--names=FILE)
Try 'rbmcmd STATE weights --help'."
true_ "no file after failed imports" test ! -e new.rbm

# Commands that read a state report a missing or foreign one.
for c in export info weights; do
	run "$R" missing.rbm $c
	expect "$c of a missing state" 1 "rbmcmd: $c: missing.rbm: No such file or directory"
done
run "$R" notes.txt export
expect "export of a foreign file" 1 "rbmcmd: export: notes.txt: not an rbmcmd state file"

# info: stable keys in a fixed order, the epochs, the format version.
run "$R" m.rbm info
expect "info" 0 ""
same "info keys" "$(cut -d: -f1 out | tr '\n' ' ')" "format_version visible hidden epochs learning_rate batch_size cd_k pcd momentum momentum_ramp weight_decay l1 sparsity_target sparsity_cost sparsity_decay lr_schedule centering offset_rate average average_fraction pcd_chains visible_centering offset_target rng velocity iterate chains visible_offset hidden_offset hidden_mean weight_min weight_max weight_mean_abs visible_bias_min visible_bias_max hidden_bias_min hidden_bias_max hidden_stuck history "
same "info shows the epochs" "$(grep '^epochs:' out)" "epochs: 5000"
same "info: sizes and version" "$(head -n 3 out)" "format_version: 2
visible: 6
hidden: 2"
same "info: weight range" "$(grep '^weight_m' out | tr '\n' ' ')" \
	"$(awk 'NR > 3 { for (i = 1; i <= NF; i++) { if (!n++ || $i < lo) lo = $i; if (n == 1 || $i > hi) hi = $i; s += ($i < 0 ? -$i : $i) } } END { printf "weight_min: %.6g weight_max: %.6g weight_mean_abs: %.6g ", lo, hi, s / n }' m.txt)"
cp "$SRCDIR/tests/data/movies-v1.rbm" v1.rbm
same "info of a version 1 file" "$("$R" v1.rbm info | head -n 1)" \
	"format_version: 1"
"$R" p.rbm init 6 3 --seed 2 --pcd --momentum 0.5 --centering \
	--sparsity-target 0.1 --batch-size 4 --chains 0
"$R" p.rbm train 2 <movies.txt
same "info: the optional training state" \
	"$("$R" p.rbm info | grep -E '^(velocity|chains|visible_offset|hidden_offset|hidden_mean):')" \
	"velocity: yes
chains: 4
visible_offset: yes
hidden_offset: yes
hidden_mean: yes"
same "info: none of it after init" \
	"$("$R" r2.rbm info | grep -E '^(velocity|chains|hidden_mean):')" \
	"velocity: no
chains: 0
hidden_mean: no"

# weights: the names, and the original README's layout.
run "$R" m.rbm weights --names "$names"
expect "weights --names" 0 ""
same "weights shows the names" "$(sed -n '3,8p' out | cut -c1-12 | sed 's/ *$//')" \
	"$(cat "$names")"
same "weights: the bias unit row has 0 in the corner" \
	"$(sed -n 2p out | awk '{ print $1, $2, $3 }')" "bias unit 0.00000000"
run "$R" m.rbm weights
same "weights: numbered names by default" "$(sed -n '3p;8p' out | cut -c1-9)" \
	"visible 1
visible 6"
cat >seed-table.txt <<'EOF'
                 bias unit       hidden 1        hidden 2
bias unit       -0.08257658     -0.19041546      1.57007782
harry potter    -0.82602559     -7.08986885      4.96606654
avatar          -1.84023877     -5.18354129      2.27197472
lotr 3           3.92321075      2.51720193      4.11061383
gladiator        0.10316995      6.74833901     -4.00505343
titanic         -0.97646029      3.25474524     -5.59606865
glitter         -4.44685751     -2.81563804     -2.91540988
EOF
awk 'NR > 1 { for (i = NF - 2; i <= NF; i++) v[NR - 1, i - NF + 3] = $i }
	END { print "6 2"; for (r = 2; r <= 7; r++) printf "%s%s", v[r, 1], r < 7 ? " " : "\n"
	      print v[1, 2], v[1, 3]
	      for (r = 2; r <= 7; r++) print v[r, 2], v[r, 3] }' seed-table.txt >seed.txt
"$R" seed.rbm import <seed.txt
"$R" seed.rbm weights --names "$names" >table.txt
layout() { sed 's/[0-9]/d/g; s/-/ /g' "$1" | tr '[:upper:]' '[:lower:]'; }
same "weights: the original README's layout" "$(layout table.txt)" \
	"$(layout seed-table.txt)"
head -n 5 "$names" >five.txt
run "$R" m.rbm weights --names five.txt
expect "weights: too few names" 1 "rbmcmd: weights: five.txt: 5 names for 6 visible units"
run "$R" m.rbm weights --names nonexistent.txt
expect "weights: a missing names file" 1 "rbmcmd: weights: nonexistent.txt: No such file or directory"

# A full output device is an error, not silence.
if [ -w /dev/full ]; then
	run sh -c "'$R' m.rbm export >/dev/full"
	expect "export to a full device" 1 "rbmcmd: export: write error: No space left on device"
fi

# The README's Python snippets, run against scikit-learn: a fitted
# BernoulliRBM goes out through save_rbmcmd, through import and export,
# and back in through load_rbmcmd with every number unchanged.
# (Debian's python3-sklearn is in /usr/bin/python3, which may not be the
# first python3 on the PATH.)
py=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if "$p" -c 'import sklearn' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -n "$py" ]; then
	awk '$0 == "Moving models to and from scikit-learn" { sec = 1; getline; next }
		sec && /^-+$/ { exit }
		sec && /^    (import|def) / { code = 1 }
		sec && code && /^[^ ]/ { code = 0 }
		sec && code { sub(/^    /, ""); print }' "$SRCDIR/README" >snippets.py
	cat snippets.py - >fit.py <<'EOF'
import sys
from sklearn.neural_network import BernoulliRBM
X = np.loadtxt(sys.argv[1])
rbm = BernoulliRBM(n_components=3, n_iter=50, random_state=0).fit(X)
if sys.argv[2] == "save":
    save_rbmcmd(rbm, "sk.txt")
    sys.exit(0)
W, b, c = load_rbmcmd("sk-back.txt")
same = (np.array_equal(W, rbm.components_.T.astype(np.float32)) and
        np.array_equal(b, rbm.intercept_visible_.astype(np.float32)) and
        np.array_equal(c, rbm.intercept_hidden_.astype(np.float32)))
print("same" if same else "different")
EOF
	"$py" fit.py movies.txt save
	"$R" sk.rbm import <sk.txt
	"$R" sk.rbm export >sk-back.txt
	same "scikit-learn: the README's snippets round-trip exactly" \
		"$("$py" fit.py movies.txt load)" "same"
else
	echo "skip scikit-learn round trip (no python3 with sklearn)"
fi

finish
