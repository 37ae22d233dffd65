//! The two-sided tabular CUSUM chart (Page, 1954; in the form of Montgomery, *Introduction to
//! Statistical Quality Control*, §9.1). river has no CUSUM detector, so this is the textbook one.
//!
//! With target mean μ₀ and standard deviation σ, each value adds its standardized deviation
//! z = (x − μ₀)/σ to two one-sided sums, C⁺ = max(0, C⁺ + z − k) and C⁻ = max(0, C⁻ − z − k);
//! drift is signalled when either exceeds h. Parameters are in units of σ: the slack `k` = 0.5
//! (tuned to detect a shift of 1σ quickly) and the decision interval `h` = 5 (in-control average
//! run length ≈ 465 values for normal data). μ₀ and σ are given, or estimated from the first
//! `warm_start` values (mean and sample standard deviation; no alarm during the warm-up, which
//! goes on while the values seen are all equal). The value after a drift starts afresh,
//! re-estimating μ₀ and σ when they were estimated.

use serde::{Deserialize, Serialize};

use super::check_positive;
use super::running_mean::RunningVar;
use crate::error::{MonitorError, Result};

/// CUSUM settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CusumSpec {
    /// Target mean μ₀; estimated from the warm-up when absent.
    pub target: Option<f64>,
    /// Standard deviation σ; estimated from the warm-up when absent.
    pub sigma: Option<f64>,
    /// Slack per value in units of σ (0.5).
    pub k: f64,
    /// Decision interval in units of σ (5).
    pub h: f64,
    /// Values used to estimate μ₀ and σ when they are not given (30).
    pub warm_start: usize,
}

impl Default for CusumSpec {
    fn default() -> Self {
        CusumSpec {
            target: None,
            sigma: None,
            k: 0.5,
            h: 5.0,
            warm_start: 30,
        }
    }
}

impl CusumSpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if !(self.k >= 0.0 && self.k.is_finite()) {
            return Err(MonitorError::spec(
                "cusum.k",
                format!("{} is not a finite value ≥ 0", self.k),
            ));
        }
        check_positive("cusum.h", self.h)?;
        if let Some(s) = self.sigma {
            check_positive("cusum.sigma", s)?;
        }
        if let Some(t) = self.target
            && !t.is_finite()
        {
            return Err(MonitorError::spec(
                "cusum.target",
                format!("{t} is not finite"),
            ));
        }
        if (self.target.is_none() || self.sigma.is_none()) && self.warm_start < 2 {
            return Err(MonitorError::spec(
                "cusum.warm_start",
                format!(
                    "{} is too few to estimate a standard deviation; expected at least 2",
                    self.warm_start
                ),
            ));
        }
        Ok(())
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<Cusum> {
        self.check()?;
        let mut c = Cusum {
            spec: self.clone(),
            warmup: RunningVar::default(),
            target: 0.0,
            sigma: 0.0,
            ready: false,
            upper: 0.0,
            lower: 0.0,
            drift: false,
        };
        c.reset();
        Ok(c)
    }
}

/// A CUSUM detector.
///
/// ```
/// use kiln_monitor::stream::CusumSpec;
/// let mut c = CusumSpec { target: Some(0.0), sigma: Some(1.0), ..Default::default() }.build()?;
/// assert!(!(0..50).any(|_| c.update(0.2)));
/// assert!((0..20).any(|_| c.update(2.0)));
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cusum {
    spec: CusumSpec,
    warmup: RunningVar,
    target: f64,
    sigma: f64,
    ready: bool,
    upper: f64,
    lower: f64,
    drift: bool,
}

impl Cusum {
    /// Adds one value; returns true when drift is detected on it. A non-finite value is skipped
    /// (returns false and changes nothing).
    pub fn update(&mut self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        if self.drift {
            self.reset();
        }
        if !self.ready {
            self.warmup.update(x);
            if self.warmup.mean.n >= self.spec.warm_start as f64 {
                let sd = self.warmup.variance().sqrt();
                self.target = self.spec.target.unwrap_or(self.warmup.mean.mean);
                self.sigma = self.spec.sigma.unwrap_or(sd);
                self.ready = self.sigma > 0.0;
            }
            return false;
        }
        let z = (x - self.target) / self.sigma;
        self.upper = (self.upper + z - self.spec.k).max(0.0);
        self.lower = (self.lower - z - self.spec.k).max(0.0);
        self.drift = self.upper > self.spec.h || self.lower > self.spec.h;
        self.drift
    }

    /// The current sums (C⁺, C⁻) in units of σ.
    pub fn sums(&self) -> (f64, f64) {
        (self.upper, self.lower)
    }

    /// True when the last value signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Forgets everything seen (estimated μ₀ and σ included).
    pub fn reset(&mut self) {
        self.warmup = RunningVar::default();
        self.upper = 0.0;
        self.lower = 0.0;
        self.drift = false;
        match (self.spec.target, self.spec.sigma) {
            (Some(t), Some(s)) => {
                self.target = t;
                self.sigma = s;
                self.ready = true;
            }
            _ => self.ready = false,
        }
    }
}
