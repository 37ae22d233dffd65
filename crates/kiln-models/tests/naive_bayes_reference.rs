//! Naive Bayes against scikit-learn 1.9 on `tests/fixtures/linear/naive_bayes.json` (written by
//! `tools/reference/linear_fixtures.py`): `predict_log_proba` on the training rows within 1e-9
//! (relative to the magnitude, absolute below 1), and identical predictions.

use kiln_models::{
    BernoulliNbSpec, CategoricalNbSpec, GaussianNbSpec, ModelError, MultinomialNbSpec,
};
use ndarray::{Array1, Array2, array};
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

fn opt_vec(v: &Value) -> Option<Vec<f64>> {
    (!v.is_null()).then(|| serde_json::from_value(v.clone()).expect("vector"))
}

#[test]
fn log_probabilities_match_scikit_learn() {
    let all = load("naive_bayes.json");
    let cases = all["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let (x, y) = (matrix(&case["x"]), vector(&case["y"]));
        let w = opt_vec(&case["sample_weight"]).map(Array1::from);
        let sw = w.as_ref().map(|w| w.view());
        let p = &case["params"];
        let alpha = p["alpha"].as_f64().unwrap_or(1.0);
        let fit_prior = p["fit_prior"].as_bool().unwrap_or(true);
        let class_prior = opt_vec(&p["class_prior"]);
        let (log_proba, predicted) = match case["model"].as_str().expect("model") {
            "gaussian_nb" => {
                let m = GaussianNbSpec {
                    priors: opt_vec(&p["priors"]),
                    var_smoothing: p["var_smoothing"].as_f64().unwrap_or(1e-9),
                }
                .fit(x.view(), y.view(), sw)
                .expect("fits");
                (m.predict_log_proba(x.view()), m.predict(x.view()))
            }
            "multinomial_nb" => {
                let m = MultinomialNbSpec {
                    alpha,
                    fit_prior,
                    class_prior,
                }
                .fit(x.view(), y.view(), sw)
                .expect("fits");
                (m.predict_log_proba(x.view()), m.predict(x.view()))
            }
            "bernoulli_nb" => {
                let m = BernoulliNbSpec {
                    alpha,
                    binarize: Some(p["binarize"].as_f64().unwrap_or(0.0)),
                    fit_prior,
                    class_prior,
                }
                .fit(x.view(), y.view(), sw)
                .expect("fits");
                (m.predict_log_proba(x.view()), m.predict(x.view()))
            }
            "categorical_nb" => {
                let m = CategoricalNbSpec {
                    alpha,
                    fit_prior,
                    class_prior,
                    min_categories: None,
                }
                .fit(x.view(), y.view(), sw)
                .expect("fits");
                (m.predict_log_proba(x.view()), m.predict(x.view()))
            }
            other => panic!("unknown model {other}"),
        };
        let log_proba = log_proba.expect("log proba");
        let theirs = matrix(&case["log_proba"]);
        assert_eq!(log_proba.dim(), theirs.dim(), "{name}");
        for ((idx, a), b) in log_proba.indexed_iter().zip(theirs.iter()) {
            // 1e-9 relative to max(1, |value|): log-probabilities near 0 compare absolutely.
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{name} {idx:?}: {a} vs {b}"
            );
        }
        assert_eq!(
            predicted.expect("predict"),
            vector(&case["predict"]),
            "{name}"
        );
    }
}

#[test]
fn bad_inputs_name_the_problem() {
    let x = array![[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]];
    let y = array![0.0, 1.0, 1.0];
    let err = MultinomialNbSpec::default()
        .fit(
            array![[1.0, -2.0], [0.0, 1.0], [3.0, 0.0]].view(),
            y.view(),
            None,
        )
        .expect_err("negative count");
    assert!(matches!(
        err,
        ModelError::InvalidFeatureValue {
            column: 1,
            row: 0,
            ..
        }
    ));
    let err = CategoricalNbSpec::default()
        .fit(
            array![[1.5, 2.0], [0.0, 1.0], [3.0, 0.0]].view(),
            y.view(),
            None,
        )
        .expect_err("non-integer category");
    assert!(matches!(
        err,
        ModelError::InvalidFeatureValue {
            column: 0,
            row: 0,
            ..
        }
    ));
    let m = CategoricalNbSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fits");
    let err = m
        .predict(array![[9.0, 0.0]].view())
        .expect_err("unseen category");
    assert!(err.to_string().contains("seen in training"), "{err}");
    let err = GaussianNbSpec {
        priors: Some(vec![0.5, 0.6]),
        ..GaussianNbSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect_err("priors");
    assert!(matches!(
        err,
        ModelError::InvalidParameter {
            param: "priors",
            ..
        }
    ));
    let err = BernoulliNbSpec {
        alpha: -1.0,
        ..BernoulliNbSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect_err("alpha");
    assert!(matches!(
        err,
        ModelError::InvalidParameter { param: "alpha", .. }
    ));
    let err = GaussianNbSpec::default()
        .fit(x.view(), array![1.0, 1.0, 1.0].view(), None)
        .expect_err("single class");
    assert!(matches!(err, ModelError::SingleClass { class: 1 }));
}
