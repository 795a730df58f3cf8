# setup.sh - sourced by every shell test: strict mode, a private temp
# directory, and small assertion helpers that count passes and failures.
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
