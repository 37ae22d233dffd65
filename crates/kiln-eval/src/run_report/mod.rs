//! The run report: everything `kiln train` / `kiln evaluate` learned about one model, as plain
//! data ([`RunReport`], serde) and as one self-contained HTML page ([`RunReport::to_html`]).
//!
//! The struct holds numbers and chart data, never markup, so the registry can store it as JSON
//! and any front end can draw it. [`RunReport::from_evaluation`] builds it from a fitted
//! pipeline, its test rows and (optionally) the cross-validation result in one call; the
//! `add_*` methods attach learning, validation and iteration curves, permutation importances, a
//! data profile and the gate decision. The page (see `html.rs`) has no scripts, no external
//! links and no network access: CSS and SVG charts are inline, and every user string is escaped.

mod charts;
mod html;

use kiln_data::{Frame, fingerprint};
use kiln_stats::chart::XyChart;
use kiln_stats::profile::Profile;
use serde::{Deserialize, Serialize};

use crate::classification::confusion_matrix;
use crate::cv::CvResult;
use crate::diagnostics::{RegressionDiagnostics, regression_diagnostics};
use crate::importance::{ModelImportanceKind, PermutationImportance, model_importances};
use crate::metric::Metric;
use crate::pipeline::{FittedModelPipeline, PipelineError, PipelineResult, Predictions};
use crate::readout::{FitReadout, chance_score, fit_readout};
use crate::{IterationCurve, LearningCurve, ValidationCurve};

pub use charts::MAX_POINTS;

/// Who and what the report is about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportHeader {
    /// Page title.
    pub title: String,
    /// The run's id in the metadata store.
    pub run_id: String,
    /// Registered model name.
    pub model_name: String,
    /// Model version, once registered.
    pub model_version: Option<String>,
}

/// One column of the optional data-profile table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    /// Column name.
    pub column: String,
    /// Column type.
    pub column_type: String,
    /// Column role.
    pub role: String,
    /// Percentage of missing cells.
    pub missing_pct: f64,
    /// Distinct values.
    pub distinct: u64,
    /// Mean (numeric columns).
    pub mean: Option<f64>,
    /// Standard deviation (numeric columns).
    pub std: Option<f64>,
    /// Minimum (numeric columns).
    pub min: Option<f64>,
    /// Maximum (numeric columns).
    pub max: Option<f64>,
}

/// The data the model was trained and tested on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Data name (usually the file name).
    pub name: String,
    /// Training rows.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Content fingerprint of the training data.
    pub fingerprint: String,
    /// Rows of the test split, if one was scored.
    pub test_rows: Option<usize>,
    /// A per-column summary from the data profile (empty when no profile was attached).
    pub profile: Vec<ProfileRow>,
}

impl DatasetSummary {
    /// Rows, columns and fingerprint of the training frame.
    pub fn from_frame(name: &str, train: &Frame) -> DatasetSummary {
        let fp = fingerprint(train);
        DatasetSummary {
            name: name.to_string(),
            rows: fp.n_rows,
            columns: fp.n_cols,
            fingerprint: fp.digest,
            test_rows: None,
            profile: Vec::new(),
        }
    }

    /// Adds the per-column summary of a data profile.
    pub fn with_profile(mut self, profile: &Profile) -> DatasetSummary {
        self.profile = profile
            .columns
            .iter()
            .map(|c| ProfileRow {
                column: c.name.clone(),
                column_type: c.column_type.to_string(),
                role: c.role.to_string(),
                missing_pct: c.missing_pct,
                distinct: c.distinct,
                mean: c.numeric.as_ref().and_then(|n| n.mean),
                std: c.numeric.as_ref().and_then(|n| n.std),
                min: c.numeric.as_ref().and_then(|n| n.min),
                max: c.numeric.as_ref().and_then(|n| n.max),
            })
            .collect();
        self
    }
}

/// One row of the metric table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// The metric.
    pub metric: Metric,
    /// Cross-validated mean validation score.
    pub cv_mean: Option<f64>,
    /// Its standard deviation over folds.
    pub cv_std: Option<f64>,
    /// Cross-validated mean training score.
    pub cv_train_mean: Option<f64>,
    /// Score on the test split.
    pub test: Option<f64>,
}

/// A confusion matrix with class names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionSection {
    /// Class labels, in matrix order.
    pub labels: Vec<String>,
    /// Row-major counts (rows: true class, columns: predicted class).
    pub counts: Vec<f64>,
}

/// One importance bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceItem {
    /// Column or feature name.
    pub name: String,
    /// Importance.
    pub value: f64,
    /// Standard deviation over repeats, when there is one.
    pub std: Option<f64>,
}

/// A ranked list of importances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceSection {
    /// Heading.
    pub title: String,
    /// What the numbers mean.
    pub note: String,
    /// Most important first.
    pub items: Vec<ImportanceItem>,
}

/// One check of the promotion gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateCheck {
    /// What was checked (e.g. "roc_auc ≥ production − 0.01").
    pub name: String,
    /// The candidate's value.
    pub value: f64,
    /// The threshold it was held to.
    pub threshold: f64,
    /// Whether it passed.
    pub passed: bool,
}

/// The validation gate's decision, as decided elsewhere (the report only shows it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateDecision {
    /// Whether the candidate may be promoted.
    pub passed: bool,
    /// One sentence.
    pub summary: String,
    /// The individual checks.
    pub checks: Vec<GateCheck>,
}

/// How long a step took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The step.
    pub step: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Everything the run report shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunReport {
    /// Title, run id, model name and version.
    pub header: ReportHeader,
    /// The model kind (`gbdt`, `decision_tree`, ...).
    pub model_kind: String,
    /// `classification` or `regression`.
    pub task: String,
    /// Class labels for classifiers.
    pub classes: Option<Vec<String>>,
    /// The data.
    pub dataset: DatasetSummary,
    /// Cross-validation and test scores per metric.
    pub metrics: Vec<MetricRow>,
    /// Confusion matrix on the test split (classifiers).
    pub confusion: Option<ConfusionSection>,
    /// ROC, precision–recall, calibration, learning, validation and iteration curves.
    pub curves: Vec<XyChart>,
    /// Model and permutation importances.
    pub importances: Vec<ImportanceSection>,
    /// Residual diagnostics on the test split (regressors).
    pub residuals: Option<RegressionDiagnostics>,
    /// The fit read-out.
    pub readout: Option<FitReadout>,
    /// The promotion gate's decision.
    pub gate: Option<GateDecision>,
    /// Step timings.
    pub timings: Vec<Timing>,
    /// Statements about how the numbers were obtained.
    pub notes: Vec<String>,
}

impl RunReport {
    /// Builds the report of `fitted` from its test rows and, optionally, the cross-validation
    /// run on the training rows: the metric table, the confusion matrix and ROC /
    /// precision–recall / calibration curves (classifiers), residual diagnostics (regressors),
    /// the model's own importances, the fit read-out from the CV train/validation scores of
    /// the first metric, and the CV timing. `test` must hold the target column.
    ///
    /// ```
    /// use kiln_eval::{cross_validate, CvSpec, DatasetSummary, Metric, ModelPipelineSpec, ReportHeader, RunReport};
    /// let frame = kiln_data::datasets::load("iris")?;
    /// let (train, test) = (frame.take(&(0..150).filter(|i| i % 4 != 0).collect::<Vec<_>>())?,
    ///                      frame.take(&(0..150).step_by(4).collect::<Vec<_>>())?);
    /// let spec: ModelPipelineSpec = toml::from_str(r#"
    ///     prep = { target = "species", remainder = "passthrough" }
    ///     model = { kind = "decision_tree", max_depth = 3 }
    /// "#)?;
    /// let metrics = [Metric::Accuracy, Metric::LogLoss];
    /// let cv = cross_validate(&spec, &train, &CvSpec::default(), &metrics, &|_, _| {})?;
    /// let fitted = spec.fit(&train)?;
    /// let header = ReportHeader { title: "iris".into(), run_id: "r1".into(), model_name: "iris-tree".into(), model_version: None };
    /// let report = RunReport::from_evaluation(header, DatasetSummary::from_frame("iris.csv", &train), &fitted, &test, Some(&cv), &metrics)?;
    /// let html = report.to_html();
    /// assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Confusion matrix"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_evaluation(
        header: ReportHeader,
        dataset: DatasetSummary,
        fitted: &FittedModelPipeline,
        test: &Frame,
        cv: Option<&CvResult>,
        metrics: &[Metric],
    ) -> PipelineResult<RunReport> {
        let y = fitted.encode_target(test)?;
        let predictions = fitted.predict(test)?;
        Self::from_predictions(header, dataset, fitted, &y, &predictions, cv, metrics)
    }

    /// As [`RunReport::from_evaluation`], from test predictions already made (a training run
    /// has them from its one test evaluation; predicting a large test set again costs seconds).
    /// `y` is the encoded target of the test rows, `predictions` the fitted pipeline's answer.
    pub fn from_predictions(
        header: ReportHeader,
        dataset: DatasetSummary,
        fitted: &FittedModelPipeline,
        y: &[f64],
        predictions: &Predictions,
        cv: Option<&CvResult>,
        metrics: &[Metric],
    ) -> PipelineResult<RunReport> {
        if y.len() != predictions.values.len() {
            return Err(PipelineError::Invalid(format!(
                "{} test targets but {} predictions; expected one prediction per test row",
                y.len(),
                predictions.values.len()
            )));
        }
        let classes = fitted.classes().map(<[String]>::to_vec);
        let mut report = RunReport {
            header,
            model_kind: model_kind(fitted),
            task: if classes.is_some() {
                "classification".into()
            } else {
                "regression".into()
            },
            classes: classes.clone(),
            dataset: DatasetSummary {
                test_rows: Some(y.len()),
                ..dataset
            },
            ..RunReport::default()
        };
        for &metric in metrics {
            let summary = cv.and_then(|c| c.summary_of(metric));
            report.metrics.push(MetricRow {
                metric,
                cv_mean: summary.map(|s| s.valid_mean),
                cv_std: summary.map(|s| s.valid_std),
                cv_train_mean: summary.map(|s| s.train_mean),
                test: Some(predictions.score(metric, y, None)?),
            });
        }
        match &classes {
            Some(names) => {
                let cm = confusion_matrix(y, &predictions.values, None)?;
                report.confusion = Some(ConfusionSection {
                    labels: cm
                        .labels
                        .iter()
                        .map(|&c| names.get(c).cloned().unwrap_or_else(|| c.to_string()))
                        .collect(),
                    counts: cm.counts,
                });
                let oof = cv.and_then(|c| c.out_of_fold.first());
                report
                    .curves
                    .extend(charts::classification_charts(names, y, predictions, oof)?);
            }
            None => {
                report.residuals = Some(regression_diagnostics(y, &predictions.values)?);
            }
        }
        if let Some(imp) = model_importances(fitted) {
            let (title, note) = match imp.kind {
                ModelImportanceKind::Gain => (
                    "Model importance (total split gain)",
                    "Summed loss reduction of the splits on each model feature.",
                ),
                ModelImportanceKind::Impurity => (
                    "Model importance (impurity decrease)",
                    "Weighted impurity decrease of the splits on each model feature, normalised to sum to 1.",
                ),
            };
            report.importances.push(ImportanceSection {
                title: title.into(),
                note: note.into(),
                items: imp
                    .features
                    .into_iter()
                    .map(|(name, value)| ImportanceItem {
                        name,
                        value,
                        std: None,
                    })
                    .collect(),
            });
        }
        if let Some(cv) = cv {
            if let (Some(first), Some(oof)) = (cv.summary.first(), cv.out_of_fold.first()) {
                let n_classes = cv.classes.as_ref().map(Vec::len);
                let chance = chance_score(first.metric, &oof.y_true, n_classes)?;
                report.readout = Some(fit_readout(
                    first.metric,
                    first.train_mean,
                    first.valid_mean,
                    chance,
                    None,
                ));
            }
            report.timings.push(Timing {
                step: "cross-validation".into(),
                seconds: cv.total_seconds,
            });
            let folds_per_repeat = cv.folds.iter().filter(|f| f.repeat == 0).count();
            report.notes.push(format!(
                "Cross-validation: {} fold(s) × {} repeat(s) on the training rows; the whole pipeline was refitted in every fold on that fold's training rows only.",
                folds_per_repeat,
                cv.out_of_fold.len()
            ));
        }
        report.notes.push(format!(
            "The test split ({} rows) was used once, for the test column and {}; it took no part in fitting or model selection.",
            y.len(),
            if classes.is_some() {
                "the confusion matrix and the curves marked \"test\""
            } else {
                "the residual diagnostics"
            }
        ));
        Ok(report)
    }

    /// Adds a learning curve and, when the read-out is in the same metric, lets its last two
    /// points inform the "more data" verdict.
    pub fn add_learning_curve(&mut self, curve: &LearningCurve) {
        self.curves.push(charts::learning_chart(curve));
        if let Some(r) = &self.readout
            && r.metric == curve.metric
        {
            self.readout = Some(fit_readout(
                r.metric,
                r.train,
                r.valid,
                r.chance,
                curve.tail(),
            ));
        }
    }

    /// Adds a validation curve.
    pub fn add_validation_curve(&mut self, curve: &ValidationCurve) {
        self.curves.push(charts::validation_chart(curve));
    }

    /// Adds a per-iteration curve.
    pub fn add_iteration_curve(&mut self, curve: &IterationCurve) {
        self.curves.push(charts::iteration_chart(curve));
    }

    /// Adds permutation importances.
    pub fn add_permutation_importance(&mut self, imp: &PermutationImportance) {
        self.importances.push(ImportanceSection {
            title: format!("Permutation importance ({})", imp.metric.name()),
            note: format!(
                "Drop in {} when one raw input column is shuffled ({} rows, {} repeats, seed {}); baseline {}. Bars show the mean, whiskers ± one standard deviation.",
                imp.metric.name(),
                imp.n_rows,
                imp.n_repeats,
                imp.seed,
                html::number(imp.baseline)
            ),
            items: imp
                .columns
                .iter()
                .map(|c| ImportanceItem {
                    name: c.column.clone(),
                    value: c.mean,
                    std: Some(c.std),
                })
                .collect(),
        });
    }

    /// Renders the self-contained HTML page.
    pub fn to_html(&self) -> String {
        html::render(self)
    }
}

/// The model's `kind` tag as written in `kiln.toml`.
fn model_kind(fitted: &FittedModelPipeline) -> String {
    use kiln_models::FittedModel;
    match &fitted.model {
        FittedModel::Gbdt(_) => "gbdt".into(),
        FittedModel::DecisionTree(_) => "decision_tree".into(),
        FittedModel::RandomForest(_) => "random_forest".into(),
        // Other models: read the serde tag (one serialisation, only for these).
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_default(),
    }
}
