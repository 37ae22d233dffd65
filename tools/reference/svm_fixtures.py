"""Reference fixtures for kiln's support vector machines and k-nearest neighbours (scikit-learn).

Run from anywhere:  python tools/reference/svm_fixtures.py
Writes JSON under tests/fixtures/svm/:

- svc.json: SVC (libsvm) with the linear, polynomial, RBF and sigmoid kernels on standardised
  breast_cancer / iris / wine and a make_classification set: decision values ("ovo" and "ovr"
  shapes), predictions, support indices, intercepts; Platt probabilities for the
  `probability=True` cases; class_weight and sample_weight cases.
- svr.json: epsilon-SVR on diabetes (features and target standardised) with three kernels.
- linear_svc.json: LinearSVC(dual=True) with hinge and squared hinge, binary and multiclass.
- knn.json: KNeighborsClassifier / KNeighborsRegressor for every metric and weighting, with
  kneighbors distances and indices, predictions and probabilities.

Each case stores its data (train/test split, standardised with statistics of the training rows)
and parameters next to the results, so the Rust tests need no Python.
"""

import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_classification,
    make_regression,
)
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "svm")


def write_json(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")


def versions():
    return {"sklearn": sklearn.__version__, "numpy": np.__version__}


def scaled_split(x, y, stratify=True, seed=0):
    xtr, xte, ytr, yte = train_test_split(
        x, y, test_size=0.3, random_state=seed, stratify=y if stratify else None
    )
    scaler = StandardScaler().fit(xtr)
    return scaler.transform(xtr), scaler.transform(xte), ytr, yte


def classification_sets():
    sets = {}
    for name, loader in (("breast_cancer", load_breast_cancer), ("iris", load_iris), ("wine", load_wine)):
        d = loader()
        sets[name] = scaled_split(d.data, d.target.astype(float))
    x, y = make_classification(
        n_samples=600,
        n_features=12,
        n_informative=6,
        n_redundant=2,
        n_classes=3,
        n_clusters_per_class=2,
        flip_y=0.05,
        random_state=7,
    )
    sets["synthetic"] = scaled_split(x, y.astype(float))
    return sets


KERNELS = {
    "linear": dict(kernel="linear"),
    "poly": dict(kernel="poly", degree=3, coef0=1.0, gamma="scale"),
    "rbf": dict(kernel="rbf", gamma="scale"),
    "sigmoid": dict(kernel="sigmoid", coef0=0.0, gamma="auto"),
}


def dataset_json(data):
    xtr, xte, ytr, yte = data
    return {"x_train": xtr.tolist(), "y_train": ytr.tolist(), "x_test": xte.tolist(), "y_test": yte.tolist()}


def svc_case(name, sets, data_name, params, sample_weight=None):
    xtr, xte, ytr, yte = sets[data_name]
    model = SVC(tol=1e-3, **params).fit(xtr, ytr, sample_weight=sample_weight)
    ovo = SVC(tol=1e-3, decision_function_shape="ovo", **params).fit(xtr, ytr, sample_weight=sample_weight)
    dec_ovo = ovo.decision_function(xte)
    if dec_ovo.ndim == 1:
        dec_ovo = dec_ovo[:, None]
    dec_ovr = model.decision_function(xte)
    if dec_ovr.ndim == 1:
        dec_ovr = dec_ovr[:, None]
    case = {
        "name": name,
        "params": {k: v for k, v in params.items() if k != "random_state"},
        "gamma": float(model._gamma),
        "data": data_name,
        "decision_ovo": dec_ovo.tolist(),
        "decision_ovr": dec_ovr.tolist(),
        "prediction": model.predict(xte).tolist(),
        "support": model.support_.tolist(),
        "intercept": model.intercept_.tolist(),
        "accuracy": float(np.mean(model.predict(xte) == yte)),
    }
    if sample_weight is not None:
        case["sample_weight"] = sample_weight.tolist()
    if params.get("probability"):
        case["proba"] = model.predict_proba(xte).tolist()
    print(name, "accuracy", round(case["accuracy"], 4), "n_sv", len(case["support"]))
    return case


def svc_fixtures(sets):
    cases = []
    for data_name, data in sets.items():
        for kernel_name, kernel in KERNELS.items():
            c = 10.0 if kernel_name == "rbf" and data_name == "synthetic" else 1.0
            cases.append(svc_case(f"{data_name}_{kernel_name}", sets, data_name, dict(C=c, **kernel)))
    cases.append(
        svc_case("iris_rbf_probability", sets, "iris", dict(C=1.0, probability=True, random_state=0, **KERNELS["rbf"]))
    )
    cases.append(
        svc_case(
            "breast_cancer_rbf_probability",
            sets,
            "breast_cancer",
            dict(C=1.0, probability=True, random_state=0, **KERNELS["rbf"]),
        )
    )
    cases.append(
        svc_case("wine_rbf_balanced", sets, "wine", dict(C=1.0, class_weight="balanced", **KERNELS["rbf"]))
    )
    cases.append(
        svc_case("wine_rbf_gamma_value", sets, "wine", dict(C=3.0, kernel="rbf", gamma=0.05, shrinking=False))
    )
    rng = np.random.default_rng(3)
    xtr = sets["breast_cancer"][0]
    weights = rng.uniform(0.2, 2.0, size=len(xtr))
    weights[:10] = 0.0  # zero-weight rows leave the problem
    cases.append(
        svc_case("breast_cancer_rbf_sample_weight", sets, "breast_cancer", dict(C=1.0, **KERNELS["rbf"]), weights)
    )
    datasets = {name: dataset_json(data) for name, data in sets.items()}
    write_json("svc.json", {"versions": versions(), "tol": 1e-3, "datasets": datasets, "cases": cases})


def svr_fixtures():
    d = load_diabetes()
    xtr, xte, ytr, yte = train_test_split(d.data, d.target, test_size=0.3, random_state=0)
    xs = StandardScaler().fit(xtr)
    ym, ys = ytr.mean(), ytr.std()
    xtr, xte = xs.transform(xtr), xs.transform(xte)
    ytr, yte = (ytr - ym) / ys, (yte - ym) / ys
    cases = []
    for kernel_name in ("rbf", "linear", "poly"):
        params = dict(C=1.0, epsilon=0.1, **KERNELS[kernel_name])
        model = SVR(tol=1e-3, **params).fit(xtr, ytr)
        pred = model.predict(xte)
        cases.append(
            {
                "name": f"diabetes_{kernel_name}",
                "params": params,
                "gamma": float(model._gamma),
                "x_train": xtr.tolist(),
                "y_train": ytr.tolist(),
                "x_test": xte.tolist(),
                "y_test": yte.tolist(),
                "prediction": pred.tolist(),
                "support": model.support_.tolist(),
                "intercept": float(model.intercept_[0]),
                "r2": float(1 - np.sum((pred - yte) ** 2) / np.sum((yte - yte.mean()) ** 2)),
            }
        )
        print(cases[-1]["name"], "r2", round(cases[-1]["r2"], 4), "n_sv", len(cases[-1]["support"]))
    write_json("svr.json", {"versions": versions(), "tol": 1e-3, "cases": cases})


def linear_svc_fixtures(sets):
    cases = []
    for data_name in ("breast_cancer", "iris", "wine"):
        xtr, xte, ytr, yte = sets[data_name]
        for loss in ("hinge", "squared_hinge"):
            params = dict(C=1.0, loss=loss, fit_intercept=True, intercept_scaling=1.0)
            model = LinearSVC(dual=True, tol=1e-6, max_iter=200000, random_state=0, **params).fit(xtr, ytr)
            dec = model.decision_function(xte)
            if dec.ndim == 1:
                dec = dec[:, None]
            cases.append(
                {
                    "name": f"{data_name}_{loss}",
                    "params": dict(params, tol=1e-6, max_iter=200000),
                    "data": data_name,
                    "coef": model.coef_.tolist(),
                    "intercept": model.intercept_.tolist(),
                    "decision": dec.tolist(),
                    "prediction": model.predict(xte).tolist(),
                    "n_iter": int(model.n_iter_),
                }
            )
            print(cases[-1]["name"], "n_iter", cases[-1]["n_iter"])
    datasets = {name: dataset_json(sets[name]) for name in ("breast_cancer", "iris", "wine")}
    write_json("linear_svc.json", {"versions": versions(), "datasets": datasets, "cases": cases})


KNN_METRICS = {
    "euclidean": dict(metric="euclidean"),
    "manhattan": dict(metric="manhattan"),
    "minkowski3": dict(metric="minkowski", p=3),
    "cosine": dict(metric="cosine"),
}


def knn_fixtures(sets):
    """Neighbours, predictions and probabilities for every metric and weighting.

    The data sets span scikit-learn's algorithm choice: iris (4 features) and wine (13) get a
    KD-tree under algorithm="auto", breast_cancer (30) brute force; cosine is always brute.
    """
    d = load_diabetes()
    reg = scaled_split(d.data, d.target, stratify=False)
    datasets = {name: dataset_json(sets[name]) for name in ("iris", "wine", "breast_cancer")}
    datasets["diabetes"] = dataset_json(reg)
    cases = []
    for data_name in ("iris", "wine", "breast_cancer", "diabetes"):
        xtr, xte, ytr, _ = reg if data_name == "diabetes" else sets[data_name]
        for metric_name, metric in KNN_METRICS.items():
            for weights in ("uniform", "distance"):
                params = dict(n_neighbors=5, weights=weights, **metric)
                if data_name == "diabetes":
                    model = KNeighborsRegressor(**params).fit(xtr, ytr)
                else:
                    model = KNeighborsClassifier(**params).fit(xtr, ytr)
                dist, idx = model.kneighbors(xte)
                case = {
                    "name": f"{data_name}_{metric_name}_{weights}",
                    "data": data_name,
                    "task": "regression" if data_name == "diabetes" else "classification",
                    "params": params,
                    "algorithm": model._fit_method,
                    "distances": dist.tolist(),
                    "indices": idx.tolist(),
                    "prediction": model.predict(xte).tolist(),
                }
                if data_name != "diabetes":
                    case["proba"] = model.predict_proba(xte).tolist()
                cases.append(case)
    # Exact ties: an integer grid with every point twice, queried at grid and half-grid points.
    # scikit-learn's brute force keeps tied rows in index order; kiln does so for every algorithm.
    grid = np.array([[i, j] for i in range(5) for j in range(5)] * 2, dtype=float)
    labels = (grid.sum(axis=1) % 3).astype(float)
    queries = np.array([[2, 2], [0, 0], [1.5, 2.5], [4, 1], [2.5, 2.5], [3, 0.5]], dtype=float)
    datasets["grid_ties"] = {"x_train": grid.tolist(), "y_train": labels.tolist(), "x_test": queries.tolist()}
    for metric_name in ("euclidean", "manhattan"):
        params = dict(n_neighbors=7, weights="uniform", **KNN_METRICS[metric_name])
        model = KNeighborsClassifier(algorithm="brute", **params).fit(grid, labels)
        dist, idx = model.kneighbors(queries)
        cases.append(
            {
                "name": f"grid_ties_{metric_name}",
                "data": "grid_ties",
                "task": "classification",
                "params": params,
                "algorithm": "brute",
                "distances": dist.tolist(),
                "indices": idx.tolist(),
                "prediction": model.predict(queries).tolist(),
                "proba": model.predict_proba(queries).tolist(),
            }
        )
    write_json("knn.json", {"versions": versions(), "datasets": datasets, "cases": cases})


def main() -> int:
    # SVC(probability=True) is deprecated in favour of CalibratedClassifierCV from 1.9; it is
    # still libsvm's Platt scaling, which is what kiln reproduces.
    warnings.filterwarnings("ignore", message="The `probability` parameter was deprecated")
    sets = classification_sets()
    svc_fixtures(sets)
    svr_fixtures()
    linear_svc_fixtures(sets)
    knn_fixtures(sets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
