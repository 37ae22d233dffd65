//! Voting ensembles over any kiln models: hard or soft votes for classifiers, a weighted mean
//! for regressors (scikit-learn's `VotingClassifier` / `VotingRegressor`).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::shared_classes;
use crate::error::{ModelError, Result};
use crate::estimator::{FittedModel, ModelSpec};
use crate::tree::argmax;

/// How classifiers combine their members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Voting {
    /// Weighted majority of predicted classes.
    Hard,
    /// Class with the highest weighted mean probability.
    #[default]
    Soft,
}

/// Hyper-parameters of a voting ensemble.
///
/// ```
/// use kiln_models::{Criterion, DecisionTreeSpec, GbdtSpec, ModelSpec, Voting, VotingSpec};
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((80, 2), |(i, j)| ((i * (j + 3)) % 13) as f64);
/// let y = x.column(0).mapv(|v| 2.0 * v + 1.0);
/// let spec = VotingSpec {
///     estimators: vec![
///         ModelSpec::Gbdt(GbdtSpec { min_data_in_leaf: 3, ..GbdtSpec::default() }),
///         ModelSpec::DecisionTree(DecisionTreeSpec { criterion: Criterion::SquaredError, ..DecisionTreeSpec::default() }),
///     ],
///     voting: Voting::Soft,
///     weights: None,
/// };
/// let model = spec.fit(x.view(), y.view(), None)?;
/// assert_eq!(model.n_classes, None);
/// let p = model.predict(x.view())?;
/// assert!((p[0] - y[0]).abs() < 1.0);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotingSpec {
    /// The members (all classifiers or all regressors).
    pub estimators: Vec<ModelSpec>,
    /// Vote rule for classifiers.
    #[serde(default)]
    pub voting: Voting,
    /// One weight per member; None weighs them equally.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
}

impl VotingSpec {
    /// Validates the hyper-parameters and every member's.
    pub fn check(&self) -> Result<()> {
        if self.estimators.is_empty() {
            return Err(ModelError::param("estimators", "at least one member", 0));
        }
        if let Some(w) = &self.weights {
            if w.len() != self.estimators.len() {
                return Err(ModelError::param(
                    "weights",
                    format!("{} weights, one per member", self.estimators.len()),
                    w.len(),
                ));
            }
            if w.iter().any(|v| !v.is_finite() || *v < 0.0) || w.iter().sum::<f64>() <= 0.0 {
                return Err(ModelError::param(
                    "weights",
                    "finite weights >= 0 with a positive sum",
                    format!("{w:?}"),
                ));
            }
        }
        self.estimators.iter().try_for_each(ModelSpec::check)
    }

    /// Fits every member on the same data.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedVoting> {
        self.check()?;
        let models: Vec<FittedModel> = self
            .estimators
            .iter()
            .map(|m| m.fit(x, y, sample_weight))
            .collect::<Result<_>>()?;
        let n_classes = shared_classes(&models)?;
        let weights = self
            .weights
            .clone()
            .unwrap_or_else(|| vec![1.0; models.len()]);
        Ok(FittedVoting {
            n_features: x.ncols(),
            n_classes,
            voting: self.voting,
            weights,
            models,
        })
    }
}

/// A fitted voting ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedVoting {
    /// Fitted members.
    pub models: Vec<FittedModel>,
    /// Member weights.
    pub weights: Vec<f64>,
    /// Vote rule.
    pub voting: Voting,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes for classifiers.
    pub n_classes: Option<usize>,
}

impl FittedVoting {
    fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Weighted mean (regression) or the voted class.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        match (self.n_classes, self.voting) {
            (None, _) => {
                let mut out = Array1::zeros(x.nrows());
                for (m, &w) in self.models.iter().zip(&self.weights) {
                    out.scaled_add(w, &m.predict(x)?);
                }
                Ok(out / self.total_weight())
            }
            (Some(k), Voting::Hard) => {
                let mut votes = Array2::<f64>::zeros((x.nrows(), k));
                for (m, &w) in self.models.iter().zip(&self.weights) {
                    for (i, &c) in m.predict(x)?.iter().enumerate() {
                        votes[[i, c as usize]] += w;
                    }
                }
                Ok(votes
                    .rows()
                    .into_iter()
                    .map(|r| argmax(&r.to_vec()) as f64)
                    .collect())
            }
            (Some(_), Voting::Soft) => {
                let p = self.predict_proba(x)?;
                Ok(p.rows()
                    .into_iter()
                    .map(|r| argmax(&r.to_vec()) as f64)
                    .collect())
            }
        }
    }

    /// Weighted mean of member probabilities (for hard voting too, as a summary).
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let k = self.n_classes.ok_or_else(|| {
            ModelError::param("estimators", "classifiers for predict_proba", "regressors")
        })?;
        let mut out = Array2::zeros((x.nrows(), k));
        for (m, &w) in self.models.iter().zip(&self.weights) {
            out.scaled_add(w, &m.predict_proba(x)?);
        }
        Ok(out / self.total_weight())
    }
}
