#!/bin/sh
# mpi.sh - train under mpirun (data-parallel over MPI): one process under
# the launcher is the plain run byte for byte; K = 2, 3, 4 processes end
# with the same parameters on every rank, whether the rows come from one
# file split by bytes, a file per rank, or stdin; an error in any rank's
# rows names the file, its true line and the rank; a signal to the
# launcher stops all at a batch boundary and rank 0 saves; a failure of
# any rank (bad row, no memory, divergence, SIGKILL) stops all, the
# launcher fails and the state file is untouched.  (The gradient of the
# parts against one process's, with the same sampled states, is the unit
# test train/parts.)  Skipped without mpirun or without MPI in the build.
. "$SRCDIR/tests/setup.sh"
cd "$T"

if ! command -v mpirun >/dev/null 2>&1; then
	echo "skip: no mpirun"
	exit 77
fi
if ! "$R" --version | grep -q '; MPI'; then
	echo "skip: built without MPI"
	exit 77
fi
if [ -n "$VG" ]; then
	echo "skip: not under valgrind (Open MPI's own allocations)"
	exit 77
fi
# CI runs as root; more ranks than cores.
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
# Open MPI's TCP and shared-memory transports on one host, quietly.
OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_btl OMPI_MCA_btl_vader_single_copy_mechanism
# On SIGINT or SIGTERM, Open MPI's mpirun (4.1) stops forwarding the
# processes' output, sends them SIGCONT, sleeps odls_base_sigkill_timeout
# seconds (1 by default), sends SIGTERM, sleeps as long again and sends
# SIGKILL: the processes have that long to finish the batch and save.
# One second is little on a busy machine; ten is plenty for this test's
# batches of milliseconds (and the signal test takes twice that).
OMPI_MCA_odls_base_sigkill_timeout=10
export OMPI_MCA_odls_base_sigkill_timeout
# Under the sanitizers: Open MPI keeps memory past MPI_Finalize, which is
# not ours to free.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
mpi() { mpirun --oversubscribe -n "$@"; }

awk 'BEGIN { srand(5); for (r = 0; r < 203; r++) { for (i = 0; i < 30; i++)
	printf "%d ", rand() < 0.3 + 0.3 * (i % 3 == 0); print "" } }' >rows.txt
"$R" new.rbm init 30 8 --seed 7
opts="--seed 11 --batch-size 17 --pcd --centering --data-bias --sparsity-target 0.1 --quiet"

# ---- one process under the launcher is the plain run ----
cp new.rbm plain.rbm
# shellcheck disable=SC2086
"$R" plain.rbm train 3 $opts <rows.txt
cp new.rbm one.rbm
# shellcheck disable=SC2086
run mpi 1 "$R" one.rbm train 3 $opts --data rows.txt
expect "K=1 under mpirun trains" 0
same_model "K=1 under mpirun: the plain run's model, byte for byte" \
	plain.rbm one.rbm
# The same with the defaults alone (500 chains, visible centering,
# averaging the last half with an iterate), in one run and in two.
cp new.rbm plaind.rbm
"$R" plaind.rbm train 4 --seed 11 --quiet <rows.txt
cp new.rbm oned.rbm
run mpi 1 "$R" oned.rbm train 4 --seed 11 --quiet --data rows.txt
expect "K=1 under mpirun, defaults: trains" 0
same_model "K=1 under mpirun, defaults: the plain run's model" plaind.rbm \
	oned.rbm
cp new.rbm oned2.rbm
run mpi 1 "$R" oned2.rbm train 2 --seed 11 --quiet --data rows.txt
run mpi 1 "$R" oned2.rbm train 2 --quiet --data rows.txt
expect "K=1 under mpirun, defaults: train 2 twice" 0
same_model "K=1 under mpirun, defaults: train 2 twice is train 4" plaind.rbm \
	oned2.rbm
# MPI is never started without a launcher: nothing printed, no wait.
cp new.rbm quiet.rbm
run "$R" quiet.rbm train 1 --quiet --data rows.txt
expect "a plain run prints nothing" 0 ""

# ---- the MPI module: loaded under a launcher only ----
# libmpi is linked into rbmcmd-mpi.so, not into rbmcmd, so that plain
# runs do not load it and its libraries (bench/startup: CPU per run).
true_ "rbmcmd itself does not link libmpi" sh -c '! ldd "$0" | grep -q libmpi' "$R"
cp new.rbm nomod.rbm
run mpi 2 env RBMCMD_MPI_MODULE="$T/none/rbmcmd-mpi.so" "$R" nomod.rbm \
	train 1 --quiet --data rows.txt
true_ "no module under the launcher: it fails" test "$rc" != 0
true_ "a rank says it cannot load it, and why" grep -q \
	"^rbmcmd: train: rank [01]: cannot load the MPI module: $T/none/rbmcmd-mpi.so: cannot open shared object file" err
true_ "and the state file is untouched" cmp -s new.rbm nomod.rbm
libm=$(ldd "$R" | awk '$1 ~ /^libm[.]so/ { print $3 }')
if [ -n "$libm" ]; then
	run mpi 2 env RBMCMD_MPI_MODULE="$libm" "$R" nomod.rbm train 1 \
		--quiet --data rows.txt
	true_ "a library that is not the module: it fails" test "$rc" != 0
	true_ "a rank says so" grep -q \
		"^rbmcmd: train: rank [01]: $libm is not the MPI module of rbmcmd " err
fi
# Rank 1 alone without it, while rank 0 waits in MPI_Init: no hang.
cat >nomod.sh <<EOF
#!/bin/sh
if [ "\$OMPI_COMM_WORLD_RANK" = 1 ]; then
	RBMCMD_MPI_MODULE=$T/none/rbmcmd-mpi.so
	export RBMCMD_MPI_MODULE
fi
exec "$R" "\$@"
EOF
chmod +x nomod.sh
run mpi 2 ./nomod.sh nomod.rbm train 1 --quiet --data rows.txt
true_ "one rank without the module: the launcher fails" test "$rc" != 0
true_ "that rank says so" grep -q \
	'^rbmcmd: train: rank 1: cannot load the MPI module' err
true_ "and the state file is still untouched" cmp -s new.rbm nomod.rbm
# Without a launcher the module is never looked for.
run env RBMCMD_MPI_MODULE="$T/none/rbmcmd-mpi.so" "$R" nomod.rbm train 1 \
	--quiet --data rows.txt
expect "a plain run does not need the module" 0 ""

# ---- K processes agree ----
for K in 2 3 4; do
	cp new.rbm k$K.rbm
	# shellcheck disable=SC2086
	run mpi $K "$R" k$K.rbm train 3 $opts --verbose --data rows.txt
	expect "K=$K: trains" 0
	true_ "K=$K: every rank ends with the same parameters" \
		grep -q "^rbmcmd: train: $K processes ended with the same parameters" err
	true_ "K=$K: rank 0 alone reports (3 epoch lines)" \
		test "$(grep -c '^rbmcmd: train: epoch' err)" = 3
	true_ "K=$K: the history counts all 203 rows" \
		grep -q '^history .* epochs 1-3 rows 203 ' k$K.rbm
	true_ "K=$K: the state was saved" sh -c '! cmp -s new.rbm k'$K'.rbm'
	run "$R" k$K.rbm daydream 1 1
	expect "K=$K: the saved state loads" 0
done
# A run split in two trains as the whole run does, as in one process: the
# state holds the PCD chains of all ranks (500 by default, gathered in
# rank order; 500 is not a multiple of 3), each rank takes its share
# back, the ranks' samplers are seeded each epoch from the shared
# generator saved in the state, and rank 0's iterate (the last parameters
# under the default averaging) reaches every rank.
for K in 2 3; do
	cp new.rbm whole$K.rbm
	run mpi $K "$R" whole$K.rbm train 4 --seed 11 --quiet --data rows.txt
	expect "K=$K, defaults: trains" 0
	true_ "K=$K: the state holds all 500 chains" grep -qx 'chains 500' \
		whole$K.rbm
	true_ "K=$K: and an iterate" grep -qx 'iterate' whole$K.rbm
	cp new.rbm split$K.rbm
	run mpi $K "$R" split$K.rbm train 2 --seed 11 --quiet --data rows.txt
	run mpi $K "$R" split$K.rbm train 2 --verbose --data rows.txt
	expect "K=$K, defaults: train 2 twice" 0
	true_ "K=$K: every rank ends with the same model, iterate and chains" \
		grep -q "^rbmcmd: train: $K processes ended with the same parameters" err
	same_model "K=$K: train 2 twice is train 4" whole$K.rbm split$K.rbm
done
cp new.rbm whole4.rbm
run mpi 2 "$R" whole4.rbm train 4 --seed 11 --quiet --average-every 4 \
	--momentum 0.5 --data rows.txt
cp new.rbm split4.rbm
run mpi 2 "$R" split4.rbm train 2 --seed 11 --quiet --average-every 4 \
	--momentum 0.5 --data rows.txt
run mpi 2 "$R" split4.rbm train 2 --quiet --average-every 4 --data rows.txt
expect "K=2 --average-every 4: train 2 twice" 0
same_model "K=2 --average-every 4: train 2 twice is train 4" whole4.rbm \
	split4.rbm
# train 0 (to change settings) at K=2 leaves the model, the iterate and
# all 500 chains as they were (it saved rank 0's 250).
cp whole2.rbm zero2.rbm
run mpi 2 "$R" zero2.rbm train 0 --quiet --data rows.txt
expect "K=2: train 0" 0
same_model "K=2: train 0 changes nothing" whole2.rbm zero2.rbm
# A model trained at K=2 continues at K=3 and at K=1 from all its chains.
cp whole2.rbm more3.rbm
run mpi 3 "$R" more3.rbm train 1 --quiet --data rows.txt
expect "K=2's model: K=3 continues it" 0
true_ "K=3 keeps the 500 chains" grep -qx 'chains 500' more3.rbm
run "$R" whole2.rbm train 1 --quiet <rows.txt
expect "K=2's model: one process continues it" 0
# --average-every N: each rank steps alone on its rows of each batch and
# the models are averaged every N batches and at each epoch's end.  N = 1
# is the default's gradient sum, byte for byte; N > 1 steps alone (another
# model), yet every rank ends with the same parameters, also with the
# momentum, the centering offsets, the sparsity activity and the
# parameters' running average (--average 2) to agree on, and over parts of
# unequal size (203 rows in 3).
cp new.rbm every0.rbm
cp new.rbm every1.rbm
# shellcheck disable=SC2086
run mpi 2 "$R" every0.rbm train 3 $opts --momentum 0.5 --data rows.txt
expect "K=2: trains with momentum" 0
# shellcheck disable=SC2086
run mpi 2 "$R" every1.rbm train 3 $opts --momentum 0.5 --average-every 1 \
	--data rows.txt
expect "K=2 --average-every 1: trains" 0
same_model "K=2 --average-every 1: the default's model" every0.rbm every1.rbm
for K in 2 3; do
	cp new.rbm every4k$K.rbm
	# shellcheck disable=SC2086
	run mpi $K "$R" every4k$K.rbm train 3 $opts --momentum 0.5 --average 2 \
		--average-every 4 --verbose --data rows.txt
	expect "K=$K --average-every 4: trains" 0
	true_ "K=$K --average-every 4: every rank ends with the same parameters" \
		grep -q "^rbmcmd: train: $K processes ended with the same parameters" err
	true_ "K=$K --average-every 4: the history counts all 203 rows" \
		grep -q '^history .* epochs 1-3 rows 203 ' every4k$K.rbm
	run "$R" every4k$K.rbm loglik <rows.txt
	expect "K=$K --average-every 4: the saved state loads" 0
done
cp new.rbm every4.rbm
# shellcheck disable=SC2086
run mpi 2 "$R" every4.rbm train 3 $opts --momentum 0.5 --average-every 4 \
	--data rows.txt
true_ "K=2 --average-every 4: ranks stepped alone (not the default's model)" \
	test "$(grep -v '^history \|^end ' every0.rbm)" != \
	"$(grep -v '^history \|^end ' every4.rbm)"
# In one process there is nothing to average: the option changes nothing.
cp new.rbm plain4.rbm
# shellcheck disable=SC2086
"$R" plain4.rbm train 3 $opts --average-every 4 <rows.txt
same_model "one process: --average-every 4 changes nothing" plain.rbm \
	plain4.rbm
for bad in 0 -1 1.5 x; do
	cp new.rbm bad.rbm
	run "$R" bad.rbm train 1 --average-every "$bad" <rows.txt
	expect "--average-every $bad: refused" 2 \
"rbmcmd: train: --average-every must be a whole number from 1 to 4294967295, not '$bad'
Try 'rbmcmd STATE train --help'."
	run mpi 2 "$R" bad.rbm train 1 --average-every "$bad" --data rows.txt
	true_ "--average-every $bad under mpirun: refused" test "$rc" != 0
	true_ "--average-every $bad: the state file is untouched" \
		cmp -s new.rbm bad.rbm
done
# The rows may come from a file split by bytes, from stdin (rank 0 reads
# and sends each rank a slice: 67, 68, 68 rows) or from a file per rank:
# with the same rows in each rank (shards cut as stdin's slices) the model
# is the same, since each rank's sampling stream is its own.
sed -n '1,67p' rows.txt >shard-0.txt
sed -n '68,135p' rows.txt >shard-1.txt
sed -n '136,203p' rows.txt >shard-2.txt
for how in file stdin shards; do
	cp new.rbm $how.rbm
	case $how in
	file)	src="--data rows.txt" ;;
	stdin)	src= ;;
	shards)	src="--data shard-%d.txt" ;;
	esac
	# shellcheck disable=SC2086
	run mpi 3 "$R" $how.rbm train 2 $opts --verbose $src <rows.txt
	expect "K=3, rows from $how: trains" 0
	grep -o '^rbmcmd: train: 3 processes.*checksum [0-9a-f]*' err >$how.sum ||
		true
done
same "K=3: stdin scattered by rank 0 trains as a file per rank" \
	"$(cat stdin.sum)" "$(cat shards.sum)"
true_ "K=3: so does the split file" test -s file.sum

# ---- errors name the rank, the file and the true line ----
cp rows.txt bad.txt
sed -i '190s/ [01] *$//' bad.txt
cp new.rbm bad.rbm
run mpi 3 "$R" bad.rbm train 2 --quiet --data bad.txt
true_ "bad row in rank 2's part: the launcher fails" test "$rc" != 0
true_ "it names the rank, file and line in the whole file" \
	grep -q '^rbmcmd: train: rank 2: bad.txt:190: expected 30 values, got 29$' err
true_ "and the state file is untouched" cmp -s new.rbm bad.rbm
run mpi 3 "$R" bad.rbm train 2 --quiet <bad.txt
true_ "bad row on stdin: the launcher fails" test "$rc" != 0
true_ "rank 0 names stdin's line" \
	grep -q '^rbmcmd: train: rank 0: stdin:190: expected 30 values, got 29$' err
run mpi 4 "$R" bad.rbm train 2 --quiet --data shard-%d.txt
true_ "a missing shard: the launcher fails" test "$rc" != 0
true_ "the rank names its file" \
	grep -q '^rbmcmd: train: rank 3: shard-3.txt' err
true_ "and the state file is still untouched" cmp -s new.rbm bad.rbm
run mpi 2 "$R" bad.rbm train 20 --quiet --data rows.txt --learning-rate 1e30
true_ "divergence: the launcher fails" test "$rc" != 0
true_ "rank 0 says so once" \
	test "$(grep -c 'training diverged' err)" = 1
true_ "and nothing is saved" cmp -s new.rbm bad.rbm
# No memory in rank 1 alone (its address space limited after MPI starts
# would be better; a limit it starts with is what a shell can do): its
# buffers for 1500 of 3000 rows x 30000 units do not fit, the others wait for it in
# vain until it ends the job.
awk 'BEGIN { srand(9); for (r = 0; r < 3000; r++) { for (i = 0; i < 100; i++)
	printf "%d ", rand() < 0.4; print "" } }' >big.txt
"$R" wide.rbm init 100 30000 --seed 1
cp wide.rbm wide0.rbm
cat >small.sh <<EOF
#!/bin/sh
[ "\$OMPI_COMM_WORLD_RANK" = 1 ] && ulimit -v 600000
exec "$R" "\$@"
EOF
chmod +x small.sh
# (Not under the sanitizers, as in errors.sh: ASan cannot reserve its
# shadow memory under ulimit -v and aborts before main.)
if ldd "$R" | grep -q libasan; then
	echo "skip: out of memory in one rank (sanitizer build)"
else
run mpi 2 ./small.sh wide.rbm train 5 --quiet --data big.txt --batch-size 3000
true_ "out of memory in rank 1: the launcher fails" test "$rc" != 0
true_ "rank 1 says why" \
	grep -q '^rbmcmd: train: rank 1: out of memory' err
true_ "and the state file is untouched" cmp -s wide0.rbm wide.rbm
fi

# ---- signals ----
"$R" long.rbm init 100 50 --seed 1
cp long.rbm long0.rbm
# SIGTERM to the launcher while epochs of a millisecond print a line
# each: for the seconds between the signal and the processes' SIGTERM,
# mpirun reads none of their output.  Rank 0 must not block writing to the
# full pipe (the others would wait for it in the allreduce until mpirun's
# SIGKILL, and nothing would be saved): it drops the lines that do not fit
# and says how many.  Rank 0's pipe is cut to 16 KiB (when a python3 can)
# so that it fills at any speed.
cat >narrow.py <<'EOF'
import fcntl, os, sys
if os.environ.get("OMPI_COMM_WORLD_RANK") == "0":
    fcntl.fcntl(2, fcntl.F_SETPIPE_SZ, 16384)
os.execv(sys.argv[1], sys.argv[1:])
EOF
narrow=
if python3 -c 'import fcntl; fcntl.F_SETPIPE_SZ' 2>/dev/null; then
	narrow="python3 narrow.py"
fi
cp new.rbm term.rbm
rm -f term.err
# (mpirun itself in the background, not a shell running it, so that $!
# is the launcher.)
# shellcheck disable=SC2086
mpirun --oversubscribe -n 2 $narrow "$R" term.rbm train 1000000 --verbose \
	--data rows.txt 2>term.err &
pid=$!
wait_epochs term.err 2
kill -TERM $pid || true
rc=0
wait $pid || rc=$?
true_ "SIGTERM to mpirun: it exits non-zero" test "$rc" != 0
true_ "every rank stopped alike" \
	grep -q '^rbmcmd: train: 2 processes ended with the same parameters' term.err
true_ "rank 0 saved" \
	grep -q '^rbmcmd: train: interrupted at epoch [0-9]* of 1000000; state saved$' term.err
run "$R" term.rbm daydream 1 1
expect "the saved state loads" 0
true_ "it holds the chains of both ranks" grep -qx 'chains 500' term.rbm
e=$(sed -n 's/^rbmcmd: train: interrupted at epoch \([0-9]*\) .*/\1/p' term.err)
same "epochs counts the complete ones" "$(grep '^epochs ' term.rbm)" \
	"epochs ${e:-none}"
shown=$(grep -c '^rbmcmd: train: epoch' term.err || true)
dropped=$(sed -n 's/^rbmcmd: train: \([0-9]*\) epoch lines not shown: the launcher was not reading standard error$/\1/p' term.err)
same "each epoch's line was shown or counted as not shown" \
	"$((shown + ${dropped:-0}))" "${e:-none}"

cp long0.rbm long.rbm
mpirun --oversubscribe -n 3 "$R" long.rbm train 1000000 --verbose \
	--data big.txt 2>kill.err &
pid=$!
wait_epochs kill.err 2
victim=$(ps -o pid= --ppid $pid | tail -n 1)
kill -KILL $victim || true
rc=0
wait $pid || rc=$?
true_ "a rank SIGKILLed: the launcher fails" test "$rc" != 0
true_ "it names the rank and the signal" grep -q 'exited on signal 9' kill.err
true_ "and the state file is untouched" cmp -s long0.rbm long.rbm

finish
