//! `cross_validate` against scikit-learn's `cross_validate(..., return_train_score=True)` of a
//! depth-limited decision tree on the same explicit folds (tools/reference/evalx_fixtures.py).
//! The folds are checked index for index, then every fold's train and test score per metric.

mod common;

use common::{Worst, load, nums};
use kiln_data::csv::read_csv_bytes;
use kiln_eval::{CvKind, CvSpec, Metric, ModelPipelineSpec, cross_validate};
use kiln_prep::Task;
use serde_json::Value;

fn spec_of(case: &Value) -> ModelPipelineSpec {
    let task = case["task"].as_str().expect("task");
    let mut model = case["model"].clone();
    model["kind"] = Value::from("decision_tree");
    let json = serde_json::json!({
        "prep": { "target": "target", "task": task, "remainder": "passthrough" },
        "model": model,
    });
    serde_json::from_value(json).expect("valid spec")
}

#[test]
fn cross_validate_matches_scikit_learn_on_the_same_folds() {
    let cases = load("cv.json");
    assert!(cases.len() >= 7, "{} cases", cases.len());
    // The same tree on the same rows gives the same leaves; the scores then differ only by the
    // summation order of the metrics (fixture-tested to ~1e-15 elsewhere): 1e-12.
    let mut worst = Worst::new(1e-12);
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        let frame = read_csv_bytes(
            case["csv"].as_str().expect("csv").as_bytes(),
            name,
            &Default::default(),
        )
        .expect("valid csv");
        let spec = spec_of(case);
        let cv = CvSpec {
            kind: match case["cv"]["kind"].as_str() {
                Some("stratified") => CvKind::Stratified,
                _ => CvKind::KFold,
            },
            n_splits: case["cv"]["n_splits"].as_u64().expect("n_splits") as usize,
            ..CvSpec::default()
        };
        let (_, y) = spec.prep.encode_target(&frame).expect("target");
        let task = if case["task"] == "classification" {
            Task::Classification
        } else {
            Task::Regression
        };
        let folds = cv.folds(&frame, &y, task).expect("folds");
        let expected_folds = case["folds"].as_array().expect("folds");
        assert_eq!(folds.len(), 1);
        assert_eq!(folds[0].len(), expected_folds.len(), "{name}");
        for (got, want) in folds[0].iter().zip(expected_folds) {
            let idx = |v: &Value| -> Vec<usize> { nums(v).iter().map(|&i| i as usize).collect() };
            assert_eq!(got.train, idx(&want["train"]), "{name}: train indices");
            assert_eq!(got.test, idx(&want["test"]), "{name}: test indices");
        }
        let names: Vec<String> = case["test_scores"]
            .as_object()
            .expect("scores")
            .keys()
            .cloned()
            .collect();
        let metrics: Vec<Metric> = names
            .iter()
            .map(|n| serde_json::from_value(Value::from(n.as_str())).expect("metric name"))
            .collect();
        let result = cross_validate(&spec, &frame, &cv, &metrics, &|_, _| {}).expect("cv");
        for (m, metric) in names.iter().enumerate() {
            let test = nums(&case["test_scores"][metric]);
            let train = nums(&case["train_scores"][metric]);
            for (k, fold) in result.folds.iter().enumerate() {
                let label = format!("{name} fold {k}");
                worst.check(&label, &format!("test {metric}"), fold.valid[m], test[k]);
                worst.check(&label, &format!("train {metric}"), fold.train[m], train[k]);
            }
            let mean = test.iter().sum::<f64>() / test.len() as f64;
            worst.check(
                name,
                &format!("mean {metric}"),
                result.summary[m].valid_mean,
                mean,
            );
        }
    }
    assert!(worst.report("cross_validate vs scikit-learn") > 300);
}
