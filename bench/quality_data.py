"""Prepare the data sets of bench/quality as rbmcmd text rows of 0/1.

usage: quality_data.py CACHE_DIR [FASHION_DIR]

Writes CACHE_DIR/SET/train.txt and CACHE_DIR/SET/test.txt for three sets:
  fashion  binarized Fashion-MNIST (Debian's dataset-fashion-mnist, from
           FASHION_DIR, default /usr/share/datasets/fashion-mnist): pixel
           > 127 -> 1, as bench/prepare.py; 60000 train, 10000 test rows
           of 784
  digits   scikit-learn's load_digits (Debian's python3-sklearn; 1797
           8x8 images, values 0..16): pixel >= 8 -> 1; a fixed 80/20
           split (numpy PCG64 seed 0 permutes the rows; the first 1438
           train, the other 359 test)
  digits28 the same digits drawn like MNIST, where the old defaults
           collapse: each 8x8 image (train images for train rows, test
           images for test rows) scaled to 16x16 (linear), placed at the
           middle of a blank 28x28 canvas shifted by -2..2 pixels, plus
           noise N(0, 2^2), pixel >= 8 -> 1; 8000 train, 2000 test rows
           (numpy PCG64 seed 1)
  likes    the planted ratings behind data/likes.txt, complete: every
           user's like (rating >= 4) of every item, remade from
           data/make-ratings with the seed in likes.txt's header and
           checked against every like that likes.txt shows; users 1-800
           train, 801-1000 test (100 items)
Files newer than their inputs and this script are left alone; new ones
are written under a temporary name and renamed into place.
"""
import importlib.machinery
import importlib.util
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from prepare import binarize, load_idx_images, write_rows  # noqa: E402

DATA = os.path.join(os.path.dirname(HERE), "data")


def digits_split():
    from sklearn.datasets import load_digits
    x = (load_digits().data >= 8).astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(round(0.8 * len(x)))
    return x[order[:cut]], x[order[cut:]]


def digits28():
    from scipy import ndimage
    from sklearn.datasets import load_digits
    x = load_digits().data
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(round(0.8 * len(x)))
    rng = np.random.default_rng(1)

    def make(src, n):
        out = np.empty((n, 784), np.uint8)
        for k in range(n):
            im = np.zeros((28, 28))
            im[6:22, 6:22] = ndimage.zoom(src[rng.integers(len(src))].reshape(8, 8), 2,
                                          order=1)
            im = ndimage.shift(im, rng.integers(-2, 3, 2), order=0)
            im = im + rng.normal(0, 2, im.shape)
            out[k] = im.reshape(-1) >= 8
        return out
    return make(x[order[:cut]], 8000), make(x[order[cut:]], 2000)


def make_ratings():
    path = os.path.join(DATA, "make-ratings")
    loader = importlib.machinery.SourceFileLoader("make_ratings", path)
    spec = importlib.util.spec_from_loader("make_ratings", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def likes_full():
    """The complete likes matrix of the planted model, checked against likes.txt."""
    path = os.path.join(DATA, "likes.txt")
    with open(path) as f:
        header = f.readline().split()
        rows = [line.split() for line in f if not line.startswith("#")]
    opt = dict(zip(header[4::2], header[5::2]))  # "# made by data/make-ratings --seed 1 ..."
    mod = make_ratings()
    rng = np.random.default_rng(int(opt["--seed"]))
    ratings, _ = mod.planted_ratings(rng, int(opt["--users"]), int(opt["--items"]),
                                     int(opt["--rank"]))
    likes = (ratings >= 4).astype(np.uint8)
    seen = 0
    for u, row in enumerate(rows):
        for i, tok in enumerate(row):
            if tok != "?":
                seen += 1
                if int(tok) != likes[u, i]:
                    sys.exit(f"{path}: user {u + 1} item {i + 1}: {tok}, "
                             f"the planted model says {likes[u, i]}")
    if seen == 0 or len(rows) != likes.shape[0]:
        sys.exit(f"{path}: does not match data/make-ratings")
    return likes


def write_set(out_dir, name, inputs, make):
    """Write train.txt and test.txt of a set unless up to date."""
    os.makedirs(out_dir, exist_ok=True)
    outs = [os.path.join(out_dir, n + ".txt") for n in ("train", "test")]
    newest = max([os.path.getmtime(__file__)] + [os.path.getmtime(p) for p in inputs])
    if all(os.path.exists(o) and os.path.getmtime(o) >= newest for o in outs):
        print(f"{out_dir}: up to date")
        return
    for out, bits in zip(outs, make()):
        # A temporary file renamed into place: two benches preparing the
        # same cache at once, or one reading it meanwhile, never see a
        # half-written file.
        tmp = f"{out}.{os.getpid()}.tmp"
        write_rows(bits, tmp)
        os.replace(tmp, out)
        print(f"{out}: wrote {bits.shape[0]} rows of {bits.shape[1]}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    cache = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    fx = [os.path.join(src, p) for p in ("train-images-idx3-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz")]
    write_set(os.path.join(cache, "fashion"), "fashion", fx,
              lambda: [binarize(load_idx_images(p), np.uint8) for p in fx])
    write_set(os.path.join(cache, "digits"), "digits", [], digits_split)
    write_set(os.path.join(cache, "digits28"), "digits28", [], digits28)
    write_set(os.path.join(cache, "likes"), "likes",
              [os.path.join(DATA, "likes.txt"), os.path.join(DATA, "make-ratings")],
              lambda: (lambda x: (x[:800], x[800:]))(likes_full()))


if __name__ == "__main__":
    main()
