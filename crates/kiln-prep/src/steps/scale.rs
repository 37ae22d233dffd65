//! Scalers: standard (z-score), min-max, robust (median / IQR) and max-abs, as scikit-learn's.
//!
//! All of them learn per-column statistics from the observed (non-missing) training values and
//! leave missing cells missing. A constant column never causes a division by zero: its scale
//! becomes 1, exactly as scikit-learn does, so it maps to a constant (0 after centering).

use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::stats;
use crate::table::{Column, Table};

fn default_true() -> bool {
    true
}

/// Spec of the standard scaler: `(x - mean) / std` (population std).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardScaler {
    /// Subtract the mean (default true).
    #[serde(default = "default_true")]
    pub with_mean: bool,
    /// Divide by the standard deviation (default true).
    #[serde(default = "default_true")]
    pub with_std: bool,
}

impl Default for StandardScaler {
    fn default() -> Self {
        StandardScaler {
            with_mean: true,
            with_std: true,
        }
    }
}

/// Spec of the min-max scaler onto `feature_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinMaxScaler {
    /// Target range (default `[0, 1]`).
    #[serde(default = "unit_range")]
    pub feature_range: [f64; 2],
    /// Clip transformed values into the range (default false).
    #[serde(default)]
    pub clip: bool,
}

fn unit_range() -> [f64; 2] {
    [0.0, 1.0]
}

impl Default for MinMaxScaler {
    fn default() -> Self {
        MinMaxScaler {
            feature_range: unit_range(),
            clip: false,
        }
    }
}

/// Spec of the robust scaler: `(x - median) / (q_hi - q_lo)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobustScaler {
    /// Subtract the median (default true).
    #[serde(default = "default_true")]
    pub with_centering: bool,
    /// Divide by the inter-quantile range (default true).
    #[serde(default = "default_true")]
    pub with_scaling: bool,
    /// Percentiles of the range (default `[25, 75]`).
    #[serde(default = "iqr_range")]
    pub quantile_range: [f64; 2],
}

fn iqr_range() -> [f64; 2] {
    [25.0, 75.0]
}

impl Default for RobustScaler {
    fn default() -> Self {
        RobustScaler {
            with_centering: true,
            with_scaling: true,
            quantile_range: iqr_range(),
        }
    }
}

/// Spec of the max-abs scaler: `x / max|x|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MaxAbsScaler {}

/// Any fitted scaler: an affine map per column, then an optional clip. Standard, robust and
/// max-abs apply `(x - center) / scale`; min-max applies `x * mul + add`. Each form repeats
/// scikit-learn's operations in its order, so results agree to the last bit where possible, and
/// one fitted type serves all four scalers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedAffine {
    /// Which step this came from (for messages).
    pub step: String,
    /// Input columns.
    pub columns: Vec<String>,
    /// Per-column multiplier.
    pub mul: Vec<f64>,
    /// Per-column offset added after multiplying.
    pub add: Vec<f64>,
    /// Optional clip range.
    pub clip: Option<[f64; 2]>,
    /// The statistic each column was centred on (mean, median, min...), kept for inspection.
    pub center: Vec<f64>,
    /// The scale each column was divided by (1 for constant columns).
    pub scale: Vec<f64>,
}

fn no_values(step: &str, name: &str) -> PrepError {
    PrepError::column(
        name,
        format!("has no observed value in the training rows; {step} cannot learn its statistics"),
    )
}

impl StandardScaler {
    /// Validates the spec (every combination is allowed).
    pub fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Learns mean and standard deviation per column.
    pub fn fit(&self, table: &Table) -> Result<FittedAffine> {
        let cols = table.numeric_columns("standard_scaler")?;
        let (mut center, mut scale) = (Vec::new(), Vec::new());
        for (name, v) in table.names.iter().zip(cols) {
            let (n, mean, var) = stats::mean_var(v);
            if n == 0 {
                return Err(no_values("standard_scaler", name));
            }
            center.push(if self.with_mean { mean } else { 0.0 });
            let s = if stats::is_constant_feature(var, mean, n) {
                1.0
            } else {
                var.sqrt()
            };
            scale.push(if self.with_std { s } else { 1.0 });
        }
        Ok(FittedAffine::from_center_scale(
            "standard_scaler",
            table,
            center,
            scale,
        ))
    }
}

impl MinMaxScaler {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        let [lo, hi] = self.feature_range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(PrepError::param(
                "min_max_scaler",
                "feature_range",
                format!("must be two finite numbers [min, max] with min < max, got [{lo}, {hi}]"),
            ));
        }
        Ok(())
    }

    /// Learns min and max per column.
    pub fn fit(&self, table: &Table) -> Result<FittedAffine> {
        self.check()?;
        let cols = table.numeric_columns("min_max_scaler")?;
        let [lo, hi] = self.feature_range;
        let (mut mul, mut add, mut center, mut scale) = (vec![], vec![], vec![], vec![]);
        for (name, v) in table.names.iter().zip(cols) {
            let s = stats::sorted_present(v);
            let (Some(&min), Some(&max)) = (s.first(), s.last()) else {
                return Err(no_values("min_max_scaler", name));
            };
            let range = stats::safe_scale(max - min);
            let m = (hi - lo) / range;
            mul.push(m);
            add.push(lo - min * m);
            center.push(min);
            scale.push(range);
        }
        Ok(FittedAffine {
            step: "min_max_scaler".into(),
            columns: table.names.clone(),
            mul,
            add,
            clip: self.clip.then_some(self.feature_range),
            center,
            scale,
        })
    }
}

impl RobustScaler {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        let [lo, hi] = self.quantile_range;
        if !(0.0..=100.0).contains(&lo) || !(0.0..=100.0).contains(&hi) || lo >= hi {
            return Err(PrepError::param(
                "robust_scaler",
                "quantile_range",
                format!("must be two percentiles 0 <= low < high <= 100, got [{lo}, {hi}]"),
            ));
        }
        Ok(())
    }

    /// Learns median and inter-quantile range per column.
    pub fn fit(&self, table: &Table) -> Result<FittedAffine> {
        self.check()?;
        let cols = table.numeric_columns("robust_scaler")?;
        let (mut center, mut scale) = (Vec::new(), Vec::new());
        for (name, v) in table.names.iter().zip(cols) {
            let s = stats::sorted_present(v);
            if s.is_empty() {
                return Err(no_values("robust_scaler", name));
            }
            center.push(if self.with_centering {
                stats::median_sorted(&s)
            } else {
                0.0
            });
            let [lo, hi] = self.quantile_range;
            let iqr =
                stats::quantile_sorted(&s, hi / 100.0) - stats::quantile_sorted(&s, lo / 100.0);
            scale.push(if self.with_scaling {
                stats::safe_scale(iqr)
            } else {
                1.0
            });
        }
        Ok(FittedAffine::from_center_scale(
            "robust_scaler",
            table,
            center,
            scale,
        ))
    }
}

impl MaxAbsScaler {
    /// Validates the spec (nothing to check).
    pub fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Learns the largest absolute value per column.
    pub fn fit(&self, table: &Table) -> Result<FittedAffine> {
        let cols = table.numeric_columns("max_abs_scaler")?;
        let mut scale = Vec::new();
        for (name, v) in table.names.iter().zip(cols) {
            let max = v
                .iter()
                .filter(|x| !x.is_nan())
                .map(|x| x.abs())
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
                .ok_or_else(|| no_values("max_abs_scaler", name))?;
            scale.push(stats::safe_scale(max));
        }
        let center = vec![0.0; scale.len()];
        Ok(FittedAffine::from_center_scale(
            "max_abs_scaler",
            table,
            center,
            scale,
        ))
    }
}

impl FittedAffine {
    fn from_center_scale(step: &str, table: &Table, center: Vec<f64>, scale: Vec<f64>) -> Self {
        FittedAffine {
            step: step.into(),
            columns: table.names.clone(),
            mul: Vec::new(),
            add: Vec::new(),
            clip: None,
            center,
            scale,
        }
    }

    /// Applies the scaling; missing cells stay missing.
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, &self.step)?;
        for (j, col) in table.columns.iter_mut().enumerate() {
            let Column::Numeric(v) = col else {
                return Err(PrepError::column(
                    &self.columns[j],
                    format!("is categorical but {} needs numbers", self.step),
                ));
            };
            if self.mul.is_empty() {
                let (c, s) = (self.center[j], self.scale[j]);
                v.iter_mut().for_each(|x| *x = (*x - c) / s);
            } else {
                let (m, a) = (self.mul[j], self.add[j]);
                v.iter_mut().for_each(|x| *x = *x * m + a);
            }
            if let Some([lo, hi]) = self.clip {
                v.iter_mut()
                    .filter(|x| !x.is_nan())
                    .for_each(|x| *x = x.clamp(lo, hi));
            }
        }
        Ok(table)
    }
}
