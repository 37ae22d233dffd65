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

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use kiln_data::{ColumnType, Frame};
use kiln_prep::split::{self, TimeSeriesOptions};
use kiln_prep::{Fold, PrepError, Task};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::pipeline::{
    FittedModelPipeline, ModelPipelineSpec, PipelineError, PipelineResult, Predictions,
};

/// How rows are assigned to folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CvKind {
    /// Stratified for a classification target, plain k-fold otherwise (scikit-learn's rule for
    /// `cv=<int>`).
    #[default]
    Auto,
    /// Consecutive blocks of rows (shuffled first with `shuffle = true`).
    #[serde(rename = "kfold", alias = "k_fold")]
    KFold,
    /// Every fold keeps the class proportions of the whole target.
    Stratified,
    /// No value of `group_column` is split across folds.
    Group,
    /// Growing training windows followed by the next block in time (`time_column` order, or
    /// row order without one).
    TimeSeries,
}

/// The `[cv]` settings: which folds to use.
///
/// ```
/// let cv: kiln_eval::CvSpec = toml::from_str("kind = \"stratified\"\nn_splits = 3\nshuffle = true\nseed = 7\nrepeats = 2")?;
/// cv.check()?;
/// assert_eq!(cv.n_splits, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CvSpec {
    /// Fold kind (default `auto`).
    #[serde(default)]
    pub kind: CvKind,
    /// Folds per repeat (default 5).
    #[serde(default = "default_splits")]
    pub n_splits: usize,
    /// Shuffle rows before assigning folds (k-fold and stratified only).
    #[serde(default)]
    pub shuffle: bool,
    /// Seed of the shuffle; repeat `r` (0-based) uses `seed + r`.
    #[serde(default)]
    pub seed: u64,
    /// How many times to repeat the whole k-fold with a new seed (needs `shuffle = true` above 1).
    #[serde(default = "default_repeats")]
    pub repeats: usize,
    /// The column whose values form the groups (`kind = "group"` only).
    #[serde(default)]
    pub group_column: Option<String>,
    /// The column that orders rows in time (`kind = "time_series"` only; numeric, integer or
    /// datetime, no missing values). Without it rows are taken to be in time order already.
    #[serde(default)]
    pub time_column: Option<String>,
}

fn default_splits() -> usize {
    5
}

fn default_repeats() -> usize {
    1
}

impl Default for CvSpec {
    fn default() -> Self {
        CvSpec {
            kind: CvKind::Auto,
            n_splits: default_splits(),
            shuffle: false,
            seed: 0,
            repeats: default_repeats(),
            group_column: None,
            time_column: None,
        }
    }
}

fn cv_param(param: &str, message: impl Into<String>) -> PipelineError {
    PipelineError::Prep(PrepError::param("cv", param, message))
}

impl CvSpec {
    /// Checks that the settings make sense together.
    pub fn check(&self) -> PipelineResult<()> {
        if self.n_splits < 2 {
            return Err(cv_param(
                "n_splits",
                format!("must be at least 2, got {}", self.n_splits),
            ));
        }
        if self.repeats == 0 {
            return Err(cv_param("repeats", "must be at least 1"));
        }
        let ordered = matches!(self.kind, CvKind::Group | CvKind::TimeSeries);
        if ordered && self.shuffle {
            return Err(cv_param(
                "shuffle",
                "group and time-series folds are not shuffled; remove `shuffle`",
            ));
        }
        if self.repeats > 1 && !self.shuffle {
            return Err(cv_param(
                "repeats",
                format!(
                    "{} repeats of unshuffled folds would repeat the same folds; set shuffle = true (or repeats = 1)",
                    self.repeats
                ),
            ));
        }
        match (self.kind, &self.group_column) {
            (CvKind::Group, None) => {
                return Err(cv_param("group_column", "group folds need a group_column"));
            }
            (CvKind::Group, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(cv_param(
                    "group_column",
                    "is only used with kind = \"group\"",
                ));
            }
        }
        if self.time_column.is_some() && self.kind != CvKind::TimeSeries {
            return Err(cv_param(
                "time_column",
                "is only used with kind = \"time_series\"",
            ));
        }
        Ok(())
    }

    /// The folds of each repeat for `frame`, whose encoded target is `y` (class codes for
    /// classification). Indices are rows of `frame`, ascending within each set.
    pub fn folds(&self, frame: &Frame, y: &[f64], task: Task) -> PipelineResult<Vec<Vec<Fold>>> {
        self.check()?;
        let n = frame.n_rows();
        let kind = match (self.kind, task) {
            (CvKind::Auto, Task::Classification) => CvKind::Stratified,
            (CvKind::Auto, Task::Regression) => CvKind::KFold,
            (kind, _) => kind,
        };
        let mut out = Vec::with_capacity(self.repeats);
        for r in 0..self.repeats {
            let seed = self.shuffle.then(|| self.seed.wrapping_add(r as u64));
            let folds = match kind {
                // `Auto` was resolved above; it only reaches here for a regression target,
                // where it means k-fold.
                CvKind::KFold | CvKind::Auto => split::k_fold(n, self.n_splits, seed)?,
                CvKind::Stratified => {
                    if task != Task::Classification {
                        return Err(cv_param(
                            "kind",
                            "stratified folds need a classification target; use kind = \"kfold\"",
                        ));
                    }
                    // Codes come from the target encoding: whole numbers in 0..k.
                    let codes: Vec<usize> = y.iter().map(|&c| c as usize).collect();
                    split::stratified_k_fold(&codes, self.n_splits, seed)?
                }
                CvKind::Group => {
                    // `check` guarantees the column is named for group folds.
                    let column = self.group_column.as_deref().unwrap_or_default();
                    split::group_k_fold(&group_values(frame, column)?, self.n_splits)?
                }
                CvKind::TimeSeries => {
                    let order = match &self.time_column {
                        Some(column) => time_order(frame, column)?,
                        None => (0..n).collect(),
                    };
                    split::time_series_split(n, self.n_splits, TimeSeriesOptions::default())?
                        .into_iter()
                        .map(|f| {
                            let mut train: Vec<usize> = f.train.iter().map(|&i| order[i]).collect();
                            let mut test: Vec<usize> = f.test.iter().map(|&i| order[i]).collect();
                            train.sort_unstable();
                            test.sort_unstable();
                            Fold { train, test }
                        })
                        .collect()
                }
            };
            out.push(folds);
        }
        Ok(out)
    }
}

/// The group of every row as text; a missing group is an error naming the row.
fn group_values(frame: &Frame, column: &str) -> PipelineResult<Vec<String>> {
    let col = frame.schema().index_of(column)?;
    (0..frame.n_rows())
        .map(|r| {
            frame.cell_text(r, col).ok_or_else(|| {
                PipelineError::Invalid(format!(
                    "group column '{column}' is missing at row {r}; every row needs a group"
                ))
            })
        })
        .collect()
}

/// Row indices sorted by the time column (stable, so ties keep row order).
fn time_order(frame: &Frame, column: &str) -> PipelineResult<Vec<usize>> {
    let field = frame.schema().field(column)?;
    let times: Vec<f64> = if field.column_type == ColumnType::Datetime {
        let array = frame
            .column(column)?
            .as_primitive::<TimestampMicrosecondType>();
        (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    f64::NAN
                } else {
                    array.value(i) as f64
                }
            })
            .collect()
    } else {
        frame.numeric(column)?
    };
    if let Some(r) = times.iter().position(|t| t.is_nan()) {
        return Err(PipelineError::Invalid(format!(
            "time column '{column}' is missing at row {r}; time-series folds need a time for every row"
        )));
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
    Ok(order)
}

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
        if self.classes.is_some() {
            Task::Classification
        } else {
            Task::Regression
        }
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
            let k = if rows == 0 { 0 } else { p.len() / rows };
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
    if metrics.is_empty() {
        return Err(PipelineError::Invalid(
            "no metrics to cross-validate; give at least one".into(),
        ));
    }
    if frame.n_rows() == 0 {
        return Err(PipelineError::Invalid(
            "the data has no rows; cross-validation needs rows to split".into(),
        ));
    }
    let (y, classes) = encoded_target(spec, frame)?;
    let task = if classes.is_some() {
        Task::Classification
    } else {
        Task::Regression
    };
    if let Some(wrong) = metrics
        .iter()
        .find(|m| m.is_classification() != (task == Task::Classification))
    {
        return Err(PipelineError::Invalid(format!(
            "metric `{}` is a {} metric but the target is a {} target",
            wrong.name(),
            if wrong.is_classification() {
                "classification"
            } else {
                "regression"
            },
            if task == Task::Classification {
                "classification"
            } else {
                "regression"
            },
        )));
    }
    let repeats = cv.folds(frame, &y, task)?;
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
    // nothing but the wall time; `collect` keeps fold order.
    let outputs: Vec<FoldOutput> = if rayon::current_num_threads() > 1 && total > 1 {
        jobs.par_iter().map(run).collect::<PipelineResult<_>>()?
    } else {
        jobs.iter().map(run).collect::<PipelineResult<_>>()?
    };
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
