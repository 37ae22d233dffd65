"""Reference fixtures for kiln-monitor: per-column drift methods and streaming detectors.

Writes two JSON files under `tests/fixtures/drift/` at the repository root:

- `columns.json`: reference / current column pairs (numeric, integer, categorical, binary; with
  missing values, ties, new categories, small and large references) and what each drift method
  gives on them, computed with SciPy exactly as Evidently's stattests call it:
  `ks_2samp`, `chisquare(current counts, reference counts * n_cur / n_ref)`, the pooled
  two-proportion z test (first sorted value against the rest), `wasserstein_distance / max(std(ref),
  0.001)`, `jensenshannon` and PSI of Evidently's `get_binned_data` shares (Sturges bins over
  reference + current when the reference has > 20 distinct values, else one bin per value; PSI
  fills empty bins), `anderson_ksamp(...).pvalue` and `mannwhitneyu` (two-sided here; Evidently
  runs it one-sided "less"). Missing values are dropped first, as Evidently does. The automatic
  method Evidently's `_get_default_stattest` picks is recorded too.
- `stream.json`: seeded streams (abrupt and gradual mean changes, Bernoulli error streams) and the
  detection (and warning) indices of river's DDM, EDDM, ADWIN, PageHinkley and KSWIN with default
  parameters.

Run from anywhere:

    python tools/reference/drift_fixtures.py

Non-finite expected values are written as the strings "inf" / "-inf".
"""

from __future__ import annotations

import json
import math
import pathlib
import warnings

import numpy as np
import river
import scipy
from river import drift as rdrift
from scipy import stats
from scipy.spatial import distance

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "drift"

warnings.simplefilter("ignore")


def num(v):
    v = float(v)
    if math.isnan(v):
        raise SystemExit("a reference result is NaN; the fixture would not mean anything")
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def cell(v):
    if v is None:
        return None
    if isinstance(v, str):
        return v
    v = float(v)
    return None if math.isnan(v) else v


# ---------------------------------------------------------------------------------------------
# Evidently's stattests on plain arrays (NaN already dropped).


def keys_of(ref, cur):
    return sorted(set(ref) | set(cur))


def counts_over(keys, values):
    out = {k: 0 for k in keys}
    for v in values:
        out[v] += 1
    return np.array([out[k] for k in keys], dtype=float)


def binned(ref, cur, numeric, fill):
    """Evidently's get_binned_data."""
    if numeric and len(set(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = keys_of(ref, cur)
        r = counts_over(keys, ref) / len(ref)
        c = counts_over(keys, cur) / len(cur)
    if fill:
        for p in (r, c):
            smallest = min(p[p != 0])
            np.place(p, p == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return r, c


def chisquare(ref, cur):
    keys = keys_of(ref, cur)
    k = len(cur) / len(ref)
    f_exp = counts_over(keys, ref) * k
    f_obs = counts_over(keys, cur)
    r = stats.chisquare(f_obs, f_exp)
    return r.statistic, r.pvalue


def z_test(ref, cur):
    keys = keys_of(ref, cur)
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return 0.0, 1.0
    a = np.array([0 if x == keys[0] else 1 for x in ref], dtype=float)
    b = np.array([0 if x == keys[0] else 1 for x in cur], dtype=float)
    n1, n2 = len(a), len(b)
    p1, p2 = a.sum() / n1, b.sum() / n2
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return z, 2 * (1 - stats.norm.cdf(abs(z)))


def default_method(ref, cur, numeric):
    n_values = len(set(ref) | set(cur))
    if len(ref) <= 1000:
        if numeric and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if numeric and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


def expected(ref, cur, numeric):
    out = {}
    n_ref_distinct = len(set(ref))
    if numeric:
        r = stats.ks_2samp(ref, cur)
        out["ks"] = {"statistic": num(r.statistic), "p_value": num(r.pvalue)}
        r = stats.anderson_ksamp([ref, cur])
        out["anderson"] = {"statistic": num(r.statistic), "p_value": num(r.pvalue)}
        r = stats.mannwhitneyu(ref, cur, alternative="two-sided")
        out["mannw"] = {"statistic": num(r.statistic), "p_value": num(r.pvalue)}
        w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
        out["wasserstein"] = {"statistic": num(w)}
    if not numeric or n_ref_distinct <= 20:
        s, p = chisquare(ref, cur)
        if len(keys_of(ref, cur)) >= 2:
            out["chisquare"] = {"statistic": num(s), "p_value": num(p)}
        if len(keys_of(ref, cur)) <= 2:
            s, p = z_test(ref, cur)
            out["z"] = {"statistic": num(s), "p_value": num(p)}
    r, c = binned(ref, cur, numeric, fill=False)
    out["jensenshannon"] = {"statistic": num(distance.jensenshannon(r, c))}
    r, c = binned(ref, cur, numeric, fill=True)
    out["psi"] = {"statistic": num(np.sum((r - c) * np.log(r / c)))}
    return out


def column_cases():
    rng = np.random.default_rng(20240611)
    cases = []

    def add(name, ref, cur, numeric):
        ref = list(ref)
        cur = list(cur)
        r = np.array([v for v in ref if v is not None and not (isinstance(v, float) and math.isnan(v))])
        c = np.array([v for v in cur if v is not None and not (isinstance(v, float) and math.isnan(v))])
        if numeric:
            r, c = r.astype(float), c.astype(float)
        cases.append(
            {
                "name": name,
                "kind": "numeric" if numeric else "categorical",
                "reference": [cell(v) for v in ref],
                "current": [cell(v) for v in cur],
                "default_method": default_method(list(r), list(c), numeric),
                "expected": expected(r, c, numeric),
            }
        )

    def with_nan(x, rate):
        x = list(x)
        for i in rng.choice(len(x), int(len(x) * rate), replace=False):
            x[i] = float("nan")
        return x

    n = rng.normal
    add("normal_same_200", n(0, 1, 200), n(0, 1, 180), True)
    add("normal_shift_200", n(0, 1, 200), n(0.4, 1, 250), True)
    add("normal_scale_300", n(5, 2, 300), n(5, 3.5, 300), True)
    add("normal_nan_400", with_nan(n(0, 1, 400), 0.1), with_nan(n(0.1, 1, 350), 0.2), True)
    add("exponential_800", rng.exponential(2.0, 800), rng.exponential(2.6, 700), True)
    add("uniform_1000_edge", rng.uniform(0, 1, 1000), rng.uniform(0.05, 1.05, 900), True)
    add("normal_large_2000", n(0, 1, 2000), n(0.15, 1, 1500), True)
    add("normal_large_same_3000", n(10, 3, 3000), n(10, 3, 2500), True)
    add("lognormal_large_4000", rng.lognormal(0, 1, 4000), rng.lognormal(0.3, 1.1, 3000), True)
    add("rounded_ties_600", np.round(n(0, 1, 600), 1), np.round(n(0.2, 1, 500), 1), True)
    add("integers_3_values_300", rng.integers(0, 3, 300), rng.choice(3, 300, p=[0.2, 0.3, 0.5]), True)
    add("integers_5_values_large_2500", rng.integers(0, 5, 2500), rng.integers(0, 5, 2000), True)
    add("integers_12_values_1500", rng.integers(0, 12, 1500), rng.integers(1, 13, 1200), True)
    add("binary_numeric_500", rng.integers(0, 2, 500), (rng.random(400) < 0.6).astype(int), True)
    add("binary_numeric_large_3000", rng.integers(0, 2, 3000), (rng.random(2000) < 0.52).astype(int), True)
    add("integers_new_value_200", rng.integers(0, 4, 200), rng.integers(0, 5, 200), True)

    letters = [f"c{i}" for i in range(30)]
    add("cat4_same_500", rng.choice(letters[:4], 500), rng.choice(letters[:4], 450), False)
    add(
        "cat4_shift_700",
        rng.choice(letters[:4], 700),
        rng.choice(letters[:4], 600, p=[0.4, 0.3, 0.2, 0.1]),
        False,
    )
    add("cat_new_category_300", rng.choice(letters[:3], 300), rng.choice(letters[:4], 300), False)
    add("cat_lost_category_300", rng.choice(letters[:4], 300), rng.choice(letters[:3], 300), False)
    add("cat_binary_900", rng.choice(["no", "yes"], 900), rng.choice(["no", "yes"], 800, p=[0.6, 0.4]), False)
    add("cat_constant_same_100", ["a"] * 100, ["a"] * 80, False)
    add("cat_constant_changed_100", ["a"] * 100, ["b"] * 80, False)
    add("cat25_large_5000", rng.choice(letters[:25], 5000), rng.choice(letters[:25], 4000), False)
    add(
        "cat6_missing_large_1200",
        [None if rng.random() < 0.1 else v for v in rng.choice(letters[:6], 1200)],
        list(rng.choice(letters[:6], 1000, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])),
        False,
    )
    return cases


# ---------------------------------------------------------------------------------------------
# river detectors.


def run_detector(make, stream, warnings_too):
    d = make()
    detections, warns = [], []
    for i, x in enumerate(stream):
        d.update(x)
        if d.drift_detected:
            detections.append(i)
        if warnings_too and d.warning_detected:
            warns.append(i)
    return detections, warns


def stream_cases():
    rng = np.random.default_rng(7)
    numeric = {
        "abrupt_mean": np.concatenate([rng.normal(0, 1, 1500), rng.normal(1.5, 1, 1500)]),
        "abrupt_two_changes": np.concatenate(
            [rng.normal(0, 1, 1000), rng.normal(3, 1, 1000), rng.normal(-1, 0.5, 1000)]
        ),
        "gradual_mean": np.concatenate(
            [rng.normal(0, 1, 1000), rng.normal(np.linspace(0, 2, 1500), 1), rng.normal(2, 1, 500)]
        ),
        "stationary": rng.normal(5, 2, 2500),
        "variance_change": np.concatenate([rng.normal(0, 0.5, 1200), rng.normal(0, 2.5, 1200)]),
    }
    binary = {
        "errors_abrupt": np.concatenate(
            [(rng.random(1500) < 0.1), (rng.random(1500) < 0.45)]
        ).astype(int),
        "errors_gradual": (rng.random(3000) < np.concatenate([np.full(1000, 0.15), np.linspace(0.15, 0.5, 2000)])).astype(int),
        "errors_stationary": (rng.random(3000) < 0.2).astype(int),
        "errors_rare_then_frequent": np.concatenate(
            [(rng.random(2000) < 0.03), (rng.random(1000) < 0.25)]
        ).astype(int),
    }
    out = []
    for name, s in numeric.items():
        values = [float(v) for v in s]
        det = {}
        for key, make in [
            ("adwin", lambda: rdrift.ADWIN()),
            ("page_hinkley", lambda: rdrift.PageHinkley()),
            ("kswin", lambda: rdrift.KSWIN(seed=42)),
            ("kswin_seed0", lambda: rdrift.KSWIN(seed=0)),
        ]:
            d, _ = run_detector(make, values, False)
            det[key] = {"detections": d}
        out.append({"name": name, "kind": "numeric", "values": values, "detectors": det})
    for name, s in binary.items():
        values = [int(v) for v in s]
        det = {}
        for key, make in [("ddm", lambda: rdrift.binary.DDM()), ("eddm", lambda: rdrift.binary.EDDM())]:
            d, w = run_detector(make, values, True)
            det[key] = {"detections": d, "warnings": w}
        for key, make in [("adwin", lambda: rdrift.ADWIN()), ("page_hinkley", lambda: rdrift.PageHinkley())]:
            d, _ = run_detector(make, [float(v) for v in values], False)
            det[key] = {"detections": d}
        out.append({"name": name, "kind": "binary", "values": values, "detectors": det})
    total = sum(len(d["detections"]) for c in out for d in c["detectors"].values())
    if total == 0:
        raise SystemExit("river detected nothing on any stream; the fixture would test nothing")
    return out


def write(name, body):
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {
        "generator": "tools/reference/drift_fixtures.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "river": river.__version__},
        **body,
    }
    (OUT / name).write_text(json.dumps(doc, separators=(",", ":")) + "\n")


def main():
    cases = column_cases()
    if len(cases) < 20:
        raise SystemExit(f"only {len(cases)} column pairs; the acceptance bar is 20")
    write("columns.json", {"cases": cases})
    write(
        "stream.json",
        {
            "defaults": {
                "ddm": {"warm_start": 30, "warning_threshold": 2.0, "drift_threshold": 3.0},
                "eddm": {"warm_start": 30, "alpha": 0.95, "beta": 0.9},
                "adwin": {"delta": 0.002, "clock": 32, "max_buckets": 5, "min_window_length": 5, "grace_period": 10},
                "page_hinkley": {"min_instances": 30, "delta": 0.005, "threshold": 50.0, "alpha": 1 - 0.0001, "mode": "both"},
                "kswin": {"alpha": 0.005, "window_size": 100, "stat_size": 30, "seeds": {"kswin": 42, "kswin_seed0": 0}},
            },
            "cases": stream_cases(),
        },
    )
    print(f"wrote {len(cases)} column pairs and the stream cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
