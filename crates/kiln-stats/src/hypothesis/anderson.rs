//! The k-sample Anderson–Darling test, as `scipy.stats.anderson_ksamp(samples, midrank=True)`:
//! Scholz & Stephens' (1987) midrank statistic A²akN, standardized, with critical values at
//! 25 % … 0.1 % and the significance level interpolated from them (a quadratic fit of
//! log(level) against the critical values), capped to [0.001, 0.25] as SciPy reports it.

use crate::error::{Result, StatsError, check_finite};

/// The significance levels of SciPy's critical-value table.
pub const SIGNIFICANCE_LEVELS: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// Result of [`anderson_ksamp`].
#[derive(Debug, Clone, PartialEq)]
pub struct AndersonKsampResult {
    /// The standardized statistic (A² − (k − 1)) / σ.
    pub statistic: f64,
    /// Critical values at [`SIGNIFICANCE_LEVELS`].
    pub critical_values: [f64; 7],
    /// The interpolated significance level, capped to [0.001, 0.25].
    pub significance_level: f64,
}

/// k-sample Anderson–Darling test of H0: all samples come from the same distribution. Needs at
/// least two non-empty samples, at least 4 values in total and two distinct values.
///
/// ```
/// use kiln_stats::hypothesis::anderson::anderson_ksamp;
/// let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
/// let r = anderson_ksamp(&[&a, &b]).unwrap();
/// assert!((r.statistic - 5.758347340196102).abs() < 1e-9);
/// assert!((r.significance_level - 0.0018732762975305478).abs() < 1e-9);
/// ```
pub fn anderson_ksamp(samples: &[&[f64]]) -> Result<AndersonKsampResult> {
    let k = samples.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            arg: "samples",
            got: k,
            needed: 2,
            what: "the k-sample Anderson-Darling test",
        });
    }
    for (i, s) in samples.iter().enumerate() {
        if s.is_empty() {
            return Err(StatsError::InvalidInput {
                arg: "samples",
                message: format!("sample {i} is empty; expected at least one value"),
            });
        }
        check_finite("samples", s)?;
    }
    let mut z: Vec<f64> = samples.iter().flat_map(|s| s.iter().copied()).collect();
    z.sort_unstable_by(f64::total_cmp);
    let n_total = z.len();
    if n_total < 4 {
        return Err(StatsError::TooFew {
            arg: "samples",
            got: n_total,
            needed: 4,
            what: "the k-sample Anderson-Darling test (values in total)",
        });
    }
    let mut zstar = z.clone();
    zstar.dedup();
    if zstar.len() < 2 {
        return Err(StatsError::ZeroVariance {
            arg: "samples",
            what: "the k-sample Anderson-Darling test",
        });
    }
    let nf = n_total as f64;
    let left = |s: &[f64], v: f64| s.partition_point(|x| *x < v) as f64;
    let right = |s: &[f64], v: f64| s.partition_point(|x| *x <= v) as f64;
    let lj: Vec<f64> = zstar.iter().map(|&v| right(&z, v) - left(&z, v)).collect();
    let bj: Vec<f64> = zstar
        .iter()
        .zip(&lj)
        .map(|(&v, l)| left(&z, v) + l / 2.0)
        .collect();
    let mut a2 = 0.0;
    for s in samples {
        let mut s = s.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        let ni = s.len() as f64;
        let mut inner = 0.0;
        for ((&v, l), b) in zstar.iter().zip(&lj).zip(&bj) {
            let r = right(&s, v);
            let f = r - left(&s, v);
            let mij = r - f / 2.0;
            inner += l / nf * (nf * mij - b * ni).powi(2) / (b * (nf - b) - nf * l / 4.0);
        }
        a2 += inner / ni;
    }
    a2 *= (nf - 1.0) / nf;

    let kf = k as f64;
    let h_big: f64 = samples.iter().map(|s| 1.0 / s.len() as f64).sum();
    // hs_cs = cumulative sums of 1/(N−1), 1/(N−2), …, 1/2.
    let mut hs_cs = Vec::with_capacity(n_total.saturating_sub(2));
    let mut acc = 0.0;
    for d in (2..n_total).rev() {
        acc += 1.0 / d as f64;
        hs_cs.push(acc);
    }
    let h = acc + 1.0;
    let g: f64 = hs_cs
        .iter()
        .enumerate()
        .map(|(i, c)| c / (i + 2) as f64)
        .sum();
    let a = (4.0 * g - 6.0) * (kf - 1.0) + (10.0 - 6.0 * g) * h_big;
    let b = (2.0 * g - 4.0) * kf * kf + 8.0 * h * kf + (2.0 * g - 14.0 * h - 4.0) * h_big - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * kf * kf
        + (4.0 * h - 4.0 * g + 6.0) * kf
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * kf * kf - 4.0 * h * kf;
    let sigmasq =
        (a * nf.powi(3) + b * nf * nf + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = kf - 1.0;
    let statistic = (a2 - m) / sigmasq.sqrt();

    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    let mut critical = [0.0; 7];
    for i in 0..7 {
        critical[i] = B0[i] + B1[i] / m.sqrt() + B2[i] / m;
    }
    let significance_level = if statistic < critical[0] {
        SIGNIFICANCE_LEVELS[0]
    } else if statistic > critical[6] {
        SIGNIFICANCE_LEVELS[6]
    } else {
        let logs: Vec<f64> = SIGNIFICANCE_LEVELS.iter().map(|s| s.ln()).collect();
        let [c0, c1, c2] = quadratic_fit(&critical, &logs);
        (c0 + c1 * statistic + c2 * statistic * statistic).exp()
    };
    Ok(AndersonKsampResult {
        statistic,
        critical_values: critical,
        significance_level,
    })
}

/// Least-squares y ≈ c0 + c1 x + c2 x² (what `numpy.polyfit(x, y, 2)` solves), via the normal
/// equations on centred x — well-conditioned for these seven points.
fn quadratic_fit(x: &[f64], y: &[f64]) -> [f64; 3] {
    let n = x.len() as f64;
    let xm = x.iter().sum::<f64>() / n;
    let mut s = [0.0f64; 5];
    let mut t = [0.0f64; 3];
    for (&xi, &yi) in x.iter().zip(y) {
        let u = xi - xm;
        let mut p = 1.0;
        for (k, sk) in s.iter_mut().enumerate() {
            *sk += p;
            if k < 3 {
                t[k] += p * yi;
            }
            p *= u;
        }
    }
    // Solve [[s0,s1,s2],[s1,s2,s3],[s2,s3,s4]] · c = t by Cramer's rule.
    let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let det = det3(m);
    let mut c = [0.0; 3];
    for (col, cv) in c.iter_mut().enumerate() {
        let mut mm = m;
        for row in 0..3 {
            mm[row][col] = t[row];
        }
        *cv = det3(mm) / det;
    }
    // Back from u = x − xm to x.
    [
        c[0] - c[1] * xm + c[2] * xm * xm,
        c[1] - 2.0 * c[2] * xm,
        c[2],
    ]
}
