//! Feature selection: variance threshold, select-k-best by ANOVA F / chi² / F-regression (as
//! scikit-learn's `VarianceThreshold` and `SelectKBest`), and dropping highly correlated
//! columns. All of them learn which columns to keep from training rows and then only select.

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::stats;
use crate::steps::FitContext;
use crate::table::Table;

/// Spec: keep columns whose training variance exceeds `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct VarianceThreshold {
    /// Minimum variance (default 0: drop constant columns).
    #[serde(default)]
    pub threshold: f64,
}

/// The score `select_k_best` ranks columns by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectScore {
    /// ANOVA F between classes (classification).
    FClassif,
    /// Chi² of non-negative features against classes (classification).
    Chi2,
    /// F statistic of the univariate linear regression (regression).
    FRegression,
}

/// Spec: keep the `k` best-scoring columns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectKBest {
    /// Number of columns to keep.
    pub k: usize,
    /// Ranking score.
    pub score: SelectScore,
}

/// Spec: drop a column when its absolute Pearson correlation with an earlier kept column
/// exceeds `threshold` (columns are visited in order; the first of a correlated pair stays).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropCorrelated {
    /// Absolute correlation above which the later column is dropped, in (0, 1].
    pub threshold: f64,
}

/// A fitted selection: the kept columns, with the scores that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSelection {
    /// Step name.
    pub step: String,
    /// Input columns.
    pub columns: Vec<String>,
    /// Positions of the kept columns, ascending.
    pub keep: Vec<usize>,
    /// Score per input column (variance, F, chi², or max correlation with a kept column).
    pub scores: Vec<f64>,
}

fn complete_columns<'a>(table: &'a Table, step: &str) -> Result<Vec<&'a [f64]>> {
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
    Ok(cols)
}

impl VarianceThreshold {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return Err(PrepError::param(
                "variance_threshold",
                "threshold",
                format!("must be >= 0, got {}", self.threshold),
            ));
        }
        Ok(())
    }

    /// Learns which columns vary enough.
    pub fn fit(&self, table: &Table) -> Result<FittedSelection> {
        self.check()?;
        let mut scores = Vec::new();
        for (name, v) in table
            .names
            .iter()
            .zip(table.numeric_columns("variance_threshold")?)
        {
            let (n, _, mut var) = stats::mean_var(v);
            if n == 0 {
                return Err(PrepError::column(
                    name,
                    "has no observed value in the training rows; variance_threshold cannot measure it",
                ));
            }
            if self.threshold == 0.0 {
                // As scikit-learn: the peak-to-peak range catches constants whose computed
                // variance is a rounding error above zero.
                let s = stats::sorted_present(v);
                if let (Some(a), Some(b)) = (s.first(), s.last()) {
                    var = var.min(b - a);
                }
            }
            scores.push(var);
        }
        let keep: Vec<usize> = (0..scores.len())
            .filter(|&j| scores[j] > self.threshold)
            .collect();
        if keep.is_empty() {
            return Err(PrepError::input(
                "variance_threshold",
                format!("no column has training variance above {}", self.threshold),
            ));
        }
        Ok(FittedSelection {
            step: "variance_threshold".into(),
            columns: table.names.clone(),
            keep,
            scores,
        })
    }
}

/// ANOVA F per column (scikit-learn's `f_classif`).
fn f_classif(cols: &[&[f64]], y: &[usize], n_classes: usize) -> Vec<f64> {
    let n = y.len() as f64;
    let mut counts = vec![0.0; n_classes];
    y.iter().for_each(|&c| counts[c] += 1.0);
    let present = counts.iter().filter(|&&c| c > 0.0).count() as f64;
    cols.iter()
        .map(|x| {
            let ss_all: f64 = x.iter().map(|v| v * v).sum();
            let sum_all: f64 = x.iter().sum();
            let mut sums = vec![0.0; n_classes];
            for (&v, &c) in x.iter().zip(y) {
                sums[c] += v;
            }
            let sq_all = sum_all * sum_all;
            let sstot = ss_all - sq_all / n;
            let ssbn: f64 = sums
                .iter()
                .zip(&counts)
                .filter(|(_, k)| **k > 0.0)
                .map(|(s, k)| s * s / k)
                .sum::<f64>()
                - sq_all / n;
            let sswn = sstot - ssbn;
            (ssbn / (present - 1.0)) / (sswn / (n - present))
        })
        .collect()
}

/// Chi² per column (scikit-learn's `chi2`); features must be non-negative.
fn chi2(cols: &[&[f64]], y: &[usize], n_classes: usize) -> Vec<f64> {
    let n = y.len() as f64;
    let mut class_prob = vec![0.0; n_classes];
    y.iter().for_each(|&c| class_prob[c] += 1.0 / n);
    cols.iter()
        .map(|x| {
            let mut observed = vec![0.0; n_classes];
            for (&v, &c) in x.iter().zip(y) {
                observed[c] += v;
            }
            let total: f64 = x.iter().sum();
            observed
                .iter()
                .zip(&class_prob)
                .filter(|(_, p)| **p > 0.0)
                .map(|(o, p)| {
                    let e = p * total;
                    (o - e) * (o - e) / e
                })
                .sum()
        })
        .collect()
}

/// F statistic of each column's univariate regression on `y` (scikit-learn's `f_regression`).
fn f_regression(cols: &[&[f64]], y: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    let ym = y.iter().sum::<f64>() / n;
    let yc: Vec<f64> = y.iter().map(|v| v - ym).collect();
    let ynorm = yc.iter().map(|v| v * v).sum::<f64>().sqrt();
    cols.iter()
        .map(|x| {
            let xm = x.iter().sum::<f64>() / n;
            let xnorm = x.iter().map(|v| (v - xm) * (v - xm)).sum::<f64>().sqrt();
            let dot: f64 = x.iter().zip(&yc).map(|(a, b)| (a - xm) * b).sum();
            let r = dot / (xnorm * ynorm);
            r * r / (1.0 - r * r) * (n - 2.0)
        })
        .collect()
}

impl SelectKBest {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.k == 0 {
            return Err(PrepError::param("select_k_best", "k", "must be at least 1"));
        }
        Ok(())
    }

    /// Scores the columns against the training target and keeps the best `k`.
    pub fn fit(&self, table: &Table, ctx: &FitContext) -> Result<FittedSelection> {
        self.check()?;
        let cols = complete_columns(table, "select_k_best")?;
        if self.k > cols.len() {
            return Err(PrepError::param(
                "select_k_best",
                "k",
                format!("{} is more than the {} input columns", self.k, cols.len()),
            ));
        }
        let y = ctx.y.ok_or_else(|| {
            PrepError::input(
                "select_k_best",
                "needs a target; set `target` in the [prep] section",
            )
        })?;
        let classes = |score: &str| -> Result<(Vec<usize>, usize)> {
            let k = ctx.n_classes.ok_or_else(|| {
                PrepError::param(
                    "select_k_best",
                    "score",
                    format!("{score} needs a classification target; use f_regression"),
                )
            })?;
            Ok((y.iter().map(|&v| v as usize).collect(), k))
        };
        let mut scores = match self.score {
            SelectScore::FClassif => {
                let (labels, k) = classes("f_classif")?;
                f_classif(&cols, &labels, k)
            }
            SelectScore::Chi2 => {
                if let Some(j) = cols.iter().position(|c| c.iter().any(|&v| v < 0.0)) {
                    return Err(PrepError::column(
                        &table.names[j],
                        "has negative values; chi2 needs non-negative features",
                    ));
                }
                let (labels, k) = classes("chi2")?;
                chi2(&cols, &labels, k)
            }
            SelectScore::FRegression => f_regression(&cols, y),
        };
        // As scikit-learn: NaN scores rank lowest; a stable ascending sort whose last k win, so
        // among equal scores the later column is kept.
        scores
            .iter_mut()
            .filter(|s| s.is_nan())
            .for_each(|s| *s = f64::MIN);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let mut keep = order[order.len() - self.k..].to_vec();
        keep.sort_unstable();
        Ok(FittedSelection {
            step: "select_k_best".into(),
            columns: table.names.clone(),
            keep,
            scores,
        })
    }
}

impl DropCorrelated {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(PrepError::param(
                "drop_correlated",
                "threshold",
                format!("must be in (0, 1], got {}", self.threshold),
            ));
        }
        Ok(())
    }

    /// Keeps columns greedily, dropping any too correlated with one already kept.
    pub fn fit(&self, table: &Table) -> Result<FittedSelection> {
        self.check()?;
        let cols = complete_columns(table, "drop_correlated")?;
        let centred: Vec<(Vec<f64>, f64)> = cols
            .iter()
            .map(|c| {
                let m = c.iter().sum::<f64>() / c.len() as f64;
                let d: Vec<f64> = c.iter().map(|v| v - m).collect();
                let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
                (d, norm)
            })
            .collect();
        let mut keep: Vec<usize> = Vec::new();
        let mut scores = vec![0.0; cols.len()];
        for j in 0..cols.len() {
            let worst = keep
                .iter()
                .map(|&i| {
                    let dot: f64 = centred[i]
                        .0
                        .iter()
                        .zip(&centred[j].0)
                        .map(|(a, b)| a * b)
                        .sum();
                    let r = dot / (centred[i].1 * centred[j].1);
                    if r.is_nan() { 0.0 } else { r.abs() }
                })
                .fold(0.0f64, f64::max);
            scores[j] = worst;
            if worst <= self.threshold {
                keep.push(j);
            }
        }
        Ok(FittedSelection {
            step: "drop_correlated".into(),
            columns: table.names.clone(),
            keep,
            scores,
        })
    }
}

impl FittedSelection {
    /// Names of the kept columns.
    pub fn output_names(&self) -> Vec<String> {
        self.keep.iter().map(|&j| self.columns[j].clone()).collect()
    }

    /// Keeps the selected columns.
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, &self.step)?;
        let mut out = Table::with_rows(table.n_rows);
        let mut columns: Vec<Option<_>> = std::mem::take(&mut table.columns)
            .into_iter()
            .map(Some)
            .collect();
        for &j in &self.keep {
            if let Some(c) = columns[j].take() {
                out.push(self.columns[j].clone(), c);
            }
        }
        Ok(out)
    }
}

/// Spec: repeatedly drop the column with the largest variance inflation factor (from a
/// regression on the other columns with an intercept, as statsmodels with a constant) until
/// every VIF is at most `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VifElimination {
    /// Largest VIF allowed (5 and 10 are the usual rules of thumb).
    pub threshold: f64,
}

/// VIFs of the columns `keep`: the diagonal of the inverse correlation matrix.
fn vifs(centred: &[(Vec<f64>, f64)], keep: &[usize]) -> Vec<f64> {
    use faer::linalg::solvers::DenseSolveCore;
    let k = keep.len();
    let corr = faer::Mat::from_fn(k, k, |a, b| {
        let (x, nx) = &centred[keep[a]];
        let (y, ny) = &centred[keep[b]];
        x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>() / (nx * ny)
    });
    let inv = corr.partial_piv_lu().inverse();
    (0..k)
        .map(|i| {
            let v = inv[(i, i)];
            // A singular correlation matrix (exact collinearity) means an unbounded VIF.
            if v.is_finite() && v > 0.0 {
                v
            } else {
                f64::INFINITY
            }
        })
        .collect()
}

impl VifElimination {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if !(self.threshold.is_finite() && self.threshold >= 1.0) {
            return Err(PrepError::param(
                "vif_elimination",
                "threshold",
                format!(
                    "must be a number >= 1 (a VIF is never below 1), got {}",
                    self.threshold
                ),
            ));
        }
        Ok(())
    }

    /// Eliminates columns one at a time, largest VIF first.
    pub fn fit(&self, table: &Table) -> Result<FittedSelection> {
        self.check()?;
        let cols = complete_columns(table, "vif_elimination")?;
        let centred: Vec<(Vec<f64>, f64)> = cols
            .iter()
            .zip(&table.names)
            .map(|(c, name)| {
                let m = c.iter().sum::<f64>() / c.len() as f64;
                let d: Vec<f64> = c.iter().map(|v| v - m).collect();
                let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
                if norm == 0.0 {
                    Err(PrepError::column(name, "is constant in the training rows; its VIF is undefined (add a variance_threshold step before)"))
                } else {
                    Ok((d, norm))
                }
            })
            .collect::<Result<_>>()?;
        let mut keep: Vec<usize> = (0..cols.len()).collect();
        let mut scores = vec![f64::NAN; cols.len()];
        loop {
            let v = if keep.len() == 1 {
                vec![1.0]
            } else {
                vifs(&centred, &keep)
            };
            for (&j, &s) in keep.iter().zip(&v) {
                scores[j] = s;
            }
            let (worst, max) = v
                .iter()
                .enumerate()
                .fold((0, f64::MIN), |b, (i, &s)| if s > b.1 { (i, s) } else { b });
            if max <= self.threshold || keep.len() == 1 {
                break;
            }
            keep.remove(worst);
        }
        Ok(FittedSelection {
            step: "vif_elimination".into(),
            columns: table.names.clone(),
            keep,
            scores,
        })
    }
}
