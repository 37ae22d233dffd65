//! Trains a binary GBDT on a generated 1M × 28 set (100 rounds, 255 leaves) and prints wall
//! times, so training speed can be profiled and compared with LightGBM on the same machine.
//!
//! Run: `cargo run --release -p kiln-models --example gbdt_speed -- [rows] [threads]`.
//! `python tools/reference/models_fixtures.py --timing` builds the identical data set (the same
//! splitmix64 generator in numpy) and times LightGBM with the same parameters.

use std::time::Instant;

use kiln_models::{GbdtSpec, Objective};
use ndarray::{Array1, Array2};

fn splitmix64(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uniform(base: u64, index: u64) -> f64 {
    (splitmix64(base.wrapping_add(index)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Uniform(-1, 1) features; the label is a fixed nonlinear score of 8 features plus noise.
fn dataset(rows: usize, cols: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let base = seed.wrapping_mul(0x0100_0000_01B3);
    let x = Array2::from_shape_fn((rows, cols), |(i, j)| {
        2.0 * uniform(base, (i * cols + j) as u64) - 1.0
    });
    let y = Array1::from_shape_fn(rows, |i| {
        let r = x.row(i);
        let noise = uniform(base, (rows * cols + i) as u64);
        let score =
            r[0] * 2.0 - r[1] * 1.5 + r[2] * r[3] * 2.0 + (3.0 * r[4]).sin() + r[5].abs() * 1.5
                - 0.75
                + if r[6] > 0.3 { 1.0 } else { 0.0 }
                + r[7] * r[7]
                - 0.33;
        if score + (noise - 0.5) * 2.0 > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    (x, y)
}

fn auc(y: &[f64], score: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let (mut pos, mut rank_sum) = (0.0, 0.0);
    for (rank, &i) in idx.iter().enumerate() {
        if y[i] > 0.5 {
            pos += 1.0;
            rank_sum += rank as f64 + 1.0;
        }
    }
    let neg = y.len() as f64 - pos;
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let threads: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let t = Instant::now();
    let (x, y) = dataset(rows, 28, 42);
    println!(
        "generated {rows} x 28 in {:.2}s, positives {:.4}",
        t.elapsed().as_secs_f64(),
        y.mean().unwrap_or(0.0)
    );
    let spec = GbdtSpec {
        objective: Objective::Binary,
        n_estimators: 100,
        num_leaves: 255,
        learning_rate: 0.1,
        min_data_in_leaf: 20,
        ..GbdtSpec::default()
    };
    pool.install(|| -> Result<(), kiln_models::ModelError> {
        let t = Instant::now();
        let model = spec.fit(x.view(), y.view(), None)?;
        let train = t.elapsed().as_secs_f64();
        let head = rows.min(200_000);
        let t = Instant::now();
        let p = model.predict_proba(x.slice(ndarray::s![..head, ..]))?;
        let predict = t.elapsed().as_secs_f64();
        let a = auc(&y.as_slice().unwrap_or(&[])[..head], &p.column(1).to_vec());
        println!(
            "kiln threads={}: train {train:.2}s (incl. binning), predict {head} rows {predict:.2}s, train-AUC(first {head}) {a:.5}",
            rayon::current_num_threads()
        );
        Ok(())
    })?;
    Ok(())
}
