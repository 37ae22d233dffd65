//! Cross-validation: how well does a whole model pipeline generalise from its training rows?
//!
//! [`cross_validate`] splits the rows into folds ([`CvSpec`]: k-fold, stratified, group or
//! time-series, optionally shuffled and repeated with new seeds) and, for each fold, fits the
//! *whole* [`ModelPipelineSpec`] — preparation, resampling and model — on that fold's training
//! rows only, then scores its validation rows through [`FittedModelPipeline::predict`]. Nothing
//! fitted ever sees a validation row, so an imputer's median, a target encoding or SMOTE's
//! synthetic rows cannot leak validation information into the score.
//!
//! Folds are independent, so they run in parallel with rayon when more than one thread is
//! available; each fold's result depends only on its rows and seeds, so the numbers are the same
//! for any thread count. Every fold's error is reported with its repeat and fold number.
//!
//! The fold index sets are those of `kiln_prep::split` (identical to scikit-learn's for
//! unshuffled k-fold, stratified, group and time-series splits). Means and standard deviations
//! are over folds with `ddof = 0`, as NumPy's `std` that scikit-learn users apply to
//! `cross_validate` output.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

mod folds;

use kiln_data::Frame;
use kiln_prep::{Fold, Task};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
pub use folds::{CvKind, CvSpec};

use crate::pipeline::{
    FittedModelPipeline, ModelPipelineSpec, PipelineError, PipelineResult, Predictions,
};

/// Scores and timings of one fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScores {
    /// The repeat (0-based).
    pub repeat: usize,
    /// The fold within the repeat (0-based).
    pub fold: usize,
    /// Training rows.
    pub n_train: usize,
    /// Validation rows.
    pub n_valid: usize,
    /// One score per metric (in the order asked) on the fold's training rows.
    pub train: Vec<f64>,
    /// One score per metric on the fold's validation rows.
    pub valid: Vec<f64>,
    /// Seconds to fit the pipeline.
    pub fit_seconds: f64,
    /// Seconds to predict and score the validation rows.
    pub score_seconds: f64,
}

/// Mean and spread of one metric across folds and repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// The metric.
    pub metric: Metric,
    /// Mean over every fold of every repeat, on training rows.
    pub train_mean: f64,
    /// Standard deviation (ddof 0) of the training scores.
    pub train_std: f64,
    /// Mean over every fold of every repeat, on validation rows.
    pub valid_mean: f64,
    /// Standard deviation (ddof 0) of the validation scores.
    pub valid_std: f64,
    /// The mean validation score of each repeat.
    pub repeat_means: Vec<f64>,
    /// Standard deviation (ddof 0) of `repeat_means`: how much the estimate moves with the seed.
    pub repeat_std: f64,
}

/// The out-of-fold predictions of one repeat: each validation row predicted by the pipeline
/// that did not see it. Rows that are in no validation fold (the first block of a time-series
/// split) are absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfFold {
    /// The repeat (0-based).
    pub repeat: usize,
    /// Row indices of the input frame, ascending.
    pub rows: Vec<usize>,
    /// The encoded target of those rows.
    pub y_true: Vec<f64>,
    /// Predicted values (regression) or class codes.
    pub values: Vec<f64>,
    /// Row-major `rows × n_classes` probabilities for classifiers.
    pub probabilities: Option<Vec<f64>>,
}

/// Everything [`cross_validate`] measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvResult {
    /// The metrics, in the order asked.
    pub metrics: Vec<Metric>,
    /// Class labels (`classes[code]`) for classification, `None` for regression.
    pub classes: Option<Vec<String>>,
    /// One entry per fold, repeat-major.
    pub folds: Vec<FoldScores>,
    /// One entry per metric.
    pub summary: Vec<MetricSummary>,
    /// One entry per repeat.
    pub out_of_fold: Vec<OutOfFold>,
    /// Wall-clock seconds of the whole run.
    pub total_seconds: f64,
}

impl CvResult {
    /// The summary of `metric`, if it was computed.
    pub fn summary_of(&self, metric: Metric) -> Option<&MetricSummary> {
        self.summary.iter().find(|s| s.metric == metric)
    }

    /// Classification or regression.
    pub fn task(&self) -> Task {
        task_of(&self.classes)
    }
}

impl OutOfFold {
    /// The out-of-fold predictions as [`Predictions`], to score or to draw curves from.
    pub fn predictions(&self, classes: Option<&[String]>) -> Predictions {
        let labels = classes.map(|c| {
            self.values
                .iter()
                .map(|&code| c.get(code as usize).cloned().unwrap_or_default())
                .collect()
        });
        let probabilities = self.probabilities.as_ref().and_then(|p| {
            let rows = self.values.len();
            let k = p.len().checked_div(rows).unwrap_or(0);
            ndarray::Array2::from_shape_vec((rows, k), p.clone()).ok()
        });
        Predictions {
            values: self.values.clone(),
            labels,
            probabilities,
        }
    }
}

/// What one fold produced, before it is merged into the result.
struct FoldOutput {
    scores: FoldScores,
    rows: Vec<usize>,
    y_valid: Vec<f64>,
    predictions: Predictions,
}

/// Classification when there is a class list.
pub(crate) fn task_of(classes: &Option<Vec<String>>) -> Task {
    if classes.is_some() {
        Task::Classification
    } else {
        Task::Regression
    }
}

/// The target of `frame` as the pipeline will encode it, with its class list.
pub(crate) fn encoded_target(
    spec: &ModelPipelineSpec,
    frame: &Frame,
) -> PipelineResult<(Vec<f64>, Option<Vec<String>>)> {
    let (encoding, y) = spec.prep.encode_target(frame)?;
    Ok((y, encoding.classes))
}

/// Cross-validates `spec` on `frame` with every metric in `metrics`.
///
/// `progress(done, total)` is called after each fold finishes (from the worker thread that ran
/// it; `done` counts up to `total` = folds × repeats). A fold whose training rows miss a class,
/// or whose validation rows make a metric undefined (ROC-AUC on a single-class fold), is an
/// error naming the repeat and fold.
///
/// ```
/// use kiln_eval::{cross_validate, CvSpec, Metric, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree", max_depth = 3 }
/// "#)?;
/// let cv = CvSpec { n_splits: 3, ..CvSpec::default() };
/// let result = cross_validate(&spec, &frame, &cv, &[Metric::Accuracy], &|_, _| {})?;
/// assert_eq!(result.folds.len(), 3);
/// assert!(result.summary[0].valid_mean > 0.85);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cross_validate(
    spec: &ModelPipelineSpec,
    frame: &Frame,
    cv: &CvSpec,
    metrics: &[Metric],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> PipelineResult<CvResult> {
    let start = Instant::now();
    spec.check()?;
    if frame.n_rows() == 0 {
        return Err(PipelineError::Invalid(
            "the data has no rows; cross-validation needs rows to split".into(),
        ));
    }
    let (y, classes) = encoded_target(spec, frame)?;
    let task = task_of(&classes);
    check_metrics(metrics, task)?;
    let repeats = cv.folds(frame, &y, task)?;
    let mut result = run_folds(spec, frame, &repeats, metrics, classes, progress)?;
    result.total_seconds = start.elapsed().as_secs_f64();
    Ok(result)
}

/// Checks that every metric suits the task of the target.
pub(crate) fn check_metrics(metrics: &[Metric], task: Task) -> PipelineResult<()> {
    if metrics.is_empty() {
        return Err(PipelineError::Invalid(
            "no metrics to cross-validate; give at least one".into(),
        ));
    }
    let name = |classification: bool| {
        if classification {
            "classification"
        } else {
            "regression"
        }
    };
    match metrics
        .iter()
        .find(|m| m.is_classification() != (task == Task::Classification))
    {
        Some(wrong) => Err(PipelineError::Invalid(format!(
            "metric `{}` is a {} metric but the target is a {} target",
            wrong.name(),
            name(wrong.is_classification()),
            name(task == Task::Classification),
        ))),
        None => Ok(()),
    }
}

/// Fits and scores the given folds (repeat-major); shared by [`cross_validate`] and the
/// learning curve, which passes folds with fewer training rows.
pub(crate) fn run_folds(
    spec: &ModelPipelineSpec,
    frame: &Frame,
    repeats: &[Vec<Fold>],
    metrics: &[Metric],
    classes: Option<Vec<String>>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> PipelineResult<CvResult> {
    let start = Instant::now();
    let jobs: Vec<(usize, usize, &Fold)> = repeats
        .iter()
        .enumerate()
        .flat_map(|(r, folds)| folds.iter().enumerate().map(move |(k, f)| (r, k, f)))
        .collect();
    let total = jobs.len();
    let done = AtomicUsize::new(0);
    let run = |&(r, k, fold): &(usize, usize, &Fold)| -> PipelineResult<FoldOutput> {
        let out = run_fold(spec, frame, fold, metrics, classes.as_deref(), r, k).map_err(|e| {
            PipelineError::Fold {
                repeat: r + 1,
                fold: k + 1,
                source: Box::new(e),
            }
        })?;
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        Ok(out)
    };
    // Folds are independent and each is deterministic, so running them in parallel changes
    // nothing but the wall time; `collect` keeps fold order. Every fold's result is kept before
    // the first error in fold order is returned: a parallel `collect` into a `Result` would
    // return whichever failing fold finished first, so the message would vary between runs.
    let results: Vec<PipelineResult<FoldOutput>> = if rayon::current_num_threads() > 1 && total > 1
    {
        jobs.par_iter().map(run).collect()
    } else {
        jobs.iter().map(run).collect()
    };
    let outputs: Vec<FoldOutput> = results.into_iter().collect::<PipelineResult<_>>()?;
    let summary = summarise(metrics, &outputs, repeats.len());
    let out_of_fold = (0..repeats.len())
        .map(|r| merge_out_of_fold(r, outputs.iter().filter(|o| o.scores.repeat == r)))
        .collect();
    Ok(CvResult {
        metrics: metrics.to_vec(),
        classes,
        folds: outputs.into_iter().map(|o| o.scores).collect(),
        summary,
        out_of_fold,
        total_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Fits on the fold's training rows, scores both sides.
fn run_fold(
    spec: &ModelPipelineSpec,
    frame: &Frame,
    fold: &Fold,
    metrics: &[Metric],
    classes: Option<&[String]>,
    repeat: usize,
    index: usize,
) -> PipelineResult<FoldOutput> {
    let train = frame.take(&fold.train)?;
    let valid = frame.take(&fold.test)?;
    let t0 = Instant::now();
    let fitted = spec.fit(&train)?;
    let fit_seconds = t0.elapsed().as_secs_f64();
    check_classes(&fitted, classes)?;
    let t1 = Instant::now();
    let y_valid = fitted.encode_target(&valid)?;
    let predictions = fitted.predict(&valid)?;
    let valid_scores = score_all(&predictions, metrics, &y_valid, "validation")?;
    let score_seconds = t1.elapsed().as_secs_f64();
    let y_train = fitted.encode_target(&train)?;
    let train_scores = score_all(&fitted.predict(&train)?, metrics, &y_train, "training")?;
    Ok(FoldOutput {
        scores: FoldScores {
            repeat,
            fold: index,
            n_train: fold.train.len(),
            n_valid: fold.test.len(),
            train: train_scores,
            valid: valid_scores,
            fit_seconds,
            score_seconds,
        },
        rows: fold.test.clone(),
        y_valid,
        predictions,
    })
}

/// A fold whose training rows lack a class would encode classes differently from the others
/// (and could not predict the missing one), so its scores would not be comparable.
fn check_classes(fitted: &FittedModelPipeline, classes: Option<&[String]>) -> PipelineResult<()> {
    match (fitted.classes(), classes) {
        (Some(got), Some(all)) if got != all => Err(PipelineError::Invalid(format!(
            "the training rows hold {} of the {} classes ({} missing); use stratified folds or fewer splits",
            got.len(),
            all.len(),
            all.iter()
                .filter(|c| !got.contains(c))
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        _ => Ok(()),
    }
}

fn score_all(
    predictions: &Predictions,
    metrics: &[Metric],
    y: &[f64],
    side: &str,
) -> PipelineResult<Vec<f64>> {
    metrics
        .iter()
        .map(|&m| {
            predictions.score(m, y, None).map_err(|e| {
                PipelineError::Invalid(format!("{} on the {side} rows: {e}", m.name()))
            })
        })
        .collect()
}

/// Mean and standard deviation (ddof 0).
pub(crate) fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn summarise(metrics: &[Metric], outputs: &[FoldOutput], n_repeats: usize) -> Vec<MetricSummary> {
    metrics
        .iter()
        .enumerate()
        .map(|(m, &metric)| {
            let train: Vec<f64> = outputs.iter().map(|o| o.scores.train[m]).collect();
            let valid: Vec<f64> = outputs.iter().map(|o| o.scores.valid[m]).collect();
            let repeat_means: Vec<f64> = (0..n_repeats)
                .map(|r| {
                    let v: Vec<f64> = outputs
                        .iter()
                        .filter(|o| o.scores.repeat == r)
                        .map(|o| o.scores.valid[m])
                        .collect();
                    mean_std(&v).0
                })
                .collect();
            let (train_mean, train_std) = mean_std(&train);
            let (valid_mean, valid_std) = mean_std(&valid);
            MetricSummary {
                metric,
                train_mean,
                train_std,
                valid_mean,
                valid_std,
                repeat_std: mean_std(&repeat_means).1,
                repeat_means,
            }
        })
        .collect()
}

fn merge_out_of_fold<'a>(
    repeat: usize,
    outputs: impl Iterator<Item = &'a FoldOutput>,
) -> OutOfFold {
    let mut rows: Vec<(usize, f64, f64, Option<Vec<f64>>)> = Vec::new();
    for o in outputs {
        for (i, &row) in o.rows.iter().enumerate() {
            let proba = o
                .predictions
                .probabilities
                .as_ref()
                .map(|p| p.row(i).to_vec());
            rows.push((row, o.y_valid[i], o.predictions.values[i], proba));
        }
    }
    rows.sort_by_key(|r| r.0);
    let probabilities = rows
        .iter()
        .map(|r| r.3.clone())
        .collect::<Option<Vec<Vec<f64>>>>()
        .filter(|_| !rows.is_empty())
        .map(|p| p.concat());
    OutOfFold {
        repeat,
        rows: rows.iter().map(|r| r.0).collect(),
        y_true: rows.iter().map(|r| r.1).collect(),
        values: rows.iter().map(|r| r.2).collect(),
        probabilities,
    }
}
