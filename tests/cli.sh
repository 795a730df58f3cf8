#!/bin/sh
# cli.sh - the command line as users drive it: help and version, both
# argument forms of the original, output formats, reproducibility with
# --seed, continuing training, streaming and the BLAS actually linked.
. "$SRCDIR/tests/setup.sh"
cd "$T"

run "$R" --help
expect "--help exits 0" 0
for c in init train run_visible run_hidden daydream_trace daydream import \
	export info weights; do
	true_ "--help lists $c" grep -q "^  $c " out
done
run "$R" --version
expect "--version exits 0" 0
true_ "--version names the version" grep -q '^rbmcmd [0-9]' out
run "$R" help train
expect "help train" 0
true_ "help train lists --batch-size" grep -q -- '--batch-size' out
run "$R" s.rbm train --help
expect "train --help" 0
true_ "train --help shows usage" grep -q '^Usage: rbmcmd STATE train' out

# Both argument forms: the rate at init (README) or at train (code).
movies > movies.txt
run "$R" a.rbm init 6 2 0.1 --seed 3
expect "init NV NH LR" 0
run "$R" a.rbm train 100 <movies.txt
expect "train EPOCHS" 0
run "$R" b.rbm init 6 2 --seed 3
expect "init NV NH" 0
run "$R" b.rbm train 100 0.1 <movies.txt
expect "train EPOCHS LR" 0
same_model "both forms give the same model" a.rbm b.rbm
same "rate from init is kept" "$(grep '^learning_rate' a.rbm)" \
	"learning_rate 0.10000000000000001"
"$R" b.rbm train 1 0.05 <movies.txt
same "rate from train is stored" "$(grep '^learning_rate' b.rbm)" \
	"learning_rate 0.050000000000000003"
same "epochs are counted" "$(grep '^epochs' b.rbm)" "epochs 101"

# --seed makes everything reproducible; a continued train equals one run
# bit for bit at a constant rate without averaging (the default averages
# each run's last epochs; a linear decay spans each run).
"$R" c.rbm init 6 2 --seed 3 --average-fraction 0
"$R" c.rbm train 50 <movies.txt
"$R" c.rbm train 50 <movies.txt
"$R" c1.rbm init 6 2 --seed 3 --average-fraction 0
"$R" c1.rbm train 100 <movies.txt
same_model "train 50 + train 50 = train 100" c1.rbm c.rbm
awk 'BEGIN { srand(2); for (r = 0; r < 250; r++) { for (i = 0; i < 6; i++)
	printf "%d ", rand() < 0.4; print "" } }' >many.txt
"$R" f.rbm init 6 3 --seed 3 --average-fraction 0
cp f.rbm g.rbm
"$R" f.rbm train 4 <many.txt
"$R" g.rbm train 2 <many.txt
"$R" g.rbm train 2 <many.txt
same_model "with shuffled mini-batches too: train 2 + train 2 = train 4" \
	f.rbm g.rbm
# --average-fraction counts the model's epochs, not the run's: after
# train 2, a train 2 at fraction 0.5 ends at epoch 4 and averages both of
# its epochs, as --average 2 does (counted by the run, it would average 1).
"$R" h.rbm init 6 3 --seed 3 --average-fraction 0
cp h.rbm i.rbm
"$R" h.rbm train 2 <many.txt
"$R" h.rbm train 2 --average-fraction 0.5 <many.txt
"$R" i.rbm train 2 <many.txt
"$R" i.rbm train 2 --average 2 <many.txt
"$R" h.rbm export >h.txt
"$R" i.rbm export >i.txt
true_ "a second run averages the last fraction of the model's epochs" \
	cmp -s h.txt i.txt
"$R" d.rbm init 6 2 --seed 3
"$R" d.rbm train 100 --seed 9 <movies.txt
true_ "train --seed restarts the stream" \
	sh -c '! cmp -s a.rbm d.rbm'
"$R" e.rbm init 6 2 --seed 4
true_ "another init seed, another model" sh -c '! cmp -s a.rbm e.rbm'
"$R" a.rbm daydream 5 20 --seed 1 >dd1
"$R" a.rbm daydream 5 20 --seed 1 >dd2
true_ "daydream --seed is reproducible" cmp -s dd1 dd2
"$R" a.rbm run_visible --seed 5 <movies.txt >rv1
"$R" a.rbm run_visible --seed 5 <movies.txt >rv2
true_ "run_visible --seed is reproducible" cmp -s rv1 rv2

# --chains: that many persistent chains, saved with the model, more than
# the rows of a batch too; a new number starts new chains.
"$R" ch.rbm init 6 3 --seed 3 --chains 9
"$R" ch.rbm train 2 <movies.txt
same "--chains 9 keeps 9 chains" "$("$R" ch.rbm info | grep -e '^chains:' \
	-e '^pcd_chains:' | tr '\n' ' ')" "pcd_chains: 9 chains: 9 "
"$R" ch.rbm train 1 --chains 0 --batch-size 4 <movies.txt
same "--chains 0: one per row of a batch" \
	"$("$R" ch.rbm info | grep '^chains:')" "chains: 4"
# --visible-centering keeps visible offsets and no hidden ones; with
# --centering both.
"$R" vc.rbm init 6 3 --seed 3 --visible-centering
"$R" vc.rbm train 2 <movies.txt
same "--visible-centering: visible offsets only" "$("$R" vc.rbm info |
	grep -e '^visible_offset:' -e '^hidden_offset:' | tr '\n' ' ')" \
	"visible_offset: yes hidden_offset: no "
"$R" vc.rbm train 1 --centering <movies.txt
same "--centering takes precedence" "$("$R" vc.rbm info |
	grep -e '^visible_offset:' -e '^hidden_offset:' | tr '\n' ' ')" \
	"visible_offset: yes hidden_offset: yes "
# --offset-target: kept in the state file (old files and new models:
# data); with average the offsets end elsewhere than with data, the same
# seed and rows; an unknown target is a usage error.
same "a new model's offset target" \
	"$("$R" vc.rbm info | grep '^offset_target:')" "offset_target: data"
"$R" ot1.rbm init 6 3 --seed 3 --centering --offset-rate 0.5
cp ot1.rbm ot2.rbm
"$R" ot1.rbm train 3 --seed 4 <movies.txt
"$R" ot2.rbm train 3 --seed 4 --offset-target average <movies.txt
same "--offset-target average is kept" \
	"$("$R" ot2.rbm info | grep '^offset_target:')" \
	"offset_target: average"
true_ "--offset-target average moves the offsets elsewhere" \
	test "$(sed -n '/^visible_offset$/,/^hidden_offset$/p' ot1.rbm)" != \
	"$(sed -n '/^visible_offset$/,/^hidden_offset$/p' ot2.rbm)"
run "$R" ot1.rbm train 1 --offset-target model <movies.txt
expect "--offset-target model is refused" 2

# Output shapes and tokens.
same "run_visible: a row per input row" "$(wc -l <rv1)" 6
same "run_visible: NH tokens of 0/1" \
	"$(awk 'NF != 2 || /[^01 ]/' rv1 | wc -l)" 0
printf '1 0\n0 1\n1 1\n' | "$R" a.rbm run_hidden --seed 1 >rh
same "run_hidden: NV tokens of 0/1" \
	"$(awk 'NF == 6 && !/[^01 ]/' rh | wc -l)" 3
"$R" a.rbm daydream_trace 3 --seed 2 >tr
same "daydream_trace 3: three rows" "$(wc -l <tr)" 3
same "daydream_trace: later rows are 0/1" \
	"$(tail -n 2 tr | awk 'NF == 6 && !/[^01 ]/' | wc -l)" 2
same "daydream_trace: first row in [0, 1]" \
	"$(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i < 0 || $i > 1) b++ }
	    END { print NF + 0, b + 0 }' tr)" "6 0"
"$R" a.rbm daydream 3 5 --seed 2 >dd
same "daydream 3 5: five rows of 0/1" \
	"$(awk 'NF == 6 && !/[^01 ]/' dd | wc -l)" 5
run "$R" a.rbm daydream 3 0
same "daydream N 0 prints nothing" "$rc:$(wc -c <out)" "0:0"

# Input conventions: tabs, CRLF, comments, blank lines, no final newline.
printf '# comment\n\n0\t0 0 1  1 0\r\n   \n  # indented comment\n0 0 0 1 1 0' \
	| "$R" a.rbm run_visible --seed 5 >x
same "comments, blanks, tabs, CRLF, no final newline" "$(wc -l <x)" 2

# Streaming: each answer comes back before the next line is sent, from
# every command that rbmcmd(1) says streams (OUTPUT FORMAT).
mkfifo in.fifo out.fifo
for c in run_visible run_hidden free_energy reconstruct recommend; do
	case $c in
	run_visible) row="0 0 0 1 1 0" nf=2 ;;
	run_hidden) row="1 0" nf=6 ;;
	free_energy) row="0 0 0 1 1 0" nf=1 ;;
	*) row="0 0 ? 1 1 0" nf=6 ;;
	esac
	"$R" a.rbm $c <in.fifo >out.fifo &
	pid=$!
	exec 3>in.fifo 4<out.fifo
	echo "$row" >&3
	line=
	read -r line <&4 || true
	same "$c answers a line before the next is sent" \
		"$(echo "$line" | awk '{ print NF }')" $nf
	exec 3>&- 4<&-
	wait $pid
done
# Empty input is no error (EXIT STATUS in rbmcmd(1)): nothing out, exit
# 0; and the rows before a bad line are answered (INPUT FORMAT).
for c in run_visible run_hidden free_energy reconstruct recommend; do
	run "$R" a.rbm $c </dev/null
	same "$c: empty input, empty output, exit 0" "$rc $(wc -c <out)" "0 0"
	if [ $c = run_hidden ]; then
		printf '1 0\n1\n' >rows
	else
		printf '0 0 0 1 1 0\n0 0 0 1 1\n' >rows
	fi
	run "$R" a.rbm $c <rows
	same "$c: the row before a bad line answered, then exit 1" \
		"$rc $(wc -l <out)" "1 1"
done

# A million-row pipe in constant memory: 100 wide rows are 400 MB as
# floats; a 250 MB address-space limit would stop any version that kept
# them.  (OpenBLAS reserves some address space per thread up front.)
# Sanitizer builds reserve terabytes of shadow memory, and valgrind needs
# more than the limit too, so they skip this.
"$R" w.rbm init 100 20 --seed 1
awk 'BEGIN { for (i = 0; i < 100; i++) printf "%d ", i % 2; print "" }' >row
if [ -z "$VG" ] && ! ldd "$RBMCMD" | grep -q libasan; then
	n=$( (ulimit -v 250000; yes "$(cat row)" | head -n 1000000 |
		OPENBLAS_NUM_THREADS=1 "$R" w.rbm run_visible --seed 1 |
		wc -l) )
	same "a million rows stream through in bounded memory" "$n" 1000000
fi

# The CBLAS that configure chose is the one that runs (the dynamic
# linker's trace needs the program to run natively).
if [ -z "$VG" ] && "$R" --version | grep -q 'CBLAS: OpenBLAS'; then
	b=$(echo "0 0 0 1 1 0" | LD_DEBUG=bindings "$R" a.rbm run_visible \
		2>&1 >/dev/null | grep "normal symbol .cblas_sgemm'" | head -n 1)
	case $b in
	*libopenblas*) pass "cblas_sgemm binds to OpenBLAS" ;;
	*) failed "cblas_sgemm binds to OpenBLAS: $b" ;;
	esac
fi

# A collapsed model (every hidden unit on for every row: weights 0,
# hidden biases 20) is named as such under --verbose and in info; a
# model that learnt something is not.
printf '%s\n' "6 2" "0 0 0 0 0 0" "20 20" "0 0" "0 0" "0 0" "0 0" "0 0" \
	"0 0" >collapsed.txt
"$R" col.rbm import --seed 1 <collapsed.txt
run "$R" col.rbm train 1 --learning-rate 1e-9 --verbose --no-data-bias \
	<movies.txt
same "train --verbose names a collapse" \
	"$(grep -c '2 of 2 hidden units never change state.*collapsed' err)" 1
same "info names a collapse" "$("$R" col.rbm info | grep '^hidden_stuck')" \
	"hidden_stuck: 2 (collapsed: no better than the visible biases)"
run "$R" c.rbm train 1 --verbose <movies.txt
same "no collapse, no word of it" "$(grep -c 'never change state' err)" 0
same "info: no stuck units" "$("$R" c.rbm info | grep '^hidden_stuck')" \
	"hidden_stuck: 0"
"$R" new.rbm init 6 2
same "info before any train" "$("$R" new.rbm info | grep '^hidden_stuck')" \
	"hidden_stuck: unknown"

# --loglik-every fills the log's loglik column every N epochs and at the
# end, with what loglik says of the same rows (exact for 2 hidden units).
"$R" ll.rbm init 6 2 --seed 5 --average-fraction 0
"$R" ll.rbm train 5 --log ll.csv --loglik-every 2 <movies.txt
same "--loglik-every 2: epochs 2, 4 and the last" \
	"$(awk -F, 'NR > 1 && $7 != "" { printf "%s ", $1 }' ll.csv)" "2 4 5 "
same "--loglik-every: the last equals loglik" \
	"$(awk -F, 'END { printf "%.6f", $7 }' ll.csv)" \
	"$("$R" ll.rbm loglik <movies.txt | awk '$1 == "loglik" { printf "%.6f", $2 }')"
same "no --loglik-every, no loglik" \
	"$("$R" ll.rbm train 1 --log ll2.csv <movies.txt; awk -F, 'NR > 1 { print $7 }' ll2.csv)" ""

# Beyond 20 units in each layer --loglik-every takes log Z by AIS: 22
# visible and 24 hidden units, within 0.3 nats of the exact answer.
awk 'BEGIN { srand(3); for (i = 0; i < 60; i++) { s = ""; k = i % 3
	for (j = 0; j < 22; j++) s = s (j ? " " : "") \
		(rand() < (j % 3 == k ? 0.8 : 0.15) ? 1 : 0); print s } }' >ais.txt
"$R" big.rbm init 22 24 --seed 2
"$R" big.rbm train 4 --log big.csv --loglik-every 4 <ais.txt
ais_ll=$(awk -F, 'END { print $7 }' big.csv)
exact_ll=$("$R" big.rbm loglik --exact-max-units 22 <ais.txt |
	awk '$1 == "loglik" { print $2 }')
true_ "--loglik-every by AIS: $ais_ll, exact $exact_ll" \
	awk -v a="$ais_ll" -v e="$exact_ll" \
	'BEGIN { exit !(a != "" && a - e < 0.3 && e - a < 0.3) }'

finish
