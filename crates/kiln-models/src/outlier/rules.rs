//! Per-column outlier rules: z-score (`|x − mean| > t·std`) and IQR (Tukey's fences
//! `[Q1 − k·IQR, Q3 + k·IQR]`). A row is an outlier when any column is outside its bounds.
//!
//! Both fit to one shape, [`FittedRule`]: per-column lower and upper bounds plus a scale (the
//! standard deviation or the IQR) that turns the margin into the bounds into a comparable
//! score. `score_samples` is the smallest scaled margin over the columns (negative outside),
//! and the offset is 0, so `predict` says −1 exactly when some value leaves its column's
//! bounds. Mean and standard deviation are the population ones (`numpy.std`, ddof 0); quartiles
//! interpolate linearly (`numpy.percentile`'s default), via kiln-stats.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::input::{NanPolicy, check_features, check_predict};

/// The z-score rule: outlier when `|x − mean| > threshold · std` in any column.
///
/// ```
/// use kiln_models::ZScoreRuleSpec;
/// use ndarray::Array2;
///
/// let mut x = Array2::from_shape_fn((50, 1), |(i, _)| (i % 5) as f64);
/// x[[0, 0]] = 30.0;
/// let rule = ZScoreRuleSpec { threshold: 3.0 }.fit(x.view())?;
/// assert_eq!(rule.predict(x.view())?[0], -1);
/// # Ok::<(), kiln_models::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZScoreRuleSpec {
    /// Largest |z| of an inlier.
    pub threshold: f64,
}

impl Default for ZScoreRuleSpec {
    fn default() -> Self {
        ZScoreRuleSpec { threshold: 3.0 }
    }
}

/// The IQR rule: outlier when a value is outside `[Q1 − k·IQR, Q3 + k·IQR]` in any column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IqrRuleSpec {
    /// Fence width in IQRs (Tukey: 1.5).
    pub k: f64,
}

impl Default for IqrRuleSpec {
    fn default() -> Self {
        IqrRuleSpec { k: 1.5 }
    }
}

fn check_width(param: &'static str, v: f64) -> Result<()> {
    if !(v > 0.0 && v.is_finite()) {
        return Err(ModelError::param(param, "a finite number > 0", v));
    }
    Ok(())
}

impl ZScoreRuleSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_width("threshold", self.threshold)
    }

    /// Per-column mean ± threshold · std of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedRule> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let n = x.nrows() as f64;
        let mut rule = FittedRule::new(RuleKind::ZScore);
        for col in x.columns() {
            let mean = col.sum() / n;
            let std = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
            rule.push(
                mean - self.threshold * std,
                mean + self.threshold * std,
                std,
            );
        }
        Ok(rule)
    }
}

impl IqrRuleSpec {
    /// Validates the hyper-parameters.
    pub fn check(&self) -> Result<()> {
        check_width("k", self.k)
    }

    /// Per-column Tukey fences of `x` (no NaN or infinity).
    pub fn fit(&self, x: ArrayView2<f64>) -> Result<FittedRule> {
        self.check()?;
        check_features(x, "x", NanPolicy::Reject)?;
        let mut rule = FittedRule::new(RuleKind::Iqr);
        for (j, col) in x.columns().into_iter().enumerate() {
            let q = kiln_stats::quantile::quantiles(&col.to_vec(), &[0.25, 0.75])
                .map_err(|e| ModelError::param("x", format!("quartiles of column {j}"), e))?;
            let iqr = q[1] - q[0];
            rule.push(q[0] - self.k * iqr, q[1] + self.k * iqr, iqr);
        }
        Ok(rule)
    }
}

/// Which rule produced a [`FittedRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Mean ± threshold · std.
    ZScore,
    /// Tukey's fences.
    Iqr,
}

/// Fitted per-column bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRule {
    /// The rule (not named `kind`: that is the tag of [`crate::FittedOutlierDetector`]).
    pub rule: RuleKind,
    /// Lowest inlier value per column.
    pub low: Vec<f64>,
    /// Highest inlier value per column.
    pub high: Vec<f64>,
    /// Per-column unit of the margins (std or IQR; 1 where that is 0).
    pub scale: Vec<f64>,
}

impl FittedRule {
    fn new(rule: RuleKind) -> Self {
        FittedRule {
            rule,
            low: Vec::new(),
            high: Vec::new(),
            scale: Vec::new(),
        }
    }

    fn push(&mut self, low: f64, high: f64, scale: f64) {
        self.low.push(low);
        self.high.push(high);
        // A constant column has zero spread: margins stay in its own units.
        self.scale.push(if scale > 0.0 { scale } else { 1.0 });
    }

    /// Smallest margin into the bounds over the columns, in units of each column's scale:
    /// negative when some value is outside its column's bounds.
    pub fn score_samples(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_predict(x, self.low.len(), NanPolicy::Reject)?;
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(j, &v)| (v - self.low[j]).min(self.high[j] - v) / self.scale[j])
                    .fold(f64::INFINITY, f64::min)
            })
            .collect())
    }

    /// +1 when every value is within its column's bounds, −1 otherwise.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<i64>> {
        Ok(super::inlier_labels(&self.score_samples(x)?))
    }
}
