"""Peer side of the model bench workloads: one library, one job, one process.

    python bench/peers/models.py gbdt    lightgbm|sklearn TRAIN TEST [--rounds 100] [--leaves 255]
    python bench/peers/models.py forest  sklearn          TRAIN TEST [--trees 100]
    python bench/peers/models.py predict lightgbm         TRAIN TEST [--rounds 100] [--leaves 31]
                                                                     [--calls 100000] [--fit-rows 200000]
    python bench/peers/models.py logistic sklearn         TRAIN TEST [--max-iter 100] [--tol 1e-4]
                                                                     [--repeat 3]
    python bench/peers/models.py svm     sklearn          TRAIN TEST
    python bench/peers/models.py knn     sklearn          TRAIN TEST [--neighbors 5]
    python bench/peers/models.py kmeans  sklearn          DATA [--k 16] [--repeat 3]

Always 2 threads (`--threads`). Reads the files written by `bench/gen_binary.py` (and
`bench/gen_dense.py`, same format) and prints one
JSON object with the same fields as `crates/kiln-models/examples/model_bench.rs`, or
`{"skipped": reason}` when the library cannot be imported. Each library runs in its own process
so `max_rss_mb` (peak resident memory from getrusage, including the loaded data) is its own.

- gbdt/lightgbm: `lightgbm.train` with objective binary, num_leaves, learning_rate 0.1,
  min_data_in_leaf 20, max_bin 255, num_threads; the Dataset construction (binning) is timed.
- gbdt/sklearn: `HistGradientBoostingClassifier(max_iter=rounds, max_leaf_nodes=leaves,
  learning_rate=0.1, min_samples_leaf=20, max_bins=255, l2_regularization=0,
  early_stopping=False)` under `threadpoolctl.threadpool_limits(threads)`.
- forest/sklearn: `RandomForestClassifier(n_estimators=trees, n_jobs=threads, random_state=0)`.
- predict/lightgbm: a booster fitted on the first fit-rows rows of TRAIN (not timed); the median
  over `calls` calls of `booster.predict` on one TEST row (a 1 × 28 array), and the best of 3
  `booster.predict` over all of TRAIN.
- logistic/sklearn: `LogisticRegression(C=1, solver="lbfgs", tol, max_iter)` (L2, scikit-learn's
  defaults) under `threadpoolctl.threadpool_limits(threads)`; best of `repeat` fits (a fresh
  model each time), mean log-loss on TRAIN and TEST, iterations run.
- svm/sklearn: `SVC()` (libsvm, single-threaded by design: RBF, C 1, gamma "scale", tol 1e-3,
  cache_size 200); `fit_seconds`, `accuracy` on TEST, `n_support`.
- knn/sklearn: `KNeighborsClassifier(n_neighbors, n_jobs=threads)` (algorithm "auto", which
  is brute force above 15 features) under `threadpool_limits(threads)`; `seconds` = fit +
  predict of every TEST row, `accuracy`.
- kmeans/sklearn: `KMeans(n_clusters=k, init=<first k rows>, n_init=1, algorithm="lloyd",
  tol=1e-4, max_iter=300)` under `threadpoolctl.threadpool_limits(threads)` (OpenMP and BLAS);
  `fit_seconds` = best of `repeat` fits, with `inertia` and `n_iter`. The file is a
  `bench/gen_blobs.py` set; its label column is ignored.
"""

import argparse
import json
import resource
import sys
import time

import numpy as np

MAGIC = b"KILNBM01"


def read_set(path):
    with open(path, "rb") as f:
        header = f.read(24)
        if header[:8] != MAGIC:
            raise SystemExit(f"{path}: not a bench/gen_binary.py file (bad magic)")
        rows, cols = np.frombuffer(header[8:], dtype="<u8")
        rows, cols = int(rows), int(cols)
        x = np.empty((rows, cols - 1), dtype=np.float64)
        y = np.empty(rows, dtype=np.float64)
        chunk = 65536
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            block = np.fromfile(f, dtype="<f8", count=n * cols).reshape(n, cols)
            x[start : start + n] = block[:, :-1]
            y[start : start + n] = block[:, -1]
    return x, y


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def lgb_params(args):
    return {
        "objective": "binary",
        "num_leaves": args.leaves,
        "learning_rate": 0.1,
        "min_data_in_leaf": 20,
        "max_bin": 255,
        "num_threads": args.threads,
        "verbose": -1,
    }


def gbdt(args):
    from sklearn.metrics import roc_auc_score

    x, y = read_set(args.train)
    xt, yt = read_set(args.test)
    if args.lib == "lightgbm":
        import lightgbm as lgb

        t = time.perf_counter()
        booster = lgb.train(lgb_params(args), lgb.Dataset(x, label=y), num_boost_round=args.rounds)
        train_s = time.perf_counter() - t
        p = booster.predict(xt)
    else:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from threadpoolctl import threadpool_limits

        model = HistGradientBoostingClassifier(
            max_iter=args.rounds,
            max_leaf_nodes=args.leaves,
            learning_rate=0.1,
            min_samples_leaf=20,
            max_bins=255,
            l2_regularization=0.0,
            early_stopping=False,
        )
        with threadpool_limits(args.threads):
            t = time.perf_counter()
            model.fit(x, y)
            train_s = time.perf_counter() - t
            p = model.predict_proba(xt)[:, 1]
    return {
        "train_seconds": train_s,
        "auc": float(roc_auc_score(yt, p)),
        "rounds": args.rounds,
        "leaves": args.leaves,
        "max_rss_mb": max_rss_mb(),
    }


def forest(args):
    from sklearn.ensemble import RandomForestClassifier

    x, y = read_set(args.train)
    xt, yt = read_set(args.test)
    model = RandomForestClassifier(n_estimators=args.trees, n_jobs=args.threads, random_state=0)
    t = time.perf_counter()
    model.fit(x, y)
    fit_s = time.perf_counter() - t
    accuracy = float(np.mean(model.predict(xt) == yt))
    return {"fit_seconds": fit_s, "accuracy": accuracy, "trees": args.trees, "max_rss_mb": max_rss_mb()}


def predict(args):
    import lightgbm as lgb

    x, y = read_set(args.train)
    xt, _ = read_set(args.test)
    head = min(args.fit_rows, len(y))
    booster = lgb.train(lgb_params(args), lgb.Dataset(x[:head], label=y[:head]), num_boost_round=args.rounds)
    rows = [np.ascontiguousarray(xt[i : i + 1]) for i in range(min(len(xt), args.calls))]
    times = np.empty(args.calls)
    checksum = 0.0
    clock = time.perf_counter
    for c in range(args.calls):
        row = rows[c % len(rows)]
        t = clock()
        p = booster.predict(row)
        times[c] = clock() - t
        checksum += p[0]
    batch = float("inf")
    for _ in range(3):
        t = clock()
        p = booster.predict(x)
        batch = min(batch, clock() - t)
        checksum += p[0]
    return {
        "single_row_median_seconds": float(np.median(times)),
        "calls": args.calls,
        "batch_seconds": batch,
        "batch_rows": len(x),
        "checksum": checksum,
        "max_rss_mb": max_rss_mb(),
    }


def logistic(args):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from threadpoolctl import threadpool_limits

    x, y = read_set(args.train)
    xt, yt = read_set(args.test)
    best = float("inf")
    with threadpool_limits(args.threads):
        for _ in range(args.repeat):
            model = LogisticRegression(C=1.0, solver="lbfgs", tol=args.tol, max_iter=args.max_iter)
            t = time.perf_counter()
            model.fit(x, y)
            best = min(best, time.perf_counter() - t)
        train_loss = log_loss(y, model.predict_proba(x)[:, 1])
        test_loss = log_loss(yt, model.predict_proba(xt)[:, 1])
    return {
        "fit_seconds": best,
        "train_logloss": float(train_loss),
        "test_logloss": float(test_loss),
        "n_iter": int(np.max(model.n_iter_)),
        "max_rss_mb": max_rss_mb(),
    }


def svm(args):
    from sklearn.svm import SVC

    x, y = read_set(args.train)
    xt, yt = read_set(args.test)
    model = SVC()
    t = time.perf_counter()
    model.fit(x, y)
    fit_s = time.perf_counter() - t
    accuracy = float(np.mean(model.predict(xt) == yt))
    return {
        "fit_seconds": fit_s,
        "accuracy": accuracy,
        "n_support": int(len(model.support_)),
        "max_rss_mb": max_rss_mb(),
    }


def knn(args):
    from sklearn.neighbors import KNeighborsClassifier
    from threadpoolctl import threadpool_limits

    x, y = read_set(args.train)
    xt, yt = read_set(args.test)
    with threadpool_limits(args.threads):
        t = time.perf_counter()
        model = KNeighborsClassifier(n_neighbors=args.neighbors, n_jobs=args.threads).fit(x, y)
        pred = model.predict(xt)
        seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "accuracy": float(np.mean(pred == yt)),
        "queries": int(len(yt)),
        "neighbors": args.neighbors,
        "algorithm": model._fit_method,
        "max_rss_mb": max_rss_mb(),
    }


def kmeans(args):
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    x, _ = read_set(args.train)
    init = x[: args.k].copy()
    best, model = float("inf"), None
    with threadpool_limits(args.threads):
        for _ in range(max(1, args.repeat)):
            model = KMeans(n_clusters=args.k, init=init, n_init=1, algorithm="lloyd", tol=1e-4, max_iter=300)
            t = time.perf_counter()
            model.fit(x)
            best = min(best, time.perf_counter() - t)
    return {
        "fit_seconds": best,
        "inertia": float(model.inertia_),
        "n_iter": int(model.n_iter_),
        "k": args.k,
        "rows": len(x),
        "max_rss_mb": max_rss_mb(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["gbdt", "forest", "predict", "logistic", "svm", "knn", "kmeans"])
    ap.add_argument("lib", choices=["lightgbm", "sklearn"])
    ap.add_argument("train")
    ap.add_argument("test", nargs="?", help="test file (every mode but kmeans)")
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=None)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--fit-rows", type=int, default=200_000)
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--neighbors", type=int, default=5)
    args = ap.parse_args()
    if args.test is None and args.mode != "kmeans":
        ap.error(f"{args.mode} needs TRAIN and TEST")
    if args.leaves is None:
        args.leaves = 31 if args.mode == "predict" else 255
    try:
        if args.lib == "lightgbm":
            import lightgbm  # noqa: F401
        else:
            import sklearn  # noqa: F401
    except ImportError as e:
        print(json.dumps({"skipped": f"import failed: {e}"}))
        return 0
    job = {
        "gbdt": gbdt,
        "forest": forest,
        "predict": predict,
        "logistic": logistic,
        "svm": svm,
        "knn": knn,
        "kmeans": kmeans,
    }[args.mode]
    print(json.dumps(job(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
