//! Runs: one record per `kiln train`, `kiln evaluate` or `kiln tune`, written when it starts and
//! completed when it finishes or fails.
//!
//! A run is recorded at its start, not its end, so a crash or a Ctrl-C still leaves a trace
//! (status `running` with no end time) and the data path and seed of a failed run can be read
//! back. The environment (OS, CPU count, kiln version) is captured here once, without git or
//! network calls, so recording never slows a run down.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{RegistryError, Result};
use crate::text_enum::text_enum;

/// The id of a run, assigned by the metadata store (1, 2, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Fit a pipeline (and usually register it).
    Train,
    /// Score an existing model on data.
    Evaluate,
    /// Search hyper-parameters.
    Tune,
}

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not yet finished (or the process died).
    Running,
    /// Completed; metrics are recorded.
    Finished,
    /// Ended with an error; the message is recorded.
    Failed,
}

text_enum!(RunKind, "run kind", { Train => "train", Evaluate => "evaluate", Tune => "tune" });
text_enum!(RunStatus, "run status", { Running => "running", Finished => "finished", Failed => "failed" });

/// What a run was asked to do, recorded when it starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunConfig {
    /// The resolved configuration (the `kiln.toml` sections and command-line overrides used).
    pub config: serde_json::Value,
    /// The random seed, if the run uses one.
    pub seed: Option<u64>,
    /// The data file the run reads.
    pub data_path: Option<String>,
}

/// What a run produced, recorded when it finishes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunOutcome {
    /// `kiln_data::fingerprint` digest of the data the run read.
    pub data_fingerprint: Option<String>,
    /// The hyper-parameters used (for a search: the best ones).
    pub params: serde_json::Value,
    /// Final metrics (`cv_roc_auc_mean`, `test_roc_auc`, ...); every value must be finite.
    pub metrics: BTreeMap<String, f64>,
    /// Per-fold metrics of cross-validation, in fold order.
    pub fold_metrics: Vec<BTreeMap<String, f64>>,
    /// Wall-clock seconds per phase (`load`, `fit`, `evaluate`, ...).
    pub timings: BTreeMap<String, f64>,
    /// The digest of the artifact the run registered, if any.
    pub artifact_digest: Option<String>,
    /// Where the run's report was written.
    pub report_path: Option<String>,
}

impl RunOutcome {
    /// Metrics and timings become JSON numbers, so they must be finite.
    pub(crate) fn check(&self) -> Result<()> {
        crate::artifact::check_metrics(&self.metrics)?;
        for fold in &self.fold_metrics {
            crate::artifact::check_metrics(fold)?;
        }
        for (phase, seconds) in &self.timings {
            if !seconds.is_finite() || *seconds < 0.0 {
                return Err(RegistryError::InvalidValue {
                    what: format!("timing `{phase}`"),
                    reason: format!("{seconds} is not a finite, non-negative number of seconds"),
                });
            }
        }
        Ok(())
    }
}

/// Where a run ran: enough to explain a difference between two machines, cheap to collect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// `linux`, `macos`, `windows`, ...
    pub os: String,
    /// `x86_64`, `aarch64`, ...
    pub arch: String,
    /// Logical CPUs available to the process.
    pub cpus: usize,
    /// The kiln release.
    pub kiln_version: String,
    /// The host name, where it can be read without running a program.
    pub hostname: Option<String>,
}

impl Environment {
    /// The environment of the current process.
    pub fn current() -> Self {
        Environment {
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kiln_version: env!("CARGO_PKG_VERSION").to_string(),
            hostname: hostname(),
        }
    }
}

/// Linux exposes the host name as a file; elsewhere the shell usually exports it.
fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// The run id.
    pub id: RunId,
    /// What it did.
    pub kind: RunKind,
    /// Running, finished or failed.
    pub status: RunStatus,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC, once ended.
    pub finished_at: Option<String>,
    /// What it was asked to do.
    pub config: RunConfig,
    /// What it produced (defaults until it finishes).
    pub outcome: RunOutcome,
    /// Where it ran.
    pub environment: Environment,
    /// The error message of a failed run.
    pub error: Option<String>,
}

/// Which runs [`crate::Registry::list_runs`] returns (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only runs of this kind.
    pub kind: Option<RunKind>,
    /// Only runs with this status.
    pub status: Option<RunStatus>,
    /// At most this many runs.
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip_through_text() {
        for &k in RunKind::ALL {
            assert_eq!(RunKind::parse(k.as_str()).expect("known"), k);
        }
        for &s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(&s.to_string()).expect("known"), s);
        }
        let msg = RunKind::parse("predict").expect_err("unknown").to_string();
        assert!(msg.contains("`train`, `evaluate`, `tune`"), "{msg}");
    }

    #[test]
    fn outcome_refuses_non_finite_numbers() {
        let mut outcome = RunOutcome::default();
        outcome.metrics.insert("roc_auc".into(), f64::NAN);
        let msg = outcome.check().expect_err("NaN").to_string();
        assert!(msg.contains("metric `roc_auc`"), "{msg}");
        let mut outcome = RunOutcome::default();
        outcome
            .fold_metrics
            .push([("f1".to_string(), f64::INFINITY)].into());
        assert!(outcome.check().is_err());
        let mut outcome = RunOutcome::default();
        outcome.timings.insert("fit".into(), -1.0);
        let msg = outcome.check().expect_err("negative").to_string();
        assert!(msg.contains("timing `fit`"), "{msg}");
    }

    #[test]
    fn environment_is_filled() {
        let env = Environment::current();
        assert!(!env.os.is_empty() && !env.arch.is_empty());
        assert!(env.cpus >= 1);
        assert_eq!(env.kiln_version, env!("CARGO_PKG_VERSION"));
    }
}
