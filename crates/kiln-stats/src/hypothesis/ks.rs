//! The two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(method="auto")`.
//!
//! SciPy's rule is followed exactly: the exact null distribution when both samples have at most
//! 10 000 values (lattice-path counting, Hodges 1958), otherwise — or if the exact computation
//! overflows — the asymptotic one: for the two-sided test the exact one-sample Kolmogorov
//! distribution at n = round(mn/(m+n)) (Simard & L'Ecuyer 2011, in the `kolmogorov` module), for
//! one-sided tests Hodges' corrected exponential.

use super::{Alternative, TestResult};
use crate::error::{Result, check_finite, check_len};
use crate::special::ln_gamma;

/// Samples at most this large on both sides get the exact p-value (SciPy's `MAX_AUTO_N`).
const MAX_EXACT_N: usize = 10_000;

/// Two-sample KS test of H0: a and b come from the same continuous distribution. The statistic
/// is max |F_a − F_b| (two-sided), max(F_a − F_b) (`Greater`) or max(F_b − F_a) (`Less`).
///
/// ```
/// use kiln_stats::hypothesis::{ks::ks_two_sample, Alternative};
/// let r = ks_two_sample(&[0.1, 0.5], &[0.2, 0.9, 1.3], Alternative::TwoSided).unwrap();
/// assert!((r.statistic - 2.0 / 3.0).abs() < 1e-12);
/// assert!((r.p_value - 0.6).abs() < 1e-12);
/// ```
pub fn ks_two_sample(a: &[f64], b: &[f64], alternative: Alternative) -> Result<TestResult> {
    check_len("a", a.len(), 1, "a KS test")?;
    check_len("b", b.len(), 1, "a KS test")?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    let mut sa = a.to_vec();
    let mut sb = b.to_vec();
    sa.sort_unstable_by(f64::total_cmp);
    sb.sort_unstable_by(f64::total_cmp);
    let (n1, n2) = (sa.len(), sb.len());
    // Walk the merged sample; the ECDF difference is evaluated after each distinct value.
    let (mut i, mut j) = (0usize, 0usize);
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < n1 || j < n2 {
        let v = if j >= n2 || (i < n1 && sa[i] <= sb[j]) {
            sa[i]
        } else {
            sb[j]
        };
        while i < n1 && sa[i] <= v {
            i += 1;
        }
        while j < n2 && sb[j] <= v {
            j += 1;
        }
        let diff = i as f64 / n1 as f64 - j as f64 / n2 as f64;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    let d = match alternative {
        Alternative::Less => min_s,
        Alternative::TwoSided if min_s > max_s => min_s,
        _ => max_s,
    };
    let exact = if n1.max(n2) <= MAX_EXACT_N {
        exact_p(n1, n2, d, alternative)
    } else {
        None
    };
    let (d, p) = match exact {
        Some(dp) => dp,
        None => (d, asymptotic_p(n1, n2, d, alternative)),
    };
    Ok(TestResult {
        statistic: d,
        p_value: p.clamp(0.0, 1.0),
        df: None,
    })
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Exact p-value and the statistic snapped to the lattice (`_attempt_exact_2kssamp`); `None` when
/// the computation leaves floating-point range.
fn exact_p(n1: usize, n2: usize, d: f64, alternative: Alternative) -> Option<(f64, f64)> {
    let g = gcd(n1, n2);
    let lcm = (n1 / g) as f64 * n2 as f64;
    let h = (d * lcm).round() as usize;
    let d = h as f64 / lcm;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if alternative == Alternative::TwoSided {
        if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside(n1, n2, g, h)
        }
    } else if n1 == n2 {
        (0..h)
            .map(|j| (n1 - j) as f64 / (n1 + j + 1) as f64)
            .product()
    } else {
        let paths = count_paths_outside(n1, n2, g, h)?;
        let total = binom(n1 + n2, n1);
        if !total.is_finite() || paths > total {
            return None;
        }
        paths / total
    };
    (0.0..=1.0).contains(&p).then_some((d, p))
}

/// C(n, k) in floating point (inf when it overflows).
fn binom(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    if n < 1030 {
        let mut r = 1.0f64;
        for i in 0..k {
            r = r * (n - i) as f64 / (i + 1) as f64;
        }
        // Below 2^53 a binomial is an integer; rounding removes the drift of the running product.
        return if r < 9.007_199_254_740_992e15 {
            r.round()
        } else {
            r
        };
    }
    (ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)).exp()
}

/// P(D_{n,n} ≥ h/n) = 2 Σ_k (−1)^{k} C(2n, n−kh)/C(2n, n), in Horner form (no cancellation).
fn prob_outside_square(n: usize, h: usize) -> f64 {
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    while k >= 0 {
        let ku = k as usize;
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n as f64 - (ku * h) as f64 - j as f64) * p1 / (n + ku * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// 1 − (probability that a random lattice path from (0,0) to (m,n) stays strictly inside
/// |x/m − y/n| < h/lcm), by a sliding column of normalized path counts.
fn outer_prob_inside(m: usize, n: usize, g: usize, h: usize) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = (m / g, n / g);
    let (h, mgf, ngf) = (h as i64, mg as i64, ng as i64);
    // a[j] holds the probability for the current column at row minj + j.
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h + mgf - 1) / mgf).min(n as i64 + 1);
    let mut a = vec![1.0f64; n + 2];
    let mut curlen = maxj - minj;
    for i in 1..=m as i64 {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((ngf * i - h).div_euclid(mgf) + 1).max(0).min(n as i64);
        maxj = ((ngf * i + h + mgf - 1).div_euclid(mgf)).min(n as i64 + 1);
        if maxj <= minj {
            return 1.0;
        }
        // The point below the window is outside the band (or off the grid): no paths from there.
        let mut val = 0.0;
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            let idx = jj + minj - lastminj;
            let prev = if idx >= 0 && idx < lastlen {
                a[idx as usize]
            } else {
                0.0
            };
            val = (prev * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
    }
    1.0 - a[(maxj - minj - 1) as usize]
}

/// Number of lattice paths from (0,0) to (m,n) that reach m·y ≤ n·x − h·g (one-sided exact
/// count, Hodges' treatment of Drion/Gnedenko/Korolyuk); `None` on overflow.
fn count_paths_outside(m: usize, n: usize, g: usize, h: usize) -> Option<f64> {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = (m / g, n / g);
    let lxj = (n as i64 + (mg as i64 - h as i64).div_euclid(mg as i64)).max(0) as usize;
    let xj: Vec<usize> = (0..lxj).map(|j| (h + mg * j).div_ceil(ng)).collect();
    if lxj == 0 {
        return Some(binom(m + n, n));
    }
    let mut b = vec![0.0f64; lxj];
    b[0] = 1.0;
    for j in 1..lxj {
        let mut bj = binom(xj[j] + j, j);
        for i in 0..j {
            bj -= binom(xj[j] - xj[i] + j - i, j - i) * b[i];
        }
        if !bj.is_finite() {
            return None;
        }
        b[j] = bj;
    }
    let mut total = 0.0;
    for j in 0..lxj {
        total += b[j] * binom((m - xj[j]) + (n - j), n - j);
    }
    total.is_finite().then_some(total)
}

/// Asymptotic p-value for samples beyond the exact range.
fn asymptotic_p(n1: usize, n2: usize, d: f64, alternative: Alternative) -> f64 {
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    if alternative == Alternative::TwoSided {
        // NumPy rounds half to even.
        kolmogorov_sf(en.round_ties_even() as u64, d)
    } else {
        let z = en.sqrt() * d;
        // Hodges' approximation, eq. 5.3 (m the larger sample).
        (-2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0).exp()
    }
}

use super::kolmogorov::kolmogorov_sf;
