//! Variance inflation factors: how much each feature's coefficient variance is inflated by its
//! linear dependence on the other features, as statsmodels' `variance_inflation_factor` on a
//! design matrix with a constant column.
//!
//! Regressing feature j on the others (with intercept) gives VIF_j = 1 / (1 − R²_j), which equals
//! the j-th diagonal entry of the inverse correlation matrix. We form the correlation matrix from
//! centred, scaled columns (which makes the intercept and the units irrelevant) and invert it with
//! a Cholesky factorization written here: the matrix is small (features × features) and
//! symmetric positive definite unless features are exactly collinear, which is reported.

use rayon::prelude::*;

use crate::descriptive::mean_of;
use crate::error::{Result, StatsError};

/// VIF of each column of `columns` (each a feature with one value per row). Needs at least two
/// features, more rows than features, finite values, no constant column and no exact
/// collinearity.
///
/// ```
/// use kiln_stats::vif::variance_inflation_factors;
/// let a = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let b = [2.0, 1.0, 4.0, 3.0, 6.0];
/// let v = variance_inflation_factors(&[&a, &b]).unwrap();
/// // With two features both VIFs are 1 / (1 − r²).
/// assert!((v[0] - v[1]).abs() < 1e-12 && v[0] > 1.0);
/// ```
pub fn variance_inflation_factors(columns: &[&[f64]]) -> Result<Vec<f64>> {
    let p = columns.len();
    if p < 2 {
        return Err(StatsError::TooFew {
            arg: "columns",
            got: p,
            needed: 2,
            what: "variance inflation factors",
        });
    }
    let n = columns[0].len();
    for (j, c) in columns.iter().enumerate() {
        if c.len() != n {
            return Err(StatsError::InvalidInput {
                arg: "columns",
                message: format!(
                    "column {j} has {} values but column 0 has {n}; expected equal lengths",
                    c.len()
                ),
            });
        }
        if let Some(i) = c.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput {
                arg: "columns",
                message: format!(
                    "column {j} has a non-finite value at row {i}; expected finite values (drop missing rows first)"
                ),
            });
        }
    }
    if n <= p {
        return Err(StatsError::InvalidInput {
            arg: "columns",
            message: format!("{n} rows for {p} features; expected more rows than features"),
        });
    }
    // Centred, unit-norm columns.
    let scaled: Vec<Vec<f64>> = columns
        .par_iter()
        .enumerate()
        .map(|(j, c)| {
            let m = mean_of(c);
            let d: Vec<f64> = c.iter().map(|v| v - m).collect();
            let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm == 0.0 {
                return Err(StatsError::InvalidInput {
                    arg: "columns",
                    message: format!("column {j} is constant; expected every feature to vary"),
                });
            }
            Ok(d.into_iter().map(|v| v / norm).collect())
        })
        .collect::<Result<_>>()?;
    let mut r = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let v: f64 = scaled[i].iter().zip(&scaled[j]).map(|(a, b)| a * b).sum();
            r[i * p + j] = v;
            r[j * p + i] = v;
        }
    }
    let l = cholesky(&r, p).ok_or_else(|| StatsError::InvalidInput {
        arg: "columns",
        message: "the features are exactly collinear (a feature is a linear combination of others); expected linearly independent features".into(),
    })?;
    Ok(inverse_diagonal(&l, p))
}

/// Lower-triangular L with L Lᵀ = a (row-major p×p), or `None` if `a` is not numerically
/// positive definite.
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            if i == j {
                let d = a[i * p + i] - s;
                // Relative to the unit diagonal of a correlation matrix.
                if d <= 1e-13 {
                    return None;
                }
                l[i * p + i] = d.sqrt();
            } else {
                l[i * p + j] = (a[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Diagonal of (L Lᵀ)⁻¹ = Σ_k (L⁻¹)_{kj}², from the inverse of the triangular factor.
fn inverse_diagonal(l: &[f64], p: usize) -> Vec<f64> {
    // Column j of L⁻¹ by forward substitution of e_j.
    (0..p)
        .map(|j| {
            let mut x = vec![0.0; p];
            for i in j..p {
                let rhs = if i == j { 1.0 } else { 0.0 };
                let s: f64 = (j..i).map(|k| l[i * p + k] * x[k]).sum();
                x[i] = (rhs - s) / l[i * p + i];
            }
            x.iter().map(|v| v * v).sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reconstructs_its_input() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                // Tolerance 1e-14: a 3×3 factorization is exact to rounding.
                assert!((v - a[i * 3 + j]).abs() < 1e-14);
            }
        }
        // Diagonal of the inverse checked against the adjugate: (a⁻¹)_00 = (5·3 − 1) / det.
        let det = 4.0 * (15.0 - 1.0) - 2.0 * (6.0 - 0.6) + 0.6 * (2.0 - 3.0);
        assert!((inverse_diagonal(&l, 3)[0] - 14.0 / det).abs() < 1e-14);
    }

    #[test]
    fn degenerate_designs_are_errors() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [2.0, 4.0, 6.0, 8.0];
        let e = variance_inflation_factors(&[&a, &b]).unwrap_err();
        assert!(e.to_string().contains("exactly collinear"));
        let e = variance_inflation_factors(&[&a, &[1.0; 4]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`columns`: column 1 is constant; expected every feature to vary"
        );
        let e = variance_inflation_factors(&[&a[..2], &b[..2]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`columns`: 2 rows for 2 features; expected more rows than features"
        );
    }
}
