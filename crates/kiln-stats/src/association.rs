//! Association between categorical variables, and between a numeric and a categorical one:
//! contingency tables, Cramér's V (plain and bias-corrected) and the correlation ratio η.
//!
//! Categories are integer codes (`u32`), which is what a dictionary-encoded Arrow column holds;
//! missing categories are the caller's to drop or to code as a level of their own.

use std::collections::BTreeMap;

use crate::error::{Result, StatsError, check_finite, check_len, check_same_len};

/// Counts of each (row code, column code) pair, with rows and columns for the observed codes only,
/// in ascending code order (as `pandas.crosstab`).
///
/// ```
/// use kiln_stats::association::crosstab;
/// let t = crosstab(&[0, 0, 1, 1, 1], &[5, 7, 5, 5, 7]).unwrap();
/// assert_eq!(t, vec![vec![1.0, 1.0], vec![2.0, 1.0]]);
/// ```
pub fn crosstab(a: &[u32], b: &[u32]) -> Result<Vec<Vec<f64>>> {
    check_same_len("a", a.len(), "b", b.len())?;
    check_len("a", a.len(), 1, "a contingency table")?;
    let index = |codes: &[u32]| -> BTreeMap<u32, usize> {
        let mut m: BTreeMap<u32, usize> = codes.iter().map(|&c| (c, 0)).collect();
        for (i, v) in m.values_mut().enumerate() {
            *v = i;
        }
        m
    };
    let (ra, rb) = (index(a), index(b));
    let mut t = vec![vec![0.0; rb.len()]; ra.len()];
    for (x, y) in a.iter().zip(b) {
        t[ra[x]][rb[y]] += 1.0;
    }
    Ok(t)
}

/// Validates a contingency table: rectangular, non-negative finite counts, at least 2×2, no
/// all-zero row or column. Returns (rows, columns, total).
pub(crate) fn check_table(table: &[Vec<f64>], min_dim: usize) -> Result<(usize, usize, f64)> {
    let r = table.len();
    if r == 0 {
        return Err(StatsError::Empty { arg: "table" });
    }
    let c = table[0].len();
    for (i, row) in table.iter().enumerate() {
        if row.len() != c {
            return Err(StatsError::InvalidInput {
                arg: "table",
                message: format!(
                    "row {i} has {} cells but row 0 has {c}; expected a rectangular table",
                    row.len()
                ),
            });
        }
        check_finite("table", row)?;
        if let Some(j) = row.iter().position(|&v| v < 0.0) {
            return Err(StatsError::InvalidInput {
                arg: "table",
                message: format!("cell ({i}, {j}) is negative; expected counts ≥ 0"),
            });
        }
    }
    if r < min_dim || c < min_dim {
        return Err(StatsError::InvalidInput {
            arg: "table",
            message: format!("the table is {r}×{c}; expected at least {min_dim}×{min_dim}"),
        });
    }
    let total: f64 = table.iter().flatten().sum();
    for (i, row) in table.iter().enumerate() {
        if row.iter().sum::<f64>() == 0.0 {
            return Err(StatsError::InvalidInput {
                arg: "table",
                message: format!("row {i} sums to zero; expected counts in every row"),
            });
        }
    }
    for j in 0..c {
        if table.iter().map(|row| row[j]).sum::<f64>() == 0.0 {
            return Err(StatsError::InvalidInput {
                arg: "table",
                message: format!("column {j} sums to zero; expected counts in every column"),
            });
        }
    }
    Ok((r, c, total))
}

/// Expected counts under independence: row total × column total / grand total.
pub(crate) fn expected_counts(table: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let total: f64 = table.iter().flatten().sum();
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..table[0].len())
        .map(|j| table.iter().map(|r| r[j]).sum())
        .collect();
    rows.iter()
        .map(|ri| cols.iter().map(|cj| ri * cj / total).collect())
        .collect()
}

/// Pearson's chi-square statistic Σ (O − E)² / E without continuity correction.
pub(crate) fn pearson_chi2(table: &[Vec<f64>]) -> f64 {
    let e = expected_counts(table);
    table
        .iter()
        .zip(&e)
        .flat_map(|(o, e)| o.iter().zip(e))
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum()
}

/// Cramér's V of a contingency table (at least 2×2, no empty row or column).
///
/// Without correction it is sqrt(χ²/n / min(r−1, c−1)), as
/// `scipy.stats.contingency.association(table, method="cramer")` (χ² without Yates' correction).
/// With `bias_corrected`, Bergsma's (2013) correction: φ²₊ = max(0, φ² − (c−1)(r−1)/(n−1)),
/// r̃ = r − (r−1)²/(n−1), c̃ = c − (c−1)²/(n−1), V = sqrt(φ²₊ / min(r̃−1, c̃−1)).
///
/// ```
/// use kiln_stats::association::cramers_v;
/// let v = cramers_v(&[vec![10.0, 0.0], vec![0.0, 10.0]], false).unwrap();
/// assert!((v - 1.0).abs() < 1e-12);
/// ```
pub fn cramers_v(table: &[Vec<f64>], bias_corrected: bool) -> Result<f64> {
    let (r, c, n) = check_table(table, 2)?;
    let phi2 = pearson_chi2(table) / n;
    let (rf, cf) = (r as f64, c as f64);
    if !bias_corrected {
        return Ok((phi2 / (rf - 1.0).min(cf - 1.0)).sqrt());
    }
    if n <= 1.0 {
        return Err(StatsError::InvalidInput {
            arg: "table",
            message: format!(
                "the table holds {n} observations; the bias correction needs at least 2"
            ),
        });
    }
    let phi2_corr = (phi2 - (cf - 1.0) * (rf - 1.0) / (n - 1.0)).max(0.0);
    let r_corr = rf - (rf - 1.0).powi(2) / (n - 1.0);
    let c_corr = cf - (cf - 1.0).powi(2) / (n - 1.0);
    let denom = (r_corr - 1.0).min(c_corr - 1.0);
    if denom <= 0.0 {
        return Err(StatsError::InvalidInput {
            arg: "table",
            message: format!(
                "with {n} observations the corrected table has no degrees of freedom; expected more observations"
            ),
        });
    }
    Ok((phi2_corr / denom).sqrt())
}

/// The correlation ratio η = sqrt(SS_between / SS_total) of numeric `values` grouped by
/// categorical `codes`: 0 when the group means are equal, 1 when each group is constant.
/// Needs non-constant values; rejects NaN.
///
/// ```
/// use kiln_stats::association::correlation_ratio;
/// let eta = correlation_ratio(&[1.0, 1.0, 5.0, 5.0], &[0, 0, 1, 1]).unwrap();
/// assert!((eta - 1.0).abs() < 1e-12);
/// ```
pub fn correlation_ratio(values: &[f64], codes: &[u32]) -> Result<f64> {
    check_same_len("values", values.len(), "codes", codes.len())?;
    check_len("values", values.len(), 2, "the correlation ratio")?;
    check_finite("values", values)?;
    let mean = crate::descriptive::mean_of(values);
    let mut groups: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for (&v, &c) in values.iter().zip(codes) {
        let g = groups.entry(c).or_insert((0.0, 0.0));
        g.0 += v;
        g.1 += 1.0;
    }
    let between: f64 = groups
        .values()
        .map(|(s, n)| n * (s / n - mean).powi(2))
        .sum();
    let total: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    if total == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "values",
            what: "the correlation ratio",
        });
    }
    Ok((between / total).sqrt().min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_tables_are_errors() {
        assert_eq!(
            cramers_v(&[vec![1.0, 2.0]], false).unwrap_err().to_string(),
            "`table`: the table is 1×2; expected at least 2×2"
        );
        assert_eq!(
            cramers_v(&[vec![1.0, 0.0], vec![2.0, 0.0]], true)
                .unwrap_err()
                .to_string(),
            "`table`: column 1 sums to zero; expected counts in every column"
        );
        assert_eq!(
            correlation_ratio(&[1.0, 1.0], &[0, 1])
                .unwrap_err()
                .to_string(),
            "`values` has zero variance; the correlation ratio needs values that vary"
        );
        assert_eq!(
            crosstab(&[1], &[1, 2]).unwrap_err().to_string(),
            "`a` has 1 values but `b` has 2; expected equal lengths"
        );
    }
}
