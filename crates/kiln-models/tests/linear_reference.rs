//! Linear models against scikit-learn 1.9 and statsmodels 0.15 on the fixtures written by
//! `tools/reference/linear_fixtures.py` (`tests/fixtures/linear/`).
//!
//! Tolerances, as the acceptance criteria of the linear models state them:
//! - closed forms (OLS, ridge) and OLS inference: 1e-8 relative;
//! - iterative solvers run to a tight tolerance on both sides (lasso, elastic net, Huber,
//!   logistic regression): 1e-4, relative to the largest coefficient of the reference.

use kiln_models::{
    ClassWeight, ElasticNetSpec, HuberSpec, LinearRegressionSpec, LogisticPenalty,
    LogisticRegressionSpec, OlsSummary, RidgeSpec,
};
use ndarray::{Array1, Array2};
use serde_json::Value;

fn load(name: &str) -> Value {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let path = format!("{dir}/../../tests/fixtures/linear/{name}");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} exists (run tools/reference/linear_fixtures.py)"));
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("matrix");
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}

fn vector(v: &Value) -> Array1<f64> {
    Array1::from(serde_json::from_value::<Vec<f64>>(v.clone()).expect("vector"))
}

fn weights(v: &Value) -> Option<Array1<f64>> {
    (!v.is_null()).then(|| vector(v))
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// `|a − b| <= rel · max(|a|, |b|)`, with a floor so exact zeros compare.
fn assert_rel(a: f64, b: f64, rel: f64, what: &str) {
    let scale = a.abs().max(b.abs()).max(1e-300);
    assert!(
        (a - b).abs() <= rel * scale,
        "{what}: {a} vs {b} (relative {:.3e})",
        (a - b).abs() / scale
    );
}

/// Every entry within `rel` of the largest reference magnitude.
fn assert_close_to_scale(ours: &[f64], theirs: &[f64], rel: f64, what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: length");
    let scale = theirs.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= rel * scale,
            "{what}[{i}]: {a} vs {b} (difference {:.3e}, scale {scale:.3e})",
            (a - b).abs()
        );
    }
}

fn check_inference(ours: &OlsSummary, theirs: &Value, what: &str) {
    // OLS inference: 1e-8 relative on every reported statistic.
    let rel = 1e-8;
    let stat = |key: &str| num(&theirs[key]);
    assert_rel(
        ours.r_squared,
        stat("r_squared"),
        rel,
        &format!("{what} R²"),
    );
    assert_rel(
        ours.adj_r_squared,
        stat("adj_r_squared"),
        rel,
        &format!("{what} adj R²"),
    );
    assert_rel(
        ours.f_statistic,
        stat("f_statistic"),
        rel,
        &format!("{what} F"),
    );
    assert_rel(
        ours.f_p_value,
        stat("f_p_value"),
        rel,
        &format!("{what} F p"),
    );
    assert_rel(
        ours.df_model,
        stat("df_model"),
        0.0,
        &format!("{what} df_model"),
    );
    assert_rel(
        ours.df_resid,
        stat("df_resid"),
        0.0,
        &format!("{what} df_resid"),
    );
    assert_rel(ours.sigma2, stat("sigma2"), rel, &format!("{what} sigma2"));
    assert_rel(ours.rss, stat("rss"), rel, &format!("{what} rss"));
    assert_rel(
        ours.log_likelihood,
        stat("log_likelihood"),
        rel,
        &format!("{what} llf"),
    );
    assert_rel(ours.aic, stat("aic"), rel, &format!("{what} aic"));
    assert_rel(ours.bic, stat("bic"), rel, &format!("{what} bic"));
    let mut pairs: Vec<(&kiln_models::linear::CoefficientStats, &Value, String)> = Vec::new();
    if let Some(c) = &ours.intercept {
        pairs.push((c, &theirs["intercept"], format!("{what} const")));
    } else {
        assert!(theirs["intercept"].is_null());
    }
    let coefs = theirs["coefficients"].as_array().expect("coefficients");
    assert_eq!(coefs.len(), ours.coefficients.len());
    for (j, (c, t)) in ours.coefficients.iter().zip(coefs).enumerate() {
        pairs.push((c, t, format!("{what} x{}", j + 1)));
    }
    for (c, t, name) in pairs {
        assert_rel(
            c.estimate,
            num(&t["estimate"]),
            rel,
            &format!("{name} coef"),
        );
        assert_rel(
            c.std_error,
            num(&t["std_error"]),
            rel,
            &format!("{name} se"),
        );
        assert_rel(c.t, num(&t["t"]), rel, &format!("{name} t"));
        assert_rel(c.p_value, num(&t["p_value"]), rel, &format!("{name} p"));
        assert_rel(c.ci_low, num(&t["ci_low"]), rel, &format!("{name} ci low"));
        assert_rel(
            c.ci_high,
            num(&t["ci_high"]),
            rel,
            &format!("{name} ci high"),
        );
    }
}

#[test]
fn ols_matches_scikit_learn_and_statsmodels() {
    let all = load("ols.json");
    let cases = all["cases"].as_array().expect("cases");
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let (x, y) = (matrix(&case["x"]), vector(&case["y"]));
        let w = weights(&case["sample_weight"]);
        let spec = LinearRegressionSpec {
            fit_intercept: case["fit_intercept"].as_bool().expect("bool"),
            ..LinearRegressionSpec::default()
        };
        let m = spec
            .fit(x.view(), y.view(), w.as_ref().map(|w| w.view()))
            .expect("fits");
        // Coefficients and intercept: 1e-8 relative.
        for (j, (a, b)) in m.coef.iter().zip(vector(&case["coef"])).enumerate() {
            assert_rel(*a, b, 1e-8, &format!("{name} coef {j}"));
        }
        if spec.fit_intercept {
            assert_rel(
                m.intercept,
                num(&case["intercept"]),
                1e-8,
                &format!("{name} intercept"),
            );
        }
        assert!(!m.minimum_norm);
        assert_eq!(m.rank as u64, case["rank"].as_u64().expect("rank"));
        for (a, b) in m
            .singular_values
            .iter()
            .zip(vector(&case["singular_values"]))
        {
            assert_rel(*a, b, 1e-8, &format!("{name} singular value"));
        }
        check_inference(m.summary().expect("full rank"), &case["inference"], name);
    }
}

#[test]
fn ols_rank_deficient_is_minimum_norm_like_lstsq() {
    let all = load("ols.json");
    let case = &all["rank_deficient"];
    let (x, y) = (matrix(&case["x"]), vector(&case["y"]));
    let m = LinearRegressionSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fits");
    assert!(m.minimum_norm, "the fallback is recorded on the model");
    assert_eq!(m.rank as u64, case["rank"].as_u64().expect("rank"));
    // Minimum-norm coefficients: 1e-8 relative to the largest coefficient.
    assert_close_to_scale(
        &m.coef,
        &vector(&case["coef"]).to_vec(),
        1e-8,
        "min-norm coef",
    );
    assert_rel(
        m.intercept,
        num(&case["intercept"]),
        1e-8,
        "min-norm intercept",
    );
    assert!(
        m.summary().is_err(),
        "no inference for a rank-deficient design"
    );
}

#[test]
fn ols_summary_renders_like_statsmodels() {
    let all = load("ols.json");
    let case = &all["cases"][0];
    let (x, y) = (matrix(&case["x"]), vector(&case["y"]));
    let m = LinearRegressionSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fits");
    let names: Vec<String> =
        serde_json::from_value(all["feature_names"]["diabetes"].clone()).expect("names");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let text = m.summary().expect("summary").render(Some(&names));
    for needle in [
        "OLS Regression Results",
        "R-squared:",
        "Adj. R-squared:",
        "F-statistic:",
        "P>|t|",
        "const",
        "bmi",
        "s6",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    // R² of diabetes is 0.518 in statsmodels' table.
    assert!(text.contains("0.518"), "{text}");
}

#[test]
fn ridge_matches_scikit_learn() {
    let all = load("ridge.json");
    let cases = all["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let d = &all["data"][case["data"].as_str().expect("data")];
        let (x, y, w) = (
            matrix(&d["x"]),
            vector(&d["y"]),
            weights(&d["sample_weight"]),
        );
        let m = RidgeSpec {
            alpha: num(&case["alpha"]),
            fit_intercept: case["fit_intercept"].as_bool().expect("bool"),
        }
        .fit(x.view(), y.view(), w.as_ref().map(|w| w.view()))
        .expect("fits");
        // Closed form: 1e-8 relative per coefficient.
        for (j, (a, b)) in m.coef.iter().zip(vector(&case["coef"])).enumerate() {
            assert_rel(*a, b, 1e-8, &format!("{name} coef {j}"));
        }
        assert_rel(
            m.intercept,
            num(&case["intercept"]),
            1e-8,
            &format!("{name} intercept"),
        );
    }
}

#[test]
fn lasso_and_elastic_net_match_scikit_learn() {
    let all = load("enet.json");
    for case in all["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let d = &all["data"][case["data"].as_str().expect("data")];
        let (x, y, w) = (
            matrix(&d["x"]),
            vector(&d["y"]),
            weights(&d["sample_weight"]),
        );
        let m = ElasticNetSpec {
            alpha: num(&case["alpha"]),
            l1_ratio: num(&case["l1_ratio"]),
            fit_intercept: case["fit_intercept"].as_bool().expect("bool"),
            max_iter: 1_000_000,
            tol: 1e-12,
        }
        .fit(x.view(), y.view(), w.as_ref().map(|w| w.view()))
        .expect("fits");
        assert!(m.converged, "{name}");
        // Tight tolerance on both sides: 1e-4 relative to the largest coefficient.
        let theirs = vector(&case["coef"]).to_vec();
        assert_close_to_scale(&m.coef, &theirs, 1e-4, name);
        let scale = theirs.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        let b = num(&case["intercept"]);
        assert!(
            (m.intercept - b).abs() <= 1e-4 * scale.max(b.abs()),
            "{name} intercept"
        );
        // Sparsity pattern: the reference's exact zeros are zeros here too.
        for (j, (a, t)) in m.coef.iter().zip(&theirs).enumerate() {
            if *t == 0.0 {
                assert_eq!(*a, 0.0, "{name}: coefficient {j} should be exactly zero");
            }
        }
    }
}

#[test]
fn lasso_path_matches_scikit_learn() {
    let all = load("enet.json");
    let path = &all["path"];
    let d = &all["data"][path["data"].as_str().expect("data")];
    let (x, y) = (matrix(&d["x"]), vector(&d["y"]));
    let spec = ElasticNetSpec {
        l1_ratio: 1.0,
        max_iter: 1_000_000,
        tol: 1e-12,
        ..ElasticNetSpec::default()
    };
    let n_alphas = path["n_alphas"].as_u64().expect("n") as usize;
    let ours = spec
        .path(x.view(), y.view(), None, None, n_alphas, num(&path["eps"]))
        .expect("path");
    let alphas = vector(&path["alphas"]);
    let coefs: Vec<Vec<f64>> = serde_json::from_value(path["coefs"].clone()).expect("coefs");
    assert_eq!(ours.len(), alphas.len());
    for (i, point) in ours.iter().enumerate() {
        // The grid is computed in closed form: 1e-12 relative.
        assert_rel(point.alpha, alphas[i], 1e-12, &format!("alpha {i}"));
        assert!(point.model.converged, "point {i}");
        // Coefficients along the path: 1e-4 relative to the largest at that alpha (or 1).
        let scale = coefs[i].iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (a, b) in point.model.coef.iter().zip(&coefs[i]) {
            assert!((a - b).abs() <= 1e-4 * scale, "alpha {i}: {a} vs {b}");
        }
    }
}

#[test]
fn huber_matches_scikit_learn() {
    let all = load("huber.json");
    let (x, y) = (matrix(&all["x"]), vector(&all["y"]));
    for case in all["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let w = weights(&case["sample_weight"]);
        let m = HuberSpec {
            epsilon: num(&case["epsilon"]),
            alpha: num(&case["alpha"]),
            fit_intercept: case["fit_intercept"].as_bool().expect("bool"),
            max_iter: 100_000,
            tol: 1e-10,
        }
        .fit(x.view(), y.view(), w.as_ref().map(|w| w.view()))
        .expect("fits");
        assert!(m.converged, "{name}");
        // 1e-4 relative to the largest coefficient, for coefficients, intercept and scale.
        let theirs = vector(&case["coef"]).to_vec();
        assert_close_to_scale(&m.coef, &theirs, 1e-4, name);
        let scale = theirs.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        assert!(
            (m.intercept - num(&case["intercept"])).abs() <= 1e-4 * scale,
            "{name} intercept"
        );
        assert_rel(m.scale, num(&case["scale"]), 1e-4, &format!("{name} scale"));
    }
}

#[test]
fn logistic_regression_matches_scikit_learn() {
    let all = load("logistic.json");
    for case in all["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let d = &all["data"][case["data"].as_str().expect("data")];
        let (x, y) = (matrix(&d["x"]), vector(&d["y"]));
        let penalty: LogisticPenalty =
            serde_json::from_value(case["penalty"].clone()).expect("penalty");
        let class_weight = match case["class_weight"].as_str() {
            Some("balanced") => ClassWeight::Balanced,
            _ => ClassWeight::None,
        };
        let m = LogisticRegressionSpec {
            penalty,
            c: num(&case["C"]),
            l1_ratio: num(&case["l1_ratio"]),
            fit_intercept: case["fit_intercept"].as_bool().expect("bool"),
            class_weight,
            max_iter: 10_000,
            tol: 1e-10,
        }
        .fit(x.view(), y.view(), None)
        .expect("fits");
        assert!(m.converged, "{name}");
        let coefs: Vec<Vec<f64>> = serde_json::from_value(case["coef"].clone()).expect("coef");
        let intercepts = vector(&case["intercept"]).to_vec();
        assert_eq!(m.coef.len(), coefs.len(), "{name}: score columns");
        // Coefficients: 1e-4 relative to the largest reference coefficient.
        let flat: Vec<f64> = coefs.concat();
        let ours: Vec<f64> = m.coef.concat();
        assert_close_to_scale(&ours, &flat, 1e-4, name);
        // Multinomial intercepts are defined up to a shared constant (the softmax ignores it):
        // compared after removing their mean, at the same tolerance.
        let centre = |v: &[f64]| -> Vec<f64> {
            let mean = if v.len() > 1 {
                v.iter().sum::<f64>() / v.len() as f64
            } else {
                0.0
            };
            v.iter().map(|a| a - mean).collect()
        };
        let scale = flat.iter().fold(1.0f64, |a, v| a.max(v.abs()));
        for (a, b) in centre(&m.intercept).iter().zip(centre(&intercepts)) {
            assert!(
                (a - b).abs() <= 1e-4 * scale,
                "{name} intercept: {a} vs {b}"
            );
        }
        // Probabilities follow: 1e-4 absolute.
        let proba = m.predict_proba(x.view()).expect("proba");
        let theirs = matrix(&case["proba"]);
        let worst = proba
            .iter()
            .zip(theirs.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-4, "{name}: probabilities differ by {worst}");
    }
}
