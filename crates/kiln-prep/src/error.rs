//! The error type of the preparation layer.
//!
//! Every message names the column, step or parameter involved and what was expected, so a user
//! can fix a `[prep]` section or an input row without reading code. Data-layer errors are wrapped
//! unchanged.

/// Everything that can go wrong while checking, fitting or applying preparation.
#[derive(Debug, thiserror::Error)]
pub enum PrepError {
    /// An error from the data layer (unknown column, wrong storage type, ...).
    #[error(transparent)]
    Data(#[from] kiln_data::DataError),
    /// A hyper-parameter of a step, split or resampler is out of range.
    #[error("invalid parameter '{param}' of {owner}: {message}")]
    Param {
        /// The step or procedure that owns the parameter (`standard_scaler`, `k_fold`, ...).
        owner: String,
        /// The parameter name as written in the spec.
        param: String,
        /// What was wrong and what is allowed.
        message: String,
    },
    /// A column's values cannot be handled by a step.
    #[error("column '{column}': {message}")]
    Column {
        /// The column involved.
        column: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The input as a whole does not fit what is asked (too few rows, no target, ...).
    #[error("{what}: {message}")]
    Input {
        /// What was being done.
        what: String,
        /// What was wrong.
        message: String,
    },
    /// A spec or fitted pipeline could not be read or written.
    #[error("{origin}: {message}")]
    Format {
        /// Where the text came from.
        origin: String,
        /// The parser's description.
        message: String,
    },
}

/// Result alias for the preparation layer.
pub type Result<T, E = PrepError> = std::result::Result<T, E>;

impl PrepError {
    /// A bad hyper-parameter.
    pub fn param(
        owner: impl Into<String>,
        param: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        PrepError::Param {
            owner: owner.into(),
            param: param.into(),
            message: message.into(),
        }
    }

    /// A problem with one column's values.
    pub fn column(column: impl Into<String>, message: impl Into<String>) -> Self {
        PrepError::Column {
            column: column.into(),
            message: message.into(),
        }
    }

    /// A problem with the input as a whole.
    pub fn input(what: impl Into<String>, message: impl Into<String>) -> Self {
        PrepError::Input {
            what: what.into(),
            message: message.into(),
        }
    }
}
