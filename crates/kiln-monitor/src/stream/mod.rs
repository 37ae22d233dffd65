//! Streaming drift detectors: one value at a time, a verdict per value.
//!
//! DDM and EDDM watch an error stream (true = the model was wrong); ADWIN, Page–Hinkley, CUSUM
//! and KSWIN watch any numeric signal. Each has a settings type with river's defaults
//! (`DdmSpec::default()`, …) and a `build()` that checks them, and each detector has
//! `update(x) -> bool` (drift detected on this value), `warning()` where the method has a
//! warning zone (DDM, EDDM), and `reset()`. As in river, the update after a detection starts from
//! a fresh state. DDM, EDDM, ADWIN, Page–Hinkley and KSWIN follow river's update rules and
//! arithmetic order, so they flag the same indices as river on the same stream (checked against
//! `tests/fixtures/drift/stream.json`); CUSUM is the textbook tabular chart (river has none).
//!
//! [`DetectorSpec`] gathers the settings as serde data and [`StreamDetector`] the detectors, so a
//! detector can be named in a config file; [`run_stream`] runs one over a column.

mod adwin;
mod cusum;
mod ddm;
mod eddm;
mod kswin;
mod page_hinkley;
mod python_random;
mod running_mean;

pub use adwin::{Adwin, AdwinSpec};
pub use cusum::{Cusum, CusumSpec};
pub use ddm::{Ddm, DdmSpec};
pub use eddm::{Eddm, EddmSpec};
pub use kswin::{Kswin, KswinSpec};
pub use page_hinkley::{PageHinkley, PageHinkleySpec, PhMode};
use serde::{Deserialize, Serialize};

use crate::error::{MonitorError, Result};

fn check_positive(name: &str, v: f64) -> Result<()> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(MonitorError::spec(
            name,
            format!("{v} is not a positive finite number"),
        ))
    }
}

/// A detector's settings, tagged by name: `{"detector": "adwin", "delta": 0.01}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "detector", rename_all = "snake_case")]
pub enum DetectorSpec {
    /// DDM on an error stream.
    Ddm(DdmSpec),
    /// EDDM on an error stream.
    Eddm(EddmSpec),
    /// ADWIN.
    Adwin(AdwinSpec),
    /// Page–Hinkley.
    PageHinkley(PageHinkleySpec),
    /// Tabular CUSUM.
    Cusum(CusumSpec),
    /// KSWIN.
    Kswin(KswinSpec),
}

impl DetectorSpec {
    /// Every detector name, as specs and the command line spell them.
    pub const NAMES: [&'static str; 6] = ["ddm", "eddm", "adwin", "page_hinkley", "cusum", "kswin"];

    /// The detector's name.
    pub fn name(&self) -> &'static str {
        match self {
            DetectorSpec::Ddm(_) => "ddm",
            DetectorSpec::Eddm(_) => "eddm",
            DetectorSpec::Adwin(_) => "adwin",
            DetectorSpec::PageHinkley(_) => "page_hinkley",
            DetectorSpec::Cusum(_) => "cusum",
            DetectorSpec::Kswin(_) => "kswin",
        }
    }

    /// The detector `name` with its default settings.
    pub fn default_for(name: &str) -> Result<Self> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        Ok(match key.as_str() {
            "ddm" => DetectorSpec::Ddm(DdmSpec::default()),
            "eddm" => DetectorSpec::Eddm(EddmSpec::default()),
            "adwin" => DetectorSpec::Adwin(AdwinSpec::default()),
            "page_hinkley" | "pagehinkley" | "ph" => {
                DetectorSpec::PageHinkley(PageHinkleySpec::default())
            }
            "cusum" => DetectorSpec::Cusum(CusumSpec::default()),
            "kswin" => DetectorSpec::Kswin(KswinSpec::default()),
            _ => {
                return Err(MonitorError::spec(
                    "detector",
                    format!(
                        "unknown detector '{name}'; expected one of: {}",
                        Self::NAMES.join(", ")
                    ),
                ));
            }
        })
    }

    /// True for detectors that read an error stream of 0 / 1.
    pub fn is_binary(&self) -> bool {
        matches!(self, DetectorSpec::Ddm(_) | DetectorSpec::Eddm(_))
    }

    /// A fresh detector.
    pub fn build(&self) -> Result<StreamDetector> {
        Ok(match self {
            DetectorSpec::Ddm(s) => StreamDetector::Ddm(s.build()?),
            DetectorSpec::Eddm(s) => StreamDetector::Eddm(s.build()?),
            DetectorSpec::Adwin(s) => StreamDetector::Adwin(s.build()?),
            DetectorSpec::PageHinkley(s) => StreamDetector::PageHinkley(s.build()?),
            DetectorSpec::Cusum(s) => StreamDetector::Cusum(s.build()?),
            DetectorSpec::Kswin(s) => StreamDetector::Kswin(s.build()?),
        })
    }
}

/// Any detector, behind one `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamDetector {
    /// DDM.
    Ddm(Ddm),
    /// EDDM.
    Eddm(Eddm),
    /// ADWIN.
    Adwin(Adwin),
    /// Page–Hinkley.
    PageHinkley(PageHinkley),
    /// CUSUM.
    Cusum(Cusum),
    /// KSWIN.
    Kswin(Kswin),
}

impl StreamDetector {
    /// Adds one value; returns true when drift is detected on it. Error-stream detectors (DDM,
    /// EDDM) take 0 or 1 and reject anything else; a non-finite value is skipped by every
    /// detector (false, state unchanged).
    pub fn update(&mut self, x: f64) -> Result<bool> {
        if !x.is_finite() {
            return Ok(false);
        }
        let bit = || -> Result<bool> {
            match x {
                0.0 => Ok(false),
                1.0 => Ok(true),
                _ => Err(MonitorError::spec(
                    "value",
                    format!("{x} is not 0 or 1; DDM and EDDM read an error stream (1 = error)"),
                )),
            }
        };
        Ok(match self {
            StreamDetector::Ddm(d) => d.update(bit()?),
            StreamDetector::Eddm(d) => d.update(bit()?),
            StreamDetector::Adwin(d) => d.update(x),
            StreamDetector::PageHinkley(d) => d.update(x),
            StreamDetector::Cusum(d) => d.update(x),
            StreamDetector::Kswin(d) => d.update(x),
        })
    }

    /// True while in the warning zone (DDM and EDDM; always false for the others).
    pub fn warning(&self) -> bool {
        match self {
            StreamDetector::Ddm(d) => d.warning(),
            StreamDetector::Eddm(d) => d.warning(),
            _ => false,
        }
    }

    /// Forgets everything seen.
    pub fn reset(&mut self) {
        match self {
            StreamDetector::Ddm(d) => d.reset(),
            StreamDetector::Eddm(d) => d.reset(),
            StreamDetector::Adwin(d) => d.reset(),
            StreamDetector::PageHinkley(d) => d.reset(),
            StreamDetector::Cusum(d) => d.reset(),
            StreamDetector::Kswin(d) => d.reset(),
        }
    }
}

/// What a detector flagged over a whole stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamReport {
    /// The detector's settings.
    pub spec: DetectorSpec,
    /// Values in the stream (missing ones included).
    pub values: usize,
    /// Missing (non-finite) values skipped.
    pub skipped_missing: usize,
    /// 0-based positions in the stream where drift was detected.
    pub detections: Vec<usize>,
    /// 0-based positions in the warning zone (DDM and EDDM).
    pub warnings: Vec<usize>,
}

/// Runs a fresh detector over `values` (missing values skipped, positions kept).
///
/// ```
/// use kiln_monitor::stream::{run_stream, DetectorSpec};
/// let values: Vec<f64> = (0..3000).map(|i| if i < 1500 { (i % 5) as f64 } else { 4.0 + (i % 5) as f64 }).collect();
/// let r = run_stream(&DetectorSpec::default_for("page_hinkley")?, &values)?;
/// assert!(r.detections[0] > 1500);
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn run_stream(spec: &DetectorSpec, values: &[f64]) -> Result<StreamReport> {
    let mut detector = spec.build()?;
    let (mut detections, mut warnings, mut skipped) = (Vec::new(), Vec::new(), 0);
    for (i, &x) in values.iter().enumerate() {
        if !x.is_finite() {
            skipped += 1;
            continue;
        }
        let drift = detector.update(x).map_err(|e| match e {
            MonitorError::Spec { message, .. } => {
                MonitorError::spec(format!("value at position {i}"), message)
            }
            other => other,
        })?;
        if drift {
            detections.push(i);
        }
        if detector.warning() {
            warnings.push(i);
        }
    }
    if skipped == values.len() {
        return Err(MonitorError::spec(
            "stream",
            format!(
                "all {} values are missing; expected at least one number",
                values.len()
            ),
        ));
    }
    Ok(StreamReport {
        spec: spec.clone(),
        values: values.len(),
        skipped_missing: skipped,
        detections,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_and_values_are_named() {
        let e = DetectorSpec::default_for("adwinn").unwrap_err().to_string();
        assert!(
            e.starts_with("detector: unknown detector 'adwinn'; expected one of: ddm"),
            "{e}"
        );
        let ddm = DetectorSpec::default_for("ddm").unwrap();
        let e = run_stream(&ddm, &[0.0, 1.0, 2.0]).unwrap_err().to_string();
        assert_eq!(
            e,
            "value at position 2: 2 is not 0 or 1; DDM and EDDM read an error stream (1 = error)"
        );
        let e = run_stream(&ddm, &[f64::NAN, f64::NAN])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "stream: all 2 values are missing; expected at least one number"
        );
        let r = run_stream(
            &DetectorSpec::default_for("ph").unwrap(),
            &[1.0, f64::NAN, 2.0],
        )
        .unwrap();
        assert_eq!((r.values, r.skipped_missing), (3, 1));
        let bad = [
            DetectorSpec::Eddm(EddmSpec {
                alpha: 0.8,
                beta: 0.9,
                ..Default::default()
            }),
            DetectorSpec::Adwin(AdwinSpec {
                delta: 1.5,
                ..Default::default()
            }),
            DetectorSpec::Kswin(KswinSpec {
                stat_size: 60,
                ..Default::default()
            }),
            DetectorSpec::PageHinkley(PageHinkleySpec {
                threshold: 0.0,
                ..Default::default()
            }),
            DetectorSpec::Cusum(CusumSpec {
                warm_start: 1,
                ..Default::default()
            }),
            DetectorSpec::Ddm(DdmSpec {
                drift_threshold: f64::NAN,
                ..Default::default()
            }),
        ];
        let messages: Vec<String> = bad
            .iter()
            .map(|s| s.build().unwrap_err().to_string())
            .collect();
        assert!(
            messages[0].starts_with("eddm.alpha: 0.8 is below beta"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].starts_with("adwin.delta: 1.5"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].starts_with("kswin.stat_size: 60 with window_size 100"),
            "{}",
            messages[2]
        );
        assert!(
            messages[3].starts_with("page_hinkley.threshold: 0 is not"),
            "{}",
            messages[3]
        );
        assert!(
            messages[4].starts_with("cusum.warm_start: 1 is too few"),
            "{}",
            messages[4]
        );
        assert!(
            messages[5].starts_with("ddm.drift_threshold: NaN"),
            "{}",
            messages[5]
        );
        let json = r#"{"detector": "adwin", "delta": 0.01}"#;
        let spec: DetectorSpec = serde_json::from_str(json).unwrap();
        assert_eq!(
            spec,
            DetectorSpec::Adwin(AdwinSpec {
                delta: 0.01,
                ..Default::default()
            })
        );
    }

    #[test]
    fn cusum_estimates_its_target_and_restarts_after_a_drift() {
        let mut c = CusumSpec::default().build().unwrap();
        let calm: Vec<f64> = (0..200).map(|i| ((i * 37) % 11) as f64 / 10.0).collect();
        assert!(!calm.iter().any(|&x| c.update(x)));
        let hits: Vec<usize> = (0..100).filter(|_| c.update(3.0)).collect();
        assert_eq!(
            hits.len(),
            1,
            "the value after a drift starts a new warm-up"
        );
        assert!(c.sums().0 == 0.0 && !c.drift());
    }
}
