//! Naive Bayes classifiers, as in scikit-learn's `naive_bayes`: Gaussian (continuous features),
//! multinomial (counts), Bernoulli (binary occurrences) and categorical (category codes).
//!
//! Each model reduces to a joint log-likelihood per row and class, `ln P(c) + Σⱼ ln P(xⱼ | c)`;
//! this file holds what they share: class priors, the turn from joint log-likelihoods into
//! predictions and (log-)probabilities, and the checks on priors and smoothing.

mod categorical;
mod discrete;
mod gaussian;

pub use categorical::{CategoricalNbSpec, FittedCategoricalNb};
pub use discrete::{BernoulliNbSpec, FittedBernoulliNb, FittedMultinomialNb, MultinomialNbSpec};
pub use gaussian::{FittedGaussianNb, GaussianNbSpec};

use ndarray::{Array1, Array2};

use crate::error::{ModelError, Result};

/// Checks user-given class priors against the number of classes: non-negative, summing to 1.
fn check_priors(priors: &[f64], n_classes: usize) -> Result<()> {
    if priors.len() != n_classes {
        return Err(ModelError::param(
            "priors",
            format!("one prior per class ({n_classes})"),
            format!("{} priors", priors.len()),
        ));
    }
    let sum: f64 = priors.iter().sum();
    if priors.iter().any(|p| !p.is_finite() || *p < 0.0) || (sum - 1.0).abs() > 1e-8 {
        return Err(ModelError::param(
            "priors",
            "finite probabilities >= 0 that sum to 1",
            format!("{priors:?}"),
        ));
    }
    Ok(())
}

/// Checks an additive smoothing parameter.
fn check_smoothing(alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::param("alpha", "a finite number >= 0", alpha))
    }
}

/// Log class priors of the discrete models: given priors, uniform (`fit_prior = false`) or the
/// weighted class frequencies.
fn class_log_prior(class_count: &[f64], fit_prior: bool, class_prior: Option<&[f64]>) -> Vec<f64> {
    let k = class_count.len();
    match class_prior {
        Some(p) => p.iter().map(|v| v.ln()).collect(),
        None if fit_prior => {
            let total: f64 = class_count.iter().sum();
            class_count.iter().map(|c| c.ln() - total.ln()).collect()
        }
        None => vec![-(k as f64).ln(); k],
    }
}

/// Normalises joint log-likelihoods (rows × classes) into log-probabilities, in place.
fn log_normalise(jll: &mut Array2<f64>) {
    for mut row in jll.rows_mut() {
        let max = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
        row.iter_mut().for_each(|v| *v -= lse);
    }
}

/// The class with the largest joint log-likelihood per row (ties to the lower code).
fn argmax_rows(jll: &Array2<f64>) -> Array1<f64> {
    jll.rows()
        .into_iter()
        .map(|r| {
            let mut best = 0;
            for c in 1..r.len() {
                if r[c] > r[best] {
                    best = c;
                }
            }
            best as f64
        })
        .collect()
}

/// Per-class sums of `weights` (the weighted class counts).
fn class_counts(codes: &[usize], weights: &[f64], n_classes: usize) -> Vec<f64> {
    let mut counts = vec![0.0; n_classes];
    for (&c, &w) in codes.iter().zip(weights) {
        counts[c] += w;
    }
    counts
}

/// Errors when a class has no weight (its parameters would be 0/0).
fn check_class_weight(class_count: &[f64]) -> Result<()> {
    match class_count.iter().position(|&w| w <= 0.0) {
        Some(c) => Err(ModelError::InvalidWeight {
            reason: format!("every row of class {c} has weight 0"),
        }),
        None => Ok(()),
    }
}

/// The shared fitted-model surface: everything follows from `joint_log_likelihood`.
macro_rules! nb_predict_methods {
    () => {
        /// Log class probabilities (rows × classes).
        pub fn predict_log_proba(
            &self,
            x: ndarray::ArrayView2<f64>,
        ) -> $crate::error::Result<ndarray::Array2<f64>> {
            let mut jll = self.joint_log_likelihood(x)?;
            super::log_normalise(&mut jll);
            Ok(jll)
        }

        /// Class probabilities (rows × classes).
        pub fn predict_proba(
            &self,
            x: ndarray::ArrayView2<f64>,
        ) -> $crate::error::Result<ndarray::Array2<f64>> {
            Ok(self.predict_log_proba(x)?.mapv(f64::exp))
        }

        /// The most probable class code per row.
        pub fn predict(
            &self,
            x: ndarray::ArrayView2<f64>,
        ) -> $crate::error::Result<ndarray::Array1<f64>> {
            Ok(super::argmax_rows(&self.joint_log_likelihood(x)?))
        }
    };
}
pub(crate) use nb_predict_methods;
