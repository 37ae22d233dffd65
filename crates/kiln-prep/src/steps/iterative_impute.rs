//! `IterativeImputer`: round-robin regression imputation, as scikit-learn's `IterativeImputer`
//! with its default `BayesianRidge` estimator, ascending imputation order and mean start.
//!
//! Each round regresses every column on all the others (over the rows where it is observed) and
//! replaces its missing cells with the predictions; rounds stop when the largest row-wise change
//! falls below `tol` times the largest observed magnitude. Every fitted regression is kept in
//! order, and `transform` replays that sequence on new rows, so training rows transformed later
//! get exactly their `fit_transform` values.

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::table::{Column, Table};

fn ten() -> usize {
    10
}

fn default_tol() -> f64 {
    1e-3
}

/// Spec of the iterative imputer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IterativeImputer {
    /// Most imputation rounds (default 10).
    #[serde(default = "ten")]
    pub max_iter: usize,
    /// Relative stopping tolerance (default 1e-3).
    #[serde(default = "default_tol")]
    pub tol: f64,
}

impl Default for IterativeImputer {
    fn default() -> Self {
        IterativeImputer {
            max_iter: ten(),
            tol: default_tol(),
        }
    }
}

/// One fitted regression of the sequence: column `target` from `coef · others + intercept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImputationStep {
    /// The imputed column.
    pub target: usize,
    /// Coefficients over all other columns, in column order.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

/// A fitted iterative imputer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedIterativeImputer {
    /// Input columns.
    pub columns: Vec<String>,
    /// Training means (the starting fill).
    pub means: Vec<f64>,
    /// Regressions in the order they were fitted (rounds × columns).
    pub sequence: Vec<ImputationStep>,
    /// Rounds run.
    pub n_iter: usize,
}

/// scikit-learn's `BayesianRidge` with default priors: returns (coef, intercept).
fn bayesian_ridge(x: &Mat<f64>, y: &[f64]) -> Result<(Vec<f64>, f64)> {
    let (n, p) = (x.nrows(), x.ncols());
    let x_mean: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| x[(i, j)]).sum::<f64>() / n as f64)
        .collect();
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let y_var = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum::<f64>() / n as f64;
    let xc = Mat::from_fn(n, p, |i, j| x[(i, j)] - x_mean[j]);
    let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let xty: Vec<f64> = (0..p)
        .map(|j| (0..n).map(|i| xc[(i, j)] * yc[i]).sum())
        .collect();
    let svd = xc.thin_svd().map_err(|e| {
        PrepError::input(
            "iterative_imputer",
            format!("the SVD did not converge: {e:?}"),
        )
    })?;
    let k = svd.S().column_vector().nrows();
    let eig: Vec<f64> = (0..k).map(|i| svd.S().column_vector()[i].powi(2)).collect();
    let (u, v) = (svd.U(), svd.V());
    let (a1, a2, l1, l2) = (1e-6, 1e-6, 1e-6, 1e-6);
    let mut alpha = 1.0 / (y_var + f64::EPSILON);
    let mut lambda = 1.0;
    let update = |alpha: f64, lambda: f64| -> (Vec<f64>, f64) {
        let coef: Vec<f64> = if n > p {
            // Vhᵀ · diag(1 / (eig + λ/α)) · Vh · Xᵀy
            let w: Vec<f64> = (0..k)
                .map(|r| {
                    (0..p).map(|j| v[(j, r)] * xty[j]).sum::<f64>() / (eig[r] + lambda / alpha)
                })
                .collect();
            (0..p)
                .map(|j| (0..k).map(|r| v[(j, r)] * w[r]).sum())
                .collect()
        } else {
            // Xᵀ · U · diag(1 / (eig + λ/α)) · Uᵀ y
            let w: Vec<f64> = (0..k)
                .map(|r| (0..n).map(|i| u[(i, r)] * yc[i]).sum::<f64>() / (eig[r] + lambda / alpha))
                .collect();
            let uw: Vec<f64> = (0..n)
                .map(|i| (0..k).map(|r| u[(i, r)] * w[r]).sum())
                .collect();
            (0..p)
                .map(|j| (0..n).map(|i| xc[(i, j)] * uw[i]).sum())
                .collect()
        };
        let sse = (0..n)
            .map(|i| {
                let pred: f64 = (0..p).map(|j| xc[(i, j)] * coef[j]).sum();
                (yc[i] - pred) * (yc[i] - pred)
            })
            .sum();
        (coef, sse)
    };
    let mut old: Option<Vec<f64>> = None;
    for _ in 0..300 {
        let (coef, sse) = update(alpha, lambda);
        let gamma: f64 = eig.iter().map(|e| alpha * e / (lambda + alpha * e)).sum();
        lambda = (gamma + 2.0 * l1) / (coef.iter().map(|c| c * c).sum::<f64>() + 2.0 * l2);
        alpha = (n as f64 - gamma + 2.0 * a1) / (sse + 2.0 * a2);
        if let Some(o) = &old
            && o.iter().zip(&coef).map(|(a, b)| (a - b).abs()).sum::<f64>() < 1e-3
        {
            break;
        }
        old = Some(coef);
    }
    let (coef, _) = update(alpha, lambda);
    let intercept = y_mean - x_mean.iter().zip(&coef).map(|(m, c)| m * c).sum::<f64>();
    Ok((coef, intercept))
}

/// Applies one regression to the rows where its column is missing.
fn apply(step: &ImputationStep, data: &mut [Vec<f64>], missing: &[Vec<bool>]) {
    let t = step.target;
    for i in (0..data[t].len()).filter(|&i| missing[t][i]) {
        let mut v = step.intercept;
        let mut c = 0;
        for (j, col) in data.iter().enumerate() {
            if j != t {
                v += step.coef[c] * col[i];
                c += 1;
            }
        }
        data[t][i] = v;
    }
}

impl IterativeImputer {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.max_iter == 0 {
            return Err(PrepError::param(
                "iterative_imputer",
                "max_iter",
                "must be at least 1",
            ));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(PrepError::param(
                "iterative_imputer",
                "tol",
                format!("must be >= 0, got {}", self.tol),
            ));
        }
        Ok(())
    }

    /// Runs the imputation rounds on the training rows.
    pub fn fit_transform(&self, table: Table) -> Result<(FittedIterativeImputer, Table)> {
        self.check()?;
        let cols = table.numeric_columns("iterative_imputer")?;
        let p = cols.len();
        let n = table.n_rows;
        let missing: Vec<Vec<bool>> = cols
            .iter()
            .map(|c| c.iter().map(|v| v.is_nan()).collect())
            .collect();
        let mut means = Vec::with_capacity(p);
        for (name, c) in table.names.iter().zip(&cols) {
            let (count, mean, _) = crate::stats::mean_var(c);
            if count == 0 {
                return Err(PrepError::column(
                    name,
                    "has no observed value in the training rows; iterative_imputer cannot start from its mean",
                ));
            }
            means.push(mean);
        }
        let mut data: Vec<Vec<f64>> = cols
            .iter()
            .zip(&means)
            .map(|(c, m)| c.iter().map(|v| if v.is_nan() { *m } else { *v }).collect())
            .collect();
        let mut sequence = Vec::new();
        let mut n_iter = 0;
        if p > 1 && missing.iter().flatten().any(|&m| m) {
            let frac: Vec<usize> = missing
                .iter()
                .map(|m| m.iter().filter(|&&x| x).count())
                .collect();
            let mut order: Vec<usize> = (0..p).collect();
            order.sort_by_key(|&j| frac[j]);
            let max_abs = cols
                .iter()
                .flat_map(|c| c.iter())
                .filter(|v| !v.is_nan())
                .fold(0.0f64, |m, v| m.max(v.abs()));
            let tol = self.tol * max_abs;
            for round in 1..=self.max_iter {
                n_iter = round;
                let previous = data.clone();
                for &t in &order {
                    let rows: Vec<usize> = (0..n).filter(|&i| !missing[t][i]).collect();
                    let others: Vec<usize> = (0..p).filter(|&j| j != t).collect();
                    let x = Mat::from_fn(rows.len(), others.len(), |r, c| data[others[c]][rows[r]]);
                    let y: Vec<f64> = rows.iter().map(|&i| data[t][i]).collect();
                    let (coef, intercept) = bayesian_ridge(&x, &y)?;
                    let step = ImputationStep {
                        target: t,
                        coef,
                        intercept,
                    };
                    apply(&step, &mut data, &missing);
                    sequence.push(step);
                }
                // The matrix infinity norm of the change: the largest row sum of |Δ|.
                let change = (0..n)
                    .map(|i| {
                        (0..p)
                            .map(|j| (data[j][i] - previous[j][i]).abs())
                            .sum::<f64>()
                    })
                    .fold(0.0f64, f64::max);
                if change < tol {
                    break;
                }
            }
        }
        let fitted = FittedIterativeImputer {
            columns: table.names.clone(),
            means,
            sequence,
            n_iter,
        };
        let mut out = Table::with_rows(n);
        for (name, col) in table.names.iter().zip(data) {
            out.push(name.clone(), Column::Numeric(col));
        }
        Ok((fitted, out))
    }
}

impl FittedIterativeImputer {
    /// Replays the fitted regressions on new rows.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "iterative_imputer")?;
        let cols = table.numeric_columns("iterative_imputer")?;
        let missing: Vec<Vec<bool>> = cols
            .iter()
            .map(|c| c.iter().map(|v| v.is_nan()).collect())
            .collect();
        let mut data: Vec<Vec<f64>> = cols
            .iter()
            .zip(&self.means)
            .map(|(c, m)| c.iter().map(|v| if v.is_nan() { *m } else { *v }).collect())
            .collect();
        for step in &self.sequence {
            apply(step, &mut data, &missing);
        }
        let mut out = Table::with_rows(table.n_rows);
        for (name, col) in self.columns.iter().zip(data) {
            out.push(name.clone(), Column::Numeric(col));
        }
        Ok(out)
    }
}
