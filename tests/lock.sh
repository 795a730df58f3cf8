#!/bin/sh
# lock.sh - one writer per state file: while train or init holds STATE,
# another train or init fails at once with a message naming it, readers
# carry on, and no update is ever silently lost.
. "$SRCDIR/tests/setup.sh"
cd "$T"

awk 'BEGIN { srand(5); for (r = 0; r < 1000; r++) { for (i = 0; i < 100; i++)
	printf "%d ", rand() < 0.3; print "" } }' >data.txt
"$R" s.rbm init 100 50 --seed 1 --batch-size 10

epochs() { sed -n 's/^epochs //p' "$1"; }

# A long train holds the lock.
"$R" s.rbm train 1000000 --verbose <data.txt 2>long.err &
pid=$!
wait_epochs long.err 1
cp s.rbm held.rbm
run "$R" s.rbm train 1 <data.txt
expect "a second train fails at once" 1 \
	"rbmcmd: train: s.rbm is locked by another rbmcmd (pid $pid)"
run "$R" s.rbm init 6 2
expect "so does init" 1 \
	"rbmcmd: init: s.rbm is locked by another rbmcmd (pid $pid)"
run "$R" ./s.rbm train 1 <data.txt
expect "whatever the path's spelling" 1 \
	"rbmcmd: train: ./s.rbm is locked by another rbmcmd (pid $pid)"
true_ "and the state file is untouched" cmp -s s.rbm held.rbm
run sh -c "head -n 3 data.txt | '$R' s.rbm run_visible"
expect "readers still read it" 0
same "readers get every answer" "$(wc -l <"$T/out")" 3
run "$R" other.rbm init 6 2
expect "other state files in the directory are free" 0
kill -TERM $pid || true
rc=0
wait $pid || rc=$?
same "the holder saves when stopped" "$rc" 143
true_ "and has changed the file" sh -c '! cmp -s s.rbm held.rbm'
run "$R" s.rbm train 1 <data.txt
expect "then the lock is free" 0
same "no lock file is left" "$(ls -A | grep '^\.' || true)" ""

# A killed holder leaves its lock file, unlocked: the next run takes it.
rm -f long.err	# wait for this run's epoch line, not the last run's
"$R" s.rbm train 1000000 --verbose <data.txt 2>long.err &
pid=$!
wait_epochs long.err 1
kill -9 $pid || true
wait $pid || true
true_ "a killed holder leaves the lock file" test -e .s.rbm.lock
run "$R" s.rbm train 1 <data.txt
expect "which does not block the next train" 0
true_ "and is removed by it" test ! -e .s.rbm.lock

# Two trains started together, many times: each either adds its epochs
# or fails with the lock message, and the file's epoch count always adds
# up (without the lock, both would succeed and one's epochs be lost).
# Under valgrind, fewer and shorter rounds overlap just as well.
if [ -n "$VG" ]; then rounds=3 n=5; else rounds=10 n=20; fi
lost=0 both=0 one=0 round=0
while [ $round -lt $rounds ]; do
	e0=$(epochs s.rbm)
	"$R" s.rbm train $n <data.txt 2>a.err &
	a=$!
	"$R" s.rbm train $n <data.txt 2>b.err &
	b=$!
	ra=0 rb=0
	wait $a || ra=$?
	wait $b || rb=$?
	ok=0
	for x in "$ra a" "$rb b"; do
		set -- $x
		if [ "$1" = 0 ]; then
			ok=$((ok + 1))
		elif ! grep -q "^rbmcmd: train: s.rbm is locked by another rbmcmd (pid [0-9]*)$" "$2.err"; then
			lost=$((lost + 1))
		fi
	done
	[ $ok = 2 ] && both=$((both + 1))
	[ $ok = 1 ] && one=$((one + 1))
	[ "$(epochs s.rbm)" = $((e0 + n * ok)) ] || lost=$((lost + 1))
	round=$((round + 1))
done
echo "concurrent trains: $one rounds with one locked out, $both one after the other"
same "concurrent trains: no update lost" "$lost" 0
true_ "concurrent trains: they did overlap" test "$one" -gt 0

finish
