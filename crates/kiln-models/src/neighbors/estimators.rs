//! The k-nearest-neighbour estimators: `KnnClassifierSpec` → `FittedKnnClassifier` (votes,
//! class fractions) and `KnnRegressorSpec` → `FittedKnnRegressor` (averages), uniform or
//! inverse-distance weighted as scikit-learn's `weights`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{Algorithm, Metric, NeighborIndex, Weights, check_search};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, class_codes};

/// Hyper-parameters of a k-nearest-neighbour classifier; names and defaults follow
/// scikit-learn's `KNeighborsClassifier`.
///
/// ```
/// use kiln_models::KnnClassifierSpec;
/// use ndarray::array;
///
/// let x = array![[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]];
/// let y = array![0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
/// let knn = KnnClassifierSpec { n_neighbors: 3, ..KnnClassifierSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert_eq!(knn.predict(array![[0.05], [1.15]].view())?.to_vec(), vec![0.0, 1.0]);
/// let (dist, idx) = knn.kneighbors(array![[0.05]].view(), Some(2))?;
/// assert_eq!(idx.row(0).to_vec(), vec![0, 1]);
/// assert!((dist[[0, 0]] - 0.05).abs() < 1e-12);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnnClassifierSpec {
    /// Neighbours per query (at most the training rows).
    pub n_neighbors: usize,
    /// How neighbours vote.
    pub weights: Weights,
    /// Distance.
    pub metric: Metric,
    /// Search structure.
    pub algorithm: Algorithm,
    /// Rows per KD-tree leaf.
    pub leaf_size: usize,
}

impl Default for KnnClassifierSpec {
    fn default() -> Self {
        KnnClassifierSpec {
            n_neighbors: 5,
            weights: Weights::Uniform,
            metric: Metric::Euclidean,
            algorithm: Algorithm::Auto,
            leaf_size: 30,
        }
    }
}

/// Hyper-parameters of a k-nearest-neighbour regressor; names and defaults follow
/// scikit-learn's `KNeighborsRegressor`.
///
/// ```
/// use kiln_models::{KnnRegressorSpec, Weights};
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0]];
/// let y = array![0.0, 10.0, 20.0, 30.0];
/// let knn = KnnRegressorSpec { n_neighbors: 2, weights: Weights::Distance, ..KnnRegressorSpec::default() }.fit(x.view(), y.view(), None)?;
/// // Neighbours 1.0 (distance 0.25) and 2.0 (distance 0.75): weights 4 and 4/3.
/// assert!((knn.predict(array![[1.25]].view())?[0] - 12.5).abs() < 1e-9);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnnRegressorSpec {
    /// Neighbours per query (at most the training rows).
    pub n_neighbors: usize,
    /// How neighbours are averaged.
    pub weights: Weights,
    /// Distance.
    pub metric: Metric,
    /// Search structure.
    pub algorithm: Algorithm,
    /// Rows per KD-tree leaf.
    pub leaf_size: usize,
}

impl Default for KnnRegressorSpec {
    fn default() -> Self {
        KnnRegressorSpec {
            n_neighbors: 5,
            weights: Weights::Uniform,
            metric: Metric::Euclidean,
            algorithm: Algorithm::Auto,
            leaf_size: 30,
        }
    }
}

/// Common fit checks: data, no sample weights (neighbour votes have none, as in
/// scikit-learn), and `n_neighbors` within the training rows.
fn check_neighbor_fit(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    sample_weight: Option<ArrayView1<f64>>,
    n_neighbors: usize,
) -> Result<()> {
    check_fit(x, y, sample_weight, NanPolicy::Reject)?;
    if sample_weight.is_some() {
        return Err(ModelError::InvalidWeight {
            reason: "k-nearest neighbours take no sample weights (resample the rows instead)"
                .into(),
        });
    }
    if n_neighbors > x.nrows() {
        return Err(ModelError::param(
            "n_neighbors",
            format!("at most the {} training rows", x.nrows()),
            n_neighbors,
        ));
    }
    Ok(())
}

/// Per-neighbour weights of one query (scikit-learn's `_get_weights`): inverse distances, or
/// when some neighbours sit at distance 0, weight 1 for those and 0 for the rest.
fn neighbor_weights(weights: Weights, dist: ArrayView1<f64>, out: &mut Vec<f64>) {
    out.clear();
    match weights {
        Weights::Uniform => out.extend(dist.iter().map(|_| 1.0)),
        Weights::Distance => {
            if dist.iter().any(|&d| d == 0.0) {
                out.extend(dist.iter().map(|&d| if d == 0.0 { 1.0 } else { 0.0 }));
            } else {
                out.extend(dist.iter().map(|&d| 1.0 / d));
            }
        }
    }
}

impl KnnClassifierSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_search(self.n_neighbors, self.metric, self.leaf_size)
    }

    /// Stores the training rows (and builds the search structure); `y` holds class codes.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedKnnClassifier> {
        self.check()?;
        check_neighbor_fit(x, y, sample_weight, self.n_neighbors)?;
        let (codes, k) = class_codes(y)?;
        Ok(FittedKnnClassifier {
            index: NeighborIndex::build(
                x,
                self.metric,
                self.algorithm,
                self.n_neighbors,
                self.leaf_size,
            )?,
            labels: codes,
            n_neighbors: self.n_neighbors,
            weights: self.weights,
            n_features: x.ncols(),
            n_classes: k,
        })
    }
}

impl KnnRegressorSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_search(self.n_neighbors, self.metric, self.leaf_size)
    }

    /// Stores the training rows (and builds the search structure).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedKnnRegressor> {
        self.check()?;
        check_neighbor_fit(x, y, sample_weight, self.n_neighbors)?;
        Ok(FittedKnnRegressor {
            index: NeighborIndex::build(
                x,
                self.metric,
                self.algorithm,
                self.n_neighbors,
                self.leaf_size,
            )?,
            targets: y.to_vec(),
            n_neighbors: self.n_neighbors,
            weights: self.weights,
            n_features: x.ncols(),
        })
    }
}

/// A fitted k-nearest-neighbour classifier (the training rows and their class codes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKnnClassifier {
    /// Training rows and search structure.
    pub index: NeighborIndex,
    /// Class code of each training row.
    pub labels: Vec<usize>,
    /// Neighbours per query.
    pub n_neighbors: usize,
    /// How neighbours vote.
    pub weights: Weights,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Number of class codes (`max code + 1`).
    pub n_classes: usize,
}

impl FittedKnnClassifier {
    /// Distances and training-row indices of the nearest neighbours (rows × k, nearest first;
    /// equal distances by index). `n_neighbors` defaults to the fitted one.
    pub fn kneighbors(
        &self,
        x: ArrayView2<f64>,
        n_neighbors: Option<usize>,
    ) -> Result<(Array2<f64>, Array2<usize>)> {
        self.index
            .kneighbors(x, n_neighbors.unwrap_or(self.n_neighbors))
    }

    /// Class fractions among the neighbours (weighted by inverse distance if so configured).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let (dist, idx) = self.kneighbors(x, None)?;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        let mut w = Vec::with_capacity(self.n_neighbors);
        for ((d, i), mut o) in dist.rows().into_iter().zip(idx.rows()).zip(out.rows_mut()) {
            neighbor_weights(self.weights, d, &mut w);
            for (&j, &wj) in i.iter().zip(&w) {
                o[self.labels[j]] += wj;
            }
            let total: f64 = o.sum();
            o.mapv_inplace(|v| v / total);
        }
        Ok(out)
    }

    /// The class with the largest (weighted) vote; the lowest class code on a tie.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let proba = self.predict_proba(x)?;
        Ok(proba
            .rows()
            .into_iter()
            .map(|r| crate::tree::argmax(&r.to_vec()) as f64)
            .collect())
    }
}

/// A fitted k-nearest-neighbour regressor (the training rows and their targets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKnnRegressor {
    /// Training rows and search structure.
    pub index: NeighborIndex,
    /// Target of each training row.
    pub targets: Vec<f64>,
    /// Neighbours per query.
    pub n_neighbors: usize,
    /// How neighbours are averaged.
    pub weights: Weights,
    /// Features seen at fit time.
    pub n_features: usize,
}

impl FittedKnnRegressor {
    /// Distances and training-row indices of the nearest neighbours (see the classifier).
    pub fn kneighbors(
        &self,
        x: ArrayView2<f64>,
        n_neighbors: Option<usize>,
    ) -> Result<(Array2<f64>, Array2<usize>)> {
        self.index
            .kneighbors(x, n_neighbors.unwrap_or(self.n_neighbors))
    }

    /// The (weighted) mean target of the neighbours.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let (dist, idx) = self.kneighbors(x, None)?;
        let mut w = Vec::with_capacity(self.n_neighbors);
        Ok(dist
            .rows()
            .into_iter()
            .zip(idx.rows())
            .map(|(d, i)| {
                neighbor_weights(self.weights, d, &mut w);
                let total: f64 = w.iter().sum();
                i.iter()
                    .zip(&w)
                    .map(|(&j, &wj)| wj * self.targets[j])
                    .sum::<f64>()
                    / total
            })
            .collect())
    }

    /// Regressors have no class probabilities: always an error.
    pub fn predict_proba(&self, _x: ArrayView2<f64>) -> Result<Array2<f64>> {
        Err(ModelError::param(
            "kind",
            "a classifier for predict_proba",
            "knn_regressor (a regressor)",
        ))
    }
}
