//! Stacking over any kiln models (scikit-learn's `StackingClassifier` / `StackingRegressor`):
//! a final model learns from the members' out-of-fold predictions, so it never sees a member
//! score rows that member was trained on. Members are then refit on all rows for prediction.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate};
use serde::{Deserialize, Serialize};

use super::shared_classes;
use crate::error::{ModelError, Result};
use crate::estimator::{FittedModel, ModelSpec};
use crate::input::{NanPolicy, check_fit, class_codes};

/// Hyper-parameters of a stacking ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackingSpec {
    /// First-level members (all classifiers or all regressors).
    pub estimators: Vec<ModelSpec>,
    /// The model fit on the members' out-of-fold outputs.
    pub final_estimator: Box<ModelSpec>,
    /// Folds for the out-of-fold outputs (stratified by class for classifiers).
    #[serde(default = "default_cv")]
    pub cv: usize,
    /// Also give the final model the original features.
    #[serde(default)]
    pub passthrough: bool,
}

fn default_cv() -> usize {
    5
}

impl StackingSpec {
    /// Validates the hyper-parameters and every member's.
    pub fn check(&self) -> Result<()> {
        if self.estimators.is_empty() {
            return Err(ModelError::param("estimators", "at least one member", 0));
        }
        if self.cv < 2 {
            return Err(ModelError::param("cv", "at least 2 folds", self.cv));
        }
        self.estimators.iter().try_for_each(ModelSpec::check)?;
        self.final_estimator.check()
    }

    /// Fits members per fold for out-of-fold outputs, the final model on them, and members on all rows.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedStacking> {
        self.check()?;
        let nan = if self.estimators.iter().all(ModelSpec::handles_missing) {
            NanPolicy::Allow
        } else {
            NanPolicy::Reject
        };
        check_fit(x, y, sample_weight, nan)?;
        let n = x.nrows();
        let members: Vec<FittedModel> = self
            .estimators
            .iter()
            .map(|m| m.fit(x, y, sample_weight))
            .collect::<Result<_>>()?;
        let n_classes = shared_classes(&members)?;
        let fold_of = match n_classes {
            Some(_) => {
                // Stratified: the j-th row of each class goes to fold j mod cv.
                let (codes, k) = class_codes(y)?;
                let mut seen = vec![0usize; k];
                codes
                    .iter()
                    .map(|&c| {
                        seen[c] += 1;
                        (seen[c] - 1) % self.cv
                    })
                    .collect::<Vec<_>>()
            }
            None => (0..n).map(|i| i * self.cv / n).collect(),
        };
        let width: usize = members.iter().map(|m| output_width(m.n_classes())).sum();
        let mut meta = Array2::zeros((n, width));
        for fold in 0..self.cv {
            let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != fold).collect();
            let test: Vec<usize> = (0..n).filter(|&i| fold_of[i] == fold).collect();
            if test.is_empty() {
                continue;
            }
            if train.is_empty() {
                return Err(ModelError::param(
                    "cv",
                    format!("at most {n} folds for {n} rows"),
                    self.cv,
                ));
            }
            let (xt, yt) = (x.select(Axis(0), &train), y.select(Axis(0), &train));
            let wt = sample_weight.map(|w| w.select(Axis(0), &train));
            let xs = x.select(Axis(0), &test);
            let mut col = 0;
            for spec in &self.estimators {
                let model = spec.fit(xt.view(), yt.view(), wt.as_ref().map(|w| w.view()))?;
                let out = member_output(&model, xs.view(), n_classes)?;
                for (r, &i) in test.iter().enumerate() {
                    for c in 0..out.ncols() {
                        meta[[i, col + c]] = out[[r, c]];
                    }
                }
                col += out.ncols();
            }
        }
        let features = if self.passthrough {
            concatenate![Axis(1), meta, x]
        } else {
            meta
        };
        let final_model = self
            .final_estimator
            .fit(features.view(), y, sample_weight)?;
        Ok(FittedStacking {
            members,
            final_model: Box::new(final_model),
            passthrough: self.passthrough,
            n_features: x.ncols(),
            n_classes,
        })
    }
}

/// Columns a member contributes: class probabilities (one for binary), or the prediction.
fn output_width(n_classes: Option<usize>) -> usize {
    match n_classes {
        Some(2) | None => 1,
        Some(k) => k,
    }
}

fn member_output(
    model: &FittedModel,
    x: ArrayView2<f64>,
    n_classes: Option<usize>,
) -> Result<Array2<f64>> {
    match n_classes {
        None => Ok(model.predict(x)?.insert_axis(Axis(1))),
        Some(2) => Ok(model
            .predict_proba(x)?
            .slice(ndarray::s![.., 1..])
            .to_owned()),
        Some(_) => model.predict_proba(x),
    }
}

/// A fitted stacking ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedStacking {
    /// Members refit on all rows.
    pub members: Vec<FittedModel>,
    /// The final model.
    pub final_model: Box<FittedModel>,
    /// Whether the final model also sees the original features.
    pub passthrough: bool,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes for classifiers.
    pub n_classes: Option<usize>,
}

impl FittedStacking {
    fn features(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.n_features {
            return Err(ModelError::FeatureCountMismatch {
                expected: self.n_features,
                found: x.ncols(),
            });
        }
        let outputs: Vec<Array2<f64>> = self
            .members
            .iter()
            .map(|m| member_output(m, x, self.n_classes))
            .collect::<Result<_>>()?;
        let passthrough = self.passthrough.then(|| x.to_owned());
        let mut views: Vec<ArrayView2<f64>> = outputs.iter().map(|o| o.view()).collect();
        if let Some(p) = &passthrough {
            views.push(p.view());
        }
        ndarray::concatenate(Axis(1), &views)
            .map_err(|e| ModelError::param("x", "a valid shape", e))
    }

    /// The final model's prediction on the members' outputs.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        self.final_model.predict(self.features(x)?.view())
    }

    /// The final model's probabilities; an error for regressors.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.final_model.predict_proba(self.features(x)?.view())
    }
}
