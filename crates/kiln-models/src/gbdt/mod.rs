//! Histogram gradient-boosted decision trees of LightGBM's class: `GbdtSpec` → `FittedGbdt`.
//!
//! The pieces follow LightGBM's layout, one concept per file: `binning` (u8 bin codes),
//! `histogram` (gradient histograms and subtraction), `split` (split finding), `grower`
//! (leaf-wise tree growth), `objective/` (losses), `metric` (validation metrics), `tree`
//! (struct-of-arrays trees), `train` (the boosting loop), `layout` (trees packed for prediction)
//! and `fitted` (prediction, importance).

pub(crate) mod binning;
mod fitted;
mod grower;
mod histogram;
mod layout;
mod metric;
mod objective;
mod split;
mod train;
mod tree;

pub use fitted::{FittedGbdt, ImportanceKind};
pub use metric::Metric;
pub use objective::Objective;
pub use tree::Tree;

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::input::ClassWeight;

/// Hyper-parameters of a gradient-boosted tree ensemble. Names and defaults follow LightGBM.
///
/// ```
/// use kiln_models::{GbdtSpec, Objective};
/// use ndarray::{array, Array2};
///
/// let x = Array2::from_shape_fn((200, 2), |(i, j)| ((i * (j + 3)) % 17) as f64);
/// let y = x.column(0).mapv(|v| if v > 8.0 { 1.0 } else { 0.0 });
/// let spec = GbdtSpec { objective: Objective::Binary, n_estimators: 20, min_data_in_leaf: 5, ..GbdtSpec::default() };
/// let model = spec.fit(x.view(), y.view(), None)?;
/// let p = model.predict_proba(array![[12.0, 1.0]].view())?;
/// assert!(p[[0, 1]] > 0.9);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GbdtSpec {
    /// Loss to minimise.
    pub objective: Objective,
    /// Boosting iterations (LightGBM `num_iterations`).
    pub n_estimators: usize,
    /// Shrinkage applied to every tree.
    pub learning_rate: f64,
    /// Maximum leaves per tree.
    pub num_leaves: usize,
    /// Maximum tree depth; None for unlimited.
    pub max_depth: Option<usize>,
    /// Minimum rows per leaf.
    pub min_data_in_leaf: u32,
    /// Minimum hessian sum per leaf.
    pub min_sum_hessian_in_leaf: f64,
    /// L1 regularisation of leaf values.
    pub lambda_l1: f64,
    /// L2 regularisation of leaf values.
    pub lambda_l2: f64,
    /// Minimum gain to make a split.
    pub min_gain_to_split: f64,
    /// Fraction of features each tree may use, sampled per tree.
    pub feature_fraction: f64,
    /// Fraction of rows each bagging round uses.
    pub bagging_fraction: f64,
    /// Resample the bag every this many iterations; 0 disables bagging.
    pub bagging_freq: usize,
    /// Maximum value bins per numerical feature (2..=255).
    pub max_bin: usize,
    /// Minimum rows per bin when finding bins.
    pub min_data_in_bin: usize,
    /// Rows sampled to find bin bounds.
    pub bin_construct_sample_cnt: usize,
    /// Feature indices holding non-negative integer category codes.
    pub categorical_features: Vec<usize>,
    /// Most categories on one side of a categorical split.
    pub max_cat_threshold: usize,
    /// Smoothing for category ordering; rarer categories are not split off.
    pub cat_smooth: f64,
    /// Extra L2 regularisation for categorical splits.
    pub cat_l2: f64,
    /// Up to this many categories (with the other bin), use one-vs-rest splits.
    pub max_cat_to_onehot: usize,
    /// Minimum rows per categorical group.
    pub min_data_per_group: u32,
    /// Huber loss threshold (LightGBM `alpha`).
    pub huber_alpha: f64,
    /// Per-class weights (classifiers).
    pub class_weight: ClassWeight,
    /// Extra weight on positive-class gradients (binary).
    pub scale_pos_weight: f64,
    /// Start from the mean / prior instead of zero.
    pub boost_from_average: bool,
    /// Stop when the validation metric has not improved for this many iterations.
    pub early_stopping_rounds: Option<usize>,
    /// Seed for bagging, feature sampling and bin sampling.
    pub seed: u64,
}

impl Default for GbdtSpec {
    fn default() -> Self {
        GbdtSpec {
            objective: Objective::SquaredError,
            n_estimators: 100,
            learning_rate: 0.1,
            num_leaves: 31,
            max_depth: None,
            min_data_in_leaf: 20,
            min_sum_hessian_in_leaf: 1e-3,
            lambda_l1: 0.0,
            lambda_l2: 0.0,
            min_gain_to_split: 0.0,
            feature_fraction: 1.0,
            bagging_fraction: 1.0,
            bagging_freq: 0,
            max_bin: 255,
            min_data_in_bin: 3,
            bin_construct_sample_cnt: 200_000,
            categorical_features: Vec::new(),
            max_cat_threshold: 32,
            cat_smooth: 10.0,
            cat_l2: 10.0,
            max_cat_to_onehot: 4,
            min_data_per_group: 100,
            huber_alpha: 0.9,
            class_weight: ClassWeight::None,
            scale_pos_weight: 1.0,
            boost_from_average: true,
            early_stopping_rounds: None,
            seed: 0,
        }
    }
}

fn non_negative(param: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::param(param, "a finite number >= 0", v))
    }
}

fn fraction(param: &'static str, v: f64) -> Result<()> {
    if v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(ModelError::param(param, "a fraction in (0, 1]", v))
    }
}

impl GbdtSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        if self.n_estimators == 0 {
            return Err(ModelError::param(
                "n_estimators",
                "at least 1",
                self.n_estimators,
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(ModelError::param(
                "learning_rate",
                "a finite number > 0",
                self.learning_rate,
            ));
        }
        if !(2..=131_072).contains(&self.num_leaves) {
            return Err(ModelError::param(
                "num_leaves",
                "an integer in 2..=131072",
                self.num_leaves,
            ));
        }
        if self.max_depth == Some(0) {
            return Err(ModelError::param(
                "max_depth",
                "at least 1, or none for unlimited",
                0,
            ));
        }
        non_negative("min_sum_hessian_in_leaf", self.min_sum_hessian_in_leaf)?;
        non_negative("lambda_l1", self.lambda_l1)?;
        non_negative("lambda_l2", self.lambda_l2)?;
        non_negative("min_gain_to_split", self.min_gain_to_split)?;
        non_negative("cat_smooth", self.cat_smooth)?;
        non_negative("cat_l2", self.cat_l2)?;
        fraction("feature_fraction", self.feature_fraction)?;
        fraction("bagging_fraction", self.bagging_fraction)?;
        if !(2..=255).contains(&self.max_bin) {
            return Err(ModelError::param(
                "max_bin",
                "an integer in 2..=255",
                self.max_bin,
            ));
        }
        if self.min_data_in_bin == 0 {
            return Err(ModelError::param("min_data_in_bin", "at least 1", 0));
        }
        if self.bin_construct_sample_cnt == 0 {
            return Err(ModelError::param(
                "bin_construct_sample_cnt",
                "at least 1",
                0,
            ));
        }
        if self.max_cat_threshold == 0 {
            return Err(ModelError::param("max_cat_threshold", "at least 1", 0));
        }
        if !(self.huber_alpha.is_finite() && self.huber_alpha > 0.0) {
            return Err(ModelError::param(
                "huber_alpha",
                "a finite number > 0",
                self.huber_alpha,
            ));
        }
        if !(self.scale_pos_weight.is_finite() && self.scale_pos_weight > 0.0) {
            return Err(ModelError::param(
                "scale_pos_weight",
                "a finite number > 0",
                self.scale_pos_weight,
            ));
        }
        if self.early_stopping_rounds == Some(0) {
            return Err(ModelError::param(
                "early_stopping_rounds",
                "at least 1, or none",
                0,
            ));
        }
        if !self.objective.is_classification() && self.class_weight != ClassWeight::None {
            return Err(ModelError::param(
                "class_weight",
                "none for a regression objective",
                format!("{:?}", self.class_weight),
            ));
        }
        Ok(())
    }

    /// Fits on `x` (rows × features; NaN marks missing values) and `y` (class codes for
    /// classification objectives).
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
    ) -> Result<FittedGbdt> {
        train::train(self, x, y, sample_weight, None)
    }

    /// Fits while tracking the default metric on a validation set every iteration; with
    /// `early_stopping_rounds` set, stops once it has not improved for that many iterations and
    /// keeps the trees up to the best iteration.
    pub fn fit_with_validation(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        sample_weight: Option<ArrayView1<f64>>,
        x_valid: ArrayView2<f64>,
        y_valid: ArrayView1<f64>,
    ) -> Result<FittedGbdt> {
        train::train(self, x, y, sample_weight, Some((x_valid, y_valid)))
    }
}
