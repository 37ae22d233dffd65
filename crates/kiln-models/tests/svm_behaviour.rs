//! Behaviour of the SVMs beyond scikit-learn parity: the kernel cache's memory bound, errors on
//! bad parameters and data, classes missing from the training rows, and probabilities.

mod common;

use common::synthetic_binary;
use kiln_models::{ClassWeight, Gamma, Kernel, LinearSvcSpec, ModelError, SvcSpec, SvrSpec};
use ndarray::{Array1, Array2, array};

#[test]
fn the_kernel_cache_never_exceeds_its_byte_budget() {
    // 3000 rows: the full kernel matrix would take 3000² × 4 bytes = 36 MB; the budget is 1 MiB
    // (87 columns), so the solver must evict and recompute columns.
    let (x, y) = synthetic_binary(3000, 8, 11);
    let budget_mb = 1.0;
    let small = SvcSpec {
        cache_size_mb: budget_mb,
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let budget = (budget_mb * (1u64 << 20) as f64) as usize;
    assert!(small.kernel_cache_peak_bytes > 0);
    assert!(
        small.kernel_cache_peak_bytes <= budget,
        "peak {} > budget {budget}",
        small.kernel_cache_peak_bytes
    );
    // The cache only changes what is recomputed, never a value: the model is the same.
    let large = SvcSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fit");
    assert!(
        large.kernel_cache_peak_bytes > budget,
        "the large cache was used"
    );
    assert_eq!(small.pairs, large.pairs);
    assert_eq!(small.support, large.support);

    let target = x.column(0).mapv(|v| v.sin());
    let svr_small = SvrSpec {
        cache_size_mb: 0.5,
        ..SvrSpec::default()
    }
    .fit(x.view(), target.view(), None)
    .expect("fit");
    assert!(svr_small.kernel_cache_peak_bytes <= 1 << 19);
    let svr_large = SvrSpec::default()
        .fit(x.view(), target.view(), None)
        .expect("fit");
    assert_eq!(svr_small.coef, svr_large.coef);
}

#[test]
fn a_budget_below_two_columns_is_raised_to_two_columns() {
    let (x, y) = synthetic_binary(400, 6, 2);
    let model = SvcSpec {
        cache_size_mb: 1e-6,
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    // Two columns of 400 f32 entries.
    assert!(model.kernel_cache_peak_bytes <= 2 * 400 * 4);
}

#[test]
fn bad_parameters_are_errors_naming_the_parameter() {
    let (x, y) = synthetic_binary(60, 6, 1);
    let cases: Vec<(SvcSpec, &str)> = vec![
        (
            SvcSpec {
                c: 0.0,
                ..SvcSpec::default()
            },
            "c",
        ),
        (
            SvcSpec {
                c: -1.0,
                ..SvcSpec::default()
            },
            "c",
        ),
        (
            SvcSpec {
                gamma: Gamma::Value(0.0),
                ..SvcSpec::default()
            },
            "gamma",
        ),
        (
            SvcSpec {
                kernel: Kernel::Poly,
                degree: 0,
                ..SvcSpec::default()
            },
            "degree",
        ),
        (
            SvcSpec {
                tol: 0.0,
                ..SvcSpec::default()
            },
            "tol",
        ),
        (
            SvcSpec {
                cache_size_mb: 0.0,
                ..SvcSpec::default()
            },
            "cache_size_mb",
        ),
        (
            SvcSpec {
                coef0: f64::NAN,
                ..SvcSpec::default()
            },
            "coef0",
        ),
        (
            SvcSpec {
                max_iter: Some(0),
                ..SvcSpec::default()
            },
            "max_iter",
        ),
    ];
    for (spec, param) in cases {
        match spec.fit(x.view(), y.view(), None) {
            Err(ModelError::InvalidParameter { param: p, .. }) => assert_eq!(p, param),
            other => panic!("{param}: expected an invalid-parameter error, got {other:?}"),
        }
    }
    let svr = SvrSpec {
        epsilon: -0.1,
        ..SvrSpec::default()
    };
    assert!(matches!(
        svr.fit(x.view(), y.view(), None),
        Err(ModelError::InvalidParameter {
            param: "epsilon",
            ..
        })
    ));
    let svr = SvrSpec {
        c: 0.0,
        ..SvrSpec::default()
    };
    assert!(matches!(
        svr.fit(x.view(), y.view(), None),
        Err(ModelError::InvalidParameter { param: "c", .. })
    ));
    for (spec, param) in [
        (
            LinearSvcSpec {
                c: 0.0,
                ..LinearSvcSpec::default()
            },
            "c",
        ),
        (
            LinearSvcSpec {
                tol: -1.0,
                ..LinearSvcSpec::default()
            },
            "tol",
        ),
        (
            LinearSvcSpec {
                max_iter: 0,
                ..LinearSvcSpec::default()
            },
            "max_iter",
        ),
        (
            LinearSvcSpec {
                intercept_scaling: 0.0,
                ..LinearSvcSpec::default()
            },
            "intercept_scaling",
        ),
    ] {
        match spec.fit(x.view(), y.view(), None) {
            Err(ModelError::InvalidParameter { param: p, .. }) => assert_eq!(p, param),
            other => panic!("{param}: expected an invalid-parameter error, got {other:?}"),
        }
    }
}

#[test]
fn bad_data_is_an_error() {
    let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]];
    let one_class = array![1.0, 1.0, 1.0];
    assert_eq!(
        SvcSpec::default()
            .fit(x.view(), one_class.view(), None)
            .expect_err("single class"),
        ModelError::SingleClass { class: 1 }
    );
    assert_eq!(
        LinearSvcSpec::default()
            .fit(x.view(), one_class.view(), None)
            .expect_err("single class"),
        ModelError::SingleClass { class: 1 }
    );
    // Zero weights leave one class: a single class again.
    let y = array![0.0, 1.0, 1.0];
    let w = array![0.0, 1.0, 1.0];
    assert!(matches!(
        SvcSpec::default().fit(x.view(), y.view(), Some(w.view())),
        Err(ModelError::SingleClass { class: 1 })
    ));
    let mut x_inf = x.clone();
    x_inf[[2, 1]] = f64::INFINITY;
    assert!(matches!(
        SvcSpec::default().fit(x_inf.view(), y.view(), None),
        Err(ModelError::InvalidFeatureValue {
            row: 2,
            column: 1,
            ..
        })
    ));
    assert!(matches!(
        SvrSpec::default().fit(x_inf.view(), y.view(), None),
        Err(ModelError::InvalidFeatureValue {
            row: 2,
            column: 1,
            ..
        })
    ));
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        SvrSpec::default().fit(empty.view(), Array1::zeros(0).view(), None),
        Err(ModelError::EmptyInput { .. })
    ));
    let model = SvcSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fit");
    assert!(matches!(
        model.predict_proba(x.view()),
        Err(ModelError::InvalidParameter {
            param: "probability",
            ..
        })
    ));
    assert_eq!(
        model
            .decision_function(array![[1.0, 2.0, 3.0]].view())
            .expect_err("width"),
        ModelError::FeatureCountMismatch {
            expected: 2,
            found: 3
        }
    );
}

#[test]
fn a_class_code_absent_from_training_is_never_predicted() {
    // Codes 0 and 2 only (as in a cross-validation fold without class 1).
    let (x, y01) = synthetic_binary(120, 6, 5);
    let y = y01.mapv(|v| 2.0 * v);
    let model = SvcSpec {
        probability: true,
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    assert_eq!(model.classes, vec![0, 2]);
    assert_eq!(model.n_classes, 3);
    let p = model.predict_proba(x.view()).expect("proba");
    assert_eq!(p.ncols(), 3);
    assert!(p.column(1).iter().all(|&v| v == 0.0));
    let pred = model.predict(x.view()).expect("predict");
    assert!(pred.iter().all(|&c| c == 0.0 || c == 2.0));
    let lin = LinearSvcSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fit");
    assert!(
        lin.predict(x.view())
            .expect("predict")
            .iter()
            .all(|&c| c != 1.0)
    );
}

#[test]
fn class_weight_moves_the_boundary_towards_the_light_class() {
    let (x, y) = synthetic_binary(300, 6, 9);
    let plain = SvcSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fit");
    let heavy_one = SvcSpec {
        class_weight: ClassWeight::Explicit(vec![1.0, 5.0]),
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let ones = |m: &kiln_models::FittedSvc| {
        m.predict(x.view())
            .expect("predict")
            .iter()
            .filter(|&&c| c == 1.0)
            .count()
    };
    assert!(ones(&heavy_one) > ones(&plain));
}

#[test]
fn probabilities_follow_the_decision_function() {
    let (x, y) = synthetic_binary(400, 6, 4);
    let model = SvcSpec {
        probability: true,
        seed: 3,
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let dec = model.decision_function(x.view()).expect("decision");
    let p = model.predict_proba(x.view()).expect("proba");
    // Platt's sigmoid is monotone in the decision value: sorting by one sorts the other.
    let mut idx: Vec<usize> = (0..x.nrows()).collect();
    idx.sort_by(|&a, &b| dec[[a, 0]].total_cmp(&dec[[b, 0]]));
    for w in idx.windows(2) {
        assert!(p[[w[0], 1]] <= p[[w[1], 1]] + 1e-12);
    }
    // A different seed draws different folds: close, not identical, probabilities.
    let other = SvcSpec {
        probability: true,
        seed: 4,
        ..SvcSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let q = other.predict_proba(x.view()).expect("proba");
    let diff = p
        .iter()
        .zip(&q)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(diff > 0.0 && diff < 0.1, "{diff}");
}
