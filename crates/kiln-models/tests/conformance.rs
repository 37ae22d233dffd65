//! One conformance suite for every estimator, in the spirit of scikit-learn's `check_estimator`.
//!
//! `examples_of` matches on every `ModelSpec` variant without a wildcard, so a new estimator does
//! not compile here until it lists example specs, and then gets every check below: spec and
//! fitted-model serde round-trips with identical predictions, determinism under a seed, batch
//! versus row-by-row prediction, prediction shapes, and clear errors on NaN (where unsupported),
//! infinities, empty input, NaN and infinite targets and wrong feature counts.

mod common;

use kiln_models::neighbors::Algorithm;
use kiln_models::{
    AdaBoostSpec, BernoulliNbSpec, CategoricalNbSpec, ClassWeight, Criterion, DecisionTreeSpec,
    ElasticNetSpec, FittedModel, Gamma, GaussianNbSpec, GbdtSpec, HuberSpec, Kernel,
    KnnClassifierSpec, KnnRegressorSpec, LassoSpec, LinearRegressionSpec, LinearSvcLoss,
    LinearSvcSpec, LogisticPenalty, LogisticRegressionSpec, MaxFeatures, Metric, ModelError,
    ModelSpec, MultinomialNbSpec, Objective, RandomForestSpec, RidgeSpec, Splitter, StackingSpec,
    SvcSpec, SvrSpec, Voting, VotingSpec, Weights,
};
use ndarray::{Array1, Array2, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Task {
    Binary,
    Multiclass,
    Regression,
}

/// Example specs per variant, with the task each one solves.
fn examples_of(spec: &ModelSpec) -> Vec<(ModelSpec, Task)> {
    match spec {
        ModelSpec::Gbdt(_) => {
            let base = GbdtSpec {
                n_estimators: 15,
                min_data_in_leaf: 5,
                ..GbdtSpec::default()
            };
            vec![
                (
                    ModelSpec::Gbdt(GbdtSpec {
                        objective: Objective::Binary,
                        ..base.clone()
                    }),
                    Task::Binary,
                ),
                (
                    ModelSpec::Gbdt(GbdtSpec {
                        objective: Objective::Multiclass,
                        ..base.clone()
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::Gbdt(GbdtSpec {
                        objective: Objective::SquaredError,
                        bagging_fraction: 0.7,
                        bagging_freq: 1,
                        feature_fraction: 0.6,
                        seed: 3,
                        ..base.clone()
                    }),
                    Task::Regression,
                ),
            ]
        }
        ModelSpec::DecisionTree(_) => {
            let base = DecisionTreeSpec {
                max_depth: Some(6),
                ..DecisionTreeSpec::default()
            };
            vec![
                (ModelSpec::DecisionTree(base.clone()), Task::Binary),
                (
                    ModelSpec::DecisionTree(DecisionTreeSpec {
                        criterion: Criterion::Entropy,
                        max_features: MaxFeatures::Sqrt,
                        seed: 5,
                        ..base.clone()
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::DecisionTree(DecisionTreeSpec {
                        criterion: Criterion::SquaredError,
                        ccp_alpha: 0.001,
                        ..base.clone()
                    }),
                    Task::Regression,
                ),
                (
                    ModelSpec::DecisionTree(DecisionTreeSpec {
                        criterion: Criterion::AbsoluteError,
                        ..base
                    }),
                    Task::Regression,
                ),
            ]
        }
        ModelSpec::RandomForest(_) => {
            let base = RandomForestSpec {
                n_estimators: 12,
                seed: 2,
                ..RandomForestSpec::default()
            };
            vec![
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        oob_score: true,
                        ..base.clone()
                    }),
                    Task::Binary,
                ),
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        extra_trees: true,
                        ..base.clone()
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        splitter: Splitter::Histogram,
                        ..base.clone()
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        splitter: Splitter::Histogram,
                        criterion: Criterion::SquaredError,
                        ..base.clone()
                    }),
                    Task::Regression,
                ),
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        criterion: Criterion::SquaredError,
                        max_samples: Some(0.7),
                        ..base.clone()
                    }),
                    Task::Regression,
                ),
                (
                    ModelSpec::RandomForest(RandomForestSpec {
                        extra_trees: true,
                        criterion: Criterion::SquaredError,
                        ..base
                    }),
                    Task::Regression,
                ),
            ]
        }
        ModelSpec::AdaBoost(_) => {
            let base = AdaBoostSpec {
                n_estimators: 10,
                ..AdaBoostSpec::default()
            };
            vec![
                (ModelSpec::AdaBoost(base.clone()), Task::Binary),
                (
                    ModelSpec::AdaBoost(AdaBoostSpec {
                        max_depth: 2,
                        ..base
                    }),
                    Task::Multiclass,
                ),
            ]
        }
        ModelSpec::Voting(_) => {
            let classifiers = small_members(true);
            vec![
                (
                    ModelSpec::Voting(VotingSpec {
                        estimators: classifiers.clone(),
                        voting: Voting::Hard,
                        weights: None,
                    }),
                    Task::Binary,
                ),
                (
                    ModelSpec::Voting(VotingSpec {
                        estimators: classifiers,
                        voting: Voting::Soft,
                        weights: Some(vec![1.0, 2.0]),
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::Voting(VotingSpec {
                        estimators: small_members(false),
                        voting: Voting::Soft,
                        weights: None,
                    }),
                    Task::Regression,
                ),
            ]
        }
        ModelSpec::Stacking(_) => {
            let final_tree = |criterion| {
                Box::new(ModelSpec::DecisionTree(DecisionTreeSpec {
                    criterion,
                    max_depth: Some(3),
                    ..DecisionTreeSpec::default()
                }))
            };
            vec![
                (
                    ModelSpec::Stacking(StackingSpec {
                        estimators: small_members(true),
                        final_estimator: final_tree(Criterion::Gini),
                        cv: 3,
                        passthrough: false,
                    }),
                    Task::Multiclass,
                ),
                (
                    ModelSpec::Stacking(StackingSpec {
                        estimators: small_members(false),
                        final_estimator: final_tree(Criterion::SquaredError),
                        cv: 3,
                        passthrough: true,
                    }),
                    Task::Regression,
                ),
            ]
        }
        ModelSpec::LinearRegression(_) => vec![
            (
                ModelSpec::LinearRegression(LinearRegressionSpec::default()),
                Task::Regression,
            ),
            (
                ModelSpec::LinearRegression(LinearRegressionSpec {
                    fit_intercept: false,
                    ..LinearRegressionSpec::default()
                }),
                Task::Regression,
            ),
        ],
        ModelSpec::Ridge(_) => vec![(ModelSpec::Ridge(RidgeSpec::default()), Task::Regression)],
        ModelSpec::Lasso(_) => vec![(
            ModelSpec::Lasso(LassoSpec {
                alpha: 0.01,
                ..LassoSpec::default()
            }),
            Task::Regression,
        )],
        ModelSpec::ElasticNet(_) => vec![(
            ModelSpec::ElasticNet(ElasticNetSpec {
                alpha: 0.01,
                ..ElasticNetSpec::default()
            }),
            Task::Regression,
        )],
        ModelSpec::Huber(_) => vec![(ModelSpec::Huber(HuberSpec::default()), Task::Regression)],
        ModelSpec::LogisticRegression(_) => vec![
            (
                ModelSpec::LogisticRegression(LogisticRegressionSpec::default()),
                Task::Binary,
            ),
            (
                ModelSpec::LogisticRegression(LogisticRegressionSpec {
                    penalty: LogisticPenalty::L1,
                    ..LogisticRegressionSpec::default()
                }),
                Task::Multiclass,
            ),
            (
                ModelSpec::LogisticRegression(LogisticRegressionSpec {
                    penalty: LogisticPenalty::ElasticNet,
                    class_weight: ClassWeight::Balanced,
                    ..LogisticRegressionSpec::default()
                }),
                Task::Binary,
            ),
        ],
        ModelSpec::GaussianNb(_) => vec![
            (
                ModelSpec::GaussianNb(GaussianNbSpec::default()),
                Task::Binary,
            ),
            (
                ModelSpec::GaussianNb(GaussianNbSpec {
                    priors: Some(vec![0.2, 0.3, 0.5]),
                    ..GaussianNbSpec::default()
                }),
                Task::Multiclass,
            ),
        ],
        ModelSpec::MultinomialNb(_) => vec![(
            ModelSpec::MultinomialNb(MultinomialNbSpec::default()),
            Task::Multiclass,
        )],
        ModelSpec::BernoulliNb(_) => vec![(
            ModelSpec::BernoulliNb(BernoulliNbSpec {
                binarize: Some(1.5),
                ..BernoulliNbSpec::default()
            }),
            Task::Binary,
        )],
        ModelSpec::CategoricalNb(_) => vec![(
            ModelSpec::CategoricalNb(CategoricalNbSpec::default()),
            Task::Multiclass,
        )],
        ModelSpec::Svc(_) => vec![
            (
                ModelSpec::Svc(SvcSpec {
                    probability: true,
                    seed: 2,
                    ..SvcSpec::default()
                }),
                Task::Binary,
            ),
            (
                ModelSpec::Svc(SvcSpec {
                    kernel: Kernel::Poly,
                    gamma: Gamma::Auto,
                    coef0: 1.0,
                    probability: true,
                    class_weight: ClassWeight::Balanced,
                    ..SvcSpec::default()
                }),
                Task::Multiclass,
            ),
            (
                ModelSpec::Svc(SvcSpec {
                    kernel: Kernel::Sigmoid,
                    gamma: Gamma::Value(0.2),
                    ..SvcSpec::default()
                }),
                Task::Multiclass,
            ),
        ],
        ModelSpec::Svr(_) => vec![
            (ModelSpec::Svr(SvrSpec::default()), Task::Regression),
            (
                ModelSpec::Svr(SvrSpec {
                    kernel: Kernel::Linear,
                    c: 10.0,
                    shrinking: false,
                    ..SvrSpec::default()
                }),
                Task::Regression,
            ),
        ],
        ModelSpec::LinearSvc(_) => vec![
            (ModelSpec::LinearSvc(LinearSvcSpec::default()), Task::Binary),
            (
                ModelSpec::LinearSvc(LinearSvcSpec {
                    loss: LinearSvcLoss::Hinge,
                    seed: 4,
                    ..LinearSvcSpec::default()
                }),
                Task::Multiclass,
            ),
        ],
        ModelSpec::KnnClassifier(_) => vec![
            (
                ModelSpec::KnnClassifier(KnnClassifierSpec::default()),
                Task::Binary,
            ),
            (
                ModelSpec::KnnClassifier(KnnClassifierSpec {
                    n_neighbors: 7,
                    weights: Weights::Distance,
                    metric: Metric::Manhattan,
                    ..KnnClassifierSpec::default()
                }),
                Task::Multiclass,
            ),
            (
                ModelSpec::KnnClassifier(KnnClassifierSpec {
                    metric: Metric::Cosine,
                    algorithm: Algorithm::Brute,
                    ..KnnClassifierSpec::default()
                }),
                Task::Multiclass,
            ),
        ],
        ModelSpec::KnnRegressor(_) => vec![
            (
                ModelSpec::KnnRegressor(KnnRegressorSpec::default()),
                Task::Regression,
            ),
            (
                ModelSpec::KnnRegressor(KnnRegressorSpec {
                    weights: Weights::Distance,
                    metric: Metric::Minkowski(3.0),
                    algorithm: Algorithm::Brute,
                    ..KnnRegressorSpec::default()
                }),
                Task::Regression,
            ),
        ],
    }
}

/// Whether a fitted classifier from this spec gives probabilities: SVMs give them only with
/// Platt scaling, linear SVMs never (as in scikit-learn).
fn gives_probabilities(spec: &ModelSpec) -> bool {
    match spec {
        ModelSpec::Svc(s) => s.probability,
        ModelSpec::LinearSvc(_) | ModelSpec::Svr(_) | ModelSpec::KnnRegressor(_) => false,
        _ => true,
    }
}

/// Two small members for ensembles: a GBDT and a tree, as classifiers or regressors.
fn small_members(classification: bool) -> Vec<ModelSpec> {
    let (objective, criterion) = if classification {
        (Objective::Multiclass, Criterion::Gini)
    } else {
        (Objective::SquaredError, Criterion::SquaredError)
    };
    vec![
        ModelSpec::Gbdt(GbdtSpec {
            objective,
            n_estimators: 8,
            min_data_in_leaf: 5,
            ..GbdtSpec::default()
        }),
        ModelSpec::DecisionTree(DecisionTreeSpec {
            criterion,
            max_depth: Some(4),
            ..DecisionTreeSpec::default()
        }),
    ]
}

/// One default spec per variant; `examples_of` expands them.
fn variants() -> Vec<ModelSpec> {
    vec![
        ModelSpec::Gbdt(GbdtSpec::default()),
        ModelSpec::DecisionTree(DecisionTreeSpec::default()),
        ModelSpec::LinearRegression(LinearRegressionSpec::default()),
        ModelSpec::Ridge(RidgeSpec::default()),
        ModelSpec::Lasso(LassoSpec::default()),
        ModelSpec::ElasticNet(ElasticNetSpec::default()),
        ModelSpec::Huber(HuberSpec::default()),
        ModelSpec::LogisticRegression(LogisticRegressionSpec::default()),
        ModelSpec::GaussianNb(GaussianNbSpec::default()),
        ModelSpec::MultinomialNb(MultinomialNbSpec::default()),
        ModelSpec::BernoulliNb(BernoulliNbSpec::default()),
        ModelSpec::CategoricalNb(CategoricalNbSpec::default()),
        ModelSpec::Svc(SvcSpec::default()),
        ModelSpec::Svr(SvrSpec::default()),
        ModelSpec::LinearSvc(LinearSvcSpec::default()),
        ModelSpec::KnnClassifier(KnnClassifierSpec::default()),
        ModelSpec::KnnRegressor(KnnRegressorSpec::default()),
    ]
}

fn all_examples() -> Vec<(ModelSpec, Task)> {
    variants().iter().flat_map(examples_of).collect()
}

/// The shared data, as counts 0..4 for the models whose features are counts or category codes.
fn data_for(spec: &ModelSpec, task: Task) -> (Array2<f64>, Array1<f64>) {
    let (x, y) = data(task);
    match spec {
        ModelSpec::MultinomialNb(_) | ModelSpec::CategoricalNb(_) => {
            (x.mapv(|v| ((v + 1.0) * 2.5).floor().min(4.0)), y)
        }
        _ => (x, y),
    }
}

fn data(task: Task) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let x: Array2<f64> = Array2::from_shape_fn((150, 4), |_| rng.random_range(-1.0..1.0));
    let y = x
        .rows()
        .into_iter()
        .map(|r| {
            let s = r[0] + 0.5 * r[1] - r[2] * r[3];
            match task {
                Task::Binary => f64::from(u8::from(s > 0.0)),
                Task::Multiclass => {
                    if s < -0.4 {
                        0.0
                    } else if s < 0.4 {
                        1.0
                    } else {
                        2.0
                    }
                }
                Task::Regression => s,
            }
        })
        .collect();
    (x, y)
}

fn fit(spec: &ModelSpec, task: Task) -> (FittedModel, Array2<f64>) {
    let (x, y) = data_for(spec, task);
    let model = spec
        .fit(x.view(), y.view(), None)
        .unwrap_or_else(|e| panic!("{spec:?} failed to fit: {e}"));
    (model, x)
}

#[test]
fn spec_and_fitted_model_serde_round_trip() {
    for (spec, task) in all_examples() {
        let json = serde_json::to_string(&spec).expect("spec serializes");
        assert!(json.contains("\"kind\""), "tagged by kind: {json}");
        let back: ModelSpec = serde_json::from_str(&json).expect("spec deserializes");
        assert_eq!(back, spec);
        back.check().expect("valid example");
        let (model, x) = fit(&spec, task);
        let bytes = serde_json::to_string(&model).expect("model serializes");
        let loaded: FittedModel = serde_json::from_str(&bytes).expect("model deserializes");
        assert_eq!(
            loaded.predict(x.view()).expect("predict"),
            model.predict(x.view()).expect("predict")
        );
        if task != Task::Regression && gives_probabilities(&spec) {
            assert_eq!(
                loaded.predict_proba(x.view()).expect("proba"),
                model.predict_proba(x.view()).expect("proba")
            );
        }
    }
}

#[test]
fn unknown_spec_fields_are_rejected() {
    let err =
        serde_json::from_str::<ModelSpec>(r#"{"kind": "gbdt", "num_leafs": 8}"#).expect_err("typo");
    assert!(err.to_string().contains("num_leafs"), "{err}");
}

#[test]
fn fitting_twice_with_the_same_seed_is_identical() {
    for (spec, task) in all_examples() {
        let a = serde_json::to_string(&fit(&spec, task).0).expect("json");
        let b = serde_json::to_string(&fit(&spec, task).0).expect("json");
        assert!(a == b, "{spec:?} is not deterministic");
    }
}

#[test]
fn batch_prediction_equals_row_by_row() {
    for (spec, task) in all_examples() {
        let (model, x) = fit(&spec, task);
        let batch = model.predict(x.view()).expect("predict");
        for i in 0..x.nrows() {
            let one = model
                .predict(x.slice(s![i..i + 1, ..]))
                .expect("predict one");
            assert_eq!(one[0], batch[i], "{spec:?} row {i}");
        }
        if task != Task::Regression && gives_probabilities(&spec) {
            let proba = model.predict_proba(x.view()).expect("proba");
            for i in 0..x.nrows() {
                let one = model
                    .predict_proba(x.slice(s![i..i + 1, ..]))
                    .expect("proba one");
                assert_eq!(one.row(0), proba.row(i), "{spec:?} row {i}");
            }
        }
    }
}

#[test]
fn prediction_shapes_and_probabilities() {
    for (spec, task) in all_examples() {
        let (model, x) = fit(&spec, task);
        assert_eq!(model.n_features(), 4);
        let p = model.predict(x.view()).expect("predict");
        assert_eq!(p.len(), x.nrows());
        match task {
            Task::Regression => {
                assert_eq!(model.n_classes(), None);
                assert!(
                    model.predict_proba(x.view()).is_err(),
                    "{spec:?}: no probabilities for a regressor"
                );
            }
            Task::Binary | Task::Multiclass => {
                let k = if task == Task::Binary { 2 } else { 3 };
                assert_eq!(model.n_classes(), Some(k));
                if gives_probabilities(&spec) {
                    let proba = model.predict_proba(x.view()).expect("proba");
                    assert_eq!(proba.dim(), (x.nrows(), k));
                    for row in proba.rows() {
                        assert!(
                            (row.sum() - 1.0).abs() < 1e-9
                                && row.iter().all(|&q| (0.0..=1.0).contains(&q))
                        );
                    }
                } else {
                    assert!(
                        model.predict_proba(x.view()).is_err(),
                        "{spec:?}: no probabilities without a probabilistic model"
                    );
                }
                assert!(
                    p.iter()
                        .all(|&c| c >= 0.0 && c < k as f64 && c.fract() == 0.0),
                    "class codes"
                );
            }
        }
        let empty = Array2::<f64>::zeros((0, 4));
        assert_eq!(model.predict(empty.view()).expect("empty batch").len(), 0);
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for (spec, task) in all_examples() {
        let (x, y) = data_for(&spec, task);
        let empty = Array2::<f64>::zeros((0, 4));
        assert!(matches!(
            spec.fit(empty.view(), Array1::zeros(0).view(), None),
            Err(ModelError::EmptyInput { .. })
        ));
        let mut y_nan = y.clone();
        y_nan[3] = f64::NAN;
        assert!(matches!(
            spec.fit(x.view(), y_nan.view(), None),
            Err(ModelError::InvalidTarget { row: 3, .. })
        ));
        let short = y.slice(s![..10]);
        assert!(matches!(
            spec.fit(x.view(), short, None),
            Err(ModelError::LengthMismatch { .. })
        ));
        let neg = Array1::from_elem(x.nrows(), -1.0);
        assert!(matches!(
            spec.fit(x.view(), y.view(), Some(neg.view())),
            Err(ModelError::InvalidWeight { .. })
        ));

        let mut x_inf = x.clone();
        x_inf[[4, 2]] = f64::INFINITY;
        assert!(
            matches!(
                spec.fit(x_inf.view(), y.view(), None),
                Err(ModelError::InvalidFeatureValue {
                    column: 2,
                    row: 4,
                    ..
                })
            ),
            "{spec:?}: infinity in x"
        );
        let mut y_inf = y.clone();
        y_inf[5] = f64::NEG_INFINITY;
        assert!(matches!(
            spec.fit(x.view(), y_inf.view(), None),
            Err(ModelError::InvalidTarget { row: 5, .. })
        ));

        let mut x_nan = x.clone();
        x_nan[[7, 1]] = f64::NAN;
        let fitted_with_nan = spec.fit(x_nan.view(), y.view(), None);
        if spec.handles_missing() {
            assert!(
                fitted_with_nan.is_ok(),
                "{spec:?} should accept NaN as missing"
            );
        } else {
            assert!(matches!(
                fitted_with_nan,
                Err(ModelError::InvalidFeatureValue {
                    column: 1,
                    row: 7,
                    ..
                })
            ));
        }

        let (model, _) = fit(&spec, task);
        let predicted_nan = model.predict(x_nan.view());
        assert_eq!(
            predicted_nan.is_ok(),
            spec.handles_missing(),
            "{spec:?} NaN at predict time"
        );
        let wide = Array2::<f64>::zeros((2, 5));
        assert_eq!(
            model.predict(wide.view()).expect_err("too many features"),
            ModelError::FeatureCountMismatch {
                expected: 4,
                found: 5
            }
        );
        let narrow = Array2::<f64>::zeros((2, 3));
        assert!(matches!(
            model.predict(narrow.view()),
            Err(ModelError::FeatureCountMismatch { .. })
        ));
    }
}
