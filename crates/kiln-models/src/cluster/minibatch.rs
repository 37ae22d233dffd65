//! Mini-batch k-means (`MiniBatchKMeansSpec` → `FittedKMeans`), as scikit-learn's `MiniBatchKMeans`.
//!
//! Each step draws `batch_size` rows with replacement, assigns them to the nearest centre and
//! moves each centre to the running mean of every row it has been given (a per-centre learning
//! rate of 1/count). Centres that have received far fewer rows than the busiest one are
//! occasionally moved to random batch rows, so no centre stays stranded. Training stops after
//! `max_iter` passes over the data, or earlier when the smoothed batch inertia has not improved
//! for `max_no_improvement` steps or (with `tol` > 0) the centres barely move. Initial centres
//! come from `n_init` k-means++ (or random) draws on `init_size` rows, the best on a held-out
//! draw of rows kept. The result is an ordinary [`FittedKMeans`].

use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::kmeans::{
    FittedKMeans, KMeansInit, check_cluster_count, check_cluster_rows, check_explicit_init,
    explicit_centres,
};
use super::kmeans_init::{kmeans_plus_plus, random_rows};
use super::lloyd::{assign, inertia};
use super::rows::Rows;
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features};

/// Hyper-parameters of mini-batch k-means.
///
/// ```
/// use kiln_models::MiniBatchKMeansSpec;
/// use ndarray::Array2;
///
/// // Two well-separated groups of 200 rows.
/// let x = Array2::from_shape_fn((400, 2), |(i, j)| (i / 200) as f64 * 50.0 + ((i * 7 + j * 3) % 11) as f64 * 0.1);
/// let model = MiniBatchKMeansSpec { n_clusters: 2, batch_size: 64, ..MiniBatchKMeansSpec::default() }.fit(x.view())?;
/// assert_ne!(model.labels[0], model.labels[399]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MiniBatchKMeansSpec {
    /// Number of clusters k.
    pub n_clusters: usize,
    /// Initial centres.
    pub init: KMeansInit,
    /// Initialisations tried; None is scikit-learn's "auto" (3 for random rows, else 1).
    pub n_init: Option<usize>,
    /// Maximum passes over the data.
    pub max_iter: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Rows each initialisation sees; None is 3 × batch_size (at least 3 × k, at most n).
    pub init_size: Option<usize>,
    /// Stop when the squared centre shift of a step is at most `tol` × mean feature variance
    /// (0 disables this test).
    pub tol: f64,
    /// Stop after this many steps without improvement of the smoothed batch inertia.
    pub max_no_improvement: Option<usize>,
    /// Centres with fewer than this fraction of the largest count are moved to random rows.
    pub reassignment_ratio: f64,
    /// Seed of initialisation, batches and reassignment.
    pub seed: u64,
}

impl Default for MiniBatchKMeansSpec {
    fn default() -> Self {
        MiniBatchKMeansSpec {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            n_init: None,
            max_iter: 100,
            batch_size: 1024,
            init_size: None,
            tol: 0.0,
            max_no_improvement: Some(10),
            reassignment_ratio: 0.01,
            seed: 0,
        }
    }
}

impl MiniBatchKMeansSpec {
    fn runs(&self) -> usize {
        self.n_init.unwrap_or(match self.init {
            KMeansInit::Random => 3,
            _ => 1,
        })
    }

    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_cluster_count(self.n_clusters)?;
        if self.n_init == Some(0) {
            return Err(ModelError::param("n_init", "at least 1", 0));
        }
        if self.max_iter == 0 {
            return Err(ModelError::param("max_iter", "at least 1", 0));
        }
        if self.batch_size == 0 {
            return Err(ModelError::param("batch_size", "at least 1", 0));
        }
        if self.init_size == Some(0) {
            return Err(ModelError::param("init_size", "at least 1", 0));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(ModelError::param("tol", "a finite number >= 0", self.tol));
        }
        if !(self.reassignment_ratio >= 0.0 && self.reassignment_ratio.is_finite()) {
            return Err(ModelError::param(
                "reassignment_ratio",
                "a finite number >= 0",
                self.reassignment_ratio,
            ));
        }
        check_explicit_init(&self.init, self.n_clusters, self.runs())?;
        Ok(())
    }

    /// Clusters the rows of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedKMeans> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let (n, d) = x.dim();
        let k = self.n_clusters;
        check_cluster_rows(k, n)?;
        let rows = Rows::new(x);
        let batch = self.batch_size.min(n);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut centres = self.initial_centres(&rows, &mut rng)?;
        let tol = if self.tol > 0.0 {
            let means = rows.column_means();
            let var: f64 = rows
                .data
                .chunks_exact(d)
                .map(|r| {
                    r.iter()
                        .zip(&means)
                        .map(|(v, m)| (v - m) * (v - m))
                        .sum::<f64>()
                })
                .sum::<f64>()
                / (n * d) as f64;
            self.tol * var
        } else {
            0.0
        };

        let steps = (self.max_iter * n) / batch;
        let mut counts = vec![0.0f64; k];
        let mut since_reassign = 0usize;
        let mut ewa: Option<f64> = None;
        let mut ewa_min = f64::INFINITY;
        let mut no_improvement = 0usize;
        let mut labels = vec![0u32; batch];
        let mut n_steps = 0;
        for step in 0..steps {
            n_steps = step + 1;
            let idx: Vec<usize> = (0..batch).map(|_| rng.random_range(0..n)).collect();
            let b = rows.select(&idx);
            let sums = assign(&b, &centres, k, &mut labels, true);
            let batch_inertia = inertia(&b, &centres, &labels) / batch as f64;
            let old = centres.clone();
            for c in 0..k {
                if sums.counts[c] > 0.0 {
                    let total = counts[c] + sums.counts[c];
                    for j in 0..d {
                        centres[c * d + j] =
                            (old[c * d + j] * counts[c] + sums.sums[c * d + j]) / total;
                    }
                    counts[c] = total;
                }
            }
            since_reassign += batch;
            if self.reassignment_ratio > 0.0 && (counts.contains(&0.0) || since_reassign >= 10 * k)
            {
                since_reassign = 0;
                reassign(
                    &b,
                    &mut centres,
                    &mut counts,
                    self.reassignment_ratio,
                    &mut rng,
                );
            }
            let shift: f64 = centres
                .iter()
                .zip(&old)
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            // Exponentially weighted batch inertia, as scikit-learn's early stopping uses.
            let alpha = (batch as f64 * 2.0 / (n as f64 + 1.0)).min(1.0);
            let smoothed = match ewa {
                None => batch_inertia,
                Some(e) => e * (1.0 - alpha) + batch_inertia * alpha,
            };
            ewa = Some(smoothed);
            if step == 0 {
                continue;
            }
            if tol > 0.0 && shift <= tol {
                break;
            }
            if smoothed < ewa_min {
                no_improvement = 0;
                ewa_min = smoothed;
            } else {
                no_improvement += 1;
            }
            if self.max_no_improvement.is_some_and(|m| no_improvement >= m) {
                break;
            }
        }
        let mut all = vec![0u32; n];
        assign(&rows, &centres, k, &mut all, false);
        let total = inertia(&rows, &centres, &all);
        Ok(FittedKMeans {
            centres: Array2::from_shape_vec((k, d), centres)
                .map_err(|e| ModelError::param("init", "a valid centre shape", e))?,
            labels: all.into_iter().map(i64::from).collect(),
            inertia: total,
            n_iter: n_steps,
            n_features: d,
        })
    }

    /// The best of `n_init` initialisations on `init_size` rows, judged on another draw of rows.
    fn initial_centres(&self, rows: &Rows, rng: &mut ChaCha8Rng) -> Result<Vec<f64>> {
        let (n, d, k) = (rows.n, rows.d, self.n_clusters);
        if let KMeansInit::Explicit(c) = &self.init {
            return explicit_centres(c, d);
        }
        let mut size = self.init_size.unwrap_or(3 * self.batch_size);
        if size < k {
            size = 3 * k;
        }
        let size = size.min(n);
        let draw = |rng: &mut ChaCha8Rng| -> Vec<usize> {
            (0..size).map(|_| rng.random_range(0..n)).collect()
        };
        let validation = rows.select(&draw(rng));
        let mut best: Option<(f64, Vec<f64>)> = None;
        for _ in 0..self.runs() {
            let sample = rows.select(&draw(rng));
            // Draws with replacement can repeat rows; k-means++ copes, random rows need k distinct.
            let centres = match self.init {
                KMeansInit::Random => random_rows(&sample, k.min(sample.n), rng),
                _ => kmeans_plus_plus(&sample, k, rng),
            };
            let mut labels = vec![0u32; validation.n];
            assign(&validation, &centres, k, &mut labels, false);
            let score = inertia(&validation, &centres, &labels);
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, centres));
            }
        }
        // runs() ≥ 1 was checked, so one initialisation has been kept.
        Ok(best.expect("at least one initialisation").1)
    }
}

/// Moves centres with counts below `ratio` × the largest count to random rows of the batch and
/// gives them the smallest remaining count (scikit-learn's reassignment). At most half the batch
/// size of centres move in one step.
fn reassign(batch: &Rows, centres: &mut [f64], counts: &mut [f64], ratio: f64, rng: &mut impl Rng) {
    let d = batch.d;
    let max = counts.iter().copied().fold(0.0, f64::max);
    let mut low: Vec<usize> = (0..counts.len())
        .filter(|&c| counts[c] < ratio * max)
        .collect();
    let cap = batch.n / 2;
    if low.len() > cap {
        low.sort_by(|&a, &b| counts[a].total_cmp(&counts[b]).then(a.cmp(&b)));
        low.truncate(cap);
        low.sort_unstable();
    }
    if low.is_empty() {
        return;
    }
    let kept_min = (0..counts.len())
        .filter(|c| !low.contains(c))
        .map(|c| counts[c])
        .fold(f64::INFINITY, f64::min);
    let picks = rand::seq::index::sample(rng, batch.n, low.len().min(batch.n));
    for (&c, i) in low.iter().zip(picks.iter()) {
        centres[c * d..(c + 1) * d].copy_from_slice(batch.row(i));
        if kept_min.is_finite() {
            counts[c] = kept_min;
        }
    }
}
