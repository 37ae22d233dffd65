//! Distances between two distributions, as drift monitoring uses them: the population stability
//! index (PSI) on samples, Wasserstein-1 on samples (optionally weighted), and Jensen–Shannon,
//! Hellinger and smoothed Kullback–Leibler on histograms.
//!
//! NaN policy: NaN is rejected; drop missing values first (drift of missingness is a separate
//! signal). Histograms are non-negative weights of equal length and are normalized here.

use crate::error::{Result, StatsError, check_finite, check_len, check_same_len};
use crate::quantile::quantile_sorted;

fn sorted(arg: &'static str, x: &[f64]) -> Result<Vec<f64>> {
    check_len(arg, x.len(), 1, "a distance")?;
    check_finite(arg, x)?;
    let mut s = x.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    Ok(s)
}

/// Population stability index of `current` against `reference`.
///
/// Bins: the interior edges are the reference quantiles at k/`bins` (k = 1..bins−1, linear
/// interpolation), with duplicates removed so tied reference values do not create empty bins
/// ([`psi_quantile_edges`]); the outer bins are open to ±∞, and a value equal to an edge falls in
/// the bin to its right ([`open_bin_counts`]). Each bin's share is floored at `epsilon` so that an
/// empty bin contributes a large but finite term. PSI = Σ (cur − ref) · ln(cur / ref)
/// ([`psi_from_shares`]). Common readings: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major
/// shift.
///
/// ```
/// use kiln_stats::distance::psi;
/// let reference: Vec<f64> = (0..100).map(f64::from).collect();
/// assert!(psi(&reference, &reference, 10, 1e-4).unwrap().abs() < 1e-12);
/// ```
pub fn psi(reference: &[f64], current: &[f64], bins: usize, epsilon: f64) -> Result<f64> {
    if !(epsilon > 0.0 && epsilon < 1.0) {
        return Err(StatsError::InvalidParameter {
            name: "epsilon",
            value: epsilon.to_string(),
            expected: "a floor strictly between 0 and 1",
        });
    }
    let edges = psi_quantile_edges(reference, bins)?;
    check_len("current", current.len(), 1, "a distance")?;
    check_finite("current", current)?;
    let shares = |s: &[f64]| -> Vec<f64> {
        open_bin_counts(s, &edges)
            .iter()
            .map(|&k| (k as f64 / s.len() as f64).max(epsilon))
            .collect()
    };
    psi_from_shares(&shares(reference), &shares(current))
}

/// The interior bin edges [`psi`] uses: the quantiles of `reference` at k/`bins`
/// (k = 1..bins−1, NumPy's linear interpolation) with repeated edges removed. There are at most
/// `bins − 1` edges and so at most `bins` bins, the outer two open to ±∞.
///
/// ```
/// use kiln_stats::distance::psi_quantile_edges;
/// let reference: Vec<f64> = (0..=10).map(f64::from).collect();
/// assert_eq!(psi_quantile_edges(&reference, 4).unwrap(), vec![2.5, 5.0, 7.5]);
/// ```
pub fn psi_quantile_edges(reference: &[f64], bins: usize) -> Result<Vec<f64>> {
    if bins < 2 {
        return Err(StatsError::InvalidParameter {
            name: "bins",
            value: bins.to_string(),
            expected: "at least 2 bins",
        });
    }
    let r = sorted("reference", reference)?;
    // Levels k · (1/bins), exactly as `numpy.linspace(0, 1, bins + 1)` forms them, so that an
    // edge landing on a reference value does so in the same places as NumPy's.
    let step = 1.0 / bins as f64;
    let mut edges: Vec<f64> = (1..bins)
        .map(|k| quantile_sorted(&r, k as f64 * step))
        .collect();
    edges.dedup();
    Ok(edges)
}

/// Counts of `x` in the `edges.len() + 1` bins cut by sorted interior `edges`: the outer bins are
/// open to ±∞ and a value equal to an edge falls in the bin to its right. NaN values are not
/// counted.
///
/// ```
/// use kiln_stats::distance::open_bin_counts;
/// assert_eq!(open_bin_counts(&[0.0, 1.0, 1.5, 2.0, 9.0], &[1.0, 2.0]), vec![1, 2, 2]);
/// ```
pub fn open_bin_counts(x: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for v in x.iter().filter(|v| !v.is_nan()) {
        counts[edges.partition_point(|e| e <= v)] += 1;
    }
    counts
}

/// PSI = Σ (cur − ref) · ln(cur / ref) over bins whose shares are given directly (each strictly
/// positive; floor or fill empty bins first, as the binning scheme defines). Equal lengths are
/// required.
///
/// ```
/// use kiln_stats::distance::psi_from_shares;
/// let v = psi_from_shares(&[0.5, 0.5], &[0.25, 0.75]).unwrap();
/// assert!((v - (-0.25 * 0.5f64.ln() + 0.25 * 1.5f64.ln())).abs() < 1e-15);
/// ```
pub fn psi_from_shares(reference: &[f64], current: &[f64]) -> Result<f64> {
    check_same_len("reference", reference.len(), "current", current.len())?;
    check_len("reference", reference.len(), 1, "the PSI")?;
    for (arg, s) in [("reference", reference), ("current", current)] {
        check_finite(arg, s)?;
        if let Some(i) = s.iter().position(|&v| v <= 0.0) {
            return Err(StatsError::InvalidInput {
                arg,
                message: format!(
                    "share {i} is {}; expected shares > 0 (fill empty bins first)",
                    s[i]
                ),
            });
        }
    }
    Ok(reference
        .iter()
        .zip(current)
        .map(|(p, q)| (q - p) * (q / p).ln())
        .sum())
}

/// Wasserstein-1 (earth mover's) distance between two samples, optionally weighted, as
/// `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`: ∫ |F_u − F_v|.
///
/// ```
/// use kiln_stats::distance::wasserstein;
/// assert!((wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0], None, None).unwrap() - 5.0).abs() < 1e-12);
/// ```
pub fn wasserstein(
    u: &[f64],
    v: &[f64],
    u_weights: Option<&[f64]>,
    v_weights: Option<&[f64]>,
) -> Result<f64> {
    check_len("u", u.len(), 1, "the Wasserstein distance")?;
    check_len("v", v.len(), 1, "the Wasserstein distance")?;
    check_finite("u", u)?;
    check_finite("v", v)?;
    if u_weights.is_none() && v_weights.is_none() {
        return Ok(wasserstein_unweighted(u, v));
    }
    let cdf = |arg: &'static str, x: &[f64], w: Option<&[f64]>| -> Result<(Vec<f64>, Vec<f64>)> {
        let w: Vec<f64> = match w {
            Some(w) => {
                check_same_len(arg, x.len(), "its weights", w.len())?;
                check_finite("weights", w)?;
                if w.iter().any(|&v| v < 0.0) || w.iter().sum::<f64>() <= 0.0 {
                    return Err(StatsError::InvalidInput {
                        arg: "weights",
                        message: "expected non-negative weights with a positive sum".into(),
                    });
                }
                w.to_vec()
            }
            None => vec![1.0; x.len()],
        };
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let values = order.iter().map(|&i| x[i]).collect();
        let mut acc = 0.0;
        let cum: Vec<f64> = order
            .iter()
            .map(|&i| {
                acc += w[i];
                acc
            })
            .collect();
        let total = acc;
        Ok((values, cum.into_iter().map(|c| c / total).collect()))
    };
    let (us, ucdf) = cdf("u", u, u_weights)?;
    let (vs, vcdf) = cdf("v", v, v_weights)?;
    let mut all: Vec<f64> = us.iter().chain(&vs).copied().collect();
    all.sort_unstable_by(f64::total_cmp);
    let at = |s: &[f64], c: &[f64], x: f64| -> f64 {
        let k = s.partition_point(|v| *v <= x);
        if k == 0 { 0.0 } else { c[k - 1] }
    };
    Ok(all
        .windows(2)
        .map(|w| (at(&us, &ucdf, w[0]) - at(&vs, &vcdf, w[0])).abs() * (w[1] - w[0]))
        .sum())
}

/// The unweighted case in one merge of the two sorted samples: the same terms as SciPy's
/// (|F_u − F_v| at each merged value times the gap to the next), without sorting the
/// concatenation or searching it, which matters when one side has millions of values.
fn wasserstein_unweighted(u: &[f64], v: &[f64]) -> f64 {
    let mut a = u.to_vec();
    let mut b = v.to_vec();
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    let mut prev = a[0].min(b[0]);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&p), Some(&q)) => p.min(q),
            (Some(&p), None) => p,
            (None, Some(&q)) => q,
            (None, None) => break,
        };
        // Counts ≤ prev are i and j: the CDFs on [prev, x).
        total += (i as f64 / n - j as f64 / m).abs() * (x - prev);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        prev = x;
    }
    total
}

/// Normalizes a histogram of non-negative finite weights.
fn normalized(arg: &'static str, p: &[f64]) -> Result<Vec<f64>> {
    check_len(arg, p.len(), 1, "a distribution distance")?;
    check_finite(arg, p)?;
    if let Some(i) = p.iter().position(|&v| v < 0.0) {
        return Err(StatsError::InvalidInput {
            arg,
            message: format!("entry {i} is negative; expected weights ≥ 0"),
        });
    }
    let s: f64 = p.iter().sum();
    if s <= 0.0 {
        return Err(StatsError::InvalidInput {
            arg,
            message: "sums to zero; expected some positive weight".into(),
        });
    }
    Ok(p.iter().map(|v| v / s).collect())
}

fn rel_entr(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * (x / y).ln() }
}

/// Jensen–Shannon *distance* (the square root of the divergence) between two histograms, as
/// `scipy.spatial.distance.jensenshannon(p, q, base)`; `base = None` uses the natural log, and
/// base 2 bounds it by 1.
///
/// ```
/// use kiln_stats::distance::jensen_shannon;
/// let d = jensen_shannon(&[1.0, 0.0], &[0.0, 1.0], Some(2.0)).unwrap();
/// assert!((d - 1.0).abs() < 1e-12);
/// ```
pub fn jensen_shannon(p: &[f64], q: &[f64], base: Option<f64>) -> Result<f64> {
    check_same_len("p", p.len(), "q", q.len())?;
    let (p, q) = (normalized("p", p)?, normalized("q", q)?);
    let mut js = 0.0;
    for (a, b) in p.iter().zip(&q) {
        let m = (a + b) / 2.0;
        js += rel_entr(*a, m) + rel_entr(*b, m);
    }
    if let Some(base) = base {
        if !(base > 0.0 && base != 1.0 && base.is_finite()) {
            return Err(StatsError::InvalidParameter {
                name: "base",
                value: base.to_string(),
                expected: "a positive logarithm base other than 1",
            });
        }
        js /= base.ln();
    }
    Ok((js / 2.0).max(0.0).sqrt())
}

/// Hellinger distance sqrt(1 − Σ sqrt(p_i q_i)) between two histograms (normalized here), in
/// [0, 1].
///
/// ```
/// use kiln_stats::distance::hellinger;
/// assert!((hellinger(&[1.0, 0.0], &[0.0, 3.0]).unwrap() - 1.0).abs() < 1e-12);
/// ```
pub fn hellinger(p: &[f64], q: &[f64]) -> Result<f64> {
    check_same_len("p", p.len(), "q", q.len())?;
    let (p, q) = (normalized("p", p)?, normalized("q", q)?);
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    Ok((1.0 - bc).max(0.0).sqrt())
}

/// Kullback–Leibler divergence KL(p ‖ q) in nats between two count histograms after additive
/// (Laplace/Lidstone) smoothing: p_i = (c_i + α) / (Σc + kα). With `alpha = 0` a bin that is empty
/// in `q` but not in `p` makes the divergence infinite, which is reported as an error.
///
/// ```
/// use kiln_stats::distance::kl_divergence;
/// assert_eq!(kl_divergence(&[3.0, 5.0], &[3.0, 5.0], 0.5).unwrap(), 0.0);
/// ```
pub fn kl_divergence(p_counts: &[f64], q_counts: &[f64], alpha: f64) -> Result<f64> {
    check_same_len("p_counts", p_counts.len(), "q_counts", q_counts.len())?;
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(StatsError::InvalidParameter {
            name: "alpha",
            value: alpha.to_string(),
            expected: "a smoothing count ≥ 0",
        });
    }
    // Validate both (non-negative, finite, some mass); the shares themselves come from smoothing.
    normalized("p_counts", p_counts)?;
    normalized("q_counts", q_counts)?;
    let k = p_counts.len() as f64;
    let (sp, sq): (f64, f64) = (p_counts.iter().sum(), q_counts.iter().sum());
    let mut kl = 0.0;
    for (i, (a, b)) in p_counts.iter().zip(q_counts).enumerate() {
        let p = (a + alpha) / (sp + k * alpha);
        let q = (b + alpha) / (sq + k * alpha);
        if p > 0.0 && q == 0.0 {
            return Err(StatsError::InvalidInput {
                arg: "q_counts",
                message: format!(
                    "bin {i} is empty where `p_counts` is not; expected alpha > 0 to smooth it"
                ),
            });
        }
        kl += rel_entr(p, q);
    }
    Ok(kl)
}
