//! Hypothesis tests with p-values, one file per family: t tests, proportion z tests, chi-square
//! tests, Kolmogorov–Smirnov, Mann–Whitney U, Anderson–Darling k-sample, Shapiro–Wilk and Levene.
//!
//! Every test returns a [`TestResult`] (statistic, p-value, degrees of freedom where the test has
//! them) and takes an [`Alternative`] where SciPy offers one. NaN policy: tests reject NaN with
//! [`crate::StatsError::Nan`]; drop missing values first.

pub mod anderson;
pub mod chi2;
mod kolmogorov;
pub mod ks;
pub mod levene;
pub mod mann_whitney;
pub mod proportion;
pub mod shapiro;
pub mod ttest;

use crate::distributions::{Normal, StudentT};

/// The alternative hypothesis of a test, named as in SciPy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alternative {
    /// The effect differs from the null in either direction.
    #[default]
    TwoSided,
    /// The effect is below the null (e.g. mean(a) < mean(b)).
    Less,
    /// The effect is above the null.
    Greater,
}

/// The outcome of a test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// The test statistic (t, z, chi², D, U, W, …).
    pub statistic: f64,
    /// The p-value under the chosen alternative.
    pub p_value: f64,
    /// Degrees of freedom, for tests whose reference distribution has them.
    pub df: Option<f64>,
}

/// p-value of a statistic with a symmetric t (or, with `df = None`, normal) null distribution.
pub(crate) fn symmetric_p_value(stat: f64, df: Option<f64>, alternative: Alternative) -> f64 {
    let sf = |x: f64| match df {
        // Callers validate df > 0 before computing a statistic, so `new` cannot fail here;
        // fall back to the normal limit rather than panic if it ever did.
        Some(df) => StudentT::new(df).map_or_else(|_| Normal::standard().sf(x), |t| t.sf(x)),
        None => Normal::standard().sf(x),
    };
    let p = match alternative {
        Alternative::TwoSided => 2.0 * sf(stat.abs()),
        Alternative::Less => sf(-stat),
        Alternative::Greater => sf(stat),
    };
    p.clamp(0.0, 1.0)
}
