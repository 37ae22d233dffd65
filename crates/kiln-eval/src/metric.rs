//! The `Metric` enum: one name per metric for configuration files, the registry and search.
//!
//! A metric names itself in snake_case (`roc_auc`, `log_loss`, `rmse`), knows whether higher or
//! lower is better, and computes itself from a [`Prediction`]. This is the one place where metric
//! names map to definitions; everything that names a metric goes through it.

use serde::{Deserialize, Serialize};

use crate::classification::{
    Average, accuracy, balanced_accuracy, matthews_corrcoef, precision_recall_fscore,
};
use crate::error::{EvalError, Result};
use crate::probabilistic::{brier_score, brier_score_multiclass, log_loss, log_loss_binary};
use crate::ranking::{OvrAverage, average_precision, roc_auc, roc_auc_ovr};
use crate::regression::{
    explained_variance, max_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, median_absolute_error, r2_score, root_mean_squared_error,
};

/// What a model produced for each row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prediction<'a> {
    /// Predicted class codes.
    Labels(&'a [f64]),
    /// Binary: the score or probability of class 1 per row.
    Scores(&'a [f64]),
    /// Row-major `n_rows × n_classes` class probabilities.
    Probabilities {
        /// The matrix values.
        values: &'a [f64],
        /// Number of columns (classes).
        n_classes: usize,
    },
    /// Regression predictions.
    Values(&'a [f64]),
}

impl Prediction<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Prediction::Labels(_) => "labels",
            Prediction::Scores(_) => "scores",
            Prediction::Probabilities { .. } => "probabilities",
            Prediction::Values(_) => "values",
        }
    }
}

/// Whether a larger or a smaller value of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger is better (accuracy, R², ROC-AUC).
    HigherIsBetter,
    /// Smaller is better (losses and errors).
    LowerIsBetter,
}

/// A named metric.
///
/// ```
/// use kiln_eval::{Direction, Metric, Prediction};
/// let m: Metric = serde_json::from_str("\"roc_auc\"")?;
/// assert_eq!(m.direction(), Direction::HigherIsBetter);
/// let auc = m.compute(&[0.0, 1.0, 1.0], Prediction::Scores(&[0.2, 0.9, 0.6]), None)?;
/// assert_eq!(auc, 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Fraction of correct labels.
    Accuracy,
    /// Mean per-class recall.
    BalancedAccuracy,
    /// Binary precision of class 1.
    Precision,
    /// Binary recall of class 1.
    Recall,
    /// Binary F1 of class 1.
    F1,
    /// Macro-averaged F1.
    F1Macro,
    /// Micro-averaged F1.
    F1Micro,
    /// Support-weighted F1.
    F1Weighted,
    /// Macro-averaged precision.
    PrecisionMacro,
    /// Macro-averaged recall.
    RecallMacro,
    /// Matthews correlation coefficient.
    Mcc,
    /// Binary ROC-AUC (or one-vs-rest macro ROC-AUC from a probability matrix).
    RocAuc,
    /// One-vs-rest ROC-AUC weighted by class support.
    RocAucOvrWeighted,
    /// Average precision (binary).
    AveragePrecision,
    /// Log-loss.
    LogLoss,
    /// Brier score.
    BrierScore,
    /// Mean squared error.
    Mse,
    /// Root mean squared error.
    Rmse,
    /// Mean absolute error.
    Mae,
    /// Coefficient of determination.
    R2,
    /// Explained variance.
    ExplainedVariance,
    /// Mean absolute percentage error.
    Mape,
    /// Median absolute error.
    MedianAbsoluteError,
    /// Largest absolute error (ignores weights).
    MaxError,
}

impl Metric {
    /// Every metric, in declaration order.
    pub const ALL: [Metric; 24] = [
        Metric::Accuracy,
        Metric::BalancedAccuracy,
        Metric::Precision,
        Metric::Recall,
        Metric::F1,
        Metric::F1Macro,
        Metric::F1Micro,
        Metric::F1Weighted,
        Metric::PrecisionMacro,
        Metric::RecallMacro,
        Metric::Mcc,
        Metric::RocAuc,
        Metric::RocAucOvrWeighted,
        Metric::AveragePrecision,
        Metric::LogLoss,
        Metric::BrierScore,
        Metric::Mse,
        Metric::Rmse,
        Metric::Mae,
        Metric::R2,
        Metric::ExplainedVariance,
        Metric::Mape,
        Metric::MedianAbsoluteError,
        Metric::MaxError,
    ];

    /// The configuration name (`"roc_auc"`, `"rmse"`, …), the same string serde uses.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "f1",
            Metric::F1Macro => "f1_macro",
            Metric::F1Micro => "f1_micro",
            Metric::F1Weighted => "f1_weighted",
            Metric::PrecisionMacro => "precision_macro",
            Metric::RecallMacro => "recall_macro",
            Metric::Mcc => "mcc",
            Metric::RocAuc => "roc_auc",
            Metric::RocAucOvrWeighted => "roc_auc_ovr_weighted",
            Metric::AveragePrecision => "average_precision",
            Metric::LogLoss => "log_loss",
            Metric::BrierScore => "brier_score",
            Metric::Mse => "mse",
            Metric::Rmse => "rmse",
            Metric::Mae => "mae",
            Metric::R2 => "r2",
            Metric::ExplainedVariance => "explained_variance",
            Metric::Mape => "mape",
            Metric::MedianAbsoluteError => "median_absolute_error",
            Metric::MaxError => "max_error",
        }
    }

    /// Whether higher or lower values are better.
    pub fn direction(self) -> Direction {
        match self {
            Metric::LogLoss
            | Metric::BrierScore
            | Metric::Mse
            | Metric::Rmse
            | Metric::Mae
            | Metric::Mape
            | Metric::MedianAbsoluteError
            | Metric::MaxError => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        }
    }

    /// True for metrics computed from probabilities or scores rather than labels or values.
    pub fn needs_scores(self) -> bool {
        matches!(
            self,
            Metric::RocAuc
                | Metric::RocAucOvrWeighted
                | Metric::AveragePrecision
                | Metric::LogLoss
                | Metric::BrierScore
        )
    }

    /// True for metrics of classifiers.
    pub fn is_classification(self) -> bool {
        !matches!(
            self,
            Metric::Mse
                | Metric::Rmse
                | Metric::Mae
                | Metric::R2
                | Metric::ExplainedVariance
                | Metric::Mape
                | Metric::MedianAbsoluteError
                | Metric::MaxError
        )
    }

    /// True if `a` is a strictly better value of this metric than `b`.
    pub fn is_better(self, a: f64, b: f64) -> bool {
        match self.direction() {
            Direction::HigherIsBetter => a > b,
            Direction::LowerIsBetter => a < b,
        }
    }

    /// Computes the metric.
    ///
    /// Label metrics take [`Prediction::Labels`], or probabilities (the arg-max class is used,
    /// first column on ties). Ranking metrics take binary [`Prediction::Scores`] or
    /// [`Prediction::Probabilities`] (one-vs-rest for more than two classes). Log-loss and Brier
    /// take scores (probability of class 1) or probabilities. Regression metrics take
    /// [`Prediction::Values`]. Any other pairing is an [`EvalError::WrongPrediction`].
    pub fn compute(
        self,
        y_true: &[f64],
        prediction: Prediction<'_>,
        sample_weight: Option<&[f64]>,
    ) -> Result<f64> {
        let w = sample_weight;
        let wrong = |expected| EvalError::WrongPrediction {
            metric: self.name(),
            expected,
            got: prediction.kind(),
        };
        let labels_of = |p: Prediction<'_>| -> Result<Vec<f64>> {
            match p {
                Prediction::Labels(l) => Ok(l.to_vec()),
                Prediction::Probabilities { values, n_classes } => argmax_rows(values, n_classes),
                _ => Err(wrong("labels or probabilities")),
            }
        };
        let prf = |average, pick: fn(crate::AveragedScores) -> f64| -> Result<f64> {
            let labels = labels_of(prediction)?;
            Ok(pick(precision_recall_fscore(
                y_true, &labels, 1.0, average, w,
            )?))
        };
        let binary = Average::Binary { pos_label: 1 };
        match self {
            Metric::Accuracy => accuracy(y_true, &labels_of(prediction)?, w),
            Metric::BalancedAccuracy => balanced_accuracy(y_true, &labels_of(prediction)?, w),
            Metric::Mcc => matthews_corrcoef(y_true, &labels_of(prediction)?, w),
            Metric::Precision => prf(binary, |s| s.precision),
            Metric::Recall => prf(binary, |s| s.recall),
            Metric::F1 => prf(binary, |s| s.f_score),
            Metric::F1Macro => prf(Average::Macro, |s| s.f_score),
            Metric::F1Micro => prf(Average::Micro, |s| s.f_score),
            Metric::F1Weighted => prf(Average::Weighted, |s| s.f_score),
            Metric::PrecisionMacro => prf(Average::Macro, |s| s.precision),
            Metric::RecallMacro => prf(Average::Macro, |s| s.recall),
            Metric::RocAuc | Metric::RocAucOvrWeighted => {
                let avg = if self == Metric::RocAuc {
                    OvrAverage::Macro
                } else {
                    OvrAverage::Weighted
                };
                match prediction {
                    Prediction::Scores(s) => roc_auc(y_true, s, w),
                    Prediction::Probabilities { values, n_classes } => {
                        roc_auc_ovr(y_true, values, n_classes, avg, w)
                    }
                    _ => Err(wrong("scores or probabilities")),
                }
            }
            Metric::AveragePrecision => match prediction {
                Prediction::Scores(s) => average_precision(y_true, s, w),
                _ => Err(wrong("binary scores")),
            },
            Metric::LogLoss => match prediction {
                Prediction::Scores(s) => log_loss_binary(y_true, s, w),
                Prediction::Probabilities { values, n_classes } => {
                    log_loss(y_true, values, n_classes, w)
                }
                _ => Err(wrong("scores or probabilities")),
            },
            Metric::BrierScore => match prediction {
                Prediction::Scores(s) => brier_score(y_true, s, w),
                Prediction::Probabilities { values, n_classes } => {
                    brier_score_multiclass(y_true, values, n_classes, w)
                }
                _ => Err(wrong("scores or probabilities")),
            },
            _ => {
                let Prediction::Values(v) = prediction else {
                    return Err(wrong("regression values"));
                };
                match self {
                    Metric::Mse => mean_squared_error(y_true, v, w),
                    Metric::Rmse => root_mean_squared_error(y_true, v, w),
                    Metric::Mae => mean_absolute_error(y_true, v, w),
                    Metric::R2 => r2_score(y_true, v, w),
                    Metric::ExplainedVariance => explained_variance(y_true, v, w),
                    Metric::Mape => mean_absolute_percentage_error(y_true, v, w),
                    Metric::MedianAbsoluteError => median_absolute_error(y_true, v, w),
                    // MaxError is the only metric left; it has no weights in scikit-learn, and
                    // silently ignoring weights a caller passed would be a wrong answer.
                    _ if w.is_some() => Err(EvalError::InvalidParameter {
                        arg: "sample_weight",
                        value: "given".to_string(),
                        expected: "no weights: max_error is unweighted (as in scikit-learn)"
                            .to_string(),
                    }),
                    _ => max_error(y_true, v),
                }
            }
        }
    }
}

/// The arg-max column of each row (first column on ties), as class codes.
fn argmax_rows(values: &[f64], n_classes: usize) -> Result<Vec<f64>> {
    if n_classes == 0 || !values.len().is_multiple_of(n_classes) {
        return Err(EvalError::InvalidParameter {
            arg: "n_classes",
            value: n_classes.to_string(),
            expected: format!(
                "a positive divisor of the probability count {}",
                values.len()
            ),
        });
    }
    crate::input::finite("y_proba", values)?;
    Ok(values
        .chunks(n_classes)
        .map(|row| {
            let mut best = 0;
            for (k, &p) in row.iter().enumerate() {
                if p > row[best] {
                    best = k;
                }
            }
            best as f64
        })
        .collect())
}
