//! Evaluation metrics for the per-iteration history and early stopping; lower is better for all.

use serde::{Deserialize, Serialize};

use super::objective::{Objective, to_probabilities};

/// A validation metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Root mean squared error.
    Rmse,
    /// Mean absolute error.
    Mae,
    /// Mean binary log-loss.
    BinaryLogloss,
    /// Mean multiclass log-loss.
    MultiLogloss,
}

impl Metric {
    /// LightGBM's default metric for an objective (Huber is tracked with RMSE).
    pub fn for_objective(objective: Objective) -> Metric {
        match objective {
            Objective::SquaredError | Objective::Huber => Metric::Rmse,
            Objective::AbsoluteError => Metric::Mae,
            Objective::Binary => Metric::BinaryLogloss,
            Objective::Multiclass => Metric::MultiLogloss,
        }
    }

    /// Weighted metric of class-major raw `scores` (`k` values per row) against `y`.
    pub fn evaluate(
        self,
        objective: Objective,
        y: &[f64],
        w: &[f64],
        scores: &[f64],
        k: usize,
    ) -> f64 {
        let n = y.len();
        let total_w: f64 = w.iter().sum();
        let mut raw = vec![0.0; k];
        let mut prob = vec![0.0; k.max(2)];
        let mut sum = 0.0;
        for i in 0..n {
            for (c, r) in raw.iter_mut().enumerate() {
                *r = scores[c * n + i];
            }
            let loss = match self {
                Metric::Rmse => (raw[0] - y[i]).powi(2),
                Metric::Mae => (raw[0] - y[i]).abs(),
                Metric::BinaryLogloss | Metric::MultiLogloss => {
                    to_probabilities(objective, &raw, &mut prob);
                    -prob[y[i] as usize].clamp(1e-15, 1.0).ln()
                }
            };
            sum += loss * w[i];
        }
        let mean = sum / total_w;
        if self == Metric::Rmse {
            mean.sqrt()
        } else {
            mean
        }
    }
}
