//! AdaBoost with the SAMME multi-class rule over shallow CART trees, as scikit-learn's
//! `AdaBoostClassifier(algorithm="SAMME")`: each round fits a tree on the current sample
//! weights, weighs it by `learning_rate * (ln((1 - err) / err) + ln(k - 1))` and up-weights the
//! rows it got wrong.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_fit, check_predict, class_codes};
use crate::tree::{Criterion, DecisionTreeSpec, FittedDecisionTree, argmax};

/// Hyper-parameters of a SAMME AdaBoost classifier.
///
/// ```
/// use kiln_models::AdaBoostSpec;
/// use ndarray::Array2;
///
/// let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * (j + 2)) % 11) as f64);
/// let y = x.column(0).mapv(|v| if v > 5.0 { 1.0 } else { 0.0 });
/// let model = AdaBoostSpec { n_estimators: 10, ..AdaBoostSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert_eq!(model.predict(x.view())?, y);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaBoostSpec {
    /// Maximum boosting rounds.
    pub n_estimators: usize,
    /// Shrinks each tree's weight.
    pub learning_rate: f64,
    /// Depth of the base trees (1 = stumps).
    pub max_depth: usize,
    /// Impurity measure of the base trees (gini or entropy).
    pub criterion: Criterion,
    /// Seed passed to the base trees.
    pub seed: u64,
}

impl Default for AdaBoostSpec {
    fn default() -> Self {
        AdaBoostSpec {
            n_estimators: 50,
            learning_rate: 1.0,
            max_depth: 1,
            criterion: Criterion::Gini,
            seed: 0,
        }
    }
}

impl AdaBoostSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if self.n_estimators == 0 {
            return Err(ModelError::param("n_estimators", "at least 1", 0));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(ModelError::param(
                "learning_rate",
                "a finite number > 0",
                self.learning_rate,
            ));
        }
        if self.max_depth == 0 {
            return Err(ModelError::param("max_depth", "at least 1", 0));
        }
        if !self.criterion.is_classification() {
            return Err(ModelError::param(
                "criterion",
                "gini or entropy (AdaBoost SAMME classifies)",
                format!("{:?}", self.criterion),
            ));
        }
        Ok(())
    }

    /// Fits on `x` and class codes `y`.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedAdaBoost> {
        self.check()?;
        let mut w = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        let (codes, k) = class_codes(y)?;
        let total: f64 = w.iter().sum();
        w.iter_mut().for_each(|v| *v /= total);
        let base = DecisionTreeSpec {
            criterion: self.criterion,
            max_depth: Some(self.max_depth),
            seed: self.seed,
            ..DecisionTreeSpec::default()
        };
        let mut trees = Vec::new();
        let mut alphas = Vec::new();
        for _ in 0..self.n_estimators {
            let weights = Array1::from(w.clone());
            let tree = base.fit(x, y, Some(weights.view()))?;
            let pred = tree.predict(x)?;
            let wrong: Vec<bool> = pred
                .iter()
                .zip(&codes)
                .map(|(&p, &c)| p as usize != c)
                .collect();
            let err = w
                .iter()
                .zip(&wrong)
                .filter(|(_, bad)| **bad)
                .map(|(v, _)| v)
                .sum::<f64>()
                / w.iter().sum::<f64>();
            if err <= 0.0 {
                // A perfect tree: keep it with unit weight and stop, as scikit-learn does.
                trees.push(tree);
                alphas.push(1.0);
                break;
            }
            if err >= 1.0 - 1.0 / k as f64 {
                if trees.is_empty() {
                    return Err(ModelError::param(
                        "max_depth",
                        "base trees better than chance on the training data",
                        self.max_depth,
                    ));
                }
                break;
            }
            let alpha = self.learning_rate * (((1.0 - err) / err).ln() + ((k - 1) as f64).ln());
            for (v, &bad) in w.iter_mut().zip(&wrong) {
                if bad && *v > 0.0 {
                    *v *= alpha.exp();
                }
            }
            let sum: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v /= sum);
            trees.push(tree);
            alphas.push(alpha);
        }
        Ok(FittedAdaBoost {
            trees,
            alphas,
            n_features: x.ncols(),
            n_classes: k,
        })
    }
}

/// A fitted SAMME AdaBoost classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedAdaBoost {
    /// Base trees.
    pub trees: Vec<FittedDecisionTree>,
    /// Weight of each tree's vote.
    pub alphas: Vec<f64>,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes.
    pub n_classes: usize,
}

impl FittedAdaBoost {
    /// Weighted class votes divided by the total weight (rows × classes).
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        for (tree, &alpha) in self.trees.iter().zip(&self.alphas) {
            for (i, c) in tree.predict(x)?.iter().enumerate() {
                out[[i, *c as usize]] += alpha;
            }
        }
        let total: f64 = self.alphas.iter().sum();
        out.mapv_inplace(|v| v / total);
        Ok(out)
    }

    /// The class with the largest weighted vote.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let d = self.decision_function(x)?;
        Ok(d.rows()
            .into_iter()
            .map(|r| argmax(&r.to_vec()) as f64)
            .collect())
    }

    /// scikit-learn's SAMME probabilities: softmax of the decision divided by `k - 1`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut d = self.decision_function(x)?;
        let scale = (self.n_classes - 1) as f64;
        for mut row in d.rows_mut() {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|v| ((v - max) / scale).exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        Ok(d)
    }
}
