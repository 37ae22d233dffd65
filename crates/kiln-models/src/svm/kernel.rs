//! Kernel functions and scikit-learn's `gamma` rules.
//!
//! Training evaluates kernels between rows of one matrix, with the squared norms computed once
//! (libsvm's `x_square`), so the RBF kernel costs one dot product per entry. A kernel column is
//! one matrix-vector product over a block of rows (faer's kernels, which use the CPU's widest
//! vector instructions at run time; plain Rust here is compiled for the baseline instruction
//! set) followed by the kernel function per entry. Prediction compares a new row with the support
//! vectors directly, as libsvm's `k_function` does.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Kernel of an SVM (`kernel` in scikit-learn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// `x·y`.
    Linear,
    /// `(gamma x·y + coef0)^degree`.
    Poly,
    /// `exp(-gamma ‖x-y‖²)`.
    #[default]
    Rbf,
    /// `tanh(gamma x·y + coef0)`.
    Sigmoid,
}

/// Kernel coefficient `gamma` for the RBF, polynomial and sigmoid kernels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Gamma {
    /// `1 / (n_features * var(x))`, the variance over every entry of the training matrix
    /// (scikit-learn's `"scale"`; 1 when that variance is 0).
    #[default]
    Scale,
    /// `1 / n_features` (scikit-learn's `"auto"`).
    Auto,
    /// A fixed value > 0.
    Value(f64),
}

impl Gamma {
    /// The numeric gamma for a training matrix.
    pub(crate) fn resolve(self, x: ArrayView2<f64>) -> f64 {
        let n_features = x.ncols();
        match self {
            Gamma::Value(g) => g,
            Gamma::Auto => 1.0 / n_features as f64,
            Gamma::Scale => {
                // numpy's `x.var()`: population variance over all entries, two-pass for accuracy,
                // summed in row-major order (`iter` walks a view in logical order).
                let n = x.len() as f64;
                let mean = x.iter().sum::<f64>() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                if var != 0.0 {
                    1.0 / (n_features as f64 * var)
                } else {
                    1.0
                }
            }
        }
    }
}

/// A kernel with every coefficient resolved to a number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KernelParams {
    /// Kernel kind.
    pub kernel: Kernel,
    /// Resolved gamma (unused by the linear kernel).
    pub gamma: f64,
    /// Degree of the polynomial kernel.
    pub degree: u32,
    /// Independent term of the polynomial and sigmoid kernels.
    pub coef0: f64,
}

impl KernelParams {
    /// The kernel from a dot product and, for RBF, the squared distance computed by the caller.
    #[inline]
    pub(crate) fn of_dot(&self, dot: f64, sq_dist: impl FnOnce() -> f64) -> f64 {
        match self.kernel {
            Kernel::Linear => dot,
            Kernel::Poly => (self.gamma * dot + self.coef0).powi(self.degree as i32),
            Kernel::Rbf => (-self.gamma * sq_dist()).exp(),
            Kernel::Sigmoid => (self.gamma * dot + self.coef0).tanh(),
        }
    }

    /// Kernel between two rows, RBF from the direct squared distance (prediction path).
    #[inline]
    pub fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        if self.kernel == Kernel::Rbf {
            let d2: f64 = a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum();
            return (-self.gamma * d2).exp();
        }
        self.of_dot(dot(a, b), || 0.0)
    }
}

/// Dot product with four accumulators: independent chains the CPU can overlap.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let chunks = n / 4;
    for c in 0..chunks {
        let k = 4 * c;
        acc[0] += a[k] * b[k];
        acc[1] += a[k + 1] * b[k + 1];
        acc[2] += a[k + 2] * b[k + 2];
        acc[3] += a[k + 3] * b[k + 3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for k in 4 * chunks..n {
        s += a[k] * b[k];
    }
    s
}

/// Training rows (a row-major copy) with their squared norms, for kernel entries by row index.
/// The solver's shrinking permutes its indices; [`TrainKernel::swap_rows`] follows it, so a
/// kernel column always reads contiguous rows (libsvm swaps its row pointers instead, which
/// scatters the reads).
pub(crate) struct TrainKernel {
    x: Vec<f64>,
    d: usize,
    square: Vec<f64>,
    params: KernelParams,
}

impl TrainKernel {
    pub fn new(x: &[f64], d: usize, params: KernelParams) -> Self {
        let square = x.chunks_exact(d).map(|r| dot(r, r)).collect();
        TrainKernel {
            x: x.to_vec(),
            d,
            square,
            params,
        }
    }

    /// Exchanges rows `i` and `j` (and their norms).
    pub fn swap_rows(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        let d = self.d;
        let (lo, hi) = (i.min(j), i.max(j));
        let (head, tail) = self.x.split_at_mut(hi * d);
        head[lo * d..(lo + 1) * d].swap_with_slice(&mut tail[..d]);
        self.square.swap(i, j);
    }

    /// `out[t] = K(x_i, x_{from + t})`: one matrix-vector product for the dot products, then the
    /// kernel per entry. Each entry depends only on its two rows, not on the block bounds.
    pub fn column_block(&self, i: usize, from: usize, out: &mut [f64]) {
        let d = self.d;
        let m = out.len();
        let rows = &self.x[from * d..(from + m) * d];
        matmul(
            MatMut::from_column_major_slice_mut(out, m, 1),
            Accum::Replace,
            MatRef::from_row_major_slice(rows, m, d),
            MatRef::from_column_major_slice(self.row(i), d, 1),
            1.0,
            Par::Seq,
        );
        let sq_i = self.square[i];
        for (v, &sq_j) in out.iter_mut().zip(&self.square[from..from + m]) {
            let dt = *v;
            *v = self.params.of_dot(dt, || sq_i + sq_j - 2.0 * dt);
        }
    }

    pub fn n_rows(&self) -> usize {
        self.square.len()
    }

    #[inline]
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// `K(x_i, x_j)`; RBF through `‖x_i‖² + ‖x_j‖² - 2 x_i·x_j`, as libsvm trains.
    #[inline]
    pub fn k(&self, i: usize, j: usize) -> f64 {
        let d = dot(self.row(i), self.row(j));
        self.params
            .of_dot(d, || self.square[i] + self.square[j] - 2.0 * d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_and_prediction_kernels_agree() {
        let x = [0.5, -1.0, 2.0, 0.25, 3.0, -0.5];
        for kernel in [Kernel::Linear, Kernel::Poly, Kernel::Rbf, Kernel::Sigmoid] {
            let p = KernelParams {
                kernel,
                gamma: 0.3,
                degree: 3,
                coef0: 0.5,
            };
            let k = TrainKernel::new(&x, 3, p);
            let direct = p.eval(&x[..3], &x[3..]);
            // 1e-12: the two paths differ only in rounding of the squared distance.
            assert!((k.k(0, 1) - direct).abs() < 1e-12, "{kernel:?}");
        }
    }

    #[test]
    fn column_blocks_match_entry_by_entry_kernels_and_follow_row_swaps() {
        let d = 7;
        let x: Vec<f64> = (0..40 * d)
            .map(|t| ((t * 2_654_435_761usize) % 1000) as f64 / 250.0 - 2.0)
            .collect();
        for kernel in [Kernel::Linear, Kernel::Poly, Kernel::Rbf, Kernel::Sigmoid] {
            let p = KernelParams {
                kernel,
                gamma: 0.2,
                degree: 2,
                coef0: 0.5,
            };
            let mut k = TrainKernel::new(&x, d, p);
            let mut out = vec![0.0; 25];
            k.column_block(3, 15, &mut out);
            for (t, &v) in out.iter().enumerate() {
                // 1e-12: the block's dot products differ from `k`'s only in summation order.
                assert!((v - k.k(3, 15 + t)).abs() < 1e-12, "{kernel:?} entry {t}");
            }
            let before = k.k(2, 30);
            k.swap_rows(2, 9);
            k.swap_rows(30, 31);
            // Rows 2 and 30 now live at 9 and 31.
            assert_eq!(k.k(9, 31), before);
        }
    }

    #[test]
    fn gamma_scale_uses_the_variance_of_every_entry() {
        let x = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
        // var of [1, 2, 3, 4] is 1.25; two features.
        assert_eq!(Gamma::Scale.resolve(x.view()), 1.0 / 2.5);
        assert_eq!(
            Gamma::Scale.resolve(ndarray::array![[2.0, 2.0]].view()),
            1.0
        );
        assert_eq!(
            Gamma::Auto.resolve(ndarray::array![[1.0, 2.0, 3.0, 4.0]].view()),
            0.25
        );
    }
}
