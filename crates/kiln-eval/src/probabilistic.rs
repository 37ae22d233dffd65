//! Metrics on predicted probabilities: log-loss, the Brier score and the calibration curve.
//!
//! Binary variants take the probability of class 1 per row; multiclass variants take a row-major
//! `n_rows × n_classes` matrix whose column `c` is the probability of class code `c` — the same as
//! passing `labels=range(n_classes)` to scikit-learn, so a class absent from `y_true` is fine.
//!
//! **Rows that do not sum to 1.** scikit-learn 1.9 only warns (it stopped renormalising in 1.5)
//! and scores the values as given. kiln treats it as an error for log-loss and the multiclass
//! Brier score: a row off by more than scikit-learn's own tolerance (`1e-8 + √ε`) means the input
//! is not a probability distribution, and a silently computed number would be misleading.

use serde::{Deserialize, Serialize};

use crate::error::{EvalError, Result};
use crate::input::{binary_targets, proba_matrix, same_len, unit_interval, weights};

/// Checks that every row of a probability matrix sums to 1 within scikit-learn's tolerance.
fn rows_sum_to_one(y_proba: &[f64], n_classes: usize) -> Result<()> {
    let tol = 1e-8 + f64::EPSILON.sqrt();
    for (row, r) in y_proba.chunks(n_classes).enumerate() {
        let s: f64 = r.iter().sum();
        if (s - 1.0).abs() > tol {
            return Err(EvalError::InvalidParameter {
                arg: "y_proba",
                value: format!("a row summing to {s} (row {row})"),
                expected: "probabilities summing to 1 over classes in every row".to_string(),
            });
        }
    }
    Ok(())
}

/// Binary log-loss (cross-entropy) of targets 0/1 against the probability of class 1.
///
/// Probabilities are clipped to `[ε, 1 − ε]` with `ε = f64::EPSILON`, as scikit-learn does, so a
/// confident wrong prediction costs about 36.04 instead of infinity.
///
/// ```
/// let loss = kiln_eval::log_loss_binary(&[0.0, 1.0], &[0.5, 0.5], None)?;
/// assert!((loss - std::f64::consts::LN_2).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn log_loss_binary(
    y_true: &[f64],
    y_prob: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let truth = binary_targets("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_prob", y_prob.len())?;
    unit_interval("y_prob", y_prob)?;
    weights(sample_weight, y_true.len())?;
    let eps = f64::EPSILON;
    // scikit-learn stacks [1 − p, p] and clips each column; 1 − p is computed before clipping.
    let losses = truth.iter().zip(y_prob).map(|(&t, &p)| {
        let q = if t { p } else { 1.0 - p };
        -q.clamp(eps, 1.0 - eps).ln()
    });
    Ok(crate::input::average(losses, sample_weight))
}

/// Multiclass log-loss of class codes against a row-major `n_rows × n_classes` probability matrix.
///
/// Clipping as in [`log_loss_binary`]; rows must sum to 1 (see the module docs).
///
/// ```
/// let p = [0.7, 0.2, 0.1,  0.1, 0.8, 0.1];
/// let loss = kiln_eval::log_loss(&[0.0, 1.0], &p, 3, None)?;
/// assert!((loss - (-(0.7f64.ln() + 0.8f64.ln()) / 2.0)).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn log_loss(
    y_true: &[f64],
    y_proba: &[f64],
    n_classes: usize,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let codes = proba_matrix(y_true, y_proba, n_classes)?;
    weights(sample_weight, y_true.len())?;
    rows_sum_to_one(y_proba, n_classes)?;
    let eps = f64::EPSILON;
    let losses = codes
        .iter()
        .zip(y_proba.chunks(n_classes))
        .map(|(&c, row)| -row[c].clamp(eps, 1.0 - eps).ln());
    Ok(crate::input::average(losses, sample_weight))
}

/// Binary Brier score: the weighted mean of `(y − p)²` for targets 0/1 and probabilities of class 1
/// (scikit-learn's `brier_score_loss` on binary input, which halves its two-column sum).
///
/// ```
/// let b = kiln_eval::brier_score(&[0.0, 1.0, 1.0, 0.0], &[0.1, 0.9, 0.8, 0.3], None)?;
/// assert!((b - 0.0375).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn brier_score(y_true: &[f64], y_prob: &[f64], sample_weight: Option<&[f64]>) -> Result<f64> {
    let truth = binary_targets("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_prob", y_prob.len())?;
    unit_interval("y_prob", y_prob)?;
    weights(sample_weight, y_true.len())?;
    // Same arithmetic as scikit-learn: ((y − p)² + ((1 − y) − (1 − p))²) · 0.5.
    let terms = truth.iter().zip(y_prob).map(|(&t, &p)| {
        let y = f64::from(u8::from(t));
        let (a, b) = ((1.0 - y) - (1.0 - p), y - p);
        a * a + b * b
    });
    Ok(crate::input::average(terms, sample_weight) * 0.5)
}

/// Multiclass Brier score: the weighted mean over rows of `Σ_c (1[y = c] − p_c)²`.
///
/// With three or more classes this is not halved (scikit-learn's `scale_by_half="auto"`), so it
/// ranges over `[0, 2]`; with two classes it is halved and equals [`brier_score`] on column 1.
///
/// ```
/// let p = [1.0, 0.0, 0.0,  0.0, 0.5, 0.5];
/// let b = kiln_eval::brier_score_multiclass(&[0.0, 1.0], &p, 3, None)?;
/// assert_eq!(b, 0.25);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn brier_score_multiclass(
    y_true: &[f64],
    y_proba: &[f64],
    n_classes: usize,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let codes = proba_matrix(y_true, y_proba, n_classes)?;
    weights(sample_weight, y_true.len())?;
    rows_sum_to_one(y_proba, n_classes)?;
    let terms = codes
        .iter()
        .zip(y_proba.chunks(n_classes))
        .map(|(&c, row)| {
            row.iter()
                .enumerate()
                .map(|(k, &p)| {
                    let d = f64::from(u8::from(k == c)) - p;
                    d * d
                })
                .sum::<f64>()
        });
    let score = crate::input::average(terms, sample_weight);
    Ok(if n_classes < 3 { score * 0.5 } else { score })
}

/// How [`calibration_curve`] places its bin edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    /// Equal-width bins over `[0, 1]`.
    Uniform,
    /// Edges at quantiles of `y_prob`, so bins hold about the same number of rows.
    Quantile,
}

/// Observed frequency against mean predicted probability per non-empty bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationCurve {
    /// Fraction of positives in each non-empty bin.
    pub prob_true: Vec<f64>,
    /// Mean predicted probability in each non-empty bin.
    pub prob_pred: Vec<f64>,
}

/// `numpy.linspace(0, 1, num)` bit for bit.
fn linspace_unit(num: usize) -> Vec<f64> {
    let div = (num - 1) as f64;
    let step = 1.0 / div;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step).collect();
    v[num - 1] = 1.0;
    v
}

/// `numpy.percentile(sorted, q)` with the default linear method, on sorted data.
fn percentile_sorted(sorted: &[f64], q_percent: f64) -> f64 {
    let q = q_percent / 100.0;
    let virtual_index = q * (sorted.len() - 1) as f64;
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    // Both indices are within 0..len because 0 <= q <= 1.
    let lo = below as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Calibration (reliability) curve of binary targets 0/1 against probabilities of class 1, as
/// `sklearn.calibration.calibration_curve`: `n_bins` bins, empty bins left out.
///
/// ```
/// use kiln_eval::{calibration_curve, BinStrategy};
/// let c = calibration_curve(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.2, 0.8, 0.9], 2, BinStrategy::Uniform)?;
/// assert_eq!(c.prob_true, vec![0.0, 1.0]);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn calibration_curve(
    y_true: &[f64],
    y_prob: &[f64],
    n_bins: usize,
    strategy: BinStrategy,
) -> Result<CalibrationCurve> {
    let truth = binary_targets("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_prob", y_prob.len())?;
    unit_interval("y_prob", y_prob)?;
    if n_bins < 1 {
        return Err(EvalError::InvalidParameter {
            arg: "n_bins",
            value: n_bins.to_string(),
            expected: "at least 1".to_string(),
        });
    }
    let unit = linspace_unit(n_bins + 1);
    let edges: Vec<f64> = match strategy {
        BinStrategy::Uniform => unit,
        BinStrategy::Quantile => {
            let mut sorted = y_prob.to_vec();
            sorted.sort_by(f64::total_cmp);
            unit.iter()
                .map(|&q| percentile_sorted(&sorted, q * 100.0))
                .collect()
        }
    };
    let inner = &edges[1..edges.len() - 1];
    let (mut sums, mut trues, mut totals) =
        (vec![0.0; n_bins], vec![0.0; n_bins], vec![0usize; n_bins]);
    for (&t, &p) in truth.iter().zip(y_prob) {
        // numpy.searchsorted(side="left"): the number of inner edges strictly below p.
        let bin = inner.partition_point(|&e| e < p);
        sums[bin] += p;
        trues[bin] += f64::from(u8::from(t));
        totals[bin] += 1;
    }
    let mut curve = CalibrationCurve {
        prob_true: Vec::new(),
        prob_pred: Vec::new(),
    };
    for b in (0..n_bins).filter(|&b| totals[b] > 0) {
        curve.prob_true.push(trues[b] / totals[b] as f64);
        curve.prob_pred.push(sums[b] / totals[b] as f64);
    }
    Ok(curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_matches_numpy_bit_for_bit() {
        // numpy.linspace(0, 1, 11).tolist()
        let numpy = [
            0.0,
            0.1,
            0.2,
            0.30000000000000004,
            0.4,
            0.5,
            0.6000000000000001,
            0.7000000000000001,
            0.8,
            0.9,
            1.0,
        ];
        assert_eq!(linspace_unit(11), numpy);
    }

    #[test]
    fn percentile_matches_numpy_linear_method() {
        let sorted = [0.05, 0.1, 0.25, 0.3, 0.55, 0.7, 0.9];
        // numpy.percentile(sorted, numpy.linspace(0, 1, 6) * 100).tolist()
        let numpy = [
            0.05,
            0.13000000000000003,
            0.27,
            0.4500000000000002,
            0.67,
            0.9,
        ];
        let got: Vec<f64> = linspace_unit(6)
            .iter()
            .map(|&q| percentile_sorted(&sorted, q * 100.0))
            .collect();
        assert_eq!(got, numpy);
    }

    #[test]
    fn quantile_bins_put_edge_values_in_the_lower_bin() {
        // Edges 0.1 | 0.5 | 0.9; 0.5 sits on the inner edge and goes left, as numpy.searchsorted.
        let c = calibration_curve(&[0.0, 1.0, 1.0], &[0.1, 0.5, 0.9], 2, BinStrategy::Quantile)
            .unwrap();
        assert_eq!(c.prob_pred, vec![0.3, 0.9]);
        assert_eq!(c.prob_true, vec![0.5, 1.0]);
    }
}
