//! Multiple-testing corrections: adjusted p-values by Bonferroni, Holm (step-down) and
//! Benjamini–Hochberg (false discovery rate), as statsmodels' `multipletests(...)[1]`.
//!
//! A drift report tests every column at once; these turn the per-column p-values into ones that
//! can be compared with the chosen α directly. p-values must lie in [0, 1]; NaN is rejected.

use crate::error::{Result, StatsError, check_len};

/// Which correction to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Family-wise error control: p · m.
    Bonferroni,
    /// Holm's step-down family-wise control (uniformly more powerful than Bonferroni).
    Holm,
    /// Benjamini–Hochberg false-discovery-rate control (statsmodels' `fdr_bh`).
    BenjaminiHochberg,
}

/// Adjusted p-values, in the input order, capped at 1.
///
/// ```
/// use kiln_stats::multiple_testing::{adjust_p_values, Correction};
/// let adj = adjust_p_values(&[0.01, 0.04, 0.03], Correction::Holm).unwrap();
/// assert_eq!(adj, vec![0.03, 0.06, 0.06]);
/// ```
pub fn adjust_p_values(p_values: &[f64], correction: Correction) -> Result<Vec<f64>> {
    check_len(
        "p_values",
        p_values.len(),
        1,
        "a multiple-testing correction",
    )?;
    for (index, &p) in p_values.iter().enumerate() {
        if p.is_nan() {
            return Err(StatsError::Nan {
                arg: "p_values",
                index,
            });
        }
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::InvalidInput {
                arg: "p_values",
                message: format!("entry {index} is {p}; expected p-values between 0 and 1"),
            });
        }
    }
    let m = p_values.len();
    let mf = m as f64;
    if correction == Correction::Bonferroni {
        return Ok(p_values.iter().map(|p| (p * mf).min(1.0)).collect());
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| p_values[i]).collect();
    let mut adj = vec![0.0; m];
    match correction {
        Correction::Holm => {
            let mut running = 0.0f64;
            for (i, p) in sorted.iter().enumerate() {
                running = running.max(p * (m - i) as f64);
                adj[i] = running.min(1.0);
            }
        }
        Correction::BenjaminiHochberg => {
            let mut running = f64::INFINITY;
            for i in (0..m).rev() {
                running = running.min(sorted[i] / ((i + 1) as f64 / mf));
                adj[i] = running.min(1.0);
            }
        }
        Correction::Bonferroni => {}
    }
    let mut out = vec![0.0; m];
    for (k, &i) in order.iter().enumerate() {
        out[i] = adj[k];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_values_outside_unit_interval() {
        assert_eq!(
            adjust_p_values(&[0.2, 1.5], Correction::Holm)
                .unwrap_err()
                .to_string(),
            "`p_values`: entry 1 is 1.5; expected p-values between 0 and 1"
        );
        assert_eq!(
            adjust_p_values(&[], Correction::Bonferroni)
                .unwrap_err()
                .to_string(),
            "`p_values` is empty; expected at least one value"
        );
    }
}
