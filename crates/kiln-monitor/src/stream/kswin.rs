//! KSWIN, Kolmogorov–Smirnov windowing (Raab et al., 2020), as `river.drift.KSWIN`.
//!
//! A sliding window of the last `window_size` values; once it is full, every value draws
//! `stat_size` values uniformly without replacement from the older `window_size − stat_size`
//! ones and compares them with the newest `stat_size` by a two-sample KS test (SciPy's
//! `ks_2samp`, exact at these sizes). Drift: p ≤ `alpha` and statistic > 0.1. The draw uses
//! CPython's `random.Random(seed)` (Mersenne Twister and `sample`), so the same seed gives the
//! same detections as river; as in river the generator is re-seeded, and the window emptied, on
//! the value after a drift.

use std::collections::VecDeque;

use kiln_stats::hypothesis::Alternative;
use kiln_stats::hypothesis::ks::ks_two_sample;
use serde::{Deserialize, Serialize};

use super::python_random::PythonRandom;
use crate::error::{MonitorError, Result};

/// KSWIN settings; the defaults are river's (river's seed defaults to none, i.e. random; kiln's
/// to 0 so runs repeat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KswinSpec {
    /// Significance level of the KS test (0.005).
    pub alpha: f64,
    /// Sliding window length (100).
    pub window_size: usize,
    /// Length of the newest part and of the drawn sample (30).
    pub stat_size: usize,
    /// Seed of the draw.
    pub seed: u64,
}

impl Default for KswinSpec {
    fn default() -> Self {
        KswinSpec {
            alpha: 0.005,
            window_size: 100,
            stat_size: 30,
            seed: 0,
        }
    }
}

impl KswinSpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(MonitorError::spec(
                "kswin.alpha",
                format!("{} is not strictly between 0 and 1", self.alpha),
            ));
        }
        if self.stat_size == 0 || 2 * self.stat_size > self.window_size {
            return Err(MonitorError::spec(
                "kswin.stat_size",
                format!(
                    "{} with window_size {}; expected 1 ≤ stat_size ≤ window_size / 2 so the older part can supply the sample",
                    self.stat_size, self.window_size
                ),
            ));
        }
        if self.window_size > u32::MAX as usize {
            return Err(MonitorError::spec(
                "kswin.window_size",
                format!("{} is too large", self.window_size),
            ));
        }
        Ok(())
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<Kswin> {
        self.check()?;
        Ok(Kswin {
            window: VecDeque::with_capacity(self.window_size),
            rng: PythonRandom::new(self.seed),
            spec: self.clone(),
            p_value: None,
            drift: false,
        })
    }
}

/// A KSWIN detector.
#[derive(Debug, Clone, PartialEq)]
pub struct Kswin {
    spec: KswinSpec,
    window: VecDeque<f64>,
    rng: PythonRandom,
    p_value: Option<f64>,
    drift: bool,
}

impl Kswin {
    /// Adds one value; returns true when drift is detected on it. A non-finite value is skipped
    /// (returns false and changes nothing).
    pub fn update(&mut self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        if self.drift {
            self.reset();
        }
        let (w, r) = (self.spec.window_size, self.spec.stat_size);
        if self.window.len() == w {
            self.window.pop_front();
        }
        self.window.push_back(x);
        self.drift = false;
        if self.window.len() >= w {
            let drawn: Vec<f64> = self
                .rng
                .sample(w - r, r)
                .into_iter()
                .map(|i| self.window[i])
                .collect();
            let recent: Vec<f64> = self.window.range(w - r..).copied().collect();
            // Both samples are non-empty and finite (checked on entry), so the test cannot fail;
            // a failure would only mean "no evidence" and is treated as such.
            if let Ok(t) = ks_two_sample(&drawn, &recent, Alternative::TwoSided) {
                self.p_value = Some(t.p_value);
                self.drift = t.p_value <= self.spec.alpha && t.statistic > 0.1;
            }
        }
        self.drift
    }

    /// p-value of the last test (none before the window first fills).
    pub fn p_value(&self) -> Option<f64> {
        self.p_value
    }

    /// True when the last value signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Forgets everything seen and re-seeds the draw.
    pub fn reset(&mut self) {
        self.window.clear();
        self.rng = PythonRandom::new(self.spec.seed);
        self.p_value = None;
        self.drift = false;
    }
}
