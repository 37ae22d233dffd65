//! AdaBoost (SAMME) against scikit-learn 1.9's mean 5-fold accuracy (within one point), and
//! voting and stacking over other kiln models.

mod common;

use common::*;
use kiln_models::{
    AdaBoostSpec, Criterion, DecisionTreeSpec, GbdtSpec, ModelError, ModelSpec, Objective,
    RandomForestSpec, StackingSpec, Voting, VotingSpec,
};
use ndarray::{Array1, Array2};

fn case(name: &str) -> (Array2<f64>, Array1<f64>, Vec<Vec<usize>>, serde_json::Value) {
    let all = load_json("forest_sklearn.json");
    let c = all["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .expect("case")
        .clone();
    let folds = serde_json::from_value(c["test_folds"].clone()).expect("folds");
    (matrix(&c["x"]), vector(&c["y"]), folds, c)
}

fn cv(
    spec: &ModelSpec,
    x: &Array2<f64>,
    y: &Array1<f64>,
    folds: &[Vec<usize>],
    classification: bool,
) -> f64 {
    cross_validated_score(x, y, folds, classification, |x, y, test| {
        let model = spec.fit(x, y, None).expect("fit");
        model.predict(test).expect("predict")
    })
}

#[test]
fn adaboost_matches_scikit_learn_cross_validated_accuracy() {
    for name in ["breast_cancer", "wine"] {
        let (x, y, folds, c) = case(name);
        let ours = cv(
            &ModelSpec::AdaBoost(AdaBoostSpec::default()),
            &x,
            &y,
            &folds,
            true,
        );
        let theirs = c["mean_score"]["adaboost"].as_f64().expect("score");
        println!("{name} AdaBoost SAMME: kiln {ours:.4} scikit-learn {theirs:.4}");
        assert!(ours >= theirs - 0.01, "{name}: {ours} vs {theirs}");
    }
}

#[test]
fn adaboost_probabilities_and_errors() {
    let (x, y, _, _) = case("wine");
    let model = AdaBoostSpec {
        n_estimators: 20,
        ..AdaBoostSpec::default()
    }
    .fit(x.view(), y.view(), None)
    .expect("fit");
    let p = model.predict_proba(x.view()).expect("proba");
    assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-9));
    assert_eq!(model.trees.len(), model.alphas.len());
    let bad = AdaBoostSpec {
        criterion: Criterion::SquaredError,
        ..AdaBoostSpec::default()
    };
    assert!(
        bad.fit(x.view(), y.view(), None)
            .expect_err("criterion")
            .to_string()
            .contains("criterion")
    );
    let cont = y.mapv(|v| v + 0.5);
    assert!(matches!(
        AdaBoostSpec::default().fit(x.view(), cont.view(), None),
        Err(ModelError::InvalidTarget { .. })
    ));
}

fn members(classification: bool) -> Vec<ModelSpec> {
    let (objective, criterion) = if classification {
        (Objective::Binary, Criterion::Gini)
    } else {
        (Objective::SquaredError, Criterion::SquaredError)
    };
    vec![
        ModelSpec::Gbdt(GbdtSpec {
            objective,
            n_estimators: 50,
            ..GbdtSpec::default()
        }),
        ModelSpec::RandomForest(RandomForestSpec {
            criterion,
            n_estimators: 30,
            ..RandomForestSpec::default()
        }),
        ModelSpec::DecisionTree(DecisionTreeSpec {
            criterion,
            max_depth: Some(4),
            ..DecisionTreeSpec::default()
        }),
    ]
}

#[test]
fn voting_combines_members() {
    let (x, y, folds, _) = case("breast_cancer");
    let member_scores: Vec<f64> = members(true)
        .iter()
        .map(|m| cv(m, &x, &y, &folds, true))
        .collect();
    for voting in [Voting::Soft, Voting::Hard] {
        let spec = ModelSpec::Voting(VotingSpec {
            estimators: members(true),
            voting,
            weights: None,
        });
        let score = cv(&spec, &x, &y, &folds, true);
        println!("voting {voting:?}: {score:.4}, members {member_scores:?}");
        let worst = member_scores.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            score >= worst,
            "{voting:?} vote {score} below its worst member {worst}"
        );
    }
    // A regression vote is the weighted mean of the members.
    let (x, y, _, _) = case("diabetes");
    let spec = VotingSpec {
        estimators: members(false),
        voting: Voting::Soft,
        weights: Some(vec![2.0, 1.0, 1.0]),
    };
    let model = spec.fit(x.view(), y.view(), None).expect("fit");
    let parts: Vec<Array1<f64>> = model
        .models
        .iter()
        .map(|m| m.predict(x.view()).expect("p"))
        .collect();
    let expected = (&parts[0] * 2.0 + &parts[1] + &parts[2]) / 4.0;
    let got = model.predict(x.view()).expect("predict");
    assert!(got.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-9));
    let bad = VotingSpec {
        estimators: members(false),
        voting: Voting::Soft,
        weights: Some(vec![1.0]),
    };
    assert!(
        bad.fit(x.view(), y.view(), None)
            .expect_err("weights")
            .to_string()
            .contains("weights")
    );
}

#[test]
fn stacking_learns_from_out_of_fold_outputs() {
    let (x, y, folds, _) = case("breast_cancer");
    let final_estimator = Box::new(ModelSpec::DecisionTree(DecisionTreeSpec {
        max_depth: Some(2),
        ..DecisionTreeSpec::default()
    }));
    let spec = ModelSpec::Stacking(StackingSpec {
        estimators: members(true),
        final_estimator,
        cv: 5,
        passthrough: false,
    });
    let score = cv(&spec, &x, &y, &folds, true);
    println!("stacking accuracy {score:.4}");
    assert!(score > 0.93, "stacking accuracy {score}");

    let (x, y, folds, _) = case("diabetes");
    let final_estimator = Box::new(ModelSpec::Gbdt(GbdtSpec {
        n_estimators: 30,
        learning_rate: 0.05,
        ..GbdtSpec::default()
    }));
    let spec = ModelSpec::Stacking(StackingSpec {
        estimators: members(false),
        final_estimator,
        cv: 5,
        passthrough: true,
    });
    let score = cv(&spec, &x, &y, &folds, false);
    println!("stacking R2 {score:.4}");
    assert!(score > 0.35, "stacking R2 {score}");

    let mixed = StackingSpec {
        estimators: vec![members(true)[0].clone(), members(false)[0].clone()],
        final_estimator: Box::new(ModelSpec::DecisionTree(DecisionTreeSpec::default())),
        cv: 3,
        passthrough: false,
    };
    let (x, y, _, _) = case("breast_cancer");
    assert!(
        mixed
            .fit(x.view(), y.view(), None)
            .expect_err("mixed")
            .to_string()
            .contains("mix")
    );
}
