//! The promotion gate: a new version moves the alias only if it is not worse than the version
//! the alias points at now, measured on the same held-out rows.
//!
//! Both models score the new run's test rows with the gate metric. The drop is direction-aware
//! (a fall in ROC-AUC, a rise in RMSE); the gate passes when the drop is at most `max_drop`.
//! With no current version the gate passes (the first model). When the current version cannot
//! score the rows (its input columns or classes no longer exist) the gate fails closed: the new
//! version is registered, the alias stays, and the reason says to promote by hand if the change
//! is intended.

use kiln_data::Frame;
use kiln_eval::{Direction, Metric};
use kiln_registry::{ModelRef, Registry};
use serde::Serialize;

use crate::error::Result;

/// The current version's score on the held-out rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incumbent {
    /// Its version number.
    pub version: u32,
    /// Its score, or `None` when it could not score the rows.
    pub score: Option<f64>,
    /// Why it could not score them.
    pub error: Option<String>,
}

/// What the gate decided and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateDecision {
    /// The metric compared.
    pub metric: Metric,
    /// The alias the gate guards.
    pub alias: String,
    /// The new model's score on the held-out rows.
    pub candidate: f64,
    /// The version the alias pointed at, if any.
    pub incumbent: Option<Incumbent>,
    /// The largest allowed drop.
    pub max_drop: f64,
    /// Candidate worse than the incumbent by this much (negative = better).
    pub drop: Option<f64>,
    /// Whether the alias may move.
    pub passed: bool,
    /// One sentence for people.
    pub reason: String,
}

/// How much worse `candidate` is than `incumbent` for `metric` (negative when better).
pub fn drop_of(metric: Metric, candidate: f64, incumbent: f64) -> f64 {
    match metric.direction() {
        Direction::HigherIsBetter => incumbent - candidate,
        Direction::LowerIsBetter => candidate - incumbent,
    }
}

/// Decides whether the new model (scoring `candidate` with `metric` on `test`) may take
/// `name@alias` from the version there now.
pub fn decide(
    registry: &Registry,
    name: &str,
    alias: &str,
    metric: Metric,
    candidate: f64,
    max_drop: f64,
    test: &Frame,
) -> Result<GateDecision> {
    let current = match registry.alias_version(name, alias) {
        Ok(v) => v,
        // A model that was never registered has no aliases.
        Err(kiln_registry::RegistryError::UnknownModel { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let mut decision = GateDecision {
        metric,
        alias: alias.to_string(),
        candidate,
        incumbent: None,
        max_drop,
        drop: None,
        passed: true,
        reason: format!("no version of '{name}' is at @{alias} yet; the first one takes it"),
    };
    let Some(version) = current else {
        return Ok(decision);
    };
    let score = registry
        .load(&ModelRef::Version {
            name: name.to_string(),
            version,
        })
        .map_err(|e| e.to_string())
        .and_then(|(_, artifact)| {
            let p = &artifact.pipeline;
            let y = p.encode_target(test).map_err(|e| e.to_string())?;
            let predictions = p.predict(test).map_err(|e| e.to_string())?;
            predictions
                .score(metric, &y, None)
                .map_err(|e| e.to_string())
        });
    match score {
        Ok(score) => {
            let drop = drop_of(metric, candidate, score);
            // A tiny slack: both scores come from sums over the same rows in different orders.
            decision.passed = drop <= max_drop + 1e-12;
            decision.drop = Some(drop);
            decision.incumbent = Some(Incumbent {
                version,
                score: Some(score),
                error: None,
            });
            decision.reason = if decision.passed {
                format!(
                    "{} {candidate:.6} vs {score:.6} for version {version} on the same held-out rows: {} (allowed drop {max_drop})",
                    metric.name(),
                    if drop <= 0.0 {
                        "not worse".to_string()
                    } else {
                        format!("a drop of {drop:.6}")
                    },
                )
            } else {
                format!(
                    "{} {candidate:.6} is worse than version {version}'s {score:.6} on the same held-out rows by {drop:.6}, more than the allowed {max_drop}",
                    metric.name()
                )
            };
        }
        Err(error) => {
            decision.passed = false;
            decision.reason = format!(
                "version {version} at @{alias} cannot score the new held-out rows ({error}); promote by hand with `kiln models promote {name}/<version>` if the change is intended"
            );
            decision.incumbent = Some(Incumbent {
                version,
                score: None,
                error: Some(error),
            });
        }
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_is_direction_aware() {
        assert!((drop_of(Metric::RocAuc, 0.80, 0.85) - 0.05).abs() < 1e-15);
        assert!((drop_of(Metric::Rmse, 3.0, 2.5) - 0.5).abs() < 1e-15);
        assert!(drop_of(Metric::Rmse, 2.0, 2.5) < 0.0);
    }
}
