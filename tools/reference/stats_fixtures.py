"""Reference fixtures for kiln-stats.

Computes every statistic that `crates/kiln-stats` implements with SciPy, NumPy, pandas and
statsmodels on a fixed, seeded set of varied inputs (ties, small n, skewed, near-constant,
large n, extreme tails) and writes them as JSON to `tests/fixtures/stats/` at the repository
root. The Rust tests read these files, so `cargo test` never needs Python.

Run from anywhere:

    python tools/reference/stats_fixtures.py

JSON has no NaN: missing input values are written as null and read back as NaN. Results that the
reference library reports as NaN (undefined) are written as null, and the Rust side checks that
it reports an error there instead.
"""

from __future__ import annotations

import json
import math
import pathlib
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import stats
from scipy.spatial.distance import jensenshannon
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest
from statsmodels.stats.stattools import durbin_watson

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "stats"

warnings.simplefilter("ignore")


def clean(v):
    """Convert numpy values to JSON-safe Python values; NaN and infinities become null."""
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else None
    return v


def write(name, cases):
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {
        "generator": "tools/reference/stats_fixtures.py",
        "versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pd.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "cases": clean(cases),
    }
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")
    print(f"{name}: {len(cases)} cases")


def samples(seed=20240501):
    """Twenty-plus varied one-dimensional samples, with names saying what they stress."""
    rng = np.random.default_rng(seed)
    s = {
        "n2": np.array([1.5, -0.25]),
        "n3": np.array([3.0, 1.0, 2.0]),
        "n4": np.array([10.0, 1.0, 2.0, 3.0]),
        "n5_ties": np.array([2.0, 2.0, 1.0, 2.0, 7.0]),
        "normal_50": rng.normal(0.0, 1.0, 50),
        "normal_1000": rng.normal(5.0, 2.0, 1000),
        "normal_20000": rng.normal(-3.0, 0.5, 20000),
        "int_ties_200": rng.integers(0, 6, 200).astype(float),
        "lognormal_300": rng.lognormal(0.0, 1.5, 300),
        "exponential_80": rng.exponential(3.0, 80),
        "near_constant_31": np.r_[np.full(30, 5.0), 5.001],
        "student_t2_500": rng.standard_t(2, 500),
        "cauchy_120": rng.standard_cauchy(120),
        "offset_1e6_100": 1e6 + rng.normal(0.0, 1.0, 100),
        "tiny_scale_60": rng.normal(0.0, 1e-8, 60),
        "uniform_77": rng.uniform(-1.0, 1.0, 77),
        "bimodal_150": np.r_[rng.normal(-3, 1, 75), rng.normal(3, 1, 75)],
        "negative_skew_90": -rng.gamma(1.5, 2.0, 90),
        "with_nan_40": np.where(rng.random(40) < 0.2, np.nan, rng.normal(1.0, 3.0, 40)),
        "rounded_ties_400": np.round(rng.normal(0.0, 1.0, 400), 1),
        "pareto_250": rng.pareto(1.2, 250),
        "two_values_20": np.r_[np.zeros(13), np.ones(7)],
    }
    return s


def none_if_raises(f):
    try:
        v = f()
    except Exception:
        return None
    return v


# ---------------------------------------------------------------------------------------------
# Descriptive statistics and quantiles
# ---------------------------------------------------------------------------------------------


def descriptive():
    qs = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
    cases = []
    for name, x in samples().items():
        v = x[~np.isnan(x)]
        ser = pd.Series(x)
        n = v.size
        cases.append(
            {
                "name": name,
                "x": x,
                "count": int(n),
                "missing": int(np.isnan(x).sum()),
                "mean": np.mean(v),
                "var0": np.var(v),
                "var1": np.var(v, ddof=1) if n > 1 else None,
                "std1": np.std(v, ddof=1) if n > 1 else None,
                "skew_biased": stats.skew(v),
                "skew_unbiased": stats.skew(v, bias=False) if n > 2 else None,
                "pandas_skew": ser.skew() if n > 2 else None,
                "kurt_biased": stats.kurtosis(v),
                "kurt_unbiased": stats.kurtosis(v, bias=False) if n > 3 else None,
                "pandas_kurt": ser.kurt() if n > 3 else None,
                "min": v.min(),
                "max": v.max(),
                "qs": qs,
                "quantiles": np.quantile(v, qs),
                "median": np.median(v),
                "modes": ser.mode().to_numpy(),
                "mad": stats.median_abs_deviation(v),
                "iqr": stats.iqr(v),
                "edges_fd": np.histogram_bin_edges(v, bins="fd"),
                "edges_sturges": np.histogram_bin_edges(v, bins="sturges"),
            }
        )
    write("descriptive", cases)


# ---------------------------------------------------------------------------------------------
# Correlation and association
# ---------------------------------------------------------------------------------------------


def paired_samples(seed=7):
    rng = np.random.default_rng(seed)
    out = {}
    for n in [3, 4, 5, 8, 12, 20, 33, 34, 60, 200, 1500]:
        x = rng.normal(size=n)
        out[f"linear_{n}"] = (x, 0.6 * x + rng.normal(size=n))
    out["independent_100"] = (rng.normal(size=100), rng.normal(size=100))
    out["negative_40"] = (lambda x: (x, -2 * x + 0.3 * rng.normal(size=40)))(rng.normal(size=40))
    out["ties_x_50"] = (rng.integers(0, 4, 50).astype(float), rng.normal(size=50))
    out["ties_both_80"] = (rng.integers(0, 5, 80).astype(float), rng.integers(0, 3, 80).astype(float))
    out["monotone_nonlinear_30"] = (lambda x: (x, np.exp(x)))(rng.normal(size=30))
    out["perfect_10"] = (np.arange(10.0), np.arange(10.0) * 2 + 1)
    out["strong_300"] = (lambda x: (x, x + 0.01 * rng.normal(size=300)))(rng.normal(size=300))
    out["skewed_150"] = (rng.lognormal(0, 2, 150), rng.lognormal(0, 2, 150))
    out["one_discordant_25"] = (np.arange(25.0), np.r_[np.arange(23.0), 24.0, 23.0])
    return out


def correlation():
    cases = []
    for name, (x, y) in paired_samples().items():
        pe = stats.pearsonr(x, y)
        sp = stats.spearmanr(x, y)
        kt = stats.kendalltau(x, y)
        cases.append(
            {
                "name": name,
                "x": x,
                "y": y,
                "pearson": [pe.statistic, pe.pvalue],
                "pearson_less": stats.pearsonr(x, y, alternative="less").pvalue,
                "pearson_greater": stats.pearsonr(x, y, alternative="greater").pvalue,
                "spearman": [sp.statistic, sp.pvalue],
                "spearman_greater": stats.spearmanr(x, y, alternative="greater").pvalue,
                "kendall": [kt.statistic, kt.pvalue],
                "kendall_less": stats.kendalltau(x, y, alternative="less").pvalue,
                "kendall_greater": stats.kendalltau(x, y, alternative="greater").pvalue,
            }
        )
    write("correlation", cases)

    # Correlation matrices over columns.
    rng = np.random.default_rng(11)
    base = rng.normal(size=(120, 5))
    base[:, 1] += base[:, 0]
    base[:, 3] = np.exp(base[:, 2])
    base[:, 4] = np.round(base[:, 4])
    df = pd.DataFrame(base)
    write(
        "correlation_matrix",
        [
            {
                "columns": base.T,
                "pearson": df.corr(method="pearson").to_numpy(),
                "spearman": df.corr(method="spearman").to_numpy(),
            }
        ],
    )

    # Cramér's V and the correlation ratio on categorical codes.
    rng = np.random.default_rng(12)
    cat_cases = []
    shapes = [(2, 2), (2, 3), (3, 3), (4, 2), (5, 4), (3, 6), (2, 2), (6, 6)]
    for i in range(22):
        r, k = shapes[i % len(shapes)]
        n = [15, 40, 200, 1000, 60][i % 5]
        a = rng.integers(0, r, n)
        noise = rng.integers(0, k, n)
        b = np.where(rng.random(n) < [0.0, 0.3, 0.7][i % 3], a % k, noise)
        # Make sure every level appears so the table has the intended shape.
        a[:r] = np.arange(r)
        b[:k] = np.arange(k)
        table = pd.crosstab(a, b).to_numpy()
        chi2 = stats.chi2_contingency(table, correction=False).statistic
        nn = table.sum()
        phi2 = chi2 / nn
        rr, kk = table.shape
        phi2corr = max(0.0, phi2 - (kk - 1) * (rr - 1) / (nn - 1))
        rcorr = rr - (rr - 1) ** 2 / (nn - 1)
        kcorr = kk - (kk - 1) ** 2 / (nn - 1)
        v_corr = math.sqrt(phi2corr / min(kcorr - 1, rcorr - 1))
        # Correlation ratio eta of a numeric variable against the codes in `a`.
        y = rng.normal(size=n) + 0.5 * a * (i % 3)
        grand = y.mean()
        ss_between = sum(((a == g).sum()) * (y[a == g].mean() - grand) ** 2 for g in np.unique(a))
        ss_total = ((y - grand) ** 2).sum()
        cat_cases.append(
            {
                "name": f"table_{i}_{r}x{k}_n{n}",
                "a": a.astype(float),
                "b": b.astype(float),
                "cramers_v": stats.contingency.association(table, method="cramer"),
                "cramers_v_corrected": v_corr,
                "y": y,
                "eta": math.sqrt(ss_between / ss_total),
            }
        )
    write("association", cat_cases)


# ---------------------------------------------------------------------------------------------
# Hypothesis tests
# ---------------------------------------------------------------------------------------------


def two_sample_sets(seed=21):
    rng = np.random.default_rng(seed)
    out = {
        "small_3_4": (np.array([1.1, 2.3, 0.7]), np.array([3.2, 2.9, 4.1, 3.8])),
        "small_5_5": (rng.normal(0, 1, 5), rng.normal(1, 1, 5)),
        "equal_8_8": (rng.normal(0, 1, 8), rng.normal(0.5, 1, 8)),
        "unequal_7_12": (rng.normal(0, 1, 7), rng.normal(0.8, 2, 12)),
        "mid_30_45": (rng.normal(0, 1, 30), rng.normal(0.3, 1.5, 45)),
        "same_100_100": (rng.normal(0, 1, 100), rng.normal(0, 1, 100)),
        "shifted_200_150": (rng.normal(0, 1, 200), rng.normal(0.4, 1, 150)),
        "extreme_tail_300": (rng.normal(0, 1, 300), rng.normal(1.2, 1, 300)),
        "very_extreme_500": (rng.normal(0, 1, 500), rng.normal(1.0, 1, 500)),
        "skewed_60_80": (rng.lognormal(0, 1, 60), rng.lognormal(0.5, 1, 80)),
        "ties_int_50_50": (rng.integers(0, 5, 50).astype(float), rng.integers(1, 6, 50).astype(float)),
        "ties_round_120_90": (np.round(rng.normal(0, 1, 120), 1), np.round(rng.normal(0.2, 1, 90), 1)),
        "heavy_tail_100_100": (rng.standard_t(2, 100), rng.standard_t(2, 100)),
        "scale_diff_40_40": (rng.normal(0, 1, 40), rng.normal(0, 3, 40)),
        "large_3000_2500": (rng.normal(0, 1, 3000), rng.normal(0.05, 1, 2500)),
        "unbalanced_6_400": (rng.normal(0.5, 1, 6), rng.normal(0, 1, 400)),
        "near_constant_20_20": (np.r_[np.full(19, 3.0), 3.01], np.r_[np.full(18, 3.0), 3.02, 3.03]),
        "exp_25_35": (rng.exponential(1, 25), rng.exponential(2, 35)),
        "uniform_15_18": (rng.uniform(0, 1, 15), rng.uniform(0.2, 1.2, 18)),
        "bimodal_70_70": (np.r_[rng.normal(-2, 1, 35), rng.normal(2, 1, 35)], rng.normal(0, 2, 70)),
        "big_12000_11000": (rng.normal(0, 1, 12000), rng.normal(0.03, 1, 11000)),
        "tiny_effect_1000_1000": (rng.normal(0, 1, 1000), rng.normal(0.02, 1, 1000)),
    }
    return out


def ttests():
    cases = []
    for name, (a, b) in two_sample_sets().items():
        case = {"name": name, "a": a, "b": b}
        for alt in ["two-sided", "less", "greater"]:
            one = stats.ttest_1samp(a, 0.3, alternative=alt)
            student = stats.ttest_ind(a, b, alternative=alt)
            welch = stats.ttest_ind(a, b, equal_var=False, alternative=alt)
            case[f"one_sample_{alt}"] = [one.statistic, one.pvalue, one.df]
            case[f"student_{alt}"] = [student.statistic, student.pvalue, student.df]
            case[f"welch_{alt}"] = [welch.statistic, welch.pvalue, welch.df]
            if a.size == b.size:
                paired = stats.ttest_rel(a, b, alternative=alt)
                case[f"paired_{alt}"] = [paired.statistic, paired.pvalue, paired.df]
        cases.append(case)
    write("ttest", cases)


def ks_mwu():
    cases = []
    sets = two_sample_sets()
    rng = np.random.default_rng(5)
    # Extra shapes for the exact paths: equal sizes, one-sided unequal, tiny.
    sets["equal_exact_25_25"] = (rng.normal(0, 1, 25), rng.normal(0.9, 1, 25))
    sets["tiny_2_3"] = (np.array([0.1, 0.5]), np.array([0.2, 0.9, 1.3]))
    sets["exact_8_6"] = (rng.normal(0, 1, 8), rng.normal(1.5, 1, 6))
    sets["exact_4_8"] = (rng.normal(0, 1, 4), rng.normal(-1, 1, 8))
    for name, (a, b) in sets.items():
        case = {"name": name, "a": a, "b": b}
        for alt in ["two-sided", "less", "greater"]:
            ks = stats.ks_2samp(a, b, alternative=alt)
            case[f"ks_{alt}"] = [ks.statistic, ks.pvalue]
            mw = stats.mannwhitneyu(a, b, alternative=alt)
            case[f"mwu_{alt}"] = [mw.statistic, mw.pvalue]
            mwa = stats.mannwhitneyu(a, b, alternative=alt, method="asymptotic")
            case[f"mwu_asymptotic_{alt}"] = [mwa.statistic, mwa.pvalue]
            mwn = stats.mannwhitneyu(a, b, alternative=alt, method="asymptotic", use_continuity=False)
            case[f"mwu_nocc_{alt}"] = [mwn.statistic, mwn.pvalue]
        cases.append(case)
    write("ks_mwu", cases)


def proportions_chi2():
    z_cases = []
    specs = [
        (5, 10, 0.5), (0, 20, 0.1), (20, 20, 0.9), (37, 100, 0.5), (520, 1000, 0.5), (1, 3, 0.3),
        (90, 100, 0.5), (4000, 10000, 0.41), (12, 50, 0.2), (250, 300, 0.6), (3, 1000, 0.01),
        (700, 1000, 0.5), (48, 90, 0.5), (9, 40, 0.25), (60, 61, 0.5), (30, 200, 0.15),
        (555, 1111, 0.45), (7, 8, 0.5), (150, 400, 0.3), (2, 50, 0.1),
    ]
    for count, nobs, p0 in specs:
        case = {"kind": "one", "count": [count], "nobs": [nobs], "value": p0}
        for alt, sm_alt in [("two-sided", "two-sided"), ("less", "smaller"), ("greater", "larger")]:
            zs, pv = proportions_ztest(count, nobs, value=p0, alternative=sm_alt)
            case[alt] = [zs, pv]
        z_cases.append(case)
    two = [
        ((15, 25), (50, 50)), ((120, 100), (400, 400)), ((5, 9), (20, 22)), ((480, 520), (1000, 1000)),
        ((0, 5), (30, 30)), ((33, 47), (100, 120)), ((900, 850), (2000, 2100)), ((7, 2), (10, 12)),
        ((60, 60), (100, 100)), ((14, 40), (150, 160)), ((3000, 3300), (10000, 10000)),
        ((45, 30), (90, 95)), ((1, 10), (40, 40)), ((200, 180), (300, 310)), ((18, 27), (60, 55)),
        ((75, 90), (250, 240)), ((9, 9), (11, 30)), ((500, 450), (5000, 5200)), ((22, 35), (70, 72)),
        ((100, 130), (1000, 1000)),
    ]
    for counts, nobs in two:
        case = {"kind": "two", "count": list(counts), "nobs": list(nobs), "value": 0.0}
        for alt, sm_alt in [("two-sided", "two-sided"), ("less", "smaller"), ("greater", "larger")]:
            zs, pv = proportions_ztest(np.array(counts), np.array(nobs), alternative=sm_alt)
            case[alt] = [zs, pv]
        z_cases.append(case)
    write("proportions", z_cases)

    rng = np.random.default_rng(31)
    gof = []
    for i in range(22):
        k = [2, 3, 5, 8, 12][i % 5]
        n = [20, 100, 1000, 50000][i % 4]
        probs = rng.dirichlet(np.ones(k))
        obs = rng.multinomial(n, probs if i % 3 else np.ones(k) / k).astype(float)
        exp = None if i % 2 == 0 else probs * n
        res = stats.chisquare(obs) if exp is None else stats.chisquare(obs, exp)
        gof.append({"observed": obs, "expected": exp, "statistic": res.statistic, "pvalue": res.pvalue,
                    "df": k - 1})
    indep = []
    for i in range(24):
        r, c = [(2, 2), (2, 3), (3, 4), (5, 5), (2, 2), (4, 2)][i % 6]
        n = [30, 200, 5000, 80][i % 4]
        strength = [0.0, 0.2, 0.6][i % 3]
        a = rng.integers(0, r, n)
        b = np.where(rng.random(n) < strength, a % c, rng.integers(0, c, n))
        table = np.zeros((r, c))
        np.add.at(table, (a, b), 1)
        table += 1  # keep every expected count positive
        res = stats.chi2_contingency(table)
        res_nc = stats.chi2_contingency(table, correction=False)
        indep.append({"table": table, "statistic": res.statistic, "pvalue": res.pvalue, "df": res.dof,
                      "statistic_uncorrected": res_nc.statistic, "pvalue_uncorrected": res_nc.pvalue,
                      "expected": res.expected_freq})
    write("chi2", {"goodness_of_fit": gof, "independence": indep})


def shapiro_ad_levene():
    sh = []
    for name, x in samples().items():
        v = x[~np.isnan(x)]
        if v.size < 3 or np.ptp(v) == 0:
            continue
        r = stats.shapiro(v)
        sh.append({"name": name, "x": v, "statistic": r.statistic, "pvalue": r.pvalue})
    rng = np.random.default_rng(41)
    for n in [3, 4, 6, 7, 11, 12, 19, 21, 500, 4999]:
        v = rng.normal(size=n) ** (1 + (n % 3))
        r = stats.shapiro(v)
        sh.append({"name": f"powered_{n}", "x": v, "statistic": r.statistic, "pvalue": r.pvalue})
    write("shapiro", sh)

    ad = []
    lev = []
    # The 23 000-value set only matters for the KS asymptotic switch; keep these files small.
    sets = [(k, v) for k, v in two_sample_sets().items() if not k.startswith("big_")]
    for i, (name, (a, b)) in enumerate(sets):
        groups = [a, b] if i % 3 else [a, b, np.concatenate([a[: max(2, a.size // 2)], b[:3]])]
        r = stats.anderson_ksamp(groups, midrank=True)
        ad.append({"name": name, "samples": groups, "statistic": r.statistic,
                   "critical_values": r.critical_values, "significance_level": r.significance_level})
        lm = stats.levene(*groups, center="median")
        lmean = stats.levene(*groups, center="mean")
        lev.append({"name": name, "samples": groups, "median": [lm.statistic, lm.pvalue],
                    "mean": [lmean.statistic, lmean.pvalue], "df": [len(groups) - 1,
                                                                   sum(g.size for g in groups) - len(groups)]})
    write("anderson_ksamp", ad)
    write("levene", lev)


# ---------------------------------------------------------------------------------------------
# Distances, multiple testing, power
# ---------------------------------------------------------------------------------------------


def psi_reference(ref, cur, bins, eps):
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=edges.size + 1)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=edges.size + 1)
    p = np.maximum(ref_counts / ref.size, eps)
    q = np.maximum(cur_counts / cur.size, eps)
    return float(np.sum((q - p) * np.log(q / p)))


def distances():
    cases = []
    rng = np.random.default_rng(51)
    sets = [(k, v) for k, v in two_sample_sets().items() if not k.startswith("big_")]
    for i, (name, (a, b)) in enumerate(sets):
        k = [3, 5, 10, 20][i % 4]
        p = rng.dirichlet(np.ones(k)) * [1, 7][i % 2]
        q = rng.dirichlet(np.ones(k) * 0.5)
        if i % 5 == 0:
            q[0] = 0.0  # an empty bin
        counts_p = rng.multinomial(200, p / p.sum()).astype(float)
        counts_q = rng.multinomial(150, q / q.sum()).astype(float)
        alpha = [0.5, 1.0, 1e-3][i % 3]
        sp = (counts_p + alpha) / (counts_p.sum() + k * alpha)
        sq = (counts_q + alpha) / (counts_q.sum() + k * alpha)
        wa = rng.uniform(0.1, 2.0, a.size)
        wb = rng.uniform(0.1, 2.0, b.size)
        pn, qn = p / p.sum(), q / q.sum()
        cases.append(
            {
                "name": name,
                "a": a,
                "b": b,
                "psi_10": psi_reference(a, b, 10, 1e-4),
                "psi_5": psi_reference(a, b, 5, 1e-6),
                "wasserstein": stats.wasserstein_distance(a, b),
                "wa": wa,
                "wb": wb,
                "wasserstein_weighted": stats.wasserstein_distance(a, b, wa, wb),
                "p": p,
                "q": q,
                "js_e": jensenshannon(p, q),
                "js_2": jensenshannon(p, q, base=2),
                "hellinger": math.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(pn * qn)))),
                "counts_p": counts_p,
                "counts_q": counts_q,
                "alpha": alpha,
                "kl": stats.entropy(sp, sq),
            }
        )
    write("distance", cases)


def multiple_testing():
    rng = np.random.default_rng(61)
    cases = []
    for i in range(22):
        m = [1, 2, 3, 5, 10, 50, 200][i % 7]
        p = rng.uniform(0, 1, m) ** [1, 3, 6][i % 3]
        if i % 4 == 1 and m > 2:
            p[:2] = p[0]  # ties
        if i % 5 == 2:
            p[0] = 1e-14
        case = {"p": p}
        for method in ["bonferroni", "holm", "fdr_bh"]:
            case[method] = multipletests(p, method=method)[1]
        cases.append(case)
    write("multiple_testing", cases)


def power():
    t = TTestIndPower()
    z = NormalIndPower()
    cases = []
    specs = [
        (0.2, 50, 0.05, 1.0), (0.5, 20, 0.05, 1.0), (0.8, 10, 0.01, 1.0), (1.2, 5, 0.05, 1.0),
        (0.1, 1000, 0.05, 1.0), (0.3, 64, 0.1, 2.0), (0.5, 30, 0.05, 0.5), (2.0, 4, 0.05, 1.0),
        (0.05, 5000, 0.05, 1.0), (0.4, 100, 0.001, 1.5), (0.6, 45, 0.05, 1.0), (0.25, 200, 0.05, 3.0),
        (0.7, 15, 0.02, 1.0), (1.0, 8, 0.05, 1.0), (0.15, 700, 0.05, 1.0), (0.9, 12, 0.1, 1.0),
        (0.35, 90, 0.05, 0.8), (1.5, 6, 0.01, 1.0), (0.45, 55, 0.05, 1.2), (0.55, 40, 0.03, 1.0),
    ]
    for es, n, alpha, ratio in specs:
        case = {"effect_size": es, "nobs1": n, "alpha": alpha, "ratio": ratio}
        for alt, sm_alt in [("two-sided", "two-sided"), ("less", "smaller"), ("greater", "larger")]:
            e = -es if alt == "less" else es
            case[f"ttest_power_{alt}"] = t.power(e, n, alpha, ratio=ratio, alternative=sm_alt)
            case[f"normal_power_{alt}"] = z.power(e, n, alpha, ratio=ratio, alternative=sm_alt)
        for target in [0.8, 0.9]:
            case[f"ttest_nobs_{target}"] = t.solve_power(es, None, alpha, target, ratio=ratio)
            case[f"normal_nobs_{target}"] = z.solve_power(es, None, alpha, target, ratio=ratio)
        cases.append(case)
    props = []
    for p1, p2 in [(0.5, 0.4), (0.1, 0.05), (0.9, 0.85), (0.3, 0.35), (0.02, 0.01), (0.6, 0.5)]:
        props.append({"p1": p1, "p2": p2, "h": proportion_effectsize(p1, p2),
                      "nobs_0.8": z.solve_power(proportion_effectsize(p1, p2), None, 0.05, 0.8)})
    write("power", {"cases": cases, "proportions": props})


def distributions():
    # Tail accuracy of the distribution functions, down to and past 1e-12.
    cases = []
    for z in [-40.0, -20.0, -8.0, -7.0344, -3.0, -1.0, 0.0, 0.5, 2.0, 5.0, 7.0344, 12.0, 30.0]:
        cases.append({"dist": "normal", "params": [], "x": z, "cdf": stats.norm.cdf(z), "sf": stats.norm.sf(z)})
    for p in [1e-300, 1e-100, 1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.975, 1 - 1e-12]:
        cases.append({"dist": "normal_ppf", "params": [], "x": p, "ppf": stats.norm.ppf(p)})
    for df in [1.0, 2.5, 5.0, 30.0, 1000.0, 1e6]:
        for t in [-50.0, -8.0, -2.0, 0.3, 3.0, 10.0, 40.0, 200.0]:
            cases.append({"dist": "t", "params": [df], "x": t, "cdf": stats.t.cdf(t, df), "sf": stats.t.sf(t, df)})
        for p in [1e-12, 0.001, 0.025, 0.4, 0.9]:
            cases.append({"dist": "t_ppf", "params": [df], "x": p, "ppf": stats.t.ppf(p, df)})
    for df in [1.0, 2.0, 7.0, 50.0, 1000.0]:
        for x in [1e-4, 0.5, 3.0, 20.0, 80.0, 200.0, 2000.0]:
            cases.append({"dist": "chi2", "params": [df], "x": x, "cdf": stats.chi2.cdf(x, df),
                          "sf": stats.chi2.sf(x, df)})
    for d1, d2 in [(1.0, 1.0), (2.0, 20.0), (5.0, 3.0), (10.0, 100.0), (50.0, 4000.0)]:
        for x in [0.01, 0.7, 2.0, 9.0, 60.0, 1000.0]:
            cases.append({"dist": "f", "params": [d1, d2], "x": x, "cdf": stats.f.cdf(x, d1, d2),
                          "sf": stats.f.sf(x, d1, d2)})
    for df, nc in [(5.0, 0.5), (20.0, 1.0), (38.0, 2.5), (100.0, -1.5), (10.0, 6.0), (1998.0, 4.47), (60.0, 12.0)]:
        for x in [-3.0, -0.5, 0.0, 1.0, 2.5, 5.0, 15.0]:
            cases.append({"dist": "nct", "params": [df, nc], "x": x, "cdf": stats.nct.cdf(x, df, nc),
                          "sf": stats.nct.sf(x, df, nc)})
    write("distributions", cases)


def bootstrap():
    rng = np.random.default_rng(71)
    cases = []
    for name, x in [("normal_40", rng.normal(10, 2, 40)), ("lognormal_60", rng.lognormal(0, 1, 60)),
                    ("exp_30", rng.exponential(1.0, 30))]:
        for method in ["percentile", "BCa"]:
            res = stats.bootstrap((x,), np.mean, n_resamples=200_000, method=method,
                                  confidence_level=0.95, random_state=np.random.default_rng(1))
            cases.append({"name": name, "x": x, "method": method, "statistic": "mean",
                          "low": res.confidence_interval.low, "high": res.confidence_interval.high,
                          "standard_error": res.standard_error})
    write("bootstrap", cases)


def vif():
    rng = np.random.default_rng(81)
    cases = []
    for i in range(20):
        n = [30, 100, 500][i % 3]
        p = [2, 3, 4, 6][i % 4]
        x = rng.normal(size=(n, p))
        if p > 2:
            x[:, 2] = x[:, 0] * [0.5, 2.0, 0.9][i % 3] + x[:, 1] + rng.normal(scale=[0.1, 1.0, 0.01][i % 3], size=n)
        if i % 5 == 0:
            x[:, 0] = x[:, 0] * 1e3 + 5e3
        exog = np.column_stack([np.ones(n), x])
        vifs = [variance_inflation_factor(exog, j) for j in range(1, p + 1)]
        cases.append({"columns": x.T, "vif": vifs})
    write("vif", cases)


def residual():
    """Durbin-Watson (statsmodels) and normal probability-plot data (scipy.stats.probplot) of
    every sample, plus autocorrelated and alternating series that push DW towards 0 and 4."""
    cases = []
    rng = np.random.default_rng(53)
    extra = {
        "ar1_positive_200": np.cumsum(rng.normal(size=200)) * 0.1 + rng.normal(size=200) * 0.01,
        "alternating_50": np.where(np.arange(50) % 2 == 0, 1.0, -1.0) + rng.normal(0, 0.1, 50),
    }
    for name, x in list(samples().items()) + list(extra.items()):
        v = x[~np.isnan(x)]
        if v.size < 2 or not np.any(v):
            continue
        (osm, osr), (slope, intercept, r) = stats.probplot(v, dist="norm", fit=True)
        cases.append({"name": name, "x": v, "durbin_watson": durbin_watson(v),
                      "osm": osm, "osr": osr, "slope": slope, "intercept": intercept, "r": r})
    write("residual", cases)


def main():
    descriptive()
    correlation()
    ttests()
    ks_mwu()
    proportions_chi2()
    shapiro_ad_levene()
    distances()
    multiple_testing()
    power()
    distributions()
    bootstrap()
    vif()
    residual()


if __name__ == "__main__":
    main()
