//! DBSCAN (`DbscanSpec` → `FittedDbscan`), as scikit-learn's `DBSCAN`.
//!
//! A row is a core sample when at least `min_samples` rows (itself included) lie within `eps`.
//! Clusters grow from core samples in row order by a depth-first expansion through core
//! neighbours, exactly as scikit-learn's `dbscan_inner`, so a border row reachable from two
//! clusters joins the one scikit-learn gives it. Rows in no cluster are noise (label −1).
//! Neighbourhoods are found by brute force (`O(n²)` distances, parallel over rows).
//!
//! scikit-learn's DBSCAN has no `predict`; kiln's gives a new row the cluster of its nearest
//! core sample within `eps` and −1 otherwise, which is how a fitted DBSCAN labels rows it did
//! not see without changing the clusters.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::rows::{Rows, radius_neighbors, sq_dist};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// Hyper-parameters of DBSCAN (Euclidean distance).
///
/// ```
/// use kiln_models::DbscanSpec;
/// use ndarray::array;
///
/// let x = array![[0.0], [0.1], [0.2], [5.0], [5.1], [5.2], [20.0]];
/// let model = DbscanSpec { eps: 0.15, min_samples: 2 }.fit(x.view())?;
/// assert_eq!(model.labels, vec![0, 0, 0, 1, 1, 1, -1]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbscanSpec {
    /// Neighbourhood radius (Euclidean), > 0.
    pub eps: f64,
    /// Rows within `eps` (the row itself included) that make a core sample, ≥ 1.
    pub min_samples: usize,
}

impl Default for DbscanSpec {
    fn default() -> Self {
        DbscanSpec {
            eps: 0.5,
            min_samples: 5,
        }
    }
}

impl DbscanSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(ModelError::param("eps", "a finite number > 0", self.eps));
        }
        if self.min_samples == 0 {
            return Err(ModelError::param("min_samples", "at least 1", 0));
        }
        Ok(())
    }

    /// Clusters the rows of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedDbscan> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let rows = Rows::new(x);
        let neighbours = radius_neighbors(&rows, &rows, self.eps);
        let core: Vec<bool> = neighbours
            .iter()
            .map(|nb| nb.len() >= self.min_samples)
            .collect();
        let mut labels = vec![-1i64; rows.n];
        let mut next_label = 0i64;
        let mut stack = Vec::new();
        for start in 0..rows.n {
            if labels[start] != -1 || !core[start] {
                continue;
            }
            let mut i = start;
            loop {
                if labels[i] == -1 {
                    labels[i] = next_label;
                    if core[i] {
                        stack.extend(neighbours[i].iter().copied().filter(|&j| labels[j] == -1));
                    }
                }
                match stack.pop() {
                    Some(j) => i = j,
                    None => break,
                }
            }
            next_label += 1;
        }
        let core_sample_indices: Vec<usize> = (0..rows.n).filter(|&i| core[i]).collect();
        let components = rows.select(&core_sample_indices).data;
        Ok(FittedDbscan {
            labels,
            core_sample_indices,
            components,
            eps: self.eps,
            n_features: rows.d,
        })
    }
}

/// A fitted DBSCAN clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDbscan {
    /// Cluster of each training row, −1 for noise.
    pub labels: Vec<i64>,
    /// Training rows that are core samples, ascending.
    pub core_sample_indices: Vec<usize>,
    /// The core samples' feature values, row-major (`core_sample_indices.len() × n_features`).
    pub components: Vec<f64>,
    /// Radius used at fit time.
    pub eps: f64,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedDbscan {
    /// Number of clusters found (noise excluded).
    pub fn n_clusters(&self) -> usize {
        self.labels
            .iter()
            .copied()
            .max()
            .map_or(0, |m| (m + 1).max(0) as usize)
    }

    /// The cluster of the nearest core sample within `eps` of each row, −1 if there is none.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<i64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let d = self.n_features;
        let r2 = self.eps * self.eps;
        let labels = x
            .rows()
            .into_iter()
            .map(|row| {
                let row: Vec<f64> = row.to_vec();
                let mut best = (f64::INFINITY, -1i64);
                for (c, &i) in self
                    .components
                    .chunks_exact(d)
                    .zip(&self.core_sample_indices)
                {
                    let d2 = sq_dist(&row, c);
                    if d2 <= r2 && d2 < best.0 {
                        best = (d2, self.labels[i]);
                    }
                }
                best.1
            })
            .collect();
        Ok(labels)
    }
}
