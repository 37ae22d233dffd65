//! The error type of the data layer.
//!
//! Every message names what was wrong and where (file, line, column) so a user can fix the input
//! without reading code. Callers above wrap `DataError` in their own enums.

use std::path::PathBuf;

/// Everything that can go wrong while reading, converting or describing data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The input has a structural or value problem at a known place.
    #[error("{location}: {message}")]
    Parse {
        /// Where: `file.csv: line 12, column 'age'` or similar.
        location: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A column named by the caller does not exist.
    #[error("unknown column '{name}'; the columns are: {available}")]
    UnknownColumn {
        /// The requested name.
        name: String,
        /// A comma-separated list of the real names.
        available: String,
    },
    /// A value has the wrong type for what was asked of it.
    #[error("column '{column}': {message}")]
    Column {
        /// The column involved.
        column: String,
        /// What was wrong.
        message: String,
    },
    /// A caller-supplied option or specification is invalid.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// The parameter or file that is wrong.
        what: String,
        /// Why.
        message: String,
    },
    /// Parquet encoding or decoding failed.
    #[error("{path}: parquet: {message}")]
    Parquet {
        /// The file involved.
        path: PathBuf,
        /// The parquet library's description.
        message: String,
    },
}

/// Result alias for the data layer.
pub type Result<T, E = DataError> = std::result::Result<T, E>;

impl DataError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }

    /// A parse error at `location`.
    pub fn parse(location: impl Into<String>, message: impl Into<String>) -> Self {
        DataError::Parse {
            location: location.into(),
            message: message.into(),
        }
    }

    /// An invalid option or specification.
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        DataError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    /// A problem with one column's values.
    pub fn column(column: impl Into<String>, message: impl Into<String>) -> Self {
        DataError::Column {
            column: column.into(),
            message: message.into(),
        }
    }
}
