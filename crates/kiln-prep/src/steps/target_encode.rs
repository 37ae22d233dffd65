//! Target encoding with cross-fitting, as scikit-learn's `TargetEncoder`.
//!
//! Each category becomes a shrunk mean of the target over the training rows of that category
//! (one column per class for multiclass targets, one-vs-rest). Encoding the training rows with
//! statistics that include their own target leaks it, so `fit_transform` cross-fits: each
//! training row is encoded with statistics from the other folds (unshuffled `KFold` for
//! regression, `StratifiedKFold` for classification, matching scikit-learn with a non-shuffling
//! `cv`). Serving rows use the statistics of all training rows; unseen categories get the
//! overall target mean.

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::split;
use crate::steps::FitContext;
use crate::table::{Column, Table};

/// The shrinkage towards the overall mean; written `"auto"` or a number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(try_from = "SmoothRepr", into = "SmoothRepr")]
pub enum Smooth {
    /// Empirical-Bayes shrinkage from within- and between-category variance (default).
    #[default]
    Auto,
    /// A fixed prior weight `m`: `(sum + m * mean) / (count + m)`.
    Fixed(f64),
}

/// How `Smooth` looks in a spec file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum SmoothRepr {
    Number(f64),
    Text(String),
}

impl TryFrom<SmoothRepr> for Smooth {
    type Error = String;
    fn try_from(r: SmoothRepr) -> std::result::Result<Self, String> {
        match r {
            SmoothRepr::Number(m) => Ok(Smooth::Fixed(m)),
            SmoothRepr::Text(t) if t == "auto" => Ok(Smooth::Auto),
            SmoothRepr::Text(t) => Err(format!("smooth must be \"auto\" or a number, got \"{t}\"")),
        }
    }
}

impl From<Smooth> for SmoothRepr {
    fn from(s: Smooth) -> Self {
        match s {
            Smooth::Auto => SmoothRepr::Text("auto".into()),
            Smooth::Fixed(m) => SmoothRepr::Number(m),
        }
    }
}

fn default_cv() -> usize {
    5
}

/// Spec of the target encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetEncoder {
    /// Number of cross-fitting folds (default 5).
    #[serde(default = "default_cv")]
    pub cv: usize,
    /// Shrinkage (default `"auto"`).
    #[serde(default)]
    pub smooth: Smooth,
}

impl Default for TargetEncoder {
    fn default() -> Self {
        TargetEncoder {
            cv: default_cv(),
            smooth: Smooth::Auto,
        }
    }
}

/// A fitted target encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTargetEncoder {
    /// Input columns.
    pub columns: Vec<String>,
    /// Sorted categories per column (`None` = missing, last).
    pub categories: Vec<Vec<Option<String>>>,
    /// `encodings[column][target][category]`; one target for regression and binary
    /// classification, one per class for multiclass.
    pub encodings: Vec<Vec<Vec<f64>>>,
    /// Overall training mean per target (used for unseen categories).
    pub target_means: Vec<f64>,
    /// Class labels for naming multiclass outputs (empty otherwise).
    pub n_classes: usize,
}

/// The targets to encode against: the values themselves, or one 0/1 column per class.
fn target_columns(y: &[f64], n_classes: Option<usize>) -> Vec<Vec<f64>> {
    match n_classes {
        Some(k) if k > 2 => (0..k)
            .map(|c| {
                y.iter()
                    .map(|&v| f64::from(u8::from(v as usize == c)))
                    .collect()
            })
            .collect(),
        _ => vec![y.to_vec()],
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Encodings of categories `0..n_cats` from per-row category indices and one target column.
fn encode(codes: &[usize], y: &[f64], n_cats: usize, smooth: Smooth, y_mean: f64) -> Vec<f64> {
    match smooth {
        Smooth::Fixed(m) => {
            let mut sums = vec![m * y_mean; n_cats];
            let mut counts = vec![m; n_cats];
            for (&c, &v) in codes.iter().zip(y) {
                sums[c] += v;
                counts[c] += 1.0;
            }
            (0..n_cats)
                .map(|c| {
                    if counts[c] == 0.0 {
                        y_mean
                    } else {
                        sums[c] / counts[c]
                    }
                })
                .collect()
        }
        Smooth::Auto => {
            let y_var = {
                let d: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
                d / y.len() as f64
            };
            let mut means = vec![0.0; n_cats];
            let mut counts = vec![0usize; n_cats];
            for (&c, &v) in codes.iter().zip(y) {
                counts[c] += 1;
                means[c] += v;
            }
            for c in 0..n_cats {
                means[c] /= counts[c] as f64;
            }
            let mut ssd = vec![0.0; n_cats];
            for (&c, &v) in codes.iter().zip(y) {
                let d = v - means[c];
                ssd[c] += d * d;
            }
            (0..n_cats)
                .map(|c| {
                    let n = counts[c] as f64;
                    let lambda = y_var * n / (y_var * n + ssd[c] / n);
                    if lambda.is_nan() {
                        y_mean
                    } else {
                        lambda * means[c] + (1.0 - lambda) * y_mean
                    }
                })
                .collect()
        }
    }
}

/// Sorted categories of a column and each row's index among them.
fn category_index(name: &str, col: &Column) -> Result<(Vec<Option<String>>, Vec<usize>)> {
    let Column::Categorical { codes, levels } = col else {
        return Err(PrepError::column(
            name,
            "is numeric; target_encoder encodes categorical or text columns",
        ));
    };
    let mut cats: Vec<Option<String>> = codes
        .iter()
        .map(|&c| (c >= 0).then(|| levels[c as usize].clone()))
        .collect();
    cats.sort();
    cats.dedup();
    // Missing (`None`) sorts first; scikit-learn puts it last.
    if cats.first() == Some(&None) {
        cats.remove(0);
        cats.push(None);
    }
    let index = codes
        .iter()
        .map(|&c| {
            let key = (c >= 0).then(|| levels[c as usize].clone());
            cats.iter().position(|k| *k == key).unwrap_or_default()
        })
        .collect();
    Ok((cats, index))
}

impl TargetEncoder {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if self.cv < 2 {
            return Err(PrepError::param(
                "target_encoder",
                "cv",
                format!("must be at least 2, got {}", self.cv),
            ));
        }
        if let Smooth::Fixed(m) = self.smooth
            && !(m.is_finite() && m >= 0.0)
        {
            return Err(PrepError::param(
                "target_encoder",
                "smooth",
                format!("must be \"auto\" or a number >= 0, got {m}"),
            ));
        }
        Ok(())
    }

    /// Fits on all training rows and returns the cross-fitted encoding of those rows.
    pub fn fit_transform(
        &self,
        table: Table,
        ctx: &FitContext,
    ) -> Result<(FittedTargetEncoder, Table)> {
        self.check()?;
        let y = ctx.y.ok_or_else(|| {
            PrepError::input(
                "target_encoder",
                "needs a target; set `target` in the [prep] section",
            )
        })?;
        if y.iter().any(|v| v.is_nan()) {
            return Err(PrepError::input(
                "target_encoder",
                "the target has missing values in the training rows",
            ));
        }
        let targets = target_columns(y, ctx.n_classes);
        let target_means: Vec<f64> = targets.iter().map(|t| mean(t)).collect();
        let folds = match ctx.n_classes {
            Some(_) => {
                let labels: Vec<usize> = y.iter().map(|&v| v as usize).collect();
                split::stratified_k_fold(&labels, self.cv, None)?
            }
            None => split::k_fold(y.len(), self.cv, None)?,
        };
        let (mut categories, mut encodings) = (Vec::new(), Vec::new());
        let mut out = Table::with_rows(table.n_rows);
        let n_classes = if targets.len() > 1 { targets.len() } else { 0 };
        for (name, col) in table.names.iter().zip(&table.columns) {
            let (cats, index) = category_index(name, col)?;
            let mut per_target = Vec::new();
            let mut cross = vec![vec![0.0; table.n_rows]; targets.len()];
            for (t, target) in targets.iter().enumerate() {
                per_target.push(encode(
                    &index,
                    target,
                    cats.len(),
                    self.smooth,
                    target_means[t],
                ));
                for fold in &folds {
                    let idx: Vec<usize> = fold.train.iter().map(|&i| index[i]).collect();
                    let yt: Vec<f64> = fold.train.iter().map(|&i| target[i]).collect();
                    let enc = encode(&idx, &yt, cats.len(), self.smooth, mean(&yt));
                    for &i in &fold.test {
                        cross[t][i] = enc[index[i]];
                    }
                }
            }
            for (t, values) in cross.into_iter().enumerate() {
                out.push(output_name(name, t, n_classes), Column::Numeric(values));
            }
            categories.push(cats);
            encodings.push(per_target);
        }
        let fitted = FittedTargetEncoder {
            columns: table.names.clone(),
            categories,
            encodings,
            target_means,
            n_classes,
        };
        Ok((fitted, out))
    }
}

fn output_name(column: &str, target: usize, n_classes: usize) -> String {
    if n_classes > 0 {
        format!("{column}_te_class{target}")
    } else {
        format!("{column}_te")
    }
}

impl FittedTargetEncoder {
    /// Encodes new rows with the full-training statistics.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "target_encoder")?;
        let mut out = Table::with_rows(table.n_rows);
        for (j, (name, col)) in table.names.iter().zip(&table.columns).enumerate() {
            let Column::Categorical { codes, levels } = col else {
                return Err(PrepError::column(
                    name,
                    "is numeric; target_encoder encodes categories",
                ));
            };
            let cats = &self.categories[j];
            let lookup: Vec<Option<usize>> = levels
                .iter()
                .map(|l| cats.iter().position(|k| k.as_deref() == Some(l.as_str())))
                .collect();
            let missing = cats.iter().position(Option::is_none);
            for (t, enc) in self.encodings[j].iter().enumerate() {
                let values = codes
                    .iter()
                    .map(|&c| {
                        let pos = if c < 0 { missing } else { lookup[c as usize] };
                        pos.map_or(self.target_means[t], |p| enc[p])
                    })
                    .collect();
                out.push(
                    output_name(name, t, self.n_classes),
                    Column::Numeric(values),
                );
            }
        }
        Ok(out)
    }
}
