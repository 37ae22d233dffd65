"""Reference fixtures for `kiln data profile`.

Profiles every bundled dataset (`crates/kiln-data/datasets/*.csv`) with pandas, NumPy and SciPy
and writes what they compute to `tests/fixtures/profile/<dataset>.json`:

- per numeric column: count, missing, nunique, `describe()` (mean, std, min, 25%, 50%, 75%, max),
  `skew()`, `kurt()`, `scipy.stats.median_abs_deviation`, `scipy.stats.iqr`, value counts (top
  10), `numpy.histogram` with Freedman-Diaconis bins capped at 50, and decile bins
  (`numpy.histogram(x, bins=unique(quantile(x, 0, .1, ..., 1)))`), z-score (> 3, ddof 1) and
  Tukey (1.5 IQR) outlier counts;
- per text column: count, missing, nunique and `value_counts()`;
- Pearson and Spearman `DataFrame.corr()` over the numeric columns that vary;
- the target: class counts (classification) and each feature's association with it: the
  correlation ratio (numeric-categorical), Cramer's V without correction
  (`scipy.stats.contingency.association`) or Pearson r (numeric-numeric), on pairwise-complete
  rows.

The dataset's task in `manifest.toml` says which columns are the target. Run from anywhere:

    python tools/reference/profile_fixtures.py
"""

from __future__ import annotations

import json
import math
import pathlib
import tomllib

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.stats.contingency import association

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "crates" / "kiln-data" / "datasets"
OUT = ROOT / "tests" / "fixtures" / "profile"
MAX_BINS = 50
MAX_INTEGER_CLASSES = 20


def clean(v):
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else None
    return v


def histogram(x: np.ndarray):
    fd = np.histogram_bin_edges(x, bins="fd")
    k = min(len(fd) - 1, MAX_BINS)
    counts, edges = np.histogram(x, bins=k)
    return {"edges": edges, "counts": counts}


def quantile_bins(x: np.ndarray):
    # Levels k/10 as the nearest doubles (np.linspace would give 0.6000000000000001).
    edges = np.unique(np.quantile(x, np.arange(11) / 10.0))
    if len(edges) < 2:
        v = x[0]
        return {"edges": [v - 0.5, v + 0.5], "counts": [len(x)]}
    counts, edges = np.histogram(x, bins=edges)
    return {"edges": edges, "counts": counts}


def correlation_ratio(values: np.ndarray, groups: np.ndarray) -> float:
    mean = values.mean()
    ss_total = ((values - mean) ** 2).sum()
    ss_between = 0.0
    for g in np.unique(groups):
        v = values[groups == g]
        ss_between += len(v) * (v.mean() - mean) ** 2
    return math.sqrt(ss_between / ss_total)


def numeric_column(s: pd.Series) -> dict:
    x = s.dropna().to_numpy(dtype=float)
    d = s.describe()
    vc = s.value_counts()
    top = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    q1, q3 = np.quantile(x, [0.25, 0.75])
    iqr = q3 - q1
    mean, sd = x.mean(), s.std()
    return {
        "kind": "numeric",
        "count": int(d["count"]),
        "missing": int(s.isna().sum()),
        "distinct": int(s.nunique()),
        "mean": d["mean"],
        "std": d["std"],
        "min": d["min"],
        "q25": d["25%"],
        "median": d["50%"],
        "q75": d["75%"],
        "max": d["max"],
        "skew": s.skew(),
        "kurtosis": s.kurt(),
        "mad": stats.median_abs_deviation(x),
        "iqr": stats.iqr(x),
        "top_values": [[float(v), int(c)] for v, c in top],
        "histogram": histogram(x),
        "quantile_bins": quantile_bins(x),
        "outliers_z": int((np.abs((x - mean) / sd) > 3).sum()),
        "outliers_iqr": int(((x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)).sum()),
    }


def text_column(s: pd.Series) -> dict:
    vc = s.value_counts()
    freq = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "kind": "categorical",
        "count": int(s.notna().sum()),
        "missing": int(s.isna().sum()),
        "distinct": int(s.nunique()),
        "frequencies": [[str(v), int(c)] for v, c in freq],
    }


def target_section(df: pd.DataFrame, target: str) -> dict:
    t = df[target]
    numeric_target = pd.api.types.is_numeric_dtype(t)
    classification = (not numeric_target) or (
        pd.api.types.is_integer_dtype(t) and t.nunique() <= MAX_INTEGER_CLASSES
    )
    out = {"name": target, "task": "classification" if classification else "regression"}
    if classification:
        vc = t.value_counts()
        out["classes"] = [[str(v), int(c)] for v, c in sorted(vc.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    assoc = {}
    for col in df.columns:
        if col == target:
            continue
        both = df[[col, target]].dropna()
        x, y = both[col], both[target]
        x_num = pd.api.types.is_numeric_dtype(x)
        if classification and x_num:
            assoc[col] = ["correlation_ratio", correlation_ratio(x.to_numpy(float), y.to_numpy())]
        elif classification:
            table = pd.crosstab(x, y).to_numpy()
            assoc[col] = ["cramers_v", association(table, method="cramer", correction=False)]
        elif x_num:
            assoc[col] = ["pearson", stats.pearsonr(x.to_numpy(float), y.to_numpy(float)).statistic]
        else:
            assoc[col] = ["correlation_ratio", correlation_ratio(y.to_numpy(float), x.to_numpy())]
    out["associations"] = assoc
    return out


def main() -> None:
    manifest = tomllib.loads((DATA / "manifest.toml").read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    for d in manifest["dataset"]:
        df = pd.read_csv(DATA / d["file"])
        columns = {}
        for col in df.columns:
            s = df[col]
            columns[col] = numeric_column(s) if pd.api.types.is_numeric_dtype(s) else text_column(s)
        numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and df[c].nunique() > 1]
        doc = {
            "generator": "tools/reference/profile_fixtures.py",
            "versions": {"pandas": pd.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
            "dataset": d["name"],
            "file": f"crates/kiln-data/datasets/{d['file']}",
            "rows": len(df),
            "target": d["target"],
            "columns": columns,
            "correlation_columns": numeric,
            "pearson": df[numeric].corr(method="pearson").to_numpy(),
            "spearman": df[numeric].corr(method="spearman").to_numpy(),
            "target_profile": target_section(df, d["target"]),
        }
        path = OUT / f"{d['name']}.json"
        path.write_text(json.dumps(clean(doc), indent=1) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
