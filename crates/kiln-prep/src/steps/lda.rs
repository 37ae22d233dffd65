//! Linear discriminant analysis as a transformer: projects rows onto the directions that best
//! separate the classes, as scikit-learn's `LinearDiscriminantAnalysis(solver="svd")` does
//! (within-class whitening by SVD, then an SVD of the scaled class means). Components are
//! defined up to sign.

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::steps::FitContext;
use crate::steps::decompose::FittedProjection;
use crate::table::Table;

/// Spec of the LDA projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Lda {
    /// Components to keep (default and maximum: `min(classes - 1, columns)`).
    #[serde(default)]
    pub n_components: Option<usize>,
}

/// scikit-learn's rank tolerance of the SVD solver.
const TOL: f64 = 1e-4;

fn svd(x: &Mat<f64>) -> Result<(Vec<f64>, Mat<f64>)> {
    let s = x
        .thin_svd()
        .map_err(|e| PrepError::input("lda", format!("the SVD did not converge: {e:?}")))?;
    let values = (0..s.S().column_vector().nrows())
        .map(|i| s.S().column_vector()[i])
        .collect();
    Ok((values, s.V().to_owned()))
}

impl Lda {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.n_components == Some(0) {
            return Err(PrepError::param(
                "lda",
                "n_components",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// Learns the discriminant directions from the training rows and classes.
    pub fn fit(&self, table: &Table, ctx: &FitContext) -> Result<FittedProjection> {
        self.check()?;
        let cols = table.numeric_columns("lda")?;
        if let Some(j) = cols.iter().position(|c| c.iter().any(|v| v.is_nan())) {
            return Err(PrepError::column(
                &table.names[j],
                "has missing values; lda needs complete numbers (add a simple_imputer before it)",
            ));
        }
        let (Some(y), Some(k)) = (ctx.y, ctx.n_classes) else {
            return Err(PrepError::input(
                "lda",
                "needs a classification target; set `target` in the [prep] section",
            ));
        };
        let (n, p) = (table.n_rows, cols.len());
        let labels: Vec<usize> = y.iter().map(|&v| v as usize).collect();
        let mut counts = vec![0usize; k];
        labels.iter().for_each(|&c| counts[c] += 1);
        let classes: Vec<usize> = (0..k).filter(|&c| counts[c] > 0).collect();
        let g = classes.len();
        if g < 2 || n <= g {
            return Err(PrepError::input(
                "lda",
                format!(
                    "needs at least 2 classes and more rows than classes, got {g} classes and {n} rows"
                ),
            ));
        }
        let max_components = (g - 1).min(p);
        let n_components = self.n_components.unwrap_or(max_components);
        if n_components > max_components {
            return Err(PrepError::param(
                "lda",
                "n_components",
                format!("{n_components} is more than min(classes - 1, columns) = {max_components}"),
            ));
        }
        let means: Vec<Vec<f64>> = classes
            .iter()
            .map(|&c| {
                cols.iter()
                    .map(|col| {
                        (0..n)
                            .filter(|&i| labels[i] == c)
                            .map(|i| col[i])
                            .sum::<f64>()
                            / counts[c] as f64
                    })
                    .collect()
            })
            .collect();
        let priors: Vec<f64> = classes
            .iter()
            .map(|&c| counts[c] as f64 / n as f64)
            .collect();
        let xbar: Vec<f64> = (0..p)
            .map(|j| (0..g).map(|a| priors[a] * means[a][j]).sum())
            .collect();
        // Within-class centred rows, grouped by class as scikit-learn stacks them.
        let labels_ref = &labels;
        let order: Vec<(usize, usize)> = classes
            .iter()
            .enumerate()
            .flat_map(|(a, &c)| {
                (0..n)
                    .filter(move |&i| labels_ref[i] == c)
                    .map(move |i| (a, i))
            })
            .collect();
        let xc = Mat::from_fn(n, p, |r, j| cols[j][order[r].1] - means[order[r].0][j]);
        let std: Vec<f64> = (0..p)
            .map(|j| {
                let col: Vec<f64> = (0..n).map(|r| xc[(r, j)]).collect();
                let s = crate::stats::mean_var(&col).2.sqrt();
                if s == 0.0 { 1.0 } else { s }
            })
            .collect();
        // scikit-learn 1.9 scales by 1 / n (older releases used 1 / (n - classes)).
        let fac = (1.0 / n as f64).sqrt();
        let scaled = Mat::from_fn(n, p, |r, j| fac * xc[(r, j)] / std[j]);
        let (s1, v1) = svd(&scaled)?;
        let rank = s1.iter().filter(|&&s| s > TOL).count();
        // scalings (p x rank) = (Vt[:rank] / std).T / S[:rank]
        let scalings = Mat::from_fn(p, rank, |j, r| v1[(j, r)] / std[j] / s1[r]);
        let between_fac = 1.0 / (g - 1) as f64;
        let between = Mat::from_fn(g, p, |a, j| {
            ((n as f64 * priors[a]) * between_fac).sqrt() * (means[a][j] - xbar[j])
        });
        let projected = &between * &scalings;
        let (s2, v2) = svd(&projected)?;
        let total: f64 = s2.iter().map(|s| s * s).sum();
        let rank2 = s2.iter().filter(|&&s| s > TOL * s2[0]).count();
        let final_scalings = &scalings * v2.subcols(0, rank2);
        let keep = n_components.min(rank2);
        let mut components: Vec<Vec<f64>> = (0..keep)
            .map(|c| (0..p).map(|j| final_scalings[(j, c)]).collect())
            .collect();
        // Deterministic sign: the largest-magnitude weight of each component is positive.
        for comp in &mut components {
            let big = comp
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                comp.iter_mut().for_each(|x| *x = -*x);
            }
        }
        let ratio: Vec<f64> = s2.iter().take(keep).map(|s| s * s / total).collect();
        Ok(FittedProjection {
            step: "lda".into(),
            columns: table.names.clone(),
            mean: xbar,
            components,
            scale: vec![1.0; keep],
            explained_variance: s2.iter().take(keep).map(|s| s * s).collect(),
            explained_variance_ratio: ratio,
        })
    }
}
