//! Clustering: k-means (Lloyd and Elkan), mini-batch k-means and DBSCAN, with the elbow curve
//! and the silhouette to choose and judge a clustering.
//!
//! Clustering is unsupervised, so it has its own contract beside [`crate::ModelSpec`]: a spec
//! (serde data, validated by `check()`) whose `fit(x)` takes features only and returns a fitted
//! type with `predict(x)` → one cluster label per row (`i64`; −1 is DBSCAN noise) and the
//! training rows' `labels`. Both sides are gathered in the serde-tagged enums [`ClusterSpec`]
//! and [`FittedClusterer`] (`{"kind": "k_means", ...}`), so a clustering step can be written in
//! `kiln.toml`, stored with a pipeline and reloaded like any model. Every model here agrees with
//! scikit-learn on the same data (see `tests/cluster_reference.rs`).

mod dbscan;
mod elkan;
mod evaluate;
mod kmeans;
mod kmeans_init;
mod lloyd;
mod minibatch;
pub(crate) mod rows;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use dbscan::{DbscanSpec, FittedDbscan};
pub use evaluate::{inertia_curve, silhouette_samples, silhouette_score};
pub use kmeans::{FittedKMeans, KMeansAlgorithm, KMeansInit, KMeansSpec};
pub use minibatch::MiniBatchKMeansSpec;

use crate::error::Result;

/// Hyper-parameters of any kiln clustering, tagged by `kind`.
///
/// ```
/// use kiln_models::ClusterSpec;
/// use ndarray::array;
///
/// let spec: ClusterSpec = serde_json::from_str(r#"{"kind": "dbscan", "eps": 0.5, "min_samples": 2}"#)
///     .expect("valid spec");
/// let x = array![[0.0, 0.0], [0.2, 0.0], [9.0, 9.0], [9.2, 9.0], [50.0, 50.0]];
/// let model = spec.fit(x.view())?;
/// assert_eq!(model.labels(), &[0, 0, 1, 1, -1]);
/// assert_eq!(model.predict(array![[9.1, 9.0]].view())?.to_vec(), vec![1]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClusterSpec {
    /// k-means (Lloyd or Elkan).
    KMeans(KMeansSpec),
    /// Mini-batch k-means.
    MiniBatchKMeans(MiniBatchKMeansSpec),
    /// Density-based clustering with noise.
    Dbscan(DbscanSpec),
}

/// Any fitted kiln clustering, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedClusterer {
    /// k-means or mini-batch k-means centres.
    KMeans(FittedKMeans),
    /// DBSCAN clusters and core samples.
    Dbscan(FittedDbscan),
}

impl ClusterSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        match self {
            ClusterSpec::KMeans(s) => s.check(),
            ClusterSpec::MiniBatchKMeans(s) => s.check(),
            ClusterSpec::Dbscan(s) => s.check(),
        }
    }

    /// Clusters the rows of `x`.
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedClusterer> {
        Ok(match self {
            ClusterSpec::KMeans(s) => FittedClusterer::KMeans(s.fit(x)?),
            ClusterSpec::MiniBatchKMeans(s) => FittedClusterer::KMeans(s.fit(x)?),
            ClusterSpec::Dbscan(s) => FittedClusterer::Dbscan(s.fit(x)?),
        })
    }
}

impl FittedClusterer {
    /// Cluster label of each row of `x` (−1: DBSCAN noise).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<i64>> {
        match self {
            FittedClusterer::KMeans(m) => m.predict(x),
            FittedClusterer::Dbscan(m) => m.predict(x),
        }
    }

    /// Cluster label of each training row.
    pub fn labels(&self) -> &[i64] {
        match self {
            FittedClusterer::KMeans(m) => &m.labels,
            FittedClusterer::Dbscan(m) => &m.labels,
        }
    }

    /// Number of clusters (noise excluded).
    pub fn n_clusters(&self) -> usize {
        match self {
            FittedClusterer::KMeans(m) => m.centres.nrows(),
            FittedClusterer::Dbscan(m) => m.n_clusters(),
        }
    }

    /// Features expected at predict time.
    pub fn n_features(&self) -> usize {
        match self {
            FittedClusterer::KMeans(m) => m.n_features,
            FittedClusterer::Dbscan(m) => m.n_features,
        }
    }
}
