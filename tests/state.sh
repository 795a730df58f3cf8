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

# Files whose checksum is right but whose header claims the impossible
# (tests/reseal recomputes the end line after an edit): refused before
# anything is allocated from the claim.
hostile() {
	sed "$2" s.rbm | "$B/tests/reseal" >h.rbm
	run "$R" h.rbm daydream 1 1
	expect "$1" 1 "rbmcmd: daydream: h.rbm$3"
}
hostile "a size beyond the limit" 's/^visible 6$/visible 100000000/' \
	":4: 'visible' needs a whole number up to 16777216"
hostile "an overflowing size" 's/^hidden 2$/hidden 99999999999999999999/' \
	":5: 'hidden' needs a whole number up to 16777216"
hostile "a negative size" 's/^hidden 2$/hidden -2/' \
	":5: 'hidden' needs a whole number up to 16777216"
hostile "a zero size" 's/^hidden 2$/hidden 0/' \
	": a model needs at least one visible and one hidden unit (got 6 x 0)"
hostile "a model too large" 's/^visible 6$/visible 16777216/; s/^hidden 2$/hidden 16777216/' \
	": a 16777216 x 16777216 model is too large (at most 16777216 units a layer, 1073741824 weights)"
hostile "sizes the file is too short for" 's/^visible 6$/visible 16777216/; s/^hidden 2$/hidden 64/' \
	": too short for a 16777216 x 64 model"
hostile "a repeated key" 's/^hidden 2$/hidden 2\nhidden 2/' \
	":6: bad or repeated 'hidden' line"
hostile "an impossible batch size" 's/^batch_size 100$/batch_size 0/' \
	": training options: batch size must be between 1 and 1048576"
hostile "a NUL byte cutting a line short (the rest went unread)" \
	's/^hidden 2$/hidden 2\x00 junk/' ":5: a NUL byte; not a text state file"
hostile "an unknown key" 's/^epochs 10$/epochs 10\nfrobs 1/' \
	":7: unknown key 'frobs'"
hostile "a number that is not finite" '/^visible_bias$/{n;s/^[^ ]*/nan/}' \
	":$(grep -n '^visible_bias$' s.rbm | cut -d: -f1 | awk '{ print $1 + 1 }'): number 1 is not a finite number"
hostile "a generator index out of range" 's/^\(rng mt19937 .\{9984\}\).\{8\}/\1ffffffff/' \
	": random generator state is out of range"
hostile "generator words beyond 32 bits (train hung)" \
	's/^\(rng mt19937 .\{8\}\).\{8\}/\1ffffffff/' \
	": random generator state is out of range"
hostile "an all-zero generator" \
	"s/^\(rng mt19937 \)[0-9a-f]\{9984\}/\1$(printf '%09984d' 0)/" \
	": random generator state is out of range"
"$R" p.rbm init 6 2 --seed 1 --pcd --batch-size 3 --chains 0
"$R" p.rbm train 1 <movies.txt
sed 's/^chains 3$/chains 1048576/' p.rbm | "$B/tests/reseal" >h.rbm
run "$R" h.rbm daydream 1 1
expect "more chains than the file holds" 1 \
	"rbmcmd: daydream: h.rbm:$(grep -n '^chains' p.rbm | cut -d: -f1): unexpected, repeated or too large section 'chains'"
# Weights as large as a float holds: the logistic function saturates
# instead of overflowing, so every unit is exactly on or off.
awk '/^weights$/ { w = 6; print; next }
     w > 0 { w--; print "3e38 -3e38"; next } { print }' s.rbm |
	"$B/tests/reseal" >x.rbm
same "extreme weights: the units saturate" \
	"$(echo '1 0 0 0 0 0' | "$R" x.rbm run_visible --seed 1)" "1 0"
run "$R" x.rbm daydream 20 50 --seed 1
same "extreme weights: daydreams are 0/1 rows" \
	"$rc $(awk 'NF == 6 && !/[^01 ]/' "$T/out" | wc -l)" "0 50"
# Centering offsets come in pairs; a file with one of them still trains
# (it crashed, or leaked the other, before), starting both afresh.
"$R" c.rbm init 6 2 --seed 1 --centering
"$R" c.rbm train 1 <movies.txt
for section in visible_offset hidden_offset; do
	awk -v s=$section '$0 == s { skip = 2 } skip > 0 { skip--; next }
		{ print }' c.rbm | "$B/tests/reseal" >h.rbm
	run "$R" h.rbm train 1 <movies.txt
	expect "only $section: trains" 0
	same "only $section: both saved again" \
		"$(grep -c '^[a-z]*_offset$' h.rbm)" 2
done
true_ "tests/reseal keeps a good file as it is" \
	sh -c "'$B/tests/reseal' <s.rbm | cmp -s - s.rbm"

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
	expect "read-only directory" 1 "rbmcmd: train: cannot save big/s.rbm: cannot create its lock file big/.s.rbm.lock: Permission denied"
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

# A state file from before average_fraction goes on training without it.
"$R" af.rbm init 6 2 --seed 1
grep -v '^average_fraction ' af.rbm | "$B/tests/reseal" >old.rbm
same "an older file: average_fraction 0" \
	"$("$R" old.rbm info | grep '^average_fraction')" "average_fraction: 0"
same "a new file: average_fraction 0.5" \
	"$("$R" af.rbm info | grep '^average_fraction')" "average_fraction: 0.5"
# ... and one from before visible_centering without it.
grep -v '^visible_centering ' af.rbm | "$B/tests/reseal" >old.rbm
same "an older file: visible_centering 0" \
	"$("$R" old.rbm info | grep '^visible_centering')" "visible_centering: 0"
same "a new file: visible_centering 1" \
	"$("$R" af.rbm info | grep '^visible_centering')" "visible_centering: 1"

# ... and one from before pcd_chains with one chain a batch row.
grep -v '^pcd_chains ' af.rbm | "$B/tests/reseal" >old.rbm
same "an older file: pcd_chains 0" \
	"$("$R" old.rbm info | grep '^pcd_chains')" "pcd_chains: 0"
same "a new file: pcd_chains 500" \
	"$("$R" af.rbm info | grep '^pcd_chains')" "pcd_chains: 500"

# A run split in two with the defaults (averaging over the last half of
# the model's epochs) saves the model and everything else as one run of
# the same epochs does: the second continues from the first's last
# parameters (its iterate), not from the average that it saved.
"$R" one.rbm init 6 3 --seed 4
"$R" one.rbm train 40 --seed 4 <movies.txt
"$R" two.rbm init 6 3 --seed 4
"$R" two.rbm train 20 --seed 4 <movies.txt
true_ "after a run with averaging the file holds the iterate" \
	grep -qx iterate two.rbm
"$R" two.rbm train 20 <movies.txt
same "train 20 twice saves what train 40 does" \
	"$(grep -v -e '^history ' -e '^end ' two.rbm | cksum)" \
	"$(grep -v -e '^history ' -e '^end ' one.rbm | cksum)"
# ... and a file from before the iterate continues from its model.
grep -v -e '^history ' -e '^end ' two.rbm |
	sed '/^iterate$/,/^chains /{/^chains /!d}' | "$B/tests/reseal" >old.rbm
run "$R" old.rbm info
same "an older file without the iterate loads" "$(grep '^iterate:' out)" \
	"iterate: no"

# train 0 saves settings only: the averaged model and its iterate stay
# as they were (restoring the iterate for the run must not leak into the
# saved model when nothing was trained).
cp two.rbm zero.rbm
"$R" zero.rbm train 0 --learning-rate 0.05 <movies.txt
params() { sed -n '/^visible_bias$/,/^end /p' "$1" | grep -v '^end '; }
same "train 0 keeps the averaged model and its iterate" \
	"$(params zero.rbm | cksum)" "$(params two.rbm | cksum)"
same "train 0 saves the new rate" \
	"$("$R" zero.rbm info | grep '^learning_rate')" "learning_rate: 0.05"
# --data-bias on a file with an iterate sets the biases the run starts
# from (the iterate's), not only the average's that the run replaces.
yes '0 0 0 0 0 1' | head -n 20 >last.txt
cp two.rbm db.rbm
"$R" db.rbm train 1 --data-bias --seed 1 <last.txt
same "--data-bias reaches a model that continues from its iterate" \
	"$(sed -n '/^visible_bias$/{n;p;}' db.rbm |
	awk '{ print ($1 < -2 && $5 < -2 && $6 > 2) ? "data" : "kept" }')" \
	"data"

finish
