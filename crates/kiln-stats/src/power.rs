//! Power and sample size for comparing two groups: the two-sample t test (statsmodels'
//! `TTestIndPower`, noncentral t) and the two-sample normal / proportion test (statsmodels'
//! `NormalIndPower`, with Cohen's h as the effect size for proportions).
//!
//! Sample sizes are solved with a bracketed root finder on the power curve, to 1e-10 relative.

use crate::distributions::{NoncentralT, Normal, StudentT};
use crate::error::{Result, StatsError, check_open_unit};
use crate::hypothesis::Alternative;
use crate::roots::brent;

fn check_inputs(effect_size: f64, nobs1: f64, alpha: f64, ratio: f64) -> Result<()> {
    if !effect_size.is_finite() {
        return Err(StatsError::InvalidParameter {
            name: "effect_size",
            value: effect_size.to_string(),
            expected: "a finite standardized effect",
        });
    }
    if !(nobs1 > 0.0 && nobs1.is_finite()) {
        return Err(StatsError::InvalidParameter {
            name: "nobs1",
            value: nobs1.to_string(),
            expected: "a positive sample size",
        });
    }
    if !(ratio > 0.0 && ratio.is_finite()) {
        return Err(StatsError::InvalidParameter {
            name: "ratio",
            value: ratio.to_string(),
            expected: "a positive ratio nobs2 / nobs1",
        });
    }
    check_open_unit("alpha", alpha)
}

/// Power of the two-sample pooled t test with `nobs1` and `nobs2 = ratio · nobs1` observations to
/// detect a standardized difference `effect_size` (Cohen's d) at level `alpha`. `Less` and
/// `Greater` are statsmodels' "smaller" and "larger". Needs nobs1 · (1 + ratio) > 2.
///
/// ```
/// use kiln_stats::power::ttest_ind_power;
/// use kiln_stats::hypothesis::Alternative;
/// let p = ttest_ind_power(0.5, 64.0, 0.05, 1.0, Alternative::TwoSided).unwrap();
/// assert!((p - 0.8014595579222542).abs() < 1e-9);
/// ```
pub fn ttest_ind_power(
    effect_size: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_inputs(effect_size, nobs1, alpha, ratio)?;
    let nobs2 = nobs1 * ratio;
    let df = nobs1 + nobs2 - 2.0;
    if df <= 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "nobs1",
            value: nobs1.to_string(),
            expected: "a size with nobs1 · (1 + ratio) > 2 (the t test needs degrees of freedom)",
        });
    }
    let nobs = 1.0 / (1.0 / nobs1 + 1.0 / nobs2);
    let t = StudentT::new(df)?;
    let nct = NoncentralT::new(df, effect_size * nobs.sqrt())?;
    let alpha_ = if alternative == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let mut power = 0.0;
    if alternative != Alternative::Less {
        power += nct.sf(t.isf(alpha_)?);
    }
    if alternative != Alternative::Greater {
        power += nct.cdf(t.ppf(alpha_)?);
    }
    Ok(power)
}

/// Power of the two-sample z test (statsmodels' `NormalIndPower`); with `effect_size` from
/// [`cohens_h`] this is the power of a two-proportion test.
///
/// ```
/// use kiln_stats::power::{cohens_h, normal_ind_power};
/// use kiln_stats::hypothesis::Alternative;
/// let p = normal_ind_power(cohens_h(0.5, 0.4).unwrap(), 400.0, 0.05, 1.0, Alternative::TwoSided).unwrap();
/// assert!(p > 0.8 && p < 0.82);
/// ```
pub fn normal_ind_power(
    effect_size: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_inputs(effect_size, nobs1, alpha, ratio)?;
    let nobs = 1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio));
    let z = Normal::standard();
    let alpha_ = if alternative == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let shift = effect_size * nobs.sqrt();
    let mut power = 0.0;
    if alternative != Alternative::Less {
        power += z.sf(z.isf(alpha_)? - shift);
    }
    if alternative != Alternative::Greater {
        power += z.cdf(z.ppf(alpha_)? - shift);
    }
    Ok(power)
}

/// Cohen's h = 2·asin(√p1) − 2·asin(√p2), statsmodels' `proportion_effectsize`.
///
/// ```
/// assert!((kiln_stats::power::cohens_h(0.5, 0.5).unwrap()).abs() < 1e-15);
/// ```
pub fn cohens_h(p1: f64, p2: f64) -> Result<f64> {
    for (name, p) in [("p1", p1), ("p2", p2)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::InvalidParameter {
                name,
                value: p.to_string(),
                expected: "a proportion between 0 and 1",
            });
        }
    }
    Ok(2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin())
}

/// Solves power(n) = target for n above `lo`, doubling the upper end until it brackets.
fn solve_n(power: impl Fn(f64) -> Result<f64>, target: f64, lo: f64) -> Result<f64> {
    check_open_unit("power", target)?;
    let at_lo = power(lo)?;
    if at_lo >= target {
        return Err(StatsError::InvalidInput {
            arg: "power",
            message: format!(
                "the smallest valid sample already reaches power {at_lo:.6}; expected a target above it"
            ),
        });
    }
    let mut hi = lo.max(1.0) * 2.0;
    while power(hi)? < target {
        hi *= 2.0;
        if hi > 1e15 {
            return Err(StatsError::NoConvergence {
                what: "sample size",
                detail: format!(
                    "power {target} is not reached below 1e15 observations; is the effect size zero?"
                ),
            });
        }
    }
    // Errors inside the bracket cannot occur (inputs were validated at both ends); map them to NaN
    // so Brent reports non-convergence rather than panicking.
    brent(
        "sample size",
        |n| power(n).map_or(f64::NAN, |p| p - target),
        lo,
        hi,
        1e-10 * hi,
    )
}

/// Observations needed in group 1 (group 2 gets `ratio` times as many) for a two-sample t test
/// to reach `power`, as `TTestIndPower().solve_power(effect_size, None, alpha, power, ratio)`.
/// Not rounded up; take the ceiling for a plan.
///
/// ```
/// use kiln_stats::power::ttest_ind_sample_size;
/// use kiln_stats::hypothesis::Alternative;
/// let n = ttest_ind_sample_size(0.5, 0.05, 0.8, 1.0, Alternative::TwoSided).unwrap();
/// assert!((n - 63.76561058).abs() < 1e-6);
/// ```
pub fn ttest_ind_sample_size(
    effect_size: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_inputs(effect_size, 10.0, alpha, ratio)?;
    // Start the bracket at one degree of freedom: below it the t quantiles run off to infinity.
    let lo = 3.0 / (1.0 + ratio);
    solve_n(
        |n| ttest_ind_power(effect_size, n, alpha, ratio, alternative),
        power,
        lo,
    )
}

/// Observations needed in group 1 for a two-sample z test (or, with [`cohens_h`], a
/// two-proportion test) to reach `power`, as `NormalIndPower().solve_power(...)`.
///
/// ```
/// use kiln_stats::power::{cohens_h, normal_ind_sample_size};
/// use kiln_stats::hypothesis::Alternative;
/// let n = normal_ind_sample_size(cohens_h(0.5, 0.4).unwrap(), 0.05, 0.8, 1.0, Alternative::TwoSided).unwrap();
/// assert!(n > 380.0 && n < 400.0);
/// ```
pub fn normal_ind_sample_size(
    effect_size: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_inputs(effect_size, 10.0, alpha, ratio)?;
    solve_n(
        |n| normal_ind_power(effect_size, n, alpha, ratio, alternative),
        power,
        1e-6,
    )
}
