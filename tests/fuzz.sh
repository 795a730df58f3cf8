#!/bin/sh
# fuzz.sh - replay the fuzzing corpus (tests/fuzz/corpus): every seed and
# every input that once found a bug goes through the same target code
# that libFuzzer runs, here without libFuzzer, so that any compiler (and
# valgrind) checks them on every make check.
. "$SRCDIR/tests/setup.sh"

for t in rows state params log pickle; do
	dir=$SRCDIR/tests/fuzz/corpus/$t
	n=$(find "$dir" -type f | wc -l)
	run $VG "$B/tests/fuzz/replay-$t" "$dir"
	expect "replay the $t corpus" 0 ""
	same "all $n $t inputs replayed" "$(cat "$T/out")" "replayed $n inputs"
	true_ "the $t corpus has seeds" test "$n" -gt 10
done

finish
