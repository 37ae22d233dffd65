//! Turning a reference summary and current values into what the methods compare: counts per
//! value aligned across both sides, and the binned shares of PSI and Jensen–Shannon.
//!
//! The binning is Evidently's (`get_binned_data`): a numeric column whose reference has more
//! than [`SMALL_DOMAIN`] distinct values is cut into Sturges equal-width bins over reference and
//! current together (`numpy.histogram_bin_edges(concat, "sturges")`); any other column gets one
//! bin per value seen on either side. The Sturges edges depend only on the combined minimum,
//! maximum and count, which the reference profile holds exactly, so the edges are exact even
//! when the reference shares come from its sample. For PSI, empty bins are then filled on each
//! side with a small share (the smallest non-zero share / 10⁶ when that is ≤ 10⁻⁴, else 10⁻⁴),
//! as Evidently does; Jensen–Shannon takes the shares as they are.

use kiln_stats::distance::open_bin_counts;
use kiln_stats::quantile::{histogram_counts, sturges_bin_edges};
use rustc_hash::FxHashMap;

use super::reference::{ColumnSummary, NumericReference, SMALL_DOMAIN};
use super::spec::PsiBinning;
use super::values::ColumnValues;
use crate::error::{MonitorError, Result};

/// The key that makes -0.0 and 0.0 one value.
fn float_key(v: f64) -> u64 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

/// Reference and current counts per value, over every value seen on either side, in ascending
/// value order. `None` for a numeric column with more than [`SMALL_DOMAIN`] distinct reference
/// values (it has no exact counts per value).
pub(crate) fn aligned_counts(
    reference: &ColumnSummary,
    current: &ColumnValues,
) -> Option<Vec<(u64, u64)>> {
    labelled_counts(reference, current)
        .map(|rows| rows.into_iter().map(|(_, r, c)| (r, c)).collect())
}

/// [`aligned_counts`] with each value's label (the category, or the number as text), for the
/// report's charts: the bars drawn are exactly the counts the tests compared.
pub(crate) fn labelled_counts(
    reference: &ColumnSummary,
    current: &ColumnValues,
) -> Option<Vec<(String, u64, u64)>> {
    match (reference, current) {
        (ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) => {
            let known = r.value_counts.as_ref()?;
            let mut cur: FxHashMap<u64, (f64, u64)> = FxHashMap::default();
            for &v in c {
                cur.entry(float_key(v)).or_insert((v, 0)).1 += 1;
            }
            let mut rows: Vec<(f64, u64, u64)> = known
                .iter()
                .map(|&(v, k)| (v, k, cur.remove(&float_key(v)).map_or(0, |e| e.1)))
                .collect();
            rows.extend(cur.into_values().map(|(v, k)| (v, 0, k)));
            rows.sort_by(|a, b| a.0.total_cmp(&b.0));
            Some(
                rows.into_iter()
                    .map(|(v, r, c)| (v.to_string(), r, c))
                    .collect(),
            )
        }
        (ColumnSummary::Categories(r), ColumnValues::Categories(c)) => {
            let mut cur = c.clone();
            let mut rows: Vec<(String, u64, u64)> = r
                .counts
                .iter()
                .map(|(v, k)| (v.clone(), *k, cur.remove(v).unwrap_or(0)))
                .collect();
            rows.extend(cur.into_iter().map(|(v, k)| (v, 0, k)));
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            Some(rows)
        }
        _ => None,
    }
}

/// Distinct values across both sides, counted exactly up to `limit` and reported as
/// `limit + 1` beyond it (the automatic method choice only asks "more than 5?").
pub(crate) fn distinct_values(
    reference: &ColumnSummary,
    current: &ColumnValues,
    limit: usize,
) -> usize {
    match (reference, current) {
        (ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) => {
            let Some(known) = &r.value_counts else {
                return limit.max(SMALL_DOMAIN) + 1;
            };
            let mut seen: FxHashMap<u64, ()> =
                known.iter().map(|(v, _)| (float_key(*v), ())).collect();
            for &v in c {
                if seen.len() > limit {
                    break;
                }
                seen.insert(float_key(v), ());
            }
            seen.len().min(limit + 1)
        }
        _ => aligned_counts(reference, current).map_or(limit + 1, |a| a.len().min(limit + 1)),
    }
}

/// Evidently's fill of empty shares for PSI, applied to one side.
pub(crate) fn fill_empty_shares(shares: &mut [f64]) {
    let smallest = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !smallest.is_finite() {
        return;
    }
    let fill = if smallest <= 1e-4 {
        smallest / 1e6
    } else {
        1e-4
    };
    for s in shares.iter_mut().filter(|s| **s == 0.0) {
        *s = fill;
    }
}

fn shares(counts: &[u64], total: u64) -> Vec<f64> {
    counts.iter().map(|&k| k as f64 / total as f64).collect()
}

/// Reference and current shares in Evidently's bins (see the module doc), before any fill.
pub(crate) fn binned_shares(
    column: &str,
    reference: &ColumnSummary,
    current: &ColumnValues,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if let Some(aligned) = aligned_counts(reference, current) {
        let (r, c): (Vec<u64>, Vec<u64>) = aligned.into_iter().unzip();
        let (nr, nc) = (r.iter().sum(), c.iter().sum());
        return Ok((shares(&r, nr), shares(&c, nc)));
    }
    match (reference, current) {
        (ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) => sturges_shares(r, c),
        _ => Err(MonitorError::column(
            column,
            "reference and current values are of different kinds",
        )),
    }
}

fn sturges_shares(r: &NumericReference, c: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    let (_, rc, cc) = sturges_counts(r, c)?;
    Ok((
        shares(&rc, r.sample.len() as u64),
        shares(&cc, c.len() as u64),
    ))
}

/// Evidently's Sturges bins over reference and current together: the edges, the reference
/// sample's count and the current count per bin.
pub(crate) fn sturges_counts(
    r: &NumericReference,
    c: &[f64],
) -> Result<(Vec<f64>, Vec<u64>, Vec<u64>)> {
    let (mut lo, mut hi) = (r.min, r.max);
    for &v in c {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let n = (r.count as usize).saturating_add(c.len());
    let edges = sturges_bin_edges(lo, hi, n)?;
    let rc = histogram_counts(&r.sample, &edges)?;
    let cc = histogram_counts(c, &edges)?;
    Ok((edges, rc, cc))
}

/// Reference and current shares for PSI under `binning`, with empty bins filled.
pub(crate) fn psi_shares(
    column: &str,
    reference: &ColumnSummary,
    current: &ColumnValues,
    binning: PsiBinning,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (mut r, mut c) = match (binning, reference, current) {
        (PsiBinning::Quantiles, ColumnSummary::Numeric(r), ColumnValues::Numeric(c)) => {
            let cc = open_bin_counts(c, &r.quantile_edges);
            (
                shares(&r.quantile_counts, r.count),
                shares(&cc, c.len() as u64),
            )
        }
        _ => binned_shares(column, reference, current)?,
    };
    fill_empty_shares(&mut r);
    fill_empty_shares(&mut c);
    Ok((r, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::reference::CategoryReference;

    #[test]
    fn counts_align_over_both_sides_in_value_order() {
        let r = ColumnSummary::Categories(CategoryReference {
            count: 5,
            counts: vec![("a".into(), 2), ("c".into(), 3)],
        });
        let c = ColumnValues::Categories(
            [("b".to_string(), 4), ("c".to_string(), 1)]
                .into_iter()
                .collect(),
        );
        assert_eq!(
            aligned_counts(&r, &c).unwrap(),
            vec![(2, 0), (0, 4), (3, 1)]
        );
        assert_eq!(distinct_values(&r, &c, 5), 3);
        let mut s = vec![0.5, 0.0, 0.5];
        fill_empty_shares(&mut s);
        assert_eq!(s, vec![0.5, 1e-4, 0.5]);
        let mut s = vec![0.99995, 0.0, 0.00005];
        fill_empty_shares(&mut s);
        assert_eq!(s[1], 0.00005 / 1e6);
    }
}
