//! Outlier detection: isolation forest, local outlier factor, elliptic envelope (minimum
//! covariance determinant), one-class SVM, and per-column z-score and IQR rules.
//!
//! Every detector follows scikit-learn's outlier contract, gathered in the serde-tagged enums
//! [`OutlierSpec`] and [`FittedOutlierDetector`] (`{"kind": "isolation_forest", ...}`) so a
//! detector can be stored as data and used as a pipeline filter or in a profile:
//!
//! - `fit(x)` learns what normal rows look like (features only);
//! - `score_samples(x)`: higher means more normal (scikit-learn's sign convention);
//! - `decision_function(x) = score_samples(x) − offset`: negative for outliers, where `offset`
//!   comes from `contamination` (the expected outlier share: that quantile of the training
//!   scores) or from the method's own default when contamination is "auto" (None);
//! - `predict(x)`: +1 inlier, −1 outlier (`decision_function < 0`).
//!
//! The local outlier factor in its default mode (novelty = false) describes its training rows
//! only, as in scikit-learn; [`OutlierSpec::fit_predict`] labels the training rows of any
//! detector, which is what a filter on training data needs.

mod elliptic;
mod isolation_forest;
mod lof;
mod mcd;
mod one_class_svm;
mod rules;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use elliptic::{EllipticEnvelopeSpec, FittedEllipticEnvelope};
pub use isolation_forest::{FittedIsolationForest, IsolationForestSpec, MaxSamples};
pub use lof::{FittedLocalOutlierFactor, LocalOutlierFactorSpec};
pub use one_class_svm::{FittedOneClassSvm, Gamma, OneClassSvmSpec};
pub use rules::{FittedRule, IqrRuleSpec, RuleKind, ZScoreRuleSpec};

use crate::error::{ModelError, Result};

/// Hyper-parameters of any kiln outlier detector, tagged by `kind`.
///
/// ```
/// use kiln_models::OutlierSpec;
/// use ndarray::array;
///
/// let spec: OutlierSpec = serde_json::from_str(r#"{"kind": "iqr", "k": 1.5}"#).expect("valid spec");
/// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [100.0]];
/// let (model, training) = spec.fit_predict(x.view())?;
/// assert_eq!(training.to_vec(), vec![1, 1, 1, 1, 1, -1]);
/// assert_eq!(model.predict(array![[3.5], [-50.0]].view())?.to_vec(), vec![1, -1]);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutlierSpec {
    /// Isolation forest.
    IsolationForest(IsolationForestSpec),
    /// Local outlier factor.
    LocalOutlierFactor(LocalOutlierFactorSpec),
    /// Elliptic envelope around a minimum covariance determinant estimate.
    EllipticEnvelope(EllipticEnvelopeSpec),
    /// One-class SVM (ν formulation, RBF kernel).
    OneClassSvm(OneClassSvmSpec),
    /// Per-column z-score rule.
    ZScore(ZScoreRuleSpec),
    /// Per-column IQR (Tukey fence) rule.
    Iqr(IqrRuleSpec),
}

/// Any fitted kiln outlier detector, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedOutlierDetector {
    /// Isolation forest.
    IsolationForest(FittedIsolationForest),
    /// Local outlier factor.
    LocalOutlierFactor(FittedLocalOutlierFactor),
    /// Elliptic envelope.
    EllipticEnvelope(FittedEllipticEnvelope),
    /// One-class SVM.
    OneClassSvm(FittedOneClassSvm),
    /// A z-score or IQR rule.
    Rule(FittedRule),
}

impl OutlierSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        match self {
            OutlierSpec::IsolationForest(s) => s.check(),
            OutlierSpec::LocalOutlierFactor(s) => s.check(),
            OutlierSpec::EllipticEnvelope(s) => s.check(),
            OutlierSpec::OneClassSvm(s) => s.check(),
            OutlierSpec::ZScore(s) => s.check(),
            OutlierSpec::Iqr(s) => s.check(),
        }
    }

    /// Learns the detector from the rows of `x`.
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedOutlierDetector> {
        Ok(match self {
            OutlierSpec::IsolationForest(s) => FittedOutlierDetector::IsolationForest(s.fit(x)?),
            OutlierSpec::LocalOutlierFactor(s) => {
                FittedOutlierDetector::LocalOutlierFactor(s.fit(x)?)
            }
            OutlierSpec::EllipticEnvelope(s) => FittedOutlierDetector::EllipticEnvelope(s.fit(x)?),
            OutlierSpec::OneClassSvm(s) => FittedOutlierDetector::OneClassSvm(s.fit(x)?),
            OutlierSpec::ZScore(s) => FittedOutlierDetector::Rule(s.fit(x)?),
            OutlierSpec::Iqr(s) => FittedOutlierDetector::Rule(s.fit(x)?),
        })
    }

    /// Fits on `x` and labels its rows (+1 inlier, −1 outlier); for the local outlier factor
    /// without novelty these are its training-row factors, as scikit-learn's `fit_predict`.
    pub fn fit_predict(&self, x: ArrayView2<f64>) -> Result<(FittedOutlierDetector, Array1<i64>)> {
        let model = self.fit(x)?;
        let labels = match &model {
            FittedOutlierDetector::LocalOutlierFactor(m) => m.training_predict(),
            other => other.predict(x)?,
        };
        Ok((model, labels))
    }
}

impl FittedOutlierDetector {
    /// Normality score of each row: higher is more normal.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        match self {
            FittedOutlierDetector::IsolationForest(m) => m.score_samples(x),
            FittedOutlierDetector::LocalOutlierFactor(m) => m.score_samples(x),
            FittedOutlierDetector::EllipticEnvelope(m) => m.score_samples(x),
            FittedOutlierDetector::OneClassSvm(m) => m.score_samples(x),
            FittedOutlierDetector::Rule(m) => m.score_samples(x),
        }
    }

    /// The threshold subtracted from `score_samples` to give `decision_function`.
    pub fn offset(&self) -> f64 {
        match self {
            FittedOutlierDetector::IsolationForest(m) => m.offset,
            FittedOutlierDetector::LocalOutlierFactor(m) => m.offset,
            FittedOutlierDetector::EllipticEnvelope(m) => m.offset,
            FittedOutlierDetector::OneClassSvm(m) => m.rho,
            FittedOutlierDetector::Rule(_) => 0.0,
        }
    }

    /// `score_samples − offset`: negative for outliers.
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let offset = self.offset();
        Ok(self.score_samples(x)?.mapv(|s| s - offset))
    }

    /// +1 for inliers, −1 for outliers.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<i64>> {
        Ok(inlier_labels(&self.decision_function(x)?))
    }

    /// Features expected at predict time.
    pub fn n_features(&self) -> usize {
        match self {
            FittedOutlierDetector::IsolationForest(m) => m.n_features,
            FittedOutlierDetector::LocalOutlierFactor(m) => m.n_features,
            FittedOutlierDetector::EllipticEnvelope(m) => m.n_features,
            FittedOutlierDetector::OneClassSvm(m) => m.n_features,
            FittedOutlierDetector::Rule(m) => m.low.len(),
        }
    }
}

/// +1 where the decision value is ≥ 0, −1 below (scikit-learn's `predict`).
pub(crate) fn inlier_labels(decision: &Array1<f64>) -> Array1<i64> {
    decision.mapv(|d| if d >= 0.0 { 1 } else { -1 })
}

/// `contamination` must be a share in (0, 0.5] (None means the method's "auto" offset).
pub(crate) fn check_contamination(contamination: Option<f64>) -> Result<()> {
    if let Some(c) = contamination
        && !(c > 0.0 && c <= 0.5)
    {
        return Err(ModelError::param(
            "contamination",
            "a share of outliers in (0, 0.5], or none for \"auto\"",
            c,
        ));
    }
    Ok(())
}

/// The score below which a `contamination` share of the training scores lie, as
/// `numpy.percentile(scores, 100 * contamination)`.
pub(crate) fn contamination_offset(scores: &[f64], contamination: f64) -> Result<f64> {
    // numpy takes the percentile 100·c and divides by 100 again; doing the same keeps the level
    // bit-identical to scikit-learn's.
    let level = (100.0 * contamination) / 100.0;
    kiln_stats::quantile::quantile(scores, level)
        .map_err(|e| ModelError::param("contamination", "scores to take a quantile of", e))
}
