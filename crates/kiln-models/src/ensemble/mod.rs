//! Ensembles built from other kiln models: AdaBoost (SAMME) over CART trees, and voting and
//! stacking over any `ModelSpec`s, so a new estimator can join them without changes here.

mod adaboost;
mod stacking;
mod voting;

pub use adaboost::{AdaBoostSpec, FittedAdaBoost};
pub use stacking::{FittedStacking, StackingSpec};
pub use voting::{FittedVoting, Voting, VotingSpec};

use crate::error::{ModelError, Result};
use crate::estimator::FittedModel;

/// Checks that fitted members agree on the task; returns the shared class count.
fn shared_classes(models: &[FittedModel]) -> Result<Option<usize>> {
    let first = models.first().map(FittedModel::n_classes).unwrap_or(None);
    if models.iter().any(|m| m.n_classes() != first) {
        return Err(ModelError::param(
            "estimators",
            "members that are all classifiers or all regressors",
            "a mix of classifiers and regressors",
        ));
    }
    Ok(first)
}
