#!/bin/sh
# layout.sh - the naming rule of src/README holds: library files (the
# library's sources in Makefile.am) never print, exit or include the CLI's
# header; every command of the table has its handler cmd_NAME in a
# cmd_*.c file, which is not part of the library.
. "$SRCDIR/tests/setup.sh"
cd "$SRCDIR"

# The library's sources: the lines of "src_librbm_a_SOURCES =" and "+="
# blocks, up to the first line without a continuation.
awk '/^src_librbm_a_SOURCES \+?= / { f = 1 } f { print } f && !/\\$/ { f = 0 }' \
	Makefile.am | grep -o 'src/[a-z_]*\.[ch]' >"$T/lib"
true_ "Makefile.am lists library sources" test -s "$T/lib"
while read -r f; do
	true_ "$f: a library file that never prints, exits or uses cli.h" \
		sh -c "! grep -n '\"cli\\.h\"\\|\\bexit *(\\|\\bstderr\\b\\|\\bstdout\\b\\|[^a-z_]printf *(\\|\\bputs *(' '$f'"
	case $f in
	src/cmd_*|src/cli.*|src/rbmcmd.c|src/report.*)
		failed "$f: a CLI file in the library" ;;
	esac
done <"$T/lib"

sed -n '/^static const struct command commands\[\] = {$/,/^};$/p' \
	src/rbmcmd.c | sed -n 's/^	{ "\([a-z_]*\)", \([a-z_]*\),.*/\1 \2/p' \
	>"$T/table"
true_ "the command table has rows" test -s "$T/table"
while read -r name fn; do
	same "command $name runs cmd_$name" "$fn" "cmd_$name"
	true_ "cmd_$name is defined in a cmd_*.c file" \
		grep -q "^int cmd_$name(struct ctx \*c)$" src/cmd_*.c
done <"$T/table"

# The visible unit type is visible.c's business: no other source names a
# type's enum constant, reads a model's vtype or indexes the type names;
# they ask visible.h's functions.  The enum's definition in rbm.h is the
# one exception.
grep -n 'RBM_VIS_[A-Z]\|->vtype\|\.vtype\|rbm_vis_type_names' \
	src/*.c src/*.h | grep -v '^src/visible\.[ch]:' |
	grep -v '^src/rbm\.h:.*RBM_VIS_[A-Z_]*,' >"$T/type" || true
same "no branch on the visible unit type outside visible.c" \
	"$(cat "$T/type")" ""

for f in src/*.c; do
	true_ "$f is built (named in Makefile.am)" grep -q "$f" Makefile.am
done

finish
