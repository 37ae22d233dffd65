//! Binary log-loss on raw scores (log-odds), as LightGBM's `binary` objective with sigmoid 1.

use rayon::prelude::*;

use super::Target;

const CHUNK: usize = 8192;
/// Keeps the starting probability away from 0 and 1 (LightGBM's `kEpsilon`).
const EPS: f64 = 1e-15;

#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Log-odds of the weighted positive rate.
pub fn init_score(t: &Target<'_>) -> f64 {
    let (pos, total) =
        t.y.iter()
            .zip(t.weights)
            .fold((0.0, 0.0), |(p, s), (&y, &w)| (p + y * w, s + w));
    let p = (pos / total).clamp(EPS, 1.0 - EPS);
    (p / (1.0 - p)).ln()
}

pub fn gradients(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    gh.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
        let start = c * CHUNK;
        for (j, o) in out.iter_mut().enumerate() {
            let i = start + j;
            let positive = t.y[i] > 0.5;
            let w = t.weights[i] * if positive { t.scale_pos_weight } else { 1.0 };
            let p = sigmoid(scores[i]);
            let label = if positive { 1.0 } else { 0.0 };
            *o = [(p - label) * w, (p * (1.0 - p)).max(EPS) * w];
        }
    });
}
