"""Fit scikit-learn's BernoulliRBM on 0/1 rows and write it as an rbmcmd
plain parameter file (NV NH / visible biases / hidden biases / NV rows of
NH weights), so `rbmcmd import` + `rbmcmd loglik` can score it.

usage: sklearn_export.py DATA NH EPOCHS SEED OUT [float64|float32]

DATA is Debian's Fashion-MNIST directory (its training images binarized at
127) or a file of rows as bench/quality_data.py writes them (one row a
line, single 0/1 tokens separated by single spaces).  The last argument
picks the precision scikit-learn trains in (float64 by default; with
float32 data it keeps float32 throughout).  Batch 100, learning rate 0.1.
"""
import gzip
import os
import sys

import numpy as np
from sklearn.neural_network import BernoulliRBM


def images(path, dtype):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return (np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)
            > 127).astype(dtype)


def rows(path, dtype):
    raw = np.fromfile(path, np.uint8)
    width = int(np.argmax(raw == ord("\n"))) + 1  # "0 1 ... 0\n"
    return (raw.reshape(-1, width)[:, 0::2] - ord("0")).astype(dtype)


def main():
    data, nh, epochs, seed, out = sys.argv[1:6]
    dtype = np.dtype(sys.argv[6] if len(sys.argv) > 6 else "float64")
    x = (images(data + "/train-images-idx3-ubyte.gz", dtype)
         if os.path.isdir(data) else rows(data, dtype))
    rbm = BernoulliRBM(n_components=int(nh), batch_size=100,
                       learning_rate=0.1, n_iter=int(epochs),
                       random_state=int(seed))
    rbm.fit(x)
    assert rbm.components_.dtype == dtype  # trained in the precision asked
    with open(out, "w") as f:
        f.write("%d %d\n" % (x.shape[1], int(nh)))
        f.write(" ".join("%.9g" % v for v in rbm.intercept_visible_) + "\n")
        f.write(" ".join("%.9g" % v for v in rbm.intercept_hidden_) + "\n")
        for row in rbm.components_.T:
            f.write(" ".join("%.9g" % v for v in row) + "\n")


if __name__ == "__main__":
    main()
