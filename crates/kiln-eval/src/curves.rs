//! Curves that show how a score moves: with the number of training rows (learning curve), with
//! one hyper-parameter (validation curve) and with the boosting iteration of a gradient-boosted
//! model (iteration curve).
//!
//! Learning and validation curves are cross-validated like [`crate::cross_validate`] — the
//! whole pipeline refitted per fold on training rows only — and report mean ± std (ddof 0) over
//! folds at each point. ROC, precision–recall and calibration curves live with their metrics
//! (`roc_curve`, `precision_recall_curve`, `calibration_curve`).

use kiln_data::Frame;
use kiln_models::FittedModel;
use kiln_prep::Fold;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cv::{CvSpec, check_metrics, cross_validate, encoded_target, run_folds, task_of};
use crate::metric::Metric;
use crate::pipeline::{FittedModelPipeline, ModelPipelineSpec, PipelineError, PipelineResult};
use crate::search::apply_params;

/// Train and validation scores (mean ± std over folds) at each point of a curve.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CurveScores {
    /// Mean training score per point.
    pub train_mean: Vec<f64>,
    /// Standard deviation of the training scores per point.
    pub train_std: Vec<f64>,
    /// Mean validation score per point.
    pub valid_mean: Vec<f64>,
    /// Standard deviation of the validation scores per point.
    pub valid_std: Vec<f64>,
}

impl CurveScores {
    fn push(&mut self, cv: &crate::CvResult) {
        let s = &cv.summary[0];
        self.train_mean.push(s.train_mean);
        self.train_std.push(s.train_std);
        self.valid_mean.push(s.valid_mean);
        self.valid_std.push(s.valid_std);
    }
}

/// Scores against the number of training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningCurve {
    /// The metric.
    pub metric: Metric,
    /// Training rows at each point, increasing.
    pub train_sizes: Vec<usize>,
    /// The scores at each point.
    pub scores: CurveScores,
}

impl LearningCurve {
    /// The last two points as `(rows, validation score)`, for [`crate::fit_readout`].
    pub fn tail(&self) -> Option<((usize, f64), (usize, f64))> {
        let n = self.train_sizes.len();
        (n >= 2).then(|| {
            (
                (self.train_sizes[n - 2], self.scores.valid_mean[n - 2]),
                (self.train_sizes[n - 1], self.scores.valid_mean[n - 1]),
            )
        })
    }
}

/// scikit-learn's default training sizes: `linspace(0.1, 1.0, 5)`.
pub const DEFAULT_TRAIN_FRACTIONS: [f64; 5] = [0.1, 0.325, 0.55, 0.775, 1.0];

/// Learning curve: for each fraction in `fractions` (in `(0, 1]`), each fold's pipeline is
/// fitted on that fraction of the fold's training rows and scored on the fold's training subset
/// and its full validation rows. Sizes are fractions of the smallest fold's training rows (as
/// scikit-learn); the subset of fold `k` of repeat `r` is a random one, seeded with
/// `cv.seed + 1000·r + k`, so it does not take the first rows of sorted data (scikit-learn's
/// `learning_curve(shuffle=True)`). `progress(done, total)` counts points.
///
/// ```
/// use kiln_eval::{learning_curve, CvSpec, Metric, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree", max_depth = 3 }
/// "#)?;
/// let cv = CvSpec { n_splits: 3, ..CvSpec::default() };
/// let curve = learning_curve(&spec, &frame, &cv, Metric::Accuracy, &[0.5, 1.0], &|_, _| {})?;
/// assert_eq!(curve.train_sizes, vec![50, 100]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn learning_curve(
    spec: &ModelPipelineSpec,
    frame: &Frame,
    cv: &CvSpec,
    metric: Metric,
    fractions: &[f64],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> PipelineResult<LearningCurve> {
    spec.check()?;
    if fractions.is_empty() {
        return Err(PipelineError::Invalid(
            "no training sizes for the learning curve; give fractions in (0, 1]".into(),
        ));
    }
    if let Some(f) = fractions.iter().find(|f| !(**f > 0.0 && **f <= 1.0)) {
        return Err(PipelineError::Invalid(format!(
            "learning-curve training size {f} is not a fraction in (0, 1]"
        )));
    }
    let (y, classes) = encoded_target(spec, frame)?;
    let task = task_of(&classes);
    check_metrics(&[metric], task)?;
    let repeats = cv.folds(frame, &y, task)?;
    let smallest = repeats
        .iter()
        .flatten()
        .map(|f| f.train.len())
        .min()
        .unwrap_or(0);
    let mut sizes: Vec<usize> = fractions
        .iter()
        .map(|f| (f * smallest as f64) as usize)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.first().is_none_or(|&s| s == 0) {
        return Err(PipelineError::Invalid(format!(
            "the smallest learning-curve size is 0 rows (folds train on {smallest} rows); use larger fractions"
        )));
    }
    // One random order of each fold's training rows; every size takes a prefix of it, so the
    // subsets are nested as the curve grows.
    let shuffled: Vec<Vec<Vec<usize>>> = repeats
        .iter()
        .enumerate()
        .map(|(r, folds)| {
            folds
                .iter()
                .enumerate()
                .map(|(k, f)| {
                    let seed = cv.seed.wrapping_add((1000 * r + k) as u64);
                    let mut order = f.train.clone();
                    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
                    order
                })
                .collect()
        })
        .collect();
    let mut scores = CurveScores::default();
    for (i, &size) in sizes.iter().enumerate() {
        let cut: Vec<Vec<Fold>> = repeats
            .iter()
            .zip(&shuffled)
            .map(|(folds, orders)| {
                folds
                    .iter()
                    .zip(orders)
                    .map(|(f, order)| {
                        let mut train = order[..size].to_vec();
                        train.sort_unstable();
                        Fold {
                            train,
                            test: f.test.clone(),
                        }
                    })
                    .collect()
            })
            .collect();
        let result =
            run_folds(spec, frame, &cut, &[metric], classes.clone(), &|_, _| {}).map_err(|e| {
                PipelineError::Invalid(format!("learning curve at {size} training rows: {e}"))
            })?;
        scores.push(&result);
        progress(i + 1, sizes.len());
    }
    Ok(LearningCurve {
        metric,
        train_sizes: sizes,
        scores,
    })
}

/// Scores against the values of one hyper-parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationCurve {
    /// The metric.
    pub metric: Metric,
    /// The parameter path (as in [`crate::SearchSpec`]).
    pub param: String,
    /// The values tried, in order.
    pub values: Vec<Value>,
    /// The scores at each value.
    pub scores: CurveScores,
}

/// Validation curve: cross-validates `spec` with `param` set to each of `values` in turn.
/// `progress(done, total)` counts values.
///
/// ```
/// use kiln_eval::{validation_curve, CvSpec, Metric, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "decision_tree" }
/// "#)?;
/// let cv = CvSpec { n_splits: 3, ..CvSpec::default() };
/// let values = [serde_json::json!(1), serde_json::json!(4)];
/// let curve = validation_curve(&spec, &frame, &cv, Metric::Accuracy, "max_depth", &values, &|_, _| {})?;
/// assert!(curve.scores.train_mean[1] > curve.scores.train_mean[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validation_curve(
    spec: &ModelPipelineSpec,
    frame: &Frame,
    cv: &CvSpec,
    metric: Metric,
    param: &str,
    values: &[Value],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> PipelineResult<ValidationCurve> {
    if values.is_empty() {
        return Err(PipelineError::Invalid(format!(
            "no values for the validation curve of '{param}'"
        )));
    }
    let specs = values
        .iter()
        .map(|v| apply_params(spec, &[(param.to_string(), v.clone())].into()))
        .collect::<PipelineResult<Vec<_>>>()?;
    let mut scores = CurveScores::default();
    for (i, (s, v)) in specs.iter().zip(values).enumerate() {
        let result = cross_validate(s, frame, cv, &[metric], &|_, _| {}).map_err(|e| {
            PipelineError::Invalid(format!("validation curve at {param} = {v}: {e}"))
        })?;
        scores.push(&result);
        progress(i + 1, values.len());
    }
    Ok(ValidationCurve {
        metric,
        param: param.to_string(),
        values: values.to_vec(),
        scores,
    })
}

/// Scores of a gradient-boosted model after each boosting iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IterationCurve {
    /// The metric.
    pub metric: Metric,
    /// Iterations (1-based: the model with that many boosting rounds), increasing.
    pub iterations: Vec<usize>,
    /// Score on the training rows at each iteration.
    pub train: Vec<f64>,
    /// Score on the validation rows at each iteration.
    pub valid: Vec<f64>,
}

/// Per-iteration curve of a fitted pipeline whose model is a GBDT: the model cut after `k`
/// iterations predicts `train` and `valid` (each holding the target) for up to `max_points`
/// evenly spaced `k` (always including the last). The cut model is the fitted one with its
/// later trees dropped, so the last point equals the full model's scores exactly.
///
/// `FittedGbdt` keeps a per-iteration history only when fitted with a validation set, which a
/// pipeline fit does not have; cutting the trees gives the history on any rows afterwards.
///
/// ```
/// use kiln_eval::{iteration_curve, Metric, ModelPipelineSpec};
/// let frame = kiln_data::datasets::load("iris")?;
/// let spec: ModelPipelineSpec = toml::from_str(r#"
///     prep = { target = "species", remainder = "passthrough" }
///     model = { kind = "gbdt", objective = "multiclass", n_estimators = 20, min_data_in_leaf = 5 }
/// "#)?;
/// let fitted = spec.fit(&frame)?;
/// let curve = iteration_curve(&fitted, &frame, &frame, Metric::LogLoss, 50)?;
/// assert_eq!(curve.iterations.len(), 20);
/// assert!(curve.train[19] < curve.train[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn iteration_curve(
    fitted: &FittedModelPipeline,
    train: &Frame,
    valid: &Frame,
    metric: Metric,
    max_points: usize,
) -> PipelineResult<IterationCurve> {
    let FittedModel::Gbdt(gbdt) = &fitted.model else {
        return Err(PipelineError::Invalid(
            "per-iteration curves need a gbdt model; this pipeline's model has no boosting iterations"
                .into(),
        ));
    };
    if max_points < 2 {
        return Err(PipelineError::Invalid(format!(
            "max_points of an iteration curve must be at least 2, got {max_points}"
        )));
    }
    let n = gbdt.n_iterations();
    let mut iterations: Vec<usize> = if n <= max_points {
        (1..=n).collect()
    } else {
        (1..=max_points)
            .map(|i| ((i * n) as f64 / max_points as f64).round() as usize)
            .collect()
    };
    iterations.dedup();
    let sides = [train, valid].map(|frame| -> PipelineResult<_> {
        Ok((fitted.prep.transform(frame)?, fitted.encode_target(frame)?))
    });
    let [train_side, valid_side] = sides;
    let (train_side, valid_side) = (train_side?, valid_side?);
    let mut out = IterationCurve {
        metric,
        iterations: Vec::with_capacity(iterations.len()),
        train: Vec::new(),
        valid: Vec::new(),
    };
    for &k in &iterations {
        let mut cut = gbdt.clone();
        cut.trees.truncate(k * gbdt.trees_per_iteration);
        let model = FittedModel::Gbdt(cut);
        for ((x, y), scores) in [(&train_side, &mut out.train), (&valid_side, &mut out.valid)] {
            let p = fitted.predict_prepared(&model, x.view())?;
            scores.push(p.score(metric, y, None)?);
        }
        out.iterations.push(k);
    }
    Ok(out)
}
