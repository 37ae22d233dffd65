"""`serve` workload: the label a running server predicts for each row of a rows file.

    python bench/peers/serve_labels.py ROWS.csv URL --format native|mlflow|record [--out FILE]
        [--compare KILN_LABELS.json]

Sends each row of ROWS.csv as its own request, in the same encoding the load generator uses (an
empty cell is `null`, an integer literal an integer, another number a float, anything else a
string): `native` = kiln's columnar body `{"columns": [...], "data": [[...]]}` (reply
`{"predictions": [{"label": ...}]}`), `mlflow` = MLflow's `{"dataframe_split": ...}` (reply
`{"predictions": [label]}`), `record` = one JSON object (the FastAPI app's `/predict`, reply
`{"prediction": label}`). Only loopback addresses are accepted.

Prints `{"labels": [...], "errors": n}`; with `--compare`, also the share of rows whose label
equals the one in that file (`agreement`), how many rows differ and the first 20 of them.
"""

import argparse
import csv
import json
import sys
import urllib.error
import urllib.request
from urllib.parse import urlparse


def cell(text):
    """A CSV cell as the load generator encodes it."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def body(fmt, columns, row):
    if fmt == "native":
        return {"columns": columns, "data": [row]}
    if fmt == "mlflow":
        return {"dataframe_split": {"columns": columns, "data": [row]}}
    return dict(zip(columns, row))


def label_of(fmt, reply):
    if fmt == "record":
        return reply["prediction"]
    first = reply["predictions"][0]
    # kiln's native reply holds an object per row; MLflow's a bare label.
    return first["label"] if isinstance(first, dict) else first


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows")
    ap.add_argument("url")
    ap.add_argument("--format", choices=["native", "mlflow", "record"], required=True)
    ap.add_argument("--out")
    ap.add_argument("--compare")
    args = ap.parse_args()
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print(f"serve_labels.py: {args.url} is not a loopback address", file=sys.stderr)
        return 2
    with open(args.rows, newline="") as f:
        reader = csv.reader(f)
        columns = next(reader)
        rows = [[cell(v) for v in r] for r in reader]
    labels, errors = [], 0
    for row in rows:
        data = json.dumps(body(args.format, columns, row)).encode()
        request = urllib.request.Request(args.url, data=data, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                labels.append(str(label_of(args.format, json.load(r))))
        except (urllib.error.URLError, KeyError, IndexError, ValueError) as e:
            errors += 1
            labels.append(None)
            if errors <= 3:
                detail = e.read().decode(errors="replace")[:300] if isinstance(e, urllib.error.HTTPError) else e
                print(f"serve_labels.py: row {len(labels)}: {detail}", file=sys.stderr)
    out = {"labels": labels, "errors": errors, "rows": len(rows)}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f)
    if args.compare:
        with open(args.compare) as f:
            reference = json.load(f)["labels"]
        if len(reference) != len(labels):
            print(f"serve_labels.py: {args.compare} has {len(reference)} labels, not {len(labels)}", file=sys.stderr)
            return 1
        differ = [i for i, (a, b) in enumerate(zip(labels, reference)) if a is None or a != b]
        out["agreement"] = 1.0 - len(differ) / len(labels) if labels else None
        out["differ"] = len(differ)
        # 0-based data rows of ROWS.csv, to look at the disagreements.
        out["differ_rows"] = differ[:20]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
