//! Validation of the arrays handed to `fit` and `predict`.
//!
//! Every estimator runs the same checks, so they live in one place: shapes, empty input, finite
//! values, sample weights and classification targets (class codes `0..k-1` stored as f64, as the
//! pipeline's label encoder produces them).

use ndarray::{ArrayView1, ArrayView2};

use crate::error::{ModelError, Result};

/// Whether a model accepts NaN feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NanPolicy {
    /// NaN is a missing value the model handles natively (GBDT).
    Allow,
    /// NaN is an error.
    Reject,
}

/// Checks a feature matrix: non-empty and, depending on `nan`, free of NaN; never infinite.
pub fn check_features(x: ArrayView2<f64>, what: &'static str, nan: NanPolicy) -> Result<()> {
    let (rows, cols) = x.dim();
    if rows == 0 || cols == 0 {
        return Err(ModelError::EmptyInput { what, rows, cols });
    }
    for ((row, column), &value) in x.indexed_iter() {
        let bad = value.is_infinite() || (value.is_nan() && nan == NanPolicy::Reject);
        if bad {
            let expected = match nan {
                NanPolicy::Allow => "a finite number or NaN for missing",
                NanPolicy::Reject => {
                    "a finite number (this model does not accept missing values; impute first)"
                }
            };
            return Err(ModelError::InvalidFeatureValue {
                column,
                row,
                value,
                expected,
            });
        }
    }
    Ok(())
}

/// Checks prediction input against the number of features seen at fit time.
pub fn check_predict(x: ArrayView2<f64>, n_features: usize, nan: NanPolicy) -> Result<()> {
    if x.ncols() != n_features {
        return Err(ModelError::FeatureCountMismatch {
            expected: n_features,
            found: x.ncols(),
        });
    }
    if x.nrows() == 0 {
        return Ok(());
    }
    check_features(x, "x", nan)
}

/// Checks one row for single-row prediction.
pub fn check_row(row: &[f64], n_features: usize, nan: NanPolicy) -> Result<()> {
    if row.len() != n_features {
        return Err(ModelError::FeatureCountMismatch {
            expected: n_features,
            found: row.len(),
        });
    }
    for (column, &value) in row.iter().enumerate() {
        if value.is_infinite() || (value.is_nan() && nan == NanPolicy::Reject) {
            return Err(ModelError::InvalidFeatureValue {
                column,
                row: 0,
                value,
                expected: "a finite number",
            });
        }
    }
    Ok(())
}

/// Checks the shared fit inputs and returns the sample weights (ones when none are given).
pub fn check_fit(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    sample_weight: Option<ArrayView1<f64>>,
    nan: NanPolicy,
) -> Result<Vec<f64>> {
    check_features(x, "x", nan)?;
    let n = x.nrows();
    if y.len() != n {
        return Err(ModelError::LengthMismatch {
            what: "y",
            expected: n,
            found: y.len(),
        });
    }
    for (row, &value) in y.iter().enumerate() {
        if !value.is_finite() {
            return Err(ModelError::InvalidTarget {
                row,
                value,
                expected: "a finite number",
            });
        }
    }
    match sample_weight {
        None => Ok(vec![1.0; n]),
        Some(w) => {
            if w.len() != n {
                return Err(ModelError::LengthMismatch {
                    what: "sample_weight",
                    expected: n,
                    found: w.len(),
                });
            }
            let mut total = 0.0;
            for (row, &value) in w.iter().enumerate() {
                if !value.is_finite() || value < 0.0 {
                    return Err(ModelError::InvalidWeight {
                        reason: format!("row {row} has {value}; weights must be finite and >= 0"),
                    });
                }
                total += value;
            }
            if total <= 0.0 {
                return Err(ModelError::InvalidWeight {
                    reason: "all weights are zero".into(),
                });
            }
            Ok(w.to_vec())
        }
    }
}

/// Reads class codes `0..k-1` from `y` and returns them with `k` (the largest code + 1).
///
/// Errors on non-integer or negative codes and on a target with a single distinct class.
pub fn class_codes(y: ArrayView1<f64>) -> Result<(Vec<usize>, usize)> {
    let mut codes = Vec::with_capacity(y.len());
    let mut max = 0usize;
    for (row, &value) in y.iter().enumerate() {
        if !(value >= 0.0 && value.fract() == 0.0 && value < u32::MAX as f64) {
            return Err(ModelError::InvalidTarget {
                row,
                value,
                expected: "a class code 0, 1, ..., k-1 (label-encode the target first)",
            });
        }
        let code = value as usize;
        max = max.max(code);
        codes.push(code);
    }
    let first = codes.first().copied().unwrap_or(0);
    if codes.iter().all(|&c| c == first) {
        return Err(ModelError::SingleClass { class: first });
    }
    Ok((codes, max + 1))
}

/// Errors when a class code below the largest has no rows: models that estimate per-class
/// parameters (logistic regression, naive Bayes) have nothing to estimate them from.
pub fn require_every_class(codes: &[usize], n_classes: usize) -> Result<()> {
    let mut seen = vec![false; n_classes];
    for &c in codes {
        seen[c] = true;
    }
    match seen.iter().position(|s| !s) {
        Some(missing) => Err(ModelError::param(
            "y",
            "every class code 0..k-1 present at least once (re-encode the target)",
            format!(
                "no rows with class code {missing}, below the largest code {}",
                n_classes - 1
            ),
        )),
        None => Ok(()),
    }
}

/// Resolves per-class weights into per-sample weights (`class_weight` as in scikit-learn).
pub fn apply_class_weight(
    weights: &mut [f64],
    codes: &[usize],
    n_classes: usize,
    class_weight: &ClassWeight,
) -> Result<()> {
    let factors: Vec<f64> = match class_weight {
        ClassWeight::None => return Ok(()),
        ClassWeight::Balanced => {
            let mut counts = vec![0.0; n_classes];
            for (&c, &w) in codes.iter().zip(weights.iter()) {
                counts[c] += w;
            }
            let total: f64 = counts.iter().sum();
            let present = counts.iter().filter(|&&c| c > 0.0).count() as f64;
            counts
                .iter()
                .map(|&c| if c > 0.0 { total / (present * c) } else { 0.0 })
                .collect()
        }
        ClassWeight::Explicit(w) => {
            if w.len() != n_classes {
                return Err(ModelError::param(
                    "class_weight",
                    format!("one weight per class ({n_classes})"),
                    format!("{} weights", w.len()),
                ));
            }
            if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(ModelError::param(
                    "class_weight",
                    "finite weights >= 0",
                    format!("{w:?}"),
                ));
            }
            w.clone()
        }
    };
    for (w, &c) in weights.iter_mut().zip(codes) {
        *w *= factors[c];
    }
    Ok(())
}

/// Per-class weights for classifiers.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every class weighs 1.
    #[default]
    None,
    /// Weights inversely proportional to class frequency: `n / (k * count_c)`.
    Balanced,
    /// One weight per class code.
    Explicit(Vec<f64>),
}
