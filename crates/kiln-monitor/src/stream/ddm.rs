//! DDM, the Drift Detection Method (Gama et al., 2004), as `river.drift.binary.DDM`.
//!
//! The input is an error stream (true = the model was wrong). With p the running error rate and
//! s = sqrt(p(1 − p)/n), the detector remembers p_min and s_min where p + s was smallest; after
//! `warm_start` observations it warns when p + s > p_min + `warning_threshold`·s_min and signals
//! drift when p + s > p_min + `drift_threshold`·s_min. The update after a drift starts afresh.

use serde::{Deserialize, Serialize};

use super::check_positive;
use super::running_mean::RunningMean;
use crate::error::Result;

/// DDM settings; the defaults are river's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DdmSpec {
    /// Observations before any warning or drift (30).
    pub warm_start: usize,
    /// Warning level in standard deviations (2.0).
    pub warning_threshold: f64,
    /// Drift level in standard deviations (3.0).
    pub drift_threshold: f64,
}

impl Default for DdmSpec {
    fn default() -> Self {
        DdmSpec {
            warm_start: 30,
            warning_threshold: 2.0,
            drift_threshold: 3.0,
        }
    }
}

impl DdmSpec {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        check_positive("ddm.warning_threshold", self.warning_threshold)?;
        check_positive("ddm.drift_threshold", self.drift_threshold)
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<Ddm> {
        self.check()?;
        Ok(Ddm {
            spec: self.clone(),
            state: DdmState::default(),
            warning: false,
            drift: false,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
struct DdmState {
    p: RunningMean,
    p_min: f64,
    s_min: f64,
    ps_min: f64,
}

impl Default for DdmState {
    fn default() -> Self {
        DdmState {
            p: RunningMean::default(),
            p_min: 0.0,
            s_min: 0.0,
            ps_min: f64::INFINITY,
        }
    }
}

/// A DDM detector.
///
/// ```
/// use kiln_monitor::stream::DdmSpec;
/// let mut ddm = DdmSpec::default().build()?;
/// let errors = (0..2000).map(|i| if i < 1000 { i % 10 == 0 } else { i % 2 == 0 });
/// let first = errors.enumerate().find(|(_, e)| ddm.update(*e)).map(|(i, _)| i);
/// assert!(first.unwrap() > 1000);
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ddm {
    spec: DdmSpec,
    state: DdmState,
    warning: bool,
    drift: bool,
}

impl Ddm {
    /// Adds one observation (true = error); returns true when drift is detected on it.
    pub fn update(&mut self, error: bool) -> bool {
        if self.drift {
            self.reset();
        }
        let st = &mut self.state;
        st.p.update(if error { 1.0 } else { 0.0 });
        let (p, n) = (st.p.mean, st.p.n);
        let s = (p * (1.0 - p) / n).sqrt();
        if n > self.spec.warm_start as f64 {
            if p + s <= st.ps_min {
                st.p_min = p;
                st.s_min = s;
                st.ps_min = st.p_min + st.s_min;
            }
            self.warning = p + s > st.p_min + self.spec.warning_threshold * st.s_min;
            if p + s > st.p_min + self.spec.drift_threshold * st.s_min {
                self.drift = true;
                self.warning = false;
            }
        }
        self.drift
    }

    /// True while the last observation is in the warning zone.
    pub fn warning(&self) -> bool {
        self.warning
    }

    /// True when the last observation signalled drift.
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Forgets everything seen.
    pub fn reset(&mut self) {
        self.state = DdmState::default();
        self.warning = false;
        self.drift = false;
    }
}
