//! Shared helpers for the integration tests: fixture loading, metrics and data generators.
#![allow(dead_code)]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

pub fn fixture_path(name: &str) -> String {
    format!("{}/../../tests/fixtures/models/{}", manifest_dir(), name)
}

pub fn load_json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path(name))
        .expect("fixture exists (run tools/reference/models_fixtures.py)");
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

/// A JSON fixture of another area, `tests/fixtures/<area>/<name>`.
pub fn load_area_json(area: &str, name: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/{area}/{name}", manifest_dir());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("fixture {path} exists (run tools/reference/{area}_fixtures.py)")
    });
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

pub fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("matrix of numbers");
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular matrix")
}

pub fn vector(v: &Value) -> Array1<f64> {
    let values: Vec<f64> = serde_json::from_value(v.clone()).expect("vector of numbers");
    Array1::from(values)
}

/// Area under the ROC curve (ties count one half).
pub fn auc(y: &[f64], score: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank = vec![0.0; y.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && score[idx[j + 1]] == score[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            rank[k] = r;
        }
        i = j + 1;
    }
    let pos = y.iter().filter(|&&v| v > 0.5).count() as f64;
    let neg = y.len() as f64 - pos;
    let sum_pos: f64 = y
        .iter()
        .zip(&rank)
        .filter(|(v, _)| **v > 0.5)
        .map(|(_, r)| r)
        .sum();
    (sum_pos - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// Mean log-loss of class probabilities (rows × classes).
pub fn log_loss(y: &[f64], proba: &Array2<f64>) -> f64 {
    let n = y.len() as f64;
    y.iter()
        .enumerate()
        .map(|(i, &c)| -proba[[i, c as usize]].clamp(1e-15, 1.0).ln())
        .sum::<f64>()
        / n
}

pub fn rmse(y: &[f64], p: &[f64]) -> f64 {
    (y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / y.len() as f64).sqrt()
}

pub fn accuracy(y: &[f64], p: &[f64]) -> f64 {
    y.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

pub fn r2(y: &[f64], p: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_res: f64 = y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

/// Mean test score over `folds` (test row indices; the other rows train): accuracy for
/// classification, R² otherwise. `fit_predict(train x, train y, test x)` returns the test
/// predictions of a model fitted on the training rows.
pub fn cross_validated_score(
    x: &Array2<f64>,
    y: &Array1<f64>,
    folds: &[Vec<usize>],
    classification: bool,
    fit_predict: impl Fn(ArrayView2<f64>, ArrayView1<f64>, ArrayView2<f64>) -> Array1<f64>,
) -> f64 {
    let scores: Vec<f64> = folds
        .iter()
        .map(|test| {
            let train: Vec<usize> = (0..x.nrows()).filter(|i| !test.contains(i)).collect();
            let p = fit_predict(
                x.select(Axis(0), &train).view(),
                y.select(Axis(0), &train).view(),
                x.select(Axis(0), test).view(),
            )
            .to_vec();
            let truth = y.select(Axis(0), test).to_vec();
            if classification {
                accuracy(&truth, &p)
            } else {
                r2(&truth, &p)
            }
        })
        .collect();
    scores.iter().sum::<f64>() / scores.len() as f64
}

/// A seeded binary problem: `informative` features drive a nonlinear score, the rest are noise.
pub fn synthetic_binary(rows: usize, cols: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Array2<f64> = Array2::from_shape_fn((rows, cols), |_| rng.random_range(-1.0..1.0));
    let y = Array1::from_shape_fn(rows, |i| {
        let r = x.row(i);
        let s = 2.0 * r[0] - 1.5 * r[1] + 2.0 * r[2] * r[3] + (3.0 * r[4]).sin() + r[5].abs() - 0.5;
        let noise: f64 = rng.random_range(-1.0..1.0);
        if s + noise > 0.0 { 1.0 } else { 0.0 }
    });
    (x, y)
}

/// The crate's directory, read when the test runs (not baked in at compile time), so a test
/// binary reused from a shared build cache by a checkout in another folder reads that
/// checkout's fixtures.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR when running tests")
}
