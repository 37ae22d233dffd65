//! Diagnostics of model residuals: the Durbin–Watson statistic (serial correlation, as
//! `statsmodels.stats.stattools.durbin_watson`) and normal probability-plot data (Q–Q, as
//! `scipy.stats.probplot`).
//!
//! They sit beside the hypothesis tests because model evaluation, monitoring and any future
//! linear-model summary all read residuals the same way; the Shapiro–Wilk test that usually
//! accompanies them is [`crate::hypothesis::shapiro::shapiro_wilk`].

use serde::{Deserialize, Serialize};

use crate::distributions::std_normal_ppf;
use crate::error::{Result, StatsError, check_finite, check_len};

/// The Durbin–Watson statistic `Σ (eₜ − eₜ₋₁)² / Σ eₜ²` of residuals in time (or row) order.
///
/// About 2 means no first-order autocorrelation; towards 0, positive autocorrelation; towards
/// 4, negative. Needs at least 2 values and not all of them zero.
///
/// ```
/// let dw = kiln_stats::residual::durbin_watson(&[1.0, -1.0, 1.0, -1.0])?;
/// assert_eq!(dw, 3.0);
/// # Ok::<(), kiln_stats::StatsError>(())
/// ```
pub fn durbin_watson(residuals: &[f64]) -> Result<f64> {
    check_len(
        "residuals",
        residuals.len(),
        2,
        "the Durbin-Watson statistic",
    )?;
    check_finite("residuals", residuals)?;
    let num: f64 = residuals.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let den: f64 = residuals.iter().map(|e| e * e).sum();
    if den == 0.0 {
        return Err(StatsError::ZeroVariance {
            arg: "residuals",
            what: "the Durbin-Watson statistic (every residual is zero)",
        });
    }
    Ok(num / den)
}

/// Normal probability-plot data: theoretical quantiles against the ordered sample, with the
/// least-squares line through them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbPlot {
    /// Theoretical N(0, 1) quantiles at Filliben's order-statistic medians (SciPy's `osm`).
    pub theoretical: Vec<f64>,
    /// The sample, sorted ascending (SciPy's `osr`).
    pub ordered: Vec<f64>,
    /// Slope of the least-squares line of `ordered` on `theoretical`.
    pub slope: f64,
    /// Its intercept.
    pub intercept: f64,
    /// Pearson correlation of the two: near 1 for a normal sample.
    pub r: f64,
}

/// `scipy.stats.probplot(x, dist="norm", fit=True)`: Filliben's estimate of the uniform order
/// statistic medians mapped through the normal quantile function, against the sorted sample,
/// and the `linregress` fit through them. Needs at least 2 values.
///
/// ```
/// let p = kiln_stats::residual::probplot(&[0.3, -1.2, 0.8, 2.0, -0.4])?;
/// assert_eq!(p.ordered, vec![-1.2, -0.4, 0.3, 0.8, 2.0]);
/// assert!((p.theoretical[2]).abs() < 1e-12 && p.r > 0.9);
/// # Ok::<(), kiln_stats::StatsError>(())
/// ```
pub fn probplot(x: &[f64]) -> Result<ProbPlot> {
    check_len("x", x.len(), 2, "a probability plot")?;
    check_finite("x", x)?;
    let n = x.len();
    let mut medians = vec![0.0; n];
    medians[n - 1] = 0.5f64.powf(1.0 / n as f64);
    medians[0] = 1.0 - medians[n - 1];
    for (i, m) in medians.iter_mut().enumerate().take(n - 1).skip(1) {
        // SciPy's i runs from 2 to n - 1 (1-based ranks).
        *m = ((i + 1) as f64 - 0.3175) / (n as f64 + 0.365);
    }
    let theoretical: Vec<f64> = medians.iter().map(|&p| std_normal_ppf(p)).collect();
    let mut ordered = x.to_vec();
    ordered.sort_unstable_by(f64::total_cmp);
    // scipy.stats.linregress: population (co)variances about the means.
    let nf = n as f64;
    let xm = theoretical.iter().sum::<f64>() / nf;
    let ym = ordered.iter().sum::<f64>() / nf;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (a, b) in theoretical.iter().zip(&ordered) {
        sxx += (a - xm) * (a - xm);
        syy += (b - ym) * (b - ym);
        sxy += (a - xm) * (b - ym);
    }
    let (sxx, syy, sxy) = (sxx / nf, syy / nf, sxy / nf);
    let slope = sxy / sxx;
    let r = if syy == 0.0 {
        0.0
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    };
    Ok(ProbPlot {
        intercept: ym - slope * xm,
        theoretical,
        ordered,
        slope,
        r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_non_finite_and_all_zero_input() {
        assert!(matches!(
            durbin_watson(&[1.0]),
            Err(StatsError::TooFew { .. })
        ));
        assert!(matches!(durbin_watson(&[]), Err(StatsError::Empty { .. })));
        assert!(matches!(
            durbin_watson(&[1.0, f64::NAN]),
            Err(StatsError::Nan { index: 1, .. })
        ));
        let err = durbin_watson(&[0.0, 0.0, 0.0]).unwrap_err().to_string();
        assert!(err.contains("every residual is zero"), "{err}");
        assert!(matches!(probplot(&[2.0]), Err(StatsError::TooFew { .. })));
        assert!(matches!(
            probplot(&[2.0, f64::INFINITY]),
            Err(StatsError::Infinite { index: 1, .. })
        ));
    }

    #[test]
    fn constant_sample_has_zero_slope_and_r() {
        // Exact: every ordered value equals the mean, so the covariance is exactly zero.
        let p = probplot(&[3.0, 3.0, 3.0]).expect("three values");
        assert_eq!((p.slope, p.intercept, p.r), (0.0, 3.0, 0.0));
    }
}
