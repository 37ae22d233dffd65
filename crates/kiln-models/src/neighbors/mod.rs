//! k-nearest neighbours, as in scikit-learn's `KNeighborsClassifier` / `KNeighborsRegressor`.
//!
//! `NeighborIndex` holds the training rows and answers `kneighbors` queries either by brute
//! force (`brute`: distances in blocks, Euclidean and cosine through one matrix product per block)
//! or with a KD-tree (`kdtree`) for few dimensions and a Minkowski-family metric, chosen like
//! scikit-learn's `algorithm = "auto"`. `estimators` turns neighbours into votes and averages.
//!
//! Ties: neighbours are ordered by distance and, at equal distance, by training-row index, and
//! of several rows tied at the k-th distance the lowest indices are kept, whatever the
//! algorithm or thread count. scikit-learn keeps the same neighbours except on such exact ties:
//! its final sort is not stable (equal distances come in arbitrary order) and which tied row
//! survives at the k-th distance depends on its heap's eviction order or its tree traversal, so
//! there the two may keep different, equally near rows. A vote tied between classes goes to the
//! lowest class code, as scikit-learn's `mode` / `argmax` give.

mod brute;
mod estimators;
mod kdtree;

pub use estimators::{
    FittedKnnClassifier, FittedKnnRegressor, KnnClassifierSpec, KnnRegressorSpec,
};
pub use kdtree::KdTree;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_predict};

/// Distance between rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// `sqrt(Σ (a - b)²)` (scikit-learn's default, Minkowski with p = 2).
    #[default]
    Euclidean,
    /// `Σ |a - b|` (Minkowski with p = 1).
    Manhattan,
    /// `(Σ |a - b|^p)^(1/p)`, p >= 1.
    Minkowski(f64),
    /// `1 - a·b / (‖a‖ ‖b‖)`, 1 when either row is all zeros (scikit-learn's convention).
    Cosine,
}

impl Metric {
    pub(crate) fn check(self) -> Result<()> {
        if let Metric::Minkowski(p) = self
            && !(p.is_finite() && p >= 1.0)
        {
            return Err(ModelError::param(
                "metric",
                "minkowski with a finite p >= 1",
                p,
            ));
        }
        Ok(())
    }

    /// Whether the KD-tree can answer queries for this metric.
    fn tree_friendly(self) -> bool {
        !matches!(self, Metric::Cosine)
    }

    /// A monotone stand-in for the distance that is cheaper to compute (the Minkowski sum
    /// without the root); `cosine` has none and is handled by the brute-force path.
    #[inline]
    pub(crate) fn reduced(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Metric::Euclidean => a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum(),
            Metric::Manhattan => a.iter().zip(b).map(|(p, q)| (p - q).abs()).sum(),
            Metric::Minkowski(p) => a.iter().zip(b).map(|(x, y)| (x - y).abs().powf(p)).sum(),
            Metric::Cosine => cosine_distance(a, b),
        }
    }

    /// Distance from a reduced distance.
    #[inline]
    pub(crate) fn distance_of_reduced(self, r: f64) -> f64 {
        match self {
            Metric::Euclidean => r.sqrt(),
            Metric::Manhattan | Metric::Cosine => r,
            Metric::Minkowski(p) => r.powf(1.0 / p),
        }
    }

    /// Reduced distance of one coordinate gap (for KD-tree bounds).
    #[inline]
    pub(crate) fn reduced_gap(self, gap: f64) -> f64 {
        match self {
            Metric::Euclidean => gap * gap,
            Metric::Manhattan | Metric::Cosine => gap,
            Metric::Minkowski(p) => gap.powf(p),
        }
    }
}

/// Cosine distance with scikit-learn's conventions: zero rows have similarity 0, and the
/// result is clipped to [0, 2].
pub(crate) fn cosine_distance(a: &[f64], b: &[f64]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (p, q) in a.iter().zip(b) {
        ab += p * q;
        aa += p * p;
        bb += q * q;
    }
    let norm = aa.sqrt() * bb.sqrt();
    let sim = if norm > 0.0 { ab / norm } else { 0.0 };
    (1.0 - sim).clamp(0.0, 2.0)
}

/// How neighbours are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// scikit-learn's rule: brute force for cosine, more than 15 features, or `n_neighbors` at
    /// least half the training rows; a KD-tree otherwise.
    #[default]
    Auto,
    /// Every training row for every query, in blocks.
    Brute,
    /// A KD-tree (Minkowski-family metrics only).
    KdTree,
}

/// How the neighbours' targets are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// Every neighbour counts the same.
    #[default]
    Uniform,
    /// Neighbours count by inverse distance; rows at distance 0 take all the weight.
    Distance,
}

/// The k-best list of one query: ascending by (distance, index).
#[derive(Clone)]
pub(crate) struct TopK {
    dist: Vec<f64>,
    idx: Vec<usize>,
    k: usize,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        TopK {
            dist: Vec::with_capacity(k + 1),
            idx: Vec::with_capacity(k + 1),
            k,
        }
    }

    /// The distance a candidate must beat (infinite until the list is full).
    #[inline]
    pub fn worst(&self) -> f64 {
        if self.dist.len() < self.k {
            f64::INFINITY
        } else {
            self.dist[self.k - 1]
        }
    }

    /// Inserts `(d, i)` if it ranks among the k best by (distance, index).
    #[inline]
    pub fn push(&mut self, d: f64, i: usize) {
        let full = self.dist.len() == self.k;
        if full {
            let (wd, wi) = (self.dist[self.k - 1], self.idx[self.k - 1]);
            if d > wd || (d == wd && i > wi) {
                return;
            }
        }
        let mut pos = self.dist.len();
        while pos > 0
            && (self.dist[pos - 1] > d || (self.dist[pos - 1] == d && self.idx[pos - 1] > i))
        {
            pos -= 1;
        }
        self.dist.insert(pos, d);
        self.idx.insert(pos, i);
        if full {
            self.dist.pop();
            self.idx.pop();
        }
    }

    pub fn into_parts(self) -> (Vec<f64>, Vec<usize>) {
        (self.dist, self.idx)
    }
}

/// Training rows and the search structure over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighborIndex {
    /// Training rows (rows × features).
    pub data: Array2<f64>,
    /// The distance.
    pub metric: Metric,
    /// The KD-tree, when the search uses one.
    pub tree: Option<KdTree>,
}

impl NeighborIndex {
    /// Builds the index; `algorithm` and `n_neighbors` decide between brute force and a tree.
    pub(crate) fn build(
        x: ArrayView2<f64>,
        metric: Metric,
        algorithm: Algorithm,
        n_neighbors: usize,
        leaf_size: usize,
    ) -> Result<NeighborIndex> {
        let (n, d) = x.dim();
        let use_tree = match algorithm {
            Algorithm::Brute => false,
            Algorithm::KdTree => {
                if !metric.tree_friendly() {
                    return Err(ModelError::param(
                        "algorithm",
                        "brute or auto for the cosine metric (a KD-tree needs a Minkowski metric)",
                        "kd_tree",
                    ));
                }
                true
            }
            Algorithm::Auto => metric.tree_friendly() && d <= 15 && n_neighbors < n / 2,
        };
        let data = x.as_standard_layout().into_owned();
        let tree = use_tree.then(|| KdTree::build(data.view(), leaf_size));
        Ok(NeighborIndex { data, metric, tree })
    }

    pub fn n_samples(&self) -> usize {
        self.data.nrows()
    }

    pub fn n_features(&self) -> usize {
        self.data.ncols()
    }

    /// The `k` nearest training rows of every row of `x`: distances and indices (rows × k),
    /// each row ascending by (distance, index).
    pub fn kneighbors(&self, x: ArrayView2<f64>, k: usize) -> Result<(Array2<f64>, Array2<usize>)> {
        check_predict(x, self.n_features(), NanPolicy::Reject)?;
        if k == 0 || k > self.n_samples() {
            return Err(ModelError::param(
                "n_neighbors",
                format!("between 1 and the {} training rows", self.n_samples()),
                k,
            ));
        }
        let queries = x.as_standard_layout();
        let lists: Vec<TopK> = match &self.tree {
            Some(tree) => queries
                .outer_iter()
                .collect::<Vec<_>>()
                .par_iter()
                .map(|q| {
                    let q = q
                        .as_slice()
                        .expect("rows of a standard-layout array are contiguous");
                    tree.query(self.data.view(), self.metric, q, k)
                })
                .collect(),
            None => brute::kneighbors(self.data.view(), self.metric, queries.view(), k),
        };
        let nq = x.nrows();
        let mut dist = Array2::zeros((nq, k));
        let mut idx = Array2::zeros((nq, k));
        for (r, list) in lists.into_iter().enumerate() {
            let (ds, is) = list.into_parts();
            for (j, (dv, iv)) in ds.into_iter().zip(is).enumerate() {
                dist[[r, j]] = self.metric.distance_of_reduced(dv);
                idx[[r, j]] = iv;
            }
        }
        Ok((dist, idx))
    }
}

/// Checks the neighbour-search hyper-parameters shared by the classifier and regressor.
pub(crate) fn check_search(n_neighbors: usize, metric: Metric, leaf_size: usize) -> Result<()> {
    if n_neighbors == 0 {
        return Err(ModelError::param("n_neighbors", "at least 1", 0));
    }
    metric.check()?;
    if leaf_size == 0 {
        return Err(ModelError::param("leaf_size", "at least 1", 0));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_smallest_and_breaks_ties_by_index() {
        let mut t = TopK::new(3);
        for (d, i) in [
            (5.0, 0),
            (1.0, 1),
            (3.0, 2),
            (1.0, 3),
            (3.0, 4),
            (0.5, 5),
            (1.0, 0),
        ] {
            t.push(d, i);
        }
        let (d, i) = t.into_parts();
        assert_eq!(d, vec![0.5, 1.0, 1.0]);
        assert_eq!(i, vec![5, 0, 1]);
    }

    #[test]
    fn cosine_distance_of_a_zero_row_is_one() {
        assert_eq!(cosine_distance(&[0.0, 0.0], &[1.0, 2.0]), 1.0);
        // 1e-15: identical directions, up to rounding.
        assert!(cosine_distance(&[1.0, 2.0], &[2.0, 4.0]).abs() < 1e-15);
    }
}
