//! The Page–Hinkley test, as `river.drift.PageHinkley`.
//!
//! With x̄ the running mean, two faded cumulative sums follow the deviations: up = α·up + (x − x̄)
//! − δ and down = α·down + (x − x̄) + δ. Drift is signalled, once `min_instances` values have
//! been seen, when up − min(up) or max(down) − down exceeds `threshold` (λ); `mode` picks which
//! side counts. river starts max(down) at −1, and so does this. The update after a drift starts
//! afresh.

use serde::{Deserialize, Serialize};

use super::check_positive;
use super::running_mean::RunningMean;
use crate::error::{MonitorError, Result};

/// Which direction of change Page–Hinkley watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhMode {
    /// Increases of the mean.
    Up,
    /// Decreases of the mean.
    Down,
    /// Both.
    #[default]
    Both,
}

/// Page–Hinkley settings; the defaults are river's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageHinkleySpec {
    /// Values before any drift (30).
    pub min_instances: usize,
    /// Tolerated change per value, δ (0.005).
    pub delta: f64,
    /// Detection threshold λ (50).
    pub threshold: f64,
    /// Forgetting factor α of the sums (1 − 0.0001).
    pub alpha: f64,
    /// Direction (both).
    pub mode: PhMode,
}

impl Default for PageHinkleySpec {
    fn default() -> Self {
        PageHinkleySpec {
            min_instances: 30,
            delta: 0.005,
            threshold: 50.0,
            alpha: 1.0 - 0.0001,
            mode: PhMode::Both,
        }
    }
}

impl PageHinkleySpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        check_positive("page_hinkley.threshold", self.threshold)?;
        if !(self.delta >= 0.0 && self.delta.is_finite()) {
            return Err(MonitorError::spec(
                "page_hinkley.delta",
                format!("{} is not a finite value ≥ 0", self.delta),
            ));
        }
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(MonitorError::spec(
                "page_hinkley.alpha",
                format!("{} is not in (0, 1]", self.alpha),
            ));
        }
        Ok(())
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<PageHinkley> {
        self.check()?;
        Ok(PageHinkley {
            spec: self.clone(),
            state: PhState::default(),
            drift: false,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
struct PhState {
    mean: RunningMean,
    up: f64,
    down: f64,
    min_up: f64,
    max_down: f64,
}

impl Default for PhState {
    fn default() -> Self {
        PhState {
            mean: RunningMean::default(),
            up: 0.0,
            down: 0.0,
            min_up: f64::INFINITY,
            max_down: -1.0,
        }
    }
}

/// A Page–Hinkley detector.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHinkley {
    spec: PageHinkleySpec,
    state: PhState,
    drift: bool,
}

impl PageHinkley {
    /// Adds one value; returns true when drift is detected on it. A non-finite value is skipped
    /// (returns false and changes nothing).
    pub fn update(&mut self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        if self.drift {
            self.reset();
        }
        let st = &mut self.state;
        let sp = &self.spec;
        st.mean.update(x);
        let dev = x - st.mean.mean;
        st.up = sp.alpha * st.up + dev - sp.delta;
        st.down = sp.alpha * st.down + dev + sp.delta;
        if st.up < st.min_up {
            st.min_up = st.up;
        }
        if st.down > st.max_down {
            st.max_down = st.down;
        }
        if st.mean.n >= sp.min_instances as f64 {
            let up = st.up - st.min_up > sp.threshold;
            let down = st.max_down - st.down > sp.threshold;
            self.drift = match sp.mode {
                PhMode::Up => up,
                PhMode::Down => down,
                PhMode::Both => up || down,
            };
        }
        self.drift
    }

    /// True when the last value signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Forgets everything seen.
    pub fn reset(&mut self) {
        self.state = PhState::default();
        self.drift = false;
    }
}
