#!/bin/sh
# mistakes.sh - the usual mistakes get messages that say what was meant:
# a file named where rows come on standard input, the state file after
# the command, a misspelt command or option (the nearest is suggested),
# getopt's own reasons (ambiguous, a value missing or unwanted, an option
# of another command), and options before the state file (they work).
# All are usage errors: exit 2, and the state file untouched.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >train.txt
"$R" g.rbm init 6 2 --seed 1
cp g.rbm orig.rbm

# u NAME EXPECTED-STDERR ARGS...: a usage error with exactly that message.
u() {
	name=$1 msg=$2
	shift 2
	run "$R" "$@" </dev/null
	expect "$name" 2 "$msg"
}

u "train EPOCHS FILE: rows come on stdin" \
"rbmcmd: train: rows are read from standard input, not from a file named as an argument
Try 'rbmcmd g.rbm train 1 < train.txt'." g.rbm train 1 train.txt
u "train EPOCHS RATE FILE: the same" \
"rbmcmd: train: rows are read from standard input, not from a file named as an argument
Try 'rbmcmd g.rbm train 1 0.1 < train.txt'." g.rbm train 1 0.1 train.txt
u "train FILE: the epochs named in the hint" \
"rbmcmd: train: rows are read from standard input, not from a file named as an argument
Try 'rbmcmd g.rbm train MAX_EPOCHS < train.txt'." g.rbm train train.txt
u "run_visible FILE" \
"rbmcmd: run_visible: rows are read from standard input, not from a file named as an argument
Try 'rbmcmd g.rbm run_visible < train.txt'." g.rbm run_visible train.txt
u "free_energy FILE" \
"rbmcmd: free_energy: rows are read from standard input, not from a file named as an argument
Try 'rbmcmd g.rbm free_energy < train.txt'." g.rbm free_energy train.txt
u "a word that is no file keeps the plain message" \
"rbmcmd: train: learning rate must be a positive number, not 'nofile.txt'
Try 'rbmcmd STATE train --help'." g.rbm train 1 nofile.txt

u "init STATE swapped: the state file comes first" \
"rbmcmd: unknown command 'state': the state file comes before the command
Try 'rbmcmd state init 6 2'." init state 6 2
true_ "and no file named init or state is made" test ! -e init -a ! -e state

u "a misspelt command" \
"rbmcmd: unknown command 'run_visibel' (did you mean 'run_visible'?)
Try 'rbmcmd --help'." g.rbm run_visibel
u "a misspelt command after help" \
"rbmcmd: unknown command 'dayderam' (did you mean 'daydream'?)
Try 'rbmcmd --help'." help dayderam
u "nothing near: no suggestion" \
"rbmcmd: unknown command 'frobnicate'
Try 'rbmcmd --help'." g.rbm frobnicate

u "a misspelt option" \
"rbmcmd: train: unknown option '--sed' (did you mean '--seed'?)
Try 'rbmcmd STATE train --help'." g.rbm train 1 --sed=1
u "a misspelt option, separate value" \
"rbmcmd: daydream: unknown option '--sede' (did you mean '--seed'?)
Try 'rbmcmd STATE daydream --help'." g.rbm daydream 3 2 --sede 1
u "an option without its value" \
"rbmcmd: train: option '--seed' requires a value (--seed=N)
Try 'rbmcmd STATE train --help'." g.rbm train 1 --seed
u "an ambiguous abbreviation" \
"rbmcmd: train: option '--sparsity' is ambiguous: --sparsity-target, --sparsity-cost, --sparsity-decay
Try 'rbmcmd STATE train --help'." g.rbm train 1 --sparsity=0.1
u "a flag given a value" \
"rbmcmd: run_visible: option '--probs' takes no value
Try 'rbmcmd STATE run_visible --help'." g.rbm run_visible --probs=1
u "an option of another command" \
"rbmcmd: run_visible: option '--batch-size' is not taken by this command
Try 'rbmcmd STATE run_visible --help'." g.rbm run_visible --batch-size 5
u "a negative number where an option is read" \
"rbmcmd: init: '-5.5' is read as an option; no argument here may be negative
Try 'rbmcmd STATE init --help'." n.rbm init 6 -5.5
u "a misspelt option before STATE" \
"rbmcmd: unknown option '--sed' (did you mean '--seed'?); options go after the command
Try 'rbmcmd --help'." --sed=1 g.rbm daydream 3 2
true_ "usage errors leave the state file alone" cmp -s g.rbm orig.rbm

# Options before STATE are taken as if written after COMMAND.
"$R" g.rbm daydream 3 2 --seed=1 >after.out
run "$R" --seed=1 g.rbm daydream 3 2
expect "an option before STATE works" 0 ""
true_ "and does what it does after COMMAND" cmp -s "$T/out" after.out
run "$R" --seed 1 g.rbm daydream 3 2
expect "with its value as the next word" 0 ""
true_ "the same output" cmp -s "$T/out" after.out
run "$R" --seed=1 --probs g.rbm daydream 3 2
expect "several options before STATE" 0
u "an option before STATE that the command does not take" \
"rbmcmd: daydream: option '--batch-size' is not taken by this command
Try 'rbmcmd STATE daydream --help'." --batch-size=5 g.rbm daydream 3 2
# A state file named like an option still works when written with a path.
cp g.rbm ./--seed=1
run "$R" ./--seed=1 daydream 3 2 --seed=1
expect "a state file named --seed=1, as ./--seed=1" 0
true_ "the same output again" cmp -s "$T/out" after.out

finish
