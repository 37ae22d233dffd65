//! kiln-eval: how good is a model? Metrics on plain `f64` slices, checked against scikit-learn,
//! and the model pipeline ([`ModelPipelineSpec`] → [`FittedModelPipeline`]) they are measured on.
//!
//! Targets are `&[f64]`: class codes `0..k` for classification, values for regression. Binary
//! scores are one `f64` per row (class 1 is positive); multiclass probabilities are a row-major
//! `n_rows × n_classes` slice. Every function takes optional non-negative `sample_weight`s where
//! scikit-learn does, and returns an [`EvalError`] — never a panic or a silent NaN — on empty
//! input, mismatched lengths, non-finite values or a metric that is undefined for the data.
//! The [`Metric`] enum names each metric for configuration files and the model registry.
//!
//! ```
//! use kiln_eval::{Metric, Prediction};
//! let y = [0.0, 1.0, 1.0, 0.0];
//! let acc = Metric::Accuracy.compute(&y, Prediction::Labels(&[0.0, 1.0, 0.0, 0.0]), None)?;
//! assert_eq!(acc, 0.75);
//! # Ok::<(), kiln_eval::EvalError>(())
//! ```

mod classification;
mod cv;
mod error;
mod input;
mod metric;
mod pipeline;
mod probabilistic;
mod ranking;
mod regression;
mod report;
mod search;

pub use classification::{
    Average, AveragedScores, ConfusionMatrix, PerClassScores, accuracy, balanced_accuracy,
    confusion_matrix, f1, fbeta, matthews_corrcoef, per_class_scores, precision,
    precision_recall_fscore, recall,
};
pub use cv::{CvKind, CvResult, CvSpec, FoldScores, MetricSummary, OutOfFold, cross_validate};
pub use error::{EvalError, Result};
pub use metric::{Direction, Metric, Prediction};
pub use pipeline::{
    FittedModelPipeline, ModelPipelineSpec, PipelineError, PipelineResult, PredictionKind,
    Predictions,
};
pub use probabilistic::{
    BinStrategy, CalibrationCurve, brier_score, brier_score_multiclass, calibration_curve,
    log_loss, log_loss_binary,
};
pub use ranking::{
    OvrAverage, PrecisionRecallCurve, RocCurve, average_precision, precision_recall_curve, roc_auc,
    roc_auc_ovr, roc_curve,
};
pub use regression::{
    explained_variance, max_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, median_absolute_error, r2_score, root_mean_squared_error,
};
pub use report::{ClassReport, ClassificationReport, ReportRow, classification_report};
pub use search::{
    Candidate, Distribution, Params, SearchResult, SearchSpec, Strategy, apply_params,
    default_metric, search,
};
