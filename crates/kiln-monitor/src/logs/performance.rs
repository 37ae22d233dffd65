//! Performance over time: once feedback labels come back, the metric per window, and an alert
//! when it crosses a threshold.
//!
//! Every metric is kiln-eval's [`Metric`], the same definition training reported. Each window
//! reports, over its labelled rows: classifiers — accuracy and macro F1, and ROC-AUC when every
//! labelled row has probabilities and the labels hold every class (one-vs-rest for more than
//! two); regressors — RMSE and MAE; plus the chosen metric, which the alert reads.
//!
//! Labels are matched to the model's classes as text. A label the model does not know is kept
//! as a class of its own (so it counts as a wrong prediction, as scikit-learn counts a label
//! absent from the predictions) and counted in `unknown_labels`; probability metrics are then
//! undefined for the window. A regression label that is not a finite number is left out and
//! counted in `invalid_labels`.
//!
//! A window with fewer than `min_labels` labels shows its value but never alerts
//! (`too_few_labels`): an accuracy over five labels moves by 20 points with one row.

use std::collections::BTreeMap;

use kiln_data::Frame;
use kiln_eval::{Metric, Prediction};
use serde::{Deserialize, Serialize};

use super::rows::{LogFilter, LogRows, ModelKind, read_rows};
use super::window::{Window, WindowSpec, format_width, group};
use crate::error::{MonitorError, Result};

/// Default least labels for a window's metric to be judged.
pub const DEFAULT_MIN_LABELS: usize = 30;

/// When a window's metric raises an alert.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// Alert when the metric is below this value (accuracy, F1, ROC-AUC, R²).
    Below(f64),
    /// Alert when the metric is above this value (RMSE, MAE, log-loss).
    Above(f64),
}

impl Alert {
    /// True when `value` crosses the threshold.
    pub fn fires(self, value: f64) -> bool {
        match self {
            Alert::Below(t) => value < t,
            Alert::Above(t) => value > t,
        }
    }

    fn check(self) -> Result<()> {
        let (name, t) = match self {
            Alert::Below(t) => ("alert_below", t),
            Alert::Above(t) => ("alert_above", t),
        };
        if t.is_finite() {
            Ok(())
        } else {
            Err(MonitorError::InvalidParameter {
                name,
                value: t.to_string(),
                expected: "a finite metric value, e.g. 0.8",
            })
        }
    }
}

/// Options of [`performance`].
#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceOptions {
    /// Which rows.
    pub filter: LogFilter,
    /// What the model predicts.
    pub kind: ModelKind,
    /// Window width and range.
    pub window: WindowSpec,
    /// The metric the alert reads.
    pub metric: Metric,
    /// The alert threshold, if any.
    pub alert: Option<Alert>,
    /// Windows with fewer labels are not judged.
    pub min_labels: usize,
}

impl PerformanceOptions {
    /// Defaults: accuracy for classifiers, RMSE for regressors, no alert,
    /// [`DEFAULT_MIN_LABELS`].
    pub fn new(filter: LogFilter, kind: ModelKind, window: WindowSpec) -> Self {
        let metric = match kind {
            ModelKind::Classification { .. } => Metric::Accuracy,
            ModelKind::Regression => Metric::Rmse,
        };
        PerformanceOptions {
            filter,
            kind,
            window,
            metric,
            alert: None,
            min_labels: DEFAULT_MIN_LABELS,
        }
    }

    fn check(&self) -> Result<()> {
        if self.min_labels == 0 {
            return Err(MonitorError::InvalidParameter {
                name: "min_labels",
                value: "0".into(),
                expected: "at least 1 label per judged window (default 30)",
            });
        }
        if let Some(a) = self.alert {
            a.check()?;
        }
        let classifier = matches!(self.kind, ModelKind::Classification { .. });
        if self.metric.is_classification() != classifier {
            let fits: Vec<&str> = Metric::ALL
                .iter()
                .filter(|m| m.is_classification() == classifier)
                .map(|m| m.name())
                .collect();
            return Err(MonitorError::spec(
                "metric",
                format!(
                    "{} is a {} metric but {} is a {}; expected one of: {}",
                    self.metric.name(),
                    if classifier {
                        "regression"
                    } else {
                        "classification"
                    },
                    self.filter.model,
                    if classifier {
                        "classifier"
                    } else {
                        "regression model"
                    },
                    fits.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

/// How a window's metric came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerformanceStatus {
    /// Enough labels, no alert.
    Ok,
    /// Enough labels and the metric crossed the threshold.
    Alert,
    /// Fewer labels than `min_labels`: shown, not judged.
    TooFewLabels,
    /// No label came back for the window.
    NoLabels,
    /// The metric is undefined on these labels (see the note).
    Undefined,
}

/// One window of a performance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowPerformance {
    /// The window, its rows and versions.
    #[serde(flatten)]
    pub window: Window,
    /// Rows with a usable feedback label.
    pub labelled: usize,
    /// Labels the model's classes do not contain (classifiers).
    pub unknown_labels: usize,
    /// Labels that are not finite numbers (regressors; left out).
    pub invalid_labels: usize,
    /// The outcome.
    pub status: PerformanceStatus,
    /// The chosen metric, when defined.
    pub value: Option<f64>,
    /// Every metric computed for the window, by name.
    pub metrics: BTreeMap<String, f64>,
    /// Why the chosen metric is undefined, when it is.
    pub note: Option<String>,
}

/// The outcome of [`performance`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceReport {
    /// The model name.
    pub model: String,
    /// The version filtered on, if any.
    pub version: Option<u32>,
    /// Window width, e.g. `1d`.
    pub window: String,
    /// The metric the alert reads.
    pub metric: Metric,
    /// The alert threshold.
    pub alert: Option<Alert>,
    /// Least labels for a window to be judged.
    pub min_labels: usize,
    /// Rows selected from the log.
    pub rows: usize,
    /// Rows with a usable label.
    pub labelled_rows: usize,
    /// Every window from the first selected row to the last, empty ones included.
    pub windows: Vec<WindowPerformance>,
    /// Windows that alerted.
    pub alerts: usize,
}

/// The metric per window over the rows whose feedback came back.
pub fn performance(log: &Frame, options: &PerformanceOptions) -> Result<PerformanceReport> {
    options.check()?;
    let rows = read_rows(log, &options.filter, &options.window, &options.kind, true)?;
    let grouped = group(&options.window, &rows.times, &rows.versions)?;
    let windows: Vec<WindowPerformance> = grouped
        .windows
        .into_iter()
        .zip(&grouped.rows)
        .map(|(window, members)| judge(window, &rows, members, options))
        .collect();
    Ok(PerformanceReport {
        model: options.filter.model.clone(),
        version: options.filter.version,
        window: format_width(options.window.width_micros),
        metric: options.metric,
        alert: options.alert,
        min_labels: options.min_labels,
        rows: rows.len(),
        labelled_rows: windows.iter().map(|w| w.labelled).sum(),
        alerts: windows
            .iter()
            .filter(|w| w.status == PerformanceStatus::Alert)
            .count(),
        windows,
    })
}

/// The labelled rows of one window as metric inputs.
struct Labelled {
    y_true: Vec<f64>,
    y_pred: Vec<f64>,
    /// Row-major probabilities, when every labelled row has them and no label is unknown.
    probabilities: Option<Vec<f64>>,
    unknown: usize,
    invalid: usize,
}

fn labelled(rows: &LogRows, members: &[usize], kind: &ModelKind) -> Labelled {
    let mut out = Labelled {
        y_true: Vec::new(),
        y_pred: Vec::new(),
        probabilities: Some(Vec::new()),
        unknown: 0,
        invalid: 0,
    };
    let mut unknown_codes: Vec<String> = Vec::new();
    for &i in members {
        let Some(label) = rows.feedback[i].as_deref() else {
            continue;
        };
        match kind {
            ModelKind::Regression => match label.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    out.y_true.push(v);
                    out.y_pred.push(rows.values[i]);
                }
                _ => out.invalid += 1,
            },
            ModelKind::Classification { classes } => {
                let code = match classes.iter().position(|c| c == label) {
                    Some(c) => c,
                    None => {
                        out.unknown += 1;
                        // Each unknown label is a class of its own after the model's classes.
                        let at = unknown_codes.iter().position(|u| u == label);
                        classes.len()
                            + at.unwrap_or_else(|| {
                                unknown_codes.push(label.to_string());
                                unknown_codes.len() - 1
                            })
                    }
                };
                out.y_true.push(code as f64);
                let predicted = rows.labels[i]
                    .as_deref()
                    .and_then(|l| classes.iter().position(|c| c == l))
                    .map_or(rows.values[i], |c| c as f64);
                out.y_pred.push(predicted);
                match (&mut out.probabilities, &rows.probabilities[i]) {
                    (Some(all), Some(p)) => all.extend_from_slice(p),
                    _ => out.probabilities = None,
                }
            }
        }
    }
    if out.unknown > 0 || matches!(kind, ModelKind::Regression) {
        out.probabilities = None;
    }
    out
}

/// The prediction `metric` reads, or why there is none.
fn prediction_for<'a>(
    metric: Metric,
    kind: &ModelKind,
    l: &'a Labelled,
    scores: &'a [f64],
) -> std::result::Result<Prediction<'a>, String> {
    let n_classes = kind.classes().map_or(0, <[String]>::len);
    match (kind, metric.needs_scores(), &l.probabilities) {
        (ModelKind::Regression, _, _) => Ok(Prediction::Values(&l.y_pred)),
        (_, false, _) => Ok(Prediction::Labels(&l.y_pred)),
        (_, true, Some(_)) if n_classes == 2 => Ok(Prediction::Scores(scores)),
        (_, true, Some(p)) => Ok(Prediction::Probabilities {
            values: p,
            n_classes,
        }),
        (_, true, None) if l.unknown > 0 => Err(format!(
            "{} needs probabilities of known classes; {} labels are not classes of the model",
            metric.name(),
            l.unknown
        )),
        (_, true, None) => Err(format!(
            "{} needs class probabilities and some labelled rows were logged without them",
            metric.name()
        )),
    }
}

fn judge(
    window: Window,
    rows: &LogRows,
    members: &[usize],
    options: &PerformanceOptions,
) -> WindowPerformance {
    let l = labelled(rows, members, &options.kind);
    let mut out = WindowPerformance {
        window,
        labelled: l.y_true.len(),
        unknown_labels: l.unknown,
        invalid_labels: l.invalid,
        status: PerformanceStatus::NoLabels,
        value: None,
        metrics: BTreeMap::new(),
        note: None,
    };
    if l.y_true.is_empty() {
        return out;
    }
    // The positive-class column of a binary classifier (class code 1).
    let scores: Vec<f64> = match (&l.probabilities, options.kind.classes()) {
        (Some(p), Some(c)) if c.len() == 2 => p.chunks(2).map(|r| r[1]).collect(),
        _ => Vec::new(),
    };
    let compute = |m: Metric| -> std::result::Result<f64, String> {
        let prediction = prediction_for(m, &options.kind, &l, &scores)?;
        m.compute(&l.y_true, prediction, None)
            .map_err(|e| e.to_string())
    };
    let standard: &[Metric] = match options.kind {
        ModelKind::Classification { .. } => &[Metric::Accuracy, Metric::F1Macro, Metric::RocAuc],
        ModelKind::Regression => &[Metric::Rmse, Metric::Mae],
    };
    for &m in standard {
        // A standard metric that is undefined here (ROC-AUC on one class) is left out; only
        // the chosen metric explains itself in the note.
        if let Ok(v) = compute(m) {
            out.metrics.insert(m.name().to_string(), v);
        }
    }
    match compute(options.metric) {
        Ok(v) => {
            out.metrics.insert(options.metric.name().to_string(), v);
            out.value = Some(v);
            out.status = if out.labelled < options.min_labels {
                PerformanceStatus::TooFewLabels
            } else if options.alert.is_some_and(|a| a.fires(v)) {
                PerformanceStatus::Alert
            } else {
                PerformanceStatus::Ok
            };
        }
        Err(reason) => {
            out.status = PerformanceStatus::Undefined;
            out.note = Some(reason);
        }
    }
    out
}
