#!/bin/sh
# completion.sh - the bash completion script: it parses, registers itself,
# and completes what a user would press TAB for (state files, commands,
# each command's options exactly as its help lists them, option values,
# picture files), driven the way bash drives it: COMP_WORDS and
# COMP_CWORD set, the function called, COMPREPLY read back.
. "$SRCDIR/tests/setup.sh"
comp=$SRCDIR/completion/rbmcmd
if ! command -v bash >/dev/null 2>&1; then
	echo "SKIP: no bash"
	exit 77
fi
cd "$T"

run bash -n "$comp"
expect "bash -n accepts the script" 0 ""

# complete WORDS...: COMPREPLY, sorted, one line, for the last word.
cat >complete.bash <<'EOF'
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_rbmcmd
[ ${#COMPREPLY[@]} -gt 0 ] && printf '%s\n' "${COMPREPLY[@]}" | sort |
	tr '\n' ' ' | sed 's/ $//'
echo
EOF
complete() {
	bash "$T/complete.bash" "$comp" "$R" "$@"
}

same "the script registers _rbmcmd for rbmcmd" \
	"$(bash -c '. "$1"; complete -p rbmcmd' sh "$comp")" \
	"complete -F _rbmcmd rbmcmd"

# The commands as the overview lists them, and those taking STATE.
"$R" --help | awk '/^  [a-z_]+ / { print $1 }' | sort >"$T/commands"
all=$(tr '\n' ' ' <"$T/commands" | sed 's/ $//')
with_state=$(grep -vx plot "$T/commands" | tr '\n' ' ' | sed 's/ $//')
same "the overview lists the picture commands" \
	"$(grep -cx 'filters\|samples\|plot' "$T/commands")" 3

mkdir files files/sub
cd files
touch a.rbm b.rbm notes.txt x.png log.csv 'two words.png'
same "STATE: any file, help and plot" "$(complete '')" \
	"a.rbm b.rbm help log.csv notes.txt plot sub two words.png x.png"
same "STATE: by prefix" "$(complete 'a')" "a.rbm"
same "global options" "$(complete --)" "--help --version"
same "commands after STATE: all but plot" "$(complete a.rbm '')" \
	"--help $with_state"
same "a command by prefix" "$(complete a.rbm da)" "daydream daydream_trace"
same "help COMMAND: every command" "$(complete help '')" "$all"
same "--version completes nothing more" "$(complete --version '')" ""

# Every command's options are exactly those its help lists.
while read -r c; do
	want=$("$R" help "$c" | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p' | sort |
		tr '\n' ' ' | sed 's/ $//')
	if [ "$c" = plot ]; then
		got=$(complete plot log.csv --)
	else
		got=$(complete a.rbm "$c" --)
	fi
	same "$c: options as in 'rbmcmd help $c'" "$got" "$want"
done <"$T/commands"
same "options by prefix" "$(complete a.rbm filters --s)" "--shape"

# Option values.
same "--contrast values" "$(complete a.rbm filters --contrast '')" \
	"global tile"
# What bash sends for "--opt=VALUE" with '=' in COMP_WORDBREAKS (its
# default): right after the '=', the current word is "=" itself; after
# some letters, those letters with "=" the word before.
same "--contrast=<TAB>: the current word is '='" \
	"$(complete a.rbm filters --contrast =)" "global tile"
same "--contrast=VALUE, split at '='" \
	"$(complete a.rbm filters --contrast = g)" "global"
same "--lr-schedule=<TAB>: the current word is '='" \
	"$(complete a.rbm train --lr-schedule =)" "constant linear"
same "--lr-schedule=l, split at '='" \
	"$(complete a.rbm train --lr-schedule = l)" "linear"
same "--validation=<TAB>: any file" \
	"$(complete a.rbm train 5 --validation =)" \
	"a.rbm b.rbm log.csv notes.txt sub two words.png x.png"
same "--output=<TAB>: directories and PNG files" \
	"$(complete a.rbm filters --output =)" "sub two words.png x.png"
same "--names=n, split at '='" \
	"$(complete a.rbm weights --names = n)" "notes.txt"
same "a flag followed by '=' completes nothing" \
	"$(complete a.rbm run_visible --probs =)" ""
same "--contrast=VALUE, one word" "$(complete a.rbm filters --contrast=t)" \
	"--contrast=tile"
same "--lr-schedule values" "$(complete a.rbm train --lr-schedule '')" \
	"constant linear"
same "-o: directories and PNG files" "$(complete a.rbm filters -o '')" \
	"sub two words.png x.png"
same "--output: the same" "$(complete a.rbm samples 9 9 --output '')" \
	"sub two words.png x.png"
same "a number takes no completion" "$(complete a.rbm filters --zoom '')" ""
same "NUM_SAMPLES takes no completion" "$(complete a.rbm daydream '')" ""
same "--precision by prefix" "$(complete a.rbm run_visible --pr)" \
	"--precision --probs"
same "--precision=<TAB>: a number, no completion" \
	"$(complete a.rbm reconstruct --precision =)" ""
same "plot LOGFILE: any file" "$(complete plot l)" "log.csv"
same "plot -o: PNG files" "$(complete plot log.csv -o x)" "x.png"
same "a state file named plot still works" \
	"$(complete plot daydream_trace --)" "--help --precision --seed"

# The program's answers are asked once per shell, not at every TAB.
printf '#!/bin/sh\necho >>"%s/calls"\nexec "%s" "$@"\n' "$T" "$R" >"$T/rb"
chmod +x "$T/rb"
bash -c '. "$1"
	tab() { COMP_WORDS=("$2" a.rbm filters --); COMP_CWORD=3; _rbmcmd; }
	tab "$@"; wc -l <"$3/calls"; tab "$@"; tab "$@"; wc -l <"$3/calls"' \
	sh "$comp" "$T/rb" "$T" >calls.out
same "help is cached for the session" "$(sed -n 1p calls.out)" \
	"$(sed -n 2p calls.out)"

finish
