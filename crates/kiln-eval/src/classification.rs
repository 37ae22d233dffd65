//! Metrics on predicted class labels: accuracy, balanced accuracy, precision, recall, F-beta,
//! the confusion matrix and Matthews' correlation coefficient.
//!
//! Labels are class codes stored as `f64` (`0.0, 1.0, …`). As in scikit-learn, the classes a
//! metric looks at are the sorted union of the codes present in `y_true` and `y_pred`. Every
//! per-class count is a sum of sample weights (1 per row without weights), so all metrics here
//! derive from one [`ConfusionMatrix`].
//!
//! **Zero division.** When a ratio has a zero denominator — precision of a class never predicted,
//! recall of a class never present, F-beta of a class with neither — the value is `0.0`, which is
//! what scikit-learn's default `zero_division="warn"` returns (kiln does not warn).

use serde::{Deserialize, Serialize};

use crate::error::{EvalError, Result};
use crate::input::{class_codes, same_len, weight_at, weights};

/// How per-class precision, recall and F-beta are combined into one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Average {
    /// Only the class `pos_label`; `y_true` and `y_pred` together may hold at most two classes.
    Binary {
        /// The class code counted as positive (scikit-learn's default is 1).
        pos_label: usize,
    },
    /// Global counts: sum true positives, false positives and false negatives over all classes.
    Micro,
    /// Unweighted mean over classes.
    Macro,
    /// Mean over classes weighted by their (weighted) support in `y_true`.
    Weighted,
}

/// A confusion matrix: `counts[i * labels.len() + j]` is the weight of rows whose true class is
/// `labels[i]` and predicted class is `labels[j]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// The class codes, sorted; the union of those in `y_true` and `y_pred`.
    pub labels: Vec<usize>,
    /// Row-major counts (rows: true class, columns: predicted class).
    pub counts: Vec<f64>,
}

impl ConfusionMatrix {
    /// The count for true class index `i` and predicted class index `j` (indices into `labels`).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.counts[i * self.labels.len() + j]
    }

    fn n(&self) -> usize {
        self.labels.len()
    }

    /// Weighted count of rows per true class (row sums): the support.
    pub fn true_sums(&self) -> Vec<f64> {
        (0..self.n())
            .map(|i| (0..self.n()).map(|j| self.get(i, j)).sum())
            .collect()
    }

    /// Weighted count of rows per predicted class (column sums).
    pub fn pred_sums(&self) -> Vec<f64> {
        (0..self.n())
            .map(|j| (0..self.n()).map(|i| self.get(i, j)).sum())
            .collect()
    }

    /// The diagonal: weighted true positives per class.
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.n()).map(|i| self.get(i, i)).collect()
    }
}

/// Computes the confusion matrix of predicted against true class codes.
///
/// ```
/// let cm = kiln_eval::confusion_matrix(&[0.0, 1.0, 1.0], &[0.0, 0.0, 1.0], None)?;
/// assert_eq!(cm.labels, vec![0, 1]);
/// assert_eq!(cm.counts, vec![1.0, 0.0, 1.0, 1.0]);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn confusion_matrix(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<ConfusionMatrix> {
    let truth = class_codes("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_pred", y_pred.len())?;
    let pred = class_codes("y_pred", y_pred)?;
    weights(sample_weight, y_true.len())?;
    let mut labels: Vec<usize> = truth.iter().chain(&pred).copied().collect();
    labels.sort_unstable();
    labels.dedup();
    let k = labels.len();
    // Every code comes from `truth` or `pred`, which built `labels`, so the search always hits.
    let index = |c: usize| labels.binary_search(&c).unwrap_or(0);
    let mut counts = vec![0.0; k * k];
    for (row, (&t, &p)) in truth.iter().zip(&pred).enumerate() {
        counts[index(t) * k + index(p)] += weight_at(sample_weight, row);
    }
    Ok(ConfusionMatrix { labels, counts })
}

/// Fraction of rows (weighted) whose predicted class equals the true class.
///
/// ```
/// let acc = kiln_eval::accuracy(&[0.0, 1.0, 2.0, 2.0], &[0.0, 1.0, 1.0, 2.0], None)?;
/// assert_eq!(acc, 0.75);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn accuracy(y_true: &[f64], y_pred: &[f64], sample_weight: Option<&[f64]>) -> Result<f64> {
    let truth = class_codes("y_true", y_true)?;
    same_len("y_true", y_true.len(), "y_pred", y_pred.len())?;
    let pred = class_codes("y_pred", y_pred)?;
    weights(sample_weight, y_true.len())?;
    let hits = truth
        .iter()
        .zip(&pred)
        .map(|(t, p)| if t == p { 1.0 } else { 0.0 });
    Ok(crate::input::average(hits, sample_weight))
}

/// Mean recall over the classes present in `y_true` (classes only predicted are skipped, as in
/// scikit-learn's `balanced_accuracy_score` with `adjusted=False`).
///
/// ```
/// let b = kiln_eval::balanced_accuracy(&[0.0, 0.0, 0.0, 1.0], &[0.0, 0.0, 0.0, 0.0], None)?;
/// assert_eq!(b, 0.5);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn balanced_accuracy(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let cm = confusion_matrix(y_true, y_pred, sample_weight)?;
    let (diag, support) = (cm.diagonal(), cm.true_sums());
    let recalls: Vec<f64> = diag
        .iter()
        .zip(&support)
        .filter(|(_, s)| **s > 0.0)
        .map(|(d, s)| d / s)
        .collect();
    if recalls.is_empty() {
        // Only reachable when every row with a true class has zero weight.
        return Err(EvalError::Undefined {
            metric: "balanced accuracy",
            reason: "no class in `y_true` has positive weight".to_string(),
        });
    }
    Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
}

/// Precision, recall, F-beta and support for each class of a confusion matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerClassScores {
    /// The class codes, sorted.
    pub labels: Vec<usize>,
    /// Precision per class.
    pub precision: Vec<f64>,
    /// Recall per class.
    pub recall: Vec<f64>,
    /// F-beta per class.
    pub f_score: Vec<f64>,
    /// Weighted count of rows of each class in `y_true`.
    pub support: Vec<f64>,
}

/// `num / den`, or 0 when `den` is 0 (scikit-learn's default `zero_division`).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

/// F-beta from counts, in the form scikit-learn uses: `(1+β²)·tp / (β²·true + pred)`.
fn f_from_counts(tp: f64, true_sum: f64, pred_sum: f64, beta: f64) -> f64 {
    let beta2 = beta * beta;
    ratio((1.0 + beta2) * tp, beta2 * true_sum + pred_sum)
}

fn check_beta(beta: f64) -> Result<()> {
    if beta.is_finite() && beta >= 0.0 {
        Ok(())
    } else {
        Err(EvalError::InvalidParameter {
            arg: "beta",
            value: beta.to_string(),
            expected: "a finite number >= 0".to_string(),
        })
    }
}

/// Per-class precision, recall, F-beta and support (scikit-learn's
/// `precision_recall_fscore_support` with `average=None`).
///
/// ```
/// let s = kiln_eval::per_class_scores(&[0.0, 1.0, 1.0], &[0.0, 1.0, 0.0], 1.0, None)?;
/// assert_eq!(s.recall, vec![1.0, 0.5]);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn per_class_scores(
    y_true: &[f64],
    y_pred: &[f64],
    beta: f64,
    sample_weight: Option<&[f64]>,
) -> Result<PerClassScores> {
    check_beta(beta)?;
    let cm = confusion_matrix(y_true, y_pred, sample_weight)?;
    Ok(scores_from_matrix(&cm, beta))
}

pub(crate) fn scores_from_matrix(cm: &ConfusionMatrix, beta: f64) -> PerClassScores {
    let (tp, true_sum, pred_sum) = (cm.diagonal(), cm.true_sums(), cm.pred_sums());
    let k = cm.labels.len();
    PerClassScores {
        labels: cm.labels.clone(),
        precision: (0..k).map(|i| ratio(tp[i], pred_sum[i])).collect(),
        recall: (0..k).map(|i| ratio(tp[i], true_sum[i])).collect(),
        f_score: (0..k)
            .map(|i| f_from_counts(tp[i], true_sum[i], pred_sum[i], beta))
            .collect(),
        support: true_sum,
    }
}

/// Averaged precision, recall and F-beta.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AveragedScores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F-beta.
    pub f_score: f64,
}

/// Precision, recall and F-beta combined with `average` (scikit-learn's
/// `precision_recall_fscore_support` with `zero_division` at its default).
///
/// ```
/// use kiln_eval::{precision_recall_fscore, Average};
/// let s = precision_recall_fscore(&[0.0, 1.0, 1.0, 1.0], &[1.0, 1.0, 0.0, 1.0], 1.0,
///     Average::Binary { pos_label: 1 }, None)?;
/// assert!((s.precision - 2.0 / 3.0).abs() < 1e-15);
/// assert!((s.recall - 2.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn precision_recall_fscore(
    y_true: &[f64],
    y_pred: &[f64],
    beta: f64,
    average: Average,
    sample_weight: Option<&[f64]>,
) -> Result<AveragedScores> {
    check_beta(beta)?;
    let cm = confusion_matrix(y_true, y_pred, sample_weight)?;
    average_scores(&cm, beta, average)
}

pub(crate) fn average_scores(
    cm: &ConfusionMatrix,
    beta: f64,
    average: Average,
) -> Result<AveragedScores> {
    let (tp, true_sum, pred_sum) = (cm.diagonal(), cm.true_sums(), cm.pred_sums());
    match average {
        Average::Binary { pos_label } => {
            if cm.labels.len() > 2 {
                return Err(EvalError::InvalidParameter {
                    arg: "average",
                    value: "binary".to_string(),
                    expected: format!(
                        "micro, macro or weighted: the data holds {} classes {:?}",
                        cm.labels.len(),
                        cm.labels
                    ),
                });
            }
            match cm.labels.binary_search(&pos_label) {
                Ok(i) => Ok(AveragedScores {
                    precision: ratio(tp[i], pred_sum[i]),
                    recall: ratio(tp[i], true_sum[i]),
                    f_score: f_from_counts(tp[i], true_sum[i], pred_sum[i], beta),
                }),
                Err(_) if cm.labels.len() == 2 => Err(EvalError::InvalidParameter {
                    arg: "pos_label",
                    value: pos_label.to_string(),
                    expected: format!("one of the classes present, {:?}", cm.labels),
                }),
                // One class present and it is not `pos_label`: no positives anywhere, every
                // ratio is 0/0 → 0 (scikit-learn's zero_division default).
                Err(_) => Ok(AveragedScores {
                    precision: 0.0,
                    recall: 0.0,
                    f_score: 0.0,
                }),
            }
        }
        Average::Micro => {
            let (t, ts, ps) = (
                tp.iter().sum::<f64>(),
                true_sum.iter().sum::<f64>(),
                pred_sum.iter().sum(),
            );
            Ok(AveragedScores {
                precision: ratio(t, ps),
                recall: ratio(t, ts),
                f_score: f_from_counts(t, ts, ps, beta),
            })
        }
        Average::Macro | Average::Weighted => {
            let per = scores_from_matrix(cm, beta);
            let mean = |v: &[f64]| -> f64 {
                if average == Average::Macro {
                    v.iter().sum::<f64>() / v.len() as f64
                } else {
                    let total: f64 = per.support.iter().sum();
                    ratio(v.iter().zip(&per.support).map(|(a, w)| a * w).sum(), total)
                }
            };
            Ok(AveragedScores {
                precision: mean(&per.precision),
                recall: mean(&per.recall),
                f_score: mean(&per.f_score),
            })
        }
    }
}

/// Precision: of the rows predicted as a class, the fraction that truly are.
///
/// ```
/// use kiln_eval::{precision, Average};
/// let p = precision(&[0.0, 1.0, 1.0], &[1.0, 1.0, 1.0], Average::Binary { pos_label: 1 }, None)?;
/// assert!((p - 2.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn precision(
    y_true: &[f64],
    y_pred: &[f64],
    average: Average,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, 1.0, average, sample_weight)?.precision)
}

/// Recall: of the rows of a class, the fraction predicted as that class.
///
/// ```
/// use kiln_eval::{recall, Average};
/// let r = recall(&[0.0, 1.0, 1.0], &[0.0, 1.0, 0.0], Average::Binary { pos_label: 1 }, None)?;
/// assert_eq!(r, 0.5);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn recall(
    y_true: &[f64],
    y_pred: &[f64],
    average: Average,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, 1.0, average, sample_weight)?.recall)
}

/// F1: the harmonic mean of precision and recall.
///
/// ```
/// use kiln_eval::{f1, Average};
/// let f = f1(&[0.0, 1.0, 2.0, 2.0], &[0.0, 2.0, 1.0, 2.0], Average::Macro, None)?;
/// assert!((f - 0.5).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn f1(
    y_true: &[f64],
    y_pred: &[f64],
    average: Average,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, 1.0, average, sample_weight)?.f_score)
}

/// F-beta: recall weighted `beta` times as much as precision.
///
/// ```
/// use kiln_eval::{fbeta, Average};
/// let f = fbeta(&[0.0, 1.0, 1.0], &[0.0, 1.0, 0.0], 2.0, Average::Binary { pos_label: 1 }, None)?;
/// assert!((f - 5.0 / 9.0).abs() < 1e-15);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn fbeta(
    y_true: &[f64],
    y_pred: &[f64],
    beta: f64,
    average: Average,
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    Ok(precision_recall_fscore(y_true, y_pred, beta, average, sample_weight)?.f_score)
}

/// Matthews correlation coefficient, multiclass form (Gorodkin's R_K) as scikit-learn computes it;
/// `0.0` when the true or the predicted labels hold a single class (the denominator is 0).
///
/// ```
/// let m = kiln_eval::matthews_corrcoef(&[0.0, 1.0, 0.0, 1.0], &[0.0, 1.0, 0.0, 1.0], None)?;
/// assert_eq!(m, 1.0);
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn matthews_corrcoef(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<f64> {
    let cm = confusion_matrix(y_true, y_pred, sample_weight)?;
    let (t_sum, p_sum) = (cm.true_sums(), cm.pred_sums());
    let n_correct: f64 = cm.diagonal().iter().sum();
    let n: f64 = p_sum.iter().sum();
    let dot = |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| x * y).sum() };
    let cov_ytyp = n_correct * n - dot(&t_sum, &p_sum);
    let cov_ypyp = n * n - dot(&p_sum, &p_sum);
    let cov_ytyt = n * n - dot(&t_sum, &t_sum);
    let denom = cov_ypyp * cov_ytyt;
    Ok(if denom == 0.0 {
        0.0
    } else {
        cov_ytyp / denom.sqrt()
    })
}
