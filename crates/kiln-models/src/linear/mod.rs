//! Linear models, as in scikit-learn's `linear_model`: ordinary least squares with statsmodels-style
//! inference, ridge, lasso and elastic net (coordinate descent, with a regularisation path), the
//! Huber regressor, and logistic regression.
//!
//! Every regressor here centres X and y by their (weighted) means when `fit_intercept` is set and
//! recovers the intercept afterwards, as scikit-learn's `_preprocess_data` does, so the
//! coefficients agree with scikit-learn's to rounding. The shared pieces live in this file:
//! the centred, weight-scaled design ([`Design`]) and linear prediction. `lbfgs` is the smooth
//! optimiser that logistic regression and the Huber regressor share.

mod elastic_net;
mod huber;
pub mod lbfgs;
mod logistic;
mod ols;
mod ridge;
mod summary;

pub use elastic_net::{ElasticNetSpec, FittedElasticNet, LassoSpec, PathPoint};
pub use huber::{FittedHuber, HuberSpec};
pub use logistic::{FittedLogisticRegression, LogisticPenalty, LogisticRegressionSpec};
pub use ols::{FittedLinearRegression, LinearRegressionSpec};
pub use ridge::{FittedRidge, RidgeSpec};
pub use summary::{CoefficientStats, OlsSummary};

use faer::Mat;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_predict};

/// The training data as the solvers see it: X and y centred by their weighted means (when an
/// intercept is fitted) and every row scaled by the square root of its weight, so weighted least
/// squares becomes ordinary least squares on `x`, `y`.
pub(crate) struct Design {
    /// Centred, weight-scaled X (column-major, rows × features).
    pub x: Mat<f64>,
    /// Centred, weight-scaled y.
    pub y: Vec<f64>,
    /// Weighted column means of X (zeros without an intercept).
    pub x_offset: Vec<f64>,
    /// Weighted mean of y (zero without an intercept).
    pub y_offset: f64,
}

impl Design {
    pub fn new(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        weights: &[f64],
        fit_intercept: bool,
    ) -> Self {
        let (n, p) = x.dim();
        let total: f64 = weights.iter().sum();
        let mut x_offset = vec![0.0; p];
        let mut y_offset = 0.0;
        if fit_intercept {
            for (j, col) in x.columns().into_iter().enumerate() {
                x_offset[j] = col.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
            }
            y_offset = y.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
        }
        let sqrt_w: Vec<f64> = weights.iter().map(|w| w.sqrt()).collect();
        let xm = Mat::from_fn(n, p, |i, j| (x[[i, j]] - x_offset[j]) * sqrt_w[i]);
        let ys = (0..n).map(|i| (y[i] - y_offset) * sqrt_w[i]).collect();
        Design {
            x: xm,
            y: ys,
            x_offset,
            y_offset,
        }
    }

    /// The intercept that goes with `coef`: `y_offset - x_offset · coef` (zero without centring).
    pub fn intercept(&self, coef: &[f64]) -> f64 {
        self.y_offset
            - self
                .x_offset
                .iter()
                .zip(coef)
                .map(|(a, b)| a * b)
                .sum::<f64>()
    }
}

/// `x · coef + intercept` for every row, after checking the input against the fitted width.
pub(crate) fn predict_linear(
    x: ArrayView2<f64>,
    coef: &[f64],
    intercept: f64,
) -> Result<Array1<f64>> {
    check_predict(x, coef.len(), NanPolicy::Reject)?;
    Ok(x.rows()
        .into_iter()
        .map(|r| r.iter().zip(coef).map(|(a, b)| a * b).sum::<f64>() + intercept)
        .collect())
}

/// The error a regressor returns from `predict_proba`.
pub(crate) fn no_proba(model: &'static str) -> Result<Array2<f64>> {
    Err(ModelError::param(
        "kind",
        "a classifier for predict_proba",
        format!("{model}, a regressor"),
    ))
}

/// Checks a regularisation strength: finite and `>= 0`.
pub(crate) fn check_alpha(param: &'static str, alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::param(param, "a finite number >= 0", alpha))
    }
}

/// Checks a tolerance: finite and `> 0`.
pub(crate) fn check_tol(param: &'static str, tol: f64) -> Result<()> {
    if tol.is_finite() && tol > 0.0 {
        Ok(())
    } else {
        Err(ModelError::param(param, "a finite number > 0", tol))
    }
}

/// Checks an iteration budget: at least 1.
pub(crate) fn check_max_iter(max_iter: usize) -> Result<()> {
    if max_iter == 0 {
        Err(ModelError::param("max_iter", "at least 1", 0))
    } else {
        Ok(())
    }
}
