//! Regression metrics: MSE, RMSE, MAE, R², explained variance, MAPE, median absolute error and
//! max error, with optional sample weights wherever scikit-learn accepts them.
//!
//! R² and explained variance follow scikit-learn's `force_finite=True`: when `y_true` is constant
//! (zero denominator) the score is 1.0 for a perfect prediction and 0.0 otherwise, instead of NaN
//! or −∞. R² needs at least two rows (scikit-learn returns NaN with a warning; kiln errors).

use crate::error::{EvalError, Result};
use crate::input::{average, pair, weight_at, weights};

fn check(y_true: &[f64], y_pred: &[f64], sample_weight: Option<&[f64]>) -> Result<()> {
    pair(y_true, "y_pred", y_pred)?;
    weights(sample_weight, y_true.len())
}

/// Mean squared error.
///
/// ```
/// let mse = kiln_eval::mean_squared_error(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0], None)?;
/// assert_eq!(mse, 0.375);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn mean_squared_error(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    Ok(average(
        y_true.iter().zip(y_pred).map(|(t, p)| (t - p) * (t - p)),
        sample_weight,
    ))
}

/// Root mean squared error: the square root of [`mean_squared_error`].
///
/// ```
/// let rmse = kiln_eval::root_mean_squared_error(&[1.0, 2.0], &[1.0, 4.0], None)?;
/// assert_eq!(rmse, 2.0f64.sqrt());
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn root_mean_squared_error(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    Ok(mean_squared_error(y_true, y_pred, sample_weight)?.sqrt())
}

/// Mean absolute error.
///
/// ```
/// let mae = kiln_eval::mean_absolute_error(&[1.0, 2.0], &[2.0, 4.0], Some(&[3.0, 1.0]))?;
/// assert_eq!(mae, 1.25);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn mean_absolute_error(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    Ok(average(
        y_true.iter().zip(y_pred).map(|(t, p)| (p - t).abs()),
        sample_weight,
    ))
}

/// Mean absolute percentage error, as a fraction (0.1 = 10 %). The denominator is
/// `max(|y|, f64::EPSILON)`, as in scikit-learn, so a zero target gives a huge but finite term.
///
/// ```
/// let mape = kiln_eval::mean_absolute_percentage_error(&[100.0, 50.0], &[110.0, 50.0], None)?;
/// assert!((mape - 0.05).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn mean_absolute_percentage_error(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    let terms = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (p - t).abs() / t.abs().max(f64::EPSILON));
    Ok(average(terms, sample_weight))
}

/// scikit-learn's `force_finite` assembly of R² and explained variance.
fn one_minus_ratio(numerator: f64, denominator: f64) -> f64 {
    match (numerator != 0.0, denominator != 0.0) {
        (_, true) => 1.0 - numerator / denominator,
        (true, false) => 0.0,
        (false, false) => 1.0,
    }
}

/// Coefficient of determination R² (1 is perfect; can be negative).
///
/// ```
/// let r2 = kiln_eval::r2_score(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0], None)?;
/// assert!((r2 - 0.9486081370449679).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn r2_score(y_true: &[f64], y_pred: &[f64], sample_weight: Option<&[f64]>) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    if y_true.len() < 2 {
        return Err(EvalError::InvalidParameter {
            arg: "y_true",
            value: "1 row".to_string(),
            expected: "at least 2 rows (R² is not defined on one)".to_string(),
        });
    }
    let w = |i| weight_at(sample_weight, i);
    let numerator: f64 = (0..y_true.len())
        .map(|i| w(i) * (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]))
        .sum();
    let mean = average(y_true.iter().copied(), sample_weight);
    let denominator: f64 = (0..y_true.len())
        .map(|i| w(i) * (y_true[i] - mean) * (y_true[i] - mean))
        .sum();
    Ok(one_minus_ratio(numerator, denominator))
}

/// Explained variance: `1 − Var(y − ŷ) / Var(y)` (weighted variances).
///
/// ```
/// // A constant offset is fully "explained": only the variance of the residual counts.
/// let ev = kiln_eval::explained_variance(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], None)?;
/// assert_eq!(ev, 1.0);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn explained_variance(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    let diff: Vec<f64> = y_true.iter().zip(y_pred).map(|(t, p)| t - p).collect();
    let diff_mean = average(diff.iter().copied(), sample_weight);
    let numerator = average(
        diff.iter().map(|d| (d - diff_mean) * (d - diff_mean)),
        sample_weight,
    );
    let mean = average(y_true.iter().copied(), sample_weight);
    let denominator = average(
        y_true.iter().map(|t| (t - mean) * (t - mean)),
        sample_weight,
    );
    Ok(one_minus_ratio(numerator, denominator))
}

/// Median absolute error. With weights it is scikit-learn's weighted median
/// (`_weighted_percentile(average=True)`): the smallest error whose cumulative weight reaches half
/// the total, averaged with the next error when the cumulative weight lands exactly on the half.
///
/// ```
/// let m = kiln_eval::median_absolute_error(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0], None)?;
/// assert_eq!(m, 0.5);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn median_absolute_error(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    check(y_true, y_pred, sample_weight)?;
    let mut errors: Vec<(f64, f64)> = (0..y_true.len())
        .map(|i| ((y_pred[i] - y_true[i]).abs(), weight_at(sample_weight, i)))
        .collect();
    errors.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = errors.len();
    if sample_weight.is_none() {
        let mid = n / 2;
        return Ok(if n % 2 == 1 {
            errors[mid].0
        } else {
            // numpy.median averages the two middle values as (a + b) / 2 via mean.
            (errors[mid - 1].0 + errors[mid].0) / 2.0
        });
    }
    let mut cdf = Vec::with_capacity(n);
    let mut acc = 0.0;
    for &(_, w) in &errors {
        acc += w;
        cdf.push(acc);
    }
    let mut target = 0.5 * acc;
    if target == 0.0 {
        target = f64::from_bits(1);
    }
    let idx = cdf.partition_point(|&c| c < target).min(n - 1);
    if cdf[idx] - target > f64::EPSILON {
        return Ok(errors[idx].0);
    }
    // The cumulative weight sits on the half: average with the next error of positive weight.
    let mut next = (idx + 1).min(n - 1);
    if errors[next].1 == 0.0 {
        let after = cdf.partition_point(|&c| c <= cdf[idx]);
        next = if after > n - 1 { idx } else { after };
    }
    Ok((errors[idx].0 + errors[next].0) / 2.0)
}

/// The largest absolute error (no weights, as in scikit-learn).
///
/// ```
/// let m = kiln_eval::max_error(&[1.0, 2.0, 3.0], &[1.5, 2.0, 0.0])?;
/// assert_eq!(m, 3.0);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn max_error(y_true: &[f64], y_pred: &[f64]) -> Result<f64> {
    check(y_true, y_pred, None)?;
    Ok(y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p).abs())
        .fold(0.0, f64::max))
}
