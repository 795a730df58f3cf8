"""Write scikit-learn's load_digits as binary rbmcmd rows (used by bench/run).

usage: digits.py OUT_FILE

1797 images of 8 x 8 pixels valued 0..16, one per line as 64
space-separated 0/1 tokens, pixel > 7 -> 1.  Prints the fraction of ones.
"""
import sys

import numpy as np


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    from sklearn.datasets import load_digits

    x = (load_digits().data > 7).astype(np.uint8)
    with open(sys.argv[1], "w") as f:
        for row in x:
            f.write(" ".join("1" if v else "0" for v in row) + "\n")
    print(f"{x.mean():.3f}")


if __name__ == "__main__":
    main()
