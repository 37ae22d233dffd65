//! `ModelError`: the one error type of kiln-models.
//!
//! Every check on user input (hyper-parameters, feature matrices, targets, weights) ends here, and
//! each message names the parameter, column or row at fault and what was expected, so a caller can
//! show it to a person unchanged.

/// Errors returned by model specs (`check`, `fit`) and fitted models (`predict`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// A hyper-parameter is outside its valid range.
    #[error("invalid parameter `{param}`: expected {expected}, got {found}")]
    InvalidParameter {
        /// Parameter name as written in the spec.
        param: &'static str,
        /// What a valid value looks like.
        expected: String,
        /// The value that was given.
        found: String,
    },
    /// The input has no rows or no columns.
    #[error(
        "empty input: {what} has {rows} rows and {cols} columns; at least one of each is needed"
    )]
    EmptyInput {
        /// Which input was empty (`x`, `validation x`, ...).
        what: &'static str,
        /// Number of rows found.
        rows: usize,
        /// Number of columns found.
        cols: usize,
    },
    /// Prediction input has a different number of features from training.
    #[error(
        "feature count mismatch: the model was fitted on {expected} features, the input has {found}"
    )]
    FeatureCountMismatch {
        /// Features seen at fit time.
        expected: usize,
        /// Features in the input.
        found: usize,
    },
    /// Two inputs that must have one entry per row disagree in length.
    #[error("length mismatch: {what} has {found} entries, expected one per row of x ({expected})")]
    LengthMismatch {
        /// Which input (`y`, `sample_weight`, ...).
        what: &'static str,
        /// Rows of x.
        expected: usize,
        /// Entries found.
        found: usize,
    },
    /// A feature value this model cannot use (NaN or infinity where unsupported).
    #[error("invalid value {value} in feature column {column}, row {row}: {expected}")]
    InvalidFeatureValue {
        /// Column index.
        column: usize,
        /// Row index.
        row: usize,
        /// The offending value.
        value: f64,
        /// What the model accepts.
        expected: &'static str,
    },
    /// A target value is NaN, infinite, or not a valid class code.
    #[error("invalid target value {value} at row {row}: expected {expected}")]
    InvalidTarget {
        /// Row index.
        row: usize,
        /// The offending value.
        value: f64,
        /// What the model accepts.
        expected: &'static str,
    },
    /// A classification target with fewer than two classes.
    #[error(
        "the classification target has a single class ({class}); at least two classes are needed"
    )]
    SingleClass {
        /// The only class code present.
        class: usize,
    },
    /// The design matrix is singular where the model needs it invertible.
    #[error("singular design: {detail}")]
    SingularDesign {
        /// What is singular and what to do about it.
        detail: String,
    },
    /// A sample weight is negative or not finite, or all weights are zero.
    #[error("invalid sample_weight: {reason}")]
    InvalidWeight {
        /// What is wrong.
        reason: String,
    },
}

/// Result alias used throughout kiln-models.
pub type Result<T> = std::result::Result<T, ModelError>;

impl ModelError {
    /// Shorthand for [`ModelError::InvalidParameter`].
    pub fn param(param: &'static str, expected: impl Into<String>, found: impl ToString) -> Self {
        ModelError::InvalidParameter {
            param,
            expected: expected.into(),
            found: found.to_string(),
        }
    }
}
