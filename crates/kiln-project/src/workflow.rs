//! The training workflow: cross-validate every candidate on the training rows, pick the best by
//! the selection metric, refit it on all training rows, and score it once on the test rows.
//!
//! Candidates come from `[[model]]` (each with `[prep]`, or the automatic preparation of
//! [`crate::auto_prep`]); with none configured kiln tries a GBDT and a simpler baseline, as a
//! practitioner would. The test rows are read only after the choice is made, so the test score
//! is an honest estimate; the report says so.

use std::time::Instant;

use kiln_data::Frame;
use kiln_eval::{
    CvKind, CvResult, CvSpec, FittedModelPipeline, Metric, ModelPipelineSpec, Predictions,
    cross_validate,
};
use kiln_models::ModelSpec;
use kiln_prep::Task;

use crate::auto_prep::{auto_prep, model_kind};
use crate::config::ProjectConfig;
use crate::data::ProjectData;
use crate::error::{ProjectError, Result};

/// Where the workflow reports what it is doing (the CLI draws progress bars from it).
pub trait Progress: Sync {
    /// A new stage starts (`"cross-validating gbdt"`); `steps` is its length when known.
    fn stage(&self, message: &str, steps: Option<usize>);
    /// `done` of the current stage's steps are finished.
    fn advance(&self, done: usize);
}

/// A [`Progress`] that shows nothing (library use, tests).
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: Option<usize>) {}
    fn advance(&self, _: usize) {}
}

/// One candidate model and how it did in cross-validation.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// A short name (`gbdt`, `random_forest`, `gbdt#2` for a second GBDT).
    pub label: String,
    /// The pipeline spec that was cross-validated.
    pub spec: ModelPipelineSpec,
    /// Feature columns the automatic preparation left out (text, datetime).
    pub skipped: Vec<String>,
    /// The cross-validation result (None when CV is switched off with `cv_folds < 2`).
    pub cv: Option<CvResult>,
}

impl Candidate {
    /// Mean validation score of `metric`, if cross-validated.
    pub fn cv_score(&self, metric: Metric) -> Option<f64> {
        self.cv
            .as_ref()
            .and_then(|cv| cv.summary_of(metric))
            .map(|s| s.valid_mean)
    }
}

/// The held-out evaluation of the chosen pipeline.
#[derive(Debug, Clone)]
pub struct TestEvaluation {
    /// Encoded targets of the test rows.
    pub y_true: Vec<f64>,
    /// Predictions for the test rows.
    pub predictions: Predictions,
    /// One score per reported metric, in [`TrainOutcome::metrics`] order.
    pub scores: Vec<f64>,
}

/// Everything `train` produced.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// The hyper-parameter search of the first candidate, when `[tune]` asked for one.
    pub tuned: Option<kiln_eval::SearchResult>,
    /// The selection metric.
    pub metric: Metric,
    /// Every metric reported (the selection metric first).
    pub metrics: Vec<Metric>,
    /// The candidates, in configuration order.
    pub candidates: Vec<Candidate>,
    /// Index of the chosen candidate.
    pub best: usize,
    /// The chosen pipeline refitted on all training rows.
    pub pipeline: FittedModelPipeline,
    /// Its one evaluation on the test rows.
    pub test: TestEvaluation,
    /// Seconds for the final fit.
    pub fit_seconds: f64,
    /// Training rows.
    pub train_rows: usize,
}

impl TrainOutcome {
    /// The chosen candidate.
    pub fn chosen(&self) -> &Candidate {
        &self.candidates[self.best]
    }

    /// The test score of `metric`, if reported.
    pub fn test_score(&self, metric: Metric) -> Option<f64> {
        let i = self.metrics.iter().position(|&m| m == metric)?;
        self.test.scores.get(i).copied()
    }
}

/// The metrics reported for a task, the selection metric first.
pub fn report_metrics(task: Task, n_classes: usize, selection: Metric) -> Vec<Metric> {
    let mut metrics = match task {
        Task::Classification if n_classes == 2 => vec![
            Metric::RocAuc,
            Metric::LogLoss,
            Metric::Accuracy,
            Metric::F1,
            Metric::AveragePrecision,
            Metric::BrierScore,
        ],
        Task::Classification => vec![
            Metric::LogLoss,
            Metric::Accuracy,
            Metric::BalancedAccuracy,
            Metric::F1Macro,
            Metric::RocAuc,
        ],
        Task::Regression => vec![
            Metric::Rmse,
            Metric::Mae,
            Metric::R2,
            Metric::MedianAbsoluteError,
        ],
    };
    metrics.retain(|&m| m != selection);
    metrics.insert(0, selection);
    metrics
}

/// The default selection metric: ROC-AUC for two classes, log-loss for more, RMSE for
/// regression.
pub fn default_metric(task: Task, n_classes: usize) -> Metric {
    match task {
        Task::Classification if n_classes == 2 => Metric::RocAuc,
        Task::Classification => Metric::LogLoss,
        Task::Regression => Metric::Rmse,
    }
}

/// The candidates kiln tries when `kiln.toml` names none: a GBDT and the interpretable baseline
/// of the task (logistic regression for classes, ridge for quantities), as a practitioner would
/// start.
pub fn default_models(task: Task) -> Vec<ModelSpec> {
    let baseline = match task {
        Task::Classification => r#"{"kind": "logistic_regression"}"#,
        Task::Regression => r#"{"kind": "ridge"}"#,
    };
    [r#"{"kind": "gbdt"}"#, baseline]
        .iter()
        // The literals above are valid specs; the unit test below proves they parse.
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect()
}

/// Points a model's task-dependent defaults at the task: a GBDT's objective (binary, multiclass
/// or squared error) and a tree's or forest's criterion (gini or squared error). A setting that
/// already fits the task is kept, so `objective = "huber"` or `criterion = "entropy"` stay.
pub fn adapt_to_task(model: ModelSpec, task: Task, n_classes: usize) -> ModelSpec {
    use kiln_models::{Criterion, Objective};
    let classification = task == Task::Classification;
    let criterion = |c: Criterion| match (classification, c.is_classification()) {
        (true, false) => Criterion::Gini,
        (false, true) => Criterion::SquaredError,
        _ => c,
    };
    match model {
        ModelSpec::Gbdt(mut g) => {
            g.objective = match (classification, g.objective) {
                (true, _) if n_classes > 2 => Objective::Multiclass,
                (true, _) => Objective::Binary,
                (false, o) if o.is_classification() => Objective::SquaredError,
                (false, o) => o,
            };
            ModelSpec::Gbdt(g)
        }
        ModelSpec::DecisionTree(mut t) => {
            t.criterion = criterion(t.criterion);
            ModelSpec::DecisionTree(t)
        }
        ModelSpec::RandomForest(mut f) => {
            f.criterion = criterion(f.criterion);
            ModelSpec::RandomForest(f)
        }
        other => other,
    }
}

/// Builds the candidate specs: `[prep]` when given, the automatic preparation otherwise.
pub fn candidate_specs(
    config: &ProjectConfig,
    frame: &Frame,
    task: Task,
    n_classes: usize,
) -> Result<Vec<(String, ModelPipelineSpec, Vec<String>)>> {
    let models = if config.model.is_empty() {
        default_models(task)
    } else {
        config.model.clone()
    };
    let mut out: Vec<(String, ModelPipelineSpec, Vec<String>)> = Vec::new();
    for model in models {
        let model = adapt_to_task(model, task, n_classes);
        let kind = model_kind(&model);
        let seen = out
            .iter()
            .filter(|(l, _, _)| l.split('#').next() == Some(&kind))
            .count();
        let label = if seen == 0 {
            kind
        } else {
            format!("{kind}#{}", seen + 1)
        };
        let (mut prep, model, skipped) = match &config.prep {
            Some(prep) => (prep.clone(), model, Vec::new()),
            None => {
                let auto = auto_prep(
                    frame.schema(),
                    &config.data.target,
                    &model,
                    config.split.seed,
                )?;
                (auto.prep, auto.model, auto.skipped)
            }
        };
        prep.target = Some(config.data.target.clone());
        prep.task = Some(task);
        out.push((label, ModelPipelineSpec { prep, model }, skipped));
    }
    Ok(out)
}

/// The cross-validation `[split]` asks for, on the training rows.
pub fn cv_spec(config: &ProjectConfig) -> CvSpec {
    let s = &config.split;
    let kind = if s.group.is_some() {
        CvKind::Group
    } else if s.time.is_some() {
        CvKind::TimeSeries
    } else {
        CvKind::Auto
    };
    let shuffle = matches!(kind, CvKind::Auto);
    CvSpec {
        kind,
        n_splits: s.cv_folds,
        shuffle,
        seed: s.seed,
        repeats: if shuffle { s.cv_repeats } else { 1 },
        group_column: s.group.clone(),
        time_column: s.time.clone(),
    }
}

/// Runs the workflow on prepared project data.
pub fn train(
    config: &ProjectConfig,
    data: &ProjectData,
    progress: &dyn Progress,
) -> Result<TrainOutcome> {
    let train = data.train()?;
    let n_classes = crate::data::n_classes(&train, &config.data.target, data.task)?;
    if data.task == Task::Classification && n_classes < 2 {
        return Err(ProjectError::Invalid(format!(
            "the target column '{}' has a single class in the training rows; classification needs at least 2",
            config.data.target
        )));
    }
    let metric = config
        .train
        .metric
        .unwrap_or(default_metric(data.task, n_classes));
    if metric.is_classification() != (data.task == Task::Classification) {
        return Err(ProjectError::Config {
            origin: "kiln.toml".into(),
            message: format!(
                "train.metric: '{}' does not fit a {} target",
                metric.name(),
                if data.task == Task::Classification {
                    "classification"
                } else {
                    "regression"
                }
            ),
        });
    }
    let metrics = report_metrics(data.task, n_classes, metric);
    let mut specs = candidate_specs(config, &data.frame, data.task, n_classes)?;
    let tuned = match (&config.tune, specs.first_mut()) {
        (Some(tune), Some((label, spec, _))) => {
            let mut tune = tune.clone();
            tune.metric.get_or_insert(metric);
            progress.stage(&format!("tuning {label}"), None);
            let result = kiln_eval::search(spec, &train, &tune, &|done, _| progress.advance(done))?;
            *spec = result.best_spec.clone();
            Some(result)
        }
        _ => None,
    };
    let cv = cv_spec(config);
    let mut candidates = Vec::with_capacity(specs.len());
    for (label, spec, skipped) in specs {
        let result = if config.split.cv_folds >= 2 {
            let total = cv.n_splits * cv.repeats;
            progress.stage(&format!("cross-validating {label}"), Some(total));
            Some(cross_validate(&spec, &train, &cv, &metrics, &|done, _| {
                progress.advance(done)
            })?)
        } else {
            None
        };
        candidates.push(Candidate {
            label,
            spec,
            skipped,
            cv: result,
        });
    }
    let best = pick_best(&candidates, metric);
    let chosen = &candidates[best];
    progress.stage(
        &format!("fitting {} on all training rows", chosen.label),
        None,
    );
    let start = Instant::now();
    let pipeline = chosen.spec.fit(&train)?;
    let fit_seconds = start.elapsed().as_secs_f64();
    progress.stage("scoring the held-out test rows (once)", None);
    let test_frame = data.test()?;
    let y_true = pipeline.encode_target(&test_frame)?;
    let predictions = pipeline.predict(&test_frame)?;
    let scores = metrics
        .iter()
        .map(|&m| predictions.score(m, &y_true, None))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(TrainOutcome {
        tuned,
        metric,
        metrics,
        candidates,
        best,
        pipeline,
        test: TestEvaluation {
            y_true,
            predictions,
            scores,
        },
        fit_seconds,
        train_rows: train.n_rows(),
    })
}

/// The candidate with the best mean validation score; the first on ties or without CV.
fn pick_best(candidates: &[Candidate], metric: Metric) -> usize {
    let mut best = 0;
    for (i, c) in candidates.iter().enumerate().skip(1) {
        if let (Some(a), Some(b)) = (c.cv_score(metric), candidates[best].cv_score(metric))
            && metric.is_better(a, b)
        {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::prepare;
    use kiln_data::datasets;

    #[test]
    fn default_models_parse() {
        assert_eq!(default_models(Task::Classification).len(), 2);
        assert_eq!(default_models(Task::Regression).len(), 2);
    }

    #[test]
    fn penguins_end_to_end_picks_a_model_and_scores_the_test_rows_once() {
        let config = ProjectConfig::from_toml(
            "[data]\npath = \"p.csv\"\ntarget = \"species\"\n[split]\ncv_folds = 3\n[[model]]\nkind = \"gbdt\"\nn_estimators = 30\n[[model]]\nkind = \"decision_tree\"\nmax_depth = 3\n",
            "kiln.toml",
        )
        .expect("valid");
        let data = prepare(datasets::load("penguins").expect("bundled"), &config).expect("data");
        let outcome = train(&config, &data, &Quiet).expect("trains");
        assert_eq!(outcome.metric, Metric::LogLoss);
        assert_eq!(outcome.candidates.len(), 2);
        assert_eq!(outcome.test.y_true.len(), data.split.test.len());
        // Penguin species are nearly separable: any sensible model is above 90% on held-out rows.
        let acc = outcome.test_score(Metric::Accuracy).expect("reported");
        assert!(acc > 0.9, "{acc}");
        assert_eq!(outcome.chosen().cv.as_ref().expect("cv").folds.len(), 3);
    }

    #[test]
    fn a_regression_metric_on_classes_is_refused() {
        let config = ProjectConfig::from_toml(
            "[data]\npath = \"p.csv\"\ntarget = \"species\"\n[train]\nmetric = \"rmse\"\n",
            "kiln.toml",
        )
        .expect("valid");
        let data = prepare(datasets::load("penguins").expect("bundled"), &config).expect("data");
        let e = train(&config, &data, &Quiet).expect_err("wrong metric");
        assert!(e.to_string().contains("train.metric"), "{e}");
    }
}
