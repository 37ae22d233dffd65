"""Peer side of the `prep` bench workload: scikit-learn's ColumnTransformer on the same file.

    python bench/peers/prep.py FILE.parquet [--repeat 3]

Prints one JSON object: `sklearn_s` (best fit_transform time), `read_s` (pandas.read_parquet
time, not part of the comparison), the output shape, or `skipped` with the reason.

The transformer matches the kiln pipeline of `crates/kiln-prep/examples/prep_bench.rs`:
float columns → SimpleImputer(median) + StandardScaler; string columns → SimpleImputer
(most_frequent) + OneHotEncoder (dense output, unknown categories an error). Missing strings are
turned into NaN before timing, since SimpleImputer does not treat None as missing.
"""

import argparse
import json
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        import numpy as np
        import pandas as pd
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
    except ImportError as e:
        print(json.dumps({"skipped": {"sklearn": f"import failed: {e}"}}))
        return 0

    t = time.perf_counter()
    df = pd.read_parquet(args.file)
    read_s = time.perf_counter() - t
    numeric = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    strings = [c for c in df.columns if c not in numeric]
    for c in strings:
        df[c] = df[c].astype(object).where(df[c].notna(), np.nan)

    def transformer():
        return ColumnTransformer(
            [
                ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                (
                    "strings",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(sparse_output=False, handle_unknown="error"),
                    ),
                    strings,
                ),
            ],
            remainder="drop",
        )

    times = []
    shape = None
    for _ in range(args.repeat):
        ct = transformer()
        t = time.perf_counter()
        out = ct.fit_transform(df)
        times.append(time.perf_counter() - t)
        shape = list(out.shape)
        del out, ct
    print(json.dumps({"sklearn_s": min(times), "read_s": read_s, "shape": shape}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
