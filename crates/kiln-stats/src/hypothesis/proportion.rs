//! z tests for one proportion and for the difference of two, as statsmodels'
//! `proportions_ztest` (variance from the observed — for two samples, pooled — proportion).

use super::{Alternative, TestResult, symmetric_p_value};
use crate::error::{Result, StatsError};

fn check_counts(count: u64, nobs: u64, which: &'static str) -> Result<()> {
    if nobs == 0 {
        return Err(StatsError::InvalidParameter {
            name: which,
            value: "0".into(),
            expected: "at least one observation",
        });
    }
    if count > nobs {
        return Err(StatsError::InvalidInput {
            arg: "count",
            message: format!("{count} successes out of {nobs} observations; expected count ≤ nobs"),
        });
    }
    Ok(())
}

fn z_result(diff: f64, p_var: f64, nobs_fact: f64, alternative: Alternative) -> Result<TestResult> {
    let var = p_var * (1.0 - p_var) * nobs_fact;
    if var <= 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "count",
            what: "a proportion z test (all observations are successes or all are failures)",
        });
    }
    let z = diff / var.sqrt();
    Ok(TestResult {
        statistic: z,
        p_value: symmetric_p_value(z, None, alternative),
        df: None,
    })
}

/// One-proportion z test of H0: p = `value`, with the variance from the observed proportion
/// (statsmodels' default). All-success or all-failure samples are [`StatsError::ZeroVariance`].
///
/// ```
/// use kiln_stats::hypothesis::{proportion::one_proportion_z, Alternative};
/// let r = one_proportion_z(37, 100, 0.5, Alternative::TwoSided).unwrap();
/// assert!((r.statistic - -2.6926023193385333).abs() < 1e-12);
/// ```
pub fn one_proportion_z(
    count: u64,
    nobs: u64,
    value: f64,
    alternative: Alternative,
) -> Result<TestResult> {
    check_counts(count, nobs, "nobs")?;
    if !(0.0..=1.0).contains(&value) {
        return Err(StatsError::InvalidParameter {
            name: "value",
            value: value.to_string(),
            expected: "a null proportion between 0 and 1",
        });
    }
    let p = count as f64 / nobs as f64;
    z_result(p - value, p, 1.0 / nobs as f64, alternative)
}

/// Two-proportion z test of H0: p1 = p2, with the pooled proportion in the variance.
///
/// ```
/// use kiln_stats::hypothesis::{proportion::two_proportion_z, Alternative};
/// // 120 of 400 against 100 of 400.
/// let r = two_proportion_z((120, 100), (400, 400), Alternative::Greater).unwrap();
/// assert!((r.statistic - 1.5836151649297912).abs() < 1e-12);
/// assert!((r.p_value - 0.0566406603933507).abs() < 1e-12);
/// ```
pub fn two_proportion_z(
    counts: (u64, u64),
    nobs: (u64, u64),
    alternative: Alternative,
) -> Result<TestResult> {
    check_counts(counts.0, nobs.0, "nobs1")?;
    check_counts(counts.1, nobs.1, "nobs2")?;
    let (n1, n2) = (nobs.0 as f64, nobs.1 as f64);
    let diff = counts.0 as f64 / n1 - counts.1 as f64 / n2;
    let pooled = (counts.0 + counts.1) as f64 / (n1 + n2);
    z_result(diff, pooled, 1.0 / n1 + 1.0 / n2, alternative)
}
