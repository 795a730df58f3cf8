#!/bin/sh
# score.sh - free_energy, reconstruct, loglik and --probs as users drive
# them: output shapes, agreement between the commands (F of every visible
# vector against log Z, exact against AIS on the six-movie model), exact
# error messages and exit codes.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
"$R" m.rbm init 6 2 0.1 --seed 11
"$R" m.rbm train 5000 <movies.txt

# value KEY: the value of "KEY value" in out.
value() {
	awk -v k="$1" '$1 == k { print $2 }' out
}

# close NAME A B TOL: |A - B| <= TOL.
close() {
	if awk -v a="$2" -v b="$3" -v t="$4" \
		'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; then
		pass "$1"
	else
		failed "$1: $2 and $3 differ by more than $4"
	fi
}

# probs NAME NF ROWS: out has ROWS rows of NF values in [0, 1], at least
# one of them strictly between 0 and 1.
probs() {
	same "$1" "$(awk -v nf="$2" '
		NF != nf { bad++ }
		{ for (i = 1; i <= NF; i++) {
			if ($i !~ /^[0-9.e-]+$/ || $i < 0 || $i > 1) bad++
			if ($i > 0 && $i < 1) frac++ } }
		END { print NR, bad + 0, (frac > 0) }' out)" "$3 0 1"
}

run "$R" --help
for c in free_energy reconstruct loglik; do
	true_ "--help lists $c" grep -q "^  $c " out
done

# free_energy: one number a row; over all 64 visible vectors
# log sum exp(-F) is log Z, which loglik reports.
run "$R" m.rbm free_energy <movies.txt
expect "free_energy" 0 ""
same "free_energy: one number a row" \
	"$(awk 'NF == 1 && $1 ~ /^-?[0-9.]+(e[-+][0-9]+)?$/' out | wc -l)" 6
awk 'BEGIN { for (n = 0; n < 64; n++) { s = ""; for (i = 0; i < 6; i++)
	s = s (i ? " " : "") int(n / 2 ^ i) % 2; print s } }' >all.txt
"$R" m.rbm free_energy <all.txt >f.txt
lse=$(awk '{ f[NR] = -$1; if (NR == 1 || f[NR] > m) m = f[NR] }
	END { for (i = 1; i <= NR; i++) s += exp(f[i] - m)
	printf "%.10f", m + log(s) }' f.txt)
run "$R" m.rbm loglik <all.txt
close "log sum exp(-F) over all v is loglik's log Z" "$lse" \
	"$(value logz)" 1e-6

# loglik: the keys in order, exact on a 6 x 2 model, loglik = -mean F - Z.
run "$R" m.rbm loglik <movies.txt
expect "loglik" 0 ""
same "loglik: keys" "$(awk '{ printf "%s ", $1 }' out)" \
	"loglik stderr logz logz_stderr method rows "
same "loglik: exact, no error" \
	"$(value method) $(value stderr) $(value logz_stderr)" "exact 0 0"
same "loglik: rows" "$(value rows)" 6
"$R" m.rbm free_energy <movies.txt >f.txt
close "loglik = -mean F - log Z" "$(value loglik)" \
	"$(awk -v z="$(value logz)" '{ s += $1 } END { printf "%.10f",
		-s / NR - z }' f.txt)" 1e-6
exact=$(value logz)
exact_ll=$(value loglik)

# AIS on the same model: within 0.5 nats, reproducible with --seed.
run "$R" m.rbm loglik --ais --seed 1 <movies.txt
expect "loglik --ais" 0 ""
same "loglik --ais: method and runs" "$(value method) $(value ais_runs)" \
	"ais 100"
close "AIS log Z agrees with exact" "$(value logz)" "$exact" 0.5
close "AIS loglik agrees with exact" "$(value loglik)" "$exact_ll" 0.5
true_ "AIS reports a standard error" \
	awk -v s="$(value logz_stderr)" 'BEGIN { exit !(s > 0 && s < 0.5) }'
cp out ais1
"$R" m.rbm loglik --ais --seed 1 <movies.txt >out
true_ "loglik --ais --seed is reproducible" cmp -s out ais1
run "$R" m.rbm loglik --exact-max-units 1 --ais-runs 10 --ais-steps 100 \
	--seed 2 <movies.txt
same "--exact-max-units below the smaller layer: AIS" \
	"$rc $(value method) $(value ais_runs) $(value ais_steps)" \
	"0 ais 10 100"

# reconstruct: NV probabilities a row.
run "$R" m.rbm reconstruct <movies.txt
expect "reconstruct" 0 ""
probs "reconstruct: six probabilities a row" 6 6

# --probs: probabilities instead of samples; no randomness in run_*.
run "$R" m.rbm run_visible --probs <movies.txt
expect "run_visible --probs" 0 ""
probs "run_visible --probs: p(h|v)" 2 6
cp out rv1
"$R" m.rbm run_visible --probs <movies.txt >out
true_ "run_visible --probs needs no seed" cmp -s out rv1
printf '1 0\n0 1\n0.5 0.5\n' | "$R" m.rbm run_hidden --probs >out
probs "run_hidden --probs: p(v|h)" 6 3
run "$R" m.rbm daydream 3 20 --probs --seed 1
expect "daydream --probs" 0 ""
probs "daydream --probs: the last p(v|h)" 6 20

# Errors: the line of the bad row, earlier rows answered, exit 1.
printf '0 0 0 1 1 0\n0 0 0 1 1\n' >bad.txt
for c in free_energy reconstruct loglik; do
	run "$R" m.rbm $c <bad.txt
	expect "$c: short row" 1 \
		"rbmcmd: $c: stdin:2: expected 6 values, got 5"
done
run "$R" m.rbm free_energy <bad.txt
same "free_energy answered the good row first" "$(wc -l <out)" 1
run "$R" m.rbm loglik </dev/null
expect "loglik of no rows" 1 "rbmcmd: loglik: stdin: no rows to score"
run "$R" m.rbm free_energy </dev/null
same "free_energy of no rows prints nothing" "$rc $(wc -c <out)" "0 0"
run "$R" missing.rbm loglik </dev/null
expect "loglik: missing state" 1 \
	"rbmcmd: loglik: missing.rbm: No such file or directory"

# Bad option values and arguments: exit 2 with the range.
usage() {
	run "$R" m.rbm "$@" <movies.txt
	expect "$*" 2 "rbmcmd: $1: $msg
Try 'rbmcmd STATE $1 --help'."
}
msg="--exact-max-units must be a whole number from 0 to 30, not '31'"
usage loglik --exact-max-units 31
msg="--ais-runs must be a whole number from 2 to 1000000, not '1'"
usage loglik --ais-runs 1
msg="--ais-steps must be a whole number from 3 to 100000000, not '2'"
usage loglik --ais-steps 2
msg="--ais-runs must be a whole number from 2 to 1000000, not 'many'"
usage loglik --ais-runs many
msg="option '--probs' is not taken by this command"
usage loglik --probs
msg="option '--ais' is not taken by this command"
usage free_energy --ais
msg="wrong number of arguments (usage: rbmcmd STATE reconstruct < VISIBLE_ROWS)"
usage reconstruct 5
msg="option '--probs' is not taken by this command"
usage daydream_trace 3 --probs

finish
