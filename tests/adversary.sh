#!/bin/sh
# adversary.sh - the cases of tests/threats, run end to end: what a user,
# a script or an attacker can hand rbmcmd through each input channel, and
# what must hold (nothing a user had is lost, every failure is said, no
# hang, no signal).  Each case carries its identifier from tests/threats;
# at the end every identifier the table gives to this file must have run
# (or skipped for a stated reason).
#
# Hangs are caught only by `timeout -s KILL 120` (exit 137): no timing is
# asserted, the machine may be busy.  Cases that need root (other users'
# files) skip when not root; cases that need an address-space limit skip
# under the sanitizers and valgrind, which need more address space.
. "$SRCDIR/tests/setup.sh"
cd "$T"

ids=
# begin ID: the case that follows covers table row ID.
begin() { ids="$ids $1"; }
# skip ID WHY: the case of row ID cannot run here.
skip() { ids="$ids $1"; echo "skip $1: $2"; }
# tk CMD...: run CMD under the hang detector (run() keeps out/err/rc).
tk() { run timeout -s KILL 120 "$@"; }
# no_signal NAME: $rc is a plain exit status, not a signal or a hang.
no_signal() {
	if [ "$rc" -ge 128 ]; then
		failed "$1: exit $rc (signal or hang; stderr: $(head -c 300 "$T/err"))"
	else
		pass "$1"
	fi
}
# loadable FILE: rbmcmd can read FILE back.
loadable() { "$R" "$1" info >/dev/null 2>&1; }
# kept_or_loadable NAME FILE COPY: after $rc, either exit 0 and FILE
# loads, or exit 1 and FILE is COPY byte for byte (or absent, when COPY
# is "none"), and a message was given.
kept_or_loadable() {
	if [ "$rc" = 0 ] && loadable "$2"; then
		pass "$1 (done)"
	elif [ "$rc" = 1 ] && [ -s "$T/err" ] &&
	     { if [ "$3" = none ]; then [ ! -e "$2" ]; else cmp -s "$2" "$3"; fi; }; then
		pass "$1 (refused, file intact)"
	else
		failed "$1: exit $rc, file $( (loadable "$2" && echo loads) || echo 'does not load'); stderr: $(head -c 300 "$T/err")"
	fi
}
# train_limited ID NAME NV NH KB SEED: a new NV x NH model NAME.rbm
# trains one epoch on 20 random rows (wNV.txt, from awk's srand(SEED))
# under ulimit -v KB: no signal, and NAME.rbm trained or as it was.
train_limited() {
	awk -v nv="$3" -v seed="$6" 'BEGIN { srand(seed)
		for (i = 0; i < 20; i++) { s = ""
			for (j = 0; j < nv; j++) s = s (j ? " " : "") int(rand() * 2)
			print s } }' >"w$3.txt"
	"$R" "$2.rbm" init "$3" "$4" --seed 1
	cp "$2.rbm" "$2.orig"
	tk sh -c "ulimit -v $5; exec '$R' $2.rbm train 1 <w$3.txt"
	no_signal "$1 train $3 $4 under ulimit -v $5"
	kept_or_loadable "$1 train $3 $4 under ulimit -v $5" "$2.rbm" "$2.orig"
}

limits_ok=1
if [ -n "$VG" ] || ldd "$RBMCMD" | grep -q libasan; then
	limits_ok=0
fi
is_root=0
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
   getent passwd nobody >/dev/null; then
	is_root=1
fi

movies >movies.txt
"$R" m.rbm init 6 3 --seed 1
cp m.rbm m.orig

# ---- arguments ----
begin A1
run "$R" ./-lead init 6 3 --seed 1
expect "A1 a state file named with a leading '-' (as ./-lead)" 0
true_ "A1 it loads" loadable ./-lead

begin A2
nl=$(printf 'new\nline')
run "$R" "$nl" init 6 3 --seed 1
expect "A2 a state file name holding a newline" 0
true_ "A2 it loads" loadable "$nl"
run "$R" "$nl.missing" info
true_ "A2 the newline reaches stderr escaped" grep -q 'new\\x0aline' "$T/err"

begin A3
long=$(printf 'x%.0s' $(seq 300))
run "$R" "$long" init 6 3
expect "A3 a name longer than the file system allows" 1
true_ "A3 nothing created" test ! -e "$long"
true_ "A3 said why" grep -q 'cannot save' "$T/err"

begin A4
run "$R" m.rbm "$(printf 'x\033[2Jy')"
expect "A4 an escape sequence in an argument" 2
true_ "A4 it reaches stderr escaped" grep -q 'x\\x1b\[2Jy' "$T/err"

# ---- standard input and output ----
begin I1
if [ -w /dev/full ]; then
	for c in run_visible reconstruct free_energy; do
		run timeout -s KILL 120 sh -c \
			"yes '1 0 1 0 1 0' | '$R' m.rbm $c >/dev/full"
		expect "I1 endless rows into $c > /dev/full stops" 1
	done
	for c in "daydream 5 100000" "daydream_trace 1000000" export weights info; do
		run timeout -s KILL 120 sh -c "'$R' m.rbm $c >/dev/full"
		expect "I1 $c > /dev/full" 1
	done
else
	skip I1 "no writable /dev/full"
fi

begin I6
# Ctrl-C or SIGTERM to mpirun while rank 0 reads stdin: mpirun closes it
# at once, mid-row, and the message blamed the data ("expected 6 values,
# got 3") with no word that the input had been cut off.
run sh -c "printf '1 0 1 0 1 0\n1 0 1' | '$R' m.rbm train 1"
expect "I6 an input cut off in a row" 1 \
	"rbmcmd: train: stdin:2: expected 6 values, got 3, and the input ends in this line without a newline: was it cut off?"
true_ "I6 the model is intact" cmp -s m.rbm m.orig
run sh -c "printf '1 0 1 0 1 0\n1 0 1\n' | '$R' m.rbm train 1"
expect "I6 a short row with its newline is only short" 1 \
	"rbmcmd: train: stdin:2: expected 6 values, got 3"

begin I4
run timeout -s KILL 120 sh -c "yes '1 0 1 0 1 0' | '$R' m.rbm run_visible | head -n 1"
expect "I4 endless rows into run_visible | head -n 1 ends" 0
true_ "I4 the model is intact" cmp -s m.rbm m.orig

begin I5
# A standard descriptor left closed (>&-, <&-, 2>&-) was taken by the
# first file rbmcmd opened: train >&- saved the model and then failed
# (exit 1) closing "stdout", the writer's lock file; and the message of
# a failed final write did not name the command.  (run redirects the
# function's own output, so each case closes its descriptors in sh -c.)
cp m.rbm i5.rbm
run sh -c "exec '$R' i5.rbm train 1 --verbose <movies.txt >&-"
expect "I5 train >&- (prints nothing on stdout) succeeds" 0
true_ "I5 and it trained" sh -c '! cmp -s i5.rbm m.rbm'
cp m.rbm i5.rbm
run sh -c "exec '$R' i5.rbm train 1 --verbose <movies.txt >&- 2>&-"
expect "I5 train >&- 2>&-" 0
"$R" m.rbm export >i5.txt
rm -f i5n.rbm
run sh -c "exec '$R' i5n.rbm import <i5.txt >&-"
expect "I5 import >&-" 0
true_ "I5 the import loads" loadable i5n.rbm
run sh -c "exec '$R' i5.rbm train 1 <&-"
expect "I5 train <&- is a read error" 1 \
	"rbmcmd: train: stdin: read error: Bad file descriptor"
run sh -c "exec '$R' m.rbm run_visible <&-"
expect "I5 run_visible <&- is a read error" 1 \
	"rbmcmd: run_visible: stdin: read error: Bad file descriptor"
run sh -c "exec '$R' m.rbm info >&-"
expect "I5 info >&- is a write error naming the command" 1 \
	"rbmcmd: info: write error: Bad file descriptor"
if [ -w /dev/full ]; then
	run sh -c "exec '$R' m.rbm weights >/dev/full"
	expect "I5 weights >/dev/full names the command" 1 \
		"rbmcmd: weights: write error: No space left on device"
fi
same "I5 no lock file left" "$(ls -A | grep '^\.' || true)" ""
true_ "I5 m.rbm intact" cmp -s m.rbm m.orig

begin G3
# train --verbose 2>&1 | tee log, then Ctrl-C: tee goes at once, and
# train's next line on stderr killed it by SIGPIPE before it saved, all
# its epochs lost.  Here the reader goes after one line, then SIGTERM
# (SIGINT is ignored in a script's background job): train must still
# save and exit 143.
cp m.rbm g3.rbm
rm -f g3.fifo
mkfifo g3.fifo
"$R" g3.rbm train 1000000 --verbose <movies.txt 2>g3.fifo &
pid=$!
head -n 1 g3.fifo >g3.first
kill -TERM $pid || true
rc=0
wait $pid || rc=$?
same "G3 train whose stderr reader went away, then SIGTERM: exit" "$rc" 143
true_ "G3 its epochs were saved" sh -c '! cmp -s g3.rbm m.rbm'
true_ "G3 the saved state loads" loadable g3.rbm

# ---- environment ----
begin E1
cp m.rbm e.rbm
run env LC_ALL=de_DE.UTF-8 LC_NUMERIC=de_DE.UTF-8 "$R" e.rbm train 1 \
	--learning-rate 0.5 <movies.txt
expect "E1 a decimal-comma locale: 0.5 still reads" 0
true_ "E1 the saved file loads in C" loadable e.rbm

begin E2
run env -u HOME TMPDIR=/nonexistent/dir "$R" e.rbm train 1 <movies.txt
expect "E2 no HOME, a TMPDIR that does not exist" 0
true_ "E2 the saved file loads" loadable e.rbm

# ---- file-system objects ----
begin F3
ln -s e.rbm elink
run "$R" elink train 1 <movies.txt
expect "F3 train through a symlinked state file" 0
true_ "F3 the link is still a link" test -L elink
true_ "F3 the file it names loads" loadable e.rbm

begin F5
# Under ulimit -f a write past the limit raises SIGXFSZ, whose default
# action killed rbmcmd (exit 153) in every command that writes: the
# message of tests/state.sh's case was only seen because it ignores
# SIGXFSZ itself.  Each must exit 1 with a message, files as they were.
awk 'BEGIN { srand(7); for (r = 0; r < 3000; r++) { s = ""
	for (i = 0; i < 6; i++) s = s (i ? " " : "") int(rand() * 2)
	print s } }' >r3k.txt
"$R" f5.rbm init 100 50 --seed 1
cp f5.rbm f5.orig
for c in "f5.rbm init 100 50" "f5.rbm filters --shape 10x10 --zoom 8 -o f5.png" \
    "f5.rbm weights >f5.out" "m.rbm daydream 3 10000 >f5.out" \
    "m.rbm run_visible <r3k.txt >f5.out" \
    "m.rbm train 300 --log f5.csv <movies.txt"; do
	tk sh -c "ulimit -f 8; exec '$R' $c"
	expect "F5 ulimit -f 8: $c" 1
	true_ "F5 said why ($c)" grep -q 'File too large' "$T/err"
done
"$R" f5.rbm export >f5.txt
rm -f f5i.rbm
tk sh -c "ulimit -f 8; exec '$R' f5i.rbm import <f5.txt"
expect "F5 ulimit -f 8: import" 1
true_ "F5 nothing imported" test ! -e f5i.rbm
true_ "F5 the state is intact" cmp -s f5.rbm f5.orig
true_ "F5 m.rbm is intact" cmp -s m.rbm m.orig
same "F5 no temporary file left" "$(ls -A | grep '^\.' || true)" ""

begin F6
# A state file bind-mounted on its own (docker run -v model.rbm:...):
# train ran every epoch, then its rename failed with EBUSY and the run
# was lost.  It must be refused before training.  Needs mount (root).
mkdir bind
cp m.rbm bind/b.rbm
: >bind/mnt.rbm
if [ "$(id -u)" = 0 ] && mount --bind bind/b.rbm bind/mnt.rbm 2>/dev/null; then
	run "$R" bind/mnt.rbm train 1000 --verbose <movies.txt
	umount bind/mnt.rbm
	expect "F6 train of a bind-mounted state file is refused" 1 \
		"rbmcmd: train: cannot save bind/mnt.rbm: it is mounted on its own (a bind-mounted file), which a save by rename cannot replace"
	true_ "F6 before training (no epoch line)" sh -c '! grep -q epoch "$1"' sh "$T/err"
	true_ "F6 the model is intact" cmp -s bind/b.rbm m.rbm
else
	skip F6 "mount --bind needs root"
fi

# ---- the state file ----
begin S1
mkdir adir
for c in "init 6 3" info "train 1"; do
	run "$R" adir $c <movies.txt
	expect "S1 a directory as the state file: $c" 1
done
true_ "S1 the directory is still one" test -d adir

begin S2
for c in "init 6 3" info "train 1"; do
	run "$R" /dev/null $c <movies.txt
	expect "S2 /dev/null as the state file: $c" 1
done
true_ "S2 /dev/null is still a device" test -c /dev/null

begin S3
mkfifo sfifo
for c in info "train 1" export "init 6 3"; do
	tk "$R" sfifo $c <movies.txt
	expect "S3 a FIFO as the state file (no writer): $c" 1
done
true_ "S3 the FIFO is still one" test -p sfifo

begin S4
# A history line records the command line: control characters in it
# must not reach the terminal raw when info prints it.
cp m.rbm h.rbm
run "$R" h.rbm train 1 --log "$(printf 'l\033]0;x\007og')" <movies.txt
expect "S4 train with a log name holding escapes" 0
run "$R" h.rbm info
if grep -q "$(printf '\033')" "$T/out"; then
	failed "S4 info printed a raw escape from the history"
else
	pass "S4 info escapes the history"
fi

begin S10
# The writer's lock was taken beside the name given, so a train through a
# symbolic link and one through the file's own name both ran, and the
# one that saved first lost its epochs without a word.
"$R" k.rbm init 6 3 --seed 1
ln -s k.rbm klink
mkdir kdir
ln -s ../klink kdir/klink2
rm -f k.err
"$R" k.rbm train 1000000 --verbose <movies.txt 2>k.err &
holder=$!
wait_epochs k.err 1
for name in klink kdir/klink2; do
	run "$R" "$name" train 1 <movies.txt
	expect "S10 train through a link ($name) while the file's own name trains" 1 \
		"rbmcmd: train: $name is locked by another rbmcmd (pid $holder)"
done
kill -TERM $holder || true
rc=0
wait $holder || rc=$?
same "S10 the holder saves when stopped" "$rc" 143
run "$R" klink train 1 <movies.txt
expect "S10 then the link trains" 0
true_ "S10 the link is still one" test -L klink
same "S10 no lock file is left" "$(ls -A | grep '^\.k' || true)" ""

begin F4
# A model its owner made read-only (chmod a-w) was replaced by train,
# init and import, since the rename needs only the directory's write
# permission.  Root may write any file, so as root the case runs as
# nobody.
as_user=
if [ "$(id -u)" = 0 ]; then
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	$as_user "$RBMCMD" --version >/dev/null 2>&1 || as_user=none
fi
if [ "$as_user" = none ]; then
	skip F4 "nobody cannot run $RBMCMD here"
else
	mkdir ro4 && cp m.rbm ro4/r.rbm && cp movies.txt ro4/
	[ -z "$as_user" ] || { chmod 755 "$T"; chown -R nobody ro4; }
	chmod a-w ro4/r.rbm
	cp ro4/r.rbm r4.orig
	ln -s r.rbm ro4/rlink
	for c in "r.rbm train 1" "rlink train 1" "r.rbm init 6 3" "r.rbm import"; do
		run $as_user "$R" ro4/$c <movies.txt
		expect "F4 a read-only state file: $c" 1
		true_ "F4 said why ($c)" grep -q 'read-only' "$T/err"
	done
	true_ "F4 the model is intact" cmp -s ro4/r.rbm r4.orig
	run $as_user "$R" ro4/r.rbm filters --shape 3x2 -o ro4/r.png
	chmod a-w ro4/r.png
	cp ro4/r.png r4.png
	run $as_user "$R" ro4/r.rbm filters --shape 3x2 -o ro4/r.png --zoom 2
	expect "F4 filters -o a read-only picture" 1
	true_ "F4 the picture is intact" cmp -s ro4/r.png r4.png
	same "F4 nothing left behind" "$(ls -A ro4 | tr '\n' ' ')" "movies.txt r.png r.rbm rlink "
fi

begin S11
# A big file named as STATE by mistake was read whole into memory before
# its first line was looked at: a 4 GB sparse file took a minute and
# 4 GB to be called "not an rbmcmd state file", and under a memory limit
# the message was "Cannot allocate memory".  Its first and last lines
# are now checked first (the limit stands for "no time, no memory").
if [ $limits_ok = 1 ]; then
	truncate -s 4G sparse.rbm
	tk sh -c "ulimit -v 300000; exec '$R' sparse.rbm info"
	expect "S11 a 4 GB sparse file as STATE" 1 \
		"rbmcmd: info: sparse.rbm: not an rbmcmd state file"
	rm -f sparse.rbm
	printf 'rbmcmd-state 2\n' >sparse.rbm
	truncate -s 4G sparse.rbm
	tk sh -c "ulimit -v 300000; exec '$R' sparse.rbm train 1 <movies.txt"
	expect "S11 a 4 GB file with a state file's first line" 1 \
		"rbmcmd: train: sparse.rbm: truncated (no end line); not a complete state file"
	rm -f sparse.rbm
else
	skip S11 "sanitizers or valgrind need more address space"
fi

# ---- outputs that must not clobber (reproducers 2, 3) ----
begin O1
run "$R" m.rbm train 1 --log m.rbm <movies.txt
expect "O1 train --log STATE is refused" 2
true_ "O1 the model is intact" cmp -s m.rbm m.orig

begin O2
ln -s m.rbm link.rbm
ln m.rbm hard.rbm
for o in m.rbm link.rbm hard.rbm ./m.rbm; do
	run "$R" m.rbm filters --shape 3x2 -o "$o"
	expect "O2 filters -o $o (the state file)" 2
	run "$R" m.rbm samples 2 2 --shape 3x2 -o "$o"
	expect "O2 samples -o $o (the state file)" 2
	run "$R" m.rbm train 1 --log "$o" <movies.txt
	expect "O2 train --log $o (the state file)" 2
done
true_ "O2 the model is intact" cmp -s m.rbm m.orig
true_ "O2 the link is still a link" test -L link.rbm

begin O3
run "$R" m.rbm filters --shape 3x2 -o /dev/null
expect "O3 filters -o /dev/null writes in place" 0
true_ "O3 /dev/null is still a device" test -c /dev/null
mkfifo ofifo
cat ofifo >fifo.out &
reader=$!
tk "$R" m.rbm filters --shape 3x2 -o ofifo
expect "O3 filters -o FIFO writes into it" 0
wait "$reader"
true_ "O3 the FIFO is still one" test -p ofifo
same "O3 the reader got a PNG" "$(head -c 4 fifo.out | od -An -c | tr -d ' ')" '211PNG'

begin O4
echo other >other.txt
ln -s other.txt olink
run "$R" m.rbm filters --shape 3x2 -o olink
expect "O4 filters -o a symbolic link" 0
true_ "O4 the link is still a link" test -L olink
same "O4 the file it names holds the PNG" "$(head -c 4 other.txt | od -An -c | tr -d ' ')" '211PNG'
ln -s nowhere/x.png dangling
run "$R" m.rbm filters --shape 3x2 -o dangling
expect "O4 filters -o a link that leads nowhere" 1
true_ "O4 the dangling link is left" test -L dangling

begin O5
# --log naming the rows train reads replaced the user's data with the
# CSV log, exit 0.
cp movies.txt rows.txt
for o in "--data rows.txt --log rows.txt" \
    "--data movies.txt --validation rows.txt --log ./rows.txt" \
    "--log rows.txt" "--log /dev/stdin"; do
	run "$R" m.rbm train 1 $o <rows.txt
	expect "O5 train $o (a file train reads)" 2
	true_ "O5 the rows are intact ($o)" cmp -s rows.txt movies.txt
done
true_ "O5 the model is intact" cmp -s m.rbm m.orig
cp m.rbm o5.rbm
run "$R" o5.rbm train 1 --log /dev/null <rows.txt
expect "O5 --log /dev/null with rows from a file" 0

# ---- the CSV log (reproducer 6) ----
begin L1
printf 'epoch,learning_rate,momentum,recon_error,free_energy_train,free_energy_valid,loglik,seconds\n' >big.csv
printf '1,0.1,0.5,0.3,1,,,0.1\n1e20,0.1,0.5,0.2,1,,,0.1\n' >>big.csv
tk "$R" plot big.csv -o big.png
no_signal "L1 plot of an epoch of 1e20 ends"
head -n 1 big.csv >alone.csv
printf '1e20,0.1,0,0.5,-3,,,0.1\n' >>alone.csv
tk "$R" plot alone.csv -o alone.png
no_signal "L1 plot of a single epoch of 1e20 ends"
begin L2
printf 'epoch,recon_error\n' >short.csv
tk "$R" plot short.csv -o short.png
no_signal "L2 plot of a log with a header only ends"

# ---- the names file ----
begin M1
# recommend --top prints the names it picks separated by tabs, so a name
# holding a tab made its output ambiguous ("a<TAB>b<TAB>c" is two names
# or three); such a name is now refused, naming the line.
printf 'Harry Potter\nAvatar\tII\nLOTR 3\nGladiator\nTitanic\nGlitter\n' >tab-names.txt
run sh -c "echo '1 ? ? 0 0 ?' | '$R' m.rbm recommend --top 2 --names tab-names.txt"
expect "M1 recommend --names with a tab in a name" 1 \
	"rbmcmd: recommend: tab-names.txt:2: a name may not hold a tab"
run "$R" m.rbm weights --names tab-names.txt
expect "M1 weights --names with a tab in a name" 1 \
	"rbmcmd: weights: tab-names.txt:2: a name may not hold a tab"

begin M2
# The names are printed as they are: an escape sequence in one would reach
# the terminal of whoever reads recommend's or weights's output.
printf 'a\n\033]0;pwned\007b\nc\nd\ne\nf\n' >esc-names.txt
run sh -c "echo '? ? ? ? ? ?' | '$R' m.rbm recommend --top 6 --names esc-names.txt"
expect "M2 recommend --names with an escape sequence in a name" 1 \
	"rbmcmd: recommend: esc-names.txt:2: a name may not hold a control character"
run "$R" m.rbm weights --names esc-names.txt
expect "M2 weights --names with an escape sequence in a name" 1 \
	"rbmcmd: weights: esc-names.txt:2: a name may not hold a control character"
true_ "M2 nothing printed" test ! -s out

# ---- the parameter file ----
begin P1
printf '3 2\n' >p.txt
tk "$R" p.rbm import <p.txt
expect "P1 import of a file shorter than its sizes" 1
true_ "P1 nothing created" test ! -e p.rbm
printf '100000000 100000000\n1\n' >huge.txt
tk "$R" p.rbm import <huge.txt
expect "P1 import declaring 10^16 weights" 1
true_ "P1 nothing created" test ! -e p.rbm

# ---- numbers at the edge of single precision ----
begin N1
# import takes any finite single-precision number; weights of 3e38 made
# loglik print "loglik inf" (exact) or "-nan" everywhere (AIS), exit 0.
{ echo "6 3"; echo "0 0 0 0 0 0"; echo "0 0 0"
  for i in 1 2 3 4 5 6; do echo "3e38 -3e38 3e38"; done; } >huge.txt
"$R" huge.rbm import --seed 1 <huge.txt
for o in "" "--ais --ais-runs 2 --ais-steps 10 --seed 1"; do
	run sh -c "'$R' huge.rbm loglik $o <movies.txt"
	expect "N1 loglik $o of a model of 3e38 weights fails" 1
	true_ "N1 said why ($o)" grep -q 'too large for a finite log-likelihood' "$T/err"
	same "N1 printed nothing ($o)" "$(cat "$T/out")" ""
done

begin N2
# The independent-units model (weights and hidden biases 0, the visible
# biases the data's): log Z is exact on both sides, which differed only
# by rounding (1e-13) and loglik --raise warned "the annealing has not
# converged" over two standard errors of 0.
{ echo "6 3"; echo "0.5 -1 2 -0.25 1 -2"; echo "0 0 0"
  for i in 1 2 3 4 5 6; do echo "0 0 0"; done; } >ind.txt
"$R" ind.rbm import --seed 1 <ind.txt
for o in "" "--ais"; do
	run sh -c "'$R' ind.rbm loglik --raise $o --seed 1 <movies.txt"
	expect "N2 loglik --raise $o of the independent-units model" 0 ""
done

begin N3
# import takes weights past the limit that stops a diverging run (1e6);
# train then ran an epoch and blamed the learning rate ("training
# diverged ... try a smaller learning rate").
{ echo "6 3"; echo "0 0 0 0 0 0"; echo "0 0 0"
  for i in 1 2 3 4 5 6; do echo "2e6 -1 1"; done; } >big6.txt
"$R" big6.rbm import --seed 1 <big6.txt
cp big6.rbm big6.orig
run "$R" big6.rbm train 1 --quiet <movies.txt
expect "N3 train of a model past the divergence limit says so" 1 \
	"rbmcmd: train: big6.rbm: a parameter exceeds 1e+06 before training (train stops a run whose parameters pass it)"
true_ "N3 the file is intact" cmp -s big6.rbm big6.orig

# ---- resource limits (reproducers 1, 5) and the ladder ----
if [ $limits_ok = 1 ]; then
	begin R1
	# A torn save under memory pressure (2048 x 8192, 250 MB).
	tk sh -c "ulimit -v 250000; exec '$R' big.rbm init 2048 8192 --seed 1"
	no_signal "R1 init 2048 8192 under ulimit -v 250000"
	kept_or_loadable "R1 init 2048 8192 under ulimit -v 250000" big.rbm none
	train_limited R1 t 1024 4096 250000 1
	"$R" t.rbm export >t.txt
	tk sh -c "ulimit -v 250000; exec '$R' ti.rbm import <t.txt"
	no_signal "R1 import 1024 4096 under ulimit -v 250000"
	kept_or_loadable "R1 import 1024 4096 under ulimit -v 250000" ti.rbm none

	begin R2
	# OpenBLAS retried a 128 MB mmap for ever (784 x 500, 100 MB).
	train_limited R2 b 784 500 100000 2
	# Each thread of the products' pool needs a BLAS buffer of its own:
	# with more threads than buffers fit, the first product on a pool
	# thread was stuck for ever (RBMCMD_THREADS=2, ulimit -v 250000).
	for n in 2 3; do
		for kb in 400000 250000; do
			cp b.rbm b.orig
			tk sh -c "ulimit -v $kb; RBMCMD_THREADS=$n exec '$R' b.rbm train 1 <w784.txt"
			no_signal "R2 train, $n threads, under ulimit -v $kb"
			kept_or_loadable "R2 train, $n threads, under ulimit -v $kb" b.rbm b.orig
		done
	done

	begin R3
	# The ladder: every command under a shrinking limit gives exit 0
	# with a loadable file, or exit 1 with the old file intact; never a
	# signal or a hang.
	"$R" b.rbm export >b.txt
	head -n 5 w784.txt >w5.txt
	"$R" b.rbm train 1 --log b.csv <w5.txt
	cp b.rbm b.orig
	# (Below about 40 MB the dynamic loader cannot map OpenBLAS: exit
	# 127 before rbmcmd runs, so the ladder stops above that.)
	for kb in 250000 100000 60000; do
		for c in "info" "export" "weights" "run_visible <w5.txt" \
		    "run_hidden </dev/null" "daydream 2 3" "daydream_trace 3" \
		    "free_energy <w5.txt" "reconstruct <w5.txt" \
		    "recommend <w5.txt" "loglik --ais-runs 2 --ais-steps 10 <w5.txt" \
		    "filters --shape 28x28 -o f.png" \
		    "samples 2 2 --shape 28x28 -o s.png" "train 1 <w5.txt" \
		    "train 1 <w784.txt" "train 1 --no-pcd <w784.txt"; do
			# by default, and with three threads in the pool (see R2)
			for th in "" "RBMCMD_THREADS=3 "; do
				tk sh -c "ulimit -v $kb; ${th}exec '$R' b.rbm $c >/dev/null"
				if [ "$rc" -ge 128 ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
					failed "R3 $th$c under ulimit -v $kb: exit $rc ($(head -c 200 "$T/err"))"
				elif [ "$rc" = 1 ] && [ ! -s "$T/err" ]; then
					failed "R3 $th$c under ulimit -v $kb: exit 1 without a message"
				elif ! loadable b.rbm; then
					failed "R3 $th$c under ulimit -v $kb: the state no longer loads"
				else
					pass "R3 $th$c under ulimit -v $kb: exit $rc"
				fi
				cp b.rbm b.orig
			done
		done
		rm -f n.rbm i.rbm
		tk sh -c "ulimit -v $kb; exec '$R' n.rbm init 784 500"
		no_signal "R3 init under ulimit -v $kb"
		kept_or_loadable "R3 init under ulimit -v $kb" n.rbm none
		tk sh -c "ulimit -v $kb; exec '$R' i.rbm import <b.txt"
		no_signal "R3 import under ulimit -v $kb"
		kept_or_loadable "R3 import under ulimit -v $kb" i.rbm none
		tk sh -c "ulimit -v $kb; exec '$R' plot b.csv -o p.png"
		no_signal "R3 plot under ulimit -v $kb"
	done
	begin R4
	# Under a limit too small for the BLAS's buffer every run stopped
	# at the guard before its command line was read: --help and
	# --version failed (exit 1), usage errors gave 1 instead of 2, and
	# the message named no command.
	for a in "--help" "--version" "help train" "m.rbm info --help"; do
		tk sh -c "ulimit -v 100000; exec '$R' $a"
		expect "R4 $a under ulimit -v 100000" 0
	done
	tk sh -c "ulimit -v 100000; exec '$R' m.rbm bogus"
	expect "R4 an unknown command under ulimit -v 100000" 2
	tk sh -c "ulimit -v 100000; exec '$R' m.rbm info --bogus"
	expect "R4 an unknown option under ulimit -v 100000" 2
	tk sh -c "ulimit -v 100000; exec '$R' --seed 1 m.rbm daydream 2 2"
	expect "R4 a command under ulimit -v 100000 fails naming itself" 1 \
		"rbmcmd: daydream: out of memory: the BLAS library needs 128 MiB of address space for each thread's buffer (ulimit -v)"
else
	skip R1 "sanitizers or valgrind need more address space"
	skip R2 "sanitizers or valgrind need more address space"
	skip R3 "sanitizers or valgrind need more address space"
	skip R4 "sanitizers or valgrind need more address space"
fi

# ---- the third round: new options and keys ----
begin L3
awk 'BEGIN { srand(7); for (i = 0; i < 30; i++) { s = ""
	for (j = 0; j < 25; j++) s = s (j ? " " : "") rand(); print s } }' >g25.txt
"$R" g.rbm init 25 22 --visible gaussian --seed 1
run "$R" g.rbm train 2 --loglik-every 1 --log g.csv --seed 1 --quiet <g25.txt
expect "L3 --loglik-every on a model beyond exact and AIS" 0 \
	"rbmcmd: train: warning: --loglik-every: AIS is implemented for binary visible units only; log Z of a gaussian model is exact up to 30 hidden units; the log's loglik column stays empty"
same "L3 the loglik column stays empty" "$(cut -d, -f7 g.csv | tr '\n' ' ')" "loglik   "

begin A8
# Every "(default V)" of the help: the man page's entry of the option says
# "default V" or "V (the default)"; loglik's --ais-steps also as it runs.
for c in $("$R" --help | awk '/^  [a-z_]+ / { print $1 }'); do
	"$R" help "$c" | awk '/^  --/ { if (l != "") print l; l = $0; next }
		/^   / { sub(/^ +/, " "); l = l $0; next }
		{ if (l != "") print l; l = "" } END { if (l != "") print l }'
done | sed -n 's/^  \(--[a-z0-9-]*\).*(default \([0-9.]*\)).*/\1 \2/p' |
	sort -u >defaults
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g' "$SRCDIR/man/rbmcmd.1" >page
while read -r o v; do
	true_ "A8 help and man page agree: $o default $v" awk -v o="$o" -v v="$v" '
		/^\.TP/ { on = 0 }
		$0 ~ "^\\.BI? " o "([= ]|$)" { on = 1 }
		on && (index($0, "default " v) || index($0, v " (the default)")) { f = 1 }
		END { exit !f }' page
done <defaults
run "$R" m.rbm loglik --ais --ais-runs 2 --seed 1 <movies.txt
same "A8 loglik's --ais-steps default as help says" \
	"$(sed -n 's/^ais_steps //p' out)" "$(sed -n 's/^--ais-steps //p' defaults)"

begin E3
if ! command -v mpirun >/dev/null 2>&1 || ! "$R" --version | grep -q '; MPI' ||
   [ -n "$VG" ] || [ ! -f "$B/src/rbmcmd-mpi.so" ]; then
	echo "skip E3: no mpirun, no MPI build or module, or valgrind"
else
	# As tests/mpi.sh: root in CI, quiet local transports, no leak
	# report of Open MPI's own memory under the sanitizers.
	mpi_env="OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
		OMPI_MCA_btl=self,vader,tcp
		OMPI_MCA_btl_vader_single_copy_mechanism=none
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	cp "$B/src/rbmcmd-mpi.so" mod.so
	mkdir -p moddir
	: >empty.so
	for mod in mod.so moddir empty.so; do
		cp m.orig mm.rbm
		# shellcheck disable=SC2086
		tk env $mpi_env RBMCMD_MPI_MODULE=$mod mpirun --oversubscribe \
			-n 2 "$R" mm.rbm train 1 --quiet --seed 1 --data movies.txt
		no_signal "E3 RBMCMD_MPI_MODULE=$mod under mpirun"
		case $mod in
		mod.so)
			expect "E3 a module named without a slash is the file here" 0
			true_ "E3 it trained" sh -c '! cmp -s mm.rbm m.orig' ;;
		*)
			true_ "E3 $mod refused, said why" grep -q \
				"^rbmcmd: train: rank [01]: cannot load the MPI module: ./$mod: " err
			true_ "E3 $mod: the state file is untouched" cmp -s mm.rbm m.orig ;;
		esac
	done
fi

begin R5
# The BLAS guard's watchdog (guard.h) fires when the first product is
# stuck; gdb holds the process just past the alarm's start for longer
# than the alarm (RBM_GUARD_SECONDS, 10 s), whatever the machine's speed.
if [ $limits_ok = 1 ] && command -v gdb >/dev/null 2>&1 &&
   ldd "$RBMCMD" | grep -q libopenblas; then
	tk sh -c "ulimit -v 3000000; OPENBLAS_NUM_THREADS=1 exec gdb -q -batch \
		-ex 'handle SIGALRM nostop noprint pass' -ex 'break alarm' \
		-ex run -ex finish -ex 'shell sleep 11' -ex continue \
		--args '$RBMCMD' m.rbm info"
	if grep -q 'exited with code 01' out; then
		true_ "R5 the watchdog's message names the command" grep -qx \
			"rbmcmd: info: out of memory: the BLAS library cannot get its buffers under this address-space limit (ulimit -v)" err
	else
		echo "skip R5: gdb could not run it here ($(tail -n 1 out))"
	fi
else
	skip R5 "no address-space limit here, no gdb or no OpenBLAS"
fi

begin G4
# Ctrl-C while train measured an epoch's figures (--loglik-every's AIS
# takes minutes on a large model): the grace period for a stuck
# mini-batch ran out and train ended unsaved, losing the run.  gdb stops
# it in the measurement, calls the signal handler and holds it past the
# grace period it sees (5 s), whatever the machine's speed.
if [ -z "$VG" ] && command -v gdb >/dev/null 2>&1 &&
   gdb -q -batch -ex 'python pass' >/dev/null 2>&1; then
	cp m.orig g4.rbm
	# (LeakSanitizer cannot run under ptrace.)
	tk env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		sh -c "exec gdb -q -batch -ex 'handle SIGALRM nostop noprint pass' \
		-ex 'handle SIGINT nostop noprint pass' \
		-ex 'break rbm_score_log_z_exact' -ex run -ex delete \
		-ex 'call (void)on_stop_signal(2)' \
		-ex 'python import time; time.sleep(int(gdb.parse_and_eval(\"grace\")) + 1)' \
		-ex continue --args '$RBMCMD' g4.rbm train 3 --loglik-every 1 \
		--quiet --log g4.csv <movies.txt"
	if grep -q 'hit Breakpoint 1' out && ! grep -q 'No symbol' out; then
		true_ "G4 a signal while measuring: train saves ($(grep -E 'Inferior|terminated' out))" \
			grep -q 'exited with code 0202' out
		same "G4 it says so" "$(cat err)" \
			"rbmcmd: train: interrupted at epoch 1 of 3; state saved"
		same "G4 the epoch is saved" \
			"$("$R" g4.rbm info | sed -n 's/^epochs: //p')" 1
	else
		echo "skip G4: gdb could not stop it here ($(tail -n 1 out))"
	fi
else
	skip G4 "no gdb with python, or valgrind"
fi

begin S12
sed 's/^epochs 0$/epochs 18446744073709551614/' m.orig | "$B/tests/reseal" >top.rbm
cp top.rbm top.orig
run "$R" top.rbm train 3 --quiet --seed 1 <movies.txt
expect "S12 an epoch count near the top does not wrap to 0" 1 \
	"rbmcmd: train: top.rbm: the model's 18446744073709551614 epochs and 3 more exceed the epoch counter"
true_ "S12 the file is intact" cmp -s top.rbm top.orig
run "$R" top.rbm train 1 --quiet --seed 1 <movies.txt
expect "S12 up to the top it trains" 0
same "S12 and counts" "$("$R" top.rbm info | sed -n 's/^epochs: //p')" 18446744073709551615

# ---- other users' files (reproducer 7): root only ----
if [ $is_root = 1 ] && [ -z "$VG" ]; then
	begin U1
	mkdir -p own && chmod 755 own
	"$R" own/u.rbm init 6 3 --seed 1
	chown 1000:1000 own/u.rbm
	chmod 600 own/u.rbm
	run "$R" own/u.rbm train 1 <movies.txt
	expect "U1 root trains a 0600 file of uid 1000" 0
	same "U1 owner and mode kept" "$(stat -c '%u:%g %a' own/u.rbm)" "1000:1000 600"

	begin U2
	"$R" own/x.rbm init 6 3 --seed 1
	chmod 6755 own/x.rbm
	run "$R" own/x.rbm train 1 <movies.txt
	expect "U2 train on a 06755 file" 0
	same "U2 set-id bits dropped, the rest kept" "$(stat -c '%a' own/x.rbm)" 755

	begin U3
	chmod 755 "$T"
	as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	if ! $as_nobody "$RBMCMD" --version >/dev/null 2>&1; then
		echo "skip U3: nobody cannot run $RBMCMD here"
	else
	mkdir -p grp && chmod 777 grp
	"$R" grp/g.rbm init 6 3 --seed 1
	chown 1000:1000 grp/g.rbm
	chmod 666 grp/g.rbm
	cp grp/g.rbm g.orig
	run $as_nobody "$RBMCMD" grp/g.rbm train 1 <movies.txt
	expect "U3 another user's save in a shared directory is refused" 1
	same "U3 the owner is kept" "$(stat -c '%u' grp/g.rbm)" 1000
	true_ "U3 said why" grep -q 'cannot save' "$T/err"
	true_ "U3 the file is intact" cmp -s grp/g.rbm g.orig
	fi
else
	skip U1 "not root (or valgrind)"
	skip U2 "not root (or valgrind)"
	skip U3 "not root (or valgrind)"
fi

# Every row of the table that names this file ran (or skipped).
for id in $(awk '/^[A-Z][0-9]/ && /adversary\.sh/ { print $1 }' "$SRCDIR/tests/threats"); do
	case " $ids " in
	*" $id "*) ;;
	*) failed "threats row $id names adversary.sh but no case ran" ;;
	esac
done
pass "all $(echo $ids | wc -w) table rows of adversary.sh visited"
finish
