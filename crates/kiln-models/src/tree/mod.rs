//! CART decision trees (`DecisionTreeSpec` → `FittedDecisionTree`), scikit-learn's algorithm:
//! `criterion` picks classification (Gini, entropy) or regression (squared, absolute error).
//!
//! `builder` grows the tree, `criterion` defines impurities, `prune` applies `ccp_alpha` and
//! `export` renders text. Forests reuse the builder with bootstrap weights and feature sampling,
//! and optionally split large nodes on histograms of binned features (`histogram`).

mod builder;
mod criterion;
mod export;
mod histogram;
mod presort;
mod prune;

pub use builder::Nodes;
pub use criterion::Criterion;

pub(crate) use builder::{HISTOGRAM_MIN_SAMPLES, TreeInput, TreeParams, build};
pub(crate) use criterion::TreeTarget;
pub(crate) use histogram::BinnedColumns;
pub(crate) use presort::Columns;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::input::{
    ClassWeight, NanPolicy, apply_class_weight, check_fit, check_predict, class_codes,
};

/// How many features each split considers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MaxFeatures {
    /// Every feature.
    #[default]
    All,
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// `max(1, floor(fraction * n_features))`.
    Fraction(f64),
    /// A fixed count.
    Count(usize),
}

impl MaxFeatures {
    pub(crate) fn check(self) -> Result<()> {
        match self {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                Err(ModelError::param("max_features", "a fraction in (0, 1]", f))
            }
            MaxFeatures::Count(0) => Err(ModelError::param(
                "max_features",
                "a count of at least 1",
                0,
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn resolve(self, n_features: usize) -> usize {
        let n = n_features as f64;
        let k = match self {
            MaxFeatures::All => n_features,
            MaxFeatures::Sqrt => n.sqrt() as usize,
            MaxFeatures::Log2 => n.log2() as usize,
            MaxFeatures::Fraction(f) => (f * n) as usize,
            MaxFeatures::Count(c) => c,
        };
        k.clamp(1, n_features)
    }
}

/// Hyper-parameters of a CART tree; names and defaults follow scikit-learn.
///
/// ```
/// use kiln_models::{Criterion, DecisionTreeSpec};
/// use ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0], [4.0]];
/// let y = array![0.0, 0.0, 1.0, 1.0];
/// let tree = DecisionTreeSpec { criterion: Criterion::Gini, ..DecisionTreeSpec::default() }.fit(x.view(), y.view(), None)?;
/// assert_eq!(tree.predict(array![[3.5]].view())?[0], 1.0);
/// assert!(tree.export_text(None).contains("feature_0 <= 2.50"));
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionTreeSpec {
    /// Impurity measure; decides between classifier and regressor.
    pub criterion: Criterion,
    /// Maximum depth; None grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// Minimum samples to split a node (>= 2).
    pub min_samples_split: usize,
    /// Minimum samples per leaf (>= 1).
    pub min_samples_leaf: usize,
    /// Features considered per split.
    pub max_features: MaxFeatures,
    /// Minimum weighted impurity decrease for a split.
    pub min_impurity_decrease: f64,
    /// Per-class weights (classifiers).
    pub class_weight: ClassWeight,
    /// Cost-complexity pruning strength; 0 disables pruning.
    pub ccp_alpha: f64,
    /// Seed for feature sampling.
    pub seed: u64,
}

impl Default for DecisionTreeSpec {
    fn default() -> Self {
        DecisionTreeSpec {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            min_impurity_decrease: 0.0,
            class_weight: ClassWeight::None,
            ccp_alpha: 0.0,
            seed: 0,
        }
    }
}

/// Checks the tree hyper-parameters shared by trees and forests.
pub(crate) fn check_tree_params(
    criterion: Criterion,
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: MaxFeatures,
    min_impurity_decrease: f64,
    class_weight: &ClassWeight,
) -> Result<()> {
    if max_depth == Some(0) {
        return Err(ModelError::param(
            "max_depth",
            "at least 1, or none for unlimited",
            0,
        ));
    }
    if min_samples_split < 2 {
        return Err(ModelError::param(
            "min_samples_split",
            "at least 2",
            min_samples_split,
        ));
    }
    if min_samples_leaf < 1 {
        return Err(ModelError::param(
            "min_samples_leaf",
            "at least 1",
            min_samples_leaf,
        ));
    }
    max_features.check()?;
    if !(min_impurity_decrease.is_finite() && min_impurity_decrease >= 0.0) {
        return Err(ModelError::param(
            "min_impurity_decrease",
            "a finite number >= 0",
            min_impurity_decrease,
        ));
    }
    if !criterion.is_classification() && *class_weight != ClassWeight::None {
        return Err(ModelError::param(
            "class_weight",
            "none for a regression criterion",
            format!("{class_weight:?}"),
        ));
    }
    Ok(())
}

/// Validated training data for trees: weights (class weights folded in) and the target.
pub(crate) struct TreeData {
    pub weights: Vec<f64>,
    pub codes: Vec<usize>,
    pub values: Vec<f64>,
    pub n_classes: Option<usize>,
}

impl TreeData {
    pub fn new(
        criterion: Criterion,
        class_weight: &ClassWeight,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<TreeData> {
        let mut weights = check_fit(x, y, sample_weight, NanPolicy::Reject)?;
        if criterion.is_classification() {
            let (codes, k) = class_codes(y)?;
            apply_class_weight(&mut weights, &codes, k, class_weight)?;
            Ok(TreeData {
                weights,
                codes,
                values: Vec::new(),
                n_classes: Some(k),
            })
        } else {
            Ok(TreeData {
                weights,
                codes: Vec::new(),
                values: y.to_vec(),
                n_classes: None,
            })
        }
    }

    pub fn target(&self) -> TreeTarget<'_> {
        match self.n_classes {
            Some(n_classes) => TreeTarget::Classes {
                codes: &self.codes,
                n_classes,
            },
            None => TreeTarget::Values(&self.values),
        }
    }
}

impl DecisionTreeSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_tree_params(
            self.criterion,
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            self.max_features,
            self.min_impurity_decrease,
            &self.class_weight,
        )?;
        if !(self.ccp_alpha.is_finite() && self.ccp_alpha >= 0.0) {
            return Err(ModelError::param(
                "ccp_alpha",
                "a finite number >= 0",
                self.ccp_alpha,
            ));
        }
        Ok(())
    }

    /// Fits on `x` (no NaN) and `y` (class codes for Gini/entropy).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedDecisionTree> {
        self.check()?;
        let data = TreeData::new(self.criterion, &self.class_weight, x, y, sample_weight)?;
        let params = TreeParams {
            criterion: self.criterion,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: self.max_features.resolve(x.ncols()),
            min_impurity_decrease: self.min_impurity_decrease,
            random_thresholds: false,
            histogram_min_samples: HISTOGRAM_MIN_SAMPLES,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut nodes = build(
            TreeInput::Exact(&Columns::new(x)),
            data.target(),
            &data.weights,
            &params,
            &mut rng,
        );
        if self.ccp_alpha > 0.0 {
            nodes = prune::prune(&nodes, self.ccp_alpha);
        }
        Ok(FittedDecisionTree {
            nodes,
            n_features: x.ncols(),
            n_classes: data.n_classes,
        })
    }
}

/// A fitted CART tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDecisionTree {
    /// Nodes in scikit-learn's layout.
    pub nodes: Nodes,
    /// Features seen at fit time.
    pub n_features: usize,
    /// Classes for classifiers, None for regressors.
    pub n_classes: Option<usize>,
}

impl FittedDecisionTree {
    /// Values of the leaf a row reaches (class fractions or the regression value).
    pub(crate) fn leaf_values(&self, row: ArrayView1<f64>) -> &[f64] {
        self.nodes.value_of(self.nodes.leaf_of(|f| row[f]))
    }

    /// Regression values, or the most probable class code.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                let v = self.leaf_values(row);
                if self.n_classes.is_some() {
                    argmax(v) as f64
                } else {
                    v[0]
                }
            })
            .collect())
    }

    /// Class fractions of the leaf each row reaches; an error for regressors.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let k = self.n_classes.ok_or_else(|| {
            ModelError::param(
                "criterion",
                "gini or entropy for predict_proba",
                "a regression criterion",
            )
        })?;
        check_predict(x, self.n_features, NanPolicy::Reject)?;
        let mut out = Array2::zeros((x.nrows(), k));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            o.assign(&ArrayView1::from(self.leaf_values(row)));
        }
        Ok(out)
    }

    /// Impurity-based importance (mean decrease in impurity), normalised to sum to 1.
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        let n = &self.nodes;
        for i in 0..n.len() {
            if n.left[i] < 0 {
                continue;
            }
            let (l, r) = (n.left[i] as usize, n.right[i] as usize);
            imp[n.feature[i] as usize] += n.weighted_n_samples[i] * n.impurity[i]
                - n.weighted_n_samples[l] * n.impurity[l]
                - n.weighted_n_samples[r] * n.impurity[r];
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }

    /// The tree as indented text, like scikit-learn's `export_text` (2 decimals).
    pub fn export_text(&self, feature_names: Option<&[String]>) -> String {
        export::export_text(&self.nodes, feature_names, self.n_classes.is_some(), 2)
    }

    /// Depth of the deepest leaf.
    pub fn depth(&self) -> usize {
        let mut best = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, d)) = stack.pop() {
            best = best.max(d);
            if self.nodes.left[i] >= 0 {
                stack.push((self.nodes.left[i] as usize, d + 1));
                stack.push((self.nodes.right[i] as usize, d + 1));
            }
        }
        best
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.left.iter().filter(|&&l| l < 0).count()
    }
}

pub(crate) fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
