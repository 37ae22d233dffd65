//! Regression diagnostics: are the residuals of a regressor what a well-specified model leaves?
//!
//! [`regression_diagnostics`] returns the data of the two standard plots — residuals against
//! fitted values (a funnel means non-constant variance, a curve a missed non-linearity) and the
//! normal Q–Q plot of standardised residuals (scipy's `probplot` convention) — with the
//! Shapiro–Wilk p-value of the residuals and the Durbin–Watson statistic (serial correlation in
//! row order, meaningful when rows are in time order). The statistics come from kiln-stats, so
//! there is one implementation of each.

use kiln_stats::hypothesis::shapiro::shapiro_wilk;
use kiln_stats::residual::{ProbPlot, durbin_watson, probplot};
use serde::{Deserialize, Serialize};

use crate::error::EvalError;
use crate::input::pair;
use crate::pipeline::PipelineResult;

/// Largest sample the Shapiro–Wilk p-value is computed on; SciPy documents it as inaccurate
/// above 5000 values, so larger residual sets use their first 5000 values (in row order).
pub const SHAPIRO_MAX_ROWS: usize = 5000;

/// The residual diagnostics of a regressor on one set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionDiagnostics {
    /// Predicted values, in row order.
    pub fitted: Vec<f64>,
    /// `y_true − y_pred`, in row order.
    pub residuals: Vec<f64>,
    /// Q–Q data of the standardised residuals `(e − mean) / std` (ddof 1): theoretical normal
    /// quantiles against the sorted standardised residuals, with the least-squares line.
    pub qq: ProbPlot,
    /// Shapiro–Wilk W of the residuals (the first [`SHAPIRO_MAX_ROWS`] of them); `None` when
    /// those are all equal.
    pub shapiro_w: Option<f64>,
    /// Its p-value: small values say the residuals are unlikely to be normal.
    pub shapiro_p: Option<f64>,
    /// Durbin–Watson statistic in row order (about 2: no first-order autocorrelation).
    pub durbin_watson: f64,
    /// Mean residual (bias).
    pub mean_residual: f64,
    /// Standard deviation of the residuals (ddof 1).
    pub std_residual: f64,
}

/// Computes the diagnostics of predictions `y_pred` of targets `y_true` (at least 3 rows, not
/// all residuals equal).
///
/// ```
/// let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let p = [1.1, 1.8, 3.2, 3.9, 5.3, 5.7];
/// let d = kiln_eval::regression_diagnostics(&y, &p)?;
/// assert_eq!(d.residuals.len(), 6);
/// assert!(d.shapiro_p.unwrap() > 0.05 && d.durbin_watson > 2.0);
/// # Ok::<(), kiln_eval::PipelineError>(())
/// ```
pub fn regression_diagnostics(
    y_true: &[f64],
    y_pred: &[f64],
) -> PipelineResult<RegressionDiagnostics> {
    pair(y_true, "y_pred", y_pred)?;
    if y_true.len() < 3 {
        return Err(EvalError::InvalidParameter {
            arg: "y_true",
            value: format!("{} rows", y_true.len()),
            expected: "at least 3 rows for residual diagnostics".into(),
        }
        .into());
    }
    let residuals: Vec<f64> = y_true.iter().zip(y_pred).map(|(t, p)| t - p).collect();
    let n = residuals.len() as f64;
    let mean = residuals.iter().sum::<f64>() / n;
    let std = (residuals.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    if std == 0.0 {
        return Err(EvalError::Undefined {
            metric: "residual diagnostics",
            reason: "every residual is the same value, so they have no spread to test".into(),
        }
        .into());
    }
    let standardised: Vec<f64> = residuals.iter().map(|e| (e - mean) / std).collect();
    let qq = probplot(&standardised)?;
    let sample = &residuals[..residuals.len().min(SHAPIRO_MAX_ROWS)];
    // With n >= 3 and a non-zero spread the test runs; only a first-5000 slice of identical
    // residuals (the spread lying entirely beyond it) could fail, and then there is no p-value.
    let shapiro = shapiro_wilk(sample).ok();
    Ok(RegressionDiagnostics {
        fitted: y_pred.to_vec(),
        durbin_watson: durbin_watson(&residuals)?,
        residuals,
        qq,
        shapiro_w: shapiro.map(|r| r.statistic),
        shapiro_p: shapiro.map(|r| r.p_value),
        mean_residual: mean,
        std_residual: std,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_mismatched_non_finite_and_constant_residuals() {
        let e = regression_diagnostics(&[1.0, 2.0], &[1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("at least 3 rows"), "{e}");
        let e = regression_diagnostics(&[1.0, 2.0, 3.0], &[1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("y_pred"), "{e}");
        let e = regression_diagnostics(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]).unwrap_err();
        assert!(e.to_string().contains("non-finite"), "{e}");
        let e = regression_diagnostics(&[1.0, 2.0, 3.0], &[0.0, 1.0, 2.0]).unwrap_err();
        assert!(e.to_string().contains("same value"), "{e}");
    }
}
