//! Levene's test for equal variances across groups, as `scipy.stats.levene`: centred on the group
//! median (the Brown–Forsythe variant, SciPy's default and robust to non-normal data) or mean.

use super::TestResult;
use crate::descriptive::mean_of;
use crate::distributions::FisherF;
use crate::error::{Result, StatsError, check_finite};
use crate::quantile::median_sorted;

/// Where each group's absolute deviations are measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeveneCenter {
    /// Group median (Brown–Forsythe).
    #[default]
    Median,
    /// Group mean (Levene's original test).
    Mean,
}

/// Levene / Brown–Forsythe test of H0: all groups have equal variance. Needs at least two groups,
/// each with at least one value, more values than groups, and some spread in the deviations.
/// The statistic follows F(k − 1, N − k).
///
/// ```
/// use kiln_stats::hypothesis::levene::{levene, LeveneCenter};
/// let r = levene(&[&[1.0, 2.0, 3.0, 4.0], &[1.0, 5.0, 9.0, 13.0]], LeveneCenter::Median).unwrap();
/// assert_eq!(r.df, Some(1.0));
/// assert!(r.p_value < 0.05);
/// ```
pub fn levene(groups: &[&[f64]], center: LeveneCenter) -> Result<TestResult> {
    let k = groups.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            arg: "groups",
            got: k,
            needed: 2,
            what: "Levene's test",
        });
    }
    for (i, g) in groups.iter().enumerate() {
        if g.is_empty() {
            return Err(StatsError::InvalidInput {
                arg: "groups",
                message: format!("group {i} is empty; expected at least one value"),
            });
        }
        check_finite("groups", g)?;
    }
    let n_total: usize = groups.iter().map(|g| g.len()).sum();
    if n_total <= k {
        return Err(StatsError::InvalidInput {
            arg: "groups",
            message: format!("{n_total} values in {k} groups; expected more values than groups"),
        });
    }
    let z: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            let c = match center {
                LeveneCenter::Mean => mean_of(g),
                LeveneCenter::Median => {
                    let mut s = g.to_vec();
                    s.sort_unstable_by(f64::total_cmp);
                    median_sorted(&s)
                }
            };
            g.iter().map(|v| (v - c).abs()).collect()
        })
        .collect();
    let zbar_i: Vec<f64> = z.iter().map(|zi| mean_of(zi)).collect();
    let nf = n_total as f64;
    let zbar = z
        .iter()
        .zip(&zbar_i)
        .map(|(zi, m)| zi.len() as f64 * m)
        .sum::<f64>()
        / nf;
    let between: f64 = z
        .iter()
        .zip(&zbar_i)
        .map(|(zi, m)| zi.len() as f64 * (m - zbar).powi(2))
        .sum();
    let within: f64 = z
        .iter()
        .zip(&zbar_i)
        .map(|(zi, m)| zi.iter().map(|v| (v - m).powi(2)).sum::<f64>())
        .sum();
    if within == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "groups",
            what: "Levene's test (every absolute deviation is equal within its group)",
        });
    }
    let (d1, d2) = ((k - 1) as f64, nf - k as f64);
    let w = d2 / d1 * between / within;
    Ok(TestResult {
        statistic: w,
        p_value: FisherF::new(d1, d2)?.sf(w),
        df: Some(d1),
    })
}
