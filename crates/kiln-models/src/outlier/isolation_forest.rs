//! Isolation forest (`IsolationForestSpec` → `FittedIsolationForest`), as scikit-learn's.
//!
//! Each tree is grown on `max_samples` rows drawn without replacement: at every node a random
//! feature that is not constant in the node is cut at a uniform threshold in its range, until a
//! row is alone or the depth reaches ⌈log₂ max_samples⌉. Outliers are isolated near the root.
//! A row's path length in a tree is its leaf depth plus c(leaf size), the average path length
//! of an unbuilt subtree, with c(n) = 2(ln(n − 1) + γ) − 2(n − 1)/n. The score is scikit-learn's
//! `score_samples = −2^(−mean path / c(max_samples))` (in [−1, 0), higher is more normal); the
//! offset is −0.5 for "auto" contamination, else that quantile of the training scores. Trees
//! grow in parallel, tree `t` from ChaCha stream `t` of the seed, so the forest does not depend
//! on the thread count.

use ndarray::{Array1, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{check_contamination, contamination_offset};
use crate::cluster::rows::Rows;
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// Rows per tree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxSamples {
    /// min(256, rows), scikit-learn's "auto".
    Auto,
    /// This many rows (at most the number of rows).
    Count(usize),
    /// This fraction of the rows, in (0, 1].
    Fraction(f64),
}

/// Hyper-parameters of an isolation forest.
///
/// ```
/// use kiln_models::IsolationForestSpec;
/// use ndarray::Array2;
///
/// let mut x = Array2::from_shape_fn((200, 2), |(i, j)| ((i * 37 + j * 11) % 100) as f64 / 100.0);
/// x[[0, 0]] = 25.0; // far from every other row
/// let model = IsolationForestSpec { contamination: Some(0.01), ..IsolationForestSpec::default() }.fit(x.view())?;
/// let scores = model.score_samples(x.view())?;
/// assert!(scores.iter().skip(1).all(|&s| s > scores[0]));
/// assert!(scores[0] < model.offset); // below the offset: an outlier
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IsolationForestSpec {
    /// Number of trees.
    pub n_estimators: usize,
    /// Rows drawn (without replacement) per tree.
    pub max_samples: MaxSamples,
    /// Expected share of outliers in (0, 0.5]; None is "auto" (offset −0.5).
    pub contamination: Option<f64>,
    /// Seed of every tree's random stream.
    pub seed: u64,
}

impl Default for IsolationForestSpec {
    fn default() -> Self {
        IsolationForestSpec {
            n_estimators: 100,
            max_samples: MaxSamples::Auto,
            contamination: None,
            seed: 0,
        }
    }
}

impl IsolationForestSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if self.n_estimators == 0 {
            return Err(ModelError::param("n_estimators", "at least 1", 0));
        }
        match self.max_samples {
            MaxSamples::Count(0) => {
                return Err(ModelError::param("max_samples", "at least 1 row", 0));
            }
            MaxSamples::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                return Err(ModelError::param("max_samples", "a fraction in (0, 1]", f));
            }
            _ => {}
        }
        check_contamination(self.contamination)
    }

    /// Grows the forest on the rows of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedIsolationForest> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let rows = Rows::new(x);
        let n = rows.n;
        let psi = match self.max_samples {
            MaxSamples::Auto => n.min(256),
            MaxSamples::Count(c) => {
                if c > n {
                    return Err(ModelError::param(
                        "max_samples",
                        format!("at most the number of rows ({n})"),
                        c,
                    ));
                }
                c
            }
            MaxSamples::Fraction(f) => ((f * n as f64) as usize).max(1),
        };
        let max_depth = (psi.max(2) as f64).log2().ceil() as usize;
        let trees: Vec<IsolationTree> = (0..self.n_estimators)
            .into_par_iter()
            .map(|t| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(t as u64);
                let mut idx = rand::seq::index::sample(&mut rng, n, psi).into_vec();
                let mut tree = IsolationTree::default();
                tree.grow(&rows, &mut idx, 0, max_depth, &mut rng);
                tree
            })
            .collect();
        let mut model = FittedIsolationForest {
            trees,
            max_samples: psi,
            offset: -0.5,
            n_features: rows.d,
        };
        if let Some(c) = self.contamination {
            let scores = model.scores(&rows);
            model.offset = contamination_offset(&scores, c)?;
        }
        Ok(model)
    }
}

/// One isolation tree, struct-of-arrays; a leaf has `left = -1` and holds its path length.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IsolationTree {
    /// Left child of each node, −1 for a leaf (the right child is `right`).
    pub left: Vec<i32>,
    /// Right child of each node, −1 for a leaf.
    pub right: Vec<i32>,
    /// Feature cut at each internal node.
    pub feature: Vec<u32>,
    /// Rows with feature ≤ threshold go left.
    pub threshold: Vec<f64>,
    /// At a leaf: its depth + c(rows in the leaf).
    pub path_length: Vec<f64>,
}

impl IsolationTree {
    fn push(&mut self) -> usize {
        self.left.push(-1);
        self.right.push(-1);
        self.feature.push(0);
        self.threshold.push(0.0);
        self.path_length.push(0.0);
        self.left.len() - 1
    }

    /// Grows the subtree over `idx` at `depth`; returns its node index.
    fn grow(
        &mut self,
        rows: &Rows,
        idx: &mut [usize],
        depth: usize,
        max_depth: usize,
        rng: &mut impl Rng,
    ) -> usize {
        let node = self.push();
        let n = idx.len();
        let leaf = |tree: &mut Self| {
            tree.path_length[node] = depth as f64 + average_path_length(n);
            node
        };
        if depth >= max_depth || n < 2 {
            return leaf(self);
        }
        // Draw features without replacement until one is not constant in the node (as
        // scikit-learn's random splitter does with max_features = 1).
        let d = rows.d;
        let mut candidates: Vec<usize> = (0..d).collect();
        let mut chosen = None;
        while !candidates.is_empty() {
            let f = candidates.swap_remove(rng.random_range(0..candidates.len()));
            let (lo, hi) = idx
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                    let v = rows.data[i * d + f];
                    (lo.min(v), hi.max(v))
                });
            if hi > lo {
                chosen = Some((f, lo, hi));
                break;
            }
        }
        let Some((f, lo, hi)) = chosen else {
            return leaf(self);
        };
        let mut threshold = lo + rng.random::<f64>() * (hi - lo);
        if threshold >= hi {
            threshold = lo;
        }
        // Partition: rows with value ≤ threshold first. lo ≤ threshold < hi, so both sides
        // are non-empty.
        let mut split = 0;
        for k in 0..n {
            if rows.data[idx[k] * d + f] <= threshold {
                idx.swap(k, split);
                split += 1;
            }
        }
        self.feature[node] = f as u32;
        self.threshold[node] = threshold;
        let (left, right) = idx.split_at_mut(split);
        let l = self.grow(rows, left, depth + 1, max_depth, rng);
        let r = self.grow(rows, right, depth + 1, max_depth, rng);
        self.left[node] = l as i32;
        self.right[node] = r as i32;
        node
    }

    fn path_length_of(&self, row: &[f64]) -> f64 {
        let mut node = 0usize;
        while self.left[node] >= 0 {
            node = if row[self.feature[node] as usize] <= self.threshold[node] {
                self.left[node] as usize
            } else {
                self.right[node] as usize
            };
        }
        self.path_length[node]
    }
}

/// Average path length of an unsuccessful search in a binary search tree of `n` rows, c(n).
pub(crate) fn average_path_length(n: usize) -> f64 {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

/// A fitted isolation forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedIsolationForest {
    /// The trees.
    pub trees: Vec<IsolationTree>,
    /// Rows each tree was grown on.
    pub max_samples: usize,
    /// Decision threshold on `score_samples`.
    pub offset: f64,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedIsolationForest {
    fn scores(&self, rows: &Rows) -> Vec<f64> {
        let norm = self.trees.len() as f64 * average_path_length(self.max_samples);
        (0..rows.n)
            .into_par_iter()
            .map(|i| {
                let row = rows.row(i);
                let total: f64 = self.trees.iter().map(|t| t.path_length_of(row)).sum();
                // A single-row sample has c = 0: every row is equally (un)isolated.
                let ratio = if norm > 0.0 { total / norm } else { 1.0 };
                -(2f64.powf(-ratio))
            })
            .collect()
    }

    /// `−2^(−mean path length / c(max_samples))`: in [−1, 0), higher is more normal.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        Ok(Array1::from(self.scores(&Rows::new(x))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_path_length_matches_the_formula() {
        // scikit-learn's _average_path_length([3, 256]).
        assert!((average_path_length(3) - 1.207_392_357_589_623).abs() < 1e-12);
        assert!((average_path_length(256) - 10.244_770_920_119_917).abs() < 1e-12);
        assert_eq!(average_path_length(1), 0.0);
    }
}
