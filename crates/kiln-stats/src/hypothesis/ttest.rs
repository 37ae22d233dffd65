//! Student t tests: one-sample, two-sample (pooled Student and Welch) and paired, as
//! `scipy.stats.ttest_1samp`, `ttest_ind` and `ttest_rel`.
//!
//! NaN is rejected; each sample needs at least two values and the data must vary.

use super::{Alternative, TestResult, symmetric_p_value};
use crate::descriptive::{mean_of, sum_compensated};
use crate::error::{Result, StatsError, check_finite, check_len, check_same_len};

/// Mean and ddof = 1 variance of a checked sample.
fn mean_var(arg: &'static str, x: &[f64], what: &'static str) -> Result<(f64, f64)> {
    check_len(arg, x.len(), 2, what)?;
    check_finite(arg, x)?;
    let m = mean_of(x);
    let v = sum_compensated(x.iter().map(|v| (v - m).powi(2))) / (x.len() - 1) as f64;
    Ok((m, v))
}

/// One-sample t test of H0: mean(x) = `mu`.
///
/// ```
/// use kiln_stats::hypothesis::{ttest::one_sample_t, Alternative};
/// let r = one_sample_t(&[5.1, 4.9, 5.6, 5.8, 6.0], 5.0, Alternative::TwoSided).unwrap();
/// assert_eq!(r.df, Some(4.0));
/// assert!((r.statistic - 2.304073731539131).abs() < 1e-12);
/// ```
pub fn one_sample_t(x: &[f64], mu: f64, alternative: Alternative) -> Result<TestResult> {
    if !mu.is_finite() {
        return Err(StatsError::InvalidParameter {
            name: "mu",
            value: mu.to_string(),
            expected: "a finite mean",
        });
    }
    let (m, v) = mean_var("x", x, "a one-sample t test")?;
    if v == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "x",
            what: "a t test",
        });
    }
    let n = x.len() as f64;
    let t = (m - mu) / (v / n).sqrt();
    let df = n - 1.0;
    Ok(TestResult {
        statistic: t,
        p_value: symmetric_p_value(t, Some(df), alternative),
        df: Some(df),
    })
}

/// Two-sample t test of H0: mean(a) = mean(b). `equal_var = true` is Student's pooled test,
/// `false` is Welch's test with Welch–Satterthwaite degrees of freedom.
///
/// ```
/// use kiln_stats::hypothesis::{ttest::two_sample_t, Alternative};
/// let r = two_sample_t(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0, 8.0], false, Alternative::Less).unwrap();
/// assert!(r.p_value < 0.05);
/// ```
pub fn two_sample_t(
    a: &[f64],
    b: &[f64],
    equal_var: bool,
    alternative: Alternative,
) -> Result<TestResult> {
    let (ma, va) = mean_var("a", a, "a two-sample t test")?;
    let (mb, vb) = mean_var("b", b, "a two-sample t test")?;
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if va == 0.0 && vb == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "a and b",
            what: "a two-sample t test",
        });
    }
    let (se2, df) = if equal_var {
        let df = na + nb - 2.0;
        let pooled = ((na - 1.0) * va + (nb - 1.0) * vb) / df;
        (pooled * (1.0 / na + 1.0 / nb), df)
    } else {
        let (qa, qb) = (va / na, vb / nb);
        (
            (qa + qb),
            (qa + qb).powi(2) / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0)),
        )
    };
    let t = (ma - mb) / se2.sqrt();
    Ok(TestResult {
        statistic: t,
        p_value: symmetric_p_value(t, Some(df), alternative),
        df: Some(df),
    })
}

/// Paired t test of H0: mean(a − b) = 0, for equal-length samples.
///
/// ```
/// use kiln_stats::hypothesis::{ttest::paired_t, Alternative};
/// let r = paired_t(&[10.0, 12.0, 9.0, 11.0], &[9.0, 11.5, 8.0, 10.9], Alternative::Greater).unwrap();
/// assert!(r.p_value < 0.05);
/// ```
pub fn paired_t(a: &[f64], b: &[f64], alternative: Alternative) -> Result<TestResult> {
    check_same_len("a", a.len(), "b", b.len())?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let (m, v) = mean_var("a", &d, "a paired t test")?;
    if v == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "a - b",
            what: "a paired t test",
        });
    }
    let n = d.len() as f64;
    let t = m / (v / n).sqrt();
    let df = n - 1.0;
    Ok(TestResult {
        statistic: t,
        p_value: symmetric_p_value(t, Some(df), alternative),
        df: Some(df),
    })
}
