//! Checks shared by every metric: lengths, finiteness, class codes, weights and probabilities.
//!
//! Each metric calls these before it computes anything, so the rules (and the wording of the
//! errors) are the same everywhere. Unlike scikit-learn, which accepts negative sample weights in
//! most metrics, kiln rejects them: a negative weight is almost always a bug upstream, and the
//! metrics' ranges (accuracy in `[0, 1]`, …) no longer hold with them.

use crate::error::{EvalError, Result};

/// Checks that `b` pairs up with `a` row by row.
pub(crate) fn same_len(a: &'static str, a_len: usize, b: &'static str, b_len: usize) -> Result<()> {
    if a_len == b_len {
        Ok(())
    } else {
        Err(EvalError::LengthMismatch {
            left: a,
            left_len: a_len,
            right: b,
            right_len: b_len,
        })
    }
}

/// Checks that `values` is non-empty and holds only finite numbers.
pub(crate) fn finite(arg: &'static str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(EvalError::Empty { arg });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(EvalError::NonFinite {
            arg,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks `y_true` and a same-length prediction slice, both finite and non-empty.
pub(crate) fn pair(y_true: &[f64], pred_arg: &'static str, pred: &[f64]) -> Result<()> {
    finite("y_true", y_true)?;
    same_len("y_true", y_true.len(), pred_arg, pred.len())?;
    finite(pred_arg, pred)
}

/// Checks optional sample weights: one per row, finite, non-negative, with a positive sum.
pub(crate) fn weights(sample_weight: Option<&[f64]>, n: usize) -> Result<()> {
    let Some(w) = sample_weight else {
        return Ok(());
    };
    same_len("y_true", n, "sample_weight", w.len())?;
    finite("sample_weight", w)?;
    if let Some(index) = w.iter().position(|&v| v < 0.0) {
        return Err(EvalError::InvalidValue {
            arg: "sample_weight",
            index,
            value: w[index],
            expected: "a non-negative weight",
        });
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err(EvalError::InvalidParameter {
            arg: "sample_weight",
            value: "all zero".to_string(),
            expected: "at least one positive weight".to_string(),
        });
    }
    Ok(())
}

/// The weight of row `i` (1 without weights).
#[inline]
pub(crate) fn weight_at(sample_weight: Option<&[f64]>, i: usize) -> f64 {
    sample_weight.map_or(1.0, |w| w[i])
}

/// Largest class code accepted; keeps a stray huge value from allocating a giant matrix.
const MAX_CLASS_CODE: f64 = 1_000_000.0;

/// Converts class codes stored as `f64` to indices; they must be integers in `0..=1_000_000`.
pub(crate) fn class_codes(arg: &'static str, values: &[f64]) -> Result<Vec<usize>> {
    finite(arg, values)?;
    values
        .iter()
        .enumerate()
        .map(|(index, &v)| {
            if (0.0..=MAX_CLASS_CODE).contains(&v) && v.fract() == 0.0 {
                // Checked just above: v is a whole number in 0..=1e6, so the cast is exact.
                Ok(v as usize)
            } else {
                Err(EvalError::InvalidValue {
                    arg,
                    index,
                    value: v,
                    expected: "a class code (an integer from 0 to 1000000)",
                })
            }
        })
        .collect()
}

/// Converts binary targets to booleans; every value must be 0 or 1 (1 is the positive class).
pub(crate) fn binary_targets(arg: &'static str, values: &[f64]) -> Result<Vec<bool>> {
    finite(arg, values)?;
    values
        .iter()
        .enumerate()
        .map(|(index, &v)| match v {
            0.0 => Ok(false),
            1.0 => Ok(true),
            _ => Err(EvalError::InvalidValue {
                arg,
                index,
                value: v,
                expected: "0 or 1 (a binary target; 1 is the positive class)",
            }),
        })
        .collect()
}

/// Checks that every value is a probability in `[0, 1]`.
pub(crate) fn unit_interval(arg: &'static str, values: &[f64]) -> Result<()> {
    finite(arg, values)?;
    match values.iter().position(|v| !(0.0..=1.0).contains(v)) {
        Some(index) => Err(EvalError::InvalidValue {
            arg,
            index,
            value: values[index],
            expected: "a probability in [0, 1]",
        }),
        None => Ok(()),
    }
}

/// Checks a row-major `n_rows × n_classes` probability matrix and class codes below `n_classes`.
pub(crate) fn proba_matrix(
    y_true: &[f64],
    y_proba: &[f64],
    n_classes: usize,
) -> Result<Vec<usize>> {
    if n_classes < 2 {
        return Err(EvalError::InvalidParameter {
            arg: "n_classes",
            value: n_classes.to_string(),
            expected: "at least 2".to_string(),
        });
    }
    let codes = class_codes("y_true", y_true)?;
    let expected_len =
        y_true
            .len()
            .checked_mul(n_classes)
            .ok_or_else(|| EvalError::InvalidParameter {
                arg: "n_classes",
                value: n_classes.to_string(),
                expected: "a class count whose product with the row count fits in memory"
                    .to_string(),
            })?;
    same_len("y_true × n_classes", expected_len, "y_proba", y_proba.len())?;
    unit_interval("y_proba", y_proba)?;
    if let Some(index) = codes.iter().position(|&c| c >= n_classes) {
        return Err(EvalError::InvalidValue {
            arg: "y_true",
            index,
            value: y_true[index],
            expected: "a class code below n_classes (one probability column per class)",
        });
    }
    Ok(codes)
}

/// Weighted mean `Σ wᵢ·xᵢ / Σ wᵢ` (plain mean without weights), as `numpy.average` computes it.
pub(crate) fn average(values: impl Iterator<Item = f64>, sample_weight: Option<&[f64]>) -> f64 {
    match sample_weight {
        None => {
            let (mut sum, mut n) = (0.0, 0usize);
            for v in values {
                sum += v;
                n += 1;
            }
            sum / n as f64
        }
        Some(w) => {
            let num: f64 = values.zip(w).map(|(v, &wi)| v * wi).sum();
            num / w.iter().sum::<f64>()
        }
    }
}
