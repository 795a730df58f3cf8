#!/bin/sh
# crash.sh - kill -9 at random moments while train and init save, many
# times; the state file must then be byte for byte either the old state
# or the finished new one, never torn, and must load.  What a killed save
# leaves (a temporary file) goes with the next train.
. "$SRCDIR/tests/setup.sh"
cd "$T"
TRIALS=${CRASH_TRIALS:-100}

# A model whose save takes a few tens of milliseconds.
awk 'BEGIN { srand(1); for (r = 0; r < 50; r++) { for (i = 0; i < 784; i++)
	printf "%d ", rand() < 0.3; print "" } }' >data.txt
"$R" old.rbm init 784 100 --seed 1
cp old.rbm s.rbm
"$R" s.rbm train 2 --seed 7 <data.txt
mv s.rbm trained.rbm
"$R" inited.rbm init 784 100 --seed 2

# How long one train takes here (sanitizer builds are slower), so the
# kills spread over the whole run, its save included.
cp old.rbm s.rbm
t0=$(date +%s%N)
"$R" s.rbm train 2 --seed 7 <data.txt
ms=$(( ($(date +%s%N) - t0) / 1000000 * 6 / 5 + 1 ))

# trial CMD...: start from old.rbm, kill CMD at a random moment, classify.
n_old=0 n_new=0 n_bad=0
trial() {
	want=$1
	shift
	cp old.rbm s.rbm
	"$@" <data.txt &
	pid=$!
	sleep "$(awk "BEGIN { srand($i); printf \"%.3f\", rand() * $ms / 1000 }")"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	if cmp -s s.rbm old.rbm; then
		n_old=$((n_old + 1))
	elif cmp -s s.rbm "$want" && "$R" s.rbm daydream 1 1 >/dev/null; then
		n_new=$((n_new + 1))
	else
		n_bad=$((n_bad + 1))
		cp s.rbm "bad-$i.rbm"
	fi
}

i=0
while [ $i -lt "$TRIALS" ]; do
	trial trained.rbm "$R" s.rbm train 2 --seed 7
	i=$((i + 1))
done
echo "train: $TRIALS kills: $n_old old, $n_new new, $n_bad torn"
same "train killed $TRIALS times: never torn" "$n_bad" 0
true_ "train kills landed both before and after the rename" \
	test "$n_old" -gt 0 -a "$n_new" -gt 0

n_old=0 n_new=0 n_bad=0
i=0
while [ $i -lt "$TRIALS" ]; do
	trial inited.rbm "$R" s.rbm init 784 100 --seed 2
	i=$((i + 1))
done
echo "init: $TRIALS kills: $n_old old, $n_new new, $n_bad torn"
same "init killed $TRIALS times: never torn" "$n_bad" 0

# Temporary files of killed saves: the next init or train, holding the
# lock, removes those of its own file and nothing else.
left=$(ls -A | grep -c '^\.s\.rbm\.rbmcmd-' || true)
echo "temporary files left after the kills: $left (each run removes older ones)"
: >.s.rbm.rbmcmd-AbC123
mkdir .s.rbm.rbmcmd-dir000
: >.s.rbm.Xyz789
: >.s.rbm.rbmcmd-short
: >.t.rbm.rbmcmd-AbC123
"$R" s.rbm init 6 2
same "a stale temporary file is removed, others kept" \
	"$(ls -A | grep '^\.' | tr '\n' ' ')" \
	".s.rbm.Xyz789 .s.rbm.rbmcmd-dir000 .s.rbm.rbmcmd-short .t.rbm.rbmcmd-AbC123 "

finish
