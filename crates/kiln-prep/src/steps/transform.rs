//! Column-wise value transforms: `log1p`, the Yeo–Johnson power transform (scikit-learn's
//! `PowerTransformer`, including its maximum-likelihood lambda and standardisation), clipping
//! at learned quantiles or IQR fences, and Gaussian noise for training rows.
//!
//! Missing cells stay missing in all of them and are skipped when statistics are learned.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{PrepError, Result};
use crate::stats;
use crate::table::{Column, Table};

/// Spec of `ln(1 + x)`; values at or below -1 are an error naming the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Log1p {}

/// Fitted `log1p` (it learns nothing but the columns it applies to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLog1p {
    /// Input columns.
    pub columns: Vec<String>,
}

fn numeric_mut<'a>(table: &'a mut Table, step: &str) -> Result<Vec<(&'a str, &'a mut Vec<f64>)>> {
    table
        .names
        .iter()
        .zip(table.columns.iter_mut())
        .map(|(name, c)| match c {
            Column::Numeric(v) => Ok((name.as_str(), v)),
            Column::Categorical { .. } => Err(PrepError::column(
                name,
                format!("is categorical but {step} needs numbers; encode it first"),
            )),
        })
        .collect()
}

impl Log1p {
    /// Validates the spec (nothing to check).
    pub fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Records the columns.
    pub fn fit(&self, table: &Table) -> Result<FittedLog1p> {
        table.numeric_columns("log1p")?;
        Ok(FittedLog1p {
            columns: table.names.clone(),
        })
    }
}

impl FittedLog1p {
    /// Applies `ln(1 + x)`.
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "log1p")?;
        for (name, v) in numeric_mut(&mut table, "log1p")? {
            if let Some(row) = v.iter().position(|&x| x <= -1.0) {
                return Err(PrepError::column(
                    name,
                    format!("row {row} holds {}; log1p needs values above -1", v[row]),
                ));
            }
            v.iter_mut().for_each(|x| *x = x.ln_1p());
        }
        Ok(table)
    }
}

fn default_true() -> bool {
    true
}

/// Spec of the Yeo–Johnson power transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YeoJohnson {
    /// Standardise the transformed columns to zero mean and unit variance (default true).
    #[serde(default = "default_true")]
    pub standardize: bool,
}

impl Default for YeoJohnson {
    fn default() -> Self {
        YeoJohnson { standardize: true }
    }
}

/// A fitted Yeo–Johnson transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedYeoJohnson {
    /// Input columns.
    pub columns: Vec<String>,
    /// The maximum-likelihood lambda per column.
    pub lambdas: Vec<f64>,
    /// Mean of the transformed training values (0 without standardisation).
    pub means: Vec<f64>,
    /// Scale of the transformed training values (1 without standardisation).
    pub scales: Vec<f64>,
}

/// The Yeo–Johnson transform of one value, written as scikit-learn writes it.
pub fn yeo_johnson(x: f64, lambda: f64) -> f64 {
    let tiny = f64::EPSILON;
    if x >= 0.0 {
        if lambda.abs() < tiny {
            x.ln_1p()
        } else {
            ((x + 1.0).powf(lambda) - 1.0) / lambda
        }
    } else if (lambda - 2.0).abs() > tiny {
        -((-x + 1.0).powf(2.0 - lambda) - 1.0) / (2.0 - lambda)
    } else {
        -(-x).ln_1p()
    }
}

/// Negative Yeo–Johnson log-likelihood of `lambda` for `x` (SciPy's `yeojohnson_llf`).
fn neg_log_likelihood(x: &[f64], lambda: f64, log_jacobian: f64) -> f64 {
    let t: Vec<f64> = x.iter().map(|&v| yeo_johnson(v, lambda)).collect();
    let (_, _, var) = stats::mean_var(&t);
    if var.is_nan() || var < f64::MIN_POSITIVE || !var.is_finite() {
        return f64::INFINITY;
    }
    let n = x.len() as f64;
    let llf = -n / 2.0 * var.ln() + (lambda - 1.0) * log_jacobian;
    if llf.is_finite() { -llf } else { f64::INFINITY }
}

/// The maximum-likelihood lambda, searched within SciPy's overflow-safe bounds (as
/// `scipy.stats.yeojohnson_normmax`), by golden-section search to a far tighter tolerance than
/// SciPy's 1.5e-8, so the two agree to SciPy's own precision.
pub fn yeo_johnson_lambda(x: &[f64]) -> f64 {
    if x.iter().all(|&v| v == 0.0) {
        return 1.0;
    }
    let max_abs = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let log1p_max_x = (20.0 * max_abs).ln_1p();
    let log_eps = f64::EPSILON.ln();
    let log_tiny = (f64::MIN_POSITIVE.ln() - log_eps) / 2.0;
    let log_max = (f64::MAX.ln() + log_eps) / 2.0;
    let (mut lb, mut ub) = (log_tiny / log1p_max_x, log_max / log1p_max_x);
    if x.iter().all(|&v| v < 0.0) {
        (lb, ub) = (2.0 - ub, 2.0 - lb);
    } else if x.iter().any(|&v| v < 0.0) {
        (lb, ub) = (lb.max(2.0 - ub), ub.min(2.0 - lb));
    }
    let log_jacobian: f64 = x.iter().map(|&v| v.signum() * v.abs().ln_1p()).sum();
    let f = |l: f64| neg_log_likelihood(x, l, log_jacobian);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (lb, ub);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while (b - a).abs() > 1e-12 * (1.0 + c.abs()) {
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    (a + b) / 2.0
}

impl YeoJohnson {
    /// Validates the spec (nothing to check).
    pub fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Learns lambda (and the standardisation) per column.
    pub fn fit(&self, table: &Table) -> Result<FittedYeoJohnson> {
        let cols = table.numeric_columns("yeo_johnson")?;
        let (mut lambdas, mut means, mut scales) = (vec![], vec![], vec![]);
        for (name, v) in table.names.iter().zip(cols) {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if present.is_empty() {
                return Err(PrepError::column(
                    name,
                    "has no observed value in the training rows; yeo_johnson cannot learn lambda",
                ));
            }
            let lambda = yeo_johnson_lambda(&present);
            lambdas.push(lambda);
            if self.standardize {
                let t: Vec<f64> = present.iter().map(|&x| yeo_johnson(x, lambda)).collect();
                let (n, mean, var) = stats::mean_var(&t);
                means.push(mean);
                scales.push(if stats::is_constant_feature(var, mean, n) {
                    1.0
                } else {
                    var.sqrt()
                });
            } else {
                means.push(0.0);
                scales.push(1.0);
            }
        }
        Ok(FittedYeoJohnson {
            columns: table.names.clone(),
            lambdas,
            means,
            scales,
        })
    }
}

impl FittedYeoJohnson {
    /// Applies the power transform (and standardisation).
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "yeo_johnson")?;
        for (j, (_, v)) in numeric_mut(&mut table, "yeo_johnson")?
            .into_iter()
            .enumerate()
        {
            let (l, m, s) = (self.lambdas[j], self.means[j], self.scales[j]);
            v.iter_mut()
                .filter(|x| !x.is_nan())
                .for_each(|x| *x = (yeo_johnson(*x, l) - m) / s);
        }
        Ok(table)
    }
}

/// Where clipping bounds come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ClipBounds {
    /// The `lower` and `upper` quantiles (in [0, 1]) of the training values.
    Quantile {
        /// Lower quantile, e.g. 0.01.
        lower: f64,
        /// Upper quantile, e.g. 0.99.
        upper: f64,
    },
    /// Tukey's fences: `q1 - factor * IQR` and `q3 + factor * IQR`.
    Iqr {
        /// Fence width in IQRs (1.5 is Tukey's).
        factor: f64,
    },
}

/// Spec of clipping (winsorising) at bounds learned from training rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clip {
    /// How the bounds are learned.
    pub bounds: ClipBounds,
}

/// Fitted clipping bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedClip {
    /// Input columns.
    pub columns: Vec<String>,
    /// `[low, high]` per column.
    pub bounds: Vec<[f64; 2]>,
}

impl Clip {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        match self.bounds {
            ClipBounds::Quantile { lower, upper } => {
                if !(0.0..=1.0).contains(&lower) || !(0.0..=1.0).contains(&upper) || lower >= upper
                {
                    return Err(PrepError::param(
                        "clip",
                        "bounds",
                        format!("quantiles need 0 <= lower < upper <= 1, got {lower} and {upper}"),
                    ));
                }
            }
            ClipBounds::Iqr { factor } => {
                if !(factor.is_finite() && factor >= 0.0) {
                    return Err(PrepError::param(
                        "clip",
                        "factor",
                        format!("must be a finite number >= 0, got {factor}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Learns the bounds per column.
    pub fn fit(&self, table: &Table) -> Result<FittedClip> {
        self.check()?;
        let mut bounds = Vec::new();
        for (name, v) in table.names.iter().zip(table.numeric_columns("clip")?) {
            let s = stats::sorted_present(v);
            if s.is_empty() {
                return Err(PrepError::column(
                    name,
                    "has no observed value in the training rows; clip cannot learn bounds",
                ));
            }
            bounds.push(match self.bounds {
                ClipBounds::Quantile { lower, upper } => [
                    stats::quantile_sorted(&s, lower),
                    stats::quantile_sorted(&s, upper),
                ],
                ClipBounds::Iqr { factor } => {
                    let (q1, q3) = (
                        stats::quantile_sorted(&s, 0.25),
                        stats::quantile_sorted(&s, 0.75),
                    );
                    [q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)]
                }
            });
        }
        Ok(FittedClip {
            columns: table.names.clone(),
            bounds,
        })
    }
}

impl FittedClip {
    /// Clamps each column into its bounds.
    pub fn transform(&self, mut table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "clip")?;
        for (j, (_, v)) in numeric_mut(&mut table, "clip")?.into_iter().enumerate() {
            let [lo, hi] = self.bounds[j];
            v.iter_mut()
                .filter(|x| !x.is_nan())
                .for_each(|x| *x = x.clamp(lo, hi));
        }
        Ok(table)
    }
}

/// Spec of Gaussian noise added to training rows only (a regulariser); serving rows pass
/// through unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianNoise {
    /// Standard deviation of the noise, in units of each column's training standard deviation.
    pub std: f64,
}

/// Fitted Gaussian noise: nothing to apply at transform time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGaussianNoise {
    /// Input columns.
    pub columns: Vec<String>,
}

impl GaussianNoise {
    /// Validates the spec.
    pub fn check(&self) -> Result<()> {
        if !(self.std.is_finite() && self.std > 0.0) {
            return Err(PrepError::param(
                "gaussian_noise",
                "std",
                format!("must be a finite number > 0, got {}", self.std),
            ));
        }
        Ok(())
    }

    /// Adds seeded noise to the training table and returns it with the (identity) fitted step.
    pub fn fit_transform(
        &self,
        mut table: Table,
        seed: u64,
    ) -> Result<(FittedGaussianNoise, Table)> {
        self.check()?;
        let columns = table.names.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for (_, v) in numeric_mut(&mut table, "gaussian_noise")? {
            let (_, _, var) = stats::mean_var(v);
            let sd = self.std * if var.is_nan() { 0.0 } else { var.sqrt() };
            for x in v.iter_mut().filter(|x| !x.is_nan()) {
                *x += sd * standard_normal(&mut rng);
            }
        }
        Ok((FittedGaussianNoise { columns }, table))
    }
}

impl FittedGaussianNoise {
    /// Serving rows are not perturbed.
    pub fn transform(&self, table: Table) -> Result<Table> {
        table.expect_names(&self.columns, "gaussian_noise")?;
        Ok(table)
    }
}

/// A standard normal draw (Box–Muller), so no distribution crate is needed for one use.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
