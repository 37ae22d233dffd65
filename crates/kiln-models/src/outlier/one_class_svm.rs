//! One-class SVM (`OneClassSvmSpec` → `FittedOneClassSvm`): Schölkopf's ν formulation with an
//! RBF kernel, solved as libsvm (and so scikit-learn's `OneClassSVM`) solves it.
//!
//! The dual is `min ½ αᵀQα` subject to `0 ≤ αᵢ ≤ 1` and `Σ αᵢ = ν·n`, with
//! `Q_ij = exp(−γ‖xᵢ − xⱼ‖²)`. The solver is libsvm's SMO: the same starting point (the first
//! ⌊ν·n⌋ multipliers at 1), the same second-order working-set selection, pair update and
//! stopping rule (maximal violation below `tol`), and the same ρ (the mean gradient over free
//! multipliers); it does not shrink the active set, which changes the path but not the solution
//! beyond `tol`. Kernel rows are computed on demand and kept in a bounded cache. The decision
//! function is `Σ αᵢ K(xᵢ, x) − ρ`; `score_samples` is the kernel sum and the offset is ρ.
//!
//! The solver is private to this module: it solves only this one dual.

use std::collections::VecDeque;

use ndarray::{Array1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::rows::{Rows, sq_dist};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// Width of the RBF kernel `exp(−γ‖x − y‖²)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gamma {
    /// `1 / (n_features · variance of all values of x)` (scikit-learn's default).
    Scale,
    /// `1 / n_features`.
    Auto,
    /// This value (> 0).
    Value(f64),
}

/// Hyper-parameters of the one-class SVM.
///
/// ```
/// use kiln_models::OneClassSvmSpec;
/// use kiln_models::outlier::Gamma;
/// use ndarray::{array, Array2};
///
/// // 100 points spread over [-1, 1]².
/// let x = Array2::from_shape_fn((100, 2), |(i, j)| ((i * [37, 61][j]) % 100) as f64 / 50.0 - 1.0);
/// let model = OneClassSvmSpec { nu: 0.1, gamma: Gamma::Value(0.5), ..OneClassSvmSpec::default() }.fit(x.view())?;
/// let d = model.decision_function(array![[0.0, 0.0], [30.0, 30.0]].view())?;
/// assert!(d[0] > 0.0 && d[1] < 0.0);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OneClassSvmSpec {
    /// Upper bound on the share of training outliers and lower bound on the share of support
    /// vectors, in (0, 1].
    pub nu: f64,
    /// RBF kernel width.
    pub gamma: Gamma,
    /// Stopping tolerance on the maximal KKT violation.
    pub tol: f64,
    /// Iteration cap; None is libsvm's max(10⁷, 100·n).
    pub max_iter: Option<usize>,
    /// Kernel cache size in MiB.
    pub cache_mb: usize,
}

impl Default for OneClassSvmSpec {
    fn default() -> Self {
        OneClassSvmSpec {
            nu: 0.5,
            gamma: Gamma::Scale,
            tol: 1e-3,
            max_iter: None,
            cache_mb: 200,
        }
    }
}

impl OneClassSvmSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if !(self.nu > 0.0 && self.nu <= 1.0) {
            return Err(ModelError::param("nu", "a fraction in (0, 1]", self.nu));
        }
        if let Gamma::Value(g) = self.gamma
            && !(g > 0.0 && g.is_finite())
        {
            return Err(ModelError::param("gamma", "a finite number > 0", g));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(ModelError::param("tol", "a finite number > 0", self.tol));
        }
        if self.max_iter == Some(0) {
            return Err(ModelError::param("max_iter", "at least 1", 0));
        }
        Ok(())
    }

    /// Fits the boundary around the rows of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedOneClassSvm> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let rows = Rows::new(x);
        let (n, d) = (rows.n, rows.d);
        let gamma = match self.gamma {
            Gamma::Value(g) => g,
            Gamma::Auto => 1.0 / d as f64,
            Gamma::Scale => {
                let m = rows.data.iter().sum::<f64>() / rows.data.len() as f64;
                let var = rows.data.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
                    / rows.data.len() as f64;
                if var > 0.0 {
                    1.0 / (d as f64 * var)
                } else {
                    1.0
                }
            }
        };
        let max_iter = self.max_iter.unwrap_or(10_000_000.max(100 * n));
        let cache_rows = ((self.cache_mb << 20) / (8 * n.max(1))).max(2);
        let kernel = Kernel::new(&rows, gamma, cache_rows);
        let (alpha, rho) = solve(kernel, self.nu, self.tol, max_iter);
        let sv: Vec<usize> = (0..n).filter(|&i| alpha[i] > 0.0).collect();
        Ok(FittedOneClassSvm {
            support_vectors: rows.select(&sv).data,
            dual_coef: sv.iter().map(|&i| alpha[i]).collect(),
            support: sv,
            rho,
            gamma,
            n_features: d,
        })
    }
}

/// RBF kernel rows over the training rows, with a FIFO cache of whole rows.
struct Kernel<'a> {
    rows: &'a Rows,
    gamma: f64,
    cache: Vec<Option<Vec<f64>>>,
    order: VecDeque<usize>,
    capacity: usize,
}

impl<'a> Kernel<'a> {
    fn new(rows: &'a Rows, gamma: f64, capacity: usize) -> Self {
        Kernel {
            rows,
            gamma,
            cache: vec![None; rows.n],
            order: VecDeque::new(),
            capacity,
        }
    }

    fn row(&mut self, i: usize) -> &[f64] {
        if self.cache[i].is_none() {
            if self.order.len() >= self.capacity
                && let Some(old) = self.order.pop_front()
            {
                self.cache[old] = None;
            }
            let xi = self.rows.row(i);
            let values = (0..self.rows.n)
                .into_par_iter()
                .map(|j| (-self.gamma * sq_dist(xi, self.rows.row(j))).exp())
                .collect();
            self.cache[i] = Some(values);
            self.order.push_back(i);
        }
        // Filled just above when it was missing.
        self.cache[i].as_deref().expect("cached kernel row")
    }
}

/// libsvm's TAU: the curvature used when a pair's is not positive.
const TAU: f64 = 1e-12;

/// SMO for the one-class dual; returns the multipliers and ρ.
fn solve(mut q: Kernel, nu: f64, eps: f64, max_iter: usize) -> (Vec<f64>, f64) {
    let n = q.rows.n;
    let total = nu * n as f64;
    let full = (total as usize).min(n);
    let mut alpha = vec![0.0; n];
    alpha.iter_mut().take(full).for_each(|a| *a = 1.0);
    if full < n {
        alpha[full] = total - full as f64;
    }
    let mut grad = vec![0.0; n];
    for (i, &a) in alpha.iter().enumerate() {
        if a > 0.0 {
            let qi = q.row(i);
            grad.iter_mut().zip(qi).for_each(|(g, k)| *g += a * k);
        }
    }
    // Every diagonal entry of an RBF kernel is 1.
    let qd = 1.0;
    for _ in 0..max_iter {
        // i: the most violating multiplier that can grow; j: the best second-order partner.
        let mut gmax = f64::NEG_INFINITY;
        let mut i_sel = None;
        for t in 0..n {
            if alpha[t] < 1.0 && -grad[t] >= gmax {
                gmax = -grad[t];
                i_sel = Some(t);
            }
        }
        let Some(i) = i_sel else { break };
        let qi = q.row(i).to_vec();
        let mut gmax2 = f64::NEG_INFINITY;
        let mut j_sel = None;
        let mut best_obj = f64::INFINITY;
        for t in 0..n {
            if alpha[t] > 0.0 {
                let diff = gmax + grad[t];
                if grad[t] >= gmax2 {
                    gmax2 = grad[t];
                }
                if diff > 0.0 {
                    let quad = qd + qd - 2.0 * qi[t];
                    let obj = -(diff * diff) / if quad > 0.0 { quad } else { TAU };
                    if obj <= best_obj {
                        best_obj = obj;
                        j_sel = Some(t);
                    }
                }
            }
        }
        let Some(j) = j_sel else { break };
        if gmax + gmax2 < eps {
            break;
        }
        let (old_i, old_j) = (alpha[i], alpha[j]);
        let mut quad = qd + qd - 2.0 * qi[j];
        if quad <= 0.0 {
            quad = TAU;
        }
        let delta = (grad[i] - grad[j]) / quad;
        let sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;
        if sum > 1.0 {
            if alpha[i] > 1.0 {
                alpha[i] = 1.0;
                alpha[j] = sum - 1.0;
            }
        } else if alpha[j] < 0.0 {
            alpha[j] = 0.0;
            alpha[i] = sum;
        }
        if sum > 1.0 {
            if alpha[j] > 1.0 {
                alpha[j] = 1.0;
                alpha[i] = sum - 1.0;
            }
        } else if alpha[i] < 0.0 {
            alpha[i] = 0.0;
            alpha[j] = sum;
        }
        let (di, dj) = (alpha[i] - old_i, alpha[j] - old_j);
        let qj = q.row(j);
        for k in 0..n {
            grad[k] += qi[k] * di + qj[k] * dj;
        }
    }
    // ρ: the mean gradient over free multipliers, or the middle of the feasible interval.
    let (mut upper, mut lower) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut free, mut free_sum) = (0usize, 0.0);
    for t in 0..n {
        if alpha[t] >= 1.0 {
            lower = lower.max(grad[t]);
        } else if alpha[t] <= 0.0 {
            upper = upper.min(grad[t]);
        } else {
            free += 1;
            free_sum += grad[t];
        }
    }
    let rho = if free > 0 {
        free_sum / free as f64
    } else {
        (upper + lower) / 2.0
    };
    (alpha, rho)
}

/// A fitted one-class SVM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOneClassSvm {
    /// Support vectors, row-major.
    pub support_vectors: Vec<f64>,
    /// Their multipliers αᵢ.
    pub dual_coef: Vec<f64>,
    /// Training row index of each support vector.
    pub support: Vec<usize>,
    /// Offset ρ of the decision function.
    pub rho: f64,
    /// RBF kernel width used.
    pub gamma: f64,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedOneClassSvm {
    /// `Σ αᵢ K(xᵢ, x)`: higher is more normal.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        if x.nrows() == 0 {
            return Ok(Array1::zeros(0));
        }
        let rows = Rows::new(x);
        let d = self.n_features;
        let scores: Vec<f64> = (0..rows.n)
            .into_par_iter()
            .map(|i| {
                let xi = rows.row(i);
                self.support_vectors
                    .chunks_exact(d)
                    .zip(&self.dual_coef)
                    .map(|(sv, a)| a * (-self.gamma * sq_dist(xi, sv)).exp())
                    .sum()
            })
            .collect();
        Ok(Array1::from(scores))
    }

    /// `Σ αᵢ K(xᵢ, x) − ρ`: negative outside the learned boundary.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        Ok(self.score_samples(x)?.mapv(|s| s - self.rho))
    }
}
