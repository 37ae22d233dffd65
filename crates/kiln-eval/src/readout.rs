//! The fit read-out: one plain-words verdict on how a model fits, from its training and
//! validation scores and the slope of its learning curve.
//!
//! Scores are first put on a common *skill* scale, `s = (score − chance) / (perfect − chance)`:
//! 0 is what predicting the class priors (or the mean) scores, 1 is a perfect score (1 for
//! metrics where higher is better, 0 for losses and errors). On that scale the thresholds below
//! mean the same thing for accuracy on balanced or imbalanced classes, ROC-AUC, R² or RMSE.
//!
//! | verdict | rule (checked in this order) |
//! |---|---|
//! | over-fitting | `s(train) − s(valid) >` [`OVERFIT_GAP`] (0.10) |
//! | under-fitting | `s(train) <` [`UNDERFIT_SKILL`] (0.50): the model cannot fit even its own training rows |
//! | more data likely helps | the learning curve's validation skill still rises by more than [`MORE_DATA_SLOPE`] (0.02) per doubling of the training rows |
//! | good fit | otherwise |

use serde::{Deserialize, Serialize};

use crate::metric::{Direction, Metric};
use crate::pipeline::{PipelineError, PipelineResult, Predictions};

/// Skill gap between training and validation above which the verdict is over-fitting.
pub const OVERFIT_GAP: f64 = 0.10;
/// Training skill below which the verdict is under-fitting.
pub const UNDERFIT_SKILL: f64 = 0.50;
/// Validation skill gained per doubling of training rows above which more data likely helps.
pub const MORE_DATA_SLOPE: f64 = 0.02;

/// The kind of fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitVerdict {
    /// Much better on training rows than on unseen rows.
    OverFitting,
    /// Weak even on its training rows.
    UnderFitting,
    /// Fits well, but the validation score is still climbing with more rows.
    MoreDataHelps,
    /// Training and validation agree and the score is well above chance.
    GoodFit,
}

/// The verdict with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReadout {
    /// The verdict.
    pub verdict: FitVerdict,
    /// The metric the scores are in.
    pub metric: Metric,
    /// Mean training score.
    pub train: f64,
    /// Mean validation score.
    pub valid: f64,
    /// The chance-level score the skill scale starts from.
    pub chance: f64,
    /// `s(train) − s(valid)`.
    pub skill_gap: f64,
    /// Validation skill gained per doubling of training rows, if a learning curve was given.
    pub more_data_slope: Option<f64>,
    /// The verdict in plain words, with the numbers.
    pub message: String,
}

/// The score of predicting the class priors (classification) or the mean (regression) of `y`
/// for every row — the chance level of [`FitReadout`].
///
/// ```
/// use kiln_eval::{chance_score, Metric};
/// let y = [0.0, 0.0, 0.0, 1.0];
/// assert_eq!(chance_score(Metric::Accuracy, &y, Some(2))?, 0.75);
/// assert_eq!(chance_score(Metric::RocAuc, &y, Some(2))?, 0.5);
/// assert_eq!(chance_score(Metric::R2, &[1.0, 2.0, 3.0], None)?, 0.0);
/// # Ok::<(), kiln_eval::PipelineError>(())
/// ```
pub fn chance_score(metric: Metric, y: &[f64], n_classes: Option<usize>) -> PipelineResult<f64> {
    if y.is_empty() {
        return Err(PipelineError::Invalid(
            "no targets to compute a chance-level score from".into(),
        ));
    }
    let predictions = match n_classes {
        Some(k) => {
            let mut prior = vec![0.0; k];
            for &c in y {
                // Class codes come from the target encoding; a stray code is reported below by
                // the metric's own checks, so it is simply not counted here.
                if let Some(p) = prior.get_mut(c as usize) {
                    *p += 1.0;
                }
            }
            prior.iter_mut().for_each(|p| *p /= y.len() as f64);
            let majority = (0..k).fold(0, |best, c| if prior[c] > prior[best] { c } else { best });
            let proba: Vec<f64> = (0..y.len()).flat_map(|_| prior.clone()).collect();
            Predictions {
                values: vec![majority as f64; y.len()],
                labels: None,
                probabilities: Some(
                    ndarray::Array2::from_shape_vec((y.len(), k), proba)
                        .map_err(|e| PipelineError::Invalid(e.to_string()))?,
                ),
            }
        }
        None => {
            let mean = y.iter().sum::<f64>() / y.len() as f64;
            Predictions {
                values: vec![mean; y.len()],
                labels: None,
                probabilities: None,
            }
        }
    };
    predictions.score(metric, y, None)
}

/// The best possible value of a metric.
fn perfect(metric: Metric) -> f64 {
    match metric.direction() {
        Direction::HigherIsBetter => 1.0,
        Direction::LowerIsBetter => 0.0,
    }
}

/// Reads out the fit from mean training and validation scores of `metric`, the chance-level
/// score ([`chance_score`]) and, optionally, the last two points of a learning curve as
/// `(training rows, validation score)`.
///
/// ```
/// use kiln_eval::{fit_readout, FitVerdict, Metric};
/// let r = fit_readout(Metric::Accuracy, 0.99, 0.81, 0.5, None);
/// assert_eq!(r.verdict, FitVerdict::OverFitting);
/// assert!(r.message.starts_with("over-fitting: train 0.99 vs validation 0.81"));
/// ```
pub fn fit_readout(
    metric: Metric,
    train: f64,
    valid: f64,
    chance: f64,
    learning_tail: Option<((usize, f64), (usize, f64))>,
) -> FitReadout {
    let best = perfect(metric);
    let range = best - chance;
    // A chance level equal to the perfect score (a constant target) leaves no scale; every
    // score is then as good as it gets.
    let skill = |score: f64| {
        if range == 0.0 {
            1.0
        } else {
            (score - chance) / range
        }
    };
    let skill_gap = skill(train) - skill(valid);
    let more_data_slope = learning_tail.and_then(|((n1, v1), (n2, v2))| {
        (n2 > n1 && n1 > 0).then(|| (skill(v2) - skill(v1)) / (n2 as f64 / n1 as f64).log2())
    });
    let name = metric.name();
    let (verdict, message) = if skill_gap > OVERFIT_GAP {
        (
            FitVerdict::OverFitting,
            format!(
                "over-fitting: train {train:.2} vs validation {valid:.2} — a gap of {:.2} in {name}; more data or stronger regularisation may help",
                (train - valid).abs()
            ),
        )
    } else if skill(train) < UNDERFIT_SKILL {
        (
            FitVerdict::UnderFitting,
            format!(
                "under-fitting: train {train:.2} and validation {valid:.2} in {name} are close to the chance level {chance:.2}; a more flexible model or better features may help"
            ),
        )
    } else if more_data_slope.is_some_and(|s| s > MORE_DATA_SLOPE) {
        (
            FitVerdict::MoreDataHelps,
            format!(
                "more data likely helps: validation {name} is still rising with the training rows (train {train:.2}, validation {valid:.2})"
            ),
        )
    } else {
        (
            FitVerdict::GoodFit,
            format!(
                "good fit: train {train:.2} and validation {valid:.2} in {name} agree, well above the chance level {chance:.2}"
            ),
        )
    };
    FitReadout {
        verdict,
        metric,
        train,
        valid,
        chance,
        skill_gap,
        more_data_slope,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_documented_thresholds() {
        // Accuracy with balanced classes (chance 0.5).
        let good = fit_readout(Metric::Accuracy, 0.93, 0.91, 0.5, None);
        assert_eq!(good.verdict, FitVerdict::GoodFit, "{}", good.message);
        let under = fit_readout(Metric::Accuracy, 0.62, 0.60, 0.5, None);
        assert_eq!(under.verdict, FitVerdict::UnderFitting);
        // Imbalanced: 0.99 vs 0.95 against a 0.9 majority is a large skill gap (0.9 vs 0.5).
        let over = fit_readout(Metric::Accuracy, 0.99, 0.95, 0.9, None);
        assert_eq!(over.verdict, FitVerdict::OverFitting);
        assert!(over.message.contains("a gap of 0.04"), "{}", over.message);
        // Learning curve: 0.80 at 100 rows to 0.86 at 200 rows, chance 0.5 → 0.12 skill per
        // doubling.
        let more = fit_readout(
            Metric::Accuracy,
            0.9,
            0.86,
            0.5,
            Some(((100, 0.80), (200, 0.86))),
        );
        assert_eq!(more.verdict, FitVerdict::MoreDataHelps);
        assert!((more.more_data_slope.unwrap() - 0.12).abs() < 1e-12);
        // A loss: RMSE 1.0 train vs 3.0 validation against a chance RMSE of 4.0.
        let rmse = fit_readout(Metric::Rmse, 1.0, 3.0, 4.0, None);
        assert_eq!(rmse.verdict, FitVerdict::OverFitting);
    }

    #[test]
    fn chance_score_rejects_empty_targets() {
        let e = chance_score(Metric::Accuracy, &[], Some(2)).unwrap_err();
        assert!(e.to_string().contains("no targets"), "{e}");
    }
}
