//! k-means clustering (`KMeansSpec` → `FittedKMeans`), as scikit-learn's `KMeans`.
//!
//! The data are centred on their column means before fitting (as scikit-learn does, for the
//! precision of `‖c‖² − 2 x·c`); centres are shifted back afterwards. `tol` is relative to the
//! mean per-feature variance, so one setting suits data of any scale. Each of the `n_init` runs
//! draws its initial centres from its own ChaCha stream of the seed and the best inertia wins;
//! every reduction is chunked and ordered, so a fit depends on the seed only, never on the
//! thread count.

use ndarray::{Array1, Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::elkan::elkan;
use super::kmeans_init::{kmeans_plus_plus, random_rows};
use super::lloyd::{Run, assign, lloyd};
use super::rows::{Rows, sq_dist};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// How the first centres are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KMeansInit {
    /// Greedy k-means++ with `2 + ⌊ln k⌋` local trials per centre (scikit-learn's default).
    #[serde(rename = "k-means++")]
    KMeansPlusPlus,
    /// `n_clusters` distinct rows drawn uniformly.
    Random,
    /// These centres (`n_clusters` rows of `n_features` values); `n_init` must then be 1.
    Explicit(Vec<Vec<f64>>),
}

/// Which k-means iteration to run; both give the same clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KMeansAlgorithm {
    /// Assign every row to its nearest centre, then move each centre to its rows' mean.
    Lloyd,
    /// Lloyd's result with triangle-inequality bounds that skip most distance computations.
    Elkan,
}

/// Hyper-parameters of k-means.
///
/// ```
/// use kiln_models::{KMeansInit, KMeansSpec};
/// use ndarray::array;
///
/// let x = array![[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.0, 10.1]];
/// let spec = KMeansSpec { n_clusters: 2, init: KMeansInit::Explicit(vec![vec![0.0, 0.0], vec![9.0, 9.0]]), ..KMeansSpec::default() };
/// let model = spec.fit(x.view())?;
/// assert_eq!(model.labels, vec![0, 0, 1, 1]);
/// assert_eq!(model.predict(array![[9.5, 9.5]].view())?.to_vec(), vec![1]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KMeansSpec {
    /// Number of clusters k.
    pub n_clusters: usize,
    /// Initial centres.
    pub init: KMeansInit,
    /// Runs from different initial centres, best inertia kept; None is scikit-learn's "auto"
    /// (1 for k-means++ and explicit centres, 10 for random rows).
    pub n_init: Option<usize>,
    /// Maximum iterations per run.
    pub max_iter: usize,
    /// Convergence when the summed squared centre shift is at most `tol` × mean feature variance.
    pub tol: f64,
    /// Lloyd or Elkan iterations.
    pub algorithm: KMeansAlgorithm,
    /// Seed of the initialisation.
    pub seed: u64,
}

impl Default for KMeansSpec {
    fn default() -> Self {
        KMeansSpec {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            n_init: None,
            max_iter: 300,
            tol: 1e-4,
            algorithm: KMeansAlgorithm::Lloyd,
            seed: 0,
        }
    }
}

impl KMeansSpec {
    fn runs(&self) -> usize {
        self.n_init.unwrap_or(match self.init {
            KMeansInit::Random => 10,
            _ => 1,
        })
    }

    /// Validates the hyper-parameters (those that need the data are checked in `fit`).
    pub fn check(&self) -> Result<()> {
        check_cluster_count(self.n_clusters)?;
        if self.n_init == Some(0) {
            return Err(ModelError::param("n_init", "at least 1", 0));
        }
        if self.max_iter == 0 {
            return Err(ModelError::param("max_iter", "at least 1", 0));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(ModelError::param("tol", "a finite number >= 0", self.tol));
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
        let mut rows = Rows::new(x);
        let means = rows.column_means();
        center_rows(&mut rows, &means);
        let tol = self.tol * mean_variance(&rows);
        let explicit = match &self.init {
            KMeansInit::Explicit(c) => {
                let mut flat = explicit_centres(c, d)?;
                flat.chunks_exact_mut(d)
                    .for_each(|r| r.iter_mut().zip(&means).for_each(|(v, m)| *v -= m));
                Some(flat)
            }
            _ => None,
        };
        let mut best: Option<Run> = None;
        for run in 0..self.runs() {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(run as u64);
            let start = match (&self.init, &explicit) {
                (_, Some(c)) => c.clone(),
                (KMeansInit::Random, None) => random_rows(&rows, k, &mut rng),
                _ => kmeans_plus_plus(&rows, k, &mut rng),
            };
            let result = match self.algorithm {
                KMeansAlgorithm::Lloyd => lloyd(&rows, start, k, self.max_iter, tol),
                KMeansAlgorithm::Elkan => elkan(&rows, start, k, self.max_iter, tol),
            };
            if best.as_ref().is_none_or(|b| result.inertia < b.inertia) {
                best = Some(result);
            }
        }
        // runs() is at least 1 (checked above), so one run has been kept.
        let best = best.expect("at least one run");
        let mut centres = best.centres;
        centres
            .chunks_exact_mut(d)
            .for_each(|c| c.iter_mut().zip(&means).for_each(|(v, m)| *v += m));
        Ok(FittedKMeans {
            centres: Array2::from_shape_vec((k, d), centres)
                .map_err(|e| ModelError::param("init", "a valid centre shape", e))?,
            labels: best.labels.iter().map(|&l| i64::from(l)).collect(),
            inertia: best.inertia,
            n_iter: best.n_iter,
            n_features: d,
        })
    }
}

/// `n_clusters` ≥ 1, shared by every centroid model.
pub(crate) fn check_cluster_count(k: usize) -> Result<()> {
    if k == 0 {
        return Err(ModelError::param("n_clusters", "at least 1", 0));
    }
    Ok(())
}

/// `n_clusters` ≤ rows.
pub(crate) fn check_cluster_rows(k: usize, n: usize) -> Result<()> {
    if k > n {
        return Err(ModelError::param(
            "n_clusters",
            format!("at most the number of rows ({n})"),
            k,
        ));
    }
    Ok(())
}

/// Explicit initial centres: `k` of them, finite, and only one run (every run would start there).
pub(crate) fn check_explicit_init(init: &KMeansInit, k: usize, runs: usize) -> Result<()> {
    if let KMeansInit::Explicit(c) = init {
        if c.len() != k {
            return Err(ModelError::param(
                "init",
                format!("n_clusters ({k}) initial centres"),
                format!("{} centres", c.len()),
            ));
        }
        if runs != 1 {
            return Err(ModelError::param(
                "n_init",
                "1 with explicit initial centres (every run would start from them)",
                runs,
            ));
        }
        if c.iter().flatten().any(|v| !v.is_finite()) {
            return Err(ModelError::param(
                "init",
                "finite centre coordinates",
                "NaN or infinity",
            ));
        }
    }
    Ok(())
}

/// Explicit centres flattened row-major, each checked to have `d` values.
pub(crate) fn explicit_centres(c: &[Vec<f64>], d: usize) -> Result<Vec<f64>> {
    if let Some(bad) = c.iter().find(|r| r.len() != d) {
        return Err(ModelError::param(
            "init",
            format!("centres of n_features ({d}) values"),
            format!("a centre of {} values", bad.len()),
        ));
    }
    Ok(c.iter().flatten().copied().collect())
}

fn center_rows(rows: &mut Rows, means: &[f64]) {
    rows.data
        .chunks_exact_mut(rows.d)
        .for_each(|r| r.iter_mut().zip(means).for_each(|(v, m)| *v -= m));
}

/// Mean over features of the population variance of rows already centred on their means.
fn mean_variance(rows: &Rows) -> f64 {
    let sq: f64 = rows.data.iter().map(|v| v * v).sum();
    sq / (rows.n * rows.d) as f64
}

/// A fitted k-means model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKMeans {
    /// Cluster centres (`n_clusters × n_features`).
    pub centres: Array2<f64>,
    /// Cluster of each training row.
    pub labels: Vec<i64>,
    /// Sum of squared distances of the training rows to their centres.
    pub inertia: f64,
    /// Iterations of the run kept.
    pub n_iter: usize,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedKMeans {
    /// Index of the nearest centre of each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<i64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        Ok(nearest_centres(&self.centres, x).into_iter().collect())
    }

    /// Euclidean distance of each row to each centre (`rows × n_clusters`).
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let k = self.centres.nrows();
        Ok(Array2::from_shape_fn((x.nrows(), k), |(i, c)| {
            let row: Vec<f64> = x.row(i).to_vec();
            let centre: Vec<f64> = self.centres.row(c).to_vec();
            sq_dist(&row, &centre).sqrt()
        }))
    }

    /// Sum of squared distances of the rows of `x` to their nearest centres.
    pub fn score_inertia(&self, x: ArrayView2<f64>) -> Result<f64> {
        let labels = self.predict(x)?;
        Ok(labels
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                x.row(i)
                    .iter()
                    .zip(self.centres.row(c as usize))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
            })
            .sum())
    }
}

/// Nearest centre of every row of `x` (already checked).
pub(crate) fn nearest_centres(centres: &Array2<f64>, x: ArrayView2<f64>) -> Vec<i64> {
    let (k, d) = centres.dim();
    if x.nrows() == 0 {
        return Vec::new();
    }
    let rows = Rows::new(x);
    let flat: Vec<f64> = centres.iter().copied().collect();
    let mut labels = vec![0u32; rows.n];
    assign(&rows, &flat, k, &mut labels, false);
    debug_assert_eq!(rows.d, d);
    labels.into_iter().map(i64::from).collect()
}
