#!/bin/sh
# pictures.sh - filters, samples and plot: each writes a valid PNG of the
# expected size (decoded by tests/pngdump, on libpng's checks), filter
# pixels match the weights in the state file, and every error has its
# exact message and exit status and leaves no picture behind.
. "$SRCDIR/tests/setup.sh"
cd "$T"
: "${PNGDUMP:=$(dirname "$R")/../tests/pngdump}"

version=$(sed -n 's/^AC_INIT(\[rbmcmd\], \[\([^]]*\)\].*/\1/p' \
	"$SRCDIR/configure.ac")
same "--version reports configure.ac's version" \
	"$("$R" --version | head -n 1)" "rbmcmd $version"
run "$R" --help
for c in filters samples plot; do
	true_ "--help lists $c" grep -q "^  $c " out
done
true_ "--help says plot is written without STATE" \
	sh -c "tr '\\n' ' ' <out | grep -q 'PNG picture *(written without STATE)'"

"$R" m.rbm init 12 5 --seed 1
awk 'BEGIN { srand(3); for (r = 0; r < 300; r++) { for (i = 0; i < 12; i++)
	printf "%d ", rand() < (i % 4 == r % 4 ? 0.9 : 0.1); print "" } }' \
	>rows.txt
"$R" m.rbm train 20 --seed 2 <rows.txt
printf '%s,%s\n' epoch,learning_rate,momentum,recon_error \
	free_energy_train,free_energy_valid,loglik,seconds >log.csv
printf '%s\n' 1,0.1,0,2.5,-8.5,-8.4,,0.01 2,0.1,0,2.25,-9,-8.75,,0.01 \
	3,0.1,0,2,-9.5,-9,,0.01 >>log.csv

# Without libpng the commands exist but fail, and that is all to test.
if "$R" --version | grep -q 'no PNG support'; then
	for c in "filters m.rbm filters" "samples m.rbm samples 2 2" \
		"plot plot log.csv"; do
		run "$R" ${c#* } -o x.png
		expect "${c%% *} without libpng" 1 \
			"rbmcmd: ${c%% *}: built without PNG support"
	done
	true_ "without libpng no picture is written" test ! -e x.png
	finish
	exit
fi
# size FILE: "WIDTH HEIGHT CHANNELS" of a valid PNG file, or an error.
size() {
	"$PNGDUMP" "$1" 2>&1 | head -n 1
}

# ---- filters ----
run "$R" m.rbm filters --shape 4x3 -o f.png
expect "filters" 0 ""
same "filters: 5 tiles of 4x3 in a 3x2 grid" "$(size f.png)" "16 9 1"
# Expected gray levels of units 0 and 4 from the saved weights: symmetric
# around 0, scaled by the 0.99 quantile (nearest rank) of the unit's |w|.
expected() {
	awk -v j="$1" '
	/^weights$/ { on = 1; next }
	on && n < 12 { w[n++] = $(j + 1) }
	END {
		for (i = 0; i < 12; i++) a[i] = w[i] < 0 ? -w[i] : w[i]
		for (i = 0; i < 12; i++)	# selection sort, 12 values
			for (k = i + 1; k < 12; k++)
				if (a[k] < a[i]) {
					t = a[i]; a[i] = a[k]; a[k] = t
				}
		s = a[11]	# ceil(0.99 * 12) = 12th smallest
		for (i = 0; i < 12; i++) {
			g = int(255 * (w[i] + s) / (2 * s) + 0.5)
			g = g < 0 ? 0 : g
			printf "%d%s", (g > 255 ? 255 : g),
				(i < 11 ? " " : "\n")
		}
	}' m.rbm
}
pixels() {
	"$PNGDUMP" f.png $(awk -v x0="$1" -v y0="$2" 'BEGIN {
		for (i = 0; i < 12; i++)
			printf "%d,%d ", x0 + i % 4, y0 + int(i / 4) }') |
		tail -n +2 | tr '\n' ' ' | sed 's/ $//'
}
same "filters: unit 0's pixels are its weights" "$(pixels 1 1)" \
	"$(expected 0)"
same "filters: unit 4's pixels are its weights" "$(pixels 6 5)" \
	"$(expected 4)"
same "filters: the border is black" "$("$PNGDUMP" f.png 0,0 5,4 | tail -n 2 |
	tr '\n' ' ')" "0 0 "
"$R" m.rbm filters --shape 4x3 --zoom 3 -o z.png
same "--zoom 3" "$(size z.png)" "40 21 1"
"$R" m.rbm filters --shape 4x3 --grid 5x1 -o g.png
same "--grid 5x1" "$(size g.png)" "26 5 1"
"$R" m.rbm filters --shape 4x3 --grid 2x2 -o g.png
same "--grid 2x2 draws the first 4 units" "$(size g.png)" "11 9 1"
"$R" m.rbm filters --shape 4x3 --units 2 -o u.png
same "--units 2" "$(size u.png)" "11 5 1"
"$R" m.rbm filters --shape 4x3 --contrast global --output gl.png
same "--contrast global, --output" "$(size gl.png)" "16 9 1"
"$R" m.rbm filters --shape 3x4 -o t.png
same "--shape 3x4" "$(size t.png)" "13 11 1"
same "-o - writes the PNG to stdout" \
	"$("$R" m.rbm filters --shape 4x3 -o - | "$PNGDUMP" - | head -n 1)" \
	"16 9 1"
"$R" sq.rbm init 16 3 --seed 1
"$R" sq.rbm filters -o sq.png
same "a square layer needs no --shape" "$(size sq.png)" "11 11 1"
cp f.png old.png
"$R" m.rbm filters --shape 4x3 --units 1 -o old.png
same "an old picture is replaced" "$(size old.png)" "6 5 1"

# ---- samples ----
run "$R" m.rbm samples 20 6 --shape 4x3 --seed 1 -o s.png
expect "samples" 0 ""
same "samples: 6 tiles in a 3x2 grid" "$(size s.png)" "16 9 1"
"$R" m.rbm samples 20 6 --shape 4x3 --seed 1 -o s2.png
true_ "samples --seed is reproducible" cmp -s s.png s2.png
"$R" m.rbm samples 20 7 --shape 4x3 --grid 7x1 --zoom 2 -o s3.png
same "samples --grid 7x1 --zoom 2" "$(size s3.png)" "64 8 1"
same "samples: the border is gray" \
	"$("$PNGDUMP" s.png 0,0 | tail -n 1)" "96"

# samples draws daydream's chains for every unit type: for a softmax
# model, the expected ratings of a tile's units (3 units an item, one
# item a line of the tile) are what daydream --probs prints, to the gray
# levels' precision.  (samples once started every type at uniform
# numbers, right for binary units only.)  Weights of +-3 make the chains
# depend on their start.
{
	echo "12 4"
	echo "0 0 0 0 0 0 0 0 0 0 0 0"
	echo "0 0 0 0"
	awk 'BEGIN { for (i = 0; i < 12; i++) {
		for (j = 0; j < 4; j++)
			printf "%s%g", j ? " " : "", 3 * sin(7 * i + 3 * j + 1)
		print "" } }'
} | "$R" sm.rbm import --visible softmax:3
for seed in 1 2 3 4 5 6; do
	"$R" sm.rbm samples 3 2 --shape 3x4 --grid 2x1 --seed $seed -o sm.png
	"$PNGDUMP" sm.png $(for t in 0 1; do for i in 0 1 2 3; do
		for q in 0 1 2; do printf '%d,%d ' $((1 + 4 * t + q)) \
			$((1 + i)); done; done; done) | tail -n +2 |
		awk '{ s += ((NR - 1) % 3 + 1) * $1 / 255 }
		     NR % 3 == 0 { printf "%s%.4f", NR % 12 == 3 ? "" : " ", s
				   s = 0; if (NR % 12 == 0) print "" }' >tiles
	"$R" sm.rbm daydream 3 2 --probs --seed $seed >dreams
	true_ "samples of a softmax model are daydream's chains (seed $seed)" \
		awk 'NR == FNR { for (i = 1; i <= NF; i++) t[FNR, i] = $i; next }
		     { for (i = 1; i <= NF; i++) { d = $i - t[FNR, i]
			if (d > 0.02 || d < -0.02) exit 1 } }' tiles dreams
done

# ---- plot ----
run "$R" plot log.csv -o c.png
expect "plot" 0 ""
same "plot: two charts (constant rates are left out)" "$(size c.png)" \
	"720 534 3"
same "plot -o -" "$("$R" plot log.csv -o - | "$PNGDUMP" - | head -n 1)" \
	"720 534 3"
{ cat log.csv; cat log.csv; } | sed 's/^3,0.1,0/3,0.05,0.5/' >two.csv
"$R" plot two.csv -o c2.png
same "plot: logs put together, changing rates: four charts" \
	"$(size c2.png)" "720 1034 3"
run "$R" plot --help
expect "plot --help" 0
true_ "plot --help shows its usage" \
	grep -q '^Usage: rbmcmd plot LOGFILE -o FILE.png' out
run "$R" help samples
true_ "help samples lists --grid" grep -q -- '--grid=CxR' out

# ---- errors: exit 2 for usage, 1 for failures, and no picture ----
ls -a >before
try() {	# try NAME STATUS MESSAGE ARGS...
	name=$1 status=$2 msg=$3
	shift 3
	run "$R" "$@"
	expect "$name" "$status" "$msg"
}
tryf() {	# tryf NAME MESSAGE OPTIONS...: a filters usage error
	name=$1 msg=$2
	shift 2
	try "$name" 2 "rbmcmd: filters: $msg
Try 'rbmcmd STATE filters --help'." m.rbm filters "$@"
}
tryf "filters without -o" "missing -o FILE (the PNG file to write)" \
	--shape 4x3
tryf "--shape not matching NUM_VISIBLE" \
	"--shape 4x4 is 16 values, but the model has 12 visible units" \
	--shape 4x4 -o e.png
tryf "no --shape, not a square" \
	"the model's 12 visible units do not make a square; give --shape WxH" \
	-o e.png
for bad in 4 4x 0x3 4x0 x3 -4x3 4X3 4x3x 4x3.0 ' 4x3' 65536x1; do
	tryf "--shape '$bad'" "--shape must be two whole numbers from 1 to 65535 joined by 'x', like 28x28, not '$bad'" \
		--shape "$bad" -o e.png
done
tryf "--grid 'ten'" "--grid must be two whole numbers from 1 to 65535 joined by 'x', like 28x28, not 'ten'" \
	--shape 4x3 --grid ten -o e.png
tryf "--units beyond NUM_HIDDEN" \
	"--units 6 is more than the model's 5 hidden units" \
	--shape 4x3 --units 6 -o e.png
tryf "--units 0" "--units must be a whole number from 1 to 16777216, not '0'" \
	--shape 4x3 --units 0 -o e.png
tryf "--grid too small for --units" "--grid 2x2 holds 4 tiles, not 5" \
	--shape 4x3 --grid 2x2 --units 5 -o e.png
tryf "--zoom 0" "--zoom must be a whole number from 1 to 64, not '0'" \
	--shape 4x3 --zoom 0 -o e.png
tryf "--zoom 65" "--zoom must be a whole number from 1 to 64, not '65'" \
	--shape 4x3 --zoom 65 -o e.png
tryf "--contrast unknown" "--contrast: unknown value 'max'" \
	--shape 4x3 --contrast max -o e.png
tryf "picture too large" "a 16706 x 387 picture is too large (at most 16384 pixels a side, 67108864 in all)" \
	--shape 4x3 --zoom 64 --grid 65x2 -o e.png
tryf "an option of another command" "option '--seed' is not taken by this command" \
	--seed 1 -o e.png
tryf "-o without its value" "option '-o' requires a value (-o FILE)" \
	--shape 4x3 -o
try "-o for a command without pictures" 2 "rbmcmd: daydream: option '-o' is not taken by this command
Try 'rbmcmd STATE daydream --help'." m.rbm daydream 2 2 -o e.png
try "samples without -o" 2 "rbmcmd: samples: missing -o FILE (the PNG file to write)
Try 'rbmcmd STATE samples --help'." m.rbm samples 2 2 --shape 4x3
try "samples of no dreams" 2 "rbmcmd: samples: NUM_DREAMS must be a whole number from 1 to 1000000, not '0'
Try 'rbmcmd STATE samples --help'." m.rbm samples 5 0 --shape 4x3 -o e.png
try "samples: --shape not matching" 2 "rbmcmd: samples: --shape 2x2 is 4 values, but the model has 12 visible units
Try 'rbmcmd STATE samples --help'." m.rbm samples 5 3 --shape 2x2 -o e.png
try "samples: --grid too small" 2 "rbmcmd: samples: --grid 2x2 holds 4 tiles, not 6
Try 'rbmcmd STATE samples --help'." m.rbm samples 5 6 --shape 4x3 --grid 2x2 -o e.png
try "samples: wrong number of arguments" 2 "rbmcmd: samples: wrong number of arguments (usage: rbmcmd STATE samples NUM_SAMPLES NUM_DREAMS -o FILE.png)
Try 'rbmcmd STATE samples --help'." m.rbm samples 5 -o e.png
try "filters of a missing state" 1 \
	"rbmcmd: filters: missing.rbm: No such file or directory" \
	missing.rbm filters -o e.png
try "filters into a missing directory" 1 \
	"rbmcmd: filters: cannot save nodir/e.png: No such file or directory" \
	m.rbm filters --shape 4x3 -o nodir/e.png
try "filters under a file" 1 \
	"rbmcmd: filters: cannot save rows.txt/e.png: Not a directory" \
	m.rbm filters --shape 4x3 -o rows.txt/e.png
try "samples into a missing directory" 1 \
	"rbmcmd: samples: cannot save nodir/e.png: No such file or directory" \
	m.rbm samples 3 3 --shape 4x3 -o nodir/e.png
if [ -w /dev/full ]; then
	run sh -c "'$R' m.rbm filters --shape 4x3 -o - >/dev/full"
	expect "-o - to a full device" 1 \
		"rbmcmd: filters: write error: No space left on device"
fi

printf 'epoch,recon_error\n1,0.5\n2\n' >bad.csv
try "plot: a short line" 1 "rbmcmd: plot: bad.csv:3: expected 2 fields, got 1" \
	plot bad.csv -o e.png
printf 'epoch,recon_error\n1,0.5\n2,x\n' >bad.csv
try "plot: not a number" 1 \
	"rbmcmd: plot: bad.csv:3: recon_error ('x') is not a number" \
	plot bad.csv -o e.png
printf 'time,loss\n1,2\n' >bad.csv
try "plot: not a log" 1 "rbmcmd: plot: bad.csv:1: not a training log: the first line must name the columns, one of them 'epoch'" \
	plot bad.csv -o e.png
printf 'epoch,recon_error\n' >bad.csv
try "plot: no epochs" 1 "rbmcmd: plot: bad.csv: no epochs in the log" \
	plot bad.csv -o e.png
printf 'epoch,recon_error,loglik\n1,,\n' >bad.csv
try "plot: nothing measured" 1 \
	"rbmcmd: plot: bad.csv: nothing to plot: no figure has a value" \
	plot bad.csv -o e.png
try "plot: a missing log" 1 \
	"rbmcmd: plot: nolog.csv: No such file or directory" plot nolog.csv -o e.png
try "plot without -o" 2 "rbmcmd: plot: missing -o FILE (the PNG file to write)
Try 'rbmcmd plot --help'." plot log.csv
try "plot without LOGFILE" 2 "rbmcmd: plot: wrong number of arguments (usage: rbmcmd plot LOGFILE -o FILE.png)
Try 'rbmcmd plot --help'." plot
try "plot after a STATE" 2 "rbmcmd: plot: takes no STATE (usage: rbmcmd plot LOGFILE -o FILE.png)
Try 'rbmcmd plot --help'." m.rbm plot log.csv -o e.png
try "plot into a missing directory" 1 \
	"rbmcmd: plot: cannot save nodir/e.png: No such file or directory" \
	plot log.csv -o nodir/e.png
rm bad.csv
ls -a >after
same "failed commands leave no picture or temporary file" \
	"$(diff before after | grep '^[<>]' | grep -v ' before$\| after$\| out$\| err$')" ""
same "a failed command leaves the old picture" "$(size old.png)" "6 5 1"

# A state file named like a picture command still works as a state.
cp m.rbm plot
run "$R" plot daydream 2 1 --seed 1
expect "a state file named plot" 0 ""

finish
