//! Outlier detectors against scikit-learn 1.9 / NumPy (fixtures from
//! `tools/reference/cluster_fixtures.py`): isolation-forest score ranks, local outlier factors
//! (exact, training and novelty), elliptic-envelope distances and location, one-class SVM
//! decision values, z-score and IQR bounds; plus errors on bad input.

mod common;

use common::{load_area_json, matrix, vector};
use kiln_models::outlier::Gamma;
use kiln_models::{
    EllipticEnvelopeSpec, FittedOutlierDetector, IqrRuleSpec, IsolationForestSpec,
    LocalOutlierFactorSpec, MaxSamples, ModelError, OneClassSvmSpec, OutlierSpec, ZScoreRuleSpec,
};
use kiln_stats::correlation::spearman;
use kiln_stats::hypothesis::Alternative;
use ndarray::{Array2, array};
use serde_json::Value;

fn rank_correlation(a: &[f64], b: &[f64]) -> f64 {
    spearman(a, b, Alternative::TwoSided)
        .expect("spearman")
        .coefficient
}

fn ints(v: &Value) -> Vec<i64> {
    serde_json::from_value(v.clone()).expect("integers")
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

fn contamination(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn isolation_forest_scores_rank_like_scikit_learns() {
    let all = load_area_json("cluster", "outliers.json");
    let f = &all["isolation_forest"];
    let (x, test) = (matrix(&f["x"]), matrix(&f["test"]));
    for case in f["cases"].as_array().expect("cases") {
        let c = contamination(&case["contamination"]);
        let model = IsolationForestSpec {
            n_estimators: f["n_estimators"].as_u64().expect("trees") as usize,
            contamination: c,
            ..IsolationForestSpec::default()
        }
        .fit(x.view())
        .expect("fit");
        let ours = model.score_samples(x.view()).expect("scores").to_vec();
        let theirs = vector(&case["score_samples"]).to_vec();
        let rho = rank_correlation(&ours, &theirs);
        let ours_t = model.score_samples(test.view()).expect("scores").to_vec();
        let rho_t = rank_correlation(&ours_t, &vector(&case["test_score_samples"]).to_vec());
        println!(
            "isolation forest {c:?}: Spearman train {rho:.4} test {rho_t:.4} (two scikit-learn seeds: {:.4}); offset kiln {:.4} scikit-learn {:.4}",
            case["self_spearman"], model.offset, case["offset"]
        );
        // Independent random trees on each side (1000 of them, so Monte Carlo noise stays
        // small): the brief's bound of 0.99 on rank correlation.
        assert!(rho >= 0.99 && rho_t >= 0.99, "{rho} {rho_t}");
        match c {
            None => assert_eq!(model.offset, -0.5),
            Some(share) => {
                let flagged = ours.iter().filter(|&&s| s < model.offset).count();
                // The offset is the share-quantile of the training scores: ⌊share·n⌋ rows below.
                assert_eq!(flagged, (share * x.nrows() as f64).floor() as usize);
                // And close to scikit-learn's own offset (scores in [−1, 0)): 0.01.
                assert!((model.offset - case["offset"].as_f64().expect("offset")).abs() < 0.01);
            }
        }
    }
}

#[test]
fn local_outlier_factor_matches_scikit_learn_exactly() {
    let all = load_area_json("cluster", "outliers.json");
    let l = &all["lof"];
    let (x, test) = (matrix(&l["x"]), matrix(&l["test"]));
    for case in l["cases"].as_array().expect("cases") {
        let spec = LocalOutlierFactorSpec {
            n_neighbors: case["n_neighbors"].as_u64().expect("k") as usize,
            contamination: contamination(&case["contamination"]),
            novelty: false,
        };
        let (model, labels) = OutlierSpec::LocalOutlierFactor(spec.clone())
            .fit_predict(x.view())
            .expect("fit");
        let FittedOutlierDetector::LocalOutlierFactor(m) = &model else {
            panic!("a local outlier factor")
        };
        // Same neighbours, same formula: 1e-9 absolute on factors of order 1.
        let diff = max_abs_diff(
            &m.negative_outlier_factor,
            &vector(&case["negative_outlier_factor"]).to_vec(),
        );
        assert!(diff <= 1e-9, "factor diff {diff}");
        assert!((m.offset - case["offset"].as_f64().expect("offset")).abs() <= 1e-9);
        assert_eq!(labels.to_vec(), ints(&case["fit_predict"]));

        let novelty = LocalOutlierFactorSpec {
            novelty: true,
            ..spec
        }
        .fit(x.view())
        .expect("fit");
        let scores = novelty.score_samples(test.view()).expect("scores").to_vec();
        let diff = max_abs_diff(&scores, &vector(&case["novelty_score_samples"]).to_vec());
        println!(
            "lof k={}: training diff ≤ 1e-9, novelty diff {diff:.2e}",
            case["n_neighbors"]
        );
        assert!(diff <= 1e-9, "novelty diff {diff}");
        let detector = FittedOutlierDetector::LocalOutlierFactor(novelty);
        assert_eq!(
            detector.predict(test.view()).expect("predict").to_vec(),
            ints(&case["novelty_predict"])
        );
    }
}

#[test]
fn elliptic_envelope_agrees_with_scikit_learn() {
    let all = load_area_json("cluster", "outliers.json");
    for case in all["elliptic_envelope"].as_array().expect("cases") {
        let x = matrix(&case["x"]);
        let model = EllipticEnvelopeSpec {
            support_fraction: case["support_fraction"].as_f64(),
            contamination: case["contamination"].as_f64().expect("contamination"),
            seed: 0,
        }
        .fit(x.view())
        .expect("fit");
        let ours = model.mahalanobis(x.view()).expect("distances").to_vec();
        let theirs = vector(&case["mahalanobis"]).to_vec();
        let rho = rank_correlation(&ours, &theirs);
        let location = vector(&case["location"]).to_vec();
        let covariance = matrix(&case["covariance"]);
        // Location error in robust standard deviations of each coordinate.
        let shift = location
            .iter()
            .zip(&model.location)
            .enumerate()
            .map(|(j, (a, b))| (a - b).abs() / covariance[[j, j]].sqrt())
            .fold(0.0f64, f64::max);
        let detector = FittedOutlierDetector::EllipticEnvelope(model);
        let predicted = detector.predict(x.view()).expect("predict").to_vec();
        let agree = predicted
            .iter()
            .zip(ints(&case["predict"]))
            .filter(|(a, b)| **a == *b)
            .count() as f64
            / x.nrows() as f64;
        println!(
            "{}: Spearman {rho:.5}, location shift {shift:.4} sd, predict agreement {agree:.4}",
            case["name"]
        );
        // The brief's rank bound; FastMCD draws different random starts, so the location is
        // compared in robust standard deviations: within 0.05.
        assert!(rho >= 0.99, "{}: {rho}", case["name"]);
        assert!(shift <= 0.05, "{}: {shift}", case["name"]);
        assert!(agree >= 0.98, "{}: {agree}", case["name"]);
    }
}

#[test]
fn one_class_svm_decision_matches_scikit_learn() {
    let all = load_area_json("cluster", "outliers.json");
    let s = &all["one_class_svm"];
    let (x, test) = (matrix(&s["x"]), matrix(&s["test"]));
    for case in s["cases"].as_array().expect("cases") {
        let gamma = match case["gamma"].as_f64() {
            Some(g) => Gamma::Value(g),
            None => Gamma::Scale,
        };
        let model = OneClassSvmSpec {
            nu: case["nu"].as_f64().expect("nu"),
            gamma,
            ..OneClassSvmSpec::default()
        }
        .fit(x.view())
        .expect("fit");
        assert!((model.gamma - case["gamma_value"].as_f64().expect("gamma")).abs() <= 1e-12);
        let train = max_abs_diff(
            &model
                .decision_function(x.view())
                .expect("decision")
                .to_vec(),
            &vector(&case["decision_function"]).to_vec(),
        );
        let held_out = max_abs_diff(
            &model
                .decision_function(test.view())
                .expect("decision")
                .to_vec(),
            &vector(&case["test_decision_function"]).to_vec(),
        );
        println!(
            "one-class SVM nu={} gamma={}: max |Δ decision| train {train:.2e} test {held_out:.2e}; rho kiln {:.6} scikit-learn {}; support vectors {} vs {}",
            case["nu"],
            case["gamma"],
            model.rho,
            case["offset"],
            model.support.len(),
            case["n_support"]
        );
        // The brief's bound (both solvers stop at a KKT violation of 1e-3).
        assert!(train <= 1e-3 && held_out <= 1e-3, "{train} {held_out}");
    }
}

#[test]
fn z_score_and_iqr_rules_match_numpy_exactly() {
    let all = load_area_json("cluster", "outliers.json");
    let r = &all["rules"];
    let (x, test) = (matrix(&r["x"]), matrix(&r["test"]));
    let z = ZScoreRuleSpec {
        threshold: r["zscore"]["threshold"].as_f64().expect("threshold"),
    }
    .fit(x.view())
    .expect("fit");
    let iqr = IqrRuleSpec {
        k: r["iqr"]["k"].as_f64().expect("k"),
    }
    .fit(x.view())
    .expect("fit");
    for (rule, key) in [(&z, "zscore"), (&iqr, "iqr")] {
        // Means, standard deviations and interpolated quartiles: 1e-12 relative.
        for (ours, field) in [(&rule.low, "low"), (&rule.high, "high")] {
            let theirs = vector(&r[key][field]).to_vec();
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{key} {field}");
            }
        }
        assert_eq!(
            rule.predict(x.view()).expect("predict").to_vec(),
            ints(&r[key]["predict"]),
            "{key}"
        );
        assert_eq!(
            rule.predict(test.view()).expect("predict").to_vec(),
            ints(&r[key]["test_predict"]),
            "{key} test"
        );
    }
}

fn is_param_error<T: std::fmt::Debug>(r: Result<T, ModelError>, param: &str) {
    match r {
        Err(ModelError::InvalidParameter { param: p, .. }) => assert_eq!(p, param),
        other => panic!("expected an error on {param}, got {other:?}"),
    }
}

fn every_detector() -> Vec<OutlierSpec> {
    vec![
        OutlierSpec::IsolationForest(IsolationForestSpec {
            n_estimators: 10,
            ..IsolationForestSpec::default()
        }),
        OutlierSpec::LocalOutlierFactor(LocalOutlierFactorSpec {
            n_neighbors: 3,
            novelty: true,
            ..LocalOutlierFactorSpec::default()
        }),
        OutlierSpec::EllipticEnvelope(EllipticEnvelopeSpec::default()),
        OutlierSpec::OneClassSvm(OneClassSvmSpec::default()),
        OutlierSpec::ZScore(ZScoreRuleSpec::default()),
        OutlierSpec::Iqr(IqrRuleSpec::default()),
    ]
}

#[test]
fn bad_input_is_an_error() {
    let x = Array2::from_shape_fn((30, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    for c in [0.0, -0.1, 0.6, f64::NAN] {
        is_param_error(
            IsolationForestSpec {
                contamination: Some(c),
                ..IsolationForestSpec::default()
            }
            .fit(x.view()),
            "contamination",
        );
        is_param_error(
            LocalOutlierFactorSpec {
                contamination: Some(c),
                ..LocalOutlierFactorSpec::default()
            }
            .fit(x.view()),
            "contamination",
        );
        is_param_error(
            EllipticEnvelopeSpec {
                contamination: c,
                ..EllipticEnvelopeSpec::default()
            }
            .fit(x.view()),
            "contamination",
        );
    }
    // 0.5 is the largest share allowed.
    assert!(
        IsolationForestSpec {
            contamination: Some(0.5),
            n_estimators: 5,
            ..IsolationForestSpec::default()
        }
        .fit(x.view())
        .is_ok()
    );
    is_param_error(
        IsolationForestSpec {
            max_samples: MaxSamples::Count(31),
            ..IsolationForestSpec::default()
        }
        .fit(x.view()),
        "max_samples",
    );
    is_param_error(
        IsolationForestSpec {
            n_estimators: 0,
            ..IsolationForestSpec::default()
        }
        .check(),
        "n_estimators",
    );
    for nu in [0.0, 1.5] {
        is_param_error(
            OneClassSvmSpec {
                nu,
                ..OneClassSvmSpec::default()
            }
            .fit(x.view()),
            "nu",
        );
    }
    is_param_error(
        OneClassSvmSpec {
            gamma: Gamma::Value(-1.0),
            ..OneClassSvmSpec::default()
        }
        .check(),
        "gamma",
    );
    is_param_error(
        EllipticEnvelopeSpec {
            support_fraction: Some(1.5),
            ..EllipticEnvelopeSpec::default()
        }
        .check(),
        "support_fraction",
    );
    is_param_error(
        EllipticEnvelopeSpec::default().fit(array![[1.0, 2.0], [3.0, 4.0]].view()),
        "x",
    );
    is_param_error(ZScoreRuleSpec { threshold: 0.0 }.check(), "threshold");
    is_param_error(IqrRuleSpec { k: -1.0 }.check(), "k");
    is_param_error(
        LocalOutlierFactorSpec::default().fit(array![[1.0, 2.0]].view()),
        "x",
    );
    // Without novelty the factor describes its training rows only.
    let lof = LocalOutlierFactorSpec::default()
        .fit(x.view())
        .expect("fit");
    is_param_error(lof.score_samples(x.view()), "novelty");

    for spec in every_detector() {
        for bad in [f64::NAN, f64::NEG_INFINITY] {
            let mut xb = x.clone();
            xb[[4, 1]] = bad;
            assert!(
                matches!(
                    spec.fit(xb.view()),
                    Err(ModelError::InvalidFeatureValue {
                        row: 4,
                        column: 1,
                        ..
                    })
                ),
                "{spec:?} with {bad}"
            );
        }
        assert!(matches!(
            spec.fit(Array2::<f64>::zeros((0, 2)).view()),
            Err(ModelError::EmptyInput { .. })
        ));
        let model = spec.fit(x.view()).expect("fit");
        for r in [
            model.predict(array![[1.0, 2.0, 3.0]].view()).map(|_| ()),
            model.score_samples(array![[1.0]].view()).map(|_| ()),
        ] {
            assert!(matches!(
                r,
                Err(ModelError::FeatureCountMismatch {
                    expected: 2,
                    found: _
                })
            ));
        }
    }
}
