#!/bin/sh
# interrupt.sh - SIGINT and SIGTERM during train: the first stops it at the
# end of the mini-batch in progress, saves what it learnt, says so and
# exits 130 or 143; a second ends it at once, leaving the old state file.
. "$SRCDIR/tests/setup.sh"
cd "$T"

# Background jobs of a script ignore SIGINT; train respects that, so the
# tests start it with the signals back at their defaults.
if env --default-signal=INT true 2>/dev/null; then
	defaults="env --default-signal=INT,TERM"
else
	defaults=
	echo "skip: env --default-signal is missing; only SIGTERM is tested"
fi

awk 'BEGIN { srand(3); for (r = 0; r < 1000; r++) { for (i = 0; i < 100; i++)
	printf "%d ", rand() < 0.3; print "" } }' >data.txt
"$R" s.rbm init 100 50 --seed 1 --batch-size 10
"$R" s.rbm train 1 <data.txt
cp s.rbm before.rbm

# Valgrind makes everything some 50 times slower: fewer Gibbs steps then
# keep the long steps below long enough without taking minutes.
if [ -n "$VG" ]; then slow=5 slower=20; else slow=200 slower=1000; fi

# interrupt SIG STATUS EPOCHS [OPTION]: stop a long train with SIG after
# EPOCHS epochs, right as the next one starts.
interrupt() {
	sig=$1 status=$2 after=$3
	shift 3
	cp before.rbm s.rbm
	rm -f err	# the wait below must see this run's lines, not the last's
	$defaults "$R" s.rbm train 1000000 --verbose "$@" <data.txt 2>err &
	pid=$!
	wait_epochs err "$after"
	kill -"$sig" $pid || true
	rc=0
	wait $pid || rc=$?
	same "SIG$sig: exit status $status" "$rc" "$status"
	e=$(grep -c '^rbmcmd: train: epoch' err || true)
	same "SIG$sig: the message names the epochs done" "$(tail -n 1 err)" \
		"rbmcmd: train: interrupted at epoch $e of 1000000; state saved"
	true_ "SIG$sig: at least $after epochs done" test "$e" -ge "$after"
	run "$R" s.rbm daydream 1 1
	expect "SIG$sig: the saved state loads" 0
	same "SIG$sig: epochs counts the complete ones" \
		"$(grep '^epochs ' s.rbm)" "epochs $((e + 1))"
	# A partial epoch is trained in and noted, not counted.
	p=$(grep '^history train: SIG' s.rbm || true)
	case $p in
	"history train: SIG$sig stopped epoch $((e + 2)) after "*" of 1000 rows; they are trained in, but not counted in epochs")
		pass "SIG$sig: a partial epoch is noted in the history" ;;
	"") # Only when the signal came between two epochs.
		if [ $# -eq 0 ]; then
			pass "SIG$sig: no partial epoch"
		else
			failed "SIG$sig: stopped at the end of the epoch, not of the mini-batch"
		fi ;;
	*) failed "SIG$sig: partial epoch note: '$p'" ;;
	esac
	same "SIG$sig: nothing left beside the state" \
		"$(ls -A | grep '^\.' || true)" ""
}
[ -z "$defaults" ] || interrupt INT 130 3
# Epochs of a second or more (200 Gibbs steps a batch), so the signal
# lands early in one and must stop it after the mini-batch in progress.
interrupt TERM 143 1 --cd-k $slow

# A second signal ends train at once, without saving.  Each mini-batch
# (the whole data set, 1000 Gibbs steps) takes long enough for two
# different signals, which cannot merge into one, to land in it.  The
# process dies holding its memory, which valgrind need not report.
cp before.rbm s.rbm
rm -f err
VG_LEAKS=no $defaults "$R" s.rbm train 1000000 --verbose --batch-size 1000 \
	--cd-k $slower <data.txt 2>err &
pid=$!
wait_epochs err 1
kill -INT $pid || true
# Apart, so that which one is the second is not up to the scheduler.
sleep 0.2
kill -TERM $pid 2>/dev/null || true
rc=0
wait $pid || rc=$?
same "second signal: killed by it" "$rc" 143
same "second signal: says so" "$(tail -n 1 err)" \
	"rbmcmd: train: interrupted again; exiting at once"
true_ "second signal: state file unchanged" cmp -s s.rbm before.rbm
run "$R" s.rbm train 1 <data.txt
expect "second signal: train works again afterwards" 0
same "second signal: no lock or temporary file left after that" \
	"$(ls -A | grep '^\.' || true)" ""

# A signal ignored at the start stays ignored (nohup, background jobs).
cp before.rbm s.rbm
rm -f err
sh -c "trap '' TERM; exec '$R' s.rbm train 30 --verbose <data.txt 2>err" &
pid=$!
wait_epochs err 1
kill -TERM $pid 2>/dev/null || true
rc=0
wait $pid || rc=$?
same "an ignored SIGTERM: train runs to the end" "$rc $(grep -c '^rbmcmd: train: epoch' err)" \
	"0 30"

finish
