//! Prediction drift per time window: is the model answering differently from how it answered on
//! its test rows?
//!
//! The predictions become a small frame — `prediction` (the class label, categorical, or the
//! regression value, numeric) and, for classifiers, `proba_<class>` per class (for two classes
//! only the second class's column: the first is its complement and would count the same shift
//! twice) — and each window's frame goes through [`detect_drift`] against a
//! [`ReferenceProfile`] of the reference frame, so the method is Evidently's automatic choice
//! (chi-square / z test or Jensen–Shannon for labels, KS or Wasserstein for values and
//! probabilities, by reference size) and every threshold and override of a [`DriftSpec`]
//! applies. A window drifts when its prediction column drifts, or, with `probabilities` on, any
//! probability column does.
//!
//! Windows with fewer than `min_rows` rows are reported but not tested: a two-row window says
//! nothing about a distribution, and a p-value test on it would only add noise.

use kiln_data::Frame;
use kiln_eval::Predictions;
use serde::{Deserialize, Serialize};

use super::rows::{LogFilter, LogRows, ModelKind, read_rows};
use super::window::{Window, WindowSpec, format_width, group};
use crate::drift::{ColumnDrift, DriftSpec, ReferenceOptions, ReferenceProfile, detect_drift};
use crate::error::{MonitorError, Result};

/// The column of the prediction frame that holds the label or value.
pub const PREDICTION_COLUMN: &str = "prediction";

/// Default least rows for a window to be tested.
pub const DEFAULT_MIN_ROWS: usize = 30;

/// The column of the prediction frame that holds the probability of `class`.
pub fn probability_column(class: &str) -> String {
    format!("proba_{class}")
}

/// The class codes whose probability columns are kept: the second of two classes, or all.
fn probability_codes(n_classes: usize) -> std::ops::Range<usize> {
    if n_classes == 2 { 1..2 } else { 0..n_classes }
}

/// The prediction frame of `rows` (labels or values, and probability columns for classifiers).
/// A row without a logged label falls back to `classes[code]`; missing probabilities are
/// missing cells.
pub fn prediction_frame(
    kind: &ModelKind,
    values: &[f64],
    labels: &[Option<String>],
    probabilities: &[Option<Vec<f64>>],
) -> Result<Frame> {
    let classes = match kind {
        ModelKind::Regression => return Ok(Frame::from_f64(PREDICTION_COLUMN, values)?),
        ModelKind::Classification { classes } => classes,
    };
    let text: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &code)| match labels.get(i).cloned().flatten() {
            Some(l) => l,
            None => {
                let known = code >= 0.0 && (code as usize) < classes.len() && code.fract() == 0.0;
                if known {
                    classes[code as usize].clone()
                } else {
                    kiln_data::frame::format_f64(code)
                }
            }
        })
        .collect();
    let mut frame = Frame::from_labels(PREDICTION_COLUMN, &text)?;
    for code in probability_codes(classes.len()) {
        let column: Vec<f64> = (0..values.len())
            .map(|i| {
                probabilities
                    .get(i)
                    .and_then(|p| p.as_ref())
                    .map_or(f64::NAN, |p| p[code])
            })
            .collect();
        frame = frame.hconcat(&Frame::from_f64(
            &probability_column(&classes[code]),
            &column,
        )?)?;
    }
    Ok(frame)
}

/// The prediction frame of the rows at `members` (regression logs have no labels or
/// probabilities: those vectors are empty).
fn window_frame(kind: &ModelKind, rows: &LogRows, members: &[usize]) -> Result<Frame> {
    let values: Vec<f64> = members.iter().map(|&i| rows.values[i]).collect();
    let labels: Vec<Option<String>> = members
        .iter()
        .filter_map(|&i| rows.labels.get(i).cloned())
        .collect();
    let probabilities: Vec<Option<Vec<f64>>> = members
        .iter()
        .filter_map(|&i| rows.probabilities.get(i).cloned())
        .collect();
    prediction_frame(kind, &values, &labels, &probabilities)
}

/// The reference of prediction drift from a model's predictions on its test rows, as training
/// stores it in the artifact (reference options at their defaults).
///
/// ```
/// use kiln_eval::Predictions;
/// use kiln_monitor::logs::{ModelKind, prediction_reference};
/// let kind = ModelKind::Classification { classes: vec!["no".into(), "yes".into()] };
/// let p = Predictions {
///     values: vec![0.0, 1.0, 1.0],
///     labels: Some(vec!["no".into(), "yes".into(), "yes".into()]),
///     probabilities: Some(ndarray::array![[0.8, 0.2], [0.3, 0.7], [0.1, 0.9]]),
/// };
/// let r = prediction_reference(&kind, &p)?;
/// assert_eq!(r.rows, 3);
/// assert!(r.column("prediction").is_some() && r.column("proba_yes").is_some());
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn prediction_reference(
    kind: &ModelKind,
    predictions: &Predictions,
) -> Result<ReferenceProfile> {
    let n = predictions.values.len();
    if n == 0 {
        return Err(MonitorError::spec(
            "prediction reference",
            "has no predictions; expected the model's predictions on its test rows",
        ));
    }
    let labels: Vec<Option<String>> = match &predictions.labels {
        Some(l) => l.iter().cloned().map(Some).collect(),
        None => vec![None; n],
    };
    let probabilities: Vec<Option<Vec<f64>>> = match &predictions.probabilities {
        Some(p) => p.rows().into_iter().map(|r| Some(r.to_vec())).collect(),
        None => vec![None; n],
    };
    if let (Some(classes), Some(Some(first))) = (kind.classes(), probabilities.first())
        && first.len() != classes.len()
    {
        return Err(MonitorError::spec(
            "prediction reference",
            format!(
                "has {} probability columns for {} classes",
                first.len(),
                classes.len()
            ),
        ));
    }
    let frame = prediction_frame(kind, &predictions.values, &labels, &probabilities)?;
    ReferenceProfile::from_frame(&frame, &ReferenceOptions::default())
}

/// Where the reference predictions come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceChoice {
    /// A stored profile (the artifact's `prediction_reference`).
    Stored(Box<ReferenceProfile>),
    /// The first window of the log with at least `min_rows` rows.
    FirstWindow,
    /// The window holding this instant (µs since the epoch).
    WindowAt(i64),
}

/// Options of [`prediction_drift`].
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionDriftOptions {
    /// Which rows.
    pub filter: LogFilter,
    /// What the model predicts.
    pub kind: ModelKind,
    /// Window width and range.
    pub window: WindowSpec,
    /// The reference predictions.
    pub reference: ReferenceChoice,
    /// Test the class probabilities too (classifiers).
    pub probabilities: bool,
    /// Windows with fewer rows are not tested.
    pub min_rows: usize,
    /// Methods and thresholds for the prediction columns (`prediction`, `proba_<class>`);
    /// `columns` is set by the report.
    pub drift: DriftSpec,
}

impl PredictionDriftOptions {
    /// Options with the defaults: stored reference if given else the first window, labels or
    /// values only, [`DEFAULT_MIN_ROWS`], Evidently's methods and thresholds.
    pub fn new(filter: LogFilter, kind: ModelKind, window: WindowSpec) -> Self {
        PredictionDriftOptions {
            filter,
            kind,
            window,
            reference: ReferenceChoice::FirstWindow,
            probabilities: false,
            min_rows: DEFAULT_MIN_ROWS,
            drift: DriftSpec::default(),
        }
    }
}

/// How a window came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowDriftStatus {
    /// Tested: drift.
    Drift,
    /// Tested: no drift.
    NoDrift,
    /// The window is the reference itself.
    Reference,
    /// Fewer rows than `min_rows`: not tested.
    TooFewRows,
}

/// One window of a prediction drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowDrift {
    /// The window, its rows and versions.
    #[serde(flatten)]
    pub window: Window,
    /// The outcome.
    pub status: WindowDriftStatus,
    /// The test of the label or value, when tested.
    pub prediction: Option<ColumnDrift>,
    /// The tests of the probability columns, when asked for and tested.
    pub probabilities: Vec<ColumnDrift>,
}

impl WindowDrift {
    /// True when the window was tested and drifted.
    pub fn drifted(&self) -> bool {
        self.status == WindowDriftStatus::Drift
    }
}

/// The outcome of [`prediction_drift`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionDriftReport {
    /// The model name.
    pub model: String,
    /// The version filtered on, if any.
    pub version: Option<u32>,
    /// Window width, e.g. `1h`.
    pub window: String,
    /// Where the reference came from, in words.
    pub reference: String,
    /// Start of the reference window, when the reference is a window of the log.
    pub reference_window: Option<String>,
    /// Rows of the reference.
    pub reference_rows: u64,
    /// The columns tested per window.
    pub columns: Vec<String>,
    /// Least rows for a window to be tested.
    pub min_rows: usize,
    /// Rows selected from the log.
    pub rows: usize,
    /// Every window from the first selected row to the last, empty ones included.
    pub windows: Vec<WindowDrift>,
    /// Windows tested.
    pub tested_windows: usize,
    /// Windows that drifted.
    pub drifted_windows: usize,
}

/// Prediction drift of a model's logged predictions, window by window.
pub fn prediction_drift(
    log: &Frame,
    options: &PredictionDriftOptions,
) -> Result<PredictionDriftReport> {
    options.drift.check()?;
    if options.min_rows == 0 {
        return Err(MonitorError::InvalidParameter {
            name: "min_rows",
            value: "0".into(),
            expected: "at least 1 row per tested window (default 30)",
        });
    }
    if options.probabilities && options.kind == ModelKind::Regression {
        return Err(MonitorError::spec(
            "probabilities",
            "a regression model has no class probabilities; leave the option off",
        ));
    }
    let rows = read_rows(log, &options.filter, &options.window, &options.kind, false)?;
    let grouped = group(&options.window, &rows.times, &rows.versions)?;
    let frame_of = |members: &[usize]| window_frame(&options.kind, &rows, members);

    let enough = |w: &Window| w.rows >= options.min_rows;
    let (reference, reference_index, description) = match &options.reference {
        ReferenceChoice::Stored(profile) => (
            (**profile).clone(),
            None,
            format!("the model's predictions on its {} test rows", profile.rows),
        ),
        choice => {
            let index = match choice {
                ReferenceChoice::WindowAt(t) => {
                    let at = grouped
                        .windows
                        .iter()
                        .position(|w| {
                            *t >= w.start_micros && *t < w.start_micros + options.window.width_micros
                        })
                        .ok_or_else(|| {
                            MonitorError::spec(
                                "reference window",
                                format!(
                                    "{} is outside the logged windows ({} to {})",
                                    kiln_data::datetime::format_micros(*t),
                                    grouped.windows.first().map_or("", |w| &w.start),
                                    grouped.windows.last().map_or("", |w| &w.end),
                                ),
                            )
                        })?;
                    if !enough(&grouped.windows[at]) {
                        return Err(MonitorError::spec(
                            "reference window",
                            format!(
                                "the window starting {} has {} rows; expected at least {} (min_rows)",
                                grouped.windows[at].start, grouped.windows[at].rows, options.min_rows
                            ),
                        ));
                    }
                    at
                }
                _ => grouped.windows.iter().position(enough).ok_or_else(|| {
                    MonitorError::Log(format!(
                        "no window of {} has {} rows or more to serve as the reference; choose a wider window or a lower min_rows",
                        format_width(options.window.width_micros),
                        options.min_rows
                    ))
                })?,
            };
            let frame = frame_of(&grouped.rows[index])?;
            let profile = ReferenceProfile::from_frame(&frame, &ReferenceOptions::default())?;
            let w = &grouped.windows[index];
            (
                profile,
                Some(index),
                format!(
                    "the window starting {} ({} rows): the model has no stored test-set predictions{}",
                    w.start,
                    w.rows,
                    if matches!(choice, ReferenceChoice::WindowAt(_)) {
                        ", window named by the caller"
                    } else {
                        ", first window with enough rows"
                    }
                ),
            )
        }
    };

    let mut tested_columns = vec![PREDICTION_COLUMN.to_string()];
    if options.probabilities {
        let classes = options.kind.classes().unwrap_or_default();
        for code in probability_codes(classes.len()) {
            let name = probability_column(&classes[code]);
            if reference.column(&name).is_none() {
                return Err(MonitorError::column(
                    &name,
                    "is not in the prediction reference; it was stored without class probabilities",
                ));
            }
            tested_columns.push(name);
        }
    }
    let mut spec = options.drift.clone();
    spec.columns = Some(tested_columns.clone());

    let mut windows = Vec::with_capacity(grouped.windows.len());
    for (k, (window, members)) in grouped.windows.iter().zip(&grouped.rows).enumerate() {
        let mut out = WindowDrift {
            window: window.clone(),
            status: WindowDriftStatus::TooFewRows,
            prediction: None,
            probabilities: Vec::new(),
        };
        if reference_index == Some(k) {
            out.status = WindowDriftStatus::Reference;
        } else if enough(window) {
            let report = detect_drift(&reference, &frame_of(members)?, &spec)?;
            let mut columns = report.columns.into_iter();
            out.prediction = columns.next();
            out.probabilities = columns.collect();
            let drifted = out
                .prediction
                .iter()
                .chain(&out.probabilities)
                .any(|c| c.drifted);
            out.status = if drifted {
                WindowDriftStatus::Drift
            } else {
                WindowDriftStatus::NoDrift
            };
        }
        windows.push(out);
    }
    let tested_windows = windows
        .iter()
        .filter(|w| {
            matches!(
                w.status,
                WindowDriftStatus::Drift | WindowDriftStatus::NoDrift
            )
        })
        .count();
    let drifted_windows = windows.iter().filter(|w| w.drifted()).count();
    Ok(PredictionDriftReport {
        model: options.filter.model.clone(),
        version: options.filter.version,
        window: format_width(options.window.width_micros),
        reference: description,
        reference_window: reference_index.map(|i| grouped.windows[i].start.clone()),
        reference_rows: reference.rows,
        columns: tested_columns,
        min_rows: options.min_rows,
        rows: rows.len(),
        windows,
        tested_windows,
        drifted_windows,
    })
}
