//! `KnnImputer`: fills a missing cell with the mean of that column over the `n_neighbors`
//! nearest training rows that have it, as scikit-learn's `KNNImputer` (uniform weights,
//! `nan_euclidean` distance: Euclidean over the coordinates both rows have, scaled up by
//! `n_columns / n_shared`). A row sharing no coordinate with any donor gets the column mean.
//!
//! The fitted imputer keeps the training rows (as scikit-learn does); missing training cells
//! are stored as `null` so the fitted step survives a JSON round trip.

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::table::{Column, Table};

fn five() -> usize {
    5
}

/// Spec of the k-nearest-neighbour imputer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnnImputer {
    /// Donors averaged per cell (default 5).
    #[serde(default = "five")]
    pub n_neighbors: usize,
}

impl Default for KnnImputer {
    fn default() -> Self {
        KnnImputer { n_neighbors: 5 }
    }
}

/// A fitted KNN imputer: the training rows and the column means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedKnnImputer {
    /// Input columns.
    pub columns: Vec<String>,
    /// Donors: training rows, `None` where missing.
    pub rows: Vec<Vec<Option<f64>>>,
    /// Mean of the observed training values per column (fallback without donors).
    pub means: Vec<f64>,
    /// Donors averaged per cell.
    pub n_neighbors: usize,
}

impl KnnImputer {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.n_neighbors == 0 {
            return Err(PrepError::param(
                "knn_imputer",
                "n_neighbors",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// Stores the training rows.
    pub fn fit(&self, table: &Table) -> Result<FittedKnnImputer> {
        self.check()?;
        let cols = table.numeric_columns("knn_imputer")?;
        let mut means = Vec::with_capacity(cols.len());
        for (name, c) in table.names.iter().zip(&cols) {
            let (n, mean, _) = crate::stats::mean_var(c);
            if n == 0 {
                return Err(PrepError::column(
                    name,
                    "has no observed value in the training rows; knn_imputer has no donor for it",
                ));
            }
            means.push(mean);
        }
        let rows = (0..table.n_rows)
            .map(|i| {
                cols.iter()
                    .map(|c| (!c[i].is_nan()).then_some(c[i]))
                    .collect()
            })
            .collect();
        Ok(FittedKnnImputer {
            columns: table.names.clone(),
            rows,
            means,
            n_neighbors: self.n_neighbors,
        })
    }
}

impl FittedKnnImputer {
    /// `nan_euclidean` distance between a query row and donor `d`; `None` without a shared
    /// coordinate.
    fn distance(&self, query: &[f64], d: usize) -> Option<f64> {
        let (mut sum, mut shared) = (0.0, 0usize);
        for (q, v) in query.iter().zip(&self.rows[d]) {
            if let (false, Some(v)) = (q.is_nan(), v) {
                sum += (q - v) * (q - v);
                shared += 1;
            }
        }
        (shared > 0).then(|| (sum * query.len() as f64 / shared as f64).sqrt())
    }

    /// Fills missing cells from the nearest donors.
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "knn_imputer")?;
        let p = self.columns.len();
        let cols = table.numeric_columns("knn_imputer")?;
        let n = table.n_rows;
        let mut fills: Vec<(usize, usize, f64)> = Vec::new();
        for i in 0..n {
            let query: Vec<f64> = cols.iter().map(|c| c[i]).collect();
            if !query.iter().any(|v| v.is_nan()) {
                continue;
            }
            // Distances to every donor once per row, reused for each missing column.
            let dist: Vec<Option<f64>> = (0..self.rows.len())
                .map(|d| self.distance(&query, d))
                .collect();
            for (j, _) in query.iter().enumerate().filter(|(_, v)| v.is_nan()) {
                let mut donors: Vec<(f64, f64)> = (0..self.rows.len())
                    .filter_map(|d| Some((dist[d]?, self.rows[d][j]?)))
                    .collect();
                let value = if donors.is_empty() {
                    self.means[j]
                } else {
                    let k = self.n_neighbors.min(donors.len());
                    donors.sort_by(|a, b| a.0.total_cmp(&b.0));
                    donors[..k].iter().map(|d| d.1).sum::<f64>() / k as f64
                };
                fills.push((i, j, value));
            }
        }
        debug_assert!(fills.iter().all(|f| f.1 < p));
        for (i, j, v) in fills {
            if let Column::Numeric(c) = &mut table.columns[j] {
                c[i] = v;
            }
        }
        Ok(table)
    }
}
