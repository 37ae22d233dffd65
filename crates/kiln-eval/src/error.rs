//! The error type of the evaluation crate.
//!
//! Metrics are computed on user data, so every problem a caller can cause — empty input,
//! mismatched lengths, NaN, a class code that is not a non-negative integer, negative weights,
//! probabilities outside `[0, 1]`, a metric that is undefined for the data (ROC-AUC with one
//! class) — is an error value whose message names the argument and says what was expected.

/// Everything that can go wrong while computing a metric.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// An input slice has no values.
    #[error("`{arg}` is empty; expected at least one value")]
    Empty {
        /// The argument name.
        arg: &'static str,
    },
    /// Two inputs that must pair up row by row have different lengths.
    #[error("`{left}` has {left_len} values but `{right}` has {right_len}; expected equal lengths")]
    LengthMismatch {
        /// The first argument.
        left: &'static str,
        /// Its length.
        left_len: usize,
        /// The second argument.
        right: &'static str,
        /// Its length (or the length it must have).
        right_len: usize,
    },
    /// An input holds NaN or an infinity.
    #[error("`{arg}` has a non-finite value ({value}) at index {index}; expected finite numbers")]
    NonFinite {
        /// The argument name.
        arg: &'static str,
        /// Position of the first offending value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A value is outside what the argument accepts.
    #[error("`{arg}` has {value} at index {index}; expected {expected}")]
    InvalidValue {
        /// The argument name.
        arg: &'static str,
        /// Position of the first offending value.
        index: usize,
        /// The value.
        value: f64,
        /// What the argument accepts.
        expected: &'static str,
    },
    /// A scalar parameter is out of range.
    #[error("`{arg}` is {value}; expected {expected}")]
    InvalidParameter {
        /// The parameter name.
        arg: &'static str,
        /// The value given, as text.
        value: String,
        /// What the parameter accepts.
        expected: String,
    },
    /// The metric is not defined for this data (for example ROC-AUC when `y_true` holds one class).
    #[error("{metric} is not defined: {reason}")]
    Undefined {
        /// The metric name.
        metric: &'static str,
        /// Why.
        reason: String,
    },
    /// A metric was given a kind of prediction it cannot use.
    #[error("metric `{metric}` needs {expected}, got {got}")]
    WrongPrediction {
        /// The metric's configuration name.
        metric: &'static str,
        /// The prediction kinds it accepts.
        expected: &'static str,
        /// The kind it was given.
        got: &'static str,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, EvalError>;
