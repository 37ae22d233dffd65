//! Chi-square tests: goodness of fit (`scipy.stats.chisquare`) and independence in a contingency
//! table (`scipy.stats.chi2_contingency`, with Yates' continuity correction for one degree of
//! freedom by default, as SciPy).

use super::TestResult;
use crate::association::{check_table, expected_counts};
use crate::distributions::ChiSquared;
use crate::error::{Result, StatsError, check_finite, check_len, check_same_len};

/// Goodness-of-fit test of observed counts against expected counts (uniform when `expected` is
/// `None`). Expected counts must be positive and sum to the observed total (relative 1e-8).
///
/// ```
/// use kiln_stats::hypothesis::chi2::chi_square_goodness_of_fit;
/// let r = chi_square_goodness_of_fit(&[16.0, 18.0, 16.0, 14.0, 12.0, 12.0], None).unwrap();
/// assert!((r.statistic - 2.0).abs() < 1e-12);
/// assert_eq!(r.df, Some(5.0));
/// ```
pub fn chi_square_goodness_of_fit(
    observed: &[f64],
    expected: Option<&[f64]>,
) -> Result<TestResult> {
    check_len(
        "observed",
        observed.len(),
        2,
        "a chi-square goodness-of-fit test",
    )?;
    check_finite("observed", observed)?;
    if let Some(i) = observed.iter().position(|&v| v < 0.0) {
        return Err(StatsError::InvalidInput {
            arg: "observed",
            message: format!("count {i} is negative; expected counts ≥ 0"),
        });
    }
    let total: f64 = observed.iter().sum();
    let k = observed.len();
    let uniform = vec![total / k as f64; k];
    let expected = match expected {
        Some(e) => {
            check_same_len("observed", k, "expected", e.len())?;
            check_finite("expected", e)?;
            if let Some(i) = e.iter().position(|&v| v <= 0.0) {
                return Err(StatsError::InvalidInput {
                    arg: "expected",
                    message: format!("count {i} is not positive; expected counts > 0"),
                });
            }
            let te: f64 = e.iter().sum();
            if ((te - total) / total.max(te)).abs() > 1e-8 {
                return Err(StatsError::InvalidInput {
                    arg: "expected",
                    message: format!(
                        "sums to {te} but `observed` sums to {total}; expected equal totals"
                    ),
                });
            }
            e
        }
        None => {
            if total == 0.0 {
                return Err(StatsError::InvalidInput {
                    arg: "observed",
                    message: "all counts are zero; expected some observations".into(),
                });
            }
            &uniform[..]
        }
    };
    let stat: f64 = observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    let df = (k - 1) as f64;
    Ok(TestResult {
        statistic: stat,
        p_value: ChiSquared::new(df)?.sf(stat),
        df: Some(df),
    })
}

/// Test of independence of the rows and columns of a contingency table (at least 2×2, no empty
/// row or column). With `yates` and one degree of freedom (a 2×2 table) each |O − E| is reduced by
/// up to 0.5, as SciPy's default `correction=True`.
///
/// ```
/// use kiln_stats::hypothesis::chi2::chi_square_independence;
/// let r = chi_square_independence(&[vec![12.0, 5.0], vec![7.0, 9.0]], true).unwrap();
/// assert_eq!(r.df, Some(1.0));
/// ```
pub fn chi_square_independence(table: &[Vec<f64>], yates: bool) -> Result<TestResult> {
    let (r, c, _) = check_table(table, 2)?;
    let df = ((r - 1) * (c - 1)) as f64;
    let expected = expected_counts(table);
    let stat: f64 = table
        .iter()
        .zip(&expected)
        .flat_map(|(o, e)| o.iter().zip(e))
        .map(|(&o, &e)| {
            let o = if yates && df == 1.0 {
                let diff = e - o;
                o + diff.abs().min(0.5) * diff.signum()
            } else {
                o
            };
            (o - e) * (o - e) / e
        })
        .sum();
    Ok(TestResult {
        statistic: stat,
        p_value: ChiSquared::new(df)?.sf(stat),
        df: Some(df),
    })
}
