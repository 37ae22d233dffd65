//! The error type of kiln-monitor: problems reading data or a schema file, schema files that do
//! not describe a usable schema, drift specs and detector settings out of range, and columns a
//! drift test cannot run on. *Findings* are not errors: validation violations are
//! [`crate::validate::Violation`]s and drifted columns are rows of a
//! [`crate::drift::DriftReport`].

use kiln_data::DataError;

/// Everything that can stop schema inference, validation, a drift report or a stream detector.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// Reading or typing the data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A schema file could not be read, parsed or written.
    #[error("schema {path}: {message}")]
    Schema {
        /// The schema file.
        path: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A statistic could not be computed.
    #[error(transparent)]
    Stats(#[from] kiln_stats::StatsError),
    /// A column cannot be compared (unknown, all missing, of another type in the current data,
    /// or unsuited to the chosen method).
    #[error("column '{column}': {message}")]
    Column {
        /// The column.
        column: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A drift spec or detector setting names something unknown or holds a bad value.
    #[error("{field}: {message}")]
    Spec {
        /// The field or flag, e.g. `methods.age` or `threshold`.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The prediction log holds nothing to report on (no rows of the model, none in the range).
    #[error("prediction log: {0}")]
    Log(String),
    /// An option is out of range.
    #[error("{name} = {value}; expected {expected}")]
    InvalidParameter {
        /// Option name.
        name: &'static str,
        /// The value given.
        value: String,
        /// What would be valid.
        expected: &'static str,
    },
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, MonitorError>;

impl MonitorError {
    /// A problem with one column.
    pub(crate) fn column(column: impl Into<String>, message: impl Into<String>) -> Self {
        MonitorError::Column {
            column: column.into(),
            message: message.into(),
        }
    }

    /// A problem with one field of a spec.
    pub(crate) fn spec(field: impl Into<String>, message: impl Into<String>) -> Self {
        MonitorError::Spec {
            field: field.into(),
            message: message.into(),
        }
    }
}
