//! Ordinary least squares (`LinearRegressionSpec` → `FittedLinearRegression`), scikit-learn's
//! `LinearRegression` with statsmodels' `OLS` inference.
//!
//! The solver is a Householder QR of the centred design with y appended as an extra column: the
//! top of that column is `Qᵀy`, so the coefficients come from one triangular solve and `R` also
//! gives `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ` for the standard errors. Rank is decided like scikit-learn's
//! `lstsq(X, y, cond=tol)`: singular values (those of `R`, equal to X's) below
//! `tol × largest` count as zero, and a rank-deficient design gets the minimum-norm solution
//! from the SVD of `R`, recorded on the fitted model (`minimum_norm`), with no inference.

use faer::{Mat, MatRef};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::summary::{OlsSummary, ols_summary};
use super::{Design, check_tol, no_proba, predict_linear};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit};

/// Hyper-parameters of ordinary least squares; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::LinearRegressionSpec;
/// use ndarray::{array, Array2};
///
/// let x = Array2::from_shape_fn((20, 2), |(i, j)| ((i * (j + 3)) % 7) as f64);
/// let y = x.column(0).mapv(|v| 2.0 * v + 1.0) - x.column(1).mapv(|v| 0.5 * v);
/// let model = LinearRegressionSpec::default().fit(x.view(), y.view(), None)?;
/// assert!((model.coef[0] - 2.0).abs() < 1e-12 && (model.intercept - 1.0).abs() < 1e-12);
/// assert!(model.summary()?.r_squared > 0.999_999);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearRegressionSpec {
    /// Fit an intercept (centre X and y first).
    pub fit_intercept: bool,
    /// Singular values below `tol × largest` count as zero (scikit-learn's `tol`, passed to
    /// `lstsq` as `cond`).
    pub tol: f64,
}

impl Default for LinearRegressionSpec {
    fn default() -> Self {
        LinearRegressionSpec {
            fit_intercept: true,
            tol: 1e-6,
        }
    }
}

/// A fitted least-squares model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLinearRegression {
    /// One coefficient per feature.
    pub coef: Vec<f64>,
    /// The intercept (0 without `fit_intercept`).
    pub intercept: f64,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Numerical rank of the centred design.
    pub rank: usize,
    /// Singular values of the centred (weight-scaled) design, largest first.
    pub singular_values: Vec<f64>,
    /// True when the design was rank-deficient and the minimum-norm solution was returned
    /// (the coefficients are then one of infinitely many least-squares solutions).
    pub minimum_norm: bool,
    /// Inference (standard errors, t, p, R², F), when the design has full rank and residual
    /// degrees of freedom.
    pub inference: Option<OlsSummary>,
}

impl LinearRegressionSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_tol("tol", self.tol)
    }

    /// Fits by least squares (weighted when `sample_weight` is given).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedLinearRegression> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let design = Design::new(x, y, &weights, self.fit_intercept);
        let ls = least_squares(design.x.as_ref(), &design.y, self.tol);
        let intercept = design.intercept(&ls.coef);
        let minimum_norm = ls.rank < x.ncols();
        let inference = match &ls.r_inverse {
            Some(r_inv) if !minimum_norm => ols_summary(
                &design,
                &ls.coef,
                intercept,
                r_inv.as_ref(),
                &weights,
                self.fit_intercept,
            ),
            _ => None,
        };
        Ok(FittedLinearRegression {
            coef: ls.coef,
            intercept,
            n_features: x.ncols(),
            rank: ls.rank,
            singular_values: ls.singular_values,
            minimum_norm,
            inference,
        })
    }
}

impl FittedLinearRegression {
    /// Predicted values.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        predict_linear(x, &self.coef, self.intercept)
    }

    /// Always an error: a regressor has no class probabilities.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        no_proba("linear_regression")
    }

    /// statsmodels-style inference; an error naming the reason when it is not available.
    pub fn summary(&self) -> Result<&OlsSummary> {
        self.inference.as_ref().ok_or_else(|| {
            let reason = if self.minimum_norm {
                format!(
                    "the design is rank-deficient (rank {} of {} features): the coefficients are the \
                     minimum-norm solution and have no standard errors; drop or combine collinear features",
                    self.rank, self.n_features
                )
            } else {
                "there are no residual degrees of freedom (too few rows for the features)".into()
            };
            ModelError::SingularDesign { detail: reason }
        })
    }
}

/// A least-squares solution of `x · coef ≈ y`.
pub(crate) struct LeastSquares {
    pub coef: Vec<f64>,
    pub rank: usize,
    pub singular_values: Vec<f64>,
    /// `R⁻¹` of the QR of `x` (full rank and more rows than columns only).
    pub r_inverse: Option<Mat<f64>>,
}

/// Minimum-norm least squares with scikit-learn's rank rule (singular values `<= tol × max`
/// are zero).
pub(crate) fn least_squares(x: MatRef<f64>, y: &[f64], tol: f64) -> LeastSquares {
    let (n, p) = (x.nrows(), x.ncols());
    if n <= p {
        // Under-determined: the SVD of X itself (n is small here).
        return svd_solve(x, y, tol, None);
    }
    let augmented = Mat::from_fn(n, p + 1, |i, j| if j < p { x[(i, j)] } else { y[i] });
    let qr = augmented.qr();
    let r_aug = qr.thin_R();
    let r = r_aug.get(..p, ..p).to_owned();
    let qty: Vec<f64> = (0..p).map(|i| r_aug[(i, p)]).collect();
    let singular_values = singular_values_of(r.as_ref());
    let s_max = singular_values.first().copied().unwrap_or(0.0);
    let rank = singular_values.iter().filter(|&&s| s > tol * s_max).count();
    if rank < p || s_max == 0.0 {
        return svd_solve(r.as_ref(), &qty, tol, Some(singular_values));
    }
    let coef = back_substitute(r.as_ref(), &qty);
    let r_inverse = upper_inverse(r.as_ref());
    LeastSquares {
        coef,
        rank,
        singular_values,
        r_inverse: Some(r_inverse),
    }
}

/// `coef = V S⁺ Uᵀ b` from the thin SVD of `a`, dropping singular values `<= tol × max`.
fn svd_solve(a: MatRef<f64>, b: &[f64], tol: f64, known: Option<Vec<f64>>) -> LeastSquares {
    let p = a.ncols();
    let Ok(svd) = a.thin_svd() else {
        // The SVD iteration failed to converge (only on NaN-like input, which check_fit
        // excludes); the zero vector is the minimum-norm answer for a rank-0 design.
        return LeastSquares {
            coef: vec![0.0; p],
            rank: 0,
            singular_values: known.unwrap_or_default(),
            r_inverse: None,
        };
    };
    let s = svd.S().column_vector();
    let (u, v) = (svd.U(), svd.V());
    let k = s.nrows();
    let s_max = (0..k).map(|i| s[i]).fold(0.0, f64::max);
    let mut coef = vec![0.0; p];
    let mut rank = 0;
    for c in 0..k {
        if s[c] <= tol * s_max || s[c].is_nan() {
            continue;
        }
        rank += 1;
        let utb: f64 = (0..a.nrows()).map(|i| u[(i, c)] * b[i]).sum::<f64>() / s[c];
        for (j, cj) in coef.iter_mut().enumerate() {
            *cj += v[(j, c)] * utb;
        }
    }
    let mut singular_values = known.unwrap_or_else(|| (0..k).map(|i| s[i]).collect());
    singular_values.sort_by(|a, b| b.total_cmp(a));
    LeastSquares {
        coef,
        rank,
        singular_values,
        r_inverse: None,
    }
}

/// Singular values of a small square matrix, largest first.
fn singular_values_of(r: MatRef<f64>) -> Vec<f64> {
    match r.thin_svd() {
        Ok(svd) => {
            let s = svd.S().column_vector();
            let mut v: Vec<f64> = (0..s.nrows()).map(|i| s[i]).collect();
            v.sort_by(|a, b| b.total_cmp(a));
            v
        }
        // Treat a failed decomposition as rank 0 so the caller takes the guarded SVD path.
        Err(_) => vec![0.0; r.ncols()],
    }
}

/// Solves `r · x = b` for upper-triangular `r` with a non-zero diagonal.
pub(crate) fn back_substitute(r: MatRef<f64>, b: &[f64]) -> Vec<f64> {
    let p = r.ncols();
    let mut x = b.to_vec();
    for i in (0..p).rev() {
        let mut v = x[i];
        for j in i + 1..p {
            v -= r[(i, j)] * x[j];
        }
        x[i] = v / r[(i, i)];
    }
    x
}

/// The inverse of an upper-triangular matrix with a non-zero diagonal.
fn upper_inverse(r: MatRef<f64>) -> Mat<f64> {
    let p = r.ncols();
    let mut inv = Mat::zeros(p, p);
    for c in 0..p {
        let e: Vec<f64> = (0..p).map(|i| if i == c { 1.0 } else { 0.0 }).collect();
        let col = back_substitute(r, &e);
        for (i, v) in col.into_iter().enumerate() {
            inv[(i, c)] = v;
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2};

    #[test]
    fn duplicated_column_gives_the_minimum_norm_solution() {
        let x = Array2::from_shape_fn((30, 3), |(i, j)| {
            let a = (i as f64 * 0.37).sin();
            let b = (i as f64 * 0.11).cos();
            [a, b, a][j]
        });
        let y: Array1<f64> = x
            .rows()
            .into_iter()
            .map(|r| 2.0 * r[0] - r[1] + 0.5)
            .collect();
        let m = LinearRegressionSpec::default()
            .fit(x.view(), y.view(), None)
            .expect("fits");
        assert!(m.minimum_norm && m.rank == 2);
        // The weight of the duplicated feature is split equally between its two copies
        // (noise-free data: exact up to rounding, 1e-10 absolute).
        assert!((m.coef[0] - 1.0).abs() < 1e-10 && (m.coef[2] - 1.0).abs() < 1e-10);
        assert!((m.coef[1] + 1.0).abs() < 1e-10 && (m.intercept - 0.5).abs() < 1e-10);
        let err = m.summary().expect_err("no inference");
        assert!(err.to_string().contains("rank-deficient"), "{err}");
    }

    #[test]
    fn more_features_than_rows_is_minimum_norm() {
        let x = Array2::from_shape_fn((3, 5), |(i, j)| {
            ((i + 1) * (j + 2) % 5) as f64 + 0.1 * j as f64
        });
        let y = Array1::from(vec![1.0, 2.0, 4.0]);
        let m = LinearRegressionSpec::default()
            .fit(x.view(), y.view(), None)
            .expect("fits");
        assert!(m.minimum_norm);
        let p = m.predict(x.view()).expect("predict");
        // An under-determined fit interpolates its rows, up to rounding (1e-9 absolute).
        for (a, b) in p.iter().zip(&y) {
            assert!((a - b).abs() < 1e-9, "interpolates: {a} vs {b}");
        }
    }

    #[test]
    fn bad_tol_is_rejected() {
        let spec = LinearRegressionSpec {
            tol: 0.0,
            ..LinearRegressionSpec::default()
        };
        assert!(matches!(
            spec.check(),
            Err(ModelError::InvalidParameter { param: "tol", .. })
        ));
    }
}
