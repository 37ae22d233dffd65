//! Multinomial and Bernoulli naive Bayes (`MultinomialNbSpec`, `BernoulliNbSpec`), scikit-learn's
//! `MultinomialNB` and `BernoulliNB`. Both count (weighted) feature occurrences per class and
//! smooth the counts additively with `alpha`; they differ in what a feature is: a count (its
//! class-conditional share of all counts) or a binary occurrence (its class-conditional
//! probability of being present, absence counting too).

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{
    check_class_weight, check_priors, check_smoothing, class_counts, class_log_prior,
    nb_predict_methods,
};
use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, check_predict, class_codes, require_every_class};

/// Hyper-parameters of multinomial naive Bayes; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::MultinomialNbSpec;
/// use ndarray::array;
///
/// let x = array![[3.0, 0.0], [4.0, 1.0], [0.0, 5.0], [1.0, 3.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let model = MultinomialNbSpec::default().fit(x.view(), y.view(), None)?;
/// assert_eq!(model.predict(array![[5.0, 1.0], [0.0, 2.0]].view())?.to_vec(), vec![0.0, 1.0]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MultinomialNbSpec {
    /// Additive smoothing added to every count (`>= 0`).
    pub alpha: f64,
    /// Learn class priors from the data (else uniform).
    pub fit_prior: bool,
    /// Given class priors (one per class, summing to 1); override `fit_prior`.
    pub class_prior: Option<Vec<f64>>,
}

impl Default for MultinomialNbSpec {
    fn default() -> Self {
        MultinomialNbSpec {
            alpha: 1.0,
            fit_prior: true,
            class_prior: None,
        }
    }
}

/// Hyper-parameters of Bernoulli naive Bayes; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::BernoulliNbSpec;
/// use ndarray::array;
///
/// let x = array![[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let model = BernoulliNbSpec::default().fit(x.view(), y.view(), None)?;
/// assert_eq!(model.predict(array![[1.0, 0.0], [0.0, 1.0]].view())?.to_vec(), vec![0.0, 1.0]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BernoulliNbSpec {
    /// Additive smoothing (`>= 0`).
    pub alpha: f64,
    /// Values above this threshold count as present; None takes X as already binary.
    pub binarize: Option<f64>,
    /// Learn class priors from the data (else uniform).
    pub fit_prior: bool,
    /// Given class priors (one per class, summing to 1); override `fit_prior`.
    pub class_prior: Option<Vec<f64>>,
}

impl Default for BernoulliNbSpec {
    fn default() -> Self {
        BernoulliNbSpec {
            alpha: 1.0,
            binarize: Some(0.0),
            fit_prior: true,
            class_prior: None,
        }
    }
}

/// A fitted multinomial naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMultinomialNb {
    /// `ln P(feature | class)` (classes × features).
    pub feature_log_prob: Vec<Vec<f64>>,
    /// `ln P(class)`.
    pub class_log_prior: Vec<f64>,
    /// Weighted rows per class.
    pub class_count: Vec<f64>,
    /// Weighted feature counts per class (classes × features).
    pub feature_count: Vec<Vec<f64>>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

/// A fitted Bernoulli naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBernoulliNb {
    /// `ln P(feature present | class)` (classes × features).
    pub feature_log_prob: Vec<Vec<f64>>,
    /// `ln P(class)`.
    pub class_log_prior: Vec<f64>,
    /// Weighted rows per class.
    pub class_count: Vec<f64>,
    /// Weighted occurrence counts per class (classes × features).
    pub feature_count: Vec<Vec<f64>>,
    /// The binarisation threshold used at fit time, applied again at predict time.
    pub binarize: Option<f64>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

/// Validated fit inputs shared by the discrete models: codes, weights, class counts.
struct Counted {
    codes: Vec<usize>,
    weights: Vec<f64>,
    class_count: Vec<f64>,
    k: usize,
}

fn count_classes(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    sample_weight: Option<ArrayView1<f64>>,
    class_prior: Option<&[f64]>,
) -> Result<Counted> {
    let weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
    let (codes, k) = class_codes(y)?;
    require_every_class(&codes, k)?;
    if let Some(p) = class_prior {
        check_priors(p, k)?;
    }
    let class_count = class_counts(&codes, &weights, k);
    check_class_weight(&class_count)?;
    Ok(Counted {
        codes,
        weights,
        class_count,
        k,
    })
}

/// Weighted per-class sums of `value(x)` (classes × features).
fn feature_counts(x: ArrayView2<f64>, c: &Counted, value: impl Fn(f64) -> f64) -> Vec<Vec<f64>> {
    let mut counts = vec![vec![0.0; x.ncols()]; c.k];
    for ((row, &code), &w) in x.rows().into_iter().zip(&c.codes).zip(&c.weights) {
        for (acc, &v) in counts[code].iter_mut().zip(row) {
            *acc += w * value(v);
        }
    }
    counts
}

/// Errors on a negative count (multinomial features are counts or frequencies).
fn check_non_negative(x: ArrayView2<f64>) -> Result<()> {
    for ((row, column), &value) in x.indexed_iter() {
        if value < 0.0 {
            return Err(ModelError::InvalidFeatureValue {
                column,
                row,
                value,
                expected: "a count or frequency >= 0 (multinomial naive Bayes)",
            });
        }
    }
    Ok(())
}

impl MultinomialNbSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_smoothing(self.alpha)
    }

    /// Fits the model; X holds non-negative counts, `y` class codes `0..k-1`.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedMultinomialNb> {
        self.check()?;
        let counted = count_classes(x, y, sample_weight, self.class_prior.as_deref())?;
        check_non_negative(x)?;
        let feature_count = feature_counts(x, &counted, |v| v);
        let feature_log_prob = feature_count
            .iter()
            .map(|fc| {
                let total: f64 = fc.iter().map(|v| v + self.alpha).sum();
                fc.iter()
                    .map(|v| (v + self.alpha).ln() - total.ln())
                    .collect()
            })
            .collect();
        Ok(FittedMultinomialNb {
            feature_log_prob,
            class_log_prior: class_log_prior(
                &counted.class_count,
                self.fit_prior,
                self.class_prior.as_deref(),
            ),
            class_count: counted.class_count,
            feature_count,
            n_features: x.ncols(),
            n_classes: counted.k,
        })
    }
}

impl FittedMultinomialNb {
    /// Joint log-likelihood `ln P(c) + Σⱼ xⱼ ln P(j | c)` (rows × classes).
    pub fn joint_log_likelihood(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        check_non_negative(x)?;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            for c in 0..self.n_classes {
                let s: f64 = row
                    .iter()
                    .zip(&self.feature_log_prob[c])
                    .map(|(v, l)| v * l)
                    .sum();
                o[c] = s + self.class_log_prior[c];
            }
        }
        Ok(out)
    }

    nb_predict_methods!();
}

impl BernoulliNbSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_smoothing(self.alpha)?;
        if let Some(t) = self.binarize
            && !t.is_finite()
        {
            return Err(ModelError::param(
                "binarize",
                "a finite threshold or none",
                t,
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
    ) -> Result<FittedBernoulliNb> {
        self.check()?;
        let counted = count_classes(x, y, sample_weight, self.class_prior.as_deref())?;
        let threshold = self.binarize;
        let feature_count = feature_counts(x, &counted, |v| binarise(v, threshold));
        let feature_log_prob = feature_count
            .iter()
            .zip(&counted.class_count)
            .map(|(fc, cc)| {
                let denom = (cc + 2.0 * self.alpha).ln();
                fc.iter().map(|v| (v + self.alpha).ln() - denom).collect()
            })
            .collect();
        Ok(FittedBernoulliNb {
            feature_log_prob,
            class_log_prior: class_log_prior(
                &counted.class_count,
                self.fit_prior,
                self.class_prior.as_deref(),
            ),
            class_count: counted.class_count,
            feature_count,
            binarize: threshold,
            n_features: x.ncols(),
            n_classes: counted.k,
        })
    }
}

fn binarise(v: f64, threshold: Option<f64>) -> f64 {
    match threshold {
        Some(t) => f64::from(u8::from(v > t)),
        None => v,
    }
}

impl FittedBernoulliNb {
    /// Joint log-likelihood `ln P(c) + Σⱼ [xⱼ ln p꜀ⱼ + (1 − xⱼ) ln(1 − p꜀ⱼ)]` (rows × classes).
    pub fn joint_log_likelihood(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let k = self.n_classes;
        // As scikit-learn: X · (ln p − ln(1 − p)) + Σ ln(1 − p) + ln P(c).
        let neg: Vec<Vec<f64>> = self
            .feature_log_prob
            .iter()
            .map(|l| l.iter().map(|v| (-v.exp()).ln_1p()).collect())
            .collect();
        let diff: Vec<Vec<f64>> = self
            .feature_log_prob
            .iter()
            .zip(&neg)
            .map(|(l, n)| l.iter().zip(n).map(|(a, b)| a - b).collect())
            .collect();
        let neg_sum: Vec<f64> = neg.iter().map(|n| n.iter().sum()).collect();
        let mut out = Array2::zeros((x.nrows(), k));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            for c in 0..k {
                let s: f64 = row
                    .iter()
                    .zip(&diff[c])
                    .map(|(v, d)| binarise(*v, self.binarize) * d)
                    .sum();
                o[c] = s + self.class_log_prior[c] + neg_sum[c];
            }
        }
        Ok(out)
    }

    nb_predict_methods!();
}
