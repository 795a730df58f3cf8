#!/bin/sh
# score.sh - free_energy, reconstruct, loglik, --probs and --precision as
# users drive them: output shapes, agreement between the commands (F of
# every visible vector against log Z, exact against AIS on the six-movie
# model), exact error messages and exit codes.
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
close "ais_loglik_max is loglik + log 20" "$(value ais_loglik_max)" \
	"$(awk -v l="$(value loglik)" 'BEGIN { printf "%.10f", l + log(20) }')" \
	1e-6
true_ "ais_loglik_max lies above the exact loglik" \
	awk -v m="$(value ais_loglik_max)" -v e="$exact_ll" \
	'BEGIN { exit !(m > e) }'
cp out ais1
"$R" m.rbm loglik --ais --seed 1 <movies.txt >out
true_ "loglik --ais --seed is reproducible" cmp -s out ais1
run "$R" m.rbm loglik --exact-max-units 1 --ais-runs 10 --ais-steps 100 \
	--seed 2 <movies.txt
same "--exact-max-units below the smaller layer: AIS" \
	"$rc $(value method) $(value ais_runs) $(value ais_steps)" \
	"0 ais 10 100"
# Too few effective runs: the report as usual, and a warning that its
# standard error is not to be trusted (the default runs above have none).
run "$R" m.rbm loglik --ais --ais-runs 2 --ais-steps 3 --seed 1 <movies.txt
case $(cat "$T/err") in
"rbmcmd: loglik: warning: AIS rests on "*" effective runs of 2, too few for its standard error to be trusted; give more --ais-steps")
	pass "loglik: few effective runs, a warning" ;;
*)	failed "loglik: few effective runs: stderr '$(cat "$T/err")'" ;;
esac
same "loglik: the warning keeps the report" "$rc $(value method)" "0 ais"

# --raise: RAISE's lines after the others, one reverse run a row (6 here,
# fewer than the 100 runs), near the exact answer with 1000 steps; the
# forward estimate the same as without --raise.  With 3 steps RAISE's
# log-likelihood is well below AIS's, and loglik says they disagree.
run "$R" m.rbm loglik --ais --raise --seed 1 <movies.txt
expect "loglik --raise" 0 ""
same "loglik --raise: keys" "$(awk '{ printf "%s ", $1 }' out)" \
	"loglik stderr logz logz_stderr method rows ais_runs ais_steps ais_ess ais_loglik_max raise_loglik raise_stderr raise_logz raise_rows raise_steps "
same "loglik --raise: rows and steps" \
	"$(value raise_rows) $(value raise_steps)" "6 1000"
close "RAISE loglik agrees with exact" "$(value raise_loglik)" \
	"$exact_ll" 0.1
head -n 10 out >head10
true_ "loglik --raise: forward AIS as without it" cmp -s ais1 head10
cp out raise1
"$R" m.rbm loglik --ais --raise --seed 1 <movies.txt >out
true_ "loglik --raise --seed is reproducible" cmp -s out raise1
run "$R" m.rbm loglik --raise --ais-steps 3 --seed 1 <movies.txt
same "loglik --raise: exact log Z, RAISE beside it" \
	"$rc $(value method) $(value raise_steps)" "0 exact 3"
true_ "RAISE with 3 steps errs low: $(value raise_loglik)" \
	awk -v r="$(value raise_loglik)" -v e="$exact_ll" \
	'BEGIN { exit !(r < e - 0.3) }'
case $(cat "$T/err") in
"rbmcmd: loglik: warning: the log-likelihood by exact log Z ("*") and by RAISE ("*") differ by "*" nats: the annealing has not converged; give more --ais-steps")
	pass "loglik --raise: a gap, a warning" ;;
*)	failed "loglik --raise: a gap: stderr '$(cat "$T/err")'" ;;
esac
# --ais-base data: the visible layer annealed from the rows' rates, both
# ways with --raise: near the exact answer, another path than the default
# (other draws), reproducible; uniform is the default.
run "$R" m.rbm loglik --ais --ais-base data --raise --seed 1 <movies.txt
expect "loglik --ais-base data" 0 ""
close "AIS from the data agrees with exact" "$(value logz)" "$exact" 0.5
close "RAISE from the data agrees with exact" "$(value raise_loglik)" \
	"$exact_ll" 0.1
if cmp -s out raise1; then failed "--ais-base data: the default's draws"
else pass "--ais-base data: its own draws"; fi
cp out data1
"$R" m.rbm loglik --ais --ais-base=data --raise --seed 1 <movies.txt >out
true_ "--ais-base data --seed is reproducible" cmp -s out data1
"$R" m.rbm loglik --ais --ais-base uniform --raise --seed 1 <movies.txt >out
true_ "--ais-base uniform is the default" cmp -s out raise1
# --ais-method gibbs: block Gibbs sweeps on the paper's schedule, from
# either start, both ways; near the exact answer with its own draws.  (Its
# RAISE from six rows is noisier than the collapsed one's: a warning of a
# gap may come, so only the exit status is checked.)
for from in uniform data; do
	run "$R" m.rbm loglik --ais --ais-method gibbs --ais-base $from \
		--raise --seed 1 <movies.txt
	same "loglik --ais-method gibbs --ais-base $from" "$rc" 0
	close "AIS by block Gibbs from $from agrees with exact" \
		"$(value logz)" "$exact" 0.5
	close "RAISE by block Gibbs from $from agrees with exact" \
		"$(value raise_loglik)" "$exact_ll" 0.1
	if cmp -s out raise1 || cmp -s out data1
	then failed "--ais-method gibbs from $from: the default's draws"
	else pass "--ais-method gibbs from $from: its own draws"; fi
done
"$R" m.rbm loglik --ais --ais-method collapsed --raise --seed 1 \
	<movies.txt >out
true_ "--ais-method collapsed is the default" cmp -s out raise1
# A log-likelihood above 0 is impossible for binary rows: far too few
# steps get there, and loglik says so for each figure that does.
run "$R" m.rbm loglik --ais --ais-method gibbs --ais-runs 2 --ais-steps 3 \
	--raise --seed 5 <movies.txt
same "loglik: an impossible estimate is still reported" "$rc" 0
for by in AIS RAISE; do
	if grep -q "^rbmcmd: loglik: warning: the log-likelihood by $by (0[.][0-9]*) is above 0, impossible for rows of 0s and 1s: the annealing has not converged; give more --ais-steps\$" "$T/err"
	then pass "loglik: $by above 0, a warning"
	else failed "loglik: $by above 0: stderr '$(cat "$T/err")'"; fi
done
run "$R" m.rbm loglik --ais --raise --seed 1 <movies.txt
if grep -q "above 0" "$T/err"; then failed "loglik: 'above 0' on a good estimate"
else pass "loglik: no 'above 0' warning on a good estimate"; fi
echo "1 1 1 1 1 1" >one.txt
run "$R" m.rbm loglik --raise --seed 1 <one.txt
expect "loglik --raise: one row is too few" 1 \
	"rbmcmd: loglik: RAISE needs at least 2 rows of 6 values, not 1 of 6"

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
msg="--ais-base: unknown value 'model'"
usage loglik --ais-base model
msg="--ais-method: unknown value 'exact'"
usage loglik --ais-method exact
msg="option '--probs' is not taken by this command"
usage loglik --probs
msg="option '--ais' is not taken by this command"
usage free_energy --ais
msg="option '--raise' is not taken by this command"
usage train 1 --raise
msg="wrong number of arguments (usage: rbmcmd STATE reconstruct < VISIBLE_ROWS)"
usage reconstruct 5
msg="option '--probs' is not taken by this command"
usage daydream_trace 3 --probs

# --precision N: N significant digits (%.Ng), so probabilities below
# 0.001 or above 0.999 keep their value instead of becoming 0 or 1.  A
# model with known parameters: p(h|v) = (sigmoid(-10), sigmoid(10)) =
# (4.53979e-05, 0.999955) whatever v is, p(v|h) = (4.53979e-05, 0.5).
printf '2 2\n-10 0\n-10 10\n0 0\n0 0\n' >tiny.txt
"$R" tiny.rbm import <tiny.txt
# tiny CMD ROW WANT WANT_PRECISION5: CMD's line for ROW, without and with
# --precision=5.
tiny() {
	echo "$2" >row.txt
	run "$R" tiny.rbm $1 <row.txt
	same "$1: usual tokens" "$rc $(cat out)" "0 $3"
	run "$R" tiny.rbm $1 --precision=5 <row.txt
	same "$1 --precision=5" "$rc $(cat out)" "0 $4"
}
tiny "run_visible --probs" "0 0" "0 1" "4.5398e-05 0.99995"
tiny "run_hidden --probs" "0 0" "0 0.5" "4.5398e-05 0.5"
tiny reconstruct "0 1" "0 0.5" "4.5398e-05 0.5"
tiny recommend "? 1" "0 1" "4.5398e-05 1"
# F(0 0) = -log(1 + e^-10) - log(1 + e^10) = -10.0000907977984...
tiny free_energy "0 0" "-10.0000908" "-10"
echo "0 0" >row.txt
run "$R" tiny.rbm free_energy --precision 17 <row.txt
close "free_energy --precision 17" "$(cat out)" -10.0000907977984 1e-12
run "$R" tiny.rbm loglik --precision 3 <row.txt
same "loglik --precision 3" "$(awk '$1 ~ /^(loglik|logz)$/' out)" \
"loglik -0.693
logz 10.7"
run "$R" m.rbm run_visible --probs --seed=1 --precision=1 <movies.txt
true_ "run_visible --precision 1: one digit" \
	awk '{ for (i = 1; i <= NF; i++)
		if ($i !~ /^(0|1|0\.0*[1-9]|[1-9]e-[0-9][0-9])$/) exit 1 }' out

# Without --precision the output is the tokens of the precise values:
# "0" below 0.001, "1" above 0.999, %.6g between; the same rows, seeds
# and draws.  (Sampled rows are 0 and 1 either way.)  17 digits give
# awk the very double, so its %.6g rounds as the program's does.
# tokens NAME: out holds the tokens of the values in precise.
tokens() {
	same "$1" "$(awk 'NR == FNR { for (i = 1; i <= NF; i++) p[FNR, i] = $i
			next }
		{ for (i = 1; i <= NF; i++) {
			v = p[FNR, i]
			t = v < 0.001 ? "0" : v > 0.999 ? "1" : sprintf("%.6g", v)
			if ($i != t) bad++ } }
		END { print bad + 0 }' precise out)" 0
}
for cmd in "run_visible --probs" reconstruct "daydream 2 30 --probs --seed=4" \
	"daydream 1 30 --seed=4" "daydream_trace 5 --seed=4"; do
	"$R" m.rbm $cmd --precision=17 <movies.txt >precise
	run "$R" m.rbm $cmd <movies.txt
	tokens "$cmd: the usual output is --precision's rounded"
done

# Gaussian units: %.6g without --precision, N digits with it.
printf '2 1\n0.5 -1.25\n2\n-0.125\n10\n' >g.txt
"$R" g.rbm import --visible=gaussian <g.txt
printf '0.123456789 -3.14159265\n' >grow.txt
"$R" g.rbm reconstruct --precision=17 <grow.txt >precise
run "$R" g.rbm reconstruct <grow.txt
same "gaussian reconstruct: %.6g of the precise means" "$(cat out)" \
	"$(awk '{ printf "%.6g %.6g\n", $1, $2 }' precise)"
run "$R" g.rbm reconstruct --precision=2 <grow.txt
same "gaussian reconstruct --precision=2" "$(cat out)" \
	"$(awk '{ printf "%.2g %.2g\n", $1, $2 }' precise)"

# --precision's errors: the range, not a number, not taken.
msg="--precision must be a whole number from 1 to 17, not '0'"
usage reconstruct --precision=0
msg="--precision must be a whole number from 1 to 17, not '18'"
usage free_energy --precision 18
msg="--precision must be a whole number from 1 to 17, not '6.5'"
usage run_visible --precision=6.5
msg="option '--precision' is not taken by this command"
usage export --precision=3

finish
