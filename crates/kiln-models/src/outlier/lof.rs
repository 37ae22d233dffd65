//! Local outlier factor (`LocalOutlierFactorSpec` → `FittedLocalOutlierFactor`), as scikit-learn's.
//!
//! A row's local reachability density is the inverse of its mean reachability distance to its
//! k nearest neighbours (`max(k-distance of the neighbour, distance)`, plus scikit-learn's 1e-10
//! guard); its outlier factor is the mean density of its neighbours over its own. Training rows
//! get `negative_outlier_factor = −LOF`. With `novelty`, new rows are scored against the
//! training rows (their neighbours are training rows); without it the model describes only its
//! training rows and scoring new rows is an error, as in scikit-learn, since mixing the two
//! gives misleading factors. Neighbours are found by brute force with exact distances.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{check_contamination, contamination_offset, inlier_labels};
use crate::cluster::rows::{Rows, k_nearest};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// Hyper-parameters of the local outlier factor (Euclidean distance).
///
/// ```
/// use kiln_models::LocalOutlierFactorSpec;
/// use ndarray::array;
///
/// let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.5], [8.0, 8.0]];
/// let model = LocalOutlierFactorSpec { n_neighbors: 3, ..LocalOutlierFactorSpec::default() }.fit(x.view())?;
/// assert_eq!(model.training_predict().to_vec(), vec![1, 1, 1, 1, 1, -1]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalOutlierFactorSpec {
    /// Neighbours per row (capped at rows − 1).
    pub n_neighbors: usize,
    /// Expected share of outliers in (0, 0.5]; None is "auto" (offset −1.5).
    pub contamination: Option<f64>,
    /// Score new rows against the training rows (otherwise only the training rows are scored).
    pub novelty: bool,
}

impl Default for LocalOutlierFactorSpec {
    fn default() -> Self {
        LocalOutlierFactorSpec {
            n_neighbors: 20,
            contamination: None,
            novelty: false,
        }
    }
}

impl LocalOutlierFactorSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if self.n_neighbors == 0 {
            return Err(ModelError::param("n_neighbors", "at least 1", 0));
        }
        check_contamination(self.contamination)
    }

    /// Computes the factors of the rows of `x` (at least 2 rows, no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedLocalOutlierFactor> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let rows = Rows::new(x);
        if rows.n < 2 {
            return Err(ModelError::param(
                "x",
                "at least 2 rows (a row needs a neighbour)",
                format!("{} row", rows.n),
            ));
        }
        let k = self.n_neighbors.min(rows.n - 1);
        let neighbours = k_nearest(&rows, &rows, k, true);
        let k_distance: Vec<f64> = neighbours.iter().map(|nb| nb[k - 1].0).collect();
        let lrd: Vec<f64> = neighbours
            .iter()
            .map(|nb| reachability_density(nb, &k_distance))
            .collect();
        let negative_outlier_factor: Vec<f64> = neighbours
            .iter()
            .zip(&lrd)
            .map(|(nb, &own)| -mean_ratio(nb, &lrd, own))
            .collect();
        let offset = match self.contamination {
            None => -1.5,
            Some(c) => contamination_offset(&negative_outlier_factor, c)?,
        };
        Ok(FittedLocalOutlierFactor {
            training_rows: rows.data,
            n_neighbors: k,
            k_distance,
            lrd,
            negative_outlier_factor,
            offset,
            novelty: self.novelty,
            n_features: rows.d,
        })
    }
}

/// `1 / (mean reachability distance + 1e-10)` over the neighbours (distance, index).
fn reachability_density(neighbours: &[(f64, usize)], k_distance: &[f64]) -> f64 {
    let total: f64 = neighbours.iter().map(|&(d, j)| d.max(k_distance[j])).sum();
    1.0 / (total / neighbours.len() as f64 + 1e-10)
}

/// Mean over the neighbours of `lrd[neighbour] / own`.
fn mean_ratio(neighbours: &[(f64, usize)], lrd: &[f64], own: f64) -> f64 {
    neighbours.iter().map(|&(_, j)| lrd[j] / own).sum::<f64>() / neighbours.len() as f64
}

/// A fitted local outlier factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLocalOutlierFactor {
    /// Training rows, row-major (novelty scoring searches them).
    pub training_rows: Vec<f64>,
    /// Neighbours used (n_neighbors capped at rows − 1).
    pub n_neighbors: usize,
    /// Distance of each training row to its k-th neighbour.
    pub k_distance: Vec<f64>,
    /// Local reachability density of each training row.
    pub lrd: Vec<f64>,
    /// −LOF of each training row (higher is more normal).
    pub negative_outlier_factor: Vec<f64>,
    /// Decision threshold on the scores.
    pub offset: f64,
    /// Whether new rows may be scored.
    pub novelty: bool,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedLocalOutlierFactor {
    /// Labels of the training rows: −1 where `negative_outlier_factor < offset`.
    pub fn training_predict(&self) -> Array1<i64> {
        let decision: Array1<f64> = self
            .negative_outlier_factor
            .iter()
            .map(|s| s - self.offset)
            .collect();
        inlier_labels(&decision)
    }

    /// −LOF of new rows against the training rows; needs `novelty = true`.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        if !self.novelty {
            return Err(ModelError::param(
                "novelty",
                "true to score new rows (without novelty the model describes its training rows \
                 only: use negative_outlier_factor or fit_predict)",
                false,
            ));
        }
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        if x.nrows() == 0 {
            return Ok(Array1::zeros(0));
        }
        let queries = Rows::new(x);
        let n_train = self.training_rows.len() / self.n_features;
        let train = Rows::from_vec(self.training_rows.clone(), n_train, self.n_features);
        let neighbours = k_nearest(&queries, &train, self.n_neighbors, false);
        Ok(neighbours
            .iter()
            .map(|nb| {
                let own = reachability_density(nb, &self.k_distance);
                -mean_ratio(nb, &self.lrd, own)
            })
            .collect())
    }
}
