#!/bin/sh
# man-options.sh - the man page documents every option for exactly the
# commands that take it, and the reverse.  The program's side comes from
# its own help ("rbmcmd help COMMAND" lists what the parser accepts, being
# generated from the same table); the page's side from two places that
# must agree with it:
#   - each command's entry under COMMANDS ends with a sentence
#     "Options: ..." ("Option: ...", "Options: none."), where "the
#     training options" stands for the entries under "Training options";
#   - each option's entry under OPTIONS (but for the training options,
#     which the subsection's first sentence covers) says "Taken by ...":
#     the commands named there, or "every command" (those under
#     "Options of train alone" are taken by train).
. "$SRCDIR/tests/setup.sh"
page=$SRCDIR/man/rbmcmd.1

"$R" --help | awk '/^  [a-z_]+ / { print $1 }' >"$T/commands"
true_ "the help lists commands" test -s "$T/commands"

# The program: "COMMAND --option" pairs, --help left out (every command).
while read -r c; do
	"$R" help "$c" | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p' |
		grep -vx -- --help | sed "s/^/$c /"
done <"$T/commands" | sort >"$T/binary"

# The page.  Roff escapes go first: "\-" is "-", fonts and quotes go.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g' "$page" >"$T/page"
cmds=$(tr '\n' ' ' <"$T/commands")
awk -v cmds="$cmds" '
# opts(s): the options named in s, as "--name" words separated by spaces;
# "-o" is --output.
function opts(s,    r, t) {
	r = ""
	while (match(s, /(^|[^a-z0-9-])--?[a-z][a-z0-9-]*/)) {
		t = substr(s, RSTART, RLENGTH)
		sub(/^[^-]*/, "", t)
		s = substr(s, RSTART + RLENGTH)
		if (t == "-o")
			t = "--output"
		if (t ~ /^--/)
			r = r " " t
	}
	return r
}
BEGIN { split(cmds, list, " "); for (i in list) iscmd[list[i]] = 1 }
/^\.SH / { sec = $0; sub(/^\.SH */, "", sec); tag = 0; next }
/^\.SS / { sub_ = $0; sub(/^\.SS */, "", sub_); next }
/^\.TP/ { tag = 1; next }
# The line after .TP names a command (COMMANDS) or options (OPTIONS).
tag {
	tag = 0
	if (sec == "COMMANDS") { cmd = $2; insent = 0 }
	if (sec == "OPTIONS") {
		cur = opts($0); taken = 0
		if (sub_ == "Training options") {
			n = split(cur, a, " ")
			for (i = 1; i <= n; i++) train = train " " a[i]
		} else if (sub_ == "Options of train alone") {
			n = split(cur, a, " ")
			for (i = 1; i <= n; i++) {
				said[a[i]] = 1
				print "T", "train", a[i]
			}
		} else {
			n = split(cur, a, " ")
			for (i = 1; i <= n; i++)
				if (a[i] != "--help") need[a[i]] = 1
		}
		insent = 0
	}
	next
}
# A sentence being collected, until the line that ends it.
function collect(line) {
	sent = sent " " line
	if (line ~ /\.$/ && line !~ /^\.[A-Z]+$/) {
		insent = 0
		return 1
	}
	return 0
}
sec == "COMMANDS" && cmd != "" && /^Options?:/ {
	insent = 1; sent = ""
}
sec == "COMMANDS" && insent == 1 {
	if (collect($0)) {
		if (sent ~ /Options: none\./)
			listed[cmd] = " "
		else {
			if (sent ~ /the training options/) usestrain[cmd] = 1
			listed[cmd] = listed[cmd] opts(sent) " "
		}
	}
	next
}
sec == "OPTIONS" && cur != "" && /^(Taken|Required) by/ { insent = 2; sent = "" }
sec == "OPTIONS" && insent == 2 {
	if (collect($0)) {
		n = split(cur, a, " ")
		for (i = 1; i <= n; i++) {
			said[a[i]] = 1
			if (sent ~ /by every command\./) {
				for (c in iscmd) print "T", c, a[i]
				continue
			}
			m = split(sent, w, /[ ,]+/)
			for (j = 1; j <= m; j++)
				if (w[j] in iscmd) print "T", w[j], a[i]
		}
	}
	next
}
END {
	for (c in iscmd) {
		if (!(c in listed)) { print "N", c; continue }
		if (c in usestrain) listed[c] = listed[c] train
		n = split(listed[c], a, " ")
		for (i = 1; i <= n; i++) print "C", c, a[i]
	}
	for (o in need) if (!(o in said)) print "U", o
}' "$T/page" >"$T/man"

# Commands whose entry has no "Options:" sentence, options without "Taken by".
same "every command's entry lists its options" \
	"$(sed -n 's/^N //p' "$T/man" | sort | tr '\n' ' ')" ""
same "every option's entry says which commands take it" \
	"$(sed -n 's/^U //p' "$T/man" | sort | tr '\n' ' ')" ""

sed -n 's/^C //p' "$T/man" | sort -u >"$T/by-command"
sed -n 's/^T //p' "$T/man" | grep -v -- ' --help$' | sort -u >"$T/by-option"
diff "$T/binary" "$T/by-command" >"$T/d1" || true
same "COMMANDS lists exactly the options each command takes" \
	"$(sed -n 's/^[<>]/&/p' "$T/d1" | tr '\n' ';')" ""
# "Taken by" is checked for the options that have it, both ways.
awk '{ print " " $2 "$" }' "$T/by-option" | sort -u >"$T/said"
grep -f "$T/said" "$T/binary" >"$T/binary-said" || true
diff "$T/binary-said" "$T/by-option" >"$T/d2" || true
same "OPTIONS says exactly which commands take each option" \
	"$(sed -n 's/^[<>]/&/p' "$T/d2" | tr '\n' ';')" ""

finish
