//! A tiny trained pipeline and data for the registry tests: a `[prep]` from TOML (median
//! imputation, one-hot colours) and a small binary GBDT, so predictions are non-trivial floats
//! and a reload that changed a single bit would show.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;

use kiln_data::Frame;
use kiln_data::csv::read_csv_bytes;
use kiln_eval::{FittedModelPipeline, ModelPipelineSpec};
use kiln_models::ModelSpec;
use kiln_prep::PipelineSpec;
use kiln_registry::{Artifact, TrainingSummary};

pub fn spec() -> ModelPipelineSpec {
    let prep = PipelineSpec::from_toml(
        r#"
        target = "label"
        [[blocks]]
        name = "numbers"
        columns = { types = ["numeric"] }
        steps = [{ kind = "simple_imputer", strategy = "median" }]
        [[blocks]]
        name = "colour"
        columns = { names = ["colour"] }
        steps = [{ kind = "one_hot_encoder", handle_unknown = "ignore" }]
        "#,
        "test",
    )
    .expect("valid prep");
    let model: ModelSpec = serde_json::from_str(
        r#"{"kind": "gbdt", "objective": "binary", "n_estimators": 12, "num_leaves": 4,
            "min_data_in_leaf": 3, "learning_rate": 0.3}"#,
    )
    .expect("valid model");
    ModelPipelineSpec { prep, model }
}

/// 90 rows; the label mostly follows `x` and `colour`, with a few exceptions so the model's
/// probabilities are not all 0 or 1. Halves keep `x` from being inferred as an id column.
pub fn train_frame() -> Frame {
    let mut csv = String::from("x,colour,label\n");
    for i in 0..90 {
        let colour = ["red", "blue", "green"][i % 3];
        let x = if i % 11 == 0 {
            String::new()
        } else {
            format!("{}.5", (i * 7) % 50)
        };
        let high = ((i * 7) % 50 > 24) ^ (colour == "green" && i % 4 == 0);
        csv.push_str(&format!(
            "{x},{colour},{}\n",
            if high { "high" } else { "low" }
        ));
    }
    read_csv_bytes(csv.as_bytes(), "train", &Default::default()).expect("valid csv")
}

/// Rows to score: ordinary values, a missing number, an unseen colour and a missing colour.
pub fn score_frame() -> Frame {
    read_csv_bytes(
        b"x,colour\n3.5,red\n30.5,blue\n,green\n47.5,purple\n12.5,\n25.5,green\n",
        "score",
        &Default::default(),
    )
    .expect("valid csv")
}

pub fn fitted() -> FittedModelPipeline {
    spec().fit(&train_frame()).expect("fits")
}

pub fn artifact(name: &str) -> Artifact {
    let frame = train_frame();
    let pipeline = spec().fit(&frame).expect("fits");
    let metrics = BTreeMap::from([
        ("cv_roc_auc_mean".to_string(), 0.9125),
        ("test_roc_auc".to_string(), 0.875),
    ]);
    Artifact::new(
        name,
        spec(),
        pipeline,
        TrainingSummary {
            metrics,
            data_fingerprint: kiln_data::fingerprint(&frame).digest,
            training_rows: frame.n_rows() as u64,
            reference_profile: Some(serde_json::json!({"x": {"mean": 24.5}})),
            prediction_reference: None,
        },
    )
    .expect("valid artifact")
}

/// Every prediction value and probability as raw bits, so equality means bit for bit.
pub fn prediction_bits(pipeline: &FittedModelPipeline, frame: &Frame) -> Vec<u64> {
    let p = pipeline.predict(frame).expect("predicts");
    let mut bits: Vec<u64> = p.values.iter().map(|v| v.to_bits()).collect();
    if let Some(proba) = &p.probabilities {
        bits.extend(proba.iter().map(|v| v.to_bits()));
    }
    bits
}
