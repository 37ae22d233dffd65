//! The error type of the statistics engine.
//!
//! Statistics are computed on user data, so every problem a caller can cause — empty input, too
//! few values for a test, mismatched lengths, NaN where a test cannot skip it, zero variance, an
//! out-of-range parameter — is an error value whose message names the argument and says what was
//! expected. Nothing in this crate panics or silently returns NaN on such input.

/// Everything that can go wrong while computing a statistic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// An input slice has no values (after skipping NaN, where the function skips NaN).
    #[error("`{arg}` is empty; expected at least one value")]
    Empty {
        /// The argument name.
        arg: &'static str,
    },
    /// An input has fewer values than the computation needs.
    #[error("`{arg}` has {got} values; {what} needs at least {needed}")]
    TooFew {
        /// The argument name.
        arg: &'static str,
        /// How many values it has.
        got: usize,
        /// The minimum the computation needs.
        needed: usize,
        /// The computation, e.g. "Shapiro-Wilk".
        what: &'static str,
    },
    /// Two inputs that must pair up value by value have different lengths.
    #[error("`{left}` has {left_len} values but `{right}` has {right_len}; expected equal lengths")]
    LengthMismatch {
        /// The first argument name.
        left: &'static str,
        /// Its length.
        left_len: usize,
        /// The second argument name.
        right: &'static str,
        /// Its length.
        right_len: usize,
    },
    /// An input holds NaN and the function does not skip missing values.
    #[error("`{arg}` contains NaN at index {index}; expected no missing values (drop them first)")]
    Nan {
        /// The argument name.
        arg: &'static str,
        /// Position of the first NaN.
        index: usize,
    },
    /// An input holds an infinite value where only finite values make sense.
    #[error("`{arg}` contains an infinite value at index {index}; expected finite values")]
    Infinite {
        /// The argument name.
        arg: &'static str,
        /// Position of the first infinite value.
        index: usize,
    },
    /// The data has no spread where the computation divides by it.
    #[error("`{arg}` has zero variance; {what} needs values that vary")]
    ZeroVariance {
        /// The argument name (or a description such as "x and y").
        arg: &'static str,
        /// The computation, e.g. "Pearson correlation".
        what: &'static str,
    },
    /// A parameter is outside its valid range.
    #[error("`{name}` = {value}; expected {expected}")]
    InvalidParameter {
        /// The parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What would have been valid.
        expected: &'static str,
    },
    /// The input is well-formed but unusable for this computation for another stated reason.
    #[error("`{arg}`: {message}")]
    InvalidInput {
        /// The argument name.
        arg: &'static str,
        /// What was wrong and what was expected.
        message: String,
    },
    /// An iterative solver did not reach the requested accuracy.
    #[error("{what} did not converge: {detail}")]
    NoConvergence {
        /// The computation.
        what: &'static str,
        /// Why, with the values involved.
        detail: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, StatsError>;
/// Fails with [`StatsError::Nan`] or [`StatsError::Infinite`] at the first non-finite value.
pub(crate) fn check_finite(arg: &'static str, x: &[f64]) -> Result<()> {
    for (index, v) in x.iter().enumerate() {
        if v.is_nan() {
            return Err(StatsError::Nan { arg, index });
        }
        if v.is_infinite() {
            return Err(StatsError::Infinite { arg, index });
        }
    }
    Ok(())
}

/// Fails with [`StatsError::Empty`] or [`StatsError::TooFew`] when `x` has fewer than `needed`
/// values.
pub(crate) fn check_len(
    arg: &'static str,
    len: usize,
    needed: usize,
    what: &'static str,
) -> Result<()> {
    if len == 0 {
        return Err(StatsError::Empty { arg });
    }
    if len < needed {
        return Err(StatsError::TooFew {
            arg,
            got: len,
            needed,
            what,
        });
    }
    Ok(())
}

/// Fails with [`StatsError::LengthMismatch`] unless the lengths agree.
pub(crate) fn check_same_len(
    left: &'static str,
    left_len: usize,
    right: &'static str,
    right_len: usize,
) -> Result<()> {
    if left_len != right_len {
        return Err(StatsError::LengthMismatch {
            left,
            left_len,
            right,
            right_len,
        });
    }
    Ok(())
}
/// Fails with [`StatsError::InvalidParameter`] unless `value` lies strictly inside (0, 1).
pub(crate) fn check_open_unit(name: &'static str, value: f64) -> Result<()> {
    if !(value > 0.0 && value < 1.0) {
        return Err(StatsError::InvalidParameter {
            name,
            value: value.to_string(),
            expected: "a number strictly between 0 and 1",
        });
    }
    Ok(())
}
