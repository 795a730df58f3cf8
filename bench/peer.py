"""Time scikit-learn's BernoulliRBM on binarized Fashion-MNIST (used by bench/run).

usage: peer.py DATASET_DIR float64|float32 EPOCHS NH [ROWS]
       peer.py --blas          (describe the BLAS numpy uses, one line)

ROWS: only the first ROWS images (bench/run's quick mode).
Prints key=value lines: load_s (read gz idx + binarize), fit_s,
epoch_s (fit_s / EPOCHS) and rss_mb (peak RSS of this process, MiB).
"""
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare import binarize, load_idx_images  # noqa: E402


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "numpy " + np.__version__ + " (threadpoolctl missing; see numpy.show_config())"
    libs = [f"{i['internal_api']} {i.get('version')} {i.get('architecture', '')} "
            f"threads={i['num_threads']} {i['filepath']}"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return f"numpy {np.__version__}: " + ("; ".join(libs) or "no BLAS found by threadpoolctl")


def main():
    if sys.argv[1:] == ["--blas"]:
        print(blas_info())
        return
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    data_dir, dtype, epochs, nh = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rows = int(sys.argv[5]) if len(sys.argv) == 6 else None
    from sklearn.neural_network import BernoulliRBM

    t0 = time.perf_counter()
    images = load_idx_images(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    x = binarize(images[:rows], np.dtype(dtype))
    del images
    load_s = time.perf_counter() - t0

    rbm = BernoulliRBM(n_components=nh, batch_size=100, learning_rate=0.1,
                       n_iter=epochs, random_state=1)
    t0 = time.perf_counter()
    rbm.fit(x)
    fit_s = time.perf_counter() - t0
    assert rbm.components_.dtype == x.dtype  # sklearn must not have upcast

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"load_s={load_s:.3f}\nfit_s={fit_s:.3f}\n"
          f"epoch_s={fit_s / epochs:.3f}\nrss_mb={rss_mb:.1f}")


if __name__ == "__main__":
    main()
