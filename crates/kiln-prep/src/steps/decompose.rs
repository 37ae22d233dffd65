//! Linear projections learned by SVD: PCA (centred, optional whitening, explained-variance
//! ratio) and TruncatedSVD (uncentred), as scikit-learn's with `svd_solver="full"` and its sign
//! convention (`svd_flip` on the components: the largest-magnitude loading of each component is
//! positive), so results agree exactly, not only up to sign, when the SVD is unique.

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::table::{Column, Table};

/// How many components to keep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NComponents {
    /// Exactly this many.
    Count(usize),
    /// The fewest components whose explained-variance ratio sums past this share (0, 1).
    Share(f64),
}

/// Spec of principal component analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pca {
    /// Components to keep.
    pub n_components: NComponents,
    /// Scale each component to unit variance (default false).
    #[serde(default)]
    pub whiten: bool,
}

/// Spec of truncated SVD (no centring; suits sparse-like non-negative data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruncatedSvd {
    /// Components to keep.
    pub n_components: usize,
}

/// A fitted linear projection `(x - mean) · componentsᵀ / scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedProjection {
    /// `pca` or `truncated_svd` (names outputs and messages).
    pub step: String,
    /// Input columns.
    pub columns: Vec<String>,
    /// Per-input-column centre (zeros for truncated SVD).
    pub mean: Vec<f64>,
    /// Components, one row (of input width) per output.
    pub components: Vec<Vec<f64>>,
    /// Divisor per output (1 unless whitening).
    pub scale: Vec<f64>,
    /// Variance explained by each kept component.
    pub explained_variance: Vec<f64>,
    /// Share of the total variance explained by each kept component.
    pub explained_variance_ratio: Vec<f64>,
}

/// The complete numeric matrix of a table (row-major), or an error naming a column with a
/// missing cell.
fn dense(table: &Table, step: &str) -> Result<Mat<f64>> {
    let cols = table.numeric_columns(step)?;
    for (name, c) in table.names.iter().zip(&cols) {
        if c.iter().any(|v| v.is_nan()) {
            return Err(PrepError::column(
                name,
                format!(
                    "has missing values; {step} needs complete numbers (add a simple_imputer before it)"
                ),
            ));
        }
    }
    Ok(Mat::from_fn(table.n_rows, cols.len(), |i, j| cols[j][i]))
}

/// Thin SVD with scikit-learn's sign convention: returns singular values and the right
/// singular vectors as rows.
fn svd_rows(x: &Mat<f64>, step: &str) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
    let svd = x
        .thin_svd()
        .map_err(|e| PrepError::input(step, format!("the SVD did not converge: {e:?}")))?;
    let (s, v) = (svd.S().column_vector(), svd.V());
    let k = s.nrows();
    let mut values = Vec::with_capacity(k);
    let mut rows = Vec::with_capacity(k);
    for c in 0..k {
        let mut row: Vec<f64> = (0..v.nrows()).map(|r| v[(r, c)]).collect();
        let big = row
            .iter()
            .copied()
            .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
        if big < 0.0 {
            row.iter_mut().for_each(|x| *x = -*x);
        }
        values.push(s[c]);
        rows.push(row);
    }
    Ok((values, rows))
}

impl Pca {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        match self.n_components {
            NComponents::Count(0) => Err(PrepError::param(
                "pca",
                "n_components",
                "must be at least 1",
            )),
            NComponents::Share(f) if !(f > 0.0 && f < 1.0) => Err(PrepError::param(
                "pca",
                "n_components",
                format!("a share must be in (0, 1), got {f}; use an integer for a count"),
            )),
            _ => Ok(()),
        }
    }

    /// Learns the principal axes.
    pub fn fit(&self, table: &Table) -> Result<FittedProjection> {
        self.check()?;
        let mut x = dense(table, "pca")?;
        let (n, p) = (x.nrows(), x.ncols());
        if n < 2 {
            return Err(PrepError::input(
                "pca",
                format!("needs at least 2 training rows, got {n}"),
            ));
        }
        let mean: Vec<f64> = (0..p)
            .map(|j| (0..n).map(|i| x[(i, j)]).sum::<f64>() / n as f64)
            .collect();
        for j in 0..p {
            for i in 0..n {
                x[(i, j)] -= mean[j];
            }
        }
        let (s, rows) = svd_rows(&x, "pca")?;
        let variance: Vec<f64> = s.iter().map(|v| v * v / (n - 1) as f64).collect();
        let total: f64 = variance.iter().sum();
        let ratio: Vec<f64> = variance.iter().map(|v| v / total).collect();
        let k = match self.n_components {
            NComponents::Count(k) if k > s.len() => {
                return Err(PrepError::param(
                    "pca",
                    "n_components",
                    format!("{k} is more than min(rows, columns) = {}", s.len()),
                ));
            }
            NComponents::Count(k) => k,
            NComponents::Share(f) => {
                // scikit-learn: searchsorted(cumsum, f, side="right") + 1.
                let mut cum = 0.0;
                let below = ratio.iter().take_while(|r| {
                    cum += **r;
                    cum <= f
                });
                (below.count() + 1).min(s.len())
            }
        };
        let scale = if self.whiten {
            variance[..k].iter().map(|v| v.sqrt()).collect()
        } else {
            vec![1.0; k]
        };
        Ok(FittedProjection {
            step: "pca".into(),
            columns: table.names.clone(),
            mean,
            components: rows[..k].to_vec(),
            scale,
            explained_variance: variance[..k].to_vec(),
            explained_variance_ratio: ratio[..k].to_vec(),
        })
    }
}

impl TruncatedSvd {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.n_components == 0 {
            return Err(PrepError::param(
                "truncated_svd",
                "n_components",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// Learns the leading right singular vectors.
    pub fn fit(&self, table: &Table) -> Result<FittedProjection> {
        self.check()?;
        let x = dense(table, "truncated_svd")?;
        let (n, p) = (x.nrows(), x.ncols());
        let k = self.n_components;
        if k >= p {
            return Err(PrepError::param(
                "truncated_svd",
                "n_components",
                format!("must be less than the number of input columns ({p}), got {k}"),
            ));
        }
        let (_, rows) = svd_rows(&x, "truncated_svd")?;
        // Explained variance of the projected training data, as scikit-learn reports it.
        let mut variance = Vec::with_capacity(k);
        for row in &rows[..k] {
            let proj: Vec<f64> = (0..n)
                .map(|i| (0..p).map(|j| x[(i, j)] * row[j]).sum())
                .collect();
            let (_, _, var) = crate::stats::mean_var(&proj);
            variance.push(var);
        }
        let total: f64 = (0..p)
            .map(|j| {
                let col: Vec<f64> = (0..n).map(|i| x[(i, j)]).collect();
                crate::stats::mean_var(&col).2
            })
            .sum();
        Ok(FittedProjection {
            step: "truncated_svd".into(),
            columns: table.names.clone(),
            mean: vec![0.0; p],
            components: rows[..k].to_vec(),
            scale: vec![1.0; k],
            explained_variance_ratio: variance.iter().map(|v| v / total).collect(),
            explained_variance: variance,
        })
    }
}

impl FittedProjection {
    /// Output names: `pca0`, `pca1`, ... (scikit-learn's `get_feature_names_out`).
    pub fn output_names(&self) -> Vec<String> {
        let prefix = self.step.replace('_', "");
        (0..self.components.len())
            .map(|k| format!("{prefix}{k}"))
            .collect()
    }

    /// Projects rows onto the components.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, &self.step)?;
        let cols = table.numeric_columns(&self.step)?;
        let n = table.n_rows;
        let mut out = Table::with_rows(n);
        for ((name, comp), s) in self
            .output_names()
            .into_iter()
            .zip(&self.components)
            .zip(&self.scale)
        {
            let mut values = vec![0.0; n];
            for (j, c) in cols.iter().enumerate() {
                let (w, m) = (comp[j], self.mean[j]);
                for (v, x) in values.iter_mut().zip(c.iter()) {
                    *v += (x - m) * w;
                }
            }
            values.iter_mut().for_each(|v| *v /= s);
            out.push(name, Column::Numeric(values));
        }
        Ok(out)
    }
}
