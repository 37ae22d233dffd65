//! One conformance suite for every clustering and outlier detector, the unsupervised twin of
//! `conformance.rs`.
//!
//! `cluster_examples` and `outlier_examples` match on every `ClusterSpec` / `OutlierSpec`
//! variant without a wildcard, so a new model does not compile here until it lists examples,
//! and then gets every check below: spec and fitted-model serde round-trips with identical
//! output, determinism under a seed, batch versus row-by-row output, output shapes and label
//! values, unknown spec fields rejected.

use kiln_models::outlier::Gamma;
use kiln_models::{
    ClusterSpec, DbscanSpec, EllipticEnvelopeSpec, IqrRuleSpec, IsolationForestSpec,
    KMeansAlgorithm, KMeansInit, KMeansSpec, LocalOutlierFactorSpec, MaxSamples,
    MiniBatchKMeansSpec, OneClassSvmSpec, OutlierSpec, ZScoreRuleSpec,
};
use ndarray::{Array2, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn cluster_examples(spec: &ClusterSpec) -> Vec<ClusterSpec> {
    match spec {
        ClusterSpec::KMeans(_) => vec![
            ClusterSpec::KMeans(KMeansSpec {
                n_clusters: 3,
                seed: 4,
                ..KMeansSpec::default()
            }),
            ClusterSpec::KMeans(KMeansSpec {
                n_clusters: 4,
                init: KMeansInit::Random,
                algorithm: KMeansAlgorithm::Elkan,
                ..KMeansSpec::default()
            }),
        ],
        ClusterSpec::MiniBatchKMeans(_) => {
            vec![ClusterSpec::MiniBatchKMeans(MiniBatchKMeansSpec {
                n_clusters: 3,
                batch_size: 32,
                seed: 9,
                ..MiniBatchKMeansSpec::default()
            })]
        }
        ClusterSpec::Dbscan(_) => vec![ClusterSpec::Dbscan(DbscanSpec {
            eps: 0.8,
            min_samples: 4,
        })],
    }
}

fn outlier_examples(spec: &OutlierSpec) -> Vec<OutlierSpec> {
    match spec {
        OutlierSpec::IsolationForest(_) => vec![
            OutlierSpec::IsolationForest(IsolationForestSpec {
                n_estimators: 25,
                seed: 3,
                ..IsolationForestSpec::default()
            }),
            OutlierSpec::IsolationForest(IsolationForestSpec {
                n_estimators: 25,
                max_samples: MaxSamples::Fraction(0.5),
                contamination: Some(0.1),
                ..IsolationForestSpec::default()
            }),
        ],
        OutlierSpec::LocalOutlierFactor(_) => {
            vec![OutlierSpec::LocalOutlierFactor(LocalOutlierFactorSpec {
                n_neighbors: 8,
                contamination: Some(0.05),
                novelty: true,
            })]
        }
        OutlierSpec::EllipticEnvelope(_) => {
            vec![OutlierSpec::EllipticEnvelope(EllipticEnvelopeSpec {
                seed: 2,
                ..EllipticEnvelopeSpec::default()
            })]
        }
        OutlierSpec::OneClassSvm(_) => vec![OutlierSpec::OneClassSvm(OneClassSvmSpec {
            nu: 0.2,
            gamma: Gamma::Auto,
            ..OneClassSvmSpec::default()
        })],
        OutlierSpec::ZScore(_) => vec![OutlierSpec::ZScore(ZScoreRuleSpec { threshold: 2.5 })],
        OutlierSpec::Iqr(_) => vec![OutlierSpec::Iqr(IqrRuleSpec { k: 1.0 })],
    }
}

fn all_clusterers() -> Vec<ClusterSpec> {
    [
        ClusterSpec::KMeans(KMeansSpec::default()),
        ClusterSpec::MiniBatchKMeans(MiniBatchKMeansSpec::default()),
        ClusterSpec::Dbscan(DbscanSpec::default()),
    ]
    .iter()
    .flat_map(cluster_examples)
    .collect()
}

fn all_detectors() -> Vec<OutlierSpec> {
    [
        OutlierSpec::IsolationForest(IsolationForestSpec::default()),
        OutlierSpec::LocalOutlierFactor(LocalOutlierFactorSpec::default()),
        OutlierSpec::EllipticEnvelope(EllipticEnvelopeSpec::default()),
        OutlierSpec::OneClassSvm(OneClassSvmSpec::default()),
        OutlierSpec::ZScore(ZScoreRuleSpec::default()),
        OutlierSpec::Iqr(IqrRuleSpec::default()),
    ]
    .iter()
    .flat_map(outlier_examples)
    .collect()
}

/// Three groups in 3 dimensions plus a few far rows.
fn data() -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    Array2::from_shape_fn((150, 3), |(i, _)| {
        let centre = (i % 3) as f64 * 4.0;
        let spread = if i % 37 == 0 { 12.0 } else { 0.6 };
        centre + rng.random_range(-spread..spread)
    })
}

#[test]
fn clusterers_round_trip_and_are_deterministic() {
    let x = data();
    for spec in all_clusterers() {
        let text = serde_json::to_string(&spec).expect("serialise spec");
        let back: ClusterSpec = serde_json::from_str(&text).expect("parse spec");
        assert_eq!(back, spec);
        spec.check().expect("valid example");
        let model = spec.fit(x.view()).expect("fit");
        assert_eq!(
            spec.fit(x.view()).expect("refit"),
            model,
            "{spec:?} not deterministic"
        );
        let stored = serde_json::to_string(&model).expect("serialise model");
        let loaded: kiln_models::FittedClusterer = serde_json::from_str(&stored).expect("load");
        let p = model.predict(x.view()).expect("predict");
        assert_eq!(loaded.predict(x.view()).expect("predict"), p);
        assert_eq!(p.len(), x.nrows());
        assert_eq!(model.labels().len(), x.nrows());
        assert_eq!(model.n_features(), 3);
        let k = model.n_clusters() as i64;
        assert!(
            p.iter().all(|&l| l == -1 || (0..k).contains(&l)),
            "{spec:?}"
        );
        for i in [0, 7, 149] {
            let one = model.predict(x.slice(s![i..i + 1, ..])).expect("row");
            assert_eq!(one[0], p[i], "{spec:?} row {i}");
        }
        assert_eq!(
            model.predict(x.slice(s![0..0, ..])).expect("no rows").len(),
            0
        );
    }
}

#[test]
fn k_means_predicts_its_training_labels() {
    let x = data();
    for spec in all_clusterers() {
        if matches!(spec, ClusterSpec::Dbscan(_)) {
            continue;
        }
        let model = spec.fit(x.view()).expect("fit");
        assert_eq!(
            model.predict(x.view()).expect("predict").to_vec(),
            model.labels()
        );
    }
}

#[test]
fn detectors_round_trip_and_are_deterministic() {
    let x = data();
    for spec in all_detectors() {
        let text = serde_json::to_string(&spec).expect("serialise spec");
        let back: OutlierSpec = serde_json::from_str(&text).expect("parse spec");
        assert_eq!(back, spec);
        spec.check().expect("valid example");
        let model = spec.fit(x.view()).expect("fit");
        assert_eq!(
            spec.fit(x.view()).expect("refit"),
            model,
            "{spec:?} not deterministic"
        );
        let stored = serde_json::to_string(&model).expect("serialise model");
        let loaded: kiln_models::FittedOutlierDetector =
            serde_json::from_str(&stored).expect("load");
        let scores = model.score_samples(x.view()).expect("scores");
        assert_eq!(loaded.score_samples(x.view()).expect("scores"), scores);
        let decision = model.decision_function(x.view()).expect("decision");
        let labels = model.predict(x.view()).expect("predict");
        assert_eq!(scores.len(), x.nrows());
        for i in 0..x.nrows() {
            // decision = score − offset, and −1 exactly where it is negative.
            assert!((decision[i] - (scores[i] - model.offset())).abs() < 1e-12);
            assert_eq!(labels[i], if decision[i] >= 0.0 { 1 } else { -1 });
        }
        // The far rows (every 37th) are flagged by every detector; most rows are not.
        let outliers = labels.iter().filter(|&&l| l == -1).count();
        assert!(outliers < x.nrows() / 2, "{spec:?}: {outliers} outliers");
        for i in [0, 5, 100] {
            let one = model
                .score_samples(x.slice(s![i..i + 1, ..]))
                .expect("one row");
            assert!((one[0] - scores[i]).abs() < 1e-12, "{spec:?} row {i}");
        }
        assert_eq!(model.n_features(), 3);
        let (_, training) = spec.fit_predict(x.view()).expect("fit_predict");
        assert_eq!(training.len(), x.nrows());
    }
}

#[test]
fn unknown_spec_fields_are_rejected() {
    assert!(serde_json::from_str::<ClusterSpec>(r#"{"kind": "k_means", "n_cluster": 3}"#).is_err());
    assert!(
        serde_json::from_str::<OutlierSpec>(r#"{"kind": "isolation_forest", "trees": 3}"#).is_err()
    );
    let spec: ClusterSpec =
        serde_json::from_str(r#"{"kind": "k_means", "n_clusters": 3, "init": "k-means++"}"#)
            .expect("k-means++ init by name");
    assert!(spec.check().is_ok());
}
