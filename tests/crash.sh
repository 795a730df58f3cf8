#!/bin/sh
# crash.sh - kill -9 at random moments while train and init save, many
# times; the state file must then be either the old state byte for byte
# or the finished new one (but for train's dated history line and the
# checksum over it), never torn, and must load.  What a killed save leaves
# (a temporary file) goes with the next train.  Saves that fail (full
# disk, no inode left, read-only directory) leave the old file and no
# temporary file, and say why.
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

# Failing saves.  fail_save NAME MESSAGE: after a train that could not
# save (its results in fs/), the message, the exit status, the old file
# and nothing beside it.
mkdir -p fs
awk 'BEGIN { for (r = 0; r < 20; r++) { for (i = 0; i < 200; i++)
	printf "%d ", (r + i) % 2; print "" } }' >wide.txt
"$R" big.rbm init 200 100 --seed 1
fail_save() {
	same "$1: message" "$(cat fs/err)" "rbmcmd: train: cannot save $2"
	same "$1: exit status" "$(cat fs/rc)" 1
	true_ "$1: state untouched" cmp -s fs/s.rbm big.rbm
	same "$1: nothing left beside it" "$(cat fs/ls)" "s.rbm"
}
# in_tmpfs OPTIONS: train on a copy of big.rbm in a tmpfs mounted with
# OPTIONS in a mount namespace of our own; results into fs/.
in_tmpfs() {
	rm -rf fs/* mnt
	mkdir mnt
	unshare -rm sh -c "mount -t tmpfs -o '$1' tmpfs mnt || exit 1
		cp big.rbm mnt/s.rbm
		rc=0
		'$R' mnt/s.rbm train 1 <wide.txt 2>fs/err || rc=\$?
		echo \$rc >fs/rc
		ls -A mnt >fs/ls
		cp mnt/s.rbm fs/s.rbm"
}
if unshare -rm sh -c 'mount -t tmpfs tmpfs /mnt' 2>/dev/null; then
	# A 400 KiB file system holds the 290 KB file but not a second copy.
	in_tmpfs size=400k
	fail_save "full disk" "mnt/s.rbm: No space left on device"
	# Three inodes: the directory, the file and the lock file.
	in_tmpfs size=4m,nr_inodes=3
	fail_save "no inode for the temporary file" \
		"mnt/s.rbm: No space left on device"
else
	echo "skip: no mount namespace for a small tmpfs here"
fi

# A read-only directory stops only users other than root; as root, try
# as nobody if nobody can run the program here.
as_user=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 755 "$T"
	$as_user "$R" --version >/dev/null 2>&1 || as_user=none
fi
if [ "$as_user" != none ]; then
	rm -rf fs ro
	mkdir fs ro
	cp big.rbm ro/s.rbm
	[ -z "$as_user" ] || chown -R nobody fs ro
	chmod a-w ro
	rc=0
	$as_user "$R" ro/s.rbm train 1 <wide.txt 2>fs/err || rc=$?
	echo $rc >fs/rc
	ls -A ro >fs/ls
	cp ro/s.rbm fs/s.rbm
	fail_save "read-only directory" \
		"ro/s.rbm: cannot create its lock file ro/.s.rbm.lock: Permission denied"
else
	echo "skip: nobody cannot run $R here"
fi

finish
