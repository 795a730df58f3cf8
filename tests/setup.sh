# setup.sh - sourced by every shell test: strict mode, a private temp
# directory, small assertion helpers that count passes and failures, and
# the waits that several tests share (a background train's epochs, a
# shell in tmux).
#
# Tests run the real binary named by $RBMCMD (make check sets it, and
# SRCDIR to the source tree).  Each check prints "ok" or "FAIL" with what
# differed; finish() prints "N passed, N failed" and sets the exit status.
#
# RBMCMD_VALGRIND=1 makes every test a memcheck run as well: $R (and $VG,
# the prefix for the tests' other programs) runs under valgrind with
# --error-exitcode=99 and every leak kind an error, and finish() fails
# the test if any process logged an error, even one whose exit status the
# test ignores.  A process a test kills with a signal dies holding its
# memory, so such a test runs it with VG_LEAKS=no (leaks are not checked;
# other errors still are).  CRASH_TRIALS lowers the kill trials of
# crash.sh, which would be slow under valgrind.
set -eu
LC_ALL=C
export LC_ALL
: "${RBMCMD:?RBMCMD must name the rbmcmd binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
R=$RBMCMD
B=${BUILDDIR:-$(cd "$(dirname "$RBMCMD")/.." && pwd)}	# test helpers
T=$(mktemp -d "${TMPDIR:-/tmp}/rbmcmd-test.XXXXXX")
V=
trap 'rm -rf "$T" ${V:+"$V"}' EXIT
VG=
if [ "${RBMCMD_VALGRIND:-0}" = 1 ]; then
	# Outside $T, so tests see only their own files there; world-writable
	# for tests that drop root; a log per process says which went wrong.
	V=$(mktemp -d "${TMPDIR:-/tmp}/rbmcmd-valgrind.XXXXXX")
	chmod 1777 "$V"
	{
		echo '#!/bin/sh'
		echo "exec valgrind -q --error-exitcode=99 \\"
		echo "	--leak-check=\${VG_LEAKS:-full} \\"
		echo "	--show-leak-kinds=all --errors-for-leak-kinds=all \\"
		echo "	--suppressions='$(cd "$SRCDIR" && pwd)/tests/valgrind.supp' \\"
		echo "	--log-file='$V/%p.log' \"\$@\""
	} >"$V/vg"
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$V/vg" "$R" >"$V/rbmcmd"
	chmod 755 "$V/vg" "$V/rbmcmd"
	VG=$V/vg
	R=$V/rbmcmd
fi
npass=0
nfail=0

pass() { npass=$((npass + 1)); printf 'ok   %s\n' "$1"; }
failed() { nfail=$((nfail + 1)); printf 'FAIL %s\n' "$1"; }

# run CMD...: run it with stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	rc=0
	"$@" >"$T/out" 2>"$T/err" || rc=$?
}

# expect NAME STATUS [STDERR]: check $rc (and the exact stderr if given).
expect() {
	if [ "$rc" != "$2" ]; then
		failed "$1: exit $rc, wanted $2 (stderr: $(head -c 300 "$T/err"))"
	elif [ $# -ge 3 ] && [ "$(cat "$T/err")" != "$3" ]; then
		failed "$1: stderr '$(cat "$T/err")', wanted '$3'"
	else
		pass "$1"
	fi
}

# same NAME A B: the two strings must be equal.
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else failed "$1: '$2' != '$3'"; fi
}

# true_ NAME CMD...: CMD must succeed.
true_() {
	name=$1
	shift
	if "$@"; then pass "$name"; else failed "$name"; fi
}

# same_model NAME A B: two state files hold the same model and training
# state (their history lines, with dates, and checksums may differ).
same_model() {
	if [ "$(grep -v '^history \|^end ' "$2")" = \
	     "$(grep -v '^history \|^end ' "$3")" ]; then
		pass "$1"
	else
		failed "$1: $2 and $3 differ"
	fi
}

# The seed's six movies (Harry Potter, Avatar, LOTR 3, Gladiator, Titanic,
# Glitter) and its six users.
movies() {
	cat "$SRCDIR/data/movies.txt"
}

# wait_epochs FILE N: wait until FILE, the stderr of a train --verbose
# running in the background, has N "epoch" lines (5 minutes at most; a
# missing file counts as none).  It only waits: the caller then checks
# what it needs, so a run that never gets there fails that check.
wait_epochs() {
	i=0
	while [ "$(cat "$1" 2>/dev/null | grep -c '^rbmcmd: train: epoch')" \
		-lt "$2" ] && [ $i -lt 3000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# ---- a shell in tmux, for the tests of what a terminal shows ----
# tmux_shell COLS ROWS: start an interactive bash in a detached tmux pane
# of COLS x ROWS, without startup files, readline's inputrc or the user's
# tmux.conf, with $T/rc as its rc file; the server goes at exit.  tm runs
# tmux on that server.
tm() { tmux -S "$T/tmux.sock" "$@"; }
tmux_shell() {
	INPUTRC=/dev/null tm -f /dev/null new-session -d -x "$1" -y "$2" \
		"env INPUTRC=/dev/null bash --noprofile --rcfile '$T/rc' -i"
	trap 'tm kill-server 2>/dev/null; rm -rf "$T" ${V:+"$V"}' EXIT
}
# screen: the pane's lines, wrapped ones joined (-J), trailing blanks cut.
screen() { tm capture-pane -p -J | sed 's/ *$//'; }
# poll PATTERN: 0 once a line of the pane matches the grep pattern, 1
# after 120 s: a bound for a hang, not a guess at how long things take.
poll() {
	i=0
	while ! screen | grep -q -- "$1"; do
		i=$((i + 1))
		[ $i -le 1200 ] || return 1
		sleep 0.1
	done
}
# await NAME PATTERN: pass once a line of the pane matches, or fail
# showing the screen.
await() {
	if poll "$2"; then
		pass "$1"
	else
		failed "$1: no line matching '$2' in:"
		screen | sed 's/^/    /'
	fi
}
# fresh: a cleared pane with a new prompt (the rc file's PS1 must be
# 'PROMPT$ '), so that old text cannot match and the next keys go to bash.
tmux_n=0
fresh() {
	tmux_n=$((tmux_n + 1))
	tm send-keys C-u "clear; echo READY$tmux_n" Enter
	poll "^READY$tmux_n\$" || :
	await "shell ready ($tmux_n)" '^PROMPT\$ *$'
}

# Under valgrind: every process's log must be empty.
valgrind_logs() {
	n=0
	for f in "$V"/*.log; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		if [ -s "$f" ]; then
			failed "valgrind: errors in $(basename "$f")"
			sed 's/^/    /' "$f"
		fi
	done
	pass "valgrind: $n processes checked"
}

finish() {
	[ -z "$VG" ] || valgrind_logs
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
