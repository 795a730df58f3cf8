#!/bin/sh
# pictures.sh - make the example pictures of the README: train an RBM on
# binarized Fashion-MNIST (60000 images of 28x28 pixels, pixel > 127 -> 1)
# and draw its filters, its samples and, when train has --log, its
# training curves.  Takes some minutes on two cores.
#
# usage: doc/pictures.sh [RBMCMD [OUTDIR]]   (defaults: src/rbmcmd, doc)
#
# Needs Debian's dataset-fashion-mnist ($RBM_PICTURES_DATA names another
# copy of its idx files).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rbmcmd=${1:-$(dirname "$here")/src/rbmcmd}
out=${2:-$here}
data=${RBM_PICTURES_DATA:-/usr/share/datasets/fashion-mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# idx3 images to text rows: skip the 16-byte header, one line of 784
# bytes per image, 1 where a pixel is above 127.
rows() {
	zcat "$data/$1" | od -An -v -tu1 -w784 -j16 |
		awk '{ s = ($1 > 127)
		       for (i = 2; i <= NF; i++) s = s " " ($i > 127)
		       print s }'
}
rows train-images-idx3-ubyte.gz >"$work/train.txt"
rows t10k-images-idx3-ubyte.gz >"$work/test.txt"

cd "$work"
set -x
"$rbmcmd" fashion.rbm init 784 100 --seed=1
if "$rbmcmd" help train | grep -q -- --log; then
	"$rbmcmd" fashion.rbm train 20 --pcd --learning-rate=0.01 \
		--momentum=0.5 --lr-schedule=linear --data-bias \
		--validation=test.txt --log=train.csv <train.txt
	"$rbmcmd" plot train.csv -o "$out/curves.png"
else
	"$rbmcmd" fashion.rbm train 20 --pcd --learning-rate=0.01 \
		--momentum=0.5 --lr-schedule=linear --data-bias <train.txt
fi
"$rbmcmd" fashion.rbm filters --zoom=2 -o "$out/filters.png"
"$rbmcmd" fashion.rbm samples 5000 100 --zoom=2 --seed=1 \
	-o "$out/samples.png"
