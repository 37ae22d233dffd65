"""Peer side of the csv_read benchmark: time pyarrow and pandas reading one CSV file.

    python bench/peers/csv_read.py FILE [--repeat 3]

Prints one JSON object on stdout:

    {"pyarrow_s": 0.41, "pandas_s": 2.95, "rows": 1000000, "columns": 30,
     "versions": {"pyarrow": "26.0.1", "pandas": "3.1.1"}, "skipped": {}}

Each time is the best of `--repeat` runs and covers only the read call (the file into an
in-memory table / DataFrame with all options at their defaults: pyarrow uses its default thread
pool, pandas its default C engine). Importing the library and the first page-cache warm-up are
outside the timing: one untimed read runs first, so every timed read sees a warm cache, as kiln's
does. A peer whose package is missing gets `null` and a reason in "skipped"; the script still
exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def best_of(repeat: int, read) -> tuple[float, object]:
    result = read()  # warm-up: page cache, lazy imports inside the library
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = read()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    out: dict = {"pyarrow_s": None, "pandas_s": None, "rows": None, "columns": None}
    versions: dict = {}
    skipped: dict = {}

    try:
        import pyarrow
        import pyarrow.csv
    except ImportError as e:
        skipped["pyarrow"] = f"not installed ({e})"
    else:
        versions["pyarrow"] = pyarrow.__version__
        secs, table = best_of(args.repeat, lambda: pyarrow.csv.read_csv(args.file))
        out["pyarrow_s"] = secs
        out["rows"], out["columns"] = table.num_rows, table.num_columns
        del table

    try:
        import pandas
    except ImportError as e:
        skipped["pandas"] = f"not installed ({e})"
    else:
        versions["pandas"] = pandas.__version__
        secs, df = best_of(args.repeat, lambda: pandas.read_csv(args.file))
        out["pandas_s"] = secs
        rows, cols = df.shape
        if out["rows"] is not None and (rows, cols) != (out["rows"], out["columns"]):
            print(
                f"warning: pandas read {rows}x{cols}, pyarrow {out['rows']}x{out['columns']}",
                file=sys.stderr,
            )
        out["rows"], out["columns"] = rows, cols
        del df

    out["versions"] = versions
    out["skipped"] = skipped
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
