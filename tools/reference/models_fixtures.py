"""Reference fixtures for kiln-models, computed with scikit-learn and LightGBM.

Run from the repository root:  python tools/reference/models_fixtures.py
Writes JSON (and one small binary matrix) under tests/fixtures/models/. The data each reference
model saw is written next to its results, so the Rust tests read identical numbers and need no
Python. Datasets come straight from scikit-learn (load_* / make_classification).

`--timing [rows] [threads]` instead times LightGBM on the 1M x 28 benchmark set that the Rust example
`gbdt_speed` generates (same splitmix64 generator, reimplemented here with numpy).
"""

import json
import os
import sys
import time

import lightgbm as lgb
import numpy as np
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.ensemble import AdaBoostClassifier, ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, log_loss, r2_score, roc_auc_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "models")

# The GBDT parameters kiln and LightGBM share in the parity tests.
GBDT_PARAMS = dict(
    num_leaves=31,
    learning_rate=0.1,
    min_data_in_leaf=20,
    min_sum_hessian_in_leaf=1e-3,
    lambda_l1=0.0,
    lambda_l2=0.0,
    max_bin=255,
    feature_fraction=1.0,
    bagging_fraction=1.0,
    bagging_freq=0,
    verbose=-1,
    seed=0,
    deterministic=True,
    num_threads=1,
)
ROUNDS = 100


def write_json(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")


def versions():
    return {"sklearn": sklearn.__version__, "lightgbm": lgb.__version__, "numpy": np.__version__}


def lgb_case(name, x, y, objective, num_class=None, stratify=True):
    xtr, xte, ytr, yte = train_test_split(
        x, y, test_size=0.3, random_state=0, stratify=y if stratify else None
    )
    params = dict(GBDT_PARAMS, objective=objective)
    if num_class:
        params["num_class"] = num_class
    booster = lgb.train(params, lgb.Dataset(xtr, ytr), num_boost_round=ROUNDS)
    pred = booster.predict(xte)
    case = {
        "name": name,
        "objective": objective,
        "params": {k: v for k, v in params.items() if k not in ("verbose", "deterministic")},
        "rounds": ROUNDS,
        "x_train": xtr.tolist(),
        "y_train": ytr.tolist(),
        "x_test": xte.tolist(),
        "y_test": yte.tolist(),
        "prediction": pred.tolist(),
    }
    if objective == "binary":
        case["auc"] = roc_auc_score(yte, pred)
        case["logloss"] = log_loss(yte, pred)
    elif objective == "multiclass":
        case["logloss"] = log_loss(yte, pred, labels=list(range(num_class)))
        case["accuracy"] = accuracy_score(yte, pred.argmax(axis=1))
    else:
        case["rmse"] = float(np.sqrt(np.mean((pred - yte) ** 2)))
    print(name, {k: case[k] for k in ("auc", "logloss", "rmse", "accuracy") if k in case})
    return case


def synthetic_binary():
    """12k x 20 make_classification set, stored as little-endian f32 to stay small."""
    x, y = make_classification(
        n_samples=12000,
        n_features=20,
        n_informative=10,
        n_redundant=4,
        flip_y=0.03,
        class_sep=0.8,
        random_state=0,
    )
    x = x.astype(np.float32)
    path = os.path.join(OUT, "synthetic_binary_12000x20.f32le")
    x.astype("<f4").tofile(path)
    print(f"wrote {path}")
    return x.astype(np.float64), y.astype(np.float64)


def gbdt_fixtures():
    cases = []
    bc = load_breast_cancer()
    cases.append(lgb_case("breast_cancer", bc.data, bc.target.astype(float), "binary"))
    wine = load_wine()
    cases.append(lgb_case("wine", wine.data, wine.target.astype(float), "multiclass", 3))
    iris = load_iris()
    cases.append(lgb_case("iris", iris.data, iris.target.astype(float), "multiclass", 3))
    dia = load_diabetes()
    cases.append(lgb_case("diabetes", dia.data, dia.target.astype(float), "regression", stratify=False))
    write_json("gbdt_lightgbm.json", {"versions": versions(), "cases": cases})

    # The larger synthetic set: data goes to a binary file, the split and results to JSON.
    x, y = synthetic_binary()
    idx = np.arange(len(y))
    tr, te = idx[:8000], idx[8000:]
    params = dict(GBDT_PARAMS, objective="binary")
    booster = lgb.train(params, lgb.Dataset(x[tr], y[tr]), num_boost_round=ROUNDS)
    pred = booster.predict(x[te])
    syn = {
        "versions": versions(),
        "rows": int(len(y)),
        "cols": int(x.shape[1]),
        "n_train": 8000,
        "params": {k: v for k, v in params.items() if k not in ("verbose", "deterministic")},
        "rounds": ROUNDS,
        "y": y.tolist(),
        "auc": roc_auc_score(y[te], pred),
        "logloss": log_loss(y[te], pred),
    }
    print("synthetic", syn["auc"], syn["logloss"])
    write_json("gbdt_lightgbm_synthetic.json", syn)


def tree_nodes(est):
    t = est.tree_
    value = t.value[:, 0, :]
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "impurity": t.impurity.tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
        "weighted_n_node_samples": t.weighted_n_node_samples.tolist(),
        "value": value.tolist(),
    }


def distinct_trees(make, x, y):
    """Trees sklearn builds across seeds: ties between equal splits are broken by its RNG."""
    seen = {}
    for seed in range(40):
        nodes = tree_nodes(make(seed).fit(x, y))
        seen.setdefault(json.dumps(nodes), nodes)
    return list(seen.values())


def cart_fixtures():
    iris = load_iris()
    dia = load_diabetes()
    cases = [
        {
            "name": "iris_gini_depth3",
            "x": iris.data.tolist(),
            "y": iris.target.astype(float).tolist(),
            "criterion": "gini",
            "max_depth": 3,
            "min_samples_leaf": 1,
            "trees": distinct_trees(
                lambda s: DecisionTreeClassifier(max_depth=3, random_state=s), iris.data, iris.target
            ),
        },
        {
            "name": "iris_entropy_depth3",
            "x": iris.data.tolist(),
            "y": iris.target.astype(float).tolist(),
            "criterion": "entropy",
            "max_depth": 3,
            "min_samples_leaf": 1,
            "trees": distinct_trees(
                lambda s: DecisionTreeClassifier(criterion="entropy", max_depth=3, random_state=s),
                iris.data,
                iris.target,
            ),
        },
        {
            "name": "diabetes_squared_error_depth4",
            "x": dia.data.tolist(),
            "y": dia.target.astype(float).tolist(),
            "criterion": "squared_error",
            "max_depth": 4,
            "min_samples_leaf": 5,
            "trees": distinct_trees(
                lambda s: DecisionTreeRegressor(max_depth=4, min_samples_leaf=5, random_state=s),
                dia.data,
                dia.target,
            ),
        },
    ]
    for c in cases:
        print(c["name"], "distinct trees across seeds:", len(c["trees"]))
    write_json("cart_sklearn.json", {"versions": versions(), "cases": cases})


def forest_fixtures():
    kf = KFold(n_splits=5, shuffle=True, random_state=0)
    cases = []
    for name, data, task in [
        ("breast_cancer", load_breast_cancer(), "classification"),
        ("wine", load_wine(), "classification"),
        ("diabetes", load_diabetes(), "regression"),
    ]:
        x, y = data.data, data.target.astype(float)
        folds = [te.tolist() for _, te in kf.split(x)]
        scores = {"random_forest": [], "extra_trees": []}
        if task == "classification":
            scores["adaboost"] = []
        for tr, te in kf.split(x):
            if task == "classification":
                models = {
                    "random_forest": RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1),
                    "extra_trees": ExtraTreesClassifier(n_estimators=100, random_state=0, n_jobs=1),
                    # SAMME with depth-1 trees, 50 rounds (scikit-learn's defaults).
                    "adaboost": AdaBoostClassifier(n_estimators=50, random_state=0),
                }
            else:
                models = {
                    "random_forest": RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1),
                    "extra_trees": ExtraTreesRegressor(n_estimators=100, random_state=0, n_jobs=1),
                }
            for key, m in models.items():
                m.fit(x[tr], y[tr])
                p = m.predict(x[te])
                score = accuracy_score(y[te], p) if task == "classification" else r2_score(y[te], p)
                scores[key].append(score)
        case = {
            "name": name,
            "task": task,
            "x": x.tolist(),
            "y": y.tolist(),
            "test_folds": folds,
            "n_estimators": 100,
            "mean_score": {k: float(np.mean(v)) for k, v in scores.items()},
        }
        print(name, case["mean_score"])
        cases.append(case)
    write_json("forest_sklearn.json", {"versions": versions(), "cases": cases})


def splitmix64(z):
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def speed_dataset(rows, cols=28, seed=42):
    """Mirror of crates/kiln-models/examples/gbdt_speed.rs: uniform(-1, 1) features from splitmix64
    of (seed, cell index); label from a fixed nonlinear score plus hashed noise."""
    with np.errstate(over="ignore"):
        base = np.uint64(seed) * np.uint64(0x100000001B3)
        idx = np.arange(rows * cols, dtype=np.uint64)
        u = (splitmix64(base + idx) >> np.uint64(11)).astype(np.float64) / float(1 << 53)
        x = (2.0 * u - 1.0).reshape(rows, cols)
        noise_idx = np.arange(rows, dtype=np.uint64) + np.uint64(rows * cols)
        noise = (splitmix64(base + noise_idx) >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    score = (
        x[:, 0] * 2.0
        - x[:, 1] * 1.5
        + x[:, 2] * x[:, 3] * 2.0
        + np.sin(3.0 * x[:, 4])
        + np.abs(x[:, 5]) * 1.5
        - 0.75
        + (x[:, 6] > 0.3) * 1.0
        + x[:, 7] * x[:, 7]
        - 0.33
    )
    y = (score + (noise - 0.5) * 2.0 > 0.0).astype(np.float64)
    return x, y


def timing(rows, thread_counts):
    x, y = speed_dataset(rows)
    print("positives:", y.mean())
    for threads in thread_counts:
        params = dict(
            objective="binary",
            num_leaves=255,
            learning_rate=0.1,
            min_data_in_leaf=20,
            max_bin=255,
            verbose=-1,
            num_threads=threads,
            force_col_wise=True,
        )
        t0 = time.perf_counter()
        ds = lgb.Dataset(x, y)
        booster = lgb.train(params, ds, num_boost_round=100)
        t1 = time.perf_counter()
        p = booster.predict(x[:200_000], num_threads=threads)
        t2 = time.perf_counter()
        auc = roc_auc_score(y[:200_000], p)
        print(
            f"lightgbm rows={len(y)} threads={threads}: train {t1 - t0:.2f}s (incl. binning), "
            f"predict 200k {t2 - t1:.2f}s, train-AUC(first 200k) {auc:.5f}"
        )


def main():
    os.makedirs(OUT, exist_ok=True)
    if "--timing" in sys.argv:
        # --timing [rows] [threads]: defaults 1M rows, 1 and 2 threads.
        rest = sys.argv[sys.argv.index("--timing") + 1 :]
        rows = int(rest[0]) if rest else 1_000_000
        threads = [int(rest[1])] if len(rest) > 1 else [1, 2]
        timing(rows, threads)
        return
    gbdt_fixtures()
    cart_fixtures()
    forest_fixtures()


if __name__ == "__main__":
    main()
