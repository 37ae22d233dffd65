"""Reference fixtures for kiln-prep: transformers, splits/folds and resampling.

Writes JSON into tests/fixtures/prep/ (repository root), plus `mixed.csv`, a derived table with
missing cells, categoricals with rare and unseen levels and a constant column, built from the
bundled auto_mpg data so that Rust and Python read byte-identical inputs.

Each transformer case names a dataset, the input columns, the training rows and the kiln step
specs (the same JSON kiln deserializes), and stores what scikit-learn produces: the fit_transform
output on the training rows and the transform output on all rows. Missing values are written as
JSON null. Run alone or through generate.py:

    python tools/reference/prep_fixtures.py
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_selection import SelectKBest, VarianceThreshold, chi2, f_classif, f_regression
from sklearn.impute import SimpleImputer
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    PowerTransformer,
    RobustScaler,
    StandardScaler,
    TargetEncoder,
)

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / "crates" / "kiln-data" / "datasets"
OUT = REPO / "tests" / "fixtures" / "prep"

DATA_PATHS = {
    "wine": DATASETS / "wine.csv",
    "diabetes": DATASETS / "diabetes.csv",
    "breast_cancer": DATASETS / "breast_cancer.csv",
    "iris": DATASETS / "iris.csv",
    "mixed": OUT / "mixed.csv",
    "wine_missing": OUT / "wine_missing.csv",
}


def cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f)
    return str(v)


def build_mixed() -> list[int]:
    """Write mixed.csv; return its training rows."""
    auto = pd.read_csv(DATASETS / "auto_mpg.csv")
    auto = auto[auto["mpg"].notna()].reset_index(drop=True)
    n = len(auto)
    rng = np.random.default_rng(7)
    df = pd.DataFrame()
    df["cylinders"] = auto["cylinders"].astype(int)
    for col, share in [("displacement", 0.10), ("horsepower", 0.0), ("weight", 0.05), ("acceleration", 0.03)]:
        v = auto[col].astype(float).to_numpy().copy()
        if share > 0:
            v[rng.random(n) < share] = np.nan
        df[col] = v
    df["model_year"] = auto["model_year"].astype(int)
    df["origin"] = auto["origin"]
    colours = rng.choice(["red", "blue", "green", "violet", "amber"], size=n, p=[0.45, 0.3, 0.19, 0.03, 0.03]).astype(object)
    colours[rng.random(n) < 0.06] = None
    train = np.sort(np.random.default_rng(0).permutation(n)[: int(n * 0.7)])
    test = np.setdiff1d(np.arange(n), train)
    colours[test[:3]] = "teal"  # a level never seen in training
    df["colour"] = colours
    df["const"] = 3.5
    df["mpg"] = auto["mpg"].astype(float)
    tert = np.quantile(df["mpg"], [1 / 3, 2 / 3])
    df["mpg_class"] = np.where(df["mpg"] < tert[0], "low", np.where(df["mpg"] < tert[1], "mid", "high"))
    df["efficient"] = np.where(df["mpg"] >= 25, "yes", "no")
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "mixed.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(df.columns)
        for row in df.itertuples(index=False):
            w.writerow([cell(v) for v in row])
    return [int(i) for i in train]


def build_wine_missing() -> None:
    """Write wine_missing.csv: wine with about 8% of the feature cells emptied (continuous
    values, so nearest-neighbour distances have no ties)."""
    wine = pd.read_csv(DATASETS / "wine.csv")
    rng = np.random.default_rng(11)
    cols = [c for c in wine.columns if c != "cultivar"]
    for c in cols:
        v = wine[c].astype(float).to_numpy().copy()
        v[rng.random(len(v)) < 0.08] = np.nan
        wine[c] = v
    with open(OUT / "wine_missing.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(wine.columns)
        for row in wine.itertuples(index=False):
            w.writerow([cell(v) for v in row])


def vif_eliminate(X: np.ndarray, names: list[str], threshold: float):
    """Drop the column with the largest VIF (statsmodels, with an intercept) until all are at
    or below the threshold."""
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.tools import add_constant

    keep = list(range(X.shape[1]))
    while True:
        exog = add_constant(X[:, keep], has_constant="add")
        vifs = [variance_inflation_factor(exog, i + 1) for i in range(len(keep))]
        worst = int(np.argmax(vifs))
        if vifs[worst] <= threshold or len(keep) == 1:
            return [names[i] for i in keep], vifs
        keep.pop(worst)


def load(name: str) -> pd.DataFrame:
    df = pd.read_csv(DATA_PATHS[name], keep_default_na=False, na_values=[""])
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype).startswith("str"):
            df[c] = df[c].astype(object).where(df[c].notna(), np.nan)
    return df


def jsonable(a) -> list:
    a = np.asarray(a, dtype=float)
    return [[None if math.isnan(x) else float(x) for x in row] for row in a]


CASES: list[dict] = []


def case(name, data, columns, train, steps, model, *, target=None, task=None, tol=1e-9, sign_free=False, names=None):
    df = load(data)
    X = df[columns]
    if any(X[c].dtype == object for c in columns):
        X = X.astype(object)
    Xtr = X.iloc[train]
    entry = {"name": name, "data": data, "columns": columns, "train_rows": train, "steps": steps, "tol": tol, "sign_free": sign_free}
    if target is None:
        fit_out = model.fit_transform(Xtr)
    else:
        y = df[target].to_numpy()[train]
        fit_out = model.fit_transform(Xtr, y)
        entry["target"] = target
        entry["task"] = task
    entry["expected_train"] = jsonable(fit_out)
    entry["expected"] = jsonable(model.transform(X))
    if names is not None:
        entry["feature_names"] = names(model)
    CASES.append(entry)


def main() -> None:
    train = build_mixed()
    build_wine_missing()
    num = ["displacement", "horsepower", "weight", "acceleration"]
    cats = ["colour", "origin"]
    wine = load("wine")
    wine_cols = [c for c in wine.columns if c != "cultivar"]
    wine_train = list(range(0, 178, 2)) + list(range(1, 178, 4))
    wine_train.sort()

    for strategy in ["mean", "median", "most_frequent"]:
        case(f"simple_imputer_{strategy}", "mixed", num, train,
             [{"kind": "simple_imputer", "strategy": strategy, "add_indicator": True}],
             SimpleImputer(strategy=strategy, add_indicator=True))
    case("simple_imputer_constant", "mixed", num, train,
         [{"kind": "simple_imputer", "strategy": "constant", "fill_value": -1.0}],
         SimpleImputer(strategy="constant", fill_value=-1.0))
    case("cat_imputer_most_frequent_then_ordinal", "mixed", cats, train,
         [{"kind": "simple_imputer", "strategy": "most_frequent"}, {"kind": "ordinal_encoder", "unknown_value": -1.0}],
         make_pipeline(SimpleImputer(strategy="most_frequent"), OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)))
    case("cat_imputer_constant_then_ordinal", "mixed", cats, train,
         [{"kind": "simple_imputer", "strategy": "constant", "fill_value": "unknown"}, {"kind": "ordinal_encoder", "unknown_value": -1.0}],
         make_pipeline(SimpleImputer(strategy="constant", fill_value="unknown"), OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)))

    scaler_cols = num + ["const", "cylinders"]
    for data, cols, tr in [("wine", wine_cols, wine_train), ("mixed", scaler_cols, train)]:
        case(f"standard_scaler_{data}", data, cols, tr, [{"kind": "standard_scaler"}], StandardScaler())
        case(f"min_max_scaler_{data}", data, cols, tr, [{"kind": "min_max_scaler", "feature_range": [-1.0, 2.0]}], MinMaxScaler(feature_range=(-1, 2)))
        case(f"robust_scaler_{data}", data, cols, tr, [{"kind": "robust_scaler", "quantile_range": [10.0, 90.0]}], RobustScaler(quantile_range=(10, 90)))
        case(f"max_abs_scaler_{data}", data, cols, tr, [{"kind": "max_abs_scaler"}], MaxAbsScaler())

    onehot_names = lambda m: [n.replace("infrequent_sklearn", "<infrequent>").replace("_nan", "=<missing>") for n in m.get_feature_names_out()]
    case("one_hot_ignore", "mixed", cats, train,
         [{"kind": "one_hot_encoder", "handle_unknown": "ignore"}],
         OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    case("one_hot_infrequent", "mixed", cats, train,
         [{"kind": "one_hot_encoder", "handle_unknown": "infrequent", "min_frequency": 10}],
         OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10, sparse_output=False))
    case("one_hot_infrequent_share", "mixed", cats, train,
         [{"kind": "one_hot_encoder", "handle_unknown": "infrequent", "min_frequency": 0.1}],
         OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.1, sparse_output=False))
    for drop in ["first", "if_binary"]:
        case(f"one_hot_drop_{drop}", "mixed", cats + ["efficient"], train,
             [{"kind": "one_hot_encoder", "handle_unknown": "ignore", "drop": drop}],
             OneHotEncoder(handle_unknown="ignore", drop=drop, sparse_output=False),
             names=lambda m: [n.replace("_nan", "=<missing>").replace("colour_", "colour=").replace("origin_", "origin=").replace("efficient_", "efficient=")
                              for n in m.get_feature_names_out()])
    case("ordinal_unknown_minus_one", "mixed", cats, train,
         [{"kind": "ordinal_encoder", "unknown_value": -1.0}],
         OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))

    # Target encoding: deterministic (unshuffled) cross-fitting so fold indices agree.
    case("target_encoder_binary", "mixed", cats, train,
         [{"kind": "target_encoder", "cv": 5}],
         TargetEncoder(cv=StratifiedKFold(5)), target="efficient", task="classification")
    case("target_encoder_continuous", "mixed", cats, train,
         [{"kind": "target_encoder", "cv": 5}],
         TargetEncoder(cv=KFold(5)), target="mpg", task="regression")
    case("target_encoder_multiclass", "mixed", cats, train,
         [{"kind": "target_encoder", "cv": 4, "smooth": 3.0}],
         TargetEncoder(cv=StratifiedKFold(4), smooth=3.0), target="mpg_class", task="classification")

    case("yeo_johnson_wine", "wine", wine_cols, wine_train, [{"kind": "yeo_johnson"}], PowerTransformer(), tol=1e-6)
    case("yeo_johnson_mixed", "mixed", num + ["cylinders"], train, [{"kind": "yeo_johnson"}], PowerTransformer(), tol=1e-6)

    case("pca_wine", "wine", wine_cols, wine_train,
         [{"kind": "standard_scaler"}, {"kind": "pca", "n_components": 5}],
         make_pipeline(StandardScaler(), PCA(5, svd_solver="full")), sign_free=True)
    case("pca_wine_whiten_share", "wine", wine_cols, wine_train,
         [{"kind": "standard_scaler"}, {"kind": "pca", "n_components": 0.8, "whiten": True}],
         make_pipeline(StandardScaler(), PCA(0.8, whiten=True, svd_solver="full")), sign_free=True)
    case("truncated_svd_wine", "wine", wine_cols, wine_train,
         [{"kind": "truncated_svd", "n_components": 3}],
         TruncatedSVD(3, algorithm="arpack", random_state=0), sign_free=True, tol=1e-6)

    keep = lambda m: [str(n) for n in m.get_feature_names_out()]
    case("variance_threshold_wine", "wine", wine_cols, wine_train,
         [{"kind": "variance_threshold", "threshold": 0.5}], VarianceThreshold(0.5), names=keep)
    case("select_k_best_f_classif_wine", "wine", wine_cols, wine_train,
         [{"kind": "select_k_best", "k": 5, "score": "f_classif"}], SelectKBest(f_classif, k=5),
         target="cultivar", task="classification", names=keep)
    case("select_k_best_chi2_wine", "wine", wine_cols, wine_train,
         [{"kind": "select_k_best", "k": 4, "score": "chi2"}], SelectKBest(chi2, k=4),
         target="cultivar", task="classification", names=keep)
    diab = load("diabetes")
    diab_cols = [c for c in diab.columns if c != "progression"]
    case("select_k_best_f_regression_diabetes", "diabetes", diab_cols, list(range(0, 442, 3)),
         [{"kind": "select_k_best", "k": 4, "score": "f_regression"}], SelectKBest(f_regression, k=4),
         target="progression", task="regression", names=keep)

    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.impute import KNNImputer

    wm = load("wine_missing")
    case("knn_imputer_wine", "wine_missing", wine_cols, wine_train,
         [{"kind": "knn_imputer", "n_neighbors": 5}], KNNImputer(n_neighbors=5))
    case("knn_imputer_wine_k3_scaled", "wine_missing", wine_cols, wine_train,
         [{"kind": "standard_scaler"}, {"kind": "knn_imputer", "n_neighbors": 3}],
         make_pipeline(StandardScaler(), KNNImputer(n_neighbors=3)))
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    case("iterative_imputer_wine", "wine_missing", wine_cols, wine_train,
         [{"kind": "standard_scaler"}, {"kind": "iterative_imputer"}],
         make_pipeline(StandardScaler(), IterativeImputer(random_state=0)), tol=1e-6)
    case("iterative_imputer_mixed_raw", "mixed", num + ["cylinders", "model_year"], train,
         [{"kind": "iterative_imputer", "max_iter": 5}],
         IterativeImputer(max_iter=5, random_state=0), tol=1e-6)
    case("lda_wine", "wine", wine_cols, wine_train, [{"kind": "lda"}],
         LinearDiscriminantAnalysis(solver="svd"), target="cultivar", task="classification", sign_free=True)
    case("lda_iris_one_component", "iris", ["sepal_length", "sepal_width", "petal_length", "petal_width"],
         list(range(0, 150, 2)), [{"kind": "lda", "n_components": 1}],
         LinearDiscriminantAnalysis(solver="svd", n_components=1), target="species", task="classification", sign_free=True)
    wine_x = wine[wine_cols].to_numpy(dtype=float)[wine_train]
    for threshold in [5.0, 2.5]:
        kept, vifs = vif_eliminate(wine_x, wine_cols, threshold)
        idx = [wine_cols.index(c) for c in kept]
        CASES.append({"name": f"vif_wine_{threshold}", "data": "wine", "columns": wine_cols, "train_rows": wine_train,
                      "steps": [{"kind": "vif_elimination", "threshold": threshold}], "tol": 1e-9, "sign_free": False,
                      "expected_train": jsonable(wine_x[:, idx]), "expected": jsonable(wine[wine_cols].to_numpy(dtype=float)[:, idx]),
                      "feature_names": kept, "vifs": [float(v) for v in vifs]})

    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"generator": "tools/reference/prep_fixtures.py", "scikit_learn": sklearn.__version__}
    with open(OUT / "transformers.json", "w") as f:
        json.dump({**meta, "cases": CASES}, f, separators=(",", ":"))
    write_splits(meta)
    write_resample(meta)


def write_splits(meta: dict) -> None:
    """Index sets of the deterministic splitters."""
    out = []
    iris = load("iris")
    mixed = load("mixed")
    bc = load("breast_cancer")

    def folds(splitter, X, y=None, groups=None):
        return [{"train": [int(i) for i in tr], "test": [int(i) for i in te]} for tr, te in splitter.split(X, y, groups)]

    for n, k in [(10, 3), (150, 5), (398, 7)]:
        out.append({"kind": "k_fold", "n": n, "n_splits": k, "folds": folds(KFold(k), np.zeros((n, 1)))})
    for name, df, target, k in [("iris", iris, "species", 5), ("mixed", mixed, "mpg_class", 4), ("breast_cancer", bc, "diagnosis", 10)]:
        y = df[target].to_numpy()
        out.append({"kind": "stratified_k_fold", "data": name, "target": target, "n_splits": k,
                    "folds": folds(StratifiedKFold(k), np.zeros((len(y), 1)), y)})
    # Unbalanced order of first appearance: classes ordered by first appearance in y.
    y = np.array([2, 2, 0, 1, 1, 0, 2, 1, 0, 0, 2, 2, 1, 0, 2, 1, 1, 2, 0, 2, 2, 1])
    out.append({"kind": "stratified_k_fold", "y": [int(v) for v in y], "n_splits": 3,
                "folds": folds(StratifiedKFold(3), np.zeros((len(y), 1)), y)})
    groups = mixed["model_year"].to_numpy()
    for k in [3, 5]:
        out.append({"kind": "group_k_fold", "data": "mixed", "groups": "model_year", "n_splits": k,
                    "folds": folds(GroupKFold(k), np.zeros((len(groups), 1)), None, groups)})
    for n, k, test_size, gap, max_train in [(20, 4, None, 0, None), (398, 5, None, 0, None), (100, 3, 10, 2, None), (100, 4, None, 1, 30)]:
        s = TimeSeriesSplit(k, test_size=test_size, gap=gap, max_train_size=max_train)
        out.append({"kind": "time_series_split", "n": n, "n_splits": k, "test_size": test_size, "gap": gap,
                    "max_train_size": max_train, "folds": folds(s, np.zeros((n, 1)))})
    for n, test_size in [(398, 0.25), (150, 0.2), (10, 0.33)]:
        tr, te = train_test_split(np.arange(n), test_size=test_size, shuffle=False)
        out.append({"kind": "train_test_split", "n": n, "test_size": test_size,
                    "folds": [{"train": [int(i) for i in tr], "test": [int(i) for i in te]}]})
    y = bc["diagnosis"].to_numpy()
    tr, te = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=0)
    out.append({"kind": "stratified_train_test_sizes", "data": "breast_cancer", "target": "diagnosis", "test_size": 0.25,
                "train_counts": {k: int(v) for k, v in zip(*np.unique(y[tr], return_counts=True))},
                "test_counts": {k: int(v) for k, v in zip(*np.unique(y[te], return_counts=True))}})
    with open(OUT / "splits.json", "w") as f:
        json.dump({**meta, "cases": out}, f, separators=(",", ":"))


def write_resample(meta: dict) -> None:
    """Class counts of the over-samplers and the exact rows kept by the deterministic
    under-samplers, on the first ten breast_cancer features (raw and standardised)."""
    from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE
    from imblearn.under_sampling import NearMiss, TomekLinks
    import imblearn

    bc = load("breast_cancer")
    cols = [c for c in bc.columns if c != "diagnosis"][:10]
    classes = sorted(bc["diagnosis"].unique())
    y = np.array([classes.index(v) for v in bc["diagnosis"]])
    out = []
    for scaled in [False, True]:
        X = bc[cols].to_numpy(dtype=float)
        if scaled:
            X = StandardScaler().fit_transform(X)
        entry = {"columns": cols, "standardize": scaled}
        for name, sampler in [("smote", SMOTE(k_neighbors=5, random_state=0)),
                              ("borderline_smote", BorderlineSMOTE(k_neighbors=5, m_neighbors=10, random_state=0)),
                              ("adasyn", ADASYN(n_neighbors=5, random_state=0))]:
            _, yr = sampler.fit_resample(X, y)
            entry[name + "_counts"] = [int(v) for v in np.bincount(yr)]
        tl = TomekLinks()
        tl.fit_resample(X, y)
        entry["tomek_links_rows"] = [int(i) for i in tl.sample_indices_]
        nm = NearMiss(version=1, n_neighbors=3)
        nm.fit_resample(X, y)
        entry["near_miss_rows"] = sorted(int(i) for i in nm.sample_indices_)
        out.append(entry)
    from imblearn.over_sampling import SMOTENC

    mixed = load("mixed")
    nc_cols = ["cylinders", "model_year", "mpg", "origin"]
    origins = sorted(mixed["origin"].unique())
    Xnc = np.column_stack([mixed["cylinders"], mixed["model_year"], mixed["mpg"],
                           [origins.index(v) for v in mixed["origin"]]]).astype(float)
    ync = np.array([0 if v == "no" else 1 for v in mixed["efficient"]])
    _, yr = SMOTENC(categorical_features=[3], k_neighbors=5, random_state=0).fit_resample(Xnc, ync)
    smote_nc = {"data": "mixed", "columns": nc_cols, "categorical": ["origin"], "target": "efficient",
                "counts": [int(v) for v in np.bincount(yr)]}
    with open(OUT / "resample.json", "w") as f:
        json.dump({**meta, "imbalanced_learn": imblearn.__version__, "cases": out, "smote_nc": smote_nc}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
