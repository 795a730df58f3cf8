#!/bin/sh
# completion-tmux.sh - completion in a real interactive bash, inside tmux:
# what bash sends for "--opt=<TAB>" (the current word is "=", or the text
# after it, because COMP_WORDBREAKS holds '=') must complete the option's
# values.  Keys go in with send-keys, the screen comes back with
# capture-pane, which is polled for the expected text: no sleep stands
# for "long enough", only an overall bound (120 s a check) for a hang.
. "$SRCDIR/tests/setup.sh"
comp=$SRCDIR/completion/rbmcmd
for p in bash tmux; do
	if ! command -v $p >/dev/null 2>&1; then
		echo "SKIP: no $p"
		exit 77
	fi
done
cd "$T"
mkdir bin work
printf '#!/bin/sh\nexec "%s" "$@"\n' "$R" >bin/rbmcmd
chmod +x bin/rbmcmd
touch work/a.rbm work/valid.txt work/pic.png work/names.txt

# The shell (tmux_shell, setup.sh): our rbmcmd first on PATH, a plain
# prompt, the completion script loaded.
cat >rc <<EOF2
PS1='PROMPT\$ '
PATH='$T/bin':\$PATH
. '$comp'
cd '$T/work'
EOF2
tmux_shell 120 40

await "bash starts with the completion loaded" '^PROMPT\$'
fresh
tm send-keys 'complete -p rbmcmd' Enter
await "complete -p shows _rbmcmd" '^complete -F _rbmcmd rbmcmd$'

# --lr-schedule=<TAB><TAB>: both values listed.
fresh
tm send-keys 'rbmcmd a.rbm train 5 --lr-schedule=' Tab Tab
await "--lr-schedule=<TAB><TAB> lists constant" 'constant'
await "--lr-schedule=<TAB><TAB> lists linear" 'linear'
# --lr-schedule=li<TAB>: completed in place.
fresh
tm send-keys 'rbmcmd a.rbm train 5 --lr-schedule=li' Tab
await "--lr-schedule=li<TAB> completes" 'train 5 --lr-schedule=linear$'
fresh
tm send-keys 'rbmcmd a.rbm filters --contrast=' Tab Tab
await "--contrast=<TAB><TAB> lists global and tile" 'global *tile'
fresh
tm send-keys 'rbmcmd a.rbm filters --contrast=g' Tab
await "--contrast=g<TAB> completes" 'filters --contrast=global$'
# Options whose value is a file.
fresh
tm send-keys 'rbmcmd a.rbm train 5 --validation=va' Tab
await "--validation=<file> completes" '--validation=valid.txt$'
fresh
tm send-keys 'rbmcmd a.rbm filters --output=p' Tab
await "--output=<PNG file> completes" '--output=pic.png$'
fresh
tm send-keys 'rbmcmd a.rbm weights --names=na' Tab
await "--names=<file> completes" '--names=names.txt$'
# And an option name by its prefix, the command by its prefix.
fresh
tm send-keys 'rbmcmd a.rbm train 5 --lr-sch' Tab
await "an option name completes" 'train 5 --lr-schedule$'
fresh
tm send-keys 'rbmcmd a.rbm run_v' Tab
await "a command completes" 'a.rbm run_visible$'

finish
