//! GBDT behaviour beyond parity: missing values, categorical splits, early stopping, importance,
//! objectives and class weights, determinism across thread counts, and errors on bad input.

mod common;

use common::*;
use kiln_models::{ClassWeight, GbdtSpec, ImportanceKind, ModelError, Objective};
use ndarray::{Array1, Array2, Axis, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn binary_spec() -> GbdtSpec {
    GbdtSpec {
        objective: Objective::Binary,
        n_estimators: 100,
        ..GbdtSpec::default()
    }
}

fn test_auc(spec: &GbdtSpec, x: &Array2<f64>, y: &Array1<f64>, n_train: usize) -> f64 {
    let model = spec
        .fit(x.slice(s![..n_train, ..]), y.slice(s![..n_train]), None)
        .expect("fit");
    let p = model
        .predict_proba(x.slice(s![n_train.., ..]))
        .expect("predict");
    auc(&y.slice(s![n_train..]).to_vec(), &p.column(1).to_vec())
}

fn mean_impute(x: &Array2<f64>, n_train: usize) -> Array2<f64> {
    let mut out = x.clone();
    for mut col in out.axis_iter_mut(Axis(1)) {
        let train = col.slice(s![..n_train]);
        let (sum, n) = train
            .iter()
            .filter(|v| !v.is_nan())
            .fold((0.0, 0.0), |(s, n), v| (s + v, n + 1.0));
        let mean = sum / n;
        col.mapv_inplace(|v| if v.is_nan() { mean } else { v });
    }
    out
}

#[test]
fn missing_values_native_handling_matches_or_beats_mean_imputation() {
    let (mut x, y) = synthetic_binary(20_000, 10, 7);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // 20% missing completely at random in every informative feature.
    for j in 0..6 {
        for i in 0..x.nrows() {
            if rng.random_bool(0.2) {
                x[[i, j]] = f64::NAN;
            }
        }
    }
    let n_train = 14_000;
    let native = test_auc(&binary_spec(), &x, &y, n_train);
    let imputed = test_auc(&binary_spec(), &mean_impute(&x, n_train), &y, n_train);
    println!("MCAR 20%: native AUC {native:.5}, mean-imputed AUC {imputed:.5}");
    // Within noise of imputation when missingness carries no signal (stated margin 0.003).
    assert!(
        native >= imputed - 0.003,
        "native {native} vs imputed {imputed}"
    );

    // Missing not at random: high values of feature 0 go missing more often. The missing bin
    // learns where those rows belong; a tree on imputed data can only isolate the imputed value.
    let (mut x, y) = synthetic_binary(20_000, 10, 8);
    for i in 0..x.nrows() {
        let p = if x[[i, 0]] > 0.3 { 0.5 } else { 0.1 };
        if rng.random_bool(p) {
            x[[i, 0]] = f64::NAN;
        }
    }
    let native = test_auc(&binary_spec(), &x, &y, n_train);
    let imputed = test_auc(&binary_spec(), &mean_impute(&x, n_train), &y, n_train);
    println!("MNAR: native AUC {native:.5}, mean-imputed AUC {imputed:.5}");
    assert!(
        native >= imputed - 0.003,
        "native {native} vs imputed {imputed}"
    );
}

#[test]
fn missing_values_at_predict_time_follow_the_learned_default() {
    let (x, y) = synthetic_binary(2_000, 6, 3);
    let model = binary_spec().fit(x.view(), y.view(), None).expect("fit");
    let mut row = x.row(0).to_vec();
    row[0] = f64::NAN;
    let single = model
        .predict_row(&row)
        .expect("NaN is a missing value, not an error");
    let batch = model
        .predict(Array2::from_shape_vec((1, 6), row).expect("shape").view())
        .expect("predict");
    assert_eq!(single, batch[0]);
}

/// `CATS` categories with random effects; the label depends on the category and one numeric feature.
const CATS: usize = 250;

fn categorical_set(rows: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let effects: Vec<f64> = (0..CATS).map(|_| rng.random_range(-2.0..2.0)).collect();
    let mut x = Array2::zeros((rows, 2));
    let mut y = Array1::zeros(rows);
    for i in 0..rows {
        let cat = rng.random_range(0..CATS);
        let v: f64 = rng.random_range(-1.0..1.0);
        x[[i, 0]] = cat as f64;
        x[[i, 1]] = v;
        let noise: f64 = rng.random_range(-1.0..1.0);
        y[i] = if effects[cat] + v + noise > 0.0 {
            1.0
        } else {
            0.0
        };
    }
    (x, y)
}

#[test]
fn native_categorical_splits_beat_one_hot_on_high_cardinality() {
    // 250 categories, ~16 training rows each: one indicator column rarely has enough rows for a
    // leaf, while sorting categories by gradient statistics pools them.
    let (x, y) = categorical_set(6_000, 5);
    let n_train = 4_000;
    let native_spec = GbdtSpec {
        categorical_features: vec![0],
        ..binary_spec()
    };
    let native = test_auc(&native_spec, &x, &y, n_train);
    // One-hot: one indicator column per category plus the numeric feature.
    let mut one_hot = Array2::zeros((x.nrows(), CATS + 1));
    for i in 0..x.nrows() {
        one_hot[[i, x[[i, 0]] as usize]] = 1.0;
        one_hot[[i, CATS]] = x[[i, 1]];
    }
    let encoded = test_auc(&binary_spec(), &one_hot, &y, n_train);
    println!("high-cardinality categorical: native AUC {native:.5}, one-hot AUC {encoded:.5}");
    assert!(
        native > encoded + 0.05,
        "native {native} vs one-hot {encoded}"
    );
}

#[test]
fn categorical_codes_must_be_non_negative_integers() {
    let (mut x, y) = categorical_set(500, 1);
    x[[3, 0]] = 2.5;
    let spec = GbdtSpec {
        categorical_features: vec![0],
        ..binary_spec()
    };
    let err = spec
        .fit(x.view(), y.view(), None)
        .expect_err("fractional code");
    assert!(
        matches!(
            err,
            ModelError::InvalidFeatureValue {
                column: 0,
                row: 3,
                ..
            }
        ),
        "{err}"
    );
    let spec = GbdtSpec {
        categorical_features: vec![5],
        ..binary_spec()
    };
    let err = spec
        .fit(x.view(), y.view(), None)
        .expect_err("index out of range");
    assert!(err.to_string().contains("categorical_features"), "{err}");
}

#[test]
fn early_stopping_restores_the_best_iteration() {
    let (x, y) = synthetic_binary(6_000, 10, 21);
    let (xt, yt) = (x.slice(s![..4000, ..]), y.slice(s![..4000]));
    let (xv, yv) = (x.slice(s![4000.., ..]), y.slice(s![4000..]));
    let spec = GbdtSpec {
        n_estimators: 1000,
        learning_rate: 0.3,
        early_stopping_rounds: Some(10),
        ..binary_spec()
    };
    let model = spec.fit_with_validation(xt, yt, None, xv, yv).expect("fit");
    let best = model.best_iteration.expect("early stopping ran");
    let history = &model.validation_history;
    assert!(best < 999, "should stop early on noisy data, best {best}");
    assert_eq!(history.len(), best + 11, "stops 10 rounds after the best");
    assert_eq!(model.n_iterations(), best + 1);
    let min = history.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(history[best], min);
    // The kept model is exactly the model trained for best + 1 rounds.
    let plain = GbdtSpec {
        n_estimators: best + 1,
        early_stopping_rounds: None,
        ..spec.clone()
    }
    .fit(xt, yt, None)
    .expect("fit");
    let a = model.predict_proba(xv).expect("predict");
    let b = plain.predict_proba(xv).expect("predict");
    assert_eq!(a, b);
    // Without early stopping the history is still recorded.
    let spec = GbdtSpec {
        n_estimators: 20,
        ..binary_spec()
    };
    let model = spec.fit_with_validation(xt, yt, None, xv, yv).expect("fit");
    assert_eq!(model.validation_history.len(), 20);
    assert_eq!(model.best_iteration, None);
    assert!(model.validation_history[19] < model.validation_history[0]);
}

#[test]
fn importance_ranks_informative_features_first() {
    let (x, y) = synthetic_binary(5_000, 12, 4);
    let model = binary_spec().fit(x.view(), y.view(), None).expect("fit");
    let gain = model.feature_importance(ImportanceKind::Gain);
    let splits = model.feature_importance(ImportanceKind::Split);
    let total_splits: usize = model.trees.iter().map(|t| t.n_leaves() - 1).sum();
    assert_eq!(splits.iter().sum::<f64>() as usize, total_splits);
    let weakest_informative = gain[..5].iter().copied().fold(f64::INFINITY, f64::min);
    let strongest_noise = gain[6..].iter().copied().fold(0.0, f64::max);
    assert!(weakest_informative > strongest_noise, "gain {gain:?}");
}

#[test]
fn regression_objectives_fit_and_resist_outliers() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let n = 3000;
    let x: Array2<f64> = Array2::from_shape_fn((n, 3), |_| rng.random_range(-1.0..1.0));
    let clean: Array1<f64> = x
        .rows()
        .into_iter()
        .map(|r| 3.0 * r[0] + r[1] * r[1])
        .collect();
    let mut y = clean.clone();
    for i in (0..n).step_by(20) {
        y[i] += 50.0; // 5% gross outliers
    }
    let mut errors = Vec::new();
    for objective in [
        Objective::SquaredError,
        Objective::AbsoluteError,
        Objective::Huber,
    ] {
        let spec = GbdtSpec {
            objective,
            n_estimators: 200,
            ..GbdtSpec::default()
        };
        let model = spec.fit(x.view(), y.view(), None).expect("fit");
        let p = model.predict(x.view()).expect("predict");
        let mae = (&p - &clean).mapv(f64::abs).mean().expect("rows");
        println!("{objective:?}: MAE against the clean signal {mae:.4}");
        errors.push(mae);
    }
    assert!(
        errors[1] < errors[0] && errors[2] < errors[0],
        "robust losses should ignore outliers: {errors:?}"
    );
    assert!(errors[1] < 0.3 && errors[2] < 0.3, "{errors:?}");
}

#[test]
fn class_weights_shift_probabilities_toward_the_weighted_class() {
    let (x, y) = synthetic_binary(3_000, 6, 12);
    let mean_p = |spec: GbdtSpec| {
        let m = spec.fit(x.view(), y.view(), None).expect("fit");
        m.predict_proba(x.view())
            .expect("predict")
            .column(1)
            .mean()
            .expect("rows")
    };
    let base = mean_p(binary_spec());
    let weighted = mean_p(GbdtSpec {
        class_weight: ClassWeight::Explicit(vec![1.0, 5.0]),
        ..binary_spec()
    });
    let scaled = mean_p(GbdtSpec {
        scale_pos_weight: 5.0,
        ..binary_spec()
    });
    assert!(
        weighted > base + 0.03 && scaled > base + 0.03,
        "{base} {weighted} {scaled}"
    );
    let balanced = GbdtSpec {
        class_weight: ClassWeight::Balanced,
        ..binary_spec()
    };
    assert!(balanced.fit(x.view(), y.view(), None).is_ok());
}

#[test]
fn same_seed_gives_identical_model_bytes_with_one_or_two_threads() {
    let (x, y) = synthetic_binary(20_000, 10, 2);
    let spec = GbdtSpec {
        objective: Objective::Binary,
        n_estimators: 30,
        feature_fraction: 0.7,
        bagging_fraction: 0.8,
        bagging_freq: 1,
        bin_construct_sample_cnt: 5_000,
        seed: 17,
        ..GbdtSpec::default()
    };
    let bytes = |threads: usize, spec: &GbdtSpec| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            serde_json::to_vec(&spec.fit(x.view(), y.view(), None).expect("fit")).expect("json")
        })
    };
    let one = bytes(1, &spec);
    let two = bytes(2, &spec);
    assert!(one == two, "models differ between 1 and 2 threads");
    assert_eq!(one, bytes(2, &spec));
    let other = bytes(
        2,
        &GbdtSpec {
            seed: 18,
            ..spec.clone()
        },
    );
    assert_ne!(one, other, "a different seed should change bagging");
}

#[test]
fn large_leaves_grow_the_same_tree_with_one_or_two_threads() {
    // Enough rows that the root and its first children take the parallel paths (row-chunked
    // histograms, block-parallel partitions, chunked score updates), all rows and features.
    let (x, y) = synthetic_binary(150_000, 6, 5);
    let spec = GbdtSpec {
        objective: Objective::Binary,
        n_estimators: 4,
        num_leaves: 63,
        ..GbdtSpec::default()
    };
    let fit = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| spec.fit(x.view(), y.view(), None).expect("fit"))
    };
    let (one, two) = (fit(1), fit(2));
    assert!(one == two, "models differ between 1 and 2 threads");
    assert!(one.trees.iter().all(|t| t.n_leaves() == 63));
}

#[test]
fn bad_input_gives_clear_errors() {
    let (x, y) = synthetic_binary(200, 6, 1);
    let spec = binary_spec();

    let mut y_nan = y.clone();
    y_nan[5] = f64::NAN;
    let err = spec
        .fit(x.view(), y_nan.view(), None)
        .expect_err("NaN target");
    assert!(
        matches!(err, ModelError::InvalidTarget { row: 5, .. }),
        "{err}"
    );

    let ones = Array1::from_elem(200, 1.0);
    let err = spec
        .fit(x.view(), ones.view(), None)
        .expect_err("single class");
    assert_eq!(err, ModelError::SingleClass { class: 1 });
    assert!(err.to_string().contains("single class"));

    let empty = Array2::<f64>::zeros((0, 6));
    let err = spec
        .fit(empty.view(), Array1::zeros(0).view(), None)
        .expect_err("zero rows");
    assert!(
        matches!(err, ModelError::EmptyInput { rows: 0, .. }),
        "{err}"
    );

    for (bad, name) in [
        (
            GbdtSpec {
                num_leaves: 1,
                ..spec.clone()
            },
            "num_leaves",
        ),
        (
            GbdtSpec {
                learning_rate: 0.0,
                ..spec.clone()
            },
            "learning_rate",
        ),
        (
            GbdtSpec {
                learning_rate: -0.1,
                ..spec.clone()
            },
            "learning_rate",
        ),
        (
            GbdtSpec {
                feature_fraction: 1.5,
                ..spec.clone()
            },
            "feature_fraction",
        ),
        (
            GbdtSpec {
                max_bin: 300,
                ..spec.clone()
            },
            "max_bin",
        ),
    ] {
        let err = bad.fit(x.view(), y.view(), None).expect_err(name);
        assert!(err.to_string().contains(name), "{err}");
    }

    let three = y.mapv(|v| v + 1.0) % 3.0;
    let err = spec
        .fit(x.view(), three.view(), None)
        .expect_err("binary with 3 classes");
    assert!(err.to_string().contains("multiclass"), "{err}");
    let err = spec
        .fit(x.view(), y.mapv(|v| v * 0.5).view(), None)
        .expect_err("non-integer class");
    assert!(matches!(err, ModelError::InvalidTarget { .. }), "{err}");

    let model = spec.fit(x.view(), y.view(), None).expect("fit");
    let wide = Array2::<f64>::zeros((3, 7));
    let err = model.predict(wide.view()).expect_err("more features");
    assert_eq!(
        err,
        ModelError::FeatureCountMismatch {
            expected: 6,
            found: 7
        }
    );
    let err = model.predict_row(&[0.0; 3]).expect_err("fewer features");
    assert_eq!(
        err,
        ModelError::FeatureCountMismatch {
            expected: 6,
            found: 3
        }
    );
    let mut inf = Array2::<f64>::zeros((1, 6));
    inf[[0, 2]] = f64::INFINITY;
    assert!(matches!(
        model.predict(inf.view()),
        Err(ModelError::InvalidFeatureValue { column: 2, .. })
    ));

    let reg = GbdtSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("regression fit");
    assert!(
        reg.predict_proba(x.view()).is_err(),
        "predict_proba on a regressor is an error"
    );
}

#[test]
fn constant_features_give_the_starting_score_and_weights_matter() {
    let x = Array2::from_elem((50, 3), 1.0);
    let y = Array1::from_shape_fn(50, |i| i as f64);
    let model = GbdtSpec::default()
        .fit(x.view(), y.view(), None)
        .expect("fit");
    assert_eq!(model.n_iterations(), 0, "nothing to split on");
    assert!(
        model
            .predict(x.view())
            .expect("predict")
            .iter()
            .all(|&p| (p - 24.5).abs() < 1e-12)
    );

    let (x, y) = synthetic_binary(2_000, 6, 31);
    let positives_heavy = y.mapv(|v| if v > 0.5 { 3.0 } else { 1.0 });
    let plain = binary_spec().fit(x.view(), y.view(), None).expect("fit");
    let weighted = binary_spec()
        .fit(x.view(), y.view(), Some(positives_heavy.view()))
        .expect("fit");
    let mean = |m: &kiln_models::FittedGbdt| {
        m.predict_proba(x.view())
            .expect("p")
            .column(1)
            .mean()
            .expect("rows")
    };
    assert!(mean(&weighted) > mean(&plain) + 0.02);
    let zeros = Array1::zeros(2_000);
    assert!(matches!(
        binary_spec().fit(x.view(), y.view(), Some(zeros.view())),
        Err(ModelError::InvalidWeight { .. })
    ));
}

#[test]
fn zero_weight_rows_without_hessian_floor_stay_finite() {
    let (x, y) = synthetic_binary(400, 6, 5);
    let w = Array1::from_shape_fn(400, |i| if i % 2 == 0 { 0.0 } else { 1.0 });
    let spec = GbdtSpec {
        min_sum_hessian_in_leaf: 0.0,
        min_data_in_leaf: 2,
        n_estimators: 20,
        ..binary_spec()
    };
    let model = spec.fit(x.view(), y.view(), Some(w.view())).expect("fit");
    let p = model.predict_proba(x.view()).expect("predict");
    assert!(p.iter().all(|v| v.is_finite()));
    let json = serde_json::to_string(&model).expect("serializes");
    let back: kiln_models::FittedGbdt =
        serde_json::from_str(&json).expect("finite numbers round-trip");
    assert_eq!(back.predict_proba(x.view()).expect("predict"), p);
}
