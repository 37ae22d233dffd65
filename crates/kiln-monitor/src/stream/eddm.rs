//! EDDM, the Early Drift Detection Method (Baena-García et al., 2006), as
//! `river.drift.binary.EDDM`.
//!
//! It follows the distance (in observations) between consecutive errors: with p' and s' the
//! running mean and standard deviation of that distance, it keeps the largest p' + 2s' seen and,
//! once more than `warm_start` observations and more than `warm_start` errors have been seen,
//! signals drift when (p' + 2s') / max < `beta` and warns when it is < `alpha`. Only errors move
//! the detector. The update after a drift starts afresh.

use serde::{Deserialize, Serialize};

use super::running_mean::RunningVar;
use crate::error::{MonitorError, Result};

/// EDDM settings; the defaults are river's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EddmSpec {
    /// Observations and errors before any warning or drift (30).
    pub warm_start: usize,
    /// Warning level (0.95).
    pub alpha: f64,
    /// Drift level (0.9), at most `alpha`.
    pub beta: f64,
}

impl Default for EddmSpec {
    fn default() -> Self {
        EddmSpec {
            warm_start: 30,
            alpha: 0.95,
            beta: 0.9,
        }
    }
}

impl EddmSpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        for (name, v) in [("eddm.alpha", self.alpha), ("eddm.beta", self.beta)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(MonitorError::spec(
                    name,
                    format!("{v} is not strictly between 0 and 1"),
                ));
            }
        }
        if self.alpha < self.beta {
            return Err(MonitorError::spec(
                "eddm.alpha",
                format!(
                    "{} is below beta = {}; expected alpha ≥ beta",
                    self.alpha, self.beta
                ),
            ));
        }
        Ok(())
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<Eddm> {
        self.check()?;
        Ok(Eddm {
            spec: self.clone(),
            state: EddmState::default(),
            warning: false,
            drift: false,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
struct EddmState {
    distances: RunningVar,
    n: u64,
    last_error: u64,
    n_errors: u64,
    p2s_max: f64,
}

impl Default for EddmState {
    fn default() -> Self {
        EddmState {
            distances: RunningVar::default(),
            n: 0,
            last_error: 0,
            n_errors: 0,
            p2s_max: -1.0,
        }
    }
}

/// An EDDM detector.
#[derive(Debug, Clone, PartialEq)]
pub struct Eddm {
    spec: EddmSpec,
    state: EddmState,
    warning: bool,
    drift: bool,
}

impl Eddm {
    /// Adds one observation (true = error); returns true when drift is detected on it.
    pub fn update(&mut self, error: bool) -> bool {
        if self.drift {
            self.reset();
        }
        let st = &mut self.state;
        st.n += 1;
        if error {
            st.n_errors += 1;
            st.distances.update((st.n - st.last_error) as f64);
            if st.n > self.spec.warm_start as u64 {
                let p = st.distances.mean.mean;
                // river takes the root as `** 0.5` (pow), which can differ from sqrt in the last bit.
                let s = st.distances.variance().powf(0.5);
                let p2s = p + 2.0 * s;
                if p2s > st.p2s_max {
                    st.p2s_max = p2s;
                } else if st.n_errors > self.spec.warm_start as u64 {
                    let level = p2s / st.p2s_max;
                    if level < self.spec.beta {
                        self.drift = true;
                    } else {
                        self.warning = level < self.spec.alpha;
                    }
                }
            }
            st.last_error = st.n;
        }
        self.drift
    }

    /// True while the detector is in the warning zone.
    pub fn warning(&self) -> bool {
        self.warning
    }

    /// True when the last observation signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Forgets everything seen.
    pub fn reset(&mut self) {
        self.state = EddmState::default();
        self.warning = false;
        self.drift = false;
    }
}
