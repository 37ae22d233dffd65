"""Reference fixtures for kiln-models' linear models and naive Bayes (scikit-learn, statsmodels).

Run from anywhere:  python tools/reference/linear_fixtures.py
Writes JSON under tests/fixtures/linear/: each case carries its data, its parameters and the
reference results, so the Rust tests (crates/kiln-models/tests/linear_reference.rs and
naive_bayes_reference.rs) need no Python.

- ols.json: LinearRegression coefficients and statsmodels OLS / WLS inference (std errors, t,
  p, 95% intervals, R², adjusted R², F and its p-value, log-likelihood, AIC, BIC) on the
  bundled diabetes set (crates/kiln-data/datasets/diabetes.csv, read as kiln bundles it) and on
  seeded synthetic sets, plus a rank-deficient design (minimum-norm solution).
- ridge.json: Ridge over several alphas, with and without intercept and weights.
- enet.json: Lasso / ElasticNet at tight tolerance on standardised diabetes and a synthetic set,
  and a lasso_path over an automatic alpha grid.
- huber.json: HuberRegressor on a set with outliers.
- logistic.json: LogisticRegression (L2 by lbfgs; L1 and elastic net by saga) on standardised
  breast_cancer (binary) and iris / wine (multinomial).
- naive_bayes.json: GaussianNB on iris and wine; MultinomialNB, BernoulliNB and CategoricalNB on
  seeded count / category sets; predict_log_proba on the training rows.
"""

import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
import statsmodels
import statsmodels.api as sm
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    ElasticNet,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    lasso_path,
)
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, GaussianNB, MultinomialNB
from sklearn.preprocessing import StandardScaler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "linear")
DATASETS = os.path.join(ROOT, "crates", "kiln-data", "datasets")


def write_json(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    obj = {"versions": versions(), **obj}
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB)")


def versions():
    return {"sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__}


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def bundled(name, target):
    """A bundled dataset as kiln reads it: features in file order (all numeric) and the target."""
    df = pd.read_csv(os.path.join(DATASETS, f"{name}.csv"))
    y = df.pop(target).to_numpy(dtype=float)
    return df.to_numpy(dtype=float), y, list(df.columns)


def synthetic_regression(rows, cols, seed, noise=0.5):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(rows, cols))
    mix = np.eye(cols) + 0.4 * rng.normal(size=(cols, cols))
    x = base @ mix + rng.normal(size=cols) * 3.0
    beta = rng.normal(size=cols) * 2.0
    y = x @ beta + 1.5 + noise * rng.normal(size=rows)
    return x, y


def inference(res, has_const):
    """statsmodels results in kiln's layout: intercept separate, features after it."""
    ci = np.asarray(res.conf_int(0.05))
    params, bse, t, p = (np.asarray(v) for v in (res.params, res.bse, res.tvalues, res.pvalues))
    rows = [
        {"estimate": params[i], "std_error": bse[i], "t": t[i], "p_value": p[i], "ci_low": ci[i, 0], "ci_high": ci[i, 1]}
        for i in range(len(params))
    ]
    out = {
        "intercept": rows[0] if has_const else None,
        "coefficients": rows[1:] if has_const else rows,
        "r_squared": res.rsquared,
        "adj_r_squared": res.rsquared_adj,
        "f_statistic": float(res.fvalue),
        "f_p_value": float(res.f_pvalue),
        "df_model": res.df_model,
        "df_resid": res.df_resid,
        "sigma2": res.scale,
        "rss": res.ssr,
        "log_likelihood": res.llf,
        "aic": res.aic,
        "bic": res.bic,
    }
    return json.loads(json.dumps(out, default=float))


def ols_case(name, x, y, fit_intercept=True, weights=None):
    lr = LinearRegression(fit_intercept=fit_intercept).fit(x, y, sample_weight=weights)
    exog = sm.add_constant(x, has_constant="add") if fit_intercept else x
    model = sm.OLS(y, exog) if weights is None else sm.WLS(y, exog, weights=weights)
    res = model.fit()
    sm_coef = np.asarray(res.params)[1:] if fit_intercept else np.asarray(res.params)
    if not np.allclose(sm_coef, lr.coef_, rtol=1e-8, atol=0):
        fail(f"{name}: statsmodels and scikit-learn coefficients disagree")
    return {
        "name": name,
        "fit_intercept": fit_intercept,
        "x": x.tolist(),
        "y": y.tolist(),
        "sample_weight": None if weights is None else weights.tolist(),
        "coef": lr.coef_.tolist(),
        "intercept": float(lr.intercept_),
        "rank": int(lr.rank_),
        "singular_values": lr.singular_.tolist(),
        "inference": inference(res, fit_intercept),
    }


def ols_fixtures():
    x_dia, y_dia, names = bundled("diabetes", "progression")
    cases = [
        ols_case("diabetes", x_dia, y_dia),
        ols_case("diabetes_no_intercept", x_dia, y_dia, fit_intercept=False),
    ]
    x, y = synthetic_regression(300, 8, seed=11)
    cases.append(ols_case("synthetic", x, y))
    w = np.random.default_rng(12).uniform(0.2, 3.0, size=len(y))
    cases.append(ols_case("synthetic_weighted", x, y, weights=w))
    # Rank-deficient: column 3 duplicates column 0, column 5 = column 1 + column 2.
    xr, yr = synthetic_regression(120, 6, seed=13)
    xr[:, 3] = xr[:, 0]
    xr[:, 5] = xr[:, 1] + xr[:, 2]
    lr = LinearRegression().fit(xr, yr)
    if lr.rank_ != 4:
        fail(f"rank-deficient case: expected rank 4, scikit-learn found {lr.rank_}")
    deficient = {
        "name": "rank_deficient",
        "x": xr.tolist(),
        "y": yr.tolist(),
        "coef": lr.coef_.tolist(),
        "intercept": float(lr.intercept_),
        "rank": int(lr.rank_),
    }
    write_json("ols.json", {"feature_names": {"diabetes": names}, "cases": cases, "rank_deficient": deficient})


def ridge_fixtures():
    x_dia, y_dia, _ = bundled("diabetes", "progression")
    x, y = synthetic_regression(150, 12, seed=21)
    w = np.random.default_rng(22).uniform(0.1, 2.0, size=len(y))
    cases = []
    for name, xx, yy, ww in (("diabetes", x_dia, y_dia, None), ("synthetic_weighted", x, y, w)):
        for alpha in (0.01, 1.0, 10.0, 1000.0):
            for fit_intercept in (True, False):
                m = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="cholesky").fit(xx, yy, sample_weight=ww)
                cases.append(
                    {
                        "name": f"{name}_alpha{alpha}_{'intercept' if fit_intercept else 'nointercept'}",
                        "data": name,
                        "alpha": alpha,
                        "fit_intercept": fit_intercept,
                        "coef": m.coef_.tolist(),
                        "intercept": float(m.intercept_),
                    }
                )
    # A wide design (more features than rows) takes scikit-learn's kernel (dual) route.
    xw, yw = synthetic_regression(20, 30, seed=23)
    m = Ridge(alpha=0.5).fit(xw, yw)
    cases.append({"name": "wide_alpha0.5", "data": "wide", "alpha": 0.5, "fit_intercept": True, "coef": m.coef_.tolist(), "intercept": float(m.intercept_)})
    data = {
        "diabetes": {"x": x_dia.tolist(), "y": y_dia.tolist(), "sample_weight": None},
        "synthetic_weighted": {"x": x.tolist(), "y": y.tolist(), "sample_weight": w.tolist()},
        "wide": {"x": xw.tolist(), "y": yw.tolist(), "sample_weight": None},
    }
    write_json("ridge.json", {"data": data, "cases": cases})


TIGHT = dict(tol=1e-12, max_iter=1_000_000)


def enet_fixtures():
    x_dia, y_dia, _ = bundled("diabetes", "progression")
    xs = StandardScaler().fit_transform(x_dia)
    x, y = synthetic_regression(200, 15, seed=31, noise=2.0)
    x = StandardScaler().fit_transform(x)
    w = np.random.default_rng(32).uniform(0.2, 2.0, size=len(y))
    data = {
        "diabetes_scaled": {"x": xs.tolist(), "y": y_dia.tolist(), "sample_weight": None},
        "synthetic": {"x": x.tolist(), "y": y.tolist(), "sample_weight": None},
        "synthetic_weighted": {"x": x.tolist(), "y": y.tolist(), "sample_weight": w.tolist()},
    }
    cases = []
    specs = [
        ("diabetes_scaled", 0.1, 1.0, True),
        ("diabetes_scaled", 1.0, 1.0, True),
        ("diabetes_scaled", 5.0, 1.0, True),
        ("diabetes_scaled", 0.5, 0.5, True),
        ("diabetes_scaled", 2.0, 0.2, True),
        ("synthetic", 0.3, 1.0, True),
        ("synthetic", 0.3, 0.7, False),
        ("synthetic_weighted", 0.2, 0.5, True),
        ("synthetic_weighted", 0.5, 1.0, True),
    ]
    for name, alpha, l1_ratio, fi in specs:
        d = data[name]
        xx, yy = np.asarray(d["x"]), np.asarray(d["y"])
        ww = None if d["sample_weight"] is None else np.asarray(d["sample_weight"])
        if l1_ratio == 1.0:
            m = Lasso(alpha=alpha, fit_intercept=fi, **TIGHT).fit(xx, yy, sample_weight=ww)
        else:
            m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fi, **TIGHT).fit(xx, yy, sample_weight=ww)
        cases.append(
            {
                "name": f"{name}_alpha{alpha}_l1{l1_ratio}",
                "data": name,
                "alpha": alpha,
                "l1_ratio": l1_ratio,
                "fit_intercept": fi,
                "coef": m.coef_.tolist(),
                "intercept": float(m.intercept_),
                "n_iter": int(m.n_iter_),
            }
        )
    # lasso_path works on centred data (no intercept); kiln's path centres itself.
    xc = xs - xs.mean(axis=0)
    yc = y_dia - y_dia.mean()
    alphas, coefs, _ = lasso_path(xc, yc, eps=1e-3, alphas=20, **TIGHT)
    path = {"data": "diabetes_scaled", "eps": 1e-3, "n_alphas": 20, "alphas": alphas.tolist(), "coefs": coefs.T.tolist()}
    write_json("enet.json", {"data": data, "cases": cases, "path": path})


def huber_fixtures():
    rng = np.random.default_rng(41)
    n = 200
    x = rng.normal(size=(n, 4)) * np.array([1.0, 2.0, 0.5, 3.0])
    y = x @ np.array([1.5, -0.7, 3.0, 0.2]) + 2.0 + 0.3 * rng.normal(size=n)
    out = rng.choice(n, size=20, replace=False)
    y[out] += rng.choice([-1, 1], size=20) * rng.uniform(10, 30, size=20)
    w = rng.uniform(0.5, 2.0, size=n)
    cases = []
    for name, epsilon, alpha, fi, ww in (
        ("default", 1.35, 1e-4, True, None),
        ("eps1.1_alpha1", 1.1, 1.0, True, None),
        ("eps2_weighted", 2.0, 1e-3, True, w),
        ("no_intercept", 1.35, 1e-4, False, None),
    ):
        m = HuberRegressor(epsilon=epsilon, alpha=alpha, fit_intercept=fi, tol=1e-12, max_iter=100_000)
        m.fit(x, y, sample_weight=ww)
        cases.append(
            {
                "name": name,
                "epsilon": epsilon,
                "alpha": alpha,
                "fit_intercept": fi,
                "sample_weight": None if ww is None else ww.tolist(),
                "coef": m.coef_.tolist(),
                "intercept": float(m.intercept_),
                "scale": float(m.scale_),
                "n_iter": int(m.n_iter_),
            }
        )
    write_json("huber.json", {"x": x.tolist(), "y": y.tolist(), "cases": cases})


def logistic_fixtures():
    data = {}
    for name, loader in (("breast_cancer", load_breast_cancer), ("iris", load_iris), ("wine", load_wine)):
        d = loader()
        data[name] = {"x": StandardScaler().fit_transform(d.data).tolist(), "y": d.target.astype(float).tolist()}
    specs = [
        # data, penalty, C, l1_ratio, class_weight, fit_intercept
        ("breast_cancer", "l2", 1.0, None, None, True),
        ("breast_cancer", "l2", 0.05, None, "balanced", True),
        ("breast_cancer", "l2", 1.0, None, None, False),
        ("breast_cancer", "l1", 0.5, None, None, True),
        ("breast_cancer", "elastic_net", 0.5, 0.5, None, True),
        ("iris", "l2", 1.0, None, None, True),
        ("iris", "l1", 1.0, None, None, True),
        ("wine", "l2", 0.5, None, None, True),
        ("wine", "elastic_net", 0.3, 0.7, "balanced", True),
    ]
    cases = []
    for name, penalty, c, l1_ratio, cw, fi in specs:
        x, y = np.asarray(data[name]["x"]), np.asarray(data[name]["y"])
        if penalty == "l2":
            m = LogisticRegression(C=c, l1_ratio=0.0, solver="lbfgs", tol=1e-10, max_iter=100_000, class_weight=cw, fit_intercept=fi)
        else:
            ratio = 1.0 if penalty == "l1" else l1_ratio
            m = LogisticRegression(C=c, l1_ratio=ratio, solver="saga", tol=1e-12, max_iter=2_000_000, class_weight=cw, fit_intercept=fi)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            m.fit(x, y)
        cases.append(
            {
                "name": f"{name}_{penalty}_C{c}" + (f"_l1{l1_ratio}" if l1_ratio else "") + (f"_{cw}" if cw else "") + ("" if fi else "_nointercept"),
                "data": name,
                "penalty": penalty,
                "C": c,
                "l1_ratio": l1_ratio if l1_ratio is not None else 0.5,
                "class_weight": cw,
                "fit_intercept": fi,
                "coef": m.coef_.tolist(),
                "intercept": np.atleast_1d(m.intercept_).tolist(),
                "proba": m.predict_proba(x).tolist(),
                "n_iter": int(np.max(m.n_iter_)),
            }
        )
        print(cases[-1]["name"], "n_iter", cases[-1]["n_iter"])
    write_json("logistic.json", {"data": data, "cases": cases})


def nb_fixtures():
    cases = []
    for name, loader in (("iris", load_iris), ("wine", load_wine)):
        d = loader()
        x, y = d.data, d.target.astype(float)
        w = np.random.default_rng(51).uniform(0.2, 2.0, size=len(y))
        k = len(np.unique(y))
        for label, params, ww in (
            ("default", {}, None),
            ("smoothed_priors", {"var_smoothing": 1e-3, "priors": (np.arange(1, k + 1) / np.arange(1, k + 1).sum()).tolist()}, None),
            ("weighted", {}, w),
        ):
            m = GaussianNB(**params).fit(x, y, sample_weight=ww)
            cases.append(
                {
                    "name": f"gaussian_{name}_{label}",
                    "model": "gaussian_nb",
                    "params": params,
                    "x": x.tolist(),
                    "y": y.tolist(),
                    "sample_weight": None if ww is None else ww.tolist(),
                    "log_proba": m.predict_log_proba(x).tolist(),
                    "predict": m.predict(x).tolist(),
                }
            )
    rng = np.random.default_rng(52)
    n, p, k = 300, 12, 3
    y = rng.integers(0, k, size=n).astype(float)
    rates = rng.uniform(0.2, 4.0, size=(k, p))
    counts = rng.poisson(rates[y.astype(int)]).astype(float)
    cats = np.column_stack([rng.integers(0, m, size=n) for m in (2, 3, 5, 4, 7)]).astype(float)
    # make categories depend on the class a little
    cats[:, 1] = np.where(rng.random(n) < 0.5, y % 3, cats[:, 1])
    w = rng.uniform(0.2, 2.0, size=n)
    for label, params, ww in (
        ("default", {}, None),
        ("alpha0.3_uniform", {"alpha": 0.3, "fit_prior": False}, None),
        ("class_prior_weighted", {"alpha": 2.0, "class_prior": [0.2, 0.3, 0.5]}, w),
    ):
        for model, cls, x in (("multinomial_nb", MultinomialNB, counts), ("bernoulli_nb", BernoulliNB, counts), ("categorical_nb", CategoricalNB, cats)):
            extra = dict(params)
            if model == "bernoulli_nb" and label == "alpha0.3_uniform":
                extra["binarize"] = 1.5
            m = cls(**extra).fit(x, y, sample_weight=ww)
            cases.append(
                {
                    "name": f"{model}_{label}",
                    "model": model,
                    "params": extra,
                    "x": x.tolist(),
                    "y": y.tolist(),
                    "sample_weight": None if ww is None else ww.tolist(),
                    "log_proba": m.predict_log_proba(x).tolist(),
                    "predict": m.predict(x).tolist(),
                }
            )
    write_json("naive_bayes.json", {"cases": cases})


def main():
    ols_fixtures()
    ridge_fixtures()
    enet_fixtures()
    huber_fixtures()
    logistic_fixtures()
    nb_fixtures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
