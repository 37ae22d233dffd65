"""Peer side of the `drift` bench workload: Evidently's DataDriftPreset, or a SciPy loop running
the same per-column tests, on the same reference and current files.

    python bench/peers/drift.py REFERENCE.parquet CURRENT.parquet --peer evidently [--repeat 3]
    python bench/peers/drift.py REFERENCE.parquet CURRENT.parquet --peer scipy [--repeat 3]

Prints one JSON object: `seconds` (best time of the drift computation; reading the files with
pandas is timed separately as `read_s` and not compared), `drifted` (the drifted columns) and
`version`, or `skipped` with the reason (e.g. Evidently not importable).

- evidently: `Report([DataDriftPreset()]).run(current, reference)` (Evidently ≥ 0.7 API).
  Evidently 0.7.23 imports only with pandas < 3; see bench/requirements-drift.txt.
- scipy: for every column, Evidently's default test for a reference of more than 1000 rows —
  `wasserstein_distance / max(std(reference), 0.001)` for numeric columns with more than 5
  distinct values, `jensenshannon` of value shares otherwise — on the full columns with missing
  values dropped; drift at 0.1.
"""

import argparse
import json
import sys
import time


def scipy_drift(ref, cur):
    import numpy as np
    import pandas as pd
    from scipy import stats
    from scipy.spatial import distance

    drifted = []
    for c in ref.columns:
        r, k = ref[c].dropna(), cur[c].dropna()
        numeric = pd.api.types.is_numeric_dtype(r)
        n_values = pd.concat([r, k]).nunique()
        if numeric and n_values > 5:
            score = stats.wasserstein_distance(r, k) / max(np.std(r), 0.001)
        else:
            keys = list(set(r.unique()) | set(k.unique()))
            rc, kc = r.value_counts(), k.value_counts()
            p = np.array([rc.get(x, 0) for x in keys]) / len(r)
            q = np.array([kc.get(x, 0) for x in keys]) / len(k)
            score = distance.jensenshannon(p, q)
        if score >= 0.1:
            drifted.append(c)
    return drifted


def evidently_drift(ref, cur):
    from evidently import Report
    from evidently.presets import DataDriftPreset

    snapshot = Report([DataDriftPreset()]).run(cur, ref)
    drifted = []
    for m in snapshot.dict()["metrics"]:
        cfg = m.get("config", {})
        if cfg.get("type") != "evidently:metric_v2:ValueDrift":
            continue
        # Tests report a p-value (drift below the threshold), distances drift at or above it.
        is_test = "p_value" in cfg.get("method", "").lower()
        value, threshold = m["value"], cfg["threshold"]
        if (value < threshold) if is_test else (value >= threshold):
            drifted.append(cfg["column"])
    return drifted


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("--peer", choices=["evidently", "scipy"], required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        import pandas as pd

        if args.peer == "evidently":
            import evidently

            version = evidently.__version__
            run = evidently_drift
        else:
            import scipy

            version = scipy.__version__
            run = scipy_drift
    except Exception as e:  # an ImportError, or Evidently failing on an incompatible pandas
        print(json.dumps({"skipped": f"{args.peer} import failed: {e}"}))
        return 0

    t = time.perf_counter()
    ref = pd.read_parquet(args.reference)
    cur = pd.read_parquet(args.current)
    read_s = time.perf_counter() - t
    times, drifted = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        drifted = run(ref, cur)
        times.append(time.perf_counter() - t)
    print(json.dumps({"seconds": min(times), "read_s": read_s, "drifted": sorted(drifted), "version": version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
