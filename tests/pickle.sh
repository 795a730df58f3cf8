#!/bin/sh
# pickle.sh - the original rbmcmd's state files (pickles, tests/data/pickle,
# written by tests/pickle-gen.py and checked there with Python's pickle):
# every reading command takes them as they are, with the model the
# original meant (export bit for bit, p(h|v) against the one computed by
# hand); init and train never write over one and say how to convert it;
# import converts one into a new state file, keeping its learning rate;
# hostile pickles are refused with a message and the byte.
. "$SRCDIR/tests/setup.sh"
cd "$T"
P=$SRCDIR/tests/data/pickle
movies >movies.txt

# |a - b| <= 2e-6 for every number of two files of rows.
close() {
	paste -d ' ' "$1" "$2" | awk '{
		n = NF / 2
		if (n != int(n)) bad = 1
		for (i = 1; i <= n; i++) {
			d = $i - $(i + n)
			if (d > 2e-6 || d < -2e-6) bad = 1
		}
	} END { exit bad }'
}

for f in "$P"/py*.pkl; do
	n=$(basename "$f" .pkl)
	run "$R" "$f" export
	expect "$n: export" 0 ""
	true_ "$n: export gives the pickle's weights and biases" \
		cmp -s "$T/out" "$P/$n.export"
done
for n in py2-proto0 py3-proto0 py3-proto2 py3-proto3 py3-proto4 py3-proto5; do
	run "$R" "$P/$n.pkl" run_visible --probs <movies.txt
	expect "$n: run_visible" 0 ""
	true_ "$n: p(h|v) is sigmoid([1 v] . weights) as the original's" \
		close "$T/out" "$P/movies.probs"
done

# The reading commands, on a copy named as the original named it.
cp "$P/py2-proto0.pkl" rbmstate.dat
echo "1 0" >h.txt
for cmd in "run_visible --seed=1" "daydream 3 2 --seed=1" \
	   "daydream_trace 3 --seed=1" "free_energy" "reconstruct" \
	   "loglik" "recommend"; do
	# shellcheck disable=SC2086
	run "$R" rbmstate.dat $cmd <movies.txt
	expect "rbmstate.dat $cmd" 0 ""
done
run "$R" rbmstate.dat run_hidden --probs <h.txt
expect "rbmstate.dat run_hidden" 0 ""
run "$R" rbmstate.dat weights
expect "rbmstate.dat weights" 0 ""
run "$R" rbmstate.dat info
expect "info" 0 ""
true_ "info: version 0 and where it came from" sh -c '
	grep -qx "format_version: 0" "$1" && grep -qx "learning_rate: 0.1" "$1" &&
	grep -qx "history: read: the original Python rbmcmd'"'"'s pickle (protocol 0, Python 2), learning rate 0.1" "$1"' \
	sh "$T/out"

# Nothing writes over it.
run "$R" rbmstate.dat train 10 <movies.txt
expect "train refuses a pickle" 1 "rbmcmd: train: rbmstate.dat is the original Python rbmcmd's model (a pickle), which train would replace; convert it into a new file and train that: rbmcmd NEW import < rbmstate.dat"
run "$R" rbmstate.dat init 6 2
expect "init refuses a pickle and says what it is" 1 "rbmcmd: init: rbmstate.dat is the original Python rbmcmd's model (a pickle); not overwriting it (every command reads it as it is; to train it, convert it into a new file: rbmcmd NEW import < rbmstate.dat)"
run "$R" rbmstate.dat import <rbmstate.dat
expect "import refuses to replace a pickle" 1 "rbmcmd: import: rbmstate.dat is the original Python rbmcmd's model (a pickle); not overwriting it (every command reads it as it is; to train it, convert it into a new file: rbmcmd NEW import < rbmstate.dat)"
true_ "the pickle is untouched" cmp -s rbmstate.dat "$P/py2-proto0.pkl"
true_ "and nothing was left beside it" test \
	"$(ls -A | grep -v '^out$\|^err$' | sort | tr '\n' ' ')" = \
	"h.txt movies.txt rbmstate.dat "

# Conversion: the same model, its learning rate, then training goes on.
true_ "--help says import converts the original's pickle" sh -c \
	"'$R' --help | grep -A2 '^  import ' | grep -q pickle"
true_ "so does 'help import'" sh -c "'$R' help import | grep -q pickle"
run "$R" new.rbm import <rbmstate.dat
expect "import converts a pickle" 0 ""
run "$R" new.rbm export
true_ "the converted model is the pickle's" cmp -s "$T/out" "$P/py2-proto0.export"
run "$R" new.rbm run_visible --probs <movies.txt
true_ "converted: p(h|v) by hand" close "$T/out" "$P/movies.probs"
run "$R" new.rbm info
true_ "converted: the learning rate carries over" \
	grep -qx "learning_rate: 0.1" "$T/out"
true_ "converted: history says from what" grep -qx "history: import: 6 x 2 model from the original Python rbmcmd's pickle (protocol 0, Python 2; its learning rate 0.1)" "$T/out"
run "$R" new.rbm train 5 --seed=1 <movies.txt
expect "the converted file trains" 0 ""
run "$R" lr.rbm import --learning-rate=0.5 <"$P/py3-proto4.pkl"
expect "import --learning-rate" 0 ""
run "$R" lr.rbm info
true_ "--learning-rate beats the pickle's" grep -qx "learning_rate: 0.5" "$T/out"

# Hostile pickles: a message with the byte, nothing run, exit 1.
bad() {
	printf "$2" >bad.pkl
	run "$R" bad.pkl run_visible <movies.txt
	expect "$1" 1 "rbmcmd: run_visible: bad.pkl: $3"
}
bad "os.system refused" '\200\002cos\nsystem\nq\000X\002\000\000\000lsq\001\205q\002R.' \
	"byte 2: unknown global 'os.system' refused (only the original rbmcmd's RBM class and numpy arrays are read)"
bad "builtins.eval refused (protocol 4)" '\200\004\214\010builtins\224\214\004eval\224\223\224.' \
	"byte 20: unknown global 'builtins.eval' refused (only the original rbmcmd's RBM class and numpy arrays are read)"
bad "REDUCE on a known global that is no callable" '\200\002cnumpy\nndarray\n)R.' \
	"byte 18: REDUCE on a callable or with arguments this reader does not know: refused"
bad "a huge length" '\200\003B\377\377\377\177' \
	"byte 2: truncated: a length of 2147483647 bytes, 0 left"
bad "deep nesting" "$(printf '\200\002'; i=0; while [ $i -lt 70 ]; do printf '('; i=$((i + 1)); done)" \
	"byte 66: MARKs nested deeper than 64"
bad "no STOP" '\200\002N' "byte 3: truncated: no STOP opcode"
bad "not an RBM" '\200\002N.' \
	"a pickle, but not of the original rbmcmd's RBM (no RBM instance with attributes)"
bad "persistent id" '\200\002P1\n.' "byte 2: opcode 0x50 (persistent ids, extension codes and out-of-band buffers) refused"
# The movie model with its weights edited: wrong shape, NaN.
sed 's/^(I7$/(I8/' "$P/py2-proto0.pkl" >bad.pkl
run "$R" bad.pkl run_visible <movies.txt
expect "wrong shape" 1 "rbmcmd: run_visible: bad.pkl: the weights' data does not hold 8 x 3 numbers"
# A rate that the state file could not carry (subnormal: strtod calls it
# out of range) is not taken: the defaults, and the history says why.
sed 's/^F0.1$/F1e-310/' "$P/py2-proto0.pkl" >tiny.pkl
run "$R" tiny.pkl info
expect "info, subnormal rate" 0 ""
true_ "its rate is the default, and the history says so" sh -c '
	grep -qx "learning_rate: 0.2" "$1" &&
	grep -qx "history: read: the original Python rbmcmd'"'"'s pickle (protocol 0, Python 2), learning rate 1e-310 unusable, default 0.2" "$1"' \
	sh "$T/out"
sed 's/^I6$/I5/' "$P/py2-proto0.pkl" >bad.pkl
run "$R" bad.pkl run_visible <movies.txt
expect "shape and num_visible disagree" 1 "rbmcmd: run_visible: bad.pkl: weights of 7 x 3 do not fit num_visible 5 and num_hidden 2 (want (NV+1) x (NH+1))"
run "$R" "$P/bad-nan.pkl" run_visible <movies.txt
expect "NaN weight" 1 "rbmcmd: run_visible: $P/bad-nan.pkl: weights[1][2] is nan, not a finite single-precision number"
run "$R" "$P/bad-huge.pkl" run_visible <movies.txt
expect "a weight beyond single precision" 1 "rbmcmd: run_visible: $P/bad-huge.pkl: weights[3][1] is 1e+300, not a finite single-precision number"
run "$R" "$P/corner-nan.pkl" export
expect "NaN in the unused corner is no matter" 0 ""
run "$R" new2.rbm import <"$P/bad-nan.pkl"
expect "import of a bad pickle" 1 "rbmcmd: import: stdin: weights[1][2] is nan, not a finite single-precision number"
true_ "and no file made" test ! -e new2.rbm

finish
