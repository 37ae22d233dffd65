//! Reading the joined prediction log: the columns are checked once, the rows of one model (and
//! version) in the time range are kept, and each is decoded into plain vectors that the drift
//! and performance reports share.

use std::collections::BTreeSet;

use kiln_data::frame::cell_text;
use kiln_data::{ColumnType, Frame};
use serde::{Deserialize, Serialize};

use super::columns;
use super::window::WindowSpec;
use crate::error::{MonitorError, Result};

/// What the logged model predicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "task")]
pub enum ModelKind {
    /// A classifier; `classes[code]` is the label of class code `code`.
    Classification {
        /// Class labels in code order.
        classes: Vec<String>,
    },
    /// A regressor.
    Regression,
}

impl ModelKind {
    /// The class labels, for a classifier.
    pub fn classes(&self) -> Option<&[String]> {
        match self {
            ModelKind::Classification { classes } => Some(classes),
            ModelKind::Regression => None,
        }
    }
}

/// Which rows of the log a report reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    /// The model name.
    pub model: String,
    /// Only this version, or every version of the model.
    pub version: Option<u32>,
}

/// The selected rows, decoded.
#[derive(Debug, Default)]
pub(crate) struct LogRows {
    pub times: Vec<i64>,
    pub versions: Vec<u32>,
    pub values: Vec<f64>,
    pub labels: Vec<Option<String>>,
    pub probabilities: Vec<Option<Vec<f64>>>,
    pub feedback: Vec<Option<String>>,
}

impl LogRows {
    pub(crate) fn len(&self) -> usize {
        self.times.len()
    }
}

/// What the log must hold for the columns a report reads.
fn require(log: &Frame, name: &str, allowed: &[ColumnType]) -> Result<usize> {
    let index = log.schema().index_of(name).map_err(|_| {
        MonitorError::column(
            name,
            format!(
                "is missing from the prediction log; expected the columns kiln serve writes ({}, {}, {}, {}, {}, {}) and {} from the feedback join",
                columns::TIMESTAMP,
                columns::MODEL,
                columns::VERSION,
                columns::PREDICTION,
                columns::LABEL,
                columns::PROBABILITIES,
                columns::FEEDBACK_LABEL
            ),
        )
    })?;
    let found = log.schema().fields[index].column_type;
    if !allowed.contains(&found) {
        let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
        return Err(MonitorError::column(
            name,
            format!(
                "is {found} in the prediction log; expected {}",
                names.join(" or ")
            ),
        ));
    }
    Ok(index)
}

/// The text of column `index` at `row`.
fn text(log: &Frame, index: usize, row: usize) -> Option<String> {
    let (field, array) = log.column_at(index);
    cell_text(field.column_type, array, row)
}

/// The rows of `filter`'s model inside `window`'s range, decoded. `feedback` asks for the
/// feedback column too. Fails, naming what the log does hold, when nothing is selected.
pub(crate) fn read_rows(
    log: &Frame,
    filter: &LogFilter,
    window: &WindowSpec,
    kind: &ModelKind,
    feedback: bool,
) -> Result<LogRows> {
    window.check()?;
    if log.n_rows() == 0 {
        return Err(MonitorError::Log(
            "has no rows; expected the rows a model server logged".into(),
        ));
    }
    let text_types = [ColumnType::Text, ColumnType::Categorical];
    require(log, columns::TIMESTAMP, &[ColumnType::Datetime])?;
    let model_at = require(log, columns::MODEL, &text_types)?;
    require(
        log,
        columns::VERSION,
        &[ColumnType::Integer, ColumnType::Numeric],
    )?;
    require(
        log,
        columns::PREDICTION,
        &[ColumnType::Numeric, ColumnType::Integer],
    )?;
    let class_columns = match kind {
        ModelKind::Classification { .. } => Some((
            require(log, columns::LABEL, &text_types)?,
            require(log, columns::PROBABILITIES, &text_types)?,
        )),
        ModelKind::Regression => None,
    };
    let feedback_at = if feedback {
        Some(require(log, columns::FEEDBACK_LABEL, &text_types)?)
    } else {
        None
    };
    let times = log.time_values(columns::TIMESTAMP)?;
    let versions = log.numeric(columns::VERSION)?;
    let values = log.numeric(columns::PREDICTION)?;
    let n_classes = kind.classes().map_or(0, <[String]>::len);

    let mut out = LogRows::default();
    let mut models_seen: BTreeSet<String> = BTreeSet::new();
    let mut versions_seen: BTreeSet<u32> = BTreeSet::new();
    let (mut model_first, mut model_last) = (i64::MAX, i64::MIN);
    for row in 0..log.n_rows() {
        let model = text(log, model_at, row);
        if model.as_deref() != Some(filter.model.as_str()) {
            if let Some(m) = model {
                models_seen.insert(m);
            }
            continue;
        }
        let version = versions[row];
        if !(version.is_finite() && version >= 1.0 && version <= u32::MAX as f64) {
            return Err(MonitorError::column(
                columns::VERSION,
                format!("row {row} holds {version}; expected a model version from 1"),
            ));
        }
        let version = version as u32;
        versions_seen.insert(version);
        if filter.version.is_some_and(|v| v != version) {
            continue;
        }
        if times[row].is_nan() {
            return Err(MonitorError::column(
                columns::TIMESTAMP,
                format!(
                    "row {row} has no timestamp; every logged row needs the time it was scored"
                ),
            ));
        }
        let t = times[row] as i64;
        model_first = model_first.min(t);
        model_last = model_last.max(t);
        if !window.contains(t) {
            continue;
        }
        out.times.push(t);
        out.versions.push(version);
        out.values.push(values[row]);
        if let Some((label_at, proba_at)) = class_columns {
            out.labels.push(text(log, label_at, row));
            out.probabilities.push(
                text(log, proba_at, row)
                    .and_then(|t| serde_json::from_str::<Vec<f64>>(&t).ok())
                    // A row whose probabilities do not match the classes (another version's
                    // classes, a damaged cell) has none rather than wrong ones.
                    .filter(|p| p.len() == n_classes && p.iter().all(|x| x.is_finite())),
            );
        }
        if let Some(at) = feedback_at {
            out.feedback.push(text(log, at, row));
        }
    }
    if out.len() > 0 {
        return Ok(out);
    }
    let fmt = kiln_data::datetime::format_micros;
    Err(MonitorError::Log(if versions_seen.is_empty() {
        let seen: Vec<String> = models_seen.into_iter().collect();
        format!(
            "has no rows of model '{}'; it has rows of: {}",
            filter.model,
            if seen.is_empty() {
                "no model".to_string()
            } else {
                seen.join(", ")
            }
        )
    } else if model_first == i64::MAX {
        let seen: Vec<String> = versions_seen.iter().map(u32::to_string).collect();
        format!(
            "has no rows of {} version {}; it has versions {} of that model",
            filter.model,
            filter.version.unwrap_or_default(),
            seen.join(", ")
        )
    } else {
        format!(
            "has no rows of {} from {} to {}; its rows run from {} to {}",
            filter.model,
            window.since.map_or_else(|| "the start".to_string(), fmt),
            window.until.map_or_else(|| "the end".to_string(), fmt),
            fmt(model_first),
            fmt(model_last)
        )
    }))
}
