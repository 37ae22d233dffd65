//! Behaviour of k-nearest neighbours beyond scikit-learn parity: the tie rule, weights at
//! distance zero, algorithm choice, and errors on bad parameters and data.

use kiln_models::neighbors::Algorithm;
use kiln_models::{KnnClassifierSpec, KnnRegressorSpec, Metric, ModelError, Weights};
use ndarray::{Array1, Array2, array};

#[test]
fn tied_rows_are_kept_and_ordered_by_index_for_every_algorithm() {
    // Every row three times: rows i, i + 10 and i + 20 are the same point.
    let base = Array2::from_shape_fn((10, 2), |(i, j)| (i * (j + 1)) as f64);
    let x = ndarray::concatenate![ndarray::Axis(0), base, base, base];
    let y = Array1::from_shape_fn(30, |i| (i % 2) as f64);
    for algorithm in [Algorithm::Brute, Algorithm::KdTree] {
        for metric in [Metric::Euclidean, Metric::Manhattan] {
            let model = KnnClassifierSpec {
                n_neighbors: 4,
                metric,
                algorithm,
                leaf_size: 2,
                ..KnnClassifierSpec::default()
            }
            .fit(x.view(), y.view(), None)
            .expect("fit");
            let (d, i) = model
                .kneighbors(array![[3.0, 6.0]].view(), None)
                .expect("query");
            // Row 3 = (3, 6) three times at distance 0, then the nearest of rows 2 / 4.
            assert_eq!(
                i.row(0).to_vec()[..3],
                [3, 13, 23],
                "{algorithm:?} {metric:?}"
            );
            assert_eq!(d.row(0).to_vec()[..3], [0.0, 0.0, 0.0]);
            // Rows 2 and 4 (and their copies) are equally far: the lowest index wins.
            assert_eq!(i[[0, 3]], 2, "{algorithm:?} {metric:?}");
        }
    }
}

#[test]
fn rows_at_distance_zero_take_all_the_weight() {
    let x = array![[0.0], [1.0], [2.0]];
    let y = array![10.0, 20.0, 40.0];
    let model = KnnRegressorSpec {
        n_neighbors: 3,
        weights: Weights::Distance,
        ..KnnRegressorSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    assert_eq!(
        model.predict(array![[1.0]].view()).expect("predict")[0],
        20.0
    );
    let classes = array![0.0, 1.0, 1.0];
    let clf = KnnClassifierSpec {
        n_neighbors: 3,
        weights: Weights::Distance,
        ..KnnClassifierSpec::default()
    }
    .fit(x.view(), classes.view(), None)
    .expect("fit");
    assert_eq!(
        clf.predict_proba(array![[0.0]].view())
            .expect("proba")
            .row(0)
            .to_vec(),
        vec![1.0, 0.0]
    );
}

#[test]
fn a_vote_tie_goes_to_the_lowest_class() {
    let x = array![[0.0], [1.0], [3.0], [4.0]];
    let y = array![1.0, 0.0, 1.0, 0.0];
    let model = KnnClassifierSpec {
        n_neighbors: 2,
        ..KnnClassifierSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    assert_eq!(
        model
            .predict(array![[0.5], [3.5]].view())
            .expect("predict")
            .to_vec(),
        vec![0.0, 0.0]
    );
}

#[test]
fn auto_picks_a_tree_only_for_few_dimensions_and_minkowski_metrics() {
    let y = Array1::from_shape_fn(100, |i| (i % 2) as f64);
    let fit = |cols: usize, metric: Metric, k: usize| {
        let x = Array2::from_shape_fn((100, cols), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
        KnnClassifierSpec {
            n_neighbors: k,
            metric,
            ..KnnClassifierSpec::default()
        }
        .fit(x.view(), y.view(), None)
        .expect("fit")
        .index
        .tree
        .is_some()
    };
    assert!(fit(15, Metric::Euclidean, 5));
    assert!(fit(3, Metric::Minkowski(1.5), 5));
    assert!(!fit(16, Metric::Euclidean, 5));
    assert!(!fit(3, Metric::Cosine, 5));
    assert!(
        !fit(3, Metric::Euclidean, 50),
        "k >= n / 2 searches by brute force"
    );
}

#[test]
fn bad_parameters_and_data_are_errors() {
    let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]];
    let y = array![0.0, 1.0, 1.0];
    let param = |r: Result<_, ModelError>| match r {
        Err(ModelError::InvalidParameter { param, .. }) => param,
        other => panic!("expected an invalid-parameter error, got {other:?}"),
    };
    let spec = |k, metric, algorithm, leaf_size| KnnClassifierSpec {
        n_neighbors: k,
        metric,
        algorithm,
        leaf_size,
        weights: Weights::Uniform,
    };
    let fit = |s: KnnClassifierSpec| s.fit(x.view(), y.view(), None).map(|_| ());
    assert_eq!(
        param(fit(spec(0, Metric::Euclidean, Algorithm::Auto, 30))),
        "n_neighbors"
    );
    assert_eq!(
        param(fit(spec(4, Metric::Euclidean, Algorithm::Auto, 30))),
        "n_neighbors"
    );
    assert_eq!(
        param(fit(spec(2, Metric::Minkowski(0.5), Algorithm::Auto, 30))),
        "metric"
    );
    assert_eq!(
        param(fit(spec(
            2,
            Metric::Minkowski(f64::NAN),
            Algorithm::Auto,
            30
        ))),
        "metric"
    );
    assert_eq!(
        param(fit(spec(2, Metric::Cosine, Algorithm::KdTree, 30))),
        "algorithm"
    );
    assert_eq!(
        param(fit(spec(2, Metric::Euclidean, Algorithm::Auto, 0))),
        "leaf_size"
    );
    let reg = KnnRegressorSpec {
        n_neighbors: 9,
        ..KnnRegressorSpec::default()
    };
    assert_eq!(
        param(reg.fit(x.view(), y.view(), None).map(|_| ())),
        "n_neighbors"
    );

    assert_eq!(
        KnnClassifierSpec {
            n_neighbors: 2,
            ..KnnClassifierSpec::default()
        }
        .fit(x.view(), array![1.0, 1.0, 1.0].view(), None)
        .expect_err("single class"),
        ModelError::SingleClass { class: 1 }
    );
    let w = array![1.0, 1.0, 1.0];
    assert!(matches!(
        KnnClassifierSpec {
            n_neighbors: 2,
            ..KnnClassifierSpec::default()
        }
        .fit(x.view(), y.view(), Some(w.view())),
        Err(ModelError::InvalidWeight { .. })
    ));
    let mut x_nan = x.clone();
    x_nan[[1, 0]] = f64::NAN;
    assert!(matches!(
        KnnRegressorSpec {
            n_neighbors: 2,
            ..KnnRegressorSpec::default()
        }
        .fit(x_nan.view(), y.view(), None),
        Err(ModelError::InvalidFeatureValue {
            row: 1,
            column: 0,
            ..
        })
    ));
    let model = KnnClassifierSpec {
        n_neighbors: 2,
        ..KnnClassifierSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    assert_eq!(
        model
            .kneighbors(array![[1.0]].view(), None)
            .expect_err("width"),
        ModelError::FeatureCountMismatch {
            expected: 2,
            found: 1
        }
    );
    assert!(matches!(
        model.kneighbors(x.view(), Some(4)),
        Err(ModelError::InvalidParameter {
            param: "n_neighbors",
            ..
        })
    ));
    assert!(matches!(
        model.predict(x_nan.view()),
        Err(ModelError::InvalidFeatureValue {
            row: 1,
            column: 0,
            ..
        })
    ));
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        KnnClassifierSpec::default().fit(empty.view(), Array1::zeros(0).view(), None),
        Err(ModelError::EmptyInput { .. })
    ));
}

#[test]
fn brute_force_and_tree_agree_on_larger_random_data() {
    // 3000 × 5 pseudo-random rows (no exact ties), queried by 200 rows: the blocked product path
    // (several training tiles, two query blocks) against the tree.
    let mut state = 12345u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let x = Array2::from_shape_fn((3000, 5), |_| next());
    let q = Array2::from_shape_fn((200, 5), |_| next());
    let y = Array1::from_shape_fn(3000, |i| (i % 3) as f64);
    let search = |algorithm| {
        KnnClassifierSpec {
            n_neighbors: 9,
            algorithm,
            ..KnnClassifierSpec::default()
        }
        .fit(x.view(), y.view(), None)
        .expect("fit")
        .kneighbors(q.view(), None)
        .expect("query")
    };
    let (db, ib) = search(Algorithm::Brute);
    let (dt, it) = search(Algorithm::KdTree);
    assert_eq!(ib, it);
    assert_eq!(db, dt, "both recompute the kept distances the same way");
}
