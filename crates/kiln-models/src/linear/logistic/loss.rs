//! The logistic loss and its gradient over all rows, in one pass over X.
//!
//! Parameters are laid out class by class: `[w_c (features), b_c]` for each score column `c`
//! (one column for a binary target, whose implicit other score is 0; one per class for the
//! multinomial softmax). The loss is scikit-learn's scale: the weighted mean over rows,
//! `(1/Σw) Σᵢ wᵢ ℓᵢ`.
//!
//! Rows are cut into fixed blocks scored in parallel; each block computes its scores, losses and
//! its share of the gradient while the block is in cache, so X is read once per evaluation
//! (scikit-learn reads it twice: `X @ w`, then `Xᵀ @ g`). Blocks are summed in order, so the
//! result does not depend on the thread count.

use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;

/// Rows per block: a block of 50 features is 400 KB, which stays in cache between the score and
/// the gradient pass over it.
const BLOCK_ROWS: usize = 1024;

/// The training problem as the loss sees it.
pub(crate) struct Problem<'a> {
    pub x: ArrayView2<'a, f64>,
    /// Class code per row.
    pub y: &'a [usize],
    /// Weight per row (sample weight × class weight).
    pub w: &'a [f64],
    /// Score columns: 1 for binary, k for multinomial.
    pub m: usize,
    pub fit_intercept: bool,
    /// Σ w, the loss's normaliser.
    pub w_sum: f64,
}

impl Problem<'_> {
    /// Parameters per score column.
    pub fn stride(&self) -> usize {
        self.x.ncols() + usize::from(self.fit_intercept)
    }

    /// The mean weighted loss at `params`, its gradient written into `grad` (same layout).
    pub fn loss_grad(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let n = self.x.nrows();
        let blocks = n.div_ceil(BLOCK_ROWS);
        let parts: Vec<(f64, Vec<f64>)> = (0..blocks)
            .into_par_iter()
            .map(|b| {
                let (lo, hi) = (b * BLOCK_ROWS, ((b + 1) * BLOCK_ROWS).min(n));
                self.block(params, lo, hi)
            })
            .collect();
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        for (l, g) in parts {
            loss += l;
            grad.iter_mut().zip(&g).for_each(|(a, b)| *a += b);
        }
        let inv = 1.0 / self.w_sum;
        grad.iter_mut().for_each(|g| *g *= inv);
        loss * inv
    }

    /// Weighted loss sum and gradient sum of rows `lo..hi`.
    fn block(&self, params: &[f64], lo: usize, hi: usize) -> (f64, Vec<f64>) {
        let (p, m, stride) = (self.x.ncols(), self.m, self.stride());
        let rows = self.x.slice(s![lo..hi, ..]);
        let len = hi - lo;
        let mut z = vec![0.0; len * m];
        let contiguous = rows.as_slice();
        // Scores.
        match contiguous {
            Some(data) => {
                for (r, row) in data.chunks_exact(p).enumerate() {
                    for c in 0..m {
                        z[r * m + c] = dot(row, &params[c * stride..c * stride + p]);
                    }
                }
            }
            None => {
                let coef = Array2::from_shape_fn((p, m), |(j, c)| params[c * stride + j]);
                let zs = rows.dot(&coef);
                for ((r, c), v) in zs.indexed_iter() {
                    z[r * m + c] = *v;
                }
            }
        }
        // Losses and d loss / d score (weighted), in place of the scores.
        let mut loss = 0.0;
        for r in 0..len {
            let (yi, wi) = (self.y[lo + r], self.w[lo + r]);
            let zr = &mut z[r * m..(r + 1) * m];
            if self.fit_intercept {
                for (c, v) in zr.iter_mut().enumerate() {
                    *v += params[c * stride + p];
                }
            }
            loss += wi * row_loss_and_residual(zr, yi);
            zr.iter_mut().for_each(|v| *v *= wi);
        }
        // Gradient: Xᵀ · residuals.
        let mut grad = vec![0.0; m * stride];
        match contiguous {
            Some(data) => {
                for (r, row) in data.chunks_exact(p).enumerate() {
                    for c in 0..m {
                        axpy(z[r * m + c], row, &mut grad[c * stride..c * stride + p]);
                    }
                }
            }
            None => {
                let e = Array2::from_shape_fn((len, m), |(r, c)| z[r * m + c]);
                let g = rows.t().dot(&e);
                for ((j, c), v) in g.indexed_iter() {
                    grad[c * stride + j] = *v;
                }
            }
        }
        if self.fit_intercept {
            for r in 0..len {
                for c in 0..m {
                    grad[c * stride + p] += z[r * m + c];
                }
            }
        }
        (loss, grad)
    }
}

/// The loss of one row from its scores, which are replaced by `d loss / d score`.
///
/// One score: binary log-loss with the other class's score fixed at 0. Several: the multinomial
/// (softmax) log-loss.
pub(crate) fn row_loss_and_residual(z: &mut [f64], y: usize) -> f64 {
    if z.len() == 1 {
        let t = z[0];
        let target = if y == 1 { 1.0 } else { 0.0 };
        z[0] = sigmoid(t) - target;
        log1p_exp(t) - target * t
    } else {
        let max = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let z_y = z[y];
        let mut sum = 0.0;
        for v in z.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        // log Σ exp(z) − z_y, shifted by the max so nothing overflows.
        let loss = max + sum.ln() - z_y;
        for v in z.iter_mut() {
            *v /= sum;
        }
        z[y] -= 1.0;
        loss
    }
}

/// `ln(1 + e^t)` without overflow or loss of precision.
pub(crate) fn log1p_exp(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

/// The logistic function, accurate in both tails.
pub(crate) fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// Dot product with four independent accumulators so the loop vectorises.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

pub(crate) fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    fn check_gradient(m: usize, k: usize, fortran: bool) {
        let n = 2500; // more than two blocks
        let p = 3;
        let xc = Array2::from_shape_fn((n, p), |(i, j)| ((i * (j + 2)) as f64 * 0.013).sin());
        let x = if fortran {
            let mut f = Array2::zeros((n, p).f());
            f.assign(&xc);
            f
        } else {
            xc
        };
        let y: Vec<usize> = (0..n).map(|i| (i * 7 + i / 3) % k).collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 4) as f64).collect();
        let prob = Problem {
            x: x.view(),
            y: &y,
            w: &w,
            m,
            fit_intercept: true,
            w_sum: w.iter().sum(),
        };
        let params: Vec<f64> = (0..m * 4).map(|i| 0.1 * i as f64 - 0.3).collect();
        let mut g = vec![0.0; params.len()];
        prob.loss_grad(&params, &mut g);
        for i in 0..params.len() {
            let h = 1e-6;
            let (mut a, mut b) = (params.clone(), params.clone());
            a[i] += h;
            b[i] -= h;
            let mut scratch = vec![0.0; params.len()];
            let fd =
                (prob.loss_grad(&a, &mut scratch) - prob.loss_grad(&b, &mut scratch)) / (2.0 * h);
            // Central differences, h = 1e-6, on an O(1) loss: good to ~1e-9; 1e-7 absolute.
            assert!((fd - g[i]).abs() < 1e-7, "param {i}: {fd} vs {}", g[i]);
        }
    }

    #[test]
    fn binary_gradient_matches_finite_differences() {
        check_gradient(1, 2, false);
        check_gradient(1, 2, true);
    }

    #[test]
    fn multinomial_gradient_matches_finite_differences() {
        check_gradient(3, 3, false);
        check_gradient(3, 3, true);
    }

    #[test]
    fn binary_loss_is_stable_in_the_tails() {
        let mut z = [800.0];
        assert_eq!(row_loss_and_residual(&mut z, 1), 0.0);
        let mut z = [-800.0];
        // ln(1 + e^800) = 800 exactly in f64; 1e-12 absolute.
        assert!((row_loss_and_residual(&mut z, 1) - 800.0).abs() < 1e-12);
    }
}
