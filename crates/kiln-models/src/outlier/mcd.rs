//! Minimum covariance determinant by FastMCD (Rousseeuw & Van Driessen), as scikit-learn's
//! `MinCovDet`: a robust location and covariance that outliers cannot drag.
//!
//! The raw estimate is the mean and covariance of the `h` rows whose covariance has the
//! smallest determinant, searched by C-steps (keep the `h` rows nearest in Mahalanobis distance
//! to the current estimate, re-estimate, repeat while the log-determinant falls) from random
//! starts: 30 starts of 2 C-steps each, the 10 best refined to convergence. Above 500 rows the
//! starts run on disjoint subsets of about 300 rows, their best candidates are refined on a
//! merged draw of up to 1500 rows, and (above 1500 rows) the best of those on all rows — the
//! same schedule as scikit-learn. One feature has an exact answer (the tightest window of `h`
//! sorted values). The raw covariance is then made consistent at the normal model (scaled by
//! median distance / χ²_p median) and reweighted on the rows within the χ²_p 97.5% quantile.
//!
//! Determinants and inverses come from one symmetric eigendecomposition per estimate, with
//! scikit-learn's conventions: a singular covariance has log-determinant −∞ and is inverted by
//! the pseudo-inverse (`pinvh`). The random starts use the caller's seeded generator, so the
//! search is reproducible but draws different subsets from scikit-learn's.

use faer::{Mat, Side};
use kiln_stats::distributions::ChiSquared;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::cluster::rows::Rows;
use crate::error::{ModelError, Result};

/// A location, covariance and what the search needs of them.
#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    pub location: Vec<f64>,
    pub covariance: Vec<f64>,
    pub precision: Vec<f64>,
    pub log_det: f64,
}

impl Estimate {
    /// Mean and population covariance of the rows at `idx`, with its precision and log-det.
    fn of(x: &Rows, idx: &[usize]) -> Result<Estimate> {
        let d = x.d;
        let m = idx.len() as f64;
        let mut location = vec![0.0; d];
        for &i in idx {
            location.iter_mut().zip(x.row(i)).for_each(|(a, v)| *a += v);
        }
        location.iter_mut().for_each(|a| *a /= m);
        let mut covariance = vec![0.0; d * d];
        let mut centred = vec![0.0; d];
        for &i in idx {
            centred
                .iter_mut()
                .zip(x.row(i).iter().zip(&location))
                .for_each(|(c, (v, l))| *c = v - l);
            for a in 0..d {
                for b in 0..=a {
                    covariance[a * d + b] += centred[a] * centred[b];
                }
            }
        }
        for a in 0..d {
            for b in 0..=a {
                let v = covariance[a * d + b] / m;
                covariance[a * d + b] = v;
                covariance[b * d + a] = v;
            }
        }
        Estimate::from_parts(location, covariance)
    }

    fn from_parts(location: Vec<f64>, covariance: Vec<f64>) -> Result<Estimate> {
        let (precision, log_det) = pinvh_logdet(&covariance, location.len())?;
        Ok(Estimate {
            location,
            covariance,
            precision,
            log_det,
        })
    }

    /// Squared Mahalanobis distance of every row of `x`.
    pub fn distances(&self, x: &Rows) -> Vec<f64> {
        (0..x.n).map(|i| self.distance(x.row(i))).collect()
    }

    pub fn distance(&self, row: &[f64]) -> f64 {
        mahalanobis(row, &self.location, &self.precision)
    }
}

/// `(x − μ)ᵀ P (x − μ)`.
pub(crate) fn mahalanobis(row: &[f64], location: &[f64], precision: &[f64]) -> f64 {
    let d = location.len();
    let c: Vec<f64> = row.iter().zip(location).map(|(v, l)| v - l).collect();
    let mut total = 0.0;
    for a in 0..d {
        let pa: f64 = (0..d).map(|b| precision[a * d + b] * c[b]).sum();
        total += c[a] * pa;
    }
    total
}

/// Pseudo-inverse (eigenvalues below `max |λ| · d · ε` dropped, as SciPy's `pinvh`) and
/// log-determinant (−∞ unless positive definite, as scikit-learn's `fast_logdet`).
fn pinvh_logdet(cov: &[f64], d: usize) -> Result<(Vec<f64>, f64)> {
    let m = Mat::from_fn(d, d, |a, b| cov[a * d + b]);
    let eig = m.self_adjoint_eigen(Side::Lower).map_err(|e| {
        ModelError::param(
            "x",
            "data whose covariance has an eigendecomposition",
            format!("{e:?}"),
        )
    })?;
    let values: Vec<f64> = (0..d).map(|i| eig.S().column_vector()[i]).collect();
    let u = eig.U();
    let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let cutoff = largest * d as f64 * f64::EPSILON;
    let mut precision = vec![0.0; d * d];
    for (k, &lambda) in values.iter().enumerate() {
        if lambda.abs() > cutoff {
            for a in 0..d {
                for b in 0..d {
                    precision[a * d + b] += u[(a, k)] * u[(b, k)] / lambda;
                }
            }
        }
    }
    let log_det = if values.iter().all(|&v| v > 0.0) {
        values.iter().map(|v| v.ln()).sum()
    } else {
        f64::NEG_INFINITY
    };
    Ok((precision, log_det))
}

/// Indices of the `h` smallest values (ties by index, as a stable argsort).
fn smallest(dist: &[f64], h: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..dist.len()).collect();
    idx.sort_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(a.cmp(&b)));
    idx.truncate(h);
    idx
}

/// Where a C-step run starts: a random support, or the `h` rows nearest an estimate.
enum Start<'a> {
    Random,
    From(&'a Estimate),
}

/// C-steps until the log-determinant stops falling (at most `n_iter`); scikit-learn's `_c_step`.
fn c_steps(
    x: &Rows,
    h: usize,
    start: Start,
    n_iter: usize,
    rng: &mut impl Rng,
) -> Result<(Estimate, Vec<usize>)> {
    let mut support = match start {
        Start::Random => {
            let mut p: Vec<usize> = (0..x.n).collect();
            p.shuffle(rng);
            p.truncate(h);
            p
        }
        Start::From(e) => smallest(&e.distances(x), h),
    };
    let mut est = Estimate::of(x, &support)?;
    let mut previous: Option<(Estimate, Vec<usize>)> = None;
    let mut remaining = n_iter;
    while remaining > 0
        && est.log_det.is_finite()
        && previous
            .as_ref()
            .is_none_or(|(p, _)| est.log_det < p.log_det)
    {
        let next_support = smallest(&est.distances(x), h);
        let next = Estimate::of(x, &next_support)?;
        previous = Some((est, support));
        est = next;
        support = next_support;
        remaining -= 1;
    }
    if let Some((p, p_support)) = previous
        && est.log_det > p.log_det
        && !approx_eq(est.log_det, p.log_det)
        && remaining > 0
    {
        // The determinant rose (rounding): keep the previous, better estimate.
        return Ok((p, p_support));
    }
    Ok((est, support))
}

/// `numpy.allclose` on two scalars.
fn approx_eq(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 + 1e-5 * b.abs()
}

/// The `select` best estimates (lowest log-determinant) from `starts` C-step runs.
fn select_candidates(
    x: &Rows,
    h: usize,
    starts: &[Option<&Estimate>],
    select: usize,
    n_iter: usize,
    rng: &mut impl Rng,
) -> Result<Vec<(Estimate, Vec<usize>)>> {
    let mut runs = Vec::with_capacity(starts.len());
    for s in starts {
        let start = match s {
            None => Start::Random,
            Some(e) => Start::From(e),
        };
        runs.push(c_steps(x, h, start, n_iter, rng)?);
    }
    runs.sort_by(|a, b| a.0.log_det.total_cmp(&b.0.log_det));
    runs.truncate(select);
    Ok(runs)
}

/// The raw MCD estimate of `x` with `h` rows in the support, and the rows of that support.
fn fast_mcd(x: &Rows, h: usize, rng: &mut impl Rng) -> Result<(Estimate, Vec<usize>)> {
    let (n, d) = (x.n, x.d);
    if d == 1 {
        return univariate(x, h);
    }
    if n <= 500 {
        let best = select_candidates(x, h, &[None; 30], 10, 2, rng)?;
        let starts: Vec<Option<&Estimate>> = best.iter().map(|(e, _)| Some(e)).collect();
        return first(select_candidates(x, h, &starts, 1, 30, rng)?);
    }
    let n_subsets = n / 300;
    let per_subset = n / n_subsets;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let h_subset = (per_subset as f64 * (h as f64 / n as f64)).ceil() as usize;
    let trials = (30 / n_subsets).max(10);
    let mut pooled = Vec::with_capacity(n_subsets * 10);
    for s in 0..n_subsets {
        let subset = x.select(&order[s * per_subset..(s + 1) * per_subset]);
        let starts = vec![None; trials];
        for (e, _) in select_candidates(&subset, h_subset, &starts, 10, 2, rng)? {
            pooled.push(e);
        }
    }
    let n_merged = n.min(1500);
    let h_merged = (n_merged as f64 * (h as f64 / n as f64)).ceil() as usize;
    let keep = if n > 1500 { 10 } else { 1 };
    let mut draw: Vec<usize> = (0..n).collect();
    draw.shuffle(rng);
    draw.truncate(n_merged);
    let merged = x.select(&draw);
    let starts: Vec<Option<&Estimate>> = pooled.iter().map(Some).collect();
    let best_merged = select_candidates(&merged, h_merged, &starts, keep, 30, rng)?;
    if n <= 1500 {
        // The merged draw is every row in shuffled order: map its support back to rows.
        let (e, s) = first(best_merged)?;
        return Ok((e, s.iter().map(|&i| draw[i]).collect()));
    }
    let starts: Vec<Option<&Estimate>> = best_merged.iter().map(|(e, _)| Some(e)).collect();
    first(select_candidates(x, h, &starts, 1, 30, rng)?)
}

fn first(mut v: Vec<(Estimate, Vec<usize>)>) -> Result<(Estimate, Vec<usize>)> {
    if v.is_empty() {
        return Err(ModelError::param(
            "x",
            "rows to search a support in",
            "none",
        ));
    }
    Ok(v.swap_remove(0))
}

/// One feature: the `h` consecutive sorted values with the smallest range (scikit-learn's exact
/// univariate MCD), location the mean of the middles of the tightest windows.
fn univariate(x: &Rows, h: usize) -> Result<(Estimate, Vec<usize>)> {
    let n = x.n;
    if h >= n {
        let all: Vec<usize> = (0..n).collect();
        return Ok((Estimate::of(x, &all)?, all));
    }
    let mut sorted = x.data.clone();
    sorted.sort_by(f64::total_cmp);
    let diffs: Vec<f64> = (0..n - h).map(|i| sorted[i + h] - sorted[i]).collect();
    let min = diffs.iter().copied().fold(f64::INFINITY, f64::min);
    let starts: Vec<usize> = (0..diffs.len()).filter(|&i| diffs[i] == min).collect();
    let location = starts
        .iter()
        .map(|&i| 0.5 * (sorted[i + h] + sorted[i]))
        .sum::<f64>()
        / starts.len() as f64;
    let dev: Vec<f64> = x.data.iter().map(|v| (v - location).abs()).collect();
    let support = smallest(&dev, h);
    let m = h as f64;
    let mean = support.iter().map(|&i| x.data[i]).sum::<f64>() / m;
    let var = support
        .iter()
        .map(|&i| (x.data[i] - mean).powi(2))
        .sum::<f64>()
        / m;
    Ok((Estimate::from_parts(vec![location], vec![var])?, support))
}

/// The robust estimate after consistency correction and reweighting, with the raw location.
pub(crate) struct RobustCovariance {
    pub estimate: Estimate,
    pub raw_location: Vec<f64>,
    pub raw_covariance: Vec<f64>,
    pub support: Vec<bool>,
}

/// MCD with `h` rows, corrected and reweighted as `MinCovDet.fit` does.
pub(crate) fn min_cov_det(x: &Rows, h: usize, rng: &mut impl Rng) -> Result<RobustCovariance> {
    let (raw, _) = fast_mcd(x, h, rng)?;
    let d = x.d;
    if raw.covariance.iter().all(|v| v.abs() < 1e-300) {
        return Err(ModelError::param(
            "x",
            "rows whose robust covariance is not zero (more than half the rows are identical)",
            "a zero covariance",
        ));
    }
    let chi = ChiSquared::new(d as f64).map_err(|e| ModelError::param("x", "features", e))?;
    let raw_dist = raw.distances(x);
    let median = kiln_stats::quantile::median(&raw_dist)
        .map_err(|e| ModelError::param("x", "rows to take a median distance of", e))?;
    let correction = median
        / chi
            .isf(0.5)
            .map_err(|e| ModelError::param("x", "features", e))?;
    let cut = chi
        .isf(0.025)
        .map_err(|e| ModelError::param("x", "features", e))?;
    let support: Vec<bool> = raw_dist.iter().map(|v| v / correction < cut).collect();
    let kept: Vec<usize> = (0..x.n).filter(|&i| support[i]).collect();
    let estimate = Estimate::of(x, &kept)?;
    Ok(RobustCovariance {
        raw_location: raw.location.clone(),
        raw_covariance: raw.covariance.clone(),
        estimate,
        support,
    })
}
