//! Metrics on scores that rank rows: the ROC curve and ROC-AUC, the precision–recall curve and
//! average precision.
//!
//! All of them rest on one computation, [`threshold_counts`]: sort rows by score (descending,
//! stable), and at each distinct score accumulate the weighted true and false positives — the same
//! steps as scikit-learn's `confusion_matrix_at_thresholds`, including dropping zero-weight rows,
//! so curves match point for point. Binary inputs use class code 1 as the positive class.

use serde::{Deserialize, Serialize};

use crate::error::{EvalError, Result};
use crate::input::{binary_targets, finite, proba_matrix, same_len, weight_at, weights};

/// Cumulative weighted false/true positives at each distinct score, highest score first.
struct ThresholdCounts {
    fps: Vec<f64>,
    tps: Vec<f64>,
    thresholds: Vec<f64>,
}

fn check_binary(
    y_true: &[f64],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<Vec<bool>> {
    let truth = binary_targets("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_score", y_score.len())?;
    finite("y_score", y_score)?;
    weights(sample_weight, y_true.len())?;
    Ok(truth)
}

fn threshold_counts(
    truth: &[bool],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
) -> ThresholdCounts {
    let mut order: Vec<usize> = (0..truth.len())
        .filter(|&i| weight_at(sample_weight, i) != 0.0)
        .collect();
    // Stable: rows with equal scores keep their input order, as scikit-learn's stable argsort.
    order.sort_by(|&a, &b| y_score[b].total_cmp(&y_score[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut out = ThresholdCounts {
        fps: Vec::new(),
        tps: Vec::new(),
        thresholds: Vec::new(),
    };
    for (pos, &i) in order.iter().enumerate() {
        let w = weight_at(sample_weight, i);
        if truth[i] {
            tp += w;
        } else {
            fp += w;
        }
        let last_of_group = order.get(pos + 1).is_none_or(|&j| y_score[j] != y_score[i]);
        if last_of_group {
            out.tps.push(tp);
            out.fps.push(match sample_weight {
                Some(_) => fp,
                // Unweighted scikit-learn uses `1 + index - tps`, exact in integers.
                None => (pos + 1) as f64 - tp,
            });
            out.thresholds.push(y_score[i]);
        }
    }
    out
}

/// A receiver operating characteristic curve. `thresholds[0]` is `+∞` (no row predicted
/// positive); point `i` predicts positive every row with score `>= thresholds[i]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    /// False positive rates, increasing.
    pub fpr: Vec<f64>,
    /// True positive rates, increasing.
    pub tpr: Vec<f64>,
    /// Decreasing score thresholds.
    pub thresholds: Vec<f64>,
}

/// Computes the ROC curve of binary targets (0/1) against positive-class scores.
///
/// With `drop_intermediate`, points collinear with their neighbours are dropped exactly as
/// scikit-learn does (no effect on the area). Unlike scikit-learn, which returns NaN rates with a
/// warning, a `y_true` without positives or without negatives (by weight) is an error.
///
/// ```
/// let roc = kiln_eval::roc_curve(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8], None, true)?;
/// assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
/// assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn roc_curve(
    y_true: &[f64],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
    drop_intermediate: bool,
) -> Result<RocCurve> {
    let truth = check_binary(y_true, y_score, sample_weight)?;
    roc_from_truth(
        &truth,
        y_score,
        sample_weight,
        drop_intermediate,
        "the ROC curve",
    )
}

fn roc_from_truth(
    truth: &[bool],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
    drop_intermediate: bool,
    metric: &'static str,
) -> Result<RocCurve> {
    let c = threshold_counts(truth, y_score, sample_weight);
    let (fps, tps, thr) = (&c.fps, &c.tps, &c.thresholds);
    let n = fps.len();
    let keep: Vec<usize> = if drop_intermediate && n > 2 {
        // Keep the ends and every point where the curve bends (second difference non-zero).
        (0..n)
            .filter(|&i| {
                i == 0
                    || i == n - 1
                    || (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0.0
                    || (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0.0
            })
            .collect()
    } else {
        (0..n).collect()
    };
    let (fp_total, tp_total) = (fps[n - 1], tps[n - 1]);
    let undefined = |what: &str| EvalError::Undefined {
        metric,
        reason: format!(
            "`y_true` has no {what} (with positive weight); it needs both classes 0 and 1"
        ),
    };
    if fp_total <= 0.0 {
        return Err(undefined("negatives (class 0)"));
    }
    if tp_total <= 0.0 {
        return Err(undefined("positives (class 1)"));
    }
    let mut curve = RocCurve {
        fpr: vec![0.0],
        tpr: vec![0.0],
        thresholds: vec![f64::INFINITY],
    };
    for &i in &keep {
        curve.fpr.push(fps[i] / fp_total);
        curve.tpr.push(tps[i] / tp_total);
        curve.thresholds.push(thr[i]);
    }
    Ok(curve)
}

/// Area under a curve by the trapezoidal rule; `x` must be monotonic (like scikit-learn's `auc`).
fn trapezoid_area(x: &[f64], y: &[f64]) -> f64 {
    let area: f64 = x
        .windows(2)
        .zip(y.windows(2))
        .map(|(dx, dy)| (dx[1] - dx[0]) * (dy[1] + dy[0]) / 2.0)
        .sum();
    area
}

/// Area under the ROC curve of binary targets (0/1) against positive-class scores.
///
/// A `y_true` holding a single class is an error, as in scikit-learn ("Only one class present in
/// y_true").
///
/// ```
/// let auc = kiln_eval::roc_auc(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8], None)?;
/// assert_eq!(auc, 0.75);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn roc_auc(y_true: &[f64], y_score: &[f64], sample_weight: Option<&[f64]>) -> Result<f64> {
    let truth = check_binary(y_true, y_score, sample_weight)?;
    binary_auc(&truth, y_score, sample_weight)
}

fn binary_auc(truth: &[bool], y_score: &[f64], sample_weight: Option<&[f64]>) -> Result<f64> {
    if truth.iter().all(|&t| t == truth[0]) {
        return Err(EvalError::Undefined {
            metric: "ROC-AUC",
            reason: format!(
                "only one class ({}) is present in `y_true`; it needs both 0 and 1",
                u8::from(truth[0])
            ),
        });
    }
    let roc = roc_from_truth(truth, y_score, sample_weight, true, "ROC-AUC")?;
    Ok(trapezoid_area(&roc.fpr, &roc.tpr))
}

/// How one-vs-rest ROC-AUC scores of the classes are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvrAverage {
    /// Unweighted mean over classes.
    Macro,
    /// Mean weighted by each class's (weighted) support in `y_true`.
    Weighted,
}

/// Multiclass ROC-AUC, one class against the rest, as scikit-learn's
/// `roc_auc_score(multi_class="ovr")`.
///
/// `y_proba` is row-major `n_rows × n_classes`; its rows must sum to 1 (within scikit-learn's
/// `np.allclose` tolerance) and every class `0..n_classes` must appear in `y_true`, otherwise it
/// is an error, as in scikit-learn. With two classes this is the binary ROC-AUC of column 1.
///
/// ```
/// use kiln_eval::{roc_auc_ovr, OvrAverage};
/// let p = [0.8, 0.1, 0.1,  0.2, 0.7, 0.1,  0.1, 0.2, 0.7,  0.3, 0.4, 0.3];
/// let auc = roc_auc_ovr(&[0.0, 1.0, 2.0, 1.0], &p, 3, OvrAverage::Macro, None)?;
/// assert_eq!(auc, 1.0);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn roc_auc_ovr(
    y_true: &[f64],
    y_proba: &[f64],
    n_classes: usize,
    average: OvrAverage,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let codes = proba_matrix(y_true, y_proba, n_classes)?;
    weights(sample_weight, y_true.len())?;
    if let Some(row) = y_proba.chunks(n_classes).position(|r| {
        let s: f64 = r.iter().sum();
        // numpy.allclose(1, s): |s − 1| <= atol + rtol·|s|, with s ≈ 1.
        (s - 1.0).abs() > 1e-8 + 1e-5 * s.abs()
    }) {
        return Err(EvalError::InvalidParameter {
            arg: "y_proba",
            value: format!(
                "a row summing to {} (row {row})",
                y_proba[row * n_classes..][..n_classes].iter().sum::<f64>()
            ),
            expected: "probabilities summing to 1 over classes in every row".to_string(),
        });
    }
    let mut present = vec![false; n_classes];
    codes.iter().for_each(|&c| present[c] = true);
    if let Some(missing) = present.iter().position(|p| !p) {
        return Err(EvalError::Undefined {
            metric: "one-vs-rest ROC-AUC",
            reason: format!(
                "class {missing} never occurs in `y_true`; all {n_classes} classes of `y_proba` must"
            ),
        });
    }
    let column = |c: usize| -> Vec<f64> { y_proba.chunks(n_classes).map(|r| r[c]).collect() };
    if n_classes == 2 {
        let truth: Vec<bool> = codes.iter().map(|&c| c == 1).collect();
        return binary_auc(&truth, &column(1), sample_weight);
    }
    let (mut total, mut weight_total) = (0.0, 0.0);
    for c in 0..n_classes {
        let truth: Vec<bool> = codes.iter().map(|&k| k == c).collect();
        let auc = binary_auc(&truth, &column(c), sample_weight)?;
        let w = match average {
            OvrAverage::Macro => 1.0,
            OvrAverage::Weighted => (0..codes.len())
                .filter(|&i| truth[i])
                .map(|i| weight_at(sample_weight, i))
                .sum(),
        };
        total += auc * w;
        weight_total += w;
    }
    Ok(total / weight_total)
}

/// A precision–recall curve, ending at the point (recall 0, precision 1) which has no threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionRecallCurve {
    /// Precision at each threshold, then 1.
    pub precision: Vec<f64>,
    /// Recall at each threshold (decreasing), then 0.
    pub recall: Vec<f64>,
    /// Increasing score thresholds (one fewer than points).
    pub thresholds: Vec<f64>,
}

/// Computes the precision–recall curve of binary targets (0/1) against positive-class scores, as
/// scikit-learn's `precision_recall_curve` (`drop_intermediate` drops points where the true
/// positive count does not change, as there). With no positives, recall is 1 at every threshold
/// (scikit-learn's documented value).
///
/// ```
/// let pr = kiln_eval::precision_recall_curve(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8], None, false)?;
/// assert_eq!(pr.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
/// assert_eq!(pr.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn precision_recall_curve(
    y_true: &[f64],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
    drop_intermediate: bool,
) -> Result<PrecisionRecallCurve> {
    let truth = check_binary(y_true, y_score, sample_weight)?;
    let c = threshold_counts(&truth, y_score, sample_weight);
    let n = c.tps.len();
    let keep: Vec<usize> = if drop_intermediate && n > 2 {
        (0..n)
            .filter(|&i| {
                i == 0 || i == n - 1 || c.tps[i] != c.tps[i - 1] || c.tps[i + 1] != c.tps[i]
            })
            .collect()
    } else {
        (0..n).collect()
    };
    let tp_total = c.tps[n - 1];
    let mut curve = PrecisionRecallCurve {
        precision: Vec::with_capacity(keep.len() + 1),
        recall: Vec::with_capacity(keep.len() + 1),
        thresholds: Vec::with_capacity(keep.len()),
    };
    for &i in keep.iter().rev() {
        let predicted = c.tps[i] + c.fps[i];
        curve.precision.push(if predicted != 0.0 {
            c.tps[i] / predicted
        } else {
            0.0
        });
        curve.recall.push(if tp_total == 0.0 {
            1.0
        } else {
            c.tps[i] / tp_total
        });
        curve.thresholds.push(c.thresholds[i]);
    }
    curve.precision.push(1.0);
    curve.recall.push(0.0);
    Ok(curve)
}

/// Average precision: `Σₙ (Rₙ − Rₙ₋₁)·Pₙ` over the precision–recall curve — scikit-learn's
/// step-wise definition, not the interpolated one. `0.0` when `y_true` has no positives (as in
/// scikit-learn, which also warns).
///
/// ```
/// let ap = kiln_eval::average_precision(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8], None)?;
/// assert!((ap - 0.8333333333333333).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn average_precision(
    y_true: &[f64],
    y_score: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let pr = precision_recall_curve(y_true, y_score, sample_weight, false)?;
    let sum: f64 = pr
        .recall
        .windows(2)
        .zip(&pr.precision)
        .map(|(r, p)| (r[1] - r[0]) * p)
        .sum();
    Ok((-sum).max(0.0))
}
