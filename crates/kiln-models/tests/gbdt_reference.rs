//! GBDT accuracy parity with LightGBM 4.7 on the same data, parameters and rounds.
//!
//! Fixtures come from `tools/reference/models_fixtures.py`. Margins, stated per test and
//! two-sided (a result far better than LightGBM's is a difference too): test AUC within 0.002,
//! log-loss and regression RMSE within 1% (relative) of LightGBM's.

mod common;

use common::*;
use kiln_models::{GbdtSpec, Objective};
use ndarray::Array2;

fn spec_for(case: &serde_json::Value, objective: Objective) -> GbdtSpec {
    let p = &case["params"];
    GbdtSpec {
        objective,
        n_estimators: case["rounds"].as_u64().expect("rounds") as usize,
        learning_rate: p["learning_rate"].as_f64().expect("learning_rate"),
        num_leaves: p["num_leaves"].as_u64().expect("num_leaves") as usize,
        min_data_in_leaf: p["min_data_in_leaf"].as_u64().expect("min_data_in_leaf") as u32,
        min_sum_hessian_in_leaf: p["min_sum_hessian_in_leaf"]
            .as_f64()
            .expect("min_sum_hessian"),
        max_bin: p["max_bin"].as_u64().expect("max_bin") as usize,
        ..GbdtSpec::default()
    }
}

fn case(name: &str) -> serde_json::Value {
    let all = load_json("gbdt_lightgbm.json");
    all["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .expect("case present")
        .clone()
}

#[test]
fn binary_breast_cancer_auc_matches_lightgbm() {
    let c = case("breast_cancer");
    let model = spec_for(&c, Objective::Binary)
        .fit(
            matrix(&c["x_train"]).view(),
            vector(&c["y_train"]).view(),
            None,
        )
        .expect("fit");
    let proba = model
        .predict_proba(matrix(&c["x_test"]).view())
        .expect("predict");
    let y = vector(&c["y_test"]).to_vec();
    let ours = auc(&y, &proba.column(1).to_vec());
    let theirs = c["auc"].as_f64().expect("auc");
    println!(
        "breast cancer AUC kiln {ours:.5} lightgbm {theirs:.5}; logloss kiln {:.5} lightgbm {:.5}",
        log_loss(&y, &proba),
        c["logloss"].as_f64().expect("logloss")
    );
    assert!(
        (ours - theirs).abs() <= 0.002,
        "AUC {ours} vs LightGBM {theirs}"
    );
    let (ours, theirs) = (
        log_loss(&y, &proba),
        c["logloss"].as_f64().expect("logloss"),
    );
    assert!(
        (ours - theirs).abs() <= 0.01 * theirs,
        "log-loss {ours} vs LightGBM {theirs}"
    );
}

fn multiclass(name: &str) {
    let c = case(name);
    let model = spec_for(&c, Objective::Multiclass)
        .fit(
            matrix(&c["x_train"]).view(),
            vector(&c["y_train"]).view(),
            None,
        )
        .expect("fit");
    let proba = model
        .predict_proba(matrix(&c["x_test"]).view())
        .expect("predict");
    let y = vector(&c["y_test"]).to_vec();
    let ours = log_loss(&y, &proba);
    let theirs = c["logloss"].as_f64().expect("logloss");
    let acc = accuracy(
        &y,
        &model
            .predict(matrix(&c["x_test"]).view())
            .expect("predict")
            .to_vec(),
    );
    println!(
        "{name} logloss kiln {ours:.5} lightgbm {theirs:.5}; accuracy kiln {acc:.4} lightgbm {:.4}",
        c["accuracy"].as_f64().expect("accuracy")
    );
    assert!(
        (ours - theirs).abs() <= 0.01 * theirs,
        "{name} log-loss {ours} vs LightGBM {theirs}"
    );
}

#[test]
fn multiclass_wine_logloss_matches_lightgbm() {
    multiclass("wine");
}

#[test]
fn multiclass_iris_logloss_matches_lightgbm() {
    multiclass("iris");
}

#[test]
fn regression_diabetes_rmse_matches_lightgbm() {
    let c = case("diabetes");
    let model = spec_for(&c, Objective::SquaredError)
        .fit(
            matrix(&c["x_train"]).view(),
            vector(&c["y_train"]).view(),
            None,
        )
        .expect("fit");
    let p = model.predict(matrix(&c["x_test"]).view()).expect("predict");
    let ours = rmse(&vector(&c["y_test"]).to_vec(), &p.to_vec());
    let theirs = c["rmse"].as_f64().expect("rmse");
    println!("diabetes RMSE kiln {ours:.4} lightgbm {theirs:.4}");
    assert!(
        (ours - theirs).abs() <= 0.01 * theirs,
        "RMSE {ours} vs LightGBM {theirs}"
    );
}

#[test]
fn binary_synthetic_12k_auc_matches_lightgbm() {
    let meta = load_json("gbdt_lightgbm_synthetic.json");
    let rows = meta["rows"].as_u64().expect("rows") as usize;
    let cols = meta["cols"].as_u64().expect("cols") as usize;
    let n_train = meta["n_train"].as_u64().expect("n_train") as usize;
    let bytes =
        std::fs::read(fixture_path("synthetic_binary_12000x20.f32le")).expect("binary fixture");
    assert_eq!(bytes.len(), rows * cols * 4);
    let values: Vec<f64> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
        .collect();
    let x = Array2::from_shape_vec((rows, cols), values).expect("shape");
    let y = vector(&meta["y"]);
    let model = spec_for(&meta, Objective::Binary)
        .fit(
            x.slice(ndarray::s![..n_train, ..]),
            y.slice(ndarray::s![..n_train]),
            None,
        )
        .expect("fit");
    let proba = model
        .predict_proba(x.slice(ndarray::s![n_train.., ..]))
        .expect("predict");
    let yt = y.slice(ndarray::s![n_train..]).to_vec();
    let ours = auc(&yt, &proba.column(1).to_vec());
    let theirs = meta["auc"].as_f64().expect("auc");
    println!(
        "synthetic 12k AUC kiln {ours:.5} lightgbm {theirs:.5}; logloss kiln {:.5} lightgbm {:.5}",
        log_loss(&yt, &proba),
        meta["logloss"].as_f64().expect("logloss")
    );
    assert!(
        (ours - theirs).abs() <= 0.002,
        "AUC {ours} vs LightGBM {theirs}"
    );
}
