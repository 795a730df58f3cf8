#!/bin/sh
# threads.sh - the products' backend and the sampling: results are the
# same bytes whatever the number of threads and the level of the binary
# kernels, the pool's threads block the signals (the main thread handles
# them), train still stops cleanly on one, and --version says what runs.
. "$SRCDIR/tests/setup.sh"
cd "$T"

# 300 x 200 with batches of 100: products large enough to be cut into
# blocks that the pool shares out.
awk 'BEGIN { srand(5); for (r = 0; r < 400; r++) { for (i = 0; i < 300; i++)
	printf "%d ", rand() < 0.3; print "" } }' >data.txt
"$R" a.rbm init 300 200 --seed 1
for n in 1 2 3; do
	cp a.rbm t$n.rbm
	RBMCMD_THREADS=$n "$R" t$n.rbm train 2 --seed 2 <data.txt
	RBMCMD_THREADS=$n "$R" t$n.rbm run_visible --probs <data.txt >p$n.txt
	RBMCMD_THREADS=$n "$R" t$n.rbm reconstruct <data.txt >r$n.txt
	RBMCMD_THREADS=$n "$R" t$n.rbm run_visible --seed 3 <data.txt >s$n.txt
done
for n in 2 3; do
	same_model "train: $n threads give the model 1 thread gives" \
		t1.rbm t$n.rbm
	true_ "run_visible: $n threads print what 1 thread prints" \
		cmp -s p1.txt p$n.txt
	true_ "reconstruct: $n threads print what 1 thread prints" \
		cmp -s r1.txt r$n.txt
	true_ "run_visible's samples: $n threads draw what 1 thread draws" \
		cmp -s s1.txt s$n.txt
done
OPENBLAS_NUM_THREADS=2 "$R" t1.rbm run_visible --probs <data.txt >pb.txt
true_ "OPENBLAS_NUM_THREADS changes no result" cmp -s p1.txt pb.txt
for k in scalar sse2 avx2; do
	RBMCMD_KERNEL=$k "$R" t1.rbm run_visible --probs <data.txt >pk.txt
	true_ "RBMCMD_KERNEL=$k prints what the best level prints" \
		cmp -s p1.txt pk.txt
done

# --version names the products' backend; --verbose warns only when
# OpenBLAS runs kernels that ignore AVX2/AVX-512 (the unit tests check
# that decision), so not with a kernel family that uses them.
run "$R" --version
expect "--version" 0
v=$(grep '^Products: ' "$T/out" || true)
case $v in
*"; binary kernels: "*"; threads: "*) pass "--version names the products' backend" ;;
*) failed "--version names the products' backend: '$v'" ;;
esac
same "RBMCMD_THREADS shows in --version" \
	"$(RBMCMD_THREADS=3 "$R" --version | sed -n 's/.*threads: //p')" 3
case $v in
*"(kernel Haswell)"*|*"(kernel Zen)"*|*"(kernel SkylakeX)"*)
	"$R" t1.rbm train 1 --verbose <data.txt 2>err
	same "--verbose: no warning with $v" "$(grep -c warning err)" 0 ;;
esac

# The pool's threads (named rbmcmd-pool) block SIGINT and SIGTERM, and a
# SIGTERM during training still stops train and saves.  Linux only: the
# masks are read from /proc; not under valgrind (its own threads).
if [ -z "$VG" ] && [ -d /proc/self/task ]; then
	cp a.rbm s.rbm
	# A fresh file: the err of the --verbose check above already has an
	# epoch line, and the wait below must see this run's, not that one's.
	rm -f err
	RBMCMD_THREADS=3 env --default-signal=TERM "$R" s.rbm train 1000000 \
		--verbose <data.txt 2>err &
	pid=$!
	i=0 names=
	while [ $i -lt 600 ] && ! grep -q '^rbmcmd: train: epoch' err 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	masks=
	for t in /proc/$pid/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = rbmcmd-pool ] || continue
		m=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$t/status")
		masks="$masks $(( 0x$m & 0x4002 ))"
	done
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	same "the pool has two threads besides the main one" \
		"$(echo $masks | wc -w)" 2
	same "the pool's threads block SIGINT and SIGTERM" "$masks" \
		" $((0x4002)) $((0x4002))"
	same "SIGTERM still stops train (exit 143)" "$rc" 143
	same "and the state is saved" "$(tail -n 1 err)" \
		"rbmcmd: train: interrupted at epoch $(grep -c '^rbmcmd: train: epoch' err) of 1000000; state saved"
fi

finish
