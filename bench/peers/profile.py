"""Peer side of the profile benchmark: time pandas computing the statistics of a profile.

    python bench/peers/profile.py FILE [--repeat 3]

Prints one JSON object on stdout:

    {"pandas_s": 95.1, "rows": 1000000, "columns": 50, "versions": {"pandas": "3.1.1"},
     "skipped": {}}

The file is read once with `pandas.read_csv` (not timed: kiln's `profile_seconds` excludes its
read too). The timed work, best of `--repeat`, is what a pandas profile computes:
`describe(include="all")`, `skew()`, `kurt()`, Pearson and Spearman `corr()` over the numeric
columns, and `value_counts()` of every column.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    out: dict = {"pandas_s": None, "rows": None, "columns": None}
    try:
        import pandas
    except ImportError as e:
        out["versions"], out["skipped"] = {}, {"pandas": f"not installed ({e})"}
        print(json.dumps(out))
        return 0
    df = pandas.read_csv(args.file)
    numeric = df.select_dtypes("number")

    def profile() -> None:
        df.describe(include="all")
        numeric.skew()
        numeric.kurt()
        numeric.corr(method="pearson")
        numeric.corr(method="spearman")
        for c in df.columns:
            df[c].value_counts()

    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        profile()
        best = min(best, time.perf_counter() - start)
    out["pandas_s"] = best
    out["rows"], out["columns"] = df.shape
    out["versions"] = {"pandas": pandas.__version__}
    out["skipped"] = {}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
