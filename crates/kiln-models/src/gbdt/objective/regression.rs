//! Regression losses: squared error, absolute error and Huber, plus the weighted mean and median
//! used for their starting scores and for absolute-error leaf refits.

use rayon::prelude::*;

use super::Target;

/// Rows per parallel task when computing gradients.
const CHUNK: usize = 8192;

pub fn weighted_mean(y: &[f64], w: &[f64]) -> f64 {
    let (s, sw) = y
        .iter()
        .zip(w)
        .fold((0.0, 0.0), |(s, sw), (&y, &w)| (s + y * w, sw + w));
    if sw > 0.0 { s / sw } else { 0.0 }
}

/// Weighted median; for equal weights the midpoint of the two middle values on even counts.
pub fn weighted_median(values: &[f64], w: &[f64]) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(w.iter().copied())
        .filter(|p| p.1 > 0.0)
        .collect();
    if pairs.is_empty() {
        return 0.0;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let half = total / 2.0;
    let mut acc = 0.0;
    for (i, &(v, wi)) in pairs.iter().enumerate() {
        acc += wi;
        if acc > half {
            return v;
        }
        if acc == half {
            let next = pairs.get(i + 1).map_or(v, |p| p.0);
            return (v + next) / 2.0;
        }
    }
    pairs[pairs.len() - 1].0
}

pub fn residual_median(t: &Target<'_>, scores: &[f64], rows: &[u32]) -> f64 {
    let residuals: Vec<f64> = rows
        .iter()
        .map(|&r| t.y[r as usize] - scores[r as usize])
        .collect();
    let weights: Vec<f64> = rows.iter().map(|&r| t.weights[r as usize]).collect();
    weighted_median(&residuals, &weights)
}

fn fill(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]], grad: impl Fn(f64) -> f64 + Sync) {
    gh.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
        let start = c * CHUNK;
        for (j, o) in out.iter_mut().enumerate() {
            let i = start + j;
            let w = t.weights[i];
            *o = [grad(scores[i] - t.y[i]) * w, w];
        }
    });
}

pub fn squared_error(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    fill(t, scores, gh, |d| d);
}

pub fn absolute_error(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    fill(t, scores, gh, |d| {
        if d > 0.0 {
            1.0
        } else if d < 0.0 {
            -1.0
        } else {
            0.0
        }
    });
}

pub fn huber(t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    let a = t.huber_alpha;
    fill(t, scores, gh, move |d| d.clamp(-a, a));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(weighted_median(&[3.0, 1.0, 2.0], &[1.0; 3]), 2.0);
        assert_eq!(weighted_median(&[4.0, 1.0, 2.0, 3.0], &[1.0; 4]), 2.5);
        assert_eq!(weighted_median(&[1.0, 2.0, 10.0], &[1.0, 1.0, 5.0]), 10.0);
        assert_eq!(weighted_mean(&[1.0, 3.0], &[3.0, 1.0]), 1.5);
    }
}
