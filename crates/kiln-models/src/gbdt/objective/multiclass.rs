//! Softmax log-loss over `k` classes, one tree per class per iteration (LightGBM `multiclass`).
//! The hessian carries LightGBM's `k / (k - 1)` factor, which makes the Newton step exact for a
//! change in one class score while the others stay fixed.

use rayon::prelude::*;

use super::Target;

const CHUNK: usize = 4096;
const EPS: f64 = 1e-15;

/// Numerically stable softmax of `raw` into `out`.
pub fn softmax(raw: &[f64], out: &mut [f64]) {
    let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &r) in out.iter_mut().zip(raw) {
        *o = (r - max).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
}

/// Log of each class's weighted prior.
pub fn init_scores(t: &Target<'_>) -> Vec<f64> {
    let mut mass = vec![0.0; t.n_classes];
    for (&y, &w) in t.y.iter().zip(t.weights) {
        mass[y as usize] += w;
    }
    let total: f64 = mass.iter().sum();
    mass.iter().map(|&m| (m / total).max(EPS).ln()).collect()
}

pub fn gradients(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    let k = t.n_classes;
    let n = t.y.len();
    let factor = k as f64 / (k as f64 - 1.0);
    // Each task computes whole rows (all classes) for a block of rows, written to a local buffer
    // and then scattered into the class-major layout.
    let blocks: Vec<(usize, Vec<[f64; 2]>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let start = c * CHUNK;
            let end = (start + CHUNK).min(n);
            let mut raw = vec![0.0; k];
            let mut p = vec![0.0; k];
            let mut local = vec![[0.0; 2]; (end - start) * k];
            for i in start..end {
                for (class, r) in raw.iter_mut().enumerate() {
                    *r = scores[class * n + i];
                }
                softmax(&raw, &mut p);
                let w = t.weights[i];
                let label = t.y[i] as usize;
                for class in 0..k {
                    let target = if class == label { 1.0 } else { 0.0 };
                    let pc = p[class];
                    local[class * (end - start) + (i - start)] =
                        [(pc - target) * w, (factor * pc * (1.0 - pc)).max(EPS) * w];
                }
            }
            (start, local)
        })
        .collect();
    for (start, local) in blocks {
        let len = local.len() / k;
        for class in 0..k {
            gh[class * n + start..class * n + start + len]
                .copy_from_slice(&local[class * len..(class + 1) * len]);
        }
    }
}
