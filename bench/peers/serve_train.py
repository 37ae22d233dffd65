"""Peer side of the `serve` workload, step 1: fit in Python the pipeline kiln registered.

    python bench/peers/serve_train.py DATA.csv MODEL.json OUT_DIR [--threads 2] [--seed 42]

DATA.csv is the dataset kiln trained on (`kiln datasets export penguins`), MODEL.json the output
of `kiln models show quickstart@production --json`. The script rebuilds kiln's pipeline from the
registered spec — each preparation block (`one_hot_encoder`, `simple_imputer`,
`standard_scaler` steps on the columns the block selects by name or type) as a scikit-learn
`ColumnTransformer` branch, and the model (`logistic_regression` as scikit-learn's
`LogisticRegression`, `gbdt` as LightGBM's `LGBMClassifier`) with the same hyper-parameters —
splits the rows 80/20 stratified (`random_state` = the spec's seed; kiln's own split uses
another generator, so the training rows are not the same ones) and fits it. Then:

- `OUT_DIR/pipeline.joblib`: the fitted pipeline, for the FastAPI app (`serve_fastapi.py`);
- `OUT_DIR/fields.json`: the input columns and their JSON types, for the FastAPI request model;
- an MLflow run in a local file store `OUT_DIR/mlruns` with `mlflow.sklearn.log_model`, and the
  logged model copied to `OUT_DIR/mlflow_model` for `mlflow models serve`.

Prints one JSON object (`{"skipped": reason}` if a package is missing or the spec holds a step
this translation does not know).
"""

import argparse
import json
import os
import sys

# Python puts this script's folder first on sys.path, and bench/peers/profile.py would then
# shadow the standard library's `profile` module that MLflow imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

NUMERIC_TYPES = {"numeric", "integer", "boolean"}


class Unsupported(Exception):
    """The registered spec holds something this translation does not reproduce."""


def block_columns(selector, fields, taken):
    """The input columns a kiln prep block selects, in kiln's rule: every named column, and the
    columns of one of `types` with one of `roles` (default `feature`) not taken by an earlier
    block."""
    names = list(selector.get("names") or [])
    types = set(selector.get("types") or [])
    roles = set(selector.get("roles") or ["feature"])
    for f in fields:
        if f["type"] in types and f.get("role", "feature") in roles and f["name"] not in taken:
            if f["name"] not in names:
                names.append(f["name"])
    return names


def step(spec):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    kind = spec["kind"]
    if kind == "one_hot_encoder":
        if spec.get("drop") is not None or spec.get("min_frequency") is not None:
            raise Unsupported(f"one_hot_encoder options {spec}")
        # A missing category is a category of its own (kiln's `col=<missing>` column);
        # scikit-learn's encoder does the same with NaN.
        return OneHotEncoder(handle_unknown=spec.get("handle_unknown", "error"), sparse_output=False)
    if kind == "simple_imputer":
        kw = {"strategy": spec["strategy"], "add_indicator": bool(spec.get("add_indicator"))}
        if spec.get("fill_value") is not None:
            kw["fill_value"] = spec["fill_value"]
        return SimpleImputer(**kw)
    if kind == "standard_scaler":
        return StandardScaler(with_mean=spec.get("with_mean", True), with_std=spec.get("with_std", True))
    raise Unsupported(f"prep step kind '{kind}'")


def preparation(prep, fields):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if prep.get("resample") is not None:
        raise Unsupported("resampling in the prep spec")
    branches, taken = [], set()
    for block in prep["blocks"]:
        cols = block_columns(block["columns"], fields, taken)
        if not cols:
            continue
        taken.update(cols)
        steps = [(f"{s['kind']}_{i}", step(s)) for i, s in enumerate(block["steps"])]
        branches.append((block["name"], Pipeline(steps) if steps else "passthrough", cols))
    remainder = prep.get("remainder", "drop")
    if remainder not in ("drop", "passthrough"):
        raise Unsupported(f"remainder '{remainder}'")
    return ColumnTransformer(branches, remainder=remainder, verbose_feature_names_out=False)


def estimator(model, threads):
    kind = model["kind"]
    if kind == "logistic_regression":
        from sklearn.linear_model import LogisticRegression

        if model.get("penalty", "l2") != "l2":
            raise Unsupported(f"logistic penalty {model.get('penalty')}")
        cw = model.get("class_weight", "none")
        return LogisticRegression(
            C=model["c"],
            l1_ratio=0.0,
            fit_intercept=model.get("fit_intercept", True),
            max_iter=model["max_iter"],
            tol=model["tol"],
            class_weight=None if cw in (None, "none") else cw,
        )
    if kind == "gbdt":
        from lightgbm import LGBMClassifier

        if model.get("categorical_features"):
            raise Unsupported("GBDT native categorical features")
        return LGBMClassifier(
            n_estimators=model["n_estimators"],
            learning_rate=model["learning_rate"],
            num_leaves=model["num_leaves"],
            max_depth=model.get("max_depth") or -1,
            min_child_samples=model.get("min_data_in_leaf", 20),
            min_child_weight=model.get("min_sum_hessian_in_leaf", 1e-3),
            min_split_gain=model.get("min_gain_to_split", 0.0),
            colsample_bytree=model.get("feature_fraction", 1.0),
            subsample=model.get("bagging_fraction", 1.0),
            subsample_freq=model.get("bagging_freq", 0),
            max_bin=model.get("max_bin", 255),
            random_state=model.get("seed", 0),
            n_jobs=threads,
            verbose=-1,
        )
    raise Unsupported(f"model kind '{kind}'")


def json_type(field_type):
    return {"categorical": "string", "text": "string", "integer": "integer", "boolean": "boolean"}.get(
        field_type, "number"
    )


def skops_types(pipeline):
    """The types skops needs named to load this pipeline (MLflow 3 saves with skops)."""
    import skops.io

    return skops.io.get_untrusted_types(data=skops.io.dumps(pipeline))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("model_json")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    try:
        import joblib
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import Pipeline
    except ImportError as e:
        print(json.dumps({"skipped": f"cannot import {e.name}: {e}"}))
        return 0

    with open(args.model_json) as f:
        manifest = json.load(f)["manifest"]
    spec, fields = manifest["spec"], manifest["input_schema"]["fields"]
    target = manifest["target_column"]
    try:
        pipeline = Pipeline(
            [("prep", preparation(spec["prep"], fields)), ("model", estimator(spec["model"], args.threads))]
        )
    except Unsupported as e:
        print(json.dumps({"skipped": f"the registered spec holds {e}, which serve_train.py does not translate"}))
        return 0
    except ImportError as e:
        print(json.dumps({"skipped": f"cannot import {e.name}: {e}"}))
        return 0

    df = pd.read_csv(args.data)
    names = [f["name"] for f in fields]
    df = df.dropna(subset=[target])
    x, y = df[names], df[target].astype(str).to_numpy()
    seed = spec["prep"].get("seed", 42)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    pipeline.fit(x_train, y_train)
    test_accuracy = float((pipeline.predict(x_test) == y_test).mean())

    os.makedirs(args.out, exist_ok=True)
    joblib.dump(pipeline, os.path.join(args.out, "pipeline.joblib"))
    with open(os.path.join(args.out, "fields.json"), "w") as f:
        json.dump([{"name": fd["name"], "type": json_type(fd["type"])} for fd in fields], f)

    mlflow_version, mlflow_skipped, model_dir = None, None, None
    try:
        # Set before the import: MLflow 3 refuses a `file:` tracking store without it.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        import mlflow
        import mlflow.sklearn

        mlflow_version = mlflow.__version__
    except ImportError as e:
        mlflow_skipped = f"cannot import {e.name}: {e}"
    if mlflow_skipped is None:
        out = os.path.abspath(args.out)
        mlflow.set_tracking_uri("file:" + os.path.join(out, "mlruns"))
        mlflow.set_experiment("bench-serve")
        with mlflow.start_run():
            mlflow.log_params({"model_kind": spec["model"]["kind"], "train_rows": len(y_train)})
            mlflow.log_metric("test_accuracy", test_accuracy)
            info = mlflow.sklearn.log_model(
                pipeline,
                name="model",
                input_example=x_train.head(5),
                skops_trusted_types=skops_types(pipeline),
            )
        model_dir = os.path.join(out, "mlflow_model")
        mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=model_dir)

    print(
        json.dumps(
            {
                "model_kind": spec["model"]["kind"],
                "estimator": type(pipeline.named_steps["model"]).__name__,
                "train_rows": len(y_train),
                "test_accuracy": test_accuracy,
                "mlflow": mlflow_version,
                "mlflow_skipped": mlflow_skipped,
                "mlflow_model": model_dir,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
