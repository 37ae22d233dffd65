//! The Huber regressor (`HuberSpec` → `FittedHuber`): robust linear regression with scikit-learn's
//! `HuberRegressor` objective, which estimates a scale `sigma` jointly with the coefficients
//! (Owen's concomitant scale, convex in all parameters):
//!
//! ```text
//! Σᵢ wᵢ (sigma + H_ε((yᵢ − xᵢw − c) / sigma) · sigma) + alpha ‖w‖²
//! ```
//!
//! where `H_ε(z)` is `z²` for `|z| ≤ ε` and `2ε|z| − ε²` beyond. Residuals beyond `ε · sigma`
//! count linearly, so outliers pull far less than in least squares. Minimised with the shared
//! L-BFGS (`sigma ≤ 0` is outside the domain, which the line search backs away from), starting
//! like scikit-learn from zero coefficients and `sigma = 1`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::lbfgs::{LbfgsOptions, minimize};
use super::{check_alpha, check_max_iter, check_tol, no_proba, predict_linear};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit};

/// Hyper-parameters of the Huber regressor; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::HuberSpec;
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((50, 1), |(i, _)| i as f64 / 10.0);
/// let mut y = x.column(0).mapv(|v| 2.0 * v + 1.0 + 0.05 * (v * 13.0).sin());
/// y[7] += 40.0; // an outlier
/// let model = HuberSpec::default().fit(x.view(), y.view(), None)?;
/// assert!(model.converged && (model.coef[0] - 2.0).abs() < 0.05);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HuberSpec {
    /// Residuals beyond `epsilon × sigma` count linearly (`>= 1`).
    pub epsilon: f64,
    /// L2 penalty on the coefficients (`>= 0`).
    pub alpha: f64,
    /// Fit an (unpenalised) intercept.
    pub fit_intercept: bool,
    /// L-BFGS iterations allowed.
    pub max_iter: usize,
    /// Stop when the largest gradient component is at most `tol`.
    pub tol: f64,
}

impl Default for HuberSpec {
    fn default() -> Self {
        HuberSpec {
            epsilon: 1.35,
            alpha: 1e-4,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-5,
        }
    }
}

/// A fitted Huber regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedHuber {
    /// One coefficient per feature.
    pub coef: Vec<f64>,
    /// The intercept (0 without `fit_intercept`).
    pub intercept: f64,
    /// The estimated residual scale `sigma`.
    pub scale: f64,
    /// Features seen at fit time.
    pub n_features: usize,
    /// L-BFGS iterations run.
    pub n_iter: usize,
    /// Whether the optimiser met its tolerance within `max_iter`.
    pub converged: bool,
}

impl HuberSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if !(self.epsilon.is_finite() && self.epsilon >= 1.0) {
            return Err(ModelError::param(
                "epsilon",
                "a finite number >= 1",
                self.epsilon,
            ));
        }
        check_alpha("alpha", self.alpha)?;
        check_max_iter(self.max_iter)?;
        check_tol("tol", self.tol)
    }

    /// Fits the model (weighted when `sample_weight` is given).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedHuber> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let p = x.ncols();
        let mut x0 = vec![0.0; p + 2];
        x0[p + 1] = 1.0;
        let result = minimize(
            |params, grad| huber_loss(params, grad, x, y, &weights, self),
            x0,
            LbfgsOptions {
                gtol: self.tol,
                max_iter: self.max_iter,
                ..LbfgsOptions::default()
            },
        );
        let converged = result.converged();
        let params = result.x;
        Ok(FittedHuber {
            coef: params[..p].to_vec(),
            intercept: if self.fit_intercept { params[p] } else { 0.0 },
            scale: params[p + 1],
            n_features: p,
            n_iter: result.n_iter,
            converged,
        })
    }
}

/// scikit-learn's `_huber_loss_and_gradient` over `[w, intercept, sigma]`.
fn huber_loss(
    params: &[f64],
    grad: &mut [f64],
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    weights: &[f64],
    spec: &HuberSpec,
) -> f64 {
    let p = x.ncols();
    let (w, c, sigma) = (&params[..p], params[p], params[p + 1]);
    if sigma.is_nan() || sigma <= 0.0 {
        return f64::INFINITY;
    }
    let c = if spec.fit_intercept { c } else { 0.0 };
    let eps = spec.epsilon;
    grad.iter_mut().for_each(|g| *g = 0.0);
    let (mut squared, mut outlier_abs, mut outlier_w, mut total_w) = (0.0, 0.0, 0.0, 0.0);
    let mut grad_c = 0.0;
    for ((row, &yi), &wi) in x.rows().into_iter().zip(y).zip(weights) {
        total_w += wi;
        let r = yi - row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - c;
        if r.abs() > eps * sigma {
            // Linear part: d/dw of 2ε|r| is −2ε sign(r) x.
            outlier_abs += wi * r.abs();
            outlier_w += wi;
            let s = -2.0 * eps * wi * r.signum();
            grad_c += s;
            for (g, &xv) in grad[..p].iter_mut().zip(row) {
                *g += s * xv;
            }
        } else {
            // Quadratic part: d/dw of r²/σ is −2 r x / σ.
            squared += wi * r * r;
            let s = -2.0 * wi * r / sigma;
            grad_c += s;
            for (g, &xv) in grad[..p].iter_mut().zip(row) {
                *g += s * xv;
            }
        }
    }
    let squared_loss = squared / sigma;
    let outlier_loss = 2.0 * eps * outlier_abs - sigma * outlier_w * eps * eps;
    let w_norm2: f64 = w.iter().map(|v| v * v).sum();
    for (g, &wj) in grad[..p].iter_mut().zip(w) {
        *g += 2.0 * spec.alpha * wj;
    }
    grad[p] = if spec.fit_intercept { grad_c } else { 0.0 };
    grad[p + 1] = total_w - outlier_w * eps * eps - squared_loss / sigma;
    total_w * sigma + squared_loss + outlier_loss + spec.alpha * w_norm2
}

impl FittedHuber {
    /// Predicted values.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        predict_linear(x, &self.coef, self.intercept)
    }

    /// Always an error: a regressor has no class probabilities.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        no_proba("huber")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let x = Array2::from_shape_fn((25, 2), |(i, j)| ((i * (j + 1)) as f64 * 0.3).sin());
        let mut y = Array1::from_shape_fn(25, |i| i as f64 * 0.1);
        y[3] = 9.0;
        let w: Vec<f64> = (0..25).map(|i| 1.0 + (i % 3) as f64).collect();
        let spec = HuberSpec::default();
        let params = [0.4, -0.2, 0.3, 0.8];
        let mut g = [0.0; 4];
        huber_loss(&params, &mut g, x.view(), y.view(), &w, &spec);
        for k in 0..4 {
            let h = 1e-6;
            let (mut a, mut b) = (params, params);
            a[k] += h;
            b[k] -= h;
            let mut scratch = [0.0; 4];
            let fd = (huber_loss(&a, &mut scratch, x.view(), y.view(), &w, &spec)
                - huber_loss(&b, &mut scratch, x.view(), y.view(), &w, &spec))
                / (2.0 * h);
            // Central differences, h = 1e-6, across Huber's kinks: 1e-5 relative.
            assert!(
                (fd - g[k]).abs() < 1e-5 * (1.0 + g[k].abs()),
                "{k}: {fd} vs {}",
                g[k]
            );
        }
    }

    #[test]
    fn epsilon_below_one_is_rejected() {
        let spec = HuberSpec {
            epsilon: 0.5,
            ..HuberSpec::default()
        };
        assert!(matches!(
            spec.check(),
            Err(ModelError::InvalidParameter {
                param: "epsilon",
                ..
            })
        ));
    }
}
