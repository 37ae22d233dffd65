"""Peer side of the `train` workload: the script a Python user writes instead of `kiln train`.

    python bench/peers/train_mlflow.py DATA.parquet STORE_DIR [--target y] [--rounds 100]
        [--leaves 255] [--threads 2] [--folds 0] [--seed 42]

Reads DATA with pandas (pyarrow engine), splits 80/20 stratified, optionally cross-validates
(`--folds N` ≥ 2: `cross_validate` of the whole pipeline, stratified, ROC-AUC), fits a
scikit-learn `Pipeline([SimpleImputer(), LGBMClassifier(...)])` on the training rows, scores the
test rows (`predict_proba`, `roc_auc_score`), then records the run with MLflow: parameters,
metrics, `mlflow.sklearn.log_model` and a registered model version. Tracking goes to a local
file store under STORE_DIR (`file:` URI; MLflow 3 keeps that backend only behind
`MLFLOW_ALLOW_FILE_STORE=true`, which this script sets), the model registry to a SQLite file
`STORE_DIR/registry.db` (the file store has no supported registry). STORE_DIR should be empty,
as a fresh kiln project is on the kiln side.

Prints one JSON object: the test AUC, the row counts and the inner phases in seconds (imports
included, as a user waits for them). The process's own wall time, start to exit, is measured by
the caller. If MLflow cannot be imported, the run is still made without the logging, and the
JSON says so in `mlflow_skipped`; `{"skipped": reason}` if pandas, scikit-learn or LightGBM is
missing.
"""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

# Python puts this script's folder first on sys.path, and bench/peers/profile.py would then
# shadow the standard library's `profile` module that MLflow imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

SKOPS_TRUSTED_TYPES = [
    "collections.OrderedDict",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "numpy.dtype",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("store", help="an empty directory for the MLflow tracking and registry stores")
    ap.add_argument("--target", default="y")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=255)
    ap.add_argument("--learning-rate", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--folds", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    phases = {}

    t = time.perf_counter()
    try:
        import pandas as pd
        from lightgbm import LGBMClassifier
        from sklearn.impute import SimpleImputer
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
        from sklearn.pipeline import Pipeline
    except ImportError as e:
        print(json.dumps({"skipped": f"cannot import {e.name}: {e}"}))
        return 0
    phases["import_ml"] = time.perf_counter() - t

    t = time.perf_counter()
    try:
        # Set before the import: MLflow 3 refuses a `file:` tracking store without it.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        import mlflow
        import mlflow.sklearn

        mlflow_version = mlflow.__version__
        mlflow_skipped = None
    except ImportError as e:
        mlflow, mlflow_version = None, None
        mlflow_skipped = f"cannot import {e.name}: {e}; run made without MLflow logging"
        print(f"train_mlflow.py: {mlflow_skipped}", file=sys.stderr)
    phases["import_mlflow"] = time.perf_counter() - t

    t = time.perf_counter()
    df = pd.read_parquet(args.data, engine="pyarrow")
    phases["read"] = time.perf_counter() - t

    t = time.perf_counter()
    y = df[args.target].to_numpy()
    x = df.drop(columns=[args.target])
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    phases["split"] = time.perf_counter() - t

    params = {
        "n_estimators": args.rounds,
        "num_leaves": args.leaves,
        "learning_rate": args.learning_rate,
        "n_jobs": args.threads,
        "random_state": args.seed,
        "verbose": -1,
    }

    def pipeline():
        return Pipeline([("impute", SimpleImputer()), ("model", LGBMClassifier(**params))])

    cv_auc = None
    if args.folds >= 2:
        t = time.perf_counter()
        folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
        # n_jobs=1: the folds run one after the other, each with the model's threads, as
        # kiln's folds do.
        cv = cross_validate(pipeline(), x_train, y_train, cv=folds, scoring="roc_auc", n_jobs=1)
        cv_auc = [float(v) for v in cv["test_score"]]
        phases["cv"] = time.perf_counter() - t

    t = time.perf_counter()
    model = pipeline().fit(x_train, y_train)
    phases["fit"] = time.perf_counter() - t

    t = time.perf_counter()
    proba = model.predict_proba(x_test)[:, 1]
    auc = float(roc_auc_score(y_test, proba))
    phases["predict_score"] = time.perf_counter() - t

    registered = None
    if mlflow is not None:
        t = time.perf_counter()
        store = os.path.abspath(args.store)
        mlflow.set_tracking_uri("file:" + os.path.join(store, "mlruns"))
        mlflow.set_registry_uri("sqlite:///" + os.path.join(store, "registry.db"))
        mlflow.set_experiment("bench-train")
        with mlflow.start_run():
            mlflow.log_params({k: v for k, v in params.items() if k != "verbose"})
            mlflow.log_params({"folds": args.folds, "test_size": 0.2, "rows": len(df)})
            metrics = {"test_roc_auc": auc}
            if cv_auc:
                metrics["cv_roc_auc_mean"] = sum(cv_auc) / len(cv_auc)
            mlflow.log_metrics(metrics)
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                input_example=x_test.head(5),
                registered_model_name="bench-train",
                # MLflow 3 saves scikit-learn models with skops, which refuses types it does
                # not know unless they are named; these are the ones this pipeline holds.
                skops_trusted_types=SKOPS_TRUSTED_TYPES,
            )
            registered = getattr(info, "registered_model_version", None)
        phases["mlflow_log_register"] = time.perf_counter() - t

    print(
        json.dumps(
            {
                "test_auc": auc,
                "cv_auc": cv_auc,
                "rows": {"train": len(y_train), "test": len(y_test)},
                "mlflow": mlflow_version,
                "mlflow_skipped": mlflow_skipped,
                "registered_version": registered,
                "phases": phases,
                "in_script_seconds": time.perf_counter() - T_START,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
