//! The Shapiro–Wilk test of normality, as `scipy.stats.shapiro`: Royston's (1995) algorithm AS R94
//! for the coefficients, the statistic W and its p-value (exact for n = 3, Royston's normalizing
//! transformations above).

use super::TestResult;
use crate::distributions::{Normal, std_normal_ppf};
use crate::error::{Result, StatsError, check_finite, check_len};

/// Evaluates c[0] + c[1] x + … (AS R94's `poly`).
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * x + ci)
}

/// Shapiro–Wilk test of H0: x is a sample from a normal distribution. Needs at least 3 values
/// and a non-zero range. (SciPy warns that the p-value may be inaccurate above 5000 values.)
///
/// ```
/// use kiln_stats::hypothesis::shapiro::shapiro_wilk;
/// let r = shapiro_wilk(&[2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 3.9]).unwrap();
/// assert!(r.statistic > 0.9 && r.p_value > 0.05);
/// ```
pub fn shapiro_wilk(x: &[f64]) -> Result<TestResult> {
    check_len("x", x.len(), 3, "the Shapiro-Wilk test")?;
    check_finite("x", x)?;
    let n = x.len();
    let mut y = x.to_vec();
    y.sort_unstable_by(f64::total_cmp);
    // Shift by a central value (as SciPy) to reduce rounding in the sums.
    let shift = x[n / 2];
    for v in y.iter_mut() {
        *v -= shift;
    }
    let range = y[n - 1] - y[0];
    if range < 1e-19 {
        return Err(StatsError::ZeroVariance {
            arg: "x",
            what: "the Shapiro-Wilk test",
        });
    }
    let a = coefficients(n);
    let an = n as f64;
    // W is the squared correlation between the data and the antisymmetric coefficients.
    let coef = |i: usize| -> f64 {
        let j = n - 1 - i;
        if i == j {
            0.0
        } else if i < j {
            -a[i]
        } else {
            a[j]
        }
    };
    let sa = (0..n).map(coef).sum::<f64>() / an;
    let sx = y.iter().map(|v| v / range).sum::<f64>() / an;
    let (mut ssa, mut ssx, mut sax) = (0.0, 0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let asa = coef(i) - sa;
        let xsx = v / range - sx;
        ssa += asa * asa;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    let ssassx = (ssa * ssx).sqrt();
    // 1 − W, formed without cancellation for W near 1.
    let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    let w = 1.0 - w1;
    if n == 3 {
        let p = 6.0 / std::f64::consts::PI * (w.sqrt().asin() - std::f64::consts::FRAC_PI_3);
        return Ok(TestResult {
            statistic: w,
            p_value: p.max(0.0),
            df: None,
        });
    }
    let mut yv = w1.ln();
    let xx = an.ln();
    let (m, s) = if n <= 11 {
        let gamma = poly(&[-2.273, 0.459], an);
        if yv >= gamma {
            return Ok(TestResult {
                statistic: w,
                p_value: 1e-99,
                df: None,
            });
        }
        yv = -(gamma - yv).ln();
        (
            poly(&[0.544, -0.39978, 0.025054, -6.714e-4], an),
            poly(&[1.3822, -0.77857, 0.062767, -0.0020322], an).exp(),
        )
    } else {
        (
            poly(&[-1.5861, -0.31082, -0.083751, 0.0038915], xx),
            poly(&[-0.4803, -0.082676, 0.0030302], xx).exp(),
        )
    };
    let p = Normal::new(m, s)?.sf(yv);
    Ok(TestResult {
        statistic: w,
        p_value: p,
        df: None,
    })
}

/// The first n/2 Shapiro–Wilk coefficients (AS R94), positive and decreasing.
fn coefficients(n: usize) -> Vec<f64> {
    let n2 = n / 2;
    let mut a = vec![0.0; n2];
    if n == 3 {
        a[0] = std::f64::consts::FRAC_1_SQRT_2;
        return a;
    }
    const C1: [f64; 6] = [0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
    const C2: [f64; 6] = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
    let an = n as f64;
    let an25 = an + 0.25;
    let m: Vec<f64> = (1..=n2)
        .map(|i| std_normal_ppf((i as f64 - 0.375) / an25))
        .collect();
    let summ2 = 2.0 * m.iter().map(|v| v * v).sum::<f64>();
    let ssumm2 = summ2.sqrt();
    let rsn = 1.0 / an.sqrt();
    let a1 = poly(&C1, rsn) - m[0] / ssumm2;
    let (i1, fac) = if n > 5 {
        let a2 = -m[1] / ssumm2 + poly(&C2, rsn);
        a[1] = a2;
        (
            3,
            ((summ2 - 2.0 * m[0] * m[0] - 2.0 * m[1] * m[1])
                / (1.0 - 2.0 * a1 * a1 - 2.0 * a2 * a2))
                .sqrt(),
        )
    } else {
        (
            2,
            ((summ2 - 2.0 * m[0] * m[0]) / (1.0 - 2.0 * a1 * a1)).sqrt(),
        )
    };
    a[0] = a1;
    for i in i1..=n2 {
        a[i - 1] = -m[i - 1] / fac;
    }
    a
}
