//! Correlation of two numeric columns — Pearson, Spearman (average ranks for ties) and Kendall's
//! tau-b (Knight's O(n log n) algorithm) — each with SciPy's p-value, and correlation matrices over
//! many columns computed in parallel.
//!
//! NaN policy: the pairwise functions reject NaN ([`StatsError::Nan`]); [`correlation_matrix`]
//! uses pairwise-complete rows, as pandas' `DataFrame.corr` does.

use rayon::prelude::*;

use crate::error::{Result, StatsError, check_finite, check_len, check_same_len};
use crate::hypothesis::{Alternative, symmetric_p_value};
use crate::rank::average_ranks;
use crate::special::beta_inc;

/// A correlation coefficient and its p-value for the null hypothesis of no association.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// The coefficient, in [-1, 1].
    pub coefficient: f64,
    /// The p-value under the chosen alternative.
    pub p_value: f64,
}

fn check_pair(x: &[f64], y: &[f64], needed: usize, what: &'static str) -> Result<()> {
    check_same_len("x", x.len(), "y", y.len())?;
    check_len("x", x.len(), needed, what)?;
    check_finite("x", x)?;
    check_finite("y", y)
}

/// Pearson r of finite, equal-length slices; `None` if either has zero variance.
fn pearson_r(x: &[f64], y: &[f64]) -> Option<f64> {
    let mx = crate::descriptive::mean_of(x);
    let my = crate::descriptive::mean_of(y);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    // One square root of the product is exact for perfectly correlated small integers (ranks),
    // so a perfect correlation comes out as exactly ±1, as SciPy reports it.
    let mut denom = (sxx * syy).sqrt();
    if !denom.is_normal() {
        denom = sxx.sqrt() * syy.sqrt();
    }
    Some((sxy / denom).clamp(-1.0, 1.0))
}

/// Pearson's r with `scipy.stats.pearsonr`'s exact p-value (r/2 + 1/2 ~ Beta(n/2−1, n/2−1)).
/// Needs at least 3 pairs and non-constant inputs.
///
/// ```
/// use kiln_stats::correlation::pearson;
/// use kiln_stats::hypothesis::Alternative;
/// let c = pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], Alternative::TwoSided).unwrap();
/// assert!((c.coefficient - 0.8).abs() < 1e-12);
/// assert!((c.p_value - 0.2).abs() < 1e-12);
/// ```
pub fn pearson(x: &[f64], y: &[f64], alternative: Alternative) -> Result<Correlation> {
    check_pair(x, y, 3, "Pearson correlation")?;
    let r = pearson_r(x, y).ok_or(StatsError::ZeroVariance {
        arg: "x or y",
        what: "Pearson correlation",
    })?;
    let ab = x.len() as f64 / 2.0 - 1.0;
    // P(R > r) = I_{(1-r)/2}(ab, ab).
    let sf = |r: f64| beta_inc(ab, ab, (1.0 - r) / 2.0, (1.0 + r) / 2.0).0;
    let p = match alternative {
        Alternative::TwoSided => 2.0 * sf(r.abs()),
        Alternative::Less => sf(-r),
        Alternative::Greater => sf(r),
    };
    Ok(Correlation {
        coefficient: r,
        p_value: p.clamp(0.0, 1.0),
    })
}

/// Spearman's rank correlation (average ranks for ties) with `scipy.stats.spearmanr`'s p-value
/// (t distribution with n − 2 degrees of freedom). Needs at least 3 pairs and non-constant inputs.
///
/// ```
/// use kiln_stats::correlation::spearman;
/// use kiln_stats::hypothesis::Alternative;
/// let c = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 4.0, 9.0, 16.0, 25.0], Alternative::TwoSided).unwrap();
/// assert_eq!(c.coefficient, 1.0);
/// ```
pub fn spearman(x: &[f64], y: &[f64], alternative: Alternative) -> Result<Correlation> {
    check_pair(x, y, 3, "Spearman correlation")?;
    let (rx, _) = average_ranks(x);
    let (ry, _) = average_ranks(y);
    let rho = pearson_r(&rx, &ry).ok_or(StatsError::ZeroVariance {
        arg: "x or y",
        what: "Spearman correlation",
    })?;
    Ok(Correlation {
        coefficient: rho,
        p_value: spearman_p_value(rho, x.len(), alternative),
    })
}

fn spearman_p_value(rho: f64, n: usize, alternative: Alternative) -> f64 {
    let df = (n - 2) as f64;
    let t = rho * (df / ((rho + 1.0) * (1.0 - rho))).max(0.0).sqrt();
    symmetric_p_value(t, Some(df), alternative)
}

/// Dense ranks (1-based) of `v` in the order given by `order`.
fn dense_ranks_in(v: &[f64], order: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(order.len());
    let mut rank = 0;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || v[i] != v[order[k - 1]] {
            rank += 1;
        }
        out.push(rank);
    }
    out
}

/// Number of pairs i < j with a[i] > a[j], by merge sort (O(n log n)).
fn count_inversions(a: &mut [usize], buf: &mut [usize]) -> u64 {
    let n = a.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut inv = count_inversions(&mut a[..mid], &mut buf[..mid])
        + count_inversions(&mut a[mid..], &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if a[j] < a[i] {
            buf[k] = a[j];
            inv += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = a[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&a[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&a[j..n]);
    a.copy_from_slice(&buf[..n]);
    inv
}

/// Σ t(t−1)/2, Σ t(t−1)(t−2), Σ t(t−1)(2t+5) over tie groups of sorted dense ranks.
fn tie_sums(sorted_ranks: &[usize]) -> (u64, f64, f64) {
    let mut counts = std::collections::BTreeMap::new();
    for &r in sorted_ranks {
        *counts.entry(r).or_insert(0u64) += 1;
    }
    let (mut t0, mut t1, mut t2) = (0u64, 0.0, 0.0);
    for &c in counts.values().filter(|&&c| c > 1) {
        let cf = c as f64;
        t0 += c * (c - 1) / 2;
        t1 += cf * (cf - 1.0) * (cf - 2.0);
        t2 += cf * (cf - 1.0) * (2.0 * cf + 5.0);
    }
    (t0, t1, t2)
}

/// Kendall's tau-b by Knight's algorithm, with `scipy.stats.kendalltau`'s p-value: exact when
/// there are no ties and n ≤ 33 (or at most one discordant / concordant pair), otherwise the
/// tie-corrected normal approximation. Needs at least 2 pairs and inputs that are not constant.
///
/// ```
/// use kiln_stats::correlation::kendall_tau;
/// use kiln_stats::hypothesis::Alternative;
/// let c = kendall_tau(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], Alternative::TwoSided).unwrap();
/// assert!((c.coefficient - 2.0 / 3.0).abs() < 1e-12);
/// assert!((c.p_value - 1.0 / 3.0).abs() < 1e-12);
/// ```
pub fn kendall_tau(x: &[f64], y: &[f64], alternative: Alternative) -> Result<Correlation> {
    check_pair(x, y, 2, "Kendall's tau")?;
    let n = x.len();
    // Sort by y, give y dense ranks; then stable-sort by x so ties in x are ordered by y.
    let mut by_y: Vec<usize> = (0..n).collect();
    by_y.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    let yr_by_y = dense_ranks_in(y, &by_y);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.sort_by(|&a, &b| x[by_y[a]].total_cmp(&x[by_y[b]]));
    let xs: Vec<usize> = perm.iter().map(|&k| by_y[k]).collect();
    let xr = dense_ranks_in(x, &xs);
    let mut yr: Vec<usize> = perm.iter().map(|&k| yr_by_y[k]).collect();
    // Joint ties: consecutive runs equal in both ranks.
    let mut ntie = 0u64;
    let mut run = 1u64;
    for i in 1..=n {
        if i < n && xr[i] == xr[i - 1] && yr[i] == yr[i - 1] {
            run += 1;
        } else {
            ntie += run * (run - 1) / 2;
            run = 1;
        }
    }
    let (xtie, x0, x1) = tie_sums(&xr);
    let mut yr_sorted = yr.clone();
    yr_sorted.sort_unstable();
    let (ytie, y0, y1) = tie_sums(&yr_sorted);
    let mut buf = vec![0usize; n];
    let dis = count_inversions(&mut yr, &mut buf);
    let tot = (n as u64) * (n as u64 - 1) / 2;
    if xtie == tot || ytie == tot {
        return Err(StatsError::ZeroVariance {
            arg: "x or y",
            what: "Kendall's tau",
        });
    }
    let con_minus_dis = tot as f64 - xtie as f64 - ytie as f64 + ntie as f64 - 2.0 * dis as f64;
    let tau = (con_minus_dis / ((tot - xtie) as f64).sqrt() / ((tot - ytie) as f64).sqrt())
        .clamp(-1.0, 1.0);
    let exact = xtie == 0 && ytie == 0 && (n <= 33 || dis.min(tot - dis) <= 1);
    let p = if exact {
        kendall_exact_p(n, tot - dis, alternative)
    } else {
        let m = n as f64 * (n as f64 - 1.0);
        let nf = n as f64;
        let var = (m * (2.0 * nf + 5.0) - x1 - y1) / 18.0
            + (2.0 * xtie as f64 * ytie as f64) / m
            + x0 * y0 / (9.0 * m * (nf - 2.0));
        symmetric_p_value(con_minus_dis / var.sqrt(), None, alternative)
    };
    Ok(Correlation {
        coefficient: tau,
        p_value: p,
    })
}

/// Exact p-value of Kendall's statistic with `c` concordant pairs among n untied values
/// (Kendall 1970), following `scipy.stats._mstats_basic._kendall_p_exact`.
fn kendall_exact_p(n: usize, c: u64, alternative: Alternative) -> f64 {
    let total = (n * (n - 1) / 2) as u64;
    let in_right_tail = c >= total - c;
    let c = c.min(total - c) as usize;
    let (prob, mass_at_c) = if n == 1 {
        (1.0, 1.0)
    } else if n == 2 {
        (1.0, 0.5)
    } else if 4 * c == n * (n - 1) && alternative == Alternative::TwoSided {
        (1.0, 0.0)
    } else {
        // Distribution of inversions (Mahonian numbers), divided by j at step j so it stays in
        // floating-point range for any n.
        let mut dist = vec![0.0f64; c + 1];
        dist[0] = 1.0;
        if c >= 1 {
            dist[1] = 1.0;
        }
        for j in 3..=n {
            let mut acc = 0.0;
            let prev = dist.clone();
            for (k, d) in dist.iter_mut().enumerate() {
                acc += prev[k];
                *d = acc;
            }
            if j <= c {
                // new[j:] -= new[:c+1-j] on the cumulative sums.
                let cum = dist.clone();
                for k in j..=c {
                    dist[k] = cum[k] - cum[k - j];
                }
            }
            let s = j as f64;
            for d in dist.iter_mut() {
                *d /= s;
            }
        }
        // `dist` holds counts / (n!/2): its sum is the two-sided p-value.
        (dist.iter().sum::<f64>(), dist[c] / 2.0)
    };
    let prob = match alternative {
        Alternative::TwoSided => prob,
        Alternative::Greater | Alternative::Less => {
            if in_right_tail == (alternative == Alternative::Greater) {
                prob / 2.0
            } else {
                1.0 - prob / 2.0 + mass_at_c
            }
        }
    };
    prob.clamp(0.0, 1.0)
}

/// Which coefficient a correlation matrix holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationMethod {
    /// Pearson's r.
    Pearson,
    /// Spearman's rho.
    Spearman,
}

/// The correlation matrix of `columns` (each a slice of equal length), computed pair by pair in
/// parallel. NaN: each pair uses the rows where both columns are present (pandas'
/// `DataFrame.corr`). A pair with fewer than 2 complete rows or zero variance is an error naming
/// the columns.
///
/// ```
/// use kiln_stats::correlation::{correlation_matrix, CorrelationMethod};
/// let a = [1.0, 2.0, 3.0, 4.0];
/// let b = [2.0, 4.0, 6.0, 9.0];
/// let m = correlation_matrix(&[&a, &b], CorrelationMethod::Spearman).unwrap();
/// assert_eq!(m[0][1], 1.0);
/// ```
pub fn correlation_matrix(columns: &[&[f64]], method: CorrelationMethod) -> Result<Vec<Vec<f64>>> {
    let k = columns.len();
    if k == 0 {
        return Err(StatsError::Empty { arg: "columns" });
    }
    let n = columns[0].len();
    for (i, c) in columns.iter().enumerate() {
        if c.len() != n {
            return Err(StatsError::InvalidInput {
                arg: "columns",
                message: format!(
                    "column {i} has {} values but column 0 has {n}; expected equal lengths",
                    c.len()
                ),
            });
        }
        if let Some(index) = c.iter().position(|v| v.is_infinite()) {
            return Err(StatsError::InvalidInput {
                arg: "columns",
                message: format!(
                    "column {i} has an infinite value at row {index}; expected finite values"
                ),
            });
        }
    }
    let complete: Vec<bool> = columns
        .par_iter()
        .map(|c| c.iter().all(|v| !v.is_nan()))
        .collect();
    // Ranks of complete columns are shared by every pair.
    let ranks: Vec<Option<Vec<f64>>> = columns
        .par_iter()
        .zip(&complete)
        .map(|(c, &ok)| (ok && method == CorrelationMethod::Spearman).then(|| average_ranks(c).0))
        .collect();
    // Incomplete columns are sorted once; each pair then re-ranks its complete rows in one
    // linear walk of that order instead of sorting them again.
    let any_incomplete = complete.iter().any(|ok| !ok);
    let orders: Vec<Option<Vec<u32>>> = columns
        .par_iter()
        .map(|c| {
            (any_incomplete && method == CorrelationMethod::Spearman).then(|| sorted_present(c))
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..k)
        .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
        .collect();
    let values: Vec<Result<f64>> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let r = if complete[i] && complete[j] {
                match method {
                    CorrelationMethod::Pearson => pearson_r(columns[i], columns[j]),
                    CorrelationMethod::Spearman => pearson_r(
                        ranks[i].as_deref().unwrap_or_default(),
                        ranks[j].as_deref().unwrap_or_default(),
                    ),
                }
            } else {
                let (a, b): (Vec<f64>, Vec<f64>) = columns[i]
                    .iter()
                    .zip(columns[j])
                    .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                    .map(|(a, b)| (*a, *b))
                    .unzip();
                if a.len() < 2 {
                    return Err(StatsError::InvalidInput {
                        arg: "columns",
                        message: format!("columns {i} and {j} share {} complete rows; expected at least 2", a.len()),
                    });
                }
                match method {
                    CorrelationMethod::Pearson => pearson_r(&a, &b),
                    CorrelationMethod::Spearman => {
                        let (ra, rb) = pair_ranks(columns, &orders, i, j);
                        pearson_r(&ra, &rb)
                    }
                }
            };
            r.ok_or_else(|| StatsError::InvalidInput {
                arg: "columns",
                message: format!("column {i} or {j} has zero variance on their complete rows; expected values that vary"),
            })
        })
        .collect();
    let mut m = vec![vec![1.0; k]; k];
    for (&(i, j), v) in pairs.iter().zip(values) {
        let v = v?;
        m[i][j] = v;
        m[j][i] = v;
    }
    Ok(m)
}

/// Row indices of the non-NaN values of `x`, sorted by value.
fn sorted_present(x: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..x.len() as u32)
        .filter(|&r| !x[r as usize].is_nan())
        .collect();
    order.sort_unstable_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]));
    order
}

/// Average ranks of column `c` over the rows where column `other` is present too, written at
/// their rows into `out` (other rows untouched). `order` is `c`'s present rows sorted by value.
fn ranks_on_complete_rows(c: &[f64], order: &[u32], other: &[f64], out: &mut [f64]) {
    let kept: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&r| !other[r as usize].is_nan())
        .collect();
    let mut i = 0;
    while i < kept.len() {
        let v = c[kept[i] as usize];
        let mut j = i + 1;
        while j < kept.len() && c[kept[j] as usize] == v {
            j += 1;
        }
        let rank = (i + 1 + j) as f64 / 2.0;
        for &r in &kept[i..j] {
            out[r as usize] = rank;
        }
        i = j;
    }
}

/// Spearman ranks of columns `i` and `j` on their pairwise-complete rows, in row order: the same
/// numbers as ranking the filtered pair afresh (`average_ranks`), in linear time per pair.
fn pair_ranks(
    columns: &[&[f64]],
    orders: &[Option<Vec<u32>>],
    i: usize,
    j: usize,
) -> (Vec<f64>, Vec<f64>) {
    let n = columns[i].len();
    let order_of = |k: usize| -> std::borrow::Cow<'_, [u32]> {
        match &orders[k] {
            Some(o) => std::borrow::Cow::Borrowed(o.as_slice()),
            None => std::borrow::Cow::Owned(sorted_present(columns[k])),
        }
    };
    let (oi, oj) = (order_of(i), order_of(j));
    let mut ri = vec![0.0; n];
    let mut rj = vec![0.0; n];
    ranks_on_complete_rows(columns[i], &oi, columns[j], &mut ri);
    ranks_on_complete_rows(columns[j], &oj, columns[i], &mut rj);
    (0..n)
        .filter(|&r| !columns[i][r].is_nan() && !columns[j][r].is_nan())
        .map(|r| (ri[r], rj[r]))
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_pair_ranks_equal_fresh_ranks_of_the_filtered_pair() {
        let a = [3.0, f64::NAN, 1.0, 3.0, 2.0, 7.0, 3.0, f64::NAN, 0.5];
        let b = [1.0, 2.0, f64::NAN, 4.0, 4.0, 0.0, 9.0, 1.0, 4.0];
        let cols: [&[f64]; 2] = [&a, &b];
        let orders = vec![Some(sorted_present(&a)), Some(sorted_present(&b))];
        let (ra, rb) = pair_ranks(&cols, &orders, 0, 1);
        let (fa, fb): (Vec<f64>, Vec<f64>) = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| !x.is_nan() && !y.is_nan())
            .map(|(x, y)| (*x, *y))
            .unzip();
        assert_eq!(ra, average_ranks(&fa).0);
        assert_eq!(rb, average_ranks(&fb).0);
    }

    #[test]
    fn edge_cases_are_errors() {
        let e = pearson(&[1.0, 2.0], &[1.0, 2.0, 3.0], Alternative::TwoSided).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x` has 2 values but `y` has 3; expected equal lengths"
        );
        let e = pearson(&[1.0, 2.0], &[1.0, 2.0], Alternative::TwoSided).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x` has 2 values; Pearson correlation needs at least 3"
        );
        let e = spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], Alternative::TwoSided).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x or y` has zero variance; Spearman correlation needs values that vary"
        );
        let e = kendall_tau(&[1.0, f64::NAN], &[1.0, 2.0], Alternative::TwoSided).unwrap_err();
        assert!(e.to_string().starts_with("`x` contains NaN at index 1"));
        assert_eq!(
            pearson(&[], &[], Alternative::TwoSided)
                .unwrap_err()
                .to_string(),
            "`x` is empty; expected at least one value"
        );
    }

    #[test]
    fn matrix_uses_pairwise_complete_rows() {
        let a = [1.0, 2.0, f64::NAN, 4.0, 5.0];
        let b = [2.0, 1.0, 7.0, 3.0, 6.0];
        let m = correlation_matrix(&[&a, &b], CorrelationMethod::Pearson).unwrap();
        let direct = pearson(
            &[1.0, 2.0, 4.0, 5.0],
            &[2.0, 1.0, 3.0, 6.0],
            Alternative::TwoSided,
        )
        .unwrap();
        // Same rows, same arithmetic: 1e-15 relative.
        assert!((m[0][1] - direct.coefficient).abs() < 1e-15);
        let e = correlation_matrix(&[&a, &[1.0; 5]], CorrelationMethod::Spearman).unwrap_err();
        assert!(e.to_string().contains("zero variance"));
    }
}
