"""Convert Fashion-MNIST idx images to rbmcmd text rows (used by bench/run).

usage: prepare.py DATASET_DIR CACHE_DIR

Writes CACHE_DIR/train.txt (60000 rows) and CACHE_DIR/test.txt (10000 rows):
one image per line, 784 space-separated 0/1 tokens, pixel > 127 -> 1.
Files newer than their source and than this script are left alone.
"""
import gzip
import os
import sys

import numpy as np

THRESHOLD = 127


def load_idx_images(path):
    """Return the images of an idx3 file (optionally gzipped) as uint8 (n, rows*cols)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = np.frombuffer(data, dtype=">u4", count=4)
    if magic != 0x00000803:
        sys.exit(f"{path}: not an idx3 ubyte image file (magic {magic:#010x})")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    if pixels.size != n * rows * cols:
        sys.exit(f"{path}: expected {n}x{rows}x{cols} pixels, found {pixels.size}")
    return pixels.reshape(n, rows * cols)


def binarize(images, dtype):
    return (images > THRESHOLD).astype(dtype)


def write_rows(bits, path):
    """Write 0/1 rows as text; built as one byte matrix, so it takes a second."""
    n, d = bits.shape
    text = np.empty((n, 2 * d), dtype=np.uint8)
    text[:, 0::2] = bits + ord("0")
    text[:, 1::2] = ord(" ")
    text[:, -1] = ord("\n")
    tmp = path + ".tmp"
    text.tofile(tmp)
    os.replace(tmp, path)  # never leave a half-written cache file


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_dir, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    for name, src in (("train.txt", "train-images-idx3-ubyte.gz"),
                      ("test.txt", "t10k-images-idx3-ubyte.gz")):
        src, out = os.path.join(src_dir, src), os.path.join(out_dir, name)
        newest_input = max(os.path.getmtime(src), os.path.getmtime(__file__))
        if os.path.exists(out) and os.path.getmtime(out) >= newest_input:
            print(f"{out}: up to date")
            continue
        bits = binarize(load_idx_images(src), np.uint8)
        write_rows(bits, out)
        print(f"{out}: wrote {bits.shape[0]} rows of {bits.shape[1]}")


if __name__ == "__main__":
    main()
