//! Ridge regression (`RidgeSpec` → `FittedRidge`): least squares with an L2 penalty `alpha`,
//! scikit-learn's `Ridge` objective `‖y − Xw‖² + alpha ‖w‖²` with the intercept left unpenalised
//! by centring.
//!
//! scikit-learn solves the normal equations by Cholesky; here the same minimiser comes from a QR
//! of the design stacked on `√alpha · I`, which avoids squaring the condition number. With
//! `alpha = 0` ridge is least squares, and a singular design has no unique answer: that is an
//! error saying so, rather than scikit-learn's silent switch to `lstsq`.

use faer::Mat;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::ols::{back_substitute, least_squares};
use super::{Design, check_alpha, no_proba, predict_linear};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit};

/// Hyper-parameters of ridge regression; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::RidgeSpec;
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((50, 3), |(i, j)| ((i * (j + 2)) as f64 * 0.3).sin());
/// let y = x.column(0).mapv(|v| 3.0 * v);
/// let weak = RidgeSpec { alpha: 1e-6, ..RidgeSpec::default() }.fit(x.view(), y.view(), None)?;
/// let strong = RidgeSpec { alpha: 100.0, ..RidgeSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert!((weak.coef[0] - 3.0).abs() < 1e-4 && strong.coef[0].abs() < weak.coef[0].abs());
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RidgeSpec {
    /// Penalty strength (`>= 0`).
    pub alpha: f64,
    /// Fit an unpenalised intercept (centre X and y first).
    pub fit_intercept: bool,
}

impl Default for RidgeSpec {
    fn default() -> Self {
        RidgeSpec {
            alpha: 1.0,
            fit_intercept: true,
        }
    }
}

/// A fitted ridge model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRidge {
    /// One coefficient per feature.
    pub coef: Vec<f64>,
    /// The intercept (0 without `fit_intercept`).
    pub intercept: f64,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl RidgeSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_alpha("alpha", self.alpha)
    }

    /// Fits the model (weighted when `sample_weight` is given).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedRidge> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let design = Design::new(x, y, &weights, self.fit_intercept);
        let (n, p) = (design.x.nrows(), design.x.ncols());
        let coef = if self.alpha == 0.0 {
            // Plain least squares; only a unique solution is acceptable here.
            let tol = n.max(p) as f64 * f64::EPSILON;
            let ls = least_squares(design.x.as_ref(), &design.y, tol);
            if ls.rank < p {
                return Err(ModelError::SingularDesign {
                    detail: format!(
                        "ridge with alpha = 0 is least squares, and the centred design has rank {} \
                         for {p} features, so the solution is not unique; set alpha > 0, or use \
                         linear_regression for the minimum-norm solution",
                        ls.rank
                    ),
                });
            }
            ls.coef
        } else {
            // min ‖[X; √α I] w − [y; 0]‖²: QR of the stacked system, y appended as a column.
            let root = self.alpha.sqrt();
            let stacked = Mat::from_fn(n + p, p + 1, |i, j| match (i < n, j < p) {
                (true, true) => design.x[(i, j)],
                (true, false) => design.y[i],
                (false, true) => {
                    if i - n == j {
                        root
                    } else {
                        0.0
                    }
                }
                (false, false) => 0.0,
            });
            let qr = stacked.qr();
            let r = qr.thin_R();
            let qty: Vec<f64> = (0..p).map(|i| r[(i, p)]).collect();
            // R is non-singular: its singular values are at least √α > 0.
            back_substitute(r.get(..p, ..p), &qty)
        };
        let intercept = design.intercept(&coef);
        Ok(FittedRidge {
            coef,
            intercept,
            n_features: p,
        })
    }
}

impl FittedRidge {
    /// Predicted values.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        predict_linear(x, &self.coef, self.intercept)
    }

    /// Always an error: a regressor has no class probabilities.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        no_proba("ridge")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    #[test]
    fn alpha_zero_on_a_singular_design_explains() {
        let x = Array2::from_shape_fn((20, 2), |(i, _)| i as f64);
        let y = Array1::from_shape_fn(20, |i| i as f64);
        let err = RidgeSpec {
            alpha: 0.0,
            ..RidgeSpec::default()
        }
        .fit(x.view(), y.view(), None)
        .expect_err("singular");
        assert!(err.to_string().contains("alpha > 0"), "{err}");
        // Any positive alpha makes the problem well posed.
        assert!(RidgeSpec::default().fit(x.view(), y.view(), None).is_ok());
    }

    #[test]
    fn negative_alpha_is_rejected() {
        let spec = RidgeSpec {
            alpha: -1.0,
            ..RidgeSpec::default()
        };
        assert!(matches!(
            spec.check(),
            Err(ModelError::InvalidParameter { param: "alpha", .. })
        ));
    }
}
