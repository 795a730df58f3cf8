#!/bin/sh
# terminal.sh - what a terminal shows: --help within 80 columns, listing
# the exit statuses; a notice when rows are read from a terminal (and
# none from a pipe); train's progress bar within the terminal's width
# (a 60-column tmux pane) and over the whole run, not one epoch.  The
# pane is polled with capture-pane, with an overall bound (120 s a check)
# for a hang; nothing depends on how fast the machine is.
. "$SRCDIR/tests/setup.sh"
cd "$T"

"$R" --help >help.txt
same "--help: no line over 80 columns" "$(awk 'length > 80' help.txt)" ""
true_ "--help lists exit statuses 130 and 143" grep -q '130 or 143' help.txt
long=
for c in $("$R" --help | awk '/^  [a-z_]+ / { print $1 }'); do
	long=$long$("$R" help "$c" | awk -v c="$c" 'length > 80 { print c }')
done
same "no command's help has a line over 80 columns" "$long" ""

"$R" s.rbm init 6 2 --seed 1
echo "1 0 1 0 1 0" | "$R" s.rbm run_visible >out 2>err
same "no notice when rows come from a pipe" "$(cat err)" ""

for p in tmux; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "skip: no tmux, the terminal checks are left out"
		finish
		exit $?
	fi
done

mkdir bin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$R" >bin/rbmcmd
chmod +x bin/rbmcmd
cat >rc <<EOF2
PS1='PROMPT\$ '
PATH='$T/bin':\$PATH
cd '$T'
EOF2
tmux_shell 60 20	# setup.sh

await "bash starts" '^PROMPT\$'
fresh
tm send-keys "rbmcmd s.rbm run_visible --probs" Enter
await "run_visible on a terminal says where rows come from" \
	'rbmcmd: run_visible: reading rows from the terminal; end with Ctrl-D$'
tm send-keys "1 0 1 0 1 0" Enter C-d
await "and answers the rows typed, ending at Ctrl-D" '^PROMPT\$ *$'
true_ "one line of two probabilities" sh -c \
	"tmux -S '$T/tmux.sock' capture-pane -p | grep -q '^0[.0-9]* 0[.0-9]*\$\|^[01] [01]\$\|^0[.0-9]* [01]\$\|^[01] 0[.0-9]*\$'"
fresh
tm send-keys "rbmcmd s.rbm train 1" Enter
await "train on a terminal says so too" \
	'rbmcmd: train: reading rows from the terminal; end with Ctrl-D$'
tm send-keys C-d
await "and ends at Ctrl-D" '^PROMPT\$ *$'

# The bar: two long epochs (1000 Gibbs steps a batch), watched until the
# second; every picture of it must fit in 59 columns, one line, and show
# at least the first epoch's share of the run once in the second epoch.
awk 'BEGIN { srand(3); for (r = 0; r < 500; r++) { for (i = 0; i < 100; i++)
	printf "%d ", rand() < 0.3; print "" } }' >data.txt
"$R" b.rbm init 100 50 --seed 1 --batch-size 50
fresh
tm send-keys "rbmcmd b.rbm train 2 --cd-k 1000 < data.txt" Enter
i=0 seen2=0 bad=
while [ $i -lt 3000 ] && [ $seen2 -eq 0 ]; do
	screen >pane
	bar=$(grep '^rbmcmd: train: epoch' pane || true)
	if [ -n "$bar" ]; then
		[ "$(printf '%s\n' "$bar" | wc -l)" -eq 1 ] || bad="$bad several lines: $bar;"
		[ ${#bar} -le 59 ] || bad="$bad ${#bar} columns: $bar;"
		case $bar in
		*"epoch 2/2 "*\ [5-9][0-9]%* | *"epoch 2/2 "*100%*) seen2=1 ;;
		*"epoch 2/2"*) bad="$bad second epoch below 50%: $bar;" seen2=1 ;;
		esac
	fi
	i=$((i + 1))
	[ $seen2 -eq 1 ] || sleep 0.1
done
same "the bar fits the 60-column pane, on one line" "$bad" ""
same "the bar shows the second epoch past half the run" "$seen2" 1
tm send-keys C-c
await "train stops at Ctrl-C" '^PROMPT\$ *$'

finish
