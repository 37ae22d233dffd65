//! Categorical naive Bayes (`CategoricalNbSpec` → `FittedCategoricalNb`), scikit-learn's
//! `CategoricalNB`: every feature holds category codes `0, 1, …` (as an ordinal encoder
//! produces them) and gets its own smoothed per-class distribution over its categories.

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{
    check_class_weight, check_priors, check_smoothing, class_counts, class_log_prior,
    nb_predict_methods,
};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, check_predict, class_codes, require_every_class};

/// Hyper-parameters of categorical naive Bayes; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::CategoricalNbSpec;
/// use ndarray::array;
///
/// let x = array![[0.0, 1.0], [0.0, 2.0], [1.0, 0.0], [1.0, 0.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let model = CategoricalNbSpec::default().fit(x.view(), y.view(), None)?;
/// assert_eq!(model.n_categories, vec![2, 3]);
/// assert_eq!(model.predict(array![[1.0, 0.0]].view())?.to_vec(), vec![1.0]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoricalNbSpec {
    /// Additive smoothing (`>= 0`).
    pub alpha: f64,
    /// Learn class priors from the data (else uniform).
    pub fit_prior: bool,
    /// Given class priors (one per class, summing to 1); override `fit_prior`.
    pub class_prior: Option<Vec<f64>>,
    /// At least this many categories per feature (room for codes unseen in training).
    pub min_categories: Option<usize>,
}

impl Default for CategoricalNbSpec {
    fn default() -> Self {
        CategoricalNbSpec {
            alpha: 1.0,
            fit_prior: true,
            class_prior: None,
            min_categories: None,
        }
    }
}

/// A fitted categorical naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCategoricalNb {
    /// Per feature, `ln P(category | class)` (classes × categories).
    pub feature_log_prob: Vec<Vec<Vec<f64>>>,
    /// `ln P(class)`.
    pub class_log_prior: Vec<f64>,
    /// Weighted rows per class.
    pub class_count: Vec<f64>,
    /// Categories per feature.
    pub n_categories: Vec<usize>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

/// The category code of a value, or an error naming the cell.
fn category(value: f64, row: usize, column: usize, limit: Option<usize>) -> Result<usize> {
    let valid = value >= 0.0 && value.fract() == 0.0 && value < u32::MAX as f64;
    match (valid, limit) {
        (true, Some(n)) if (value as usize) < n => Ok(value as usize),
        (true, None) => Ok(value as usize),
        (true, Some(_)) => Err(ModelError::InvalidFeatureValue {
            column,
            row,
            value,
            expected: "a category code seen in training (raise min_categories to leave room)",
        }),
        (false, _) => Err(ModelError::InvalidFeatureValue {
            column,
            row,
            value,
            expected: "a category code 0, 1, 2, ... (ordinal-encode the feature first)",
        }),
    }
}

impl CategoricalNbSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_smoothing(self.alpha)?;
        if self.min_categories == Some(0) {
            return Err(ModelError::param(
                "min_categories",
                "at least 1, or none",
                0,
            ));
        }
        Ok(())
    }

    /// Fits the model; X holds category codes, `y` class codes `0..k-1`.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedCategoricalNb> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        require_every_class(&codes, k)?;
        if let Some(p) = &self.class_prior {
            check_priors(p, k)?;
        }
        let class_count = class_counts(&codes, &weights, k);
        check_class_weight(&class_count)?;
        let p = x.ncols();
        let mut feature_log_prob = Vec::with_capacity(p);
        let mut n_categories = Vec::with_capacity(p);
        for (j, col) in x.columns().into_iter().enumerate() {
            let mut cats = Vec::with_capacity(col.len());
            for (i, &v) in col.iter().enumerate() {
                cats.push(category(v, i, j, None)?);
            }
            let seen = cats.iter().max().map_or(0, |m| m + 1);
            let n_cat = seen.max(self.min_categories.unwrap_or(0));
            let mut counts = vec![vec![0.0; n_cat]; k];
            for ((&cat, &c), &w) in cats.iter().zip(&codes).zip(&weights) {
                counts[c][cat] += w;
            }
            let logs = counts
                .iter()
                .map(|row| {
                    let total: f64 = row.iter().map(|v| v + self.alpha).sum();
                    row.iter()
                        .map(|v| (v + self.alpha).ln() - total.ln())
                        .collect()
                })
                .collect();
            feature_log_prob.push(logs);
            n_categories.push(n_cat);
        }
        Ok(FittedCategoricalNb {
            feature_log_prob,
            class_log_prior: class_log_prior(
                &class_count,
                self.fit_prior,
                self.class_prior.as_deref(),
            ),
            class_count,
            n_categories,
            n_features: p,
            n_classes: k,
        })
    }
}

impl FittedCategoricalNb {
    /// Joint log-likelihood `ln P(c) + Σⱼ ln P(xⱼ | c)` (rows × classes).
    pub fn joint_log_likelihood(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let k = self.n_classes;
        let mut out = Array2::zeros((x.nrows(), k));
        for (i, (row, mut o)) in x.rows().into_iter().zip(out.rows_mut()).enumerate() {
            for c in 0..k {
                o[c] = 0.0;
            }
            for (j, &v) in row.iter().enumerate() {
                let cat = category(v, i, j, Some(self.n_categories[j]))?;
                for c in 0..k {
                    o[c] += self.feature_log_prob[j][c][cat];
                }
            }
            for c in 0..k {
                o[c] += self.class_log_prior[c];
            }
        }
        Ok(out)
    }

    nb_predict_methods!();
}
