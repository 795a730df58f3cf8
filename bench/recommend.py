"""The python half of bench/recommend: splits, baselines and scores.

usage: recommend.py split DATA_DIR OUT_DIR [SEED]
       recommend.py score KIND ROWS HELDOUT        KIND: ratings | likes
       recommend.py baselines DATA_DIR

split    carves a validation set out of DATA_DIR's training rows: 20% of
         each user's remaining ratings (at least one) are hidden, the same
         entries in ratings and likes; writes ratings.txt,
         ratings-heldout.txt, likes.txt and likes-heldout.txt to OUT_DIR.
score    scores predictions (`rbmcmd recommend` output: one row a user, a
         number in every column) against a held-out file; prints
         "rmse= mae=" for ratings, "auc= uauc=" for likes.
baselines  fits the baselines on DATA_DIR's training rows, each rank
         chosen on a split of those rows (never on the held-out file),
         and prints one line a method: name, then key=value figures.

Every figure line is "NAME key=value ...", read back by bench/recommend.
AUC is over all held-out entries pooled; uauc is the mean of per-user
AUCs over users whose held-out entries have both likes and dislikes.
"""
import os
import sys

import numpy as np

RANKS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
HIDE = 0.2


def read_rows(path):
    """A rows file as a float matrix, NaN where `?`; comments skipped."""
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rows.append([np.nan if x == "?" else float(x) for x in line.split()])
    m = np.array(rows)
    if m.ndim != 2:
        sys.exit(f"recommend.py: {path}: rows of different lengths")
    return m


def read_heldout(path):
    """user, item (0-based) and value arrays of a held-out file."""
    h = np.loadtxt(path, comments="#", dtype=int, ndmin=2)
    return h[:, 0] - 1, h[:, 1] - 1, h[:, 2]


def write_rows(path, m, header):
    with open(path, "w") as f:
        f.write(header)
        for row in m:
            f.write(" ".join("?" if np.isnan(x) else str(int(x)) for x in row) + "\n")


def write_heldout(path, m, mask, header):
    with open(path, "w") as f:
        f.write(header)
        for u, i in zip(*np.nonzero(mask)):
            f.write(f"{u + 1} {i + 1} {int(m[u, i])}\n")


def carve(m, seed):
    """A mask of HIDE of each user's observed entries (at least one, and
    never a user's last one), drawn with SEED."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(m.shape, bool)
    for u in range(m.shape[0]):
        seen = np.flatnonzero(~np.isnan(m[u]))
        if len(seen) < 2:
            continue
        n = max(1, round(HIDE * len(seen)))
        mask[u, rng.choice(seen, size=n, replace=False)] = True
    return mask


def cmd_split(data_dir, out_dir, seed=2):
    os.makedirs(out_dir, exist_ok=True)
    ratings = read_rows(os.path.join(data_dir, "ratings.txt"))
    mask = carve(ratings, int(seed))
    note = f"# validation split: recommend.py split {data_dir} (seed {seed})\n"
    for name, m in (("ratings", ratings), ("likes", read_rows(os.path.join(data_dir, "likes.txt")))):
        if not np.array_equal(np.isnan(m), np.isnan(ratings)):
            sys.exit(f"recommend.py: {data_dir}: {name}.txt and ratings.txt differ in what is missing")
        train = m.copy()
        train[mask] = np.nan
        write_rows(os.path.join(out_dir, f"{name}.txt"), train, note)
        write_heldout(os.path.join(out_dir, f"{name}-heldout.txt"), m, mask, note)


def auc_figures(score, users, truth):
    """Pooled AUC and mean per-user AUC of scores for 0/1 truths."""
    from sklearn.metrics import roc_auc_score
    per_user = [roc_auc_score(truth[users == u], score[users == u])
                for u in np.unique(users) if len(set(truth[users == u])) == 2]
    return roc_auc_score(truth, score), float(np.mean(per_user))


def figures(kind, pred, heldout):
    """key=value text of predictions PRED scored on HELDOUT."""
    u, i, v = heldout
    p = pred[u, i]
    if np.isnan(p).any():
        sys.exit("recommend.py: a held-out entry has no prediction")
    if kind == "ratings":
        p = np.clip(p, 1, 5)
        return (f"rmse={np.sqrt(np.mean((p - v) ** 2)):.4f} "
                f"mae={np.mean(np.abs(p - v)):.4f} rauc={auc_figures(p, u, v >= 4)[0]:.4f}")
    auc, uauc = auc_figures(p, u, v)
    return f"auc={auc:.4f} uauc={uauc:.4f}"


def cmd_score(kind, rows, heldout):
    pred = read_rows(rows)
    print("rbmcmd", figures(kind, pred, read_heldout(heldout)))


# ---- baselines: each fit(train, rank, variant) returns a full prediction matrix.

def item_means(train):
    """Per-item mean of the observed entries (the global mean for an item
    nobody rated)."""
    counts = (~np.isnan(train)).sum(axis=0)
    sums = np.nansum(train, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nanmean(train))


def fit_mean(train, rank=None, variant=None):
    return np.tile(item_means(train), (train.shape[0], 1))


def fit_svd(train, rank, variant=None):
    """Missing entries filled with the item mean, the item means taken
    out (so a missing entry is 0), a rank-k TruncatedSVD of that, the means
    put back."""
    from sklearn.decomposition import TruncatedSVD
    mean = item_means(train)
    resid = np.nan_to_num(train - mean, nan=0.0)
    svd = TruncatedSVD(n_components=rank, algorithm="arpack", random_state=1)
    return svd.inverse_transform(svd.fit_transform(resid)) + mean


def fit_nmf(train, rank, fill):
    """A rank-k NMF of the matrix with missing entries filled with FILL
    ("0" or "mean"; ratings and likes are non-negative already)."""
    from sklearn.decomposition import NMF
    x = train.copy()
    gaps = np.isnan(x)
    x[gaps] = 0.0 if fill == "0" else np.broadcast_to(item_means(train), x.shape)[gaps]
    nmf = NMF(n_components=rank, init="nndsvda", max_iter=500, random_state=1)
    return nmf.fit_transform(x) @ nmf.components_


def val_score(kind, pred, heldout):
    """The figure a rank is chosen by: RMSE for ratings, AUC for likes
    (both as lower-is-better)."""
    u, i, v = heldout
    p = pred[u, i]
    if kind == "ratings":
        return float(np.sqrt(np.mean((np.clip(p, 1, 5) - v) ** 2)))
    return -auc_figures(p, u, v)[0]


def tune(kind, fit, train, variants):
    """The (rank, variant) with the best validation figure on a split of
    TRAIN (the same carve as `split`, seed 2)."""
    mask = carve(train, 2)
    inner = train.copy()
    inner[mask] = np.nan
    heldout = (*np.nonzero(mask), train[mask].astype(int))
    best = min((val_score(kind, fit(inner, r, var), heldout), r, var)
               for r in RANKS for var in variants)
    return best[1], best[2]


def cmd_baselines(data_dir):
    """One line a baseline with its ratings and likes figures on the
    held-out files; ranks (and NMF's fill) chosen on a split of the
    training rows, for ratings and likes separately."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
    data = {k: (read_rows(os.path.join(data_dir, f"{k}.txt")),
                read_heldout(os.path.join(data_dir, f"{k}-heldout.txt")))
            for k in ("ratings", "likes")}
    methods = (("mean", fit_mean, False, (None,)),
               ("svd", fit_svd, True, (None,)),
               ("nmf", fit_nmf, True, ("0", "mean")))
    for name, fit, ranked, variants in methods:
        out = [name]
        for kind, (train, heldout) in data.items():
            rank, var = tune(kind, fit, train, variants) if ranked else (None, None)
            out.append(figures(kind, fit(train, rank, var), heldout))
            tag = kind[0]
            if rank is not None:
                out.append(f"{tag}rank={rank}")
            if var is not None:
                out.append(f"{tag}fill={var}")
        print(" ".join(out))


def main(argv):
    cmds = {"split": (cmd_split, (2, 3)), "score": (cmd_score, (3,)),
            "baselines": (cmd_baselines, (1,))}
    if not argv or argv[0] not in cmds or len(argv) - 1 not in cmds[argv[0]][1]:
        sys.exit(__doc__)
    if argv[0] == "score" and argv[1] not in ("ratings", "likes"):
        sys.exit(__doc__)
    cmds[argv[0]][0](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
