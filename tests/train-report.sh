#!/bin/sh
# train-report.sh - what train reports about a run is true: no
# validation figure (not "nan") without --validation, in the verbose
# line and in the history; a run of 0 epochs is "epochs none" in the
# history, not "epochs 5011-5010"; a --log file that cannot be created
# is a usage error naming the option (exit 2, like --validation's), one
# that cannot be written later a failure naming it (exit 1).
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >m.txt
"$R" s.rbm init 6 2 --seed 1

run "$R" s.rbm train 2 --verbose <m.txt
expect "train --verbose" 0
same "no validation figure in the verbose lines without --validation" \
	"$(grep -c 'validation\|nan' "$T/err" || true)" 0
same "two verbose lines" "$(grep -c '^rbmcmd: train: epoch [12]: reconstruction error [0-9.]*, free energy -*[0-9.]*, rate ' "$T/err")" 2
h=$(grep '^history .* epochs 1-2 ' s.rbm)
case $h in
*validation* | *nan*) failed "history without --validation: '$h'" ;;
*" free_energy "*) pass "no validation figure in the history without --validation" ;;
*) failed "history line: '$h'" ;;
esac

run "$R" s.rbm train 1 --verbose --validation=m.txt <m.txt
expect "train --validation" 0
true_ "the verbose line has the validation figure" \
	grep -q '(validation -*[0-9.]*), rate' "$T/err"
true_ "and the history too" grep -q '^history .* epochs 3-3 .* validation -*[0-9.]* stuck [0-9]*$' s.rbm

run "$R" s.rbm train 0 <m.txt
expect "train 0" 0
true_ "a 0-epoch run is 'epochs none' in the history" \
	grep -q '^history .* epochs none rows 6 ' s.rbm
same "and no backwards range" "$(grep -c 'epochs 4-3' s.rbm || true)" 0

cp s.rbm before.rbm
run "$R" s.rbm train 1 --log=nodir/a.csv <m.txt
expect "--log that cannot be created: usage error naming the option" 2 \
"rbmcmd: train: --log: nodir/a.csv: No such file or directory
Try 'rbmcmd STATE train --help'."
true_ "and the state file is untouched" cmp -s s.rbm before.rbm
if [ -w /dev/full ]; then
	run "$R" s.rbm train 1 --log=/dev/full <m.txt
	expect "--log that cannot be written: a failure naming the option" 1 \
		"rbmcmd: train: --log: /dev/full: No space left on device"
	true_ "and the state file is untouched" cmp -s s.rbm before.rbm
fi

finish
