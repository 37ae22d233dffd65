//! One column's drift: choosing the method (Evidently's rule unless the spec names one), running
//! it on the reference summary and the current values, and the column's effect size.
//!
//! Each method is SciPy's function called the way Evidently calls it: `ks_2samp`,
//! `chisquare(current counts, reference shares × current total)`, the pooled two-proportion z
//! test, `wasserstein_distance / max(std(reference), 0.001)`, `jensenshannon` of binned shares,
//! PSI of filled binned shares, `anderson_ksamp([reference, current]).pvalue`, and
//! `mannwhitneyu(reference, current)` (two-sided here).

use kiln_stats::association::cramers_v;
use kiln_stats::distance::{jensen_shannon, psi_from_shares, wasserstein};
use kiln_stats::hypothesis::anderson::anderson_ksamp;
use kiln_stats::hypothesis::chi2::chi_square_goodness_of_fit;
use kiln_stats::hypothesis::ks::ks_two_sample;
use kiln_stats::hypothesis::mann_whitney::{MwuMethod, mann_whitney_u};
use kiln_stats::hypothesis::proportion::two_proportion_z;
use kiln_stats::hypothesis::{Alternative, TestResult};
use serde::{Deserialize, Serialize};

use super::binning::{aligned_counts, binned_shares, distinct_values, psi_shares};
use super::reference::{ColumnReference, ColumnSummary, SMALL_DOMAIN};
use super::spec::{DriftMethod, FEW_VALUES, PsiBinning, SMALL_REFERENCE_ROWS};
use super::values::ColumnValues;
use crate::error::{MonitorError, Result};

/// Evidently's floor on the reference standard deviation that normalizes Wasserstein.
const WASSERSTEIN_MIN_STD: f64 = 0.001;

/// Which effect size a column reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectSizeKind {
    /// (current mean − reference mean) / reference standard deviation (numeric columns).
    StandardizedMeanDifference,
    /// Cramér's V of the reference-vs-current table of counts (categories), in [0, 1].
    CramersV,
}

/// How large the change is, independent of sample size (a p-value is not).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectSize {
    /// Which measure.
    pub kind: EffectSizeKind,
    /// Its value.
    pub value: f64,
}

/// The raw outcome of one method on one column, before any correction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MethodOutcome {
    /// Test statistic, or the distance for distance methods.
    pub statistic: f64,
    /// p-value of a test.
    pub p_value: Option<f64>,
    /// True when the statistic read the reference sample rather than every reference value.
    pub reference_sampled: bool,
}

/// Evidently's automatic method for a column.
pub(crate) fn automatic_method(reference: &ColumnReference, current: &ColumnValues) -> DriftMethod {
    let numeric = matches!(reference.summary, ColumnSummary::Numeric(_));
    let n_ref = reference_count(&reference.summary);
    let n_values = distinct_values(&reference.summary, current, FEW_VALUES);
    match (
        n_ref <= SMALL_REFERENCE_ROWS,
        numeric && n_values > FEW_VALUES,
    ) {
        (true, true) => DriftMethod::Ks,
        (true, false) if n_values > 2 => DriftMethod::ChiSquare,
        (true, false) => DriftMethod::Z,
        (false, true) => DriftMethod::Wasserstein,
        (false, false) => DriftMethod::JensenShannon,
    }
}

/// Non-missing reference values of a column.
pub(crate) fn reference_count(summary: &ColumnSummary) -> u64 {
    match summary {
        ColumnSummary::Numeric(n) => n.count,
        ColumnSummary::Categories(c) => c.count,
        ColumnSummary::Unmonitored => 0,
    }
}

fn test(r: TestResult, reference_sampled: bool) -> MethodOutcome {
    MethodOutcome {
        statistic: r.statistic,
        p_value: Some(r.p_value),
        reference_sampled,
    }
}

fn distance(value: f64, reference_sampled: bool) -> MethodOutcome {
    MethodOutcome {
        statistic: value,
        p_value: None,
        reference_sampled,
    }
}

/// Runs `method` on one column.
pub(crate) fn run_method(
    reference: &ColumnReference,
    current: &ColumnValues,
    method: DriftMethod,
    psi_binning: PsiBinning,
) -> Result<MethodOutcome> {
    let name = reference.name.as_str();
    if let (true, ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) =
        (method.needs_numeric(), &reference.summary, current)
    {
        let sampled = !r.sample_is_complete();
        let s = r.sample.as_slice();
        return Ok(match method {
            DriftMethod::Ks => test(ks_two_sample(s, c, Alternative::TwoSided)?, sampled),
            DriftMethod::MannWhitney => test(
                mann_whitney_u(s, c, Alternative::TwoSided, MwuMethod::Auto)?,
                sampled,
            ),
            DriftMethod::Anderson => {
                let a = anderson_ksamp(&[s, c])?;
                MethodOutcome {
                    statistic: a.statistic,
                    p_value: Some(a.significance_level),
                    reference_sampled: sampled,
                }
            }
            _ => {
                let w = wasserstein(s, c, None, None)?;
                distance(w / r.std.max(WASSERSTEIN_MIN_STD), sampled)
            }
        });
    }
    if method.needs_numeric() {
        return Err(MonitorError::column(
            name,
            format!(
                "method {method} needs a numeric column; this one is {}",
                reference.column_type
            ),
        ));
    }
    let sampled_bins = match &reference.summary {
        ColumnSummary::Numeric(r) => r.value_counts.is_none() && !r.sample_is_complete(),
        _ => false,
    };
    match method {
        DriftMethod::ChiSquare | DriftMethod::Z => {
            let aligned = aligned_counts(&reference.summary, current).ok_or_else(|| {
                MonitorError::column(
                    name,
                    format!(
                        "method {method} compares counts per value, but the reference has more than {SMALL_DOMAIN} distinct values; use ks, wasserstein, psi or jensenshannon"
                    ),
                )
            })?;
            if method == DriftMethod::ChiSquare {
                chi_square(name, &aligned).map(|r| test(r, false))
            } else {
                z_test(name, &aligned).map(|r| test(r, false))
            }
        }
        DriftMethod::JensenShannon => {
            let (r, c) = binned_shares(name, &reference.summary, current)?;
            Ok(distance(jensen_shannon(&r, &c, None)?, sampled_bins))
        }
        _ => {
            let (r, c) = psi_shares(name, &reference.summary, current, psi_binning)?;
            let sampled = sampled_bins && psi_binning == PsiBinning::Sturges;
            Ok(distance(psi_from_shares(&r, &c)?, sampled))
        }
    }
}

/// `scipy.stats.chisquare(current, reference × n_current / n_reference)`; a value the reference
/// never had makes the statistic infinite and the p-value 0, as SciPy reports it.
fn chi_square(column: &str, aligned: &[(u64, u64)]) -> Result<TestResult> {
    if aligned.len() < 2 {
        return Err(MonitorError::column(
            column,
            "chisquare needs at least 2 distinct values across reference and current; this column has 1",
        ));
    }
    let n_ref: u64 = aligned.iter().map(|a| a.0).sum();
    let n_cur: u64 = aligned.iter().map(|a| a.1).sum();
    let k = n_cur as f64 / n_ref as f64;
    let expected: Vec<f64> = aligned.iter().map(|a| a.0 as f64 * k).collect();
    let observed: Vec<f64> = aligned.iter().map(|a| a.1 as f64).collect();
    if expected.contains(&0.0) {
        return Ok(TestResult {
            statistic: f64::INFINITY,
            p_value: 0.0,
            df: Some((aligned.len() - 1) as f64),
        });
    }
    Ok(chi_square_goodness_of_fit(&observed, Some(&expected))?)
}

/// Evidently's z test: the first value (in sorted order) against the rest; both sides constant
/// at the same value is no drift (p = 1).
fn z_test(column: &str, aligned: &[(u64, u64)]) -> Result<TestResult> {
    match aligned {
        [_] => Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
            df: None,
        }),
        [first, second] => {
            let n = (first.0 + second.0, first.1 + second.1);
            Ok(two_proportion_z(
                (second.0, second.1),
                n,
                Alternative::TwoSided,
            )?)
        }
        _ => Err(MonitorError::column(
            column,
            format!(
                "method z needs at most 2 distinct values; reference and current have {} (use chisquare or jensenshannon)",
                aligned.len()
            ),
        )),
    }
}

/// The column's effect size: standardized mean difference for numbers, Cramér's V for counts.
/// `None` where it is undefined (a constant reference, a single category).
pub(crate) fn effect_size(
    reference: &ColumnReference,
    current: &ColumnValues,
) -> Option<EffectSize> {
    match (&reference.summary, current) {
        (ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) => {
            if r.std <= 0.0 || c.is_empty() {
                return None;
            }
            let mean = kiln_stats::descriptive::mean(c).ok()?;
            Some(EffectSize {
                kind: EffectSizeKind::StandardizedMeanDifference,
                value: (mean - r.mean) / r.std,
            })
        }
        (ColumnSummary::Categories(_), ColumnValues::Categories(_)) => {
            let aligned = aligned_counts(&reference.summary, current)?;
            let table = vec![
                aligned.iter().map(|a| a.0 as f64).collect(),
                aligned.iter().map(|a| a.1 as f64).collect::<Vec<f64>>(),
            ];
            let v = cramers_v(&table, false).ok()?;
            Some(EffectSize {
                kind: EffectSizeKind::CramersV,
                value: v,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_and_chi_square_edge_cases() {
        let r = z_test("c", &[(10, 7)]).unwrap();
        assert_eq!(r.p_value, 1.0);
        let e = z_test("c", &[(1, 1), (2, 2), (3, 3)])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("column 'c': method z needs at most 2"), "{e}");
        let r = chi_square("c", &[(10, 5), (0, 3), (5, 5)]).unwrap();
        assert!(r.statistic.is_infinite() && r.p_value == 0.0);
        let e = chi_square("c", &[(10, 5)]).unwrap_err().to_string();
        assert!(e.contains("at least 2 distinct values"), "{e}");
    }
}
