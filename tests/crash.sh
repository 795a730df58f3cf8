#!/bin/sh
# crash.sh - kill -9 at random moments while train and init save, many
# times; the state file must then be either the old state byte for byte
# or the finished new one (byte for byte but for train's dated history
# line and the checksum over it), never torn, and must load.
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
	elif [ "$(grep -v '^history \|^end ' s.rbm)" = \
	       "$(grep -v '^history \|^end ' "$want")" ] &&
	     "$R" s.rbm daydream 1 1 >/dev/null; then
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

finish
