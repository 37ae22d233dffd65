//! Boosting objectives: each turns current raw scores into gradients and hessians, and picks the
//! starting score (LightGBM's `boost_from_average`).
//!
//! Scores and gradients are class-major: for `k` trees per iteration, class `c`'s value for row
//! `i` sits at `c * n + i`. One file per family keeps a new loss to one small module.

mod binary;
mod multiclass;
mod regression;

use serde::{Deserialize, Serialize};

/// The loss a GBDT minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Squared error regression (LightGBM `regression`, `l2`).
    #[default]
    SquaredError,
    /// Absolute error regression (LightGBM `regression_l1`); leaves are refit to residual medians.
    AbsoluteError,
    /// Huber loss regression with threshold `huber_alpha` (LightGBM `huber`).
    Huber,
    /// Two-class log-loss (LightGBM `binary`); targets are class codes 0/1.
    Binary,
    /// Softmax log-loss over `k` classes (LightGBM `multiclass`); one tree per class per iteration.
    Multiclass,
}

impl Objective {
    /// Whether targets are class codes.
    pub fn is_classification(self) -> bool {
        matches!(self, Objective::Binary | Objective::Multiclass)
    }

    /// Trees grown per boosting iteration.
    pub fn trees_per_iteration(self, n_classes: usize) -> usize {
        if self == Objective::Multiclass {
            n_classes
        } else {
            1
        }
    }
}

/// What the objectives need to know about the training target.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Target values (class codes as f64 for classifiers).
    pub y: &'a [f64],
    /// Sample weights (class weights already folded in).
    pub weights: &'a [f64],
    /// Classes (1 for regression).
    pub n_classes: usize,
    /// Huber threshold.
    pub huber_alpha: f64,
    /// Extra weight on the positive class's gradients (binary only).
    pub scale_pos_weight: f64,
}

/// Starting raw score per tree slot (`trees_per_iteration` values).
pub fn init_scores(objective: Objective, t: &Target<'_>) -> Vec<f64> {
    match objective {
        Objective::SquaredError | Objective::Huber => {
            vec![regression::weighted_mean(t.y, t.weights)]
        }
        Objective::AbsoluteError => vec![regression::weighted_median(t.y, t.weights)],
        Objective::Binary => vec![binary::init_score(t)],
        Objective::Multiclass => multiclass::init_scores(t),
    }
}

/// Fills `gh` (class-major gradient/hessian pairs) from `scores` (class-major raw scores).
pub fn gradients(objective: Objective, t: &Target<'_>, scores: &[f64], gh: &mut [[f64; 2]]) {
    match objective {
        Objective::SquaredError => regression::squared_error(t, scores, gh),
        Objective::AbsoluteError => regression::absolute_error(t, scores, gh),
        Objective::Huber => regression::huber(t, scores, gh),
        Objective::Binary => binary::gradients(t, scores, gh),
        Objective::Multiclass => multiclass::gradients(t, scores, gh),
    }
}

/// Leaf value refit after growth, for objectives whose Newton step is not the optimum: absolute
/// error moves each leaf to the weighted median of its rows' residuals. None keeps the value.
pub fn renew_leaf(
    objective: Objective,
    t: &Target<'_>,
    scores: &[f64],
    rows: &[u32],
) -> Option<f64> {
    match objective {
        Objective::AbsoluteError => Some(regression::residual_median(t, scores, rows)),
        _ => None,
    }
}

/// Turns a row's raw scores into probabilities in place (classifiers only).
pub fn to_probabilities(objective: Objective, raw: &[f64], out: &mut [f64]) {
    match objective {
        Objective::Binary => {
            let p = binary::sigmoid(raw[0]);
            out[0] = 1.0 - p;
            out[1] = p;
        }
        Objective::Multiclass => multiclass::softmax(raw, out),
        _ => out.copy_from_slice(raw),
    }
}
