#!/bin/sh
# state.sh - the state file through the CLI: refused when truncated,
# corrupted, foreign or too new; saves that fail (missing directory, file
# size limit) leave the old file intact with no temporary file behind;
# the file mode survives a save.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
"$R" s.rbm init 6 2 --seed 1
"$R" s.rbm train 10 <movies.txt

true_ "state file is text with the magic line" \
	sh -c 'head -n 1 s.rbm | grep -qx "rbmcmd-state 2"'
true_ "state file ends with a checksum line" \
	sh -c 'tail -n 1 s.rbm | grep -qE "^end fnv1a64 [0-9a-f]{16}$"'

# Every damaged copy is refused with the file named.
head -c 200 s.rbm >cut.rbm
run "$R" cut.rbm run_visible <movies.txt
expect "truncated file" 1 "rbmcmd: run_visible: cut.rbm: truncated (no end line); not a complete state file"
sed '$d' s.rbm >noend.rbm
run "$R" noend.rbm run_visible <movies.txt
expect "file without its end line" 1 "rbmcmd: run_visible: noend.rbm: truncated (no end line); not a complete state file"
sed 's/^epochs 10$/epochs 11/' s.rbm >edit.rbm
run "$R" edit.rbm run_visible <movies.txt
expect "edited file" 1 "rbmcmd: run_visible: edit.rbm: checksum mismatch: the file is corrupted"
sed '1s/.*/rbmcmd-state 3/' s.rbm >new.rbm
run "$R" new.rbm run_visible <movies.txt
expect "newer version" 1 "rbmcmd: run_visible: new.rbm: state file version 3 is newer than this rbmcmd reads (2); use a newer rbmcmd"

# Version 1 files (rbmcmd 1.0) still load, train, and save as version 2.
cp "$SRCDIR/tests/data/movies-v1.rbm" v1.rbm
run sh -c "echo '0 0 0 1 1 0' | '$R' v1.rbm run_visible --seed 1"
expect "a version 1 file loads" 0
same "a version 1 file keeps CD-1 at a constant rate" \
	"$("$R" v1.rbm info | grep -E '^(pcd|lr_schedule):' | tr '\n' ' ')" \
	"pcd: 0 lr_schedule: constant "
"$R" v1.rbm train 1 <movies.txt
same "and is saved as version 2" "$(head -n 1 v1.rbm)" "rbmcmd-state 2"
: >empty.rbm
run "$R" empty.rbm run_visible <movies.txt
expect "empty file" 1 "rbmcmd: run_visible: empty.rbm: not an rbmcmd state file"
printf '\200\201\0\377 binary' >bin.rbm
run "$R" bin.rbm daydream 1 1
expect "binary file" 1 "rbmcmd: daydream: bin.rbm: not an rbmcmd state file"
run "$R" . daydream 1 1
expect "a directory" 1 "rbmcmd: daydream: .: not a regular file"

# init may replace a state file, even a damaged one, and an empty file.
run "$R" cut.rbm init 6 2
expect "init over a damaged state file" 0
run "$R" empty.rbm init 6 2
expect "init over an empty file" 0

# A save that cannot complete leaves the old file as it was.
mkdir big && "$R" big/s.rbm init 200 100 --seed 1
cp big/s.rbm big.orig
awk 'BEGIN { for (r = 0; r < 20; r++) { for (i = 0; i < 200; i++)
	printf "%d ", (r + i) % 2; print "" } }' >wide.txt
run sh -c "trap '' XFSZ; ulimit -f 64; exec '$R' big/s.rbm train 1 <wide.txt"
case $(cat "$T/err") in
"rbmcmd: train: cannot save big/s.rbm: File too large") pass "file size limit: message" ;;
*) failed "file size limit: message '$(cat "$T/err")'" ;;
esac
same "file size limit: exit 1" "$rc" 1
true_ "file size limit: state untouched" cmp -s big/s.rbm big.orig
same "file size limit: no temporary file left" "$(ls -A big)" "s.rbm"

# Read-only directories only stop non-root users.
if [ "$(id -u)" != 0 ]; then
	chmod a-w big
	run "$R" big/s.rbm train 1 <wide.txt
	expect "read-only directory" 1 "rbmcmd: train: cannot save big/s.rbm: Permission denied"
	chmod u+w big
	true_ "read-only directory: state untouched" cmp -s big/s.rbm big.orig
fi

# The mode of the file survives the rename.
chmod 600 s.rbm
"$R" s.rbm train 1 <movies.txt
same "mode kept across saves" "$(stat -c %a s.rbm)" 600
"$R" fresh.rbm init 6 2
same "new files get 0666 less the umask" "$(stat -c %a fresh.rbm)" \
	"$(printf '%o' $((0666 & ~$(umask))))"

finish
