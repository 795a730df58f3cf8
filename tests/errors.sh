#!/bin/sh
# errors.sh - every usage error and input error: exact message, exit
# status (2 usage, 1 failure), and the state file left untouched.  The
# cases are data, in tests/errors.tab (its header gives the format); this
# file sets up their files, runs them, and keeps the few checks that are
# not a command and its stderr.
. "$SRCDIR/tests/setup.sh"
cd "$T"
movies >movies.txt
"$R" s.rbm init 6 2 --seed 1
cp s.rbm orig.rbm
echo "precious data" >notes.txt
mkdir adir
head -c 70000000 /dev/zero | tr '\0' '1' >long.txt

# check_case NAME COMMAND STATUS [STDERR]: run COMMAND with eval (stdin
# /dev/null unless it says otherwise; stdout in $T/out) and check its exit
# status, its exact stderr when given, and that s.rbm is untouched.
check_case() {
	rc=0
	eval "$2" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$3" ]; then
		failed "$1: exit $rc, wanted $3 (stderr: $(head -c 300 "$T/err"))"
	elif [ $# -ge 4 ] && [ "$(cat "$T/err")" != "$4" ]; then
		failed "$1: stderr '$(cat "$T/err")', wanted '$4'"
	elif ! cmp -s s.rbm orig.rbm; then
		failed "$1: the state file changed"
	else
		pass "$1"
	fi
}

# run_table FILE: each case of FILE (format in tests/errors.tab).
run_table() {
	name= cmd= status= err= has_err=0 ncases=0
	while IFS= read -r line <&3 || [ -n "$line" ]; do
		case $line in
		'#'*) continue ;;
		'') table_case; continue ;;
		esac
		if [ -z "$name" ]; then name=$line
		elif [ -z "$cmd" ]; then cmd=$line
		elif [ -z "$status" ]; then status=$line
		elif [ "$has_err" = 0 ]; then err=$line has_err=1
		else err="$err
$line"
		fi
	done 3<"$1"
	table_case
	true_ "$1 has cases" test "$ncases" -gt 0
}

# The case read so far, if any; then forget it.
table_case() {
	if [ -n "$name" ]; then
		ncases=$((ncases + 1))
		case $status in
		''|*[!0-9]*) failed "$name: no exit status (case $ncases)" ;;
		*) if [ "$has_err" = 1 ]; then
			check_case "$name" "$cmd" "$status" "$err"
		   else
			check_case "$name" "$cmd" "$status"
		   fi ;;
		esac
	fi
	name= cmd= status= err= has_err=0
}

run_table "$SRCDIR/tests/errors.tab"
true_ "no file after failed inits" test ! -e n.rbm
same "foreign file kept" "$(cat notes.txt)" "precious data"
same "run_visible answered the good row first" "$(wc -l <answered.txt)" 1

# Out of memory is an error, not a crash: a model within the limits but
# beyond the memory allowed (a 4 GiB model under a 400 MB address-space
# limit; sanitizers and valgrind need more address space, so they skip).
if [ -z "$VG" ] && ! ldd "$RBMCMD" | grep -q libasan; then
	check_case "a model too large for memory" \
		"sh -c \"ulimit -v 400000; exec '$R' n.rbm init 16777216 64\"" \
		1 "rbmcmd: init: out of memory for a 16777216 x 64 model"
	true_ "no file after running out of memory" test ! -e n.rbm
	check_case "dreams too many for memory" \
		"sh -c \"ulimit -v 400000; exec '$R' s.rbm daydream 1 16777216\"" \
		1 "rbmcmd: daydream: out of memory"
fi

# A full output device is an error, not silence.
if [ -w /dev/full ]; then
	check_case "write to a full device" "\$R s.rbm daydream 2 5000 >/dev/full" \
		1 "rbmcmd: daydream: write error: No space left on device"
fi

finish
