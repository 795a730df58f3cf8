#!/bin/sh
# errors.sh - every usage error and input error: exact message, exit
# status (2 usage, 1 failure), and the state file left untouched.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
"$R" s.rbm init 6 2 --seed 1
cp s.rbm orig.rbm
untouched() { true_ "$1: state untouched" cmp -s s.rbm orig.rbm; }

# Usage errors: exit 2, a message, a pointer to the help.
run "$R"
expect "no arguments" 2
run "$R" s.rbm
expect "no command" 2 "rbmcmd: missing command after 's.rbm'
Try 'rbmcmd --help'."
run "$R" s.rbm frobnicate
expect "unknown command" 2 "rbmcmd: unknown command 'frobnicate'
Try 'rbmcmd --help'."
run "$R" help frobnicate
expect "help for an unknown command" 2
run "$R" s.rbm train
expect "train without epochs" 2 "rbmcmd: train: wrong number of arguments (usage: rbmcmd STATE train MAX_EPOCHS [LEARNING_RATE] < ROWS)
Try 'rbmcmd STATE train --help'."
run "$R" s.rbm train 1 0.1 7
expect "train with three arguments" 2
run "$R" s.rbm train ten
expect "non-numeric epochs" 2 "rbmcmd: train: MAX_EPOCHS must be a whole number from 0 to 18446744073709551615, not 'ten'
Try 'rbmcmd STATE train --help'."
run "$R" s.rbm train 10 0 <movies.txt
expect "zero learning rate" 2 "rbmcmd: train: learning rate must be a positive number, not '0'
Try 'rbmcmd STATE train --help'."
run "$R" s.rbm train 10 nan <movies.txt
expect "NaN learning rate" 2
run "$R" s.rbm train 10 0.1 --learning-rate 0.2 <movies.txt
expect "rate given twice" 2
run "$R" s.rbm train 10 --batch-size 0 <movies.txt
expect "batch size 0" 2 "rbmcmd: train: --batch-size must be a whole number from 1 to 1048576, not '0'
Try 'rbmcmd STATE train --help'."
run "$R" s.rbm train 10 --frob <movies.txt
expect "unknown option" 2 "rbmcmd: train: unknown option or missing value in '--frob'
Try 'rbmcmd STATE train --help'."
run "$R" s.rbm run_visible --batch-size 5
expect "option of another command" 2
run "$R" s.rbm train 10 --seed <movies.txt
expect "option without its value" 2
run "$R" s.rbm train 10 --seed -4 <movies.txt
expect "negative seed" 2
untouched "usage errors"

run "$R" n.rbm init 0 2
expect "zero visible units" 2 "rbmcmd: init: NUM_VISIBLE must be a whole number from 1 to 16777216, not '0'
Try 'rbmcmd STATE init --help'."
run "$R" n.rbm init 2.5 2
expect "fractional units" 2
run "$R" n.rbm init 6 99999999999999999999999
expect "overflowing units" 2
run "$R" n.rbm init 100000000 100000000
expect "absurd size" 2 "rbmcmd: init: NUM_VISIBLE must be a whole number from 1 to 16777216, not '100000000'
Try 'rbmcmd STATE init --help'."
run "$R" n.rbm init 16777216 16777216
expect "too many weights" 2 "rbmcmd: init: a 16777216 x 16777216 model is too large (at most 16777216 units a layer, 1073741824 weights)
Try 'rbmcmd STATE init --help'."
run "$R" n.rbm init 6 2 -0.5
expect "negative rate at init" 2
run "$R" n.rbm init -5 2
expect "negative units" 2 "rbmcmd: init: unknown option or missing value in '-5'
Try 'rbmcmd STATE init --help'."
run "$R" n.rbm init -- 6 -2
expect "negative units after --" 2 "rbmcmd: init: NUM_HIDDEN must be a whole number from 1 to 16777216, not '-2'
Try 'rbmcmd STATE init --help'."
run "$R" n.rbm init 0x10 1e3
expect "units in hex or exponent form" 2
true_ "no file after failed inits" test ! -e n.rbm
run "$R" s.rbm daydream 0 5
expect "daydream of no samples" 2
run "$R" s.rbm daydream_trace
expect "daydream_trace without samples" 2

# Files: missing, foreign, not clobbered.
run "$R" missing.rbm run_visible
expect "missing state" 1 "rbmcmd: run_visible: missing.rbm: No such file or directory"
echo "precious data" >notes.txt
run "$R" notes.txt init 6 2
expect "init over a foreign file" 1 "rbmcmd: init: notes.txt exists and is not an rbmcmd state file; not overwriting it"
same "foreign file kept" "$(cat notes.txt)" "precious data"
run "$R" notes.txt train 1 <movies.txt
expect "train on a foreign file" 1 "rbmcmd: train: notes.txt: not an rbmcmd state file"
mkdir adir
run "$R" adir init 6 2
expect "init over a directory" 1 "rbmcmd: init: adir: not a regular file; not overwriting"
run "$R" nodir/s.rbm init 6 2
expect "init into a missing directory" 1 "rbmcmd: init: cannot save nodir/s.rbm: No such file or directory"

# Bad rows: exit 1, source and line, nothing saved.
bad() {
	name=$1 msg=$2
	shift 2
	printf "$@" >bad.txt
	run "$R" s.rbm train 5 <bad.txt
	expect "$name" 1 "rbmcmd: train: $msg"
	untouched "$name"
}
bad "short row" "stdin:3: expected 6 values, got 5" \
	'1 1 1 0 0 0\n# note\n1 1 1 0 0\n'
bad "long row" "stdin:1: expected 6 values, got 7" '1 1 1 0 0 0 1\n'
bad "not a number" "stdin:2: value 4 ('x') is not a number" \
	'1 1 1 0 0 0\n1 1 1 x 0 0\n'
bad "trailing junk" "stdin:1: value 1 ('1a') is not a number" '1a 1 1 0 0 0\n'
bad "a comma" "stdin:1: value 1 ('0,5') is not a number" '0,5 1 1 0 0 0\n'
bad "NaN" "stdin:1: value 2 ('nan') is not finite" '1 nan 1 0 0 0\n'
bad "Inf" "stdin:1: value 3 ('-inf') is not finite" '1 1 -inf 0 0 0\n'
bad "huge number" "stdin:1: value 1 ('1e999') is not finite" '1e999 1 1 0 0 0\n'
bad "above 1" "stdin:1: value 6 (2) is outside [0, 1]" '1 1 1 0 0 2\n'
bad "below 0" "stdin:1: value 1 (-0.5) is outside [0, 1]" ' -0.5 1 1 0 0 0\n'
bad "a NUL byte" "stdin:1: line contains a NUL byte" '1 1 1 0 0 0\0\n'
bad "binary garbage" "stdin:1: value 1 ('\\xff\\xfe') is not a number" \
	'\377\376 1 1 0 0 0\n'
bad "no rows" "stdin: no rows to train on" ''
bad "only comments" "stdin: no rows to train on" '# nothing\n\n'
head -c 70000000 /dev/zero | tr '\0' '1' >long.txt
run "$R" s.rbm train 1 <long.txt
expect "a 70 MB line" 1 "rbmcmd: train: stdin:1: line is longer than 67108863 bytes"
untouched "a 70 MB line"

# Streaming commands report the line and stop; earlier rows were answered.
printf '0 0 0 1 1 0\n0 0 0 1 1\n' >bad.txt
run "$R" s.rbm run_visible <bad.txt
expect "run_visible short row" 1 "rbmcmd: run_visible: stdin:2: expected 6 values, got 5"
same "run_visible answered the good row first" "$(wc -l <out)" 1
printf '1 0\n2 0\n' >bad.txt
run "$R" s.rbm run_hidden <bad.txt
expect "run_hidden value above 1" 1 "rbmcmd: run_hidden: stdin:2: value 1 (2) is outside [0, 1]"

# Out of memory is an error, not a crash: a model within the limits but
# beyond the memory allowed (a 4 GiB model under a 400 MB address-space
# limit; sanitizers and valgrind need more address space, so they skip).
if [ -z "$VG" ] && ! ldd "$RBMCMD" | grep -q libasan; then
	run sh -c "ulimit -v 400000; exec '$R' n.rbm init 16777216 64"
	expect "a model too large for memory" 1 \
		"rbmcmd: init: out of memory for a 16777216 x 64 model"
	true_ "no file after running out of memory" test ! -e n.rbm
	run sh -c "ulimit -v 400000; exec '$R' s.rbm daydream 1 16777216"
	expect "dreams too many for memory" 1 \
		"rbmcmd: daydream: out of memory"
fi

# Divergence: stop with advice, keep the old state.
run "$R" s.rbm train 20 1e300 <movies.txt
expect "divergence to infinity" 1 "rbmcmd: train: epoch 1: training diverged: the parameters are no longer finite or exceed 1e+06; try a smaller learning rate than 1e+300"
untouched "divergence to infinity"
run "$R" s.rbm train 20 1e30 <movies.txt
expect "divergence to huge weights" 1 "rbmcmd: train: epoch 1: training diverged: the parameters are no longer finite or exceed 1e+06; try a smaller learning rate than 1e+30"
untouched "divergence to huge weights"

# A full output device is an error, not silence.
if [ -w /dev/full ]; then
	run sh -c "'$R' s.rbm daydream 2 5000 >/dev/full"
	expect "write to a full device" 1 "rbmcmd: write error: No space left on device"
fi

finish
