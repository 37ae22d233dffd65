//! Gaussian naive Bayes (`GaussianNbSpec` → `FittedGaussianNb`), scikit-learn's `GaussianNB`:
//! per class and feature a normal density with the (weighted) mean and variance of the
//! training rows, every variance increased by `var_smoothing × the largest feature variance`
//! so a constant feature cannot produce a zero variance.

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{check_class_weight, check_priors, class_counts, nb_predict_methods};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, check_predict, class_codes, require_every_class};

/// Hyper-parameters of Gaussian naive Bayes; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::GaussianNbSpec;
/// use ndarray::{array, Array1, Array2};
///
/// let x = Array2::from_shape_fn((40, 1), |(i, _)| if i < 20 { i as f64 * 0.1 } else { 5.0 + i as f64 * 0.1 });
/// let y = Array1::from_shape_fn(40, |i| if i < 20 { 0.0 } else { 1.0 });
/// let model = GaussianNbSpec::default().fit(x.view(), y.view(), None)?;
/// assert_eq!(model.predict(array![[0.5], [7.0]].view())?.to_vec(), vec![0.0, 1.0]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianNbSpec {
    /// Class priors (one per class, summing to 1); None uses the weighted class frequencies.
    pub priors: Option<Vec<f64>>,
    /// Share of the largest feature variance added to every variance (`>= 0`).
    pub var_smoothing: f64,
}

impl Default for GaussianNbSpec {
    fn default() -> Self {
        GaussianNbSpec {
            priors: None,
            var_smoothing: 1e-9,
        }
    }
}

/// A fitted Gaussian naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGaussianNb {
    /// Per-class feature means (classes × features), scikit-learn's `theta_`.
    pub theta: Vec<Vec<f64>>,
    /// Per-class feature variances after smoothing (`var_`).
    pub var: Vec<Vec<f64>>,
    /// Class priors used.
    pub class_prior: Vec<f64>,
    /// Weighted rows per class.
    pub class_count: Vec<f64>,
    /// The variance added to every variance (`epsilon_`).
    pub epsilon: f64,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

impl GaussianNbSpec {
    /// Validates the hyper-parameters (priors are checked against the classes at fit time).
    pub fn check(&self) -> Result<()> {
        if !(self.var_smoothing.is_finite() && self.var_smoothing >= 0.0) {
            return Err(ModelError::param(
                "var_smoothing",
                "a finite number >= 0",
                self.var_smoothing,
            ));
        }
        Ok(())
    }

    /// Fits the model; `y` holds class codes `0..k-1`.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedGaussianNb> {
        self.check()?;
        let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        require_every_class(&codes, k)?;
        if let Some(p) = &self.priors {
            check_priors(p, k)?;
        }
        let (n, p) = x.dim();
        // epsilon = var_smoothing × max over features of the unweighted variance, as scikit-learn.
        let max_var = x
            .columns()
            .into_iter()
            .map(|c| {
                let mean = c.sum() / n as f64;
                c.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64
            })
            .fold(0.0, f64::max);
        let epsilon = self.var_smoothing * max_var;
        let class_count = class_counts(&codes, &weights, k);
        check_class_weight(&class_count)?;
        let mut theta = vec![vec![0.0; p]; k];
        let mut var = vec![vec![0.0; p]; k];
        for j in 0..p {
            let col = x.column(j);
            let mut sums = vec![0.0; k];
            for ((&v, &c), &w) in col.iter().zip(&codes).zip(&weights) {
                sums[c] += w * v;
            }
            for c in 0..k {
                theta[c][j] = sums[c] / class_count[c];
            }
            let mut sq = vec![0.0; k];
            for ((&v, &c), &w) in col.iter().zip(&codes).zip(&weights) {
                sq[c] += w * (v - theta[c][j]).powi(2);
            }
            for c in 0..k {
                var[c][j] = sq[c] / class_count[c] + epsilon;
            }
        }
        let class_prior = match &self.priors {
            Some(p) => p.clone(),
            None => {
                let total: f64 = class_count.iter().sum();
                class_count.iter().map(|c| c / total).collect()
            }
        };
        Ok(FittedGaussianNb {
            theta,
            var,
            class_prior,
            class_count,
            epsilon,
            n_features: p,
            n_classes: k,
        })
    }
}

impl FittedGaussianNb {
    /// Joint log-likelihood `ln P(c) + Σⱼ ln N(xⱼ; θ꜀ⱼ, σ²꜀ⱼ)` (rows × classes).
    pub fn joint_log_likelihood(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let k = self.n_classes;
        let log_norm: Vec<f64> = self
            .var
            .iter()
            .map(|v| {
                -0.5 * v
                    .iter()
                    .map(|s| (2.0 * std::f64::consts::PI * s).ln())
                    .sum::<f64>()
            })
            .collect();
        let mut out = Array2::zeros((x.nrows(), k));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            for c in 0..k {
                let quad: f64 = row
                    .iter()
                    .zip(&self.theta[c])
                    .zip(&self.var[c])
                    .map(|((v, t), s)| (v - t).powi(2) / s)
                    .sum();
                o[c] = self.class_prior[c].ln() + (log_norm[c] - 0.5 * quad);
            }
        }
        Ok(out)
    }

    nb_predict_methods!();
}
