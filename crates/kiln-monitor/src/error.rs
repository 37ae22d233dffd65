//! The error type of kiln-monitor: problems reading data or a schema file, and schema files that
//! do not describe a usable schema. Validation *findings* are not errors; they are
//! [`crate::validate::Violation`]s in a report.

use kiln_data::DataError;

/// Everything that can stop schema inference or validation.
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
