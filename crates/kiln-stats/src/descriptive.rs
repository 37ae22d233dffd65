//! Moment-based descriptive statistics over one column: count, missing, mean, variance and
//! standard deviation with `ddof`, skewness and kurtosis (biased and unbiased), min, max and modes.
//!
//! NaN policy: NaN is a missing value and is skipped; [`count`] and [`missing`] say how many of
//! each there were. A column with no non-missing value is [`StatsError::Empty`]; infinite values
//! are an error. Everything is two-pass (mean first, then central moments), which is the accurate
//! reference the streaming [`crate::moments::Moments`] is tested against.

use crate::error::{Result, StatsError};
use crate::quantile::{median_sorted, quantile_sorted, sorted_non_missing};

/// Number of non-missing (non-NaN) values.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::count(&[1.0, f64::NAN, 3.0]), 2);
/// ```
pub fn count(x: &[f64]) -> usize {
    x.iter().filter(|v| !v.is_nan()).count()
}

/// Number of missing (NaN) values.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::missing(&[1.0, f64::NAN, 3.0]), 1);
/// ```
pub fn missing(x: &[f64]) -> usize {
    x.iter().filter(|v| v.is_nan()).count()
}

/// The non-missing values, failing on an empty result or an infinite value.
fn present(x: &[f64]) -> Result<Vec<f64>> {
    let mut v = Vec::with_capacity(x.len());
    for (index, &value) in x.iter().enumerate() {
        if value.is_nan() {
            continue;
        }
        if value.is_infinite() {
            return Err(StatsError::Infinite { arg: "x", index });
        }
        v.push(value);
    }
    if v.is_empty() {
        return Err(StatsError::Empty { arg: "x" });
    }
    Ok(v)
}

/// Neumaier-compensated sum.
pub(crate) fn sum_compensated(x: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for v in x {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Mean of a non-empty slice, corrected by a second pass so it is (nearly) correctly rounded.
pub(crate) fn mean_of(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let m = sum_compensated(v.iter().copied()) / n;
    m + sum_compensated(v.iter().map(|x| x - m)) / n
}

/// Deviations from the mean of a non-empty slice. The data is first shifted by its first value,
/// so the deviations do not inherit the rounding error of a mean far from zero (for 1e6 ± 1 data
/// that error alone moves the skewness by ~1e-9 relative).
fn deviations(v: &[f64]) -> Vec<f64> {
    let shift = v[0];
    let shifted: Vec<f64> = v.iter().map(|x| x - shift).collect();
    let m = mean_of(&shifted);
    shifted.into_iter().map(|s| s - m).collect()
}

/// Central moments (m2, m3, m4), divided by n.
fn central_moments(v: &[f64]) -> (f64, f64, f64) {
    let n = v.len() as f64;
    let d = deviations(v);
    let m2 = sum_compensated(d.iter().map(|x| x.powi(2))) / n;
    let m3 = sum_compensated(d.iter().map(|x| x.powi(3))) / n;
    let m4 = sum_compensated(d.iter().map(|x| x.powi(4))) / n;
    (m2, m3, m4)
}

/// Arithmetic mean, skipping NaN.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::mean(&[1.0, 2.0, f64::NAN, 6.0]).unwrap(), 3.0);
/// ```
pub fn mean(x: &[f64]) -> Result<f64> {
    Ok(mean_of(&present(x)?))
}

fn check_ddof(n: usize, ddof: usize) -> Result<()> {
    if n <= ddof {
        return Err(StatsError::TooFew {
            arg: "x",
            got: n,
            needed: ddof + 1,
            what: "variance with this ddof",
        });
    }
    Ok(())
}

/// Variance Σ(x − mean)² / (n − ddof), skipping NaN (`numpy.nanvar(x, ddof=ddof)`; pandas'
/// `.var()` is `ddof = 1`). Needs more than `ddof` values.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::variance(&[1.0, 2.0, 3.0, 4.0], 1).unwrap(), 5.0 / 3.0);
/// ```
pub fn variance(x: &[f64], ddof: usize) -> Result<f64> {
    let v = present(x)?;
    check_ddof(v.len(), ddof)?;
    let ss = sum_compensated(deviations(&v).iter().map(|x| x.powi(2)));
    Ok(ss / (v.len() - ddof) as f64)
}

/// Standard deviation, the square root of [`variance`] with the same `ddof`.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 0).unwrap(), 2.0);
/// ```
pub fn std_dev(x: &[f64], ddof: usize) -> Result<f64> {
    variance(x, ddof).map(f64::sqrt)
}

/// True when the second moment is indistinguishable from rounding noise around the mean; SciPy
/// returns NaN for skewness and kurtosis there, and we report zero variance instead.
fn negligible_spread(m2: f64, mean: f64) -> bool {
    m2 <= (1e-15 * mean).powi(2)
}

/// Skewness from moments: biased g1 = m3 / m2^1.5, or with `bias = false` the adjusted
/// G1 = g1 · sqrt(n(n−1)) / (n−2).
pub(crate) fn skewness_from(n: f64, m2: f64, m3: f64, bias: bool) -> f64 {
    let g1 = m3 / m2.powf(1.5);
    if bias {
        g1
    } else {
        g1 * (n * (n - 1.0)).sqrt() / (n - 2.0)
    }
}

/// Excess kurtosis from moments: biased g2 = m4 / m2² − 3, or with `bias = false` the adjusted
/// G2 = ((n+1) g2 + 6)(n−1) / ((n−2)(n−3)).
pub(crate) fn kurtosis_from(n: f64, m2: f64, m4: f64, bias: bool) -> f64 {
    let g2 = m4 / (m2 * m2) - 3.0;
    if bias {
        g2
    } else {
        ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    }
}

/// Sample skewness, skipping NaN. `bias = true` is `scipy.stats.skew(x)`; `bias = false` is
/// `scipy.stats.skew(x, bias=False)` and pandas' `Series.skew()`, and needs at least 3 values.
/// Constant input is [`StatsError::ZeroVariance`].
///
/// ```
/// let s = kiln_stats::descriptive::skewness(&[1.0, 2.0, 3.0, 10.0], true).unwrap();
/// assert!((s - 1.0182337649086284).abs() < 1e-12);
/// ```
pub fn skewness(x: &[f64], bias: bool) -> Result<f64> {
    let v = present(x)?;
    if !bias && v.len() < 3 {
        return Err(StatsError::TooFew {
            arg: "x",
            got: v.len(),
            needed: 3,
            what: "unbiased skewness",
        });
    }
    let m = mean_of(&v);
    let (m2, m3, _) = central_moments(&v);
    if negligible_spread(m2, m) {
        return Err(StatsError::ZeroVariance {
            arg: "x",
            what: "skewness",
        });
    }
    Ok(skewness_from(v.len() as f64, m2, m3, bias))
}

/// Excess (Fisher) kurtosis, skipping NaN. `bias = true` is `scipy.stats.kurtosis(x)`;
/// `bias = false` is `scipy.stats.kurtosis(x, bias=False)` and pandas' `Series.kurt()`, and needs
/// at least 4 values. Constant input is [`StatsError::ZeroVariance`].
///
/// ```
/// let k = kiln_stats::descriptive::kurtosis(&[1.0, 2.0, 3.0, 10.0], true).unwrap();
/// assert!((k - -0.7696000000000001).abs() < 1e-12);
/// ```
pub fn kurtosis(x: &[f64], bias: bool) -> Result<f64> {
    let v = present(x)?;
    if !bias && v.len() < 4 {
        return Err(StatsError::TooFew {
            arg: "x",
            got: v.len(),
            needed: 4,
            what: "unbiased kurtosis",
        });
    }
    let m = mean_of(&v);
    let (m2, _, m4) = central_moments(&v);
    if negligible_spread(m2, m) {
        return Err(StatsError::ZeroVariance {
            arg: "x",
            what: "kurtosis",
        });
    }
    Ok(kurtosis_from(v.len() as f64, m2, m4, bias))
}

/// Smallest non-missing value.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::min(&[3.0, f64::NAN, -1.0]).unwrap(), -1.0);
/// ```
pub fn min(x: &[f64]) -> Result<f64> {
    Ok(present(x)?.into_iter().fold(f64::INFINITY, f64::min))
}

/// Largest non-missing value.
///
/// ```
/// assert_eq!(kiln_stats::descriptive::max(&[3.0, f64::NAN, -1.0]).unwrap(), 3.0);
/// ```
pub fn max(x: &[f64]) -> Result<f64> {
    Ok(present(x)?.into_iter().fold(f64::NEG_INFINITY, f64::max))
}

/// All most frequent values, ascending, as pandas' `Series.mode()` (NaN skipped).
///
/// ```
/// assert_eq!(kiln_stats::descriptive::modes(&[1.0, 2.0, 2.0, 3.0, 3.0]).unwrap(), vec![2.0, 3.0]);
/// ```
pub fn modes(x: &[f64]) -> Result<Vec<f64>> {
    let s = sorted_non_missing("x", x)?;
    let mut best = 0usize;
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let mut j = i + 1;
        while j < s.len() && s[j] == s[i] {
            j += 1;
        }
        let run = j - i;
        if run > best {
            best = run;
            out.clear();
        }
        if run == best {
            out.push(s[i]);
        }
        i = j;
    }
    Ok(out)
}

/// A one-call profile of a numeric column, as a data profile or `pandas.Series.describe()` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Non-missing values.
    pub count: usize,
    /// Missing (NaN) values.
    pub missing: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); `None` with a single value.
    pub std: Option<f64>,
    /// Minimum.
    pub min: f64,
    /// 25th percentile (linear).
    pub q25: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile (linear).
    pub q75: f64,
    /// Maximum.
    pub max: f64,
    /// Unbiased skewness (pandas `.skew()`); `None` below 3 values or with zero variance.
    pub skewness: Option<f64>,
    /// Unbiased excess kurtosis (pandas `.kurt()`); `None` below 4 values or with zero variance.
    pub kurtosis: Option<f64>,
}

/// Profiles a column in one call. NaN is skipped and counted.
///
/// ```
/// let s = kiln_stats::descriptive::describe(&[1.0, 2.0, f64::NAN, 4.0]).unwrap();
/// assert_eq!((s.count, s.missing, s.median), (3, 1, 2.0));
/// ```
pub fn describe(x: &[f64]) -> Result<Summary> {
    let s = sorted_non_missing("x", x)?;
    let n = s.len();
    let m = mean_of(&s);
    let (m2, m3, m4) = central_moments(&s);
    let flat = negligible_spread(m2, m);
    let nf = n as f64;
    Ok(Summary {
        count: n,
        missing: x.len() - n,
        mean: m,
        std: (n > 1).then(|| (m2 * nf / (nf - 1.0)).sqrt()),
        min: s[0],
        q25: quantile_sorted(&s, 0.25),
        median: median_sorted(&s),
        q75: quantile_sorted(&s, 0.75),
        max: s[n - 1],
        skewness: (n >= 3 && !flat).then(|| skewness_from(nf, m2, m3, false)),
        kurtosis: (n >= 4 && !flat).then(|| kurtosis_from(nf, m2, m4, false)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            mean(&[]).unwrap_err().to_string(),
            "`x` is empty; expected at least one value"
        );
        assert_eq!(
            variance(&[1.0], 1).unwrap_err().to_string(),
            "`x` has 1 values; variance with this ddof needs at least 2"
        );
        assert_eq!(
            skewness(&[2.0, 2.0, 2.0], true).unwrap_err().to_string(),
            "`x` has zero variance; skewness needs values that vary"
        );
        assert_eq!(
            kurtosis(&[1.0, 2.0, 3.0], false).unwrap_err().to_string(),
            "`x` has 3 values; unbiased kurtosis needs at least 4"
        );
    }
}
