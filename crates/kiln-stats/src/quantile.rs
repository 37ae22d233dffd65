//! Order statistics: quantiles with NumPy's default linear interpolation, median, IQR, the
//! median absolute deviation, and automatic histogram bin edges.
//!
//! These share one sorted copy of the non-missing values, which is why they live together and
//! apart from the moment-based statistics. NaN policy: NaN values are missing and skipped; an
//! input with no non-missing value is [`StatsError::Empty`]; infinite values are an error.

use crate::error::{Result, StatsError};

/// The non-NaN values of `x`, sorted ascending. Fails on an empty result or an infinite value.
pub(crate) fn sorted_non_missing(arg: &'static str, x: &[f64]) -> Result<Vec<f64>> {
    let mut v = Vec::with_capacity(x.len());
    for (index, &value) in x.iter().enumerate() {
        if value.is_nan() {
            continue;
        }
        if value.is_infinite() {
            return Err(StatsError::Infinite { arg, index });
        }
        v.push(value);
    }
    if v.is_empty() {
        return Err(StatsError::Empty { arg });
    }
    v.sort_unstable_by(f64::total_cmp);
    Ok(v)
}

fn check_q(q: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&q) {
        return Err(StatsError::InvalidParameter {
            name: "q",
            value: q.to_string(),
            expected: "a quantile level between 0 and 1",
        });
    }
    Ok(())
}

/// NumPy's `_lerp`: exact at both ends, evaluated from the nearer end.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Linear-interpolation quantile of an already sorted, non-empty slice (`numpy.quantile` default).
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * q;
    let lo = h.floor();
    let i = lo as usize;
    if i + 1 >= n {
        return sorted[n - 1];
    }
    lerp(sorted[i], sorted[i + 1], h - lo)
}

/// Quantile at level `q` in [0, 1] with linear interpolation between order statistics, as
/// `numpy.quantile(x, q)` (method "linear") and pandas' `Series.quantile`. NaN is skipped.
///
/// ```
/// use kiln_stats::quantile::quantile;
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25).unwrap(), 1.75);
/// ```
pub fn quantile(x: &[f64], q: f64) -> Result<f64> {
    check_q(q)?;
    let s = sorted_non_missing("x", x)?;
    Ok(quantile_sorted(&s, q))
}

/// Several quantiles from one sort; see [`quantile`].
///
/// ```
/// use kiln_stats::quantile::quantiles;
/// assert_eq!(quantiles(&[1.0, 2.0, 3.0], &[0.0, 0.5, 1.0]).unwrap(), vec![1.0, 2.0, 3.0]);
/// ```
pub fn quantiles(x: &[f64], qs: &[f64]) -> Result<Vec<f64>> {
    for &q in qs {
        check_q(q)?;
    }
    let s = sorted_non_missing("x", x)?;
    Ok(qs.iter().map(|&q| quantile_sorted(&s, q)).collect())
}

/// Median of a sorted non-empty slice, as `numpy.median` (mean of the two middle values).
pub(crate) fn median_sorted(s: &[f64]) -> f64 {
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Median, skipping NaN (`numpy.nanmedian`).
///
/// ```
/// use kiln_stats::quantile::median;
/// assert_eq!(median(&[3.0, f64::NAN, 1.0, 2.0, 10.0]).unwrap(), 2.5);
/// ```
pub fn median(x: &[f64]) -> Result<f64> {
    let s = sorted_non_missing("x", x)?;
    Ok(median_sorted(&s))
}

/// Interquartile range Q3 − Q1 with linear interpolation (`scipy.stats.iqr`), skipping NaN.
///
/// ```
/// use kiln_stats::quantile::iqr;
/// assert_eq!(iqr(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap(), 2.0);
/// ```
pub fn iqr(x: &[f64]) -> Result<f64> {
    let s = sorted_non_missing("x", x)?;
    Ok(quantile_sorted(&s, 0.75) - quantile_sorted(&s, 0.25))
}

/// Median absolute deviation `median(|x - median(x)|)` with scale 1, as
/// `scipy.stats.median_abs_deviation(x, nan_policy="omit")`.
///
/// ```
/// use kiln_stats::quantile::median_abs_deviation;
/// assert_eq!(median_abs_deviation(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap(), 1.0);
/// ```
pub fn median_abs_deviation(x: &[f64]) -> Result<f64> {
    let s = sorted_non_missing("x", x)?;
    let med = median_sorted(&s);
    let mut dev: Vec<f64> = s.iter().map(|v| (v - med).abs()).collect();
    dev.sort_unstable_by(f64::total_cmp);
    Ok(median_sorted(&dev))
}

/// How to choose the number of equal-width histogram bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinRule {
    /// Freedman–Diaconis: width = 2·IQR·n^(-1/3).
    FreedmanDiaconis,
    /// Sturges: width = range / (log2(n) + 1).
    Sturges,
}

/// The largest number of bins [`histogram_bin_edges`] will produce before reporting an error
/// (heavy tails can make Freedman–Diaconis ask for absurd counts).
pub const MAX_BINS: usize = 10_000_000;

/// Equal-width bin edges over [min, max] chosen by `rule`, as `numpy.histogram_bin_edges(x,
/// bins="fd" | "sturges")`. NaN is skipped. A constant input gets one bin [v − 0.5, v + 0.5];
/// a zero-IQR input under Freedman–Diaconis gets one bin over the range, as NumPy does.
///
/// ```
/// use kiln_stats::quantile::{histogram_bin_edges, BinRule};
/// let edges = histogram_bin_edges(&[0.0, 1.0, 2.0, 3.0], BinRule::Sturges).unwrap();
/// assert_eq!(edges, vec![0.0, 1.0, 2.0, 3.0]);
/// ```
pub fn histogram_bin_edges(x: &[f64], rule: BinRule) -> Result<Vec<f64>> {
    let s = sorted_non_missing("x", x)?;
    let n = s.len() as f64;
    let (first, last) = (s[0], s[s.len() - 1]);
    let width = match rule {
        BinRule::FreedmanDiaconis => {
            2.0 * (quantile_sorted(&s, 0.75) - quantile_sorted(&s, 0.25)) * n.powf(-1.0 / 3.0)
        }
        BinRule::Sturges => (last - first) / (n.log2() + 1.0),
    };
    equal_width_edges(first, last, width)
}

/// Sturges bin edges from the summary a sample does not change: the smallest and largest value
/// and the number of values, as `numpy.histogram_bin_edges(x, bins="sturges")` would compute them
/// on the full data. This lets a drift test place Evidently's bins over reference + current data
/// without holding every reference value.
///
/// ```
/// use kiln_stats::quantile::{histogram_bin_edges, sturges_bin_edges, BinRule};
/// let x = [0.5, 1.0, 2.25, 3.0, 7.5];
/// assert_eq!(sturges_bin_edges(0.5, 7.5, 5).unwrap(), histogram_bin_edges(&x, BinRule::Sturges).unwrap());
/// ```
pub fn sturges_bin_edges(min: f64, max: f64, n: usize) -> Result<Vec<f64>> {
    if !(min.is_finite() && max.is_finite() && min <= max) {
        return Err(StatsError::InvalidInput {
            arg: "min, max",
            message: format!("[{min}, {max}] is not a finite range; expected min ≤ max"),
        });
    }
    if n == 0 {
        return Err(StatsError::Empty { arg: "n" });
    }
    equal_width_edges(min, max, (max - min) / ((n as f64).log2() + 1.0))
}

/// NumPy's equal-width edges over [first, last] for a bin width (one unit bin around a constant).
fn equal_width_edges(mut first: f64, mut last: f64, width: f64) -> Result<Vec<f64>> {
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let bins = if width > 0.0 {
        let b = ((last - first) / width).ceil();
        if b > MAX_BINS as f64 {
            return Err(StatsError::InvalidInput {
                arg: "x",
                message: format!("the bin rule asks for {b} bins; expected at most {MAX_BINS}"),
            });
        }
        b as usize
    } else {
        1
    };
    // numpy.linspace: start + i·step, with the last edge set to the stop exactly.
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| first + i as f64 * step).collect();
    edges[bins] = last;
    Ok(edges)
}

/// Counts of `x` in the bins of sorted `edges`, as `numpy.histogram(x, edges)[0]`: bin i holds
/// edges[i] ≤ v < edges[i + 1], the last bin also holds v = edges[last], and values outside
/// [edges[0], edges[last]] or NaN are not counted. Needs at least two edges.
///
/// ```
/// use kiln_stats::quantile::histogram_counts;
/// assert_eq!(histogram_counts(&[0.0, 0.5, 1.0, 2.0, 3.0], &[0.0, 1.0, 2.0]).unwrap(), vec![2, 2]);
/// ```
pub fn histogram_counts(x: &[f64], edges: &[f64]) -> Result<Vec<u64>> {
    if edges.len() < 2 {
        return Err(StatsError::TooFew {
            arg: "edges",
            got: edges.len(),
            needed: 2,
            what: "a histogram",
        });
    }
    if let Some(i) = edges
        .windows(2)
        .position(|w| w[0].partial_cmp(&w[1]).is_none_or(|o| o.is_gt()))
    {
        return Err(StatsError::InvalidInput {
            arg: "edges",
            message: format!(
                "edge {} is below edge {i} (or NaN); expected sorted edges",
                i + 1
            ),
        });
    }
    let bins = edges.len() - 1;
    let (first, last) = (edges[0], edges[bins]);
    let mut counts = vec![0u64; bins];
    for &v in x {
        if !(v >= first && v <= last) {
            continue;
        }
        // The last bin is closed on the right, so v == last belongs to it.
        let k = edges.partition_point(|e| *e <= v).min(bins);
        counts[k - 1] += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_level_and_empty_input() {
        let err = quantile(&[1.0], 1.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`q` = 1.5; expected a quantile level between 0 and 1"
        );
        let err = median(&[f64::NAN, f64::NAN]).unwrap_err();
        assert_eq!(err.to_string(), "`x` is empty; expected at least one value");
        let err = iqr(&[1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`x` contains an infinite value at index 1; expected finite values"
        );
    }

    #[test]
    fn constant_input_gets_one_unit_bin() {
        let edges = histogram_bin_edges(&[2.0, 2.0, 2.0], BinRule::FreedmanDiaconis).unwrap();
        assert_eq!(edges, vec![1.5, 2.5]);
    }
}
